//! Dockerfiles from a grammar of realistic pieces: parser directives,
//! global ARGs, stages (FROM with tags, digests, `--platform`, aliases),
//! every instruction with its flags, shell scripts with continuations and
//! comment lines, heredocs in RUN and COPY, exec and shell forms, keyword
//! case, the `` ` `` escape, CRLF, a byte order mark and Unicode.
//!
//! `App` biases the pieces towards one kind of repository, so the edit
//! engine sees files whose fixes apply (a Flask app's pip installs, a Node
//! app's npm steps).

use proptest::prelude::*;
use proptest::sample::select;

use super::shell::{self, CONT, CONT_COMMENT};
use super::{encoding, word, Encoding, UNICODE};

/// The kind of repository a Dockerfile is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Any,
    Flask,
    Node,
}

/// How the file is written, beyond its instructions.
#[derive(Debug, Clone)]
struct Style {
    escape: char,
    /// The indentation of continuation lines.
    indent: &'static str,
    /// 0: upper case keywords, 1: lower case, 2: capitalised.
    case: u8,
    syntax: bool,
    trailing_newline: bool,
    encoding: Encoding,
}

fn style() -> BoxedStrategy<Style> {
    (
        prop_oneof![6 => Just('\\'), 1 => Just('`')],
        // Docker reads only ASCII blanks as indentation: a continuation
        // line indented with a no-break space is an error, now and then.
        prop_oneof![
            20 => select(&["    ", "  ", "\t", ""][..]),
            1 => select(&["\u{a0}\u{a0}", "\u{3000}"][..]),
        ],
        prop_oneof![8 => Just(0u8), 1 => Just(1), 1 => Just(2)],
        any::<bool>(),
        prop::bool::weighted(0.9),
        encoding(),
    )
        .prop_map(
            |(escape, indent, case, syntax, trailing_newline, encoding)| Style {
                escape,
                indent,
                case,
                syntax,
                trailing_newline,
                encoding,
            },
        )
        .boxed()
}

const IMAGES_PY: &[&str] = &[
    "python:3.12-slim",
    "python:3.12",
    "python:3.11-bookworm",
    "python:3.7",
    "python:3.12-alpine",
    "python",
    "python:latest",
    "docker.io/library/python:3.12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "tiangolo/uvicorn-gunicorn:python3.11",
    "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
];
const IMAGES_NODE: &[&str] = &[
    "node:20",
    "node:20-slim",
    "node:20-bookworm",
    "node:lts",
    "node:22-alpine",
    "nginx:1.27-alpine",
];
const IMAGES_OTHER: &[&str] = &[
    "debian:bookworm-slim",
    "ubuntu:22.04",
    "alpine:3.19",
    "scratch",
    "${BASE_IMAGE}",
    "$BASE",
    "registry.example.com:5000/team/app:1.0",
    "builder",
    "base",
];
const ALIASES: &[&str] = &[
    "builder",
    "base",
    "build",
    "deps",
    "runtime",
    "production",
    "dev",
    "test",
    "final",
    "python-deps",
    "Builder",
];

fn image(app: App) -> BoxedStrategy<&'static str> {
    match app {
        App::Flask => prop_oneof![6 => select(IMAGES_PY), 1 => select(IMAGES_OTHER)].boxed(),
        App::Node => prop_oneof![6 => select(IMAGES_NODE), 1 => select(IMAGES_OTHER)].boxed(),
        App::Any => {
            prop_oneof![select(IMAGES_PY), select(IMAGES_NODE), select(IMAGES_OTHER)].boxed()
        }
    }
}

/// A FROM line without its alias (`dockerfile` names the stages, so that
/// two stages rarely share a name).
fn from_line(app: App) -> BoxedStrategy<String> {
    (
        select(
            &[
                "",
                "",
                "",
                " --platform=$BUILDPLATFORM",
                " --platform=linux/amd64",
            ][..],
        ),
        image(app),
    )
        .prop_map(|(flag, image)| format!("FROM{flag} {image}"))
        .boxed()
}

/// ` AS <name>` or nothing.
fn alias() -> BoxedStrategy<Option<String>> {
    (
        prop_oneof![2 => Just(None), 3 => select(ALIASES).prop_map(Some)],
        select(&[" AS ", " as ", "  AS  "][..]),
    )
        .prop_map(|(alias, as_)| alias.map(|a| format!("{as_}{a}")))
        .boxed()
}

