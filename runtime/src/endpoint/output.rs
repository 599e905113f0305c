//! What resolving gives: an [`Endpoint`], and the [`AuthScheme`]s its properties name.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A resolved endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Endpoint {
    /// The URL, such as `https://amplifybackend.us-east-1.amazonaws.com`.
    pub url: String,
    /// Headers to send with the request, by name, each with its values in order.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The endpoint's properties, such as `authSchemes`.
    pub properties: Map<String, Value>,
}

impl Endpoint {
    /// The entries of the `authSchemes` property that are objects with a string `name`, in
    /// order of preference; empty when there is no such property.
    pub fn auth_schemes(&self) -> Vec<AuthScheme> {
        match self.properties.get("authSchemes") {
            Some(Value::Array(schemes)) => schemes
                .iter()
                .filter_map(Value::as_object)
                .filter_map(AuthScheme::from_object)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One entry of an endpoint's `authSchemes` property: how to sign for this endpoint.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthScheme {
    /// `sigv4`, `sigv4a`, `sigv4-s3express`, …
    pub name: String,
    /// `signingName`: the service to sign for.
    pub signing_name: Option<String>,
    /// `signingRegion`: the region to sign for (SigV4).
    pub signing_region: Option<String>,
    /// `signingRegionSet`: the regions to sign for (SigV4a).
    pub signing_region_set: Option<Vec<String>>,
    /// `disableDoubleEncoding`: whether the path is encoded once only when signing.
    pub disable_double_encoding: Option<bool>,
    /// `disableNormalizePath`: whether the path is signed without normalizing it.
    pub disable_normalize_path: Option<bool>,
    /// Every property of the entry, those above included.
    pub properties: Map<String, Value>,
}

impl AuthScheme {
    fn from_object(object: &Map<String, Value>) -> Option<AuthScheme> {
        let string = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let boolean = |key: &str| object.get(key).and_then(Value::as_bool);
        Some(AuthScheme {
            name: string("name")?,
            signing_name: string("signingName"),
            signing_region: string("signingRegion"),
            signing_region_set: object
                .get("signingRegionSet")
                .and_then(Value::as_array)
                .map(|regions| regions.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            disable_double_encoding: boolean("disableDoubleEncoding"),
            disable_normalize_path: boolean("disableNormalizePath"),
            properties: object.clone(),
        })
    }
}
