//! Generates idiomatic Rust from Smithy service models: IDL (`.smithy`) or JSON AST.
//!
//! The generated code depends on one crate, `smithy-runtime` (of version [`RUNTIME_VERSION`]),
//! which holds the value types, codecs, protocols, client and server that every generated crate
//! shares; the generated crate holds the model's types and their schemas.
//!
//! The build-script API and the `smithy-codegen` command line are thin shells over [`Codegen`].
//! Inside, a pipeline: read (IDL or JSON AST files) and assemble (one JSON AST document: files
//! merged, Smithy 1.0 upgraded, `apply` and mixins settled) → load (the typed model) → index (references,
//! the prelude, the operations selected and what they reach, recursion, nullability) → symbols
//! (every Rust name and path, decided once) → render (one module per kind of item; types apart
//! from protocols) → emit (format, write all or nothing, only what changed).
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

mod assemble;
mod check;
mod docs;
mod emit;
mod error;
mod ident;
mod idl;
mod index;
mod layout;
mod load;
mod model;
mod render;
mod symbols;
mod tokens;
mod trait_values;
mod traits;

use std::path::{Path, PathBuf};

pub use emit::HEADER_MARK;
pub use error::{Error, ErrorKind, Result};

use emit::Files;
use index::{Index, Selection};
use model::Model;
use symbols::Symbols;

/// The version of `smithy-runtime` that generated code needs, as a Cargo version requirement.
pub const RUNTIME_VERSION: &str = symbols::RUNTIME_COMPATIBLE;

/// The most bytes read from one model file (256 MiB) unless [`Codegen::max_model_file_bytes`]
/// says otherwise: a bound on memory for endless or huge input (`/dev/zero`, a wrong path). The
/// largest AWS model, S3's, is about 2.3 MB of JSON.
pub const MAX_MODEL_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The file name [`Codegen::emit_to_out_dir`] writes unless told otherwise.
pub const DEFAULT_OUT_FILE: &str = "smithy_codegen.rs";

