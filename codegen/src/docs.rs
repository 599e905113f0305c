//! Documentation: the models' HTML documentation traits become rustdoc Markdown.
//!
//! Handles paragraphs, emphasis, code, links, lists, line breaks and entities; unknown tags are
//! dropped and their text kept. Text that Markdown or rustdoc would misread (`[`, `<`, bare
//! URLs) is escaped.

/// Converts a documentation string, HTML or plain, to Markdown.
pub fn to_markdown(html: &str) -> String {
    let mut out = Writer::default();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('<') {
            if let Some(end) = stripped.find('>') {
                out.tag(&stripped[..end]);
                rest = &stripped[end + 1..];
                continue;
            }
        }
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let end = rest[first..].find('<').map_or(rest.len(), |i| i + first);
        out.text(&rest[..end]);
        rest = &rest[end..];
    }
    out.finish()
}

#[derive(Default)]
struct Writer {
    blocks: Vec<String>,
    line: String,
    lists: Vec<Option<usize>>,
    link: Option<String>,
    in_code: bool,
    in_pre: bool,
    /// A list marker was written and no text follows it yet.
    item_open: bool,
    /// The open list items, innermost last: the depth of their list and the column their
    /// content starts at, where their later paragraphs and nested lists are indented to.
    items: Vec<(usize, usize)>,
}

impl Writer {
    fn tag(&mut self, tag: &str) {
        // A self-closing tag has no content: only `<br/>` means something.
        if tag.ends_with('/') {
            if tag.trim_end_matches('/').trim().eq_ignore_ascii_case("br") {
                self.end_block();
            }
            return;
        }
        // A block ends any code span that was never closed.
        if self.in_code
            && matches!(
                tag.trim().to_ascii_lowercase().as_str(),
                "/p" | "/li" | "p" | "li" | "/ul" | "/ol"
            )
        {
            self.in_code = false;
            self.line.push('`');
        }
        // Inside code, only the closing tag counts: `<code><Code></code>` shows an XML element.
        if self.in_code && !tag.trim().eq_ignore_ascii_case("/code") {
            self.line.push('<');
            self.line.push_str(&tag.replace('`', "'"));
            self.line.push('>');
            return;
        }
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/').trim_end_matches('/');
        let name = body.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("p" | "div" | "note" | "important" | "fullname" | "br", _) if !self.item_open => self.end_block(),
            ("p" | "div" | "note" | "important" | "fullname" | "br", _) => {}
            ("ul", false) => {
                self.end_block();
                self.lists.push(None);
            }
            ("ol", false) => {
                self.end_block();
                self.lists.push(Some(0));
            }
            ("ul" | "ol", true) => {
                self.end_block();
                let depth = self.lists.len();
                self.items.retain(|(list, _)| *list < depth);
                self.lists.pop();
            }
            ("li", false) => {
                self.end_block();
                // An item still open in this list (`<li>` without `</li>`) ends here.
                let depth = self.lists.len();
                self.items.retain(|(list, _)| *list < depth);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{n}. ")
                    }
                    _ => "- ".to_owned(),
                };
                let indent = self.indent();
                self.line.push_str(&" ".repeat(indent));
                self.line.push_str(&marker);
                self.items.push((depth, indent + marker.len()));
                self.item_open = true;
            }
            ("li", true) => {
                self.end_block();
                self.items.pop();
            }
            ("b" | "strong", _) => {
                self.start_line();
                self.line.push_str("**");
            }
            ("i" | "em", _) => {
                self.start_line();
                self.line.push('_');
            }
            ("code", _) if !self.in_pre => {
                self.start_line();
                self.in_code = !closing;
                self.line.push('`');
            }
            ("pre", false) => {
                self.end_block();
                self.in_pre = true;
                self.start_line();
                self.line.push_str("```text\n");
            }
            ("pre", true) => {
                self.in_pre = false;
                self.line.push_str("\n```");
                self.end_block();
            }
            ("a", false) => {
                self.link = attribute(body, "href");
                if self.link.is_some() {
                    self.start_line();
                    self.line.push('[');
                }
            }
            ("a", true) => {
                if let Some(href) = self.link.take() {
                    self.line.push_str(&format!("]({href})"));
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, raw: &str) {
        let text = unescape(raw);
        if !text.trim().is_empty() {
            self.item_open = false;
        }
        if self.in_pre {
            self.line.push_str(&text);
            return;
        }
        if !text.trim().is_empty() {
            self.start_line();
        }
        let collapsed = collapse_whitespace(&text, self.line.is_empty() || self.line.ends_with(' '));
        if self.in_code {
            self.line.push_str(&collapsed.replace('`', "'"));
        } else if self.link.is_some() {
            self.line.push_str(&escape_markdown(&collapsed));
        } else {
            self.line.push_str(&escape_urls(&escape_markdown(&collapsed)));
        }
    }

    /// The column the content of the innermost open list item starts at, or 0.
    fn indent(&self) -> usize {
        self.items.last().map_or(0, |(_, column)| *column)
    }

    /// Indents a new line inside a list item to the item's content, so that a second paragraph
    /// of an item stays in it (and a list nested after it is not read as code).
    fn start_line(&mut self) {
        if self.line.is_empty() {
            let indent = self.indent();
            self.line.push_str(&" ".repeat(indent));
        }
    }

    fn end_block(&mut self) {
        self.item_open = false;
        let line = self.line.trim_end().to_owned();
        self.line.clear();
        if line.trim().is_empty() {
            return;
        }
        self.blocks.push(line);
    }

    fn finish(mut self) -> String {
        self.end_block();
        // List items are kept together; other blocks are separated by a blank line.
        let mut out = String::new();
        let mut previous_item = false;
        for block in &self.blocks {
            let item = is_list_item(block);
            if !out.is_empty() {
                out.push_str(if item && previous_item { "\n" } else { "\n\n" });
            }
            out.push_str(block);
            previous_item = item;
        }
        out
    }
}

