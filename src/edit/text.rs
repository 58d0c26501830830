//! How a fix writes into a Dockerfile: whole instructions inserted or
//! removed at line boundaries, single words added or removed inside a
//! command, a command appended to a RUN, each in the file's own style
//! (its line endings, its continuation layout and indentation).

use crate::dockerfile::script::{Connector, Script};
use crate::dockerfile::{Dockerfile, Instruction, Span};

use super::Edit;

/// Writes edits for one parsed Dockerfile.
pub struct Writer<'a> {
    pub df: &'a Dockerfile,
}

impl<'a> Writer<'a> {
    pub fn new(df: &'a Dockerfile) -> Writer<'a> {
        Writer { df }
    }

    fn text(&self) -> &str {
        &self.df.text
    }

    /// The character that continues a line (`\\`, or what `# escape=` sets).
    pub fn escape(&self) -> char {
        self.df.escape_directive.unwrap_or('\\')
    }

    /// Lines in the file's line ending, each ended by it; our own text's
    /// continuation backslashes become the file's escape character.
    pub fn lines(&self, text: &str) -> String {
        let mut out = String::new();
        let escape = self.escape();
        for line in text.lines() {
            match line.strip_suffix('\\') {
                Some(head) if escape != '\\' => {
                    out.push_str(head);
                    out.push(escape);
                }
                _ => out.push_str(line),
            }
            out.push_str(self.df.newline);
        }
        out
    }

    /// New lines before an instruction (before its leading comment block,
    /// so a comment stays with what it describes).
    pub fn insert_before(&self, inst: &Instruction, text: &str) -> Edit {
        Edit::insert(self.with_comments(inst).start, self.lines(text))
    }

    /// New lines right before the instruction's own line (after its
    /// comments).
    pub fn insert_at(&self, inst: &Instruction, text: &str) -> Edit {
        Edit::insert(inst.lines.start, self.lines(text))
    }

    /// New lines after an instruction.
    pub fn insert_after(&self, inst: &Instruction, text: &str) -> Edit {
        self.insert_at_offset(inst.lines.end, text)
    }

    /// New lines at a line boundary (or the end of the text).
    pub fn insert_at_offset(&self, at: usize, text: &str) -> Edit {
        let mut lines = self.lines(text);
        if at == self.text().len() && !self.text().is_empty() && !self.text().ends_with('\n') {
            lines.insert_str(0, self.df.newline);
        }
        Edit::insert(at, lines)
    }

    /// The instruction's lines with the comment lines directly above it.
    pub fn with_comments(&self, inst: &Instruction) -> Span {
        let text = self.text();
        let mut start = inst.lines.start;
        while start > 0 {
            let prev_start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            let prev = text[prev_start..start].trim();
            let directive = prev_start == 0 && is_directive(prev);
            if prev.starts_with('#') && !directive {
                start = prev_start;
            } else {
                break;
            }
        }
        start..inst.lines.end
    }

    /// Removes an instruction and the comment lines that describe it.
    pub fn delete(&self, inst: &Instruction) -> Edit {
        Edit::delete(self.with_comments(inst))
    }

    /// An instruction's text (with its comments) as it would be inserted
    /// elsewhere: the same bytes, ended by a newline.
    pub fn moved_text(&self, inst: &Instruction) -> String {
        let span = self.with_comments(inst);
        let mut text = self.text()[span].to_string();
        if !text.ends_with('\n') {
            text.push_str(self.df.newline);
        }
        text
    }

    /// Replaces a word (a span inside a line) with other text.
    pub fn replace(&self, span: Span, text: &str) -> Edit {
        Edit::replace(span, text)
    }

    /// A word inserted right after another one: `install` -> `install --x`.
    pub fn insert_word_after(&self, after: &Span, word: &str) -> Edit {
        Edit::insert(after.end, format!(" {word}"))
    }

    /// A word inserted right before another one.
    pub fn insert_word_before(&self, before: &Span, word: &str) -> Edit {
        Edit::insert(before.start, format!("{word} "))
    }

    /// Removes a word and the blanks that separate it, keeping the line's
    /// continuation; a word alone on a continuation line takes its line.
    pub fn remove_word(&self, word: &Span) -> Edit {
        let text = self.text();
        let bytes = text.as_bytes();
        let mut left = word.start;
        while left > 0 && matches!(bytes[left - 1], b' ' | b'\t') {
            left -= 1;
        }
        let mut right = word.end;
        while right < bytes.len() && matches!(bytes[right], b' ' | b'\t') {
            right += 1;
        }
        let at_line_start = left == 0 || bytes[left - 1] == b'\n';
        let rest = &text[right..];
        let escape = self.escape();
        let continuation =
            rest.starts_with(&format!("{escape}\n")) || rest.starts_with(&format!("{escape}\r\n"));
        if at_line_start && continuation {
            let end = right
                + if rest.starts_with(&format!("{escape}\r\n")) {
                    3
                } else {
                    2
                };
            return Edit::delete(left..end);
        }
        if at_line_start {
            // First word of a line: take the blanks after it instead.
            return Edit::delete(word.start..right);
        }
        Edit::delete(left..word.end)
    }

    /// Appends a command to the end of a RUN's script, joined with `&&` in
    /// the script's own layout (same line, or a continuation line with the
    /// operator where the script puts it).
    pub fn append_command(&self, inst: &Instruction, script: &Script, command: &str) -> Edit {
        let text = self.text();
        let end = script.end;
        if script.heredoc {
            return Edit::insert(end, format!("{}{command}", self.df.newline));
        }
        let first_line_end = text[inst.span.start..]
            .find('\n')
            .map_or(text.len(), |i| inst.span.start + i);
        if end <= first_line_end {
            return Edit::insert(end, format!(" && {command}"));
        }
        let last_line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let last_line = &text[last_line_start..end];
        let indent: String = last_line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let trailing_operator = script.commands.iter().any(|c| {
            c.before == Some(Connector::And)
                && c.joint_before
                    .as_ref()
                    .is_some_and(|j| text[j.end..c.span.start].contains('\n'))
        });
        let continuation = format!(" {}{}", self.escape(), self.df.newline);
        if trailing_operator {
            Edit::insert(end, format!(" &&{continuation}{indent}{command}"))
        } else {
            Edit::insert(end, format!("{continuation}{indent}&& {command}"))
        }
    }

    /// Removes a top-level command from a flat `&&`/`;` list together with
    /// the operator that joins it to the next (or previous) command.
    pub fn remove_command(&self, script: &Script, index: usize) -> Option<Edit> {
        let cmd = script.commands.get(index)?;
        if let Some(joint) = &cmd.joint_after {
            let next = script.commands.get(index + 1)?;
            return Some(Edit::delete(cmd.span.start..next.span.start.max(joint.end)));
        }
        let joint = cmd.joint_before.as_ref()?;
        let prev = script.commands.get(index.checked_sub(1)?)?;
        Some(Edit::delete(prev.span.end.min(joint.start)..cmd.span.end))
    }
}

/// `# syntax=...`, `# escape=...`, `# check=...` on the first lines.
fn is_directive(line: &str) -> bool {
    let body = line.trim_start_matches('#').trim().to_ascii_lowercase();
    ["syntax=", "escape=", "check="]
        .iter()
        .any(|d| body.starts_with(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::provenance::Tracked;

    fn apply(text: &str, edit: impl Fn(&Writer) -> Edit) -> String {
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let writer = Writer::new(&df);
        let mut t = Tracked::new(text);
        t.apply(&[(edit(&writer), 0)]).unwrap();
        t.text().to_string()
    }

    fn run(df: &Dockerfile, i: usize) -> &Instruction {
        &df.stages[0].instructions[i]
    }

    #[test]
    fn removes_words_in_every_position() {
        let text =
            "FROM debian\nRUN apt-get install -y \\\n      gcc \\\n      curl libpq-dev git\n";
        let remove = |name: &'static str| {
            apply(text, move |w| {
                let script = run(w.df, 0).script.as_ref().unwrap();
                let word = script.commands[0]
                    .words
                    .iter()
                    .find(|x| x.raw == name)
                    .unwrap();
                w.remove_word(&word.span)
            })
        };
        assert_eq!(
            remove("gcc"),
            "FROM debian\nRUN apt-get install -y \\\n      curl libpq-dev git\n"
        );
        assert_eq!(
            remove("curl"),
            "FROM debian\nRUN apt-get install -y \\\n      gcc \\\n      libpq-dev git\n"
        );
        assert_eq!(
            remove("libpq-dev"),
            "FROM debian\nRUN apt-get install -y \\\n      gcc \\\n      curl git\n"
        );
        assert_eq!(
            remove("git"),
            "FROM debian\nRUN apt-get install -y \\\n      gcc \\\n      curl libpq-dev\n"
        );
    }

    #[test]
    fn appends_in_the_scripts_layout() {
        let append = |text: &str| {
            apply(text, |w| {
                let inst = run(w.df, 0);
                w.append_command(
                    inst,
                    inst.script.as_ref().unwrap(),
                    "rm -rf /var/lib/apt/lists/*",
                )
            })
        };
        assert_eq!(
            append("FROM d\nRUN apt-get update && apt-get install -y curl\nCMD x\n"),
            "FROM d\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nCMD x\n"
        );
        assert_eq!(
            append("FROM d\nRUN apt-get update \\\n    && apt-get install -y curl\n"),
            "FROM d\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n"
        );
        assert_eq!(
            append("FROM d\nRUN apt-get update && \\\n    apt-get install -y curl\n"),
            "FROM d\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n"
        );
        assert_eq!(
            append("FROM d\r\nRUN a \\\r\n  && b\r\n"),
            "FROM d\r\nRUN a \\\r\n  && b \\\r\n  && rm -rf /var/lib/apt/lists/*\r\n"
        );
    }

    #[test]
    fn moves_keep_comments_with_their_instruction() {
        let text = "# syntax=docker/dockerfile:1\nFROM d\n# deps\n# more\nRUN pip install x\nCMD y";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let w = Writer::new(&df);
        assert_eq!(
            w.moved_text(run(&df, 0)),
            "# deps\n# more\nRUN pip install x\n"
        );
        assert_eq!(w.moved_text(run(&df, 1)), "CMD y\n");
        assert_eq!(
            apply(text, |w| w.insert_after(run(w.df, 1), "USER 1000")),
            format!("{text}\nUSER 1000\n")
        );
        let from = &df.stages[0].from;
        assert_eq!(w.with_comments(from).start, text.find("FROM").unwrap());
    }

    #[test]
    fn removes_a_command_with_its_joint() {
        let text = "FROM d\nRUN pip install -r r.txt && python manage.py collectstatic --noinput\n";
        assert_eq!(
            apply(text, |w| {
                let s = run(w.df, 0).script.as_ref().unwrap();
                w.remove_command(s, 0).unwrap()
            }),
            "FROM d\nRUN python manage.py collectstatic --noinput\n"
        );
        assert_eq!(
            apply(text, |w| {
                let s = run(w.df, 0).script.as_ref().unwrap();
                w.remove_command(s, 1).unwrap()
            }),
            "FROM d\nRUN pip install -r r.txt\n"
        );
    }
}
