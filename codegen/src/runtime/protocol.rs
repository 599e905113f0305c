/// Text forms of simple values, as restJson1 writes them in URIs, query strings and headers.
pub trait Text: Sized {
    /// The value as text.
    fn to_text(&self) -> String;
    /// Reads a value; `None` unless `text` is exactly a value's text form.
    fn from_text(text: &str) -> Option<Self>;
}

impl Text for String {
    fn to_text(&self) -> String {
        self.clone()
    }

    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

impl Text for bool {
    fn to_text(&self) -> String {
        self.to_string()
    }

    fn from_text(text: &str) -> Option<Self> {
        match text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

macro_rules! integer_text {
    ($($ty:ty),*) => {$(
        impl Text for $ty {
            fn to_text(&self) -> String {
                self.to_string()
            }

            fn from_text(text: &str) -> Option<Self> {
                // Digits with an optional minus sign: no `+`, no spaces.
                let digits = text.strip_prefix('-').unwrap_or(text);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                text.parse().ok()
            }
        }
    )*};
}

integer_text!(i8, i16, i32, i64);

macro_rules! float_text {
    ($($ty:ty),*) => {$(
        impl Text for $ty {
            fn to_text(&self) -> String {
                if self.is_nan() {
                    "NaN".to_owned()
                } else if self.is_infinite() {
                    if *self > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
                } else {
                    self.to_string()
                }
            }

            fn from_text(text: &str) -> Option<Self> {
                match text {
                    "NaN" => Some(<$ty>::NAN),
                    "Infinity" => Some(<$ty>::INFINITY),
                    "-Infinity" => Some(<$ty>::NEG_INFINITY),
                    // Rust also reads `inf`, `nan` and `infinity`; the wire has only the forms above.
                    _ if text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) => {
                        text.parse().ok()
                    }
                    _ => None,
                }
            }
        }
    )*};
}

float_text!(f32, f64);

/// Percent-encodes text for a URI path segment or a query component: every byte but RFC 3986's
/// unreserved characters is encoded. A greedy label keeps its `/` separators.
pub fn percent_encode(text: &str, keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` when an escape is broken or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    fn hex(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            b'A'..=b'F' => Some(byte - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let high = hex(*bytes.get(index + 1)?)?;
            let low = hex(*bytes.get(index + 2)?)?;
            out.push(high << 4 | low);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A request URI under construction: the endpoint, then the operation's path and query.
#[derive(Debug, Clone)]
pub struct UriBuilder {
    base: String,
    path: String,
    query: Vec<(String, Option<String>)>,
}

impl UriBuilder {
    /// Starts from an endpoint such as `https://example.com` or `http://127.0.0.1:8080/prefix`.
    pub fn new(endpoint: &str) -> Result<Self, crate::error::UnhandledError> {
        let uri: http::Uri = endpoint
            .parse()
            .map_err(|error| crate::error::UnhandledError::invalid_input(format!("invalid endpoint `{endpoint}`: {error}")))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(crate::error::UnhandledError::invalid_input(format!(
                "invalid endpoint `{endpoint}`: it needs a scheme and a host"
            )));
        };
        Ok(Self {
            base: format!("{scheme}://{authority}"),
            path: uri.path().trim_end_matches('/').to_owned(),
            query: Vec::new(),
        })
    }

