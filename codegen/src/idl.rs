//! The Smithy IDL reader: a `.smithy` file into a JSON AST document, the form the rest of the
//! loader reads.
//!
//! The parser follows the IDL 2.0 grammar (<https://smithy.io/2.0/spec/idl.html>), including
//! where it requires spaces and line breaks, and reads IDL 1.0 files (`$version: "1.0"`, or no
//! version) with what 1.0 does not have refused. Relative shape ids are resolved when the file
//! is read: through `use`, then the shapes the file defines in its namespace, then the prelude,
//! else the file's namespace. What only the whole model can settle (elided member targets,
//! targets that exist, `apply` to shapes of other files) is handed to the assembly as
//! located references. A syntax error is recorded and the parser skips to the next statement,
//! so that every error of a file is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind};

/// How deeply node values, and shapes within operations, may nest.
const MAX_DEPTH: usize = 64;

/// A place in a file: one-based line and column.
pub(crate) type Pos = (usize, usize);

/// What one IDL file holds, for the assembly.
#[derive(Debug, Default)]
pub(crate) struct IdlFile {
    /// Whether the file is IDL 1.0, whose shapes are upgraded.
    pub v1: bool,
    /// The shapes the file defines, in JSON AST form, by absolute id, with where each is.
    pub shapes: Vec<(String, Value, Pos)>,
    /// `metadata` statements, with where each is.
    pub metadata: Vec<(String, Value, Pos)>,
    /// `apply` statements: the target, the traits, where.
    pub applies: Vec<(String, Map<String, Value>, Pos)>,
    /// Every shape id used as a target (of a member, an operation, a service...), with where.
    pub targets: Vec<(String, Pos)>,
    /// Members written `$name`, whose target the model settles: the shape, the member, the
    /// `for` resource, the mixins, where.
    pub elided: Vec<Elided>,
    /// Unquoted shape ids in node values (trait values, defaults, metadata), which must name a
    /// shape of the model: as written, resolved, where.
    pub syntactic: Vec<(String, String, Pos)>,
    /// Traits written without a value: the shape or member, the trait, where. Their value is
    /// `{}`, or `[]` when the trait's shape is a list, which the model settles.
    pub annotations: Vec<(String, String, Pos)>,
}

/// A member written `$name`.
#[derive(Debug, Clone)]
pub(crate) struct Elided {
    pub shape: String,
    pub member: String,
    pub resource: Option<String>,
    pub mixins: Vec<String>,
    pub pos: Pos,
}

/// A node value as written, shape ids not yet resolved.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    /// An unquoted shape id.
    Id(String, Pos),
    Array(Vec<Node>),
    Object(Vec<(String, Node, Pos)>),
}

/// A trait application, id not yet resolved.
#[derive(Debug, Clone)]
struct TraitApp {
    id: String,
    value: Node,
    /// Written without a value (`@id` or `@id()`): `{}`, or `[]` when the trait is a list.
    annotation: bool,
    /// Where it is written.
    pos: Pos,
}

#[derive(Debug, Clone)]
struct MemberDef {
    name: String,
    /// `None` for an elided member (`$name`).
    target: Option<(String, Pos)>,
    traits: Vec<TraitApp>,
    pos: Pos,
}

#[derive(Debug, Clone)]
struct ShapeDef {
    name: String,
    pos: Pos,
    type_name: String,
    traits: Vec<TraitApp>,
    mixins: Vec<(String, Pos)>,
    resource: Option<(String, Pos)>,
    members: Vec<MemberDef>,
    /// The properties of a service, resource or operation.
    properties: Vec<(String, Node, Pos)>,
}

/// A syntax error: where, and what.
struct Syntax {
    at: usize,
    message: String,
}

type PResult<T> = Result<T, Syntax>;

const SIMPLE_TYPES: &[&str] = &[
    "blob",
    "boolean",
    "document",
    "string",
    "byte",
    "short",
    "integer",
    "long",
    "float",
    "double",
    "bigInteger",
    "bigDecimal",
    "timestamp",
];

/// The names of the `smithy.api` prelude: shapes and traits.
pub(crate) const PRELUDE: &[&str] = &[
    "String",
    "Blob",
    "BigInteger",
    "BigDecimal",
    "Timestamp",
    "Document",
    "Boolean",
    "PrimitiveBoolean",
    "Byte",
    "PrimitiveByte",
    "Short",
    "PrimitiveShort",
    "Integer",
    "PrimitiveInteger",
    "Long",
    "PrimitiveLong",
    "Float",
    "PrimitiveFloat",
    "Double",
    "PrimitiveDouble",
    "Unit",
    "NonEmptyString",
    "NonEmptyStringList",
    "NonEmptyStringMap",
    "LocalMixinTraitList",
    "LocalMixinTrait",
    "TraitShapeIdList",
    "TraitShapeId",
    "IdRefKind",
    "trait",
    "idRef",
    "mixin",
    "deprecated",
    "documentation",
    "externalDocumentation",
    "internal",
    "recommended",
    "sensitive",
    "since",
    "tags",
    "title",
    "unstable",
    "enum",
    "enumValue",
    "length",
    "pattern",
    "private",
    "range",
    "required",
    "uniqueItems",
    "error",
    "retryable",
    "input",
    "output",
    "default",
    "addedDefault",
    "clientOptional",
    "box",
    "sparse",
    "timestampFormat",
    "jsonName",
    "mediaType",
    "xmlAttribute",
    "xmlFlattened",
    "xmlName",
    "xmlNamespace",
    "http",
    "httpError",
    "httpHeader",
    "httpLabel",
    "httpPayload",
    "httpPrefixHeaders",
    "httpQuery",
    "httpQueryParams",
    "httpResponseCode",
    "httpChecksumRequired",
    "cors",
    "endpoint",
    "hostLabel",
    "auth",
    "authDefinition",
    "optionalAuth",
    "protocolDefinition",
    "httpBasicAuth",
    "httpDigestAuth",
    "httpBearerAuth",
    "httpApiKeyAuth",
    "idempotencyToken",
    "idempotent",
    "readonly",
    "references",
    "resourceIdentifier",
    "noReplace",
    "paginated",
    "requiresLength",
    "streaming",
    "eventHeader",
    "eventPayload",
    "suppress",
    "examples",
    "requestCompression",
    "nestedProperties",
    "notProperty",
    "property",
    "unitType",
    "traitValidators",
];

