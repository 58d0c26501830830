//! App factories: top-level functions that build `Flask(`, `FastAPI(` or
//! `Starlette(` (or call another factory that does), whatever their name,
//! and the module-level calls that bind one (`app = get_application()`,
//! `application = create_app(Config)`), the call resolved through imports
//! to a factory the repository defines.

use std::sync::LazyLock;

use regex::Regex;

use super::framework::Framework;
use super::py_values::{Program, Target};

/// A top-level function that returns an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factory {
    pub file: usize,
    pub name: String,
    pub framework: Framework,
    /// Every parameter has a default: `name()` works as a gunicorn target.
    pub bare_call: bool,
    pub line: usize,
}

/// A module-level name bound to a factory's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub file: usize,
    pub name: String,
    pub framework: Framework,
    pub line: usize,
}

/// The framework a piece of code constructs, if any.
fn builds(code: &str) -> Option<Framework> {
    static BUILD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:^|[^\w.]|\b(?:flask|fastapi|applications)\.)(Flask|FastAPI|Starlette)[ \t]*\(",
        )
        .unwrap()
    });
    BUILD.captures(code).map(|c| match &c[1] {
        "Flask" => Framework::Flask,
        "FastAPI" => Framework::FastApi,
        _ => Framework::Starlette,
    })
}

/// Every factory of the program: direct builders first, then functions
/// that call a factory (a few rounds, for wrappers of wrappers).
pub fn factories(program: &Program) -> Vec<Factory> {
    static DEF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(").unwrap()
    });
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([A-Za-z_][\w.]*)[ \t]*\(").unwrap());
    let mut defs = Vec::new();
    for (at, src) in program.sources.iter().enumerate() {
        for c in DEF.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, end)) = src.args(open) else {
                continue;
            };
            let bare_call = args.iter().all(|a| {
                let text = src.code[a.span.clone()].trim();
                a.keyword.is_some() || text.starts_with('*') || text == "/"
            });
            let body = end..body_end(&src.code, end);
            defs.push((at, c[1].to_string(), bare_call, body, src.line(open)));
        }
    }
    let mut found: Vec<Factory> = Vec::new();
    for _round in 0..3 {
        for (at, name, bare_call, body, line) in &defs {
            if found.iter().any(|f| f.file == *at && f.name == *name) {
                continue;
            }
            let code = &program.sources[*at].code[body.clone()];
            let framework = builds(code).or_else(|| {
                CALL.captures_iter(code).find_map(|c| {
                    // Resolving is a lookup through imports and files: only
                    // calls named like a known factory are worth one.
                    if !named_like(program, *at, &c[1], &found) {
                        return None;
                    }
                    let Some(Target::Object(file, callee)) = program.resolve(*at, &c[1]) else {
                        return None;
                    };
                    found
                        .iter()
                        .find(|f| f.file == file && f.name == callee)
                        .map(|f| f.framework)
                })
            });
            if let Some(framework) = framework {
                found.push(Factory {
                    file: *at,
                    name: name.clone(),
                    framework,
                    bare_call: *bare_call,
                    line: *line,
                });
            }
        }
    }
    found
}

/// Whether a call's name could be one of the factories: its last segment
/// (`shop.create_app`) or what a bare name was imported as (`make` from
/// `import create_app as make`) is a factory's name.
fn named_like(program: &Program, at: usize, dotted: &str, factories: &[Factory]) -> bool {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    let imported = program.imported_name(at, dotted);
    factories
        .iter()
        .any(|f| f.name == last || f.name == imported)
}

/// The end of a top-level block starting at `from`: the next line of code
/// at column 0 (comments and strings are already blank in the code view).
fn body_end(code: &str, from: usize) -> usize {
    let mut offset = from;
    for line in code[from..].split_inclusive('\n').skip(1) {
        offset += code[offset..].find('\n').map_or(0, |n| n + 1);
        if line.starts_with(|c: char| !c.is_whitespace()) {
            return offset;
        }
    }
    code.len()
}

/// Module-level `name = factory(...)` calls.
pub fn bound(program: &Program, factories: &[Factory]) -> Vec<Bound> {
    static BIND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*([A-Za-z_][\w.]*)[ \t]*\(")
            .unwrap()
    });
    let mut out = Vec::new();
    for (at, src) in program.sources.iter().enumerate() {
        for c in BIND.captures_iter(&src.code) {
            if !named_like(program, at, &c[2], factories) {
                continue;
            }
            let Some(Target::Object(file, callee)) = program.resolve(at, &c[2]) else {
                continue;
            };
            if let Some(f) = factories
                .iter()
                .find(|f| f.file == file && f.name == callee)
            {
                out.push(Bound {
                    file: at,
                    name: c[1].to_string(),
                    framework: f.framework,
                    line: src.line(c.get(0).unwrap().start()),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program<'a>(files: &'a [(&'a str, &'a str)]) -> Program<'a> {
        Program::of_python(files)
    }

    #[test]
    fn any_name_bound_at_module_level() {
        let files = [
            ("core/app.py", "from fastapi import FastAPI\n\ndef get_application(settings=None) -> FastAPI:\n    application = FastAPI()\n    return application\n\ndef helper():\n    return 1\n"),
            ("shop/__init__.py", "import flask\n\ndef create_app(config):\n    app = flask.Flask(__name__)\n    return app\n\ndef wrapped():\n    return create_app(None)\n"),
            ("main.py", "from core.app import get_application\nfrom shop import create_app, wrapped as w2\n\napp = get_application()\napplication = create_app(Config)\nw = w2()\nn = helper()\n# x = get_application()\n"),
        ];
        let p = program(&files);
        let f = factories(&p);
        let names: Vec<(&str, Framework, bool)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.framework, f.bare_call))
            .collect();
        assert_eq!(
            names,
            [
                ("get_application", Framework::FastApi, true),
                ("create_app", Framework::Flask, false),
                ("wrapped", Framework::Flask, true)
            ]
        );
        let b: Vec<(String, Framework)> = bound(&p, &f)
            .into_iter()
            .map(|b| (b.name, b.framework))
            .collect();
        assert_eq!(
            b,
            [
                ("app".to_string(), Framework::FastApi),
                ("application".to_string(), Framework::Flask),
                ("w".to_string(), Framework::Flask)
            ]
        );
    }

    #[test]
    fn a_string_or_an_unrelated_call_is_not_a_factory() {
        let files = [("app.py", "def describe():\n    return \"Flask(__name__)\"\n\ndef build():\n    return MyFlask()\n\napp = describe()\n")];
        let p = program(&files);
        assert!(factories(&p).is_empty());
    }
}
