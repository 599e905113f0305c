//! Protocol tests: the model's AWS protocol compliance cases (`smithy.test#httpRequestTests`,
//! `httpResponseTests` and `httpMalformedRequestTests` for restJson1) as functions of a hidden
//! `protocol_tests` module, which a test harness lists with `cases()` and runs one by one.
//!
//! - A request case builds the input from the case's `params` with the generated builders,
//!   serializes it with the client and compares the request with the expected one.
//! - A response case builds the HTTP response, parses it with the client and compares the result
//!   with the output (or the error) built from `params`.
//! - A malformed-request case (one per index of its `testParameters`) sends the request to the
//!   server's router, whose operations all fail if they are reached, and checks the rejection.
//!
//! Nothing here panics at run time: every failure, including a case whose `params` this
//! generator cannot turn into a value, is the case's `Err(String)`.

use std::collections::{BTreeMap, HashSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};
use serde_json::{Map, Value};

use super::{Context, Output};
use crate::ident::{ident, snake_case};
use crate::model::{Member, Shape, ShapeId, ShapeKind, Simple};
use crate::symbols::ModulePath;

const REST_JSON1: &str = "aws.protocols#restJson1";
const REQUEST_TESTS: &str = "smithy.test#httpRequestTests";
const RESPONSE_TESTS: &str = "smithy.test#httpResponseTests";
const MALFORMED_TESTS: &str = "smithy.test#httpMalformedRequestTests";

/// The idempotency token clients must use in protocol tests when the case does not set one.
const TEST_IDEMPOTENCY_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

/// The module the cases live in.
fn module() -> ModulePath {
    ModulePath::new(&["protocol_tests"])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
    Malformed,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Malformed => "malformed",
        }
    }

    fn variant(self) -> TokenStream {
        match self {
            Kind::Request => quote!(CaseKind::Request),
            Kind::Response => quote!(CaseKind::Response),
            Kind::Malformed => quote!(CaseKind::MalformedRequest),
        }
    }
}

/// One generated case: the function that runs it and what `cases()` says about it.
struct Case {
    id: String,
    kind: Kind,
    operation: String,
    function: proc_macro2::Ident,
    body: TokenStream,
}

/// Function names given out so far, so that ids that snake-case alike stay apart.
#[derive(Default)]
struct Names(HashSet<String>);

impl Names {
    fn claim(&mut self, kind: Kind, id: &str) -> proc_macro2::Ident {
        let base = format!("{}_{}", kind.prefix(), snake_case(id));
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        format_ident!("{}", name)
    }
}

/// The test cases of a trait on a shape that are restJson1 cases for this side.
fn restjson_cases<'v>(traits: &'v crate::model::Traits, trait_id: &str, client: bool) -> Vec<&'v Map<String, Value>> {
    let Some(Value::Array(cases)) = traits.get(trait_id) else {
        return Vec::new();
    };
    cases
        .iter()
        .filter_map(Value::as_object)
        .filter(|case| case.get("protocol").and_then(Value::as_str) == Some(REST_JSON1))
        .filter(|case| !client || case.get("appliesTo").and_then(Value::as_str) != Some("server"))
        .collect()
}

/// Renders the `protocol_tests` module: empty (`cases()` returns nothing) unless the service
/// speaks restJson1, whose wire code the cases call.
pub(super) fn render(cx: &Context<'_>, out: &mut Output) {
    let restjson = cx.index.service().0.traits.get(REST_JSON1).is_some();
    let mut names = Names::default();
    let mut cases = Vec::new();
    if restjson {
        let mut by_id: Vec<(&Shape, &crate::model::Operation)> = cx.index.operations().collect();
        by_id.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        for (shape, operation) in cx.index.operations() {
            for case in restjson_cases(&shape.traits, REQUEST_TESTS, true) {
                cases.push(request_case(cx, &mut names, shape, operation, case));
            }
            for case in restjson_cases(&shape.traits, RESPONSE_TESTS, true) {
                cases.push(response_case(cx, &mut names, shape, operation, None, case));
            }
            for case in restjson_cases(&shape.traits, MALFORMED_TESTS, false) {
                cases.extend(malformed_cases(&mut names, shape, case));
            }
        }
        for error in cx.index.closure().filter(|shape| shape.traits.error().is_some()) {
            let error_cases = restjson_cases(&error.traits, RESPONSE_TESTS, true);
            if error_cases.is_empty() {
                continue;
            }
            // The first operation, in shape-id order, that can return the error parses it.
            let Some((shape, operation)) = by_id
                .iter()
                .find(|(_, operation)| cx.index.operation_errors(operation).contains(&error.id))
            else {
                continue;
            };
            for case in error_cases {
                cases.push(response_case(cx, &mut names, shape, operation, Some(error), case));
            }
        }
    }
    out.add(&ModulePath::root(), "protocol_tests", render_module(cx, &cases));
}

