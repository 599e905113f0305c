//! Structures: a struct with public fields, its builder, a `Debug` (from the schema, in the runtime,
//! or an error's own) that redacts `@sensitive` data, and the few impls through which the runtime's
//! codecs, validation and serde form read and build it with its schema.

use crate::tokens::quote;
use crate::tokens::{Ident, Literal, Tokens};

use super::super::{deprecated_attr, doc_attrs, is_sensitive, Context, Output, REDACTED};
use crate::ident::ident;
use crate::index::DefaultValue;
use crate::model::{Member, Shape};
use crate::symbols::{Rt, TypeSymbol};

/// Renders a structure shape that has a type of its own (errors get their extra impls too).
pub(in crate::render) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    render_structure(cx, out, shape, members, symbol, doc_attrs(&shape.traits));
    if shape.traits.error().is_some() {
        super::errors::render_error_shape(cx, out, shape, members, symbol);
    }
}

/// One member as a field of the struct and of its builder.
struct Field {
    ident: Ident,
    /// The field name as written in Rust, for `Debug` and errors.
    name: String,
    /// The member's value type, unboxed, as the struct's module names it.
    value_ty: Tokens,
    /// The same type as the builder's module names it: what the builder stores and takes.
    builder_ty: Tokens,
    /// The field's type: `value_ty`, boxed and wrapped in `Option` as needed.
    ty: Tokens,
    optional: bool,
    boxed: bool,
    /// `build()` fails without it.
    required: bool,
    default: Option<DefaultValue>,
    sensitive: bool,
    docs: Tokens,
    deprecated: Tokens,
    /// An `@idempotencyToken`: the builder fills in a fresh token when it is not set.
    idempotency_token: bool,
    /// The default of an `@input` member, which a server fills in when it is not set.
    input_default: Option<DefaultValue>,
}

