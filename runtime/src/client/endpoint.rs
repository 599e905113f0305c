//! Where a call goes: the endpoint rule set's inputs gathered from the configuration and the
//! operation's input, the rule set evaluated, and the result kept per client: once for operations
//! whose endpoint cannot depend on their input, by its parameters for the others.

use std::sync::{Arc, Mutex, OnceLock};

use super::{Config, RequestContext};
use crate::endpoint::{AuthScheme, Endpoint, ParamValue, Params, RuleSet};
use crate::error::UnhandledError;
pub use crate::jmespath::is_member_path;
use crate::operation::Operation;
use crate::schema::{
    EndpointParamSource, EndpointRules, InputSearch, OperationSchema, Schema, ServiceSchema, StaticParam,
};
use crate::shape::{Value, View};

/// The endpoint a call resolved to: its URL, the headers the rules add, and how to sign for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedEndpoint {
    /// The URL that requests' paths are appended to.
    pub url: String,
    /// Headers the rules add to every request.
    pub headers: Vec<(String, Vec<String>)>,
    /// The signing scheme the rules chose (`authSchemes`), when they chose one.
    pub auth: Option<AuthScheme>,
    /// Why none of the rules' auth schemes can be used, when none can.
    pub unsupported_auth: Option<String>,
}

impl ResolvedEndpoint {
    fn from_url(url: String) -> Self {
        Self {
            url,
            headers: Vec::new(),
            auth: None,
            unsupported_auth: None,
        }
    }

    fn from_rules(endpoint: Endpoint) -> Self {
        let schemes = endpoint.auth_schemes();
        let auth = schemes.iter().find(|scheme| scheme.name == "sigv4").cloned();
        let unsupported_auth = match (&auth, schemes.is_empty()) {
            (None, false) => Some(format!(
                "the endpoint requires the auth scheme {}, which smithy-runtime does not support",
                schemes
                    .iter()
                    .map(|scheme| format!("`{}`", scheme.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
            _ => None,
        };
        Self {
            url: endpoint.url,
            headers: endpoint.headers.into_iter().collect(),
            auth,
            unsupported_auth,
        }
    }

    /// Adds the endpoint's headers to `request`.
    pub(super) fn apply_headers(&self, request: &mut http::Request<Vec<u8>>) -> Result<(), UnhandledError> {
        for (name, values) in &self.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                UnhandledError::configuration(format!("the endpoint header name `{name}` is not valid"))
            })?;
            for value in values {
                let value = http::HeaderValue::from_str(value).map_err(|_| {
                    UnhandledError::configuration(format!("the endpoint header `{name}` has a value that is not valid"))
                })?;
                request.headers_mut().append(name.clone(), value);
            }
        }
        Ok(())
    }
}

/// What a configuration keeps of its endpoints: the service's parsed rule set, the parameters
/// the configuration gives, the endpoint of each operation whose endpoint cannot depend on its
/// input (resolved on its first call), and the last few endpoints of the others.
#[derive(Default)]
pub(super) struct EndpointCache {
    service: OnceLock<ServiceEndpoints>,
}

/// How many endpoints of input-dependent calls a client keeps (S3 buckets, DynamoDB tables):
/// enough for the few that most programs call in turn, few enough to search by comparison.
const RECENT: usize = 8;

struct ServiceEndpoints {
    id: &'static str,
    rules: Option<Result<RuleSet, String>>,
    /// The parameter that each call sets to its credentials' account id (`AWS::Auth::AccountId`),
    /// unless the configuration sets it.
    account_id_param: Option<String>,
    /// The endpoint configured for this service or for every service.
    endpoint: Option<String>,
    /// The rule set's parameters that come from the configuration (all but the account id, which
    /// comes with the credentials).
    base: Params,
    by_operation: Vec<OnceLock<Result<Arc<ResolvedEndpoint>, String>>>,
    /// The endpoints last resolved from parameters that depend on a call, most recent first. The
    /// rules are a function of their parameters, so equal parameters give the same endpoint,
    /// whichever operation asks.
    recent: Mutex<Vec<(CallParams, Arc<ResolvedEndpoint>)>>,
}

/// The parameters of one call that the configuration does not give: the account id and the
/// operation's own. With [`ServiceEndpoints::base`] they are all the rule set's parameters.
#[derive(PartialEq)]
struct CallParams {
    account_id: Option<String>,
    values: Vec<(&'static str, ParamValue)>,
}

impl CallParams {
    /// Every parameter of the call.
    fn params(&self, state: &ServiceEndpoints) -> Params {
        let mut params = state.base.clone();
        if let (Some(name), Some(id)) = (&state.account_id_param, &self.account_id) {
            params.set(name.clone(), ParamValue::String(id.clone()));
        }
        for (name, value) in &self.values {
            params.set(*name, value.clone());
        }
        params
    }
}

impl ServiceEndpoints {
    fn new(service: &'static ServiceSchema, config: &Config) -> Self {
        let rules = service.endpoint_rules.map(|rules| match rules {
            EndpointRules::Compiled(bytes) => {
                RuleSet::from_bytes(bytes).map_err(|err| format!("the endpoint rules of `{}`: {err}", service.id))
            }
            EndpointRules::Invalid(why) => Err(format!("the endpoint rules of `{}`: {why}", service.id)),
        });
        let endpoint = configured_endpoint(config, service);
        let (base, account_id_param) = match &rules {
            Some(Ok(rules)) => {
                let base = base_params(config, rules, endpoint.as_deref());
                let account_id_param = rules
                    .parameters()
                    .iter()
                    .find(|param| param.built_in.as_deref() == Some("AWS::Auth::AccountId"))
                    .map(|param| param.name.clone())
                    .filter(|name| base.get(name).is_none());
                (base, account_id_param)
            }
            _ => (Params::new(), None),
        };
        Self {
            id: service.id,
            rules,
            account_id_param,
            endpoint,
            base,
            by_operation: service.operations.iter().map(|_| OnceLock::new()).collect(),
            recent: Mutex::new(Vec::new()),
        }
    }
}

/// The endpoint configured for `service` (`AWS_ENDPOINT_URL_<SERVICE>`, its profile setting,
/// [`Config::with_service_endpoint`]) or for every service ([`Config::with_endpoint`]).
fn configured_endpoint(config: &Config, service: &'static ServiceSchema) -> Option<String> {
    let service_endpoint = service.sdk_id.and_then(|sdk_id| {
        let key = service_key(sdk_id);
        let configured = config
            .service_endpoints
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, url)| url.clone());
        configured
            .or_else(|| config.env.as_ref()?.get(&key).filter(|url| !url.is_empty()))
            .or_else(|| {
                config
                    .profile_service_endpoints
                    .iter()
                    .find(|(name, _)| *name == key)
                    .map(|(_, url)| url.clone())
            })
    });
    service_endpoint.or_else(|| config.endpoint.clone())
}

