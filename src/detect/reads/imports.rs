//! The import closure: every module of the project the entry modules
//! import, directly or through other modules, by `import`, `from ...
//! import`, relative imports, `importlib.import_module("...")`, and dotted
//! strings that name a module of the project (Django loads ROOT_URLCONF,
//! MIDDLEWARE and app configs by name). Imports inside functions and `if`
//! blocks count: the closure errs on the side of keeping.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::LazyLock;

use regex::Regex;

use super::pysrc::{clean, in_literal, line_at, literals};
use super::{Extent, Read, Source};

/// The project's modules by dotted name, from their paths: `pkg/mod.py` is
/// `pkg.mod`, `pkg/__init__.py` is `pkg`, and below a `src` folder the
/// name starts after it.
struct Index {
    modules: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
}

impl Index {
    fn new(sources: &[(String, String)]) -> Index {
        let mut modules = BTreeMap::new();
        let mut names = BTreeMap::new();
        for (path, _) in sources {
            let rel = path.trim_end_matches(".py");
            let rel = rel.strip_suffix("/__init__").unwrap_or(rel);
            let mut name = rel.replace('/', ".");
            if let Some(i) = rel
                .rfind("src/")
                .filter(|i| *i == 0 || rel[..*i].ends_with('/'))
            {
                name = rel[i + 4..].replace('/', ".");
                modules.insert(rel.replace('/', "."), path.clone());
            }
            names.insert(path.clone(), name.clone());
            modules.insert(name, path.clone());
        }
        Index { modules, names }
    }

    /// The files `import dotted` runs: each package on the way, then the
    /// module (`a.b.c` runs a/__init__.py, a/b/__init__.py, a/b/c.py).
    fn files_of(&self, dotted: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut prefix = String::new();
        for part in dotted.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            if let Some(file) = self.modules.get(&prefix) {
                out.push(file.as_str());
            }
        }
        out
    }

    /// The package a relative import of `level` dots starts from, seen from
    /// the module in `file`.
    fn relative_base(&self, file: &str, level: usize) -> Option<String> {
        let name = self.names.get(file)?;
        let mut parts: Vec<&str> = name.split('.').collect();
        // A module's own package is its name minus the last part; a
        // package's (__init__.py) is itself.
        let drop = if file.ends_with("__init__.py") {
            level - 1
        } else {
            level
        };
        if drop > parts.len() {
            return None;
        }
        parts.truncate(parts.len() - drop);
        Some(parts.join("."))
    }
}

/// What following the imports found.
pub struct Closure {
    /// The modules reached (the entries first).
    pub reached: Vec<Read>,
    /// Where a module is imported by a computed name, which the closure
    /// cannot follow.
    pub dynamic: Option<(String, usize)>,
}

/// Follows the imports from `entries` (modules, as reads).
pub fn closure(sources: &[(String, String)], entries: &[Read]) -> Closure {
    let index = Index::new(sources);
    let text_of: BTreeMap<&str, &str> = sources
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut reached = Vec::new();
    let mut queue: VecDeque<Read> = entries.iter().cloned().collect();
    let mut dynamic = None;
    while let Some(read) = queue.pop_front() {
        // Entries are named by convention (an app's admin.py): only those
        // that exist count.
        let Some(text) = text_of.get(read.path.as_str()) else {
            continue;
        };
        if !seen.insert(read.path.clone()) {
            continue;
        }
        let found = imports_of(&index, &read.path, text);
        dynamic = dynamic.or(found.dynamic);
        for (dotted, line) in found.names {
            for file in index.files_of(&dotted) {
                queue.push_back(Read {
                    path: file.to_string(),
                    extent: Extent::File,
                    source: Source::Import,
                    file: read.path.clone(),
                    line,
                });
            }
        }
        reached.push(read);
    }
    Closure { reached, dynamic }
}

/// What one module imports.
struct Found {
    /// Dotted names, each with its line; `from a import b` gives `a` and
    /// `a.b` (b may be a module), a module beside the file is tried too.
    names: Vec<(String, usize)>,
    dynamic: Option<(String, usize)>,
}

