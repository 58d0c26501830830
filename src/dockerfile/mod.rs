//! What the existing Dockerfile means.
//!
//! The Dockerfile is parsed with `parse-dockerfile` (heredocs, directives,
//! `RUN --mount` and all) into a small owned model that rules and the plan
//! read, and the final stage's intent (ports, command, environment, labels,
//! volumes, packages) is extracted from it.

pub mod shell;

use serde::Serialize;

use crate::detect::python_version::Minor;
use crate::error::{line_of, Error, Result};

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

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Args {
    /// RUN, CMD, ENTRYPOINT.
    Command {
        command: Command,
        heredocs: Vec<String>,
    },
    /// COPY, ADD.
    Copy { sources: Vec<String>, dest: String },
    /// FROM.
    From {
        image: String,
        alias: Option<String>,
    },
    /// HEALTHCHECK CMD ... or HEALTHCHECK NONE (`None`).
    Healthcheck { command: Option<Command> },
    /// EXPOSE, VOLUME, SHELL.
    Words { words: Vec<String> },
    /// ENV, ARG, LABEL, USER, WORKDIR, STOPSIGNAL, MAINTAINER, ONBUILD.
    Text { text: String },
}

/// One instruction, owned, with its 1-based line.
#[derive(Debug, Clone, Serialize)]
pub struct Instruction {
    pub keyword: String,
    pub line: usize,
    pub flags: Vec<(String, Option<String>)>,
    pub args: Args,
    /// The instruction as written.
    pub source: String,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
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
            Args::Text { text } => text,
            _ => "",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub image: String,
    pub alias: Option<String>,
    pub line: usize,
    /// The instructions after FROM, up to the next FROM.
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Dockerfile {
    /// As shown to the user (relative to the repository when inside it).
    pub path: String,
    pub text: String,
    /// ARG instructions before the first FROM.
    pub global_args: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub escape_directive: Option<char>,
    pub syntax_directive: Option<String>,
}

impl Dockerfile {
    pub fn parse(text: &str, path: &str) -> Result<Dockerfile> {
        let text_owned = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        let parsed = parse_dockerfile::parse(&text_owned).map_err(|e| {
            let message = e.to_string();
            // parse-dockerfile's message carries its own position; keep ours.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let message = format!("does not parse as a Dockerfile: {message}");
            match e.line() {
                0 => Error::input(path, None, message),
                line => Error::input_at(path, line, e.column(), message),
            }
        })?;
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for inst in &parsed.instructions {
            let owned = own(&text_owned, inst);
            if let Args::From { image, alias } = &owned.args {
                stages.push(Stage {
                    image: image.clone(),
                    alias: alias.clone(),
                    line: owned.line,
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
            ));
        }
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
            global_args,
            stages,
        })
    }