fn render_module(cx: &Context<'_>, cases: &[Case]) -> TokenStream {
    let has = |kind: Kind| cases.iter().any(|case| case.kind == kind);
    let entries = cases.iter().map(|case| {
        let Case {
            id,
            kind,
            operation,
            function,
            ..
        } = case;
        let kind = kind.variant();
        quote!(Case { id: String::from(#id), kind: #kind, operation: #operation, run: #function },)
    });
    let functions = cases.iter().map(|case| {
        let Case { function, body, id, .. } = case;
        let doc = format!(" The protocol test case `{id}`.");
        quote! {
            #[doc = #doc]
            pub fn #function() -> Result<(), String> {
                #body
            }
        }
    });
    let request_helpers = has(Kind::Request).then(request_helpers);
    let response_helpers = has(Kind::Response).then(response_helpers);
    let malformed_helpers = has(Kind::Malformed).then(|| malformed_helpers(cx, cases));
    let shared_helpers = (has(Kind::Request) || has(Kind::Malformed)).then(shared_helpers);
    let cases_body = if cases.is_empty() {
        quote!(Vec::new())
    } else {
        quote!(vec![#(#entries)*])
    };
    quote! {
        /// The service's restJson1 protocol compliance cases, for a test harness.
        #[doc(hidden)]
        #[allow(clippy::approx_constant)]
        pub mod protocol_tests {
            /// What a case checks.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum CaseKind {
                /// The client serializes the input into the expected request.
                Request,
                /// The client parses the response into the expected output or error.
                Response,
                /// The server rejects the malformed request as expected.
                MalformedRequest,
            }

            /// One case: its id, what it checks, the operation it is on, and how to run it.
            #[derive(Debug, Clone)]
            pub struct Case {
                /// The case's id in the model, with `_<index>` for each set of test parameters.
                pub id: String,
                /// What the case checks.
                pub kind: CaseKind,
                /// The operation's name.
                pub operation: &'static str,
                /// Runs the case: `Err` says what differed.
                pub run: fn() -> Result<(), String>,
            }

            /// Every case, in a fixed order.
            pub fn cases() -> Vec<Case> {
                #cases_body
            }

            #(#functions)*

            #shared_helpers
            #request_helpers
            #response_helpers
            #malformed_helpers
        }
    }
}

/// A case function that cannot be generated: it reports why when run.
fn broken(reason: &str) -> TokenStream {
    let message = format!("the protocol test generator cannot run this case: {reason}");
    quote!(Err(String::from(#message)))
}

fn str_field<'v>(case: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    case.get(key).and_then(Value::as_str)
}

fn string_list(case: &Map<String, Value>, key: &str) -> Vec<String> {
    match case.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn string_map(case: &Map<String, Value>, key: &str) -> Vec<(String, String)> {
    match case.get(key) {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

fn str_slice(items: &[String]) -> TokenStream {
    quote!(&[#(#items),*])
}

fn pair_slice(items: &[(String, String)]) -> TokenStream {
    let pairs = items.iter().map(|(k, v)| quote!((#k, #v)));
    quote!(&[#(#pairs),*])
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn is_json(media_type: Option<&str>) -> bool {
    media_type.is_some_and(|media_type| {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        essence == "application/json" || essence.ends_with("+json")
    })
}

fn case_id(case: &Map<String, Value>) -> String {
    str_field(case, "id").unwrap_or("unnamed").to_owned()
}

fn request_case(
    cx: &Context<'_>,
    names: &mut Names,
    shape: &Shape,
    operation: &crate::model::Operation,
    case: &Map<String, Value>,
) -> Case {
    let id = case_id(case);
    let function = names.claim(Kind::Request, &id);
    let symbol = cx.symbols.operation(&shape.id);
    let module = module();
    let marker = symbol.marker.path_from(&module);
    let input_ty = symbol.input.path_from(&module);
    let input_shape = cx.index.shape(&operation.input);
    let empty = Map::new();
    let params = case.get("params").and_then(Value::as_object).unwrap_or(&empty);
    let body = match structure_expr(cx, input_shape, input_ty, params, true, "params") {
        Ok(input) => {
            let host = str_field(case, "host").unwrap_or("example.com");
            let endpoint = format!("https://{host}");
            let method = str_field(case, "method").unwrap_or_default();
            let path = str_field(case, "uri").unwrap_or_default();
            let resolved_host = option_str(str_field(case, "resolvedHost"));
            let query = str_slice(&string_list(case, "queryParams"));
            let forbid_query = str_slice(&string_list(case, "forbidQueryParams"));
            let require_query = str_slice(&string_list(case, "requireQueryParams"));
            let headers = pair_slice(&string_map(case, "headers"));
            let forbid_headers = str_slice(&string_list(case, "forbidHeaders"));
            let require_headers = str_slice(&string_list(case, "requireHeaders"));
            let expected_body = option_str(str_field(case, "body"));
            let json_body = is_json(str_field(case, "bodyMediaType"));
            quote! {
                let input = #input;
                let request = <#marker as crate::operation::HttpOperation>::serialize_request(&input, #endpoint)
                    .map_err(|error| format!("the client refused to serialize the input: {error}"))?;
                check_request(&request, &ExpectedRequest {
                    method: #method,
                    path: #path,
                    resolved_host: #resolved_host,
                    query: #query,
                    forbid_query: #forbid_query,
                    require_query: #require_query,
                    headers: #headers,
                    forbid_headers: #forbid_headers,
                    require_headers: #require_headers,
                    body: #expected_body,
                    json_body: #json_body,
                })
            }
        }
        Err(reason) => broken(&reason),
    };
    Case {
        id,
        kind: Kind::Request,
        operation: shape.id.name().to_owned(),
        function,
        body,
    }
}

fn response_case(
    cx: &Context<'_>,
    names: &mut Names,
    shape: &Shape,
    operation: &crate::model::Operation,
    error: Option<&Shape>,
    case: &Map<String, Value>,
) -> Case {
    let id = case_id(case);
    let function = names.claim(Kind::Response, &id);
    let symbol = cx.symbols.operation(&shape.id);
    let module = module();
    let marker = symbol.marker.path_from(&module);
    let output_ty = symbol.output.path_from(&module);
    let error_ty = symbol.error.path_from(&module);
    let empty = Map::new();
    let params = case.get("params").and_then(Value::as_object).unwrap_or(&empty);
    let expected = match error {
        None => structure_expr(
            cx,
            cx.index.shape(&operation.output),
            output_ty.clone(),
            params,
            false,
            "params",
        )
        .map(|output| quote!(Ok(#output))),
        Some(error) => {
            let error_symbol = cx.symbols.type_of(&error.id);
            let variant = ident(&error_symbol.name);
            structure_expr(cx, error, error_symbol.path_from(&module), params, false, "params")
                .map(|value| quote!(Err(#error_ty::#variant(#value))))
        }
    };
    let body = match expected {
        Ok(expected) => {
            let code = case.get("code").and_then(Value::as_u64).unwrap_or(200);
            let code = Literal::u16_unsuffixed(u16::try_from(code).unwrap_or(0));
            let headers = pair_slice(&string_map(case, "headers"));
            let body = str_field(case, "body").unwrap_or_default();
            quote! {
                let response = http_response(#code, #headers, #body)?;
                let expected: Result<#output_ty, #error_ty> = #expected;
                let actual = <#marker as crate::operation::HttpOperation>::parse_response(&response);
                compare(&expected, &actual)
            }
        }
        Err(reason) => broken(&reason),
    };
    Case {
        id,
        kind: Kind::Response,
        operation: shape.id.name().to_owned(),
        function,
        body,
    }
}

/// One case per index of the case's `testParameters` (or the case itself without them).
fn malformed_cases(names: &mut Names, shape: &Shape, case: &Map<String, Value>) -> Vec<Case> {
    let id = case_id(case);
    let parameters: Vec<(String, Vec<String>)> = match case.get("testParameters") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, values)| {
                let values = match values {
                    Value::Array(values) => values.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    _ => Vec::new(),
                };
                (name.clone(), values)
            })
            .collect(),
        _ => Vec::new(),
    };
    let runs = parameters.iter().map(|(_, values)| values.len()).max();
    match runs {
        None => {
            let function = names.claim(Kind::Malformed, &id);
            let body = malformed_body(case, None).unwrap_or_else(|reason| broken(&reason));
            vec![Case {
                id,
                kind: Kind::Malformed,
                operation: shape.id.name().to_owned(),
                function,
                body,
            }]
        }
        Some(runs) => (0..runs)
            .map(|n| {
                let id = format!("{id}_{n}");
                let function = names.claim(Kind::Malformed, &id);
                let values: Option<BTreeMap<&str, &str>> = parameters
                    .iter()
                    .map(|(name, values)| values.get(n).map(|value| (name.as_str(), value.as_str())))
                    .collect();
                let body = match values {
                    Some(values) => malformed_body(case, Some(&values)).unwrap_or_else(|reason| broken(&reason)),
                    None => broken("its testParameters lists are not all of one length"),
                };
                Case {
                    id,
                    kind: Kind::Malformed,
                    operation: shape.id.name().to_owned(),
                    function,
                    body,
                }
            })
            .collect(),
    }
}

/// Substitutes test parameters into a string of a malformed-request case, as Smithy's
/// `CodeWriter` does: `$name:L` is the value as it is, `$name:S` the value as a quoted string
/// literal (escaped as JSON, which the cases use it in), `$$` a `$`. Without parameters the
/// string is used unchanged.
pub(crate) fn interpolate(text: &str, values: Option<&BTreeMap<&str, &str>>) -> Result<String, String> {
    let Some(values) = values else {
        return Ok(text.to_owned());
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let spec = after[name_len..].strip_prefix(':').and_then(|tail| tail.chars().next());
        match (name.is_empty(), spec) {
            (false, Some(format @ ('L' | 'S'))) => {
                let value = values
                    .get(name)
                    .ok_or_else(|| format!("`${name}:{format}` names no test parameter"))?;
                if format == 'L' {
                    out.push_str(value);
                } else {
                    out.push_str(&serde_json::Value::String((*value).to_owned()).to_string());
                }
                rest = &after[name_len + 2..];
            }
            _ => {
                // Not a substitution: the `$` stays as it is.
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn malformed_body(case: &Map<String, Value>, values: Option<&BTreeMap<&str, &str>>) -> Result<TokenStream, String> {
    let empty = Map::new();
    let request = case.get("request").and_then(Value::as_object).unwrap_or(&empty);
    let response = case.get("response").and_then(Value::as_object).unwrap_or(&empty);
    let sub = |text: &str| interpolate(text, values);
    let sub_map = |map: Vec<(String, String)>| -> Result<Vec<(String, String)>, String> {
        map.into_iter().map(|(k, v)| Ok((sub(&k)?, sub(&v)?))).collect()
    };
    let method = str_field(request, "method").unwrap_or("GET");
    let uri = sub(str_field(request, "uri").unwrap_or("/"))?;
    let query = string_list(request, "queryParams")
        .iter()
        .map(|param| sub(param))
        .collect::<Result<Vec<_>, _>>()?;
    let request_headers = sub_map(string_map(request, "headers"))?;
    let request_body = sub(str_field(request, "body").unwrap_or_default())?;
    let code = response.get("code").and_then(Value::as_u64).unwrap_or(0);
    let code = Literal::u16_unsuffixed(u16::try_from(code).map_err(|_| format!("status code {code} is out of range"))?);
    let response_headers = sub_map(string_map(response, "headers"))?;
    let body = response.get("body").and_then(Value::as_object);
    let assertion = body.and_then(|body| body.get("assertion")).and_then(Value::as_object);
    let json = is_json(body.and_then(|body| str_field(body, "mediaType")));
    let contents = match assertion.and_then(|assertion| str_field(assertion, "contents")) {
        Some(contents) => {
            let contents = sub(contents)?;
            quote!(Some((#contents, #json)))
        }
        None => quote!(None),
    };
    let regex = match assertion.and_then(|assertion| str_field(assertion, "messageRegex")) {
        Some(pattern) => {
            let pattern = sub(pattern)?;
            quote!(check_message_regex(&response, #pattern)?;)
        }
        None => TokenStream::new(),
    };
    let query = str_slice(&query);
    let request_headers = pair_slice(&request_headers);
    let response_headers = pair_slice(&response_headers);
    Ok(quote! {
        let request = http_request(#method, #uri, #query, #request_headers, #request_body)?;
        let response = block_on(crate::server::handle(&TestService, request))?;
        #regex
        check_rejection(&response, #code, #response_headers, #contents)
    })
}

/// Whether a structure's builder's `build()` returns a `Result`: it has a required member
/// without a default that is neither a stream nor an idempotency token (as the builders are
/// rendered in `structures.rs`).
fn build_is_fallible(cx: &Context<'_>, shape: &Shape, members: &[Member]) -> bool {
    members.iter().any(|member| {
        member.traits.is_required()
            && cx.index.default_of(shape, member).ok().flatten().is_none()
            && !cx.index.shape(&member.target).traits.is_streaming()
            && !member.traits.is_idempotency_token()
    })
}

/// The expression that builds a structure of type `ty` from `params` (by member name).
/// `fill_token` sets an unset `@idempotencyToken` member to the protocol tests' fixed token.
fn structure_expr(
    cx: &Context<'_>,
    shape: &Shape,
    ty: TokenStream,
    params: &Map<String, Value>,
    fill_token: bool,
    path: &str,
) -> Result<TokenStream, String> {
    let members: &[Member] = match &shape.kind {
        ShapeKind::Structure(members) => members,
        _ => return Err(format!("{path}: `{}` is not a structure", shape.id)),
    };
    let mut setters = Vec::new();
    for (name, value) in params {
        let member = members
            .iter()
            .find(|member| &member.name == name)
            .ok_or_else(|| format!("{path}: `{}` has no member `{name}`", shape.id))?;
        if value.is_null() {
            continue;
        }
        let setter = ident(cx.symbols.field(&shape.id, member));
        let value = value_expr(cx, &member.target, value, &format!("{path}.{name}"))?;
        setters.push(quote!(.#setter(#value)));
    }
    if fill_token {
        for member in members {
            if member.traits.is_idempotency_token()
                && !params.contains_key(&member.name)
                && matches!(cx.index.shape(&member.target).kind, ShapeKind::Simple(Simple::String))
            {
                let setter = ident(cx.symbols.field(&shape.id, member));
                setters.push(quote!(.#setter(String::from(#TEST_IDEMPOTENCY_TOKEN))));
            }
        }
    }
    let build = if build_is_fallible(cx, shape, members) {
        quote!(.build().map_err(|error| error.to_string())?)
    } else {
        quote!(.build())
    };
    Ok(quote!(#ty::builder() #(#setters)* #build))
}

/// The expression of a value of shape `target` from a Smithy node value, typed exactly as the
/// generated code stores it.
fn value_expr(cx: &Context<'_>, target: &ShapeId, value: &Value, path: &str) -> Result<TokenStream, String> {
    let shape = cx.index.shape(target);
    let module = module();
    let mismatch = || format!("{path}: `{value}` is not a value of `{target}`");
    Ok(match &shape.kind {
        ShapeKind::Simple(simple) => simple_expr(cx, shape, *simple, value, path)?,
        ShapeKind::Enum(_) => {
            let ty = cx.symbols.type_of(target).path_from(&module);
            let text = value.as_str().ok_or_else(mismatch)?;
            quote!(#ty::from(#text))
        }
        ShapeKind::IntEnum(_) => {
            let ty = cx.symbols.type_of(target).path_from(&module);
            let number = value
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(mismatch)?;
            let literal = Literal::i32_suffixed(number);
            quote!(#ty::from(#literal))
        }
        ShapeKind::List(member) | ShapeKind::Set(member) => {
            let items = value.as_array().ok_or_else(mismatch)?;
            let sparse = shape.traits.is_sparse();
            let item_ty = cx.symbols.rust_type(cx.index, &member.target, &module);
            let item_ty = if sparse { quote!(Option<#item_ty>) } else { item_ty };
            let typed = items.iter().any(|item| !item.is_null());
            let items = items
                .iter()
                .enumerate()
                .map(|(n, item)| optional_expr(cx, &member.target, item, sparse, &format!("{path}[{n}]")))
                .collect::<Result<Vec<_>, _>>()?;
            // Items are typed expressions; only empty lists and lists of `None` need the type.
            match (items.is_empty(), typed) {
                (true, _) => quote!(Vec::<#item_ty>::new()),
                (false, true) => quote!(Vec::from([#(#items),*])),
                (false, false) => quote!(Vec::<#item_ty>::from([#(#items),*])),
            }
        }
        ShapeKind::Map { key, value: member } => {
            let entries = value.as_object().ok_or_else(mismatch)?;
            let sparse = shape.traits.is_sparse();
            let key_ty = cx.symbols.rust_type(cx.index, &key.target, &module);
            let value_ty = cx.symbols.rust_type(cx.index, &member.target, &module);
            let value_ty = if sparse { quote!(Option<#value_ty>) } else { value_ty };
            let typed = entries.values().any(|value| !value.is_null());
            let entries = entries
                .iter()
                .map(|(k, v)| {
                    let path = format!("{path}.{k}");
                    let key = value_expr(cx, &key.target, &Value::String(k.clone()), &path)?;
                    let value = optional_expr(cx, &member.target, v, sparse, &path)?;
                    Ok(quote!((#key, #value)))
                })
                .collect::<Result<Vec<_>, String>>()?;
            match (entries.is_empty(), typed) {
                (true, _) => quote!(std::collections::HashMap::<#key_ty, #value_ty>::new()),
                (false, true) => quote!(std::collections::HashMap::from([#(#entries),*])),
                (false, false) => quote!(std::collections::HashMap::<#key_ty, #value_ty>::from([#(#entries),*])),
            }
        }
        ShapeKind::Structure(_) => {
            let params = value.as_object().ok_or_else(mismatch)?;
            let ty = cx.symbols.type_of(target).path_from(&module);
            structure_expr(cx, shape, ty, params, false, path)?
        }
        ShapeKind::Union(members) => {
            if shape.traits.is_streaming() {
                return Err(format!("{path}: event streams are not supported"));
            }
            let object = value.as_object().ok_or_else(mismatch)?;
            let [(name, value)] = object.iter().collect::<Vec<_>>()[..] else {
                return Err(format!("{path}: a union value must set exactly one member"));
            };
            let member = members
                .iter()
                .find(|member| &member.name == name)
                .ok_or_else(|| format!("{path}: `{target}` has no member `{name}`"))?;
            let ty = cx.symbols.type_of(target).path_from(&module);
            let variant = ident(cx.symbols.variant(target, member));
            if member.target.as_str() == "smithy.api#Unit" {
                quote!(#ty::#variant)
            } else {
                let inner = value_expr(cx, &member.target, value, &format!("{path}.{name}"))?;
                if cx.index.needs_box(target, member) {
                    quote!(#ty::#variant(Box::new(#inner)))
                } else {
                    quote!(#ty::#variant(#inner))
                }
            }
        }
        ShapeKind::Operation(_) | ShapeKind::Service(_) | ShapeKind::Resource(_) => return Err(mismatch()),
    })
}

/// An item of a list or a value of a map: `Some(..)`/`None` when the collection is sparse.
fn optional_expr(
    cx: &Context<'_>,
    target: &ShapeId,
    value: &Value,
    sparse: bool,
    path: &str,
) -> Result<TokenStream, String> {
    match (sparse, value) {
        (true, Value::Null) => Ok(quote!(None)),
        (true, value) => {
            let value = value_expr(cx, target, value, path)?;
            Ok(quote!(Some(#value)))
        }
        (false, Value::Null) => Err(format!("{path}: null in a collection that is not @sparse")),
        (false, value) => value_expr(cx, target, value, path),
    }
}

fn float_literal(value: &Value, double: bool) -> Option<TokenStream> {
    let ty = if double { quote!(f64) } else { quote!(f32) };
    match value {
        Value::String(text) => match text.as_str() {
            "NaN" => Some(quote!(#ty::NAN)),
            "Infinity" => Some(quote!(#ty::INFINITY)),
            "-Infinity" => Some(quote!(#ty::NEG_INFINITY)),
            _ => None,
        },
        Value::Number(number) => {
            let number = number.as_f64()?;
            if double {
                number
                    .is_finite()
                    .then(|| Literal::f64_suffixed(number).into_token_stream())
            } else {
                let number = number as f32;
                number
                    .is_finite()
                    .then(|| Literal::f32_suffixed(number).into_token_stream())
            }
        }
        _ => None,
    }
}

fn simple_expr(
    cx: &Context<'_>,
    shape: &Shape,
    simple: Simple,
    value: &Value,
    path: &str,
) -> Result<TokenStream, String> {
    let mismatch = || format!("{path}: `{value}` is not a {}", simple.type_name());
    let integer = || -> Result<i64, String> {
        value
            .as_i64()
            .or_else(|| {
                value
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            })
            .ok_or_else(mismatch)
    };
    let out_of_range = |_| format!("{path}: `{value}` is out of range for a {}", simple.type_name());
    Ok(match simple {
        Simple::String => {
            let text = value.as_str().ok_or_else(mismatch)?;
            quote!(String::from(#text))
        }
        Simple::Boolean => {
            let value = value.as_bool().ok_or_else(mismatch)?;
            quote!(#value)
        }
        Simple::Byte => Literal::i8_suffixed(i8::try_from(integer()?).map_err(out_of_range)?).into_token_stream(),
        Simple::Short => Literal::i16_suffixed(i16::try_from(integer()?).map_err(out_of_range)?).into_token_stream(),
        Simple::Integer => Literal::i32_suffixed(i32::try_from(integer()?).map_err(out_of_range)?).into_token_stream(),
        Simple::Long => Literal::i64_suffixed(integer()?).into_token_stream(),
        Simple::Float => float_literal(value, false).ok_or_else(mismatch)?,
        Simple::Double => float_literal(value, true).ok_or_else(mismatch)?,
        Simple::BigInteger | Simple::BigDecimal => {
            let text = match value {
                Value::Number(number) => number.to_string(),
                Value::String(text) => text.clone(),
                _ => return Err(mismatch()),
            };
            let ty = cx.symbols.rust_type(cx.index, &shape.id, &module());
            let message = format!("`{text}` is not a valid {}", simple.type_name());
            quote!(#ty::new(#text).ok_or_else(|| String::from(#message))?)
        }
        Simple::Timestamp => match value {
            Value::Number(number) => {
                let seconds = number.as_f64().ok_or_else(mismatch)?;
                if !seconds.is_finite() {
                    return Err(mismatch());
                }
                let literal = Literal::f64_suffixed(seconds);
                let message = format!("`{number}` is not a valid timestamp");
                quote!(crate::primitives::DateTime::from_secs_f64(#literal).ok_or_else(|| String::from(#message))?)
            }
            Value::String(text) => {
                let message = format!("`{text}` is not a valid date-time");
                quote!(crate::primitives::DateTime::parse_date_time(#text).ok_or_else(|| String::from(#message))?)
            }
            _ => return Err(mismatch()),
        },
        Simple::Blob => {
            let text = value.as_str().ok_or_else(mismatch)?;
            if shape.traits.is_streaming() {
                quote!(crate::primitives::ByteStream::new(#text))
            } else {
                quote!(crate::primitives::Blob::new(#text))
            }
        }
        Simple::Document => {
            let json = value.to_string();
            quote!(serde_json::from_str::<serde_json::Value>(#json).map_err(|error| error.to_string())?)
        }
    })
}

/// Header and body checks that request and malformed-request cases share.
fn shared_helpers() -> TokenStream {
    quote! {
        /// Every value of a header (case-insensitive name), joined with `, `; `None` when absent.
        fn header_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
            let values: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect();
            if values.is_empty() {
                None
            } else {
                Some(values.join(", "))
            }
        }

        /// Checks that each expected header is there with exactly the expected value.
        fn check_headers(headers: &http::HeaderMap, expected: &[(&str, &str)], problems: &mut Vec<String>) {
            for (name, value) in expected {
                match header_value(headers, name) {
                    Some(actual) if actual == *value => {}
                    Some(actual) => problems.push(format!("header `{name}`: expected `{value}`, got `{actual}`")),
                    None => problems.push(format!("header `{name}`: expected `{value}`, got none")),
                }
            }
        }

        /// The first place where two JSON values differ, numbers compared by value.
        fn json_difference(path: &str, expected: &serde_json::Value, actual: &serde_json::Value) -> Option<String> {
            use serde_json::Value;
            match (expected, actual) {
                (Value::Object(expected), Value::Object(actual)) => {
                    for (key, value) in expected {
                        let path = format!("{path}/{key}");
                        match actual.get(key) {
                            Some(actual) => {
                                if let Some(difference) = json_difference(&path, value, actual) {
                                    return Some(difference);
                                }
                            }
                            None => return Some(format!("{path}: missing (expected `{value}`)")),
                        }
                    }
                    actual
                        .keys()
                        .find(|key| !expected.contains_key(*key))
                        .map(|key| format!("{path}/{key}: not expected"))
                }
                (Value::Array(expected), Value::Array(actual)) => {
                    if expected.len() != actual.len() {
                        return Some(format!("{path}: expected {} items, got {}", expected.len(), actual.len()));
                    }
                    expected
                        .iter()
                        .zip(actual)
                        .enumerate()
                        .find_map(|(n, (expected, actual))| json_difference(&format!("{path}/{n}"), expected, actual))
                }
                (Value::Number(a), Value::Number(b)) if a == b || a.as_f64() == b.as_f64() => None,
                _ if expected == actual => None,
                _ => Some(format!("{}: expected `{expected}`, got `{actual}`", if path.is_empty() { "/" } else { path })),
            }
        }

        /// Checks a body: nothing when `expected` is empty, equal JSON values when `json`, else
        /// the same bytes.
        fn check_body(expected: &str, json: bool, actual: &[u8], problems: &mut Vec<String>) {
            let actual_text = String::from_utf8_lossy(actual);
            if expected.is_empty() {
                if !actual.is_empty() {
                    problems.push(format!("body: expected none, got `{actual_text}`"));
                }
                return;
            }
            if !json {
                if expected.as_bytes() != actual {
                    problems.push(format!("body: expected `{expected}`, got `{actual_text}`"));
                }
                return;
            }
            match (
                serde_json::from_str::<serde_json::Value>(expected),
                serde_json::from_slice::<serde_json::Value>(actual),
            ) {
                (Ok(expected_value), Ok(actual_value)) => {
                    if let Some(difference) = json_difference("", &expected_value, &actual_value) {
                        problems.push(format!("body differs at {difference}: expected `{expected}`, got `{actual_text}`"));
                    }
                }
                (Err(error), _) => problems.push(format!("the expected body is not JSON ({error}): `{expected}`")),
                (_, Err(error)) => problems.push(format!("body: expected JSON `{expected}`, got `{actual_text}` ({error})")),
            }
        }

        /// `Ok` when nothing differed, else every difference, one a line.
        fn conclude(problems: Vec<String>) -> Result<(), String> {
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("\n"))
            }
        }
    }
}

fn request_helpers() -> TokenStream {
    quote! {
        /// The request a request case expects.
        struct ExpectedRequest {
            method: &'static str,
            path: &'static str,
            resolved_host: Option<&'static str>,
            query: &'static [&'static str],
            forbid_query: &'static [&'static str],
            require_query: &'static [&'static str],
            headers: &'static [(&'static str, &'static str)],
            forbid_headers: &'static [&'static str],
            require_headers: &'static [&'static str],
            body: Option<&'static str>,
            json_body: bool,
        }

        /// Compares a serialized request with the expected one; `Err` lists every difference.
        fn check_request(request: &http::Request<Vec<u8>>, expected: &ExpectedRequest) -> Result<(), String> {
            let mut problems = Vec::new();
            let method = request.method().as_str();
            if method != expected.method {
                problems.push(format!("method: expected {}, got {method}", expected.method));
            }
            let path = request.uri().path();
            if path != expected.path {
                problems.push(format!("path: expected `{}`, got `{path}`", expected.path));
            }
            if let Some(host) = expected.resolved_host {
                let actual = request.uri().host().unwrap_or_default();
                if actual != host {
                    problems.push(format!("host: expected `{host}`, got `{actual}`"));
                }
            }
            let query = request.uri().query().unwrap_or_default();
            let pairs: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty()).collect();
            let has_key = |key: &str| {
                pairs
                    .iter()
                    .any(|pair| pair.split_once('=').map_or(*pair, |(name, _)| name) == key)
            };
            for param in expected.query {
                if !pairs.contains(param) {
                    problems.push(format!("query: expected `{param}` in `{query}`"));
                }
            }
            for &key in expected.forbid_query {
                if has_key(key) {
                    problems.push(format!("query: `{key}` is forbidden, got `{query}`"));
                }
            }
            for &key in expected.require_query {
                if !has_key(key) {
                    problems.push(format!("query: `{key}` is required, got `{query}`"));
                }
            }
            check_headers(request.headers(), expected.headers, &mut problems);
            for name in expected.forbid_headers {
                if let Some(value) = header_value(request.headers(), name) {
                    problems.push(format!("header `{name}` is forbidden, got `{value}`"));
                }
            }
            for name in expected.require_headers {
                if header_value(request.headers(), name).is_none() {
                    problems.push(format!("header `{name}` is required, got none"));
                }
            }
            if let Some(body) = expected.body {
                check_body(body, expected.json_body, request.body(), &mut problems);
            }
            conclude(problems)
        }
    }
}

fn response_helpers() -> TokenStream {
    quote! {
        /// The HTTP response of a response case.
        fn http_response(code: u16, headers: &[(&str, &str)], body: &str) -> Result<http::Response<Vec<u8>>, String> {
            let mut builder = http::Response::builder().status(code);
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            builder
                .body(body.as_bytes().to_vec())
                .map_err(|error| format!("cannot build the response: {error}"))
        }

        /// Compares the parsed result with the expected one. Values that print alike are equal
        /// when they hold a NaN (which equals nothing), unless redaction hides part of them.
        fn compare<T: PartialEq + std::fmt::Debug>(expected: &T, actual: &T) -> Result<(), String> {
            if expected == actual {
                return Ok(());
            }
            let (expected, actual) = (format!("{expected:?}"), format!("{actual:?}"));
            if expected == actual && expected.contains("NaN") && !expected.contains("*** Sensitive Data Redacted ***") {
                return Ok(());
            }
            Err(format!("parsed response differs:\nexpected: {expected}\n  actual: {actual}"))
        }
    }
}

fn malformed_helpers(cx: &Context<'_>, cases: &[Case]) -> TokenStream {
    let module = module();
    let service = cx.symbols.service().path_from(&module);
    let mut operations: Vec<&Shape> = cx.index.operations().map(|(shape, _)| shape).collect();
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    let methods = operations.iter().map(|shape| {
        let symbol = cx.symbols.operation(&shape.id);
        let method = ident(&symbol.method);
        let input = symbol.input.path_from(&module);
        let output = symbol.output.path_from(&module);
        let error = symbol.error.path_from(&module);
        quote! {
            async fn #method(&self, _input: #input) -> Result<#output, #error> {
                Err(crate::error::UnhandledError::new(500).with_code("OperationReached").into())
            }
        }
    });
    let uses_regex = cases
        .iter()
        .any(|case| case.kind == Kind::Malformed && case.body.to_string().contains("check_message_regex"));
    let regex_helper = uses_regex.then(|| {
        quote! {
            /// Checks the JSON body's `message` against a regular expression.
            fn check_message_regex(response: &http::Response<Vec<u8>>, pattern: &str) -> Result<(), String> {
                let regex = regex::Regex::new(pattern).map_err(|error| format!("invalid messageRegex `{pattern}`: {error}"))?;
                let body: serde_json::Value = serde_json::from_slice(response.body())
                    .map_err(|error| format!("the response body is not JSON: {error}"))?;
                let message = body.get("message").and_then(serde_json::Value::as_str).unwrap_or_default();
                if regex.is_match(message) {
                    Ok(())
                } else {
                    Err(format!("message `{message}` does not match `{pattern}`"))
                }
            }
        }
    });
    quote! {
        /// A service whose every operation fails with `OperationReached`: a malformed request
        /// must be rejected before it reaches one.
        struct TestService;

        impl #service for TestService {
            #(#methods)*
        }

        /// The request of a malformed-request case.
        fn http_request(
            method: &str,
            uri: &str,
            query: &[&str],
            headers: &[(&str, &str)],
            body: &str,
        ) -> Result<http::Request<Vec<u8>>, String> {
            let uri = if query.is_empty() {
                uri.to_owned()
            } else {
                format!("{uri}?{}", query.join("&"))
            };
            let mut builder = http::Request::builder().method(method).uri(uri.as_str());
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            builder
                .body(body.as_bytes().to_vec())
                .map_err(|error| format!("cannot build the request `{method} {uri}`: {error}"))
        }

        /// Runs a future that does not wait on anything outside itself to completion.
        fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, String> {
            let mut future = std::pin::pin!(future);
            let mut context = std::task::Context::from_waker(std::task::Waker::noop());
            for _ in 0..100_000 {
                if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                    return Ok(output);
                }
                std::thread::yield_now();
            }
            Err(String::from("the server never answered: its future stayed pending"))
        }

        /// Checks a rejection's status code, headers and body (`(contents, is JSON)`).
        fn check_rejection(
            response: &http::Response<Vec<u8>>,
            code: u16,
            headers: &[(&str, &str)],
            contents: Option<(&str, bool)>,
        ) -> Result<(), String> {
            let mut problems = Vec::new();
            let status = response.status().as_u16();
            if status != code {
                problems.push(format!(
                    "status: expected {code}, got {status} (body `{}`)",
                    String::from_utf8_lossy(response.body())
                ));
            }
            check_headers(response.headers(), headers, &mut problems);
            if let Some((contents, json)) = contents {
                check_body(contents, json, response.body(), &mut problems);
            }
            conclude(problems)
        }

        #regex_helper
    }
}

#[cfg(test)]
mod tests {
    use super::interpolate;
    use std::collections::BTreeMap;

    #[test]
    fn interpolates_like_code_writer() {
        let values = BTreeMap::from([("value", "a\"b"), ("n", "3")]);
        let values = Some(&values);
        assert_eq!(
            interpolate("{ \"x\": $value:S }", values).unwrap(),
            "{ \"x\": \"a\\\"b\" }"
        );
        assert_eq!(interpolate("/path/$value:L/$n:L", values).unwrap(), "/path/a\"b/3");
        assert_eq!(interpolate("^[a-z]+$$", values).unwrap(), "^[a-z]+$");
        assert_eq!(interpolate("cost: $ 5", values).unwrap(), "cost: $ 5");
        assert!(interpolate("$missing:L", values).is_err());
        // Without test parameters nothing is substituted, `$$` included.
        assert_eq!(interpolate("^[a-z]+$$ $value:L", None).unwrap(), "^[a-z]+$$ $value:L");
    }
}
