//! The literal value of a Python string expression, as far as the
//! repository states it: a literal, an f-string or a `+` of known pieces, a
//! module-level constant (in the file or imported), or a settings
//! attribute whose default the repository writes
//! (`API_V1_STR: str = "/api/v1"` in a settings class).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::imports::{self, Binding};
use super::source::{Expr, Piece, Source};

/// The sources of a project, indexed for name lookups.
pub struct Program<'a> {
    pub sources: Vec<Source<'a>>,
    files: Vec<&'a str>,
    bindings: Vec<HashMap<String, Binding>>,
}

/// Where a dotted name leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A module (its file).
    Module(usize),
    /// A name defined at some level of a file: (file index, name).
    Object(usize, String),
}

impl<'a> Program<'a> {
    /// A program of Python files given as (path, text), for tests.
    #[cfg(test)]
    pub fn of_python(files: &'a [(&'a str, &'a str)]) -> Program<'a> {
        Program::new(
            files
                .iter()
                .map(|(p, t)| Source::new(p, t, super::source::Lang::Python))
                .collect(),
        )
    }

    pub fn new(sources: Vec<Source<'a>>) -> Program<'a> {
        let files = sources.iter().map(|s| s.path).collect();
        let bindings = sources.iter().map(imports::bindings).collect();
        Program {
            sources,
            files,
            bindings,
        }
    }

    pub fn index(&self, path: &str) -> Option<usize> {
        self.files.iter().position(|f| *f == path)
    }

    /// The name `local` was imported as in file `at` (`make` in `from x
    /// import create_app as make` -> `create_app`), or `local` itself.
    pub fn imported_name<'n>(&'n self, at: usize, local: &'n str) -> &'n str {
        match self.bindings[at].get(local) {
            Some(Binding::From(_, name)) => name,
            _ => local,
        }
    }

    fn module(&self, stem: &imports::Stem) -> Option<usize> {
        imports::file_of(stem, &self.files).and_then(|f| self.index(f))
    }

    /// Where `dotted` in file `at` leads: a name the file defines, or one
    /// it imports, followed through re-exports and submodules.
    pub fn resolve(&self, at: usize, dotted: &str) -> Option<Target> {
        self.resolve_depth(at, dotted, 0)
    }

    fn resolve_depth(&self, at: usize, dotted: &str, depth: usize) -> Option<Target> {
        if depth > 8 {
            return None;
        }
        let mut segments = dotted.split('.');
        let first = segments.next()?;
        let mut target = match self.bindings[at].get(first) {
            Some(Binding::Module(stem)) => Target::Module(self.module(stem)?),
            Some(Binding::From(stem, name)) => match self.module(&imports::child(stem, name)) {
                Some(m) => Target::Module(m),
                None => {
                    let m = self.module(stem)?;
                    self.follow(m, name, depth)?
                }
            },
            None => Target::Object(at, first.to_string()),
        };
        for segment in segments {
            target = match target {
                Target::Module(m) => {
                    let sub = imports::child(&imports::stem_of(self.files[m]), segment);
                    match self.module(&sub) {
                        Some(s) => Target::Module(s),
                        None => self.follow(m, segment, depth)?,
                    }
                }
                // An attribute of an object: not followed further.
                Target::Object(..) => return None,
            };
        }
        Some(target)
    }

    /// `name` in module `m`: its own, or what it imports under that name.
    fn follow(&self, m: usize, name: &str, depth: usize) -> Option<Target> {
        if self.bindings[m].contains_key(name) {
            return self.resolve_depth(m, name, depth + 1);
        }
        Some(Target::Object(m, name.to_string()))
    }

    /// The string `expr` in file `at` stands for, or why it is not known.
    pub fn string(&self, at: usize, expr: &Expr) -> Result<String, String> {
        self.string_depth(at, expr, 0)
    }

    fn string_depth(&self, at: usize, expr: &Expr, depth: usize) -> Result<String, String> {
        if depth > 8 {
            return Err("names refer to each other too deep".into());
        }
        match expr {
            Expr::Str(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => Ok(t.clone()),
                    Piece::Expr(name) => self.name_value(at, name, depth),
                })
                .collect(),
            Expr::Concat(parts) => parts
                .iter()
                .map(|p| self.string_depth(at, p, depth + 1))
                .collect(),
            Expr::Name(name) => self.name_value(at, name, depth),
            Expr::List(_) | Expr::Call(..) | Expr::Other(_) => Err(format!(
                "`{}` is not a string dockslim can read",
                shown(expr)
            )),
        }
    }

    fn name_value(&self, at: usize, dotted: &str, depth: usize) -> Result<String, String> {
        let unknown = || format!("`{dotted}` has no literal value in the repository");
        if let Some(Target::Object(file, name)) = self.resolve(at, dotted) {
            if let Some(v) = self
                .assignments(file, &name, false, depth)
                .into_iter()
                .next()
            {
                return Ok(v);
            }
        }
        // `settings.API_V1_STR`: an attribute of a settings object whose
        // class (or module) the repository writes with a literal default.
        let Some((_, attr)) = dotted.rsplit_once('.') else {
            return Err(unknown());
        };
        let mut values: Vec<String> = (0..self.sources.len())
            .filter_map(|f| self.assignments(f, attr, true, depth).into_iter().next())
            .collect();
        values.sort();
        values.dedup();
        match values.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(unknown()),
            _ => Err(format!(
                "`{dotted}`: the repository gives `{attr}` {} different values",
                values.len()
            )),
        }
    }