/// What to generate, from which model files: the one entry point of the library.
#[derive(Debug, Clone)]
pub struct Codegen {
    models: Vec<PathBuf>,
    /// Model documents given as text, by the name errors call them, read after the files.
    texts: Vec<(PathBuf, String)>,
    selection: Selection,
    out_file: String,
    formatted: bool,
    max_file_bytes: u64,
    allow_unknown_traits: bool,
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
            texts: Vec::new(),
            selection: Selection::default(),
            out_file: DEFAULT_OUT_FILE.to_owned(),
            formatted: true,
            max_file_bytes: MAX_MODEL_FILE_BYTES,
            allow_unknown_traits: false,
        }
    }

    /// Adds a model file: Smithy IDL (`.smithy`) or JSON AST (any other name), 2.0 or 1.0, or
    /// a directory, for every `.smithy` and `.json` file under it. Several files are merged
    /// into one model.
    pub fn model(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.models.push(path.into());
        self
    }

    /// Adds a model document held in memory, which errors call `name`, merged with the files:
    /// IDL when `name` ends in `.smithy`, JSON AST otherwise.
    pub fn model_text(&mut self, name: impl Into<PathBuf>, text: impl Into<String>) -> &mut Self {
        self.texts.push((name.into(), text.into()));
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

    /// Whether to lay out the output as rustfmt would (default `true`). Unformatted output is
    /// the same code, a line per statement, generated faster: for large models in a build
    /// script whose output nobody reads.
    pub fn format(&mut self, formatted: bool) -> &mut Self {
        self.formatted = formatted;
        self
    }

    /// The most bytes read from one model file (default [`MAX_MODEL_FILE_BYTES`]); a longer
    /// file, or an endless one, is refused once that many bytes are read.
    pub fn max_model_file_bytes(&mut self, bytes: u64) -> &mut Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Whether a trait that nothing defines (not the prelude, a known trait library or a shape
    /// of the model marked `@trait`) is let through with a warning ([`Generated::warnings`])
    /// rather than refused (default `false`: refused, with the nearest known trait as a hint).
    pub fn allow_unknown_traits(&mut self, allow: bool) -> &mut Self {
        self.allow_unknown_traits = allow;
        self
    }

    /// The model files: each `--model` path, a directory standing for every `.smithy` and
    /// `.json` file under it, sorted.
    fn model_files(&self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for path in &self.models {
            if path.is_dir() {
                let mut found = Vec::new();
                collect_model_files(path, &mut found, 0)?;
                found.sort();
                files.extend(found);
            } else {
                files.push(path.clone());
            }
        }
        Ok(files)
    }

    /// The model files merged into one Smithy 2.0 JSON AST document (IDL read, Smithy 1.0
    /// upgraded, `apply` applied, mixins flattened), with where each shape is defined.
    fn assemble(&self) -> Result<assemble::Assembled> {
        if self.models.is_empty() && self.texts.is_empty() {
            return Err(Error::new(ErrorKind::InvalidModel, "no model file given"));
        }
        let mut files = Vec::new();
        for path in self.model_files()? {
            let text = read_model_file(&path, self.max_file_bytes)?;
            files.push((path, text));
        }
        files.extend(self.texts.iter().cloned());
        let mut assembly = assemble::Assembly::default();
        assembly.add_texts(&files);
        assembly.finish()
    }

    /// The model as `smithy-codegen ast` prints it: one Smithy 2.0 JSON AST document, mixins
    /// flattened, the prelude left out, object keys sorted (members in model order).
    pub fn ast(&self) -> Result<String> {
        let assembled = self.assemble()?;
        let mut text = serde_json::to_string_pretty(&assemble::canonical(&assembled.document))
            .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
        text.push('\n');
        Ok(text)
    }

    /// Loads the model files into the typed model and checks its traits.
    fn load(&self) -> Result<Loaded> {
        let model = self.load_model()?;
        let found = traits::check_traits(&model, self.allow_unknown_traits);
        Ok(Loaded {
            model,
            trait_errors: found.errors,
        })
    }

    /// Loads the model files into the typed model, its traits unchecked.
    fn load_model(&self) -> Result<Model> {
        let assemble::Assembled {
            document,
            origins,
            locations,
        } = self.assemble()?;
        let mut model = Model::default();
        let locate = |err: Error| match err.shape().and_then(|shape| origins.get(shape)) {
            Some(origin) => err.in_file(&origin.file),
            None => err,
        };
        load::merge_document(&mut model, document).map_err(locate)?;
        model.origins = origins.into_iter().map(|(id, origin)| (id, origin.file)).collect();
        model.locations = locations
            .into_iter()
            .filter_map(|(path, origin)| Some((path, (origin.file, origin.pos?))))
            .collect();
        Ok(model)
    }

    /// The index of the loaded model for the selection. Every problem found is reported: those
    /// of the trait check and those of the model checks, save model-check problems at or below
    /// a value the trait check already refused (`@http`'s `code` out of range is one problem,
    /// not two).
    fn index<'m>(&self, loaded: &'m Loaded) -> Result<Index<'m>> {
        self.checked(
            &loaded.model,
            &loaded.trait_errors,
            Index::new(&loaded.model, &self.selection),
        )
    }

    /// The model's trait check, its index and the names of the generated items. Where the
    /// machine has a second core and the model a hundred shapes or more, the trait check runs
    /// beside the building of the index, then the index's own checks and the naming of members
    /// beside the naming of types (each only reads what was built before it; names are dropped
    /// when a check fails). Problems as [`Codegen::index`] reports them; a naming problem only
    /// for a model that passes every check.
    fn check_index_and_name<'m>(&self, model: &'m Model) -> (Vec<String>, Result<(Index<'m>, Symbols)>) {
        let allow_unknown = self.allow_unknown_traits;
        let side_by_side = model.shapes.len() >= 100 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        let (found, built) = if side_by_side {
            std::thread::scope(|scope| {
                let found = scope.spawn(|| traits::check_traits(model, allow_unknown));
                let built = Index::unchecked(model, &self.selection);
                (join(found), built)
            })
        } else {
            (
                traits::check_traits(model, allow_unknown),
                Index::unchecked(model, &self.selection),
            )
        };
        let (indexed, named) = match built {
            Err(err) => (Err(err), None),
            Ok(index) => {
                let (checked, named) = if side_by_side && found.errors.is_empty() {
                    let (checked, named) = Symbols::new_beside(&index, || index.check_model());
                    (checked, Some(named))
                } else {
                    (index.check_model(), None)
                };
                (checked.map(|()| index), named)
            }
        };
        let warnings = found
            .warnings
            .into_iter()
            .map(|warning| self.in_model(model, warning).to_string().replace('\n', " "))
            .collect();
        let named = self.checked(model, &found.errors, indexed).and_then(|index| {
            let symbols = named.unwrap_or_else(|| Symbols::new(&index));
            let symbols = symbols.map_err(|err| self.in_model(model, err))?;
            Ok((index, symbols))
        });
        (warnings, named)
    }

    /// `indexed`, or every problem: those of the trait check (`trait_errors`) and those of the
    /// index, save those at or below a value the trait check refused.
    fn checked<'m>(&self, model: &'m Model, trait_errors: &[Error], indexed: Result<Index<'m>>) -> Result<Index<'m>> {
        if trait_errors.is_empty() {
            return indexed.map_err(|err| self.in_model(model, err));
        }
        let mut problems = trait_errors.to_vec();
        if let Err(err) = indexed {
            let more = if err.problems().is_empty() {
                vec![err]
            } else {
                err.problems().to_vec()
            };
            problems.extend(more.into_iter().filter(|problem| {
                !problem.json_path().is_some_and(|path| {
                    trait_errors
                        .iter()
                        .filter_map(Error::json_path)
                        .any(|refused| path.starts_with(refused))
                })
            }));
        }
        let problems = problems.into_iter().map(|err| self.in_model(model, err)).collect();
        Err(Error::all(problems).unwrap_or_else(|| Error::new(ErrorKind::Internal, "no problem to report")))
    }

    /// An error about the model, named by its file when there is one, and by line and column
    /// when what it is about is written in an IDL file: the nearest enclosing trait, member or
    /// shape of its JSON path. Each problem of an error that reports several is located.
    fn in_model(&self, model: &Model, err: Error) -> Error {
        let err = err.map_problems(|problem| self.in_model(model, problem));
        let located = err
            .json_path()
            .filter(|_| err.line_column().is_none())
            .and_then(|path| locate(&model.locations, path));
        let err = match located {
            Some((file, (line, column))) => err.at_line_column(*line, *column).in_file(file),
            None => err,
        };
        if let Some(file) = err.shape().and_then(|shape| model.origins.get(shape)) {
            return err.in_file(file);
        }
        match (self.models.as_slice(), self.texts.as_slice()) {
            ([only], []) | ([], [(only, _)]) if !only.is_dir() => err.in_file(only),
            _ => err,
        }
    }

    /// What the model holds and what the selection reaches, without generating anything: for
    /// `smithy-codegen inspect`. With several services and none selected, only the services.
    pub fn inspect(&self) -> Result<Inspection> {
        let loaded = self.load()?;
        let model = &loaded.model;
        let mut services: Vec<(String, usize)> = model
            .shapes
            .values()
            .filter_map(|shape| match &shape.kind {
                model::ShapeKind::Service(service) => Some((shape.id.to_string(), service.operations.len())),
                _ => None,
            })
            .collect();
        services.sort();
        let mut inspection = Inspection {
            shapes: model.shapes.len(),
            services,
            selected: None,
        };
        if inspection.services.len() > 1 && self.selection.service.is_none() {
            let problems = loaded
                .trait_errors
                .iter()
                .map(|err| self.in_model(model, err.clone()))
                .collect();
            return match Error::all(problems) {
                Some(err) => Err(err),
                None => Ok(inspection),
            };
        }
        let index = self.index(&loaded)?;
        inspection.selected = Some(Selected {
            service: index.service().0.id.to_string(),
            operations: index.operations().map(|(shape, _)| shape.id.to_string()).collect(),
            shapes: index
                .closure()
                .map(|shape| (shape.id.to_string(), shape.kind.type_name()))
                .collect(),
        });
        Ok(inspection)
    }

    /// Loads, checks and renders the model, in memory.
    pub fn generate(&self) -> Result<Generated> {
        let model = &self.load_model()?;
        let in_model = |err: Error| self.in_model(model, err);
        let source = self
            .models
            .iter()
            .chain(self.texts.iter().map(|(name, _)| name))
            .map(|path| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |name| name.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>()
            .join("`, `");
        let (mut all_warnings, named) = self.check_index_and_name(model);
        let (index, symbols) = named?;
        let endpoint_rules = render::endpoint_rules(&index);
        let patterns = Patterns::default();
        let rendered = emit::render(&index, &symbols, &endpoint_rules, &patterns, self.formatted).map_err(in_model)?;
        all_warnings.extend(warnings(&index, &endpoint_rules, &patterns));
        Ok(Generated {
            warnings: all_warnings,
            rendered,
            source,
            shapes: index.closure_len(),
            operations: index.operations().count(),
            service_name: index.service().0.id.name().to_owned(),
            event_streams: has_event_streams(&index),
        })
    }

    /// For `build.rs`: generates into `$OUT_DIR/<out_file>` and tells cargo to rerun when a
    /// model file changes. Returns the path written.
    ///
    /// The crate must depend on the `smithy-runtime` version this generator writes code for
    /// ([`RUNTIME_VERSION`]); its build script learns the version of the one it depends on from
    /// cargo, and a mismatch fails here, with a message that says what to change.
    pub fn emit_to_out_dir(&self) -> Result<PathBuf> {
        for path in &self.models {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        check_runtime_version(std::env::var("DEP_SMITHY_RUNTIME_VERSION").ok().as_deref())?;
        let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                "OUT_DIR is not set: emit_to_out_dir is meant for build scripts",
            )
        })?;
        let generated = self.generate()?;
        for warning in generated.warnings() {
            println!("cargo:warning={warning}");
        }
        let file = PathBuf::from(&self.out_file);
        let mut files = Files::new();
        files.insert(file.clone(), generated.single_file()?);
        // The front page, for `#![doc = include_str!(...)]` beside the `include!`.
        let crate_name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| generated.service_name.to_lowercase());
        files.insert(file.with_extension("md"), generated.front_page(&crate_name));
        emit::write_files(Path::new(&out_dir), &files, false)?;
        Ok(Path::new(&out_dir).join(file))
    }
}

