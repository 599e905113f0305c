//! Generates idiomatic Rust from Smithy 2.0 JSON AST service models.
//!
//! The pipeline reads from the module list: [`load`] (JSON AST into a typed [`model`]) →
//! [`index`] (resolve references and the prelude, select operations and their closure, find
//! recursion, decide nullability) → [`symbols`] (every Rust name and path, decided once) →
//! `render` (one module per kind of item) → [`emit`] (format, write only what changed).
//!
//! The build-script API and the `smithy-codegen` command line are thin shells over [`Codegen`].
//!
//! ```no_run
//! // build.rs: generate into $OUT_DIR, regenerate when the model changes.
//! smithy_codegen::Codegen::new()
//!     .model("model/service.json")
//!     .emit_to_out_dir()
//!     .unwrap_or_else(|err| panic!("{err}"));
//! ```
//!
//! and in `src/lib.rs`: `include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));`.

pub mod docs;
pub mod emit;
pub mod error;
pub mod ident;
pub mod index;
pub mod load;
pub mod model;
mod render;
pub mod symbols;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Result};
pub use index::Selection;

use emit::Files;
use index::Index;
use model::Model;
use symbols::Symbols;

/// The file name [`Codegen::emit_to_out_dir`] writes unless told otherwise.
pub const DEFAULT_OUT_FILE: &str = "smithy_codegen.rs";

/// What to generate, from which model files: the one entry point of the library.
#[derive(Debug, Clone)]
pub struct Codegen {
    models: Vec<PathBuf>,
    selection: Selection,
    out_file: String,
    formatted: bool,
    protocol_tests: bool,
}

impl Default for Codegen {
    fn default() -> Self {
        Self::new()
    }
}

impl Codegen {
    /// A generator with no model yet, generating every operation.
    pub fn new() -> Self {
        Self {
            models: Vec::new(),
            selection: Selection::default(),
            out_file: DEFAULT_OUT_FILE.to_owned(),
            formatted: true,
            protocol_tests: false,
        }
    }

    /// Adds a model file (Smithy 2.0 JSON AST). Several files are merged into one model.
    pub fn model(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.models.push(path.into());
        self
    }

    /// Chooses the service, by name or absolute shape id, when the model has several.
    pub fn service(&mut self, name: impl Into<String>) -> &mut Self {
        self.selection.service = Some(name.into());
        self
    }

    /// Generates this operation (by name or absolute shape id) and the shapes it reaches. May be
    /// called several times; with no call, every operation of the service is generated.
    pub fn operation(&mut self, name: impl Into<String>) -> &mut Self {
        self.selection.operations.push(name.into());
        self
    }

    /// The file name [`Codegen::emit_to_out_dir`] writes (default [`DEFAULT_OUT_FILE`]).
    pub fn out_file(&mut self, name: impl Into<String>) -> &mut Self {
        self.out_file = name.into();
        self
    }

    /// Whether to format the output with prettyplease (default `true`). Unformatted output is
    /// the same code, a line per statement, generated several times faster: for large models in a
    /// build script whose output nobody reads.
    pub fn format(&mut self, formatted: bool) -> &mut Self {
        self.formatted = formatted;
        self
    }

    /// Whether to generate the model's restJson1 protocol compliance tests (default `false`):
    /// a hidden `protocol_tests` module whose `cases()` lists one runnable case per
    /// `smithy.test#httpRequestTests` and `httpResponseTests` case for clients and per
    /// `httpMalformedRequestTests` case (and set of test parameters) for servers. The cases call
    /// the restJson1 client and server, so they are empty for services of other protocols. For
    /// test harnesses such as the workspace's `protocol-tests` package; a crate with them needs
    /// `regex` when a case checks a message against a regular expression.
    pub fn protocol_tests(&mut self, enabled: bool) -> &mut Self {
        self.protocol_tests = enabled;
        self
    }

