//! Index: resolves every reference (including the `smithy.api` prelude), selects the service and
//! operations to generate with the shapes they reach, finds recursive members and decides
//! nullability.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Member, Model, Operation, Service, Shape, ShapeId, ShapeKind, Simple, Traits};

/// What to generate: a service (needed only when the model has several) and operations (all of
/// the service's when empty), by shape name or absolute id.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub service: Option<String>,
    pub operations: Vec<String>,
}

/// A model with every reference checked, and the part of it selected for generation.
#[derive(Debug)]
pub struct Index<'m> {
    pub(crate) model: &'m Model,
    prelude: BTreeMap<ShapeId, Shape>,
    service: ShapeId,
    operations: Vec<ShapeId>,
    closure: BTreeSet<ShapeId>,
    /// The members to box, by their structure's or union's id and their name.
    boxed: HashSet<(&'m ShapeId, &'m str)>,
}

impl<'m> Index<'m> {
    /// Checks the model's references and selects what `selection` asks for.
    pub fn new(model: &'m Model, selection: &Selection) -> Result<Self> {
        let index = Self::unchecked(model, selection)?;
        index.check_model()?;
        Ok(index)
    }

    /// [`Index::new`] without its last step, [`Index::check_model`], which the caller runs.
    pub(crate) fn unchecked(model: &'m Model, selection: &Selection) -> Result<Self> {
        let mut index = Index {
            model,
            prelude: prelude(),
            service: ShapeId::parse("smithy.api#Unit").expect("valid id"),
            operations: Vec::new(),
            closure: BTreeSet::new(),
            boxed: HashSet::new(),
        };
        index.check_references()?;
        index.check_collection_cycles()?;
        index.service = index.select_service(selection.service.as_deref())?;
        index.operations = index.select_operations(&selection.operations)?;
        index.closure = index.walk_closure();
        index.boxed = index.find_boxed_members();
        index.check_required_cycles()?;
        Ok(index)
    }

    /// A shape of the model or the prelude. Every id reached through the index resolves.
    pub fn shape(&self, id: &ShapeId) -> &Shape {
        self.get(id)
            .unwrap_or_else(|| panic!("unresolved shape `{id}` passed the reference check"))
    }

    pub(crate) fn get(&self, id: &ShapeId) -> Option<&Shape> {
        self.model.shapes.get(id).or_else(|| self.prelude.get(id))
    }

    /// The selected service shape.
    pub fn service(&self) -> (&Shape, &Service) {
        let shape = self.shape(&self.service);
        match &shape.kind {
            ShapeKind::Service(service) => (shape, service),
            _ => unreachable!("select_service only returns services"),
        }
    }

    /// The selected operations, sorted by name.
    pub fn operations(&self) -> impl Iterator<Item = (&Shape, &Operation)> {
        self.operations.iter().map(|id| {
            let shape = self.shape(id);
            match &shape.kind {
                ShapeKind::Operation(operation) => (shape, operation),
                _ => unreachable!("select_operations only returns operations"),
            }
        })
    }

    /// The errors an operation can return: its own, then the service's.
    pub fn operation_errors(&self, operation: &Operation) -> Vec<ShapeId> {
        let mut errors = operation.errors.clone();
        for error in &self.service().1.errors {
            if !errors.contains(error) {
                errors.push(error.clone());
            }
        }
        errors
    }

    /// Every model shape the selected operations reach (prelude shapes excluded), by id.
    pub fn closure(&self) -> impl Iterator<Item = &Shape> {
        self.closure.iter().map(|id| self.shape(id))
    }

    /// The number of shapes in the closure, operations and service included.
    pub fn closure_len(&self) -> usize {
        self.closure.len()
    }

