//! The shell inside RUN (and shell-form CMD and ENTRYPOINT), parsed with
//! tree-sitter-bash into simple commands whose words know their bytes in
//! the Dockerfile.
//!
//! Why tree-sitter-bash: it is maintained by the tree-sitter project (and
//! used by GitHub, editors and ast-grep), it reads the whole language
//! (`||`, pipes, `if`, `for`, `case`, heredocs, `$(...)`, functions), it
//! gives the exact byte range of every node, which is what an edit needs,
//! and it never fails: what it cannot read becomes an error node, so we
//! know to leave that script alone. Bash's grammar is a superset of the
//! POSIX sh that RUN uses by default, so every sh script reads the same.
//!
//! Docker joins continuation lines (`\` at the end of a line) and drops
//! comment and blank lines inside them before the shell sees the text; the
//! script is parsed from that joined text, and every position is mapped
//! back to the file.

use std::cell::RefCell;

use super::{Args, Command, Instruction, Keyword, Span};

/// Where a simple command sits, which decides what an edit may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A member of the top-level list, joined to its neighbours only by
    /// `&&`, `;` or newlines: it runs, and a failure stops the list at `&&`.
    TopLevel,
    /// Anywhere else: in a pipeline, after `||`, in `if`/`for`/`while`/
    /// `case`, a subshell, a group, a function, or in the background.
    Nested,
}

/// The operator between two top-level commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
    Semicolon,
    Newline,
    Pipe,
    Background,
}

/// One word of a command, with its bytes in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub span: Span,
    /// As written (quotes and all).
    pub raw: String,
    /// The word after quote removal, when nothing in it expands at run
    /// time (no `$X`, `$(...)`, globs stay as written).
    pub value: Option<String>,
}

impl Word {
    /// The literal value, or the raw text when it expands.
    pub fn text(&self) -> &str {
        self.value.as_deref().unwrap_or(&self.raw)
    }
}

#[derive(Debug, Clone)]
pub struct SimpleCommand {
    /// From the first assignment or word to the last word or redirect.
    pub span: Span,
    /// `VAR=value` before the program.
    pub assignments: Vec<Word>,
    /// The program and its arguments.
    pub words: Vec<Word>,
    pub place: Place,
    /// The operator before and after it, when it is a top-level member.
    pub before: Option<Connector>,
    pub after: Option<Connector>,
    /// The span of the operator after it (with the blanks around it), so a
    /// fix can remove the command together with its joint.
    pub joint_after: Option<Span>,
    pub joint_before: Option<Span>,
}

impl SimpleCommand {
    /// The words as text, for the readers in `shell`.
    pub fn texts(&self) -> Vec<String> {
        self.words.iter().map(|w| w.text().to_string()).collect()
    }

    pub fn program(&self) -> &str {
        let name = self.words.first().map_or("", |w| w.text());
        name.rsplit('/').next().unwrap_or(name)
    }
}

/// A parsed shell script.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub commands: Vec<SimpleCommand>,
    /// The grammar read every byte; with `false` no edit should touch it.
    pub clean: bool,
    /// Variables assigned at the top level (`DEPS="gcc make"`), in order.
    pub variables: Vec<(String, Option<String>)>,
    /// Where the script ends in the file: a fix that appends to the script
    /// writes here.
    pub end: usize,
    /// The script is a heredoc body (`RUN <<EOF`), so it has lines, not
    /// continuations.
    pub heredoc: bool,
}

/// Joined text and, for each piece of it, where it starts in the file.
struct View {
    text: String,
    /// (offset in `text`, offset in the file), increasing.
    map: Vec<(usize, usize)>,
    /// Where the text ends in the file: nothing maps past it (the newline
    /// a view adds after a heredoc's last terminator is not in the file).
    end: usize,
}

impl View {
    fn new(file_start: usize, end: usize) -> View {
        View {
            text: String::new(),
            map: Vec::new(),
            end,
        }
        .starting(file_start)
    }

