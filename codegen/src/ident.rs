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

/// Whether an uppercase letter after `prev` and before `rest` begins a new word.
fn starts_word(prev: char, rest: &[char]) -> bool {
    if prev.is_lowercase() || prev.is_ascii_digit() {
        return true;
    }
    if !prev.is_uppercase() {
        return false;
    }
    // Inside an uppercase run: a new word starts at the last capital before a lowercase letter
    // (`MFAMode`), unless that lowercase letter is a plural `s` closing the acronym (`URIs`).
    match rest {
        [next, ..] if next.is_lowercase() => {
            let plural = *next == 's' && rest.get(1).is_none_or(|after| !after.is_lowercase());
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

/// `snake_case` form of a name, not yet escaped.
pub fn snake_case(name: &str) -> String {
    let snake = words(name).join("_");
    if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

/// `UpperCamelCase` form of a name, not yet escaped.
pub fn upper_camel_case(name: &str) -> String {
    let camel = words(name).join("_").to_upper_camel_case();
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
    fn keywords_are_escaped() {
        assert_eq!(spelled("type"), "r#type");
        assert_eq!(spelled("match"), "r#match");
        assert_eq!(spelled("self"), "self_");
        assert_eq!(spelled("Self"), "Self_");
        assert_eq!(spelled("name"), "name");
        assert_eq!(snake_case("9lives"), "_9lives");
    }
}
