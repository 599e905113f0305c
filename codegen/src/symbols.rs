//! Symbols: the one place that decides the Rust name and module of every shape, member, enum
//! variant and operation, and the Rust type of every member. Conflicts are errors here, so the
//! renderers never have to think about names.

use std::collections::BTreeMap;
use std::fmt;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::tokens::quote;
use crate::tokens::{Text, Token, Tokens};

use crate::error::{Error, ErrorKind, Result};
use crate::ident::{ident, snake_case, upper_camel_case};
use crate::index::Index;
use crate::model::{Member, Shape, ShapeId, ShapeKind, Simple};

/// A module of the generated crate, as the path from the crate root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModulePath(pub Vec<String>);

impl ModulePath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn new(parts: &[&str]) -> Self {
        Self(parts.iter().map(|part| (*part).to_owned()).collect())
    }

    pub fn child(&self, name: &str) -> Self {
        let mut parts = self.0.clone();
        parts.push(name.to_owned());
        Self(parts)
    }

    /// `crate::a::b` as tokens.
    pub fn tokens(&self) -> Tokens {
        let parts = self.0.iter().map(|part| ident(part));
        quote!(crate #(::#parts)*)
    }
}

/// A module path as its names, so that maps keyed by paths are searched without making one
/// (a derived `Ord` compares the names as the slice does).
impl std::borrow::Borrow<[String]> for ModulePath {
    fn borrow(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("crate")?;
        for part in &self.0 {
            write!(f, "::{part}")?;
        }
        Ok(())
    }
}

/// A generated type: its name and the module that defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSymbol {
    pub name: String,
    pub module: ModulePath,
}

