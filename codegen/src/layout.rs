//! Lays out generated token streams as Rust source, the way rustfmt lays out code: four-space
//! indents, a line per item, statement, field and match arm, blank lines between items, doc
//! attributes as `///` comments, and lists, struct literals, generic arguments and method
//! chains on one line when they fit (with rustfmt's default widths), else one element a line.
//!
//! The generator knows the code it writes, so it lays out its tokens directly instead of
//! parsing them into a syntax tree and printing that, which cost most of the generation time:
//! the tokens are read into a tree of delimited groups, each token is given its role in its
//! sequence (a generic bracket, a closure's bar, a prefix or infix operator), each brace group
//! its layout from what precedes it (a block, the items of an `impl`, the fields of a struct,
//! the arms of a `match`, a struct literal), and a Wadler-style printer breaks the groups that
//! do not fit. Only whitespace (and trailing commas) change: the text lexes to the tokens it
//! came from.

use std::ops::Range;

use crate::tokens::{Delim, Token, Tokens};

/// The line width lines are kept within where a break allows.
const WIDTH: usize = 100;
const INDENT: usize = 4;
/// rustfmt's default widths for the flat form of calls' arguments, arrays, method chains and
/// struct literals' bodies.
const CALL_WIDTH: usize = 60;
const ARRAY_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;
const STRUCT_LITERAL_WIDTH: usize = 18;
/// The `max` of a list whose one element may break inside it instead (see [`fits`]).
const OVERFLOW: usize = usize::MAX;

/// Lays out a sequence of items.
pub(crate) fn items(tokens: &Tokens) -> String {
    let mut text = String::with_capacity(tokens.as_slice().len() * 8);
    let (tree, root) = read(tokens.as_slice(), &mut text);
    let mut doc = Doc {
        text: &text,
        ascii: text.is_ascii(),
        tree: &tree,
        commands: Vec::with_capacity(text.len() / 2),
        ends: Vec::new(),
        open: Vec::new(),
    };
    doc.items(tree.seq(root));
    print(&doc.commands, &doc.ends)
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// Where a token's text is in the text arena.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(self, text: &str) -> &str {
        &text[self.start as usize..self.end as usize]
    }
}

/// What a name is, as far as layout is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    /// A keyword: `self`, `Self`, `super` and `crate` start paths and space like names, so they
    /// are not among them.
    Keyword(&'static str),
    /// `doc`, the attribute.
    Doc,
    /// Any other name, and whether it starts with a capital (a type, whose `<` is generic).
    Other { capital: bool },
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    Word(Span, Name),
    Literal(Span),
    /// A lifetime or label: `'a`.
    Lifetime(Span),
    /// An operator: `::`, `=>`, `&&`, `<`, ...
    Op(&'static str),
    Group(Delim, Seq),
}

impl Tok {
    fn is_op(&self, op: &str) -> bool {
        matches!(self, Tok::Op(found) if *found == op)
    }

    fn keyword(&self) -> Option<&'static str> {
        match self {
            Tok::Word(_, Name::Keyword(word)) => Some(word),
            _ => None,
        }
    }

    fn is_keyword(&self, word: &str) -> bool {
        self.keyword() == Some(word)
    }

    fn is_group(&self, delim: Delim) -> bool {
        matches!(self, Tok::Group(found, _) if *found == delim)
    }
}

/// The tokens of an item's groups, with the role of each: each group's tokens lie together,
/// after those of the groups inside it.
#[derive(Debug)]
struct Tree {
    tokens: Vec<Tok>,
    roles: Vec<Role>,
}

/// Where a group's tokens lie in its [`Tree`].
#[derive(Debug, Clone, Copy)]
struct Seq {
    start: u32,
    end: u32,
}

impl Tree {
    fn seq(&self, seq: Seq) -> S<'_> {
        let range = seq.start as usize..seq.end as usize;
        S {
            tokens: &self.tokens[range.clone()],
            roles: &self.roles[range],
        }
    }
}

/// A run of a sequence's tokens, with their roles.
#[derive(Debug, Clone, Copy)]
struct S<'a> {
    tokens: &'a [Tok],
    roles: &'a [Role],
}

impl<'a> S<'a> {
    fn len(self) -> usize {
        self.tokens.len()
    }

    fn is_empty(self) -> bool {
        self.tokens.is_empty()
    }

    fn get(self, i: usize) -> Option<&'a Tok> {
        self.tokens.get(i)
    }

    fn slice(self, range: Range<usize>) -> S<'a> {
        S {
            tokens: &self.tokens[range.clone()],
            roles: &self.roles[range],
        }
    }

    /// The token before `i` and its role.
    fn prev(self, i: usize) -> Option<(&'a Tok, Role)> {
        let j = i.checked_sub(1)?;
        Some((&self.tokens[j], self.roles[j]))
    }
}

/// `word` as a keyword, if it is one.
fn keyword(word: &str) -> Option<&'static str> {
    // Every keyword is 2 to 8 lowercase letters: most names are answered here.
    if !(2..=8).contains(&word.len()) || !word.as_bytes()[0].is_ascii_lowercase() {
        return None;
    }
    // Matched as bytes: each arm is a length test and byte comparisons, with no call per arm.
    Some(match word.as_bytes() {
        b"as" => "as",
        b"async" => "async",
        b"await" => "await",
        b"break" => "break",
        b"const" => "const",
        b"continue" => "continue",
        b"dyn" => "dyn",
        b"else" => "else",
        b"enum" => "enum",
        b"extern" => "extern",
        b"fn" => "fn",
        b"for" => "for",
        b"if" => "if",
        b"impl" => "impl",
        b"in" => "in",
        b"let" => "let",
        b"loop" => "loop",
        b"match" => "match",
        b"mod" => "mod",
        b"move" => "move",
        b"mut" => "mut",
        b"pub" => "pub",
        b"ref" => "ref",
        b"return" => "return",
        b"static" => "static",
        b"struct" => "struct",
        b"trait" => "trait",
        b"type" => "type",
        b"union" => "union",
        b"unsafe" => "unsafe",
        b"use" => "use",
        b"where" => "where",
        b"while" => "while",
        b"yield" => "yield",
        _ => return None,
    })
}

/// The operator at the start of `run` (a run of joint punctuation), longest first, as the
/// parser reads one.
fn operator(run: &[u8]) -> &'static str {
    if let Some(three) = run.get(..3) {
        match three {
            b"<<=" => return "<<=",
            b">>=" => return ">>=",
            b"..." => return "...",
            b"..=" => return "..=",
            _ => {}
        }
    }
    if let Some(two) = run.get(..2) {
        match two {
            b"::" => return "::",
            b"->" => return "->",
            b"=>" => return "=>",
            b"==" => return "==",
            b"!=" => return "!=",
            b"<=" => return "<=",
            b">=" => return ">=",
            b"&&" => return "&&",
            b"||" => return "||",
            b"+=" => return "+=",
            b"-=" => return "-=",
            b"*=" => return "*=",
            b"/=" => return "/=",
            b"%=" => return "%=",
            b"^=" => return "^=",
            b"&=" => return "&=",
            b"|=" => return "|=",
            b"<<" => return "<<",
            b">>" => return ">>",
            b".." => return "..",
            _ => {}
        }
    }
    match run.first() {
        Some(b'=') => "=",
        Some(b'<') => "<",
        Some(b'>') => ">",
        Some(b'!') => "!",
        Some(b'~') => "~",
        Some(b'+') => "+",
        Some(b'-') => "-",
        Some(b'*') => "*",
        Some(b'/') => "/",
        Some(b'%') => "%",
        Some(b'^') => "^",
        Some(b'&') => "&",
        Some(b'|') => "|",
        Some(b'@') => "@",
        Some(b'.') => ".",
        Some(b',') => ",",
        Some(b';') => ";",
        Some(b':') => ":",
        Some(b'#') => "#",
        Some(b'$') => "$",
        Some(b'?') => "?",
        // `proc_macro2::Punct` admits only the characters above.
        _ => "",
    }
}

