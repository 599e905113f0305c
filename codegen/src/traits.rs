//! Traits: which trait ids a model may apply, and every `smithy.api` (prelude) trait's value
//! checked against the trait's shape, with where the trait may be applied.
//!
//! A trait is defined by the prelude, by one of the trait libraries the reference
//! implementation ships (`aws.api`, `aws.protocols`, `smithy.rules`, ...: [`LIBRARY_TRAITS`]), or
//! by a shape of the model marked `@trait`. Any other applied trait is an error (a warning with
//! [`crate::Codegen::allow_unknown_traits`]) that names the nearest known trait.
//!
//! Prelude trait values are checked by one validator, [`validate`], over a description of each
//! trait's shape ([`Ty`]): the JSON type, enum values, `@range`, `@length`, `@pattern`, the
//! required members and no unknown members of a structure, recursively through lists and maps,
//! as Smithy validates any value of a shape. A trait the generator reads into a Rust value is
//! then given to that value's one reader ([`crate::trait_values`]), which refuses what a shape
//! cannot say; library traits with a reader are checked by it alone.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::error::{Error, ErrorKind, ShapePath};
use crate::model::{Member, Model, ShapeKind, Simple};

/// The traits of the reference implementation's trait libraries, outside the prelude. Models
/// written for AWS services apply them without defining them.
pub(crate) const LIBRARY_TRAITS: &[&str] = &[
    "aws.api#arn",
    "aws.api#arnReference",
    "aws.api#awsChunked",
    "aws.api#clientDiscoveredEndpoint",
    "aws.api#clientEndpointDiscovery",
    "aws.api#clientEndpointDiscoveryId",
    "aws.api#controlPlane",
    "aws.api#data",
    "aws.api#dataPlane",
    "aws.api#service",
    "aws.api#tagEnabled",
    "aws.api#taggable",
    "aws.apigateway#apiKeyRequired",
    "aws.apigateway#apiKeySource",
    "aws.apigateway#apiTlsPolicy",
    "aws.apigateway#authorizer",
    "aws.apigateway#authorizers",
    "aws.apigateway#endpointConfiguration",
    "aws.apigateway#gatewayResponses",
    "aws.apigateway#integration",
    "aws.apigateway#minimumCompressionSize",
    "aws.apigateway#mockIntegration",
    "aws.apigateway#requestValidator",
    "aws.apigateway#resourcePolicy",
    "aws.auth#cognitoUserPools",
    "aws.auth#cognitoUserPoolsScopes",
    "aws.auth#sigv4",
    "aws.auth#sigv4a",
    "aws.auth#unsignedPayload",
    "aws.cloudformation#cfnAdditionalIdentifier",
    "aws.cloudformation#cfnDefaultValue",
    "aws.cloudformation#cfnExcludeProperty",
    "aws.cloudformation#cfnMutability",
    "aws.cloudformation#cfnName",
    "aws.cloudformation#cfnResource",
    "aws.customizations#s3UnwrappedXmlOutput",
    "aws.endpoints#dualStackOnlyEndpoints",
    "aws.endpoints#endpointsModifier",
    "aws.endpoints#rulesBasedEndpoints",
    "aws.endpoints#standardPartitionalEndpoints",
    "aws.endpoints#standardRegionalEndpoints",
    "aws.iam#actionName",
    "aws.iam#actionPermissionDescription",
    "aws.iam#conditionKeyValue",
    "aws.iam#conditionKeys",
    "aws.iam#defineConditionKeys",
    "aws.iam#disableConditionKeyInference",
    "aws.iam#iamAction",
    "aws.iam#iamResource",
    "aws.iam#requiredActions",
    "aws.iam#serviceResolvedConditionKeys",
    "aws.iam#supportedPrincipalTypes",
    "aws.protocols#awsJson1_0",
    "aws.protocols#awsJson1_1",
    "aws.protocols#awsQuery",
    "aws.protocols#awsQueryCompatible",
    "aws.protocols#awsQueryError",
    "aws.protocols#ec2Query",
    "aws.protocols#ec2QueryName",
    "aws.protocols#httpChecksum",
    "aws.protocols#restJson1",
    "aws.protocols#restXml",
    "smithy.contracts#conditions",
    "smithy.mqtt#mqttJson",
    "smithy.mqtt#publish",
    "smithy.mqtt#subscribe",
    "smithy.mqtt#topicLabel",
    "smithy.openapi#specificationExtension",
    "smithy.protocols#rpcv2Cbor",
    "smithy.protocols#rpcv2Json",
    "smithy.rules#clientContextParams",
    "smithy.rules#contextParam",
    "smithy.rules#endpointBdd",
    "smithy.rules#endpointRuleSet",
    "smithy.rules#endpointTests",
    "smithy.rules#operationContextParams",
    "smithy.rules#staticContextParams",
    "smithy.test#eventStreamTests",
    "smithy.test#httpMalformedRequestTests",
    "smithy.test#httpRequestTests",
    "smithy.test#httpResponseTests",
    "smithy.test#smokeTests",
    "smithy.waiters#waitable",
];