impl TypeSymbol {
    /// The type as seen from `from`: its bare name in its own module, a `crate::` path
    /// elsewhere (which stays right when a large module is split into files).
    pub fn path_from(&self, from: &ModulePath) -> Tokens {
        let name = ident(&self.name);
        if *from == self.module {
            quote!(#name)
        } else {
            let module = self.module.tokens();
            quote!(#module::#name)
        }
    }

    /// A rustdoc link to the type from module `from`: ``[`Name`]``, with a path when needed.
    pub fn doc_link(&self, from: &ModulePath) -> String {
        if *from == self.module {
            format!("[`{}`]", self.name)
        } else {
            format!("[`{}`]({}::{})", self.name, self.module, self.name)
        }
    }

    /// The builder of this type, in the `builders` module beside it.
    pub fn builder(&self) -> TypeSymbol {
        TypeSymbol {
            name: format!("{}Builder", self.name),
            module: self.module.child("builders"),
        }
    }
}

/// The names generated for one operation.
#[derive(Debug, Clone)]
pub struct OperationSymbol {
    /// The operation's module, `crate::operation::<snake name>`.
    pub module: ModulePath,
    /// The marker type that carries the operation's constants.
    pub marker: TypeSymbol,
    /// The service trait's method.
    pub method: String,
    pub input: TypeSymbol,
    pub output: TypeSymbol,
    pub error: TypeSymbol,
    /// Input or output is `smithy.api#Unit`: an empty structure is generated in its place.
    pub unit_input: bool,
    pub unit_output: bool,
}

/// Every name of the generated crate.
#[derive(Debug)]
pub struct Symbols {
    types: HashMap<ShapeId, TypeSymbol>,
    operations: HashMap<ShapeId, OperationSymbol>,
    /// For an operation whose errors are those of an operation before it, that operation: its
    /// error enum is the one type both name.
    shared_errors: HashMap<ShapeId, ShapeId>,
    /// The statics of the `schema` module, by shape id (operations included).
    schemas: HashMap<ShapeId, String>,
    /// The field of an error structure that keeps what its response said.
    error_meta: HashMap<ShapeId, String>,
    /// Structure fields, and enum and union variants, by container, then member name.
    members: HashMap<ShapeId, HashMap<String, String>>,
    /// The forward-compatible variant of each enum and union, and the unmodelled-error variant
    /// of each operation error enum, by shape id.
    fallbacks: HashMap<ShapeId, String>,
    service: TypeSymbol,
}

/// Names the generated code uses unqualified: a shape with one of these names gets `Value`
/// appended (`String` → `StringValue`).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "HashMap",
    "Default",
    "Debug",
    "Clone",
    "PartialEq",
    "Eq",
    "Hash",
    "From",
    "Into",
    "Send",
    "Sync",
    "Sized",
    "Copy",
    "ToString",
    "ToOwned",
    "Iterator",
    "IntoIterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
    "AsRef",
    "AsMut",
    "Unpin",
    "PartialOrd",
    "Ord",
];

/// Crates the generated code names by path: a module with one of these names would hide it.
const CRATE_NAMES: &[&str] = &["std", "core", "alloc", "smithy_runtime"];

/// The service's schema static.
pub const SERVICE_SCHEMA: &str = "SERVICE";

/// Field names the generated code uses: a member with one of these gets `_value` appended.
const RESERVED_FIELD_NAMES: &[&str] = &["build"];

/// The catch-all variant of operation error enums, unless an error of the operation has that name.
const UNHANDLED_CANDIDATES: &[&str] = &["Unhandled", "UnhandledError", "Unmodeled"];

/// The forward-compatible variant of enums and unions, unless a member has that name.
const UNKNOWN_CANDIDATES: &[&str] = &["Unknown", "UnknownValue", "UnrecognizedValue"];

/// Type names already given out, per module, so that a second shape with the same name gets
/// another one. Shapes are named in a fixed order, so the same model gets the same names.
#[derive(Default)]
struct Namer {
    taken: BTreeMap<(ModulePath, String), String>,
}

impl Namer {
    /// A free type name in `module` for `owner`, as close to `wanted` as possible: the name
    /// itself (with `Value` appended if it is reserved); when a shape of another namespace has
    /// it, the name prefixed with the namespace's last part; then numbered.
    fn claim(&mut self, module: &ModulePath, wanted: &str, owner: &ShapeId) -> String {
        let wanted = if RESERVED_TYPE_NAMES.contains(&wanted) {
            format!("{wanted}Value")
        } else {
            wanted.to_owned()
        };
        let holder = self.taken.get(&(module.clone(), wanted.clone())).cloned();
        let qualified = holder
            .filter(|holder| holder.split_once('#').map(|(ns, _)| ns) != Some(owner.namespace()))
            .and_then(|_| owner.namespace().rsplit('.').next().map(upper_camel_case))
            .map(|namespace| format!("{namespace}{wanted}"));
        let candidates = std::iter::once(wanted.clone())
            .chain(qualified)
            .chain((2..).map(|n| format!("{wanted}{n}")));
        for candidate in candidates {
            if let std::collections::btree_map::Entry::Vacant(entry) =
                self.taken.entry((module.clone(), candidate.clone()))
            {
                entry.insert(owner.to_string());
                return candidate;
            }
        }
        unreachable!("the numbered candidates never run out")
    }
}

/// The first candidate not in `used`.
fn free_name(candidates: &[&str], used: &HashSet<String>) -> String {
    candidates
        .iter()
        .map(|candidate| (*candidate).to_owned())
        .chain((2..).map(|n| format!("{}{n}", candidates[0])))
        .find(|candidate| !used.contains(candidate))
        .expect("the numbered candidates never run out")
}

/// `name`, or `name{separator}2`, `name{separator}3`... until it is not in `used`; then marks it
/// used. Snake-case names take `_` as the separator, camel-case names none.
fn unique(name: String, separator: &str, used: &mut HashSet<String>) -> String {
    let separator = if separator.is_empty() && name.ends_with(|c: char| c.is_ascii_digit()) {
        "_"
    } else {
        separator
    };
    let mut candidate = name.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{name}{separator}{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

impl Symbols {
    /// Names every selected shape and operation; fails on a shape the generator cannot represent.
    pub fn new(index: &Index<'_>) -> Result<Self> {
        let members = MemberNames::new(index)?;
        Ok(Self::with_types(index).and_members(members))
    }

    /// [`Symbols::new`], with the names of members (which depend on each shape alone) found on
    /// another thread, after `beside`, while this one names the types: `beside`'s result, and
    /// the symbols.
    pub(crate) fn new_beside<T: Send>(index: &Index<'_>, beside: impl FnOnce() -> T + Send) -> (T, Result<Self>) {
        std::thread::scope(|scope| {
            let other = scope.spawn(|| (beside(), MemberNames::new(index)));
            let types = Self::with_types(index);
            let (beside, members) = crate::join(other);
            let symbols = members.map(|members| types.and_members(members));
            (beside, symbols)
        })
    }

    /// The symbols with the names of operations and types, and none of members yet.
    fn with_types(index: &Index<'_>) -> Self {
        let mut namer = Namer::default();
        let service_id = &index.service().0.id;
        let service_module = ModulePath::new(&["service"]);
        let service_name = namer.claim(&service_module, &upper_camel_case(service_id.name()), service_id);
        let mut symbols = Symbols {
            types: HashMap::new(),
            operations: HashMap::new(),
            shared_errors: HashMap::new(),
            schemas: HashMap::new(),
            error_meta: HashMap::new(),
            members: HashMap::new(),
            fallbacks: HashMap::new(),
            service: TypeSymbol {
                name: service_name,
                module: service_module,
            },
        };

        // Operations first: their inputs and outputs live in the operation's own module.
        let mut operation_modules = HashSet::new();
        let io_uses = io_uses(index);
        let mut first_with_errors: HashMap<Vec<ShapeId>, ShapeId> = HashMap::new();
        for (shape, operation) in index.operations() {
            let name = upper_camel_case(shape.id.name());
            let mut snake = snake_case(shape.id.name());
            if CRATE_NAMES.contains(&snake.as_str()) {
                snake.push('_');
            }
            let snake = unique(snake, "_", &mut operation_modules);
            let module = ModulePath::new(&["operation", &snake]);
            let mut own = |suffix: &str, owner: &ShapeId| TypeSymbol {
                name: namer.claim(&module, &format!("{name}{suffix}"), owner),
                module: module.clone(),
            };
            let marker = own("", &shape.id);
            let error = own("Error", &shape.id);
            let mut io = |target: &ShapeId, suffix: &str| -> (TypeSymbol, bool) {
                if target.as_str() == "smithy.api#Unit" {
                    return (own(suffix, &shape.id), true);
                }
                if io_uses.get(target).copied().unwrap_or(0) == 1 {
                    let symbol = own(suffix, target);
                    symbols.types.insert(target.clone(), symbol.clone());
                    return (symbol, false);
                }
                (
                    TypeSymbol {
                        name: String::new(),
                        module: ModulePath::root(),
                    },
                    false,
                )
            };
            let (input, unit_input) = io(&operation.input, "Input");
            let (output, unit_output) = io(&operation.output, "Output");
            let errors = index.operation_errors(operation);
            let error_names: HashSet<String> = errors.iter().map(|id| upper_camel_case(id.name())).collect();
            match first_with_errors.get(&errors) {
                Some(first) => {
                    symbols.shared_errors.insert(shape.id.clone(), first.clone());
                }
                None => {
                    first_with_errors.insert(errors, shape.id.clone());
                }
            }
            symbols
                .fallbacks
                .insert(shape.id.clone(), free_name(UNHANDLED_CANDIDATES, &error_names));
            symbols.operations.insert(
                shape.id.clone(),
                OperationSymbol {
                    module,
                    marker,
                    method: snake,
                    input,
                    output,
                    error,
                    unit_input,
                    unit_output,
                },
            );
        }

        for shape in index.closure() {
            if matches!(
                shape.kind,
                ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Enum(_) | ShapeKind::IntEnum(_)
            ) && !symbols.types.contains_key(&shape.id)
            {
                let module = if shape.traits.error().is_some() {
                    ModulePath::new(&["types", "error"])
                } else {
                    ModulePath::new(&["types"])
                };
                let name = namer.claim(&module, &upper_camel_case(shape.id.name()), &shape.id);
                symbols.types.insert(shape.id.clone(), TypeSymbol { name, module });
            }
        }
        // Inputs and outputs shared by several operations keep their own type in `types`.
        let shared: Vec<(ShapeId, ShapeId, bool)> = index
            .operations()
            .flat_map(|(shape, operation)| {
                [
                    (shape.id.clone(), operation.input.clone(), true),
                    (shape.id.clone(), operation.output.clone(), false),
                ]
            })
            .collect();
        for (operation, target, is_input) in shared {
            if let Some(symbol) = symbols.types.get(&target).cloned() {
                let entry = symbols
                    .operations
                    .get_mut(&operation)
                    .expect("every operation is named");
                let slot = if is_input { &mut entry.input } else { &mut entry.output };
                if slot.name.is_empty() {
                    *slot = symbol;
                }
            }
        }
        symbols
    }

    /// The symbols with the names of `members` too.
    fn and_members(mut self, members: MemberNames) -> Self {
        self.members = members.members;
        self.error_meta = members.error_meta;
        self.fallbacks.extend(members.fallbacks);
        self.schemas = members.schemas;
        self
    }
}

/// The names that depend on one shape alone: its fields or variants, the field of an error
/// structure that keeps its response's metadata, the fallback variant of an enum or union,
/// and (made unique among themselves) the statics of the `schema` module.
#[derive(Default)]
struct MemberNames {
    members: HashMap<ShapeId, HashMap<String, String>>,
    error_meta: HashMap<ShapeId, String>,
    fallbacks: HashMap<ShapeId, String>,
    schemas: HashMap<ShapeId, String>,
}

impl MemberNames {
    /// Names the members of every shape of the closure, in order (the first problem found is
    /// the first in shape-id order), then the schemas.
    fn new(index: &Index<'_>) -> Result<Self> {
        let mut names = Self::default();
        for shape in index.closure() {
            names.name_members(index, shape)?;
        }
        names.name_schemas(index);
        Ok(names)
    }

    /// Names the `schema` module's statics: one per aggregate shape and operation, after its
    /// name in `SCREAMING_SNAKE_CASE`, made unique.
    fn name_schemas(&mut self, index: &Index<'_>) {
        let mut used: HashSet<String> = [SERVICE_SCHEMA.to_owned()].into_iter().collect();
        let mut claim = |id: &ShapeId| {
            unique(
                crate::ident::snake_case(id.name())
                    .trim_start_matches('_')
                    .to_uppercase(),
                "_",
                &mut used,
            )
        };
        for (shape, _) in index.operations() {
            let name = claim(&shape.id);
            self.schemas.insert(shape.id.clone(), name);
        }
        for shape in index.closure() {
            if shape.kind.has_own_schema() {
                let name = claim(&shape.id);
                self.schemas.insert(shape.id.clone(), name);
            }
        }
    }

    fn name_members(&mut self, index: &Index<'_>, shape: &Shape) -> Result<()> {
        match &shape.kind {
            ShapeKind::Structure(members) => {
                let mut used = HashSet::new();
                for member in members {
                    check_supported(index, shape, member)?;
                    index.default_of(shape, member)?;
                    let mut name = snake_case(&member.name);
                    if RESERVED_FIELD_NAMES.contains(&name.as_str()) {
                        name.push_str("_value");
                    }
                    if crate::ident::NOT_RAW.contains(&name.as_str()) {
                        name.push('_');
                    }
                    let name = unique(name, "_", &mut used);
                    self.members
                        .entry(shape.id.clone())
                        .or_default()
                        .insert(member.name.clone(), name);
                }
                if shape.traits.error().is_some() {
                    let meta = free_name(&["meta", "error_meta", "response_meta"], &used);
                    self.error_meta.insert(shape.id.clone(), meta);
                }
            }
            ShapeKind::Enum(members) | ShapeKind::IntEnum(members) | ShapeKind::Union(members) => {
                let mut used = HashSet::new();
                for member in members {
                    if matches!(shape.kind, ShapeKind::Union(_)) {
                        check_supported(index, shape, member)?;
                    }
                    let name = unique(upper_camel_case(&member.name), "", &mut used);
                    self.members
                        .entry(shape.id.clone())
                        .or_default()
                        .insert(member.name.clone(), name);
                }
                self.fallbacks
                    .insert(shape.id.clone(), free_name(UNKNOWN_CANDIDATES, &used));
                if !matches!(shape.kind, ShapeKind::Union(_)) {
                    let mut values: HashMap<String, &str> = HashMap::new();
                    for member in members {
                        let value = enum_wire_value(member);
                        if let Some(previous) = values.insert(value.clone(), &member.name) {
                            return Err(Error::new(
                                ErrorKind::InvalidModel,
                                format!(
                                    "enum members `{previous}` and `{}` have the same value `{value}`",
                                    member.name
                                ),
                            )
                            .for_shape(&shape.id));
                        }
                    }
                }
            }
            ShapeKind::List(member) | ShapeKind::Set(member) => check_supported(index, shape, member)?,
            ShapeKind::Map { key, value } => {
                check_supported(index, shape, key)?;
                check_supported(index, shape, value)?;
            }
            ShapeKind::Simple(_) | ShapeKind::Operation(_) | ShapeKind::Service(_) | ShapeKind::Resource(_) => {}
        }
        Ok(())
    }
}

impl Symbols {
    /// The generated type of a structure, union or enum shape.
    pub fn type_of(&self, id: &ShapeId) -> &TypeSymbol {
        &self.types[id]
    }

    /// The static of a shape's or operation's schema, as a path from anywhere in the crate.
    pub fn schema(&self, id: &ShapeId) -> Tokens {
        let name = ident(&self.schemas[id]);
        quote!(crate::schema::#name)
    }

    /// The name of the static of a shape's or operation's schema.
    pub fn schema_name(&self, id: &ShapeId) -> &str {
        &self.schemas[id]
    }

    /// Whether a shape has a schema static of its own (aggregates do; simple shapes use the
    /// runtime's prelude schemas).
    pub fn has_schema(&self, id: &ShapeId) -> bool {
        self.schemas.contains_key(id)
    }

    /// The service's schema static.
    pub fn service_schema(&self) -> Tokens {
        let name = ident(SERVICE_SCHEMA);
        quote!(crate::schema::#name)
    }

    /// The field of an error structure that keeps what its response said of it.
    pub fn error_meta(&self, id: &ShapeId) -> &str {
        &self.error_meta[id]
    }

    /// The names generated for an operation.
    pub fn operation(&self, id: &ShapeId) -> &OperationSymbol {
        &self.operations[id]
    }

    /// The operation before `id` with the same errors, in the same order, whose error enum `id`'s
    /// error type names (an alias), if there is one.
    pub fn shared_errors(&self, id: &ShapeId) -> Option<&ShapeId> {
        self.shared_errors.get(id)
    }

    /// The operations whose error types name `id`'s error enum.
    pub fn sharing_errors_with(&self, id: &ShapeId) -> Vec<&ShapeId> {
        let mut sharing: Vec<&ShapeId> = self
            .shared_errors
            .iter()
            .filter(|(_, first)| *first == id)
            .map(|(operation, _)| operation)
            .collect();
        sharing.sort();
        sharing
    }

    /// The service trait.
    pub fn service(&self) -> &TypeSymbol {
        &self.service
    }

    /// The field name of a structure member, unescaped (`type`; [`ident`] makes it `r#type`).
    pub fn field(&self, container: &ShapeId, member: &Member) -> &str {
        &self.members[container][member.name.as_str()]
    }

    /// The variant name of an enum or union member.
    pub fn variant(&self, container: &ShapeId, member: &Member) -> &str {
        &self.members[container][member.name.as_str()]
    }

    /// The forward-compatible variant of an enum or union.
    pub fn unknown_variant(&self, container: &ShapeId) -> &str {
        &self.fallbacks[container]
    }

    /// The unmodelled-error variant of an operation's error enum.
    pub fn unhandled_variant(&self, operation: &ShapeId) -> &str {
        &self.fallbacks[operation]
    }

    /// The Rust type of a value of shape `target`, as written in module `from`.
    pub fn rust_type(&self, index: &Index<'_>, target: &ShapeId, from: &ModulePath) -> Tokens {
        let shape = index.shape(target);
        match &shape.kind {
            ShapeKind::Simple(simple) => match simple {
                Simple::Boolean => quote!(bool),
                Simple::Byte => quote!(i8),
                Simple::Short => quote!(i16),
                Simple::Integer => quote!(i32),
                Simple::Long => quote!(i64),
                Simple::Float => quote!(f32),
                Simple::Double => quote!(f64),
                Simple::String => quote!(String),
                Simple::Blob if shape.traits.is_streaming() => quote!(crate::primitives::ByteStream),
                Simple::Blob => quote!(crate::primitives::Blob),
                Simple::Timestamp => quote!(crate::primitives::DateTime),
                Simple::Document => quote!(crate::primitives::Document),
                Simple::BigInteger => quote!(crate::primitives::BigInteger),
                Simple::BigDecimal => quote!(crate::primitives::BigDecimal),
            },
            ShapeKind::List(member) | ShapeKind::Set(member) => {
                let item = self.rust_type(index, &member.target, from);
                if shape.traits.is_sparse() {
                    quote!(Vec<Option<#item>>)
                } else {
                    quote!(Vec<#item>)
                }
            }
            ShapeKind::Map { key, value } => {
                let key = self.rust_type(index, &key.target, from);
                let value = self.rust_type(index, &value.target, from);
                let value = if shape.traits.is_sparse() {
                    quote!(Option<#value>)
                } else {
                    value
                };
                quote!(std::collections::HashMap<#key, #value>)
            }
            ShapeKind::Union(_) if shape.traits.is_streaming() => {
                let events = self.type_of(target).path_from(from);
                quote!(crate::primitives::EventStream<#events>)
            }
            _ => self.type_of(target).path_from(from),
        }
    }
}

/// The wire value of an enum member: its `@enumValue`, or its name.
pub fn enum_wire_value(member: &Member) -> String {
    match member.traits.enum_value() {
        Some(serde_json::Value::String(value)) => value.clone(),
        Some(other) => other.to_string(),
        None => member.name.clone(),
    }
}

/// How many times each shape is used as an operation input or output, or as a member target:
/// an input or output used exactly once becomes that operation's own `Input`/`Output` type.
fn io_uses(index: &Index<'_>) -> HashMap<ShapeId, usize> {
    let mut uses: HashMap<ShapeId, usize> = HashMap::new();
    for (_, operation) in index.operations() {
        *uses.entry(operation.input.clone()).or_default() += 1;
        *uses.entry(operation.output.clone()).or_default() += 1;
    }
    for shape in index.closure() {
        if matches!(shape.kind, ShapeKind::Operation(_) | ShapeKind::Service(_)) {
            continue;
        }
        for member in shape.kind.members() {
            if let Some(count) = uses.get_mut(&member.target) {
                *count += 1;
            }
        }
    }
    uses
}

/// Refuses members whose target the generated code cannot hold.
fn check_supported(index: &Index<'_>, container: &Shape, member: &Member) -> Result<()> {
    let target = index.shape(&member.target);
    let unsupported = match &target.kind {
        ShapeKind::Map { key, .. } if !is_string_like(index, &key.target) => Some("map keys that are not strings"),
        _ => None,
    };
    match unsupported {
        Some(what) => Err(Error::unsupported(
            &container.id,
            format!(
                "member `{}` targets `{}`: {what} are not supported",
                member.name, target.id
            ),
        )),
        None => Ok(()),
    }
}

fn is_string_like(index: &Index<'_>, id: &ShapeId) -> bool {
    matches!(
        index.shape(id).kind,
        ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_)
    )
}

/// An item of the runtime crate that generated code names. Every path into `smithy-runtime` is
/// decided here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rt {
    CheckVersion,
    // schema
    Schema,
    Member,
    OperationSchema,
    HttpChecksum,
    ServiceSchema,
    Prelude,
    // shape
    Value,
    View,
    Variant,
    Structure,
    Union,
    Decode,
    Decoder,
    DecodeError,
    StructBuilder,
    DebugStructure,
    Slot,
    ErrorStructure,
    DecodeErrorStructure,
    Zero,
    DecodeUnion,
    DecodeEnum,
    DecodeIntEnum,
    Optional,
    // serde
    SerdeImpls,
    // validation and errors
    Validate,
    Checks,
    ErrorMeta,
    // operations
    Operation,
    OperationError,
    OperationVisitor,
    Paginated,
    PaginatedItems,
    // client and server
    ClientConfig,
    Transport,
    Call,
    Paginator,
    Route,
    ServeOperation,
    Handler,
    StreamsRequest,
    Waiter,
    SearchInput,
    BoxFuture,
    Rejection,
    Refuse,
    // primitives
    IdempotencyToken,
    UnknownValue,
    // modules that generated modules re-export, and crates reached through the runtime
    HttpCrate,
    SchemaModule,
    PrimitivesModule,
    ErrorModule,
    ClientModule,
    ClientExports,
    ServerModule,
    OperationModule,
    HttpOperation,
    ValidateModule,
    ProtocolModule,
}

impl Rt {
    /// The item's path, from the crate root of the runtime.
    fn relative(self) -> &'static str {
        match self {
            Rt::CheckVersion => "check_version",
            Rt::Schema => "schema::Schema",
            Rt::Member => "schema::Member",
            Rt::OperationSchema => "schema::OperationSchema",
            Rt::HttpChecksum => "schema::HttpChecksum",
            Rt::ServiceSchema => "schema::ServiceSchema",
            Rt::Prelude => "schema::prelude",
            Rt::Value => "shape::Value",
            Rt::View => "shape::View",
            Rt::Variant => "shape::Variant",
            Rt::Structure => "shape::Structure",
            Rt::Union => "shape::Union",
            Rt::Decode => "shape::Decode",
            Rt::Decoder => "shape::Decoder",
            Rt::DecodeError => "shape::DecodeError",
            Rt::StructBuilder => "shape::StructBuilder",
            Rt::DebugStructure => "shape::debug_structure",
            Rt::Slot => "shape::Slot",
            Rt::ErrorStructure => "shape::ErrorStructure",
            Rt::DecodeErrorStructure => "shape::decode_error",
            Rt::Zero => "shape::Zero",
            Rt::DecodeUnion => "shape::decode_union",
            Rt::DecodeEnum => "shape::decode_enum",
            Rt::DecodeIntEnum => "shape::decode_int_enum",
            Rt::Optional => "shape::optional",
            Rt::SerdeImpls => "serde_impls",
            Rt::Validate => "validate::validate",
            Rt::Checks => "validate::Checks",
            Rt::ErrorMeta => "error::ErrorMeta",
            Rt::Operation => "operation::Operation",
            Rt::OperationError => "operation::OperationError",
            Rt::OperationVisitor => "operation::OperationVisitor",
            Rt::Paginated => "operation::Paginated",
            Rt::PaginatedItems => "operation::PaginatedItems",
            Rt::Paginator => "client::Paginator",
            Rt::ClientConfig => "client::Config",
            Rt::Transport => "client::Transport",
            Rt::Call => "client::call",
            Rt::Route => "server::route",
            Rt::ServeOperation => "server::serve_operation",
            Rt::Handler => "server::Handler",
            Rt::StreamsRequest => "server::streams_request",
            Rt::Waiter => "client::waiter",
            Rt::SearchInput => "client::SEARCH_INPUT",
            Rt::BoxFuture => "server::BoxFuture",
            Rt::Rejection => "server::Rejection",
            Rt::Refuse => "server::refuse",
            Rt::IdempotencyToken => "primitives::idempotency_token",
            Rt::UnknownValue => "primitives::UnknownValue",
            Rt::HttpCrate => "http",
            Rt::SchemaModule => "schema",
            Rt::PrimitivesModule => "primitives",
            Rt::ErrorModule => "error",
            Rt::ClientModule => "client",
            Rt::ClientExports => "client::exports",
            Rt::ServerModule => "server",
            Rt::OperationModule => "operation",
            Rt::HttpOperation => "protocol::HttpOperation",
            Rt::ValidateModule => "validate",
            Rt::ProtocolModule => "protocol",
        }
    }

    /// The item's absolute path, `::smithy_runtime::...`.
    pub fn path(self) -> Tokens {
        let parts = self.relative().split("::").map(|part| Token::Word(Text::Static(part)));
        quote!(::smithy_runtime #(::#parts)*)
    }

    /// The item's path as rustdoc writes it.
    pub fn doc_path(self) -> String {
        format!("smithy_runtime::{}", self.relative())
    }
}

/// The runtime's version requirement that generated code names: `MAJOR.MINOR`.
pub const RUNTIME_COMPATIBLE: &str = "0.1";
