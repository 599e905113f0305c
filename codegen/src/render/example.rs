//! The example on a generated crate's front page: build a client, build the input of one of the
//! service's operations with its required members, call it. The example is Markdown with a
//! `no_run` doctest, so `cargo test --doc` compiles it against the crate.

use crate::ident::ident;
use crate::model::{Shape, ShapeKind, Simple};

use super::Context;

/// The front-page example, with paths from the crate root; [`Example::markdown`] names the crate.
#[derive(Debug, Clone, Default)]
pub struct Example {
    /// What the example imports, from the crate root (`client::{Client, Config}`), each with a
    /// comment to write after it.
    uses: Vec<(String, Option<&'static str>)>,
    /// The example's statements, one line each.
    body: Vec<String>,
}

impl Example {
    /// The example for the selected operations, or `None` when there are none: the first
    /// operation whose required input members are all strings or booleans (so that the example
    /// sets each of them), else the first operation. The call is shown for services whose
    /// protocol the client speaks; for others, building the input.
    pub(crate) fn new(cx: &Context<'_>) -> Option<Self> {
        let operations: Vec<_> = cx.index.operations().collect();
        let settable = |(shape, operation): &(&Shape, &crate::model::Operation)| {
            let input = cx.index.shape(&operation.input);
            !cx.symbols.operation(&shape.id).unit_input
                && required_members(cx, input).all(|member| sample_value(cx, member).is_some())
        };
        let (shape, operation) = operations
            .iter()
            .find(|candidate| settable(candidate))
            .or_else(|| operations.first())
            .copied()?;
        let symbol = cx.symbols.operation(&shape.id);
        let input = cx.index.shape(&operation.input);
        let input_module = relative(&symbol.input.module.0);
        let input_name = &symbol.input.name;
        let service = cx.symbols.service();
        let mut uses = Vec::new();
        let mut body = Vec::new();
        let calls = cx.protocol.has_wire_code();
        if calls {
            uses.push(("client::{Client, Config}".to_owned(), None));
        }
        uses.push((format!("{input_module}::{input_name}"), None));
        if calls {
            uses.push((
                format!("{}::{}", relative(&service.module.0), service.name),
                Some("the service trait: one method per operation"),
            ));
            body.push(
                "// Region, credentials and endpoint settings from the environment, as the AWS SDKs read them"
                    .to_owned(),
            );
            body.push("// (`Config::from_env` needs the `hyper-client` feature).".to_owned());
            body.push("let config = Config::from_env().await;".to_owned());
            body.push("let client = Client::new(&config);".to_owned());
        }
        body.push(format!("let input = {input_name}::builder()"));
        if !symbol.unit_input {
            for member in required_members(cx, input) {
                let setter = ident(cx.symbols.field(&input.id, member));
                let value = sample_value(cx, member);
                if let Some(value) = value {
                    body.push(format!("    .{setter}({value})"));
                }
            }
        }
        let fallible = !symbol.unit_input && cx.index.build_is_fallible(input);
        body.push(format!("    .build(){};", if fallible { "?" } else { "" }));
        if calls {
            body.push(format!("let output = client.{}(input).await?;", symbol.method));
            body.push("println!(\"{output:?}\");".to_owned());
        } else {
            body.push("println!(\"{input:?}\");".to_owned());
        }
        Some(Self { uses, body })
    }

    /// The example as a Markdown section, for the crate named `crate_name` (as in `Cargo.toml`).
    pub fn markdown(&self, crate_name: &str) -> String {
        let krate = crate_name.replace('-', "_");
        let mut text = String::from("# Example\n\n```no_run\n");
        // Hidden lines: an `async fn` to `.await` and `?` in, compiled when the crate has the
        // `hyper-client` feature that `Config::from_env` needs.
        if self.uses.iter().any(|(path, _)| path.starts_with("client::")) {
            text.push_str("# #[cfg(feature = \"hyper-client\")]\n");
        }
        text.push_str("# async fn example() -> Result<(), Box<dyn std::error::Error>> {\n");
        for (path, comment) in &self.uses {
            text.push_str(&format!("use {krate}::{path};"));
            if let Some(comment) = comment {
                text.push_str(&format!(" // {comment}"));
            }
            text.push('\n');
        }
        text.push('\n');
        for line in &self.body {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("# Ok(())\n# }\n```\n");
        text
    }
}

/// `["operation", "get_thing"]` as `operation::get_thing`.
fn relative(parts: &[String]) -> String {
    parts
        .iter()
        .map(|part| ident(part).to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The input members that `build()` fails without.
fn required_members<'a>(cx: &'a Context<'a>, input: &'a Shape) -> impl Iterator<Item = &'a crate::model::Member> + 'a {
    let members = match &input.kind {
        ShapeKind::Structure(members) => members.as_slice(),
        _ => &[],
    };
    members
        .iter()
        .filter(move |member| cx.index.required_in_builder(input, member))
}

/// A value of a member's type the example can write: a string (its name, in kebab case) or a
/// boolean.
fn sample_value(cx: &Context<'_>, member: &crate::model::Member) -> Option<String> {
    match cx.index.shape(&member.target).kind {
        ShapeKind::Simple(Simple::String) => Some(format!("{:?}", heck::AsKebabCase(&member.name).to_string())),
        ShapeKind::Simple(Simple::Boolean) => Some("true".to_owned()),
        _ => None,
    }
}
