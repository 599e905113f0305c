/// JSON encodings other than a type's default, chosen per member by the model: `date-time` and
/// `http-date` timestamps, and floats whose non-finite values are the strings `NaN`,
/// `Infinity` and `-Infinity`. Members use them with `#[serde(with = "...")]`; they apply
/// through `Option`, `Vec`, `HashMap` and `Box`.
pub mod encoding {
    use std::collections::HashMap;
    use std::hash::Hash;
    use std::marker::PhantomData;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// A type that can be written and read in encoding `E`.
    pub trait Encode<E>: Sized {
        /// Writes the value in encoding `E`.
        fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
        /// Reads a value in encoding `E`.
        fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
    }

    /// A reference that serializes in encoding `E`.
    pub struct Encoded<'a, E, T>(&'a T, PhantomData<E>);

    impl<'a, E, T: Encode<E>> Encoded<'a, E, T> {
        /// Wraps a value.
        pub fn new(value: &'a T) -> Self {
            Self(value, PhantomData)
        }
    }

    impl<E, T: Encode<E>> Serialize for Encoded<'_, E, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.0.encode(serializer)
        }
    }

    /// A value that deserializes from encoding `E`.
    pub struct Decoded<E, T>(T, PhantomData<E>);

    impl<E, T> Decoded<E, T> {
        /// The value.
        pub fn into_inner(self) -> T {
            self.0
        }
    }

    impl<'de, E, T: Encode<E>> Deserialize<'de> for Decoded<E, T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::decode(deserializer).map(|value| Decoded(value, PhantomData))
        }
    }

    impl<E, T: Encode<E>> Encode<E> for Option<T> {
        fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Some(value) => serializer.serialize_some(&Encoded::<E, T>::new(value)),
                None => serializer.serialize_none(),
            }
        }

        fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Option::<Decoded<E, T>>::deserialize(deserializer)?.map(|owned| owned.0))
        }
    }

    impl<E, T: Encode<E>> Encode<E> for Box<T> {
        fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            (**self).encode(serializer)
        }

        fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::decode(deserializer).map(Box::new)
        }
    }

    impl<E, T: Encode<E>> Encode<E> for Vec<T> {
        fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.iter().map(|value| Encoded::<E, T>::new(value)))
        }

        fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Vec::<Decoded<E, T>>::deserialize(deserializer)?.into_iter().map(|owned| owned.0).collect())
        }
    }

    impl<E, K, T> Encode<E> for HashMap<K, T>
    where
        K: Serialize + for<'de> Deserialize<'de> + Eq + Hash,
        T: Encode<E>,
    {
        fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.iter().map(|(key, value)| (key, Encoded::<E, T>::new(value))))
        }

        fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(HashMap::<K, Decoded<E, T>>::deserialize(deserializer)?.into_iter().map(|(k, owned)| (k, owned.0)).collect())
        }
    }

    macro_rules! encoding_module {
        ($module:ident, $marker:ident, $doc:literal) => {
            #[doc = $doc]
            #[derive(Debug, Clone, Copy)]
            pub struct $marker;

            #[doc = concat!("`#[serde(with)]` functions for [`", stringify!($marker), "`].")]
            pub mod $module {
                use super::{$marker, Encode};

                /// Writes the value.
                pub fn serialize<T: Encode<$marker>, S: serde::Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
                    value.encode(serializer)
                }

                /// Reads a value.
                pub fn deserialize<'de, T: Encode<$marker>, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
                    T::decode(deserializer)
                }
            }
        };
    }

    encoding_module!(date_time, DateTimeFormat, "Timestamps as RFC 3339 `date-time` strings.");
    encoding_module!(http_date, HttpDateFormat, "Timestamps as RFC 7231 `http-date` strings.");
    encoding_module!(epoch_seconds, EpochSecondsFormat, "Timestamps as epoch seconds.");
    encoding_module!(float, NonFiniteAsString, "Floats, with `NaN`, `Infinity` and `-Infinity` as strings.");
    encoding_module!(strict_epoch_seconds, StrictEpochSeconds, "Timestamps as epoch seconds, read from numbers only (servers).");
    encoding_module!(strict_date_time, StrictDateTime, "Timestamps as UTC `date-time` strings, read without offsets only (servers).");
    encoding_module!(strict_http_date, StrictHttpDate, "Timestamps as `http-date` strings, read from that form only (servers).");

    macro_rules! non_finite_as_string {
        ($float:ty) => {
            impl Encode<NonFiniteAsString> for $float {
                fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    if self.is_nan() {
                        serializer.serialize_str("NaN")
                    } else if self.is_infinite() {
                        serializer.serialize_str(if *self > 0.0 { "Infinity" } else { "-Infinity" })
                    } else {
                        self.serialize(serializer)
                    }
                }

                fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    #[derive(Deserialize)]
                    #[serde(untagged)]
                    enum Float {
                        Number($float),
                        Text(String),
                    }
                    match Float::deserialize(deserializer)? {
                        Float::Number(value) => Ok(value),
                        Float::Text(text) => match text.as_str() {
                            "NaN" => Ok(<$float>::NAN),
                            "Infinity" => Ok(<$float>::INFINITY),
                            "-Infinity" => Ok(<$float>::NEG_INFINITY),
                            other => Err(serde::de::Error::custom(format!("`{other}` is not a number"))),
                        },
                    }
                }
            }
        };
    }

    non_finite_as_string!(f32);
    non_finite_as_string!(f64);
}
