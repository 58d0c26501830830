//! Files and folders the code opens by a literal path: `open("data/x.db")`,
//! `Path(__file__).parent / "index.db"`, `os.path.join(BASE_DIR, "data")`,
//! `sqlite3.connect("search.db")`, `StaticFiles(directory="public")`.
//!
//! A literal counts when it names a path that exists, read from the working
//! folder (the repository root, where the image's WORKDIR puts it) or from
//! the module's own folder and its parents (`__file__`-relative paths). A
//! file counts wherever its name appears; a folder only on a line that
//! uses paths (`open(`, `Path(`, `os.path.`, `/ "..."`, `directory=`, a
//! `*_DIR` name...), since a bare word such as "tests" or "docs" is more
//! often a logger, a tag or a URL than a folder. Such a word is still
//! recorded as a folder the code names (`Source::NamedPath`): too weak to
//! keep files in the image, strong enough to make leaving the folder out
//! ambiguous (`EXAMPLES = "examples"` may feed an `open` elsewhere).
//! Comments, docstrings, f-strings and absolute paths never count.

use super::pysrc::{clean, literal_paths};
use super::{Extent, Read, Source};
use crate::detect::node::{join, normalize_path};
use crate::repo::Repo;

/// What on a line says its literals are paths.
const PATH_USE: &[&str] = &[
    "open(",
    "Path(",
    "os.path.",
    "joinpath(",
    "__file__",
    "directory=",
    "_folder=",
    "_dir=",
    "_DIR",
    "_ROOT",
    "_PATH",
    "listdir(",
    "scandir(",
    "glob(",
    "walk(",
    "send_from_directory(",
    "FileSystemLoader(",
    "/ \"",
    "/ '",
];

/// The files and folders `sources` open by a literal path.
pub fn opened(repo: &Repo, sources: &[(String, String)]) -> Vec<Read> {
    let mut out: Vec<Read> = Vec::new();
    for (file, text) in sources {
        let bases = bases_of(file);
        for (n, line) in clean(text).lines().enumerate() {
            let uses_paths = PATH_USE.iter().any(|t| line.contains(t));
            for run in literal_paths(line) {
                if run.starts_with('/') || run.contains("://") {
                    continue;
                }
                for base in &bases {
                    let Some(rel) = normalize_path(&join(base, &run)).filter(|r| !r.is_empty())
                    else {
                        continue;
                    };
                    let (extent, source) = if repo.exists(&rel) {
                        (Extent::File, Source::OpenedPath)
                    } else if !repo.has_dir(&rel) {
                        continue;
                    } else if uses_paths {
                        (Extent::Tree, Source::OpenedPath)
                    } else if base.is_empty() && rel == run {
                        (Extent::Tree, Source::NamedPath)
                    } else {
                        continue;
                    };
                    if !out.iter().any(|r| r.path == rel && r.source == source) {
                        out.push(Read {
                            path: rel,
                            extent,
                            source,
                            file: file.clone(),
                            line: n + 1,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The folders a module's relative paths may start from: the working
/// folder (the root), then the module's folder and each of its parents.
fn bases_of(file: &str) -> Vec<String> {
    let mut bases = vec![String::new()];
    let mut dir = file;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        bases.push(parent.to_string());
        dir = parent;
    }
    bases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    fn opened_in(files: &[(&str, &str)]) -> Vec<(String, Extent, usize)> {
        let (_d, repo) = temp_repo(files);
        let mut found: Vec<(String, Extent, usize)> = opened(&repo, repo.python_sources())
            .into_iter()
            .filter(|r| r.source == Source::OpenedPath)
            .map(|r| (r.path, r.extent, r.line))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn literal_paths_the_code_opens() {
        let views = r#"import sqlite3
from pathlib import Path

INDEX = Path(__file__).resolve().parent / "search_index.db"
DATA = os.path.join(BASE_DIR, "data")

def rates():
    with open("rates/eur.csv") as f:
        return f.read()
"#;
        let found = opened_in(&[
            ("catalog/views.py", views),
            ("catalog/search_index.db", "x"),
            ("data/a.json", "{}"),
            ("rates/eur.csv", "1"),
        ]);
        assert_eq!(
            found,
            [
                ("catalog/search_index.db".to_string(), Extent::File, 4),
                ("data".to_string(), Extent::Tree, 5),
                ("rates/eur.csv".to_string(), Extent::File, 8),
            ]
        );
    }

    #[test]
    fn comments_docstrings_and_strings_that_are_not_paths_do_not_count() {
        let code = r#""""Reads data/old.db, once."""
import logging
log = logging.getLogger("tests")  # not a folder
# INDEX = open("data/old.db")
urlpatterns = [path("docs/", views.docs)]
TAGS = ["docs", "examples"]
name = f"data/{user}.db"
ABS = open("/etc/hosts")
"#;
        let found = opened_in(&[
            ("app.py", code),
            ("data/old.db", "x"),
            ("tests/test_app.py", ""),
            ("docs/index.md", ""),
            ("examples/a.py", ""),
        ]);
        assert_eq!(found, []);
    }

    #[test]
    fn a_bare_folder_name_is_named_not_opened() {
        let (_d, repo) = temp_repo(&[
            ("app.py", "EXAMPLES = \"examples\"\nURL = \"examples/\"\n"),
            ("examples/a.json", "{}"),
        ]);
        let found: Vec<(String, Source, usize)> = opened(&repo, repo.python_sources())
            .into_iter()
            .map(|r| (r.path, r.source, r.line))
            .collect();
        assert_eq!(found, [("examples".to_string(), Source::NamedPath, 1)]);
    }
}
