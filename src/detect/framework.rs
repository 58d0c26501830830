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

pub use super::django::Django;
use super::py_values::Program;
pub use super::route::{Route, Unprobed};
use super::source::{Lang, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Flask,
    Django,
    #[serde(rename = "fastapi")]
    FastApi,
    Starlette,
    /// A script `streamlit run` serves (see `script_apps`).
    Streamlit,
    /// A script whose `launch()` serves a Gradio interface.
    Gradio,
    /// A long-running script that serves no HTTP (a bot, a consumer, a
    /// scheduler): `python main.py`, no port, no HTTP probe.
    Service,
    /// An MCP server (see `mcp`): over HTTP, or over stdio with no port.
    Mcp,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Flask => "Flask",
            Framework::Django => "Django",
            Framework::FastApi => "FastAPI",
            Framework::Starlette => "Starlette",
            Framework::Streamlit => "Streamlit",
            Framework::Gradio => "Gradio",
            Framework::Service => "Python service",
            Framework::Mcp => "MCP server",
        }
    }

    /// The port the framework's own development server uses.
    pub fn default_port(self) -> u16 {
        match self {
            Framework::Flask => 5000,
            // The MCP packages' own default port.
            Framework::Django | Framework::FastApi | Framework::Starlette | Framework::Mcp => 8000,
            Framework::Streamlit => 8501,
            Framework::Gradio => 7860,
            // No port: `choose_port` says so and the image exposes none.
            Framework::Service => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    Wsgi,
    Asgi,
    /// Not an application object: a script with its own server.
    Script,
}

impl Interface {
    pub fn name(self) -> &'static str {
        match self {
            Interface::Wsgi => "WSGI",
            Interface::Asgi => "ASGI",
            Interface::Script => "script",
        }
    }
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
    /// `module:object` for gunicorn or uvicorn; the script's path for a
    /// script app.
    pub fn spec(&self) -> String {
        match self.interface {
            Interface::Script => self.file.clone(),
            _ => format!("{}:{}", self.module, self.object),
        }
    }
}

