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
        write!(f, "{} constraint violation(s)", self.violations.len())?;
        for violation in &self.violations {
            write!(f, "; {violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// One broken constraint: where (`field.list[2].name`), which constraint and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The member path, by Rust field names.
    pub path: String,
    /// The constraint trait: `required`, `length`, `range`, `pattern` or `uniqueItems`.
    pub constraint: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {} (@{})", self.path, self.message, self.constraint)
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

    /// The path of a member below `path`.
    pub fn join(path: &str, member: &str) -> String {
        if path.is_empty() {
            member.to_owned()
        } else {
            format!("{path}.{member}")
        }
    }

    pub fn missing(path: String, violations: &mut Vec<Violation>) {
        violations.push(Violation { path, constraint: "required", message: "is required but not set".to_owned() });
    }

    pub fn length(path: &str, length: usize, min: Option<u64>, max: Option<u64>, violations: &mut Vec<Violation>) {
        let length = length as u64;
        let message = match (min, max) {
            (Some(min), _) if length < min => format!("has length {length}, less than {min}"),
            (_, Some(max)) if length > max => format!("has length {length}, more than {max}"),
            _ => return,
        };
        violations.push(Violation { path: path.to_owned(), constraint: "length", message });
    }

    pub fn range(path: &str, value: f64, min: Option<f64>, max: Option<f64>, violations: &mut Vec<Violation>) {
        let message = match (min, max) {
            (Some(min), _) if value < min => format!("is {value}, less than {min}"),
            (_, Some(max)) if value > max => format!("is {value}, more than {max}"),
            _ => return,
        };
        violations.push(Violation { path: path.to_owned(), constraint: "range", message });
    }

    pub fn unique<T: PartialEq>(path: &str, items: &[T], violations: &mut Vec<Violation>) {
        for (index, item) in items.iter().enumerate() {
            if items[..index].contains(item) {
                violations.push(Violation {
                    path: format!("{path}[{index}]"),
                    constraint: "uniqueItems",
                    message: "repeats an earlier item".to_owned(),
                });
            }
        }
    }
}