/// What a scoped thread returned; its panic, carried on.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Reads a model file as UTF-8 text, at most `limit` bytes of it: reading goes through
/// [`std::io::Read::take`], so an endless file costs no more than the limit.
fn read_model_file(path: &Path, limit: u64) -> Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|err| Error::io(path, &err))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| Error::io(path, &err))?;
    if bytes.len() as u64 > limit {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "the model file is larger than {limit} bytes, the most read from one file \
                 (`Codegen::max_model_file_bytes`; the largest AWS model is about 2.3 MB)"
            ),
        )
        .in_file(path));
    }
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        Error::new(
            ErrorKind::Syntax,
            format!("the model file is not UTF-8 text: invalid byte at offset {offset}"),
        )
        .in_file(path)
    })
}

/// Why the runtime cannot check a `@pattern`, or `None` when it can. The generated code leaves
/// such a check out, says so in the member's documentation, and [`Generated::warnings`] names it.
fn unchecked_pattern(pattern: &str) -> Option<String> {
    smithy_runtime::pattern::Pattern::check_syntax(pattern)
        .err()
        .map(|reason| reason.trim_start_matches("error: ").to_owned())
}

/// [`unchecked_pattern`]'s answers, found once per distinct pattern of a generation: a pattern
/// is asked about by every member whose target has it, in the schema, the documentation and the
/// warnings, and checking one parses it (compiling it, for a look-around).
#[derive(Default)]
pub(crate) struct Patterns(std::sync::Mutex<std::collections::HashMap<String, Option<String>>>);