    /// An empty view still maps its start.
    fn starting(mut self, file_start: usize) -> View {
        self.map.push((0, file_start));
        self
    }

    /// Appends a physical line that starts at `file_pos`, its line ending
    /// read as `\n`: Docker reads CRLF files line by line, so the shell
    /// never sees the `\r`.
    fn push_line(&mut self, line: &str, file_pos: usize) {
        let (content, newline) = match line.strip_suffix('\n') {
            Some(c) => (c, true),
            None => (line, false),
        };
        self.map.push((self.text.len(), file_pos));
        self.text
            .push_str(content.strip_suffix('\r').unwrap_or(content));
        if newline {
            self.text.push('\n');
        }
    }

    fn file_offset(&self, view_offset: usize) -> usize {
        let i = self
            .map
            .partition_point(|(v, _)| *v <= view_offset)
            .saturating_sub(1);
        let (v, f) = self.map[i];
        (f + (view_offset - v)).min(self.end)
    }

    fn file_span(&self, r: std::ops::Range<usize>) -> Span {
        // The end is mapped from the last byte, so a word never swallows a
        // continuation that follows it.
        let start = self.file_offset(r.start);
        let end = if r.end > r.start {
            (self.file_offset(r.end - 1) + 1).min(self.end)
        } else {
            start
        };
        start..end
    }

    /// Docker's processing of a shell-form instruction's text: continuation
    /// escapes and newlines removed, comment and blank lines inside the
    /// continuation dropped.
    fn shell_form(file: &str, span: Span, escape: char) -> View {
        let mut view = View::new(span.start, span.end);
        let mut pos = span.start;
        let mut first = true;
        for line in file[span.clone()].split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            let content = line.trim_end_matches(['\n', '\r']);
            if !first && super::dropped_in_continuation(content) {
                continue;
            }
            first = false;
            let body =
                super::continued(super::without_line_ending(line), escape).unwrap_or(content);
            view.map.push((view.text.len(), start));
            view.text.push_str(body);
        }
        view
    }

    /// A heredoc body as the shell reads it, each line mapped to its bytes
    /// in the file: `<<-` strips a line's leading tabs from the body, so
    /// the body is not one run of the file's bytes.
    fn heredoc(file: &str, doc: &super::HereDoc) -> View {
        let tabs = |line: &str| line.len() - line.trim_start_matches('\t').len();
        let mut view = View::new(doc.span.start, doc.span.end);
        let mut pos = doc.span.start;
        let file_lines = file[doc.span.clone()].split_inclusive('\n');
        for (in_file, in_body) in file_lines.zip(doc.body.split_inclusive('\n')) {
            let stripped = tabs(in_file).saturating_sub(tabs(in_body));
            view.push_line(in_body, pos + stripped);
            pos += in_file.len();
        }
        view
    }

    /// A command that feeds heredocs (`cat <<EOF > file`): its logical line,
    /// then the bodies and terminators as written, through `end`.
    fn with_heredocs(file: &str, span: Span, body_start: usize, end: usize, escape: char) -> View {
        let line_end = body_start.saturating_sub(1).max(span.start);
        let terminator_end = file[end..].find('\n').map_or(file.len(), |i| end + i);
        let mut view = View::shell_form(file, span.start..line_end, escape);
        view.end = terminator_end - usize::from(file[..terminator_end].ends_with('\r'));
        let mut pos = line_end;
        for line in file[line_end..terminator_end].split_inclusive('\n') {
            view.push_line(line, pos);
            pos += line.len();
        }
        view.text.push('\n');
        view
    }
}

thread_local! {
    static PARSER: RefCell<tree_sitter::Parser> = RefCell::new({
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("the bundled bash grammar matches tree-sitter");
        parser
    });
}