/// The shape of a trait's value, as far as checking a value needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// Any value (a `document`).
    Document,
    /// A structure without members: `{}`.
    Annotation,
    String(Str),
    /// An integer within `min..=max`.
    Integer {
        min: i64,
        max: i64,
    },
    /// Any number (`bigDecimal`).
    Number,
    Boolean,
    List {
        member: &'static Ty,
        min: u64,
        unique: bool,
    },
    Map {
        key: &'static Ty,
        value: &'static Ty,
        min: u64,
    },
    Structure(&'static [Field]),
}

/// A `@pattern` as a check and the pattern's text for messages.
type PatternCheck = (fn(&str) -> bool, &'static str);

/// A string shape's constraints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str {
    /// The least length, in characters.
    min: u64,
    /// The only values allowed, when not empty (an enum).
    values: &'static [&'static str],
    /// A `@pattern`, as a check and the pattern's text for messages.
    pattern: Option<PatternCheck>,
}

/// A member of a structure trait.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    name: &'static str,
    ty: &'static Ty,
    required: bool,
}

const fn field(name: &'static str, ty: &'static Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn required(name: &'static str, ty: &'static Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const fn string_of(values: &'static [&'static str]) -> Ty {
    Ty::String(Str {
        min: 0,
        values,
        pattern: None,
    })
}

const STRING: Ty = string_of(&[]);
const NON_EMPTY: Ty = Ty::String(Str {
    min: 1,
    values: &[],
    pattern: None,
});
const BOOLEAN: Ty = Ty::Boolean;
const DOCUMENT: Ty = Ty::Document;
const INTEGER: Ty = Ty::Integer {
    min: i32::MIN as i64,
    max: i32::MAX as i64,
};
const LONG: Ty = Ty::Integer {
    min: i64::MIN,
    max: i64::MAX,
};
const NUMBER: Ty = Ty::Number;
const STRINGS: Ty = Ty::List {
    member: &STRING,
    min: 0,
    unique: false,
};
const NON_EMPTY_STRINGS: Ty = Ty::List {
    member: &NON_EMPTY,
    min: 0,
    unique: false,
};
const NON_EMPTY_MAP: Ty = Ty::Map {
    key: &NON_EMPTY,
    value: &NON_EMPTY,
    min: 0,
};

/// An XML name: a letter or `_`, then letters, digits, `_` and `-`, with one optional
/// `prefix:` part.
fn is_xml_name(text: &str) -> bool {
    let part = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match text.split_once(':') {
        Some((prefix, name)) => part(prefix) && part(name),
        None => part(text),
    }
}

fn is_xml_prefix(text: &str) -> bool {
    !text.contains(':') && is_xml_name(text)
}

/// A name of an `@enum` entry: letters, digits and `_`, not starting with a digit.
fn is_enum_constant(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const XML_NAME: Ty = Ty::String(Str {
    min: 0,
    values: &[],
    pattern: Some((is_xml_name, "^[a-zA-Z_][a-zA-Z_0-9-]*(:[a-zA-Z_][a-zA-Z_0-9-]*)?$")),
});
const XML_PREFIX: Ty = Ty::String(Str {
    min: 0,
    values: &[],
    pattern: Some((is_xml_prefix, "^[a-zA-Z_][a-zA-Z_0-9-]*$")),
});
const ENUM_CONSTANT: Ty = Ty::String(Str {
    min: 0,
    values: &[],
    pattern: Some((is_enum_constant, "^[a-zA-Z_]+[a-zA-Z_0-9]*$")),
});
const ENUM_DEFINITION: Ty = Ty::Structure(&[
    required("value", &NON_EMPTY),
    field("name", &ENUM_CONSTANT),
    field("documentation", &STRING),
    field("tags", &NON_EMPTY_STRINGS),
    field("deprecated", &BOOLEAN),
]);
const EXAMPLE_ERROR: Ty = Ty::Structure(&[field("shapeId", &STRING), field("content", &DOCUMENT)]);
const EXAMPLE: Ty = Ty::Structure(&[
    required("title", &STRING),
    field("documentation", &STRING),
    field("input", &DOCUMENT),
    field("output", &DOCUMENT),
    field("error", &EXAMPLE_ERROR),
    field("allowConstraintErrors", &BOOLEAN),
]);
const REFERENCE: Ty = Ty::Structure(&[
    required("resource", &NON_EMPTY),
    field("ids", &NON_EMPTY_MAP),
    field("service", &NON_EMPTY),
    field("rel", &NON_EMPTY),
]);
const SEVERITY: Ty = string_of(&["NOTE", "WARNING", "DANGER", "ERROR"]);
const DIFF_RULE: Ty = Ty::Structure(&[
    field("path", &STRING),
    required("change", &string_of(&["update", "add", "remove", "presence", "any"])),
    field("severity", &SEVERITY),
    field("message", &STRING),
]);
const TRAIT_VALIDATOR: Ty = Ty::Structure(&[
    required("selector", &STRING),
    field("message", &STRING),
    field("severity", &SEVERITY),
]);

/// Which shapes a trait may be applied to: the part of the trait's `selector` the generator
/// checks. Type names are Smithy's, with `number` (every numeric type) and `simpleType`;
/// `string` also matches enums and `integer` intEnums, as in Smithy's selectors.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Applies {
    Any,
    /// A shape (not a member) of one of these types.
    Shapes(&'static [&'static str]),
    /// A shape of one of these types, or a member that targets one.
    ShapesOrMembers(&'static [&'static str]),
    /// A member of a shape of the first types (any when empty) that targets a shape of the
    /// second types (any when empty).
    Members(&'static [&'static str], &'static [&'static str]),
    /// Any shape but a member.
    NotMembers,
    /// A data shape: not a service, operation, resource or member.
    Data,
}

