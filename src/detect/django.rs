//! Django: which settings module the image runs, what those settings say
//! through their `from .base import *` chain (STATIC_ROOT, ALLOWED_HOSTS,
//! required environment, ROOT_URLCONF, WSGI/ASGI_APPLICATION), and the
//! health routes `urlpatterns` reach through `include()`.
//!
//! The settings module is named in several places; the one the deployment
//! sets wins over the development defaults in the code: the existing
//! Dockerfile's ENV, then a compose service's environment, then the
//! `setdefault` of wsgi.py or asgi.py (what the production server imports),
//! then manage.py's (often a development module).

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::imports::{self, Stem};
use super::py_values::{Program, Target};
use super::route::{Candidate, Route};
use super::source::{Expr, Piece, Source};
use super::DeployedVar;

#[derive(Debug, Clone, Serialize)]
pub struct Django {
    pub settings_module: String,
    /// Where the settings module is named (`Dockerfile:12`, `manage.py:8`).
    pub settings_from: String,
    pub settings_file: Option<String>,
    /// `collectstatic` has somewhere to write.
    pub static_root: bool,
    /// Environment variables the settings read without a default, which a
    /// build step importing the settings must be given.
    pub required_env: Vec<String>,
    /// The ALLOWED_HOSTS list, when it is a literal (or an environment
    /// variable's literal default).
    pub allowed_hosts: Option<Vec<String>>,
    /// `module.object` of WSGI_APPLICATION and ASGI_APPLICATION, with the
    /// file:line that sets them.
    #[serde(skip)]
    pub wsgi_application: Option<Setting>,
    #[serde(skip)]
    pub asgi_application: Option<Setting>,
    #[serde(skip)]
    pub root_urlconf: Option<Setting>,
    /// Django Channels: `channels` (or Channels 4's `daphne`) in
    /// INSTALLED_APPS, with the settings file:line. Its websocket routes
    /// need the ASGI application; a WSGI server would drop them.
    #[serde(skip)]
    pub channels: Option<Setting>,
    /// `daphne` in INSTALLED_APPS: the project runs under daphne (its
    /// runserver too).
    #[serde(skip)]
    pub daphne_app: bool,
}

/// A setting's string value and the file:line that assigns it.
#[derive(Debug, Clone)]
pub struct Setting {
    pub value: String,
    pub file: String,
    pub line: usize,
}

/// A place that names the settings module.
struct Named {
    module: String,
    from: String,
}

/// Whether the code itself names a settings module: Django without the
/// deployment's word for it.
fn named_in_code(named: &[Named], deployed: usize) -> bool {
    named.len() > deployed
}