    /// Whether the member is possibly absent (an `Option` field): `@clientOptional` members
    /// are; `@required` members are not; members with a non-null `@default` are not, except
    /// in `@input` structures, where the client may leave them out for the server to fill in;
    /// every other member is.
    ///
    /// Smithy 2.0 lets clients treat the `@required` members of `@input` structures as
    /// optional too, so that a service may drop `@required` later. Here they are plain values,
    /// so that the server's handlers (which receive them validated) need no `Option`; the
    /// builders' API is the same either way (`build()` names a missing required member), so
    /// a client that builds its input is not broken when `@required` is dropped.
    pub fn is_optional(&self, container: &Shape, member: &Member) -> bool {
        // A default added after the member was published may be missing from older peers.
        if member.traits.is_client_optional() || member.traits.is_added_default() {
            return true;
        }
        let has_default = matches!(member.traits.default_value(), Some(value) if !value.is_null());
        if container.traits.is_input() {
            return !member.traits.is_required() || has_default;
        }
        !(member.traits.is_required() || has_default)
    }

    /// Whether a member is an `Option` field of its structure: it may be absent (above) and is
    /// not a stream, which is empty rather than absent.
    pub fn is_optional_field(&self, container: &Shape, member: &Member) -> bool {
        self.is_optional(container, member) && !self.shape(&member.target).traits.is_streaming()
    }

    /// Whether a builder refuses to build without this member: it is `@required`, has no
    /// default, and is neither a stream (empty by default) nor an idempotency token (which the
    /// builder makes up). The one rule for `build()` being fallible.
    pub fn required_in_builder(&self, container: &Shape, member: &Member) -> bool {
        member.traits.is_required()
            && !member.traits.is_idempotency_token()
            && !self.shape(&member.target).traits.is_streaming()
            && !matches!(self.default_of(container, member), Ok(Some(_)))
    }

    /// Whether a structure's `build()` returns a `Result`.
    pub fn build_is_fallible(&self, shape: &Shape) -> bool {
        shape
            .kind
            .members()
            .into_iter()
            .any(|member| self.required_in_builder(shape, member))
    }

    /// Whether a member must be boxed: it closes a cycle of structures and unions with no list
    /// or map in between to give the type a finite size.
    pub fn needs_box(&self, container: &ShapeId, member: &Member) -> bool {
        self.boxed.contains(&(container, member.name.as_str()))
    }

    fn check_references(&self) -> Result<()> {
        for shape in self.model.shapes.values() {
            // Paths are formatted only for an error.
            let path = || format!("$.shapes[{:?}]", shape.id.as_str());
            match &shape.kind {
                ShapeKind::List(member) | ShapeKind::Set(member) => {
                    self.check_target(shape, member, &|| format!("{}.member", path()))?;
                }
                ShapeKind::Map { key, value } => {
                    self.check_target(shape, key, &|| format!("{}.key", path()))?;
                    self.check_target(shape, value, &|| format!("{}.value", path()))?;
                }
                ShapeKind::Structure(members)
                | ShapeKind::Union(members)
                | ShapeKind::Enum(members)
                | ShapeKind::IntEnum(members) => {
                    for member in members {
                        self.check_target(shape, member, &|| format!("{}.members.{}", path(), member.name))?;
                    }
                }
                ShapeKind::Operation(operation) => {
                    self.check_reference(shape, &operation.input, "input", &path, is_structure)?;
                    self.check_reference(shape, &operation.output, "output", &path, is_structure)?;
                    for error in &operation.errors {
                        self.check_reference(shape, error, "errors", &path, is_structure)?;
                    }
                }
                ShapeKind::Service(service) => {
                    for id in &service.operations {
                        self.check_reference(shape, id, "operations", &path, is_operation)?;
                    }
                    for id in &service.resources {
                        self.check_reference(shape, id, "resources", &path, is_resource)?;
                    }
                    for id in &service.errors {
                        self.check_reference(shape, id, "errors", &path, is_structure)?;
                    }
                }
                ShapeKind::Resource(resource) => {
                    for id in &resource.operations {
                        self.check_reference(shape, id, "operations", &path, is_operation)?;
                    }
                    for id in &resource.resources {
                        self.check_reference(shape, id, "resources", &path, is_resource)?;
                    }
                }
                ShapeKind::Simple(_) => {}
            }
        }
        Ok(())
    }

