//! The parsed form of a rule set that the evaluator walks: rules, conditions and expressions
//! with every reference resolved to a slot and every `getAttr` path and template split up.

/// The index of a value in the evaluator's slots: the rule set's parameters come first, in
/// their order, then one slot for each distinct name that a condition assigns.
pub(crate) type Slot = usize;

/// An expression: an argument of a function, a template's part, an endpoint's URL or header
/// value, an error rule's message.
#[derive(Debug)]
pub(crate) enum Expr {
    /// A string without templates (its `{{` and `}}` already unescaped).
    Str(Box<str>),
    /// A string with at least one `{…}` part and at least one literal part.
    Template(Box<Template>),
    Bool(bool),
    Int(i64),
    /// A literal array.
    Array(Box<[Expr]>),
    /// A parameter or an assigned variable.
    Ref(Slot),
    /// `getAttr`, or a template's `{name#path}`.
    GetAttr(Box<Expr>, Box<[PathPart]>),
    /// Any other function.
    Call(Func, Box<[Expr]>),
}

/// A template string such as `https://{Region}.{PartitionResult#dnsSuffix}`.
#[derive(Debug)]
pub(crate) struct Template {
    /// The template as written, for messages.
    pub raw: Box<str>,
    pub parts: Box<[TemplatePart]>,
}

#[derive(Debug)]
pub(crate) enum TemplatePart {
    Literal(Box<str>),
    Dynamic(Expr),
}

/// One step of a `getAttr` path: `name` or `[index]` (negative indexes count from the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathPart {
    Key(Box<str>),
    Index(i64),
}

/// The functions of the standard library and of the AWS library, but `getAttr`, which is
/// [`Expr::GetAttr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Coalesce,
    Ite,
    Split,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

impl Func {
    /// Every function by the name rule sets call it.
    pub const ALL: [(&'static str, Func); 14] = [
        ("isSet", Func::IsSet),
        ("not", Func::Not),
        ("booleanEquals", Func::BooleanEquals),
        ("stringEquals", Func::StringEquals),
        ("substring", Func::Substring),
        ("uriEncode", Func::UriEncode),
        ("parseURL", Func::ParseUrl),
        ("isValidHostLabel", Func::IsValidHostLabel),
        ("coalesce", Func::Coalesce),
        ("ite", Func::Ite),
        ("split", Func::Split),
        ("aws.partition", Func::AwsPartition),
        ("aws.parseArn", Func::AwsParseArn),
        ("aws.isVirtualHostableS3Bucket", Func::AwsIsVirtualHostableS3Bucket),
    ];

    pub fn from_name(name: &str) -> Option<Func> {
        Self::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, func)| *func)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, func)| *func == self)
            .map_or("?", |(name, _)| name)
    }
}

/// A condition: a function call whose result, when it is neither unset nor `false`, lets the
/// rule go on, and is bound to `assign` when there is one.
#[derive(Debug)]
pub(crate) struct Condition {
    pub expr: Expr,
    pub assign: Option<Slot>,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub conditions: Box<[Condition]>,
    pub kind: RuleKind,
}

#[derive(Debug)]
pub(crate) enum RuleKind {
    Endpoint(Box<EndpointDef>),
    /// The message.
    Error(Expr),
    Tree(Box<[Rule]>),
}

/// Named entries, in the rule set's order.
pub(crate) type Entries<T> = Box<[(Box<str>, T)]>;

/// An endpoint rule's endpoint.
#[derive(Debug)]
pub(crate) struct EndpointDef {
    pub url: Expr,
    pub headers: Entries<Box<[Expr]>>,
    pub properties: Entries<Prop>,
}

/// An endpoint property: JSON whose strings are templates.
#[derive(Debug)]
pub(crate) enum Prop {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// A string: [`Expr::Str`], [`Expr::Template`], or the expression of a template that is
    /// one `{…}`.
    Str(Expr),
    Array(Box<[Prop]>),
    Object(Entries<Prop>),
}

/// A decision diagram (`smithy.rules#endpointBdd`): conditions, results (rules without
/// conditions), and nodes `[condition, high, low]` that reach one from the root.
#[derive(Debug)]
pub(crate) struct Bdd {
    pub conditions: Box<[Condition]>,
    pub results: Box<[Rule]>,
    pub root: i32,
    /// Node `i` is referred to as `i + 1` (or `-(i + 1)`, its complement); node 0 is the
    /// terminal.
    pub nodes: Box<[[i32; 3]]>,
}

impl Bdd {
    /// A reference to result `i` is `RESULT + i`; result 0 is "no match".
    pub const RESULT: i32 = 100_000_000;
}
