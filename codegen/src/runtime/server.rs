/// Why a request was refused before it reached the service: it names no operation, or it
/// cannot be read, or its values break the model's constraints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    error_type: &'static str,
    message: String,
    fields: Vec<(String, String)>,
}

impl Rejection {
    fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        Self { status, error_type, message: message.into(), fields: Vec::new() }
    }

    /// The request cannot be read: bad JSON, a value of the wrong type, a bad header or label.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }

    /// The request's `Content-Type` is not the operation's.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(415, "UnsupportedMediaTypeException", message)
    }

    /// The request's `Accept` excludes what the operation answers.
    pub fn not_acceptable(message: impl Into<String>) -> Self {
        Self::new(406, "NotAcceptableException", message)
    }

    /// No operation matches the request's method, path and query.
    pub fn unknown_operation() -> Self {
        Self::new(404, "UnknownOperationException", "no operation matches the request")
    }

    /// The request's values break the model's constraints: each violation is a member path,
    /// such as `/member/0`, and a message.
    pub fn validation(violations: Vec<(String, String)>) -> Self {
        let count = violations.len();
        let plural = if count == 1 { "" } else { "s" };
        let details: Vec<&str> = violations.iter().map(|(_, message)| message.as_str()).collect();
        let message = format!("{count} validation error{plural} detected. {}", details.join("; "));
        Self { status: 400, error_type: "ValidationException", message, fields: violations }
    }

    /// The HTTP status code of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error type the answer names in `X-Amzn-ErrorType`.
    pub fn error_type(&self) -> &str {
        self.error_type
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The answer: the status, `X-Amzn-ErrorType` and a JSON body with the message.
    pub fn into_response(self) -> http::Response<Vec<u8>> {
        let mut body = serde_json::Map::new();
        body.insert("message".to_owned(), self.message.into());
        if self.error_type == "ValidationException" {
            let fields = self
                .fields
                .into_iter()
                .map(|(path, message)| serde_json::json!({ "path": path, "message": message }))
                .collect();
            body.insert("fieldList".to_owned(), serde_json::Value::Array(fields));
        }
        let body = serde_json::Value::Object(body).to_string().into_bytes();
        let builder = http::Response::builder()
            .status(self.status)
            .header("x-amzn-errortype", self.error_type)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::CONTENT_LENGTH, body.len());
        crate::protocol::response(builder, body)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.error_type, self.status, self.message)
    }
}

impl std::error::Error for Rejection {}

/// One segment of an operation's URI template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, matched exactly.
    Literal(&'static str),
    /// A label: one whole segment.
    Label,
    /// A greedy label: one or more segments.
    Greedy,
}

/// The decoded label values of `path` if it matches `template`, in template order.
pub fn match_path(path: &str, template: &[Segment]) -> Option<Vec<String>> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = if trimmed.is_empty() { Vec::new() } else { trimmed.split('/').collect() };
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
            Segment::Label => {
                let segment = segments.get(index)?;
                if segment.is_empty() {
                    return None;
                }
                labels.push(crate::protocol::percent_decode(segment)?);
                index += 1;
            }
            Segment::Greedy => {
                let rest = template.len() - position - 1;
                let end = segments.len().checked_sub(rest)?;
                if end <= index {
                    return None;
                }
                let decoded: Option<Vec<String>> =
                    segments[index..end].iter().map(|segment| crate::protocol::percent_decode(segment)).collect();
                labels.push(decoded?.join("/"));
                index = end;
            }
        }
    }
    (index == segments.len()).then_some(labels)
}

/// The decoded `(key, value)` pairs of a query string, in order; a key alone has an empty value.
pub fn parse_query(query: Option<&str>) -> Result<Vec<(String, String)>, Rejection> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                crate::protocol::percent_decode(text)
                    .ok_or_else(|| Rejection::serialization(format!("the query parameter `{pair}` is not valid")))
            };
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}

/// Whether the query has `key`, with `value` if one is given.
pub fn has_query(query: &[(String, String)], key: &str, value: Option<&str>) -> bool {
    query
        .iter()
        .any(|(name, found)| name == key && value.is_none_or(|value| value == found))
}

/// Checks a request's `Content-Type` against the operation's (`None`: the operation reads no
/// body), and its `Accept` against what the operation answers.
pub fn check_media_types(
    request: &http::Request<Vec<u8>>,
    content_type: Option<&str>,
    accept: Option<&str>,
) -> Result<(), Rejection> {
    let headers = request.headers();
    // An operation without a body ignores the request's `Content-Type`.
    if let (Some(found), Some(_)) = (headers.get(http::header::CONTENT_TYPE), content_type) {
        let found = found.to_str().unwrap_or_default();
        let media_type = found.split(';').next().unwrap_or_default().trim();
        match content_type {
            Some(expected) if media_type.eq_ignore_ascii_case(expected) => {}
            Some(expected) if expected == "application/octet-stream" || expected == "text/plain" => {}
            _ => {
                return Err(Rejection::unsupported_media_type(format!(
                    "`Content-Type: {found}` is not {}",
                    content_type.unwrap_or_default()
                )))
            }
        }
    }
    if let (Some(expected), Some(found)) = (accept, headers.get(http::header::ACCEPT)) {
        let found = found.to_str().unwrap_or_default();
        let (kind, _) = expected.split_once('/').unwrap_or((expected, ""));
        let acceptable = found.split(',').any(|range| {
            let range = range.split(';').next().unwrap_or_default().trim();
            range == "*/*" || range.eq_ignore_ascii_case(expected) || range.eq_ignore_ascii_case(&format!("{kind}/*"))
        });
        if !acceptable {
            return Err(Rejection::not_acceptable(format!("`Accept: {found}` excludes {expected}")));
        }
    }
    Ok(())
}