    fn check_target(&self, shape: &Shape, member: &Member, path: &dyn Fn() -> String) -> Result<()> {
        let Some(target) = self.get(&member.target) else {
            return Err(Error::new(
                ErrorKind::UnresolvedTarget,
                format!(
                    "member `{}` targets `{}`, which is not defined in the model or the prelude",
                    member.name, member.target
                ),
            )
            .at_path(format!("{}.target", path()))
            .for_shape(&shape.id));
        };
        let allowed = match target.kind {
            ShapeKind::Operation(_) | ShapeKind::Service(_) | ShapeKind::Resource(_) => false,
            _ => {
                target.id.as_str() != UNIT
                    || matches!(
                        shape.kind,
                        ShapeKind::Enum(_) | ShapeKind::IntEnum(_) | ShapeKind::Union(_)
                    )
            }
        };
        if !allowed {
            return Err(Error::invalid(
                format!("{}.target", path()),
                format!(
                    "member `{}` cannot target `{}`, a {}",
                    member.name,
                    target.id,
                    target.kind.type_name()
                ),
            )
            .for_shape(&shape.id));
        }
        Ok(())
    }

    fn check_reference(
        &self,
        shape: &Shape,
        id: &ShapeId,
        field: &str,
        path: &dyn Fn() -> String,
        expected: fn(&ShapeKind) -> Option<&'static str>,
    ) -> Result<()> {
        let path = || format!("{}.{field}", path());
        let Some(target) = self.get(id) else {
            return Err(Error::new(
                ErrorKind::UnresolvedTarget,
                format!("`{field}` refers to `{id}`, which is not defined"),
            )
            .at_path(path())
            .for_shape(&shape.id));
        };
        // `smithy.api#Unit` stands for "nothing" as an operation's input or output only; it is
        // no operation, resource or error.
        let unit_allowed = matches!(field, "input" | "output");
        if target.id.as_str() == UNIT && !unit_allowed {
            return Err(Error::invalid(
                path(),
                format!("`{field}` refers to `{UNIT}`, which can only stand for an operation's input or output"),
            )
            .for_shape(&shape.id));
        }
        match expected(&target.kind) {
            Some(wanted) => Err(Error::invalid(
                path(),
                format!(
                    "`{field}` refers to `{id}`, a {}, where a {wanted} is expected",
                    target.kind.type_name()
                ),
            )
            .for_shape(&shape.id)),
            None => Ok(()),
        }
    }

