//! The programs the app's code runs at run time, from evidence in its code:
//! Python's `subprocess`, `os.system`, `os.popen`, `os.exec*`,
//! `shutil.which`, asyncio's subprocesses; Node's `child_process` and
//! execa; and libraries known to run a program (pydub runs ffmpeg,
//! pytesseract runs tesseract, GitPython runs git...). Only literal program
//! names count; the code is parsed with tree-sitter, never run.
//!
//! A system package that provides a program nothing runs is dead weight in
//! the image (DS315); one the code runs must stay.

use serde::Serialize;
use tree_sitter::{Node, Parser};

use crate::dockerfile::script::Script;
use crate::dockerfile::shell;

/// How the program is run, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum How {
    /// A call that runs it: `subprocess.run(["ffmpeg", ...])`,
    /// `execSync("git rev-parse HEAD")`.
    Call,
    /// `shutil.which("ffmpeg")`: the code looks for it.
    Which,
    /// A library the app depends on runs it.
    Library(String),
}

/// One program the code runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub program: String,
    pub how: How,
    pub file: String,
    pub line: usize,
}

impl Run {
    /// "app/media.py:12 runs ffmpeg".
    pub fn reason(&self) -> String {
        match &self.how {
            How::Call => format!("{}:{} runs {}", self.file, self.line, self.program),
            How::Which => format!("{}:{} looks for {}", self.file, self.line, self.program),
            How::Library(lib) => format!("{lib} ({}) runs {}", self.file, self.program),
        }
    }
}

/// Libraries that run a program, Python's and Node's.
const LIBRARIES: &[(&str, &str)] = &[
    ("pydub", "ffmpeg"),
    ("moviepy", "ffmpeg"),
    ("ffmpeg-python", "ffmpeg"),
    ("imageio-ffmpeg", "ffmpeg"),
    ("pytesseract", "tesseract"),
    ("pdf2image", "pdftoppm"),
    ("gitpython", "git"),
    ("pdfkit", "wkhtmltopdf"),
    ("imgkit", "wkhtmltoimage"),
    ("wand", "convert"),
    ("django-dbbackup", "pg_dump"),
    ("fluent-ffmpeg", "ffmpeg"),
    ("simple-git", "git"),
    ("node-tesseract-ocr", "tesseract"),
    ("gm", "convert"),
    ("imagemagick", "convert"),
    ("pdf-poppler", "pdftoppm"),
];

/// Packages that exist for their programs, with the programs they provide.
pub const PROGRAMS: &[(&str, &[&str])] = &[
    ("curl", &["curl"]),
    ("wget", &["wget"]),
    ("git", &["git"]),
    ("vim", &["vim", "vi", "vimdiff"]),
    ("vim-tiny", &["vi", "vim"]),
    ("nano", &["nano"]),
    ("less", &["less"]),
    ("htop", &["htop"]),
    ("tree", &["tree"]),
    ("sqlite3", &["sqlite3"]),
    ("zip", &["zip"]),
    ("unzip", &["unzip"]),
    ("jq", &["jq"]),
    ("telnet", &["telnet"]),
    ("iputils-ping", &["ping"]),
    ("net-tools", &["netstat", "ifconfig", "route", "arp"]),
    ("dnsutils", &["dig", "nslookup", "host"]),
    ("bind9-dnsutils", &["dig", "nslookup", "host"]),
    (
        "procps",
        &["ps", "top", "pkill", "pgrep", "free", "watch", "pidof"],
    ),
    ("lsof", &["lsof"]),
    ("strace", &["strace"]),
    (
        "openssh-client",
        &["ssh", "scp", "sftp", "ssh-keygen", "ssh-keyscan"],
    ),
    ("rsync", &["rsync"]),
    ("ffmpeg", &["ffmpeg", "ffprobe"]),
    (
        "imagemagick",
        &["convert", "magick", "identify", "mogrify", "composite"],
    ),
    (
        "poppler-utils",
        &[
            "pdftotext",
            "pdftoppm",
            "pdfinfo",
            "pdfimages",
            "pdfunite",
            "pdfseparate",
        ],
    ),
    ("tesseract-ocr", &["tesseract"]),
    ("ghostscript", &["gs"]),
    ("wkhtmltopdf", &["wkhtmltopdf", "wkhtmltoimage"]),
    (
        "postgresql-client",
        &[
            "psql",
            "pg_dump",
            "pg_restore",
            "pg_isready",
            "createdb",
            "dropdb",
        ],
    ),
    (
        "default-mysql-client",
        &["mysql", "mysqldump", "mysqladmin"],
    ),
    (
        "mariadb-client",
        &["mysql", "mariadb", "mysqldump", "mysqladmin"],
    ),
    ("redis-tools", &["redis-cli"]),
    ("netcat-openbsd", &["nc", "netcat"]),
    ("netcat-traditional", &["nc", "netcat"]),
    ("netcat", &["nc", "netcat"]),
    // Django's compilemessages runs msgfmt.
    (
        "gettext",
        &[
            "msgfmt",
            "xgettext",
            "msgmerge",
            "compilemessages",
            "makemessages",
        ],
    ),
];

