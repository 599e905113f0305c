//! Load: the assembled Smithy 2.0 JSON AST document (see [`crate::assemble`]: files merged,
//! mixins flattened) into the typed [`Model`].
//!
//! Every error names the JSON path of the offending value; syntax errors name line and column.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Member, Model, Operation, Resource, Service, Shape, ShapeId, ShapeKind, Simple, Traits};

/// Parses a model from JSON text.
#[cfg(test)]
pub fn parse(text: &str) -> Result<Model> {
    let document: Value = serde_json::from_str(text).map_err(|err| {
        Error::new(ErrorKind::Syntax, format!("invalid JSON: {err}")).at_line_column(err.line(), err.column())
    })?;
    let mut model = Model::default();
    merge_document(&mut model, document)?;
    Ok(model)
}

/// Adds the shapes of one JSON AST document to `model`. `apply` entries add traits to shapes
/// defined anywhere in the model, so they are applied once every shape is known.
pub(crate) fn merge_document(model: &mut Model, document: Value) -> Result<()> {
    let mut root = into_object(document, "$")?;
    let version = root
        .get("smithy")
        .ok_or_else(|| Error::invalid("$", "missing the `smithy` version field"))?;
    let version = version
        .as_str()
        .ok_or_else(|| Error::invalid("$.smithy", "the `smithy` version must be a string"))?;
    if version != "2" && !version.starts_with("2.") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("Smithy IDL version `{version}` is not supported; this generator reads Smithy 2.0 JSON AST models"),
        )
        .at_path("$.smithy"));
    }
    let Some(shapes) = root.remove("shapes") else {
        return Ok(());
    };
    // The document is taken apart as it is read: trait values move into the model. A large
    // document is read on two threads, a half each; what the halves read is added in order,
    // so that the first problem reported is the first in the document, as read on one.
    let entries: Vec<(String, Value)> = into_object(shapes, "$.shapes")?.into_iter().collect();
    let halves = if entries.len() >= 200 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        let mut front = entries;
        let back = front.split_off(front.len() / 2);
        std::thread::scope(|scope| {
            let back = scope.spawn(|| read_entries(back));
            [read_entries(front), crate::join(back)]
        })
    } else {
        [read_entries(entries), (Vec::new(), None)]
    };
    let mut applied = Vec::new();
    for (read, problem) in halves {
        for entry in read {
            match entry {
                Entry::Shape(shape) => {
                    if model.shapes.contains_key(&shape.id) {
                        let id = shape.id.as_str();
                        return Err(
                            Error::invalid(format!("$.shapes[{id:?}]"), "the shape is defined twice").for_shape(id),
                        );
                    }
                    model.shapes.insert(shape.id.clone(), shape);
                }
                Entry::Apply(id, traits, path) => applied.push((id, traits, path)),
            }
        }
        if let Some(problem) = problem {
            return Err(problem);
        }
    }
    for (id, traits, path) in applied {
        let target = model.shapes.get_mut(&id).ok_or_else(|| {
            Error::new(ErrorKind::UnresolvedTarget, "`apply` names a shape that does not exist")
                .at_path(&path)
                .for_shape(&id)
        })?;
        target.traits.0.extend(traits.0);
    }
    for shape in model.shapes.values_mut() {
        upgrade_legacy_enum(shape)?;
    }
    Ok(())
}

/// What an entry of a document's `shapes` reads as: a shape, or traits to apply to one.
enum Entry {
    Shape(Shape),
    Apply(ShapeId, Traits, String),
}

/// Reads `entries` in order: what each reads as, up to the first that does not read, and why
/// that one does not.
fn read_entries(entries: Vec<(String, Value)>) -> (Vec<Entry>, Option<Error>) {
    let mut read = Vec::with_capacity(entries.len());
    for (id, body) in entries {
        match read_entry(&id, body) {
            Ok(entry) => read.push(entry),
            Err(problem) => return (read, Some(problem)),
        }
    }
    (read, None)
}

