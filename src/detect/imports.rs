//! Python imports: which file a name in a file comes from. Enough to follow
//! a router or a constant across modules (`from .api import router`,
//! `from app.api.routes import utils` then `utils.router`), never by
//! importing anything.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::source::Source;

/// What a local name is bound to by an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `import a.b as x`: the module's path stem (`a/b`).
    Module(Stem),
    /// `from a.b import c as x`: `c` of module `a/b` (a submodule or an
    /// attribute: which one is decided against the files).
    From(Stem, String),
}

/// A module as a path without its extension: exact when a relative import
/// named it (`pkg/api` from `pkg/main.py`), a suffix otherwise, since an
/// absolute import does not say which folder is on the path
/// (`app.core.config` is `backend/app/core/config.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stem {
    pub path: String,
    pub exact: bool,
}

/// The names a file imports.
pub fn bindings(src: &Source) -> HashMap<String, Binding> {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)").unwrap()
    });
    static FROM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)").unwrap()
    });
    let mut out = HashMap::new();
    for c in IMPORT.captures_iter(&src.code) {
        for item in c[1].split(',') {
            let mut words = item.split_whitespace();
            let Some(module) = words.next() else { continue };
            let stem = absolute(module);
            match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => {
                    out.insert(alias.to_string(), Binding::Module(stem));
                }
                // `import a.b` binds `a`; `a.b.c` is then followed segment
                // by segment.
                _ => {
                    let first = module.split('.').next().unwrap_or(module);
                    out.insert(first.to_string(), Binding::Module(absolute(first)));
                }
            }
        }
    }
    for c in FROM.captures_iter(&src.code) {
        let Some(stem) = from_stem(src.path, &c[1]) else {
            continue;
        };
        let names = c[2].trim().trim_start_matches('(').trim_end_matches(')');
        for item in names.split(',') {
            let mut words = item.split_whitespace();
            let Some(name) = words.next().filter(|n| *n != "*") else {
                continue;
            };
            let local = match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => alias,
                _ => name,
            };
            out.insert(
                local.to_string(),
                Binding::From(stem.clone(), name.to_string()),
            );
        }
    }
    out
}

/// The modules a file star-imports (`from .base import *`), in order.
pub fn star_imports(src: &Source) -> Vec<(Stem, usize)> {
    static STAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\*").unwrap()
    });
    STAR.captures_iter(&src.code)
        .filter_map(|c| {
            let stem = from_stem(src.path, &c[1])?;
            Some((stem, src.line(c.get(0).unwrap().start())))
        })
        .collect()
}

fn absolute(module: &str) -> Stem {
    Stem {
        path: module.replace('.', "/"),
        exact: false,
    }
}

/// The module of `from X import ...` in `file`: relative imports climb from
/// the file's package folder.
fn from_stem(file: &str, module: &str) -> Option<Stem> {
    let dots = module.len() - module.trim_start_matches('.').len();
    if dots == 0 {
        return Some(absolute(module));
    }
    let mut dir: Vec<&str> = file.split('/').collect();
    dir.pop();
    for _ in 1..dots {
        dir.pop()?;
    }
    let rest = &module[dots..];
    if !rest.is_empty() {
        dir.extend(rest.split('.'));
    }
    Some(Stem {
        path: dir.join("/"),
        exact: true,
    })
}

/// The stem of a module inside another: `a/b` + `c` -> `a/b/c`.
pub fn child(stem: &Stem, name: &str) -> Stem {
    Stem {
        path: if stem.path.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", stem.path)
        },
        exact: stem.exact,
    }
}

/// The stem of a file's own module: `pkg/api.py` -> `pkg/api`,
/// `pkg/__init__.py` -> `pkg`.
pub fn stem_of(file: &str) -> Stem {
    let path = file.trim_end_matches(".py");
    let path = path.strip_suffix("/__init__").unwrap_or(path);
    Stem {
        path: path.to_string(),
        exact: true,
    }
}

/// The file of a module among `files`: `stem.py` or `stem/__init__.py`;
/// for a suffix stem the shallowest match.
pub fn file_of<'f>(stem: &Stem, files: &[&'f str]) -> Option<&'f str> {
    let module = format!("{}.py", stem.path);
    let package = format!("{}/__init__.py", stem.path);
    let matches = |f: &str, want: &str| {
        f == want || (!stem.exact && f.ends_with(want) && f[..f.len() - want.len()].ends_with('/'))
    };
    files
        .iter()
        .filter(|f| matches(f, &module) || matches(f, &package))
        .min_by_key(|f| (f.matches('/').count(), f.len()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::Lang;

    #[test]
    fn reads_import_forms() {
        let text = "import os\nimport app.core.config as cfg\nfrom .api import router as api_router, health\nfrom ..core import (\n    settings,\n)\nfrom app.api.routes import items, utils\n# from nowhere import ghost\ns = 'from fake import thing'\n";
        let src = Source::new("pkg/web/main.py", text, Lang::Python);
        let b = bindings(&src);
        assert_eq!(
            b["cfg"],
            Binding::Module(Stem {
                path: "app/core/config".into(),
                exact: false
            })
        );
        assert_eq!(
            b["api_router"],
            Binding::From(
                Stem {
                    path: "pkg/web/api".into(),
                    exact: true
                },
                "router".into()
            )
        );
        assert_eq!(
            b["settings"],
            Binding::From(
                Stem {
                    path: "pkg/core".into(),
                    exact: true
                },
                "settings".into()
            )
        );
        assert!(
            matches!(&b["utils"], Binding::From(s, n) if s.path == "app/api/routes" && n == "utils")
        );
        assert!(!b.contains_key("ghost"));
        assert!(!b.contains_key("thing"));
    }

    #[test]
    fn resolves_files() {
        let files = [
            "backend/app/api/routes/utils.py",
            "backend/app/core/__init__.py",
            "xapp/core.py",
        ];
        let stem = Stem {
            path: "app/api/routes/utils".into(),
            exact: false,
        };
        assert_eq!(
            file_of(&stem, &files),
            Some("backend/app/api/routes/utils.py")
        );
        let stem = Stem {
            path: "app/core".into(),
            exact: false,
        };
        assert_eq!(file_of(&stem, &files), Some("backend/app/core/__init__.py"));
        let stem = Stem {
            path: "app/core".into(),
            exact: true,
        };
        assert_eq!(file_of(&stem, &files), None);
        assert_eq!(stem_of("pkg/__init__.py").path, "pkg");
    }

    #[test]
    fn star_imports_in_order() {
        let src = Source::new(
            "mysite/settings/production.py",
            "from .base import *  # noqa\n",
            Lang::Python,
        );
        let stars = star_imports(&src);
        assert_eq!(stars[0].0.path, "mysite/settings/base");
        assert_eq!(stars[0].1, 1);
    }
}
