//! The generator's token streams: a flat list of tokens, each a word, lifetime, literal,
//! operator or group delimiter, whose text is either written in the generator's source (a
//! `&'static str`, free to make and copy) or made at run time once and shared.
//!
//! [`quote!`] builds them from Rust written as it will be generated, with `#name` to interpolate
//! anything that is [`ToTokens`] and `#(...)*` or `#(...),*` to repeat over iterators, slices
//! and vectors. Tokens spelled in the macro's input are classified and their text kept when the
//! generator is compiled, so rendering allocates only for names and literals of the model, and
//! interpolating one stream into another copies its tokens without copying their text.
//!
//! [`crate::layout`] reads these streams to lay them out as rustfmt would.

use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

/// A token's text: spelled in the generator, or made from the model.
#[derive(Clone)]
pub(crate) enum Text {
    Static(&'static str),
    Shared(Rc<str>),
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Static(text) => text,
            Text::Shared(text) => text,
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A group's delimiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    Paren,
    Bracket,
    Brace,
}

impl Delim {
    pub(crate) fn open(self) -> &'static str {
        match self {
            Delim::Paren => "(",
            Delim::Bracket => "[",
            Delim::Brace => "{",
        }
    }

    pub(crate) fn close(self) -> &'static str {
        match self {
            Delim::Paren => ")",
            Delim::Bracket => "]",
            Delim::Brace => "}",
        }
    }
}

/// One token.
#[derive(Debug, Clone)]
pub(crate) enum Token {
    /// A name or keyword; a raw one with its `r#`.
    Word(Text),
    /// `'a`, with its quote.
    Lifetime(Text),
    /// A literal as written: `"text"`, `1.5`, `b"bytes"`, `'c'`.
    Literal(Text),
    /// Punctuation as one token of Rust source spells it: `::`, `=>`, `<`, `>>` (which
    /// [`crate::layout`] splits as the parser would).
    Punct(&'static str),
    Open(Delim),
    Close(Delim),
}

impl Token {
    /// The token one piece of the generator's source spells, classified when the generator is
    /// compiled (the [`quote!`] macro calls this in a `const` block).
    pub(crate) const fn of(text: &'static str) -> Token {
        match text.as_bytes() {
            [b'\'', .., b'\''] if text.len() >= 3 => Token::Literal(Text::Static(text)),
            [b'\'', ..] => Token::Lifetime(Text::Static(text)),
            [b'"' | b'0'..=b'9', ..]
            | [b'b' | b'c', b'"' | b'\'', ..]
            | [b'b' | b'c', b'r', b'"' | b'#', ..]
            | [b'r', b'"', ..]
            | [b'r', b'#', b'"' | b'#', ..] => Token::Literal(Text::Static(text)),
            [b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80.., ..] => Token::Word(Text::Static(text)),
            _ => Token::Punct(text),
        }
    }

    /// The token's text.
    pub(crate) fn text(&self) -> &str {
        match self {
            Token::Word(text) | Token::Lifetime(text) | Token::Literal(text) => text,
            Token::Punct(text) => text,
            Token::Open(delim) => delim.open(),
            Token::Close(delim) => delim.close(),
        }
    }
}

/// A stream of tokens, groups as their delimiters around their contents.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens {
    tokens: Vec<Token>,
}

impl Tokens {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Room for `capacity` tokens.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            tokens: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub(crate) fn as_slice(&self) -> &[Token] {
        &self.tokens
    }

    /// Adds one token (the [`quote!`] macro's tokens, and delimiters).
    pub(crate) fn push(&mut self, token: Token) {
        self.tokens.push(token);
    }

    /// The tokens as text, a space between each two.
    #[cfg(test)]
    pub(crate) fn to_text(&self) -> String {
        let mut text = String::new();
        for token in &self.tokens {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(token.text());
        }
        text
    }
}

/// A name as a token: made from the model (see [`crate::ident::ident`], which escapes
/// keywords), or spelled in the generator.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Ident(Rc<str>);

impl Ident {
    /// The name as it is; the caller knows it is a valid, non-keyword identifier.
    pub(crate) fn new(name: &str) -> Self {
        Ident(Rc::from(name))
    }

