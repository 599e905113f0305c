//! `@pattern`: the ECMA-262 regular expressions of Smithy models, checked and compiled. The
//! generator checks each pattern of a model with [`Pattern::check_syntax`]; the constraint checks
//! of `validate` match values against them.

use std::fmt::Write as _;

/// A compiled `@pattern`: an ECMA-262 regular expression as Smithy writes it, also with the
/// POSIX classes of Java's (`\p{Print}`, `\p{ASCII}`, ...) that AWS models use. Patterns
/// without look-around or back-references run on the `regex` crate's automata, in linear time;
/// the others on `fancy-regex`'s backtracking, within its backtracking limit.
#[derive(Debug)]
pub struct Pattern(Compiled);

#[derive(Debug)]
enum Compiled {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

impl Pattern {
    /// Compiles `pattern`, or says why it cannot be checked.
    pub fn new(pattern: &str) -> Result<Self, String> {
        Self::check_syntax(pattern)?;
        let translated = translate_pattern(pattern);
        // The size limit is the `regex` crate's default times ten: bounded repetitions of
        // Unicode classes (`^.{1,100000}$`) are large, and are compiled once, when first used.
        let linear = regex::RegexBuilder::new(&translated).size_limit(100 << 20).build();
        match linear {
            Ok(regex) => Ok(Self(Compiled::Linear(regex))),
            Err(linear) => match fancy_regex::Regex::new(&translated) {
                Ok(regex) => Ok(Self(Compiled::Backtracking(regex))),
                Err(_) => Err(linear.to_string().lines().last().unwrap_or_default().trim().to_owned()),
            },
        }
    }

    /// Whether `pattern` is a regular expression [`Pattern::new`] can compile: what the generator
    /// checks. Patterns for the linear engine are checked by their syntax alone (compiling a
    /// large one takes long); those with look-around or back-references by compiling them.
    pub fn check_syntax(pattern: &str) -> Result<(), String> {
        let translated = translate_pattern(pattern);
        let Err(linear) = regex_syntax::Parser::new().parse(&translated) else {
            return Ok(());
        };
        // Only what the `regex` crate leaves out is for fancy-regex, which is laxer otherwise.
        let backtracking = matches!(
            &linear,
            regex_syntax::Error::Parse(error) if matches!(
                error.kind(),
                regex_syntax::ast::ErrorKind::UnsupportedLookAround
                    | regex_syntax::ast::ErrorKind::UnsupportedBackreference
            )
        );
        // fancy-regex is checked by compiling: its parser accepts look-behinds it cannot run.
        if backtracking {
            return fancy_regex::Regex::new(&translated)
                .map(drop)
                .map_err(|error| error.to_string());
        }
        Err(linear.to_string().lines().last().unwrap_or_default().trim().to_owned())
    }

    /// Why `pattern` is not a regular expression in any dialect a model may use (an unclosed
    /// group or set, nothing to repeat, a repetition or range whose bounds are out of order),
    /// or `None`. A pattern that is well-formed but uses what this runtime cannot check is not
    /// malformed: see [`Pattern::check_syntax`].
    pub fn malformed(pattern: &str) -> Option<String> {
        use regex_syntax::ast::ErrorKind;
        let error = regex_syntax::ast::parse::Parser::new()
            .parse(&translate_pattern(pattern))
            .err()?;
        matches!(
            error.kind(),
            ErrorKind::ClassUnclosed
                | ErrorKind::GroupUnclosed
                | ErrorKind::GroupUnopened
                | ErrorKind::RepetitionMissing
                | ErrorKind::RepetitionCountInvalid
                | ErrorKind::ClassRangeInvalid
        )
        .then(|| error.kind().to_string())
    }

    /// Whether `text` matches somewhere (a pattern is not anchored unless it says so). Text
    /// that takes a backtracking pattern past its limit does not match.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            Compiled::Linear(regex) => regex.is_match(text),
            Compiled::Backtracking(regex) => regex.is_match(text).unwrap_or(false),
        }
    }
}

/// The character of an octal escape after its `\0`: up to three octal digits at the start of
/// `chars` (two when a third would pass 0o377), which it consumes; none is NUL.
fn octal_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> u32 {
    let mut value = 0u32;
    for _ in 0..3 {
        match chars.peek().and_then(|c| c.to_digit(8)) {
            Some(digit) if value * 8 + digit <= 0o377 => {
                value = value * 8 + digit;
                chars.next();
            }
            _ => break,
        }
    }
    value
}

/// Consumes a quantifier (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy or
/// possessive) at the start of `chars` and returns its minimum, or consumes nothing.
fn skip_quantifier(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u64> {
    let mut ahead = chars.clone();
    let min = match ahead.next()? {
        '*' | '?' => 0,
        '+' => 1,
        '{' => {
            let text: String = ahead.by_ref().take_while(|c| *c != '}').collect();
            let (min, max) = text.split_once(',').unwrap_or((&text, "0"));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(min) || !(max.is_empty() || digits(max)) {
                return None;
            }
            min.parse().unwrap_or(u64::MAX)
        }
        _ => return None,
    };
    if matches!(ahead.peek(), Some('?' | '+')) {
        ahead.next();
    }
    *chars = ahead;
    Some(min)
}

/// The value of four hexadecimal digits at the start of `chars`, which it consumes.
fn hex4(chars: &mut impl Iterator<Item = char>) -> Option<u16> {
    let mut value = 0u16;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.to_digit(16)? as u16;
    }
    Some(value)
}

