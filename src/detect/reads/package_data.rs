//! Package data: files a package declares it ships beside its modules, in
//! pyproject.toml (`[tool.setuptools.package-data]`, Poetry's `include`),
//! MANIFEST.in (`include`, `recursive-include`, `graft`) or setup.py
//! (`package_data={...}`). Each declaration reads the folder its pattern
//! starts with (`data/*.json` in package `shop` reads `shop/data`); a
//! pattern without a folder reads files beside the modules, which are
//! kept anyway.

use std::sync::LazyLock;

use regex::Regex;

use super::pysrc::{bracketed, clean, items, literals};
use super::{Extent, Read, Source};
use crate::repo::Repo;

/// The folders the repository's package data declarations read.
pub fn reads(repo: &Repo) -> Vec<Read> {
    let mut out = Vec::new();
    let mut add = |file: &str, text: &str, package: &str, pattern: &str| {
        let Some(folder) = folder_of(repo, package, pattern) else {
            return;
        };
        // The line that declares it: the pattern, or (MANIFEST.in's
        // `graft dir`) its folder.
        let shown = pattern.trim_end_matches("/*");
        let line = text
            .lines()
            .position(|l| l.contains(shown))
            .map_or(1, |i| i + 1);
        out.push(Read {
            path: folder,
            extent: Extent::Tree,
            source: Source::PackageData,
            file: file.to_string(),
            line,
        });
    };
    if let Ok(Some(text)) = repo.read_text("pyproject.toml") {
        for (package, pattern) in pyproject(&text) {
            add("pyproject.toml", &text, &package, &pattern);
        }
    }
    if let Ok(Some(text)) = repo.read_text("MANIFEST.in") {
        for pattern in manifest(&text) {
            add("MANIFEST.in", &text, "", &pattern);
        }
    }
    if let Ok(Some(text)) = repo.read_text("setup.py") {
        for (package, pattern) in setup_py(&text) {
            add("setup.py", &text, &package, &pattern);
        }
    }
    out
}

/// The folder a pattern of `package` starts with, where it exists (a
/// package is looked for at the root and below `src/`).
fn folder_of(repo: &Repo, package: &str, pattern: &str) -> Option<String> {
    let dir: Vec<&str> = pattern
        .split('/')
        .take_while(|p| !p.contains(['*', '?', '[']))
        .collect();
    // The last part names a file unless the pattern goes on below it.
    let dir = if dir.len() == pattern.split('/').count() {
        &dir[..dir.len().saturating_sub(1)]
    } else {
        &dir[..]
    };
    if dir.is_empty() {
        return None;
    }
    let rel = crate::detect::node::join(&package.replace('.', "/"), &dir.join("/"));
    [rel.clone(), format!("src/{rel}")]
        .into_iter()
        .find(|p| repo.has_dir(p))
}

/// `[tool.setuptools.package-data]` (package -> patterns) and Poetry's
/// `include` (patterns from the root).
fn pyproject(text: &str) -> Vec<(String, String)> {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let tool = doc.get("tool");
    let package_data = tool
        .and_then(|t| t.get("setuptools"))
        .and_then(|s| s.get("package-data"))
        .and_then(|p| p.as_table_like());
    for (package, patterns) in package_data.into_iter().flat_map(|t| t.iter()) {
        for p in patterns.as_array().into_iter().flatten() {
            if let Some(p) = p.as_str() {
                out.push((package.to_string(), p.to_string()));
            }
        }
    }
    let include = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("include"))
        .and_then(|i| i.as_array());
    for item in include.into_iter().flatten() {
        let path = item.as_str().or_else(|| {
            item.as_inline_table()
                .and_then(|t| t.get("path"))
                .and_then(|p| p.as_str())
        });
        if let Some(p) = path {
            out.push((String::new(), p.to_string()));
        }
    }
    out
}

/// MANIFEST.in: the folders `recursive-include` and `graft` name (with a
/// `/` so the whole folder counts), and the files `include` names.
fn manifest(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["recursive-include" | "graft", dir, ..] => out.push(format!("{dir}/*")),
            ["include", files @ ..] => out.extend(files.iter().map(|f| f.to_string())),
            _ => {}
        }
    }
    out
}

/// setup.py's literal `package_data={"pkg": ["data/*.json"]}`.
fn setup_py(text: &str) -> Vec<(String, String)> {
    static PACKAGE_DATA: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"package_data\s*=\s*\{").unwrap());
    let code = clean(text);
    let mut out = Vec::new();
    for m in PACKAGE_DATA.find_iter(&code) {
        let Some(body) = bracketed(&code, m.end() - 1) else {
            continue;
        };
        for (_, item) in items(body) {
            let Some((key, value)) = item.split_once(':') else {
                continue;
            };
            let Some(package) = literals(key).into_iter().next() else {
                continue;
            };
            out.extend(
                literals(value)
                    .into_iter()
                    .map(|p| (package.text.clone(), p.text)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    #[test]
    fn declared_package_data_folders() {
        let files = [
            ("pyproject.toml", "[project]\nname = 'shop'\n[tool.setuptools.package-data]\nshop = [\"fixtures/*.json\", \"*.txt\"]\n"),
            ("src/shop/__init__.py", ""),
            ("src/shop/fixtures/a.json", "[]"),
            ("MANIFEST.in", "include README.md\nrecursive-include examples/data *.csv\n# graft docs\n"),
            ("examples/data/a.csv", ""),
            ("docs/index.md", ""),
            ("setup.py", "setup(package_data={'shop': ['testdata/**/*.db']})\n"),
            ("shop/testdata/x/a.db", ""),
        ];
        let (_d, repo) = temp_repo(&files);
        let found: Vec<(String, String, usize)> = reads(&repo)
            .into_iter()
            .map(|r| (r.path, r.file, r.line))
            .collect();
        assert_eq!(
            found,
            [
                ("src/shop/fixtures".into(), "pyproject.toml".into(), 4),
                ("examples/data".into(), "MANIFEST.in".into(), 2),
                ("shop/testdata".into(), "setup.py".into(), 1),
            ]
        );
    }
}
