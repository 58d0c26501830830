//! Flask, FastAPI and Starlette routes with every prefix applied: the
//! objects routes hang on (apps, blueprints, routers, `Mount`s), the edges
//! that mount one in another (`register_blueprint`, `include_router`,
//! `app.mount`, `Mount(...)`), and the routes themselves with their
//! methods. A route's path is the chain of prefixes from an app down to it.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::py_values::{Program, Target};
use super::route::{self, Candidate, Route};
use super::source::{Arg, Expr, Source};

/// An object routes hang on, by file index and name (`Mount@offset` for a
/// Starlette `Mount`, `<routes>` for a file's route table outside any app).
type Node = (usize, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    App,
    Router,
}

/// How an edge's prefix combines with the child's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joins {
    /// FastAPI and Starlette: the mount prefix goes before the router's.
    Before,
    /// Flask: `register_blueprint(url_prefix=...)` replaces the
    /// blueprint's own `url_prefix`.
    Replaces,
}

#[derive(Debug, Clone)]
struct Def {
    kind: Kind,
    own_prefix: Option<(usize, Expr)>,
    line: usize,
}

#[derive(Debug, Clone)]
struct Edge {
    parent: Node,
    child: Node,
    prefix: Option<(usize, Expr)>,
    joins: Joins,
}

#[derive(Debug, Clone)]
struct Handler {
    owner: Option<Node>,
    owner_name: String,
    path: (usize, Expr),
    /// Why it is not a GET route, when it is not.
    not_get: Option<String>,
    line: usize,
}

/// The objects, edges and routes of a program.
#[derive(Default)]
struct Graph {
    defs: HashMap<Node, Def>,
    edges: Vec<Edge>,
    handlers: Vec<Handler>,
}

/// Every route of the program as a candidate for the healthcheck.
pub fn candidates(program: &Program) -> Vec<Candidate> {
    let mut graph = Graph::default();
    for at in 0..program.sources.len() {
        graph.read_defs(program, at);
    }
    for at in 0..program.sources.len() {
        graph.read_mounts(program, at);
        graph.read_handlers(program, at);
    }
    graph
        .handlers
        .iter()
        .flat_map(|h| graph.resolve(program, h))
        .collect()
}

const ROUTE_METHODS: &str = "route|get|post|put|patch|delete|head|options|api_route|websocket";

