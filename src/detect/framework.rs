//! The web framework, its application object, its health route and the port
//! the code asks for, found by reading the code (never importing it).
//!
//! We read Python as text with patterns anchored on the shapes that matter:
//! a module-level `app = Flask(__name__)`, an app factory `def create_app()`,
//! Django's `manage.py` and settings, route decorators. Tests, vendored code
//! and virtual environments are skipped.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Flask,
    Django,
    #[serde(rename = "fastapi")]
    FastApi,
    Starlette,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Flask => "Flask",
            Framework::Django => "Django",
            Framework::FastApi => "FastAPI",
            Framework::Starlette => "Starlette",
        }
    }

    /// The port the framework's own development server uses.
    pub fn default_port(self) -> u16 {
        match self {
            Framework::Flask => 5000,
            Framework::Django | Framework::FastApi | Framework::Starlette => 8000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    Wsgi,
    Asgi,
}

/// An importable application: `module:object` for gunicorn or uvicorn.
#[derive(Debug, Clone, Serialize)]
pub struct AppTarget {
    pub framework: Framework,
    pub interface: Interface,
    pub module: String,
    /// `app`, or `create_app()` for a factory.
    pub object: String,
    pub file: String,
    pub line: usize,
}

impl AppTarget {
    pub fn spec(&self) -> String {
        format!("{}:{}", self.module, self.object)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub path: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Django {
    pub settings_module: String,
    pub settings_file: Option<String>,
    /// `collectstatic` has somewhere to write.
    pub static_root: bool,
    /// Environment variables the settings read without a default, which a
    /// build step importing the settings must be given.
    pub required_env: Vec<String>,
    /// The literal ALLOWED_HOSTS list, when it is one.
    pub allowed_hosts: Option<Vec<String>>,
}

/// Everything the code says about the web application.
#[derive(Debug, Clone, Serialize, Default)]
pub struct WebApp {
    /// Candidate application objects, most likely first.
    pub targets: Vec<AppTarget>,
    pub health_routes: Vec<Route>,
    /// A port passed to `app.run(port=...)` or `uvicorn.run(..., port=...)`.
    pub code_port: Option<(u16, String, usize)>,
    pub django: Option<Django>,
    /// The folder to put on PYTHONPATH for a `src/` layout.
    pub source_root: Option<String>,
}

impl WebApp {
    pub fn framework(&self) -> Option<Framework> {
        self.targets.first().map(|t| t.framework)
    }
}

fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/')
        .any(|d| d == "tests" || d == "test" || d == "testing")
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || name == "setup.py"
        || path.contains("/migrations/")
}

/// `pkg/app.py` -> `pkg.app`; `pkg/__init__.py` -> `pkg`; `src/pkg/app.py`
/// -> `pkg.app` with `src` as the source root.
/// A `src` folder deeper down (`packages/api/src/api/app.py`, a workspace
/// member) is the source root the same way.
fn module_of(path: &str) -> (String, Option<String>) {
    let split = match path.strip_prefix("src/") {
        Some(rest) => Some(("src", rest)),
        None => path.find("/src/").map(|i| (&path[..i + 4], &path[i + 5..])),
    };
    let (root, rel) = match split {
        Some((root, rest)) if rest.contains('/') || rest.ends_with(".py") => {
            (Some(root.to_string()), rest)
        }
        _ => (None, path),
    };
    let rel = rel.trim_end_matches(".py");
    let rel = rel.strip_suffix("/__init__").unwrap_or(rel);
    (rel.replace('/', "."), root)
}

/// Reads the sources (path, text) of the project.
pub fn detect(sources: &[(String, String)]) -> WebApp {
    static FLASK_APP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:flask\.)?Flask\(").unwrap()
    });
    static ASGI_APP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:fastapi\.|starlette\.applications\.)?(FastAPI|Starlette)\(").unwrap()
    });
    static FACTORY_DEF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^def\s+([A-Za-z_]\w*)\s*\(([^)]*)\)").unwrap());
    static FACTORY_CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)\s*=\s*(?:[\w.]+\.)?(create_app|make_app|get_app|build_app|app_factory)\(").unwrap()
    });
    static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*@([A-Za-z_]\w*)\.(?:route|get|head|api_route)\(\s*['"](/[^'"]*)['"]"#)
            .unwrap()
    });
    static BLUEPRINT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^([A-Za-z_]\w*)\s*=\s*(?:flask\.|fastapi\.)?(?:Blueprint|APIRouter)\(([^)]*)\)"#,
        )
        .unwrap()
    });
    static REGISTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:register_blueprint|include_router)\(\s*([A-Za-z_][\w.]*)\s*([^)]*)\)"#)
            .unwrap()
    });
    static PREFIX_ARG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?:url_prefix|prefix)\s*=\s*['"]([^'"]*)['"]"#).unwrap());
    static RUN_PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)(?:\.run|uvicorn\.run)\([^)]*\bport\s*=\s*(\d{2,5})").unwrap()
    });

    let mut app = WebApp::default();
    let own: Vec<&(String, String)> = sources.iter().filter(|(p, _)| !is_test_file(p)).collect();

    let line_at = |text: &str, offset: usize| crate::error::line_of(text, offset);

    // Application objects.
    let mut targets = Vec::new();
    for (path, text) in &own {
        let (module, root) = module_of(path);
        for c in FLASK_APP.captures_iter(text) {
            targets.push((
                AppTarget {
                    framework: Framework::Flask,
                    interface: Interface::Wsgi,
                    module: module.clone(),
                    object: c[1].to_string(),
                    file: path.clone(),
                    line: line_at(text, c.get(0).unwrap().start()),
                },
                root.clone(),
            ));
        }
        for c in ASGI_APP.captures_iter(text) {
            let framework = if &c[2] == "FastAPI" {
                Framework::FastApi
            } else {
                Framework::Starlette
            };
            targets.push((
                AppTarget {
                    framework,
                    interface: Interface::Asgi,
                    module: module.clone(),
                    object: c[1].to_string(),
                    file: path.clone(),
                    line: line_at(text, c.get(0).unwrap().start()),
                },
                root.clone(),
            ));
        }
        // A module-level `app = create_app()` (wsgi.py and friends).
        for c in FACTORY_CALL.captures_iter(text) {
            if sources.iter().any(|(_, t)| t.contains("Flask(")) {
                targets.push((
                    AppTarget {
                        framework: Framework::Flask,
                        interface: Interface::Wsgi,
                        module: module.clone(),
                        object: c[1].to_string(),
                        file: path.clone(),
                        line: line_at(text, c.get(0).unwrap().start()),
                    },
                    root.clone(),
                ));
            }
        }
        // An app factory: a top-level function whose body builds Flask(...)
        // and that can be called without arguments.
        if text.contains("Flask(") && !FLASK_APP.is_match(text) {
            for c in FACTORY_DEF.captures_iter(text) {
                let start = c.get(0).unwrap().end();
                let body_end = text[start..]
                    .find("\ndef ")
                    .map_or(text.len(), |i| start + i);
                let body = &text[start..body_end];
                let params_ok = c[2]
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .all(|p| p.contains('=') || p.starts_with('*'));
                if body.contains("Flask(") && params_ok {
                    targets.push((
                        AppTarget {
                            framework: Framework::Flask,
                            interface: Interface::Wsgi,
                            module: module.clone(),
                            object: format!("{}()", &c[1]),
                            file: path.clone(),
                            line: line_at(text, c.get(0).unwrap().start()),
                        },
                        root.clone(),
                    ));
                }
            }
        }
    }
    // Most likely first: module-level objects over factories, conventional
    // entry file names, shallow paths.
    let rank = |t: &AppTarget| {
        let name = t.file.rsplit('/').next().unwrap_or(&t.file);
        let conventional = matches!(
            name,
            "wsgi.py"
                | "asgi.py"
                | "app.py"
                | "main.py"
                | "server.py"
                | "api.py"
                | "application.py"
                | "__init__.py"
        );
        (
            t.object.ends_with("()"),
            !conventional,
            t.file.matches('/').count(),
            t.object != "app",
            t.file.clone(),
        )
    };
    targets.sort_by_key(|(t, _)| rank(t));
    app.source_root = targets.first().and_then(|(_, root)| root.clone());
    app.targets = targets.into_iter().map(|(t, _)| t).collect();

    // Django: manage.py names the settings; the settings name the rest.
    if let Some(django) = detect_django(sources) {
        let (wsgi, asgi) = django_apps(sources, &django);
        app.targets
            .retain(|t| t.framework != Framework::Flask || !t.object.ends_with("()"));
        let mut django_targets: Vec<AppTarget> = wsgi.into_iter().chain(asgi).collect();
        django_targets.append(&mut app.targets);
        app.targets = django_targets;
        app.django = Some(django);
    }

    // Health routes, with blueprint and router prefixes applied.
    let mut prefixes: Vec<(String, String)> = Vec::new();
    for (_, text) in &own {
        for c in BLUEPRINT.captures_iter(text) {
            if let Some(p) = PREFIX_ARG.captures(&c[2]) {
                prefixes.push((c[1].to_string(), p[1].to_string()));
            }
        }
        for c in REGISTER.captures_iter(text) {
            if let Some(p) = PREFIX_ARG.captures(&c[2]) {
                let var = c[1].rsplit('.').next().unwrap_or(&c[1]).to_string();
                prefixes.retain(|(v, _)| *v != var);
                prefixes.push((var, p[1].to_string()));
            }
        }
    }
    for (path, text) in &own {
        for c in ROUTE.captures_iter(text) {
            let owner = &c[1];
            let route = &c[2];
            if !is_health_path(route) {
                continue;
            }
            let prefix = prefixes
                .iter()
                .rev()
                .find(|(v, _)| v == owner)
                .map(|(_, p)| p.as_str());
            let full = match prefix {
                Some(p) => format!("{}{}", p.trim_end_matches('/'), route),
                None => route.to_string(),
            };
            app.health_routes.push(Route {
                path: full,
                file: path.clone(),
                line: line_at(text, c.get(0).unwrap().start()),
            });
        }
    }
    if let Some(django) = &app.django {
        app.health_routes
            .extend(django_health_routes(sources, django));
    }
    app.health_routes
        .sort_by_key(|r| (health_rank(&r.path), r.path.len()));

    for (path, text) in &own {
        if let Some(c) = RUN_PORT.captures(text) {
            if let Ok(port) = c[1].parse() {
                app.code_port =
                    Some((port, path.clone(), line_at(text, c.get(0).unwrap().start())));
                break;
            }
        }
    }
    app
}

