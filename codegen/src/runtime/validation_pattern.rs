/// The `@pattern` check, apart because it needs the `regex` crate.
#[doc(hidden)]
pub mod validate_pattern {
    use super::Violation;

    pub fn pattern(path: &str, value: &str, regex: Option<&regex::Regex>, pattern: &str, violations: &mut Vec<Violation>) {
        if regex.is_some_and(|regex| !regex.is_match(value)) {
            violations.push(super::validate::pattern_violation(path, pattern));
        }
    }
}