    fn select_service(&self, wanted: Option<&str>) -> Result<ShapeId> {
        let services: Vec<&ShapeId> = self
            .model
            .shapes
            .values()
            .filter(|shape| matches!(shape.kind, ShapeKind::Service(_)))
            .map(|shape| &shape.id)
            .collect();
        let list = || {
            services
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match wanted {
            Some(name) => services
                .iter()
                .find(|id| id.as_str() == name || id.name() == name)
                .map(|id| (*id).clone())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::UnresolvedTarget,
                        format!("no service named `{name}`; the model has: {}", list()),
                    )
                }),
            None => match services.as_slice() {
                [only] => Ok((*only).clone()),
                [] => Err(Error::new(
                    ErrorKind::InvalidModel,
                    "the model has no service shape to generate",
                )),
                _ => Err(Error::new(
                    ErrorKind::InvalidModel,
                    format!("the model has several services ({}); choose one", list()),
                )),
            },
        }
    }

    fn select_operations(&self, wanted: &[String]) -> Result<Vec<ShapeId>> {
        let (_, service) = self.service();
        let mut all = BTreeSet::new();
        let mut resources: Vec<ShapeId> = service.resources.clone();
        all.extend(service.operations.iter().cloned());
        let mut seen = HashSet::new();
        while let Some(id) = resources.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let ShapeKind::Resource(resource) = &self.shape(&id).kind {
                all.extend(resource.operations.iter().cloned());
                resources.extend(resource.resources.iter().cloned());
            }
        }
        let mut selected: Vec<ShapeId> = if wanted.is_empty() {
            all.into_iter().collect()
        } else {
            let mut selected = Vec::new();
            for name in wanted {
                let found = all
                    .iter()
                    .find(|id| id.as_str() == name || id.name() == name)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::UnresolvedTarget,
                            format!("service `{}` has no operation named `{name}`", self.service),
                        )
                    })?;
                if !selected.contains(found) {
                    selected.push(found.clone());
                }
            }
            selected
        };
        selected.sort_by(|a, b| a.name().cmp(b.name()).then_with(|| a.cmp(b)));
        Ok(selected)
    }

    fn walk_closure(&self) -> BTreeSet<ShapeId> {
        let mut reached: HashSet<&ShapeId> = HashSet::new();
        let mut stack: Vec<&ShapeId> = vec![&self.service];
        let service_errors = &self.service().1.errors;
        for (shape, operation) in self.operations() {
            stack.extend([&shape.id, &operation.input, &operation.output]);
            stack.extend(operation.errors.iter().chain(service_errors));
        }
        while let Some(id) = stack.pop() {
            if id.namespace() == "smithy.api" || !reached.insert(id) {
                continue;
            }
            let shape = self.shape(id);
            if matches!(shape.kind, ShapeKind::Service(_) | ShapeKind::Operation(_)) {
                continue;
            }
            stack.extend(shape.kind.members().into_iter().map(|member| &member.target));
        }
        reached.into_iter().cloned().collect()
    }

    /// The members to box: the back edges of a depth-first walk, in shape-id order, over the
    /// edges from structures and unions to the structures and unions their members hold
    /// directly (a list or map already puts its items on the heap). Removing a walk's back edges
    /// leaves no cycle, so every cycle gets a box and no member outside one does.
    fn find_boxed_members(&self) -> HashSet<(&'m ShapeId, &'m str)> {
        // A member that closes a cycle is of a structure or union of the model (the prelude
        // has none with members), so the set can hold the model's own id and name.
        let direct = |id: &ShapeId| -> Vec<(&'m ShapeId, &'m str, &'m ShapeId)> {
            let Some((id, shape)) = self.model.shapes.get_key_value(id) else {
                return Vec::new();
            };
            match &shape.kind {
                ShapeKind::Structure(members) | ShapeKind::Union(members) => members
                    .iter()
                    .filter(|member| {
                        matches!(
                            self.shape(&member.target).kind,
                            ShapeKind::Structure(_) | ShapeKind::Union(_)
                        )
                    })
                    .map(|member| (id, member.name.as_str(), &member.target))
                    .collect(),
                _ => Vec::new(),
            }
        };
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            OnPath,
            Done,
        }
        let mut state: HashMap<&ShapeId, State> = HashMap::new();
        let mut boxed = HashSet::new();
        for root in &self.closure {
            if state.contains_key(root) {
                continue;
            }
            // An explicit stack of (shape, its edges, next edge), so deep models cannot overflow.
            let mut stack = vec![(root, direct(root), 0usize)];
            state.insert(root, State::OnPath);
            while let Some((id, edges, next)) = stack.last_mut() {
                let Some(&(container, member, target)) = edges.get(*next) else {
                    state.insert(*id, State::Done);
                    stack.pop();
                    continue;
                };
                *next += 1;
                match state.get(target) {
                    Some(State::OnPath) => {
                        boxed.insert((container, member));
                    }
                    Some(State::Done) => {}
                    None => {
                        state.insert(target, State::OnPath);
                        stack.push((target, direct(target), 0));
                    }
                }
            }
        }
        boxed
    }
}