fn is_health_path(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    matches!(
        last,
        "health"
            | "healthz"
            | "healthcheck"
            | "health-check"
            | "health_check"
            | "_health"
            | "ping"
            | "livez"
            | "readyz"
            | "ready"
            | "live"
            | "status"
    )
}

fn health_rank(path: &str) -> u8 {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    match last {
        "healthz" | "health" | "livez" | "_health" => 0,
        "healthcheck" | "health-check" | "health_check" => 1,
        "ping" | "live" => 2,
        _ => 3,
    }
}

fn detect_django(sources: &[(String, String)]) -> Option<Django> {
    static SETTINGS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]"#).unwrap()
    });
    let manage = sources
        .iter()
        .find(|(p, _)| p == "manage.py" || p.ends_with("/manage.py"))?;
    let settings_module = SETTINGS.captures(&manage.1)?[1].to_string();
    let rel = settings_module.replace('.', "/");
    let settings = sources.iter().find(|(p, _)| {
        *p == format!("{rel}.py")
            || *p == format!("{rel}/__init__.py")
            || p.ends_with(&format!("/{rel}.py"))
    });
    let mut django = Django {
        settings_module,
        settings_file: settings.map(|(p, _)| p.clone()),
        static_root: false,
        required_env: Vec::new(),
        allowed_hosts: None,
    };
    if let Some((_, text)) = settings {
        static STATIC_ROOT: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?m)^STATIC_ROOT\s*=\s*(.+)$").unwrap());
        static REQUIRED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"os\.environ\[\s*['"](\w+)['"]\s*\]"#).unwrap());
        static HOSTS: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?m)^ALLOWED_HOSTS\s*=\s*\[([^\]]*)\]").unwrap());
        django.static_root = STATIC_ROOT
            .captures(text)
            .is_some_and(|c| c[1].trim() != "None");
        let mut required: Vec<String> = REQUIRED
            .captures_iter(text)
            .map(|c| c[1].to_string())
            .collect();
        required.dedup();
        django.required_env = required;
        django.allowed_hosts = HOSTS.captures(text).map(|c| {
            c[1].split(',')
                .map(|h| h.trim().trim_matches(['"', '\'']).to_string())
                .filter(|h| !h.is_empty())
                .collect()
        });
    }
    Some(django)
}

