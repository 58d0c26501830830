//! What the existing Dockerfile says, with where it says it.
//!
//! The Dockerfile is parsed with `parse-dockerfile` (heredocs, directives,
//! `RUN --mount` and all) into a small owned model that rules, fixes and the
//! plan read. Every instruction keeps its byte span in the text, so a fix can
//! edit exactly the words it means and leave every other byte as it was.
//!
//! - `stages`: the stage graph (which stage builds on or copies from which,
//!   what the image ships, build targets, free stage names);
//! - `script`: the shell inside RUN, CMD and ENTRYPOINT, parsed with a real
//!   shell grammar into simple commands with spans;
//! - `shell`: what a simple command does (installs packages, runs pip...);
//! - `intent`: what the final stage promises (ports, command, environment).

mod heredoc;
pub mod image;
pub mod intent;
pub mod script;
pub mod shell;
pub mod stages;

use std::ops::Range;

use serde::Serialize;

use crate::detect::python_version::Minor;
use crate::error::{Error, LineCursor, Result};

pub use intent::Intent;

/// A byte range in the Dockerfile's text.
pub type Span = Range<usize>;

/// A Dockerfile instruction keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Keyword {
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
        }
    }
}

impl std::fmt::Display for Keyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command as written: exec form (JSON array) or shell form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum Command {
    Exec(Vec<String>),
    Shell(String),
}

impl Command {
    /// The words of the command; shell form is split like a shell would,
    /// without expanding anything.
    pub fn words(&self) -> Vec<String> {
        match self {
            Command::Exec(words) => words.clone(),
            Command::Shell(text) => shlex::split(text)
                .unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect()),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Command::Exec(words) => shlex::try_join(words.iter().map(String::as_str))
                .unwrap_or_else(|_| words.join(" ")),
            Command::Shell(text) => text.clone(),
        }
    }
}

/// A here-document of a RUN (or COPY) with the span of its body.
#[derive(Debug, Clone, Serialize)]
pub struct HereDoc {
    pub body: String,
    /// The body's bytes in the text (after the line of the `<<EOF`).
    pub span: Span,
    /// `false` when the delimiter is quoted (`<<'EOF'`): no expansion.
    pub expand: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Args {
    /// RUN, CMD, ENTRYPOINT. `span` covers the shell text or the JSON array.
    Command {
        command: Command,
        span: Span,
        heredocs: Vec<HereDoc>,
    },
    /// COPY, ADD.
    Copy {
        sources: Vec<String>,
        source_spans: Vec<Span>,
        dest: String,
        dest_span: Span,
    },
    /// FROM.
    From {
        image: String,
        image_span: Span,
        alias: Option<String>,
    },
    /// HEALTHCHECK CMD ... or HEALTHCHECK NONE (`None`).
    Healthcheck { command: Option<Command> },
    /// EXPOSE, VOLUME, SHELL.
    Words { words: Vec<String> },
    /// ENV, ARG, LABEL, USER, WORKDIR, STOPSIGNAL, MAINTAINER, ONBUILD.
    Text { text: String, span: Span },
}

/// An option flag such as `--from=builder` or `--mount=type=cache,...`.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// One instruction, owned, with where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Instruction {
    pub keyword: Keyword,
    /// 1-based line of the keyword.
    pub line: usize,
    /// 1-based last line (continuations and heredoc bodies included).
    pub end_line: usize,
    /// From the keyword to the instruction's last byte (no newline).
    pub span: Span,
    /// Whole lines: from the start of the keyword's line to after the
    /// newline that ends the instruction (or the end of the text).
    pub lines: Span,
    pub keyword_span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// The instruction as written, without its trailing newline.
    pub source: String,
    /// The shell script of a shell-form RUN, CMD or ENTRYPOINT (or of a
    /// heredoc RUN feeds the shell).
    #[serde(skip)]
    pub script: Option<script::Script>,
}