    /// Puts the operation's `@endpoint` host prefix (its labels filled in) before the
    /// endpoint's host. Only letters, digits, `-` and `.` are allowed, so that a label value
    /// cannot change the host it is sent to beyond its own prefix.
    pub fn push_host_prefix(&mut self, prefix: &str) -> Result<(), crate::error::UnhandledError> {
        let valid = !prefix.is_empty()
            && !prefix.starts_with(['.', '-'])
            && !prefix.contains("..")
            && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !valid {
            return Err(crate::error::UnhandledError::invalid_input(format!(
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
    /// segment (a greedy label can), a query or a fragment. Empty values, `.` and `..` are
    /// refused, since a server or proxy that normalises the path would drop or reroute them.
    pub fn push_label(&mut self, name: &str, value: impl AsRef<str>, greedy: bool) -> Result<(), crate::error::UnhandledError> {
        let value = value.as_ref();
        let refused = |why: &str| {
            crate::error::UnhandledError::invalid_input(format!("the URI label `{name}` {why}"))
        };
        if value.is_empty() {
            return Err(refused("is empty"));
        }
        let dot_segment = |segment: &str| segment == "." || segment == "..";
        if (greedy && value.split('/').any(dot_segment)) || (!greedy && dot_segment(value)) {
            return Err(refused(&format!("is `{value}` or contains a `.`/`..` segment")));
        }
        self.path.push_str(&percent_encode(value, greedy));
        Ok(())
    }

    /// Appends a literal query parameter of the URI template, already encoded.
    pub fn push_query_literal(&mut self, key: &str, value: Option<&str>) {
        self.query.push((key.to_owned(), value.map(str::to_owned)));
    }

    /// Appends a query parameter.
    pub fn push_query(&mut self, key: &str, value: impl AsRef<str>) {
        self.query.push((percent_encode(key, false), Some(percent_encode(value.as_ref(), false))));
    }

    /// Whether a query parameter is set already.
    pub fn has_query(&self, key: &str) -> bool {
        let key = percent_encode(key, false);
        self.query.iter().any(|(name, _)| *name == key)
    }

    /// The URI.
    pub fn build(self) -> Result<http::Uri, crate::error::UnhandledError> {
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
            .map_err(|error| crate::error::UnhandledError::invalid_input(format!("invalid URI `{uri}`: {error}")))
    }
}

/// A header list item, quoted when it holds a comma or a double quote.
pub fn quote_header_item(item: impl AsRef<str>) -> String {
    let item = item.as_ref();
    if item.contains([',', '"']) || item.starts_with(' ') || item.ends_with(' ') {
        format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        item.to_owned()
    }
}

/// The items of a comma-separated header list, unquoted. `http-date` values, which contain a
/// comma themselves, are split after every second comma.
pub fn split_header_list(value: &str, http_dates: bool) -> Option<Vec<String>> {
    if http_dates {
        let parts: Vec<&str> = value.split(',').collect();
        if parts.len() & 1 == 1 {
            return None;
        }
        return Some(parts.chunks(2).map(|pair| format!("{},{}", pair[0].trim(), pair[1]).trim().to_owned()).collect());
    }
    let mut items = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') || chars.peek() == Some(&'\t') {
            chars.next();
        }
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => item.push(chars.next()?),
                    c => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    items.push(item);
                    return Some(items);
                }
                Some(',') => items.push(item),
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        items.push(item.trim().to_owned());
                        return Some(items);
                    }
                    Some(',') => break,
                    Some(c) => item.push(c),
                }
            }
            items.push(item.trim().to_owned());
        }
    }
}

/// Every value of a header, joined as one comma-separated list; `None` when it is absent.
pub fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Result<Option<std::borrow::Cow<'a, str>>, String> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    let text = |value: &'a http::HeaderValue| {
        value.to_str().map_err(|_| format!("the header `{name}` is not visible ASCII"))
    };
    let mut joined = std::borrow::Cow::Borrowed(text(first)?);
    for value in values {
        let joined = joined.to_mut();
        joined.push_str(", ");
        joined.push_str(text(value)?);
    }
    Ok(Some(joined))
}

/// The headers whose names start with `prefix` (case-insensitively), by the rest of their name.
pub fn prefix_headers(headers: &http::HeaderMap, prefix: &str) -> Result<std::collections::HashMap<String, String>, String> {
    let prefix = prefix.to_ascii_lowercase();
    let mut map = std::collections::HashMap::new();
    for name in headers.keys() {
        if let Some(rest) = name.as_str().strip_prefix(prefix.as_str()) {
            if let Some(value) = header(headers, name.as_str())? {
                map.insert(rest.to_owned(), value.into_owned());
            }
        }
    }
    Ok(map)
}

/// Whether a header's media type (its value before any `;` parameters) is `expected`.
pub fn media_type_is(headers: &http::HeaderMap, expected: &str) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case(expected))
}

/// Reads a JSON body; an empty body is an empty object.
pub fn read_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|error| format!("invalid JSON body: {error}"))
}

/// Reads a JSON document as a payload; an empty body is absent.
pub fn read_json_payload<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|error| format!("invalid JSON payload: {error}"))
}