fn is_list_item(block: &str) -> bool {
    let trimmed = block.trim_start();
    trimmed.starts_with("- ")
        || trimmed
            .split_once(". ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[start..];
    let quote = rest.chars().next()?;
    let value = if quote == '"' || quote == '\'' {
        let inner = &rest[1..];
        &inner[..inner.find(quote)?]
    } else {
        rest.split_whitespace().next()?
    };
    let value = unescape(value.trim());
    (!value.is_empty() && !value.contains(char::is_whitespace)).then_some(value)
}

fn collapse_whitespace(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = at_line_start;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&semi| semi <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes characters that Markdown or rustdoc would read as markup in plain text.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '*' | '_' | '`' | '\\' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as a Markdown code span, fenced with more backticks than it holds in a row.
pub(crate) fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Wraps bare URLs in `<...>` so rustdoc renders them as links instead of warning.
fn escape_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            let url = word.trim_end_matches(['.', ',', ')', ';', ':']);
            let trailing = &word[url.len()..];
            out.push('<');
            out.push_str(&url.replace('\\', ""));
            out.push('>');
            out.push_str(trailing);
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn paragraphs_and_lists_inside_items_stay_in_them() {
        let html =
            "<ul><li><p>One</p><p>More of one:</p><ul><li><p>Inner</p></li></ul></li><li>Two</li></ul><p>After</p>";
        assert_eq!(
            to_markdown(html),
            "- One\n\n  More of one:\n\n  - Inner\n- Two\n\nAfter"
        );
        let ordered = "<ol><li><p>First</p><p><code>more</code></p><ul><li>Sub</li></ul></li></ol>";
        assert_eq!(to_markdown(ordered), "1. First\n\n   `more`\n\n   - Sub");
        // Unclosed items end at the next item of their list.
        assert_eq!(to_markdown("<ul><li>a<li>b</ul>"), "- a\n- b");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(super::code_span("a[b]"), "`a[b]`");
        assert_eq!(super::code_span("x`y"), "`` x`y ``");
        assert_eq!(super::code_span("``"), "``` `` ```");
    }

    #[test]
    fn paragraphs_emphasis_and_code() {
        assert_eq!(
            to_markdown("<p>The <b>app</b> ID.</p><p>Use <code>GetBackend</code>.</p>"),
            "The **app** ID.\n\nUse `GetBackend`."
        );
    }

    #[test]
    fn lists_and_links() {
        assert_eq!(
            to_markdown(
                r#"<p>Modes:</p><ul><li><p>ON</p></li><li>OFF, see <a href="https://example.com/x">docs</a></li></ul>"#
            ),
            "Modes:\n\n- ON\n- OFF, see [docs](https://example.com/x)"
        );
    }

    #[test]
    fn self_closing_and_unclosed_tags() {
        assert_eq!(to_markdown("<p>The <code/> string.</p>"), "The string.");
        assert_eq!(to_markdown("<p>Use <code>x</p><p>next</p>"), "Use `x`\n\nnext");
        assert_eq!(to_markdown("a<br/>b"), "a\n\nb");
    }

    #[test]
    fn tags_inside_code_are_text() {
        assert_eq!(
            to_markdown("<p>In the <code><Code></code> tag.</p>"),
            "In the `<Code>` tag."
        );
    }

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(
            to_markdown("Matches [a-z]* &amp; <notatag"),
            "Matches \\[a-z\\]\\* & \\<notatag"
        );
        assert_eq!(to_markdown("See https://example.com."), "See <https://example.com>.");
        assert_eq!(to_markdown("snake_case"), "snake\\_case");
    }
}