impl Instruction {
    pub fn is(&self, keyword: Keyword) -> bool {
        self.keyword == keyword
    }

    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_deref().unwrap_or(""))
    }

    pub fn command(&self) -> Option<&Command> {
        match &self.args {
            Args::Command { command, .. } => Some(command),
            Args::Healthcheck { command } => command.as_ref(),
            _ => None,
        }
    }

    pub fn text(&self) -> &str {
        match &self.args {
            Args::Text { text, .. } => text,
            _ => "",
        }
    }

    /// The simple commands this instruction runs, as words, with variables
    /// set earlier in the same script substituted and `sh -c "..."`
    /// looked through: for reading what it does, never for editing.
    pub fn commands(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        match (&self.script, self.command()) {
            (Some(script), _) => {
                for cmd in &script.commands {
                    push_looking_through_sh_c(script.expanded(cmd), &mut out);
                }
            }
            (None, Some(Command::Exec(words))) => {
                push_looking_through_sh_c(words.clone(), &mut out)
            }
            _ => {}
        }
        out
    }

    pub fn heredocs(&self) -> &[HereDoc] {
        match &self.args {
            Args::Command { heredocs, .. } => heredocs,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// Position in the file, from 0 (what `--from=0` names).
    pub index: usize,
    pub image: String,
    pub alias: Option<String>,
    pub line: usize,
    /// The FROM instruction.
    pub from: Instruction,
    /// The instructions after FROM, up to the next FROM.
    pub instructions: Vec<Instruction>,
}

impl Stage {
    /// The name `--from=` and `--target` use: the alias, else the index.
    pub fn name(&self) -> String {
        self.alias.clone().unwrap_or_else(|| self.index.to_string())
    }

    /// Every simple command the stage's RUNs run, each with its words and,
    /// when it can be edited, where it is.
    pub fn run_commands(&self) -> Vec<RunCommand<'_>> {
        self.instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Run)
            .flat_map(RunCommand::all_of)
            .collect()
    }

    /// Each RUN with the simple commands it runs.
    pub fn runs(&self) -> Vec<(&Instruction, Vec<Vec<String>>)> {
        self.instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Run)
            .map(|i| (i, i.commands()))
            .collect()
    }

    /// The WORKDIR in effect at a line of this stage, as set in this stage
    /// ("/" when it sets none).
    pub fn workdir_at(&self, line: usize) -> String {
        let mut dir = "/".to_string();
        for inst in self
            .instructions
            .iter()
            .filter(|i| i.line < line && i.keyword == Keyword::Workdir)
        {
            let d = inst.text().trim();
            dir = if d.starts_with('/') {
                d.to_string()
            } else {
                format!("{}/{d}", dir.trim_end_matches('/'))
            };
        }
        dir
    }

    /// From the start of the FROM line to the end of the stage's last line.
    pub fn lines(&self) -> Span {
        let end = self
            .instructions
            .last()
            .map_or(self.from.lines.end, |i| i.lines.end);
        self.from.lines.start..end
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Dockerfile {
    /// As shown to the user (relative to the repository when inside it).
    pub path: String,
    /// The text, without a leading byte order mark.
    pub text: String,
    /// The file started with a UTF-8 byte order mark (kept on write).
    pub bom: bool,
    /// The file's line ending: "\r\n" when its first line ends so.
    pub newline: &'static str,
    /// ARG instructions before the first FROM.
    pub global_args: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub escape_directive: Option<char>,
    pub syntax_directive: Option<String>,
    /// The stage the image is built from, when something outside the file
    /// says so (the configuration's `target`, a compose `build.target`);
    /// else `stages::default_target` decides.
    pub target: Option<String>,
}

/// `ENTRYPOINT []` clears the base image's entrypoint (Docker takes it;
/// distroless images, whose entrypoint is their interpreter, need it), but
/// parse-dockerfile asks for at least one argument. The brackets are
/// masked as `""`, the same length so every offset holds, and put back as
/// an empty exec form by [`unmask_empty_entrypoint`].
fn mask_empty_entrypoints(masked: &mut String) {
    let mut at = 0;
    let mut spans = Vec::new();
    for line in masked.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed
            .get(..10)
            .filter(|w| w.eq_ignore_ascii_case("ENTRYPOINT"))
            .map(|_| &trimmed[10..])
        {
            let args = rest.trim();
            if args.starts_with('[')
                && args.ends_with(']')
                && args[1..args.len() - 1].trim().is_empty()
            {
                let open = at + indent + 10 + rest.find('[').unwrap_or(0);
                let close = at + indent + 10 + rest.rfind(']').unwrap_or(0);
                spans.push((open, close));
            }
        }
        at += line.len();
    }
    for (open, close) in spans {
        masked.replace_range(open..open + 1, "\"");
        masked.replace_range(close..close + 1, "\"");
    }
}

/// The bodies of the heredocs the parser read come from the masked text,
/// where a body line `ENTRYPOINT []` had its brackets masked (found by
/// fuzzing: the script's words were not the file's bytes). Each body line
/// is taken back from the file, less the tabs `<<-` stripped.
fn unmask_heredoc_bodies(inst: &mut Instruction, text: &str, masked: &str) {
    let Args::Command { heredocs, .. } = &mut inst.args else {
        return;
    };
    let tabs = |line: &str| line.len() - line.trim_start_matches('\t').len();
    for doc in heredocs {
        let (Some(file), Some(seen)) = (text.get(doc.span.clone()), masked.get(doc.span.clone()))
        else {
            continue;
        };
        if file == seen {
            continue;
        }
        let mut file_lines = file.split_inclusive('\n').zip(seen.split_inclusive('\n'));
        let mut body = String::new();
        for body_line in doc.body.split_inclusive('\n') {
            let original = file_lines.next().and_then(|(file_line, seen_line)| {
                let stripped = tabs(seen_line).saturating_sub(tabs(body_line));
                file_line
                    .get(stripped..)
                    .filter(|o| o.len() == body_line.len())
            });
            body.push_str(original.unwrap_or(body_line));
        }
        doc.body = body;
    }
}

fn unmask_empty_entrypoint(inst: &mut Instruction, text: &str) {
    if inst.keyword != Keyword::Entrypoint {
        return;
    }
    if let Args::Command { command, span, .. } = &mut inst.args {
        let written = text.get(span.clone()).unwrap_or("").trim();
        if written.starts_with('[') && written[1..].trim_start() == "]" {
            *command = Command::Exec(Vec::new());
        }
    }
}

/// The fix for a line that does not parse: the instruction it meant when
/// its first word is a misspelt one, else how instructions are written.
fn parse_hint(text: &str, line: usize) -> String {
    const INSTRUCTIONS: &[&str] = &[
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ];
    let word = line
        .checked_sub(1)
        .and_then(|i| text.lines().nth(i))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("");
    let known = INSTRUCTIONS.iter().any(|i| i.eq_ignore_ascii_case(word));
    match crate::error::closest(word, INSTRUCTIONS.iter().copied()) {
        Some(meant) if !known && !word.is_empty() => {
            format!("did you mean `{meant}`? Every line starts with an instruction or continues the one before it with a trailing backslash")
        }
        _ => "every line starts with an instruction (FROM, RUN, COPY...) with its arguments, or continues the one before it with a trailing backslash".into(),
    }
}

