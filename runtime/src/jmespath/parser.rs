//! The syntax tree and a top-down operator precedence (Pratt) parser that builds it.
//!
//! Each token has a binding power; an expression parsed at power `p` takes in the infix tokens
//! that bind tighter than `p`. A projection (`[*]`, `*`, `[]`, `[?…]`, a slice) applies what
//! follows it to each element, up to the first token that binds more loosely than a projection
//! (a pipe, `||`, `&&`, a comparator, `[]`, or the end of an enclosing bracket).

use serde_json::Value;

use super::functions::Function;
use super::lexer::{Comparator, Spanned, Token};
use super::{ErrorKind, JmesPathError, MAX_NESTING};

/// A node of the syntax tree, with its height (a leaf is 1), which is bounded by
/// [`MAX_NESTING`] so that evaluation cannot run out of stack.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) kind: Kind,
    height: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    /// `@`
    Current,
    /// An identifier: the member of an object, or null.
    Field(String),
    /// `[n]`: an element of an array, counted from the end when negative.
    Index(i64),
    /// `[start:stop:step]`; a step of zero is an error when evaluated.
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    },
    /// A literal or a raw string.
    Literal(Value),
    /// `a.b[0].c`: each step applied to the result of the one before, stopping at null.
    Chain(Vec<Node>),
    /// `a | b | c`: each applied to the result of the one before.
    Pipe(Vec<Node>),
    /// `a || b || c`: the first truthy value, or the last.
    Or(Vec<Node>),
    /// `a && b && c`: the first falsy value, or the last.
    And(Vec<Node>),
    Not(Box<Node>),
    Compare(Comparator, Box<Node>, Box<Node>),
    /// `base[*].each`, `base[].each` (with `base` a [`Kind::Flatten`]) and slices: `each`
    /// applied to every element of the array `base` gives, nulls left out.
    ListProjection {
        base: Box<Node>,
        each: Box<Node>,
    },
    /// `base.*.each`: `each` applied to every value of the object `base` gives, nulls left out.
    ValueProjection {
        base: Box<Node>,
        each: Box<Node>,
    },
    /// `base[?condition].each`: `each` applied to the elements for which `condition` is truthy.
    FilterProjection {
        base: Box<Node>,
        condition: Box<Node>,
        each: Box<Node>,
    },
    /// The array with its array elements' elements put in their place, one level deep.
    Flatten(Box<Node>),
    /// `[a, b]`: null on null.
    MultiList(Vec<Node>),
    /// `{a: x, b: y}`: null on null.
    MultiHash(Vec<(String, Node)>),
    Function {
        function: Function,
        args: Vec<Node>,
        offset: usize,
    },
    /// `&expression`, only meaningful as a function argument.
    ExpressionRef(Box<Node>),
}

impl Node {
    fn leaf(kind: Kind) -> Node {
        Node { kind, height: 1 }
    }

    fn boxed(self) -> Box<Node> {
        Box::new(self)
    }
}

/// The associative operators, whose operands are kept in one list.
#[derive(Clone, Copy)]
enum Joined {
    Chain,
    Pipe,
    Or,
    And,
}

impl Joined {
    fn wrap(self, nodes: Vec<Node>) -> Kind {
        match self {
            Joined::Chain => Kind::Chain(nodes),
            Joined::Pipe => Kind::Pipe(nodes),
            Joined::Or => Kind::Or(nodes),
            Joined::And => Kind::And(nodes),
        }
    }

    /// The operands of `node` when it is this operator, else `node` itself.
    fn operands(self, node: Node) -> Result<(Vec<Node>, usize), Node> {
        match (self, node.kind) {
            (Joined::Chain, Kind::Chain(nodes))
            | (Joined::Pipe, Kind::Pipe(nodes))
            | (Joined::Or, Kind::Or(nodes))
            | (Joined::And, Kind::And(nodes)) => Ok((nodes, node.height)),
            (_, kind) => Err(Node {
                kind,
                height: node.height,
            }),
        }
    }

    /// `left <op> right`, flattened into one list so that long chains stay shallow.
    fn join(self, left: Node, right: Node) -> Node {
        let (mut nodes, mut height) = match self.operands(left) {
            Ok(operands) => operands,
            Err(left) => {
                let height = left.height + 1;
                (vec![left], height)
            }
        };
        match self.operands(right) {
            Ok((more, more_height)) => {
                height = height.max(more_height);
                nodes.extend(more);
            }
            Err(right) => {
                height = height.max(right.height + 1);
                nodes.push(right);
            }
        }
        Node {
            kind: self.wrap(nodes),
            height,
        }
    }
}