/// The Django project, when manage.py (or a wsgi.py or asgi.py) names a
/// settings module.
pub fn detect(program: &Program, deployed: &[DeployedVar]) -> Option<Django> {
    let manage = program
        .sources
        .iter()
        .position(|s| s.path == "manage.py" || s.path.ends_with("/manage.py"));
    let mut named: Vec<Named> = deployed
        .iter()
        .filter(|v| v.name == "DJANGO_SETTINGS_MODULE" && !v.value.contains('$'))
        .map(|v| Named {
            module: v.value.clone(),
            from: v.from.clone(),
        })
        .collect();
    let from_deployment = named.len();
    for name in ["wsgi.py", "asgi.py"] {
        for src in program.sources.iter().filter(|s| file_name(s.path) == name) {
            named.extend(setdefault(src));
        }
    }
    if let Some(m) = manage {
        named.extend(setdefault(&program.sources[m]));
    }
    // The first module that is a file of the repository; failing that, the
    // first named at all.
    let chosen = named
        .iter()
        .find(|n| settings_file(program, &n.module).is_some())
        .or(named.first())?;
    if !named_in_code(&named, from_deployment) {
        return None;
    }
    let settings = settings_file(program, &chosen.module);
    let mut django = Django {
        settings_module: chosen.module.clone(),
        settings_from: chosen.from.clone(),
        settings_file: settings.map(|s| program.sources[s].path.to_string()),
        static_root: false,
        required_env: Vec::new(),
        allowed_hosts: None,
        wsgi_application: None,
        asgi_application: None,
        root_urlconf: None,
        channels: None,
        daphne_app: false,
    };
    if let Some(file) = settings {
        read_settings(program, file, &mut django);
    }
    Some(django)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` and
/// `os.environ["DJANGO_SETTINGS_MODULE"] = "x"` in a file's code.
fn setdefault(src: &Source) -> Vec<Named> {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"environ\.setdefault[ \t]*\(").unwrap());
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"environ[ \t]*\[([^\]\n]*)\][ \t]*=[ \t]*([^=\n][^\n]*)").unwrap()
    });
    let literal = |e: Expr| match e {
        Expr::Str(p) => match p.as_slice() {
            [Piece::Text(t)] => Some(t.clone()),
            _ => None,
        },
        _ => None,
    };
    let mut out = Vec::new();
    for c in CALL.captures_iter(&src.code) {
        let open = c.get(0).unwrap().end() - 1;
        let Some((args, _)) = src.args(open) else {
            continue;
        };
        let [key, value, ..] = args.as_slice() else {
            continue;
        };
        if literal(src.expr(key.span.clone())).as_deref() == Some("DJANGO_SETTINGS_MODULE") {
            if let Some(module) = literal(src.expr(value.span.clone())) {
                out.push(Named {
                    module,
                    from: format!("{}:{}", src.path, src.line(open)),
                });
            }
        }
    }
    for c in ASSIGN.captures_iter(&src.code) {
        let (key, value) = (c.get(1).unwrap(), c.get(2).unwrap());
        if literal(src.expr(key.range())).as_deref() == Some("DJANGO_SETTINGS_MODULE") {
            if let Some(module) = literal(src.expr(value.range())) {
                out.push(Named {
                    module,
                    from: format!("{}:{}", src.path, src.line(key.start())),
                });
            }
        }
    }
    out
}

/// The file of a settings module (`mysite.settings` is `mysite/settings.py`
/// or the package `mysite/settings/__init__.py`).
fn settings_file(program: &Program, module: &str) -> Option<usize> {
    let stem = Stem {
        path: module.replace('.', "/"),
        exact: false,
    };
    let files: Vec<&str> = program.sources.iter().map(|s| s.path).collect();
    imports::file_of(&stem, &files).and_then(|f| program.index(f))
}

fn read_settings(program: &Program, file: usize, django: &mut Django) {
    let lookup = |name: &str| lookup(program, file, name, 0);
    django.static_root = lookup("STATIC_ROOT").is_some_and(|(_, v)| v.1.trim() != "None");
    django.allowed_hosts = lookup("ALLOWED_HOSTS").and_then(|(f, v)| hosts(program, f, &v));
    let string = |name: &str| {
        let (f, (line, _, span)) = lookup(name)?;
        let src = &program.sources[f];
        let value = program.string(f, &src.expr(span)).ok()?;
        Some(Setting {
            value,
            file: src.path.to_string(),
            line,
        })
    };
    django.wsgi_application = string("WSGI_APPLICATION");
    django.asgi_application = string("ASGI_APPLICATION");
    django.root_urlconf = string("ROOT_URLCONF");
    if let Some((f, (line, _, span))) = lookup("INSTALLED_APPS") {
        let src = &program.sources[f];
        let apps = installed_apps(program, f, &src.expr(span), 0);
        let has = |name: &str| apps.iter().any(|a| a == name);
        django.daphne_app = has("daphne");
        if has("channels") || has("daphne") {
            django.channels = Some(Setting {
                value: if has("channels") {
                    "channels"
                } else {
                    "daphne"
                }
                .into(),
                file: src.path.to_string(),
                line,
            });
        }
    }
    let mut required = Vec::new();
    for f in chain(program, file, 0) {
        required.extend(required_env(&program.sources[f]));
    }
    let mut seen = std::collections::HashSet::new();
    required.retain(|r| seen.insert(r.clone()));
    django.required_env = required;
}

/// The app names of INSTALLED_APPS: a list, or lists added up by name
/// (`DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS`, cookiecutter's shape).
fn installed_apps(program: &Program, file: usize, expr: &Expr, depth: usize) -> Vec<String> {
    if depth > 8 {
        return Vec::new();
    }
    match expr {
        Expr::List(items) => items
            .iter()
            .filter_map(|i| program.string(file, i).ok())
            .collect(),
        Expr::Concat(parts) => parts
            .iter()
            .flat_map(|p| installed_apps(program, file, p, depth + 1))
            .collect(),
        Expr::Name(name) => match lookup(program, file, name, 0) {
            Some((f, (_, _, span))) => {
                installed_apps(program, f, &program.sources[f].expr(span), depth + 1)
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A module-level assignment: its line, its value's code text and span.
type Assigned = (usize, String, std::ops::Range<usize>);

/// The assignment of `name` that wins in settings file `file`: Python runs
/// the file top to bottom, so the last assignment or star import that
/// provides the name decides.
fn lookup(program: &Program, file: usize, name: &str, depth: usize) -> Option<(usize, Assigned)> {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Z_][A-Z0-9_]*)[ \t]*(?::[^=\n]+)?=[ \t]*([^=\n][^\n]*)$").unwrap()
    });
    if depth > 8 {
        return None;
    }
    let src = &program.sources[file];
    let mut events: Vec<(usize, Option<(usize, Assigned)>)> = ASSIGN
        .captures_iter(&src.code)
        .filter(|c| &c[1] == name)
        .map(|c| {
            let value = c.get(2).unwrap();
            let start = c.get(0).unwrap().start();
            // A value that opens a bracket runs to its closing bracket,
            // on a later line or not.
            let end = value
                .as_str()
                .find(['[', '(', '{'])
                .and_then(|i| src.closing(value.start() + i))
                .map_or(value.end(), |close| (close + 1).max(value.end()));
            let assigned = (
                src.line(start),
                src.code[value.start()..end].to_string(),
                value.start()..end,
            );
            (start, Some((file, assigned)))
        })
        .collect();
    for (stem, line) in imports::star_imports(src) {
        let files: Vec<&str> = program.sources.iter().map(|s| s.path).collect();
        let Some(base) = imports::file_of(&stem, &files).and_then(|f| program.index(f)) else {
            continue;
        };
        let offset = src.text.lines().take(line - 1).map(|l| l.len() + 1).sum();
        events.push((offset, lookup(program, base, name, depth + 1)));
    }
    events.sort_by_key(|(offset, _)| *offset);
    events.into_iter().rev().find_map(|(_, found)| found)
}

/// The settings file and every file it star-imports.
fn chain(program: &Program, file: usize, depth: usize) -> Vec<usize> {
    let mut out = vec![file];
    if depth > 8 {
        return out;
    }
    let files: Vec<&str> = program.sources.iter().map(|s| s.path).collect();
    for (stem, _) in imports::star_imports(&program.sources[file]) {
        if let Some(base) = imports::file_of(&stem, &files).and_then(|f| program.index(f)) {
            out.extend(chain(program, base, depth + 1));
        }
    }
    out
}

/// `os.environ["X"]`: a variable the settings cannot import without.
fn required_env(src: &Source) -> Vec<String> {
    static REQUIRED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"environ[ \t]*\[([^\]\n]*)\]").unwrap());
    REQUIRED
        .captures_iter(&src.code)
        .filter(|c| {
            // An assignment to the environment is not a read.
            let after = &src.code[c.get(0).unwrap().end()..];
            let after = after.trim_start_matches([' ', '\t']);
            !after.starts_with('=') || after.starts_with("==")
        })
        .filter_map(|c| match src.expr(c.get(1).unwrap().range()) {
            Expr::Str(p) => match p.as_slice() {
                [Piece::Text(t)] => Some(t.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// ALLOWED_HOSTS as a literal list, or the literal default of
/// `os.getenv("X", "a,b").split(",")` / `os.environ.get(...)`.
fn hosts(program: &Program, file: usize, value: &Assigned) -> Option<Vec<String>> {
    let src = &program.sources[file];
    let strings = |items: &[Expr]| -> Option<Vec<String>> {
        items.iter().map(|i| program.string(file, i).ok()).collect()
    };
    match src.expr(value.2.clone()) {
        Expr::List(items) => strings(&items),
        Expr::Other(_) => {
            static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"^[ \t]*(?:os\.)?(?:getenv|environ\.get)[ \t]*\(").unwrap()
            });
            static SPLIT: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"^[ \t]*\.[ \t]*split[ \t]*\(").unwrap());
            let m = DEFAULT.find(&value.1)?;
            let (args, end) = src.args(value.2.start + m.end() - 1)?;
            let default = program
                .string(file, &src.expr(args.get(1)?.span.clone()))
                .ok()?;
            let m = SPLIT.find(&src.code[end..value.2.end])?;
            let (split, _) = src.args(end + m.end() - 1)?;
            let sep = program
                .string(file, &src.expr(split.first()?.span.clone()))
                .ok()?;
            Some(
                default
                    .split(sep.as_str())
                    .map(|h| h.trim().to_string())
                    .filter(|h| !h.is_empty())
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Django's default layout serves `<package>.wsgi:application` from the
/// wsgi.py beside the settings (or beside the settings package).
pub fn default_wsgi(program: &Program, django: &Django) -> Option<(String, String)> {
    default_entry(program, django, "wsgi")
}

/// The asgi.py `startproject` writes beside wsgi.py, as `default_wsgi`.
pub fn default_asgi(program: &Program, django: &Django) -> Option<(String, String)> {
    default_entry(program, django, "asgi")
}

/// `<package>.<name>` and its file, for the nearest package above the
/// settings module that holds `<name>.py`.
fn default_entry(program: &Program, django: &Django, name: &str) -> Option<(String, String)> {
    let mut package = django.settings_module.as_str();
    while let Some((parent, _)) = package.rsplit_once('.') {
        package = parent;
        let module = format!("{package}.{name}");
        let stem = Stem {
            path: module.replace('.', "/"),
            exact: false,
        };
        let files: Vec<&str> = program.sources.iter().map(|s| s.path).collect();
        if let Some(file) = imports::file_of(&stem, &files) {
            return Some((module, file.to_string()));
        }
    }
    None
}

/// The health-like routes of ROOT_URLCONF and every urlconf it includes.
pub fn health_candidates(program: &Program, django: &Django) -> Vec<Candidate> {
    let Some(urlconf) = &django.root_urlconf else {
        return Vec::new();
    };
    let Some(file) = settings_file(program, &urlconf.value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let end = program.sources[file].code.len();
    patterns(program, file, 0..end, "", &mut out, 0);
    out
}

/// The `path()`, `re_path()` and `url()` calls in `range` of a file, each
/// under `prefix`; an `include()` is followed into its module or list.
fn patterns(
    program: &Program,
    file: usize,
    range: std::ops::Range<usize>,
    prefix: &str,
    out: &mut Vec<Candidate>,
    depth: usize,
) {
    static PATH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^\w.])(re_path|path|url)[ \t]*\(").unwrap());
    if depth > 8 {
        return;
    }
    let src = &program.sources[file];
    let mut next = range.start;
    for c in PATH.captures_iter(&src.code[range.clone()]) {
        let open = range.start + c.get(0).unwrap().end() - 1;
        if open < next {
            continue;
        }
        let Some((args, end)) = src.args(open) else {
            continue;
        };
        next = end;
        let [route_arg, view, ..] = args.as_slice() else {
            continue;
        };
        let regex = &c[1] != "path";
        let Ok(mut piece) = program.string(file, &src.expr(route_arg.span.clone())) else {
            continue;
        };
        if regex {
            piece = piece.trim_start_matches('^').to_string();
        }
        let full = format!("{prefix}{piece}");
        match src.expr(view.span.clone()) {
            Expr::Call(name, inc) if name == "include" || name.ends_with(".include") => {
                include(program, file, inc, &full, out, depth);
            }
            _ => {
                let mut path = format!("/{full}");
                if regex {
                    path = path.strip_suffix('$').unwrap_or(&path).to_string();
                }
                out.push(Candidate {
                    route: Route {
                        path,
                        file: src.path.to_string(),
                        line: src.line(open),
                    },
                    problem: None,
                });
            }
        }
    }
}

/// `include("app.urls")`, `include(app_urls)`, `include(("app.urls",
/// "ns"))`, `include([path(...), ...])`.
fn include(
    program: &Program,
    file: usize,
    open: usize,
    prefix: &str,
    out: &mut Vec<Candidate>,
    depth: usize,
) {
    let src = &program.sources[file];
    let Some((args, _)) = src.args(open) else {
        return;
    };
    let Some(first) = args.first() else {
        return;
    };
    let mut expr = src.expr(first.span.clone());
    if let Expr::List(items) = &expr {
        // A tuple (module, namespace) names the module first; a list of
        // patterns is read in place.
        if src.code[first.span.clone()].trim_start().starts_with('[') {
            patterns(program, file, first.span.clone(), prefix, out, depth + 1);
            return;
        }
        expr = items.first().cloned().unwrap_or(Expr::Other(String::new()));
    }
    let module = match expr {
        Expr::Str(_) => program
            .string(file, &expr)
            .ok()
            .and_then(|m| settings_file(program, &m)),
        Expr::Name(name) => match program.resolve(file, &name) {
            Some(Target::Module(m)) => Some(m),
            _ => None,
        },
        _ => None,
    };
    if let Some(m) = module {
        let end = program.sources[m].code.len();
        patterns(program, m, 0..end, prefix, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::route;

    fn program<'a>(files: &'a [(&'a str, &'a str)]) -> Program<'a> {
        Program::of_python(files)
    }

    const MANAGE: &str = "import os\nif __name__ == '__main__':\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n";

    #[test]
    fn channels_in_installed_apps_added_up_from_lists() {
        let files = [
            ("manage.py", MANAGE),
            ("mysite/settings/__init__.py", ""),
            (
                "mysite/settings/base.py",
                "DJANGO_APPS = ['django.contrib.auth']\nTHIRD_PARTY_APPS = [\n    'channels',\n]\nINSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + ['chat']\nASGI_APPLICATION = 'mysite.asgi.application'\n",
            ),
            ("mysite/settings/dev.py", "from .base import *\n"),
        ];
        let django = detect(&program(&files), &[]).unwrap();
        let channels = django.channels.unwrap();
        assert_eq!(
            (
                channels.value.as_str(),
                channels.file.as_str(),
                channels.line
            ),
            ("channels", "mysite/settings/base.py", 5)
        );
        assert!(!django.daphne_app);
        assert_eq!(
            django.asgi_application.unwrap().value,
            "mysite.asgi.application"
        );
        // A plain project is not Channels.
        let files = [
            ("manage.py", MANAGE),
            ("mysite/settings/__init__.py", ""),
            (
                "mysite/settings/dev.py",
                "INSTALLED_APPS = ['django.contrib.auth', 'shop']\n",
            ),
        ];
        assert!(detect(&program(&files), &[]).unwrap().channels.is_none());
    }

    #[test]
    fn deployment_wins_over_the_development_default() {
        let files = [
            ("manage.py", MANAGE),
            ("mysite/wsgi.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings.dev\")\n"),
            ("mysite/settings/__init__.py", ""),
            ("mysite/settings/base.py", "ROOT_URLCONF = 'mysite.urls'\nSTATIC_ROOT = BASE_DIR / 'static'\nALLOWED_HOSTS = []\nWSGI_APPLICATION = 'mysite.wsgi.application'\nDB = os.environ['DATABASE_URL']\n"),
            ("mysite/settings/dev.py", "from .base import *\nDEBUG = True\nALLOWED_HOSTS = ['*']\n"),
            ("mysite/settings/production.py", "from .base import *  # noqa\nimport os\nALLOWED_HOSTS = os.getenv('DJANGO_ALLOWED_HOSTS', 'example.com,localhost').split(',')\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nos.environ['X'] = '1'\n"),
        ];
        let p = program(&files);
        let deployed = [DeployedVar {
            name: "DJANGO_SETTINGS_MODULE".into(),
            value: "mysite.settings.production".into(),
            from: "Dockerfile:9".into(),
        }];
        let d = detect(&p, &deployed).unwrap();
        assert_eq!(d.settings_module, "mysite.settings.production");
        assert_eq!(d.settings_from, "Dockerfile:9");
        assert_eq!(
            d.settings_file.as_deref(),
            Some("mysite/settings/production.py")
        );
        assert!(
            d.static_root,
            "STATIC_ROOT comes through `from .base import *`"
        );
        assert_eq!(d.allowed_hosts.unwrap(), ["example.com", "localhost"]);
        assert_eq!(d.required_env, ["DJANGO_SECRET_KEY", "DATABASE_URL"]);
        let wsgi = d.wsgi_application.unwrap();
        assert_eq!(
            (wsgi.value.as_str(), wsgi.file.as_str(), wsgi.line),
            ("mysite.wsgi.application", "mysite/settings/base.py", 4)
        );

        // Without the Dockerfile: wsgi.py's default, then manage.py's.
        let d = detect(&p, &[]).unwrap();
        assert_eq!(d.settings_module, "mysite.settings.dev");
        assert_eq!(d.settings_from, "mysite/wsgi.py:2");
        assert_eq!(d.allowed_hosts.unwrap(), ["*"]);
    }

    #[test]
    fn later_star_import_overrides_earlier_assignment() {
        let files = [
            ("manage.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
            ("site/settings.py", "ALLOWED_HOSTS = ['a']\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n"),
            ("site/local.py", "ALLOWED_HOSTS = ['b']\n"),
        ];
        let d = detect(&program(&files), &[]).unwrap();
        assert_eq!(d.allowed_hosts.unwrap(), ["b"]);
    }

    #[test]
    fn commented_or_missing_settings_are_not_django() {
        let files = [("manage.py", "# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\nprint('DJANGO_SETTINGS_MODULE')\n")];
        assert!(detect(&program(&files), &[]).is_none());
    }

    #[test]
    fn include_chains_and_placeholders() {
        let files = [
            ("manage.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
            ("site/settings.py", "ROOT_URLCONF = 'site.urls'\n"),
            ("site/urls.py", "from django.urls import include, path, re_path\nfrom ops import urls as ops_urls\n\nurlpatterns = [\n    path('api/', include('api.urls')),\n    path('ops/', include(ops_urls)),\n    re_path(r'^v2/', include([\n        re_path(r'^ping/$', ping),\n    ])),\n    # path('healthz/', h),\n    path('items/<int:pk>/status/', s),\n]\n"),
            ("api/urls.py", "urlpatterns = [path('health/', views.health), path('users/', u)]\n"),
            ("ops/urls.py", "urlpatterns = [re_path(r'^(?P<x>\\w+)/healthz$', h)]\n"),
        ];
        let p = program(&files);
        let d = detect(&p, &[]).unwrap();
        let (probed, unprobed) = route::sort(health_candidates(&p, &d));
        let paths: Vec<String> = probed
            .iter()
            .map(|r| format!("{} {}:{}", r.path, r.file, r.line))
            .collect();
        assert_eq!(
            paths,
            ["/api/health/ api/urls.py:1", "/v2/ping/ site/urls.py:8"]
        );
        let skipped: Vec<&str> = unprobed.iter().map(|u| u.route.path.as_str()).collect();
        assert_eq!(
            skipped,
            ["/ops/(?P<x>\\w+)/healthz", "/items/<int:pk>/status/"]
        );
    }
}