fn django_apps(
    sources: &[(String, String)],
    django: &Django,
) -> (Option<AppTarget>, Option<AppTarget>) {
    static WSGI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^WSGI_APPLICATION\s*=\s*['"]([\w.]+)\.(\w+)['"]"#).unwrap()
    });
    static ASGI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^ASGI_APPLICATION\s*=\s*['"]([\w.]+)\.(\w+)['"]"#).unwrap()
    });
    let Some(file) = &django.settings_file else {
        return (None, None);
    };
    let Some((_, text)) = sources.iter().find(|(p, _)| p == file) else {
        return (None, None);
    };
    let make = |re: &Regex, interface| {
        re.captures(text).map(|c| AppTarget {
            framework: Framework::Django,
            interface,
            module: c[1].to_string(),
            object: c[2].to_string(),
            file: file.clone(),
            line: crate::error::line_of(text, c.get(0).unwrap().start()),
        })
    };
    let mut wsgi = make(&WSGI, Interface::Wsgi);
    let asgi = make(&ASGI, Interface::Asgi);
    // Django's default project layout has wsgi.py beside the settings even
    // when WSGI_APPLICATION is not set.
    if wsgi.is_none() {
        let package = django
            .settings_module
            .rsplit_once('.')
            .map_or("", |(p, _)| p);
        let wsgi_file = format!("{}/wsgi.py", package.replace('.', "/"));
        if sources.iter().any(|(p, _)| *p == wsgi_file) {
            wsgi = Some(AppTarget {
                framework: Framework::Django,
                interface: Interface::Wsgi,
                module: format!("{package}.wsgi"),
                object: "application".into(),
                file: wsgi_file,
                line: 1,
            });
        }
    }
    (wsgi, asgi)
}

