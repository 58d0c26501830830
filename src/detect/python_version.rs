//! What the repository says about its Python version: `.python-version`,
//! `runtime.txt` and `requires-python`. The plan weighs these together with
//! the existing Dockerfile's FROM tag.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::repo::Repo;

/// A Python minor version such as 3.12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Minor(pub u32, pub u32);

impl std::fmt::Display for Minor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

impl Minor {
    /// `3.12`, `3.12.4`, `python-3.12.4`, `3.12-slim`: the leading minor.
    pub fn parse_loose(text: &str) -> Option<Minor> {
        let text = text
            .trim()
            .trim_start_matches("python-")
            .trim_start_matches("python");
        let mut parts = text.split(|c: char| !c.is_ascii_digit());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        (major == 3).then_some(Minor(major, minor))
    }
}

/// Where a statement about the Python version came from, and what it says.
#[derive(Debug, Clone, Serialize)]
pub struct VersionEvidence {
    pub file: String,
    pub line: usize,
    pub says: VersionSays,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum VersionSays {
    /// One minor version exactly.
    Pin(Minor),
    /// A PEP 440 specifier set over versions, like `>=3.10,<3.13`.
    Range(String),
}

/// Reads the version files of the repository.
pub fn evidence(repo: &Repo) -> Result<Vec<VersionEvidence>> {
    let mut out = Vec::new();
    if let Some(text) = repo.read_text(".python-version")? {
        if let Some((line, value)) = first_value_line(&text) {
            let minor = Minor::parse_loose(value).ok_or_else(|| {
                Error::input(
                    ".python-version",
                    Some(line),
                    format!("`{value}`: expected a CPython version"),
                    "write the version alone, such as 3.12 or 3.12.4 (`pyenv local 3.12` writes it)",
                )
            })?;
            out.push(VersionEvidence {
                file: ".python-version".into(),
                line,
                says: VersionSays::Pin(minor),
            });
        }
    }
    if let Some(text) = repo.read_text("runtime.txt")? {
        if let Some((line, value)) = first_value_line(&text) {
            if value.starts_with("python") {
                let minor = Minor::parse_loose(value).ok_or_else(|| {
                    Error::input(
                        "runtime.txt",
                        Some(line),
                        format!("`{value}`: expected python-3.X.Y"),
                        "write it as python-3.12.4",
                    )
                })?;
                out.push(VersionEvidence {
                    file: "runtime.txt".into(),
                    line,
                    says: VersionSays::Pin(minor),
                });
            }
        }
    }
    if let Some(text) = repo.read_text("pyproject.toml")? {
        let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            crate::detect::pyproject::toml_error("pyproject.toml", &text, &e)
        })?;
        if let Some(item) = doc.get("project").and_then(|p| p.get("requires-python")) {
            let spec = item.as_str().ok_or_else(|| {
                Error::input(
                    "pyproject.toml",
                    find_line(&text, "requires-python"),
                    "`project.requires-python` must be a string",
                    "write it as requires-python = \">=3.10\"",
                )
            })?;
            validate_specifier(spec).map_err(|m| {
                Error::input(
                    "pyproject.toml",
                    find_line(&text, "requires-python"),
                    m,
                    "write a PEP 440 specifier such as \">=3.10\" or \">=3.10,<3.14\"",
                )
            })?;
            out.push(VersionEvidence {
                file: "pyproject.toml".into(),
                line: find_line(&text, "requires-python").unwrap_or(1),
                says: VersionSays::Range(spec.to_string()),
            });
        }
    }
    Ok(out)
}

fn first_value_line(text: &str) -> Option<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .map(|i| i + 1)
}

fn parse_clause(clause: &str) -> Option<(&str, Vec<u32>, bool)> {
    let clause = clause.trim();
    let op_len = clause.find(|c: char| c.is_ascii_digit())?;
    let (op, version) = clause.split_at(op_len);
    let wildcard = version.ends_with(".*");
    let version = version.trim_end_matches(".*");
    let parts: Option<Vec<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
    Some((op.trim(), parts?, wildcard))
}

fn validate_specifier(spec: &str) -> std::result::Result<(), String> {
    for clause in spec.split(',') {
        match parse_clause(clause) {
            Some((">=" | "<=" | ">" | "<" | "==" | "!=" | "~=" | "===", _, _)) => {}
            _ => return Err(format!("`requires-python = \"{spec}\"`: expected clauses such as >=3.10 or <3.14 separated by commas")),
        }
    }
    Ok(())
}

fn cmp(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

fn version_satisfies(v: &[u32], spec: &str) -> bool {
    spec.split(',').all(|clause| {
        let Some((op, want, wildcard)) = parse_clause(clause) else {
            return true;
        };
        if wildcard {
            let prefix_eq = v.iter().zip(&want).all(|(a, b)| a == b);
            return match op {
                "==" => prefix_eq,
                "!=" => !prefix_eq,
                _ => true,
            };
        }
        let o = cmp(v, &want);
        match op {
            ">=" => o.is_ge(),
            "<=" => o.is_le(),
            ">" => o.is_gt(),
            "<" => o.is_lt(),
            "==" | "===" => o.is_eq(),
            "!=" => o.is_ne(),
            "~=" => {
                let upper_prefix = &want[..want.len().saturating_sub(1)];
                o.is_ge() && v.iter().zip(upper_prefix).all(|(a, b)| a == b)
            }
            _ => true,
        }
    })
}

/// Whether some release of `minor` satisfies the specifier set.
pub fn minor_satisfies(minor: Minor, spec: &str) -> bool {
    (0..=30).any(|patch| version_satisfies(&[minor.0, minor.1, patch], spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_loose_versions() {
        assert_eq!(Minor::parse_loose("3.12.4"), Some(Minor(3, 12)));
        assert_eq!(Minor::parse_loose("python-3.11.7"), Some(Minor(3, 11)));
        assert_eq!(Minor::parse_loose("3.10-slim-bookworm"), Some(Minor(3, 10)));
        assert_eq!(Minor::parse_loose("pypy3.10"), None);
        assert_eq!(Minor::parse_loose("2.7"), None);
    }

    #[test]
    fn specifiers_select_minors() {
        assert!(minor_satisfies(Minor(3, 12), ">=3.10,<3.13"));
        assert!(!minor_satisfies(Minor(3, 13), ">=3.10,<3.13"));
        assert!(minor_satisfies(Minor(3, 11), "~=3.11"));
        assert!(minor_satisfies(Minor(3, 13), "~=3.11"));
        assert!(!minor_satisfies(Minor(3, 12), "~=3.11.2"));
        assert!(minor_satisfies(Minor(3, 11), "==3.11.*"));
        assert!(!minor_satisfies(Minor(3, 12), "==3.11.*"));
        assert!(minor_satisfies(Minor(3, 9), ">=3.9.2"));
        assert!(!minor_satisfies(Minor(3, 8), ">3.8.30"));
    }

    #[test]
    fn bad_specifier_is_an_error() {
        assert!(validate_specifier(">=3.10, <3.13").is_ok());
        assert!(validate_specifier("three point ten").is_err());
    }
}