/// A prelude trait: its name in `smithy.api`, its value's shape, where it applies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TraitDef {
    pub name: &'static str,
    pub ty: Ty,
    pub applies: Applies,
}

const fn def(name: &'static str, ty: Ty, applies: Applies) -> TraitDef {
    TraitDef { name, ty, applies }
}

const SCALARS: &[&str] = &["boolean", "number", "string", "timestamp"];
const STRUCTURE: &[&str] = &["structure"];

/// Every prelude trait, as Smithy 2.0 defines it.
pub(crate) const PRELUDE_TRAITS: &[TraitDef] = &[
    def("addedDefault", Ty::Annotation, Applies::Members(STRUCTURE, &[])),
    def(
        "auth",
        Ty::List {
            member: &STRING,
            min: 0,
            unique: true,
        },
        Applies::Shapes(&["service", "operation"]),
    ),
    def(
        "authDefinition",
        Ty::Structure(&[field("traits", &STRINGS)]),
        Applies::Shapes(STRUCTURE),
    ),
    def(
        "box",
        Ty::Annotation,
        Applies::ShapesOrMembers(&["boolean", "byte", "short", "integer", "long", "float", "double"]),
    ),
    def("clientOptional", Ty::Annotation, Applies::Members(STRUCTURE, &[])),
    def(
        "cors",
        Ty::Structure(&[
            field("origin", &NON_EMPTY),
            field("origins", &NON_EMPTY_MAP),
            field("maxAge", &INTEGER),
            field("additionalAllowedHeaders", &NON_EMPTY_STRINGS),
            field("additionalExposedHeaders", &NON_EMPTY_STRINGS),
        ]),
        Applies::Shapes(&["service"]),
    ),
    // Checked against the member's own type by the model checks.
    def("default", Ty::Document, Applies::Any),
    def(
        "deprecated",
        Ty::Structure(&[field("message", &STRING), field("since", &STRING)]),
        Applies::Any,
    ),
    def("documentation", STRING, Applies::Any),
    def(
        "endpoint",
        Ty::Structure(&[required("hostPrefix", &NON_EMPTY)]),
        Applies::Shapes(&["operation"]),
    ),
    def(
        "enum",
        Ty::List {
            member: &ENUM_DEFINITION,
            min: 1,
            unique: false,
        },
        Applies::Shapes(&["string"]),
    ),
    def("enumValue", Ty::Document, Applies::Members(&["enum", "intEnum"], &[])),
    def("error", string_of(&["client", "server"]), Applies::Shapes(STRUCTURE)),
    def(
        "eventHeader",
        Ty::Annotation,
        Applies::Members(
            STRUCTURE,
            &[
                "boolean",
                "byte",
                "short",
                "integer",
                "long",
                "blob",
                "string",
                "timestamp",
            ],
        ),
    ),
    def(
        "eventPayload",
        Ty::Annotation,
        Applies::Members(STRUCTURE, &["blob", "string", "structure", "union"]),
    ),
    def(
        "examples",
        Ty::List {
            member: &EXAMPLE,
            min: 0,
            unique: false,
        },
        Applies::Shapes(&["operation"]),
    ),
    def(
        "externalDocumentation",
        Ty::Map {
            key: &NON_EMPTY,
            value: &NON_EMPTY,
            min: 1,
        },
        Applies::Any,
    ),
    def("hostLabel", Ty::Annotation, Applies::Members(STRUCTURE, &["string"])),
    def(
        "http",
        Ty::Structure(&[
            required("method", &NON_EMPTY),
            required("uri", &NON_EMPTY),
            field("code", &Ty::Integer { min: 100, max: 999 }),
        ]),
        Applies::Shapes(&["operation"]),
    ),
    def(
        "httpApiKeyAuth",
        Ty::Structure(&[
            required("name", &NON_EMPTY),
            required("in", &string_of(&["header", "query"])),
            field("scheme", &NON_EMPTY),
        ]),
        Applies::Shapes(&["service"]),
    ),
    def("httpBasicAuth", Ty::Annotation, Applies::Shapes(&["service"])),
    def("httpBearerAuth", Ty::Annotation, Applies::Shapes(&["service"])),
    def("httpChecksumRequired", Ty::Annotation, Applies::Shapes(&["operation"])),
    def("httpDigestAuth", Ty::Annotation, Applies::Shapes(&["service"])),
    def("httpError", INTEGER, Applies::Shapes(STRUCTURE)),
    def(
        "httpHeader",
        NON_EMPTY,
        Applies::Members(STRUCTURE, &["boolean", "number", "string", "timestamp", "list"]),
    ),
    def("httpLabel", Ty::Annotation, Applies::Members(STRUCTURE, SCALARS)),
    def("httpPayload", Ty::Annotation, Applies::Members(STRUCTURE, &[])),
    def("httpPrefixHeaders", STRING, Applies::Members(STRUCTURE, &["map"])),
    def(
        "httpQuery",
        NON_EMPTY,
        Applies::Members(STRUCTURE, &["boolean", "number", "string", "timestamp", "list"]),
    ),
    def("httpQueryParams", Ty::Annotation, Applies::Members(STRUCTURE, &["map"])),
    def(
        "httpResponseCode",
        Ty::Annotation,
        Applies::Members(STRUCTURE, &["integer"]),
    ),
    def(
        "idRef",
        Ty::Structure(&[
            field("selector", &STRING),
            field("failWhenMissing", &BOOLEAN),
            field("errorMessage", &STRING),
        ]),
        Applies::ShapesOrMembers(&["string"]),
    ),
    def(
        "idempotencyToken",
        Ty::Annotation,
        Applies::Members(STRUCTURE, &["string"]),
    ),
    def(
        "idempotent",
        Ty::Structure(&[field("exists", &STRINGS), field("notFound", &STRINGS)]),
        Applies::Shapes(&["operation"]),
    ),
    def("input", Ty::Annotation, Applies::Shapes(STRUCTURE)),
    def("internal", Ty::Annotation, Applies::Any),
    def("jsonName", STRING, Applies::Members(&["structure", "union"], &[])),
    def(
        "length",
        Ty::Structure(&[field("min", &LONG), field("max", &LONG)]),
        Applies::ShapesOrMembers(&["list", "map", "string", "blob"]),
    ),
    def(
        "longPoll",
        Ty::Structure(&[required(
            "timeoutMillis",
            &Ty::Integer {
                min: 1,
                max: i32::MAX as i64,
            },
        )]),
        Applies::Shapes(&["operation"]),
    ),
    def("mediaType", STRING, Applies::ShapesOrMembers(&["blob", "string"])),
    def("metadata", Ty::Structure(&[required("key", &NON_EMPTY)]), Applies::Data),
    def(
        "mixin",
        Ty::Structure(&[field("localTraits", &STRINGS)]),
        Applies::NotMembers,
    ),
    def(
        "nestedProperties",
        Ty::Annotation,
        Applies::Members(STRUCTURE, &["structure"]),
    ),
    def("noReplace", Ty::Annotation, Applies::Shapes(&["resource"])),
    def("notProperty", Ty::Annotation, Applies::Any),
    def("optionalAuth", Ty::Annotation, Applies::Shapes(&["operation"])),
    def("output", Ty::Annotation, Applies::Shapes(STRUCTURE)),
    def(
        "paginated",
        Ty::Structure(&[
            field("inputToken", &NON_EMPTY),
            field("outputToken", &NON_EMPTY),
            field("items", &NON_EMPTY),
            field("pageSize", &NON_EMPTY),
        ]),
        Applies::Shapes(&["service", "operation"]),
    ),
    def("pattern", STRING, Applies::ShapesOrMembers(&["string"])),
    def("private", Ty::Annotation, Applies::Any),
    def(
        "property",
        Ty::Structure(&[field("name", &STRING)]),
        Applies::Members(STRUCTURE, &[]),
    ),
    def(
        "protocolDefinition",
        Ty::Structure(&[field("traits", &STRINGS), field("noInlineDocumentSupport", &BOOLEAN)]),
        Applies::Shapes(STRUCTURE),
    ),
    def(
        "range",
        Ty::Structure(&[field("min", &NUMBER), field("max", &NUMBER)]),
        Applies::ShapesOrMembers(&["number"]),
    ),
    def("readonly", Ty::Annotation, Applies::Shapes(&["operation"])),
    def(
        "recommended",
        Ty::Structure(&[field("reason", &STRING)]),
        Applies::Members(STRUCTURE, &[]),
    ),
    def(
        "references",
        Ty::List {
            member: &REFERENCE,
            min: 0,
            unique: false,
        },
        Applies::Shapes(&["structure", "string"]),
    ),
    def(
        "requestCompression",
        Ty::Structure(&[required("encodings", &STRINGS)]),
        Applies::Shapes(&["operation"]),
    ),
    def("required", Ty::Annotation, Applies::Members(STRUCTURE, &[])),
    def("requiresLength", Ty::Annotation, Applies::Shapes(&["blob"])),
    def(
        "resourceIdentifier",
        NON_EMPTY,
        Applies::Members(STRUCTURE, &["string"]),
    ),
    def(
        "retryable",
        Ty::Structure(&[field("throttling", &BOOLEAN)]),
        Applies::Shapes(STRUCTURE),
    ),
    def("sensitive", Ty::Annotation, Applies::Data),
    def("since", STRING, Applies::Any),
    def("sparse", Ty::Annotation, Applies::Shapes(&["list", "map"])),
    def("streaming", Ty::Annotation, Applies::Shapes(&["blob", "union"])),
    def(
        "suppress",
        Ty::List {
            member: &NON_EMPTY,
            min: 0,
            unique: false,
        },
        Applies::Any,
    ),
    def("tags", STRINGS, Applies::Any),
    def(
        "timestampFormat",
        string_of(&["date-time", "epoch-seconds", "http-date"]),
        Applies::ShapesOrMembers(&["timestamp"]),
    ),
    def("title", STRING, Applies::Any),
    def(
        "trait",
        Ty::Structure(&[
            field("selector", &STRING),
            field("structurallyExclusive", &string_of(&["member", "target"])),
            field("conflicts", &NON_EMPTY_STRINGS),
            field(
                "breakingChanges",
                &Ty::List {
                    member: &DIFF_RULE,
                    min: 1,
                    unique: false,
                },
            ),
        ]),
        Applies::NotMembers,
    ),
    def(
        "traitValidators",
        Ty::Map {
            key: &NON_EMPTY,
            value: &TRAIT_VALIDATOR,
            min: 0,
        },
        Applies::NotMembers,
    ),
    def("uniqueItems", Ty::Annotation, Applies::Shapes(&["list"])),
    def("unitType", Ty::Annotation, Applies::Shapes(STRUCTURE)),
    def("unstable", Ty::Annotation, Applies::Any),
    def("xmlAttribute", Ty::Annotation, Applies::Members(STRUCTURE, SCALARS)),
    def(
        "xmlFlattened",
        Ty::Annotation,
        Applies::Members(&["structure", "union"], &["list", "map"]),
    ),
    def("xmlName", XML_NAME, Applies::Any),
    def(
        "xmlNamespace",
        Ty::Structure(&[required("uri", &NON_EMPTY), field("prefix", &XML_PREFIX)]),
        Applies::Any,
    ),
];