/// Passes each operator of a run of punctuation to `push`, split as the parser splits it
/// (longest first); characters that are no operator are left out.
fn split_operators(mut run: &[u8], mut push: impl FnMut(&'static str)) {
    while !run.is_empty() {
        let op = operator(run);
        if !op.is_empty() {
            push(op);
        }
        run = &run[op.len().max(1)..];
    }
}

/// Reads a token stream into a [`Tree`], writing names and literals into `text`, and returns it
/// with the outermost group: punctuation is split into operators as the parser reads them
/// (longest first).
fn read(tokens: &[Token], text: &mut String) -> (Tree, Seq) {
    let mut at = 0;
    let mut scratch = Vec::with_capacity(tokens.len());
    let mut tree = Tree {
        tokens: Vec::with_capacity(tokens.len()),
        roles: Vec::with_capacity(tokens.len()),
    };
    let root = read_group(tokens, &mut at, text, &mut scratch, &mut tree);
    (tree, root)
}

/// Reads tokens from `at` to the end of the group they are in (its closing delimiter, taken,
/// or the end). Each group's tokens are gathered on `scratch`, then moved to the end of `tree`.
fn read_group(tokens: &[Token], at: &mut usize, text: &mut String, scratch: &mut Vec<Tok>, tree: &mut Tree) -> Seq {
    let start = scratch.len();
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token {
            Token::Punct(punct) => {
                // One punctuation token of the generator's source (`>>` in `Vec<Vec<u8>>`)
                // splits into operators as the parser splits it.
                split_operators(punct.as_bytes(), |op| scratch.push(Tok::Op(op)));
            }
            Token::Word(word) => {
                let span = push_text(text, word);
                let name = match keyword(word) {
                    Some(keyword) => Name::Keyword(keyword),
                    None if &**word == "doc" => Name::Doc,
                    None => Name::Other {
                        capital: word.starts_with(|c: char| c.is_ascii_uppercase()),
                    },
                };
                scratch.push(Tok::Word(span, name));
            }
            Token::Lifetime(lifetime) => scratch.push(Tok::Lifetime(push_text(text, lifetime))),
            Token::Literal(literal) => scratch.push(Tok::Literal(push_text(text, literal))),
            Token::Open(delim) => {
                let inner = read_group(tokens, at, text, scratch, tree);
                scratch.push(Tok::Group(*delim, inner));
            }
            Token::Close(_) => break,
        }
    }
    let begin = tree.tokens.len();
    tree.tokens.extend(scratch.drain(start..));
    roles(&tree.tokens[begin..], &mut tree.roles);
    Seq {
        start: begin as u32,
        end: tree.tokens.len() as u32,
    }
}

fn push_text(text: &mut String, word: &str) -> Span {
    let start = text.len() as u32;
    text.push_str(word);
    Span {
        start,
        end: text.len() as u32,
    }
}

// ---------------------------------------------------------------------------------------------
// What each token is, in its sequence

/// What a pair of angle brackets holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generic {
    /// Generic arguments or parameters: `Vec<u8>`, `::<T>`, `fn f<T>`.
    Args,
    /// An `impl`'s parameters (a path may follow, after a space).
    Impl,
    /// A qualified path, `<T as Trait>`: never broken.
    QSelf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    /// `<` opening generic arguments or parameters, or a qualified path.
    GenericOpen(Generic),
    /// `>` closing them; an operator such as `>>` closes as many as it has `>`s (the kind is the
    /// last one's).
    GenericClose(Generic),
    /// The `|` before a closure's parameters, or the `||` of a closure without any.
    ClosureOpen,
    ClosureClose,
    /// A prefix operator: `&`, `*`, `-`, `!`, `&&` (a reference to a reference).
    Unary,
    /// The `!` of a macro call.
    Bang,
    /// An operator between two operands.
    Binary,
}

/// Whether a token after `prev` starts an operand (so that `&`, `|` and `<` there are prefix
/// forms: a reference, a closure, a qualified path).
fn starts_operand(prev: Option<(&Tok, Role)>) -> bool {
    match prev {
        None => true,
        Some((Tok::Word(_, name), _)) => matches!(name, Name::Keyword(word) if *word != "await"),
        Some((Tok::Op(op), role)) => match role {
            Role::GenericClose(_) | Role::Bang => false,
            Role::ClosureOpen | Role::ClosureClose | Role::Unary | Role::Binary | Role::GenericOpen(_) => true,
            Role::Plain => !matches!(*op, "?" | "."),
        },
        // A block ends a statement; what follows starts one.
        Some((Tok::Group(Delim::Brace, _), _)) => true,
        Some((Tok::Literal(_) | Tok::Lifetime(_) | Tok::Group(..), _)) => false,
    }
}

/// Appends the role of each of `tokens` (one group's) to `out`.
fn roles(tokens: &[Tok], out: &mut Vec<Role>) {
    let base = out.len();
    let mut generics: Vec<Generic> = Vec::new();
    let mut closure = false;
    for (i, token) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| (&tokens[j], out[base + j]));
        let operand = starts_operand(prev);
        let role = match token {
            Tok::Op(op) => match *op {
                "<" => {
                    let generic = match prev {
                        None => Some(Generic::QSelf),
                        Some((Tok::Op("::"), _)) => Some(Generic::Args),
                        Some((Tok::Word(_, name), _)) => {
                            let declared = i >= 2
                                && tokens[i - 2].keyword().is_some_and(|w| {
                                    matches!(w, "fn" | "struct" | "enum" | "trait" | "type" | "union")
                                });
                            match name {
                                Name::Keyword("impl" | "for") => Some(Generic::Impl),
                                Name::Other { capital: true } => Some(Generic::Args),
                                _ if declared => Some(Generic::Args),
                                Name::Keyword(_) if operand => Some(Generic::QSelf),
                                _ => None,
                            }
                        }
                        Some(_) => operand.then_some(Generic::QSelf),
                    };
                    match generic {
                        Some(generic) => {
                            generics.push(generic);
                            Role::GenericOpen(generic)
                        }
                        None => Role::Binary,
                    }
                }
                _ if !generics.is_empty() && op.bytes().all(|c| c == b'>') => {
                    let mut last = Generic::Args;
                    for _ in 0..op.len() {
                        if let Some(generic) = generics.pop() {
                            last = generic;
                        }
                    }
                    Role::GenericClose(last)
                }
                "|" | "||" if closure => {
                    closure = false;
                    Role::ClosureClose
                }
                "|" if operand => {
                    closure = true;
                    Role::ClosureOpen
                }
                "||" if operand => Role::ClosureOpen,
                "&" | "*" | "-" | "!" | "&&" if operand => Role::Unary,
                "!" => Role::Bang,
                "::" | "." | ".." | "..=" | "?" | ":" | "," | ";" | "#" => Role::Plain,
                _ => Role::Binary,
            },
            _ => Role::Plain,
        };
        out.push(role);
    }
}

/// Tracks how deep a sequence is in angle brackets.
#[derive(Default)]
struct Depth(usize);

impl Depth {
    fn note(&mut self, token: &Tok, role: Role) {
        match (token, role) {
            (_, Role::GenericOpen(_)) => self.0 += 1,
            (Tok::Op(op), Role::GenericClose(_)) => self.0 = self.0.saturating_sub(op.len()),
            _ => {}
        }
    }
}

