//! Express, Koa, Fastify and Hono routes with every prefix applied:
//! `app.use('/api', router)` with the router's `router.get('/health')` in
//! another file (require or import), Koa's `new Router({ prefix })` and
//! `app.use(router.routes())`, Fastify's `register(plugin, { prefix })`,
//! Hono's `app.route('/api', sub)`.
//! A route's path is the chain of prefixes from an object nothing mounts.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::route::{self, Candidate, Route};
use super::source::{Expr, Lang, Piece, Source};

/// An object routes hang on: (file index, local name), or `<module>` for
/// routes on a function's parameter (a Fastify plugin, a registrar
/// `module.exports = (app) => ...`), which is what the module exports.
type Node = (usize, String);

const MODULE: &str = "<module>";

struct Files<'a> {
    sources: Vec<Source<'a>>,
    /// Per file: routers it makes (`express.Router()`, `new Router()`),
    /// with a Koa router's own prefix.
    routers: Vec<HashMap<String, Option<Expr>>>,
    /// Per file: every object it makes with `name = callee(...)`.
    objects: Vec<Vec<String>>,
    /// Per file: local name -> (module file, export name or None for the
    /// default export).
    imports: Vec<HashMap<String, (usize, Option<String>)>>,
    /// Per file: the name its default export stands for.
    default_export: Vec<Option<String>>,
    /// Per file: names bound to a package (`axios`, `got`): their `.get()`
    /// is a request, not a route.
    packages: Vec<Vec<String>>,
    /// Per file: `const NAME = 'literal'`.
    constants: Vec<HashMap<String, String>>,
}

struct Edge {
    parent: Node,
    child: Node,
    prefix: Option<(usize, Expr)>,
}

struct Handler {
    owner: Node,
    path: (usize, Expr),
    not_get: Option<String>,
    line: usize,
}

/// Every route of the project's JavaScript and TypeScript as a candidate
/// for the healthcheck.
pub fn candidates<'a>(sources: impl IntoIterator<Item = &'a (String, String)>) -> Vec<Candidate> {
    let sources: Vec<Source> = sources
        .into_iter()
        .map(|(p, t)| Source::new(p, t, Lang::Js))
        .collect();
    let files = Files::read(sources);
    let mut edges = Vec::new();
    let mut handlers = Vec::new();
    for at in 0..files.sources.len() {
        files.mounts(at, &mut edges);
        files.handlers(at, &mut handlers);
    }
    handlers
        .iter()
        .flat_map(|h| files.resolve(h, &edges))
        .collect()
}