/// The definition of a prelude trait, by its name in `smithy.api`.
pub(crate) fn prelude_trait(name: &str) -> Option<&'static TraitDef> {
    PRELUDE_TRAITS.iter().find(|def| def.name == name)
}

/// What [`validate`] found, each a JSON path below the value (`""` for the value itself,
/// `.code`, `[0].value`) and a message.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Values that do not fit the shape.
    pub errors: Vec<(String, String)>,
    /// Members a structure does not define: Smithy warns about them and goes on.
    pub warnings: Vec<(String, String)>,
}

/// Checks `value` against `ty`, as Smithy validates a value of a shape.
pub(crate) fn validate(value: &Value, ty: &Ty, path: &str, found: &mut Found) {
    let mut wrong = |expected: &str| {
        found.errors.push((
            path.to_owned(),
            format!("expected {expected}, found {}", describe(value)),
        ));
    };
    match ty {
        Ty::Document => {}
        Ty::Annotation => match value.as_object() {
            Some(object) if object.is_empty() => {}
            Some(object) => {
                let keys: Vec<String> = object.keys().map(|key| format!("`{key}`")).collect();
                found.warnings.push((
                    path.to_owned(),
                    format!("the trait takes no value, but has the members {}", keys.join(", ")),
                ));
            }
            None => wrong("an empty object (the trait takes no value)"),
        },
        Ty::String(rule) => {
            let Some(text) = value.as_str() else {
                return wrong("a string");
            };
            let length = text.chars().count() as u64;
            if length < rule.min {
                found.errors.push((
                    path.to_owned(),
                    format!("the string must be at least {} characters long, not {length}", rule.min),
                ));
            }
            if !rule.values.is_empty() && !rule.values.contains(&text) {
                let values: Vec<String> = rule.values.iter().map(|value| format!("`{value}`")).collect();
                found.errors.push((
                    path.to_owned(),
                    format!("`{text}` is not one of the allowed values: {}", values.join(", ")),
                ));
            }
            if let Some((check, pattern)) = rule.pattern {
                if !check(text) {
                    found.errors.push((
                        path.to_owned(),
                        format!("`{text}` does not match the pattern `{pattern}`"),
                    ));
                }
            }
        }
        Ty::Integer { min, max } => {
            let Some(number) = value.as_number() else {
                return wrong("an integer");
            };
            match number.as_i64() {
                Some(n) if (*min..=*max).contains(&n) => {}
                Some(n) => found
                    .errors
                    .push((path.to_owned(), format!("{n} is not within {min}..={max}"))),
                None => wrong("an integer"),
            }
        }
        Ty::Number => {
            if !value.is_number() {
                wrong("a number");
            }
        }
        Ty::Boolean => {
            if !value.is_boolean() {
                wrong("a boolean");
            }
        }
        Ty::List { member, min, unique } => {
            let Some(items) = value.as_array() else {
                return wrong("a list");
            };
            if (items.len() as u64) < *min {
                found
                    .errors
                    .push((path.to_owned(), format!("the list must have at least {min} items")));
            }
            for (index, item) in items.iter().enumerate() {
                if *unique && items[..index].contains(item) {
                    found.errors.push((
                        format!("{path}[{index}]"),
                        format!("{item} is repeated; the items must be unique"),
                    ));
                }
                validate(item, member, &format!("{path}[{index}]"), found);
            }
        }
        Ty::Map { key, value: item, min } => {
            let Some(entries) = value.as_object() else {
                return wrong("an object (a map)");
            };
            if (entries.len() as u64) < *min {
                found
                    .errors
                    .push((path.to_owned(), format!("the map must have at least {min} entries")));
            }
            for (name, entry) in entries {
                let entry_path = format!("{path}[{name:?}]");
                validate(&Value::String(name.clone()), key, &entry_path, found);
                validate(entry, item, &entry_path, found);
            }
        }
        Ty::Structure(fields) => {
            let Some(object) = value.as_object() else {
                return wrong("an object (a structure)");
            };
            for field in fields.iter().filter(|field| field.required) {
                if !object.contains_key(field.name) {
                    found
                        .errors
                        .push((path.to_owned(), format!("missing the required member `{}`", field.name)));
                }
            }
            for (name, member) in object {
                match fields.iter().find(|field| field.name == name) {
                    Some(field) => validate(member, field.ty, &format!("{path}.{name}"), found),
                    None => {
                        let names: Vec<String> = fields.iter().map(|field| format!("`{}`", field.name)).collect();
                        found.warnings.push((
                            format!("{path}.{name}"),
                            if names.is_empty() {
                                format!("unknown member `{name}`: the trait has no members")
                            } else {
                                format!("unknown member `{name}`; the members are {}", names.join(", "))
                            },
                        ));
                    }
                }
            }
        }
    }
}