impl Index<'_> {
    /// Refuses structures that require themselves: a cycle of structures through members that
    /// can never be absent has no finite value (Smithy forbids it too).
    fn check_required_cycles(&self) -> Result<()> {
        let required = |id: &ShapeId| -> Vec<&ShapeId> {
            let shape = self.shape(id);
            match &shape.kind {
                ShapeKind::Structure(members) => members
                    .iter()
                    .filter(|member| !self.is_optional(shape, member))
                    .filter(|member| matches!(self.shape(&member.target).kind, ShapeKind::Structure(_)))
                    .map(|member| &member.target)
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut done: HashSet<&ShapeId> = HashSet::new();
        for root in &self.closure {
            if done.contains(root) {
                continue;
            }
            let mut on_path: Vec<&ShapeId> = vec![root];
            let mut stack = vec![(required(root), 0usize)];
            while let Some((edges, next)) = stack.last_mut() {
                let Some(&target) = edges.get(*next) else {
                    stack.pop();
                    if let Some(id) = on_path.pop() {
                        done.insert(id);
                    }
                    continue;
                };
                *next += 1;
                if on_path.contains(&target) {
                    let cycle: Vec<&str> = on_path.iter().map(|id| id.name()).collect();
                    return Err(Error::invalid(
                        format!("$.shapes[{:?}]", target.as_str()),
                        format!(
                            "the structure requires itself ({} → {}): no finite value has every required member",
                            cycle.join(" → "),
                            target.name()
                        ),
                    )
                    .for_shape(target));
                }
                if !done.contains(target) {
                    let edges = required(target);
                    on_path.push(target);
                    stack.push((edges, 0));
                }
            }
        }
        Ok(())
    }
}

const UNIT: &str = "smithy.api#Unit";

fn is_structure(kind: &ShapeKind) -> Option<&'static str> {
    (!matches!(kind, ShapeKind::Structure(_))).then_some("structure")
}

fn is_operation(kind: &ShapeKind) -> Option<&'static str> {
    (!matches!(kind, ShapeKind::Operation(_))).then_some("operation")
}

fn is_resource(kind: &ShapeKind) -> Option<&'static str> {
    (!matches!(kind, ShapeKind::Resource(_))).then_some("resource")
}

/// The `smithy.api` prelude shapes a model may target without defining them.
fn prelude() -> BTreeMap<ShapeId, Shape> {
    let mut shapes = BTreeMap::new();
    let mut add = |name: &str, kind: ShapeKind, default: Option<Value>| {
        let id = ShapeId::parse(&format!("smithy.api#{name}")).expect("valid prelude id");
        let mut traits = Traits::default();
        if let Some(default) = default {
            traits.0.insert("smithy.api#default".to_owned(), default);
        }
        shapes.insert(id.clone(), Shape { id, kind, traits });
    };
    for simple in [
        Simple::Blob,
        Simple::Boolean,
        Simple::String,
        Simple::Byte,
        Simple::Short,
        Simple::Integer,
        Simple::Long,
        Simple::Float,
        Simple::Double,
        Simple::BigInteger,
        Simple::BigDecimal,
        Simple::Timestamp,
        Simple::Document,
    ] {
        let name = simple.type_name();
        let upper = format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
        add(&upper, ShapeKind::Simple(simple), None);
    }
    for (name, simple, default) in [
        ("PrimitiveBoolean", Simple::Boolean, Value::Bool(false)),
        ("PrimitiveByte", Simple::Byte, Value::from(0)),
        ("PrimitiveShort", Simple::Short, Value::from(0)),
        ("PrimitiveInteger", Simple::Integer, Value::from(0)),
        ("PrimitiveLong", Simple::Long, Value::from(0)),
        ("PrimitiveFloat", Simple::Float, Value::from(0)),
        ("PrimitiveDouble", Simple::Double, Value::from(0)),
    ] {
        add(name, ShapeKind::Simple(simple), Some(default));
    }
    add("Unit", ShapeKind::Structure(Vec::new()), None);
    shapes
}

