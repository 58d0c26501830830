//! pip requirements files: `-r`/`-c` includes, extras, markers, hashes,
//! index options and local paths, read as pip reads them (never executed).

use std::collections::BTreeSet;

use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

use crate::error::{Error, Result};
use crate::repo::Repo;

/// One requirement line, such as `psycopg2>=2.9 ; python_version >= "3.8"`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Requirement {
    /// Normalised distribution name (PEP 503: lower case, `-` for `_` and `.`),
    /// or the path or URL for a requirement without a name.
    pub name: String,
    pub extras: Vec<String>,
    /// The environment marker after `;`, if any.
    pub marker: Option<String>,
    pub editable: bool,
    /// A local path this requirement installs from (needs to be in the build).
    pub local_path: Option<String>,
    /// The URL it installs from (`git+https://...`, `name @ https://...`).
    pub url: Option<String>,
    pub file: String,
    pub line: usize,
}

impl Requirement {
    /// Whether the marker rules this requirement out on Linux, where the image
    /// runs. Other markers (Python version, extras) are assumed to hold.
    pub fn applies_on_linux(&self) -> bool {
        let Some(marker) = &self.marker else {
            return true;
        };
        let m = marker.replace('\'', "\"").replace(' ', "");
        let windows_or_mac = [
            "sys_platform==\"win32\"",
            "sys_platform==\"darwin\"",
            "platform_system==\"Windows\"",
            "platform_system==\"Darwin\"",
            "os_name==\"nt\"",
        ];
        !windows_or_mac.iter().any(|w| m.contains(w))
    }
}

/// A requirements file and everything it pulls in.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RequirementSet {
    /// The file the install starts from, e.g. `requirements/prod.txt`.
    pub entry: String,
    /// Every requirements or constraints file the install reads, entry first.
    pub files: Vec<String>,
    pub requirements: Vec<Requirement>,
    /// Included files that look like development sets (dev, test, lint).
    pub dev_files: Vec<String>,
    /// Local folders or files the install needs (`-e .`, `./libs/x`, `--find-links ./wheels`).
    pub local_paths: Vec<String>,
    /// Index options (`--index-url`, `--extra-index-url`, `--find-links`),
    /// which pip honours from the file itself.
    pub index_options: Vec<String>,
}

impl RequirementSet {
    /// Listed, or installed by an extra of a listed package
    /// (`fastapi[standard]` brings uvicorn).
    pub fn has(&self, name: &str) -> bool {
        self.requirements.iter().any(|r| {
            r.applies_on_linux()
                && (r.name == name
                    || r.extras
                        .iter()
                        .any(|extra| extra_brings(&r.name, extra).contains(&name)))
        })
    }

    pub fn get(&self, name: &str) -> Option<&Requirement> {
        self.requirements
            .iter()
            .find(|r| r.name == name && r.applies_on_linux())
    }
}

/// The servers an extra of a framework installs: `fastapi[standard]`
/// (what `pip install "fastapi[standard]"` and the FastAPI docs use) brings
/// uvicorn and the `fastapi` command, whose `fastapi run` serves with it.
fn extra_brings(package: &str, extra: &str) -> &'static [&'static str] {
    match (package, extra) {
        ("fastapi", "standard" | "standard-no-fastapi-cloud-cli" | "all") => {
            &["uvicorn", "fastapi-cli"]
        }
        ("fastapi-cli", "standard") => &["uvicorn"],
        _ => &[],
    }
}

/// PEP 503 normalisation.
/// The normalised project name a pip argument names: `Gunicorn==22.0` and
/// `gunicorn[gevent]>=21` both give `gunicorn`.
pub fn spec_name(spec: &str) -> String {
    let name: String = spec
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    normalize(&name)
}

pub fn normalize(name: &str) -> String {
    static SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[-_.]+").unwrap());
    SEP.replace_all(&name.to_ascii_lowercase(), "-")
        .into_owned()
}

/// Whether a requirements file name says it is for development.
pub fn is_dev_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name.trim_end_matches(".txt").trim_end_matches(".in");
    stem.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "dev"
                | "develop"
                | "development"
                | "test"
                | "tests"
                | "testing"
                | "lint"
                | "docs"
                | "ci"
                | "local"
                | "typing"
        )
    })
}