fn name() -> BoxedStrategy<String> {
    prop_oneof![
        select(
            &[
                "PORT",
                "APP_HOME",
                "PYTHONUNBUFFERED",
                "NODE_ENV",
                "SECRET_KEY",
                "DB_PASSWORD",
                "VERSION",
                "PIP_NO_CACHE_DIR",
                "HF_HOME"
            ][..]
        )
        .prop_map(str::to_string),
        "[A-Z_]{1,8}",
    ]
    .boxed()
}

fn value() -> BoxedStrategy<String> {
    prop_oneof![
        select(
            &[
                "1",
                "8000",
                "production",
                "/app",
                "s3cr3t",
                "$HOME/bin:$PATH",
                "\"two words\""
            ][..]
        )
        .prop_map(str::to_string),
        word(),
    ]
    .boxed()
}

/// Sources and destinations a COPY names, for an app.
fn copy_paths(app: App) -> BoxedStrategy<String> {
    let python: &'static [&'static str] = &[
        "requirements.txt .",
        "requirements.txt /app/",
        ". .",
        ". /app",
        "./ /app/",
        "app.py /app/app.py",
        "static/ /app/static/",
        "entrypoint.sh /entrypoint.sh",
        "requirements*.txt ./",
    ];
    let node: &'static [&'static str] = &[
        "package.json package-lock.json ./",
        "package*.json ./",
        ". .",
        "src ./src",
        "server.js ./",
        "public/ /usr/share/nginx/html",
        "[\"package.json\", \"./\"]",
    ];
    match app {
        App::Flask => select(python).prop_map(str::to_string).boxed(),
        App::Node => select(node).prop_map(str::to_string).boxed(),
        App::Any => prop_oneof![
            select(python).prop_map(str::to_string),
            select(node).prop_map(str::to_string),
            (word(), word()).prop_map(|(a, b)| format!("{a} {b}")),
        ]
        .boxed(),
    }
}

fn copy_flags() -> BoxedStrategy<&'static str> {
    select(
        &[
            "",
            "",
            "",
            " --chown=app:app",
            " --chmod=755",
            " --from=builder",
            " --from=0",
            " --link",
            " --chown=1000",
        ][..],
    )
    .boxed()
}

fn run_flags() -> BoxedStrategy<&'static str> {
    select(
        &[
            "",
            "",
            "",
            "",
            " --mount=type=cache,target=/root/.cache/pip",
            " --mount=type=secret,id=npmrc",
            " --network=none",
        ][..],
    )
    .boxed()
}

/// Scripts an app's RUN lines hold.
fn app_script(app: App) -> BoxedStrategy<String> {
    let python: &'static [&'static str] = &[
        "pip install -r requirements.txt",
        "pip install --no-cache-dir -r requirements.txt",
        "apt-get update && apt-get install -y gcc libpq-dev",
        "apt-get update\u{e000}&& apt-get install -y build-essential\u{e000}&& rm -rf /var/lib/apt/lists/*",
        "apt-get install -y curl",
        "pip install gunicorn",
        "python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt",
        "useradd -m app && chown -R app /app",
        "mkdir -p /app/data",
        "pip install torch",
    ];
    let node: &'static [&'static str] = &[
        "npm ci",
        "npm install",
        "npm run build",
        "npm ci && npm run build",
        "npm ci --omit=dev",
        "yarn install --frozen-lockfile",
        "apt-get update && apt-get install -y python3 make g++",
        "npm install -g nodemon",
    ];
    match app {
        App::Flask => {
            prop_oneof![3 => select(python).prop_map(str::to_string), 1 => shell::script()].boxed()
        }
        App::Node => {
            prop_oneof![3 => select(node).prop_map(str::to_string), 1 => shell::script()].boxed()
        }
        App::Any => shell::script(),
    }
}