impl Patterns {
    /// Why the runtime cannot check `pattern`, or `None` when it can.
    pub(crate) fn unchecked(&self, pattern: &str) -> Option<String> {
        let known = |patterns: &Self| {
            let map = patterns.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            map.get(pattern).cloned()
        };
        if let Some(answer) = known(self) {
            return answer;
        }
        // Checked outside the lock: another thread may check the same pattern meanwhile, to
        // the same answer.
        let answer = unchecked_pattern(pattern);
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(pattern.to_owned(), answer.clone());
        answer
    }
}

/// What the generated code leaves out of the model or reads leniently, one line per shape or
/// member: the `@pattern`s the runtime cannot check, blob `@default`s that are not base64
/// (taken as the bytes of their text, as the published protocol tests use them), waiters that do
/// not read, and endpoint rules that do not parse.
fn warnings(index: &Index<'_>, endpoint_rules: &render::EndpointRules, patterns: &Patterns) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut blob_defaults = Vec::new();
    let mut unread_waiters = Vec::new();
    // Where a warning is: formatted only for a warning, as almost no shape or member has one.
    let mut note = |at: &dyn Fn() -> String, traits: &model::Traits| {
        if let Some(pattern) = traits.pattern() {
            if let Some(reason) = patterns.unchecked(pattern) {
                warnings.push(format!(
                    "{}: the `@pattern` {pattern:?} is not checked by the generated code: the runtime cannot check it ({reason})",
                    at()
                ));
            }
        }
    };
    for shape in index.closure() {
        note(&|| format!("shape `{}`", shape.id), &shape.traits);
        if let Some(waiters) = shape
            .traits
            .get("smithy.waiters#waitable")
            .and_then(|value| value.as_object())
        {
            for (name, value) in waiters {
                if !render::protocol::waiter_reads(name, value) {
                    unread_waiters.push(format!(
                        "shape `{}`: the waiter `{name}` is left out: its value does not read as a waiter",
                        shape.id
                    ));
                }
            }
        }
        // The members warned about: a structure's or union's, a list's member, a map's key and
        // value.
        let (members, map): (&[model::Member], [Option<&model::Member>; 2]) = match &shape.kind {
            model::ShapeKind::Structure(members) | model::ShapeKind::Union(members) => (members, [None, None]),
            model::ShapeKind::List(member) | model::ShapeKind::Set(member) => {
                (std::slice::from_ref(member), [None, None])
            }
            model::ShapeKind::Map { key, value } => (&[], [Some(key), Some(value)]),
            _ => (&[], [None, None]),
        };
        for member in members.iter().chain(map.into_iter().flatten()) {
            note(&|| format!("member `{}${}`", shape.id, member.name), &member.traits);
            let blob = index
                .get(&member.target)
                .is_some_and(|target| matches!(target.kind, model::ShapeKind::Simple(model::Simple::Blob)));
            if let Some(serde_json::Value::String(text)) = member.traits.default_value().filter(|_| blob) {
                if smithy_runtime::primitives::Blob::from_base64(text).is_none() {
                    blob_defaults.push(format!(
                        "member `{}${}`: the blob `@default` {text:?} is not base64; the generated code takes it as the bytes of its text",
                        shape.id, member.name
                    ));
                }
            }
        }
    }
    warnings.extend(blob_defaults);
    warnings.extend(unread_waiters);
    let (service, _) = index.service();
    if let Some(Err(error)) = endpoint_rules {
        warnings.push(format!(
            "shape `{}`: the endpoint rules do not read ({error}); the generated client reports this when it resolves an endpoint",
            service.id
        ));
    }
    warnings
}