impl Graph {
    fn read_defs(&mut self, program: &Program, at: usize) {
        static DEF: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:[\w.]+\.)?(Flask|Quart|FastAPI|Starlette|Blueprint|APIBlueprint|APIRouter|Router)[ \t]*\(").unwrap()
        });
        let src = &program.sources[at];
        for c in DEF.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let (kind, prefix_kw) = match &c[2] {
                "Flask" | "Quart" | "FastAPI" | "Starlette" => (Kind::App, ""),
                "Blueprint" | "APIBlueprint" => (Kind::Router, "url_prefix"),
                _ => (Kind::Router, "prefix"),
            };
            let args = src.args(open).map(|(a, _)| a).unwrap_or_default();
            let own_prefix = keyword(&args, prefix_kw).map(|a| (at, src.expr(a.span.clone())));
            self.defs.insert(
                (at, c[1].to_string()),
                Def {
                    kind,
                    own_prefix,
                    line: src.line(c.get(0).unwrap().start()),
                },
            );
        }
    }

    fn read_mounts(&mut self, program: &Program, at: usize) {
        static MOUNT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"([A-Za-z_][\w.]*)\.(register_blueprint|include_router|mount)[ \t]*\(")
                .unwrap()
        });
        let src = &program.sources[at];
        for c in MOUNT.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, _)) = src.args(open) else {
                continue;
            };
            let Some(parent) = node_of(program, at, &c[1]) else {
                continue;
            };
            let (child, prefix, joins) = match &c[2] {
                "register_blueprint" => (
                    arg(&args, 0, "blueprint"),
                    keyword(&args, "url_prefix"),
                    Joins::Replaces,
                ),
                "include_router" => (
                    arg(&args, 0, "router"),
                    keyword(&args, "prefix"),
                    Joins::Before,
                ),
                _ => (arg(&args, 1, "app"), arg(&args, 0, "path"), Joins::Before),
            };
            let Some(Expr::Name(child)) = child.map(|a| src.expr(a.span.clone())) else {
                continue;
            };
            let Some(child) = node_of(program, at, &child) else {
                continue;
            };
            self.edges.push(Edge {
                parent,
                child,
                prefix: prefix.map(|a| (at, src.expr(a.span.clone()))),
                joins,
            });
        }
        self.read_starlette_mounts(program, at);
    }

    /// `Mount("/x", routes=[...])` and `Mount("/x", app=sub)`: each Mount
    /// is a router with its path as prefix, owned by the Mount, app or
    /// route table around it.
    fn read_starlette_mounts(&mut self, program: &Program, at: usize) {
        static MOUNT: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?:^|[^\w.])(?:routing\.)?Mount[ \t]*\(").unwrap());
        let src = &program.sources[at];
        for c in MOUNT.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, _)) = src.args(open) else {
                continue;
            };
            let node = (at, format!("Mount@{open}"));
            self.defs.insert(
                node.clone(),
                Def {
                    kind: Kind::Router,
                    own_prefix: arg(&args, 0, "path").map(|a| (at, src.expr(a.span.clone()))),
                    line: src.line(open),
                },
            );
            let parent = self.enclosing(program, at, open);
            self.edges.push(Edge {
                parent,
                child: node.clone(),
                prefix: None,
                joins: Joins::Before,
            });
            if let Some(Expr::Name(sub)) = arg(&args, 1, "app").map(|a| src.expr(a.span.clone())) {
                if let Some(child) = node_of(program, at, &sub) {
                    self.edges.push(Edge {
                        parent: node,
                        child,
                        prefix: None,
                        joins: Joins::Before,
                    });
                }
            }
        }
    }

    /// The innermost `Mount(...)` or app constructor whose call holds
    /// `offset`, else the file's route table.
    fn enclosing(&mut self, program: &Program, at: usize, offset: usize) -> Node {
        static OPENER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*)?(?:[\w.]+\.)?(Mount|Starlette|FastAPI|Router)[ \t]*\(").unwrap()
        });
        let src = &program.sources[at];
        let mut best: Option<(usize, Node)> = None;
        for c in OPENER.captures_iter(&src.code[..offset]) {
            let open = c.get(0).unwrap().end() - 1;
            if src.closing(open).is_none_or(|close| close < offset) {
                continue;
            }
            let node = match (&c[2], c.get(1)) {
                ("Mount", _) => (at, format!("Mount@{open}")),
                (_, Some(name)) => (at, name.as_str().to_string()),
                _ => continue,
            };
            if best.as_ref().is_none_or(|(o, _)| open > *o) {
                best = Some((open, node));
            }
        }
        best.map(|(_, n)| n).unwrap_or_else(|| {
            let table = (at, "<routes>".to_string());
            self.defs.entry(table.clone()).or_insert(Def {
                kind: Kind::App,
                own_prefix: None,
                line: 1,
            });
            table
        })
    }

    fn read_handlers(&mut self, program: &Program, at: usize) {
        static DECORATOR: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(&format!(
                r"(?m)^[ \t]*@([A-Za-z_][\w.]*)\.({ROUTE_METHODS})[ \t]*\("
            ))
            .unwrap()
        });
        static CALL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"([A-Za-z_][\w.]*)\.(add_url_rule|add_api_route|add_route)[ \t]*\(")
                .unwrap()
        });
        static ROUTE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?:^|[^\w.])(?:routing\.)?Route[ \t]*\(").unwrap());
        let src = &program.sources[at];
        for re in [&*DECORATOR, &*CALL] {
            for c in re.captures_iter(&src.code) {
                let open = c.get(0).unwrap().end() - 1;
                let Some((args, _)) = src.args(open) else {
                    continue;
                };
                let Some(path) = arg(&args, 0, "path").or_else(|| keyword(&args, "rule")) else {
                    continue;
                };
                self.handlers.push(Handler {
                    owner: node_of(program, at, &c[1]),
                    owner_name: c[1].to_string(),
                    path: (at, src.expr(path.span.clone())),
                    not_get: not_get(src, &c[2], &args),
                    line: src.line(c.get(0).unwrap().start()),
                });
            }
        }
        for c in ROUTE.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, _)) = src.args(open) else {
                continue;
            };
            let Some(path) = arg(&args, 0, "path") else {
                continue;
            };
            let owner = self.enclosing(program, at, open);
            self.handlers.push(Handler {
                owner_name: owner.1.clone(),
                owner: Some(owner),
                path: (at, src.expr(path.span.clone())),
                not_get: not_get(src, "Route", &args),
                line: src.line(open),
            });
        }
    }

    /// The handler's full paths: one per chain of mounts from an app.
    fn resolve(&self, program: &Program, h: &Handler) -> Vec<Candidate> {
        let file = program.sources[h.path.0].path.to_string();
        let written = program.string(h.path.0, &h.path.1);
        let at = |path: String, problem: Option<String>| Candidate {
            route: Route {
                path,
                file: file.clone(),
                line: h.line,
            },
            problem,
        };
        let path = match written {
            Ok(p) => p,
            Err(why) => return vec![at(String::new(), Some(why))],
        };
        let prefixes = match &h.owner {
            Some(owner) if self.defs.contains_key(owner) => self.prefixes(program, owner, 0),
            // A route on an object defined nowhere we can see (`app`
            // passed to a function that adds routes): an app by its
            // conventional name sits at the root; anything else is a
            // router mounted who knows where.
            _ if matches!(h.owner_name.as_str(), "app" | "application") => vec![Ok(String::new())],
            _ => vec![Err(format!(
                "`{}` is not an app or router dockslim can trace",
                h.owner_name
            ))],
        };
        prefixes
            .into_iter()
            .map(|prefix| match prefix {
                Ok(p) => at(route::join(&p, &path), h.not_get.clone()),
                Err(why) => at(path.clone(), Some(why)),
            })
            .collect()
    }

    /// Every prefix `node` is reachable under from an app, or why not.
    fn prefixes(
        &self,
        program: &Program,
        node: &Node,
        depth: usize,
    ) -> Vec<Result<String, String>> {
        if depth > 10 {
            return vec![Err("mounts nest too deep to follow".into())];
        }
        let def = &self.defs[node];
        let own = |replaced: bool| match (&def.own_prefix, replaced) {
            (Some((at, e)), false) => program.string(*at, e),
            _ => Ok(String::new()),
        };
        let parents: Vec<&Edge> = self.edges.iter().filter(|e| &e.child == node).collect();
        if parents.is_empty() {
            return match def.kind {
                Kind::App => vec![own(false)],
                Kind::Router => vec![Err(format!(
                    "`{}` ({}:{}) is never registered or included where dockslim can see",
                    node.1, program.sources[node.0].path, def.line
                ))],
            };
        }
        let mut out = Vec::new();
        for edge in parents {
            let mount = match &edge.prefix {
                Some((at, e)) => program.string(*at, e),
                None => Ok(String::new()),
            };
            let replaced = edge.joins == Joins::Replaces && edge.prefix.is_some();
            for above in self.prefixes(program, &edge.parent, depth + 1) {
                out.push(chain(above, mount.clone(), own(replaced)));
            }
        }
        out
    }
}

