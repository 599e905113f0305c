//! Symbols: the one place that decides the Rust name and module of every shape, member, enum
//! variant and operation, and the Rust type of every member. Conflicts are errors here, so the
//! renderers never have to think about names.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use proc_macro2::TokenStream;
use quote::quote;

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
    pub fn tokens(&self) -> TokenStream {
        let parts = self.0.iter().map(|part| ident(part));
        quote!(crate #(::#parts)*)
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
    /// The type as seen from `from`: its bare name in its own module, `super::Name` from a
    /// direct child (such as `builders`), a `crate::` path elsewhere.
    pub fn path_from(&self, from: &ModulePath) -> TokenStream {
        let name = ident(&self.name);
        if *from == self.module {
            quote!(#name)
        } else if from.0.len() == self.module.0.len() + 1 && from.0.starts_with(&self.module.0) {
            quote!(super::#name)
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
    fields: HashMap<(ShapeId, String), String>,
    variants: HashMap<(ShapeId, String), String>,
    unknown_variants: HashMap<ShapeId, String>,
    service: TypeSymbol,
}

/// Names the generated code uses unqualified: a shape with one of these names would shadow them.
const RESERVED_TYPE_NAMES: &[&str] = &[
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

/// Module names the generated crate defines at its root and in the operation module.
pub const ROOT_MODULES: &[&str] = &["types", "operation", "error", "primitives", "service"];

/// The name of the catch-all variant of operation error enums.
pub const UNHANDLED_VARIANT: &str = "Unhandled";

impl Symbols {
    /// Names every selected shape and operation; fails on a name conflict or an unsupported type.
    pub fn new(index: &Index<'_>) -> Result<Self> {
        let mut symbols = Symbols {
            types: HashMap::new(),
            operations: HashMap::new(),
            fields: HashMap::new(),
            variants: HashMap::new(),
            unknown_variants: HashMap::new(),
            service: TypeSymbol {
                name: upper_camel_case(index.service().0.id.name()),
                module: ModulePath::new(&["service"]),
            },
        };
        let mut taken: BTreeMap<(ModulePath, String), String> = BTreeMap::new();
        let mut claim = |symbol: &TypeSymbol, owner: String| -> Result<()> {
            if RESERVED_TYPE_NAMES.contains(&symbol.name.as_str()) {
                return Err(Error::new(
                    ErrorKind::NameConflict,
                    format!("the Rust name `{}` would shadow the standard type of that name; renaming it is not supported yet", symbol.name),
                )
                .for_shape(&owner));
            }
            if let Some(previous) = taken.insert((symbol.module.clone(), symbol.name.clone()), owner.clone()) {
                return Err(Error::new(
                    ErrorKind::NameConflict,
                    format!(
                        "`{previous}` and `{owner}` both become `{}::{}`",
                        symbol.module, symbol.name
                    ),
                )
                .for_shape(&owner));
            }
            Ok(())
        };

        // Operations first: their inputs and outputs live in the operation's own module.
        let mut operation_modules: BTreeMap<String, ShapeId> = BTreeMap::new();
        let io_uses = io_uses(index);
        for (shape, operation) in index.operations() {
            let name = upper_camel_case(shape.id.name());
            let snake = snake_case(shape.id.name());
            if let Some(previous) = operation_modules.insert(snake.clone(), shape.id.clone()) {
                return Err(Error::new(
                    ErrorKind::NameConflict,
                    format!(
                        "operations `{previous}` and `{}` both become module `operation::{snake}`",
                        shape.id
                    ),
                )
                .for_shape(&shape.id));
            }
            let module = ModulePath::new(&["operation", &snake]);
            let own = |suffix: &str| TypeSymbol {
                name: format!("{name}{suffix}"),
                module: module.clone(),
            };
            let mut io = |target: &ShapeId, suffix: &str| -> Result<(TypeSymbol, bool)> {
                if target.as_str() == "smithy.api#Unit" {
                    let symbol = own(suffix);
                    claim(&symbol, format!("{}{suffix}", shape.id))?;
                    return Ok((symbol, true));
                }
                if io_uses.get(target).copied().unwrap_or(0) == 1 {
                    let symbol = own(suffix);
                    claim(&symbol, target.to_string())?;
                    symbols.types.insert(target.clone(), symbol.clone());
                    return Ok((symbol, false));
                }
                Ok((symbols.type_symbol_for(index.shape(target), &mut claim)?, false))
            };
            let (input, unit_input) = io(&operation.input, "Input")?;
            let (output, unit_output) = io(&operation.output, "Output")?;
            let error = own("Error");
            claim(&error, format!("{}Error", shape.id))?;
            if let Some(clash) = index
                .operation_errors(operation)
                .iter()
                .find(|id| upper_camel_case(id.name()) == UNHANDLED_VARIANT)
            {
                return Err(Error::new(
                    ErrorKind::NameConflict,
                    format!(
                        "error `{clash}` would clash with the `{UNHANDLED_VARIANT}` variant of `{}Error`",
                        name
                    ),
                )
                .for_shape(&shape.id));
            }
            let marker = own("");
            claim(&marker, shape.id.to_string())?;
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
            if matches!(shape.kind, ShapeKind::Structure(_) | ShapeKind::Enum(_))
                && !symbols.types.contains_key(&shape.id)
            {
                symbols.type_symbol_for(shape, &mut claim)?;
            }
            symbols.name_members(index, shape)?;
        }
        Ok(symbols)
    }

    fn type_symbol_for(
        &mut self,
        shape: &Shape,
        claim: &mut impl FnMut(&TypeSymbol, String) -> Result<()>,
    ) -> Result<TypeSymbol> {
        if let Some(symbol) = self.types.get(&shape.id) {
            return Ok(symbol.clone());
        }
        let module = if shape.traits.error().is_some() {
            ModulePath::new(&["types", "error"])
        } else {
            ModulePath::new(&["types"])
        };
        let symbol = TypeSymbol {
            name: upper_camel_case(shape.id.name()),
            module,
        };
        claim(&symbol, shape.id.to_string())?;
        self.types.insert(shape.id.clone(), symbol.clone());
        Ok(symbol)
    }

    fn name_members(&mut self, index: &Index<'_>, shape: &Shape) -> Result<()> {
        match &shape.kind {
            ShapeKind::Structure(members) => {
                let mut seen: HashMap<String, &str> = HashMap::new();
                for member in members {
                    check_supported(index, shape, member)?;
                    index.default_of(shape, member)?;
                    let name = ident(&snake_case(&member.name)).to_string();
                    if name == "build" {
                        return Err(Error::new(
                            ErrorKind::NameConflict,
                            format!("member `{}` would clash with the builder's `build` method; renaming it is not supported yet", member.name),
                        )
                        .for_shape(&shape.id));
                    }
                    if let Some(previous) = seen.insert(name.clone(), &member.name) {
                        return Err(Error::new(
                            ErrorKind::NameConflict,
                            format!("members `{previous}` and `{}` both become field `{name}`", member.name),
                        )
                        .for_shape(&shape.id));
                    }
                    self.fields.insert((shape.id.clone(), member.name.clone()), name);
                }
            }
            ShapeKind::Enum(members) => {
                let mut seen: HashMap<String, &str> = HashMap::new();
                for member in members {
                    let name = upper_camel_case(&member.name);
                    if let Some(previous) = seen.insert(name.clone(), &member.name) {
                        return Err(Error::new(
                            ErrorKind::NameConflict,
                            format!(
                                "enum members `{previous}` and `{}` both become variant `{name}`",
                                member.name
                            ),
                        )
                        .for_shape(&shape.id));
                    }
                    self.variants.insert((shape.id.clone(), member.name.clone()), name);
                }
                let unknown = ["Unknown", "UnknownValue", "UnrecognizedValue"]
                    .into_iter()
                    .find(|candidate| !seen.contains_key(*candidate))
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::NameConflict,
                            "no name is left for the enum's forward-compatible variant",
                        )
                        .for_shape(&shape.id)
                    })?;
                self.unknown_variants.insert(shape.id.clone(), unknown.to_owned());
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
            ShapeKind::List(member) | ShapeKind::Set(member) => check_supported(index, shape, member)?,
            ShapeKind::Map { key, value } => {
                check_supported(index, shape, key)?;
                check_supported(index, shape, value)?;
            }
            ShapeKind::Simple(_) | ShapeKind::Operation(_) | ShapeKind::Service(_) => {}
            ShapeKind::Union(_) | ShapeKind::IntEnum(_) | ShapeKind::Resource(_) => {
                return Err(Error::unsupported(
                    &shape.id,
                    format!("{} shapes are not supported yet", shape.kind.type_name()),
                ))
            }
        }
        if shape.traits.get("smithy.api#enum").is_some() {
            return Err(Error::unsupported(
                &shape.id,
                "the legacy `@enum` trait is not supported yet; use an `enum` shape",
            ));
        }
        Ok(())
    }

    /// The generated type of a structure or enum shape.
    pub fn type_of(&self, id: &ShapeId) -> &TypeSymbol {
        &self.types[id]
    }

    /// The names generated for an operation.
    pub fn operation(&self, id: &ShapeId) -> &OperationSymbol {
        &self.operations[id]
    }

    /// The service trait.
    pub fn service(&self) -> &TypeSymbol {
        &self.service
    }

    /// The field name of a structure member, escaped (`type` → `r#type`).
    pub fn field(&self, container: &ShapeId, member: &Member) -> &str {
        &self.fields[&(container.clone(), member.name.clone())]
    }

    /// The variant name of an enum member.
    pub fn variant(&self, container: &ShapeId, member: &Member) -> &str {
        &self.variants[&(container.clone(), member.name.clone())]
    }

    /// The name of an enum's forward-compatible variant.
    pub fn unknown_variant(&self, container: &ShapeId) -> &str {
        &self.unknown_variants[container]
    }

    /// The Rust type of a value of shape `target`, as written in module `from`.
    pub fn rust_type(&self, index: &Index<'_>, target: &ShapeId, from: &ModulePath) -> TokenStream {
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
                other => unreachable!("{} is refused by check_supported", other.type_name()),
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

/// Refuses members whose target type the generator cannot represent yet.
fn check_supported(index: &Index<'_>, container: &Shape, member: &Member) -> Result<()> {
    let target = index.shape(&member.target);
    let unsupported = match &target.kind {
        ShapeKind::Simple(
            simple @ (Simple::Blob | Simple::Timestamp | Simple::Document | Simple::BigInteger | Simple::BigDecimal),
        ) => Some(format!("{} members", simple.type_name())),
        ShapeKind::Simple(Simple::String) if target.traits.get("smithy.api#enum").is_some() => {
            Some("strings with the legacy `@enum` trait".to_owned())
        }
        ShapeKind::Union(_) | ShapeKind::IntEnum(_) => Some(format!("{} members", target.kind.type_name())),
        _ => None,
    };
    match unsupported {
        Some(what) => Err(Error::unsupported(
            &container.id,
            format!(
                "member `{}` targets `{}`: {what} are not supported yet",
                member.name, target.id
            ),
        )),
        None => Ok(()),
    }
}