/// How deep `--model` directories are searched.
const MAX_MODEL_DIR_DEPTH: usize = 16;

/// Every `.smithy` and `.json` file under `dir`.
fn collect_model_files(dir: &Path, found: &mut Vec<PathBuf>, depth: usize) -> Result<()> {
    if depth > MAX_MODEL_DIR_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|err| Error::io(dir, &err))?;
    for entry in entries {
        let path = entry.map_err(|err| Error::io(dir, &err))?.path();
        if path.is_dir() {
            collect_model_files(&path, found, depth + 1)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "smithy" || extension == "json")
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Checks the version of the `smithy-runtime` a build script's crate depends on (cargo's
/// `DEP_SMITHY_RUNTIME_VERSION`) against the one this generator writes code for.
fn check_runtime_version(found: Option<&str>) -> Result<()> {
    let wanted = RUNTIME_VERSION;
    let codegen = env!("CARGO_PKG_VERSION");
    let line = runtime_line();
    match found {
        Some(found) if version_matches(found, wanted) => Ok(()),
        Some(found) => Err(Error::new(
            ErrorKind::Runtime,
            format!(
                "this crate depends on smithy-runtime {found}, but smithy-codegen {codegen} generates code for smithy-runtime {wanted}: \
                 depend on the runtime of the same checkout (`{line}`), or build with the smithy-codegen that matches smithy-runtime {found}"
            ),
        )),
        None => Err(Error::new(
            ErrorKind::Runtime,
            format!(
                "the generated code needs smithy-runtime, and this crate does not depend on it: \
                 add `{line}` under [dependencies] in its Cargo.toml"
            ),
        )),
    }
}

/// The dependency line that gives a crate the runtime this generator writes code for: the
/// runtime of the checkout it was built from, or the registry version.
fn runtime_line() -> String {
    let dependency =
        RuntimeDependency::this_checkout().unwrap_or_else(|| RuntimeDependency::Version(RUNTIME_VERSION.to_owned()));
    format!("smithy-runtime = {}", dependency.toml_value())
}

/// Whether a version (`0.1.3`) meets a `MAJOR.MINOR` requirement (`0.1`) as Cargo's caret
/// requirements do for versions below 1.0: the same major and minor.
fn version_matches(version: &str, requirement: &str) -> bool {
    let mut parts = version.split('.');
    let mut wanted = requirement.split('.');
    parts.next() == wanted.next() && parts.next() == wanted.next()
}

/// What a model holds, from [`Codegen::inspect`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inspection {
    /// How many shapes the model files define.
    pub shapes: usize,
    /// Every service, by shape id, with the number of operations bound to it directly.
    pub services: Vec<(String, usize)>,
    /// What the selection reaches; `None` when the model has several services and none was
    /// selected.
    pub selected: Option<Selected>,
}

/// What a selection of a service and operations pulls into generated code.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Selected {
    /// The service's shape id.
    pub service: String,
    /// The selected operations' shape ids.
    pub operations: Vec<String>,
    /// Every shape generated (the service, the operations and what they reach), with its type,
    /// sorted by shape id.
    pub shapes: Vec<(String, &'static str)>,
}

/// The location of the longest prefix of `path` (cut before a `.` or `[`) that has one.
fn locate<'a>(
    locations: &'a std::collections::HashMap<String, (PathBuf, (usize, usize))>,
    path: &str,
) -> Option<&'a (PathBuf, (usize, usize))> {
    if locations.is_empty() {
        return None;
    }
    let cuts = path
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | '['))
        .map(|(index, _)| index)
        .chain(std::iter::once(path.len()));
    let cuts: Vec<usize> = cuts.collect();
    cuts.into_iter().rev().find_map(|cut| locations.get(&path[..cut]))
}

/// A loaded model for `inspect`: the typed model and what its trait check refused (reported
/// with the model checks' problems).
struct Loaded {
    model: Model,
    trait_errors: Vec<Error>,
}

/// Generated code, in memory, ready to be written as one file or as a crate.
pub struct Generated {
    warnings: Vec<String>,
    rendered: emit::Rendered,
    source: String,
    shapes: usize,
    operations: usize,
    service_name: String,
    /// Whether an operation's input or output is an event stream (such a crate's manifest
    /// turns on the runtime's HTTP/2 by default).
    event_streams: bool,
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

/// Where a generated crate's `Cargo.toml` takes `smithy-runtime` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// A directory holding the runtime's `Cargo.toml` (a checkout's `runtime/`), written as
    /// given: relative paths are relative to the generated crate.
    Path(PathBuf),
    /// A git repository holding the runtime (this project's repository or a fork), optionally
    /// at a branch, tag or commit (`rev`).
    Git {
        /// The repository's URL.
        url: String,
        /// A branch, tag or commit; the default branch when absent.
        rev: Option<String>,
    },
    /// A version requirement on a crate registry, such as `"0.1"`.
    Version(String),
}