/// An app's prefix, a mount's and a router's own, joined; the first one
/// unknown makes the whole path unknown.
fn chain(
    above: Result<String, String>,
    mount: Result<String, String>,
    own: Result<String, String>,
) -> Result<String, String> {
    Ok(route::join(&route::join(&above?, &mount?), &own?))
}

/// The node a dotted name stands for in file `at`.
fn node_of(program: &Program, at: usize, dotted: &str) -> Option<Node> {
    match program.resolve(at, dotted)? {
        Target::Object(file, name) => Some((file, name)),
        Target::Module(_) => None,
    }
}

/// Why a route is not a GET route: its decorator names another method, or
/// its `methods=` list leaves GET out (or is not a literal list).
fn not_get(src: &Source, how: &str, args: &[Arg]) -> Option<String> {
    match how {
        "get" => return None,
        "post" | "put" | "patch" | "delete" | "head" | "options" | "websocket" => {
            return Some(format!("a {} route, not a GET", how.to_uppercase()))
        }
        _ => {}
    }
    let methods = keyword(args, "methods")?;
    match src.expr(methods.span.clone()) {
        Expr::List(items) => {
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Expr::Str(p) => match p.as_slice() {
                        [super::source::Piece::Text(t)] => Some(t.to_uppercase()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            (!names.iter().any(|n| n == "GET"))
                .then(|| format!("methods {} leave out GET", names.join(", ")))
        }
        _ => Some("its methods are not a literal list".into()),
    }
}

fn keyword<'a>(args: &'a [Arg], name: &str) -> Option<&'a Arg> {
    args.iter().find(|a| a.keyword.as_deref() == Some(name))
}

