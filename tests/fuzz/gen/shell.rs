//! Shell scripts as RUN lines hold them: installs and cleanups joined by
//! `&&`, `||`, pipes and `;`, control flow, variables, quoting, and line
//! continuations with comment lines inside them.
//!
//! A script is one logical line; `CONT` marks where the file breaks it
//! with a continuation, `CONT_COMMENT` where it also puts a comment line.
//! The Dockerfile generator turns both into the file's escape character,
//! newline and indentation.

use proptest::prelude::*;
use proptest::sample::select;

use super::{word, UNICODE};

/// A continuation: `<escape>\n<indent>`.
pub const CONT: &str = "\u{e000}";
/// A continuation with a comment line after it.
pub const CONT_COMMENT: &str = "\u{e001}";

/// Commands people put in Dockerfiles, as written.
const COMMANDS: &[&str] = &[
    "apt-get update",
    "apt-get install -y gcc libpq-dev",
    "apt-get install -y --no-install-recommends curl ca-certificates",
    "apt-get install -y build-essential git",
    "rm -rf /var/lib/apt/lists/*",
    "apk add --no-cache gcc musl-dev",
    "pip install -r requirements.txt",
    "pip install --no-cache-dir -r requirements.txt",
    "pip install --upgrade pip",
    "pip install flask gunicorn",
    "pip install torch",
    "python -m venv /opt/venv",
    "npm ci",
    "npm install",
    "npm run build",
    "npm cache clean --force",
    "yarn install --frozen-lockfile",
    "pnpm install --frozen-lockfile",
    "poetry install --no-root",
    "uv sync --frozen",
    "useradd -m app",
    "adduser --disabled-password app",
    "mkdir -p /app/data",
    "chown -R app:app /app",
    "curl -fsSL https://example.com/install.sh",
    "echo 'done'",
    "echo \"a << b\"",
    "python -c \"print('hi')\"",
    "set -ex",
    "cd /app",
    "true",
    ":",
    "exit 1",
];

const PROGRAMS: &[&str] = &[
    "echo", "apt-get", "pip", "npm", "mkdir", "rm", "cp", "ln", "sed", "/bin/sh", "bash",
    "python3", "node", "chmod", "env",
];

/// Arguments with quoting, expansions, globs and escapes.
fn argument() -> BoxedStrategy<String> {
    prop_oneof![
        4 => word(),
        1 => word().prop_map(|w| format!("'{w}'")),
        1 => word().prop_map(|w| format!("\"{w} $HOME\"")),
        1 => select(&["$DEPS", "${DEPS}", "${X:-y}", "$(pwd)", "`date`", "*.txt", "a\\ b",
            "--flag=value", "-y", "2>&1", ">/dev/null", "<<<word", "$((1<<2))", "\"\"", "''"][..])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// One simple command.
pub fn simple_command() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(COMMANDS).prop_map(str::to_string),
        2 => (select(PROGRAMS), proptest::collection::vec(argument(), 0..4))
            .prop_map(|(p, args)| std::iter::once(p.to_string()).chain(args).collect::<Vec<_>>().join(" ")),
        1 => ("[A-Z]{1,5}", argument()).prop_map(|(k, v)| format!("{k}={v}")),
        1 => ("[A-Z]{1,5}", argument()).prop_map(|(k, v)| format!("export {k}={v}")),
        1 => select(UNICODE).prop_map(|u| format!("echo {u}")),
    ]
    .boxed()
}

const OPERATORS: &[&str] = &[" && ", " && ", " && ", " || ", " | ", "; ", " & "];

/// Where a joint goes: the same line, or a continuation (with a comment
/// line, sometimes) before or after the operator.
fn joint() -> BoxedStrategy<String> {
    (
        select(OPERATORS),
        select(&["", "", "before", "after", "comment"][..]),
    )
        .prop_map(|(op, place)| match place {
            "before" => format!("{CONT}{}", op.trim_start()),
            "after" => format!("{}{CONT}", op.trim_end()),
            "comment" => format!("{CONT_COMMENT}{}", op.trim_start()),
            _ => op.to_string(),
        })
        .boxed()
}

/// Commands joined by operators.
fn list() -> BoxedStrategy<String> {
    (
        simple_command(),
        proptest::collection::vec((joint(), simple_command()), 0..4),
    )
        .prop_map(|(first, rest)| {
            let mut out = first;
            for (j, c) in rest {
                out.push_str(&j);
                out.push_str(&c);
            }
            out
        })
        .boxed()
}

/// A list, maybe inside control flow, a subshell, a group or a function.
fn statement() -> BoxedStrategy<String> {
    prop_oneof![
        5 => list(),
        1 => list().prop_map(|l| format!("if [ -f /etc/os-release ]; then {l}; fi")),
        1 => list().prop_map(|l| format!("for p in a b; do {l}; done")),
        1 => list().prop_map(|l| format!("( {l} )")),
        1 => list().prop_map(|l| format!("{{ {l}; }}")),
        1 => list().prop_map(|l| format!("case \"$X\" in a) {l};; *) true;; esac")),
        1 => list().prop_map(|l| format!("f() {{ {l}; }}; f")),
        1 => list().prop_map(|l| format!("X=$({l})")),
    ]
    .boxed()
}

/// A whole shell-form script: statements joined by operators.
pub fn script() -> BoxedStrategy<String> {
    (
        statement(),
        proptest::collection::vec((joint(), statement()), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut out = first;
            for (j, s) in rest {
                out.push_str(&j);
                out.push_str(&s);
            }
            out
        })
        .boxed()
}

/// Lines of a heredoc body: script lines, text, and lines that look like
/// terminators or markers but are not.
pub fn body_lines() -> BoxedStrategy<Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            3 => simple_command(),
            1 => select(&["#!/bin/sh", "set -e", "print('<<X')", "key=1", "  indented",
                "\tTabbed", "EOFX", " EOF", "\\", "", "<<EOF"][..])
                .prop_map(str::to_string),
            1 => select(UNICODE).prop_map(|u| format!("echo {u}{u}")),
        ],
        0..5,
    )
    .boxed()
}