/// Everything the code says about the web application.
#[derive(Debug, Clone, Serialize, Default)]
pub struct WebApp {
    /// Candidate application objects, most likely first.
    pub targets: Vec<AppTarget>,
    /// Parameter-free GET health routes with every prefix applied, best
    /// first: what the healthcheck may probe.
    pub health_routes: Vec<Route>,
    /// Health-like routes it must not probe, with the reason (a
    /// placeholder, not a GET, a prefix with no literal value).
    pub unprobed_health: Vec<Unprobed>,
    /// A port passed to `app.run(port=...)` or `uvicorn.run(..., port=...)`.
    pub code_port: Option<(u16, String, usize)>,
    pub django: Option<Django>,
    /// The folder to put on PYTHONPATH for a `src/` layout.
    pub source_root: Option<String>,
    /// The MCP server the code builds, when it does.
    pub mcp: Option<super::mcp::McpServer>,
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
pub(super) fn module_of(path: &str) -> (String, Option<String>) {
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

/// Reads the sources (path, text) of the project; `deployed` is what the
/// deployment sets in the environment (DJANGO_SETTINGS_MODULE).
pub fn detect(
    sources: &[(String, String)],
    deployed: &[super::DeployedVar],
    launched: &[super::script_apps::Launch],
) -> WebApp {
    static FLASK_APP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:flask\.)?Flask\(").unwrap()
    });
    static ASGI_APP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:fastapi\.|starlette\.applications\.)?(FastAPI|Starlette)\(").unwrap()
    });
    static RUN_PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)(?:\.run|uvicorn\.run)\([^)]*\bport\s*=\s*(\d{2,5})").unwrap()
    });

    let mut app = WebApp::default();
    let own: Vec<&(String, String)> = sources.iter().filter(|(p, _)| !is_test_file(p)).collect();

    let line_at = |text: &str, offset: usize| crate::error::line_of(text, offset);
    let program = Program::new(
        own.iter()
            .map(|(p, t)| Source::new(p, t, Lang::Python))
            .collect(),
    );

    // Application objects.
    let mut targets = Vec::new();
    let target = |at: usize, framework: Framework, object: String, line: usize| {
        let path = program.sources[at].path;
        let (module, root) = module_of(path);
        let interface = match framework {
            Framework::Flask => Interface::Wsgi,
            _ => Interface::Asgi,
        };
        let t = AppTarget {
            framework,
            interface,
            module,
            object,
            file: path.to_string(),
            line,
        };
        (t, root)
    };
    for (at, src) in program.sources.iter().enumerate() {
        for c in FLASK_APP.captures_iter(&src.code) {
            let line = src.line(c.get(0).unwrap().start());
            targets.push(target(at, Framework::Flask, c[1].to_string(), line));
        }
        for c in ASGI_APP.captures_iter(&src.code) {
            let framework = if &c[2] == "FastAPI" {
                Framework::FastApi
            } else {
                Framework::Starlette
            };
            let line = src.line(c.get(0).unwrap().start());
            targets.push(target(at, framework, c[1].to_string(), line));
        }
    }
    // A module-level `app = get_application()`: any name, as long as the
    // repository defines the factory (wsgi.py and friends).
    let factories = super::factory::factories(&program);
    for b in super::factory::bound(&program, &factories) {
        targets.push(target(b.file, b.framework, b.name, b.line));
    }
    // A Flask factory gunicorn can call itself (`module:create_app()`), in
    // a module with no app object of its own. uvicorn cannot call one.
    for f in &factories {
        let code = &program.sources[f.file].code;
        if f.framework == Framework::Flask && f.bare_call && !FLASK_APP.is_match(code) {
            targets.push(target(f.file, f.framework, format!("{}()", f.name), f.line));
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

    // Django: the settings module the deployment or the code names; the
    // settings name the rest.
    if let Some(django) = super::django::detect(&program, deployed) {
        let (wsgi, asgi) = django_apps(&program, &django);
        app.targets
            .retain(|t| t.framework != Framework::Flask || !t.object.ends_with("()"));
        let mut django_targets: Vec<AppTarget> = wsgi.into_iter().chain(asgi).collect();
        django_targets.append(&mut app.targets);
        app.targets = django_targets;
        app.django = Some(django);
    }

    // Script apps (Streamlit, Gradio): first when a launch file runs one
    // or there is no application object, else after the objects.
    let scripts = super::script_apps::find(&program, launched);
    let script_launched = scripts.first().is_some_and(|s| {
        launched
            .iter()
            .any(|l| l.script.trim_start_matches("./") == s.file)
    });
    if script_launched || app.targets.is_empty() {
        app.targets.splice(0..0, scripts);
    } else {
        app.targets.extend(scripts);
    }
    // An MCP server, when nothing else serves HTTP: it is the app, over
    // HTTP or stdio (see `mcp`).
    app.mcp = super::mcp::find(&program, launched);
    if let Some(server) = app.mcp.as_ref().filter(|_| app.targets.is_empty()) {
        app.targets.push(mcp_target(server));
    }
    // Nothing that serves HTTP: a long-running script is the app.
    if app.targets.is_empty() && super::django::detect(&program, deployed).is_none() {
        app.targets
            .extend(super::script_apps::service(&program, launched));
    }

    // Health routes, with every blueprint, router and mount prefix.
    let mut candidates = super::py_routes::candidates(&program);
    if let Some(django) = &app.django {
        candidates.extend(super::django::health_candidates(&program, django));
    }
    // An MCP server's own routes, when it is the app (mounted in another
    // app, they sit under a prefix its routes do not say).
    if let Some(server) = app
        .mcp
        .as_ref()
        .filter(|_| app.framework() == Some(Framework::Mcp))
    {
        candidates.extend(super::mcp::route_candidates(&program, server));
    }
    (app.health_routes, app.unprobed_health) = super::route::sort(candidates);
    // The port the launch file gives the script it runs.
    if let Some(t) = app
        .targets
        .first()
        .filter(|t| t.interface == Interface::Script)
    {
        let launch = launched
            .iter()
            .find(|l| l.script.trim_start_matches("./") == t.file && l.port.is_some());
        if let Some(l) = launch {
            app.code_port = l.port.map(|p| (p, l.file.clone(), l.line));
        }
    }
    // A script app's server has its own: Streamlit's health endpoint;
    // Gradio's page itself. A service has none; an MCP server's endpoint
    // answers a POST, not a GET (see `plan::python::mcp`).
    if let Some(t) = app.targets.first().filter(|t| {
        t.interface == Interface::Script
            && !matches!(t.framework, Framework::Service | Framework::Mcp)
    }) {
        let path = match t.framework {
            Framework::Streamlit => "/_stcore/health",
            _ => "/",
        };
        app.health_routes.insert(
            0,
            Route {
                path: path.into(),
                file: t.file.clone(),
                line: t.line,
            },
        );
    }

    // The code's own `run(port=...)`, unless a launch file gave one.
    // An MCP server's run() in an app it is mounted in says the port of a
    // server that does not run.
    let other_mcp = app
        .mcp
        .as_ref()
        .filter(|_| app.framework() != Some(Framework::Mcp))
        .map(|s| s.object.as_str());
    let code_port = own.iter().find_map(|(path, text)| {
        let c = RUN_PORT
            .captures_iter(text)
            .find(|c| other_mcp.is_none_or(|o| !text[..c.get(0).unwrap().start()].ends_with(o)))?;
        let port = c[1].parse().ok()?;
        Some((port, path.clone(), line_at(text, c.get(0).unwrap().start())))
    });
    app.code_port = app.code_port.take().or(code_port);
    // An MCP server's port in its constructor (mcp 1.x settings).
    let http_mcp = app.framework() == Some(Framework::Mcp)
        && app.mcp.as_ref().is_some_and(|s| s.transport.is_http());
    if let Some(server) = app.mcp.as_ref().filter(|_| http_mcp) {
        if app.code_port.is_none() {
            app.code_port = server.port.map(|p| (p, server.file.clone(), server.line));
        }
    }
    app
}

/// The app target of an MCP server: the script that runs it, or the ASGI
/// app object a module builds from it. A server nothing runs is started as
/// `python` on its own file.
fn mcp_target(server: &super::mcp::McpServer) -> AppTarget {
    use super::mcp::Start;
    match &server.start {
        Some(Start::App {
            module,
            object,
            file,
            line,
        }) => AppTarget {
            framework: Framework::Mcp,
            interface: Interface::Asgi,
            module: module.clone(),
            object: object.clone(),
            file: file.clone(),
            line: *line,
        },
        Some(Start::Run { file, line, .. }) => AppTarget {
            framework: Framework::Mcp,
            interface: Interface::Script,
            module: server.module.clone(),
            object: server.object.clone(),
            file: file.clone(),
            line: *line,
        },
        // `fastmcp run` on the server's file, or nothing: the file.
        Some(Start::FastmcpRun { .. }) | None => AppTarget {
            framework: Framework::Mcp,
            interface: Interface::Script,
            module: server.module.clone(),
            object: server.object.clone(),
            file: server.file.clone(),
            line: server.line,
        },
    }
}

/// The WSGI and ASGI applications the settings name, or the wsgi.py of
/// Django's default layout.
fn django_apps(program: &Program, django: &Django) -> (Option<AppTarget>, Option<AppTarget>) {
    let make = |setting: &Option<super::django::Setting>, interface| {
        let s = setting.as_ref()?;
        let (module, object) = s.value.rsplit_once('.')?;
        Some(AppTarget {
            framework: Framework::Django,
            interface,
            module: module.to_string(),
            object: object.to_string(),
            file: s.file.clone(),
            line: s.line,
        })
    };
    let wsgi = make(&django.wsgi_application, Interface::Wsgi).or_else(|| {
        let (module, file) = super::django::default_wsgi(program, django)?;
        Some(AppTarget {
            framework: Framework::Django,
            interface: Interface::Wsgi,
            module,
            object: "application".into(),
            file,
            line: 1,
        })
    });
    // Channels serves its websockets from the ASGI application: without
    // ASGI_APPLICATION (daphne on the command line does not need it), the
    // asgi.py of Django's default layout.
    let asgi = make(&django.asgi_application, Interface::Asgi).or_else(|| {
        django.channels.as_ref()?;
        let (module, file) = super::django::default_asgi(program, django)?;
        Some(AppTarget {
            framework: Framework::Django,
            interface: Interface::Asgi,
            module,
            object: "application".into(),
            file,
            line: 1,
        })
    });
    (wsgi, asgi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without launch files: what the code alone says.
    fn detect(sources: &[(String, String)], deployed: &[crate::detect::DeployedVar]) -> WebApp {
        super::detect(sources, deployed, &[])
    }

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
        )]), &[]);
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
        ]), &[]);
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
        let app = detect(
            &src(&[(
                "app.py",
                "from flask import Flask\ndef create_app(config):\n    return Flask(__name__)\n",
            )]),
            &[],
        );
        assert!(app.targets.is_empty());
    }

    #[test]
    fn wsgi_module_calling_the_factory_wins() {
        let app = detect(
            &src(&[
                (
                    "shop/__init__.py",
                    "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
                ),
                (
                    "wsgi.py",
                    "from shop import create_app\napp = create_app()\n",
                ),
            ]),
            &[],
        );
        assert_eq!(app.targets[0].spec(), "wsgi:app");
    }

    #[test]
    fn fastapi_in_src_layout_with_router_prefix() {
        let app = detect(&src(&[
            ("src/svc/main.py", "from fastapi import FastAPI\nfrom .routes import router\napi = FastAPI()\napi.include_router(router, prefix='/v1')\n"),
            ("src/svc/routes.py", "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get(\"/healthz\")\nasync def h():\n    return {}\n"),
        ]), &[]);
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
        ]), &[]);
        assert_eq!(app.targets[0].spec(), "mysite.wsgi:application");
        let django = app.django.unwrap();
        assert!(django.static_root);
        assert_eq!(django.required_env, ["DJANGO_SECRET_KEY"]);
        assert_eq!(django.allowed_hosts.unwrap(), ["localhost", "127.0.0.1"]);
        assert_eq!(app.health_routes[0].path, "/healthz/");
    }

    /// Channels without ASGI_APPLICATION (daphne is given the module on
    /// its command line): the asgi.py beside wsgi.py is the ASGI target. A
    /// project without Channels keeps to WSGI_APPLICATION alone.
    #[test]
    fn channels_without_asgi_application_uses_the_default_asgi_module() {
        let files = |apps: &str| {
            vec![
                ("manage.py".to_string(), "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'chat.settings')\n".to_string()),
                ("chat/settings.py".into(), format!("INSTALLED_APPS = [{apps}'django.contrib.auth']\nWSGI_APPLICATION = 'chat.wsgi.application'\n")),
                ("chat/wsgi.py".into(), "application = get_wsgi_application()\n".into()),
                ("chat/asgi.py".into(), "application = ProtocolTypeRouter({})\n".into()),
            ]
        };
        let specs = |files: Vec<(String, String)>| {
            let files: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let app = detect(&src(&files), &[]);
            app.targets
                .iter()
                .map(|t| format!("{:?} {}", t.interface, t.spec()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            specs(files("'channels', ")),
            ["Wsgi chat.wsgi:application", "Asgi chat.asgi:application"]
        );
        assert_eq!(specs(files("")), ["Wsgi chat.wsgi:application"]);
    }

    #[test]
    fn wagtail_start_layout_is_django() {
        let app = detect(
            &src(&[
                ("manage.py", "import os, sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"bakery.settings.dev\")\n"),
                ("bakery/settings/__init__.py", ""),
                ("bakery/settings/base.py", "ROOT_URLCONF = \"bakery.urls\"\nSTATIC_ROOT = os.path.join(BASE_DIR, \"static\")\n"),
                ("bakery/settings/dev.py", "from .base import *\nDEBUG = True\n"),
                ("bakery/settings/production.py", "from .base import *\nALLOWED_HOSTS = ['localhost']\n"),
                ("bakery/wsgi.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"bakery.settings.dev\")\napplication = get_wsgi_application()\n"),
                ("bakery/urls.py", "urlpatterns = [path('health/', health), path('', include(wagtail_urls))]\n"),
            ]),
            &[crate::detect::DeployedVar {
                name: "DJANGO_SETTINGS_MODULE".into(),
                value: "bakery.settings.production".into(),
                from: "Dockerfile:40".into(),
            }],
        );
        assert_eq!(app.targets[0].spec(), "bakery.wsgi:application");
        let django = app.django.unwrap();
        assert_eq!(
            django.settings_file.as_deref(),
            Some("bakery/settings/production.py")
        );
        assert!(django.static_root);
        assert_eq!(django.allowed_hosts.unwrap(), ["localhost"]);
        assert_eq!(app.health_routes[0].path, "/health/");
    }

    #[test]
    fn an_mcp_server_is_the_app_only_when_nothing_else_serves() {
        let mcp = "from fastmcp import FastMCP\nmcp = FastMCP('t')\n\n@mcp.custom_route('/health', methods=['GET'])\nasync def h(request):\n    return None\n\nif __name__ == '__main__':\n    mcp.run(transport='http', port=9001)\n";
        let app = detect(&src(&[("server.py", mcp)]), &[]);
        assert_eq!(app.framework(), Some(Framework::Mcp));
        assert_eq!(app.targets[0].interface, Interface::Script);
        assert_eq!(app.health_routes[0].path, "/health");
        assert_eq!(app.code_port.as_ref().unwrap().0, 9001);
        // Mounted in a FastAPI app: FastAPI is the app, and the MCP
        // server's routes are not its routes.
        let app = detect(
            &src(&[
                ("server.py", mcp),
                ("main.py", "from fastapi import FastAPI\nfrom server import mcp\napp = FastAPI()\napp.mount('/mcp', mcp.http_app())\n"),
            ]),
            &[],
        );
        assert_eq!(app.framework(), Some(Framework::FastApi));
        assert!(app.health_routes.is_empty(), "{:?}", app.health_routes);
        assert_eq!(app.code_port, None);
    }

    #[test]
    fn module_level_factory_call_with_any_name() {
        let app = detect(
            &src(&[
                ("core/factory.py", "from fastapi import FastAPI\n\ndef get_application() -> FastAPI:\n    return FastAPI()\n"),
                ("main.py", "from core.factory import get_application\n\napp = get_application()\n"),
            ]),
            &[],
        );
        assert_eq!(app.targets[0].spec(), "main:app");
        assert_eq!(app.targets[0].interface, Interface::Asgi);
        let no_factory = detect(
            &src(&[(
                "main.py",
                "from somewhere import make\napp = make()\nx = \"app = Flask(__name__)\"\n",
            )]),
            &[],
        );
        assert!(no_factory.targets.is_empty(), "{:?}", no_factory.targets);
    }
}
