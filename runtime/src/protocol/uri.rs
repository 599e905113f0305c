//! URIs: building a request's from an endpoint, labels and query parameters, and reading them
//! back on a server.

use crate::error::UnhandledError;
use crate::schema::Segment;

pub use crate::codec::text::{percent_decode, percent_encode};

/// A request URI under construction: the endpoint, then the operation's path and query.
#[derive(Debug, Clone)]
pub struct UriBuilder {
    base: String,
    path: String,
    query: Vec<(String, Option<String>)>,
}

impl UriBuilder {
    /// Starts from an endpoint such as `https://example.com` or `http://127.0.0.1:8080/prefix`.
    pub fn new(endpoint: &str) -> Result<Self, UnhandledError> {
        if let Some(builder) = Self::plain(endpoint) {
            return Ok(builder);
        }
        let uri: http::Uri = endpoint
            .parse()
            .map_err(|error| UnhandledError::invalid_input(format!("invalid endpoint `{endpoint}`: {error}")))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(UnhandledError::invalid_input(format!(
                "invalid endpoint `{endpoint}`: it needs a scheme and a host"
            )));
        };
        Ok(Self {
            base: format!("{scheme}://{authority}"),
            path: uri.path().trim_end_matches('/').to_owned(),
            query: Vec::new(),
        })
    }

    /// The builder of an endpoint of the usual form, `http://` or `https://`, a host (a name or
    /// an IPv4 address) with an optional port, and a path of unreserved characters, read without
    /// a full URI parse (which every call would otherwise pay); `None` for any other, which
    /// [`UriBuilder::new`] parses.
    fn plain(endpoint: &str) -> Option<Self> {
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority.split_once(':').map_or(authority, |(host, port)| {
            // A port is digits; an empty one (`host:`) is left to the full parse.
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                ""
            } else {
                host
            }
        });
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let path_ok = path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~'));
        (host_ok && path_ok).then(|| Self {
            base: endpoint[..endpoint.len() - path.len()].to_owned(),
            path: path.trim_end_matches('/').to_owned(),
            query: Vec::new(),
        })
    }

    /// Puts the operation's `@endpoint` host prefix (its labels filled in) before the
    /// endpoint's host. Only letters, digits, `-` and `.` are allowed, so that a label value
    /// cannot change the host it is sent to beyond its own prefix.
    pub fn push_host_prefix(&mut self, prefix: &str) -> Result<(), UnhandledError> {
        let valid = !prefix.is_empty()
            && !prefix.starts_with(['.', '-'])
            && !prefix.contains("..")
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !valid {
            return Err(UnhandledError::invalid_input(format!(
                "the host prefix `{prefix}` is not a valid host name"
            )));
        }
        if let Some((scheme, authority)) = self.base.split_once("://") {
            self.base = format!("{scheme}://{prefix}{authority}");
        }
        Ok(())
    }

    /// Appends literal text of the URI template to the path.
    pub fn push_path(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends a label's value, percent-encoded so that it stays one label: it cannot add a
    /// segment (a greedy label can), a query or a fragment. Empty values are refused, and so are
    /// `.` and `..` as a whole label, which a server or proxy that normalises the path would
    /// drop or reroute. A greedy label keeps its dot segments as they are (an S3 object key may
    /// be `../key.txt`): the services that have them read the path unnormalised.
    pub fn push_label(&mut self, name: &str, value: &str, greedy: bool) -> Result<(), UnhandledError> {
        let refused = |why: &str| UnhandledError::invalid_input(format!("the URI label `{name}` {why}"));
        if value.is_empty() {
            return Err(refused("is empty"));
        }
        if !greedy && (value == "." || value == "..") {
            return Err(refused(&format!("is `{value}`, a dot segment")));
        }
        self.path.push_str(&percent_encode(value, greedy));
        Ok(())
    }

    /// Appends a literal query parameter of the URI template, already encoded.
    pub fn push_query_literal(&mut self, key: &str, value: Option<&str>) {
        self.query.push((key.to_owned(), value.map(str::to_owned)));
    }

    /// Appends a query parameter.
    pub fn push_query(&mut self, key: &str, value: &str) {
        self.query
            .push((percent_encode(key, false), Some(percent_encode(value, false))));
    }

    /// Whether a query parameter is set already.
    pub fn has_query(&self, key: &str) -> bool {
        let key = percent_encode(key, false);
        self.query.iter().any(|(name, _)| *name == key)
    }

    /// The URI.
    pub fn build(self) -> Result<http::Uri, UnhandledError> {
        let mut uri = self.base;
        uri.push_str(if self.path.is_empty() { "/" } else { &self.path });
        for (index, (key, value)) in self.query.iter().enumerate() {
            uri.push(if index == 0 { '?' } else { '&' });
            uri.push_str(key);
            if let Some(value) = value {
                uri.push('=');
                uri.push_str(value);
            }
        }
        uri.parse()
            .map_err(|error| UnhandledError::invalid_input(format!("invalid URI `{uri}`: {error}")))
    }
}