/// A member's `@default` value, as the generated code needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// The Rust type's own `Default`: `false`, `0`, `""`, an empty list or map.
    Zero,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    /// A value of an enum shape.
    EnumValue(String),
    /// A value of an intEnum shape.
    IntEnumValue(i64),
    /// Epoch seconds.
    Timestamp(f64),
    /// A date-time string.
    TimestampText(String),
    /// The bytes of a blob.
    Blob(Vec<u8>),
    /// The decimal text of a big number.
    BigNumber(String),
    /// The JSON text of a document.
    Document(String),
}

impl Index<'_> {
    /// The default a non-optional member takes when it is not set; `None` for optional members
    /// and members without a non-null `@default`.
    pub fn default_of(&self, container: &Shape, member: &Member) -> Result<Option<DefaultValue>> {
        if self.is_optional(container, member) || member.traits.is_added_default() {
            return Ok(None);
        }
        self.declared_default(container, member)
    }

    /// The default a member of an `@input` structure declares, which a client may leave unset
    /// and a server fills in; `None` for other members.
    pub fn input_default(&self, container: &Shape, member: &Member) -> Result<Option<DefaultValue>> {
        if !container.traits.is_input() || member.traits.is_client_optional() {
            return Ok(None);
        }
        self.declared_default(container, member)
    }

    /// A member's non-null `@default`, as the generated code needs it.
    pub(crate) fn declared_default(&self, container: &Shape, member: &Member) -> Result<Option<DefaultValue>> {
        let Some(value) = member.traits.default_value().filter(|value| !value.is_null()) else {
            return Ok(None);
        };
        let target = self.shape(&member.target);
        let invalid = || {
            Error::unsupported(
                &container.id,
                format!(
                    "member `{}`: default `{value}` for a {} is not supported",
                    member.name,
                    target.kind.type_name()
                ),
            )
        };
        let default = match (&target.kind, value) {
            (ShapeKind::Simple(Simple::Boolean), Value::Bool(false)) => DefaultValue::Zero,
            (ShapeKind::Simple(Simple::Boolean), Value::Bool(b)) => DefaultValue::Bool(*b),
            (ShapeKind::Simple(Simple::Byte | Simple::Short | Simple::Integer | Simple::Long), Value::Number(n)) => {
                match n.as_i64() {
                    Some(0) => DefaultValue::Zero,
                    Some(n) => DefaultValue::Integer(n),
                    None => return Err(invalid()),
                }
            }
            (ShapeKind::Simple(Simple::Float | Simple::Double), Value::Number(n)) => match n.as_f64() {
                Some(0.0) => DefaultValue::Zero,
                Some(n) => DefaultValue::Float(n),
                None => return Err(invalid()),
            },
            (ShapeKind::Simple(Simple::String), Value::String(s)) if s.is_empty() => DefaultValue::Zero,
            (ShapeKind::Simple(Simple::String), Value::String(s)) => DefaultValue::String(s.clone()),
            (ShapeKind::Enum(_), Value::String(s)) => DefaultValue::EnumValue(s.clone()),
            (ShapeKind::IntEnum(_), Value::Number(n)) => DefaultValue::IntEnumValue(n.as_i64().ok_or_else(invalid)?),
            (ShapeKind::Simple(Simple::Timestamp), Value::Number(n)) => {
                DefaultValue::Timestamp(n.as_f64().ok_or_else(invalid)?)
            }
            (ShapeKind::Simple(Simple::Timestamp), Value::String(s)) => DefaultValue::TimestampText(s.clone()),
            (ShapeKind::Simple(Simple::Blob), Value::String(s)) if s.is_empty() => DefaultValue::Zero,
            // Smithy writes blob defaults in base64; a value that is not base64 is taken as the
            // bytes of its text, as the AWS protocol tests use it.
            (ShapeKind::Simple(Simple::Blob), Value::String(s)) => {
                DefaultValue::Blob(decode_base64(s).unwrap_or_else(|| s.as_bytes().to_vec()))
            }
            (ShapeKind::Simple(Simple::BigInteger | Simple::BigDecimal), Value::Number(n)) => {
                DefaultValue::BigNumber(n.to_string())
            }
            (ShapeKind::Simple(Simple::Document), value) => DefaultValue::Document(value.to_string()),
            (ShapeKind::List(_) | ShapeKind::Set(_), Value::Array(items)) if items.is_empty() => DefaultValue::Zero,
            (ShapeKind::Map { .. }, Value::Object(entries)) if entries.is_empty() => DefaultValue::Zero,
            _ => return Err(invalid()),
        };
        Ok(Some(default))
    }
}

