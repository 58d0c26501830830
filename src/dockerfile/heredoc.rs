//! Heredocs anywhere in a RUN (`RUN cat <<EOF > /etc/app.conf`,
//! `RUN python3 <<EOF`, `RUN <<A <<B`), as BuildKit reads them.
//!
//! parse-dockerfile reads a heredoc only when it is the first argument of
//! RUN, and only one. For the others, their bodies (and terminator lines)
//! are blanked before parsing, byte for byte, so every span stays valid, and
//! the heredocs are attached to their RUN afterwards.

use super::{HereDoc, Span};

/// A RUN's heredocs that the parser will not see.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// Where the RUN keyword starts.
    pub run_start: usize,
    pub heredocs: Vec<HereDoc>,
    /// The end of the last terminator line (without its newline).
    pub end: usize,
}

/// The text with hidden heredoc bodies blanked, and what was hidden.
pub fn mask(text: &str, escape: char) -> (String, Vec<Hidden>) {
    let mut masked = text.to_string();
    let mut hidden = Vec::new();
    let lines: Vec<(usize, &str)> = line_starts(text);
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let trimmed = line.trim_start_matches(super::is_blank);
        let first_word = trimmed.split(super::is_blank).next().unwrap_or("");
        if trimmed.starts_with('#') || !first_word.eq_ignore_ascii_case("RUN") {
            i += 1;
            // Skip the continuation lines of any other instruction.
            while i < lines.len() && ends_with_escape(lines[i - 1].1, escape) {
                i += 1;
            }
            // And the bodies of a COPY or ADD heredoc (`COPY <<EOF /etc/x`),
            // which the parser reads itself: a body line that starts with
            // RUN is text, not an instruction (found by fuzzing).
            let copies = ["COPY", "ADD"]
                .iter()
                .any(|k| first_word.eq_ignore_ascii_case(k));
            if copies && !trimmed.starts_with('#') {
                for m in markers(&trimmed[first_word.len()..]) {
                    while i < lines.len() {
                        let content = lines[i].1.trim_end_matches(['\n', '\r']);
                        let compared = if m.strip_tabs {
                            content.trim_start_matches('\t')
                        } else {
                            content
                        };
                        i += 1;
                        if compared == m.delimiter {
                            break;
                        }
                    }
                }
            }
            continue;
        }
        // The RUN's logical line, from its keyword.
        let run_start = start + (line.len() - trimmed.len());
        let mut logical = String::new();
        let mut j = i;
        loop {
            let physical = if j == i { trimmed } else { lines[j].1 };
            let l = physical.trim_end_matches(['\n', '\r']);
            let body = super::continued(super::without_line_ending(physical), escape).unwrap_or(l);
            logical.push_str(body);
            logical.push(' ');
            j += 1;
            if !ends_with_escape(physical, escape) || j >= lines.len() {
                break;
            }
        }
        let markers = markers(&logical[first_word.len()..]);
        // The parser reads a heredoc that is the first argument, and only
        // that one (of `RUN <<A <<B`, A).
        let parser_reads_first = args_start_with_heredoc(&logical[3..]);
        if markers.is_empty() || (parser_reads_first && markers.len() == 1) {
            i = j;
            continue;
        }
        let mut heredocs = Vec::new();
        let mut end = 0;
        let mut first_end = None;
        let mut k = j;
        for m in &markers {
            let body_start = lines.get(k).map_or(text.len(), |l| l.0);
            let mut body = String::new();
            let mut terminated = false;
            while k < lines.len() {
                let (ls, l) = lines[k];
                let content = l.trim_end_matches(['\n', '\r']);
                let compared = if m.strip_tabs {
                    content.trim_start_matches('\t')
                } else {
                    content
                };
                k += 1;
                if compared == m.delimiter {
                    heredocs.push(HereDoc {
                        body: std::mem::take(&mut body),
                        span: body_start..ls,
                        expand: m.expand,
                    });
                    end = ls + content.len();
                    first_end.get_or_insert(end);
                    terminated = true;
                    break;
                }
                body.push_str(if m.strip_tabs {
                    l.trim_start_matches('\t')
                } else {
                    l
                });
            }
            if !terminated {
                // No terminator: leave it to the parser, which names the line.
                return (text.to_string(), Vec::new());
            }
        }
        // Blank bodies and terminators, keeping every newline; the first
        // heredoc stays when the parser reads it.
        let blank_from = match first_end {
            Some(first_end) if parser_reads_first => first_end,
            _ => lines.get(j).map_or(text.len(), |l| l.0),
        };
        blank(&mut masked, blank_from..end);
        hidden.push(Hidden {
            run_start,
            heredocs,
            end,
        });
        i = k;
    }
    (masked, hidden)
}

fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        out.push((pos, line));
        pos += line.len();
    }
    out
}

fn ends_with_escape(line: &str, escape: char) -> bool {
    super::continued(super::without_line_ending(line), escape).is_some()
}

/// Spaces for every byte of `range` but line breaks: a character of several
/// bytes becomes as many spaces, so every later offset stays the same.
fn blank(text: &mut String, range: Span) {
    let replaced: String = text[range.clone()]
        .chars()
        .flat_map(|c| match c {
            '\n' | '\r' => vec![c],
            _ => vec![' '; c.len_utf8()],
        })
        .collect();
    text.replace_range(range, &replaced);
}