/// The `index`th positional argument, or the keyword one.
fn arg<'a>(args: &'a [Arg], index: usize, name: &str) -> Option<&'a Arg> {
    args.iter()
        .filter(|a| a.keyword.is_none())
        .nth(index)
        .or_else(|| keyword(args, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::Lang;

    fn health(files: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let program = Program::new(
            files
                .iter()
                .map(|(p, t)| Source::new(p, t, Lang::Python))
                .collect(),
        );
        let (probed, unprobed) = route::sort(candidates(&program));
        (
            probed
                .iter()
                .map(|r| format!("{} {}:{}", r.path, r.file, r.line))
                .collect(),
            unprobed
                .iter()
                .map(|u| format!("{}: {}", u.route.path, u.why))
                .collect(),
        )
    }

    #[test]
    fn fastapi_template_nested_routers_and_settings_prefix() {
        let (probed, unprobed) = health(&[
            ("backend/app/core/config.py", "class Settings(BaseSettings):\n    API_V1_STR: str = \"/api/v1\"\n\nsettings = Settings()\n"),
            ("backend/app/main.py", "from fastapi import FastAPI\nfrom app.api.main import api_router\nfrom app.core.config import settings\n\napp = FastAPI(\n    openapi_url=f\"{settings.API_V1_STR}/openapi.json\",\n)\napp.include_router(api_router, prefix=settings.API_V1_STR)\n"),
            ("backend/app/api/main.py", "from fastapi import APIRouter\nfrom app.api.routes import items, utils\n\napi_router = APIRouter()\napi_router.include_router(items.router)\napi_router.include_router(utils.router)\n"),
            ("backend/app/api/routes/items.py", "router = APIRouter(prefix=\"/items\")\n\n@router.get(\"/{id}/status\")\ndef status(id: int):\n    ...\n"),
            ("backend/app/api/routes/utils.py", "router = APIRouter(prefix=\"/utils\", tags=[\"utils\"])\n\n@router.post(\n    \"/test-email/\",\n    dependencies=[Depends(admin)],\n)\ndef test_email():\n    \"\"\"\n    @router.get('/health')\n    \"\"\"\n\n@router.get(\"/health-check/\")\nasync def health_check() -> bool:\n    return True\n"),
        ]);
        assert_eq!(
            probed,
            ["/api/v1/utils/health-check/ backend/app/api/routes/utils.py:12"]
        );
        assert_eq!(
            unprobed,
            ["/api/v1/items/{id}/status: `{id}` is a placeholder"]
        );
    }

    #[test]
    fn flask_blueprints_register_prefix_replaces_and_nests() {
        let (probed, _) = health(&[
            ("shop/__init__.py", "from flask import Flask\nfrom .api import api\nfrom .ops import ops\n\ndef create_app():\n    app = Flask(__name__)\n    app.register_blueprint(api, url_prefix='/api')\n    api.register_blueprint(ops)\n    return app\n"),
            ("shop/api.py", "api = Blueprint('api', __name__, url_prefix='/ignored')\n"),
            ("shop/ops.py", "ops = Blueprint('ops', __name__, url_prefix='/ops')\n\n@ops.route('/health', methods=['GET', 'HEAD'])\ndef health():\n    return ''\n"),
        ]);
        assert_eq!(probed, ["/api/ops/health shop/ops.py:3"]);
    }

    #[test]
    fn non_get_and_untraceable_routes_are_not_probed() {
        let (probed, unprobed) = health(&[
            ("app.py", "app = Flask(__name__)\nbp = Blueprint('x', __name__)\n\n@app.post('/health')\ndef a(): ...\n\n@app.route('/ping', methods=['POST'])\ndef b(): ...\n\n@bp.get('/healthz')\ndef c(): ...\n\n# @app.get('/status')\nx = \"@app.get('/live')\"\n"),
        ]);
        assert!(probed.is_empty(), "{probed:?}");
        assert_eq!(
            unprobed,
            [
                "/health: a POST route, not a GET",
                "/ping: methods POST leave out GET",
                "/healthz: `bp` (app.py:2) is never registered or included where dockslim can see",
            ]
        );
    }

    #[test]
    fn starlette_mounts_and_app_mount() {
        let (probed, _) = health(&[
            ("main.py", "from starlette.applications import Starlette\nfrom starlette.routing import Mount, Route\nfrom sub import subapp\n\nroutes = [\n    Route('/', home),\n    Mount('/api', routes=[\n        Route('/health', health),\n        Route('/users/{id}/status', s),\n    ]),\n]\napp = Starlette(routes=routes)\napp.mount('/sub', subapp)\n"),
            ("sub.py", "from fastapi import FastAPI\nsubapp = FastAPI()\n\n@subapp.get('/ping')\ndef ping(): ...\n"),
        ]);
        assert_eq!(probed, ["/api/health main.py:8", "/sub/ping sub.py:4"]);
    }

    #[test]
    fn prefix_without_literal_value_is_not_guessed() {
        let (probed, unprobed) = health(&[(
            "main.py",
            "import os\napp = FastAPI()\nrouter = APIRouter()\napp.include_router(router, prefix=os.environ['PREFIX'])\n\n@router.get('/health')\ndef h(): ...\n",
        )]);
        assert!(probed.is_empty());
        assert_eq!(unprobed.len(), 1);
        assert!(unprobed[0].contains("not a string"), "{unprobed:?}");
    }

    #[test]
    fn conventional_app_name_passed_to_a_function_is_the_root() {
        let (probed, _) = health(&[(
            "routes.py",
            "def init_routes(app):\n    @app.route('/healthz')\n    def h():\n        return 'ok'\n",
        )]);
        assert_eq!(probed, ["/healthz routes.py:2"]);
    }
}