impl RuntimeDependency {
    /// The runtime of the checkout this generator was built from, when that directory still
    /// exists (a build from a clone, or a `path` or `git` dependency on this repository).
    pub fn this_checkout() -> Option<Self> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?.join("runtime");
        dir.join("Cargo.toml").is_file().then_some(Self::Path(dir))
    }

    /// The dependency's value in `Cargo.toml`: what follows `smithy-runtime = `.
    fn toml_value(&self) -> String {
        match self {
            Self::Path(path) => format!(
                "{{ version = \"{RUNTIME_VERSION}\", path = {} }}",
                toml_string(&path.display().to_string())
            ),
            Self::Git { url, rev: None } => format!("{{ git = {} }}", toml_string(url)),
            Self::Git { url, rev: Some(rev) } => {
                format!("{{ git = {}, rev = {} }}", toml_string(url), toml_string(rev))
            }
            Self::Version(requirement) => toml_string(requirement),
        }
    }
}

/// How the `Cargo.toml` of a generated crate names it and its runtime.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    name: String,
    runtime: RuntimeDependency,
}

impl CrateOptions {
    /// A crate named `name` (letters, digits, `-` and `_`, starting with a letter), depending
    /// on the runtime of the checkout this generator was built from
    /// ([`RuntimeDependency::this_checkout`]) or, when that directory is gone, on the registry
    /// version [`RUNTIME_VERSION`].
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            runtime: RuntimeDependency::this_checkout()
                .unwrap_or_else(|| RuntimeDependency::Version(RUNTIME_VERSION.to_owned())),
        }
    }

    /// Depends on the `smithy-runtime` crate in this directory (a checkout of this repository's
    /// `runtime/`, say); a relative path is relative to the generated crate.
    pub fn runtime_path(self, path: impl Into<PathBuf>) -> Self {
        self.runtime(RuntimeDependency::Path(path.into()))
    }

    /// Depends on `smithy-runtime` as `dependency` says.
    pub fn runtime(mut self, dependency: RuntimeDependency) -> Self {
        self.runtime = dependency;
        self
    }

    /// The crate's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the crate takes its runtime from.
    pub fn runtime_dependency(&self) -> &RuntimeDependency {
        &self.runtime
    }
}

/// The first line of a `Cargo.toml` the generator writes when it creates a crate. Such a file
/// belongs to the crate's owner: later generations leave it as it is.
pub const KEPT_MANIFEST_MARK: &str = "# Written by smithy-codegen when it created this crate";

/// Whether the `Cargo.toml` in a crate directory is the user's (to keep) rather than one an
/// older generator rewrote on every run (`# Generated by smithy-codegen ... Do not edit`).
fn manifest_is_kept(dir: &Path) -> bool {
    match std::fs::read_to_string(dir.join("Cargo.toml")) {
        Ok(text) => {
            !(text.starts_with("# Generated by smithy-codegen")
                && text
                    .lines()
                    .next()
                    .is_some_and(|line| line.ends_with("Do not edit: regenerate instead.")))
        }
        Err(_) => false,
    }
}

impl Generated {
    /// What the generated code leaves out of the model and why, one line each (a `@pattern` the
    /// runtime cannot check, an unknown trait let through by
    /// [`Codegen::allow_unknown_traits`], ...). The CLI prints them as warnings, and
    /// [`Codegen::emit_to_out_dir`] as cargo warnings.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The whole module tree as one formatted file, for `include!` at a crate root.
    pub fn single_file(&self) -> Result<String> {
        Ok(self.rendered.single_file(&self.source))
    }

    /// The formatted source files of a crate's `src/` directory, by relative path, for a crate
    /// named after the service in lower case (`amplifybackend`), as its front-page example
    /// names it.
    pub fn source_files(&self) -> Result<Files> {
        self.source_files_named(&self.service_name.to_lowercase())
    }

    /// The formatted source files of the `src/` directory of a crate named `crate_name`.
    pub fn source_files_named(&self, crate_name: &str) -> Result<Files> {
        Ok(self.rendered.crate_files(&self.source, crate_name))
    }

    /// The crate's front page as Markdown: the service's documentation and an example that
    /// builds a client and calls one of its operations, naming the crate `crate_name`.
    pub fn front_page(&self, crate_name: &str) -> String {
        self.rendered.front_page(crate_name)
    }

    /// A complete crate: `Cargo.toml` and `src/`.
    pub fn crate_files(&self, options: &CrateOptions) -> Result<Files> {
        let mut files: Files = self
            .source_files_named(&options.name)?
            .into_iter()
            .map(|(path, source)| (Path::new("src").join(path), source))
            .collect();
        files.insert(PathBuf::from("Cargo.toml"), self.cargo_toml(options));
        Ok(files)
    }