fn django_health_routes(sources: &[(String, String)], django: &Django) -> Vec<Route> {
    static ROOT_URLCONF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?m)^ROOT_URLCONF\s*=\s*['"]([\w.]+)['"]"#).unwrap());
    static PATH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?:re_)?path\(\s*r?['"]\^?([^'"$]*)\$?['"]"#).unwrap());
    let settings_text = django
        .settings_file
        .as_ref()
        .and_then(|f| sources.iter().find(|(p, _)| p == f))
        .map(|(_, t)| t.as_str())
        .unwrap_or("");
    let Some(urlconf) = ROOT_URLCONF
        .captures(settings_text)
        .map(|c| c[1].replace('.', "/") + ".py")
    else {
        return Vec::new();
    };
    let Some((path, text)) = sources.iter().find(|(p, _)| *p == urlconf) else {
        return Vec::new();
    };
    PATH.captures_iter(text)
        .filter_map(|c| {
            let route = format!("/{}", &c[1]);
            is_health_path(&route).then(|| Route {
                path: route,
                file: path.clone(),
                line: crate::error::line_of(text, c.get(0).unwrap().start()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn flask_module_level_app() {
        let app = detect(&src(&[(
            "api_server.py",
            "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/healthz')\ndef h():\n    return 'ok'\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=5001)\n",
        )]));
        assert_eq!(app.targets[0].spec(), "api_server:app");
        assert_eq!(app.framework(), Some(Framework::Flask));
        assert_eq!(app.health_routes[0].path, "/healthz");
        assert_eq!(app.code_port.as_ref().unwrap().0, 5001);
    }

    #[test]
    fn flask_factory_and_blueprint_prefix() {
        let app = detect(&src(&[
            (
                "shop/__init__.py",
                "from flask import Flask\nfrom .api import api\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    app.register_blueprint(api, url_prefix='/api')\n    return app\n",
            ),
            ("shop/api.py", "from flask import Blueprint\napi = Blueprint('api', __name__)\n\n@api.get('/health')\ndef health():\n    return {}\n"),
            ("tests/test_app.py", "from flask import Flask\napp = Flask('test')\n"),
        ]));
        assert_eq!(
            app.targets.len(),
            1,
            "test files are not the app: {:?}",
            app.targets
        );
        assert_eq!(app.targets[0].spec(), "shop:create_app()");
        assert_eq!(app.health_routes[0].path, "/api/health");
    }

    #[test]
    fn factory_needing_arguments_is_not_callable() {
        let app = detect(&src(&[(
            "app.py",
            "from flask import Flask\ndef create_app(config):\n    return Flask(__name__)\n",
        )]));
        assert!(app.targets.is_empty());
    }

    #[test]
    fn wsgi_module_calling_the_factory_wins() {
        let app = detect(&src(&[
            (
                "shop/__init__.py",
                "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
            ),
            (
                "wsgi.py",
                "from shop import create_app\napp = create_app()\n",
            ),
        ]));
        assert_eq!(app.targets[0].spec(), "wsgi:app");
    }

    #[test]
    fn fastapi_in_src_layout_with_router_prefix() {
        let app = detect(&src(&[
            ("src/svc/main.py", "from fastapi import FastAPI\nfrom .routes import router\napi = FastAPI()\napi.include_router(router, prefix='/v1')\n"),
            ("src/svc/routes.py", "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get(\"/healthz\")\nasync def h():\n    return {}\n"),
        ]));
        assert_eq!(app.targets[0].spec(), "svc.main:api");
        assert_eq!(app.targets[0].interface, Interface::Asgi);
        assert_eq!(app.source_root.as_deref(), Some("src"));
        assert_eq!(
            module_of("packages/api/src/api/main.py"),
            ("api.main".to_string(), Some("packages/api/src".to_string()))
        );
        assert_eq!(app.health_routes[0].path, "/v1/healthz");
    }

    #[test]
    fn django_settings_wsgi_static_and_hosts() {
        let app = detect(&src(&[
            ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"),
            (
                "mysite/settings.py",
                "import os\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nALLOWED_HOSTS = ['localhost', '127.0.0.1']\nROOT_URLCONF = 'mysite.urls'\nWSGI_APPLICATION = 'mysite.wsgi.application'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n",
            ),
            ("mysite/urls.py", "urlpatterns = [\n    path('admin/', admin.site.urls),\n    path('healthz/', views.health),\n]\n"),
            ("mysite/wsgi.py", "application = get_wsgi_application()\n"),
        ]));
        assert_eq!(app.targets[0].spec(), "mysite.wsgi:application");
        let django = app.django.unwrap();
        assert!(django.static_root);
        assert_eq!(django.required_env, ["DJANGO_SECRET_KEY"]);
        assert_eq!(django.allowed_hosts.unwrap(), ["localhost", "127.0.0.1"]);
        assert_eq!(app.health_routes[0].path, "/healthz/");
    }
}