fn read_entry(id: &str, body: Value) -> Result<Entry> {
    // Paths are formatted only for an error.
    let path = || format!("$.shapes[{id:?}]");
    let shape_id = ShapeId::parse(id)
        .ok_or_else(|| Error::invalid(path(), format!("`{id}` is not an absolute shape id (`namespace#Name`)")))?;
    let mut fields = match body {
        Value::Object(map) => map,
        other => return Err(not_an_object(&other, path())),
    };
    let type_name = fields
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::invalid(format!("{}.type", path()), "missing or non-string shape `type`").for_shape(id)
        })?;
    let traits = traits(fields.get_mut("traits").map(Value::take), || {
        format!("{}.traits", path())
    })?;
    if type_name == "apply" {
        return Ok(Entry::Apply(shape_id, traits, path()));
    }
    let kind = shape_kind(&type_name, &mut fields, &path).map_err(|err| err.for_shape(id))?;
    Ok(Entry::Shape(Shape {
        id: shape_id,
        kind,
        traits,
    }))
}

/// A member name for an unnamed legacy enum value: the value with every other character made
/// `_` (`t2.micro` → `t2_micro`), `V` before a leading digit (`1` → `V1`); punctuation alone is
/// spelled out (`*` → `Asterisk`, `-` → `Hyphen`).
fn legacy_member_name(value: &str) -> String {
    if !value.chars().any(|c| c.is_ascii_alphanumeric()) {
        let spelled: Vec<&str> = value
            .chars()
            .map(|c| match c {
                '*' => "Asterisk",
                '-' => "Hyphen",
                '+' => "Plus",
                '.' => "Dot",
                '/' => "Slash",
                ':' => "Colon",
                '_' => "Underscore",
                ' ' => "Space",
                _ => "Symbol",
            })
            .collect();
        return if spelled.is_empty() {
            "Empty".to_owned()
        } else {
            spelled.join("")
        };
    }
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if cleaned.starts_with(|c: char| c.is_ascii_alphabetic()) {
        cleaned
    } else {
        format!("V{cleaned}")
    }
}

/// Turns a string shape with the Smithy 1.0 `@enum` trait into an `enum` shape, so the rest of
/// the pipeline knows one kind of enum. Members are named by the entry's `name`, or else after
/// its value (`t2.micro` → `t2_micro`), made unique.
fn upgrade_legacy_enum(shape: &mut Shape) -> Result<()> {
    if !matches!(shape.kind, ShapeKind::Simple(Simple::String)) {
        return Ok(());
    }
    let Some(definition) = shape.traits.0.remove("smithy.api#enum") else {
        return Ok(());
    };
    let path = format!("$.shapes[{:?}].traits[\"smithy.api#enum\"]", shape.id.as_str());
    let entries = definition
        .as_array()
        .ok_or_else(|| Error::invalid(&path, "the `@enum` trait must be an array").for_shape(&shape.id))?;
    let mut members: Vec<Member> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = format!("{path}[{index}]");
        let value = entry.get("value").and_then(Value::as_str).ok_or_else(|| {
            Error::invalid(&entry_path, "an `@enum` entry needs a string `value`").for_shape(&shape.id)
        })?;
        let base = match entry.get("name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => legacy_member_name(value),
        };
        let mut name = base.clone();
        let mut n = 2;
        while members.iter().any(|member| member.name == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let mut traits = Traits::default();
        traits
            .0
            .insert("smithy.api#enumValue".to_owned(), Value::String(value.to_owned()));
        if let Some(doc) = entry.get("documentation") {
            traits.0.insert("smithy.api#documentation".to_owned(), doc.clone());
        }
        if entry.get("deprecated").and_then(Value::as_bool) == Some(true) {
            traits
                .0
                .insert("smithy.api#deprecated".to_owned(), Value::Object(Map::new()));
        }
        if let Some(tags) = entry.get("tags") {
            // Smithy's own upgrade makes a value tagged `internal` an `@internal` member.
            if tags
                .as_array()
                .is_some_and(|tags| tags.iter().any(|tag| tag == "internal"))
            {
                traits
                    .0
                    .insert("smithy.api#internal".to_owned(), Value::Object(Map::new()));
            }
            traits.0.insert("smithy.api#tags".to_owned(), tags.clone());
        }
        let target = ShapeId::parse("smithy.api#Unit").expect("the prelude id is valid");
        members.push(Member { name, target, traits });
    }
    shape.kind = ShapeKind::Enum(members);
    Ok(())
}

