//! Assembly: the files of a model, JSON AST and IDL alike, merged into one JSON AST document,
//! upgraded from Smithy 1.0 where a file is 1.0, with `apply` statements, elided members and
//! mixins settled. The typed model is read from that document, and `smithy-codegen ast` prints
//! it.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::idl::{self, IdlFile, Pos};

/// Where a shape, statement or reference was written.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub file: PathBuf,
    pub pos: Option<Pos>,
}

impl Origin {
    fn locate(&self, error: Error) -> Error {
        let error = match self.pos {
            Some((line, column)) => error.at_line_column(line, column),
            None => error,
        };
        error.in_file(&self.file)
    }
}

/// A model assembled into one document, with where its shapes are defined and where the
/// shapes, members and traits of its IDL files are written (by JSON path).
pub(crate) struct Assembled {
    pub document: Value,
    pub origins: HashMap<String, Origin>,
    pub locations: HashMap<String, Origin>,
}

/// The files of a model as they are added, then [`Assembly::finish`]ed into one document.
#[derive(Debug, Default)]
pub(crate) struct Assembly {
    shapes: Map<String, Value>,
    metadata: Map<String, Value>,
    metadata_origin: HashMap<String, Origin>,
    /// Where each shape is defined.
    pub origins: HashMap<String, Origin>,
    /// Where the shapes, members and traits of IDL files are written, by JSON path.
    locations: HashMap<String, Origin>,
    /// The shapes of Smithy 1.0 files, which are upgraded.
    v1: BTreeSet<String>,
    applies: Vec<Apply>,
    targets: Vec<(String, Origin)>,
    elided: Vec<(idl::Elided, PathBuf)>,
    /// Unquoted shape ids of node values: as written, resolved, where.
    syntactic: Vec<(String, String, Origin)>,
    /// Traits written without a value: the shape or member, the trait.
    annotations: Vec<(String, String)>,
    /// `apply` statements to members a shape's mixins give it, by shape: applied when the
    /// shape is flattened, before the shapes that mix it in copy it.
    pending: HashMap<String, Vec<Apply>>,
    errors: Vec<Error>,
}

/// An `apply` statement: the target (a shape or a member), the traits, where it is.
type Apply = (String, Map<String, Value>, Origin);

/// How long a chain of mixins may be.
const MAX_MIXIN_DEPTH: usize = 64;

impl Assembly {
    /// Reads the files of a model. IDL files read relative shape ids against the shapes every
    /// file defines, as the reference implementation resolves them once the model is loaded,
    /// so with more than one file the shapes are gathered first.
    pub(crate) fn add_texts(&mut self, files: &[(PathBuf, String)]) {
        let idl = |file: &Path| file.extension().is_some_and(|extension| extension == "smithy");
        let mut known = BTreeSet::new();
        if files.len() > 1 && files.iter().any(|(file, _)| idl(file)) {
            for (file, text) in files {
                if idl(file) {
                    if let Ok(parsed) = idl::parse(text, file, &BTreeSet::new()) {
                        known.extend(parsed.shapes.into_iter().map(|(id, _, _)| id));
                    }
                } else if let Ok(Value::Object(document)) = serde_json::from_str::<Value>(text) {
                    if let Some(Value::Object(shapes)) = document.get("shapes") {
                        known.extend(shapes.keys().cloned());
                    }
                }
            }
        }
        for (file, text) in files {
            self.add_text(file, text, &known);
        }
    }

    /// Reads one file: IDL when its name ends in `.smithy`, else JSON AST.
    fn add_text(&mut self, file: &Path, text: &str, known: &BTreeSet<String>) {
        if file.extension().is_some_and(|extension| extension == "smithy") {
            match idl::parse(text, file, known) {
                Ok(parsed) => self.add_idl(file, parsed),
                Err(errors) => self.errors.extend(errors),
            }
        } else {
            match serde_json::from_str::<Value>(text) {
                Ok(document) => self.add_json(file, document),
                Err(err) => self.errors.push(
                    Error::new(ErrorKind::Syntax, format!("invalid JSON: {err}"))
                        .at_line_column(err.line(), err.column())
                        .in_file(file),
                ),
            }
        }
    }

    fn add_shape(&mut self, id: String, body: Value, origin: Origin, v1: bool) {
        if let Some(existing) = self.shapes.get(&id) {
            if *existing == body {
                return;
            }
            let first = &self.origins[&id];
            let error = Error::new(
                ErrorKind::InvalidModel,
                format!(
                    "the shape `{id}` is defined differently in {} and in {}",
                    describe(first),
                    describe(&origin)
                ),
            )
            .for_shape(&id);
            self.errors.push(origin.locate(error));
            return;
        }
        if v1 {
            self.v1.insert(id.clone());
        }
        self.origins.insert(id.clone(), origin);
        self.shapes.insert(id, body);
    }