fn imports_of(index: &Index, file: &str, text: &str) -> Found {
    static FROM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;]*)")
            .unwrap()
    });
    static IMPORT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[ \t]*import[ \t]+([^\n;]+)").unwrap());
    static BY_NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:import_module|__import__)\(\s*").unwrap());
    let code = clean(text);
    let folder = file.rsplit_once('/').map_or("", |(d, _)| d);
    let sibling = |name: &str| match folder {
        "" => name.to_string(),
        f => format!("{}.{name}", f.replace('/', ".")),
    };
    let mut names = Vec::new();
    for c in FROM.captures_iter(&code) {
        let line = line_at(&code, c.get(0).unwrap().start());
        let level = c[1].len();
        let module = &c[2];
        let base = match level {
            0 => module.to_string(),
            _ => match index.relative_base(file, level) {
                Some(b) if module.is_empty() => b,
                Some(b) if b.is_empty() => module.to_string(),
                Some(b) => format!("{b}.{module}"),
                None => continue,
            },
        };
        for imported in imported_names(&c[3]) {
            names.push((join(&base, imported), line));
        }
        names.push((base.clone(), line));
        if level == 0 {
            names.push((sibling(&base), line));
        }
    }
    for c in IMPORT.captures_iter(&code) {
        let line = line_at(&code, c.get(0).unwrap().start());
        for name in imported_names(&c[1]) {
            names.push((name.to_string(), line));
            names.push((sibling(name), line));
        }
    }
    let strings = literals(&code);
    for lit in &strings {
        if is_dotted(&lit.text) {
            names.push((lit.text.clone(), line_at(&code, lit.start)));
        }
    }
    let mut dynamic = None;
    for m in BY_NAME
        .find_iter(&code)
        .filter(|m| !in_literal(&strings, m.start()))
    {
        let arg = &code[m.end()..];
        if !arg.starts_with(['"', '\'']) && dynamic.is_none() {
            dynamic = Some((file.to_string(), line_at(&code, m.start())));
        }
        // A literal argument is read with the other literals above.
    }
    Found { names, dynamic }
}

/// The names of an import list: `a as b, c` or `(a,\n b)`.
fn imported_names(list: &str) -> Vec<&str> {
    list.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .filter_map(|item| item.split_whitespace().next())
        .map(|n| n.trim_end_matches('\\'))
        .filter(|n| !n.is_empty() && *n != "*")
        .collect()
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

/// `a.b` or `a.b.C`: a dotted Python name (one dot at least).
fn is_dotted(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(files: &[(&str, &str)], entry: &str) -> (Vec<String>, Option<(String, usize)>) {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let entries = [super::super::entry(entry, entry, 1)];
        let c = closure(&sources, &entries);
        let mut paths: Vec<String> = c.reached.into_iter().map(|r| r.path).collect();
        paths.sort();
        (paths, c.dynamic)
    }

    #[test]
    fn follows_absolute_relative_and_dotted_string_imports() {
        let files = [
            ("site/wsgi.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
            ("site/settings.py", "ROOT_URLCONF = 'site.urls'\n"),
            ("site/__init__.py", ""),
            ("site/urls.py", "from shop import views\nfrom .api import (\n    routes,\n    schemas as s,\n)\n"),
            ("site/api/__init__.py", ""),
            ("site/api/routes.py", "from ..helpers import slug\n"),
            ("site/api/schemas.py", ""),
            ("site/helpers.py", ""),
            ("shop/__init__.py", ""),
            // Not reached: only a docstring, a comment and a test name it.
            ("shop/views.py", "\"\"\"\nimport shop.legacy\n\"\"\"\n# import shop.legacy\ndef v():\n    from shop.search import index\n"),
            ("shop/search.py", ""),
            ("shop/legacy.py", ""),
            ("tests/test_views.py", "from shop import legacy\n"),
        ];
        let (paths, dynamic) = reached(&files, "site/wsgi.py");
        assert_eq!(
            paths,
            [
                "shop/__init__.py",
                "shop/search.py",
                "shop/views.py",
                "site/__init__.py",
                "site/api/__init__.py",
                "site/api/routes.py",
                "site/api/schemas.py",
                "site/helpers.py",
                "site/settings.py",
                "site/urls.py",
                "site/wsgi.py",
            ]
        );
        assert_eq!(dynamic, None);
    }

    #[test]
    fn src_layout_and_modules_beside_a_script() {
        let files = [
            (
                "src/inventory/main.py",
                "from inventory.db import session\n",
            ),
            ("src/inventory/__init__.py", ""),
            ("src/inventory/db.py", ""),
            ("app/server.py", "import helpers\n"),
            ("app/helpers.py", ""),
        ];
        let (paths, _) = reached(&files, "src/inventory/main.py");
        assert_eq!(
            paths,
            [
                "src/inventory/__init__.py",
                "src/inventory/db.py",
                "src/inventory/main.py"
            ]
        );
        let (paths, _) = reached(&files, "app/server.py");
        assert_eq!(paths, ["app/helpers.py", "app/server.py"]);
    }

    #[test]
    fn a_computed_module_name_cannot_be_followed() {
        let files = [
            ("app.py", "import importlib\nplugin = importlib.import_module(f'plugins.{name}')\nimportlib.import_module('plugins.base')\n"),
            ("plugins/__init__.py", ""),
            ("plugins/base.py", ""),
        ];
        let (paths, dynamic) = reached(&files, "app.py");
        assert_eq!(dynamic, Some(("app.py".into(), 2)));
        assert_eq!(paths, ["app.py", "plugins/__init__.py", "plugins/base.py"]);
    }
}
