//! Requirements files as pip reads them: requirement lines (extras,
//! versions, markers, URLs, paths, hashes), pip options, comments, line
//! continuations, and `-r`/`-c` includes between files in different
//! folders, with cycles, long chains and includes of missing files.

use proptest::prelude::*;
use proptest::sample::select;

use super::{word, UNICODE};

/// Requirement lines people write, each with the normalised name pip
/// installs (`None`: a path or URL without a name).
pub const REQUIREMENTS: &[&str] = &[
    "flask",
    "Flask==3.0.3",
    "gunicorn>=21,<23",
    "psycopg2-binary~=2.9",
    "Django[argon2,bcrypt]>=4.2",
    "zope.interface",
    "my_package.sub-name==1.0",
    "uvicorn[standard] ; python_version >= \"3.8\"",
    "pywin32 ; sys_platform == \"win32\"",
    "torch==2.3.0+cpu",
    "requests (>=2.0)",
    "numpy==1.26.4 --hash=sha256:abcdef0123456789",
    "mylib @ https://example.com/mylib-1.0.tar.gz",
    "mylib @ git+https://github.com/org/mylib.git@v1",
    "./libs/local_pkg",
    "../shared",
    "/opt/wheels/pkg-1.0-py3-none-any.whl",
    "https://example.com/pkg.tar.gz",
    "git+https://github.com/org/repo.git#egg=repo",
    "pkg.whl",
];

/// pip options other than includes.
pub const OPTIONS: &[&str] = &[
    "-e .",
    "--editable ./libs/x",
    "-e git+https://github.com/org/repo.git#egg=repo",
    "--index-url https://pypi.example.com/simple",
    "-i https://pypi.org/simple",
    "--extra-index-url https://download.pytorch.org/whl/cpu",
    "-f ./wheels",
    "--find-links=https://example.com/wheels",
    "--no-binary :all:",
    "--only-binary=:all:",
    "--pre",
    "--require-hashes",
    "--trusted-host example.com",
    "--unknown-option",
    "-x",
    "-r",
    "--requirement",
    "-e",
];

/// Where files of a set live.
pub const PATHS: &[&str] = &[
    "requirements.txt",
    "requirements/base.txt",
    "requirements/prod.txt",
    "requirements/dev.txt",
    "requirements-dev.txt",
    "constraints.txt",
    "deps/a/b/c.txt",
    "requirements/common/shared.in",
    "requirements.in",
];

/// One line of a requirements file before it is written: a line of text,
/// or an include of the file with this index in the set.
#[derive(Debug, Clone)]
pub enum Line {
    Text(String),
    Include {
        to: usize,
        form: &'static str,
        dot: bool,
    },
    /// An include of a file that does not exist.
    Missing(String),
}

fn text_line() -> BoxedStrategy<String> {
    prop_oneof![
        8 => select(REQUIREMENTS).prop_map(str::to_string),
        3 => select(OPTIONS).prop_map(str::to_string),
        2 => word().prop_map(|w| format!("# {w}")),
        1 => select(REQUIREMENTS).prop_map(|r| format!("{r}  # pinned for prod")),
        1 => select(REQUIREMENTS).prop_map(|r| format!("{r}#not-a-comment")),
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        1 => select(REQUIREMENTS).prop_map(|r| r.replacen(' ', " \\\n    ", 1)),
        1 => select(UNICODE).prop_map(|u| format!("pkg{u}")),
        1 => select(UNICODE).prop_map(|u| format!("# {u}")),
        1 => Just("\\".to_string()),
        1 => super::junk(),
    ]
    .boxed()
}

