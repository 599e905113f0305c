//! Splitting an expression's text into tokens, each with its byte offset.

use serde_json::Value;

use super::JmesPathError;

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// An unquoted identifier: `[A-Za-z_][A-Za-z0-9_]*`.
    Identifier(String),
    /// A quoted identifier, its JSON escapes undone.
    QuotedIdentifier(String),
    /// A signed integer (indexes and slices).
    Number(i64),
    /// A JSON literal between backticks.
    Literal(Value),
    /// A raw string literal between single quotes.
    RawString(String),
    Dot,
    Star,
    /// `[]`
    Flatten,
    /// `[?`
    Filter,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    LeftParen,
    RightParen,
    Comma,
    Colon,
    Pipe,
    Or,
    And,
    Not,
    /// `&`, an expression reference.
    Ampersand,
    /// `@`, the current node.
    At,
    Compare(Comparator),
    Eof,
}

impl Token {
    /// How the token is named in error messages.
    pub(super) fn describe(&self) -> String {
        let text = match self {
            Token::Identifier(name) => return format!("identifier `{name}`"),
            Token::QuotedIdentifier(name) => return format!("quoted identifier {name:?}"),
            Token::Number(number) => return format!("number `{number}`"),
            Token::Literal(_) => "a literal",
            Token::RawString(_) => "a raw string",
            Token::Dot => "`.`",
            Token::Star => "`*`",
            Token::Flatten => "`[]`",
            Token::Filter => "`[?`",
            Token::LeftBracket => "`[`",
            Token::RightBracket => "`]`",
            Token::LeftBrace => "`{`",
            Token::RightBrace => "`}`",
            Token::LeftParen => "`(`",
            Token::RightParen => "`)`",
            Token::Comma => "`,`",
            Token::Colon => "`:`",
            Token::Pipe => "`|`",
            Token::Or => "`||`",
            Token::And => "`&&`",
            Token::Not => "`!`",
            Token::Ampersand => "`&`",
            Token::At => "`@`",
            Token::Compare(Comparator::Equal) => "`==`",
            Token::Compare(Comparator::NotEqual) => "`!=`",
            Token::Compare(Comparator::Less) => "`<`",
            Token::Compare(Comparator::LessOrEqual) => "`<=`",
            Token::Compare(Comparator::Greater) => "`>`",
            Token::Compare(Comparator::GreaterOrEqual) => "`>=`",
            Token::Eof => "the end of the expression",
        };
        text.to_owned()
    }
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spanned {
    pub(super) token: Token,
    pub(super) offset: usize,
}

/// The tokens of `text`, ending with [`Token::Eof`] at the text's length.
pub(super) fn tokenize(text: &str) -> Result<Vec<Spanned>, JmesPathError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let start = at;
        let next = bytes.get(at + 1).copied();
        // Most tokens are one byte; the arms that read more set `at` themselves.
        at += 1;
        let token = match byte {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while bytes.get(at).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                    at += 1;
                }
                Token::Identifier(text[start..at].to_owned())
            }
            b'-' | b'0'..=b'9' => {
                if byte == b'-' && !next.is_some_and(|b| b.is_ascii_digit()) {
                    return Err(JmesPathError::syntax(start, "expected a digit after `-`"));
                }
                while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                let number = text[start..at]
                    .parse()
                    .map_err(|_| JmesPathError::syntax(start, "number out of range"))?;
                Token::Number(number)
            }
            b'"' => {
                at = closing(bytes, start, b'"')
                    .ok_or_else(|| JmesPathError::syntax(start, "unterminated quoted identifier"))?
                    + 1;
                let name = serde_json::from_str::<String>(&text[start..at])
                    .map_err(|error| JmesPathError::syntax(start, format!("invalid quoted identifier: {error}")))?;
                Token::QuotedIdentifier(name)
            }
            b'\'' => {
                let end = closing(bytes, start, b'\'')
                    .ok_or_else(|| JmesPathError::syntax(start, "unterminated raw string"))?;
                at = end + 1;
                Token::RawString(unescape(&text[start + 1..end], '\''))
            }
            b'`' => {
                let end =
                    closing(bytes, start, b'`').ok_or_else(|| JmesPathError::syntax(start, "unterminated literal"))?;
                at = end + 1;
                let json = unescape(&text[start + 1..end], '`');
                let value = serde_json::from_str::<Value>(&json)
                    .map_err(|error| JmesPathError::syntax(start, format!("invalid JSON literal: {error}")))?;
                Token::Literal(value)
            }
            b'.' => Token::Dot,
            b'*' => Token::Star,
            b'@' => Token::At,
            b']' => Token::RightBracket,
            b'{' => Token::LeftBrace,
            b'}' => Token::RightBrace,
            b'(' => Token::LeftParen,
            b')' => Token::RightParen,
            b',' => Token::Comma,
            b':' => Token::Colon,
            b'[' => match next {
                Some(b']') => {
                    at += 1;
                    Token::Flatten
                }
                Some(b'?') => {
                    at += 1;
                    Token::Filter
                }
                _ => Token::LeftBracket,
            },
            b'|' => pair(&mut at, next, b'|', Token::Or, Token::Pipe),
            b'&' => pair(&mut at, next, b'&', Token::And, Token::Ampersand),
            b'!' => pair(&mut at, next, b'=', Token::Compare(Comparator::NotEqual), Token::Not),
            b'<' => pair(
                &mut at,
                next,
                b'=',
                Token::Compare(Comparator::LessOrEqual),
                Token::Compare(Comparator::Less),
            ),
            b'>' => pair(
                &mut at,
                next,
                b'=',
                Token::Compare(Comparator::GreaterOrEqual),
                Token::Compare(Comparator::Greater),
            ),
            b'=' if next == Some(b'=') => {
                at += 1;
                Token::Compare(Comparator::Equal)
            }
            b'=' => return Err(JmesPathError::syntax(start, "expected `==`, found `=`")),
            _ => {
                let character = text[start..].chars().next().unwrap_or_default();
                return Err(JmesPathError::syntax(
                    start,
                    format!("unexpected character {character:?}"),
                ));
            }
        };
        tokens.push(Spanned { token, offset: start });
    }
    tokens.push(Spanned {
        token: Token::Eof,
        offset: text.len(),
    });
    Ok(tokens)
}

/// A two-byte token when the next byte is `second` (consuming it), else the one-byte token.
fn pair(at: &mut usize, next: Option<u8>, second: u8, two: Token, one: Token) -> Token {
    if next == Some(second) {
        *at += 1;
        two
    } else {
        one
    }
}

/// The offset of the `quote` that closes the one at `start`, a backslash escaping the byte
/// after it.
fn closing(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut at = start + 1;
    loop {
        match *bytes.get(at)? {
            b'\\' => at += 2,
            byte if byte == quote => return Some(at),
            _ => at += 1,
        }
    }
}

/// `text` with each backslash-escaped `quote` replaced by the quote alone; every other
/// backslash, and the character after it, is kept as it is.
fn unescape(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(character) = chars.next() {
        if character == '\\' {
            match chars.next() {
                Some(next) if next == quote => out.push(quote),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(character);
        }
    }
    out
}