/// How deep `-r`/`-c` includes may nest. pip reads includes recursively and
/// stops with a RecursionError somewhere between 600 and 1,000 levels
/// (measured with pip 23.2); no real project nests more than a handful.
pub const MAX_INCLUDE_DEPTH: usize = 500;

/// The most bytes the files of one install may hold together: the same
/// bound as one file (see `repo::read::MAX_FILE_BYTES`), so that a chain of
/// includes cannot add up to more than one large file would.
pub const MAX_SET_BYTES: usize = crate::repo::read::MAX_FILE_BYTES as usize;

/// Reads `entry` and every file it includes, as pip would: depth first, in
/// the order of the lines. The files being read are a stack on the heap,
/// not calls, so no chain of includes can overflow the call stack.
pub fn read_set(repo: &Repo, entry: &str) -> Result<RequirementSet> {
    let mut set = RequirementSet {
        entry: entry.to_string(),
        ..Default::default()
    };
    let mut includes = Includes::default();
    let mut open: Vec<Open> = Vec::new();
    open.extend(read_file(repo, entry, None, &mut set, &mut includes)?);
    while let Some(top) = open.last_mut() {
        let Some((line_no, line)) = top.lines.next() else {
            open.pop();
            includes.chain.pop();
            continue;
        };
        let line = strip_comment(&line);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(target) = parse_line(&top.path, &top.dir, line_no, line, &mut set)? {
            let from = top.path.clone();
            let next = read_file(
                repo,
                &target,
                Some((&from, line_no)),
                &mut set,
                &mut includes,
            )?;
            open.extend(next);
        }
    }
    Ok(set)
}

/// A requirements file being read: the lines still to read.
struct Open {
    path: String,
    dir: String,
    lines: std::vec::IntoIter<(usize, String)>,
}

/// The files read so far, their bytes, and the chain of includes that leads
/// to the one being read.
#[derive(Default)]
struct Includes {
    seen: BTreeSet<String>,
    chain: Vec<String>,
    bytes: usize,
}

impl Includes {
    /// The chain that reaches `path`, shortened in the middle.
    fn shown_with(&self, path: &str) -> String {
        let mut all: Vec<&str> = self.chain.iter().map(String::as_str).collect();
        all.push(path);
        if all.len() > 6 {
            let tail = all.split_off(all.len() - 2);
            all.truncate(2);
            all.push("...");
            all.extend(tail);
        }
        all.join(" -> ")
    }
}

/// Reads `path` (included from a line of another file, or the entry), and
/// returns it to be read line by line; `None` for a file already read.
fn read_file(
    repo: &Repo,
    path: &str,
    included_from: Option<(&str, usize)>,
    set: &mut RequirementSet,
    includes: &mut Includes,
) -> Result<Option<Open>> {
    if let Some((file, line)) = included_from {
        check_include(path, file, line, includes)?;
    }
    // A file two others include (a diamond) is read once, as its
    // requirements are the same both times.
    if !includes.seen.insert(path.to_string()) {
        return Ok(None);
    }
    let text = match repo.read_text(path)? {
        Some(text) => text,
        None => {
            return Err(match included_from {
                Some((file, line)) => Error::input(
                    file,
                    Some(line),
                    format!("includes `{path}`, which does not exist"),
                    "the path of -r is relative to the file that includes it: fix the path or add the file",
                ),
                None => Error::usage(
                    format!("{path} does not exist"),
                    "name a requirements file of the repository, relative to its root",
                ),
            })
        }
    };
    includes.bytes += text.len();
    if includes.bytes > MAX_SET_BYTES {
        return Err(Error::input(
            path,
            None,
            format!(
                "the requirements files that {} includes hold more than {} together",
                set.entry,
                crate::units::human_bytes(MAX_SET_BYTES as u64)
            ),
            "no real install reads this much: check what its -r lines include",
        ));
    }
    set.files.push(path.to_string());
    if included_from.is_some() && is_dev_file(path) {
        set.dev_files.push(path.to_string());
    }
    let dir = match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    };
    includes.chain.push(path.to_string());
    Ok(Some(Open {
        path: path.to_string(),
        dir: dir.to_string(),
        lines: logical_lines(&text).into_iter(),
    }))
}