fn line(files: usize) -> BoxedStrategy<Line> {
    prop_oneof![
        6 => text_line().prop_map(Line::Text),
        2 => (0..files, select(&["-r ", "-r", "--requirement ", "--requirement=", "-c ",
            "--constraint ", "-c", "--constraint="][..]), prop::bool::weighted(0.2))
            .prop_map(|(to, form, dot)| Line::Include { to, form, dot }),
        1 => select(&["-r missing.txt", "-c nope/none.txt", "-r ../../etc/passwd",
            "-r requirements", "-r /abs/requirements.txt", "-r ."][..])
            .prop_map(|s| Line::Missing(s.to_string())),
    ]
    .boxed()
}

/// A set of requirements files: each file's path and lines.
#[derive(Debug, Clone)]
pub struct Set {
    pub files: Vec<(String, Vec<Line>)>,
}

impl Set {
    /// The path an include in `from` writes for the file `to`: relative to
    /// `from`'s folder, as pip resolves it.
    pub fn relative(&self, from: usize, to: usize) -> String {
        let dir: Vec<&str> = self.files[from].0.split('/').collect();
        let dir = &dir[..dir.len() - 1];
        let target: Vec<&str> = self.files[to].0.split('/').collect();
        let common = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
        let mut parts: Vec<&str> = vec![".."; dir.len() - common];
        parts.extend(&target[common..]);
        parts.join("/")
    }

    /// The text of each file.
    pub fn texts(&self) -> Vec<(String, String)> {
        (0..self.files.len())
            .map(|i| {
                let (path, lines) = &self.files[i];
                let text: String = lines
                    .iter()
                    .map(|l| match l {
                        Line::Text(t) => format!("{t}\n"),
                        Line::Include { to, form, dot } => format!(
                            "{form}{}{}\n",
                            if *dot { "./" } else { "" },
                            self.relative(i, *to)
                        ),
                        Line::Missing(m) => format!("{m}\n"),
                    })
                    .collect();
                (path.clone(), text)
            })
            .collect()
    }

    /// The files pip reads starting from the first, when every line reads.
    pub fn reachable(&self) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![0];
        while let Some(i) = todo.pop() {
            if !seen.insert(self.files[i].0.clone()) {
                continue;
            }
            for l in &self.files[i].1 {
                if let Line::Include { to, .. } = l {
                    todo.push(*to);
                }
            }
        }
        seen
    }
}

/// A few files with includes between them (cycles allowed).
fn small_set() -> BoxedStrategy<Set> {
    proptest::sample::subsequence(PATHS, 1..6)
        .prop_shuffle()
        .prop_flat_map(|paths| {
            let n = paths.len();
            proptest::collection::vec(proptest::collection::vec(line(n), 0..8), n).prop_map(
                move |lines| Set {
                    files: paths.iter().map(|p| p.to_string()).zip(lines).collect(),
                },
            )
        })
        .boxed()
}

/// A chain of includes, `requirements.txt` -> `r/1.txt` -> ... (up to 100
/// long, in nested folders sometimes), maybe closed into a cycle.
fn chain() -> BoxedStrategy<Set> {
    (
        1usize..100,
        any::<bool>(),
        any::<bool>(),
        select(&["-r ", "-c ", "--requirement="][..]),
    )
        .prop_map(|(n, nested, cycle, form)| {
            let mut files = Vec::new();
            for i in 0..n {
                let path = match (i, nested) {
                    (0, _) => "requirements.txt".to_string(),
                    (_, true) => format!("{}r{i}.txt", "d/".repeat(i.min(20))),
                    (_, false) => format!("r/{i}.txt"),
                };
                let mut lines = vec![Line::Text(format!("pkg{i}=={i}.0"))];
                if i + 1 < n {
                    lines.push(Line::Include {
                        to: i + 1,
                        form,
                        dot: false,
                    });
                } else if cycle {
                    lines.push(Line::Include {
                        to: 0,
                        form,
                        dot: false,
                    });
                }
                files.push((path, lines));
            }
            Set { files }
        })
        .boxed()
}

pub fn set() -> BoxedStrategy<Set> {
    prop_oneof![4 => small_set(), 1 => chain()].boxed()
}