impl Script {
    /// The script a RUN runs, if it runs one: shell form, or a heredoc fed
    /// to the shell (`RUN <<EOF`, `RUN bash <<EOF`). Exec form has no shell.
    pub fn of_run(inst: &Instruction, file: &str, escape: char) -> Option<Script> {
        let Args::Command {
            command: Command::Shell(_),
            span,
            heredocs,
        } = &inst.args
        else {
            return None;
        };
        if !matches!(
            inst.keyword,
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint
        ) {
            return None;
        }
        if let [doc] = heredocs.as_slice() {
            // parse-dockerfile gives `RUN <<EOF` an empty command.
            let head = file[span.clone()].trim();
            let runs_body = head.is_empty()
                || head.starts_with("<<")
                || ["sh ", "bash ", "/bin/sh ", "/bin/bash "]
                    .iter()
                    .any(|sh| head.starts_with(sh) && head.contains("<<"));
            if runs_body && !doc.body.starts_with("#!") {
                let view = View::heredoc(file, doc);
                let mut script = Script::from_view(&view);
                script.heredoc = true;
                return Some(script);
            }
            if runs_body {
                return None;
            }
        }
        // With heredocs used as input (`cat <<EOF > file`), the file's text
        // from the command through the last body is the script as written.
        let end = heredocs.iter().map(|h| h.span.end).max();
        let view = match (end, heredocs.first()) {
            (Some(end), Some(first)) => {
                View::with_heredocs(file, span.clone(), first.span.start, end, escape)
            }
            _ => View::shell_form(file, span.clone(), escape),
        };
        let mut script = Script::from_view(&view);
        if let (Some(_), Some(first)) = (end, heredocs.first()) {
            script.end = span.end;
            // The bodies are data, read as BuildKit reads them. The grammar
            // can disagree (two heredocs with one delimiter, `cat <<EOF >a
            // && cat <<EOF >b`, end at the first terminator for it), and a
            // body line read as a command was "fixed" for ever (found by
            // fuzzing: an `apt-get install` in a file's text).
            script.commands.retain(|c| c.span.start < first.span.start);
        }
        Some(script)
    }

    /// Parses a standalone script (tests, CMD text).
    pub fn parse(text: &str) -> Script {
        let mut view = View::new(0, text.len());
        view.text = text.to_string();
        Script::from_view(&view)
    }

    fn from_view(view: &View) -> Script {
        let text = guard_brace_start(&view.text);
        let tree = PARSER.with(|p| p.borrow_mut().parse(text.as_ref(), None));
        let Some(tree) = tree else {
            return Script::default();
        };
        let root = tree.root_node();
        let mut script = Script {
            clean: !root.has_error(),
            end: view.file_offset(view.text.trim_end().len().max(1) - 1) + 1,
            ..Default::default()
        };
        if view.text.trim().is_empty() {
            script.end = view.file_offset(0);
        }
        let mut walker = Walker {
            view,
            script: &mut script,
        };
        walker.statements(root);
        script
    }

    /// The words of a command with `$VAR` and `${VAR}` replaced by what an
    /// earlier top-level assignment gave them, split on blanks: what the
    /// command sees, for reading (never for editing).
    pub fn expanded(&self, cmd: &SimpleCommand) -> Vec<String> {
        let mut out = Vec::new();
        for w in &cmd.words {
            if let Some(v) = &w.value {
                out.push(v.clone());
                continue;
            }
            let name = w
                .raw
                .trim_matches('"')
                .strip_prefix('$')
                .map(|n| n.trim_start_matches('{').trim_end_matches('}'));
            let value = name.and_then(|n| {
                self.variables
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    .and_then(|(_, v)| v.clone())
            });
            match value {
                Some(v) => out.extend(v.split_whitespace().map(str::to_string)),
                None => out.push(w.raw.clone()),
            }
        }
        out
    }

    /// The commands a fix can treat as one `&&`/`;` list: every command is
    /// top level. `None` when control flow, pipes or `||` are involved.
    pub fn is_flat(&self) -> bool {
        self.clean
            && self.commands.iter().all(|c| {
                c.place == Place::TopLevel
                    && !matches!(c.after, Some(Connector::Or | Connector::Pipe))
            })
    }
}