    fn add_metadata(&mut self, key: String, value: Value, origin: Origin) {
        match self.metadata.get_mut(&key) {
            None => {
                self.metadata.insert(key.clone(), value);
                self.metadata_origin.insert(key, origin);
            }
            Some(existing) if *existing == value => {}
            Some(Value::Array(items)) if value.is_array() => {
                if let Value::Array(more) = value {
                    items.extend(more);
                }
            }
            Some(_) => {
                let first = &self.metadata_origin[&key];
                let error = Error::new(
                    ErrorKind::InvalidModel,
                    format!(
                        "the metadata `{key}` has conflicting values in {} and in {}",
                        describe(first),
                        describe(&origin)
                    ),
                );
                self.errors.push(origin.locate(error));
            }
        }
    }

    /// Adds a JSON AST document (Smithy 1.0 or 2.0).
    pub(crate) fn add_json(&mut self, file: &Path, document: Value) {
        let in_file = |error: Error| error.in_file(file);
        let Value::Object(mut root) = document else {
            self.errors
                .push(in_file(Error::invalid("$", "a model document must be a JSON object")));
            return;
        };
        let version = match root.get("smithy").map(Value::as_str) {
            None => {
                self.errors
                    .push(in_file(Error::invalid("$", "missing the `smithy` version field")));
                return;
            }
            Some(None) => {
                self.errors.push(in_file(Error::invalid(
                    "$.smithy",
                    "the `smithy` version must be a string",
                )));
                return;
            }
            Some(Some(version)) => version,
        };
        let v1 = match version {
            "1" | "1.0" => true,
            version if version == "2" || version.starts_with("2.") => false,
            _ => {
                self.errors.push(in_file(
                    Error::new(
                        ErrorKind::Unsupported,
                        format!("Smithy version `{version}` is not supported; this generator reads Smithy 1.0 and 2.0"),
                    )
                    .at_path("$.smithy"),
                ));
                return;
            }
        };
        let origin = Origin {
            file: file.to_path_buf(),
            pos: None,
        };
        if let Some(metadata) = root.remove("metadata") {
            match metadata {
                Value::Object(metadata) => {
                    for (key, value) in metadata {
                        self.add_metadata(key, value, origin.clone());
                    }
                }
                _ => self
                    .errors
                    .push(in_file(Error::invalid("$.metadata", "`metadata` must be an object"))),
            }
        }
        let Some(shapes) = root.remove("shapes") else {
            return;
        };
        let Value::Object(shapes) = shapes else {
            self.errors
                .push(in_file(Error::invalid("$.shapes", "`shapes` must be an object")));
            return;
        };
        for (id, mut body) in shapes {
            if body.get("type").and_then(Value::as_str) == Some("apply") {
                let traits = match body.get_mut("traits").map(Value::take) {
                    Some(Value::Object(traits)) => traits,
                    _ => Map::new(),
                };
                self.applies.push((id, traits, origin.clone()));
                continue;
            }
            self.add_shape(id, body, origin.clone(), v1);
        }
    }

    /// Adds a parsed IDL file.
    pub(crate) fn add_idl(&mut self, file: &Path, parsed: IdlFile) {
        let origin = |pos: Pos| Origin {
            file: file.to_path_buf(),
            pos: Some(pos),
        };
        for (key, value, pos) in parsed.metadata {
            self.add_metadata(key, value, origin(pos));
        }
        for (id, body, pos) in parsed.shapes {
            self.add_shape(id, body, origin(pos), parsed.v1);
        }
        for (target, traits, pos) in parsed.applies {
            self.applies.push((target, traits, origin(pos)));
        }
        for (target, pos) in parsed.targets {
            self.targets.push((target, origin(pos)));
        }
        for elided in parsed.elided {
            self.elided.push((elided, file.to_path_buf()));
        }
        for (raw, id, pos) in parsed.syntactic {
            self.syntactic.push((raw, id, origin(pos)));
        }
        for (target, trait_id, _) in parsed.annotations {
            self.annotations.push((target, trait_id));
        }
        for (path, pos) in parsed.locations {
            self.locations.entry(path).or_insert_with(|| origin(pos));
        }
    }