/// Reads an IDL file; every syntax error of it comes back, each located. `known` holds the
/// absolute ids of the shapes the other files of the model define: a relative id names a
/// shape of the file's namespace that any file defines before a prelude shape.
pub(crate) fn parse(text: &str, file: &Path, known: &BTreeSet<String>) -> Result<IdlFile, Vec<Error>> {
    let mut parser = Parser::new(text, file, known);
    parser.file();
    if !parser.errors.is_empty() {
        return Err(parser.errors);
    }
    parser.finish()
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Where each line starts, for positions.
    line_starts: Vec<usize>,
    /// The last position asked for: line, byte offset, column.
    last_position: std::cell::Cell<(usize, usize, usize)>,
    file: PathBuf,
    /// Documentation comment lines seen since the last token.
    docs: Vec<String>,
    errors: Vec<Error>,
    v1: bool,
    version_set: bool,
    input_suffix: String,
    output_suffix: String,
    namespace: Option<String>,
    uses: BTreeMap<String, String>,
    shapes: Vec<ShapeDef>,
    metadata: Vec<(String, Node, Pos)>,
    applies: Vec<(String, Pos, Vec<TraitApp>)>,
    depth: usize,
    /// The shapes other files define, by absolute id.
    known: &'a BTreeSet<String>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, file: &Path, known: &'a BTreeSet<String>) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line_starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(index, _)| index + 1))
                .collect(),
            last_position: std::cell::Cell::new((0, 0, 0)),
            file: file.to_path_buf(),
            docs: Vec::new(),
            errors: Vec::new(),
            v1: true,
            version_set: false,
            input_suffix: "Input".to_owned(),
            output_suffix: "Output".to_owned(),
            namespace: None,
            uses: BTreeMap::new(),
            shapes: Vec::new(),
            metadata: Vec::new(),
            applies: Vec::new(),
            depth: 0,
            known,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Positions, errors and the characters at hand
    // -----------------------------------------------------------------------------------------

    fn line_column(&self, at: usize) -> Pos {
        let at = at.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= at);
        let start = self.line_starts[line - 1];
        // Positions are asked for in order, mostly: the column is counted on from the last one
        // on the same line, so that a long line costs its length once, not once per position.
        let (last_line, last_at, last_column) = self.last_position.get();
        let column = if last_line == line && last_at <= at {
            last_column + self.text[last_at..at].chars().count()
        } else {
            self.text[start..at].chars().count() + 1
        };
        self.last_position.set((line, at, column));
        (line, column)
    }

    fn here(&self) -> Pos {
        self.line_column(self.pos)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> Syntax {
        Syntax {
            at,
            message: message.into(),
        }
    }

    fn record(&mut self, syntax: Syntax) {
        let (line, column) = self.line_column(syntax.at);
        self.errors.push(
            Error::new(ErrorKind::Syntax, syntax.message)
                .at_line_column(line, column)
                .in_file(&self.file),
        );
    }

    /// An error about what is at `pos`: `Expected {expected} but found {found}`.
    fn expected(&self, expected: &str) -> Syntax {
        self.error(self.pos, format!("Expected {expected} but found {}", self.found()))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn starts_with(&self, text: &str) -> bool {
        self.text[self.pos..].starts_with(text)
    }

    /// Whether the next word is `keyword` (not a longer identifier).
    fn at_keyword(&self, keyword: &str) -> bool {
        self.starts_with(keyword)
            && !self
                .bytes
                .get(self.pos + keyword.len())
                .is_some_and(|&byte| is_identifier_byte(byte) || byte == b'#' || byte == b'.' || byte == b'$')
    }

    /// What is at the current position, as the reference implementation names tokens.
    fn found(&self) -> String {
        let Some(byte) = self.peek() else {
            return "EOF".to_owned();
        };
        let rest = &self.text[self.pos..];
        match byte {
            b'\n' => "NEWLINE('\\n')".to_owned(),
            b'\r' => "NEWLINE('\\r\\n')".to_owned(),
            b' ' => "SPACE(' ')".to_owned(),
            b'\t' => "SPACE('\\t')".to_owned(),
            b'/' if rest.starts_with("//") => {
                let line = rest.split_inclusive('\n').next().unwrap_or(rest);
                format!("COMMENT('{}')", line.replace('\n', "\\n"))
            }
            b'"' => {
                let end = rest[1..].find('"').map_or(rest.len(), |index| index + 2);
                format!("STRING('{}')", &rest[..end])
            }
            b'-' | b'0'..=b'9' => {
                let end = rest
                    .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
                    .unwrap_or(rest.len());
                format!("NUMBER('{}')", &rest[..end])
            }
            byte if is_identifier_start(byte) => {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                format!("IDENTIFIER('{}')", &rest[..end])
            }
            _ => {
                let c = rest.chars().next().unwrap_or_default();
                match punctuation_name(c) {
                    Some(name) => format!("{name}('{c}')"),
                    None => format!("'{c}'"),
                }
            }
        }
    }

    /// Consumes `text`, a token: the documentation comments before it no longer apply.
    fn eat(&mut self, text: &str) -> bool {
        if self.starts_with(text) {
            self.pos += text.len();
            self.docs.clear();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> PResult<()> {
        let mut buffer = [0u8; 4];
        if self.eat(c.encode_utf8(&mut buffer)) {
            return Ok(());
        }
        let name = punctuation_name(c).unwrap_or("CHARACTER");
        Err(self.expected(&format!("{name}('{c}')")))
    }

    // -----------------------------------------------------------------------------------------
    // Whitespace
    // -----------------------------------------------------------------------------------------

    /// `[SP]`: spaces and tabs.
    fn sp(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// `SP`: one or more spaces or tabs.
    fn require_sp(&mut self) -> PResult<()> {
        if self.sp() {
            Ok(())
        } else {
            Err(self.expected("SPACE(' ')"))
        }
    }

    /// A comment, through its line break; documentation comments are kept for what follows.
    fn comment(&mut self) -> bool {
        if !self.starts_with("//") {
            return false;
        }
        let rest = &self.text[self.pos..];
        let end = rest.find('\n').map_or(rest.len(), |index| index + 1);
        let line = rest[..end].trim_end_matches(['\n', '\r']);
        if let Some(doc) = line.strip_prefix("///") {
            self.docs.push(doc.strip_prefix(' ').unwrap_or(doc).to_owned());
        }
        self.pos += end;
        true
    }

    fn newline(&mut self) -> bool {
        if self.starts_with("\r\n") {
            self.pos += 2;
            true
        } else if self.peek() == Some(b'\n') {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `[WS]`: spaces, line breaks, comments and commas.
    fn ws(&mut self) -> bool {
        let start = self.pos;
        loop {
            if self.sp() || self.newline() || self.comment() {
                continue;
            }
            if self.peek() == Some(b',') {
                self.pos += 1;
                continue;
            }
            break;
        }
        self.pos > start
    }

    /// `WS`: at least one whitespace character.
    fn require_ws(&mut self) -> PResult<()> {
        if self.ws() {
            Ok(())
        } else {
            Err(self.error(
                self.pos,
                format!("Expected one or more whitespace characters, but found {}", self.found()),
            ))
        }
    }

    /// `BR`: a line break (or a comment, which ends in one, or the end of the file), then any
    /// whitespace.
    fn br(&mut self) -> PResult<()> {
        self.sp();
        if !self.comment() && !self.newline() && !self.at_end() {
            return Err(self.error(self.pos, format!("Expected a line break, but found {}", self.found())));
        }
        // A documentation comment on the line a statement ends documents nothing.
        self.docs.clear();
        self.ws();
        Ok(())
    }

    /// After a syntax error: skips to the next line that starts a statement.
    fn recover(&mut self) {
        loop {
            match self.text[self.pos..].find('\n') {
                None => {
                    self.pos = self.bytes.len();
                    return;
                }
                Some(index) => self.pos += index + 1,
            }
            match self.peek() {
                Some(byte) if is_identifier_start(byte) || byte == b'@' || byte == b'$' => return,
                _ => {}
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Statements
    // -----------------------------------------------------------------------------------------

    fn file(&mut self) {
        self.ws();
        while self.peek() == Some(b'$') {
            if let Err(error) = self.control() {
                self.record(error);
                self.recover();
            }
        }
        while self.at_keyword("metadata") {
            if let Err(error) = self.metadata() {
                self.record(error);
                self.recover();
            }
        }
        if self.at_keyword("namespace") {
            if let Err(error) = self.namespace_statement() {
                self.record(error);
                self.recover();
                return;
            }
            while self.at_keyword("use") {
                if let Err(error) = self.use_statement() {
                    self.record(error);
                    self.recover();
                }
            }
        }
        while !self.at_end() {
            let result = if self.namespace.is_none() {
                Err(self.error(
                    self.pos,
                    format!(
                        "Expected a namespace definition but found {}: shapes, `apply` and `use` come after a `namespace` statement",
                        self.found()
                    ),
                ))
            } else if self.at_keyword("namespace") {
                Err(self.error(
                    self.pos,
                    "Unknown shape type: namespace (only one namespace can be declared per file)",
                ))
            } else if self.at_keyword("metadata") {
                Err(self.error(
                    self.pos,
                    "Unknown shape type: metadata (metadata statements come before the namespace statement)",
                ))
            } else if self.at_keyword("use") {
                Err(self.error(
                    self.pos,
                    "Unknown shape type: use (use statements come before any shape)",
                ))
            } else {
                self.shape_or_apply()
            };
            if let Err(error) = result {
                self.record(error);
                self.recover();
                if self.namespace.is_none() {
                    return;
                }
            }
        }
    }

    fn control(&mut self) -> PResult<()> {
        self.expect('$')?;
        let key = self.node_key()?;
        self.sp();
        self.expect(':')?;
        self.sp();
        let value_at = self.pos;
        let value = self.node_value()?;
        match key.as_str() {
            "version" => {
                if self.version_set {
                    return Err(self.error(value_at, "Duplicate control statement `version`"));
                }
                let version = match &value {
                    Node::String(version) => version.clone(),
                    Node::Number(number) => number.to_string(),
                    _ => String::new(),
                };
                self.v1 = match version.as_str() {
                    "1" | "1.0" => true,
                    "2" | "2.0" => false,
                    _ => {
                        return Err(self.error(
                            self.pos,
                            format!("Unsupported Smithy version number: {version} (this reader knows 1.0 and 2.0)"),
                        ))
                    }
                };
                self.version_set = true;
            }
            "operationInputSuffix" | "operationOutputSuffix" => {
                let Node::String(suffix) = value else {
                    return Err(self.error(value_at, format!("The `{key}` control statement needs a string")));
                };
                if key == "operationInputSuffix" {
                    self.input_suffix = suffix;
                } else {
                    self.output_suffix = suffix;
                }
            }
            // Unknown control statements are ignored, as the reference implementation does.
            _ => {}
        }
        self.br()
    }

    fn metadata(&mut self) -> PResult<()> {
        self.eat("metadata");
        self.require_sp()?;
        let at = self.here();
        let key = self.node_key()?;
        self.sp();
        self.expect('=')?;
        self.sp();
        let value = self.node_value()?;
        self.metadata.push((key, value, at));
        self.br()
    }

    fn namespace_statement(&mut self) -> PResult<()> {
        self.eat("namespace");
        self.require_sp()?;
        let namespace = self.namespace_name()?;
        self.namespace = Some(namespace);
        self.br()
    }

    fn use_statement(&mut self) -> PResult<()> {
        let start = self.pos;
        self.eat("use");
        self.require_sp()?;
        let at = self.pos;
        let id = self.shape_id()?;
        if !id.contains('#') || id.contains('$') {
            return Err(self.error(
                at,
                if id.contains('$') {
                    "Use statements cannot use members".to_owned()
                } else {
                    format!("`use` needs an absolute shape id (`namespace#Name`), not `{id}`")
                },
            ));
        }
        let name = id.rsplit('#').next().unwrap_or_default().to_owned();
        if let Some(previous) = self.uses.get(&name).filter(|previous| **previous != id) {
            return Err(self.error(
                start,
                format!("Cannot use name `{id}` because it conflicts with `{previous}`"),
            ));
        }
        self.uses.insert(name, id);
        self.br()
    }

    fn shape_or_apply(&mut self) -> PResult<()> {
        if self.at_keyword("apply") {
            return self.apply();
        }
        let traits = self.trait_statements()?;
        let at = self.pos;
        let type_name = self.identifier()?;
        match type_name.as_str() {
            name if SIMPLE_TYPES.contains(&name) => self.simple_shape(type_name, traits)?,
            "enum" | "intEnum" => self.enum_shape(type_name, traits)?,
            "list" | "set" | "map" | "structure" | "union" => self.aggregate_shape(type_name, traits)?,
            "service" | "resource" => self.entity_shape(type_name, traits)?,
            "operation" => self.operation_shape(traits)?,
            "apply" => return Err(self.error(at, "Traits applied to apply statement")),
            other => return Err(self.error(at, format!("Unknown shape type: {other}"))),
        }
        self.br()
    }

    fn shape_name(&mut self) -> PResult<(String, Pos)> {
        self.require_sp()?;
        let at = self.pos;
        let pos = self.here();
        let name = self.identifier()?;
        if matches!(self.peek(), Some(b'#' | b'.' | b'$')) {
            return Err(self.error(at, "A shape is defined by its name alone, not an absolute or member id"));
        }
        Ok((name, pos))
    }

    /// `[Mixins]`: `with [A, B]` on the same line.
    fn mixins(&mut self) -> PResult<Vec<(String, Pos)>> {
        let save = self.pos;
        self.sp();
        if !self.at_keyword("with") {
            self.pos = save;
            return Ok(Vec::new());
        }
        if self.v1 {
            return Err(self.error(
                self.pos,
                "Mixins can only be used with Smithy version 2 or later. Attempted to use mixins with version `1.0`.",
            ));
        }
        self.eat("with");
        self.ws();
        self.expect('[')?;
        self.ws();
        let mut mixins = Vec::new();
        loop {
            let pos = self.here();
            mixins.push((self.shape_id()?, pos));
            self.ws();
            if self.peek() == Some(b']') {
                break;
            }
        }
        self.expect(']')?;
        Ok(mixins)
    }

    /// `[ForResource]`: `for Resource`.
    fn for_resource(&mut self) -> PResult<Option<(String, Pos)>> {
        let save = self.pos;
        self.sp();
        if !self.at_keyword("for") {
            self.pos = save;
            return Ok(None);
        }
        if self.v1 {
            return Err(self.error(
                self.pos,
                "Structures can only be bound to resources with Smithy version 2 or later. Attempted to bind a structure to a resource with version `1.0`.",
            ));
        }
        self.eat("for");
        self.require_sp()?;
        let pos = self.here();
        Ok(Some((self.shape_id()?, pos)))
    }

    fn new_shape(&self, type_name: String, name: String, pos: Pos, traits: Vec<TraitApp>) -> ShapeDef {
        ShapeDef {
            name,
            pos,
            type_name,
            traits,
            mixins: Vec::new(),
            resource: None,
            members: Vec::new(),
            properties: Vec::new(),
        }
    }

    fn simple_shape(&mut self, type_name: String, traits: Vec<TraitApp>) -> PResult<()> {
        let (name, pos) = self.shape_name()?;
        let mut shape = self.new_shape(type_name, name, pos, traits);
        shape.mixins = self.mixins()?;
        self.shapes.push(shape);
        Ok(())
    }

    fn enum_shape(&mut self, type_name: String, traits: Vec<TraitApp>) -> PResult<()> {
        if self.v1 {
            return Err(self.error(
                self.pos,
                format!("{type_name} shapes cannot be used in Smithy version 1.0"),
            ));
        }
        let (name, pos) = self.shape_name()?;
        let mut shape = self.new_shape(type_name, name, pos, traits);
        shape.mixins = self.mixins()?;
        self.ws();
        self.expect('{')?;
        self.ws();
        let mut names = std::collections::HashSet::new();
        // Documentation comments in an enum body come before a member: before the closing
        // brace, they are a syntax error (`Expected IDENTIFIER`), as in the reference
        // implementation.
        while self.peek() != Some(b'}') || !self.docs.is_empty() {
            if self.at_end() {
                return Err(self.expected("RBRACE('}')"));
            }
            let traits = self.trait_statements()?;
            let pos = self.here();
            let at = self.pos;
            let name = self.identifier()?;
            if !names.insert(name.clone()) {
                return Err(self.error(at, format!("Found conflicting member name, `{name}`")));
            }
            let id = format!(
                "{}#{}${name}",
                self.namespace.as_deref().unwrap_or_default(),
                shape.name
            );
            let mut member = MemberDef {
                name,
                target: Some(("smithy.api#Unit".to_owned(), pos)),
                traits,
                pos,
            };
            let value_at = self.pos;
            let value_pos = self.here();
            let value = self.value_assignment()?;
            // A member without a value takes `@enumValue` from a trait, else (in an `enum`) its
            // name; the assembly settles it.
            match (&value, shape.type_name.as_str()) {
                (None, _) | (Some(Node::String(_) | Node::Id(..)), "enum") => {}
                (Some(other), "enum") => {
                    return Err(self.error(
                        value_at,
                        format!(
                            "{id}: enum members can only be assigned string values, but found: {}",
                            describe_node(other)
                        ),
                    ))
                }
                (Some(Node::Number(number)), _) if number.is_f64() => {
                    return Err(self.error(
                        value_at,
                        format!("{id}: intEnum members do not support floating point values"),
                    ))
                }
                (Some(Node::Number(number)), _) if number.as_i64().is_none_or(|n| i32::try_from(n).is_err()) => {
                    return Err(self.error(
                        value_at,
                        format!("{id}: intEnum members must fit within an integer, but found: {number}"),
                    ))
                }
                (Some(Node::Number(_)), _) => {}
                (Some(other), _) => {
                    return Err(self.error(
                        value_at,
                        format!(
                            "{id}: intEnum members require integer values, but found: {}",
                            describe_node(other)
                        ),
                    ))
                }
            }
            if let Some(value) = value {
                member.traits.push(TraitApp {
                    id: "smithy.api#enumValue".to_owned(),
                    value,
                    annotation: false,
                    pos: value_pos,
                });
            }
            shape.members.push(member);
            self.ws();
        }
        if shape.members.is_empty() && shape.mixins.is_empty() {
            return Err(self.error(
                self.pos,
                format!("{} shapes must have at least one member", shape.type_name),
            ));
        }
        self.expect('}')?;
        self.shapes.push(shape);
        Ok(())
    }

    /// `[ValueAssignment]`: `= value`, then a line break.
    fn value_assignment(&mut self) -> PResult<Option<Node>> {
        let save = self.pos;
        self.sp();
        if self.peek() != Some(b'=') {
            self.pos = save;
            return Ok(None);
        }
        if self.v1 {
            return Err(self.error(
                self.pos,
                "Default values are a Smithy 2.0 feature; this file is IDL 1.0",
            ));
        }
        self.eat("=");
        self.sp();
        if matches!(self.peek(), Some(b'\n' | b'\r')) {
            return Err(self.error(self.pos, format!("Expected a value but found {}", self.found())));
        }
        let value = self.node_value()?;
        self.sp();
        if self.peek() == Some(b',') {
            self.pos += 1;
        }
        self.br()?;
        Ok(Some(value))
    }

    fn aggregate_shape(&mut self, type_name: String, traits: Vec<TraitApp>) -> PResult<()> {
        if type_name == "set" && !self.v1 {
            return Err(self.error(
                self.pos,
                "set shapes cannot be used in Smithy version 2.0: use a `list` with `@uniqueItems`",
            ));
        }
        let (name, pos) = self.shape_name()?;
        let mut shape = self.new_shape(type_name, name, pos, traits);
        shape.resource = self.for_resource()?;
        shape.mixins = self.mixins()?;
        self.ws();
        shape.members = self.shape_members()?;
        self.shapes.push(shape);
        Ok(())
    }

    /// `ShapeMembers`: `{ member: Target, $elided, ... }`.
    fn shape_members(&mut self) -> PResult<Vec<MemberDef>> {
        self.expect('{')?;
        self.ws();
        let mut members: Vec<MemberDef> = Vec::new();
        let mut names = std::collections::HashSet::new();
        while self.peek() != Some(b'}') {
            if self.at_end() {
                return Err(self.expected("RBRACE('}')"));
            }
            let traits = self.trait_statements()?;
            let pos = self.here();
            let at = self.pos;
            let (name, target) = if self.eat("$") {
                if self.v1 {
                    return Err(self.error(at, "Members can only elide targets in IDL version 2 or later"));
                }
                (self.identifier()?, None)
            } else {
                let name = self.identifier()?;
                self.sp();
                self.expect(':')?;
                self.sp();
                let target_pos = self.here();
                (name, Some((self.shape_id()?, target_pos)))
            };
            if !names.insert(name.clone()) {
                return Err(self.error(at, format!("The member `{name}` is defined twice")));
            }
            let mut member = MemberDef {
                name,
                target,
                traits,
                pos,
            };
            let value_pos = self.here();
            if let Some(value) = self.value_assignment()? {
                member.traits.push(TraitApp {
                    id: "smithy.api#default".to_owned(),
                    value,
                    annotation: false,
                    pos: value_pos,
                });
            }
            members.push(member);
            // Members need nothing between them: `a: String@required b: String` is two.
            self.ws();
        }
        self.expect('}')?;
        Ok(members)
    }

    fn entity_shape(&mut self, type_name: String, traits: Vec<TraitApp>) -> PResult<()> {
        let (name, pos) = self.shape_name()?;
        let mut shape = self.new_shape(type_name, name, pos, traits);
        shape.mixins = self.mixins()?;
        self.ws();
        let Node::Object(properties) = self.node_object()? else {
            unreachable!("node_object reads objects")
        };
        shape.properties = properties;
        self.shapes.push(shape);
        Ok(())
    }

    fn operation_shape(&mut self, traits: Vec<TraitApp>) -> PResult<()> {
        let (name, pos) = self.shape_name()?;
        let mut shape = self.new_shape("operation".to_owned(), name.clone(), pos, traits);
        shape.mixins = self.mixins()?;
        self.ws();
        self.expect('{')?;
        self.ws();
        while self.peek() != Some(b'}') {
            if self.at_end() {
                return Err(self.expected("RBRACE('}')"));
            }
            let at = self.pos;
            let pos = self.here();
            let key = self.identifier()?;
            if shape.properties.iter().any(|(existing, _, _)| *existing == key) {
                return Err(self.error(
                    at,
                    format!(
                        "Duplicate operation {key} property for `{}#{name}`",
                        self.namespace.as_deref().unwrap_or_default()
                    ),
                ));
            }
            let value = match key.as_str() {
                "input" | "output" => {
                    self.ws();
                    if self.starts_with(":=") {
                        if self.v1 {
                            return Err(self.error(
                                self.pos,
                                "Inlined operation inputs and outputs can only be used with Smithy version 2 or later. Attempted to use inlined IO with version `1.0`.",
                            ));
                        }
                        self.eat(":=");
                        self.ws();
                        let suffix = if key == "input" {
                            &self.input_suffix
                        } else {
                            &self.output_suffix
                        };
                        let inline_name = format!("{name}{suffix}");
                        let marker = if key == "input" {
                            "smithy.api#input"
                        } else {
                            "smithy.api#output"
                        };
                        let mut traits = self.trait_statements()?;
                        traits.push(TraitApp {
                            id: marker.to_owned(),
                            value: Node::Object(Vec::new()),
                            annotation: false,
                            pos,
                        });
                        let mut inline = self.new_shape("structure".to_owned(), inline_name.clone(), pos, traits);
                        inline.resource = self.for_resource()?;
                        inline.mixins = self.mixins()?;
                        self.ws();
                        inline.members = self.shape_members()?;
                        self.shapes.push(inline);
                        Node::Id(inline_name, pos)
                    } else {
                        self.expect(':')?;
                        self.ws();
                        let pos = self.here();
                        Node::Id(self.shape_id()?, pos)
                    }
                }
                "errors" => {
                    self.ws();
                    self.expect(':')?;
                    self.ws();
                    self.node_array()?
                }
                other => {
                    return Err(self.error(
                        at,
                        format!(
                            "Unknown property {other} for {}#{name}: an operation has `input`, `output` and `errors`",
                            self.namespace.as_deref().unwrap_or_default()
                        ),
                    ))
                }
            };
            shape.properties.push((key, value, pos));
            // As the reference implementation reads it, whitespace follows every property, the
            // last one too.
            self.require_ws()?;
        }
        self.expect('}')?;
        self.shapes.push(shape);
        Ok(())
    }

    fn apply(&mut self) -> PResult<()> {
        self.eat("apply");
        self.require_ws()?;
        let pos = self.here();
        let target = self.shape_id()?;
        self.require_ws()?;
        let traits = if self.peek() == Some(b'{') {
            self.eat("{");
            // Documentation comments in an `apply` block document nothing.
            self.ws();
            self.docs.clear();
            let traits = self.trait_statements()?;
            self.expect('}')?;
            traits
        } else if self.peek() == Some(b'@') {
            vec![self.trait_application()?]
        } else {
            return Err(self.error(
                self.pos,
                format!("Expected one of AT('@'), LBRACE('{{'); but found {}", self.found()),
            ));
        };
        self.applies.push((target, pos, traits));
        self.br()
    }

    // -----------------------------------------------------------------------------------------
    // Traits
    // -----------------------------------------------------------------------------------------

    /// `TraitStatements`, with the documentation comments before the first of them as
    /// `@documentation` (after the traits, as the reference implementation adds it, so that an
    /// explicit `@documentation` with another value conflicts). Documentation comments after a
    /// trait document nothing and are dropped.
    fn trait_statements(&mut self) -> PResult<Vec<TraitApp>> {
        let mut docs = std::mem::take(&mut self.docs);
        self.ws();
        docs.append(&mut self.docs);
        let pos = self.here();
        let mut traits = Vec::new();
        while self.peek() == Some(b'@') {
            traits.push(self.trait_application()?);
            self.ws();
            self.docs.clear();
        }
        if !docs.is_empty() {
            traits.push(TraitApp {
                id: "smithy.api#documentation".to_owned(),
                value: Node::String(docs.join("\n")),
                annotation: false,
                pos,
            });
        }
        Ok(traits)
    }

    fn trait_application(&mut self) -> PResult<TraitApp> {
        let pos = self.here();
        self.expect('@')?;
        let id = self.shape_id()?;
        let annotation = TraitApp {
            id: id.clone(),
            value: Node::Object(Vec::new()),
            annotation: true,
            pos,
        };
        if self.peek() != Some(b'(') {
            return Ok(annotation);
        }
        self.eat("(");
        self.ws();
        if self.eat(")") {
            return Ok(annotation);
        }
        let value = if self.at_structure_key() {
            let mut entries = Vec::new();
            let mut seen = std::collections::HashSet::new();
            while self.peek() != Some(b')') {
                if self.at_end() {
                    return Err(self.expected("RPAREN(')')"));
                }
                entries.push(self.node_kvp(&mut seen)?);
                self.ws();
            }
            Node::Object(entries)
        } else {
            let value = self.node_value()?;
            self.ws();
            value
        };
        self.expect(')')?;
        Ok(TraitApp {
            id,
            value,
            annotation: false,
            pos,
        })
    }

    /// Whether a trait body starts with `key:`: a structure without braces.
    fn at_structure_key(&self) -> bool {
        let rest = &self.text[self.pos..];
        let after = if let Some(quoted) = rest.strip_prefix('"') {
            if rest.starts_with("\"\"\"") {
                return false;
            }
            let mut escaped = false;
            let mut end = None;
            for (index, c) in quoted.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(index + 1);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            match end {
                Some(end) => &quoted[end..],
                None => return false,
            }
        } else if rest.bytes().next().is_some_and(is_identifier_start) {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[end..]
        } else {
            return false;
        };
        after.trim_start_matches([' ', '\t', '\n', '\r', ',']).starts_with(':')
    }

    // -----------------------------------------------------------------------------------------
    // Node values
    // -----------------------------------------------------------------------------------------

    fn node_value(&mut self) -> PResult<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let error = self.error(self.pos, format!("Node values nest deeper than {MAX_DEPTH} levels"));
            self.depth -= 1;
            return Err(error);
        }
        let value = self.node_value_inner();
        self.depth -= 1;
        value
    }

    fn node_value_inner(&mut self) -> PResult<Node> {
        match self.peek() {
            Some(b'[') => self.node_array(),
            Some(b'{') => self.node_object(),
            Some(b'"') => {
                if self.starts_with("\"\"\"") {
                    Ok(Node::String(self.text_block()?))
                } else {
                    Ok(Node::String(self.quoted()?))
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(byte) if is_identifier_start(byte) => {
                for (keyword, value) in [
                    ("true", Node::Bool(true)),
                    ("false", Node::Bool(false)),
                    ("null", Node::Null),
                ] {
                    if self.at_keyword(keyword) {
                        self.eat(keyword);
                        return Ok(value);
                    }
                }
                let pos = self.here();
                Ok(Node::Id(self.shape_id()?, pos))
            }
            _ => Err(self.unexpected_or_expected("a value")),
        }
    }

    fn node_array(&mut self) -> PResult<Node> {
        self.expect('[')?;
        self.ws();
        let mut items = Vec::new();
        while self.peek() != Some(b']') {
            if self.at_end() {
                return Err(self.expected(
                    "one of STRING('\"'), TEXT_BLOCK('\"\"\"'), NUMBER, IDENTIFIER, LBRACE('{'), LBRACKET('[');",
                ));
            }
            items.push(self.node_value()?);
            self.ws();
        }
        self.expect(']')?;
        Ok(Node::Array(items))
    }

    fn node_object(&mut self) -> PResult<Node> {
        self.expect('{')?;
        self.ws();
        let mut entries = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while self.peek() != Some(b'}') {
            if self.at_end() {
                return Err(self.expected("RBRACE('}')"));
            }
            entries.push(self.node_kvp(&mut seen)?);
            self.ws();
        }
        self.expect('}')?;
        Ok(Node::Object(entries))
    }

    fn node_kvp(&mut self, seen: &mut std::collections::HashSet<String>) -> PResult<(String, Node, Pos)> {
        let at = self.pos;
        let pos = self.here();
        let key = self.node_key()?;
        if !seen.insert(key.clone()) {
            return Err(self.error(at, format!("Duplicate member of object: `{key}`")));
        }
        self.ws();
        self.expect(':')?;
        self.ws();
        let value = self.node_value()?;
        Ok((key, value, pos))
    }

    /// `NodeObjectKey`: a quoted string or an identifier.
    fn node_key(&mut self) -> PResult<String> {
        match self.peek() {
            Some(b'"') if self.starts_with("\"\"\"") => {
                Err(self.error(self.pos, "A text block cannot be an object key"))
            }
            Some(b'"') => self.quoted(),
            Some(byte) if is_identifier_start(byte) => {
                let key = self.identifier()?;
                if matches!(self.peek(), Some(b'#' | b'.' | b'$')) {
                    return Err(self.expected("COLON(':')"));
                }
                Ok(key)
            }
            _ => Err(self.unexpected_or_expected("IDENTIFIER or STRING")),
        }
    }

    fn unexpected_or_expected(&self, expected: &str) -> Syntax {
        match self.text[self.pos..].chars().next() {
            Some(c)
                if punctuation_name(c).is_none()
                    && !c.is_ascii_alphanumeric()
                    && !c.is_whitespace()
                    && c != '"'
                    && !self.starts_with("//") =>
            {
                self.error(self.pos, format!("Unexpected character: '{c}'"))
            }
            _ => self.expected(expected),
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |parser: &mut Self| {
            let from = parser.pos;
            while parser.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                parser.pos += 1;
            }
            parser.pos > from
        };
        if !digits(self) {
            let text = &self.text[start..self.pos];
            return Err(self.error(
                start,
                format!("Invalid number '{text}': '-' must be followed by a digit"),
            ));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                let text = &self.text[start..self.pos];
                return Err(self.error(
                    start,
                    format!("Invalid number '{text}': '.' must be followed by a digit"),
                ));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                let text = &self.text[start..self.pos];
                return Err(self.error(
                    start,
                    format!("Invalid number '{text}': 'e', '+', and '-' must be followed by a digit"),
                ));
            }
        }
        let text = &self.text[start..self.pos];
        self.docs.clear();
        // Read as the JSON reader reads numbers, so that both forms of a model agree.
        let number = match serde_json::from_str::<Value>(text) {
            Ok(Value::Number(number)) => Some(number),
            _ => None,
        };
        number
            .map(Node::Number)
            .ok_or_else(|| self.error(start, format!("Invalid number `{text}`")))
    }

    /// A string or text block without its closing quotes, reported at the end of the file.
    fn unclosed(&self, start: usize, what: &str) -> Syntax {
        let (line, column) = self.line_column(start);
        self.error(
            self.bytes.len(),
            format!("Expected: '\"', but found '[EOF]': the {what} at line {line}, column {column} is not closed"),
        )
    }

    /// A quoted string, its escapes read.
    fn quoted(&mut self) -> PResult<String> {
        let start = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.unclosed(start, "string")),
                Some(b'\\') => self.pos += 2,
                Some(b'"') => break,
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.text[content_start..self.pos.min(self.text.len())];
        self.pos += 1;
        self.docs.clear();
        unescape(&normalize_line_breaks(raw), false)
            .map_err(|message| self.error(start, format!("Error parsing quoted string: {message}")))
    }

    /// A text block: `"""`, a line break, then lines with their common indentation removed.
    fn text_block(&mut self) -> PResult<String> {
        let start = self.pos;
        self.pos += 3;
        if !self.newline() {
            let message = if self.starts_with("\"") {
                "Error parsing text block: Text block is empty"
            } else {
                "Error parsing text block: Text block must start with a new line"
            };
            return Err(self.error(start, message));
        }
        let content_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.unclosed(start, "text block")),
                Some(b'\\') => self.pos += 2,
                Some(b'"') if self.starts_with("\"\"\"") => break,
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.text[content_start..self.pos];
        self.pos += 3;
        self.docs.clear();
        let formatted = dedent(&normalize_line_breaks(raw));
        unescape(&formatted, true).map_err(|message| self.error(start, format!("Error parsing text block: {message}")))
    }

    fn identifier(&mut self) -> PResult<String> {
        let start = self.pos;
        match self.peek() {
            Some(byte) if is_identifier_start(byte) => {}
            _ => return Err(self.unexpected_or_expected("IDENTIFIER")),
        }
        while self.peek().is_some_and(is_identifier_byte) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if text.bytes().all(|byte| byte == b'_') {
            return Err(self.error(start, format!("`{text}` is not an identifier: it needs a letter")));
        }
        self.docs.clear();
        Ok(text.to_owned())
    }

    fn namespace_name(&mut self) -> PResult<String> {
        let mut namespace = self.identifier()?;
        while self.peek() == Some(b'.') && self.peek_at(1).is_some_and(is_identifier_start) {
            self.pos += 1;
            namespace.push('.');
            namespace.push_str(&self.identifier()?);
        }
        Ok(namespace)
    }

    /// A shape id as written: `Name`, `ns.a#Name`, either with `$member`.
    fn shape_id(&mut self) -> PResult<String> {
        let mut id = self.namespace_name()?;
        if self.peek() == Some(b'#') {
            self.pos += 1;
            id.push('#');
            id.push_str(&self.identifier()?);
        } else if id.contains('.') {
            return Err(self.error(
                self.pos,
                format!(
                    "Expected POUND('#') after the namespace `{id}` but found {}",
                    self.found()
                ),
            ));
        }
        if self.peek() == Some(b'$') {
            self.pos += 1;
            id.push('$');
            id.push_str(&self.identifier()?);
        }
        Ok(id)
    }

    // -----------------------------------------------------------------------------------------
    // Resolution: the parsed file as JSON AST
    // -----------------------------------------------------------------------------------------

    fn resolve(&self, raw: &str, local: &BTreeSet<String>) -> String {
        if raw.contains('#') {
            return raw.to_owned();
        }
        // Before the namespace statement (in metadata), a relative id is in `smithy.api`.
        let Some(namespace) = self.namespace.as_deref() else {
            return format!("smithy.api#{raw}");
        };
        let (name, member) = match raw.split_once('$') {
            Some((name, member)) => (name, Some(member)),
            None => (raw, None),
        };
        let root = if let Some(used) = self.uses.get(name) {
            used.clone()
        } else if local.contains(name) || self.known.contains(&format!("{namespace}#{name}")) {
            format!("{namespace}#{name}")
        } else if PRELUDE.contains(&name) {
            format!("smithy.api#{name}")
        } else {
            format!("{namespace}#{name}")
        };
        match member {
            Some(member) => format!("{root}${member}"),
            None => root,
        }
    }

    /// A node value as JSON; its unquoted shape ids resolved, and recorded in `syntactic` to be
    /// checked against the model. `metadata` values are read before the namespace statement.
    fn value(
        &self,
        node: &Node,
        local: &BTreeSet<String>,
        metadata: bool,
        syntactic: &mut Vec<(String, String, Pos)>,
    ) -> Value {
        match node {
            Node::Null => Value::Null,
            Node::Bool(value) => Value::Bool(*value),
            Node::Number(number) => Value::Number(number.clone()),
            Node::String(text) => Value::String(text.clone()),
            Node::Id(raw, pos) => {
                let id = if metadata && !raw.contains('#') {
                    format!("smithy.api#{raw}")
                } else {
                    self.resolve(raw, local)
                };
                syntactic.push((raw.clone(), id.clone(), *pos));
                Value::String(id)
            }
            Node::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.value(item, local, metadata, syntactic))
                    .collect(),
            ),
            Node::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value, _)| (key.clone(), self.value(value, local, metadata, syntactic)))
                    .collect(),
            ),
        }
    }

    /// The traits of `target` as JSON. A trait written twice joins its lists, else must have
    /// the same value both times (a documentation comment counts as `@documentation`).
    fn traits(
        &self,
        target: &str,
        traits: &[TraitApp],
        local: &BTreeSet<String>,
        file: &mut IdlFile,
        errors: &mut Vec<Error>,
    ) -> Map<String, Value> {
        let mut map = Map::new();
        for application in traits {
            let id = self.resolve(&application.id, local);
            let value = self.value(&application.value, local, false, &mut file.syntactic);
            if application.annotation {
                file.annotations.push((target.to_owned(), id.clone(), application.pos));
            }
            match (map.get_mut(&id), value) {
                (None, value) => {
                    map.insert(id, value);
                }
                (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
                (Some(existing), value) if *existing == value => {}
                (Some(_), _) => errors.push(
                    Error::new(
                        ErrorKind::InvalidModel,
                        format!("Conflicting `{id}` trait found on shape `{target}`: it is written twice with different values"),
                    )
                    .at_line_column(application.pos.0, application.pos.1)
                    .for_shape(target)
                    .in_file(&self.file),
                ),
            }
        }
        map
    }

    /// A target: `{"target": id}`, recorded to be checked against the model.
    fn target(&self, raw: &str, pos: Pos, local: &BTreeSet<String>, targets: &mut Vec<(String, Pos)>) -> Value {
        let id = self.resolve(raw, local);
        targets.push((id.clone(), pos));
        serde_json::json!({ "target": id })
    }

    /// A property of a service, resource or operation that names shapes, as JSON AST.
    /// `Ok(None)` for a property no shape has, which the reference implementation only warns
    /// about. A shape id may be quoted.
    fn entity_property(
        &self,
        key: &str,
        value: &Node,
        local: &BTreeSet<String>,
        at: Pos,
        targets: &mut Vec<(String, Pos)>,
        syntactic: &mut Vec<(String, String, Pos)>,
    ) -> Result<Option<Value>, String> {
        let wrong = |what: &str| format!("`{key}` must be {what}");
        // A quoted shape id is read as an unquoted one, at the place of its property.
        let unquoted = |node: &Node, at: Pos| match node {
            Node::String(text) => Node::Id(text.clone(), at),
            other => other.clone(),
        };
        let value = &match value {
            Node::Array(items) => Node::Array(items.iter().map(|item| unquoted(item, at)).collect()),
            Node::Object(entries) if key != "rename" => Node::Object(
                entries
                    .iter()
                    .map(|(name, item, at)| (name.clone(), unquoted(item, *at), *at))
                    .collect(),
            ),
            other if key != "version" => unquoted(other, at),
            other => other.clone(),
        };
        let value = match key {
            "version" => match value {
                Node::String(text) => Ok(Value::String(text.clone())),
                _ => Err(wrong("a string")),
            },
            "input" | "output" | "create" | "put" | "read" | "update" | "delete" | "list" => match value {
                Node::Id(raw, at) => Ok(self.target(raw, *at, local, targets)),
                _ => Err(wrong("a shape id")),
            },
            "operations" | "resources" | "errors" | "collectionOperations" => match value {
                Node::Array(items) => items
                    .iter()
                    .map(|item| match item {
                        Node::Id(raw, at) => Ok(self.target(raw, *at, local, targets)),
                        _ => Err(wrong("a list of shape ids")),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                _ => Err(wrong("a list of shape ids")),
            },
            "identifiers" | "properties" => match value {
                Node::Object(entries) => entries
                    .iter()
                    .map(|(name, item, _)| match item {
                        Node::Id(raw, at) => Ok((name.clone(), self.target(raw, *at, local, targets))),
                        _ => Err(wrong("an object of shape ids")),
                    })
                    .collect::<Result<Map<_, _>, _>>()
                    .map(Value::Object),
                _ => Err(wrong("an object of shape ids")),
            },
            "rename" => match value {
                Node::Object(entries) => Ok(Value::Object(
                    entries
                        .iter()
                        .map(|(id, name, _)| (self.resolve(id, local), self.value(name, local, false, syntactic)))
                        .collect(),
                )),
                _ => Err(wrong("an object of shape ids to names")),
            },
            _ => return Ok(None),
        };
        value.map(Some)
    }

    fn finish(self) -> Result<IdlFile, Vec<Error>> {
        let namespace = self.namespace.clone().unwrap_or_default();
        let local: BTreeSet<String> = self.shapes.iter().map(|shape| shape.name.clone()).collect();
        let mut file = IdlFile {
            v1: self.v1,
            ..IdlFile::default()
        };
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for shape in &self.shapes {
            let id = format!("{namespace}#{}", shape.name);
            let located = |message: String| {
                Error::new(ErrorKind::InvalidModel, message)
                    .at_line_column(shape.pos.0, shape.pos.1)
                    .for_shape(&id)
                    .in_file(&self.file)
            };
            if let Some(used) = self.uses.get(&shape.name) {
                errors.push(located(format!(
                    "Shape name `{}` conflicts with imported shape `{used}`",
                    shape.name
                )));
            }
            if self.v1
                && shape
                    .traits
                    .iter()
                    .any(|t| self.resolve(&t.id, &local) == "smithy.api#mixin")
            {
                errors.push(located(format!(
                    "Mixins can only be used in Smithy 2.0 or later. Attempted to apply a @mixin trait to `{id}` in a model file using version `1.0`."
                )));
            }
            if self.v1 && shape.properties.iter().any(|(key, _, _)| key == "properties") {
                errors.push(located(
                    "Resource properties can only be used with Smithy version 2 or later.".to_owned(),
                ));
            }
            if !seen.insert(id.clone()) {
                errors.push(
                    Error::new(ErrorKind::InvalidModel, "the shape is defined twice in this file")
                        .at_line_column(shape.pos.0, shape.pos.1)
                        .for_shape(&id)
                        .in_file(&self.file),
                );
                continue;
            }
            let mut body = Map::new();
            body.insert("type".to_owned(), Value::String(shape.type_name.clone()));
            let mixins: Vec<String> = shape.mixins.iter().map(|(raw, _)| self.resolve(raw, &local)).collect();
            for ((_, pos), mixin) in shape.mixins.iter().zip(&mixins) {
                file.targets.push((mixin.clone(), *pos));
            }
            let resource = shape.resource.as_ref().map(|(raw, pos)| {
                let id = self.resolve(raw, &local);
                file.targets.push((id.clone(), *pos));
                id
            });
            let mut members = Map::new();
            for member in &shape.members {
                let mut value = Map::new();
                match &member.target {
                    Some((raw, pos)) => {
                        let target = self.resolve(raw, &local);
                        file.targets.push((target.clone(), *pos));
                        value.insert("target".to_owned(), Value::String(target));
                    }
                    None => file.elided.push(Elided {
                        shape: id.clone(),
                        member: member.name.clone(),
                        resource: resource.clone(),
                        mixins: mixins.clone(),
                        pos: member.pos,
                    }),
                }
                let member_id = format!("{id}${}", member.name);
                let traits = self.traits(&member_id, &member.traits, &local, &mut file, &mut errors);
                if !traits.is_empty() {
                    value.insert("traits".to_owned(), Value::Object(traits));
                }
                members.insert(member.name.clone(), Value::Object(value));
            }
            match shape.type_name.as_str() {
                "list" | "set" | "map" => {
                    let allowed: &[&str] = if shape.type_name == "map" {
                        &["key", "value"]
                    } else {
                        &["member"]
                    };
                    for name in members.keys() {
                        if !allowed.contains(&name.as_str()) {
                            errors.push(
                                Error::new(
                                    ErrorKind::InvalidModel,
                                    format!(
                                        "a {} has no member `{name}` (only {})",
                                        shape.type_name,
                                        allowed.join(" and ")
                                    ),
                                )
                                .at_line_column(shape.pos.0, shape.pos.1)
                                .for_shape(&id)
                                .in_file(&self.file),
                            );
                        }
                    }
                    for (name, value) in members {
                        body.insert(name, value);
                    }
                }
                "structure" | "union" | "enum" | "intEnum" => {
                    body.insert("members".to_owned(), Value::Object(members));
                }
                _ => {}
            }
            for (key, value, pos) in &shape.properties {
                match self.entity_property(key, value, &local, *pos, &mut file.targets, &mut file.syntactic) {
                    Ok(Some(value)) => {
                        body.insert(key.clone(), value);
                    }
                    Ok(None) => {}
                    Err(message) => errors.push(
                        Error::new(ErrorKind::InvalidModel, message)
                            .at_line_column(pos.0, pos.1)
                            .for_shape(&id)
                            .in_file(&self.file),
                    ),
                }
            }
            if !mixins.is_empty() {
                body.insert(
                    "mixins".to_owned(),
                    Value::Array(mixins.iter().map(|id| serde_json::json!({ "target": id })).collect()),
                );
            }
            let traits = self.traits(&id, &shape.traits, &local, &mut file, &mut errors);
            if !traits.is_empty() {
                body.insert("traits".to_owned(), Value::Object(traits));
            }
            file.shapes.push((id, Value::Object(body), shape.pos));
        }
        for (key, value, pos) in &self.metadata {
            let value = self.value(value, &local, true, &mut file.syntactic);
            file.metadata.push((key.clone(), value, *pos));
        }
        for (target, pos, traits) in &self.applies {
            let target = self.resolve(target, &local);
            let traits = self.traits(&target, traits, &local, &mut file, &mut errors);
            file.applies.push((target, traits, *pos));
        }
        if errors.is_empty() {
            Ok(file)
        } else {
            Err(errors)
        }
    }
}

fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// A node value as a message shows it.
fn describe_node(node: &Node) -> String {
    match node {
        Node::Null => "null".to_owned(),
        Node::Bool(value) => value.to_string(),
        Node::Number(number) => number.to_string(),
        Node::String(text) => format!("{text:?}"),
        Node::Id(id, _) => id.clone(),
        Node::Array(_) => "a list".to_owned(),
        Node::Object(_) => "an object".to_owned(),
    }
}

/// The reference implementation's name of a punctuation token.
fn punctuation_name(c: char) -> Option<&'static str> {
    Some(match c {
        '{' => "LBRACE",
        '}' => "RBRACE",
        '[' => "LBRACKET",
        ']' => "RBRACKET",
        '(' => "LPAREN",
        ')' => "RPAREN",
        ':' => "COLON",
        '=' => "EQUAL",
        '@' => "AT",
        '$' => "DOLLAR",
        '#' => "POUND",
        ',' => "COMMA",
        '.' => "DOT",
        _ => return None,
    })
}

/// A string's line breaks as `\n`: `\r\n` and a lone `\r` alike.
fn normalize_line_breaks(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('\r') {
        return std::borrow::Cow::Borrowed(raw);
    }
    std::borrow::Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

/// A text block's lines (after its opening line break) without their common indentation, as
/// the reference implementation formats them: indentation is spaces only (a tab is content);
/// the closing line counts when it is only spaces, other lines of only spaces do not; trailing
/// spaces are removed.
fn dedent(raw: &str) -> String {
    let lines: Vec<&str> = raw.split('\n').collect();
    let last = lines.len() - 1;
    let indent = lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if spaces < line.len() {
                Some(spaces)
            } else {
                (index == last).then_some(line.len())
            }
        })
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| {
            let bytes = line.as_bytes();
            if bytes.is_empty() {
                return "";
            }
            let start = indent.min(bytes.len());
            // The first character stays, as in the reference implementation.
            let mut end = bytes.len() - 1;
            while end > 0 && bytes[end] == b' ' {
                end -= 1;
            }
            if end >= start {
                line.get(start..=end).unwrap_or_default()
            } else {
                ""
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A string's escapes read: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` (with
/// surrogate pairs) and an escaped line break, which is removed. Control characters other than
/// tab and line breaks must be escaped; a `"` must be, but in a text block.
fn unescape(raw: &str, text_block: bool) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || (c == '"' && !text_block) {
                return Err(format!("Invalid string character: `{c}`"));
            }
            out.push(c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            return Err("Invalid escape found in string: `\\`".to_owned());
        };
        match escaped {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\n' => {}
            'u' => {
                let code = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Result<u32, String> {
                    let mut value = 0;
                    for _ in 0..4 {
                        let Some(c) = chars.next() else {
                            return Err("Invalid unclosed unicode escape found in string".to_owned());
                        };
                        let Some(digit) = c.to_digit(16) else {
                            return Err(format!("Invalid unicode escape character: `{c}`"));
                        };
                        value = value << 4 | digit;
                    }
                    Ok(value)
                };
                let first = code(&mut chars)?;
                let scalar = if (0xD800..0xDC00).contains(&first) {
                    let rest: String = chars.clone().take(2).collect();
                    if rest != "\\u" {
                        return Err("Invalid unicode escape: a high surrogate without its low surrogate".to_owned());
                    }
                    chars.next();
                    chars.next();
                    let second = code(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err("Invalid unicode escape: a high surrogate without its low surrogate".to_owned());
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                match char::from_u32(scalar) {
                    Some(c) => out.push(c),
                    None => return Err(format!("Invalid unicode escape: U+{scalar:04X} is not a character")),
                }
            }
            other => return Err(format!("Invalid escape found in string: `\\{other}`")),
        }
    }
    Ok(out)
}