impl<'a> Files<'a> {
    fn read(sources: Vec<Source<'a>>) -> Files<'a> {
        static MAKE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*(new[ \t]+)?([A-Za-z_$][\w$.]*)[ \t]*\(").unwrap()
        });
        static ROUTER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[^;\n]*\bRouter[ \t]*\(").unwrap()
        });
        static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:module\.exports|export[ \t]+default)[ \t]*=?[ \t]*([A-Za-z_$][\w$]*)[ \t]*;?[ \t]*$").unwrap()
        });
        let paths: Vec<&str> = sources.iter().map(|s| s.path).collect();
        let mut files = Files {
            constants: Vec::new(),
            packages: Vec::new(),
            routers: Vec::new(),
            objects: Vec::new(),
            imports: Vec::new(),
            default_export: Vec::new(),
            sources: Vec::new(),
        };
        for src in &sources {
            // `x = require('./x')` binds a module, not a new object;
            // `require('fastify')()` and `require('express').Router()` do
            // make one.
            let objects: Vec<String> = MAKE
                .captures_iter(&src.code)
                .filter(|c| {
                    let open = c.get(0).unwrap().end() - 1;
                    &c[3] != "require"
                        || src.closing(open).is_some_and(|close| {
                            src.code[close + 1..].trim_start().starts_with(['(', '.'])
                        })
                })
                .map(|c| c[1].to_string())
                .collect();
            // `express.Router()`, `require('express').Router()`, Koa's
            // `new Router({ prefix: '/api' })` with its own prefix.
            let routers = ROUTER
                .captures_iter(&src.code)
                .map(|c| {
                    let open = c.get(0).unwrap().end() - 1;
                    let prefix = src.args(open).and_then(|(args, _)| {
                        object_value(src, args.first()?.span.clone(), "prefix")
                    });
                    (c[1].to_string(), prefix)
                })
                .collect();
            files.routers.push(routers);
            files.objects.push(objects);
            files.imports.push(imports(src, &paths));
            files.packages.push(packages(src));
            files.constants.push(constants(src));
            let default = src
                .code
                .lines()
                // The text test first: the pattern, anchored at the line's
                // end, would scan back through every long line.
                .filter(|l| l.contains("export"))
                .find_map(|l| DEFAULT.captures(l).map(|c| c[1].to_string()));
            files.default_export.push(default);
        }
        files.sources = sources;
        files
    }

    /// The node `name` stands for in file `at`.
    fn node(&self, at: usize, name: &str) -> Node {
        if self.objects[at].iter().any(|o| o == name) {
            return (at, name.to_string());
        }
        match self.imports[at].get(name) {
            Some((file, Some(export))) => (*file, export.clone()),
            Some((file, None)) => self.module_node(*file),
            None => (at, MODULE.to_string()),
        }
    }

    /// What a module's default export stands for.
    fn module_node(&self, file: usize) -> Node {
        match &self.default_export[file] {
            Some(name) if self.objects[file].contains(name) => (file, name.clone()),
            _ => (file, MODULE.to_string()),
        }
    }

    /// The node a mounted expression stands for: a name, `router.routes()`,
    /// `require('./x')`.
    fn child(&self, at: usize, expr: &Expr) -> Option<Node> {
        match expr {
            Expr::Name(name) => Some(self.node(at, name.split('.').next()?)),
            Expr::Call(callee, open) if callee == "require" => {
                let src = &self.sources[at];
                let (args, _) = src.args(*open)?;
                let Expr::Str(p) = src.expr(args.first()?.span.clone()) else {
                    return None;
                };
                let [Piece::Text(spec)] = p.as_slice() else {
                    return None;
                };
                let paths: Vec<&str> = self.sources.iter().map(|s| s.path).collect();
                let file = resolve_module(src.path, spec, &paths)?;
                Some(self.module_node(paths.iter().position(|p| *p == file)?))
            }
            Expr::Call(callee, _) => {
                let (owner, method) = callee.rsplit_once('.')?;
                matches!(method, "routes" | "middleware").then(|| self.node(at, owner))
            }
            _ => None,
        }
    }

    fn mounts(&self, at: usize, edges: &mut Vec<Edge>) {
        static MOUNT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"([A-Za-z_$][\w$]*)[ \t]*\.[ \t]*(use|register|route)[ \t]*\(").unwrap()
        });
        let src = &self.sources[at];
        for c in MOUNT.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, _)) = src.args(open) else {
                continue;
            };
            let parent = self.node(at, &c[1]);
            let exprs: Vec<Expr> = args.iter().map(|a| src.expr(a.span.clone())).collect();
            let (prefix, children) = match (&c[2], exprs.first()) {
                ("register", _) => (
                    args.get(1)
                        .and_then(|a| object_value(src, a.span.clone(), "prefix")),
                    &exprs[..exprs.len().min(1)],
                ),
                (_, Some(first)) if self.is_path(at, first) => (Some(first.clone()), &exprs[1..]),
                _ => (None, &exprs[..]),
            };
            for child in children.iter().filter_map(|e| self.child(at, e)) {
                edges.push(Edge {
                    parent: parent.clone(),
                    child,
                    prefix: prefix.clone().map(|p| (at, p)),
                });
            }
        }
    }

    /// Whether `use(first, ...)` starts with a path: a string, or a name
    /// or sum that is one (`app.use(API_PREFIX, router)`).
    fn is_path(&self, at: usize, first: &Expr) -> bool {
        match first {
            Expr::Str(_) | Expr::Concat(_) => true,
            Expr::Name(n) => self.constants[at].contains_key(n),
            _ => false,
        }
    }

    fn handlers(&self, at: usize, out: &mut Vec<Handler>) {
        static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"([A-Za-z_$][\w$]*)[ \t]*\.[ \t]*(get|post|put|patch|delete|del|head|options|all)[ \t]*\(").unwrap()
        });
        let src = &self.sources[at];
        for c in ROUTE.captures_iter(&src.code) {
            let open = c.get(0).unwrap().end() - 1;
            let Some((args, _)) = src.args(open) else {
                continue;
            };
            // `app.get('port')` reads a setting; a route has a handler.
            if args.len() < 2 {
                continue;
            }
            let owner = &c[1];
            let from_package = self.packages[at].iter().any(|p| p == owner)
                && !self.objects[at].iter().any(|o| o == owner);
            let path = src.expr(args[0].span.clone());
            if from_package || !matches!(path, Expr::Str(_) | Expr::Name(_) | Expr::Concat(_)) {
                continue;
            }
            let method = &c[2];
            out.push(Handler {
                owner: self.node(at, &c[1]),
                path: (at, path),
                not_get: (!matches!(method, "get" | "all"))
                    .then(|| format!("a {} route, not a GET", method.to_uppercase())),
                line: src.line(c.get(0).unwrap().start()),
            });
        }
    }

    fn resolve(&self, h: &Handler, edges: &[Edge]) -> Vec<Candidate> {
        let src = &self.sources[h.path.0];
        let at = |path: String, problem: Option<String>| Candidate {
            route: Route {
                path,
                file: src.path.to_string(),
                line: h.line,
            },
            problem,
        };
        let path = match self.string(h.path.0, &h.path.1) {
            // A URL is a request to another service (`client.get(url, ...)`).
            Ok(p) if !p.is_empty() && !p.starts_with('/') => return Vec::new(),
            Ok(p) => p,
            Err(why) => return vec![at(String::new(), Some(why))],
        };
        self.prefixes(&h.owner, edges, 0)
            .into_iter()
            .map(|prefix| match prefix {
                // A mounted `get('/')` answers at the prefix itself: Hono
                // (strict by default) only there, Express, Koa and
                // Fastify there too.
                Ok(p) if path == "/" && !p.is_empty() => at(route::join(&p, ""), h.not_get.clone()),
                Ok(p) => at(route::join(&p, &path), h.not_get.clone()),
                Err(why) => at(path.clone(), Some(why)),
            })
            .collect()
    }

    fn prefixes(&self, node: &Node, edges: &[Edge], depth: usize) -> Vec<Result<String, String>> {
        if depth > 10 {
            return vec![Err("mounts nest too deep to follow".into())];
        }
        let own = match self.routers[node.0].get(&node.1) {
            Some(Some(e)) => self.string(node.0, e),
            _ => Ok(String::new()),
        };
        let parents: Vec<&Edge> = edges.iter().filter(|e| &e.child == node).collect();
        if parents.is_empty() {
            if self.routers[node.0].contains_key(&node.1) {
                return vec![Err(format!(
                    "router `{}` in {} is never mounted where dockslim can see",
                    node.1, self.sources[node.0].path
                ))];
            }
            return vec![own];
        }
        let mut out = Vec::new();
        for edge in parents {
            let mount = match &edge.prefix {
                Some((at, e)) => self.string(*at, e),
                None => Ok(String::new()),
            };
            for above in self.prefixes(&edge.parent, edges, depth + 1) {
                out.push(chain(above, mount.clone(), own.clone()));
            }
        }
        out
    }

    /// A string literal, a template whose pieces are `const` strings of the
    /// file, or a `+` of those.
    fn string(&self, at: usize, expr: &Expr) -> Result<String, String> {
        match expr {
            Expr::Str(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => Ok(t.clone()),
                    Piece::Expr(name) => self.constant(at, name),
                })
                .collect(),
            Expr::Concat(parts) => parts.iter().map(|p| self.string(at, p)).collect(),
            Expr::Name(name) => self.constant(at, name),
            _ => Err("the path is not a string dockslim can read".into()),
        }
    }

    fn constant(&self, at: usize, name: &str) -> Result<String, String> {
        self.constants[at]
            .get(name)
            .cloned()
            .ok_or_else(|| format!("`{name}` has no literal value in {}", self.sources[at].path))
    }
}