    /// The model as one Smithy 2.0 JSON AST document: `apply` statements applied, elided
    /// members given their targets, every target checked, Smithy 1.0 shapes upgraded, mixins
    /// flattened. Every error of every file comes back together.
    pub(crate) fn finish(mut self) -> Result<Assembled> {
        self.elide();
        self.check_targets();
        self.annotation_values();
        // Traits applied to members that only mixins give are applied once they are there.
        for (target, traits, origin) in self.apply(true) {
            let root = target.split('$').next().unwrap_or_default().to_owned();
            self.pending.entry(root).or_default().push((target, traits, origin));
        }
        self.upgrade();
        if self.errors.is_empty() {
            self.flatten();
        }
        self.applies = self.pending.drain().flat_map(|(_, applies)| applies).collect();
        self.apply(false);
        if self.errors.is_empty() {
            self.check_syntactic_ids();
            self.enum_values();
        }
        self.normalize();
        self.check_shapes();
        if let Some(error) = Error::all(std::mem::take(&mut self.errors)) {
            return Err(error);
        }
        let mut document = Map::new();
        document.insert("smithy".to_owned(), Value::String("2.0".to_owned()));
        if !self.metadata.is_empty() {
            document.insert("metadata".to_owned(), Value::Object(self.metadata));
        }
        document.insert("shapes".to_owned(), Value::Object(self.shapes));
        Ok(Assembled {
            document: Value::Object(document),
            origins: self.origins,
            locations: self.locations,
        })
    }

    fn exists(&self, id: &str) -> bool {
        let (root, member) = match id.split_once('$') {
            Some((root, member)) => (root, Some(member)),
            None => (id, None),
        };
        if let Some(name) = root.strip_prefix("smithy.api#") {
            if idl::PRELUDE.contains(&name) && member.is_none() {
                return true;
            }
        }
        match (self.shapes.get(root), member) {
            (Some(_), None) => true,
            (Some(shape), Some(member)) => member_of(shape, member).is_some(),
            (None, _) => false,
        }
    }

    /// Unquoted shape ids in node values name shapes of the model (the reference
    /// implementation's `SyntacticShapeIdTarget` event, of severity DANGER).
    fn check_syntactic_ids(&mut self) {
        let missing: Vec<(String, String, Origin)> = self
            .syntactic
            .iter()
            .filter(|(_, id, _)| !self.exists(id))
            .cloned()
            .collect();
        for (raw, id, origin) in missing {
            let error = Error::new(
                ErrorKind::UnresolvedTarget,
                format!(
                    "Syntactic shape ID `{raw}` does not resolve to a valid shape ID: `{id}`. Did you mean to quote \
                     this string? Are you missing a model file?"
                ),
            );
            self.errors.push(origin.locate(error));
        }
    }

    /// A trait written without a value is `[]` when its shape is a list, as the reference
    /// implementation reads it (`@tags`), else `{}`.
    fn annotation_values(&mut self) {
        const PRELUDE_LISTS: &[&str] = &[
            "smithy.api#auth",
            "smithy.api#examples",
            "smithy.api#references",
            "smithy.api#tags",
            "smithy.api#enum",
            "smithy.api#suppress",
        ];
        for (target, trait_id) in std::mem::take(&mut self.annotations) {
            let list = PRELUDE_LISTS.contains(&trait_id.as_str())
                || self
                    .shapes
                    .get(&trait_id)
                    .and_then(|shape| shape.get("type"))
                    .and_then(Value::as_str)
                    .is_some_and(|kind| kind == "list" || kind == "set");
            if !list {
                continue;
            }
            let empty_object = |value: &Value| value.as_object().is_some_and(Map::is_empty);
            let (root, member) = match target.split_once('$') {
                Some((root, member)) => (root, Some(member)),
                None => (target.as_str(), None),
            };
            let place = self.shapes.get_mut(root).and_then(|shape| match member {
                None => Some(shape),
                Some(member) => member_of_mut(shape, member),
            });
            if let Some(value) = place
                .and_then(|place| place.get_mut("traits"))
                .and_then(|traits| traits.get_mut(&trait_id))
                .filter(|value| empty_object(value))
            {
                *value = Value::Array(Vec::new());
            }
            for (_, traits, _) in self.applies.iter_mut().filter(|(applied, _, _)| *applied == target) {
                if let Some(value) = traits.get_mut(&trait_id).filter(|value| empty_object(value)) {
                    *value = Value::Array(Vec::new());
                }
            }
        }
    }

