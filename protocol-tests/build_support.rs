//! What the build scripts that generate services into one module each share: module names
//! from shape ids, and generated code moved under a module.

/// `aws.protocoltests.restjson#RestJson` → `aws_protocoltests_restjson_rest_json`.
pub fn module_name(id: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out
}

/// Rewrites the generated code's `crate::` paths (written `crate::` or, unformatted,
/// `crate ::`) to paths into the module that holds it.
pub fn rebase(code: &str, base: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    let mut rest = code;
    while let Some(at) = rest.find("crate") {
        let before = &rest[..at];
        let after = &rest[at + "crate".len()..];
        let starts_word = !before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let colons = after.strip_prefix("::").or_else(|| after.strip_prefix(" ::"));
        out.push_str(before);
        match colons {
            Some(tail) if starts_word => {
                out.push_str(base);
                rest = tail.trim_start_matches(' ');
            }
            _ => {
                out.push_str("crate");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