/// An include pip cannot follow: out of the repository (Docker sends only
/// the build context), back into a file that includes it, or too deep.
fn check_include(path: &str, file: &str, line: usize, includes: &Includes) -> Result<()> {
    let at = |message: String, hint: &str| Err(Error::input(file, Some(line), message, hint));
    if path.starts_with('/') || path == ".." || path.starts_with("../") {
        return at(
            format!("includes `{path}`, outside the repository"),
            "Docker sends only the build context, and dockslim reads only files inside it: move the file into the repository",
        );
    }
    if includes.chain.iter().any(|p| p == path) {
        return at(
            format!(
                "includes `{path}`, which is already being read: a cycle ({})",
                includes.shown_with(path)
            ),
            "pip stops on a cycle with a RecursionError: remove one of the -r lines",
        );
    }
    if includes.chain.len() >= MAX_INCLUDE_DEPTH {
        return at(
            format!(
                "includes nest more than {MAX_INCLUDE_DEPTH} files deep ({})",
                includes.shown_with(path)
            ),
            "pip stops on such a chain with a RecursionError: include the files from one place",
        );
    }
    Ok(())
}

/// Joins lines continued with a trailing backslash; yields the number of the
/// first physical line of each logical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if current.is_empty() {
            start = i + 1;
        }
        match raw.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(raw);
                out.push((start, std::mem::take(&mut current)));
            }
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// pip treats `#` as a comment at the start of a line or after whitespace.
fn strip_comment(line: &str) -> String {
    if line.trim_start().starts_with('#') {
        return String::new();
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

fn join(dir: &str, rel: &str) -> String {
    let joined = if dir.is_empty() || rel.starts_with('/') {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    };
    crate::repo::dockerignore::go_clean(&joined)
}

/// `-r x`, `-rx`, `--requirement x`, `--requirement=x` all give `x`.
fn option_value<'a>(line: &'a str, short: Option<&str>, long: &str) -> Option<&'a str> {
    if let Some(rest) = line.strip_prefix(long) {
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        if rest.starts_with([' ', '\t']) || line.as_bytes().get(long.len()) == Some(&b'=') {
            return Some(rest.trim());
        }
    }
    if let Some(short) = short {
        if let Some(rest) = line.strip_prefix(short) {
            return Some(rest.trim_start_matches('=').trim());
        }
    }
    None
}

/// Reads one logical line into `set`; returns the file it includes, if it
/// is a `-r` or `-c` line.
fn parse_line(
    file: &str,
    dir: &str,
    line_no: usize,
    line: &str,
    set: &mut RequirementSet,
) -> Result<Option<String>> {
    let expected = || {
        Error::input(
            file,
            Some(line_no),
            format!("`{line}`: expected a requirement or a pip option"),
            "write a requirement (`name`, `name==1.0`, `name[extra]>=1 ; marker`, a URL or a path) or a pip option such as `-r other.txt`",
        )
    };

    if line.starts_with('-') {
        if let Some(target) = option_value(line, Some("-r"), "--requirement") {
            if target.is_empty() {
                return Err(expected());
            }
            return Ok(Some(join(dir, target)));
        }
        if let Some(target) = option_value(line, Some("-c"), "--constraint") {
            if target.is_empty() {
                return Err(expected());
            }
            return Ok(Some(join(dir, target)));
        }
        if let Some(target) = option_value(line, Some("-e"), "--editable") {
            return push_requirement(file, dir, line_no, target, true, set)
                .map(|()| None)
                .map_err(|_| expected());
        }
        for (short, long) in [
            (Some("-i"), "--index-url"),
            (None, "--extra-index-url"),
            (Some("-f"), "--find-links"),
        ] {
            if let Some(value) = option_value(line, short, long) {
                if long == "--find-links" && !value.contains("://") {
                    set.local_paths.push(join(dir, value));
                }
                set.index_options.push(format!("{long} {value}"));
                return Ok(None);
            }
        }
        const KNOWN: &[&str] = &[
            "--no-index",
            "--pre",
            "--trusted-host",
            "--only-binary",
            "--no-binary",
            "--prefer-binary",
            "--require-hashes",
            "--use-feature",
            "--config-settings",
            "--global-option",
            "--hash",
        ];
        if KNOWN.iter().any(|k| line.starts_with(k)) {
            return Ok(None);
        }
        return Err(Error::input(
            file,
            Some(line_no),
            format!("`{line}`: unknown pip option"),
            {
                const OPTIONS: &[&str] = &[
                    "-r",
                    "-c",
                    "-e",
                    "-i",
                    "--requirement",
                    "--constraint",
                    "--editable",
                    "--index-url",
                    "--extra-index-url",
                    "-f",
                    "--find-links",
                    "--trusted-host",
                    "--pre",
                    "--only-binary",
                    "--no-binary",
                    "--require-hashes",
                    "--prefer-binary",
                ];
                let option = line.split([' ', '=']).next().unwrap_or(line);
                crate::error::did_you_mean(
                    option,
                    OPTIONS.iter().copied(),
                    "options pip takes in a requirements file",
                )
            },
        ));
    }

    // A requirement, maybe followed by per-requirement options (--hash=...).
    let spec = line.split(" --").next().unwrap_or(line).trim();
    if spec.contains("://")
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
    {
        return push_requirement(file, dir, line_no, spec, false, set).map(|()| None);
    }
    let requirement = parse_pep508(file, line_no, spec).ok_or_else(expected)?;
    set.requirements.push(requirement);
    Ok(None)
}