/// `path` makes the shape's JSON path, for an error.
fn shape_kind(type_name: &str, fields: &mut Map<String, Value>, path: &dyn Fn() -> String) -> Result<ShapeKind> {
    if let Some(simple) = Simple::from_type_name(type_name) {
        return Ok(ShapeKind::Simple(simple));
    }
    let mut member = |name: &str| -> Result<Member> {
        let value = fields
            .get_mut(name)
            .map(Value::take)
            .ok_or_else(|| Error::invalid(path(), format!("a {type_name} shape needs a `{name}` member")))?;
        member(name.to_owned(), value, &|name| format!("{}.{name}", path()))
    };
    Ok(match type_name {
        "list" => ShapeKind::List(member("member")?),
        "set" => ShapeKind::Set(member("member")?),
        "map" => ShapeKind::Map {
            key: member("key")?,
            value: member("value")?,
        },
        "structure" => ShapeKind::Structure(members(fields, path)?),
        "union" => ShapeKind::Union(members(fields, path)?),
        "enum" => ShapeKind::Enum(members(fields, path)?),
        "intEnum" => ShapeKind::IntEnum(members(fields, path)?),
        "operation" => ShapeKind::Operation(Operation {
            input: optional_target(fields, "input", path)?.unwrap_or_else(unit),
            output: optional_target(fields, "output", path)?.unwrap_or_else(unit),
            errors: target_list(fields, "errors", path)?,
        }),
        "service" => ShapeKind::Service(Service {
            version: fields.get("version").and_then(Value::as_str).map(str::to_owned),
            operations: target_list(fields, "operations", path)?,
            resources: target_list(fields, "resources", path)?,
            errors: target_list(fields, "errors", path)?,
        }),
        "resource" => {
            let mut operations = Vec::new();
            for lifecycle in ["create", "put", "read", "update", "delete", "list"] {
                operations.extend(optional_target(fields, lifecycle, path)?);
            }
            operations.extend(target_list(fields, "operations", path)?);
            operations.extend(target_list(fields, "collectionOperations", path)?);
            ShapeKind::Resource(Resource {
                operations,
                resources: target_list(fields, "resources", path)?,
            })
        }
        other => {
            return Err(
                Error::new(ErrorKind::Unsupported, format!("unknown shape type `{other}`"))
                    .at_path(format!("{}.type", path())),
            )
        }
    })
}

fn unit() -> ShapeId {
    ShapeId::parse("smithy.api#Unit").expect("the prelude id is valid")
}

fn members(fields: &mut Map<String, Value>, path: &dyn Fn() -> String) -> Result<Vec<Member>> {
    let Some(members) = fields.get_mut("members").map(Value::take) else {
        return Ok(Vec::new());
    };
    let members = match members {
        Value::Object(map) => map,
        other => return Err(not_an_object(&other, format!("{}.members", path()))),
    };
    members
        .into_iter()
        .map(|(name, value)| member(name, value, &|name| format!("{}.members.{name}", path())))
        .collect()
}

/// The member `name`; `path` makes its JSON path from its name, for an error.
fn member(name: String, value: Value, path: &dyn Fn(&str) -> String) -> Result<Member> {
    let mut fields = match value {
        Value::Object(map) => map,
        other => return Err(not_an_object(&other, path(&name))),
    };
    let path = || path(&name);
    Ok(Member {
        target: target(&fields, &path)?,
        traits: traits(fields.get_mut("traits").map(Value::take), || {
            format!("{}.traits", path())
        })?,
        name,
    })
}