/// The ranges of a sequence's elements, items or arms: most sequences have a few, held here
/// without allocating.
#[derive(Default)]
struct Ranges {
    inline: [(u32, u32); 6],
    len: usize,
    more: Vec<Range<usize>>,
}

impl Ranges {
    fn push(&mut self, range: Range<usize>) {
        if self.more.is_empty() && self.len < self.inline.len() {
            self.inline[self.len] = (range.start as u32, range.end as u32);
        } else {
            if self.more.is_empty() {
                self.more
                    .extend(self.inline.iter().map(|&(a, b)| a as usize..b as usize));
            }
            self.more.push(range);
        }
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> Range<usize> {
        if self.more.is_empty() {
            let (a, b) = self.inline[i];
            a as usize..b as usize
        } else {
            self.more[i].clone()
        }
    }

    fn last(&self) -> Option<Range<usize>> {
        self.len.checked_sub(1).map(|i| self.get(i))
    }

    fn iter(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

/// The elements of a comma-separated list, as ranges: commas inside generics and closure
/// parameters do not separate. A trailing comma gives no empty element.
fn split_commas(s: S<'_>) -> Ranges {
    let mut out = Ranges::default();
    let mut generics = Depth::default();
    let mut closure = false;
    let mut start = 0;
    for (i, token) in s.tokens.iter().enumerate() {
        let role = s.roles[i];
        generics.note(token, role);
        match role {
            Role::ClosureOpen => closure = !token.is_op("||"),
            Role::ClosureClose => closure = false,
            _ => {}
        }
        if token.is_op(",") && generics.0 == 0 && !closure {
            out.push(start..i);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

/// The length of the attribute (`#[..]` or `#![..]`) that starts at `i`, if one does.
fn attribute_at(s: S<'_>, i: usize) -> Option<usize> {
    if !s.get(i)?.is_op("#") {
        return None;
    }
    match s.get(i + 1)? {
        Tok::Group(Delim::Bracket, _) => Some(2),
        bang if bang.is_op("!") && s.get(i + 2)?.is_group(Delim::Bracket) => Some(3),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// How a brace group is laid out

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Braces {
    /// Statements.
    Block,
    /// The arms of a `match`.
    Arms,
    /// The items of a module, `impl` or `trait`.
    Items,
    /// The fields of a struct or the variants of an enum.
    Fields,
    /// The fields of a struct literal or pattern.
    StructLiteral,
    /// `use a::{b, c}`.
    UseTree,
}

/// What kind of item or statement a sequence is, from its first keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Items,
    Fields,
    Fn,
    Use,
    Other,
}

/// What the brace groups of one item, statement or element are, read left to right.
struct Braced {
    kind: Kind,
    /// An `=` at this level (outside generics and control headers): what follows is an
    /// expression.
    assigned: bool,
    /// A control keyword whose block has not been seen yet: `if`, `while`, `for` (`false`) or
    /// `match` (`true`).
    control: Option<bool>,
    generics: Depth,
    /// The kind has been decided.
    started: bool,
}

impl Braced {
    fn new() -> Self {
        Self {
            kind: Kind::Other,
            assigned: false,
            control: None,
            generics: Depth::default(),
            started: false,
        }
    }

    /// Notes `token` (with its role) and, for a brace group, returns its layout; `prev` is the
    /// token before it.
    fn next(&mut self, prev: Option<(&Tok, Role)>, token: &Tok, role: Role) -> Option<Braces> {
        if !self.started {
            match token.keyword() {
                Some("pub" | "async" | "unsafe" | "const" | "extern") => {}
                Some("impl" | "trait" | "mod") => (self.kind, self.started) = (Kind::Items, true),
                Some("struct" | "enum" | "union") => (self.kind, self.started) = (Kind::Fields, true),
                Some("fn") => (self.kind, self.started) = (Kind::Fn, true),
                Some("use") => (self.kind, self.started) = (Kind::Use, true),
                // `pub(crate)`
                None if token.is_group(Delim::Paren) && prev.is_some_and(|(t, _)| t.is_keyword("pub")) => {}
                _ => self.started = true,
            }
        }
        self.generics.note(token, role);
        match token {
            Tok::Op("=") if self.generics.0 == 0 && self.control.is_none() => self.assigned = true,
            Tok::Word(_, Name::Keyword(word)) => match *word {
                // `for` in `impl Trait for Type` starts no loop.
                "for" if self.kind != Kind::Other => {}
                "if" | "while" | "for" => self.control = Some(false),
                "match" => self.control = Some(true),
                _ => {}
            },
            Tok::Group(Delim::Brace, _) => return Some(self.brace(prev)),
            _ => {}
        }
        None
    }

    fn brace(&mut self, prev: Option<(&Tok, Role)>) -> Braces {
        if let Some((prev, role)) = prev {
            let block_after = match prev {
                Tok::Op(op) => *op == "=>" || role == Role::ClosureClose || (*op == "||" && role == Role::ClosureOpen),
                Tok::Word(_, Name::Keyword(word)) => {
                    matches!(*word, "else" | "loop" | "unsafe" | "async" | "move" | "const")
                }
                _ => false,
            };
            if block_after {
                return Braces::Block;
            }
        }
        if let Some(is_match) = self.control.take() {
            return if is_match { Braces::Arms } else { Braces::Block };
        }
        if !self.assigned {
            match self.kind {
                Kind::Items => return Braces::Items,
                Kind::Fields => return Braces::Fields,
                Kind::Fn => return Braces::Block,
                Kind::Use => return Braces::UseTree,
                Kind::Other => {}
            }
        }
        match prev {
            Some((Tok::Word(_, Name::Other { .. }), _)) => Braces::StructLiteral,
            Some((Tok::Op(_), Role::GenericClose(_))) => Braces::StructLiteral,
            _ => Braces::Block,
        }
    }
}

/// Splits items or statements: each ends with a `;` or with a brace group that ends it (unless
/// what follows continues it: `else`, a method call).
fn split_statements(s: S<'_>) -> Ranges {
    let mut out = Ranges::default();
    let mut start = 0;
    let mut braced = Braced::new();
    let mut i = 0;
    while i < s.len() {
        if let Some(length) = attribute_at(s, i) {
            // Attributes belong to what follows them.
            i += length;
            continue;
        }
        let prev = if i > start { s.prev(i) } else { None };
        let token = &s.tokens[i];
        let mut end = token.is_op(";");
        if let Some(layout) = braced.next(prev, token, s.roles[i]) {
            let ends = matches!(layout, Braces::Block | Braces::Arms | Braces::Items | Braces::Fields)
                && !braced.assigned
                && braced.kind != Kind::Use;
            if ends {
                end = match s.get(i + 1) {
                    None => true,
                    Some(next) if next.is_op(";") => {
                        i += 1;
                        true
                    }
                    Some(Tok::Op(op)) => !matches!(*op, "." | "?"),
                    Some(next) => !next.is_keyword("else") && !next.is_keyword("as"),
                };
            }
        }
        if end {
            out.push(start..i + 1);
            start = i + 1;
            braced = Braced::new();
        }
        i += 1;
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

/// Splits the arms of a `match`: an arm ends at a comma at its level, or after a block body.
fn split_arms(s: S<'_>) -> Ranges {
    let mut out = Ranges::default();
    let mut start = 0;
    let mut generics = Depth::default();
    let mut closure = false;
    let mut i = 0;
    while i < s.len() {
        let token = &s.tokens[i];
        generics.note(token, s.roles[i]);
        match s.roles[i] {
            Role::ClosureOpen => closure = !token.is_op("||"),
            Role::ClosureClose => closure = false,
            _ => {}
        }
        let block_body = i > start
            && s.tokens[i - 1].is_op("=>")
            && token.is_group(Delim::Brace)
            && !s.get(i + 1).is_some_and(|t| t.is_op(".") || t.is_op("?"));
        if block_body {
            let end = if s.get(i + 1).is_some_and(|t| t.is_op(",")) {
                i + 1
            } else {
                i
            };
            out.push(start..end + 1);
            start = end + 1;
            i = end + 1;
            continue;
        }
        if token.is_op(",") && generics.0 == 0 && !closure {
            out.push(start..i + 1);
            start = i + 1;
        }
        i += 1;
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

/// A stack of flags, without allocating (generics nest a few deep).
#[derive(Default)]
struct Bits {
    bits: u64,
    len: u32,
}

impl Bits {
    fn push(&mut self, bit: bool) {
        self.bits = (self.bits << 1) | u64::from(bit);
        self.len += 1;
    }

    /// The top flag, removed; `false` when empty.
    fn pop(&mut self) -> bool {
        if self.len == 0 {
            return false;
        }
        let bit = self.bits & 1 == 1;
        self.bits >>= 1;
        self.len -= 1;
        bit
    }

    fn last(&self) -> bool {
        self.len > 0 && self.bits & 1 == 1
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Whether an item is a `use` declaration (consecutive ones get no blank line between them).
fn item_is_use(s: S<'_>) -> bool {
    let mut i = 0;
    while let Some(length) = attribute_at(s, i) {
        i += length;
    }
    let mut rest = s.tokens[i..].iter().filter(|t| !t.is_group(Delim::Paren));
    loop {
        match rest.next().and_then(Tok::keyword) {
            Some("pub") => {}
            Some(word) => return word == "use",
            None => return false,
        }
    }
}

/// The index of the parameter list of a `fn` signature, if the sequence has one: the
/// parenthesis after `fn name` and its generic parameters.
fn fn_params(s: S<'_>) -> Option<usize> {
    let at = s.tokens.iter().position(|t| t.is_keyword("fn"))?;
    let mut i = at + 2;
    if matches!(s.roles.get(i), Some(Role::GenericOpen(_))) {
        let mut depth = Depth::default();
        while i < s.len() {
            depth.note(&s.tokens[i], s.roles[i]);
            i += 1;
            if depth.0 == 0 {
                break;
            }
        }
    }
    s.get(i).is_some_and(|t| t.is_group(Delim::Paren)).then_some(i)
}

/// The index of the `=` of a `let`, `const` or `static` item or statement, if it is one.
fn assignment(s: S<'_>) -> Option<usize> {
    let first = s
        .tokens
        .iter()
        .find(|t| !t.is_keyword("pub") && !t.is_group(Delim::Paren))?;
    if !matches!(first.keyword(), Some("let" | "const" | "static")) {
        return None;
    }
    let mut generics = Depth::default();
    for (i, token) in s.tokens.iter().enumerate() {
        generics.note(token, s.roles[i]);
        match token {
            Tok::Op("=") if generics.0 == 0 => return Some(i),
            // A `const fn` has no value.
            Tok::Word(_, Name::Keyword("fn")) => return None,
            _ => {}
        }
    }
    None
}

/// Whether the `.` at `i` starts a method call: `.name(` or `.name::<..>(`.
fn is_method_call(s: S<'_>, i: usize) -> bool {
    matches!(s.get(i + 1), Some(Tok::Word(..)))
        && s.get(i + 2).is_some_and(|t| t.is_group(Delim::Paren) || t.is_op("::"))
}

/// The method chains of a sequence, as `(first, last)` token indices: runs of postfix
/// expression (paths, calls, field accesses, `?`) with a method call after their start.
fn chains(s: S<'_>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut calls = 0;
    let mut generics = Depth::default();
    let mut close = |start: &mut Option<usize>, calls: &mut usize, end: usize| {
        if let Some(first) = start.take() {
            if *calls > 0 && end > first {
                out.push((first, end));
            }
        }
        *calls = 0;
    };
    for (i, token) in s.tokens.iter().enumerate() {
        let role = s.roles[i];
        let part = generics.0 > 0
            || match token {
                Tok::Word(_, Name::Keyword(word)) => *word == "await",
                Tok::Word(..) | Tok::Literal(_) | Tok::Lifetime(_) => true,
                Tok::Group(Delim::Brace, _) => false,
                Tok::Group(..) => true,
                Tok::Op(op) => match role {
                    Role::GenericOpen(_) | Role::GenericClose(_) | Role::Bang => true,
                    Role::Plain => matches!(*op, "::" | "." | "?"),
                    _ => false,
                },
            };
        generics.note(token, role);
        if part {
            if start.is_none() {
                if token.is_op(".") {
                    continue;
                }
                start = Some(i);
            } else if token.is_op(".") && generics.0 == 0 && is_method_call(s, i) {
                calls += 1;
            }
        } else {
            close(&mut start, &mut calls, i.saturating_sub(1));
        }
    }
    close(&mut start, &mut calls, s.len().saturating_sub(1));
    out
}

/// Whether a call's arguments are one argument that can break inside from the call's line: a
/// closure, or an expression that ends with a group (`&[..]`, `Self { .. }`, `f(..)`) and is
/// not a method chain (which breaks better in a list of its own).
fn overflows(content: S<'_>) -> bool {
    let elements = split_commas(content);
    if elements.len() != 1 {
        return false;
    }
    let element = content.slice(elements.get(0));
    if matches!(element.roles.first(), Some(Role::ClosureOpen)) {
        return true;
    }
    matches!(element.tokens.last(), Some(Tok::Group(..))) && chains(element).is_empty()
}

/// Whether to put a space between `prev` and `token` (whose role is `role`).
fn space_between(prev: Option<(&Tok, Role)>, token: &Tok, role: Role) -> bool {
    let Some((prev, prev_role)) = prev else { return false };
    // What comes after `prev`.
    match prev {
        Tok::Op(op) => match prev_role {
            Role::ClosureOpen => return *op == "||",
            Role::Unary | Role::Bang | Role::GenericOpen(_) => return false,
            Role::Binary | Role::ClosureClose => return !matches!(token, Tok::Op("," | ";")),
            Role::GenericClose(generic) => {
                return match token {
                    Tok::Word(..) | Tok::Literal(_) | Tok::Lifetime(_) => true,
                    Tok::Group(Delim::Brace, _) => true,
                    Tok::Group(..) => false,
                    Tok::Op(op) => match role {
                        Role::Binary | Role::ClosureOpen | Role::GenericOpen(Generic::QSelf) => true,
                        _ => *op == "::" && generic == Generic::Impl,
                    },
                };
            }
            Role::Plain => match *op {
                "::" | "." | ".." | "..=" | "#" => return false,
                "," | ";" | ":" => return true,
                _ => {}
            },
        },
        Tok::Word(_, name) => {
            if let Tok::Group(delim, _) = token {
                return match delim {
                    Delim::Brace => true,
                    Delim::Paren | Delim::Bracket => {
                        matches!(name, Name::Keyword(word) if !matches!(*word, "pub" | "fn"))
                    }
                };
            }
        }
        Tok::Group(..) => {
            if let Tok::Group(delim, _) = token {
                return *delim == Delim::Brace;
            }
        }
        Tok::Literal(_) | Tok::Lifetime(_) => {}
    }
    // What comes before `token`.
    match token {
        Tok::Op(op) => match role {
            Role::GenericOpen(Generic::QSelf) => !matches!(prev, Tok::Group(..)),
            Role::GenericOpen(_) | Role::GenericClose(_) | Role::Bang | Role::ClosureClose => false,
            Role::Binary | Role::ClosureOpen | Role::Unary => true,
            Role::Plain => match *op {
                "," | ";" | ":" | "." | "?" | ".." | "..=" => false,
                "::" => matches!(prev, Tok::Word(_, Name::Keyword(_)) | Tok::Lifetime(_)),
                _ => true,
            },
        },
        Tok::Group(Delim::Brace, _) => true,
        Tok::Group(..) => false,
        Tok::Word(..) | Tok::Literal(_) | Tok::Lifetime(_) => true,
    }
}

/// The text of a string literal token (`"..."` or `r#"..."#`), unescaped; `None` for another
/// literal, or text that a line comment cannot hold.
fn unescape_string(literal: &str) -> Option<String> {
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes + 1..raw.len().checked_sub(hashes + 1)?)?;
        return (!body.contains('\r')).then(|| body.to_owned());
    }
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'u' => {
                let rest = chars.as_str();
                let close = rest.find('}')?;
                let code = u32::from_str_radix(rest.get(1..close)?, 16).ok()?;
                out.push(char::from_u32(code)?);
                chars = rest[close + 1..].chars();
            }
            'x' => {
                let rest = chars.as_str();
                let code = u8::from_str_radix(rest.get(..2)?, 16).ok()?;
                out.push(char::from(code));
                chars = rest[2..].chars();
            }
            '\n' => {
                // A line continuation: the newline and the next line's leading whitespace go.
                chars = chars.as_str().trim_start().chars();
            }
            _ => return None,
        }
    }
    (!out.contains('\r')).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// The document: text and where lines may break

#[derive(Debug)]
enum Cmd<'a> {
    /// Text and the columns it takes.
    Text(&'a str, usize),
    Owned(String),
    /// A space, or a line break when its group is broken.
    Line,
    /// Nothing, or a line break when its group is broken.
    Soft,
    /// Always a line break.
    Hard,
    /// A blank line, then a line break.
    Blank,
    /// `,` when its group is broken.
    TrailingComma,
    /// A group printed flat when it fits in `max` columns and in the line up to the next
    /// possible break (with `rest`, up to the end of the line), else broken.
    Begin {
        max: usize,
        rest: bool,
    },
    End,
    /// One more indent when the group is broken.
    IndentIfBroken,
    /// One more indent when the group is broken and has not broken a line yet.
    IndentIfBrokenOnFirstLine,
    DedentIfBroken,
    Indent,
    Dedent,
}

struct Doc<'a> {
    text: &'a str,
    /// Whether `text` is ASCII: then every text laid out takes a column a byte, as the text
    /// spelled in this file (punctuation, keywords, brackets) does.
    ascii: bool,
    tree: &'a Tree,
    commands: Vec<Cmd<'a>>,
    /// For each `Begin`, in order, the index of its `End` (0 while it has none).
    ends: Vec<usize>,
    /// The `Begin`s not yet ended, as indices into `ends`.
    open: Vec<usize>,
}

impl<'a> Doc<'a> {
    /// `text`, a part of the item's text or text spelled in this file.
    fn text(&mut self, text: &'a str) {
        let columns = if self.ascii { text.len() } else { width(text) };
        self.commands.push(Cmd::Text(text, columns));
    }

    fn push(&mut self, command: Cmd<'a>) {
        match command {
            Cmd::Begin { .. } => {
                self.open.push(self.ends.len());
                self.ends.push(0);
            }
            Cmd::End => {
                if let Some(begin) = self.open.pop() {
                    self.ends[begin] = self.commands.len();
                }
            }
            _ => {}
        }
        self.commands.push(command);
    }

    /// Items, one after another with a blank line between (none between `use` items).
    fn items(&mut self, s: S<'a>) {
        let mut previous_use = false;
        for (n, range) in split_statements(s).iter().enumerate() {
            let item = s.slice(range);
            let is_use = item_is_use(item);
            if n > 0 {
                self.push(if previous_use && is_use { Cmd::Hard } else { Cmd::Blank });
            }
            previous_use = is_use;
            self.element(item, true);
        }
    }

    /// Statements, a line each.
    fn statements(&mut self, s: S<'a>) {
        for (n, range) in split_statements(s).iter().enumerate() {
            if n > 0 {
                self.push(Cmd::Hard);
            }
            self.element(s.slice(range), true);
        }
    }

    /// One item, statement, field or list element: its attributes, each followed by a line
    /// break (`hard`) or a space, then the rest.
    fn element(&mut self, s: S<'a>, hard: bool) {
        let mut i = 0;
        while let Some(length) = attribute_at(s, i) {
            let Tok::Group(_, content) = &s.tokens[i + length - 1] else {
                unreachable!("an attribute ends with its bracket group")
            };
            self.attribute(self.tree.seq(*content), length == 3);
            i += length;
            if hard {
                self.push(Cmd::Hard);
            } else {
                self.text(" ");
            }
        }
        self.expression(s.slice(i..s.len()));
    }

    fn attribute(&mut self, content: S<'a>, inner: bool) {
        if let [Tok::Word(_, Name::Doc), Tok::Op("="), Tok::Literal(span)] = content.tokens {
            let literal = span.of(self.text);
            let marker = if inner { "//!" } else { "///" };
            // A plain string is its own text.
            if let Some(text) = literal.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                if !text.contains('\\') {
                    self.text(marker);
                    self.text(text);
                    return;
                }
            }
            if let Some(text) = unescape_string(literal) {
                for (n, line) in text.split('\n').enumerate() {
                    if n > 0 {
                        self.push(Cmd::Hard);
                    }
                    self.push(Cmd::Owned(format!("{marker}{line}")));
                }
                return;
            }
        }
        self.text(if inner { "#![" } else { "#[" });
        self.expression(content);
        self.text("]");
    }

    /// A sequence of tokens within one element: spaced, with its groups laid out, generic
    /// arguments and method chains broken (before each call) when they do not fit.
    fn expression(&mut self, s: S<'a>) {
        let chains = chains(s);
        let mut chains = chains.iter().copied().peekable();
        // The end of the chain being laid out, and whether its calls are indented yet.
        let mut chain: Option<(usize, bool)> = None;
        let mut chain_start: Option<usize> = None;
        // For each open `<`: whether it began a group.
        let mut generics = Bits::default();
        // How many qualified paths (`<T as Trait>`) are open.
        let mut qualified = 0usize;
        let mut braced = Braced::new();
        let mut broke_after_comma = false;
        let params = fn_params(s);
        // `let x = ..;`, `const X: T = ..;`: what follows `=` goes to the next line when the
        // line cannot hold it up to its first break.
        let assignment = assignment(s);
        let value_end = s.len() - usize::from(s.tokens.last().is_some_and(|t| t.is_op(";")));
        for (i, token) in s.tokens.iter().enumerate() {
            let role = s.roles[i];
            let prev = s.prev(i);
            if assignment.is_some_and(|at| at + 1 == i) {
                self.push(Cmd::Begin {
                    max: OVERFLOW,
                    rest: false,
                });
                self.push(Cmd::IndentIfBroken);
                self.push(Cmd::Line);
            } else if !broke_after_comma && space_between(prev, token, role) {
                self.text(" ");
            }
            broke_after_comma = false;
            if chains.peek().is_some_and(|&(start, _)| start == i) {
                let (_, end) = chains.next().unwrap_or((i, i));
                chain = Some((end, false));
                chain_start = Some(i);
                self.push(Cmd::Begin {
                    max: CHAIN_WIDTH,
                    rest: false,
                });
            } else if let Some((end, indented)) = chain {
                if token.is_op(".") && generics.is_empty() && is_method_call(s, i) {
                    let mut first_call_stays = false;
                    if !indented {
                        // Calls go one indent in, unless what they are called on took several
                        // lines (and ends at the chain's indent); on a name no longer than an
                        // indent, the first call stays with it.
                        self.push(Cmd::IndentIfBrokenOnFirstLine);
                        chain = Some((end, true));
                        first_call_stays = matches!(s.prev(i), Some((Tok::Word(span, _), _))
                            if i >= 1 && chain_start == Some(i - 1) && (span.end - span.start) as usize <= INDENT);
                    }
                    if !first_call_stays {
                        self.push(Cmd::Soft);
                    }
                }
            }
            let layout = braced.next(prev, token, role);
            match (token, role) {
                (Tok::Op(op), Role::GenericOpen(generic)) => {
                    self.text(op);
                    // A qualified path is never broken, nor anything in it.
                    if generic == Generic::QSelf {
                        qualified += 1;
                    }
                    let group = qualified == 0;
                    if group {
                        self.push(Cmd::Begin {
                            max: WIDTH,
                            rest: false,
                        });
                        self.push(Cmd::IndentIfBroken);
                        self.push(Cmd::Soft);
                    }
                    generics.push(group);
                }
                (Tok::Op(op), Role::GenericClose(_)) => {
                    for _ in 0..op.len() {
                        if generics.pop() {
                            self.push(Cmd::TrailingComma);
                            self.push(Cmd::DedentIfBroken);
                            self.push(Cmd::Soft);
                            self.push(Cmd::End);
                        }
                        self.text(">");
                    }
                    if role == Role::GenericClose(Generic::QSelf) {
                        qualified = qualified.saturating_sub(1);
                    }
                }
                (Tok::Op(","), _) if generics.last() => {
                    // A trailing comma is the group's to print.
                    if !matches!(s.roles.get(i + 1), Some(Role::GenericClose(_))) {
                        self.text(",");
                        self.push(Cmd::Line);
                    }
                    broke_after_comma = true;
                }
                (Tok::Group(Delim::Paren, content), _) => {
                    let call = match prev {
                        Some((Tok::Word(_, name), _)) => !matches!(name, Name::Keyword(_)),
                        Some((Tok::Op(_), Role::GenericClose(_) | Role::Bang)) => true,
                        Some((Tok::Group(..), _)) => true,
                        _ => false,
                    };
                    let content = self.tree.seq(*content);
                    if params == Some(i) {
                        // A signature's parameters go a line each unless all of it fits.
                        self.list(("(", ")"), content, WIDTH, true, false);
                    } else if call && overflows(content) {
                        // `f(&[..])`, `f(|x| ..)`, `Ok(Self { .. })`: the one argument breaks
                        // inside, from this line, as rustfmt lays out a last argument, when
                        // the line holds it up to its first break.
                        self.list(("(", ")"), content, OVERFLOW, false, false);
                    } else if call {
                        self.list(("(", ")"), content, CALL_WIDTH, false, false);
                    } else {
                        self.list(("(", ")"), content, WIDTH, false, true);
                    }
                }
                _ => self.token(token, layout),
            }
            if chain.is_some_and(|(end, _)| end == i) {
                if chain.is_some_and(|(_, indented)| indented) {
                    self.push(Cmd::DedentIfBroken);
                }
                self.push(Cmd::End);
                chain = None;
            }
            if assignment.is_some_and(|at| at + 1 < value_end) && i + 1 == value_end {
                self.push(Cmd::DedentIfBroken);
                self.push(Cmd::End);
            }
        }
    }

    fn token(&mut self, token: &'a Tok, braces: Option<Braces>) {
        match token {
            Tok::Word(span, _) | Tok::Literal(span) | Tok::Lifetime(span) => self.text(span.of(self.text)),
            Tok::Op(op) => self.text(op),
            Tok::Group(Delim::Paren, content) => self.list(("(", ")"), self.tree.seq(*content), WIDTH, false, true),
            Tok::Group(Delim::Bracket, content) => {
                let content = self.tree.seq(*content);
                if content.tokens.iter().any(|t| t.is_op(";")) {
                    self.text("[");
                    self.expression(content);
                    self.text("]");
                } else {
                    self.list(("[", "]"), content, ARRAY_WIDTH, false, false);
                }
            }
            Tok::Group(Delim::Brace, content) => {
                let content = self.tree.seq(*content);
                match braces.unwrap_or(Braces::Block) {
                    _ if content.is_empty() => self.text("{}"),
                    Braces::Block => self.block(content, Self::statements),
                    Braces::Items => self.block(content, Self::items),
                    Braces::Arms => self.block(content, Self::arms),
                    Braces::Fields => self.block(content, Self::fields),
                    Braces::StructLiteral => self.struct_literal(content),
                    Braces::UseTree => self.list(("{", "}"), content, WIDTH, false, false),
                }
            }
        }
    }

    /// Delimited elements: flat, or one element a line with a trailing comma. With `rest`, flat
    /// only when what follows fits on the line too (a signature's return type); a one-element
    /// `tuple` keeps its comma.
    fn list(&mut self, (open, close): (&'static str, &'static str), s: S<'a>, max: usize, rest: bool, tuple: bool) {
        if s.is_empty() {
            self.text(open);
            self.text(close);
            return;
        }
        let elements = split_commas(s);
        let keep_comma = tuple && elements.len() == 1 && s.tokens.last().is_some_and(|t| t.is_op(","));
        self.text(open);
        self.push(Cmd::Begin { max, rest });
        self.push(Cmd::IndentIfBroken);
        self.push(Cmd::Soft);
        for (n, element) in elements.iter().enumerate() {
            if n > 0 {
                self.text(",");
                self.push(Cmd::Line);
            }
            self.element(s.slice(element), false);
        }
        if keep_comma {
            self.text(",");
        } else {
            self.push(Cmd::TrailingComma);
        }
        self.push(Cmd::DedentIfBroken);
        self.push(Cmd::Soft);
        self.push(Cmd::End);
        self.text(close);
    }

    fn struct_literal(&mut self, s: S<'a>) {
        let elements = split_commas(s);
        // A base (`..Default::default()`) takes no comma after it.
        let base = elements.last().is_some_and(|e| s.tokens[e.start].is_op(".."));
        self.text("{");
        self.push(Cmd::Begin {
            max: STRUCT_LITERAL_WIDTH,
            rest: false,
        });
        self.push(Cmd::IndentIfBroken);
        self.push(Cmd::Line);
        for (n, element) in elements.iter().enumerate() {
            if n > 0 {
                self.text(",");
                self.push(Cmd::Line);
            }
            self.element(s.slice(element), false);
        }
        if !base {
            self.push(Cmd::TrailingComma);
        }
        self.push(Cmd::DedentIfBroken);
        self.push(Cmd::Line);
        self.push(Cmd::End);
        self.text("}");
    }

    fn block(&mut self, s: S<'a>, inner: fn(&mut Self, S<'a>)) {
        self.text("{");
        self.push(Cmd::Indent);
        self.push(Cmd::Hard);
        inner(self, s);
        self.push(Cmd::Dedent);
        self.push(Cmd::Hard);
        self.text("}");
    }

    /// Struct fields or enum variants, a line each with a comma.
    fn fields(&mut self, s: S<'a>) {
        for (n, field) in split_commas(s).iter().enumerate() {
            if n > 0 {
                self.push(Cmd::Hard);
            }
            self.element(s.slice(field), true);
            self.text(",");
        }
    }

    /// Match arms, a line each; an arm whose body is a block has no comma.
    fn arms(&mut self, s: S<'a>) {
        for (n, range) in split_arms(s).iter().enumerate() {
            if n > 0 {
                self.push(Cmd::Hard);
            }
            let mut arm = s.slice(range);
            if arm.tokens.last().is_some_and(|t| t.is_op(",")) {
                arm = arm.slice(0..arm.len() - 1);
            }
            self.element(arm, true);
            let length = arm.len();
            let block_body =
                length >= 2 && arm.tokens[length - 2].is_op("=>") && arm.tokens[length - 1].is_group(Delim::Brace);
            if !block_body {
                self.text(",");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The printer

struct Frame {
    broken: bool,
    /// Flat, but its groups decide for themselves.
    overflow: bool,
    indented: bool,
    /// The line count when the group began.
    lines: usize,
    /// The hard line count when the group began: a flat group trusts its flat children only
    /// until a hard line inside it.
    hard_lines: usize,
}

/// The columns `text` takes.
fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// A command's text (empty for the others).
fn command_text<'c>(command: &'c Cmd<'_>) -> &'c str {
    match command {
        Cmd::Text(text, _) => text,
        Cmd::Owned(text) => text,
        _ => "",
    }
}

/// The columns a command's text takes (none for the others).
fn command_width(command: &Cmd<'_>) -> usize {
    match command {
        Cmd::Text(_, columns) => *columns,
        Cmd::Owned(text) => width(text),
        _ => 0,
    }
}

/// Prints `commands`, whose `Begin`s end where `ends` says, in order.
fn print(commands: &[Cmd<'_>], ends: &[usize]) -> String {
    let mut ends = ends.iter().copied();
    let mut out = String::with_capacity(commands.len() * 4);
    let mut column = 0usize;
    let mut indent = 0usize;
    let mut pending_indent = false;
    let mut stack: Vec<Frame> = Vec::new();
    let mut hard_lines = 0usize;
    let mut lines = 0usize;
    for (i, command) in commands.iter().enumerate() {
        let broken = stack.last().is_some_and(|frame| frame.broken);
        let mut newline = |out: &mut String| {
            out.push('\n');
            column = 0;
            pending_indent = true;
            lines += 1;
        };
        match command {
            Cmd::Text(..) | Cmd::Owned(_) => {
                let text = command_text(command);
                if pending_indent {
                    push_spaces(&mut out, indent);
                    column = indent;
                    pending_indent = false;
                }
                out.push_str(text);
                column += command_width(command);
            }
            Cmd::Line | Cmd::Soft if broken => newline(&mut out),
            Cmd::Line => {
                out.push(' ');
                column += 1;
            }
            Cmd::Soft => {}
            Cmd::Hard => {
                hard_lines += 1;
                newline(&mut out);
            }
            Cmd::Blank => {
                hard_lines += 1;
                out.push('\n');
                newline(&mut out);
            }
            Cmd::TrailingComma => {
                if broken {
                    out.push(',');
                    column += 1;
                }
            }
            Cmd::Begin { max, rest } => {
                // A flat group's groups are flat too, unless it may overflow (or a hard line
                // has been since it began).
                let trusted = stack
                    .last()
                    .is_some_and(|frame| !frame.broken && !frame.overflow && frame.hard_lines == hard_lines);
                let from = if pending_indent { indent } else { column };
                let end = ends.next().unwrap_or_default();
                let flat = trusted || fits(commands, i, end, from, *max, *rest);
                stack.push(Frame {
                    broken: !flat,
                    overflow: *max == OVERFLOW,
                    indented: false,
                    lines,
                    hard_lines,
                });
            }
            Cmd::End => {
                stack.pop();
            }
            Cmd::IndentIfBroken | Cmd::IndentIfBrokenOnFirstLine => {
                let first_line_only = matches!(command, Cmd::IndentIfBrokenOnFirstLine);
                if let Some(frame) = stack.last_mut() {
                    if frame.broken && !frame.indented && (!first_line_only || frame.lines == lines) {
                        frame.indented = true;
                        indent += INDENT;
                    }
                }
            }
            Cmd::DedentIfBroken => {
                if let Some(frame) = stack.last_mut() {
                    if frame.indented {
                        frame.indented = false;
                        indent -= INDENT;
                    }
                }
            }
            Cmd::Indent => indent += INDENT,
            Cmd::Dedent => indent -= INDENT,
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Appends `count` spaces.
fn push_spaces(out: &mut String, mut count: usize) {
    const SPACES: &str = "                                                                ";
    while count > 0 {
        let run = count.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        count -= run;
    }
}

/// Whether the group from `begin` to `end` fits flat from `column`: its text within `max`, and
/// with what follows it up to the next possible break (with `rest`, the end of the line),
/// within the line. A hard line inside ends the measure (what follows it starts a new line).
/// A group that may overflow ([`OVERFLOW`]) fits when the line holds it up to the first break
/// inside one of its groups.
fn fits(commands: &[Cmd<'_>], begin: usize, end: usize, column: usize, max: usize, rest: bool) -> bool {
    let overflow = max == OVERFLOW;
    let mut width_so_far = 0usize;
    let mut depth = 0usize;
    // An unmatched group (`end` not after `begin`) is measured to the end of the commands.
    let inside = commands
        .get(begin + 1..end)
        .unwrap_or_else(|| commands.get(begin + 1..).unwrap_or_default());
    for command in inside {
        match command {
            Cmd::Begin { .. } => depth += 1,
            Cmd::End => depth -= 1,
            Cmd::Line | Cmd::Soft if overflow && depth > 0 => return column + width_so_far <= WIDTH,
            Cmd::Line => width_so_far += 1,
            Cmd::Hard | Cmd::Blank => return column + width_so_far <= WIDTH,
            other => width_so_far += command_width(other),
        }
        if width_so_far > max || column + width_so_far > WIDTH {
            return false;
        }
    }
    for command in &commands[end + 1..] {
        match command {
            Cmd::Line if rest => width_so_far += 1,
            Cmd::Soft if rest => {}
            Cmd::Line | Cmd::Soft | Cmd::Hard | Cmd::Blank => break,
            other => width_so_far += command_width(other),
        }
        if column + width_so_far > WIDTH {
            return false;
        }
    }
    true
}

/// Tests: whether `text` lexes to `tokens` (whitespace and trailing commas aside; `///`
/// comments are the `#[doc]` attributes they stand for, consecutive ones compared joined).
#[cfg(test)]
pub(crate) fn same_tokens(tokens: &Tokens, text: &str) -> Result<(), String> {
    use proc_macro2::{Delimiter, TokenStream, TokenTree};

    fn flatten(stream: TokenStream, out: &mut Vec<String>) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    out.push(open.to_owned());
                    flatten(group.stream(), out);
                    out.push(close.to_owned());
                }
                other => out.push(other.to_string()),
            }
        }
    }
    /// Our tokens as `flatten` spells proc-macro2's: punctuation a character at a time, a
    /// lifetime as its quote and its name.
    fn flatten_ours(tokens: &Tokens) -> Vec<String> {
        let mut out = Vec::new();
        for token in tokens.as_slice() {
            match token {
                Token::Punct(punct) => out.extend(punct.chars().map(String::from)),
                Token::Lifetime(lifetime) => {
                    out.push("'".to_owned());
                    out.push(lifetime[1..].to_owned());
                }
                other => out.push(other.text().to_owned()),
            }
        }
        out
    }
    fn without_trailing_commas(tokens: Vec<String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(tokens.len());
        for token in tokens {
            if matches!(token.as_str(), ")" | "]" | "}" | ">") && out.last().is_some_and(|t| t == ",") {
                out.pop();
            }
            out.push(token);
        }
        out
    }
    /// `# [ doc = "a" ] # [ doc = "b" ]` as one `doc:"a\nb"`.
    fn join_docs(tokens: Vec<String>) -> Vec<String> {
        let is_doc = |at: usize| {
            tokens.get(at).is_some_and(|t| t == "#")
                && tokens.get(at + 1).is_some_and(|t| t == "[")
                && tokens.get(at + 2).is_some_and(|t| t == "doc")
                && tokens.get(at + 3).is_some_and(|t| t == "=")
                && tokens.get(at + 5).is_some_and(|t| t == "]")
        };
        let text = |at: usize| unescape_string(&tokens[at + 4]).unwrap_or_else(|| tokens[at + 4].clone());
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if is_doc(i) {
                let mut joined = text(i);
                i += 6;
                while is_doc(i) {
                    joined.push('\n');
                    joined.push_str(&text(i));
                    i += 6;
                }
                out.push(format!("doc:{joined:?}"));
            } else {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
        out
    }
    let reparsed: TokenStream = text.parse().map_err(|err| format!("the text does not lex: {err}"))?;
    let before = flatten_ours(tokens);
    let mut after = Vec::new();
    flatten(reparsed.clone(), &mut after);
    let before = join_docs(without_trailing_commas(before));
    let after = join_docs(without_trailing_commas(after));
    if let Some(at) = before
        .iter()
        .zip(&after)
        .position(|(a, b)| a != b)
        .or_else(|| (before.len() != after.len()).then(|| before.len().min(after.len())))
    {
        let from = at.saturating_sub(8);
        return Err(format!(
            "at token {at}: expected {:?}, found {:?}",
            &before[from..(at + 8).min(before.len())],
            &after[from..(at + 8).min(after.len())]
        ));
    }
    // Laying out the text again changes nothing.
    let again = items(&from_proc_macro2(reparsed));
    if again != text {
        let line = again.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0);
        return Err(format!(
            "a second layout differs at line {}: {:?} instead of {:?}",
            line + 1,
            again.lines().nth(line),
            text.lines().nth(line)
        ));
    }
    Ok(())
}

/// Tests: text lexed by proc-macro2 as our tokens.
#[cfg(test)]
pub(crate) fn from_proc_macro2(stream: proc_macro2::TokenStream) -> Tokens {
    use std::rc::Rc;

    use proc_macro2::{Delimiter, Spacing, TokenTree};

    use crate::tokens::Text;

    fn flush(run: &mut Vec<u8>, out: &mut Tokens) {
        split_operators(run, |op| out.push(Token::Punct(op)));
        run.clear();
    }
    fn read(stream: proc_macro2::TokenStream, out: &mut Tokens) {
        let mut run = Vec::new();
        let mut trees = stream.into_iter();
        while let Some(tree) = trees.next() {
            match tree {
                TokenTree::Punct(punct) if punct.as_char() == '\'' => {
                    flush(&mut run, out);
                    if let Some(TokenTree::Ident(name)) = trees.next() {
                        out.push(Token::Lifetime(Text::Shared(Rc::from(format!("'{name}")))));
                    }
                }
                TokenTree::Punct(punct) => {
                    run.push(punct.as_char() as u8);
                    if punct.spacing() == Spacing::Alone {
                        flush(&mut run, out);
                    }
                }
                TokenTree::Ident(name) => out.push(Token::Word(Text::Shared(Rc::from(name.to_string())))),
                TokenTree::Literal(literal) => out.push(Token::Literal(Text::Shared(Rc::from(literal.to_string())))),
                TokenTree::Group(group) => {
                    let delim = match group.delimiter() {
                        Delimiter::Parenthesis => Delim::Paren,
                        Delimiter::Bracket => Delim::Bracket,
                        Delimiter::Brace => Delim::Brace,
                        Delimiter::None => {
                            read(group.stream(), out);
                            continue;
                        }
                    };
                    out.push(Token::Open(delim));
                    read(group.stream(), out);
                    out.push(Token::Close(delim));
                }
            }
        }
    }
    let mut out = Tokens::new();
    read(stream, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::quote;

    #[test]
    fn lays_out_items_blocks_lists_and_chains() {
        let tokens = quote! {
            #[doc = " A point."]
            pub struct Point { pub x: i32, pub y: Option<Vec<(u8, String)>> }
            impl Point {
                pub fn new(x: i32) -> Self { Self { x, y: None } }
                fn sum(&self, values: &[i32]) -> i32 {
                    let total = values.iter().copied().filter(|v| *v > 0).map(|v| v * 2).sum::<i32>();
                    match total { 0 => self.x, n if n < 10 => { n } _ => total + self.x, }
                }
            }
            use std::fmt::Debug;
            use std::fmt::Display;
        };
        let text = items(&tokens);
        assert_eq!(
            text,
            "/// A point.
pub struct Point {
    pub x: i32,
    pub y: Option<Vec<(u8, String)>>,
}

impl Point {
    pub fn new(x: i32) -> Self {
        Self { x, y: None }
    }

    fn sum(&self, values: &[i32]) -> i32 {
        let total = values
            .iter()
            .copied()
            .filter(|v| *v > 0)
            .map(|v| v * 2)
            .sum::<i32>();
        match total {
            0 => self.x,
            n if n < 10 => {
                n
            }
            _ => total + self.x,
        }
    }
}

use std::fmt::Debug;
use std::fmt::Display;
"
        );
        same_tokens(&tokens, &text).unwrap();
    }

    #[test]
    fn long_lists_break_one_element_a_line_and_one_argument_overflows() {
        let tokens = quote! {
            fn f() {
                call_something_long(first_argument_value, second_argument_value, third_argument_value);
                Ok(Self::Unhandled(crate::error::UnhandledError::new(response_metadata.status().unwrap_or_default())))
            }
        };
        let text = items(&tokens);
        assert_eq!(
            text,
            "fn f() {
    call_something_long(
        first_argument_value,
        second_argument_value,
        third_argument_value,
    );
    Ok(Self::Unhandled(crate::error::UnhandledError::new(
        response_metadata.status().unwrap_or_default(),
    )))
}
"
        );
        same_tokens(&tokens, &text).unwrap();
    }

    #[test]
    fn operators_keep_their_tokens() {
        // `::<`, `>::`, `&'a`, `?;` and `#!` are joint runs of punctuation in a token stream.
        let tokens = quote! {
            impl<'a> ::x::Y<'a> for &'a Z {
                fn g(&self) -> Result<(), E> {
                    let v = Vec::<u8>::new();
                    let w = <T as Default>::default();
                    let c = || -1;
                    if !v.is_empty() && a <= b || x != -y { return Err(e)?; }
                    h(&mut *p, [0u8; 4], (1,), |a, b| a & b);
                    Ok(())
                }
            }
        };
        let text = items(&tokens);
        same_tokens(&tokens, &text).unwrap();
        assert!(text.contains("impl<'a> ::x::Y<'a> for &'a Z {"), "{text}");
        assert!(text.contains("let v = Vec::<u8>::new();"), "{text}");
        assert!(text.contains("let w = <T as Default>::default();"), "{text}");
        assert!(text.contains("let c = || -1;"), "{text}");
        assert!(text.contains("if !v.is_empty() && a <= b || x != -y {"), "{text}");
        assert!(text.contains("h(&mut *p, [0u8; 4], (1,), |a, b| a & b);"), "{text}");
    }
}
