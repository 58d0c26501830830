//! Python source read as text, the way the readers of this module need it:
//! code without comments and without the insides of triple-quoted strings
//! (docstrings mention paths and imports the code never uses), string
//! literals, and bracketed argument lists. Not a parser: the readers look
//! for a few shapes, and what this cannot read they do not find.

/// The text with every comment and every triple-quoted string emptied
/// (`""` stays in place of the latter), line for line: offsets in it fall
/// on the same line numbers as in the source.
pub fn clean(text: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Str(char),
        Triple(char),
    }
    let mut state = State::Code;
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let triple_at = |i: usize, q: char| chars.get(i..i + 3).is_some_and(|s| s == [q, q, q]);
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match state {
                State::Triple(q) if triple_at(i, q) => {
                    out.push_str("\"\"");
                    state = State::Code;
                    i += 3;
                    continue;
                }
                State::Triple(_) => {}
                State::Str(q) => {
                    out.push(c);
                    if c == '\\' {
                        if let Some(&next) = chars.get(i + 1) {
                            out.push(next);
                            i += 1;
                        }
                    } else if c == q {
                        state = State::Code;
                    }
                }
                State::Code if c == '#' => break,
                State::Code if (c == '"' || c == '\'') && triple_at(i, c) => {
                    state = State::Triple(c);
                    i += 3;
                    continue;
                }
                State::Code if c == '"' || c == '\'' => {
                    out.push(c);
                    state = State::Str(c);
                }
                State::Code => out.push(c),
            }
            i += 1;
        }
        // A one-line string never continues on the next line.
        if matches!(state, State::Str(_)) {
            state = State::Code;
        }
    }
    out
}

/// A string literal of cleaned code: its text and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// An f-string: its braces are not text.
    pub formatted: bool,
}

/// The string literals of cleaned code, in order.
pub fn literals(code: &str) -> Vec<Literal> {
    let mut out = Vec::new();
    let mut iter = code.char_indices().peekable();
    let mut prev = ' ';
    while let Some((start, c)) = iter.next() {
        if c != '"' && c != '\'' {
            prev = c;
            continue;
        }
        let mut text = String::new();
        let mut end = code.len();
        while let Some((i, d)) = iter.next() {
            if d == '\\' {
                if let Some((_, e)) = iter.next() {
                    text.push(e);
                }
            } else if d == c {
                end = i + 1;
                break;
            } else {
                text.push(d);
            }
        }
        out.push(Literal {
            text,
            start,
            end,
            formatted: matches!(prev, 'f' | 'F'),
        });
        prev = c;
    }
    out
}

/// Whether a byte offset of the code lies inside one of its literals.
pub fn in_literal(literals: &[Literal], offset: usize) -> bool {
    literals.iter().any(|l| l.start <= offset && offset < l.end)
}

/// The 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The text inside the bracket that opens at `open` (`(`, `[` or `{`),
/// up to its matching close; `None` when it never closes.
pub fn bracketed(text: &str, open: usize) -> Option<&str> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                match depth {
                    0 => return Some(&text[open + 1..open + i]),
                    d if d < 0 => return None,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
}

/// The items of a bracket's inside, split at its own commas (not those of
/// nested calls or strings), each with its offset in `body`.
pub fn items(body: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push((start, &body[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    if !body[start..].trim().is_empty() {
        out.push((start, &body[start..]));
    }
    out
}

/// The paths an expression spells with literals: each run of literals
/// joined only by `,`, `/` or nothing (`os.path.join(BASE, "data",
/// "x.db")`, `Path(__file__).parent / "data" / "x.db"`), joined with `/`.
/// f-strings and literals with placeholders spell no path.
pub fn literal_paths(code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut last_end: Option<usize> = None;
    for lit in literals(code) {
        let joined = last_end.is_some_and(|e| matches!(code[e..lit.start].trim(), "" | "," | "/"));
        if !joined && !run.is_empty() {
            out.push(run.join("/"));
            run.clear();
        }
        let placeholder = lit.formatted || lit.text.contains(['{', '%', '*']);
        if placeholder || lit.text.is_empty() {
            if !run.is_empty() {
                out.push(run.join("/"));
                run.clear();
            }
            last_end = None;
            continue;
        }
        run.push(lit.text);
        last_end = Some(lit.end);
    }
    if !run.is_empty() {
        out.push(run.join("/"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_comments_and_docstrings_but_keeps_lines() {
        let text = "x = '#not a comment'  # a comment\n\"\"\"Docstring\nopen('data/x.db')\n\"\"\"\ny = 1\n";
        let clean = clean(text);
        assert_eq!(
            clean.lines().collect::<Vec<_>>(),
            ["x = '#not a comment'  ", "", "", "\"\"", "y = 1"]
        );
    }

    #[test]
    fn literal_runs_spell_paths() {
        let code = r#"p = os.path.join(BASE_DIR, "data", "x.db"); open(p, "rb")"#;
        assert_eq!(literal_paths(code), ["data/x.db", "rb"]);
        let code = r#"INDEX = Path(__file__).resolve().parent / "search" / 'index.db'"#;
        assert_eq!(literal_paths(code), ["search/index.db"]);
        // Placeholders spell no path.
        assert!(literal_paths(r#"open(f"data/{name}.db")"#).is_empty());
        assert!(literal_paths(r#"open("data/%s.db" % name)"#).is_empty());
    }

    #[test]
    fn brackets_and_items() {
        let text = "X = [os.path.join(BASE, 'a'), 'b,c', ('p', BASE / 'q')]\n";
        let body = bracketed(text, text.find('[').unwrap()).unwrap();
        let items: Vec<&str> = items(body).into_iter().map(|(_, i)| i.trim()).collect();
        assert_eq!(
            items,
            ["os.path.join(BASE, 'a')", "'b,c'", "('p', BASE / 'q')"]
        );
        assert_eq!(bracketed("f(a, (b)", 1), None);
    }
}
