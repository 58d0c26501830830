//! Text from the repository, made safe to print.
//!
//! A file name may hold a newline (forging a line of the report or of
//! `context --list`), a terminal escape sequence (`\x1b[31m` recolours the
//! terminal; others retitle it or move the cursor) or a bidirectional
//! override that shows text in another order than it is read. Every path
//! and every line of a user's file that dockslim prints in text, Markdown or
//! a diff goes through [`printable`]; JSON and SARIF escape them by the
//! rules of JSON.

use std::borrow::Cow;

/// `text` with each control character written as an escape: `\n`, `\r`,
/// `\x1b` (other C0 controls and DEL alike), `\u{9b}` (C1 controls) and
/// `\u{202e}` (bidirectional controls). A tab stays (it only moves the
/// cursor right, and Caddyfiles and Makefiles in diffs are full of them),
/// and so does a backslash.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`printable`] but keeps line breaks, for text of several lines (a
/// diff, a reason): each line is made printable on its own.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(|line| printable(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// [`printable`] text of at most about `max` characters: a longer one (an
/// error quoting a 10 MB line) keeps its start and says how much is left
/// out.
pub fn shortened(text: &str, max: usize) -> String {
    let shown = printable(text);
    match shown.char_indices().nth(max) {
        None => shown.into_owned(),
        Some((cut, _)) => format!("{}... ({} more bytes)", &shown[..cut], shown.len() - cut),
    }
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_escapes_and_plain_text_is_borrowed() {
        assert!(matches!(printable("app/main.py"), Cow::Borrowed(_)));
        assert_eq!(
            printable("red\x1b[31m\nx\ty\r\u{7f}\u{9b}"),
            "red\\x1b[31m\\nx\ty\\r\\x7f\\u{9b}"
        );
        assert_eq!(printable("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(printable("caf\u{e9} \u{fffd}"), "caf\u{e9} \u{fffd}");
    }

    #[test]
    fn long_text_is_cut() {
        assert_eq!(shortened("abc", 3), "abc");
        assert_eq!(shortened("abcdef", 3), "abc... (3 more bytes)");
        assert_eq!(shortened("\x1b\x1b", 4), "\\x1b... (4 more bytes)");
    }

    #[test]
    fn lines_keep_their_breaks() {
        assert_eq!(printable_lines("a\x1b[2J\nb\r\n"), "a\\x1b[2J\nb\\r\n");
        assert!(matches!(printable_lines("a\nb\n"), Cow::Borrowed(_)));
    }
}