/// A file's `const NAME = 'literal'` (exported or not), read once.
fn constants(src: &Source) -> HashMap<String, String> {
    static CONST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^[ \t]*(?:export[ \t]+)?const[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*",
        )
        .unwrap()
    });
    CONST
        .captures_iter(&src.code)
        .filter_map(|c| {
            let (pieces, _) = src.string_at(c.get(0).unwrap().end())?;
            match pieces.as_slice() {
                [Piece::Text(t)] => Some((c[1].to_string(), t.clone())),
                _ => None,
            }
        })
        .collect()
}

fn chain(
    above: Result<String, String>,
    mount: Result<String, String>,
    own: Result<String, String>,
) -> Result<String, String> {
    Ok(route::join(&route::join(&above?, &mount?), &own?))
}

/// `key: value` in an object literal spanning `span`.
fn object_value(src: &Source, span: std::ops::Range<usize>, key: &str) -> Option<Expr> {
    let code = &src.code[span.clone()];
    let re = Regex::new(&format!(
        r"(?:^|[{{,\s]){}[ \t]*:[ \t]*",
        regex::escape(key)
    ))
    .ok()?;
    let m = re.find(code)?;
    let start = span.start + m.end();
    let end = src.code[start..span.end]
        .find([',', '}'])
        .map_or(span.end, |i| start + i);
    Some(src.expr(start..end))
}