fn command(app: App) -> BoxedStrategy<String> {
    let python: &'static [&'static str] = &[
        "[\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]",
        "[\"python\", \"app.py\"]",
        "[\"flask\", \"run\", \"--host=0.0.0.0\"]",
        "gunicorn -b 0.0.0.0:8000 app:app",
        "python app.py",
        "flask run --host 0.0.0.0 --port 5000",
        "[\"/entrypoint.sh\"]",
        "./entrypoint.sh && exec gunicorn app:app",
    ];
    let node: &'static [&'static str] = &[
        "[\"node\", \"server.js\"]",
        "[\"npm\", \"start\"]",
        "npm run dev",
        "node server.js",
        "[\"nginx\", \"-g\", \"daemon off;\"]",
    ];
    match app {
        App::Flask => select(python).prop_map(str::to_string).boxed(),
        App::Node => select(node).prop_map(str::to_string).boxed(),
        App::Any => prop_oneof![
            select(python).prop_map(str::to_string),
            select(node).prop_map(str::to_string),
            shell::script(),
            proptest::collection::vec(word(), 0..3).prop_map(|w| format!(
                "[{}]",
                w.iter()
                    .map(|w| format!("{w:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ]
        .boxed(),
    }
}

/// A heredoc: the marker (`<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`), the
/// body and the terminator, as the text after the instruction's first
/// line. `None` for the terminator leaves it unterminated.
fn heredoc() -> BoxedStrategy<(String, String)> {
    (
        select(&["EOF", "PY", "END", "EOT"][..]),
        select(&["", "-", "'", "\""][..]),
        shell::body_lines(),
        prop::bool::weighted(0.95),
    )
        .prop_map(|(delim, form, lines, terminated)| {
            let marker = match form {
                "-" => format!("<<-{delim}"),
                "'" => format!("<<'{delim}'"),
                "\"" => format!("<<\"{delim}\""),
                _ => format!("<<{delim}"),
            };
            let tab = if form == "-" { "\t" } else { "" };
            let mut body: String = lines.iter().map(|l| format!("{tab}{l}\n")).collect();
            if terminated {
                body.push_str(&format!("{tab}{delim}"));
            } else {
                body.pop();
            }
            (marker, body)
        })
        .boxed()
}

fn heredoc_instruction() -> BoxedStrategy<String> {
    (
        select(
            &[
                "RUN {1}",
                "RUN cat {1} > /etc/app.conf",
                "RUN python3 {1} && echo done",
                "RUN --mount=type=cache,target=/root/.cache {1}",
                "RUN bash {1}",
                "COPY {1} /app/conf",
                "COPY --chmod=755 {1} /entrypoint.sh",
                "RUN cat {1} > /a && cat {2} > /b",
                "RUN {1} {2}",
            ][..],
        ),
        heredoc(),
        heredoc(),
    )
        .prop_map(|(form, (m1, b1), (m2, b2))| {
            let line = form.replace("{1}", &m1).replace("{2}", &m2);
            if form.contains("{2}") {
                format!("{line}\n{b1}\n{b2}")
            } else {
                format!("{line}\n{b1}")
            }
        })
        .boxed()
}

/// One instruction (or a comment or blank line), with `CONT` markers.
pub fn instruction(app: App) -> BoxedStrategy<String> {
    prop_oneof![
        2 => word().prop_map(|w| format!("# {w}")),
        1 => Just(String::new()),
        1 => (name(), prop::option::of(value())).prop_map(|(n, v)| match v {
            Some(v) => format!("ARG {n}={v}"),
            None => format!("ARG {n}"),
        }),
        2 => (name(), value(), name(), value(), any::<bool>()).prop_map(|(a, x, b, y, legacy)| {
            if legacy { format!("ENV {a} {x}") } else { format!("ENV {a}={x} {b}={y}") }
        }),
        1 => select(&["/app", "/srv/app", "app", "/home/app/", "C:\\app\\", "$APP_HOME",
            "/ünïcode"][..]).prop_map(|d| format!("WORKDIR {d}")),
        4 => (copy_flags(), copy_paths(app)).prop_map(|(f, p)| format!("COPY{f} {p}")),
        1 => select(&["https://example.com/app.tar.gz /tmp/", "app.tar.gz /srv/",
            ". /app", "requirements.txt ."][..]).prop_map(|p| format!("ADD {p}")),
        6 => (run_flags(), app_script(app)).prop_map(|(f, s)| format!("RUN{f} {s}")),
        1 => Just("RUN [\"pip\", \"install\", \"-r\", \"requirements.txt\"]".to_string()),
        2 => heredoc_instruction(),
        2 => command(app).prop_map(|c| format!("CMD {c}")),
        1 => command(app).prop_map(|c| format!("ENTRYPOINT {c}")),
        1 => select(&["8000", "5000", "3000 3001/udp", "80", "$PORT"][..])
            .prop_map(|p| format!("EXPOSE {p}")),
        1 => select(&["app", "1000:1000", "root", "node", "nobody"][..])
            .prop_map(|u| format!("USER {u}")),
        1 => (word(), value()).prop_map(|(k, v)| format!("LABEL {k}={v:?}")),
        1 => select(&["--interval=30s CMD curl -f http://localhost:8000/health || exit 1",
            "NONE", "CMD [\"python\", \"-c\", \"import sys\"]"][..])
            .prop_map(|h| format!("HEALTHCHECK {h}")),
        1 => select(&["[\"/data\"]", "/data /logs"][..]).prop_map(|v| format!("VOLUME {v}")),
        1 => Just("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]".to_string()),
        1 => Just("STOPSIGNAL SIGTERM".to_string()),
        1 => select(&["RUN echo onbuild", "COPY . /app"][..]).prop_map(|i| format!("ONBUILD {i}")),
        1 => select(UNICODE).prop_map(|u| format!("LABEL description=\"{u} app\"")),
    ]
    .boxed()
}

fn stage(app: App) -> BoxedStrategy<Vec<String>> {
    (
        from_line(app),
        alias(),
        proptest::collection::vec(instruction(app), 0..9),
    )
        .prop_map(|(from, alias, mut rest)| {
            rest.insert(0, from + &alias.unwrap_or_default());
            rest
        })
        .boxed()
}

/// The stages with a duplicate stage name made unique (`builder2`): the
/// same name twice is an error that would hide the rest of the file.
fn unique_names(stages: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    stages
        .into_iter()
        .enumerate()
        .map(|(i, mut stage)| {
            let name = stage[0]
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if stage[0].to_ascii_lowercase().contains(" as ") && !seen.insert(name) {
                stage[0].push_str(&i.to_string());
            }
            stage
        })
        .collect()
}

/// A whole Dockerfile for `app`.
pub fn dockerfile(app: App) -> BoxedStrategy<String> {
    (
        style(),
        proptest::collection::vec(
            (name(), value()).prop_map(|(n, v)| format!("ARG {n}={v}")),
            0..2,
        ),
        proptest::collection::vec(stage(app), 1..4),
    )
        .prop_map(|(style, args, stages)| {
            let stages = unique_names(stages);
            let lines: Vec<String> = args
                .into_iter()
                .chain(stages.into_iter().flatten())
                .collect();
            write(&style, &lines)
        })
        .boxed()
}

/// Any Dockerfile: the grammar, sometimes damaged, or arbitrary text.
pub fn any_dockerfile() -> BoxedStrategy<String> {
    prop_oneof![
        8 => super::mutated(dockerfile(App::Any)),
        1 => super::junk(),
        1 => super::junk().prop_map(|j| format!("FROM python:3.12\n{j}")),
    ]
    .boxed()
}

/// The text of a file of these instructions in this style.
fn write(style: &Style, instructions: &[String]) -> String {
    let e = style.escape;
    let indent = style.indent;
    let mut text = String::new();
    if style.syntax {
        text.push_str("# syntax=docker/dockerfile:1\n");
    }
    if e == '`' {
        text.push_str("# escape=`\n");
    }
    for inst in instructions {
        let inst = cased(inst, style.case)
            .replace(CONT, &format!("{e}\n{indent}"))
            .replace(
                CONT_COMMENT,
                &format!("{e}\n{indent}# note {}\n{indent}", UNICODE[0]),
            );
        text.push_str(&inst);
        text.push('\n');
    }
    if !style.trailing_newline {
        text.pop();
    }
    style.encoding.apply(&text)
}

/// The instruction with its keyword in lower case or capitalised.
fn cased(inst: &str, case: u8) -> String {
    let end = inst.find([' ', '\n']).unwrap_or(inst.len());
    let (keyword, rest) = inst.split_at(end);
    if keyword.starts_with('#') {
        return inst.to_string();
    }
    let keyword = match case {
        1 => keyword.to_ascii_lowercase(),
        2 => {
            let lower = keyword.to_ascii_lowercase();
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
        _ => keyword.to_string(),
    };
    format!("{keyword}{rest}")
}