/// The programs a package exists for, when dockslim knows it.
pub fn programs_of(package: &str) -> Option<&'static [&'static str]> {
    PROGRAMS
        .iter()
        .find(|(p, _)| *p == package)
        .map(|(_, programs)| *programs)
}

/// The Debian package that provides a program, when dockslim knows it.
pub fn package_of(program: &str) -> Option<&'static str> {
    PROGRAMS
        .iter()
        .find(|(_, programs)| programs.contains(&program))
        .map(|(package, _)| *package)
}

/// What the code and its libraries run.
pub fn find(
    repo: &crate::repo::Repo,
    python_packages: &[(String, String)],
    node_packages: &[(String, String)],
) -> Vec<Run> {
    let mut out = Vec::new();
    for (path, text) in repo.python_sources() {
        out.extend(in_source(path, text, Lang::Python));
    }
    for (path, text) in node_sources(repo) {
        out.extend(in_source(&path, &text, Lang::Node));
    }
    for (package, file) in python_packages.iter().chain(node_packages) {
        let lower = package.to_ascii_lowercase();
        for (lib, program) in LIBRARIES.iter().filter(|(l, _)| *l == lower) {
            out.push(Run {
                program: program.to_string(),
                how: How::Library(lib.to_string()),
                file: file.clone(),
                line: 0,
            });
        }
    }
    out
}

fn node_sources(repo: &crate::repo::Repo) -> Vec<(String, String)> {
    repo.own_files()
        .filter(|f| {
            [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
                .iter()
                .any(|e| f.path.ends_with(e))
                && !f.path.ends_with(".d.ts")
                && f.size < 1_000_000
                && !f
                    .path
                    .split('/')
                    .any(|d| matches!(d, "dist" | "build" | ".next"))
        })
        .filter_map(|f| Some((f.path.clone(), repo.source_text(f)?)))
        .collect()
}

#[derive(Clone, Copy)]
enum Lang {
    Python,
    Node,
}

fn in_source(path: &str, text: &str, lang: Lang) -> Vec<Run> {
    let mut parser = Parser::new();
    let language: tree_sitter::Language = match lang {
        Lang::Python => tree_sitter_python::LANGUAGE.into(),
        Lang::Node if path.ends_with(".ts") || path.ends_with(".mts") => {
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
        }
        Lang::Node => tree_sitter_javascript::LANGUAGE.into(),
    };
    if parser.set_language(&language).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(tree.root_node(), text, path, lang, &mut out);
    out
}

fn walk(node: Node, text: &str, path: &str, lang: Lang, out: &mut Vec<Run>) {
    if matches!(node.kind(), "call" | "call_expression") {
        out.extend(call(node, text, path, lang));
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, text, path, lang, out);
    }
}