/// `pattern` in the syntax of the `regex` crate:
/// - Java's POSIX classes become ASCII ranges, and its other named classes (`\p{LD}`,
///   `\p{all}`, `\p{L1}`, `\p{javaLowerCase}`, ...) their Unicode equivalents, negated by `\P`;
/// - `\0` with up to three octal digits (Java's octal escape, and ECMA-262's legacy one) is the
///   character it names;
/// - a quantified look-around (`(?!x)+`) is the look-around itself, or nothing when the
///   quantifier allows zero repetitions, as ECMA-262 defines it;
/// - a `-` that follows a class escape in a set (`[\w-_]`) is a literal, as in ECMA-262.
fn translate_pattern(pattern: &str) -> String {
    const POSIX: &[(&str, &str)] = &[
        ("Print", r"\x20-\x7E"),
        ("Graph", r"\x21-\x7E"),
        ("ASCII", r"\x00-\x7F"),
        ("Alpha", "a-zA-Z"),
        ("Digit", "0-9"),
        ("Alnum", "a-zA-Z0-9"),
        ("Upper", "A-Z"),
        ("Lower", "a-z"),
        ("XDigit", "0-9a-fA-F"),
        ("Punct", r"!-/:-@\[-`{-~"),
        ("Space", r" \t\n\x0B\f\r"),
        ("Blank", r" \t"),
        ("Cntrl", r"\x00-\x1F\x7F"),
        // Java's own classes.
        ("LD", r"\p{L}\p{Nd}"),
        ("all", r"\x{0}-\x{10FFFF}"),
        ("L1", r"\x{0}-\x{FF}"),
        ("javaLowerCase", r"\p{Lowercase}"),
        ("javaUpperCase", r"\p{Uppercase}"),
        ("javaLetter", r"\p{L}"),
        ("javaDigit", r"\p{Nd}"),
        ("javaLetterOrDigit", r"\p{L}\p{Nd}"),
        ("javaAlphabetic", r"\p{Alphabetic}"),
    ];
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_set = false;
    let mut after_class_escape = false;
    // Where each open group starts in `out`, and whether it is a look-around.
    let mut groups: Vec<(usize, bool)> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let mut class = None;
                if matches!(next, 'p' | 'P') && chars.peek() == Some(&'{') {
                    let rest: String = chars.clone().skip(1).take_while(|c| *c != '}').collect();
                    if let Some((_, range)) = POSIX.iter().find(|(name, _)| *name == rest) {
                        for _ in 0..rest.chars().count() + 2 {
                            chars.next();
                        }
                        if next == 'P' {
                            // Negated: a set of its own, nested when inside a set.
                            let _ = write!(out, "[^{range}]");
                            after_class_escape = true;
                            continue;
                        }
                        class = Some(*range);
                    }
                }
                if next == '0' {
                    let _ = write!(out, "\\x{{{:X}}}", octal_escape(&mut chars));
                    after_class_escape = false;
                    continue;
                }
                // ECMA-262's `\w` and `\d` are ASCII (the `regex` crate's are Unicode's, and
                // large: `[\w]{1,256}` would not compile).
                class = class.or(match next {
                    'w' => Some("0-9A-Za-z_"),
                    'd' => Some("0-9"),
                    'W' if !in_set => Some("^0-9A-Za-z_"),
                    'D' if !in_set => Some("^0-9"),
                    _ => None,
                });
                if let Some(range) = class {
                    if in_set {
                        out.push_str(range);
                    } else {
                        out.push('[');
                        out.push_str(range);
                        out.push(']');
                    }
                    after_class_escape = true;
                    continue;
                }
                if next == 'u' {
                    if let Some(unit) = hex4(&mut chars.clone()) {
                        // UTF-16: a surrogate pair is one code point; a lone surrogate matches
                        // nothing a Rust string holds, so it stands for the replacement character.
                        chars.nth(3);
                        let mut point = u32::from(unit);
                        if (0xD800..0xDC00).contains(&unit) {
                            let mut ahead = chars.clone();
                            if ahead.next() == Some('\\') && ahead.next() == Some('u') {
                                if let Some(low @ 0xDC00..0xE000) = hex4(&mut ahead) {
                                    chars.nth(5);
                                    point = 0x10000 + ((point - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                                }
                            }
                        }
                        if (0xD800..0xE000).contains(&point) {
                            point = 0xFFFD;
                        }
                        let _ = write!(out, "\\x{{{point:X}}}");
                        after_class_escape = false;
                        continue;
                    }
                }
                out.push('\\');
                out.push(next);
                if matches!(next, 'p' | 'P') {
                    // The whole property name (`\p{Z}`, `\pL`), so that a `-` after it is seen.
                    if chars.peek() == Some(&'{') {
                        for c in chars.by_ref() {
                            out.push(c);
                            if c == '}' {
                                break;
                            }
                        }
                    } else if let Some(c) = chars.next() {
                        out.push(c);
                    }
                }
                after_class_escape = matches!(next, 'W' | 'D' | 's' | 'S' | 'p' | 'P');
                continue;
            }
            '(' if !in_set => {
                let mut ahead = chars.clone();
                let look_around = ahead.next() == Some('?')
                    && match ahead.next() {
                        Some('=' | '!') => true,
                        Some('<') => matches!(ahead.next(), Some('=' | '!')),
                        _ => false,
                    };
                groups.push((out.len(), look_around));
                out.push(c);
            }
            ')' if !in_set => {
                out.push(c);
                if let Some((start, true)) = groups.pop() {
                    if let Some(min) = skip_quantifier(&mut chars) {
                        if min == 0 {
                            out.truncate(start);
                        }
                    }
                }
            }
            '[' if !in_set => {
                in_set = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_set => {
                in_set = false;
                out.push(c);
            }
            '-' if in_set && after_class_escape => out.push_str("\\-"),
            '[' if in_set => out.push_str("\\["),
            _ => out.push(c),
        }
        after_class_escape = false;
    }
    out
}