// Binding powers.
const BP_PIPE: u8 = 1;
const BP_OR: u8 = 2;
const BP_AND: u8 = 3;
const BP_COMPARE: u8 = 5;
const BP_FLATTEN: u8 = 9;
/// Tokens that bind less than this end a projection.
const BP_PROJECTION_STOP: u8 = 10;
const BP_STAR: u8 = 20;
const BP_FILTER: u8 = 21;
const BP_DOT: u8 = 40;
const BP_NOT: u8 = 45;

fn binding_power(token: &Token) -> u8 {
    match token {
        Token::Pipe => BP_PIPE,
        Token::Or => BP_OR,
        Token::And => BP_AND,
        Token::Compare(_) => BP_COMPARE,
        Token::Flatten => BP_FLATTEN,
        Token::Star => BP_STAR,
        Token::Filter => BP_FILTER,
        Token::Dot => BP_DOT,
        Token::Not => BP_NOT,
        Token::LeftBrace => 50,
        Token::LeftBracket => 55,
        Token::LeftParen => 60,
        _ => 0,
    }
}

type Parsed = Result<Node, JmesPathError>;

/// Parses the tokens of a whole expression.
pub(super) fn parse(tokens: Vec<Spanned>) -> Parsed {
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let root = parser.expression(0)?;
    match parser.peek() {
        Token::Eof => Ok(root),
        _ => Err(parser.unexpected("expected the end of the expression")),
    }
}

/// The kinds of projection, each with the binding power that ends what it projects.
#[derive(Clone, Copy)]
enum Projection {
    /// `[*]` and slices.
    List,
    /// `*`
    Values,
    /// `[]`
    Flatten,
}

/// The prefix operators.
#[derive(Clone, Copy)]
enum Prefix {
    Not,
    Reference,
}

/// The infix operators that take an expression on their right.
#[derive(Clone, Copy)]
enum Infix {
    Pipe,
    Or,
    And,
    Compare(Comparator),
}

struct Parser {
    tokens: Vec<Spanned>,
    at: usize,
    /// How many `expression` calls are under way.
    depth: usize,
}