fn fields(cx: &Context<'_>, shape: &Shape, members: &[Member], symbol: &TypeSymbol) -> Vec<Field> {
    members
        .iter()
        .map(|member| {
            let required = cx.index.required_in_builder(shape, member);
            let name = cx.symbols.field(&shape.id, member).to_owned();
            let value_ty = cx.symbols.rust_type(cx.index, &member.target, &symbol.module);
            let builder_ty = cx.symbols.rust_type(cx.index, &member.target, &symbol.builder().module);
            let boxed = cx.index.needs_box(&shape.id, member);
            let target = cx.index.shape(&member.target);
            let streaming = target.traits.is_streaming();
            let optional = cx.index.is_optional_field(shape, member);
            let stored = if boxed {
                quote!(Box<#value_ty>)
            } else {
                value_ty.clone()
            };
            let ty = if optional { quote!(Option<#stored>) } else { stored };
            let default = cx.index.default_of(shape, member).ok().flatten();
            Field {
                ident: ident(&name),
                name,
                value_ty,
                builder_ty,
                ty,
                optional,
                boxed,
                required,
                default: if streaming { Some(DefaultValue::Zero) } else { default },
                sensitive: shape.traits.is_sensitive() || is_sensitive(cx.index, target),
                docs: member_docs(cx, member, required),
                deprecated: deprecated_attr(&member.traits),
                idempotency_token: member.traits.is_idempotency_token(),
                input_default: cx.index.input_default(shape, member).ok().flatten(),
            }
        })
        .collect()
}

/// Renders the struct, its impls and its builder into the symbol's module. `shape` is a
/// structure of the model, or `smithy.api#Unit` standing in for an operation's input or output.
pub(in crate::render) fn render_structure(
    cx: &Context<'_>,
    out: &mut Output,
    shape: &Shape,
    members: &[Member],
    symbol: &TypeSymbol,
    docs: Tokens,
) {
    let fields = fields(cx, shape, members, symbol);
    if fields.iter().any(|field| !field.deprecated.is_empty()) {
        // The struct's own impls and builder use its deprecated fields; users still see the lint.
        out.allow(&symbol.module, "deprecated");
    }
    let name = ident(&symbol.name);
    let builder = symbol.builder();
    let builder_path = builder.path_from(&symbol.module);
    let redacts = fields.iter().any(|field| field.sensitive);
    let all_optional = fields.iter().all(|field| field.optional);
    let schema = if cx.symbols.has_schema(&shape.id) {
        cx.symbols.schema(&shape.id)
    } else {
        let prelude = Rt::Prelude.path();
        quote!(#prelude::UNIT)
    };
    let meta = (shape.traits.error().is_some() && cx.symbols.has_schema(&shape.id))
        .then(|| ident(cx.symbols.error_meta(&shape.id)));

    // An error keeps a derived (or redacting) `Debug`, which shows what the response said
    // of it; other structures format themselves from their schema, in the runtime.
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if meta.is_some() && !redacts {
        derives.push(quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    let struct_fields = fields.iter().map(|field| {
        let Field {
            ident,
            ty,
            docs,
            deprecated,
            ..
        } = field;
        quote! {
            #docs
            #deprecated
            pub #ident: #ty,
        }
    });
    let meta_field = meta.as_ref().map(|meta| {
        let ty = Rt::ErrorMeta.path();
        quote! {
            /// What the response said of the error beyond its members: its status and code.
            #[doc(hidden)]
            pub #meta: #ty,
        }
    });
    let default_fns = fields.iter().filter_map(|field| {
        let value = default_expr(field)?;
        let function = Ident::new(&default_fn(field));
        let ty = &field.value_ty;
        Some(quote! {
            #[doc(hidden)]
            pub(crate) fn #function() -> #ty {
                #value
            }
        })
    });
    let name_str = symbol.name.as_str();
    let debug = if meta.is_none() {
        Some(schema_debug_impl(&name, name_str, &quote!(self)))
    } else {
        redacts.then(|| error_debug_impl(&name, name_str, &fields))
    };
    let builder_doc = format!(
        " Returns a {} to create a [`{name_str}`] with.",
        builder.doc_link(&symbol.module)
    );
    let value = Rt::Value.path();
    let view = Rt::View.path();
    let structure = Rt::Structure.path();
    let schema_ty = Rt::Schema.path();
    let zero = Rt::Zero.path();
    let serde = super::serde_impls(&name, super::SerdeKind::Structure(&schema));
    let validate = Rt::Validate.path();
    let checks = Rt::Checks.path();
    let optional = Rt::Optional.path();
    let validate_module = Rt::ValidateModule.path();
    let member_arms = fields.iter().enumerate().map(|(index, field)| {
        let ident = &field.ident;
        let index = Literal::usize_unsuffixed(index);
        if field.optional {
            quote!(#index => #optional(&self.#ident),)
        } else {
            quote!(#index => Some(&self.#ident),)
        }
    });
    let members = if fields.is_empty() {
        quote! {
            let _ = index;
            None
        }
    } else {
        quote! {
            match index {
                #(#member_arms)*
                _ => None,
            }
        }
    };
    let finish_fields = fields.iter().map(|field| {
        let ident = &field.ident;
        let boxed = |value: Tokens| if field.boxed { quote!(Box::new(#value)) } else { value };
        let value = if field.optional {
            if field.boxed {
                quote!(builder.#ident.map(Box::new))
            } else {
                quote!(builder.#ident)
            }
        } else {
            match &field.default {
                Some(DefaultValue::Zero) => boxed(quote!(builder.#ident.unwrap_or_default())),
                Some(_) => {
                    let function = Ident::new(&default_fn(field));
                    boxed(quote!(builder.#ident.unwrap_or_else(Self::#function)))
                }
                None => boxed(quote!(builder.#ident.unwrap_or_else(#zero::zero))),
            }
        };
        quote!(#ident: #value,)
    });
    let finish_meta = meta.as_ref().map(|meta| quote!(#meta: Default::default(),));
    let input_defaults: Vec<Tokens> = fields
        .iter()
        .filter(|field| field.optional)
        .filter_map(|field| {
            let default = field.input_default.as_ref()?;
            let ident = &field.ident;
            let value = default_value(&field.value_ty, default).unwrap_or_else(|| quote!(Default::default()));
            let value = if field.boxed { quote!(Box::new(#value)) } else { value };
            Some(quote! {
                if self.#ident.is_none() {
                    self.#ident = Some(#value);
                }
            })
        })
        .collect();
    let apply_defaults = (!input_defaults.is_empty()).then(|| {
        quote! {
            #[inline]
            fn apply_defaults(&mut self) {
                #(#input_defaults)*
            }
        }
    });
    let error_structure = meta.as_ref().map(|meta| {
        let error_structure = Rt::ErrorStructure.path();
        let error_meta = Rt::ErrorMeta.path();
        quote! {
            impl #error_structure for #name {
                #[inline]
                fn set_meta(&mut self, meta: #error_meta) {
                    self.#meta = meta;
                }
            }
        }
    });
    let unused_builder = fields.is_empty().then(|| quote!(let _ = builder;));
    let new_fn = cx
        .index
        .build_is_fallible(shape)
        .then(|| new_fn(&name, name_str, &fields));
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #docs
            #[derive(#(#derives),*)]
            #[non_exhaustive]
            pub struct #name {
                #(#struct_fields)*
                #meta_field
            }

            impl #name {
                #[doc = #builder_doc]
                #[inline]
                pub fn builder() -> #builder_path {
                    <#builder_path as Default>::default()
                }

                #new_fn

                /// Checks the model's constraints on this value and everything in it, and returns
                /// every violation with the path of the member that broke it.
                #[inline]
                pub fn validate(&self) -> Result<(), #validate_module::ValidationError> {
                    #validate(self, &#schema, #checks::Client)
                }
                #(#default_fns)*
            }

            #debug

            impl #value for #name {
                #[inline]
                fn view(&self) -> #view<'_> {
                    #view::Structure(self)
                }

                #[inline]
                fn member(&self, index: usize) -> Option<&dyn #value> {
                    #members
                }
            }

            impl #structure for #name {
                const SCHEMA: &'static #schema_ty = &#schema;
                type Builder = #builder_path;

                #[inline]
                fn finish(builder: Self::Builder) -> Self {
                    #unused_builder
                    Self {
                        #(#finish_fields)*
                        #finish_meta
                    }
                }

                #apply_defaults
            }

            #error_structure

            #serde
        },
    );
    render_builder(cx, out, shape, symbol, &builder, &fields);
}

/// `new`, for a structure whose builder can fail: the structure from its required members, so
/// that leaving one out is a compile-time error; the others are unset or take their defaults.
fn new_fn(name: &Ident, name_str: &str, fields: &[Field]) -> Tokens {
    let required: Vec<&Field> = fields.iter().filter(|field| field.required).collect();
    let params = required.iter().map(|field| {
        let ident = &field.ident;
        let ty = &field.value_ty;
        quote!(#ident: impl Into<#ty>)
    });
    let sets = required.iter().map(|field| {
        let ident = &field.ident;
        quote!(__builder.#ident = Some(#ident.into());)
    });
    let tokens = fields.iter().filter(|field| field.idempotency_token).map(|field| {
        let ident = &field.ident;
        let token = Rt::IdempotencyToken.path();
        quote!(__builder.#ident = Some(#token());)
    });
    let structure = Rt::Structure.path();
    let many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    // Clippy's placeholder names, which a model may well use for members.
    let placeholder = required
        .iter()
        .any(|field| matches!(field.ident.to_string().as_str(), "foo" | "baz" | "quux"))
        .then(|| quote!(#[allow(clippy::disallowed_names)]));
    let doc = format!(" A [`{name_str}`] from its required members; the others are unset or take their defaults.");
    quote! {
        #[doc = #doc]
        #[inline]
        #many
        #placeholder
        pub fn new(#(#params),*) -> Self {
            let mut __builder = Self::builder();
            #(#sets)*
            #(#tokens)*
            <#name as #structure>::finish(__builder)
        }
    }
}

fn default_fn(field: &Field) -> String {
    format!("default_{}", field.name)
}

/// The expression of a non-zero default, or `None` for zero defaults and no default.
fn default_expr(field: &Field) -> Option<Tokens> {
    default_value(&field.value_ty, field.default.as_ref()?)
}

/// The expression of a default value of type `ty`, or `None` for a zero default.
fn default_value(ty: &Tokens, default: &DefaultValue) -> Option<Tokens> {
    Some(match default {
        DefaultValue::Zero => return None,
        DefaultValue::Bool(value) => quote!(#value),
        DefaultValue::Integer(value) => {
            let literal = Literal::integer(*value);
            quote!(#literal)
        }
        DefaultValue::Float(value) => {
            let literal = Literal::f64_unsuffixed(*value);
            quote!(#literal)
        }
        DefaultValue::String(value) => quote!(String::from(#value)),
        DefaultValue::EnumValue(value) => quote!(#ty::from(#value)),
        DefaultValue::IntEnumValue(value) => {
            let literal = Literal::integer(*value);
            quote!(#ty::from(#literal))
        }
        DefaultValue::Timestamp(seconds) => {
            let literal = Literal::f64_unsuffixed(*seconds);
            quote!(crate::primitives::DateTime::from_secs_f64(#literal).unwrap_or_default())
        }
        DefaultValue::TimestampText(text) => {
            quote!(crate::primitives::DateTime::parse_date_time(#text).unwrap_or_default())
        }
        DefaultValue::Blob(bytes) => {
            let bytes = Literal::byte_string(bytes);
            quote!(crate::primitives::Blob::new(#bytes.to_vec()))
        }
        DefaultValue::BigNumber(text) => quote!(#ty::new(#text).unwrap_or_default()),
        DefaultValue::Document(json) => {
            quote!(<crate::primitives::Document as std::str::FromStr>::from_str(#json).unwrap_or_default())
        }
    })
}

fn render_builder(
    cx: &Context<'_>,
    out: &mut Output,
    shape: &Shape,
    target: &TypeSymbol,
    builder: &TypeSymbol,
    fields: &[Field],
) {
    if builder_is_the_value(shape, fields) {
        render_value_builder(out, target, builder, fields);
        return;
    }
    let builder_name = ident(&builder.name);
    let target_path = target.path_from(&builder.module);
    let target_str = target.name.as_str();
    let storage = fields
        .iter()
        .map(|Field { ident, builder_ty, .. }| quote!(pub(crate) #ident: Option<#builder_ty>,));
    let setters = setters(fields);
    let fallible = cx.index.build_is_fallible(shape);
    let checks = fields.iter().filter(|field| field.required).map(|field| {
        let ident = &field.ident;
        let field_name = field.name.as_str();
        quote! {
            if self.#ident.is_none() {
                return Err(crate::error::BuildError::missing(#target_str, #field_name));
            }
        }
    });
    let tokens = fields.iter().filter(|field| field.idempotency_token).map(|field| {
        let ident = &field.ident;
        let token = Rt::IdempotencyToken.path();
        quote! {
            if self.#ident.is_none() {
                self.#ident = Some(#token());
            }
        }
    });
    let mutable = fields.iter().any(|field| field.idempotency_token).then(|| quote!(mut));
    let structure = Rt::Structure.path();
    let link = target.doc_link(&builder.module);
    let build = if fallible {
        let doc = format!(" Builds the {link}, or names the first required member that is not set.");
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn build(#mutable self) -> Result<#target_path, crate::error::BuildError> {
                #(#checks)*
                #(#tokens)*
                Ok(<#target_path as #structure>::finish(self))
            }
        }
    } else {
        let doc = format!(" Builds the {link}.");
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn build(#mutable self) -> #target_path {
                #(#tokens)*
                <#target_path as #structure>::finish(self)
            }
        }
    };
    // `Debug` shows the value the builder would finish as, formatted from its schema.
    let derives = quote!(Clone, Default);
    let structure = Rt::Structure.path();
    let debug = schema_debug_impl(
        &builder_name,
        &builder.name,
        &quote!(&<#target_path as #structure>::finish(self.clone())),
    );
    let struct_builder = Rt::StructBuilder.path();
    let slot = Rt::Slot.path();
    let slots = slots(fields);
    let doc = format!(" A builder for {link}.");
    out.add(
        &builder.module,
        &builder.name,
        quote! {
            #[doc = #doc]
            #[derive(#derives)]
            pub struct #builder_name {
                #(#storage)*
            }

            impl #builder_name {
                #(#setters)*
                #build
            }

            #debug

            impl #struct_builder for #builder_name {
                #[inline]
                fn slot(&mut self, index: usize) -> Option<&mut dyn #slot> {
                    #slots
                }
            }
        },
    );
}

/// A builder's setters, one per member: each takes anything that converts into the member's
/// type.
fn setters(fields: &[Field]) -> Vec<Tokens> {
    fields
        .iter()
        .map(|field| {
            let Field {
                ident,
                builder_ty,
                docs,
                deprecated,
                ..
            } = field;
            // A setter named as a binary operator's method (a member `add`, `sub`, ...) has that
            // method's shape, which clippy flags.
            let operator = matches!(
                ident.to_string().as_str(),
                "add" | "sub" | "mul" | "div" | "rem" | "shl" | "shr" | "bitand" | "bitor" | "bitxor"
            )
            .then(|| quote!(#[allow(clippy::should_implement_trait)]));
            quote! {
                #docs
                #deprecated
                #operator
                pub fn #ident(mut self, value: impl Into<#builder_ty>) -> Self {
                    self.#ident = Some(value.into());
                    self
                }
            }
        })
        .collect()
}

/// The body of `StructBuilder::slot`: the member at `index` as the slot a decoder fills.
fn slots(fields: &[Field]) -> Tokens {
    if fields.is_empty() {
        return quote! {
            let _ = index;
            None
        };
    }
    let arms = fields.iter().enumerate().map(|(index, field)| {
        let ident = &field.ident;
        let index = Literal::usize_unsuffixed(index);
        quote!(#index => &mut self.#ident,)
    });
    quote! {
        Some(match index {
            #(#arms)*
            _ => return None,
        })
    }
}

/// Whether a structure is its own builder: every member optional and stored as the builder
/// would store it (not boxed), nothing for `build()` to check or fill in, not an error (which
/// keeps what the response said of it), and no member whose setter would take the name of a
/// method the value has or is commonly called on it. Its builder is then a `pub type` naming it,
/// and its setters are the value's methods: one type, one set of derives and one `Debug`
/// instead of two.
fn builder_is_the_value(shape: &Shape, fields: &[Field]) -> bool {
    const TAKEN: &[&str] = &[
        "builder",
        "build",
        "new",
        "validate",
        "clone",
        "clone_from",
        "clone_into",
        "eq",
        "ne",
        "fmt",
        "default",
        "hash",
        "into",
        "try_into",
        "from",
        "try_from",
        "as_ref",
        "as_mut",
        "borrow",
        "borrow_mut",
        "to_owned",
        "to_string",
        "type_id",
        "view",
        "member",
        "variant",
        "events",
        "byte_stream",
        "finish",
        "apply_defaults",
        "slot",
        "serialize",
        "deserialize",
    ];
    shape.traits.error().is_none()
        && fields.iter().all(|field| {
            field.optional
                && !field.boxed
                && !field.required
                && !field.idempotency_token
                && !TAKEN.contains(&field.ident.to_string().trim_start_matches("r#"))
        })
}

/// The builder of a structure that is its own builder ([`builder_is_the_value`]): a `pub type`
/// naming the structure, the setters and `build` as the structure's methods, and the slots the
/// runtime's decoders fill.
fn render_value_builder(out: &mut Output, target: &TypeSymbol, builder: &TypeSymbol, fields: &[Field]) {
    let builder_name = ident(&builder.name);
    let target_path = target.path_from(&builder.module);
    let link = target.doc_link(&builder.module);
    let setters = setters(fields);
    let struct_builder = Rt::StructBuilder.path();
    let slot = Rt::Slot.path();
    let slots = slots(fields);
    let doc = format!(
        " A builder for {link}: the value itself, as every member is optional. Its setters are \
         the value's methods, and `build` gives it back."
    );
    let build_doc = format!(" Builds the {link}: the value itself.");
    out.add(
        &builder.module,
        &builder.name,
        quote! {
            #[doc = #doc]
            pub type #builder_name = #target_path;

            impl #builder_name {
                #(#setters)*

                #[doc = #build_doc]
                #[inline]
                pub fn build(self) -> Self {
                    self
                }
            }

            impl #struct_builder for #builder_name {
                #[inline]
                fn slot(&mut self, index: usize) -> Option<&mut dyn #slot> {
                    #slots
                }
            }
        },
    );
}

/// A `Debug` impl that formats `value` (a structure) from its schema, in the runtime.
fn schema_debug_impl(name: &Ident, name_str: &str, value: &Tokens) -> Tokens {
    let debug = Rt::DebugStructure.path();
    quote! {
        impl std::fmt::Debug for #name {
            #[inline]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #debug(#value, #name_str, f)
            }
        }
    }
}

/// An error structure's `Debug`: every field, sensitive ones as a redaction marker, and `..` for
/// what the response said of it.
fn error_debug_impl(name: &Ident, name_str: &str, fields: &[Field]) -> Tokens {
    let entries = fields.iter().map(|field| {
        let ident = &field.ident;
        let field_name = field.name.as_str();
        if field.sensitive {
            quote!(.field(#field_name, &#REDACTED))
        } else {
            quote!(.field(#field_name, &self.#ident))
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            #[inline]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name_str)
                    #(#entries)*
                    .finish_non_exhaustive()
            }
        }
    }
}

/// A member's documentation: "**Required.**" first when `build()` fails without it, then the
/// model's documentation, then what the protocol says of where it goes on the wire, and a
/// `@pattern` the generated code cannot check.
fn member_docs(cx: &Context<'_>, member: &Member, required: bool) -> Tokens {
    let mut docs = doc_attrs(&member.traits);
    if required {
        let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
        docs = quote!(#[doc = " **Required.**"] #separator #docs);
    }
    let target = cx.index.shape(&member.target);
    let gap = member
        .traits
        .pattern()
        .or_else(|| target.traits.pattern())
        .and_then(|pattern| Some((pattern, cx.patterns.unchecked(pattern)?)));
    let notes = cx
        .protocol
        .member_doc(member)
        .map(|wire| format!(" {wire}"))
        .into_iter()
        .chain(gap.map(|(pattern, reason)| {
            format!(
                " The model's `@pattern` {} is not checked: the runtime cannot check it ({}).",
                crate::docs::code_span(pattern),
                crate::docs::code_span(&reason)
            )
        }));
    for note in notes {
        let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
        docs = quote!(#docs #separator #[doc = #note]);
    }
    docs
}