    /// The string values of `NAME = ...` (or `NAME: str = ...`) in a file:
    /// module-level only, or at any indentation too (class attributes).
    fn assignments(&self, file: usize, name: &str, indented: bool, depth: usize) -> Vec<String> {
        static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?m)^([ \t]*)([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*([^=\n][^\n]*)$")
                .unwrap()
        });
        let src = &self.sources[file];
        ASSIGN
            .captures_iter(&src.code)
            .filter(|c| &c[2] == name && (indented || c[1].is_empty()))
            .filter_map(|c| {
                let value = c.get(3).unwrap();
                match src.expr(value.range()) {
                    // A class attribute counts only as a plain literal:
                    // following names from every file of the repository
                    // would guess.
                    Expr::Str(pieces) if indented => match pieces.as_slice() {
                        [Piece::Text(t)] => Some(t.clone()),
                        [] => Some(String::new()),
                        _ => None,
                    },
                    e @ (Expr::Str(_) | Expr::Concat(_) | Expr::Name(_)) if !indented => {
                        self.string_depth(file, &e, depth + 1).ok()
                    }
                    _ => None,
                }
            })
            .collect()
    }
}

fn shown(expr: &Expr) -> String {
    match expr {
        Expr::Name(n) => n.clone(),
        Expr::Call(n, _) => format!("{n}(...)"),
        Expr::Other(t) => t.clone(),
        Expr::List(_) => "[...]".into(),
        Expr::Str(_) | Expr::Concat(_) => "a string".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program<'a>(files: &'a [(&'a str, &'a str)]) -> Program<'a> {
        Program::of_python(files)
    }

    #[test]
    fn settings_attributes_constants_and_fstrings() {
        let files = [
            ("backend/app/core/config.py", "class Settings(BaseSettings):\n    API_V1_STR: str = \"/api/v1\"\n    SECRET_KEY: str\n\nsettings = Settings()\n"),
            ("backend/app/consts.py", "PREFIX = '/internal'\n"),
            ("backend/app/main.py", "from app.core.config import settings\nfrom app.consts import PREFIX\nLOCAL = PREFIX + '/x'\n# LOCAL = '/commented'\n"),
        ];
        let p = program(&files);
        let main = p.index("backend/app/main.py").unwrap();
        let name = |n: &str| Expr::Name(n.into());
        assert_eq!(
            p.string(main, &name("settings.API_V1_STR")),
            Ok("/api/v1".into())
        );
        assert_eq!(p.string(main, &name("PREFIX")), Ok("/internal".into()));
        assert_eq!(p.string(main, &name("LOCAL")), Ok("/internal/x".into()));
        let f = Expr::Str(vec![
            Piece::Expr("settings.API_V1_STR".into()),
            Piece::Text("/u".into()),
        ]);
        assert_eq!(p.string(main, &f), Ok("/api/v1/u".into()));
        assert!(p.string(main, &name("settings.SECRET_KEY")).is_err());
        assert!(p.string(main, &name("os.environ")).is_err());
    }

    #[test]
    fn conflicting_attribute_values_are_not_guessed() {
        let files = [
            ("a.py", "class A:\n    PREFIX = '/a'\n"),
            ("b.py", "class B:\n    PREFIX = '/b'\n"),
            ("main.py", "x = 1\n"),
        ];
        let p = program(&files);
        assert!(p.string(2, &Expr::Name("cfg.PREFIX".into())).is_err());
    }

    #[test]
    fn resolves_modules_and_reexports() {
        let files = [
            ("app/api/routes/utils.py", "router = APIRouter()\n"),
            (
                "app/api/__init__.py",
                "from .routes.utils import router as utils_router\n",
            ),
            (
                "app/main.py",
                "from app.api.routes import utils\nfrom app.api import utils_router\n",
            ),
        ];
        let p = program(&files);
        assert_eq!(
            p.resolve(2, "utils.router"),
            Some(Target::Object(0, "router".into()))
        );
        assert_eq!(
            p.resolve(2, "utils_router"),
            Some(Target::Object(0, "router".into()))
        );
        assert_eq!(p.resolve(2, "app"), Some(Target::Object(2, "app".into())));
    }
}