    /// Loads, checks and renders the model, in memory.
    pub fn generate(&self) -> Result<Generated> {
        if self.models.is_empty() {
            return Err(Error::new(ErrorKind::InvalidModel, "no model file given"));
        }
        let mut model = Model::default();
        for path in &self.models {
            let text = std::fs::read_to_string(path).map_err(|err| Error::io(path, &err))?;
            let document: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
                Error::new(ErrorKind::Syntax, format!("invalid JSON: {err}"))
                    .at_line_column(err.line(), err.column())
                    .in_file(path)
            })?;
            load::merge_document(&mut model, &document).map_err(|err| err.in_file(path))?;
        }
        let source = self
            .models
            .iter()
            .map(|path| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |name| name.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>()
            .join("`, `");
        let in_model = |err: Error| match self.models.as_slice() {
            [only] => err.in_file(only),
            _ => err,
        };
        let index = Index::new(&model, &self.selection).map_err(in_model)?;
        let symbols = Symbols::new(&index).map_err(in_model)?;
        let rendered = emit::render(&index, &symbols, self.formatted, self.protocol_tests).map_err(in_model)?;
        Ok(Generated {
            rendered,
            source,
            shapes: index.closure_len(),
            operations: index.operations().count(),
            service_name: index.service().0.id.name().to_owned(),
        })
    }

    /// For `build.rs`: generates into `$OUT_DIR/<out_file>` and tells cargo to rerun when a
    /// model file changes. Returns the path written.
    pub fn emit_to_out_dir(&self) -> Result<PathBuf> {
        for path in &self.models {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                "OUT_DIR is not set: emit_to_out_dir is meant for build scripts",
            )
        })?;
        let generated = self.generate()?;
        let file = PathBuf::from(&self.out_file);
        let mut files = Files::new();
        files.insert(file.clone(), generated.single_file()?);
        emit::write_files(Path::new(&out_dir), &files)?;
        Ok(Path::new(&out_dir).join(file))
    }
}

/// Generated code, in memory, ready to be written as one file or as a crate.
pub struct Generated {
    rendered: emit::Rendered,
    source: String,
    shapes: usize,
    operations: usize,
    service_name: String,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("service", &self.service_name)
            .field("operations", &self.operations)
            .field("shapes", &self.shapes)
            .finish_non_exhaustive()
    }
}

impl Generated {
    /// The whole module tree as one formatted file, for `include!` at a crate root.
    pub fn single_file(&self) -> Result<String> {
        Ok(self.rendered.single_file(&self.source))
    }

    /// The formatted source files of a crate's `src/` directory, by relative path.
    pub fn source_files(&self) -> Result<Files> {
        Ok(self.rendered.crate_files(&self.source))
    }

    /// A complete crate: `Cargo.toml` and `src/`.
    pub fn crate_files(&self, crate_name: &str) -> Result<Files> {
        let mut files: Files = self
            .source_files()?
            .into_iter()
            .map(|(path, source)| (Path::new("src").join(path), source))
            .collect();
        files.insert(PathBuf::from("Cargo.toml"), self.cargo_toml(crate_name));
        Ok(files)
    }

    fn cargo_toml(&self, crate_name: &str) -> String {
        format!(
            r#"# Generated by smithy-codegen from `{source}`. Do not edit: regenerate instead.
[package]
name = "{crate_name}"
version = "0.1.0"
edition = "2021"
description = "Rust types and operations of the {service} service, generated from its Smithy model."
publish = false

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
{serde_json}{regex}{http}"#,
            source = self.source,
            service = self.service_name,
            regex = if self.rendered.features.needs_regex() {
                "regex = \"1\"\n"
            } else {
                ""
            },
            http = if self.rendered.features.needs_http() {
                HTTP_DEPENDENCIES
            } else {
                ""
            },
            serde_json = if self.rendered.features.needs_serde_json() {
                "serde_json = { version = \"1\", features = [\"raw_value\"] }\n"
            } else {
                ""
            },
        )
    }

    /// Writes a complete crate into `dir`: everything is generated before anything is written,
    /// and unchanged files are left alone. Returns the files that changed.
    pub fn write_crate(&self, dir: &Path, crate_name: &str) -> Result<Vec<PathBuf>> {
        if !is_crate_name(crate_name) {
            return Err(Error::new(
                ErrorKind::InvalidModel,
                format!(
                    "`{crate_name}` is not a valid crate name (letters, digits, `-` and `_`, starting with a letter)"
                ),
            ));
        }
        let files = self.crate_files(crate_name)?;
        emit::write_files(dir, &files)
    }

    /// Shapes generated: the selected operations' closure, service and operations included.
    pub fn shape_count(&self) -> usize {
        self.shapes
    }

    /// Operations generated.
    pub fn operation_count(&self) -> usize {
        self.operations
    }
}

/// The dependencies and features of a crate with a client and a server: `http` for the
/// messages, and behind features, ready transports on hyper.
const HTTP_DEPENDENCIES: &str = r#"http = "1"
hyper = { version = "1", features = ["client", "server", "http1"], optional = true }
hyper-util = { version = "0.1", features = ["tokio", "client-legacy", "http1"], optional = true }
http-body-util = { version = "0.1", optional = true }
tokio = { version = "1", features = ["net", "rt"], optional = true }
bytes = { version = "1", optional = true }

[features]
# A ready client transport on hyper (HTTP/1.1 over TCP, no TLS); needs a tokio runtime.
hyper-client = ["dep:hyper", "dep:hyper-util", "dep:http-body-util", "dep:tokio", "dep:bytes"]
# A ready server on hyper: `server::serve`; needs a tokio runtime.
hyper-server = ["dep:hyper", "dep:hyper-util", "dep:http-body-util", "dep:tokio", "dep:bytes"]
"#;

fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
