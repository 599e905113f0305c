/// A value broke constraints of the model (`@required`, `@length`, `@range`, `@pattern`,
/// `@uniqueItems`). It lists every violation, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    violations: Vec<Violation>,
}

impl ValidationError {
    /// Every violation, in the order the members were checked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.violations.len();
        write!(f, "{count} validation error{} detected.", if count == 1 { "" } else { "s" })?;
        for (index, violation) in self.violations.iter().enumerate() {
            write!(f, "{}{violation}", if index == 0 { " " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// One broken constraint: where (`/member/2/name`: member names, list positions and map
/// keys), which constraint, and the message, worded as Smithy services word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The member path: `/` and a member name, list position or map key per step.
    pub path: String,
    /// The constraint: `required`, `length`, `range`, `pattern`, `uniqueItems` or `enum`.
    pub constraint: &'static str,
    /// What is wrong, such as `Value at '/name' failed to satisfy constraint: Member must not be null`.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Helpers the generated `validate` methods call.
#[doc(hidden)]
pub mod validate {
    use super::{ValidationError, Violation};

    /// `Ok` when nothing was found.
    pub fn finish(violations: Vec<Violation>) -> Result<(), ValidationError> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { violations })
        }
    }

    /// The path of a member, list item or map value below `path`.
    pub fn join(path: &str, step: impl std::fmt::Display) -> String {
        format!("{path}/{step}")
    }

    fn violation(path: &str, constraint: &'static str, value: &str, rule: String) -> Violation {
        Violation {
            path: path.to_owned(),
            constraint,
            message: format!("Value{value} at '{path}' failed to satisfy constraint: Member must {rule}"),
        }
    }

    /// The words for a `min`/`max` pair, such as `between 1 and 8, inclusive`.
    fn bounds<T: std::fmt::Display>(min: Option<T>, max: Option<T>) -> String {
        match (min, max) {
            (Some(min), Some(max)) => format!("between {min} and {max}, inclusive"),
            (Some(min), None) => format!("greater than or equal to {min}"),
            (None, Some(max)) => format!("less than or equal to {max}"),
            (None, None) => String::new(),
        }
    }

    pub fn missing(path: String, violations: &mut Vec<Violation>) {
        violations.push(violation(&path, "required", "", "not be null".to_owned()));
    }

    pub fn length(path: &str, length: usize, min: Option<u64>, max: Option<u64>, violations: &mut Vec<Violation>) {
        let length = length as u64;
        if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
            let rule = format!("have length {}", bounds(min, max));
            violations.push(violation(path, "length", &format!(" with length {length}"), rule));
        }
    }

    pub fn range(path: &str, value: f64, min: Option<f64>, max: Option<f64>, violations: &mut Vec<Violation>) {
        if value.is_nan() || min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max) {
            violations.push(violation(path, "range", "", format!("be {}", bounds(min, max))));
        }
    }

    pub fn unique<T: PartialEq>(path: &str, items: &[T], violations: &mut Vec<Violation>) {
        if items.iter().enumerate().any(|(index, item)| items[..index].contains(item)) {
            violations.push(violation(path, "uniqueItems", "", "have unique values".to_owned()));
        }
    }

    std::thread_local! {
        static ENUM_VALUES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Runs `check` with enum values checked against the model's set, as a server checks
    /// them. Outside it an unknown value passes: a client keeps and sends what it is given.
    pub fn with_enum_values<T>(check: impl FnOnce() -> T) -> T {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                ENUM_VALUES.with(|flag| flag.set(false));
            }
        }
        ENUM_VALUES.with(|flag| flag.set(true));
        let _reset = Reset;
        check()
    }

    pub fn enum_value(path: &str, value: &str, known: &[&str], listed: &str, violations: &mut Vec<Violation>) {
        if ENUM_VALUES.with(std::cell::Cell::get) && !known.contains(&value) {
            violations.push(violation(path, "enum", "", format!("satisfy enum value set: [{listed}]")));
        }
    }

    pub fn pattern_violation(path: &str, pattern: &str) -> Violation {
        violation(path, "pattern", "", format!("satisfy regular expression pattern: {pattern}"))
    }
}