fn target(fields: &Map<String, Value>, path: &dyn Fn() -> String) -> Result<ShapeId> {
    let target_path = || format!("{}.target", path());
    let id = fields
        .get("target")
        .ok_or_else(|| Error::invalid(path(), "missing `target`"))?
        .as_str()
        .ok_or_else(|| Error::invalid(target_path(), "`target` must be a string"))?;
    ShapeId::parse(id).ok_or_else(|| Error::invalid(target_path(), format!("`{id}` is not an absolute shape id")))
}

fn optional_target(fields: &Map<String, Value>, key: &str, path: &dyn Fn() -> String) -> Result<Option<ShapeId>> {
    fields
        .get(key)
        .map(|value| {
            let path = || format!("{}.{key}", path());
            target(object(value, &path)?, &path)
        })
        .transpose()
}

fn target_list(fields: &Map<String, Value>, key: &str, path: &dyn Fn() -> String) -> Result<Vec<ShapeId>> {
    let Some(value) = fields.get(key) else {
        return Ok(Vec::new());
    };
    let path = format!("{}.{key}", path());
    let items = value
        .as_array()
        .ok_or_else(|| Error::invalid(&path, format!("`{key}` must be an array of references")))?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let path = || format!("{path}[{index}]");
            target(object(item, &path)?, &path)
        })
        .collect()
}

/// The traits of a shape or member; `path` makes the JSON path of the `traits` object, for an
/// error.
fn traits(value: Option<Value>, path: impl FnOnce() -> String) -> Result<Traits> {
    let map = match value {
        None => return Ok(Traits::default()),
        Some(Value::Object(map)) => map,
        Some(other) => return Err(not_an_object(&other, path())),
    };
    let mut traits = Traits::default();
    for (id, value) in map {
        let absolute = if id.contains('#') {
            id
        } else {
            format!("smithy.api#{id}")
        };
        traits.0.insert(absolute, value);
    }
    Ok(traits)
}

fn into_object(value: Value, path: &str) -> Result<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(not_an_object(&other, path)),
    }
}

fn object<'a>(value: &'a Value, path: &dyn Fn() -> String) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| not_an_object(value, path()))
}

fn not_an_object(value: &Value, path: impl Into<String>) -> Error {
    Error::invalid(path, format!("expected a JSON object, found {}", describe(value)))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse("{\n  \"smithy\": \"2.0\",\n  \"shapes\": {,}\n}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Syntax);
        assert_eq!(err.line_column(), Some((3, 14)));
    }

    #[test]
    fn rejects_smithy_1() {
        let err = parse(r#"{"smithy": "1.0", "shapes": {}}"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert_eq!(err.json_path(), Some("$.smithy"));
    }

    #[test]
    fn member_errors_name_their_path() {
        let err =
            parse(r#"{"smithy": "2.0", "shapes": {"a#B": {"type": "structure", "members": {"c": {"target": 3}}}}}"#)
                .unwrap_err();
        assert_eq!(err.json_path(), Some(r#"$.shapes["a#B"].members.c.target"#));
        assert_eq!(err.shape(), Some("a#B"));
    }

    #[test]
    fn apply_adds_traits() {
        let model = parse(
            r#"{"smithy": "2.0", "shapes": {
                "a#B": {"type": "string"},
                "a#B$x": {"type": "apply", "traits": {"smithy.api#sensitive": {}}}
            }}"#,
        );
        // `a#B$x` is not a valid shape id for a top-level shape: member-level apply is refused.
        assert!(model.is_err());
        let model = parse(
            r#"{"smithy": "2.0", "shapes": {
                "a#B": {"type": "string"},
                "a#C": {"type": "apply", "traits": {"smithy.api#sensitive": {}}}
            }}"#,
        )
        .unwrap_err();
        assert_eq!(model.kind(), ErrorKind::UnresolvedTarget);
    }
}