/// Local names bound by `require` and `import` to project files: the
/// default export (`const r = require('./r')`, `import r from './r'`) or a
/// named one (`const { r } = require('./r')`, `import { r as s } from
/// './r'`).
fn imports(src: &Source, paths: &[&str]) -> HashMap<String, (usize, Option<String>)> {
    static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:const|let|var)[ \t]+(\{[^}]*\}|[A-Za-z_$][\w$]*)[ \t]*=[ \t]*require[ \t]*\(",
        )
        .unwrap()
    });
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"import[ \t]+([A-Za-z_$][\w$]*)?[ \t]*,?[ \t]*(\{[^}]*\})?[ \t]*from[ \t]*")
            .unwrap()
    });
    let mut out = HashMap::new();
    let mut bind = |names: &str, default: Option<&str>, file: usize| {
        if let Some(d) = default {
            out.insert(d.to_string(), (file, None));
        }
        for item in names.trim_matches(['{', '}']).split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let (export, local) = match item.split_once(" as ").or_else(|| item.split_once(':')) {
                Some((e, l)) => (e.trim(), l.trim()),
                None => (item, item),
            };
            out.insert(local.to_string(), (file, Some(export.to_string())));
        }
    };
    let spec_at = |offset: usize| -> Option<usize> {
        let (pieces, _) = src.string_at(offset)?;
        let [Piece::Text(spec)] = pieces.as_slice() else {
            return None;
        };
        let i = paths
            .iter()
            .position(|p| Some(*p) == resolve_module(src.path, spec, paths))?;
        Some(i)
    };
    for c in REQUIRE.captures_iter(&src.code) {
        let open = c.get(0).unwrap().end() - 1;
        let Some((args, _)) = src.args(open) else {
            continue;
        };
        let Some(file) = args.first().and_then(|a| {
            let text = &src.code[a.span.clone()];
            spec_at(a.span.start + text.len() - text.trim_start().len())
        }) else {
            continue;
        };
        let target = &c[1];
        if target.starts_with('{') {
            bind(target, None, file);
        } else {
            bind("", Some(target), file);
        }
    }
    for c in IMPORT.captures_iter(&src.code) {
        let Some(file) = spec_at(c.get(0).unwrap().end()) else {
            continue;
        };
        bind(
            c.get(2).map_or("", |m| m.as_str()),
            c.get(1).map(|m| m.as_str()),
            file,
        );
    }
    out
}