struct Walker<'a> {
    view: &'a View,
    script: &'a mut Script,
}

impl Walker<'_> {
    /// The children of `program` (or any statement list): top-level
    /// statements separated by `;`, `&` or newlines.
    fn statements(&mut self, node: tree_sitter::Node) {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        let mut pending: Option<(Connector, Span)> = None;
        for child in children {
            match child.kind() {
                ";" | "&" | "\n" => {
                    let connector = if child.kind() == "&" {
                        Connector::Background
                    } else {
                        Connector::Semicolon
                    };
                    let span = self.view.file_span(child.byte_range());
                    self.set_after(connector, span.clone());
                    pending = Some((connector, span));
                }
                "comment" => {}
                _ if child.is_named() => {
                    let first = self.script.commands.len();
                    self.statement(child, Place::TopLevel);
                    if let (Some((connector, span)), Some(cmd)) =
                        (pending.take(), self.script.commands.get_mut(first))
                    {
                        if cmd.before.is_none() {
                            cmd.before = Some(connector);
                            cmd.joint_before = Some(span);
                        }
                    } else if first < self.script.commands.len() && first > 0 {
                        // Two statements on separate lines.
                        let cmd = &mut self.script.commands[first];
                        if cmd.before.is_none() && cmd.place == Place::TopLevel {
                            cmd.before = Some(Connector::Newline);
                        }
                    }
                    if child.kind() == "variable_assignment" {
                        self.assignment(child);
                    }
                }
                _ => {}
            }
        }
        // A command ended by `&` runs in the background.
        for command in &mut self.script.commands {
            if command.after == Some(Connector::Background) {
                command.place = Place::Nested;
            }
        }
    }

    fn set_after(&mut self, connector: Connector, span: Span) {
        if let Some(last) = self.script.commands.last_mut() {
            if last.after.is_none() {
                last.after = Some(connector);
                last.joint_after = Some(span);
            }
        }
    }

    fn statement(&mut self, node: tree_sitter::Node, place: Place) {
        match node.kind() {
            "command" => self.command(node, place),
            "redirected_statement" => {
                if let Some(body) = node.child_by_field_name("body") {
                    self.statement(body, place);
                    // The redirect belongs to the command's span.
                    if let Some(cmd) = self.script.commands.last_mut() {
                        let end = self.view.file_span(node.byte_range()).end;
                        cmd.span.end = cmd.span.end.max(end);
                    }
                }
            }
            "list" => self.list(node, place),
            "variable_assignment" | "variable_assignments" => {}
            "declaration_command" => {
                // `export X=1`: a command, and an assignment to remember.
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    if c.kind() == "variable_assignment" {
                        self.assignment(c);
                    }
                }
            }
            _ => {
                // Control flow, pipelines, subshells, groups, functions:
                // every command inside is nested.
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.statement(child, Place::Nested);
                }
            }
        }
    }

    /// `a && b || c`: left-nested binary lists.
    fn list(&mut self, node: tree_sitter::Node, place: Place) {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        let op = children
            .iter()
            .find(|c| !c.is_named())
            .map(|c| (c.kind(), self.view.file_span(c.byte_range())));
        let connector = match op.as_ref().map(|(k, _)| *k) {
            Some("&&") => Connector::And,
            Some("||") => Connector::Or,
            _ => Connector::Semicolon,
        };
        let named: Vec<_> = children.iter().filter(|c| c.is_named()).collect();
        let Some((left, right)) = named.split_first() else {
            return;
        };
        self.statement(**left, place);
        if let Some((_, span)) = &op {
            self.set_after(connector, span.clone());
        }
        let right_place = if connector == Connector::Or {
            Place::Nested
        } else {
            place
        };
        for r in right {
            let first = self.script.commands.len();
            self.statement(**r, right_place);
            if let (Some(cmd), Some((_, span))) = (self.script.commands.get_mut(first), &op) {
                cmd.before = Some(connector);
                cmd.joint_before = Some(span.clone());
            }
        }
        if connector == Connector::Or {
            // `a || b`: a's failure is handled, so a is not a plain member either.
            for cmd in self.script.commands.iter_mut().rev() {
                if cmd.after == Some(Connector::Or) {
                    cmd.place = Place::Nested;
                    break;
                }
            }
        }
    }

    fn command(&mut self, node: tree_sitter::Node, place: Place) {
        let mut assignments = Vec::new();
        let mut words = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "variable_assignment" => assignments.push(self.word(child)),
                "command_name" => {
                    let inner = child.named_child(0).unwrap_or(child);
                    words.push(self.word_at(inner, child));
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {}
                _ => words.push(self.word(child)),
            }
        }
        self.script.commands.push(SimpleCommand {
            span: self.view.file_span(node.byte_range()),
            assignments,
            words,
            place,
            before: None,
            after: None,
            joint_after: None,
            joint_before: None,
        });
    }

    fn assignment(&mut self, node: tree_sitter::Node) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.view.text[n.byte_range()].to_string());
        let value = node
            .child_by_field_name("value")
            .and_then(|v| literal(v, &self.view.text));
        if let Some(name) = name {
            self.script.variables.push((name, value));
        }
    }

    fn word(&self, node: tree_sitter::Node) -> Word {
        self.word_at(node, node)
    }

    fn word_at(&self, value_node: tree_sitter::Node, span_node: tree_sitter::Node) -> Word {
        let range = span_node.byte_range();
        Word {
            span: self.view.file_span(range.clone()),
            raw: self.view.text[range].to_string(),
            value: literal(value_node, &self.view.text),
        }
    }
}