    /// The values of enum members, as the reference implementation settles them: an `enum`
    /// member without `@enumValue` has its name as value, else a string; an `intEnum` member
    /// has an integer within 32 bits.
    fn enum_values(&mut self) {
        let mut problems = Vec::new();
        for (id, shape) in self.shapes.iter_mut() {
            let kind = shape.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
            if kind != "enum" && kind != "intEnum" {
                continue;
            }
            let Some(members) = shape.get_mut("members").and_then(Value::as_object_mut) else {
                continue;
            };
            for (name, member) in members.iter_mut() {
                let Some(member) = member.as_object_mut() else { continue };
                let traits = member.entry("traits").or_insert_with(|| Value::Object(Map::new()));
                let Some(traits) = traits.as_object_mut() else { continue };
                let value = traits.get("smithy.api#enumValue");
                let problem = match (kind.as_str(), value) {
                    ("enum", None) => {
                        traits.insert("smithy.api#enumValue".to_owned(), Value::String(name.clone()));
                        None
                    }
                    ("enum", Some(Value::String(_))) => None,
                    ("enum", Some(other)) => Some(format!(
                        "enum members can only be assigned string values, but found: {other}"
                    )),
                    (_, None) => Some("intEnum members must be assigned an integer value".to_owned()),
                    (_, Some(Value::Number(number))) if number.is_f64() => {
                        Some(format!("intEnum members do not support floating point values: {number}"))
                    }
                    (_, Some(Value::Number(number)))
                        if number.as_i64().is_none_or(|n| i32::try_from(n).is_err()) =>
                    {
                        Some(format!(
                            "intEnum members must fit within an integer, but found: {number} (a value is within -2^31..2^31)"
                        ))
                    }
                    (_, Some(Value::Number(_))) => None,
                    (_, Some(other)) => Some(format!("intEnum members require integer values, but found: {other}")),
                };
                if let Some(message) = problem {
                    let path = format!("$.shapes[{id:?}].members.{name}.traits[\"smithy.api#enumValue\"]");
                    problems.push((id.clone(), path, format!("{id}${name}: {message}")));
                }
            }
        }
        for (shape, path, message) in problems {
            let error = Error::invalid(path, message).for_shape(&shape);
            let error = match self.origins.get(&shape) {
                Some(origin) => origin.locate(error),
                None => error,
            };
            self.errors.push(error);
        }
    }

    fn check_targets(&mut self) {
        let missing: Vec<(String, Origin)> = self
            .targets
            .iter()
            .filter(|(id, _)| !self.exists(id))
            .cloned()
            .collect();
        for (id, origin) in missing {
            let error = Error::new(
                ErrorKind::UnresolvedTarget,
                format!("`{id}` does not resolve to a shape of the model or the prelude"),
            );
            self.errors.push(origin.locate(error));
        }
    }