impl Dockerfile {
    pub fn parse(text: &str, path: &str) -> Result<Dockerfile> {
        let (bom, text_owned) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (true, rest.to_string()),
            None => (false, text.to_string()),
        };
        if let Some((line, key)) = repeated_directive(&text_owned) {
            return Err(Error::input(
                path,
                Some(line),
                format!("repeats the `{key}` parser directive; Docker accepts each directive once and refuses the file"),
                format!("keep one `# {key}=` line at the top"),
            ));
        }
        let escape = escape_directive(&text_owned);
        let (mut masked, hidden) = heredoc::mask(&text_owned, escape);
        mask_empty_entrypoints(&mut masked);
        let parsed = parse_dockerfile::parse(&masked).map_err(|e| {
            let message = e.to_string();
            // parse-dockerfile's message carries its own position; keep ours.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let hint = parse_hint(&masked, e.line());
            let message = format!("does not parse as a Dockerfile: {message}");
            match e.line() {
                0 => Error::input(path, None, message, hint),
                line => Error::input_at(path, line, e.column(), message, hint),
            }
        })?;
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        // Lines are counted and heredocs found as the instructions come, so
        // a file of 100,000 instructions is read in linear time.
        let mut lines = LineCursor::new(&text_owned);
        let heredocs_at: std::collections::HashMap<usize, &heredoc::Hidden> =
            hidden.iter().map(|h| (h.run_start, h)).collect();
        for inst in &parsed.instructions {
            let Some(mut owned) = own(&text_owned, &mut lines, inst, escape) else {
                continue;
            };
            unmask_heredoc_bodies(&mut owned, &text_owned, &masked);
            if let Some(h) = heredocs_at.get(&owned.span.start) {
                owned.attach_heredocs(&text_owned, &mut lines, h);
            }
            if let Args::From { image, alias, .. } = &owned.args {
                stages.push(Stage {
                    index: stages.len(),
                    image: image.clone(),
                    alias: alias.clone(),
                    line: owned.line,
                    from: owned,
                    instructions: Vec::new(),
                });
                continue;
            }
            match stages.last_mut() {
                Some(stage) => stage.instructions.push(owned),
                None => global_args.push(owned),
            }
        }
        if stages.is_empty() {
            return Err(Error::input(
                path,
                None,
                "has no FROM instruction; expected at least one stage",
                "a Dockerfile starts its first stage with FROM and a base image, such as FROM python:3.12-slim",
            ));
        }
        for inst in global_args
            .iter_mut()
            .chain(stages.iter_mut().flat_map(|s| s.instructions.iter_mut()))
        {
            inst.script = script::Script::of_run(inst, &text_owned, escape);
            unmask_empty_entrypoint(inst, &text_owned);
        }
        let newline = match text_owned.find('\n') {
            Some(i) if i > 0 && text_owned.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Ok(Dockerfile {
            path: path.to_string(),
            escape_directive: parsed
                .parser_directives
                .escape
                .as_ref()
                .map(|d| d.value.value),
            syntax_directive: parsed
                .parser_directives
                .syntax
                .as_ref()
                .map(|d| d.value.value.to_string()),
            text: text_owned.clone(),
            bom,
            newline,
            global_args,
            stages,
            target: None,
        })
    }

    /// The text as it is on disk (with its byte order mark, if it had one).
    pub fn file_text(&self) -> String {
        if self.bom {
            format!("\u{feff}{}", self.text)
        } else {
            self.text.clone()
        }
    }

    /// The stage the image is built from: the named target, else the last
    /// stage unless it is a development or test stage (`stages::target_of`).
    pub fn image_stage(&self) -> &Stage {
        &self.stages[stages::target_of(self)]
    }

    /// The stage a `--from=` or FROM names, by alias or index.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| {
                s.alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(name))
            })
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// Every instruction of every stage, FROM lines included, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.global_args.iter().chain(
            self.stages
                .iter()
                .flat_map(|s| std::iter::once(&s.from).chain(&s.instructions)),
        )
    }

    /// The stage an instruction at this line belongs to.
    pub fn stage_at_line(&self, line: usize) -> Option<&Stage> {
        self.stages.iter().rev().find(|s| s.line <= line)
    }

    /// The image the image's stage finally rests on, following stage names.
    pub fn image_base(&self) -> String {
        self.base_image_of(self.image_stage())
    }

    /// The image a stage finally rests on, following stage names, with
    /// global ARG defaults substituted.
    pub fn base_image_of(&self, stage: &Stage) -> String {
        let mut image = stage.image.clone();
        for _ in 0..self.stages.len() {
            match self.stage_named(&image) {
                Some(parent) if parent.index < stage.index => image = parent.image.clone(),
                _ => break,
            }
        }
        self.expand_args(&image)
    }

    /// Substitutes `${NAME}` / `$NAME` from global ARG defaults.
    pub fn expand_args(&self, text: &str) -> String {
        let mut out = text.to_string();
        for arg in &self.global_args {
            if let Some((name, default)) = arg.text().split_once('=') {
                let default = default.trim_matches('"');
                out = out
                    .replace(&format!("${{{name}}}"), default)
                    .replace(&format!("${name}"), default);
            }
        }
        out
    }
}