struct Marker {
    delimiter: String,
    strip_tabs: bool,
    expand: bool,
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` outside quotes, in order.
fn markers(line: &str) -> Vec<Marker> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if !single => i += 1,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '<' if !single
                && !double
                && chars.get(i + 1) == Some(&'<')
                && (i == 0 || chars[i - 1].is_whitespace()) =>
            {
                // `<<<` is a here-string, not a heredoc.
                if chars.get(i + 2) == Some(&'<') {
                    i += 3;
                    continue;
                }
                let mut j = i + 2;
                let strip_tabs = chars.get(j) == Some(&'-');
                if strip_tabs {
                    j += 1;
                }
                let quote = chars.get(j).copied().filter(|q| *q == '"' || *q == '\'');
                if quote.is_some() {
                    j += 1;
                }
                let start = j;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j > start {
                    out.push(Marker {
                        delimiter: chars[start..j].iter().collect(),
                        strip_tabs,
                        expand: quote.is_none(),
                    });
                    if quote.is_some() {
                        j += 1;
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The RUN's arguments, past its `--flags`, begin with a heredoc marker.
fn args_start_with_heredoc(after_keyword: &str) -> bool {
    after_keyword
        .split_whitespace()
        .find(|w| !w.starts_with("--"))
        .is_some_and(|w| w.starts_with("<<"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A COPY heredoc's body is the file's text: a line in it that starts
    /// with RUN is not read as a RUN (found by fuzzing: its second heredoc
    /// was masked, and a USER inserted after it landed in the body).
    #[test]
    fn copy_heredoc_bodies_are_not_runs() {
        let text = "FROM debian\nCOPY <<EOF /etc/x\nRUN <<A <<B\nA\nB\nEOF\nCMD [\"x\"]\n";
        let (masked, hidden) = mask(text, '\\');
        assert!(hidden.is_empty());
        assert_eq!(masked, text);
    }

    #[test]
    fn hides_heredocs_the_parser_cannot_read() {
        let text = "FROM d\nRUN cat <<EOF > /etc/app.conf\nkey=1\nEOF\nRUN <<EOF\necho ok\nEOF\nRUN python3 <<'PY' && echo done\nprint('<<X')\nPY\n";
        let (masked, hidden) = mask(text, '\\');
        assert_eq!(masked.len(), text.len());
        assert_eq!(hidden.len(), 2, "the plain `RUN <<EOF` is the parser's");
        assert_eq!(hidden[0].heredocs[0].body, "key=1\n");
        assert_eq!(&text[hidden[0].heredocs[0].span.clone()], "key=1\n");
        assert_eq!(
            &text[hidden[0].run_start..hidden[0].end],
            "RUN cat <<EOF > /etc/app.conf\nkey=1\nEOF"
        );
        assert!(!hidden[1].heredocs[0].expand);
        assert!(masked.contains("RUN cat <<EOF > /etc/app.conf\n     \n   \nRUN <<EOF\necho ok"));
    }

    /// Found by fuzzing: with two heredocs, the first one the RUN's first
    /// argument (Docker's own `RUN <<FILE1 cat > file1 && <<FILE2 cat >
    /// file2`), both bodies were blanked, and the parser, which reads the
    /// first, found no terminator: the file did not parse. An indented RUN
    /// was not seen to start with a heredoc at all.
    #[test]
    fn the_parser_keeps_the_first_heredoc_it_reads() {
        let text = "FROM d\nRUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\n  RUN <<EOF\nls\nEOF\n";
        let (masked, hidden) = mask(text, '\\');
        assert_eq!(
            hidden.len(),
            1,
            "the indented RUN's single heredoc is the parser's"
        );
        let bodies: Vec<&str> = hidden[0].heredocs.iter().map(|h| h.body.as_str()).collect();
        assert_eq!(bodies, ["I am\nfirst\n", "I am\nsecond\n"]);
        assert!(
            masked.contains("first\nFILE1\n    \n      \n     \n  RUN <<EOF"),
            "{masked}"
        );

        let df = crate::dockerfile::Dockerfile::parse(text, "Dockerfile").unwrap();
        let runs = &df.stages[0].instructions;
        assert_eq!(runs[0].heredocs().len(), 2);
        assert_eq!((runs[0].line, runs[0].end_line), (2, 8));
        assert_eq!(runs[1].heredocs()[0].body, "ls\n");
    }

    /// Found by fuzzing: a body in another script than ASCII was blanked a
    /// space per character, not per byte, and every span after it was off
    /// (a panic on a character boundary, or edits of the wrong bytes).
    #[test]
    fn masking_keeps_every_offset_of_unicode_bodies() {
        let text = "FROM d\nRUN cat <<EOF > /etc/motd\necho \u{65e5}\u{672c}\u{8a9e} \u{1f680}\nEOF\nARG PORT\n";
        let (masked, hidden) = mask(text, '\\');
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            hidden[0].heredocs[0].body,
            "echo \u{65e5}\u{672c}\u{8a9e} \u{1f680}\n"
        );
        let df = crate::dockerfile::Dockerfile::parse(text, "Dockerfile").unwrap();
        let arg = &df.stages[0].instructions[1];
        assert_eq!(&df.text[arg.span.clone()], "ARG PORT");
    }

    #[test]
    fn quoted_and_shifted_arrows_are_not_heredocs() {
        assert!(markers("echo \"a << b\" $((1<<2)) <<<word").is_empty());
        let m = markers("cat <<-END file");
        assert_eq!(m[0].delimiter, "END");
        assert!(m[0].strip_tabs);
    }
}
