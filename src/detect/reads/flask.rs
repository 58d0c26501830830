//! Flask's template and static folders: `template_folder=` and
//! `static_folder=` of `Flask(...)` and `Blueprint(...)`, relative to the
//! module that makes the app or blueprint (Flask's root path), and for an
//! app the `templates` and `static` folders beside it, which Flask uses
//! when none is given.

use std::sync::LazyLock;

use regex::Regex;

use super::pysrc::{bracketed, clean, in_literal, items, line_at, literals};
use super::{existing_path, Extent, Read, Source};
use crate::repo::Repo;

/// The folders the Flask apps and blueprints of `sources` serve from.
pub fn folders(repo: &Repo, sources: &[(String, String)]) -> Vec<Read> {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(Flask|Blueprint)\s*\(").unwrap());
    let mut out = Vec::new();
    for (file, text) in sources {
        let code = clean(text);
        let root = file.rsplit_once('/').map_or("", |(d, _)| d);
        let strings = literals(&code);
        for c in CALL.captures_iter(&code) {
            let call = c.get(0).unwrap();
            if in_literal(&strings, call.start()) {
                continue;
            }
            let Some(args) = bracketed(&code, call.end() - 1) else {
                continue;
            };
            let line = line_at(&code, call.start());
            let read = |path: String, extent| Read {
                path,
                extent,
                source: Source::FlaskFolder,
                file: file.clone(),
                line,
            };
            for key in ["template_folder", "static_folder"] {
                let given = items(args).into_iter().find_map(|(_, item)| {
                    let (k, value) = item.split_once('=')?;
                    (k.trim() == key).then_some(value)
                });
                match given {
                    Some(value) => {
                        if let Some((path, extent)) = existing_path(repo, root, value) {
                            out.push(read(path, extent));
                        }
                    }
                    None if &c[1] == "Flask" => {
                        let name = match key {
                            "template_folder" => "templates",
                            _ => "static",
                        };
                        let default = crate::detect::node::join(root, name);
                        if repo.has_dir(&default) {
                            out.push(read(default, Extent::Tree));
                        }
                    }
                    None => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    #[test]
    fn given_folders_and_an_apps_defaults() {
        let files = [
            ("shop/__init__.py", "from flask import Flask\napp = Flask(\n    __name__,\n    template_folder='../site/pages',\n)\n"),
            ("shop/static/app.css", ""),
            ("shop/admin.py", "from flask import Blueprint\nbp = Blueprint('admin', __name__, static_folder='assets')\n"),
            ("shop/assets/admin.js", ""),
            ("site/pages/index.html", ""),
            // A comment and a string that only looks like a call name nothing.
            ("shop/notes.py", "# Flask(__name__, static_folder='docs')\nx = 'Blueprint(static_folder=\"docs\")'\n"),
            ("docs/index.md", ""),
        ];
        let (_d, repo) = temp_repo(&files);
        let mut found: Vec<(String, usize)> = folders(&repo, repo.python_sources())
            .into_iter()
            .map(|r| (format!("{} {}", r.path, r.file), r.line))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("shop/assets shop/admin.py".to_string(), 2),
                ("shop/static shop/__init__.py".to_string(), 2),
                ("site/pages shop/__init__.py".to_string(), 2),
            ]
        );
    }
}