/// Names bound to a package rather than a project file: `const axios =
/// require('axios')`, `import got from 'got'`.
fn packages(src: &Source) -> Vec<String> {
    static BOUND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*require[ \t]*\([ \t]*|import[ \t]+(?:\*[ \t]+as[ \t]+)?([A-Za-z_$][\w$]*)[^;\n]*?from[ \t]*)").unwrap()
    });
    BOUND
        .captures_iter(&src.code)
        .filter(|c| {
            let at = c.get(0).unwrap().end();
            src.string_at(at).is_some_and(
                |(p, _)| !matches!(p.as_slice(), [Piece::Text(t)] if t.starts_with('.')),
            )
        })
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .collect()
}

/// The project file a relative module specifier names from `from`:
/// `./routes/health` is `routes/health.js`, `.ts`, or `routes/health/index.js`;
/// a TypeScript import written `./x.js` is `x.ts`.
fn resolve_module<'p>(from: &str, spec: &str, paths: &[&'p str]) -> Option<&'p str> {
    if !spec.starts_with('.') {
        return None;
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = super::node::normalize_path(&super::node::join(dir, spec))?;
    let stem = joined
        .strip_suffix(".js")
        .or_else(|| joined.strip_suffix(".mjs"))
        .or_else(|| joined.strip_suffix(".cjs"))
        .unwrap_or(&joined);
    let mut candidates = vec![joined.clone()];
    for ext in ["js", "ts", "mjs", "cjs", "mts"] {
        candidates.push(format!("{stem}.{ext}"));
        candidates.push(format!("{joined}/index.{ext}"));
    }
    candidates
        .iter()
        .find_map(|c| paths.iter().find(|p| **p == c.as_str()).copied())
}

/// NestJS routes: a class's `@Controller('health')` (or `@Controller()`,
/// or `{ path: 'health' }`) and its methods' `@Get()` or `@Get('live')`,
/// under `app.setGlobalPrefix('api')`. Nest routes by decorator, not by
/// `app.get`, so the Express reader above sees none of them. Read line by
/// line: a decorator applies to the controller opened last in its file.
pub fn nest_candidates<'a>(
    sources: impl IntoIterator<Item = &'a (String, String)>,
) -> Vec<Candidate> {
    static DECORATOR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"@(Controller|Get|Post|Put|Patch|Delete|All|Head|Options)\(([^)]*)\)").unwrap()
    });
    static PREFIX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"setGlobalPrefix\(([^)]*)\)").unwrap());
    let sources: Vec<&(String, String)> = sources.into_iter().collect();
    // The global prefix: a literal, or a problem every route shares (an
    // `exclude` list or an expression dockslim does not evaluate).
    let mut global: std::result::Result<String, String> = Ok(String::new());
    for (path, text) in &sources {
        if let Some((i, c)) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| Some((i, PREFIX.captures(l)?)))
        {
            global = match nest_path(&c[1]) {
                Some(p) if !c[1].contains("exclude") => Ok(p),
                _ => Err(format!(
                    "the global prefix at {path}:{} is not a plain string literal",
                    i + 1
                )),
            };
        }
    }
    let mut out = Vec::new();
    for (path, text) in &sources {
        let mut controller: Option<Option<String>> = None;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('*') {
                continue;
            }
            for c in DECORATOR.captures_iter(line) {
                let arg = nest_path(&c[2]);
                if &c[1] == "Controller" {
                    controller = Some(arg);
                    continue;
                }
                let Some(prefix) = &controller else {
                    continue;
                };
                let method = (&c[1] != "Get" && &c[1] != "All").then(|| c[1].to_uppercase());
                let problem = if let Some(m) = &method {
                    Some(format!("a {m} route, not a GET"))
                } else if let Err(why) = &global {
                    Some(why.clone())
                } else if prefix.is_none() {
                    Some("the controller's path is not a string literal".into())
                } else if arg.is_none() {
                    Some("the route's path is not a string literal".into())
                } else {
                    None
                };
                let full = route::join(
                    &route::join(
                        &route::join("", global.as_deref().unwrap_or("")),
                        prefix.as_deref().unwrap_or(""),
                    ),
                    arg.as_deref().unwrap_or(""),
                );
                out.push(Candidate {
                    route: Route {
                        path: full,
                        file: path.clone(),
                        line: i + 1,
                    },
                    problem,
                });
            }
        }
    }
    out
}