/// What a value of a trait that is not a structure or map looks like, for a trait written with
/// no value (`@httpQuery`, which reads as `{}`).
fn expected(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::String(_) => Some("a string"),
        Ty::Integer { .. } => Some("an integer"),
        Ty::Number => Some("a number"),
        Ty::Boolean => Some("a boolean"),
        Ty::List { .. } => Some("a list"),
        Ty::Document | Ty::Annotation | Ty::Map { .. } | Ty::Structure(_) => None,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// Whether a shape of type `kind` is one of `wanted` (a type name, `number`, `simpleType`).
fn is_type(kind: &str, wanted: &str) -> bool {
    kind == wanted
        || match wanted {
            "number" => matches!(
                kind,
                "byte" | "short" | "integer" | "long" | "float" | "double" | "bigInteger" | "bigDecimal" | "intEnum"
            ),
            "simpleType" => Simple::from_type_name(kind).is_some() || matches!(kind, "enum" | "intEnum"),
            "string" => kind == "enum",
            "integer" => kind == "intEnum",
            "list" => kind == "set",
            _ => false,
        }
}

fn is_any_type(kind: &str, wanted: &[&str]) -> bool {
    wanted.is_empty() || wanted.iter().any(|wanted| is_type(kind, wanted))
}

/// What a trait is applied to: a shape of a type, or a member of a shape of a type that
/// targets a shape of a type (`None` when the target is not in the model: it is reported
/// elsewhere).
#[derive(Clone, Copy)]
enum Site<'a> {
    Shape(&'a str),
    Member(&'a str, Option<&'a str>),
}

fn applies_to(applies: Applies, site: Site<'_>) -> bool {
    match (applies, site) {
        (Applies::Any, _) => true,
        (Applies::Shapes(types), Site::Shape(kind)) => is_any_type(kind, types),
        (Applies::ShapesOrMembers(types), Site::Shape(kind)) => is_any_type(kind, types),
        (Applies::ShapesOrMembers(types), Site::Member(_, target)) => {
            target.is_none_or(|kind| is_any_type(kind, types))
        }
        (Applies::Members(containers, targets), Site::Member(container, target)) => {
            is_any_type(container, containers) && target.is_none_or(|kind| is_any_type(kind, targets))
        }
        (Applies::NotMembers, Site::Shape(_)) => true,
        (Applies::Data, Site::Shape(kind)) => !matches!(kind, "service" | "operation" | "resource"),
        _ => false,
    }
}

fn list(types: &[&str]) -> String {
    match types {
        [] => "any shape".to_owned(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_applies(applies: Applies) -> String {
    match applies {
        Applies::Any => "any shape".to_owned(),
        Applies::Shapes(types) => format!("{} shapes", list(types)),
        Applies::ShapesOrMembers(types) => format!("{types} shapes and members that target them", types = list(types)),
        Applies::Members(containers, []) => format!("members of {} shapes", list(containers)),
        Applies::Members(containers, targets) => {
            format!("members of {} shapes that target {}", list(containers), list(targets))
        }
        Applies::NotMembers => "shapes other than members".to_owned(),
        Applies::Data => "shapes other than services, operations, resources and members".to_owned(),
    }
}

fn describe_site(site: Site<'_>) -> String {
    match site {
        Site::Shape(kind) => format!("a {kind} shape"),
        Site::Member(container, Some(target)) => format!("a member of a {container} that targets a {target}"),
        Site::Member(container, None) => format!("a member of a {container}"),
    }
}

/// The Levenshtein distance between two short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known trait nearest to an unknown one by the name after `#` (case aside), if one is
/// near enough to be a slip: at most a third of the name's letters differ.
pub(crate) fn nearest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = unknown.rsplit('#').next().unwrap_or(unknown).to_ascii_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    known
        .map(|id| {
            let candidate = id.rsplit('#').next().unwrap_or(id).to_ascii_lowercase();
            (distance(&name, &candidate), id)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, id)| id)
}

/// A shape's type name, for a member target: the model's shape, or a prelude shape.
fn target_type<'a>(model: &'a Model, target: &crate::model::ShapeId) -> Option<&'a str> {
    if let Some(shape) = model.shapes.get(target) {
        return Some(shape.kind.type_name());
    }
    if target.namespace() != "smithy.api" {
        return None;
    }
    let name = target.name();
    let name = name.strip_prefix("Primitive").unwrap_or(name);
    if name == "Unit" {
        return Some("structure");
    }
    let mut chars = name.chars();
    let first = chars.next()?.to_ascii_lowercase();
    let lower: String = std::iter::once(first).chain(chars).collect();
    Simple::from_type_name(&lower).map(Simple::type_name)
}

/// What [`check_traits`] found: errors, and as warnings unknown members of structure-shaped
/// trait values and, when they are allowed, unknown traits.
#[derive(Debug, Default)]
pub(crate) struct TraitProblems {
    pub errors: Vec<Error>,
    pub warnings: Vec<Error>,
}

/// Checks every trait applied in the model: that it is defined, and for prelude traits that the
/// value fits the trait's shape and the trait is applied where it may be; `@httpLabel` members
/// must be `@required`, `@httpError` structures `@error`, and unions have members.
pub(crate) fn check_traits(model: &Model, allow_unknown: bool) -> TraitProblems {
    let defined: BTreeSet<&str> = model
        .shapes
        .values()
        .filter(|shape| shape.traits.0.contains_key("smithy.api#trait"))
        .map(|shape| shape.id.as_str())
        .collect();
    let prelude_ids: Vec<String> = PRELUDE_TRAITS
        .iter()
        .map(|def| format!("smithy.api#{}", def.name))
        .collect();
    let mut problems = TraitProblems::default();
    let mut hints: HashMap<String, Option<String>> = HashMap::new();
    for shape in model.shapes.values() {
        let path = ShapePath::shape(&shape.id);
        let kind = shape.kind.type_name();
        let mut sites: Vec<(&crate::model::Traits, Site<'_>, ShapePath<'_>, Option<&Member>)> =
            vec![(&shape.traits, Site::Shape(kind), path, None)];
        for (member, member_path) in ShapePath::members(shape) {
            let site = Site::Member(kind, target_type(model, &member.target));
            sites.push((&member.traits, site, member_path, Some(member)));
        }
        for (traits, site, at, member) in sites {
            for (id, value) in &traits.0 {
                // Made only for a problem to report.
                let trait_path = || format!("{at}.traits[{id:?}]");
                let error = |message: String| Error::invalid(trait_path(), message).for_shape(&shape.id);
                if let Some(name) = id.strip_prefix("smithy.api#") {
                    if let Some(def) = prelude_trait(name) {
                        let mut found = Found::default();
                        let left_out = value.as_object().is_some_and(serde_json::Map::is_empty);
                        match (left_out, expected(&def.ty)) {
                            (true, Some(expected)) => found.errors.push((
                                String::new(),
                                format!("the trait needs a value ({expected}), and has none"),
                            )),
                            _ => validate(value, &def.ty, "", &mut found),
                        }
                        if found.errors.is_empty() && applies_to(def.applies, site) {
                            // What the trait's shape cannot say, from the value's one reader.
                            for problem in crate::trait_values::problems(id, value).unwrap_or_default() {
                                found.errors.push((problem.at, problem.message));
                            }
                        }
                        for (below, message) in found.errors {
                            problems.errors.push(
                                Error::invalid(
                                    format!("{}{below}", trait_path()),
                                    format!("invalid `@{name}` value: {message}"),
                                )
                                .for_shape(&shape.id),
                            );
                        }
                        for (below, message) in found.warnings {
                            problems.warnings.push(
                                Error::invalid(
                                    format!("{}{below}", trait_path()),
                                    format!("`@{name}` value: {message}"),
                                )
                                .for_shape(&shape.id),
                            );
                        }
                        if !applies_to(def.applies, site) {
                            problems.errors.push(error(format!(
                                "the `@{name}` trait cannot be applied to {}: it applies to {}",
                                describe_site(site),
                                describe_applies(def.applies)
                            )));
                        }
                        if name == "httpLabel" && member.is_some_and(|member| !member.traits.is_required()) {
                            problems.errors.push(error(
                                "an `@httpLabel` member must be `@required`: a URI label cannot be left out".to_owned(),
                            ));
                        }
                        if name == "httpError" && member.is_none() && !traits.0.contains_key("smithy.api#error") {
                            problems.errors.push(error(
                                "the `@httpError` trait applies to structures with the `@error` trait only".to_owned(),
                            ));
                        }
                        continue;
                    }
                }
                if LIBRARY_TRAITS.contains(&id.as_str()) || defined.contains(id.as_str()) {
                    for problem in crate::trait_values::problems(id, value).unwrap_or_default() {
                        problems.errors.push(
                            Error::invalid(
                                format!("{}{}", trait_path(), problem.at),
                                format!("invalid `{id}` value: {}", problem.message),
                            )
                            .for_shape(&shape.id),
                        );
                    }
                    continue;
                }
                let hint = hints
                    .entry(id.clone())
                    .or_insert_with(|| {
                        let known = prelude_ids
                            .iter()
                            .map(String::as_str)
                            .chain(LIBRARY_TRAITS.iter().copied())
                            .chain(defined.iter().copied());
                        nearest(id, known).map(|id| id.strip_prefix("smithy.api#").unwrap_or(id).to_owned())
                    })
                    .clone();
                let mut message = format!(
                    "unknown trait `{id}`: no shape of the model with `@trait`, prelude trait or trait of a known library defines it"
                );
                if let Some(hint) = hint {
                    message.push_str(&format!("; did you mean `{hint}`?"));
                }
                let unknown = Error::new(ErrorKind::InvalidModel, message)
                    .at_path(trait_path())
                    .for_shape(&shape.id);
                if allow_unknown {
                    problems.warnings.push(unknown);
                } else {
                    problems.errors.push(unknown);
                }
            }
        }
        if let ShapeKind::Union(members) = &shape.kind {
            if members.is_empty() && !shape.traits.0.contains_key("smithy.api#mixin") {
                problems.errors.push(
                    Error::invalid(path.to_string(), "a union must have at least one member").for_shape(&shape.id),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trait_of_the_catalog_is_unique_and_absolute() {
        let mut seen = BTreeSet::new();
        for id in LIBRARY_TRAITS {
            assert!(id.contains('#') && !id.starts_with("smithy.api#"), "{id}");
            assert!(seen.insert(id), "{id} twice");
        }
        let mut names = BTreeSet::new();
        for def in PRELUDE_TRAITS {
            assert!(names.insert(def.name), "{} twice", def.name);
        }
    }

    #[test]
    fn the_nearest_name_is_a_slip_away() {
        let known = [
            "smithy.api#readonly",
            "smithy.api#required",
            "smithy.api#httpQuery",
            "aws.api#service",
        ];
        assert_eq!(
            nearest("example#readonli", known.iter().copied()),
            Some("smithy.api#readonly")
        );
        assert_eq!(
            nearest("smithy.api#requird", known.iter().copied()),
            Some("smithy.api#required")
        );
        assert_eq!(
            nearest("example#httpQuey", known.iter().copied()),
            Some("smithy.api#httpQuery")
        );
        assert_eq!(nearest("example#somethingElse", known.iter().copied()), None);
    }

    fn problems(value: Value, ty: &Ty) -> Vec<(String, String)> {
        let mut found = Found::default();
        validate(&value, ty, "", &mut found);
        found.errors
    }

    fn warnings(value: Value, ty: &Ty) -> Vec<(String, String)> {
        let mut found = Found::default();
        validate(&value, ty, "", &mut found);
        found.warnings
    }

    #[test]
    fn values_are_checked_against_their_shape() {
        let http = &prelude_trait("http").unwrap().ty;
        assert!(problems(serde_json::json!({"method": "GET", "uri": "/"}), http).is_empty());
        let found = problems(serde_json::json!({"method": "GET", "code": 1000, "other": 1}), http);
        let paths: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, ["", ".code"], "{found:?}");
        let unknown = warnings(serde_json::json!({"method": "GET", "uri": "/", "other": 1}), http);
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert_eq!(unknown[0].0, ".other");
        assert!(unknown[0].1.contains("unknown member `other`"), "{unknown:?}");
        assert!(found[0].1.contains("missing the required member `uri`"), "{found:?}");
        assert!(found[1].1.contains("1000 is not within 100..=999"), "{found:?}");
        let error = &prelude_trait("error").unwrap().ty;
        assert!(problems(serde_json::json!("banana"), error)[0]
            .1
            .contains("`client`, `server`"));
        let http_error = &prelude_trait("httpError").unwrap().ty;
        assert!(problems(serde_json::json!("500"), http_error)[0]
            .1
            .contains("expected an integer"));
        assert!(problems(serde_json::json!({}), http_error)[0]
            .1
            .contains("expected an integer"));
        let xml_name = &prelude_trait("xmlName").unwrap().ty;
        assert!(problems(serde_json::json!("a:b"), xml_name).is_empty());
        assert_eq!(problems(serde_json::json!("1a"), xml_name).len(), 1);
        let auth = &prelude_trait("auth").unwrap().ty;
        assert_eq!(problems(serde_json::json!(["a#B", "a#B"]), auth)[0].0, "[1]");
        let annotation = &prelude_trait("required").unwrap().ty;
        assert!(problems(serde_json::json!({}), annotation).is_empty());
        assert_eq!(problems(serde_json::json!("yes"), annotation).len(), 1);
        let external = &prelude_trait("externalDocumentation").unwrap().ty;
        assert_eq!(problems(serde_json::json!({"": "x"}), external)[0].0, "[\"\"]");
    }

    #[test]
    fn selectors_match_types_members_and_targets() {
        let label = prelude_trait("httpLabel").unwrap().applies;
        assert!(applies_to(label, Site::Member("structure", Some("string"))));
        assert!(applies_to(label, Site::Member("structure", Some("intEnum"))));
        assert!(!applies_to(label, Site::Member("structure", Some("blob"))));
        assert!(!applies_to(label, Site::Shape("string")));
        let format = prelude_trait("timestampFormat").unwrap().applies;
        assert!(applies_to(format, Site::Shape("timestamp")));
        assert!(applies_to(format, Site::Member("list", Some("timestamp"))));
        assert!(!applies_to(format, Site::Member("structure", Some("string"))));
    }
}
