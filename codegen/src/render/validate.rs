//! Validation: `validate()` on every structure and union that has constraints (`@required`
//! members a client may leave unset, `@length`, `@range`, `@pattern`, `@uniqueItems`, and in
//! crates with a server, enum values), directly or in what it contains. It reports every
//! violation with the member path.

use std::collections::HashMap;
use std::sync::Mutex;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Number;

use super::Context;
use crate::ident::ident;
use crate::index::Index;
use crate::model::{Member, Shape, ShapeId, ShapeKind, Simple, Traits};

/// Which shapes have constraints to check, directly or below them; computed once per shape.
#[derive(Default)]
pub(crate) struct Constrained {
    memo: Mutex<HashMap<ShapeId, bool>>,
    /// Enum values are checked too: a server refuses values outside the model's set (a client
    /// keeps them, for forward compatibility).
    enums: bool,
}

impl Constrained {
    /// With `enums`, enum values count as constraints.
    pub fn new(enums: bool) -> Self {
        Self {
            memo: Mutex::default(),
            enums,
        }
    }

    /// Whether values of `shape` (a structure or union) need a `validate_into`.
    pub fn shape(&self, index: &Index<'_>, shape: &Shape) -> bool {
        if let Some(known) = self.memo.lock().unwrap_or_else(|p| p.into_inner()).get(&shape.id) {
            return *known;
        }
        // A cycle is assumed clean until shown otherwise.
        self.memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(shape.id.clone(), false);
        let result = match &shape.kind {
            ShapeKind::Structure(members) => members.iter().any(|member| {
                (member.traits.is_required() && index.is_optional(shape, member)) || self.member(index, member)
            }),
            ShapeKind::Union(members) => members.iter().any(|member| self.member(index, member)),
            _ => false,
        };
        self.memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(shape.id.clone(), result);
        result
    }

    /// Whether a member's value has constraints: its own traits, its target's, or below.
    fn member(&self, index: &Index<'_>, member: &Member) -> bool {
        let target = index.shape(&member.target);
        has_constraint(&member.traits, target) || self.value(index, target)
    }

    fn value(&self, index: &Index<'_>, target: &Shape) -> bool {
        if target.traits.is_streaming() {
            return false;
        }
        has_constraint(&target.traits, target)
            || match &target.kind {
                ShapeKind::Enum(_) => self.enums,
                ShapeKind::Structure(_) | ShapeKind::Union(_) => self.shape(index, target),
                ShapeKind::List(member) | ShapeKind::Set(member) => self.member(index, member),
                ShapeKind::Map { key, value } => self.member(index, key) || self.member(index, value),
                _ => false,
            }
    }
}

/// Whether `traits` ask for a check that values of `target` get (a `@length` on a string, not
/// a `@pattern` the regex crate cannot run, ...).
fn has_constraint(traits: &Traits, target: &Shape) -> bool {
    !trait_checks(traits, target, &quote!(value), &quote!(path), &[]).is_empty()
}

/// Look-around and back-references, which the `regex` crate does not support: such a pattern
/// is documented but not checked.
pub(crate) fn regex_supported(pattern: &str) -> bool {
    !["(?=", "(?!", "(?<=", "(?<!"]
        .iter()
        .any(|construct| pattern.contains(construct))
        && !pattern
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && (b'1'..=b'9').contains(&w[1]))
}