/// A PEP 508 requirement with a name: `name[extra]>=1 ; marker` or
/// `name @ url`, as pyproject.toml and requirements files write them.
pub fn parse_pep508(file: &str, line_no: usize, spec: &str) -> Option<Requirement> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$")
            .unwrap()
    });
    static VERSION_SPEC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\(?\s*(?:===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)*\)?$")
            .unwrap()
    });
    let (spec, marker) = match spec.split_once(';') {
        Some((s, m)) => (s.trim(), Some(m.trim().to_string())),
        None => (spec.trim(), None),
    };
    let caps = NAME.captures(spec)?;
    let rest = caps.get(3).map_or("", |m| m.as_str()).trim();
    if !(rest.is_empty() || rest.starts_with('@') || VERSION_SPEC.is_match(rest)) {
        return None;
    }
    Some(Requirement {
        name: normalize(&caps[1]),
        extras: caps
            .get(2)
            .map(|m| {
                m.as_str()
                    .split(',')
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        marker,
        editable: false,
        local_path: None,
        url: rest.strip_prefix('@').map(|u| u.trim().to_string()),
        file: file.to_string(),
        line: line_no,
    })
}

/// A URL, path or editable requirement: take the name from `#egg=` or
/// `name @ url` when there is one, and remember local paths.
fn push_requirement(
    file: &str,
    dir: &str,
    line_no: usize,
    target: &str,
    editable: bool,
    set: &mut RequirementSet,
) -> Result<()> {
    static EGG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"#egg=([A-Za-z0-9._-]+)").unwrap());
    if target.is_empty() {
        return Err(Error::input(
            file,
            Some(line_no),
            "expected a path or URL",
            "write the path or URL after the option, such as `-e ./libs/shared` or `-e git+https://host/repo.git#egg=name`",
        ));
    }
    let target = target.split(" --").next().unwrap_or(target).trim();
    let is_url = target.contains("://");
    let local_path = (!is_url).then(|| {
        let path = target
            .split(['[', ';', '#'])
            .next()
            .unwrap_or(target)
            .trim();
        join(dir, path)
    });
    if let Some(path) = &local_path {
        set.local_paths.push(path.clone());
    }
    let name = EGG
        .captures(target)
        .map(|c| normalize(&c[1]))
        .or_else(|| target.split_once(" @ ").map(|(n, _)| normalize(n.trim())))
        .unwrap_or_else(|| target.to_string());
    set.requirements.push(Requirement {
        name,
        extras: Vec::new(),
        marker: None,
        editable,
        local_path,
        url: is_url.then(|| {
            target
                .split_once(" @ ")
                .map_or(target, |(_, u)| u.trim())
                .to_string()
        }),
        file: file.to_string(),
        line: line_no,
    });
    Ok(())
}

