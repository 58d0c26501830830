//! A source file's code view: comments and the contents of string literals
//! blanked with spaces, byte offsets and lines kept. Patterns run over the
//! code view, so a route written in a comment, a docstring or a string
//! never matches; the value of a literal the pattern points at is read back
//! from the original text at the same offsets.
//!
//! This is a lexer, not a parser: it knows where comments and strings are
//! (Python's prefixes and triple quotes; JavaScript's template literals and
//! regular expression literals), which is what keeps text patterns honest.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    /// JavaScript and TypeScript.
    Js,
}

/// One file, as written and as code.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub code: String,
    lang: Lang,
}

/// A piece of a string literal: text, or an interpolated expression of an
/// f-string or template literal (its source text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Expr(String),
}

/// An expression as far as route and prefix resolution needs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A string literal (pieces for f-strings and templates).
    Str(Vec<Piece>),
    /// A dotted name: `prefix`, `settings.API_V1_STR`, `utils.router`.
    Name(String),
    /// `a + b + ...`.
    Concat(Vec<Expr>),
    /// `[a, b]` or `(a, b)`.
    List(Vec<Expr>),
    /// A call `name(...)`: the callee and the offset of its `(`.
    Call(String, usize),
    /// Anything else, as written.
    Other(String),
}

/// One argument of a call: its keyword, if any, and its span.
#[derive(Debug, Clone)]
pub struct Arg {
    pub keyword: Option<String>,
    pub span: Range<usize>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a str, text: &'a str, lang: Lang) -> Source<'a> {
        Source {
            path,
            text,
            code: code_view(text, lang),
            lang,
        }
    }

    pub fn line(&self, offset: usize) -> usize {
        crate::error::line_of(self.text, offset)
    }

    /// The arguments of the call whose `(` is at `open`, and the offset
    /// just past its `)`.
    pub fn args(&self, open: usize) -> Option<(Vec<Arg>, usize)> {
        let close = self.closing(open)?;
        let spans = split_top(&self.code, open + 1..close);
        let args = spans
            .into_iter()
            .filter(|s| !self.code[s.clone()].trim().is_empty())
            .map(|span| keyword_arg(&self.code, span))
            .collect();
        Some((args, close + 1))
    }

    /// The offset of the bracket closing the one at `open`.
    pub fn closing(&self, open: usize) -> Option<usize> {
        let bytes = self.code.as_bytes();
        let mut depth = 0usize;
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The expression in `span`.
    pub fn expr(&self, span: Range<usize>) -> Expr {
        let code = &self.code[span.clone()];
        let lead = code.len() - code.trim_start().len();
        let start = span.start + lead;
        let end = span.start + code.trim_end().len();
        if start >= end {
            return Expr::Other(String::new());
        }
        let parts = split_on(&self.code, start..end, b'+');
        if parts.len() > 1 {
            return Expr::Concat(parts.into_iter().map(|p| self.expr(p)).collect());
        }
        let code = &self.code[start..end];
        if let Some((pieces, after)) = self.string_at(start) {
            if self.code[after..end].trim().is_empty() {
                return Expr::Str(pieces);
            }
        }
        if (code.starts_with('[') || code.starts_with('(')) && self.closing(start) == Some(end - 1)
        {
            let items = split_top(&self.code, start + 1..end - 1);
            return Expr::List(
                items
                    .into_iter()
                    .filter(|s| !self.code[s.clone()].trim().is_empty())
                    .map(|s| self.expr(s))
                    .collect(),
            );
        }
        if is_dotted(code) {
            return Expr::Name(code.to_string());
        }
        if let Some(open) = code.find('(') {
            let callee = code[..open].trim();
            if is_dotted(callee) && self.closing(start + open) == Some(end - 1) {
                return Expr::Call(callee.to_string(), start + open);
            }
        }
        Expr::Other(self.text[start..end].to_string())
    }

    /// The string literal starting at `at` (a prefix letter or the quote):
    /// its pieces and the offset past its closing quote.
    pub fn string_at(&self, at: usize) -> Option<(Vec<Piece>, usize)> {
        let bytes = self.text.as_bytes();
        let mut i = at;
        let mut raw = false;
        let mut interpolated = false;
        if self.lang == Lang::Python {
            while i < bytes.len() && i < at + 2 && bytes[i].is_ascii_alphabetic() {
                match bytes[i].to_ascii_lowercase() {
                    b'r' => raw = true,
                    b'f' => interpolated = true,
                    b'b' | b'u' => {}
                    _ => return None,
                }
                i += 1;
            }
        }
        let quote = *bytes.get(i)?;
        let template = self.lang == Lang::Js && quote == b'`';
        if !(quote == b'"' || quote == b'\'' || template) {
            return None;
        }
        interpolated |= template;
        let triple = self.lang == Lang::Python && bytes[i..].starts_with(&[quote; 3]);
        let open_len = if triple { 3 } else { 1 };
        let body_start = i + open_len;
        let body_end = string_end(bytes, body_start, quote, triple, self.lang)?;
        let body = &self.text[body_start..body_end];
        let pieces = if interpolated {
            interpolate(body, template)
        } else {
            vec![Piece::Text(unescape(body, raw))]
        };
        Some((pieces, body_end + open_len))
    }
}

/// `a`, `a.b`, `a.b_c`: a dotted name and nothing else.
fn is_dotted(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
}

fn keyword_arg(code: &str, span: Range<usize>) -> Arg {
    let text = &code[span.clone()];
    let lead = text.len() - text.trim_start().len();
    let rest = &text[lead..];
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let after = rest[name_len..].trim_start();
    // `name=value` but not `name == value`; `name: value` in a JS object.
    if name_len > 0 && after.starts_with('=') && !after.starts_with("==") {
        let value_start = span.start + lead + name_len + (rest[name_len..].len() - after.len()) + 1;
        return Arg {
            keyword: Some(rest[..name_len].to_string()),
            span: value_start..span.end,
        };
    }
    Arg {
        keyword: None,
        span,
    }
}

/// The spans between top-level commas of `range` in the code view.
fn split_top(code: &str, range: Range<usize>) -> Vec<Range<usize>> {
    split_on(code, range, b',')
}

fn split_on(code: &str, range: Range<usize>, sep: u8) -> Vec<Range<usize>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = range.start;
    for i in range.clone() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b if b == sep && depth == 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(start..range.end);
    out
}