    /// `r#name`.
    pub(crate) fn new_raw(name: &str) -> Self {
        Ident(Rc::from(format!("r#{name}")))
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A literal made at run time, written as Rust source spells it.
#[derive(Debug, Clone)]
pub(crate) struct Literal(Rc<str>);

impl Literal {
    /// A string literal, escaped as `char::escape_debug` escapes (but for `'`, left as it is, and
    /// NUL, written `\x00` before an octal digit).
    pub(crate) fn string(value: &str) -> Self {
        let mut repr = String::with_capacity(value.len() + 2);
        repr.push('"');
        let mut rest = value;
        while !rest.is_empty() {
            let plain = rest
                .bytes()
                .position(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
                .unwrap_or(rest.len());
            repr.push_str(&rest[..plain]);
            rest = &rest[plain..];
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            rest = chars.as_str();
            match c {
                '\0' if rest.starts_with(|next: char| next.is_digit(8)) => repr.push_str("\\x00"),
                '\0' => repr.push_str("\\0"),
                '\'' => repr.push(c),
                _ => repr.extend(c.escape_debug()),
            }
        }
        repr.push('"');
        Literal(Rc::from(repr))
    }

    /// A byte-string literal: printable ASCII as it is, the rest escaped.
    pub(crate) fn byte_string(bytes: &[u8]) -> Self {
        let mut repr = String::from("b\"");
        for (at, &b) in bytes.iter().enumerate() {
            match b {
                b'\0' if bytes.get(at + 1).is_some_and(|next| (b'0'..=b'7').contains(next)) => repr.push_str("\\x00"),
                b'\0' => repr.push_str("\\0"),
                b'\t' => repr.push_str("\\t"),
                b'\n' => repr.push_str("\\n"),
                b'\r' => repr.push_str("\\r"),
                b'"' => repr.push_str("\\\""),
                b'\\' => repr.push_str("\\\\"),
                b' '..=b'~' => repr.push(char::from(b)),
                _ => {
                    use std::fmt::Write as _;
                    let _ = write!(repr, "\\x{b:02X}");
                }
            }
        }
        repr.push('"');
        Literal(Rc::from(repr))
    }

    /// An integer without a type suffix.
    pub(crate) fn integer(value: impl Into<i128>) -> Self {
        Literal(Rc::from(value.into().to_string()))
    }

    pub(crate) fn usize_unsuffixed(value: usize) -> Self {
        Literal(Rc::from(value.to_string()))
    }

    /// A float with its type's suffix: `1.5f64`, `2f64`.
    pub(crate) fn f64_suffixed(value: f64) -> Self {
        Literal(Rc::from(format!("{value}f64")))
    }

    /// An integer with its type's suffix: `7u64`.
    pub(crate) fn u64_suffixed(value: u64) -> Self {
        Literal(Rc::from(format!("{value}u64")))
    }

    /// A float without a type suffix, with a `.0` when it has no fraction.
    pub(crate) fn f64_unsuffixed(value: f64) -> Self {
        let mut repr = value.to_string();
        if !repr.contains('.') {
            repr.push_str(".0");
        }
        Literal(Rc::from(repr))
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What [`quote!`] can interpolate with `#name`.
pub(crate) trait ToTokens {
    fn to_tokens(&self, out: &mut Tokens);
}

impl<T: ToTokens + ?Sized> ToTokens for &T {
    fn to_tokens(&self, out: &mut Tokens) {
        (**self).to_tokens(out);
    }
}

impl<T: ToTokens> ToTokens for Option<T> {
    fn to_tokens(&self, out: &mut Tokens) {
        if let Some(value) = self {
            value.to_tokens(out);
        }
    }
}

impl ToTokens for Tokens {
    fn to_tokens(&self, out: &mut Tokens) {
        out.tokens.extend_from_slice(&self.tokens);
    }
}

impl ToTokens for Token {
    fn to_tokens(&self, out: &mut Tokens) {
        out.push(self.clone());
    }
}

impl ToTokens for Ident {
    fn to_tokens(&self, out: &mut Tokens) {
        out.push(Token::Word(Text::Shared(self.0.clone())));
    }
}

/// A negative number is two tokens, as the compiler lexes it: `-` and the number.
impl ToTokens for Literal {
    fn to_tokens(&self, out: &mut Tokens) {
        match self.0.strip_prefix('-') {
            Some(number) => {
                out.push(Token::Punct("-"));
                out.push(Token::Literal(Text::Shared(Rc::from(number))));
            }
            None => out.push(Token::Literal(Text::Shared(self.0.clone()))),
        }
    }
}

/// A string literal.
impl ToTokens for str {
    fn to_tokens(&self, out: &mut Tokens) {
        Literal::string(self).to_tokens(out);
    }
}

/// A string literal.
impl ToTokens for String {
    fn to_tokens(&self, out: &mut Tokens) {
        self.as_str().to_tokens(out);
    }
}

impl ToTokens for bool {
    fn to_tokens(&self, out: &mut Tokens) {
        out.push(Token::Word(Text::Static(if *self { "true" } else { "false" })));
    }
}

/// Integers interpolate with their type's suffix: `7u16`.
macro_rules! suffixed {
    ($($ty:ident)*) => {$(
        impl ToTokens for $ty {
            fn to_tokens(&self, out: &mut Tokens) {
                Literal(Rc::from(format!(concat!("{}", stringify!($ty)), self))).to_tokens(out);
            }
        }
    )*};
}

suffixed!(u8 u16 u32 u64 usize i8 i16 i32 i64 isize);

/// How [`quote!`]'s repetitions iterate over what they interpolate: an iterator by value, a
/// slice, vector or set by reference.
pub(crate) mod rep {
    pub(crate) trait RepIterator: Iterator + Sized {
        fn quote_rep(self) -> Self {
            self
        }
    }

    impl<I: Iterator> RepIterator for I {}

    pub(crate) trait RepCollection<'a> {
        type Iter: Iterator;

        fn quote_rep(&'a self) -> Self::Iter;
    }

    impl<'a, T: 'a> RepCollection<'a> for [T] {
        type Iter = std::slice::Iter<'a, T>;

        fn quote_rep(&'a self) -> Self::Iter {
            self.iter()
        }
    }

    impl<'a, T: 'a> RepCollection<'a> for Vec<T> {
        type Iter = std::slice::Iter<'a, T>;

        fn quote_rep(&'a self) -> Self::Iter {
            self.iter()
        }
    }

    impl<'a, T: 'a> RepCollection<'a> for std::collections::BTreeSet<T> {
        type Iter = std::collections::btree_set::Iter<'a, T>;

        fn quote_rep(&'a self) -> Self::Iter {
            self.iter()
        }
    }
}

/// Rust source as [`Tokens`]: `#name` interpolates anything [`ToTokens`]; `#(...)*` repeats its
/// contents once per item of every iterator, slice or vector interpolated in them (all advance
/// together and the repetition ends with the shortest), and `#(...),*` puts a `,` (or any one
/// token) between the repetitions.
///
/// Each token is seen in a window of the three before it and the three after it (padded with
/// `@`, the token under the window wrapped in parentheses), so the expansion does not recurse
/// once per token: only once per group.
macro_rules! quote {
    () => {
        $crate::tokens::Tokens::new()
    };
    ($($tt:tt)+) => {{
        // Room for the token trees written out (a group is two tokens or more) and some that
        // interpolations add: most lists never grow, the rest grow less often.
        let mut out = $crate::tokens::Tokens::with_capacity(16 + <[()]>::len(&[$($crate::tokens::quote_unit!($tt)),+]));
        $crate::tokens::quote_into!(out; $($tt)+);
        out
    }};
}

/// `()` for any token tree: counts them.
macro_rules! quote_unit {
    ($tt:tt) => {
        ()
    };
}

macro_rules! quote_into {
    ($out:ident;) => {};
    ($out:ident; $($tt:tt)+) => {
        $crate::tokens::quote_windows!($out;
            (@ @ @ @ @ @ $($tt)+)
            (@ @ @ @ @ $($tt)+ @)
            (@ @ @ @ $($tt)+ @ @)
            (@ @ @ $(($tt))+ @ @ @)
            (@ @ $($tt)+ @ @ @ @)
            (@ $($tt)+ @ @ @ @ @)
            ($($tt)+ @ @ @ @ @ @)
        )
    };
}

macro_rules! quote_windows {
    ($out:ident;
        ($($b3:tt)*) ($($b2:tt)*) ($($b1:tt)*) ($($cur:tt)*) ($($a1:tt)*) ($($a2:tt)*) ($($a3:tt)*)
    ) => {
        $( $crate::tokens::quote_token!($out; $b3 $b2 $b1 $cur $a1 $a2 $a3); )*
    };
}

macro_rules! quote_token {
    // Padding.
    ($out:ident; $b3:tt $b2:tt $b1:tt @ $a1:tt $a2:tt $a3:tt) => {};
    // `#(...)*` and `#(...),*`.
    ($out:ident; $b3:tt $b2:tt $b1:tt (#) ( $($inner:tt)* ) * $a3:tt) => {
        $crate::tokens::quote_repeat!($out; (); $($inner)*);
    };
    ($out:ident; $b3:tt $b2:tt $b1:tt (#) ( $($inner:tt)* ) $sep:tt *) => {
        $crate::tokens::quote_repeat!($out; ($sep); $($inner)*);
    };
    // `#name`.
    ($out:ident; $b3:tt $b2:tt $b1:tt (#) $var:ident $a2:tt $a3:tt) => {
        $crate::tokens::ToTokens::to_tokens(&$var, &mut $out);
    };
    // What a repetition or interpolation above took.
    ($out:ident; $b3:tt $b2:tt # (( $($inner:tt)* )) * $a2:tt $a3:tt) => {};
    ($out:ident; $b3:tt $b2:tt # (( $($inner:tt)* )) $sep:tt * $a3:tt) => {};
    ($out:ident; $b3:tt # ( $($inner:tt)* ) ($sep:tt) * $a2:tt $a3:tt) => {};
    ($out:ident; $b3:tt # ( $($inner:tt)* ) (*) $a1:tt $a2:tt $a3:tt) => {};
    ($out:ident; # ( $($inner:tt)* ) $sep:tt (*) $a1:tt $a2:tt $a3:tt) => {};
    ($out:ident; $b3:tt $b2:tt # ($var:ident) $a1:tt $a2:tt $a3:tt) => {};
    // Groups.
    ($out:ident; $b3:tt $b2:tt $b1:tt (( $($inner:tt)* )) $a1:tt $a2:tt $a3:tt) => {
        $crate::tokens::quote_group!($out; Paren; $($inner)*);
    };
    ($out:ident; $b3:tt $b2:tt $b1:tt ([ $($inner:tt)* ]) $a1:tt $a2:tt $a3:tt) => {
        $crate::tokens::quote_group!($out; Bracket; $($inner)*);
    };
    ($out:ident; $b3:tt $b2:tt $b1:tt ({ $($inner:tt)* }) $a1:tt $a2:tt $a3:tt) => {
        $crate::tokens::quote_group!($out; Brace; $($inner)*);
    };
    // Any other token, classified when the generator is compiled.
    ($out:ident; $b3:tt $b2:tt $b1:tt ($cur:tt) $a1:tt $a2:tt $a3:tt) => {
        $out.push(const { $crate::tokens::Token::of(stringify!($cur)) });
    };
}

macro_rules! quote_group {
    ($out:ident; $delim:ident; $($inner:tt)*) => {
        $out.push($crate::tokens::Token::Open($crate::tokens::Delim::$delim));
        $crate::tokens::quote_into!($out; $($inner)*);
        $out.push($crate::tokens::Token::Close($crate::tokens::Delim::$delim));
    };
}

macro_rules! quote_repeat {
    ($out:ident; (); $($inner:tt)*) => {{
        $crate::tokens::quote_vars!(quote_bind; $($inner)*);
        loop {
            $crate::tokens::quote_vars!(quote_next; $($inner)*);
            $crate::tokens::quote_into!($out; $($inner)*);
        }
    }};
    ($out:ident; ($sep:tt); $($inner:tt)*) => {{
        $crate::tokens::quote_vars!(quote_bind; $($inner)*);
        let mut first = true;
        loop {
            $crate::tokens::quote_vars!(quote_next; $($inner)*);
            if !first {
                $out.push(const { $crate::tokens::Token::of(stringify!($sep)) });
            }
            first = false;
            $crate::tokens::quote_into!($out; $($inner)*);
        }
    }};
}

/// Calls `$each!(name)` for every `#name` in a repetition's tokens, inside groups too.
macro_rules! quote_vars {
    ($each:ident;) => {};
    ($each:ident; # $var:ident $($rest:tt)*) => {
        $crate::tokens::$each!($var);
        $crate::tokens::quote_vars!($each; $($rest)*);
    };
    ($each:ident; ( $($inner:tt)* ) $($rest:tt)*) => {
        $crate::tokens::quote_vars!($each; $($inner)* $($rest)*);
    };
    ($each:ident; [ $($inner:tt)* ] $($rest:tt)*) => {
        $crate::tokens::quote_vars!($each; $($inner)* $($rest)*);
    };
    ($each:ident; { $($inner:tt)* } $($rest:tt)*) => {
        $crate::tokens::quote_vars!($each; $($inner)* $($rest)*);
    };
    ($each:ident; $other:tt $($rest:tt)*) => {
        $crate::tokens::quote_vars!($each; $($rest)*);
    };
}

/// Makes a name a repetition interpolates an iterator.
macro_rules! quote_bind {
    ($var:ident) => {
        #[allow(unused_mut)]
        let mut $var = {
            #[allow(unused_imports)]
            use $crate::tokens::rep::{RepCollection as _, RepIterator as _};
            $var.quote_rep()
        };
    };
}

/// Takes an iterator's next item under its name, or ends the repetition.
macro_rules! quote_next {
    ($var:ident) => {
        let $var = match $var.next() {
            Some(item) => item,
            None => break,
        };
    };
}

pub(crate) use {
    quote, quote_bind, quote_group, quote_into, quote_next, quote_repeat, quote_token, quote_unit, quote_vars,
    quote_windows,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_classified_as_rust_reads_them() {
        let name = Ident::new("Thing");
        let fields = vec![Ident::new("a"), Ident::new_raw("type")];
        let docs = ["one", "two \"quoted\""];
        let tokens = quote! {
            #(#[doc = #docs])*
            pub struct #name<'a> {
                #(pub #fields: &'a Vec<Vec<u8>>,)*
            }
            fn f() -> [u8; 2] { [b'x', 1u8] }
            const S: &str = r#"raw"#;
            const C: char = 'c';
            const SUM: f64 = 1.5 + 2e3;
            fn g(xs: &[i32]) -> i32 { xs.iter().map(|x| x * 2).sum::<i32>() }
            const L: [u8; 3] = [#(#fields),*];
        };
        let kinds: Vec<String> = tokens
            .as_slice()
            .iter()
            .map(|token| match token {
                Token::Word(text) => format!("w:{}", &**text),
                Token::Lifetime(text) => format!("l:{}", &**text),
                Token::Literal(text) => format!("s:{}", &**text),
                Token::Punct(text) => format!("p:{text}"),
                Token::Open(delim) => format!("o:{}", delim.open()),
                Token::Close(delim) => format!("c:{}", delim.close()),
            })
            .collect();
        let text = kinds.join(" ");
        for expected in [
            "p:# o:[ w:doc p:= s:\"one\" c:] p:# o:[ w:doc p:= s:\"two \\\"quoted\\\"\" c:]",
            "w:pub w:struct w:Thing p:< l:'a p:> o:{",
            "w:pub w:a p:: p:& l:'a w:Vec p:< w:Vec p:< w:u8 p:>> p:, w:pub w:r#type p::",
            "o:[ s:b'x' p:, s:1u8 c:]",
            "s:r#\"raw\"#",
            "s:'c'",
            "s:1.5 p:+ s:2e3",
            "p:| w:x p:| w:x p:* s:2",
            "w:sum p::: p:< w:i32 p:>",
            "o:[ w:a p:, w:r#type c:]",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text}");
        }
    }

    #[test]
    fn repetitions_advance_together_and_stop_at_the_shortest() {
        let names = ["a", "b", "c"].map(Ident::new);
        let values = vec![Literal::integer(1), Literal::integer(2)];
        let tokens = quote!(#(#names = #values);*);
        assert_eq!(tokens.to_text(), "a = 1 ; b = 2");
        let none: Vec<Ident> = Vec::new();
        assert!(quote!(#(#none)*).is_empty());
        let iterator = names.iter().map(|name| quote!(#name()));
        assert_eq!(quote!(#(#iterator)+*).to_text(), "a ( ) + b ( ) + c ( )");
    }

    #[test]
    fn literals_are_escaped_as_rust_spells_them() {
        assert_eq!(&*Literal::string("plain").0, "\"plain\"");
        assert_eq!(
            &*Literal::string("a\"b\\c\nd\te'f\0g\u{1}7é\u{301}").0,
            "\"a\\\"b\\\\c\\nd\\te'f\\0g\\u{1}7é\\u{301}\""
        );
        assert_eq!(&*Literal::string("\u{0}1").0, "\"\\x001\"");
        assert_eq!(&*Literal::byte_string(b"a\"\0\x017\xff").0, "b\"a\\\"\\0\\x017\\xFF\"");
        assert_eq!(&*Literal::byte_string(b"\x007").0, "b\"\\x007\"");
        assert_eq!(&*Literal::f64_unsuffixed(2.0).0, "2.0");
        assert_eq!(&*Literal::f64_unsuffixed(0.25).0, "0.25");
        let (small, large) = (7u16, Literal::f64_suffixed(1.5));
        assert_eq!(quote!(#small + #large).to_text(), "7u16 + 1.5f64");
        let negative = Literal::integer(-8);
        assert_eq!(quote!(#negative).as_slice().len(), 2);
    }
}