/// The calls that run a program, by name, and whether their first argument
/// is a shell command line (rather than the program or an argv list).
fn runner(name: &str, lang: Lang) -> Option<(How, bool)> {
    let last = name.rsplit('.').next().unwrap_or(name);
    match lang {
        Lang::Python => match name {
            "subprocess.run"
            | "subprocess.call"
            | "subprocess.check_call"
            | "subprocess.check_output"
            | "subprocess.Popen"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
            | "asyncio.create_subprocess_exec"
            | "pexpect.spawn"
            | "pexpect.run" => Some((How::Call, name.ends_with("output"))),
            "os.system" | "os.popen" | "asyncio.create_subprocess_shell" => Some((How::Call, true)),
            "shutil.which" | "which" => Some((How::Which, false)),
            _ if name.starts_with("os.exec") || name.starts_with("os.spawn") => {
                Some((How::Call, false))
            }
            _ => None,
        },
        Lang::Node => {
            // `exec(...)` imported from child_process, or called on it:
            // not `regex.exec(...)` or `db.exec(...)`.
            let object = name.rsplit_once('.').map(|(o, _)| o);
            let child_process = object
                .is_none_or(|o| matches!(o, "child_process" | "childProcess" | "cp" | "proc"));
            match last {
                "exec" | "execSync" if child_process => Some((How::Call, true)),
                "spawn" | "spawnSync" | "execFile" | "execFileSync" if child_process => {
                    Some((How::Call, false))
                }
                "execa" | "execaSync" if object.is_none() => Some((How::Call, false)),
                "commandSync" | "command" if object == Some("execa") => Some((How::Call, true)),
                _ => None,
            }
        }
    }
}

fn call(node: Node, text: &str, path: &str, lang: Lang) -> Vec<Run> {
    let Some(function) = node.child_by_field_name("function") else {
        return Vec::new();
    };
    let name = &text[function.byte_range()];
    let Some((how, shell_line)) = runner(name, lang) else {
        return Vec::new();
    };
    let Some(first) = first_argument(node) else {
        return Vec::new();
    };
    let programs: Vec<String> = match (literal(first, text), list_head(first, text)) {
        (Some(line), _) if shell_line || line.contains(' ') => programs_of_shell(&line),
        (Some(program), _) => vec![program],
        (None, Some(program)) => vec![program],
        _ => Vec::new(),
    };
    programs
        .into_iter()
        .filter(|p| !p.is_empty() && !p.contains(['$', '{']))
        .map(|program| Run {
            program: program.rsplit('/').next().unwrap_or(&program).to_string(),
            how: how.clone(),
            file: path.to_string(),
            line: node.start_position().row + 1,
        })
        .collect()
}

fn first_argument(call: Node) -> Option<Node> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    let first = args
        .named_children(&mut cursor)
        .find(|n| n.kind() != "comment");
    first
}

/// A string literal's value, without interpolation.
fn literal(node: Node, text: &str) -> Option<String> {
    if !matches!(node.kind(), "string" | "template_string") {
        return None;
    }
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_content" | "string_fragment" => out.push_str(&text[child.byte_range()]),
            "string_start" | "string_end" => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The first element of a list literal: `["ffmpeg", "-i", path]`.
fn list_head(node: Node, text: &str) -> Option<String> {
    if !matches!(node.kind(), "list" | "tuple" | "array") {
        return None;
    }
    literal(node.named_child(0)?, text)
}

/// Every program a shell command line runs (`a && b | c`).
fn programs_of_shell(line: &str) -> Vec<String> {
    Script::parse(line)
        .commands
        .iter()
        .map(|c| shell::program(&c.texts()).1.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(path: &str, text: &str) -> Vec<(String, usize)> {
        let lang = if path.ends_with(".py") {
            Lang::Python
        } else {
            Lang::Node
        };
        in_source(path, text, lang)
            .into_iter()
            .map(|r| (r.program, r.line))
            .collect()
    }

    #[test]
    fn python_calls_with_literal_programs() {
        let text = r#"import os, shutil, subprocess
subprocess.run(["ffmpeg", "-i", src, dst], check=True)
out = subprocess.check_output("git rev-parse HEAD | cut -c1-7", shell=True)
os.system("/usr/bin/convert in.png out.jpg")
if shutil.which("tesseract"):
    pass
subprocess.run(cmd)  # not spelled out
# subprocess.run(["curl", "x"])
"""os.system("wget x") in a docstring"""
"#;
        assert_eq!(
            programs("app/media.py", text),
            [
                ("ffmpeg".to_string(), 2),
                ("git".to_string(), 3),
                ("cut".to_string(), 3),
                ("convert".to_string(), 4),
                ("tesseract".to_string(), 5),
            ]
        );
    }

    #[test]
    fn node_child_process() {
        let text = r#"const { execSync, spawn } = require('child_process')
const sha = execSync('git rev-parse HEAD').toString()
spawn('ffmpeg', ['-i', file])
const re = /x/; re.exec('not a program')
"#;
        assert_eq!(
            programs("server.js", text),
            [("git".to_string(), 2), ("ffmpeg".to_string(), 3)]
        );
    }
}