    /// The crate's files to write into `dir`: all of [`Generated::crate_files`], but not
    /// `Cargo.toml` when `dir` already has one of its owner's.
    fn files_for(&self, dir: &Path, options: &CrateOptions) -> Result<Files> {
        let mut files = self.crate_files(options)?;
        if manifest_is_kept(dir) {
            files.remove(Path::new("Cargo.toml"));
        }
        Ok(files)
    }

    /// The `Cargo.toml` a new crate starts with.
    pub fn cargo_toml(&self, options: &CrateOptions) -> String {
        format!(
            r#"{KEPT_MANIFEST_MARK} from `{source}`.
# This file is yours: `smithy-codegen generate` rewrites `src/` and leaves this file alone.
[package]
name = "{crate_name}"
version = "0.1.0"
edition = "2021"
description = "Rust types and operations of the {service} service, generated from its Smithy model."
publish = false

[dependencies]
smithy-runtime = {runtime}

[features]
default = {default}
# A ready HTTPS client transport on hyper and rustls (`client::HyperTransport`) and
# `client::Config::from_env`; needs a tokio runtime.
hyper-client = ["smithy-runtime/hyper-client"]
# HTTP/2 in that transport, beside HTTP/1.1 (offered by ALPN); event streams that go both ways
# at once need it{event_note}.
http2 = ["smithy-runtime/http2"]
# A ready server on hyper (`server::serve`); needs a tokio runtime.
hyper-server = ["smithy-runtime/hyper-server"]
# `serde::Serialize` and `serde::Deserialize` on every type, in the model's JSON form.
serde = ["smithy-runtime/serde"]
"#,
            source = self.source,
            crate_name = options.name,
            service = self.service_name,
            runtime = options.runtime.toml_value(),
            default = if self.event_streams {
                r#"["hyper-client", "http2"]"#
            } else {
                r#"["hyper-client"]"#
            },
            event_note = if self.event_streams {
                " (on by default: this service has event streams)"
            } else {
                ""
            },
        )
    }

    /// Writes a complete crate into `dir`, all or nothing: everything is generated before
    /// anything is written, unchanged files are left alone, and generated files of an earlier
    /// generation that are no longer produced are removed. `Cargo.toml` is written only when
    /// `dir` has none (or one an older generator marked "Do not edit"): after that it is the
    /// owner's, to add dependencies, features or a version to. Returns the files that changed.
    pub fn write_crate(&self, dir: &Path, options: &CrateOptions) -> Result<Vec<PathBuf>> {
        if !is_crate_name(&options.name) {
            return Err(Error::new(
                ErrorKind::InvalidModel,
                format!(
                    "`{}` is not a valid crate name (letters, digits, `-` and `_`, starting with a letter)",
                    options.name
                ),
            ));
        }
        let files = self.files_for(dir, options)?;
        emit::write_files(dir, &files, true)
    }

    /// The files of the crate in `dir` that differ from what [`Generated::write_crate`] would
    /// write there (missing, changed, or left from an earlier generation), relative to `dir`;
    /// empty when the crate is up to date. Writes nothing.
    pub fn stale_files(&self, dir: &Path, options: &CrateOptions) -> Result<Vec<PathBuf>> {
        let files = self.files_for(dir, options)?;
        Ok(emit::stale_files(dir, &files, true))
    }

    /// The files of the module tree at `module`, a path such as `my_crate::aws::sts` that starts
    /// with the name of the crate it lives in: `mod.rs` (with the front page, its example
    /// naming the module by that path) and the same files as [`Generated::source_files`] below
    /// it, every `crate::` path of the generated code rebased to `crate::aws::sts::`. The crate
    /// declares the module (`pub mod sts;` in `aws.rs`) and depends on `smithy-runtime`; the
    /// runtime itself can hold such modules, as it names itself `smithy_runtime`.
    pub fn module_files(&self, module: &str) -> Result<Files> {
        let segments = module_segments(module)?;
        let rebased = format!("crate::{}::", segments[1..].join("::"));
        Ok(self
            .rendered
            .crate_files(&self.source, module)
            .into_iter()
            .map(|(path, text)| {
                let path = if path == Path::new("lib.rs") {
                    PathBuf::from("mod.rs")
                } else {
                    path
                };
                (path, rebase_crate_paths(&text, &rebased))
            })
            .collect())
    }

    /// Writes the module tree [`Generated::module_files`] gives into `dir` (the module's
    /// directory, such as `src/aws/sts/`), all or nothing, as [`Generated::write_crate`]
    /// writes a crate's sources. Returns the files that changed.
    pub fn write_module(&self, dir: &Path, module: &str) -> Result<Vec<PathBuf>> {
        let files = self.module_files(module)?;
        emit::write_files(dir, &files, true)
    }