/// The offset of the closing quote of a string whose body starts at
/// `start`.
fn string_end(bytes: &[u8], start: usize, quote: u8, triple: bool, lang: Lang) -> Option<usize> {
    let mut i = start;
    let mut depth = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            i += 2;
            continue;
        }
        if quote == b'`' && lang == Lang::Js {
            if b == b'$' && bytes.get(i + 1) == Some(&b'{') {
                depth += 1;
                i += 2;
                continue;
            }
            if b == b'}' && depth > 0 {
                depth -= 1;
            }
        }
        if b == quote && depth == 0 {
            if !triple {
                return Some(i);
            }
            if bytes[i..].starts_with(&[quote; 3]) {
                return Some(i);
            }
        }
        if b == b'\n' && !triple && quote != b'`' {
            return None;
        }
        i += 1;
    }
    None
}

fn unescape(body: &str, raw: bool) -> String {
    if raw {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match (c, raw) {
            ('\\', false) => match chars.next() {
                Some(n @ ('\\' | '\'' | '"' | '`' | '/')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

/// The pieces of an f-string (`{expr}`, `{{` for a brace) or a template
/// literal (`${expr}`).
fn interpolate(body: &str, template: bool) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let opens = if template {
            bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{')
        } else {
            bytes[i] == b'{' && bytes.get(i + 1) != Some(&b'{')
        };
        if !template && (body[i..].starts_with("{{") || body[i..].starts_with("}}")) {
            text.push(bytes[i] as char);
            i += 2;
            continue;
        }
        if opens {
            let from = i + if template { 2 } else { 1 };
            let Some(len) = body[from..].find('}') else {
                break;
            };
            if !text.is_empty() {
                out.push(Piece::Text(unescape(&std::mem::take(&mut text), false)));
            }
            let inner = body[from..from + len].trim();
            // `{x!r}`, `{x:>10}`: the conversion and format are not part
            // of the name.
            let inner = inner.split(['!', ':']).next().unwrap_or(inner).trim();
            out.push(Piece::Expr(inner.to_string()));
            i = from + len + 1;
            continue;
        }
        let ch = body[i..].chars().next().unwrap_or(' ');
        text.push(ch);
        i += ch.len_utf8();
    }
    if !text.is_empty() {
        out.push(Piece::Text(unescape(&text, false)));
    }
    out
}

/// The text with comments and string contents replaced by spaces; quotes,
/// prefixes and newlines stay, so offsets and lines match the original.
fn code_view(text: &str, lang: Lang) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, range: Range<usize>| {
        for b in &mut out[range] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let comment_len = match (lang, b) {
            (Lang::Python, b'#') => Some(1),
            (Lang::Js, b'/') if bytes.get(i + 1) == Some(&b'/') => Some(2),
            _ => None,
        };
        if comment_len.is_some() {
            let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            blank(&mut out, i..end);
            i = end;
            continue;
        }
        if lang == Lang::Js && b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let end = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            blank(&mut out, i..end);
            i = end;
            continue;
        }
        if lang == Lang::Js && b == b'/' && regex_can_start(&out[..i]) {
            if let Some(end) = regex_end(bytes, i + 1) {
                blank(&mut out, i + 1..end);
                i = end + 1;
                continue;
            }
        }
        let is_quote = b == b'"' || b == b'\'' || (lang == Lang::Js && b == b'`');
        if is_quote {
            let triple = lang == Lang::Python && bytes[i..].starts_with(&[b; 3]);
            let open = if triple { 3 } else { 1 };
            match string_end(bytes, i + open, b, triple, lang) {
                Some(end) => {
                    blank(&mut out, i + open..end);
                    i = end + open;
                }
                // An unterminated string: blank the rest of the line.
                None => {
                    let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    blank(&mut out, i + 1..end);
                    i = end;
                }
            }
            continue;
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII spaces, and every byte of a
    // multi-byte character inside a blanked range became a space.
    String::from_utf8(out).unwrap_or_default()
}

/// Whether a `/` here starts a regular expression literal rather than a
/// division: it follows an operator, an opening bracket or a keyword.
fn regex_can_start(before: &[u8]) -> bool {
    let trimmed = before.trim_ascii_end();
    match trimmed.last() {
        None => true,
        Some(b) if b"(,=:[!&|?{};+-*%<>~^".contains(b) => true,
        Some(_) => ["return", "typeof", "case", "in", "of"]
            .iter()
            .any(|k| trimmed.ends_with(k.as_bytes())),
    }
}

/// The offset of the `/` closing a regular expression literal whose body
/// starts at `start`, on the same line.
fn regex_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let mut class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return None,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => return (i > start).then_some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_docstrings_and_strings_are_blanked() {
        let text = "x = 1  # @app.get('/health')\n\"\"\"\n@app.get('/ping')\n\"\"\"\ny = \"@app.get('/status')\"\n";
        let src = Source::new("a.py", text, Lang::Python);
        assert!(!src.code.contains("health"));
        assert!(!src.code.contains("ping"));
        assert!(!src.code.contains("status"));
        assert_eq!(src.code.len(), text.len());
        assert_eq!(src.code.lines().count(), text.lines().count());
    }

    #[test]
    fn literals_read_back_from_the_text() {
        let text = "f(r'^a/$', \"b\\\"c\", prefix=f\"{settings.API}/v{N!r}\", n=x == 1)";
        let src = Source::new("a.py", text, Lang::Python);
        let (args, end) = src.args(1).unwrap();
        assert_eq!(end, text.len());
        assert_eq!(
            src.expr(args[0].span.clone()),
            Expr::Str(vec![Piece::Text("^a/$".into())])
        );
        assert_eq!(
            src.expr(args[1].span.clone()),
            Expr::Str(vec![Piece::Text("b\"c".into())])
        );
        assert_eq!(args[2].keyword.as_deref(), Some("prefix"));
        assert_eq!(
            src.expr(args[2].span.clone()),
            Expr::Str(vec![
                Piece::Expr("settings.API".into()),
                Piece::Text("/v".into()),
                Piece::Expr("N".into())
            ])
        );
        assert_eq!(args[3].keyword.as_deref(), Some("n"));
    }

    #[test]
    fn expressions() {
        let text = "g(a.b + '/x', [\"GET\", 'HEAD'], Mount('/m', routes=[]), 3 * 4)";
        let src = Source::new("a.py", text, Lang::Python);
        let (args, _) = src.args(1).unwrap();
        assert!(matches!(src.expr(args[0].span.clone()), Expr::Concat(v) if v.len() == 2));
        assert!(matches!(src.expr(args[1].span.clone()), Expr::List(v) if v.len() == 2));
        assert!(matches!(src.expr(args[2].span.clone()), Expr::Call(n, _) if n == "Mount"));
        assert!(matches!(src.expr(args[3].span.clone()), Expr::Other(_)));
    }

    #[test]
    fn javascript_comments_templates_and_regexes() {
        let text = "// app.get('/health')\n/* router.get('/ping') */\nconst re = /'/g;\napp.get(`/api/${v}/status`, h)\nconst s = 'router.get(\"/x\")'\n";
        let src = Source::new("a.js", text, Lang::Js);
        assert!(!src.code.contains("health"));
        assert!(!src.code.contains("ping"));
        assert!(!src.code.contains("router.get(\""));
        let open = src.code.find("app.get(").unwrap() + 7;
        let (args, _) = src.args(open).unwrap();
        assert_eq!(
            src.expr(args[0].span.clone()),
            Expr::Str(vec![
                Piece::Text("/api/".into()),
                Piece::Expr("v".into()),
                Piece::Text("/status".into())
            ])
        );
    }
}
