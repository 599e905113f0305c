/// An arbitrarily large integer, kept exactly as its decimal text. In JSON it is a number.
///
/// Its serde form keeps every digit with `serde_json`, whose raw values it uses.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BigInteger(String);

/// An arbitrary-precision decimal, kept exactly as its decimal text. In JSON it is a number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BigDecimal(String);

fn is_json_number(text: &str, integer: bool) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((mantissa, exponent)) if !integer => {
            (mantissa, Some(exponent.strip_prefix(['+', '-']).unwrap_or(exponent)))
        }
        Some(_) => return false,
        None => (digits, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some(_) if integer => return false,
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(all_digits)
        && exponent.is_none_or(all_digits)
}

macro_rules! big_number {
    ($name:ident, $integer:expr, $what:literal) => {
        impl $name {
            #[doc = concat!("Wraps decimal text; `None` if it is not ", $what, ".")]
            pub fn new(text: impl Into<String>) -> Option<Self> {
                let text = text.into();
                is_json_number(&text, $integer).then_some(Self(text))
            }

            /// The decimal text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(String::from("0"))
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                Self::new(text).ok_or_else(|| format!(concat!("`{}` is not ", $what), text))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let raw =
                    serde_json::value::RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?;
                serde::Serialize::serialize(&raw, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // The raw text keeps every digit; this needs serde_json's own deserializer.
                let raw = <Box<serde_json::value::RawValue> as serde::Deserialize>::deserialize(deserializer)?;
                Self::new(raw.get().trim()).ok_or_else(|| serde::de::Error::custom(concat!("expected ", $what)))
            }
        }
    };
}

big_number!(BigInteger, true, "an integer");
big_number!(BigDecimal, false, "a decimal number");