/// The error code of an error response, from `X-Amzn-ErrorType`, or the body's `code` or
/// `__type`, with any namespace (`aws.example#`) and any `:`-suffix (a URL) taken off.
pub fn error_code(headers: &http::HeaderMap, body: &[u8]) -> Option<String> {
    let raw = match headers.get("x-amzn-errortype").and_then(|value| value.to_str().ok()) {
        Some(code) => code.to_owned(),
        None => {
            let body: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
            let code = body.get("code").or_else(|| body.get("__type"))?;
            code.as_str()?.to_owned()
        }
    };
    let code = raw.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default().trim();
    (!code.is_empty()).then(|| code.to_owned())
}

/// An error response that the operation's model does not describe.
pub fn unhandled(response: &http::Response<Vec<u8>>) -> crate::error::UnhandledError {
    let mut error = crate::error::UnhandledError::new(response.status().as_u16());
    if let Some(code) = error_code(response.headers(), response.body()) {
        error = error.with_code(code);
    }
    let body: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(response.body()).ok();
    let message = body.as_ref().and_then(|body| {
        ["message", "Message", "errorMessage"]
            .iter()
            .find_map(|key| body.get(*key).and_then(serde_json::Value::as_str))
    });
    if let Some(message) = message {
        error = error.with_message(message);
    }
    error
}

/// A response, or a bare 500 when the parts do not make one (a header value that is not valid).
pub fn response(builder: http::response::Builder, body: Vec<u8>) -> http::Response<Vec<u8>> {
    builder.body(body).unwrap_or_else(|error| {
        let mut response = http::Response::new(format!("{{\"message\":\"{error}\"}}").into_bytes());
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        response
            .headers_mut()
            .insert("x-amzn-errortype", http::HeaderValue::from_static("InternalFailure"));
        response
    })
}

/// Adds `Content-Type` and `Content-Length` to a request or response with a body.
pub fn content_headers<B: HasHeaders>(mut builder: B, content_type: &str, length: usize) -> B {
    if let Some(headers) = builder.headers() {
        if !headers.contains_key(http::header::CONTENT_TYPE) {
            if let Ok(value) = http::HeaderValue::from_str(content_type) {
                headers.insert(http::header::CONTENT_TYPE, value);
            }
        }
        headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(length));
    }
    builder
}

/// Request and response builders, whose headers can be edited in place.
pub trait HasHeaders {
    /// The headers so far, unless the builder holds an error.
    fn headers(&mut self) -> Option<&mut http::HeaderMap>;
}

impl HasHeaders for http::request::Builder {
    fn headers(&mut self) -> Option<&mut http::HeaderMap> {
        self.headers_mut()
    }
}

impl HasHeaders for http::response::Builder {
    fn headers(&mut self) -> Option<&mut http::HeaderMap> {
        self.headers_mut()
    }
}

/// Writes a JSON object member by member.
pub struct JsonObject {
    out: Vec<u8>,
    first: bool,
}

impl Default for JsonObject {
    fn default() -> Self {
        Self { out: vec![b'{'], first: true }
    }
}

impl JsonObject {
    /// Adds a member.
    pub fn member<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), String> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, key).map_err(|error| error.to_string())?;
        self.out.push(b':');
        serde_json::to_writer(&mut self.out, value).map_err(|error| format!("cannot write `{key}`: {error}"))
    }

    /// The object's text.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// The error response for an error the model does not describe.
pub fn unhandled_response(error: &crate::error::UnhandledError) -> http::Response<Vec<u8>> {
    let status = match error.status() {
        status @ 400..=599 => status,
        _ => 500,
    };
    let mut body = serde_json::Map::new();
    if let Some(message) = error.message() {
        body.insert("message".to_owned(), message.into());
    }
    let body = serde_json::Value::Object(body).to_string().into_bytes();
    let builder = http::Response::builder()
        .status(status)
        .header("x-amzn-errortype", error.code().unwrap_or("InternalFailure"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CONTENT_LENGTH, body.len());
    response(builder, body)
}

/// A 500 response for a result that could not be written.
pub fn internal_error(message: &str) -> http::Response<Vec<u8>> {
    let body = serde_json::json!({ "message": message }).to_string().into_bytes();
    let builder = http::Response::builder()
        .status(500)
        .header("x-amzn-errortype", "InternalFailure")
        .header(http::header::CONTENT_TYPE, "application/json");
    response(builder, body)
}
