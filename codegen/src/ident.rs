//! Naming: how a Smithy name becomes a Rust identifier. No renderer invents a name; they all
//! come through [`crate::symbols`], which uses these functions.

use crate::tokens::Ident;
use heck::ToUpperCamelCase;

/// Splits a Smithy name into lowercase words.
///
/// Boundaries fall between a lowercase letter or digit and an uppercase letter, at the end of an
/// acronym (`MFAMode` → `mfa`, `mode`) and at any character that is not alphanumeric. An acronym
/// followed by a plural `s` stays one word (`RedirectSignInURIs` → `redirect`, `sign`, `in`, `uris`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            flush(&mut words, &mut current);
            continue;
        }
        if let Some(prev) = current.chars().last() {
            if c.is_uppercase() && starts_word(prev, &chars[i + 1..]) {
                flush(&mut words, &mut current);
            }
        }
        current.push(c);
    }
    flush(&mut words, &mut current);
    words
}

/// Whether an uppercase letter after `prev` and before `rest` (characters, or ASCII bytes)
/// begins a new word.
fn starts_word<C: Copy + Into<char>>(prev: char, rest: &[C]) -> bool {
    if prev.is_lowercase() || prev.is_ascii_digit() {
        return true;
    }
    if !prev.is_uppercase() {
        return false;
    }
    // Inside an uppercase run: a new word starts at the last capital before a lowercase letter
    // (`MFAMode`), unless that lowercase letter is a plural `s` closing the acronym (`URIs`).
    let next = rest.first().map(|&c| c.into());
    match next {
        Some(next) if next.is_lowercase() => {
            let after = rest.get(1).map(|&c| c.into());
            let plural = next == 's' && after.is_none_or(|after: char| !after.is_lowercase());
            !plural
        }
        _ => false,
    }
}

fn flush(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(current.to_lowercase());
        current.clear();
    }
}

/// The words of an ASCII name, lowercase, each passed to `word` as it ends: [`words`] without
/// a string per word.
fn ascii_words(name: &str, mut word: impl FnMut(&str)) {
    let bytes = name.as_bytes();
    let mut current = String::with_capacity(name.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if !current.is_empty() {
                word(&current);
                current.clear();
            }
            continue;
        }
        if let Some(&prev) = bytes.get(i.wrapping_sub(1)).filter(|_| !current.is_empty()) {
            if b.is_ascii_uppercase() && starts_word(char::from(prev), &bytes[i + 1..]) {
                word(&current);
                current.clear();
            }
        }
        current.push(char::from(b.to_ascii_lowercase()));
    }
    if !current.is_empty() {
        word(&current);
    }
}

/// `snake_case` form of a name, not yet escaped.
pub fn snake_case(name: &str) -> String {
    let snake = if name.is_ascii() {
        let mut snake = String::with_capacity(name.len() + 4);
        ascii_words(name, |word| {
            if !snake.is_empty() {
                snake.push('_');
            }
            snake.push_str(word);
        });
        snake
    } else {
        words(name).join("_")
    };
    if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

/// `UpperCamelCase` form of a name, not yet escaped.
pub fn upper_camel_case(name: &str) -> String {
    let camel = if name.is_ascii() {
        let mut camel = String::with_capacity(name.len());
        ascii_words(name, |word| {
            let (first, rest) = word.split_at(1);
            camel.push_str(&first.to_ascii_uppercase());
            camel.push_str(rest);
        });
        camel
    } else {
        words(name).join("_").to_upper_camel_case()
    };
    if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        camel
    }
}

/// Rust keywords, strict and reserved, in every edition the generated code may use.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
pub(crate) const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// An identifier for a name, escaped: `type` → `r#type`, `self` → `self_`.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"))
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name)
    } else {
        Ident::new(name)
    }
}

/// The identifier as Rust source spells it, for names that appear inside strings and docs.
#[cfg(test)]
pub fn spelled(name: &str) -> String {
    ident(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_and_plurals() {
        let cases = [
            ("AppId", "app_id"),
            ("BackendEnvironmentName", "backend_environment_name"),
            ("RedirectSignInURIs", "redirect_sign_in_uris"),
            ("MFAMode", "mfa_mode"),
            ("OAuthGrantType", "o_auth_grant_type"),
            ("CPUsList", "cpus_list"),
            ("HTTPSProxy", "https_proxy"),
            ("S3Bucket", "s3_bucket"),
            ("md5Hash", "md5_hash"),
            ("client_id", "client_id"),
            ("ARNs", "arns"),
            ("IsEnabled", "is_enabled"),
            ("Sms", "sms"),
        ];
        for (input, expected) in cases {
            assert_eq!(snake_case(input), expected, "{input}");
        }
    }

    #[test]
    fn upper_camel_case_examples() {
        assert_eq!(upper_camel_case("MFAMode"), "MfaMode");
        assert_eq!(
            upper_camel_case("IDENTITY_POOL_AND_USER_POOL"),
            "IdentityPoolAndUserPool"
        );
        assert_eq!(
            upper_camel_case("CreateBackendAuthMFAConfig"),
            "CreateBackendAuthMfaConfig"
        );
        assert_eq!(upper_camel_case("t2.micro"), "T2Micro");
        assert_eq!(upper_camel_case("1"), "V1");
    }

    #[test]
    fn ascii_names_split_as_any_name_does() {
        let prefixed = |text: String, prefix: &str| {
            if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{prefix}{text}")
            } else {
                text
            }
        };
        for name in [
            "AppId",
            "RedirectSignInURIs",
            "MFAMode",
            "OAuthGrantType",
            "CPUsList",
            "HTTPSProxy",
            "S3Bucket",
            "md5Hash",
            "client_id",
            "ARNs",
            "IDENTITY_POOL_AND_USER_POOL",
            "t2.micro",
            "1",
            "9lives",
            "a--b",
            "_x",
            "X",
            "xY",
            "ABCs",
            "ABCsD",
            "v2Beta1",
            "EC2InstanceIDs",
            "",
            "--",
        ] {
            assert_eq!(snake_case(name), prefixed(words(name).join("_"), "_"), "{name}");
            let camel = words(name).join("_").to_upper_camel_case();
            assert_eq!(upper_camel_case(name), prefixed(camel, "V"), "{name}");
        }
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(spelled("type"), "r#type");
        assert_eq!(spelled("match"), "r#match");
        assert_eq!(spelled("self"), "self_");
        assert_eq!(spelled("Self"), "Self_");
        assert_eq!(spelled("name"), "name");
        assert_eq!(snake_case("9lives"), "_9lives");
    }
}