/// A Nest decorator's path argument: nothing (`''`), a string literal, or
/// an object's `path: '...'`; None for anything else.
fn nest_path(arg: &str) -> Option<String> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*['"`]([^'"`$]*)['"`]\s*(?:,|$)"#).unwrap());
    static PATH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\bpath\s*:\s*['"`]([^'"`$]*)['"`]"#).unwrap());
    let arg = arg.trim();
    if arg.is_empty() {
        return Some(String::new());
    }
    LITERAL
        .captures(arg)
        .or_else(|| arg.starts_with('{').then(|| PATH.captures(arg)).flatten())
        .map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(files: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let (probed, unprobed) = route::sort(candidates(&sources));
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
    fn express_router_in_another_file_nested() {
        let (probed, unprobed) = health(&[
            ("src/app.js", "const express = require('express');\nconst routes = require('./routes/v1');\nconst app = express();\napp.set('port', 3000);\napp.get('port');\napp.use('/v1', routes);\nmodule.exports = app;\n"),
            ("src/routes/v1/index.js", "const express = require('express');\nconst { healthRouter } = require('./health');\nconst router = express.Router();\nrouter.use('/ops', healthRouter);\nmodule.exports = router;\n"),
            ("src/routes/v1/health.js", "const express = require('express');\nconst healthRouter = express.Router();\n// healthRouter.get('/ping', h)\nhealthRouter.get('/healthz', (req, res) => res.send('ok'));\nhealthRouter.get('/:id/status', (req, res) => res.send('ok'));\nhealthRouter.post('/health', (req, res) => res.send('ok'));\nconst s = \"router.get('/live', h)\";\nmodule.exports = { healthRouter };\n"),
        ]);
        assert_eq!(probed, ["/v1/ops/healthz src/routes/v1/health.js:4"]);
        assert_eq!(
            unprobed,
            [
                "/v1/ops/:id/status: `:id` is a placeholder",
                "/v1/ops/health: a POST route, not a GET"
            ]
        );
    }

    /// Hono mounts a sub-app with `app.route(prefix, sub)`; Express's
    /// `app.route('/book')` (one argument, a chain) mounts nothing.
    #[test]
    fn hono_route_mounts_a_sub_app() {
        let (probed, _) = health(&[
            ("src/index.ts", "import { Hono } from 'hono'\nimport health from './health'\nconst app = new Hono()\napp.route('/healthz', health)\napp.route('/book').get((c) => c.text('x'))\nexport default { port: 8080, fetch: app.fetch }\n"),
            ("src/health.ts", "import { Hono } from 'hono'\nconst health = new Hono()\nhealth.get('/', (c) => c.text('ok'))\nexport default health\n"),
        ]);
        assert_eq!(probed, ["/healthz src/health.ts:3"]);
    }

    #[test]
    fn esm_import_koa_prefix_and_fastify_register() {
        let (probed, _) = health(&[
            ("src/server.ts", "import Koa from 'koa';\nimport Fastify from 'fastify';\nimport api from './api.js';\nimport plugin from './plugin';\nconst app = new Koa();\napp.use(api.routes());\nconst f = Fastify({ logger: true });\nf.register(plugin, { prefix: '/internal' });\n"),
            ("src/api.ts", "import Router from '@koa/router';\nconst router = new Router({ prefix: '/api' });\nrouter.get('/health', (ctx) => { ctx.body = 'ok' });\nexport default router;\n"),
            ("src/plugin.ts", "export default async function (fastify: FastifyInstance) {\n  fastify.get('/ping', async () => 'pong');\n}\n"),
        ]);
        assert_eq!(
            probed,
            ["/api/health src/api.ts:3", "/internal/ping src/plugin.ts:2"]
        );
    }

    #[test]
    fn requests_to_other_services_are_not_routes() {
        let (probed, unprobed) = health(&[(
            "server.js",
            "const axios = require('axios');\nconst app = require('express')();\naxios.get('/health', { timeout: 1 });\nconst r = await client.get('http://db:8080/health', opts);\napp.get('/ping', (req, res) => res.end());\n",
        )]);
        assert_eq!(probed, ["/ping server.js:5"]);
        assert!(unprobed.is_empty(), "{unprobed:?}");
    }

    #[test]
    fn constant_paths_and_prefixes() {
        let (probed, _) = health(&[(
            "index.js",
            "const express = require('express');\nconst API = '/api/v1';\nconst HEALTH = `/health`;\nconst app = express();\nconst r = express.Router();\nr.get(HEALTH, (q, s) => s.end());\napp.use(API, r);\n",
        )]);
        assert_eq!(probed, ["/api/v1/health index.js:6"]);
    }

    #[test]
    fn router_never_mounted_is_not_probed() {
        let (probed, unprobed) = health(&[(
            "index.js",
            "const router = require('express').Router();\nrouter.get('/health', h);\n",
        )]);
        assert!(probed.is_empty());
        assert_eq!(
            unprobed,
            ["/health: router `router` in index.js is never mounted where dockslim can see"]
        );
    }

    #[test]
    fn nest_controllers_and_the_global_prefix() {
        let files = vec![
            (
                "src/main.ts".to_string(),
                "const app = await NestFactory.create(AppModule);\napp.setGlobalPrefix('api');\n".to_string(),
            ),
            (
                "src/health/health.controller.ts".to_string(),
                "@Controller('health')\nexport class HealthController {\n  @Get()\n  check() { return { ok: true } }\n  @Post('ping')\n  p() {}\n}\n".to_string(),
            ),
            (
                "src/app.controller.ts".to_string(),
                "@Controller({ path: 'status', version: '1' })\nexport class AppController {\n  @Get('live')\n  live() {}\n}\n".to_string(),
            ),
        ];
        let (probed, unprobed) = route::sort(nest_candidates(&files));
        let paths: Vec<&str> = probed.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/api/health", "/api/status/live"]);
        assert_eq!(
            (probed[0].file.as_str(), probed[0].line),
            ("src/health/health.controller.ts", 3)
        );
        assert_eq!(unprobed[0].route.path, "/api/health/ping");

        let mut excluded = files.clone();
        excluded[0].1 = "app.setGlobalPrefix('api', { exclude: ['health'] });\n".to_string();
        let (probed, unprobed) = route::sort(nest_candidates(&excluded));
        assert!(probed.is_empty(), "{probed:?}");
        assert!(unprobed[0].why.contains("global prefix"), "{unprobed:?}");
    }
}