/// A simple command a RUN runs.
#[derive(Debug, Clone)]
pub struct RunCommand<'a> {
    pub inst: &'a Instruction,
    /// Its words, with the script's own variables substituted.
    pub words: Vec<String>,
    /// The script and the command's index in it, when the command is
    /// written in the Dockerfile's shell text (not inside `sh -c "..."` or
    /// an exec-form array), so a fix can edit its words.
    pub at: Option<(&'a script::Script, usize)>,
}

impl<'a> RunCommand<'a> {
    fn all_of(inst: &'a Instruction) -> Vec<RunCommand<'a>> {
        let mut out = Vec::new();
        match &inst.script {
            Some(script) => {
                for (i, cmd) in script.commands.iter().enumerate() {
                    let words = script.expanded(cmd);
                    let mut inner = Vec::new();
                    push_looking_through_sh_c(words.clone(), &mut inner);
                    if inner.len() == 1 && inner[0] == words {
                        out.push(RunCommand {
                            inst,
                            words,
                            at: Some((script, i)),
                        });
                    } else {
                        out.extend(inner.into_iter().map(|words| RunCommand {
                            inst,
                            words,
                            at: None,
                        }));
                    }
                }
            }
            None => out.extend(inst.commands().into_iter().map(|words| RunCommand {
                inst,
                words,
                at: None,
            })),
        }
        out
    }

    /// The parsed command, when it can be edited.
    pub fn simple(&self) -> Option<&'a script::SimpleCommand> {
        self.at.map(|(s, i)| &s.commands[i])
    }

    /// The word at an index of `words`, when it is written as is (editable
    /// words and `words` line up only where no variable was expanded).
    pub fn word(&self, index: usize) -> Option<&'a script::Word> {
        let cmd = self.simple()?;
        let word = cmd.words.get(index)?;
        (cmd.words.len() == self.words.len() && word.text() == self.words[index]).then_some(word)
    }
}

/// The line (1-based) and name of a parser directive given twice at the
/// top (`# escape=` twice), which BuildKit refuses ("only one escape
/// parser directive can be used"); found by fuzzing, where the parser and
/// dockslim read the escape character differently.
fn repeated_directive(text: &str) -> Option<(usize, String)> {
    let mut seen: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let body = line.trim().strip_prefix('#')?.trim();
        let (key, _) = body.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        if !matches!(key.as_str(), "escape" | "syntax" | "check") {
            return None;
        }
        if seen.contains(&key) {
            return Some((i + 1, key));
        }
        seen.push(key);
    }
    None
}

/// The `# escape=` directive's character, else the backslash.
fn escape_directive(text: &str) -> char {
    for line in text.lines() {
        let Some(body) = line.trim().strip_prefix('#') else {
            break;
        };
        let body = body.trim();
        if let Some(value) = body.to_ascii_lowercase().strip_prefix("escape=") {
            return value.trim().chars().next().unwrap_or('\\');
        }
        if !body.contains('=') {
            break;
        }
    }
    '\\'
}

impl Instruction {
    /// Heredocs the parser did not see (they were blanked for it): the
    /// instruction now runs to the end of the last terminator line.
    fn attach_heredocs(
        &mut self,
        text: &str,
        lines: &mut LineCursor<'_>,
        hidden: &heredoc::Hidden,
    ) {
        if let Args::Command { heredocs, .. } = &mut self.args {
            *heredocs = hidden.heredocs.clone();
        }
        self.extend_to(text, lines, hidden.end);
    }

    fn extend_to(&mut self, text: &str, lines: &mut LineCursor<'_>, end: usize) {
        if end <= self.span.end {
            return;
        }
        self.span.end = end;
        self.lines.end = match text[end..].find('\n') {
            Some(i) => end + i + 1,
            None => text.len(),
        };
        self.end_line = lines.line_of(end.saturating_sub(1));
        self.source = text[self.lines.start..end].trim_start().to_string();
    }
}

impl Instruction {
    /// `COPY . .`, `COPY ./ /app`, `ADD . /srv`: the whole build context.
    pub fn copies_whole_context(&self) -> bool {
        if self.flag("from").is_some() {
            return false;
        }
        match &self.args {
            Args::Copy { sources, .. } if matches!(self.keyword, Keyword::Copy | Keyword::Add) => {
                sources
                    .iter()
                    .any(|s| matches!(s.as_str(), "." | "./" | "*" | "./*"))
            }
            _ => false,
        }
    }
}

/// Local archives are ADD's one legitimate use: it unpacks them.
pub fn is_archive(path: &str) -> bool {
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| path.to_ascii_lowercase().ends_with(ext))
}

/// Adds a command's words, or the commands of the script it hands to
/// `sh -c`.
fn push_looking_through_sh_c(words: Vec<String>, out: &mut Vec<Vec<String>>) {
    let shell = matches!(
        words.first().map(String::as_str),
        Some("sh" | "bash" | "/bin/sh" | "/bin/bash")
    );
    if shell && words.get(1).map(String::as_str) == Some("-c") {
        if let Some(inner) = words.get(2) {
            let script = script::Script::parse(inner);
            for cmd in &script.commands {
                push_looking_through_sh_c(script.expanded(cmd), out);
            }
            return;
        }
    }
    if !words.is_empty() {
        out.push(words);
    }
}

/// Reads `KEY=VALUE KEY2="v 2"` (or the legacy `KEY VALUE`) pairs.
pub fn key_values(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    let first = text.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let (key, value) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        return vec![(key.to_string(), value.trim().to_string())];
    }
    shlex::split(text)
        .unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect())
        .into_iter()
        .filter_map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The owned instruction, or `None` for a kind this model does not know.