/// Decodes padded base64 text (RFC 4648); `None` when it is not that.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let text = text.as_bytes();
    if text.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for (index, chunk) in text.chunks(4).enumerate() {
        let last = index + 1 == text.len() / 4;
        let padding = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - padding] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * padding as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(shapes: &str) -> Model {
        crate::load::parse(&format!(
            r#"{{"smithy": "2.0", "shapes": {{
                "a#S": {{"type": "service", "operations": [{{"target": "a#Op"}}]}},
                "a#Op": {{"type": "operation", "input": {{"target": "a#A"}}}},
                {shapes}
            }}}}"#
        ))
        .unwrap()
    }

    fn boxed(model: &Model) -> Vec<String> {
        let index = Index::new(model, &Selection::default()).unwrap();
        let mut boxed: Vec<String> = index
            .boxed
            .iter()
            .map(|(id, member)| format!("{}${member}", id.name()))
            .collect();
        boxed.sort();
        boxed
    }

    #[test]
    fn one_box_per_cycle_and_none_through_lists() {
        let model = index_of(
            r#""a#A": {"type": "structure", "members": {"b": {"target": "a#B"}, "self": {"target": "a#A"}, "list": {"target": "a#As"}}},
               "a#B": {"type": "union", "members": {"a": {"target": "a#A"}, "c": {"target": "a#C"}}},
               "a#C": {"type": "structure", "members": {"name": {"target": "smithy.api#String"}}},
               "a#As": {"type": "list", "member": {"target": "a#A"}}"#,
        );
        // A→B→A is broken once (at B$a), A→A at A$self; the list and the acyclic C need nothing.
        assert_eq!(boxed(&model), ["A$self", "B$a"]);
    }

    #[test]
    fn nullability_follows_smithy_2() {
        let model = index_of(
            r#""a#A": {"type": "structure", "members": {
                "plain": {"target": "smithy.api#String"},
                "required": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}},
                "clientOptional": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#clientOptional": {}}},
                "defaulted": {"target": "smithy.api#Integer", "traits": {"smithy.api#default": 1}},
                "nullDefault": {"target": "smithy.api#Integer", "traits": {"smithy.api#default": null}},
                "added": {"target": "smithy.api#Integer", "traits": {"smithy.api#default": 1, "smithy.api#addedDefault": {}}}
            }}"#,
        );
        let index = Index::new(&model, &Selection::default()).unwrap();
        let shape = index.shape(&ShapeId::parse("a#A").unwrap());
        let optional: Vec<(&str, bool)> = shape
            .kind
            .members()
            .into_iter()
            .map(|member| (member.name.as_str(), index.is_optional(shape, member)))
            .collect();
        assert_eq!(
            optional,
            [
                ("plain", true),
                ("required", false),
                ("clientOptional", true),
                ("defaulted", false),
                ("nullDefault", true),
                ("added", true)
            ]
        );
    }
}