/// The parameters of `rules` that the configuration gives: built-ins, then parameters set by
/// name. The account id is left to each call.
fn base_params(config: &Config, rules: &RuleSet, endpoint: Option<&str>) -> Params {
    let mut params = Params::new();
    for param in rules.parameters() {
        let Some(built_in) = param.built_in.as_deref() else {
            continue;
        };
        let explicit = config
            .builtins
            .iter()
            .find(|(name, _)| name == built_in)
            .map(|(_, value)| value.clone());
        let value = explicit.or_else(|| match built_in {
            "AWS::Region" => config.region.clone().map(ParamValue::String),
            "AWS::UseFIPS" => Some(ParamValue::Bool(config.use_fips)),
            "AWS::UseDualStack" => Some(ParamValue::Bool(config.use_dual_stack)),
            "SDK::Endpoint" => endpoint.map(|url| ParamValue::String(url.to_owned())),
            // The SDKs' default: an account's endpoint when the credentials name the account.
            "AWS::Auth::AccountIdEndpointMode" => Some(ParamValue::String("preferred".to_owned())),
            _ => None,
        });
        if let Some(value) = value {
            params.set(param.name.clone(), value);
        }
    }
    for (name, value) in &config.endpoint_params {
        params.set(name.clone(), value.clone());
    }
    params
}

impl std::fmt::Debug for EndpointCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointCache").finish_non_exhaustive()
    }
}