fn own(
    text: &str,
    lines: &mut LineCursor<'_>,
    inst: &parse_dockerfile::Instruction<'_>,
    escape: char,
) -> Option<Instruction> {
    use parse_dockerfile::Instruction as I;
    fn s(u: &parse_dockerfile::UnescapedString<'_>) -> String {
        u.value.to_string()
    }
    fn flags(f: &[parse_dockerfile::Flag<'_>]) -> Vec<Flag> {
        f.iter()
            .map(|f| Flag {
                name: f.name.value.to_string(),
                value: f.value.as_ref().map(|v| v.value.to_string()),
                span: f.span(),
            })
            .collect()
    }
    fn command(c: &parse_dockerfile::Command<'_>, escape: char) -> (Command, Span) {
        match c {
            parse_dockerfile::Command::Exec(words) => (
                Command::Exec(words.value.iter().map(|w| w.value.to_string()).collect()),
                words.span.clone(),
            ),
            parse_dockerfile::Command::Shell(sh) => (
                Command::Shell(join_continuations(sh.value, escape)),
                sh.span.clone(),
            ),
            _ => (Command::Shell(String::new()), 0..0),
        }
    }
    fn heredocs(h: &[parse_dockerfile::HereDoc<'_>]) -> Vec<HereDoc> {
        h.iter()
            .map(|h| HereDoc {
                body: h.value.to_string(),
                span: h.span.clone(),
                expand: h.expand,
            })
            .collect()
    }
    fn copy(
        src: &[parse_dockerfile::Source<'_>],
        dest: &parse_dockerfile::UnescapedString<'_>,
    ) -> (Args, Vec<Span>) {
        let mut sources = Vec::new();
        let mut source_spans = Vec::new();
        let mut heredoc_spans = Vec::new();
        for source in src {
            match source {
                parse_dockerfile::Source::Path(p) => {
                    sources.push(p.value.to_string());
                    source_spans.push(p.span.clone());
                }
                parse_dockerfile::Source::HereDoc(h) => {
                    sources.push(format!("<<heredoc\n{}", h.value));
                    source_spans.push(h.span.clone());
                    heredoc_spans.push(h.span.clone());
                }
                _ => {}
            }
        }
        (
            Args::Copy {
                sources,
                source_spans,
                dest: s(dest),
                dest_span: dest.span.clone(),
            },
            heredoc_spans,
        )
    }
    fn text_args(u: &parse_dockerfile::UnescapedString<'_>) -> Args {
        Args::Text {
            text: s(u),
            span: u.span.clone(),
        }
    }
    // (keyword, keyword span, flags, args, the furthest byte the parser saw)
    let (keyword, keyword_span, flag_list, args, mut end) = match inst {
        I::Add(i) => {
            let (args, docs) = copy(&i.src, &i.dest);
            let end = docs
                .iter()
                .map(|d| line_end(text, d.end))
                .max()
                .unwrap_or(0)
                .max(i.dest.span.end);
            (
                Keyword::Add,
                i.add.span.clone(),
                flags(&i.options),
                args,
                end,
            )
        }
        I::Copy(i) => {
            let (args, docs) = copy(&i.src, &i.dest);
            let end = docs
                .iter()
                .map(|d| line_end(text, d.end))
                .max()
                .unwrap_or(0)
                .max(i.dest.span.end);
            (
                Keyword::Copy,
                i.copy.span.clone(),
                flags(&i.options),
                args,
                end,
            )
        }
        I::Arg(i) => (
            Keyword::Arg,
            i.arg.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        I::Cmd(i) => {
            let (command, span) = command(&i.arguments, escape);
            let end = span.end;
            (
                Keyword::Cmd,
                i.cmd.span.clone(),
                vec![],
                Args::Command {
                    command,
                    span,
                    heredocs: vec![],
                },
                end,
            )
        }
        I::Entrypoint(i) => {
            let (command, span) = command(&i.arguments, escape);
            let end = span.end;
            (
                Keyword::Entrypoint,
                i.entrypoint.span.clone(),
                vec![],
                Args::Command {
                    command,
                    span,
                    heredocs: vec![],
                },
                end,
            )
        }
        I::Run(i) => {
            let (command, span) = command(&i.arguments, escape);
            let docs = heredocs(&i.here_docs);
            // A body ends where its terminator line starts; the instruction
            // ends with that line.
            let end = docs
                .iter()
                .map(|d| line_end(text, d.span.end))
                .max()
                .unwrap_or(0)
                .max(span.end);
            (
                Keyword::Run,
                i.run.span.clone(),
                flags(&i.options),
                Args::Command {
                    command,
                    span,
                    heredocs: docs,
                },
                end,
            )
        }
        I::Env(i) => (
            Keyword::Env,
            i.env.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        I::Label(i) => (
            Keyword::Label,
            i.label.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        I::Expose(i) => (
            Keyword::Expose,
            i.expose.span.clone(),
            vec![],
            Args::Words {
                words: i.arguments.iter().map(s).collect(),
            },
            i.arguments.iter().map(|a| a.span.end).max().unwrap_or(0),
        ),
        I::From(i) => (
            Keyword::From,
            i.from.span.clone(),
            flags(&i.options),
            Args::From {
                image: s(&i.image),
                image_span: i.image.span.clone(),
                alias: i.as_.as_ref().map(|(_, a)| s(a)),
            },
            i.as_.as_ref().map_or(i.image.span.end, |(_, a)| a.span.end),
        ),
        I::Healthcheck(i) => (
            Keyword::Healthcheck,
            i.healthcheck.span.clone(),
            flags(&i.options),
            Args::Healthcheck {
                command: match &i.arguments {
                    parse_dockerfile::HealthcheckArguments::Cmd { arguments, .. } => {
                        Some(command(arguments, escape).0)
                    }
                    _ => None,
                },
            },
            0,
        ),
        I::Maintainer(i) => (
            Keyword::Maintainer,
            i.maintainer.span.clone(),
            vec![],
            text_args(&i.name),
            i.name.span.end,
        ),
        I::Onbuild(i) => (
            Keyword::Onbuild,
            i.onbuild.span.clone(),
            vec![],
            Args::Text {
                text: String::new(),
                span: i.onbuild.span.end..i.onbuild.span.end,
            },
            0,
        ),
        I::Shell(i) => (
            Keyword::Shell,
            i.shell.span.clone(),
            vec![],
            Args::Words {
                words: i.arguments.iter().map(s).collect(),
            },
            i.arguments.iter().map(|a| a.span.end).max().unwrap_or(0),
        ),
        I::Stopsignal(i) => (
            Keyword::Stopsignal,
            i.stopsignal.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        I::User(i) => (
            Keyword::User,
            i.user.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        I::Volume(i) => (
            Keyword::Volume,
            i.volume.span.clone(),
            vec![],
            Args::Words {
                words: match &i.arguments {
                    parse_dockerfile::JsonOrStringArray::Json(a) => a.value.iter().map(s).collect(),
                    parse_dockerfile::JsonOrStringArray::String(a) => a.iter().map(s).collect(),
                },
            },
            0,
        ),
        I::Workdir(i) => (
            Keyword::Workdir,
            i.workdir.span.clone(),
            vec![],
            text_args(&i.arguments),
            i.arguments.span.end,
        ),
        _ => return None,
    };
    // The instruction runs to the end of its logical line (continuations
    // included) or past its last heredoc, whichever is later.
    end = end.max(logical_line_end(text, keyword_span.start, escape));
    let end = text[..end.min(text.len())]
        .trim_end_matches(is_blank)
        .len()
        .max(keyword_span.end);
    let line_start = text[..keyword_span.start].rfind('\n').map_or(0, |i| i + 1);
    let lines_end = match text[end..].find('\n') {
        Some(i) => end + i + 1,
        None => text.len(),
    };
    let line = lines.line_of(keyword_span.start);
    let end_line = lines.line_of(end.saturating_sub(1).max(keyword_span.start));
    let mut args = args;
    clamp_args(&mut args, end);
    Some(Instruction {
        keyword,
        line,
        end_line,
        span: keyword_span.start..end,
        lines: line_start..lines_end,
        keyword_span,
        flags: flag_list,
        args,
        source: text[line_start..end].trim_start().to_string(),
        script: None,
    })
}

/// Keeps the arguments' spans inside their instruction. When a file ends
/// inside a continuation (`WORKDIR C:\\app\\` on the last line), the
/// parser's span of the arguments takes in the final newline, which is not
/// part of the instruction.
fn clamp_args(args: &mut Args, end: usize) {
    let clamp = |s: &mut Span| *s = s.start.min(end)..s.end.min(end);
    match args {
        Args::Command { span, .. } | Args::Text { span, .. } => clamp(span),
        Args::Copy {
            source_spans,
            dest_span,
            ..
        } => source_spans.iter_mut().chain([dest_span]).for_each(clamp),
        Args::From { image_span, .. } => clamp(image_span),
        Args::Healthcheck { .. } | Args::Words { .. } => {}
    }
}

/// Shell-form text as the shell sees it: line continuations joined and the
/// comment lines Docker drops from inside them removed.
fn join_continuations(text: &str, escape: char) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim_start_matches(is_blank).starts_with('#') {
            continue;
        }
        match continued(line, escape) {
            Some(head) => {
                out.push_str(head);
                out.push(' ');
            }
            None => out.push_str(line),
        }
    }
    out.trim_matches(is_blank).to_string()
}

/// Whitespace as Docker's parser (and parse-dockerfile) reads it: ASCII
/// only. A no-break space or an ideographic space is part of a word
/// (`COPY a \u{a0}` copies to a folder of that name), so trimming with
/// Unicode's notion of whitespace would cut a word out of its instruction.
pub(crate) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

/// A line (without its newline) that continues on the next one, without
/// its escape: as Docker reads it, the file's escape character (`\\`, or
/// `` ` `` under `# escape=`), then nothing but spaces or tabs. Under
/// `` ` ``, `WORKDIR C:\\` ends with a backslash and does not continue.
pub(crate) fn continued(line: &str, escape: char) -> Option<&str> {
    line.trim_end_matches([' ', '\t']).strip_suffix(escape)
}

/// A physical line without its ending, `\n` or `\r\n`, as BuildKit trims
/// it before looking for the escape: another `\r` stays, and an escape
/// before it does not continue the line (found by fuzzing: `\\\r\r\n`).
pub(crate) fn without_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// A line Docker drops from inside a continuation: blank, or a comment.
pub(crate) fn dropped_in_continuation(line: &str) -> bool {
    let trimmed = line.trim_start_matches(is_blank);
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// The end of the line holding `at` (before its newline).
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Where the logical line that starts at `start` ends: the end of the first
/// physical line that does not continue (comment and blank lines inside a
/// continuation do not end it).
fn logical_line_end(text: &str, start: usize, escape: char) -> usize {
    let mut pos = start;
    let mut first = true;
    for line in text[start..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let end = pos + content.len();
        pos += line.len();
        if !first && dropped_in_continuation(content) {
            continue;
        }
        first = false;
        if continued(without_line_ending(line), escape).is_none() {
            return end;
        }
    }
    text.len()
}

/// Whether a variable's name says it holds a secret: one of its `_`-separated
/// words is SECRET, PASSWORD, TOKEN, CREDENTIALS..., or two read API KEY,
/// PRIVATE KEY, ACCESS KEY. Whole words, so TOKENIZERS_PARALLELISM is not one.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let single = [
        "SECRET",
        "SECRETS",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "TOKEN",
        "TOKENS",
        "APIKEY",
        "CREDENTIALS",
        "CREDENTIAL",
        "PRIVATEKEY",
    ];
    words.iter().any(|w| single.contains(w))
        || words.windows(2).any(|pair| {
            matches!(
                pair,
                [
                    "API" | "PRIVATE" | "ACCESS" | "SIGNING" | "ENCRYPTION",
                    "KEY"
                ]
            )
        })
}

/// The Python an image runs: `python:3.11-slim` (any registry's `python`
/// repository) -> 3.11; a vendor image that names it in its tag
/// (`tiangolo/uvicorn-gunicorn:python3.9-slim`,
/// `nikolaik/python-nodejs:python3.11-nodejs20`) -> 3.9, 3.11; others (and
/// PyPy's `pypy3.10`) -> None.
pub fn python_minor_of_image(image: &str) -> Option<Minor> {
    let name = image.split('@').next().unwrap_or(image);
    let (repo, tag) = name.rsplit_once(':')?;
    if repo.contains('$') || tag.contains('$') {
        return None;
    }
    let last = repo.rsplit('/').next().unwrap_or(repo);
    if last == "python" {
        return Minor::parse_loose(tag);
    }
    tag.split(['-', '_'])
        .find(|part| part.starts_with("python3.") || part.starts_with("py3."))
        .and_then(|part| {
            Minor::parse_loose(part.trim_start_matches("py").trim_start_matches("thon"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_entrypoint_parses_as_an_empty_exec_form() {
        let text = "FROM gcr.io/distroless/python3-debian12\nENTRYPOINT []\n  entrypoint [ ]\nCMD [\"gunicorn\"]\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let entrypoints: Vec<_> = df.stages[0]
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Entrypoint)
            .map(|i| i.command().cloned())
            .collect();
        assert_eq!(
            entrypoints,
            vec![Some(Command::Exec(vec![])), Some(Command::Exec(vec![]))]
        );
        assert_eq!(df.text, text);
        // A bracket inside a longer command is left alone.
        let df = Dockerfile::parse("FROM x\nENTRYPOINT [\"a\"]\n", "Dockerfile").unwrap();
        assert_eq!(
            df.stages[0].instructions[0].command(),
            Some(&Command::Exec(vec!["a".into()]))
        );
    }

    #[test]
    fn python_version_of_official_and_vendor_tags() {
        let minor = |i: &str| python_minor_of_image(i).map(|m| m.to_string());
        assert_eq!(minor("python:3.11-slim").as_deref(), Some("3.11"));
        assert_eq!(
            minor("docker.io/library/python:3.12@sha256:ab").as_deref(),
            Some("3.12")
        );
        assert_eq!(
            minor("tiangolo/uvicorn-gunicorn:python3.9-slim").as_deref(),
            Some("3.9")
        );
        assert_eq!(
            minor("tiangolo/uvicorn-gunicorn-fastapi:python3.11").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            minor("nikolaik/python-nodejs:python3.10-nodejs20").as_deref(),
            Some("3.10")
        );
        assert_eq!(
            minor("ghcr.io/astral-sh/uv:python3.12-bookworm-slim").as_deref(),
            Some("3.12")
        );
        // Not CPython, not a version, not known until build time.
        assert_eq!(minor("pypy:3.10"), None);
        assert_eq!(minor("vendor/app:pypy3.10"), None);
        assert_eq!(minor("node:20-slim"), None);
        assert_eq!(minor("vendor/app:3.11"), None);
        assert_eq!(minor("tiangolo/uvicorn-gunicorn:${PY}"), None);
    }

    #[test]
    fn an_escape_before_a_second_carriage_return_does_not_continue() {
        let df = Dockerfile::parse(
            "FROM d\r\nRUN a &&\\\r\r\nSTOPSIGNAL SIGTERM\r\n",
            "Dockerfile",
        )
        .unwrap();
        let keywords: Vec<Keyword> = df.stages[0]
            .instructions
            .iter()
            .map(|i| i.keyword)
            .collect();
        assert_eq!(keywords, [Keyword::Run, Keyword::Stopsignal]);
        assert_eq!(df.stages[0].instructions[0].end_line, 2);
    }

    #[test]
    fn a_repeated_directive_is_refused_at_its_line() {
        let err = Dockerfile::parse("# escape=`\n# escape=`\nFROM debian\n", "Dockerfile")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Dockerfile:2") && err.contains("`escape` parser directive"),
            "{err}"
        );
        assert!(Dockerfile::parse(
            "# syntax=docker/dockerfile:1\n# escape=`\nFROM debian\n",
            "Dockerfile"
        )
        .is_ok());
    }

    #[test]
    fn an_empty_entrypoint_in_a_heredoc_body_is_text() {
        let text = "FROM p\nRUN <<EOF\nENTRYPOINT []\nEOF\nENTRYPOINT []\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let run = &df.stages[0].instructions[0];
        assert_eq!(run.heredocs()[0].body, "ENTRYPOINT []\n");
        let words = &run.script.as_ref().unwrap().commands[0].words;
        assert_eq!(words[1].raw, "[]");
        let entrypoint = &df.stages[0].instructions[1];
        assert!(
            matches!(&entrypoint.args, Args::Command { command: Command::Exec(v), .. } if v.is_empty())
        );
    }

    #[test]
    fn spans_cover_continuations_heredocs_and_comments() {
        let text = "FROM python:3.12 AS base\nRUN apt-get update \\\n    # a comment inside\n    && apt-get install -y gcc\nRUN <<EOF\npip install flask\nEOF\nCMD [\"gunicorn\"]";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let stage = &df.stages[0];
        assert_eq!(stage.name(), "base");
        let run = &stage.instructions[0];
        assert_eq!((run.line, run.end_line), (2, 4));
        assert!(df.text[run.span.clone()].ends_with("gcc"));
        assert!(df.text[run.lines.clone()].ends_with("gcc\n"));
        let heredoc = &stage.instructions[1];
        assert_eq!((heredoc.line, heredoc.end_line), (5, 7));
        assert_eq!(
            &df.text[heredoc.span.clone()],
            "RUN <<EOF\npip install flask\nEOF"
        );
        let cmd = &stage.instructions[2];
        assert_eq!(cmd.lines.end, text.len());
        assert_eq!(&df.text[stage.from.keyword_span.clone()], "FROM");
        let Args::From { image_span, .. } = &stage.from.args else {
            panic!()
        };
        assert_eq!(&df.text[image_span.clone()], "python:3.12");
    }

    #[test]
    fn keeps_bom_and_line_endings() {
        let df = Dockerfile::parse("\u{feff}FROM python:3.12\r\nCMD [\"x\"]\r\n", "D").unwrap();
        assert!(df.bom);
        assert_eq!(df.newline, "\r\n");
        assert_eq!(df.stages[0].instructions[0].source, "CMD [\"x\"]");
        assert!(df.file_text().starts_with('\u{feff}'));
    }

    /// Found by fuzzing: the instruction's span was trimmed with Unicode
    /// whitespace and ended before its own destination.
    #[test]
    fn a_word_of_unicode_spaces_stays_inside_its_instruction() {
        let df = Dockerfile::parse("FROM python:3.12-slim\nCOPY a \u{a0}\n", "D").unwrap();
        let copy = &df.stages[0].instructions[0];
        let Args::Copy {
            dest, dest_span, ..
        } = &copy.args
        else {
            panic!()
        };
        assert_eq!(dest, "\u{a0}");
        assert!(copy.span.end >= dest_span.end, "{copy:?}");
        assert_eq!(copy.source, "COPY a \u{a0}");
    }

    /// Found by fuzzing: under `# escape=`` a line ending with a backslash
    /// (Docker's own Windows example) was read as continued, so its
    /// instruction ran into the next one. A backslash followed by a
    /// no-break space does not continue a line either.
    #[test]
    fn lines_continue_only_with_the_files_escape() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nCOPY testfile.txt c:\\\nRUN dir c:\\\nRUN echo a `\n    b\n";
        let df = Dockerfile::parse(text, "D").unwrap();
        let lines: Vec<(usize, usize)> = df.stages[0]
            .instructions
            .iter()
            .map(|i| (i.line, i.end_line))
            .collect();
        assert_eq!(lines, [(3, 3), (4, 4), (5, 6)]);
        assert_eq!(
            df.stages[0].instructions[0].source,
            "COPY testfile.txt c:\\"
        );
        let words = df.stages[0].instructions[2].commands();
        assert_eq!(words, [["echo", "a", "b"]]);

        let df = Dockerfile::parse("FROM d\nRUN a \\\u{a0}\nRUN b\n", "D").unwrap();
        let runs = &df.stages[0].instructions;
        assert_eq!(runs.len(), 2);
        assert!(runs[0].span.end <= runs[1].span.start, "{runs:?}");
    }

    /// Found by fuzzing: a file that ends inside a continuation had the
    /// arguments' span take in the final newline, past the instruction.
    #[test]
    fn a_continuation_at_the_end_of_the_file_stays_inside_its_instruction() {
        for text in ["FROM d\nWORKDIR C:\\app\\\n", "FROM d\nRUN echo \\\n"] {
            let df = Dockerfile::parse(text, "D").unwrap();
            let inst = &df.stages[0].instructions[0];
            let (Args::Text { span, .. } | Args::Command { span, .. }) = &inst.args else {
                panic!("{inst:?}")
            };
            assert!(span.end <= inst.span.end, "{text:?}: {inst:?}");
        }
    }

    #[test]
    fn parse_errors_name_line() {
        let err = Dockerfile::parse("FROM python:3.12\nCOPY onlyone\n", "Dockerfile")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Dockerfile:2:"), "{err}");
        let err = Dockerfile::parse("# just a comment\n", "Dockerfile")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Dockerfile: does not parse as a Dockerfile: expected at least one FROM instruction"
        );
    }

    #[test]
    fn secret_names() {
        for name in [
            "DJANGO_SECRET_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "STRIPE_API_KEY",
            "aws_access_key_id",
            "DB_PASS",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "FLASK_ENV",
            "TOKENIZERS_PARALLELISM",
            "PASSENGER_APP_ENV",
            "KEYCLOAK_URL",
            "PYTHONPATH",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn key_values_forms() {
        assert_eq!(
            key_values("A=1 B=\"two words\""),
            [("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(
            key_values("LEGACY some value"),
            [("LEGACY".into(), "some value".into())]
        );
    }
}