    /// Gives each elided member (`$name`) the target of the `for` resource's identifier or
    /// property of its name, else of the mixins' member of its name.
    fn elide(&mut self) {
        for (elided, file) in std::mem::take(&mut self.elided) {
            let origin = Origin {
                file,
                pos: Some(elided.pos),
            };
            let from_resource = elided.resource.as_ref().and_then(|resource| {
                let resource = self.shapes.get(resource)?;
                ["identifiers", "properties"].iter().find_map(|key| {
                    resource
                        .get(*key)?
                        .get(&elided.member)?
                        .get("target")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
            });
            let target = from_resource.or_else(|| {
                elided
                    .mixins
                    .iter()
                    .find_map(|mixin| self.inherited_target(mixin, &elided.member, 0))
            });
            if let Some(resource) = &elided.resource {
                let kind = self
                    .shapes
                    .get(resource)
                    .and_then(|shape| shape.get("type"))
                    .and_then(Value::as_str);
                if let Some(kind) = kind.filter(|kind| *kind != "resource") {
                    let error = Error::new(
                        ErrorKind::InvalidModel,
                        format!(
                            "The target of the `for` production must be a resource shape, but found a {kind} shape: {resource}"
                        ),
                    )
                    .for_shape(&elided.shape);
                    self.errors.push(origin.locate(error));
                    continue;
                }
            }
            let Some(target) = target else {
                let error = Error::new(
                    ErrorKind::UnresolvedTarget,
                    "Member target was elided, but no bound resource or mixin contained a matching identifier or member name.",
                )
                .for_shape(format!("{}${}", elided.shape, elided.member));
                self.errors.push(origin.locate(error));
                continue;
            };
            if let Some(member) = self
                .shapes
                .get_mut(&elided.shape)
                .and_then(|shape| member_of_mut(shape, &elided.member))
                .and_then(Value::as_object_mut)
            {
                member.insert("target".to_owned(), Value::String(target));
            }
        }
    }

    /// The target of a mixin's member `name`, or of its own mixins'.
    fn inherited_target(&self, mixin: &str, name: &str, depth: usize) -> Option<String> {
        if depth > MAX_MIXIN_DEPTH {
            return None;
        }
        let shape = self.shapes.get(mixin)?;
        if let Some(target) = member_of(shape, name)
            .and_then(|member| member.get("target"))
            .and_then(Value::as_str)
        {
            return Some(target.to_owned());
        }
        mixin_ids(shape)
            .iter()
            .find_map(|next| self.inherited_target(next, name, depth + 1))
    }

    /// Applies `apply` statements: their traits join the target's; a trait already there
    /// with another value is a conflict, but lists are joined.
    /// With `defer`, a statement whose target member does not exist yet (it comes from a
    /// mixin) is returned, to be applied after flattening.
    fn apply(&mut self, defer: bool) -> Vec<Apply> {
        let mut deferred = Vec::new();
        for (target, traits, origin) in std::mem::take(&mut self.applies) {
            let (root, member) = match target.split_once('$') {
                Some((root, member)) => (root.to_owned(), Some(member.to_owned())),
                None => (target.clone(), None),
            };
            let place = self.shapes.get_mut(&root).and_then(|shape| match &member {
                None => Some(shape),
                Some(member) => member_of_mut(shape, member),
            });
            let Some(place) = place.and_then(Value::as_object_mut) else {
                if defer && member.is_some() && self.shapes.contains_key(&root) {
                    deferred.push((target, traits, origin));
                    continue;
                }
                let error = Error::new(
                    ErrorKind::UnresolvedTarget,
                    format!("`apply` names `{target}`, which is not a shape or member of the model"),
                )
                .for_shape(&target);
                self.errors.push(origin.locate(error));
                continue;
            };
            let existing = place.entry("traits").or_insert_with(|| Value::Object(Map::new()));
            let Some(existing) = existing.as_object_mut() else {
                continue;
            };
            for (id, value) in traits {
                match existing.get_mut(&id) {
                    None => {
                        existing.insert(id, value);
                    }
                    Some(current) if *current == value => {}
                    Some(Value::Array(items)) if value.is_array() => {
                        if let Value::Array(more) = value {
                            items.extend(more);
                        }
                    }
                    // After flattening, an applied trait replaces the one a member inherits.
                    Some(current) if !defer => *current = value,
                    Some(_) => {
                        let error = Error::new(
                            ErrorKind::InvalidModel,
                            format!("Conflicting `{id}` trait: `apply` gives `{target}` another value than it has"),
                        )
                        .for_shape(&target);
                        self.errors.push(origin.locate(error));
                    }
                }
            }
        }
        deferred
    }

    /// Writes every shape one way: no empty `members`, `traits` or `mixins`, and operations
    /// with their `input` and `output` (`smithy.api#Unit` when the model leaves them out).
    fn normalize(&mut self) {
        for shape in self.shapes.values_mut() {
            let Some(shape) = shape.as_object_mut() else { continue };
            shape.retain(|key, value| match (key.as_str(), value) {
                ("traits" | "members" | "identifiers" | "properties" | "rename", Value::Object(entries)) => {
                    !entries.is_empty()
                }
                ("mixins" | "errors" | "operations" | "resources" | "collectionOperations", Value::Array(items)) => {
                    !items.is_empty()
                }
                _ => true,
            });
            if shape.get("type").and_then(Value::as_str) == Some("operation") {
                for key in ["input", "output"] {
                    shape
                        .entry(key)
                        .or_insert_with(|| serde_json::json!({ "target": "smithy.api#Unit" }));
                }
            }
            let mut members: Vec<&mut Value> = Vec::new();
            if let Some(Value::Object(entries)) = shape.get_mut("members") {
                members.extend(entries.values_mut());
            }
            for member in members {
                if let Some(member) = member.as_object_mut() {
                    if member
                        .get("traits")
                        .and_then(Value::as_object)
                        .is_some_and(Map::is_empty)
                    {
                        member.remove("traits");
                    }
                }
            }
            for key in ["member", "key", "value"] {
                if let Some(member) = shape.get_mut(key).and_then(Value::as_object_mut) {
                    if member
                        .get("traits")
                        .and_then(Value::as_object)
                        .is_some_and(Map::is_empty)
                    {
                        member.remove("traits");
                    }
                }
            }
        }
    }

    /// What a shape of each type must have, once mixins are flattened: the members of lists
    /// and maps; mixin resources without identifiers or properties, mixin operations without
    /// input or output.
    fn check_shapes(&mut self) {
        for (id, shape) in &self.shapes {
            let origin = self.origins.get(id);
            let mixin = shape
                .get("traits")
                .and_then(|traits| traits.get("smithy.api#mixin"))
                .is_some();
            let kind = shape.get("type").and_then(Value::as_str).unwrap_or_default();
            let required: &[&str] = match kind {
                "list" | "set" => &["member"],
                "map" => &["key", "value"],
                _ => &[],
            };
            let mut messages = Vec::new();
            for name in required {
                if shape.get(*name).and_then(|member| member.get("target")).is_none() {
                    messages.push(format!("Missing required member of shape `{id}`: {name}"));
                }
            }
            if mixin && kind == "resource" && (shape.get("identifiers").is_some() || shape.get("properties").is_some())
            {
                messages.push(format!(
                    "Resource shapes with the mixin trait may not define any properties. Resource mixin shape `{id}` defines one or more properties."
                ));
            }
            let unit = |key: &str| {
                shape
                    .get(key)
                    .and_then(|target| target.get("target"))
                    .and_then(Value::as_str)
                    .is_none_or(|target| target == "smithy.api#Unit")
            };
            if mixin && kind == "operation" && !(unit("input") && unit("output")) {
                messages.push(format!(
                    "Operation shapes with the mixin trait MUST target `smithy.api#Unit` for their input and output. Operation mixin shape `{id}` defines one or both of these properties."
                ));
            }
            for message in messages {
                let error = Error::new(ErrorKind::InvalidModel, message).for_shape(id);
                self.errors.push(match origin {
                    Some(origin) => origin.locate(error),
                    None => error,
                });
            }
        }
    }

    /// Smithy 1.0 shapes read as 2.0: a structure member that targets a number or boolean
    /// that is not `@box`ed (in 1.0, those are not nullable) gets its zero `@default`.
    fn upgrade(&mut self) {
        let zero = |shapes: &Map<String, Value>, v1: &BTreeSet<String>, target: &str| -> Option<Value> {
            let primitive = match target {
                "smithy.api#PrimitiveBoolean" => Some("boolean"),
                "smithy.api#PrimitiveByte"
                | "smithy.api#PrimitiveShort"
                | "smithy.api#PrimitiveInteger"
                | "smithy.api#PrimitiveLong"
                | "smithy.api#PrimitiveFloat"
                | "smithy.api#PrimitiveDouble" => Some("number"),
                _ => {
                    let shape = shapes.get(target).filter(|_| v1.contains(target))?;
                    let boxed = shape
                        .get("traits")
                        .and_then(|traits| traits.get("smithy.api#box"))
                        .is_some();
                    match shape.get("type").and_then(Value::as_str) {
                        _ if boxed => None,
                        Some("boolean") => Some("boolean"),
                        Some("byte" | "short" | "integer" | "long" | "float" | "double") => Some("number"),
                        _ => None,
                    }
                }
            };
            primitive.map(|kind| {
                if kind == "boolean" {
                    Value::Bool(false)
                } else {
                    Value::from(0)
                }
            })
        };
        let mut defaults = Vec::new();
        for id in &self.v1 {
            let Some(shape) = self.shapes.get(id) else { continue };
            if shape.get("type").and_then(Value::as_str) != Some("structure") {
                continue;
            }
            let Some(members) = shape.get("members").and_then(Value::as_object) else {
                continue;
            };
            for (name, member) in members {
                let traits = member.get("traits");
                let has = |trait_id: &str| traits.and_then(|traits| traits.get(trait_id)).is_some();
                if has("smithy.api#box") || has("smithy.api#default") {
                    continue;
                }
                let Some(target) = member.get("target").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(value) = zero(&self.shapes, &self.v1, target) {
                    defaults.push((id.clone(), name.clone(), value));
                }
            }
        }
        for (id, name, value) in defaults {
            if let Some(member) = self
                .shapes
                .get_mut(&id)
                .and_then(|shape| shape.get_mut("members"))
                .and_then(|members| members.get_mut(&name))
                .and_then(Value::as_object_mut)
            {
                let traits = member.entry("traits").or_insert_with(|| Value::Object(Map::new()));
                if let Some(traits) = traits.as_object_mut() {
                    traits.insert("smithy.api#default".to_owned(), value);
                }
            }
        }
    }

    /// Copies every shape's mixins into it, then drops its `mixins`.
    fn flatten(&mut self) {
        let ids: Vec<String> = self
            .shapes
            .iter()
            .filter(|(_, shape)| !mixin_ids(shape).is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        let mut done = BTreeSet::new();
        for id in ids {
            if let Err(error) = self.flatten_shape(&id, &mut Vec::new(), &mut done) {
                self.errors.push(error);
            }
        }
    }

    fn flatten_shape(&mut self, id: &str, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Result<()> {
        if done.contains(id) {
            return Ok(());
        }
        let located = |this: &Self, error: Error| match this.origins.get(id) {
            Some(origin) => origin.locate(error.for_shape(id)),
            None => error.for_shape(id),
        };
        if stack.iter().any(|seen| seen == id) {
            let error = Error::invalid(
                format!("$.shapes[{id:?}].mixins"),
                format!("the shape is its own mixin, through `{}`", stack[0]),
            );
            return Err(located(self, error));
        }
        if stack.len() > MAX_MIXIN_DEPTH {
            let error = Error::invalid(
                format!("$.shapes[{id:?}].mixins"),
                format!("mixins nest deeper than {MAX_MIXIN_DEPTH} levels"),
            );
            return Err(located(self, error));
        }
        let Some(shape) = self.shapes.get(id) else {
            return Ok(());
        };
        let mixins = mixin_ids(shape);
        stack.push(id.to_owned());
        for (index, mixin) in mixins.iter().enumerate() {
            if !self.shapes.contains_key(mixin) {
                let error = Error::new(
                    ErrorKind::UnresolvedTarget,
                    format!("the mixin `{mixin}` is not defined in the model"),
                )
                .at_path(format!("$.shapes[{id:?}].mixins[{index}]"));
                stack.pop();
                return Err(located(self, error));
            }
            self.flatten_shape(mixin, stack, done)?;
        }
        stack.pop();
        let mut inherited = Map::new();
        let mut traits = Map::new();
        let own_type = self.shapes.get(id).and_then(|shape| shape.get("type")).cloned();
        let wrong: Vec<&String> = mixins
            .iter()
            .filter(|mixin| self.shapes[*mixin].get("type") != own_type.as_ref())
            .collect();
        if !wrong.is_empty() {
            let message = format!(
                "Mixins may only be mixed into shapes of the same type. The following mixins were applied to the {} shape `{id}` which are not {} shapes: [{}]",
                own_type.as_ref().and_then(Value::as_str).unwrap_or_default(),
                own_type.as_ref().and_then(Value::as_str).unwrap_or_default(),
                wrong.iter().map(|mixin| format!("`{mixin}`")).collect::<Vec<_>>().join(", ")
            );
            return Err(located(self, Error::new(ErrorKind::InvalidModel, message)));
        }
        let own_shape = self.shapes.get(id).cloned().unwrap_or_default();
        let mut conflicts = Vec::new();
        // Two mixins may give a member of one name only with one target. The reference
        // implementation names the later mixin's member when the shape defines the member
        // itself, else the shape's member.
        let mut conflict = |name: &str, existing: &Value, member: &Value, mixin: &str| {
            if existing.get("target") != member.get("target") {
                let other = if member_of(&own_shape, name).is_some() {
                    format!("{mixin}${name}")
                } else {
                    format!("{id}${name}")
                };
                conflicts.push(format!(
                    "{id}${name}: Member conflicts with an inherited mixin member: `{other}`"
                ));
            }
        };
        for mixin in &mixins {
            let mixin_shape = &self.shapes[mixin];
            let local: Vec<&str> = mixin_shape
                .get("traits")
                .and_then(|traits| traits.get("smithy.api#mixin"))
                .and_then(|value| value.get("localTraits"))
                .and_then(Value::as_array)
                .map(|ids| ids.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(mixin_traits) = mixin_shape.get("traits").and_then(Value::as_object) {
                for (trait_id, value) in mixin_traits {
                    if trait_id != "smithy.api#mixin" && !local.contains(&trait_id.as_str()) {
                        traits.insert(trait_id.clone(), value.clone());
                    }
                }
            }
            for (key, value) in mixin_shape.as_object().into_iter().flatten() {
                match key.as_str() {
                    "type" | "traits" | "mixins" => {}
                    "members" => {
                        let members = inherited.entry("members").or_insert_with(|| Value::Object(Map::new()));
                        if let Some(members) = members.as_object_mut() {
                            for (name, member) in value.as_object().into_iter().flatten() {
                                match members.get_mut(name) {
                                    Some(existing) => {
                                        conflict(name, existing, member, mixin);
                                        merge_traits(existing, member)
                                    }
                                    None => {
                                        members.insert(name.clone(), member.clone());
                                    }
                                }
                            }
                        }
                    }
                    "member" | "key" | "value" => match inherited.get_mut(key) {
                        Some(existing) => {
                            conflict(key, existing, value, mixin);
                            merge_traits(existing, value)
                        }
                        None => {
                            inherited.insert(key.clone(), value.clone());
                        }
                    },
                    _ => merge_property(&mut inherited, key, value),
                }
            }
        }
        let shape = self.shapes.get(id).cloned().unwrap_or_default();
        let mut flattened = Map::new();
        flattened.insert("type".to_owned(), shape.get("type").cloned().unwrap_or(Value::Null));
        // Inherited members first, in order; an own member of an inherited name adds its
        // traits there, and may not change its target.
        let own = shape.as_object().cloned().unwrap_or_default();
        for (key, value) in &inherited {
            flattened.insert(key.clone(), value.clone());
        }
        for (key, value) in &own {
            if matches!(key.as_str(), "type" | "traits" | "mixins") {
                continue;
            }
            match (key.as_str(), flattened.get_mut(key)) {
                ("members", Some(Value::Object(members))) => {
                    for (name, member) in value.as_object().into_iter().flatten() {
                        match members.get_mut(name) {
                            Some(existing) => {
                                let own_target = member.get("target");
                                if own_target.is_some() && own_target != existing.get("target") {
                                    conflicts.push(format!(
                                        "{id}${name}: Member conflicts with an inherited mixin member: `{}`",
                                        mixins
                                            .iter()
                                            .find(|mixin| member_of(&self.shapes[*mixin], name).is_some())
                                            .map(|mixin| format!("{mixin}${name}"))
                                            .unwrap_or_default()
                                    ));
                                    continue;
                                }
                                merge_traits(existing, member);
                            }
                            None => {
                                members.insert(name.clone(), member.clone());
                            }
                        }
                    }
                }
                ("member" | "key" | "value", Some(existing)) => {
                    merge_traits(existing, value);
                }
                (_, Some(existing)) if existing.is_array() && value.is_array() => {
                    merge_property(&mut flattened, key, value);
                }
                (_, Some(existing))
                    if existing.is_object() && value.is_object() && key != "input" && key != "output" =>
                {
                    merge_property(&mut flattened, key, value);
                }
                _ => {
                    flattened.insert(key.clone(), value.clone());
                }
            }
        }
        if let Some(own_traits) = own.get("traits").and_then(Value::as_object) {
            for (trait_id, value) in own_traits {
                traits.insert(trait_id.clone(), value.clone());
            }
        }
        if !traits.is_empty() {
            flattened.insert("traits".to_owned(), Value::Object(traits));
        }
        if let Some(conflict) = conflicts.into_iter().next() {
            return Err(located(self, Error::new(ErrorKind::InvalidModel, conflict)));
        }
        self.shapes.insert(id.to_owned(), Value::Object(flattened));
        done.insert(id.to_owned());
        if let Some(applies) = self.pending.remove(id) {
            self.applies = applies;
            self.apply(false);
        }
        Ok(())
    }
}

/// A file, with the line of a statement in it, for messages.
fn describe(origin: &Origin) -> String {
    match origin.pos {
        Some((line, column)) => format!("{}:{line}:{column}", origin.file.display()),
        None => origin.file.display().to_string(),
    }
}

/// The absolute ids of a shape's `mixins`.
fn mixin_ids(shape: &Value) -> Vec<String> {
    shape
        .get("mixins")
        .and_then(Value::as_array)
        .map(|mixins| {
            mixins
                .iter()
                .filter_map(|mixin| mixin.get("target").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A shape's member of this name: of `members`, or a list's `member`, a map's `key`/`value`.
fn member_of<'a>(shape: &'a Value, name: &str) -> Option<&'a Value> {
    shape.get("members").and_then(|members| members.get(name)).or_else(|| {
        matches!(name, "member" | "key" | "value")
            .then(|| shape.get(name))
            .flatten()
    })
}

fn member_of_mut<'a>(shape: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    if shape.get("members").and_then(|members| members.get(name)).is_some() {
        return shape.get_mut("members")?.get_mut(name);
    }
    if matches!(name, "member" | "key" | "value") {
        return shape.get_mut(name);
    }
    None
}

/// Adds a member's own traits over the inherited member's.
fn merge_traits(existing: &mut Value, own: &Value) {
    let Some(own_traits) = own.get("traits").and_then(Value::as_object) else {
        return;
    };
    if let Some(existing) = existing.as_object_mut() {
        let traits = existing.entry("traits").or_insert_with(|| Value::Object(Map::new()));
        if let Some(traits) = traits.as_object_mut() {
            for (id, value) in own_traits {
                traits.insert(id.clone(), value.clone());
            }
        }
    }
}

/// Adds a mixin's property (members, errors, operations, identifiers, ...) to what a shape
/// inherits: lists are joined without repeats, objects joined, anything else taken.
fn merge_property(into: &mut Map<String, Value>, key: &str, value: &Value) {
    match (into.get_mut(key), value) {
        (Some(Value::Array(items)), Value::Array(more)) => {
            for item in more {
                if !items.contains(item) {
                    items.push(item.clone());
                }
            }
        }
        (Some(Value::Object(entries)), Value::Object(more)) => {
            for (name, item) in more {
                entries.entry(name.clone()).or_insert_with(|| item.clone());
            }
        }
        (Some(_), _) => {}
        (None, _) => {
            into.insert(key.to_owned(), value.clone());
        }
    }
}

/// A document with its objects' keys in a stable order (members, which are ordered, keep
/// theirs), for printing.
pub(crate) fn canonical(value: &Value) -> Value {
    let sorted = canonical_in(value, false);
    let Value::Object(mut root) = sorted else {
        return sorted;
    };
    // The document's own fields in the order Smithy writes them: version, metadata, shapes.
    let mut ordered = Map::new();
    for key in ["smithy", "metadata", "shapes"] {
        if let Some(value) = root.remove(key) {
            ordered.insert(key.to_owned(), value);
        }
    }
    ordered.extend(root);
    Value::Object(ordered)
}

fn canonical_in(value: &Value, keep_order: bool) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|item| canonical_in(item, false)).collect()),
        Value::Object(entries) => {
            let mut keys: Vec<&String> = entries.keys().collect();
            if !keep_order {
                keys.sort();
            }
            Value::Object(
                keys.into_iter()
                    .map(|key| (key.clone(), canonical_in(&entries[key], key == "members")))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}