    /// The files of the module tree in `dir` that differ from what
    /// [`Generated::write_module`] would write there; empty when it is up to date.
    pub fn stale_module_files(&self, dir: &Path, module: &str) -> Result<Vec<PathBuf>> {
        let files = self.module_files(module)?;
        Ok(emit::stale_files(dir, &files, true))
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

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The segments of a module path such as `my_crate::aws::sts`: a crate name and at least one
/// module, each a Rust identifier.
fn module_segments(module: &str) -> Result<Vec<&str>> {
    let segments: Vec<&str> = module.split("::").collect();
    let is_ident = |segment: &&str| {
        segment.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && *segment != "_"
    };
    if segments.len() < 2
        || !segments.iter().all(is_ident)
        || segments
            .iter()
            .any(|s| matches!(*s, "crate" | "self" | "super" | "Self"))
    {
        return Err(Error::new(
            ErrorKind::InvalidModel,
            format!(
                "`{module}` is not a module path: give the crate's name and the module's path in it, such as `my_crate::aws::sts`"
            ),
        ));
    }
    Ok(segments)
}

/// `text` with each path that starts at the crate root (`crate::types::Foo`) starting at
/// `root` instead (`crate::aws::sts::types::Foo`). `$crate::` and names that merely end in
/// `crate` are left alone.
fn rebase_crate_paths(text: &str, root: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            out.push_str("crate::");
        } else {
            out.push_str(root);
        }
        rest = &rest[at + "crate::".len()..];
    }
    out.push_str(rest);
    out
}

fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether an operation of the service takes or gives an event stream (a member targeting a
/// `@streaming` union).
fn has_event_streams(index: &Index) -> bool {
    index.operations().any(|(_, operation)| {
        [&operation.input, &operation.output].into_iter().any(|id| {
            index.shape(id).kind.members().iter().any(|member| {
                let target = index.shape(&member.target);
                target.traits.is_streaming() && matches!(target.kind, model::ShapeKind::Union(_))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn laying_out_generated_code_changes_only_whitespace() {
        crate::emit::CHECK_LAYOUT.store(true, std::sync::atomic::Ordering::Relaxed);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut models = vec![
            root.join("model/amplifybackend.json"),
            root.join("tests/models/features.json"),
        ];
        let shared = root.join("../shared/models");
        for name in [
            "aws/amplifybackend-2020-08-11.json",
            "aws-popular/dynamodb-2012-08-10.json",
            "aws-popular/sqs-2012-11-05.json",
        ] {
            let path = shared.join(name);
            if path.is_file() {
                models.push(path);
            } else {
                eprintln!("SKIPPED {name}: {} not found", path.display());
            }
        }
        for model in models {
            let mut codegen = Codegen::new();
            codegen.model(&model);
            let generated = codegen
                .generate()
                .unwrap_or_else(|err| panic!("{}: {err}", model.display()));
            generated.source_files().unwrap();
        }
    }

    use super::*;

    #[test]
    fn the_runtime_version_must_match_and_the_error_says_what_to_change() {
        assert!(check_runtime_version(Some("0.1.0")).is_ok());
        assert!(check_runtime_version(Some("0.1.7")).is_ok());
        let other = check_runtime_version(Some("0.2.0")).unwrap_err();
        assert_eq!(other.kind(), ErrorKind::Runtime);
        let message = other.to_string();
        // The line to write is the runtime of this checkout, which exists while the tests run.
        let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("runtime");
        let line = format!(
            "smithy-runtime = {{ version = \"{RUNTIME_VERSION}\", path = \"{}\" }}",
            runtime.display()
        );
        assert!(
            message.contains("smithy-runtime 0.2.0") && message.contains(&line),
            "{message}"
        );
        let missing = check_runtime_version(None).unwrap_err().to_string();
        assert!(
            missing.contains("[dependencies]") && missing.contains(&line),
            "{missing}"
        );
    }

    #[test]
    fn runtime_dependencies_are_written_as_cargo_reads_them() {
        let value = |dependency: RuntimeDependency| dependency.toml_value();
        assert_eq!(
            value(RuntimeDependency::Path(PathBuf::from("../my \"checkout\"/runtime"))),
            format!(r#"{{ version = "{RUNTIME_VERSION}", path = "../my \"checkout\"/runtime" }}"#)
        );
        let url = "https://example.com/smithy-codegen.git".to_owned();
        assert_eq!(
            value(RuntimeDependency::Git {
                url: url.clone(),
                rev: None
            }),
            r#"{ git = "https://example.com/smithy-codegen.git" }"#
        );
        assert_eq!(
            value(RuntimeDependency::Git {
                url,
                rev: Some("v0.1.0".to_owned())
            }),
            r#"{ git = "https://example.com/smithy-codegen.git", rev = "v0.1.0" }"#
        );
        assert_eq!(value(RuntimeDependency::Version("0.1".to_owned())), r#""0.1""#);
        // By default, the runtime of the checkout the generator was built from.
        let default = CrateOptions::new("a");
        assert_eq!(
            default.runtime_dependency(),
            &RuntimeDependency::this_checkout().unwrap()
        );
    }
}
