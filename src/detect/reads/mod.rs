//! What the app reads at run time, from evidence in the repository (never
//! by running it), each read with the file and line that proves it:
//! - the import closure of the entry modules (the app object's module,
//!   Django's manage.py, settings and installed apps), with the modules
//!   Django and the app load by dotted name;
//! - Django's INSTALLED_APPS (their templates, static files, translations,
//!   migrations, commands), TEMPLATES `DIRS`, STATICFILES_DIRS,
//!   LOCALE_PATHS and FIXTURE_DIRS, and fixtures loaded by `loaddata` from
//!   the code (commands the image runs are read by the plan);
//! - Flask's template and static folders;
//! - package data (setuptools, Poetry, MANIFEST.in, setup.py);
//! - files and folders the code opens by a literal path.
//!
//! The plan keeps everything a read reaches and leaves out folders named
//! like tests, docs or examples that nothing reaches (plan/ships.rs).

mod django;
mod flask;
mod imports;
mod literal_paths;
mod package_data;
mod pysrc;

use serde::Serialize;

use super::framework::WebApp;
use crate::repo::Repo;

pub use django::fixtures_loaded_by;

/// How much of the tree a read takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Extent {
    /// One file (or a namespace package's folder, as a path).
    File,
    /// A folder and everything below it.
    Tree,
}

/// The kind of evidence behind a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A module the server or a command loads first.
    Entry,
    /// A module an entry imports, directly or not, or names as a dotted
    /// string (Django's ROOT_URLCONF, MIDDLEWARE...).
    Import,
    /// A folder Django loads from an app in INSTALLED_APPS.
    InstalledApp,
    TemplateDirs,
    StaticfilesDirs,
    LocalePaths,
    FixtureDirs,
    /// A fixture `loaddata` loads.
    Fixture,
    /// A Flask app's or blueprint's template or static folder.
    FlaskFolder,
    PackageData,
    /// A file or folder the code opens by a literal path.
    OpenedPath,
    /// A folder the code names in a string, not where it opens paths:
    /// too weak to keep files, enough to make leaving it out ambiguous.
    NamedPath,
}

impl Source {
    /// What the evidence says of the path, for reasons and comments.
    pub fn what(self) -> &'static str {
        match self {
            Source::Entry => "loaded by the server or a command",
            Source::Import => "imported by the app",
            Source::InstalledApp => "loaded by Django from an installed app",
            Source::TemplateDirs => "a template folder in Django's TEMPLATES",
            Source::StaticfilesDirs => "in Django's STATICFILES_DIRS",
            Source::LocalePaths => "in Django's LOCALE_PATHS",
            Source::FixtureDirs => "in Django's FIXTURE_DIRS",
            Source::Fixture => "a fixture loaddata loads",
            Source::FlaskFolder => "a Flask template or static folder",
            Source::PackageData => "package data",
            Source::OpenedPath => "opened by the app",
            Source::NamedPath => "named in a string by the app",
        }
    }
}

/// One path the app reads, and what proves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Read {
    /// Relative to the repository.
    pub path: String,
    pub extent: Extent,
    pub source: Source,
    /// Where the evidence is.
    pub file: String,
    pub line: usize,
}

impl Read {
    /// Whether the read takes something inside `folder`, or `folder`
    /// itself, or (a tree) everything around it.
    pub fn reaches(&self, folder: &str) -> bool {
        inside(&self.path, folder) || (self.extent == Extent::Tree && inside(folder, &self.path))
    }

    /// `catalog/index.db is opened by the app (catalog/views.py:9)`.
    pub fn evidence(&self) -> String {
        format!(
            "{} is {} ({}:{})",
            self.path,
            self.source.what(),
            self.file,
            self.line
        )
    }
}