/// The requirements file that describes production, chosen by name: an
/// explicit production file first, then the conventional root file, then a
/// base file in a requirements/ folder. Development files are never chosen.
pub fn production_entry(repo: &Repo) -> Option<String> {
    const ORDER: &[&str] = &[
        "requirements/production.txt",
        "requirements/prod.txt",
        "requirements-prod.txt",
        "requirements-production.txt",
        "requirements.txt",
        "requirements/base.txt",
        "requirements/main.txt",
        "requirements/common.txt",
        "requirements/requirements.txt",
    ];
    // A link or FIFO by one of these names is found too, so that reading it
    // says what it is instead of the project looking like it has none.
    ORDER
        .iter()
        .find(|p| repo.present(p))
        .map(|p| p.to_string())
}

/// Every requirements-like file at the root or in requirements/, for reports.
pub fn all_requirement_files(repo: &Repo) -> Vec<String> {
    repo.files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            let top =
                !p.contains('/') && name.starts_with("requirements") && name.ends_with(".txt");
            let folder = p.starts_with("requirements/")
                && p.matches('/').count() == 1
                && (name.ends_with(".txt") || name.ends_with(".in"));
            top || folder
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_include_outside_the_repository_is_an_error_not_a_read() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "requirements.txt",
            "flask\n-r ../../../../../../etc/passwd\n",
        )]);
        let err = read_set(&repo, "requirements.txt").unwrap_err().to_string();
        assert!(
            err.starts_with("requirements.txt:2: includes `../"),
            "{err}"
        );
        assert!(!err.contains("root:"), "{err}");
        let (_d, repo) = crate::repo::temp_repo(&[("r/a.txt", "-c /etc/passwd\n")]);
        let err = read_set(&repo, "r/a.txt").unwrap_err().to_string();
        assert!(
            err.contains("`/etc/passwd`, outside the repository"),
            "{err}"
        );
    }

    #[test]
    fn reads_includes_markers_extras_hashes_and_options() {
        let (_d, repo) = crate::repo::temp_repo(&[
            (
                "requirements/prod.txt",
                "-r base.txt\n--extra-index-url https://pypi.example.com/simple\n\
                 gunicorn==23.0.0 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n\
                 uvicorn[standard]>=0.30 # server\npywin32 ; sys_platform == \"win32\"\n",
            ),
            (
                "requirements/base.txt",
                "# base\nFlask>=3,<4\n-c constraints.txt\npsycopg2==2.9.10\n",
            ),
            ("requirements/constraints.txt", "werkzeug<4\n"),
        ]);
        let set = read_set(&repo, "requirements/prod.txt").unwrap();
        assert_eq!(
            set.files,
            [
                "requirements/prod.txt",
                "requirements/base.txt",
                "requirements/constraints.txt"
            ]
        );
        let names: Vec<_> = set.requirements.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["flask", "werkzeug", "psycopg2", "gunicorn", "uvicorn", "pywin32"],
            "in the order pip reads them"
        );
        assert_eq!(set.get("uvicorn").unwrap().extras, ["standard"]);
        assert_eq!(set.get("gunicorn").unwrap().line, 3);
        assert!(
            !set.has("pywin32"),
            "windows-only marker does not apply in the image"
        );
        assert_eq!(
            set.index_options,
            ["--extra-index-url https://pypi.example.com/simple"]
        );
        assert!(set.dev_files.is_empty());
    }

    #[test]
    fn dev_includes_and_local_paths_are_reported() {
        let (_d, repo) = crate::repo::temp_repo(&[
            (
                "requirements.txt",
                "-r requirements-dev.txt\n-e .\n./libs/shared\n--find-links ./wheels\n",
            ),
            ("requirements-dev.txt", "pytest\n"),
        ]);
        let set = read_set(&repo, "requirements.txt").unwrap();
        assert_eq!(set.dev_files, ["requirements-dev.txt"]);
        assert_eq!(set.local_paths, [".", "libs/shared", "wheels"]);
    }

    #[test]
    fn bad_lines_and_missing_includes_name_file_and_line() {
        let (_d, repo) =
            crate::repo::temp_repo(&[("requirements.txt", "flask\nthis is not valid\n")]);
        let err = read_set(&repo, "requirements.txt").unwrap_err().to_string();
        assert!(
            err.starts_with("requirements.txt:2: `this is not valid`: expected a requirement"),
            "{err}"
        );

        let (_d, repo) = crate::repo::temp_repo(&[("requirements.txt", "flask\n-r missing.txt\n")]);
        let err = read_set(&repo, "requirements.txt").unwrap_err().to_string();
        assert_eq!(
            err,
            "requirements.txt:2: includes `missing.txt`, which does not exist"
        );

        let (_d, repo) = crate::repo::temp_repo(&[("requirements.txt", "--bogus-option\n")]);
        let err = read_set(&repo, "requirements.txt").unwrap_err().to_string();
        assert!(
            err.starts_with("requirements.txt:1: `--bogus-option`: unknown pip option"),
            "{err}"
        );
    }

    #[test]
    fn urls_are_kept() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "requirements.txt",
            "-e git+https://github.com/o/r.git#egg=thing\nother @ git+https://x/y.git\n",
        )]);
        let set = read_set(&repo, "requirements.txt").unwrap();
        assert_eq!(set.requirements[0].name, "thing");
        assert_eq!(
            set.requirements[0].url.as_deref(),
            Some("git+https://github.com/o/r.git#egg=thing")
        );
        assert_eq!(
            set.requirements[1].url.as_deref(),
            Some("git+https://x/y.git")
        );
    }

    #[test]
    fn include_cycles_are_errors_and_diamonds_are_read_once() {
        let (_d, repo) =
            crate::repo::temp_repo(&[("a.txt", "-r b.txt\nflask\n"), ("b.txt", "-r a.txt\n")]);
        let err = read_set(&repo, "a.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.txt:1: includes `a.txt`, which is already being read: a cycle (a.txt -> b.txt -> a.txt)"
        );
        assert!(err.hint().unwrap().contains("RecursionError"));
        let (_d, repo) = crate::repo::temp_repo(&[
            ("a.txt", "-r b.txt\n-r c.txt\n"),
            ("b.txt", "-r d.txt\n"),
            ("c.txt", "-r d.txt\n"),
            ("d.txt", "flask\n"),
        ]);
        let set = read_set(&repo, "a.txt").unwrap();
        assert_eq!(set.files, ["a.txt", "b.txt", "d.txt", "c.txt"]);
        assert_eq!(set.requirements.len(), 1);
    }

    #[test]
    fn includes_leaving_the_repository_or_nesting_too_deep_are_errors() {
        let (_d, repo) = crate::repo::temp_repo(&[("requirements.txt", "-r ../../secret\n")]);
        let err = read_set(&repo, "requirements.txt").unwrap_err().to_string();
        assert!(
            err.starts_with("requirements.txt:1: includes `../../secret`, outside the repository"),
            "{err}"
        );
        let files: Vec<(String, String)> = (0..=MAX_INCLUDE_DEPTH)
            .map(|i| (format!("r{i}.txt"), format!("-r r{}.txt\n", i + 1)))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let (_d, repo) = crate::repo::temp_repo(&refs);
        let err = read_set(&repo, "r0.txt").unwrap_err().to_string();
        assert!(err.contains("includes nest more than 500 files deep (r0.txt -> r1.txt -> ... -> r499.txt -> r500.txt)"), "{err}");
    }

    #[test]
    fn production_entry_prefers_prod_files_and_skips_dev() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("requirements.txt", ""),
            ("requirements/prod.txt", ""),
            ("requirements/dev.txt", ""),
        ]);
        assert_eq!(production_entry(&repo).unwrap(), "requirements/prod.txt");
        let (_d, repo) = crate::repo::temp_repo(&[("requirements-dev.txt", "")]);
        assert_eq!(production_entry(&repo), None);
        assert!(is_dev_file("requirements/dev.txt"));
        assert!(is_dev_file("requirements-test.txt"));
        assert!(!is_dev_file("requirements/prod.txt"));
        assert!(!is_dev_file("requirements/devops.txt"));
    }

    #[test]
    fn normalises_names() {
        assert_eq!(normalize("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }
}