/// The name of the variable that sets the endpoint of the service `sdk_id`:
/// `AWS_ENDPOINT_URL_` and the id in upper case with spaces and dashes as `_`.
pub(super) fn service_key(sdk_id: &str) -> String {
    let mut key = String::from("AWS_ENDPOINT_URL_");
    key.extend(sdk_id.chars().map(|c| match c {
        ' ' | '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    key
}

/// The endpoint a call of operation `O` with `input` goes to, as the call resolves it.
pub fn resolve_endpoint<O: Operation>(
    config: &Config,
    input: &O::Input,
) -> Result<Arc<ResolvedEndpoint>, UnhandledError> {
    let context = RequestContext {
        service: O::SERVICE,
        operation: O::SCHEMA,
    };
    resolve(config, &context, input, None)
}

/// The endpoint of a call: from the cache when the operation's endpoint cannot depend on its
/// input, else resolved now.
pub(super) fn resolve(
    config: &Config,
    context: &RequestContext,
    input: &dyn Value,
    account_id: Option<&str>,
) -> Result<Arc<ResolvedEndpoint>, UnhandledError> {
    let service = context.service;
    let state = config
        .endpoints
        .service
        .get_or_init(|| ServiceEndpoints::new(service, config));
    let fresh;
    let state = if state.id == service.id {
        state
    } else {
        fresh = ServiceEndpoints::new(service, config);
        &fresh
    };
    let rules = match &state.rules {
        Some(Ok(rules)) => rules,
        Some(Err(err)) => return Err(UnhandledError::configuration(err.clone())),
        None => {
            return match &state.endpoint {
                Some(url) => Ok(Arc::new(ResolvedEndpoint::from_url(url.clone()))),
                None => Err(UnhandledError::configuration(format!(
                    "`{}` has no endpoint rules, so its endpoint must be set (`Config::with_endpoint`, or `AWS_ENDPOINT_URL`)",
                    service.id
                ))),
            };
        }
    };
    let operation = context.operation;
    let cacheable = state.account_id_param.is_none()
        && !operation
            .endpoint_params
            .iter()
            .any(|param| param.source.depends_on_input());
    // The operations are sorted by name.
    let index = service
        .operations
        .binary_search_by(|known| known.name.cmp(operation.name))
        .ok()
        .filter(|&index| std::ptr::eq(service.operations[index], operation));
    let resolved = match index.and_then(|index| state.by_operation.get(index)) {
        Some(slot) if cacheable => slot
            .get_or_init(|| {
                let params = call_params(state, operation, input, account_id).params(state);
                compute(rules, &params).map(Arc::new)
            })
            .clone(),
        _ => {
            let call = call_params(state, operation, input, account_id);
            recent(state, rules, call)
        }
    };
    resolved.map_err(UnhandledError::configuration)
}

/// The endpoint of `call`'s parameters: one of the last few resolved (moved to the front), or
/// resolved now and kept.
fn recent(state: &ServiceEndpoints, rules: &RuleSet, call: CallParams) -> Result<Arc<ResolvedEndpoint>, String> {
    if let Ok(mut recent) = state.recent.lock() {
        if let Some(at) = recent.iter().position(|(known, _)| *known == call) {
            recent[..=at].rotate_right(1);
            return Ok(recent[0].1.clone());
        }
    }
    let endpoint = Arc::new(compute(rules, &call.params(state))?);
    if let Ok(mut recent) = state.recent.lock() {
        recent.truncate(RECENT - 1);
        recent.insert(0, (call, endpoint.clone()));
    }
    Ok(endpoint)
}

/// What one call adds to the configuration's parameters: the account id, if the rules read it,
/// and the operation's own (static, or read from its input).
fn call_params(
    state: &ServiceEndpoints,
    operation: &'static OperationSchema,
    input: &dyn Value,
    account_id: Option<&str>,
) -> CallParams {
    let mut values = Vec::with_capacity(operation.endpoint_params.len());
    for param in operation.endpoint_params {
        let value = match param.source {
            EndpointParamSource::Static(value) => Some(match value {
                StaticParam::Bool(value) => ParamValue::Bool(value),
                StaticParam::String(value) => ParamValue::String(value.to_owned()),
                StaticParam::StringArray(items) => {
                    ParamValue::StringArray(items.iter().map(|item| (*item).to_owned()).collect())
                }
            }),
            EndpointParamSource::Member(index) => input.member(index).and_then(|value| param_value(value.view())),
            EndpointParamSource::Path(path) => evaluate_path(path, input, operation.input),
            EndpointParamSource::Expression(path, search) => (search.0)(path, input, operation.input),
        };
        if let Some(value) = value {
            values.push((param.name, value));
        }
    }
    CallParams {
        account_id: state.account_id_param.as_ref().and(account_id).map(str::to_owned),
        values,
    }
}

/// Resolves the endpoint of `params`.
fn compute(rules: &RuleSet, params: &Params) -> Result<ResolvedEndpoint, String> {
    let endpoint = rules.resolve(params).map_err(|err| err.to_string())?;
    Ok(ResolvedEndpoint::from_rules(endpoint))
}

/// A member's value as an endpoint parameter: strings (and enums), booleans, lists of strings.
fn param_value(view: View<'_>) -> Option<ParamValue> {
    match view {
        View::String(value) => Some(ParamValue::String(value.to_owned())),
        View::Boolean(value) => Some(ParamValue::Bool(value)),
        View::List(list) => Some(ParamValue::StringArray(
            (0..list.len())
                .filter_map(|index| match list.get(index)?.view() {
                    View::String(value) => Some(value.to_owned()),
                    _ => None,
                })
                .collect(),
        )),
        _ => None,
    }
}

/// Evaluates an `@operationContextParams` path over the input: member names separated by
/// `.`, `[*]` after a list member to go on with each of its items, and `keys(...)` around the
/// whole path for a map's keys, read over the input's values directly. Any other expression
/// selects nothing here: it is an [`EndpointParamSource::Expression`], which names
/// [`SEARCH_INPUT`].
fn evaluate_path(path: &str, input: &dyn Value, schema: &'static Schema) -> Option<ParamValue> {
    let path = path.trim();
    if !is_member_path(path) {
        return None;
    }
    if let Some(inner) = path.strip_prefix("keys(").and_then(|rest| rest.strip_suffix(')')) {
        let (values, _) = select(inner, input, schema)?;
        let mut keys = Vec::new();
        for (value, _) in values {
            if let View::Map(map) = value.view() {
                keys.extend(map.entries().into_iter().map(|(key, _)| key.to_owned()));
            }
        }
        return Some(ParamValue::StringArray(keys));
    }
    let (values, projected) = select(path, input, schema)?;
    if projected {
        let items = values
            .into_iter()
            .filter_map(|(value, _)| match value.view() {
                View::String(value) => Some(value.to_owned()),
                _ => None,
            })
            .collect();
        return Some(ParamValue::StringArray(items));
    }
    values
        .into_iter()
        .next()
        .and_then(|(value, _)| param_value(value.view()))
}

/// Evaluates any JMESPath expression of `@operationContextParams` over the input, as JSON
/// with its members' names ([`crate::jmespath`]); a string, a boolean, or a list of strings is
/// the parameter's value. Generated code names it in [`EndpointParamSource::Expression`].
pub static SEARCH_INPUT: InputSearch = InputSearch(evaluate_jmespath);

/// [`SEARCH_INPUT`]'s function.
fn evaluate_jmespath(path: &str, input: &dyn Value, schema: &'static Schema) -> Option<ParamValue> {
    let expression = crate::jmespath::Expression::parse(path).ok()?;
    let mut json = Vec::new();
    crate::codec::Codec::write_structure(
        &crate::codec::json::JSON_MEMBER_NAMES,
        &mut json,
        input,
        schema,
        &|_| true,
    )
    .ok()?;
    let document: serde_json::Value = serde_json::from_slice(&json).ok()?;
    match expression.search(&document).ok()? {
        serde_json::Value::String(value) => Some(ParamValue::String(value)),
        serde_json::Value::Bool(value) => Some(ParamValue::Bool(value)),
        serde_json::Value::Array(items) => Some(ParamValue::StringArray(
            items
                .into_iter()
                .filter_map(|item| match item {
                    serde_json::Value::String(value) => Some(value),
                    _ => None,
                })
                .collect(),
        )),
        _ => None,
    }
}

type Selected<'a> = Vec<(&'a dyn Value, &'static Schema)>;

/// The values a path of members selects, and whether it went through a `[*]` projection.
fn select<'a>(path: &str, input: &'a dyn Value, schema: &'static Schema) -> Option<(Selected<'a>, bool)> {
    let mut current: Selected<'a> = vec![(input, schema)];
    let mut projected = false;
    for step in path.split('.') {
        let (name, flatten) = match step.strip_suffix("[*]") {
            Some(name) => (name, true),
            None => (step, false),
        };
        let mut next = Vec::new();
        for (value, schema) in current {
            let Some(index) = schema.members.iter().position(|member| member.name == name) else {
                continue;
            };
            let Some(member) = value.member(index) else {
                continue;
            };
            let target = schema.members[index].target;
            if !flatten {
                next.push((member, target));
                continue;
            }
            if let View::List(list) = member.view() {
                let item_schema = target.members.first().map_or(target, |item| item.target);
                next.extend(
                    (0..list.len())
                        .filter_map(|index| list.get(index))
                        .map(|item| (item, item_schema)),
                );
            }
        }
        projected |= flatten;
        current = next;
    }
    Some((current, projected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{prelude, Member, ShapeType, Traits};

    static TABLE_MEMBERS: [Member; 2] = [
        Member {
            name: "Name",
            target: &prelude::STRING,
            traits: Traits::NONE,
        },
        Member {
            name: "Global",
            target: &prelude::BOOLEAN,
            traits: Traits::NONE,
        },
    ];
    static TABLE: Schema = Schema {
        members: &TABLE_MEMBERS,
        ..Schema::new("test#Table", ShapeType::Structure)
    };
    static TABLES_MEMBERS: [Member; 1] = [Member {
        name: "member",
        target: &TABLE,
        traits: Traits::NONE,
    }];
    static TABLES: Schema = Schema {
        members: &TABLES_MEMBERS,
        ..Schema::new("test#Tables", ShapeType::List)
    };
    static INPUT_MEMBERS: [Member; 1] = [Member {
        name: "Tables",
        target: &TABLES,
        traits: Traits::NONE,
    }];
    static INPUT: Schema = Schema {
        members: &INPUT_MEMBERS,
        ..Schema::new("test#Input", ShapeType::Structure)
    };

    struct Table(String, bool);
    impl Value for Table {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }
        fn member(&self, index: usize) -> Option<&dyn Value> {
            match index {
                0 => Some(&self.0),
                1 => Some(&self.1),
                _ => None,
            }
        }
    }
    struct Input(Vec<Table>);
    impl Value for Input {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }
        fn member(&self, index: usize) -> Option<&dyn Value> {
            (index == 0).then_some(&self.0 as &dyn Value)
        }
    }

    #[test]
    fn member_paths_are_told_from_other_expressions() {
        for path in [
            "Bucket",
            "Delete.Objects[*].Key",
            "keys(RequestItems)",
            " TransactItems[*].Get.TableName ",
        ] {
            assert!(is_member_path(path), "{path}");
        }
        for path in [
            "",
            "keys()",
            "Tables[?Global].Name",
            "Tables[1].Name",
            "length(Tables)",
            "a..b",
            "a.[*]",
        ] {
            assert!(!is_member_path(path), "{path}");
        }
    }

    #[test]
    fn operation_context_paths_are_read_directly_or_as_jmespath() {
        let input = Input(vec![
            Table("a".into(), true),
            Table("b".into(), false),
            Table("c".into(), true),
        ]);
        let names = |path: &str| (SEARCH_INPUT.0)(path, &input, &INPUT);
        let all = Some(ParamValue::StringArray(vec!["a".into(), "b".into(), "c".into()]));
        // The direct reader and JMESPath agree on what both read.
        assert!(is_member_path("Tables[*].Name"));
        assert_eq!(evaluate_path("Tables[*].Name", &input, &INPUT), all);
        assert_eq!(names("Tables[*].Name"), all);
        // What only JMESPath reads: a filter, a function, an index; the direct reader gives
        // nothing for it.
        assert!(!is_member_path("Tables[?Global].Name"));
        assert_eq!(evaluate_path("Tables[?Global].Name", &input, &INPUT), None);
        assert_eq!(
            names("Tables[?Global].Name"),
            Some(ParamValue::StringArray(vec!["a".into(), "c".into()]))
        );
        assert_eq!(names("Tables[1].Name"), Some(ParamValue::String("b".into())));
        assert_eq!(names("length(Tables) == `3`"), Some(ParamValue::Bool(true)));
        // A path that does not parse, or leads to a number, sets nothing.
        assert_eq!(names("Tables[?"), None);
        assert_eq!(names("length(Tables)"), None);
    }
}