// The functions that parse nested expressions call each other recursively, so they are kept
// small (few temporaries, errors made elsewhere) to keep the stack used per level of nesting
// small, including in unoptimised builds.
impl Parser {
    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        self.tokens
            .get(self.at + ahead)
            .map_or(&Token::Eof, |spanned| &spanned.token)
    }

    fn offset(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(0, |spanned| spanned.offset)
    }

    /// The current token, taken out of the list (nothing looks back), and its offset.
    fn advance(&mut self) -> (Token, usize) {
        match self.tokens.get_mut(self.at) {
            Some(spanned) => {
                self.at += 1;
                (std::mem::replace(&mut spanned.token, Token::Eof), spanned.offset)
            }
            None => (Token::Eof, self.offset()),
        }
    }

    /// Consumes the current token if it is `expected`; fails otherwise.
    fn expect(&mut self, expected: &Token) -> Result<(), JmesPathError> {
        if self.peek() == expected {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected(&format!("expected {}", expected.describe())))
        }
    }

    /// After an element of a list (of items, entries or arguments) that `close` ends: true
    /// after a `,` (another element follows), false after `close`.
    fn separator(&mut self, close: &Token) -> Result<bool, JmesPathError> {
        if *self.peek() == Token::Comma {
            self.advance();
            Ok(true)
        } else if self.peek() == close {
            self.advance();
            Ok(false)
        } else {
            Err(self.unexpected(&format!("expected `,` or {}", close.describe())))
        }
    }

    /// A syntax error at the current token: `<what>, found <token>`.
    #[cold]
    fn unexpected(&self, what: &str) -> JmesPathError {
        JmesPathError::syntax(self.offset(), format!("{what}, found {}", self.peek().describe()))
    }

    /// An expression that takes in the infix tokens binding tighter than `power`.
    fn expression(&mut self, power: u8) -> Parsed {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(too_deep(self.offset()));
        }
        let mut left = self.prefix()?;
        while power < binding_power(self.peek()) {
            left = self.infix(left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    /// An expression that starts at the current token.
    fn prefix(&mut self) -> Parsed {
        let (token, offset) = self.advance();
        let parsed = match token {
            Token::At => Ok(Node::leaf(Kind::Current)),
            Token::Identifier(name) => self.identifier(name, offset),
            Token::QuotedIdentifier(name) => match self.peek() {
                Token::LeftParen => Err(JmesPathError::syntax(offset, "a function name cannot be quoted")),
                _ => Ok(Node::leaf(Kind::Field(name))),
            },
            Token::Literal(value) => Ok(Node::leaf(Kind::Literal(value))),
            Token::RawString(text) => Ok(Node::leaf(Kind::Literal(Value::String(text)))),
            Token::Star => self.projection(Projection::Values, Node::leaf(Kind::Current)),
            Token::Flatten => self.projection(Projection::Flatten, Node::leaf(Kind::Current)),
            Token::Filter => self.filter(Node::leaf(Kind::Current)),
            Token::LeftBracket => self.bracket(None),
            Token::LeftBrace => self.multi_hash(),
            Token::Not => self.prefixed(Prefix::Not),
            Token::Ampersand => self.prefixed(Prefix::Reference),
            Token::LeftParen => self.parenthesised(),
            token => Err(expected_expression(&token, offset)),
        };
        bounded(parsed, offset)
    }

    /// The infix token at the current position applied to `left`.
    fn infix(&mut self, left: Node) -> Parsed {
        let (token, offset) = self.advance();
        let parsed = match token {
            Token::Dot => self.dot(left),
            Token::LeftBracket => self.bracket(Some(left)),
            Token::Flatten => self.projection(Projection::Flatten, left),
            Token::Filter => self.filter(left),
            Token::Pipe => self.infix_operator(Infix::Pipe, left),
            Token::Or => self.infix_operator(Infix::Or, left),
            Token::And => self.infix_operator(Infix::And, left),
            Token::Compare(comparator) => self.infix_operator(Infix::Compare(comparator), left),
            token => Err(unexpected_token(&token, offset)),
        };
        bounded(parsed, offset)
    }

    /// An unquoted identifier: a field, or the name of the function called if `(` follows.
    fn identifier(&mut self, name: String, offset: usize) -> Parsed {
        match self.peek() {
            Token::LeftParen => self.function(name, offset),
            _ => Ok(Node::leaf(Kind::Field(name))),
        }
    }

    /// `!expression` or `&expression`, the operator consumed.
    fn prefixed(&mut self, operator: Prefix) -> Parsed {
        let power = match operator {
            Prefix::Not => BP_NOT,
            Prefix::Reference => 0,
        };
        let inner = self.expression(power)?;
        let height = inner.height + 1;
        let kind = match operator {
            Prefix::Not => Kind::Not(inner.boxed()),
            Prefix::Reference => Kind::ExpressionRef(inner.boxed()),
        };
        Ok(Node { kind, height })
    }

    /// `(expression)`, the `(` consumed.
    fn parenthesised(&mut self) -> Parsed {
        let inner = self.expression(0)?;
        self.expect(&Token::RightParen)?;
        Ok(inner)
    }

    /// `left <operator> right`, the operator consumed.
    fn infix_operator(&mut self, operator: Infix, left: Node) -> Parsed {
        let power = match operator {
            Infix::Pipe => BP_PIPE,
            Infix::Or => BP_OR,
            Infix::And => BP_AND,
            Infix::Compare(_) => BP_COMPARE,
        };
        let right = self.expression(power)?;
        Ok(operation(operator, left, right))
    }

    /// `left.` and what follows, the `.` consumed.
    fn dot(&mut self, left: Node) -> Parsed {
        if *self.peek() == Token::Star {
            self.advance();
            return self.projection(Projection::Values, left);
        }
        let right = self.after_dot(BP_DOT)?;
        Ok(Joined::Chain.join(left, right))
    }

    /// What follows a `.`: an identifier (or a function call, or `*`, each with what binds to
    /// it tighter than `power`), a multi-select list or a multi-select hash.
    fn after_dot(&mut self, power: u8) -> Parsed {
        match self.peek() {
            Token::Identifier(_) | Token::QuotedIdentifier(_) | Token::Star => self.expression(power),
            Token::LeftBracket => {
                self.advance();
                self.multi_list()
            }
            Token::LeftBrace => {
                self.advance();
                self.multi_hash()
            }
            _ => Err(self.unexpected("expected an identifier, `*`, `[` or `{` after `.`")),
        }
    }

    /// What follows a `[` (consumed) at the start of an expression (`base` is `None`) or after
    /// `base`: an index, a slice, `*]`, or (at the start) a multi-select list.
    fn bracket(&mut self, base: Option<Node>) -> Parsed {
        match (self.peek(), self.peek_at(1), base) {
            (Token::Number(_) | Token::Colon, _, base) => self.index_or_slice(base),
            (Token::Star, Token::RightBracket, base) => {
                self.advance();
                self.advance();
                self.projection(Projection::List, base.unwrap_or(Node::leaf(Kind::Current)))
            }
            (_, _, None) => self.multi_list(),
            (_, _, Some(_)) => Err(self.unexpected("expected a number, `:` or `*` after `[`")),
        }
    }

    /// A projection over `base`: what follows it, applied to each element.
    fn projection(&mut self, projection: Projection, base: Node) -> Parsed {
        let power = match projection {
            Projection::List | Projection::Values => BP_STAR,
            Projection::Flatten => BP_FLATTEN,
        };
        let each = self.projection_rest(power)?;
        Ok(projected(projection, base, each))
    }

    /// What a projection applies to each element: nothing (the element itself) when the next
    /// token ends the projection, else a bracket, a filter or a `.` and what follows it.
    fn projection_rest(&mut self, power: u8) -> Parsed {
        if binding_power(self.peek()) < BP_PROJECTION_STOP {
            return Ok(Node::leaf(Kind::Current));
        }
        match self.peek() {
            Token::LeftBracket | Token::Filter => self.expression(power),
            Token::Dot => {
                self.advance();
                self.after_dot(power)
            }
            _ => Err(self.unexpected("expected `.`, `[` or `[?` after a projection")),
        }
    }

    /// The rest of `[?condition]`, the `[?` consumed, and what the filter projects onto the
    /// elements it keeps.
    fn filter(&mut self, base: Node) -> Parsed {
        let condition = self.expression(0)?;
        self.expect(&Token::RightBracket)?;
        let each = self.projection_rest(BP_FILTER)?;
        Ok(filtered(base, condition, each))
    }

    /// The rest of `[n]` or `[start:stop:step]`, the `[` consumed, applied to `base` (or to the
    /// current node). A slice is a projection.
    fn index_or_slice(&mut self, base: Option<Node>) -> Parsed {
        let mut parts = [None; 3];
        let mut part = 0;
        loop {
            match *self.peek() {
                Token::Number(number) if parts[part].is_none() => parts[part] = Some(number),
                Token::Colon if part < 2 => part += 1,
                Token::RightBracket => break,
                _ if part == 0 => return Err(self.unexpected("expected `:` or `]` after an index")),
                _ => return Err(self.unexpected("expected a number, `:` or `]` in a slice")),
            }
            self.advance();
        }
        self.advance();
        let [start, stop, step] = parts;
        let selector = if part == 0 {
            Node::leaf(Kind::Index(start.unwrap_or(0)))
        } else {
            Node::leaf(Kind::Slice { start, stop, step })
        };
        let selected = match base {
            Some(base) => Joined::Chain.join(base, selector),
            None => selector,
        };
        if part == 0 {
            Ok(selected)
        } else {
            self.projection(Projection::List, selected)
        }
    }

    /// The rest of `[a, b, …]`, the `[` consumed.
    fn multi_list(&mut self) -> Parsed {
        let mut items = Vec::new();
        loop {
            let item = self.expression(0)?;
            items.push(item);
            if !self.separator(&Token::RightBracket)? {
                break;
            }
        }
        Ok(Node {
            height: height_over(&items),
            kind: Kind::MultiList(items),
        })
    }

    /// The rest of `{key: value, …}`, the `{` consumed.
    fn multi_hash(&mut self) -> Parsed {
        let mut entries = Vec::new();
        let mut height = 1;
        loop {
            let key = self.key()?;
            let value = self.expression(0)?;
            height = height.max(value.height + 1);
            entries.push((key, value));
            if !self.separator(&Token::RightBrace)? {
                break;
            }
        }
        Ok(Node {
            kind: Kind::MultiHash(entries),
            height,
        })
    }

    /// The key of a multi-select hash's entry and the `:` after it.
    fn key(&mut self) -> Result<String, JmesPathError> {
        let key = match self.peek() {
            Token::Identifier(_) | Token::QuotedIdentifier(_) => match self.advance().0 {
                Token::Identifier(key) | Token::QuotedIdentifier(key) => key,
                _ => String::new(),
            },
            _ => return Err(self.unexpected("expected an identifier as a key")),
        };
        self.expect(&Token::Colon)?;
        Ok(key)
    }

    /// The arguments of a call to `name` (at `offset`), the `(` next; the function must be
    /// built in and take that many arguments.
    fn function(&mut self, name: String, offset: usize) -> Parsed {
        self.advance();
        let mut args = Vec::new();
        if *self.peek() == Token::RightParen {
            self.advance();
        } else {
            loop {
                let arg = self.expression(0)?;
                args.push(arg);
                if !self.separator(&Token::RightParen)? {
                    break;
                }
            }
        }
        call(&name, args, offset)
    }
}

/// A call of the function `name` with `args`, checked.
fn call(name: &str, args: Vec<Node>, offset: usize) -> Parsed {
    let Some(function) = Function::by_name(name) else {
        return Err(JmesPathError::new(
            ErrorKind::UnknownFunction,
            Some(offset),
            format!("unknown function `{name}()`"),
        ));
    };
    function.check_arity(args.len(), offset)?;
    Ok(Node {
        height: height_over(&args),
        kind: Kind::Function { function, args, offset },
    })
}

/// `parsed`, unless it is a node higher than [`MAX_NESTING`].
fn bounded(parsed: Parsed, offset: usize) -> Parsed {
    match parsed {
        Ok(node) if node.height > MAX_NESTING => Err(too_deep(offset)),
        parsed => parsed,
    }
}

#[cold]
fn expected_expression(token: &Token, offset: usize) -> JmesPathError {
    JmesPathError::syntax(offset, format!("expected an expression, found {}", token.describe()))
}

#[cold]
fn unexpected_token(token: &Token, offset: usize) -> JmesPathError {
    JmesPathError::syntax(offset, format!("unexpected {}", token.describe()))
}

#[cold]
fn too_deep(offset: usize) -> JmesPathError {
    JmesPathError::syntax(offset, format!("the expression nests deeper than {MAX_NESTING} levels"))
}

/// The node of a projection over `base` applying `each`.
fn projected(projection: Projection, base: Node, each: Node) -> Node {
    match projection {
        Projection::List => list_projection(base, each),
        Projection::Values => {
            let height = base.height.max(each.height) + 1;
            Node {
                kind: Kind::ValueProjection {
                    base: base.boxed(),
                    each: each.boxed(),
                },
                height,
            }
        }
        Projection::Flatten => {
            let height = base.height + 1;
            let flattened = Node {
                kind: Kind::Flatten(base.boxed()),
                height,
            };
            list_projection(flattened, each)
        }
    }
}

/// The node of `left <operator> right`.
fn operation(operator: Infix, left: Node, right: Node) -> Node {
    match operator {
        Infix::Pipe => Joined::Pipe.join(left, right),
        Infix::Or => Joined::Or.join(left, right),
        Infix::And => Joined::And.join(left, right),
        Infix::Compare(comparator) => {
            let height = left.height.max(right.height) + 1;
            Node {
                kind: Kind::Compare(comparator, left.boxed(), right.boxed()),
                height,
            }
        }
    }
}

/// The height of a node over `children`.
fn height_over(children: &[Node]) -> usize {
    children.iter().map(|child| child.height).max().unwrap_or(0) + 1
}

fn filtered(base: Node, condition: Node, each: Node) -> Node {
    let height = base.height.max(condition.height).max(each.height) + 1;
    Node {
        kind: Kind::FilterProjection {
            base: base.boxed(),
            condition: condition.boxed(),
            each: each.boxed(),
        },
        height,
    }
}

fn list_projection(base: Node, each: Node) -> Node {
    let height = base.height.max(each.height) + 1;
    Node {
        kind: Kind::ListProjection {
            base: base.boxed(),
            each: each.boxed(),
        },
        height,
    }
}