/// The checks of one value (`value` is an expression of type `&T`) at `path` (a `&str`).
fn checks(cx: &Context<'_>, traits: &[&Traits], target: &Shape, value: TokenStream, path: TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for traits in traits {
        out.extend(trait_checks(traits, target, &value, &path, &[]));
    }
    // A member's constraint trait replaces the same trait of its target.
    let overridden: Vec<&str> = CONSTRAINTS
        .iter()
        .copied()
        .filter(|name| traits.iter().any(|traits| traits.get(name).is_some()) && target.traits.get(name).is_some())
        .collect();
    // A constrained simple shape is checked by one function, shared by every member that uses it.
    match cx.constraint_functions.get(&target.id) {
        Some(function) if overridden.is_empty() => {
            let function = ident(function);
            out.extend(quote!(crate::types::constraints::#function(#path, #value, violations);));
        }
        _ => out.extend(trait_checks(&target.traits, target, &value, &path, &overridden)),
    }
    if let (ShapeKind::Enum(members), true) = (&target.kind, cx.constrained.enums) {
        let known = members.iter().map(crate::symbols::enum_wire_value);
        // `@internal` values are accepted but not listed in the message.
        let listed = members
            .iter()
            .filter(|member| member.traits.get("smithy.api#internal").is_none())
            .map(crate::symbols::enum_wire_value)
            .collect::<Vec<_>>()
            .join(", ");
        out.extend(
            quote!(crate::error::validate::enum_value(#path, #value.as_str(), &[#(#known),*], #listed, violations);),
        );
    }
    out.extend(nested_checks(cx, target, value, path));
    out
}

/// The names of the functions that check constrained simple shapes, by shape id.
pub(crate) fn constraint_functions(index: &Index<'_>) -> std::collections::BTreeMap<ShapeId, String> {
    let mut used = std::collections::HashSet::new();
    index
        .closure()
        .filter(|shape| constrained_simple(shape))
        .map(|shape| {
            let base = crate::ident::snake_case(shape.id.name())
                .trim_start_matches('_')
                .to_owned();
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            (shape.id.clone(), name)
        })
        .collect()
}

fn constrained_simple(shape: &Shape) -> bool {
    matches!(
        shape.kind,
        ShapeKind::Simple(
            Simple::String
                | Simple::Blob
                | Simple::Byte
                | Simple::Short
                | Simple::Integer
                | Simple::Long
                | Simple::Float
                | Simple::Double
        )
    ) && has_constraint(&shape.traits, shape)
}

/// The `types::constraints` module: one function per constrained simple shape.
pub(super) fn constraint_module(cx: &Context<'_>) -> Vec<(String, TokenStream)> {
    cx.constraint_functions
        .iter()
        .map(|(id, function)| {
            let shape = cx.index.shape(id);
            let ty = match shape.kind {
                ShapeKind::Simple(Simple::String) => quote!(str),
                _ => cx.symbols.rust_type(
                    cx.index,
                    id,
                    &crate::symbols::ModulePath::new(&["types", "constraints"]),
                ),
            };
            let body = trait_checks(&shape.traits, shape, &quote!(value), &quote!(path), &[]);
            let doc = format!(" Checks a `{}` value.", id.name());
            let name = ident(function);
            (
                function.clone(),
                quote! {
                    #[doc = #doc]
                    pub fn #name(path: &str, value: &#ty, violations: &mut Vec<crate::error::Violation>) {
                        #body
                    }
                },
            )
        })
        .collect()
}

/// The constraint traits `validate()` checks.
const CONSTRAINTS: [&str; 4] = [
    "smithy.api#length",
    "smithy.api#range",
    "smithy.api#pattern",
    "smithy.api#uniqueItems",
];

/// The `@length`, `@range`, `@pattern` and `@uniqueItems` checks of one set of traits, but for
/// the traits in `skip`.
fn trait_checks(
    traits: &Traits,
    target: &Shape,
    value: &TokenStream,
    path: &TokenStream,
    skip: &[&str],
) -> TokenStream {
    let mut out = TokenStream::new();
    let owned;
    let traits = if skip.is_empty() {
        traits
    } else {
        owned = traits.without(skip);
        &owned
    };
    {
        if let Some((min, max)) = traits.length() {
            let length = match &target.kind {
                ShapeKind::Simple(Simple::String) => Some(quote!(#value.chars().count())),
                ShapeKind::Simple(Simple::Blob) => Some(quote!(#value.as_bytes().len())),
                ShapeKind::List(_) | ShapeKind::Set(_) | ShapeKind::Map { .. } => Some(quote!(#value.len())),
                _ => None,
            };
            if let Some(length) = length {
                let min = option(min.map(|n| quote!(#n)));
                let max = option(max.map(|n| quote!(#n)));
                out.extend(quote!(crate::error::validate::length(#path, #length, #min, #max, violations);));
            }
        }
        if let Some((min, max)) = traits.range() {
            let numeric = matches!(
                target.kind,
                ShapeKind::Simple(
                    Simple::Byte | Simple::Short | Simple::Integer | Simple::Long | Simple::Float | Simple::Double
                )
            );
            if numeric {
                let bound = |n: Option<&Number>| {
                    option(n.and_then(Number::as_f64).map(|n| {
                        let literal = proc_macro2::Literal::f64_unsuffixed(n);
                        quote!(#literal)
                    }))
                };
                let (min, max) = (bound(min), bound(max));
                let number = match target.kind {
                    ShapeKind::Simple(Simple::Double) => quote!(*#value),
                    ShapeKind::Simple(Simple::Long) => quote!(*#value as f64),
                    _ => quote!(f64::from(*#value)),
                };
                out.extend(quote!(crate::error::validate::range(#path, #number, #min, #max, violations);));
            }
        }
        if let Some(pattern) = traits.pattern() {
            if matches!(target.kind, ShapeKind::Simple(Simple::String)) && regex_supported(pattern) {
                out.extend(quote! {{
                    static REGEX: std::sync::LazyLock<Option<regex::Regex>> =
                        std::sync::LazyLock::new(|| regex::Regex::new(#pattern).ok());
                    crate::error::validate_pattern::pattern(#path, #value, REGEX.as_ref(), #pattern, violations);
                }});
            }
        }
        if traits.is_unique_items() && matches!(target.kind, ShapeKind::List(_) | ShapeKind::Set(_)) {
            out.extend(quote!(crate::error::validate::unique(#path, #value, violations);));
        }
    }
    out
}

/// The checks of what a value contains: a structure's or union's own, list items, map entries.
fn nested_checks(cx: &Context<'_>, target: &Shape, value: TokenStream, path: TokenStream) -> TokenStream {
    let index = cx.index;
    let mut out = TokenStream::new();
    match &target.kind {
        ShapeKind::Structure(_) | ShapeKind::Union(_) if cx.constrained.shape(index, target) => {
            out.extend(quote!(#value.validate_into(#path, violations);));
        }
        ShapeKind::List(member) | ShapeKind::Set(member) if cx.constrained.member(index, member) => {
            let item_target = index.shape(&member.target);
            let inner = checks(cx, &[&member.traits], item_target, quote!(item), quote!(&path));
            let inner = if target.traits.is_sparse() {
                quote!(if let Some(item) = item { #inner })
            } else {
                inner
            };
            out.extend(quote! {
                for (position, item) in #value.iter().enumerate() {
                    let path = crate::error::validate::join(#path, position);
                    #inner
                }
            });
        }
        ShapeKind::Map { key, value: map_value }
            if cx.constrained.member(index, key) || cx.constrained.member(index, map_value) =>
        {
            let key_checks = checks(cx, &[&key.traits], index.shape(&key.target), quote!(key), path.clone());
            let value_checks = checks(
                cx,
                &[&map_value.traits],
                index.shape(&map_value.target),
                quote!(item),
                quote!(&path),
            );
            let value_checks = if target.traits.is_sparse() && !value_checks.is_empty() {
                quote!(if let Some(item) = item { #value_checks })
            } else {
                value_checks
            };
            let value_path =
                (!value_checks.is_empty()).then(|| quote!(let path = crate::error::validate::join(#path, key);));
            let item = if value_checks.is_empty() {
                quote!(_)
            } else {
                quote!(item)
            };
            out.extend(quote! {
                for (key, #item) in #value.iter() {
                    #key_checks
                    #value_path
                    #value_checks
                }
            });
        }
        _ => {}
    }
    out
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

/// `validate` and `validate_into` for a structure.
pub(super) fn structure(cx: &Context<'_>, shape: &Shape, fields: &[(&Member, String, bool, bool)]) -> TokenStream {
    let body = fields.iter().map(|(member, field, optional, streaming)| {
        if *streaming {
            return TokenStream::new();
        }
        let ident = ident(field);
        let target = cx.index.shape(&member.target);
        let wire = member.name.as_str();
        let path = quote!(&crate::error::validate::join(path, #wire));
        let value_checks = checks(cx, &[&member.traits], target, quote!(value), quote!(path));
        let required = member.traits.is_required() && *optional;
        match (optional, required, value_checks.is_empty()) {
            (true, true, true) => quote! {
                if self.#ident.is_none() {
                    crate::error::validate::missing(crate::error::validate::join(path, #wire), violations);
                }
            },
            (true, true, false) => quote! {
                match &self.#ident {
                    Some(value) => {
                        let path = #path;
                        let path = path.as_str();
                        #value_checks
                    }
                    None => crate::error::validate::missing(crate::error::validate::join(path, #wire), violations),
                }
            },
            (true, false, false) => quote! {
                if let Some(value) = &self.#ident {
                    let path = #path;
                    let path = path.as_str();
                    #value_checks
                }
            },
            (false, _, false) => quote! {
                {
                    let value = &self.#ident;
                    let path = #path;
                    let path = path.as_str();
                    #value_checks
                }
            },
            _ => TokenStream::new(),
        }
    });
    methods(shape, quote!(#(#body)*))
}

/// `validate` and `validate_into` for a union.
pub(super) fn union(cx: &Context<'_>, shape: &Shape, variants: &[(&Member, String, bool)]) -> TokenStream {
    let arms = variants
        .iter()
        .filter(|(_, _, has_value)| *has_value)
        .filter_map(|(member, variant, _)| {
            let variant = ident(variant);
            let target = cx.index.shape(&member.target);
            let wire = member.name.as_str();
            let value_checks = checks(cx, &[&member.traits], target, quote!(value), quote!(path));
            if value_checks.is_empty() {
                return None;
            }
            Some(quote! {
                Self::#variant(value) => {
                    let path = crate::error::validate::join(path, #wire);
                    let path = path.as_str();
                    #value_checks
                }
            })
        });
    methods(
        shape,
        quote! {
            #[allow(unreachable_patterns, clippy::single_match)]
            match self {
                #(#arms)*
                _ => {}
            }
        },
    )
}

fn methods(_shape: &Shape, body: TokenStream) -> TokenStream {
    quote! {
        /// Checks the model's constraints on this value and everything in it, and returns every
        /// violation with the path of the member that broke it.
        pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
            let mut violations = Vec::new();
            self.validate_into("", &mut violations);
            crate::error::validate::finish(violations)
        }

        #[doc(hidden)]
        pub fn validate_into(&self, path: &str, violations: &mut Vec<crate::error::Violation>) {
            #body
        }
    }
}