/// `path` is `folder` or below it.
pub fn inside(path: &str, folder: &str) -> bool {
    folder.is_empty()
        || path == folder
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the imports could be followed, which decides whether a folder
/// of Python modules that no read reaches can be left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", content = "why", rename_all = "kebab-case")]
pub enum Imports {
    /// Followed from the entry modules: no other module of the project is
    /// imported when the app runs.
    Followed,
    /// Not followed, and why (no entry module, a module imported by a
    /// computed name).
    Unknown(String),
}

/// Everything the app reads, as far as the repository shows.
#[derive(Debug, Clone, Serialize)]
pub struct Reads {
    pub items: Vec<Read>,
    pub imports: Imports,
}

impl Default for Reads {
    fn default() -> Reads {
        Reads {
            items: Vec::new(),
            imports: Imports::Unknown("the project was not read".into()),
        }
    }
}

impl Reads {
    /// Reads the evidence of a Python project.
    pub fn detect(repo: &Repo, sources: &[(String, String)], web: &WebApp) -> Reads {
        let django = web
            .django
            .as_ref()
            .map(|d| django::Project::read(repo, sources, d));
        // Each app object: where it was found (a Django target is found in
        // the settings), and the module the server imports.
        let mut entries: Vec<Read> = Vec::new();
        for t in &web.targets {
            entries.push(entry(&t.file, &t.file, t.line));
            let module = t.module.replace('.', "/");
            let root = web.source_root.as_deref().unwrap_or("");
            for path in [format!("{module}.py"), format!("{module}/__init__.py")] {
                entries.push(entry(
                    &crate::detect::node::join(root, &path),
                    &t.file,
                    t.line,
                ));
            }
        }
        if let Some(d) = &django {
            entries.extend(d.entries());
        }
        let closure = imports::closure(sources, &entries);
        let imports = match (&closure.dynamic, entries.is_empty()) {
            (_, true) => Imports::Unknown(
                "no entry module was found (no app object, no Django settings)".into(),
            ),
            (Some((file, line)), false) => {
                Imports::Unknown(format!("{file}:{line} imports a module by a computed name"))
            }
            (None, false) => Imports::Followed,
        };
        // The code the app runs: the modules reached, when the imports were
        // followed; else every source that is not a test.
        let app_sources: Vec<(String, String)> = sources
            .iter()
            .filter(|(p, _)| match imports {
                Imports::Followed => closure.reached.iter().any(|r| r.path == *p),
                Imports::Unknown(_) => !is_test_source(p),
            })
            .cloned()
            .collect();
        let mut items = closure.reached;
        if let Some(d) = &django {
            items.extend(d.reads(repo));
            items.extend(django::fixtures_in_code(repo, &app_sources));
        }
        items.extend(flask::folders(repo, &app_sources));
        items.extend(package_data::reads(repo));
        items.extend(literal_paths::opened(repo, &app_sources));
        Reads { items, imports }
    }

    /// The first read that reaches `folder`.
    pub fn reaching(&self, folder: &str) -> Option<&Read> {
        self.items.iter().find(|r| r.reaches(folder))
    }

    /// The repository's files the reads take (a tree as all its files),
    /// each with its read. A folder the code only names takes none.
    pub fn files<'a>(&'a self, repo: &'a Repo) -> impl Iterator<Item = (&'a str, &'a Read)> + 'a {
        let taking = || self.items.iter().filter(|r| r.source != Source::NamedPath);
        let by_file: std::collections::HashMap<&str, &Read> = taking()
            .filter(|r| r.extent == Extent::File)
            .map(|r| (r.path.as_str(), r))
            .collect();
        let trees: Vec<&Read> = taking().filter(|r| r.extent == Extent::Tree).collect();
        repo.own_files().filter_map(move |f| {
            let read = by_file
                .get(f.path.as_str())
                .copied()
                .or_else(|| trees.iter().copied().find(|r| inside(&f.path, &r.path)))?;
            Some((f.path.as_str(), read))
        })
    }
}

/// An entry module, proved by where it is named.
fn entry(path: &str, file: &str, line: usize) -> Read {
    Read {
        path: path.to_string(),
        extent: Extent::File,
        source: Source::Entry,
        file: file.to_string(),
        line,
    }
}

/// The path an expression spells with a run of literals, relative to the
/// folder `base`, when it exists: `BASE_DIR / "files"` is `files`, and in
/// `("downloads", BASE_DIR / "files")` the prefix "downloads" is a run of
/// its own that names nothing; `"../web/dist"` from `api` is `web/dist`.
fn existing_path(repo: &Repo, base: &str, item: &str) -> Option<(String, Extent)> {
    pysrc::literal_paths(item).into_iter().find_map(|run| {
        let rel = crate::detect::node::normalize_path(&crate::detect::node::join(base, &run))?;
        if rel.is_empty() {
            None
        } else if repo.has_dir(&rel) {
            Some((rel, Extent::Tree))
        } else if repo.exists(&rel) {
            Some((rel, Extent::File))
        } else {
            None
        }
    })
}

/// Test code, by the usual names (when the imports cannot tell).
fn is_test_source(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/')
        .any(|d| matches!(d, "tests" | "test" | "testing"))
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, extent: Extent) -> Read {
        Read {
            path: path.into(),
            extent,
            source: Source::OpenedPath,
            file: "app.py".into(),
            line: 1,
        }
    }

    #[test]
    fn what_a_read_reaches() {
        let file = read("tests/data/x.db", Extent::File);
        assert!(file.reaches("tests") && file.reaches("tests/data/x.db"));
        assert!(!file.reaches("tests/data/x") && !file.reaches("test"));
        let tree = read("docs/build", Extent::Tree);
        assert!(tree.reaches("docs") && tree.reaches("docs/build/html"));
        assert!(!tree.reaches("docs/src") && !tree.reaches("docs/build2"));
        assert!(!read("tests2/a.py", Extent::File).reaches("tests"));
    }
}