    pub fn final_stage(&self) -> &Stage {
        self.stages.last().expect("parse guarantees one stage")
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

    /// The final stage and the stages it copies from or builds on, in order.
    pub fn final_lineage(&self) -> Vec<&Stage> {
        let mut out: Vec<&Stage> = Vec::new();
        let mut todo = vec![self.final_stage()];
        while let Some(stage) = todo.pop() {
            if out.iter().any(|s| std::ptr::eq(*s, stage)) {
                continue;
            }
            out.push(stage);
            if let Some(parent) = self.stage_named(&stage.image) {
                todo.push(parent);
            }
            for inst in &stage.instructions {
                if let Some(from) = inst.flag("from") {
                    if let Some(s) = self.stage_named(from) {
                        todo.push(s);
                    }
                }
            }
        }
        out.sort_by_key(|s| s.line);
        out
    }

    /// The image the final stage finally rests on, following stage names.
    pub fn final_base_image(&self) -> String {
        let mut image = self.final_stage().image.clone();
        for _ in 0..self.stages.len() {
            match self.stage_named(&image) {
                Some(stage) => image = stage.image.clone(),
                None => break,
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

fn own(text: &str, inst: &parse_dockerfile::Instruction<'_>) -> Instruction {
    use parse_dockerfile::Instruction as I;
    fn s(u: &parse_dockerfile::UnescapedString<'_>) -> String {
        u.value.to_string()
    }
    fn flags(f: &[parse_dockerfile::Flag<'_>]) -> Vec<(String, Option<String>)> {
        f.iter()
            .map(|f| {
                (
                    f.name.value.to_string(),
                    f.value.as_ref().map(|v| v.value.to_string()),
                )
            })
            .collect()
    }
    fn command(c: &parse_dockerfile::Command<'_>) -> Command {
        match c {
            parse_dockerfile::Command::Exec(words) => {
                Command::Exec(words.value.iter().map(|w| w.value.to_string()).collect())
            }
            parse_dockerfile::Command::Shell(sh) => Command::Shell(join_continuations(sh.value)),
            _ => Command::Shell(String::new()),
        }
    }
    fn sources(src: &[parse_dockerfile::Source<'_>]) -> Vec<String> {
        src.iter()
            .map(|s| match s {
                parse_dockerfile::Source::Path(p) => p.value.to_string(),
                parse_dockerfile::Source::HereDoc(h) => format!("<<heredoc\n{}", h.value),
                _ => String::new(),
            })
            .collect()
    }
    let (keyword, span_start, flag_list, args) = match inst {
        I::Add(i) => (
            "ADD",
            i.add.span.start,
            flags(&i.options),
            Args::Copy {
                sources: sources(&i.src),
                dest: s(&i.dest),
            },
        ),
        I::Copy(i) => (
            "COPY",
            i.copy.span.start,
            flags(&i.options),
            Args::Copy {
                sources: sources(&i.src),
                dest: s(&i.dest),
            },
        ),
        I::Arg(i) => (
            "ARG",
            i.arg.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        I::Cmd(i) => (
            "CMD",
            i.cmd.span.start,
            vec![],
            Args::Command {
                command: command(&i.arguments),
                heredocs: vec![],
            },
        ),
        I::Entrypoint(i) => (
            "ENTRYPOINT",
            i.entrypoint.span.start,
            vec![],
            Args::Command {
                command: command(&i.arguments),
                heredocs: vec![],
            },
        ),
        I::Run(i) => (
            "RUN",
            i.run.span.start,
            flags(&i.options),
            Args::Command {
                command: command(&i.arguments),
                heredocs: i.here_docs.iter().map(|h| h.value.to_string()).collect(),
            },
        ),
        I::Env(i) => (
            "ENV",
            i.env.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        I::Label(i) => (
            "LABEL",
            i.label.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        I::Expose(i) => (
            "EXPOSE",
            i.expose.span.start,
            vec![],
            Args::Words {
                words: i.arguments.iter().map(s).collect(),
            },
        ),
        I::From(i) => (
            "FROM",
            i.from.span.start,
            flags(&i.options),
            Args::From {
                image: s(&i.image),
                alias: i.as_.as_ref().map(|(_, a)| s(a)),
            },
        ),
        I::Healthcheck(i) => (
            "HEALTHCHECK",
            i.healthcheck.span.start,
            flags(&i.options),
            Args::Healthcheck {
                command: match &i.arguments {
                    parse_dockerfile::HealthcheckArguments::Cmd { arguments, .. } => {
                        Some(command(arguments))
                    }
                    _ => None,
                },
            },
        ),
        I::Maintainer(i) => (
            "MAINTAINER",
            i.maintainer.span.start,
            vec![],
            Args::Text { text: s(&i.name) },
        ),
        I::Onbuild(i) => (
            "ONBUILD",
            i.onbuild.span.start,
            vec![],
            Args::Text {
                text: String::new(),
            },
        ),
        I::Shell(i) => (
            "SHELL",
            i.shell.span.start,
            vec![],
            Args::Words {
                words: i.arguments.iter().map(s).collect(),
            },
        ),
        I::Stopsignal(i) => (
            "STOPSIGNAL",
            i.stopsignal.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        I::User(i) => (
            "USER",
            i.user.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        I::Volume(i) => (
            "VOLUME",
            i.volume.span.start,
            vec![],
            Args::Words {
                words: match &i.arguments {
                    parse_dockerfile::JsonOrStringArray::Json(a) => a.value.iter().map(s).collect(),
                    parse_dockerfile::JsonOrStringArray::String(a) => a.iter().map(s).collect(),
                },
            },
        ),
        I::Workdir(i) => (
            "WORKDIR",
            i.workdir.span.start,
            vec![],
            Args::Text {
                text: s(&i.arguments),
            },
        ),
        _ => (
            "UNKNOWN",
            0,
            vec![],
            Args::Text {
                text: String::new(),
            },
        ),
    };
    let line = line_of(text, span_start);
    let source = source_of(text, span_start);
    Instruction {
        keyword: keyword.to_string(),
        line,
        flags: flag_list,
        args,
        source,
    }
}

/// Shell-form text as the shell sees it: line continuations joined and the
/// comment lines Docker drops from inside them removed.
fn join_continuations(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim_start().starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                out.push_str(head);
                out.push(' ');
            }
            None => out.push_str(line),
        }
    }
    out.trim().to_string()
}

/// The instruction's text from its keyword to the end of its logical line.
fn source_of(text: &str, start: usize) -> String {
    let rest = &text[start..];
    let mut end = 0;
    for line in rest.split_inclusive('\n') {
        end += line.len();
        let trimmed = line.trim_end();
        if !trimmed.ends_with('\\') {
            break;
        }
    }
    rest[..end].trim_end().to_string()
}

/// What the final stage means: everything a rewrite must keep.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Intent {
    pub base_image: String,
    pub base_line: usize,
    pub python_minor: Option<Minor>,
    pub expose: Vec<(String, usize)>,
    pub cmd: Option<(Command, usize)>,
    pub entrypoint: Option<(Command, usize)>,
    pub env: Vec<(String, String, usize)>,
    pub labels: Vec<(String, String, usize)>,
    pub volumes: Vec<(String, usize)>,
    pub workdir: Option<String>,
    pub user: Option<(String, usize)>,
    pub stopsignal: Option<(String, usize)>,
    /// apt or apk packages installed in the final stage's lineage.
    pub system_packages: Vec<(String, usize)>,
    /// Requirements files passed to `pip install -r`.
    pub pip_requirement_files: Vec<(String, usize)>,
    /// Files the final stage copies from the context by name (not `.`).
    pub copied_paths: Vec<(String, usize)>,
}

impl Dockerfile {
    pub fn intent(&self) -> Intent {
        let mut intent = Intent {
            base_image: self.final_base_image(),
            base_line: self.final_stage().line,
            ..Default::default()
        };
        intent.python_minor = python_minor_of_image(&intent.base_image);
        let lineage = self.final_lineage();
        let final_stage = self.final_stage();
        for stage in &lineage {
            let is_final = std::ptr::eq(*stage, final_stage);
            for inst in &stage.instructions {
                let line = inst.line;
                match (inst.keyword.as_str(), &inst.args) {
                    ("RUN", Args::Command { command, .. }) => {
                        let words = command.words();
                        for cmd in shell::simple_commands(&words) {
                            if let Some(pkgs) = shell::package_install(&cmd) {
                                intent
                                    .system_packages
                                    .extend(pkgs.into_iter().map(|p| (p, line)));
                            }
                            intent.pip_requirement_files.extend(
                                shell::pip_requirement_files(&cmd)
                                    .into_iter()
                                    .map(|p| (p, line)),
                            );
                        }
                    }
                    ("COPY" | "ADD", Args::Copy { sources, .. })
                        if is_final && inst.flag("from").is_none() =>
                    {
                        for src in sources {
                            let clean = src.trim_start_matches("./").trim_end_matches('/');
                            if !clean.is_empty()
                                && clean != "."
                                && !src.starts_with("<<")
                                && !src.contains("://")
                            {
                                intent.copied_paths.push((clean.to_string(), line));
                            }
                        }
                    }
                    _ if !is_final => {}
                    ("EXPOSE", Args::Words { words }) => intent
                        .expose
                        .extend(words.iter().map(|w| (w.clone(), line))),
                    ("CMD", Args::Command { command, .. }) => {
                        intent.cmd = Some((command.clone(), line))
                    }
                    ("ENTRYPOINT", Args::Command { command, .. }) => {
                        intent.entrypoint = Some((command.clone(), line))
                    }
                    ("ENV", Args::Text { text }) => {
                        intent
                            .env
                            .extend(key_values(text).into_iter().map(|(k, v)| (k, v, line)));
                    }
                    ("LABEL", Args::Text { text }) => {
                        intent
                            .labels
                            .extend(key_values(text).into_iter().map(|(k, v)| (k, v, line)));
                    }
                    ("VOLUME", Args::Words { words }) => intent
                        .volumes
                        .extend(words.iter().map(|w| (w.clone(), line))),
                    ("WORKDIR", Args::Text { text }) => {
                        let dir = text.trim().to_string();
                        intent.workdir = Some(match (&intent.workdir, dir.starts_with('/')) {
                            (Some(prev), false) => {
                                format!("{}/{}", prev.trim_end_matches('/'), dir)
                            }
                            _ => dir,
                        });
                    }
                    ("USER", Args::Text { text }) => {
                        intent.user = Some((text.trim().to_string(), line))
                    }
                    ("STOPSIGNAL", Args::Text { text }) => {
                        intent.stopsignal = Some((text.trim().to_string(), line))
                    }
                    _ => {}
                }
            }
        }
        intent
    }
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

/// `python:3.11-slim` -> 3.11; other images -> None.
pub fn python_minor_of_image(image: &str) -> Option<Minor> {
    let name = image.split('@').next().unwrap_or(image);
    let (repo, tag) = name.rsplit_once(':')?;
    let last = repo.rsplit('/').next().unwrap_or(repo);
    (last == "python")
        .then(|| Minor::parse_loose(tag))
        .flatten()
}

/// Reads a Dockerfile from disk; `shown` names it in errors.
pub fn read(path: &std::path::Path, shown: &str) -> Result<Option<Dockerfile>> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{shown} is a folder; expected a Dockerfile"
        )));
    }
    match crate::repo::read_text_file(path, shown)? {
        Some(text) => Dockerfile::parse(&text, shown).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOATED: &str = "\u{feff}FROM python:3.11\r\nWORKDIR /app\r\nCOPY . .\r\nRUN apt-get update && apt-get install -y gcc libpq-dev \\\r\n    postgresql-client\r\nRUN pip install -r requirements.txt\r\nENV FLASK_ENV=production APP_NAME=\"my app\"\r\nEXPOSE 5000\r\nLABEL org.opencontainers.image.source=https://example.com/repo\r\nVOLUME [\"/app/instance\"]\r\nCMD flask run --host=0.0.0.0\r\n";

    #[test]
    fn reads_intent_with_bom_and_crlf() {
        let df = Dockerfile::parse(BLOATED, "Dockerfile").unwrap();
        let intent = df.intent();
        assert_eq!(intent.base_image, "python:3.11");
        assert_eq!(intent.python_minor, Some(Minor(3, 11)));
        assert_eq!(intent.expose, [("5000".to_string(), 8)]);
        assert_eq!(intent.workdir.as_deref(), Some("/app"));
        let pkgs: Vec<_> = intent
            .system_packages
            .iter()
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(pkgs, ["gcc", "libpq-dev", "postgresql-client"]);
        assert_eq!(intent.pip_requirement_files[0].0, "requirements.txt");
        assert_eq!(intent.env[1], ("APP_NAME".into(), "my app".into(), 7));
        assert_eq!(intent.volumes[0].0, "/app/instance");
        assert!(matches!(intent.cmd, Some((Command::Shell(_), 11))));
    }

    #[test]
    fn multi_stage_heredoc_and_args() {
        let text = "ARG PY=3.12\nFROM python:${PY}-slim AS build\nRUN <<EOF\npip install flask\nEOF\nFROM build\nCOPY --from=build /opt/venv /opt/venv\nCMD [\"gunicorn\", \"app:app\"]\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.final_base_image(), "python:3.12-slim");
        assert_eq!(df.final_lineage().len(), 2);
        let intent = df.intent();
        assert_eq!(
            intent.cmd.unwrap().0,
            Command::Exec(vec!["gunicorn".into(), "app:app".into()])
        );
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