/// A word's value after quote removal, when nothing in it expands.
fn literal(node: tree_sitter::Node, text: &str) -> Option<String> {
    let raw = &text[node.byte_range()];
    match node.kind() {
        "word" | "number" => Some(unescape(raw)),
        "raw_string" => Some(raw.trim_matches('\'').to_string()),
        "string" => {
            // Without its closing quote (the grammar's recovery from an
            // unterminated string) the word has no value.
            let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
            let mut cursor = node.walk();
            let plain = node
                .named_children(&mut cursor)
                .all(|c| c.kind() == "string_content");
            plain.then(|| unescape_double(inner))
        }
        "concatenation" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> = node
                .named_children(&mut cursor)
                .map(|c| literal(c, text))
                .collect();
            parts.map(|p| p.concat())
        }
        _ => None,
    }
}

/// `text`, or a copy of the same length in bytes for tree-sitter-bash to
/// read. Its scanner (0.25) calls C's `isdigit` on the character after a
/// `{` and its digits (and after `{1..` and digits), which reads outside
/// the ctype table for a code point above 255 and can crash the process
/// (tree-sitter-bash issue 337). Such a character is given to the parser
/// as ASCII letters of the same length: spans stay where they are, and
/// words are read from `text` itself.
fn guard_brace_start(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let digits = |mut j: usize| {
        while bytes.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    let mut unsafe_at = Vec::new();
    for (i, _) in text.match_indices('{') {
        let mut j = digits(i + 1);
        if bytes.get(j).is_some_and(|b| *b >= 0x80) {
            unsafe_at.push(j);
            continue;
        }
        if bytes.get(j) == Some(&b'.') && bytes.get(j + 1) == Some(&b'.') {
            j = digits(j + 2);
            if bytes.get(j).is_some_and(|b| *b >= 0x80) {
                unsafe_at.push(j);
            }
        }
    }
    if unsafe_at.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for at in unsafe_at {
        let len = text[at..].chars().next().map_or(0, char::len_utf8);
        out.replace_range(at..at + len, &"x".repeat(len));
    }
    std::borrow::Cow::Owned(out)
}

fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape_double(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) {
            out.push(chars.next().unwrap());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::Dockerfile;

    #[test]
    fn a_wide_character_after_a_brace_does_not_crash_the_shell_parser() {
        // Each of these crashed the process with SIGSEGV in tree-sitter-bash.
        for text in [
            "{\u{e0179}",
            "echo {\u{31860}",
            "{12\u{31860}",
            "{1..2\u{e0179}",
            "echo {é} 日本",
        ] {
            let script = Script::parse(text);
            for w in script.commands.iter().flat_map(|c| &c.words) {
                assert_eq!(&text[w.span.clone()], w.raw, "{text}");
            }
        }
        assert!(matches!(guard_brace_start("{é"), std::borrow::Cow::Owned(t) if t == "{xx"));
        assert!(matches!(
            guard_brace_start("a {b} é"),
            std::borrow::Cow::Borrowed(_)
        ));
        // The whole reader, as the fuzzer found it.
        let _ = Dockerfile::parse("FROM x\nRUN {\u{e0179}\n", "Dockerfile");
    }

    fn run_script(dockerfile: &str) -> (Dockerfile, Script) {
        let df = Dockerfile::parse(dockerfile, "Dockerfile").unwrap();
        let inst = df.stages[0].instructions[0].clone();
        let script = Script::of_run(&inst, &df.text, '\\').unwrap();
        (df, script)
    }

    #[test]
    fn words_map_back_to_the_file_across_continuations() {
        let (df, script) = run_script(
            "FROM debian\nRUN apt-get update \\\n    # why\n    && apt-get install -y \\\n      gcc libpq-dev\n",
        );
        assert!(script.clean && script.is_flat());
        let install = &script.commands[1];
        assert_eq!(
            install.texts(),
            ["apt-get", "install", "-y", "gcc", "libpq-dev"]
        );
        let gcc = &install.words[3];
        assert_eq!(&df.text[gcc.span.clone()], "gcc");
        assert_eq!(&df.text[install.words[4].span.clone()], "libpq-dev");
        assert_eq!(install.before, Some(Connector::And));
        assert_eq!(&df.text[script.end - 9..script.end], "libpq-dev");
    }

    #[test]
    fn operators_decide_the_place() {
        let script = Script::parse(
            "set -ex; DEPS=\"gcc make\"; apt-get install -y $DEPS || true; curl -fsSL https://x | sh; if [ -f a ]; then rm a; fi",
        );
        let places: Vec<(String, Place)> = script
            .commands
            .iter()
            .map(|c| (c.program().to_string(), c.place))
            .collect();
        assert_eq!(
            places,
            [
                ("set".into(), Place::TopLevel),
                ("apt-get".into(), Place::Nested),
                ("true".into(), Place::Nested),
                ("curl".into(), Place::Nested),
                ("sh".into(), Place::Nested),
                ("rm".into(), Place::Nested),
            ]
        );
        assert!(!script.is_flat());
        let apt = &script.commands[1];
        assert_eq!(
            script.expanded(apt),
            ["apt-get", "install", "-y", "gcc", "make"]
        );
    }

    #[test]
    fn quoted_words_have_values_and_expansions_do_not() {
        let script = Script::parse("pip install 'flask==3.0' \"gunicorn\" \"$EXTRA\" x\\ y");
        let values: Vec<Option<String>> = script.commands[0]
            .words
            .iter()
            .map(|w| w.value.clone())
            .collect();
        assert_eq!(
            values,
            [
                Some("pip".into()),
                Some("install".into()),
                Some("flask==3.0".into()),
                Some("gunicorn".into()),
                None,
                Some("x y".into())
            ]
        );
    }

    #[test]
    fn heredoc_bodies_are_scripts() {
        let (df, script) = run_script(
            "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n",
        );
        assert!(script.heredoc);
        let curl = &script.commands[2].words[3];
        assert_eq!(&df.text[curl.span.clone()], "curl");
        assert_eq!(script.commands[2].before, Some(Connector::Newline));
    }

    /// Found by fuzzing: the words of a `<<-` body, whose leading tabs the
    /// shell never sees, were placed as if the body were the file's bytes,
    /// so a fix would have edited `\tapt-ge` for `apt-get`.
    #[test]
    fn words_of_a_tab_stripped_heredoc_are_where_they_are() {
        let (df, script) =
            run_script("FROM debian\nRUN <<-EOF\n\t\tapt-get update\n\tpip install flask\n\tEOF\n");
        let words: Vec<&str> = script
            .commands
            .iter()
            .flat_map(|c| &c.words)
            .map(|w| &df.text[w.span.clone()])
            .collect();
        assert_eq!(words, ["apt-get", "update", "pip", "install", "flask"]);
        assert_eq!(&df.text[script.end - 5..script.end], "flask");
    }

    /// Found by fuzzing: the views of scripts with heredocs gave the shell
    /// grammar the `\r` of CRLF lines (so `\` then CRLF in a body did not
    /// read as it does with LF, and a command went missing), and mapped
    /// the newline they add after the last terminator past the end of a
    /// file that has none.
    #[test]
    fn heredoc_scripts_read_crlf_as_lf_and_stay_in_the_file() {
        let lf = "FROM d\nRUN cat <<EOF > /a && cat <<EOF > /b\necho \"$HOME\"\n\\\nEOF\nEOF\n";
        for text in [lf.to_string(), lf.replace('\n', "\r\n")] {
            let df = Dockerfile::parse(&text, "Dockerfile").unwrap();
            let run = &df.stages[0].instructions[0];
            assert_eq!(run.commands(), [["cat"], ["cat"]], "{text:?}");
        }
        for text in [
            "FROM d\nRUN <<EOF <<EOF\necho `)\nEOF\nEOF",
            "FROM d\r\nRUN <<EOF <<EOF\r\necho `)\r\nEOF\r\nEOF\r\n",
        ] {
            let df = Dockerfile::parse(text, "Dockerfile").unwrap();
            let run = &df.stages[0].instructions[0];
            let script = run.script.as_ref().unwrap();
            assert!(
                script.commands.iter().all(|c| c.span.end <= run.span.end),
                "{text:?}"
            );
        }
    }

    #[test]
    fn heredoc_as_input_keeps_the_command() {
        let (_, script) = run_script("FROM debian\nRUN cat <<EOF > /etc/app.conf\nkey=1\nEOF\n");
        assert_eq!(script.commands[0].program(), "cat");
        assert_eq!(script.commands.len(), 1);
    }

    #[test]
    fn heredoc_bodies_with_one_delimiter_are_data() {
        let (_, script) = run_script(
            "FROM debian\nRUN cat <<EOF > /a && cat <<EOF > /b\n EOF\nEOF\napt-get install -y gcc\nEOF\n",
        );
        // The grammar loses the second `cat` too; what matters is that no
        // body line is a command.
        let programs: Vec<&str> = script.commands.iter().map(|c| c.program()).collect();
        assert_eq!(programs[0], "cat");
        assert!(!programs.contains(&"apt-get"), "{programs:?}");
    }

    #[test]
    fn unparseable_scripts_are_marked() {
        assert!(!Script::parse("if then fi (((").clean);
    }

    /// Found by fuzzing: the value of an unterminated string was cut one
    /// byte before its end, inside the `é`, and `rewrite` panicked.
    #[test]
    fn an_unterminated_string_ending_in_unicode_has_no_value() {
        let script = Script::parse("echo \"x\" \"\u{e9}");
        let words = &script.commands[0].words;
        assert_eq!(words[1].value.as_deref(), Some("x"));
        assert!(words.iter().skip(2).all(|w| w.value.is_none()));
        assert!(!script.clean);
    }
}