/// The decoded label values of `path` if it matches `template`, in template order.
pub fn match_path(path: &str, template: &[Segment]) -> Option<Vec<String>> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    let mut labels = Vec::new();
    let mut index = 0;
    for (position, part) in template.iter().enumerate() {
        match part {
            Segment::Literal(text) => {
                if segments.get(index) != Some(text) {
                    return None;
                }
                index += 1;
            }
            Segment::Label(_) => {
                let segment = segments.get(index)?;
                if segment.is_empty() {
                    return None;
                }
                labels.push(percent_decode(segment)?);
                index += 1;
            }
            Segment::Greedy(_) => {
                let rest = template.len() - position - 1;
                let end = segments.len().checked_sub(rest)?;
                if end <= index {
                    return None;
                }
                let decoded: Option<Vec<String>> = segments[index..end]
                    .iter()
                    .map(|segment| percent_decode(segment))
                    .collect();
                labels.push(decoded?.join("/"));
                index = end;
            }
        }
    }
    (index == segments.len()).then_some(labels)
}

/// The decoded `(key, value)` pairs of a query string, in order; a key alone has an empty value.
/// `None` when an escape is broken.
pub fn parse_query(query: Option<&str>) -> Option<Vec<(String, String)>> {
    let Some(query) = query else {
        return Some(Vec::new());
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_endpoints_read_as_a_full_parse_reads_them() {
        let parsed = |endpoint: &str| {
            let uri: http::Uri = endpoint.parse().unwrap();
            (
                format!("{}://{}", uri.scheme_str().unwrap(), uri.authority().unwrap()),
                uri.path().trim_end_matches('/').to_owned(),
            )
        };
        for endpoint in [
            "https://example.com",
            "https://example.com/",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/prefix/",
            "https://dynamodb.us-east-1.amazonaws.com",
            "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b.c/~d_e",
            "http://localhost:4566//",
        ] {
            let plain = UriBuilder::plain(endpoint).unwrap_or_else(|| panic!("{endpoint} is plain"));
            assert_eq!((plain.base, plain.path), parsed(endpoint), "{endpoint}");
        }
        // Anything else is left to the full parse, which accepts or refuses it.
        for endpoint in [
            "https://",
            "https://host:",
            "https://host:8x",
            "https://user@host",
            "https://[::1]:8080",
            "https://host?query",
            "https://host/a%20b",
            "HTTPS://host",
            "ftp://host",
            "host",
        ] {
            assert!(UriBuilder::plain(endpoint).is_none(), "{endpoint}");
        }
        assert_eq!(
            UriBuilder::new("https://[::1]:8080/x").unwrap().base,
            "https://[::1]:8080"
        );
        assert!(UriBuilder::new("https://").is_err());
        assert!(UriBuilder::new("host").is_err());
    }

    #[test]
    fn labels_stay_one_segment_and_lone_dot_segments_are_refused() {
        let mut uri = UriBuilder::new("https://example.com/base/").unwrap();
        uri.push_path("/things/");
        uri.push_label("Id", "a/../b?x=1#y% z", false).unwrap();
        uri.push_query("q", "a&b");
        assert_eq!(
            uri.build().unwrap().to_string(),
            "https://example.com/base/things/a%2F..%2Fb%3Fx%3D1%23y%25%20z?q=a%26b"
        );
        let mut uri = UriBuilder::new("https://example.com").unwrap();
        assert!(uri.push_label("Id", "..", false).is_err());
        assert!(uri.push_label("Id", "", false).is_err());
        assert!(uri.push_label("Id", ".", false).is_err());
        assert!(uri.push_host_prefix("a.b/").is_err());
        // A greedy label keeps its dot segments, unnormalised.
        let mut uri = UriBuilder::new("https://example.com").unwrap();
        uri.push_path("/");
        uri.push_label("Key", "../a/./b", true).unwrap();
        assert_eq!(uri.build().unwrap().path(), "/../a/./b");
    }

    #[test]
    fn paths_match_templates() {
        let template = [
            Segment::Literal("a"),
            Segment::Label("B"),
            Segment::Greedy("C"),
            Segment::Literal("d"),
        ];
        assert_eq!(
            match_path("/a/x%20y/1/2/d", &template),
            Some(vec!["x y".to_owned(), "1/2".to_owned()])
        );
        assert_eq!(match_path("/a/x/d", &template), None);
        assert_eq!(match_path("/a//1/d", &template), None);
        assert_eq!(parse_query(Some("a=1&b&c=%zz")), None);
        assert_eq!(
            parse_query(Some("a=1&b")),
            Some(vec![("a".into(), "1".into()), ("b".into(), String::new())])
        );
    }
}
