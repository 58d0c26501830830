//! Bun projects: what a project whose manager is Bun runs. Bun runs
//! TypeScript and JavaScript files directly, so a Bun server needs no build
//! step: its start script (`bun run src/index.ts`), or its entry (`module`,
//! as `bun init` writes it, or `main`), is the command. Read forms:
//! `Bun.serve({ port, fetch })`, Hono's `export default { port, fetch:
//! app.fetch }` and Elysia's `.listen(port)`; routes as Express-style
//! handlers (`app.get('/health', ...)`), Bun.serve's `routes` table and
//! `url.pathname === '/health'`. A static site whose manager is Bun is
//! found as any other (Vite, Astro, ...) and built with Bun.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::node::{join, line_of, node_sources, NodeApp};
use super::route::{Candidate, Route};
use crate::error::{Error, Result};
use crate::repo::Repo;

/// Frameworks whose server Bun runs, by package.
const FRAMEWORKS: &[(&str, &str)] = &[("elysia", "Elysia"), ("hono", "Hono")];

/// File extensions Bun runs directly.
const RUNNABLE: &[&str] = &[".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/// Entry files looked for when package.json names none, as `bun init` and
/// the Elysia and Hono templates lay them out.
const ENTRIES: &[&str] = &[
    "index.ts",
    "src/index.ts",
    "server.ts",
    "src/server.ts",
    "index.js",
    "src/index.js",
];

/// The Bun release line the project asks for, with where: the major of a
/// `bun@x.y.z` packageManager pin, else the lowest major engines.bun names.
pub(super) fn line(
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
    pin: Option<&str>,
) -> Option<(String, String)> {
    let major = |v: &str| -> Option<String> {
        let digits: String = v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (!digits.is_empty()).then_some(digits)
    };
    if let Some(pin) = pin {
        let version = pin.split_once('@').map_or("", |(_, v)| v);
        if let Some(m) = major(version) {
            return Some((
                m,
                format!(
                    "packageManager {pin} at {manifest}:{}",
                    line_of(text, "\"packageManager\"")
                ),
            ));
        }
    }
    let range = obj.get("engines")?.get("bun")?.as_str()?;
    let m = major(range)?;
    Some((
        m,
        format!(
            "engines.bun `{range}` at {manifest}:{}",
            line_of(text, "\"bun\"")
        ),
    ))
}

/// What a Bun project runs: a Bun server (its start script runs `bun`, or
/// it has none and a Bun server framework or `Bun.serve` with an entry
/// file), else what `general` finds when that is a static site. Anything
/// else is refused with the way out.
#[allow(clippy::too_many_arguments)]
pub(super) fn app(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
    script: &dyn Fn(&str) -> Option<String>,
    dependencies: &[String],
    general: impl FnOnce() -> Result<NodeApp>,
) -> Result<NodeApp> {
    let sources = node_sources(repo, dir);
    let framework = FRAMEWORKS
        .iter()
        .find(|(p, _)| dependencies.iter().any(|d| d == p))
        .map(|(_, f)| *f);
    let serves = framework.is_some() || sources.iter().any(|(_, t)| t.contains("Bun.serve("));
    let start = script("start");
    let start_line = line_of(text, "\"start\"");
    let words = start.as_deref().and_then(shlex::split);
    let runs_bun = words
        .as_ref()
        .is_some_and(|w| w.first().is_some_and(|p| p == "bun"));
    let (command, command_from, entry) = if runs_bun {
        let words = words.unwrap_or_default();
        let entry = start_entry(&words).map_err(|why| {
            Error::unsupported(
                format!(
                    "{manifest}:{start_line}: the start script `{}` {why}",
                    start.clone().unwrap_or_default()
                ),
                "write the start script as `bun run <file>` (such as \"bun run src/index.ts\"): the image runs it directly, so bun is PID 1 and gets docker stop's SIGTERM",
            )
        })?;
        (
            words,
            format!("{manifest}:{start_line} (the start script)"),
            entry,
        )
    } else if let (None, true, Some((entry, from))) =
        (&start, serves, entry(repo, dir, manifest, text, obj))
    {
        (vec!["bun".into(), "run".into(), entry.clone()], from, entry)
    } else {
        return match general() {
            Ok(app @ NodeApp::Static { .. }) => Ok(app),
            Ok(other) => Err(Error::unsupported(
                format!(
                    "{manifest}: a {} app whose manager is Bun (its lock or packageManager says so); dockslim plans Bun servers run with `bun run <file>` and static sites built with Bun, not a {} server on Bun",
                    other.framework(),
                    other.framework()
                ),
                match &start {
                    Some(s) => format!("the start script is `{s}`: if the image runs it on Bun, write it as `bun run <file>`; if it runs on Node, commit Node's lock file instead of Bun's"),
                    None => "write the Dockerfile on oven/bun by hand (`bun install --frozen-lockfile`, the framework's build, then its server); `dockslim analyze` still checks it".to_string(),
                },
            )),
            Err(_) => Err(match &start {
                Some(s) => Error::unsupported(
                    format!("{manifest}:{start_line}: the start script is `{s}`; dockslim runs Bun servers as `bun run <file>`"),
                    "write the start script as `bun run <file>`, such as \"bun run src/index.ts\" (development runners such as `bun --watch` do not belong in an image)",
                ),
                None => Error::unsupported(
                    format!("{manifest}: a Bun project that is neither a static site (Vite, Astro, ...) nor a server with a `start` script, `module` or `main`; dockslim cannot tell what the image should run"),
                    "add a `start` script such as \"bun run src/index.ts\" to package.json",
                ),
            }),
        };
    };
    // Bun runs the source as it is; a build is needed only when the file
    // the command runs is the build's output (`bun run dist/index.js`).
    let built = !repo.exists(&join(dir, &entry));
    let build_script = match (built, script("build")) {
        (false, _) => None,
        (true, Some(_)) => Some("build".to_string()),
        (true, None) => {
            return Err(Error::unsupported(
                format!("{command_from}: runs {}, which is not in the repository, and package.json has no `build` script that could write it", join(dir, &entry)),
                "point the start script at the source file (Bun runs TypeScript directly), or add the `build` script that writes it",
            ))
        }
    };
    // The build's output folder, which the .dockerignore keeps out of the
    // context: the folder of the built entry; the source is never one.
    let output = match entry.split_once('/') {
        Some((folder, _)) if built => folder.to_string(),
        _ => "dist".to_string(),
    };
    Ok(NodeApp::Server {
        framework: framework.unwrap_or("Bun"),
        command,
        command_from,
        build_script,
        port: port(sources.iter().copied()),
        health: health(sources.iter().copied()),
        output,
        ships: Vec::new(),
        port_env: Vec::new(),
        host_env: None,
    })
}

/// A Bun workspace (`workspaces` in a Bun root) is not planned yet: its
/// members' images would need Bun's filtered install and its isolated
/// node_modules layout.
pub(super) fn workspace_refused(declared_at: &str) -> Error {
    Error::unsupported(
        format!(
            "{declared_at}: a Bun workspace (monorepo); dockslim plans single Bun projects, not yet a member of a Bun workspace"
        ),
        "run dockslim in the folder of a single Bun project, or write the Dockerfile on oven/bun by hand: `bun install --frozen-lockfile --filter <member>` at the root, then `bun run` the member's entry",
    )
}

/// The file a `bun ...` start script runs, or why it cannot be read as one.
fn start_entry(words: &[String]) -> std::result::Result<String, String> {
    let mut run = false;
    for w in words.iter().skip(1).map(String::as_str) {
        if w == "run" && !run {
            run = true;
            continue;
        }
        if matches!(w, "--watch" | "--hot") {
            return Err(format!(
                "runs Bun's development reloader ({w}), which does not belong in an image"
            ));
        }
        if w.starts_with('-') {
            continue;
        }
        if RUNNABLE.iter().any(|e| w.ends_with(e)) {
            return Ok(w.trim_start_matches("./").to_string());
        }
        return Err(format!(
            "runs `{w}`, which is not a JavaScript or TypeScript file"
        ));
    }
    Err("names no file to run".into())
}

/// The entry file of a project without a start script: `module`, `main`,
/// or a usual entry file, with where it was found.
fn entry(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
) -> Option<(String, String)> {
    for key in ["module", "main"] {
        if let Some(file) = obj.get(key).and_then(Value::as_str) {
            if RUNNABLE.iter().any(|e| file.ends_with(e)) {
                return Some((
                    file.trim_start_matches("./").to_string(),
                    format!(
                        "{manifest}:{} ({key})",
                        line_of(text, &format!("\"{key}\""))
                    ),
                ));
            }
        }
    }
    ENTRIES
        .iter()
        .find(|f| repo.exists(&join(dir, f)))
        .map(|f| (f.to_string(), format!("{} (the entry file)", join(dir, f))))
}

static PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // process.env.PORT || 3000, Number(Bun.env.PORT) ?? 3000, env['PORT'] || 3000
        r#"PORT['"]?\]?\)?\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})"#,
        // process.env.PORT ? parseInt(process.env.PORT) : 3000
        r#"|PORT\s*\?[^:\n]*:\s*(\d{2,5})"#,
        // Elysia's .listen(3000)
        r#"|\.listen\(\s*(\d{2,5})"#,
        // Bun.serve({ port: 3000 }), export default { port: 3000, fetch }
        r#"|\bport\s*:\s*(\d{2,5})\b"#,
    ))
    .unwrap()
});

/// The port the server listens on by default, with where the code says
/// so; None means Bun.serve's default, 3000.
pub(super) fn port<'a>(
    sources: impl IntoIterator<Item = &'a (String, String)>,
) -> Option<(u16, String)> {
    super::node::port_by(&PORT, sources)
}

/// The best health route: Express-style handlers (Hono's, Elysia's), a
/// key of Bun.serve's `routes` table, or a `pathname ===` comparison.
pub(super) fn health<'a>(
    sources: impl IntoIterator<Item = &'a (String, String)> + Clone,
) -> Option<Route> {
    static PATHNAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"pathname\s*===?\s*['"](/[^'"\s]*)['"]"#).unwrap());
    static ROUTE_KEY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*['"](/[^'"\s]*)['"]\s*:"#).unwrap());
    // Elysia chains its routes: `.get('/health', ...)` on a line of its own.
    static CHAINED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*\.get\(\s*['"](/[^'"\s]*)['"]"#).unwrap());
    let mut candidates = super::node_routes::candidates(sources.clone());
    for (path, text) in sources {
        let serves = text.contains("Bun.serve(");
        let elysia = text.contains("Elysia");
        for (i, line) in text.lines().enumerate() {
            let found = PATHNAME
                .captures(line)
                .or_else(|| ROUTE_KEY.captures(line).filter(|_| serves))
                .or_else(|| CHAINED.captures(line).filter(|_| elysia));
            if let Some(c) = found {
                candidates.push(Candidate {
                    route: Route {
                        path: c[1].to_string(),
                        file: path.clone(),
                        line: i + 1,
                    },
                    problem: None,
                });
            }
        }
    }
    super::route::sort(candidates).0.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Vec<(String, String)> {
        vec![("src/index.ts".to_string(), text.to_string())]
    }

    #[test]
    fn ports_as_bun_servers_write_them() {
        let cases = [
            ("Bun.serve({\n  port: 8080,\n  fetch() {},\n});\n", 8080),
            (
                "export default {\n  port: Bun.env.PORT || 5000,\n  fetch: app.fetch,\n}\n",
                5000,
            ),
            (
                "export default { port: Number(process.env['PORT']) || 4000, fetch: app.fetch };\n",
                4000,
            ),
            (
                "const port = process.env.PORT ? parseInt(process.env.PORT) : 3001;\n",
                3001,
            ),
            (
                "const app = new Elysia().get('/', () => 'hi').listen(8081);\n",
                8081,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(port(&src(text)).map(|(p, _)| p), Some(want), "{text}");
        }
        assert_eq!(
            port(&src("export default app;\n")),
            None,
            "no port: Bun.serve's default"
        );
    }

    #[test]
    fn health_routes_of_bun_servers() {
        let cases = [
            ("import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/health', (c) => c.text('ok'));\nexport default app;\n", "/health"),
            ("Bun.serve({\n  routes: {\n    \"/\": new Response('hi'),\n    \"/healthz\": () => new Response('ok'),\n  },\n});\n", "/healthz"),
            ("Bun.serve({ fetch(req) {\n  const url = new URL(req.url);\n  if (url.pathname === '/api/health') return new Response('ok');\n  return new Response('no', { status: 404 });\n} });\n", "/api/health"),
            ("import { Elysia } from 'elysia';\nnew Elysia()\n  .get('/', () => 'hi')\n  .get('/health', () => 'ok')\n  .listen(3000);\n", "/health"),
        ];
        for (text, want) in cases {
            assert_eq!(
                health(&src(text)).map(|r| r.path),
                Some(want.to_string()),
                "{text}"
            );
        }
        // A `routes` key outside Bun.serve is not a route.
        assert_eq!(health(&src("const t = {\n  '/health': 1,\n};\n")), None);
    }

    #[test]
    fn start_scripts_name_the_file_bun_runs() {
        let w = |s: &str| shlex::split(s).unwrap();
        assert_eq!(
            start_entry(&w("bun run src/index.ts")).unwrap(),
            "src/index.ts"
        );
        assert_eq!(start_entry(&w("bun ./server.js")).unwrap(), "server.js");
        assert_eq!(
            start_entry(&w("bun --smol run index.ts")).unwrap(),
            "index.ts"
        );
        assert!(start_entry(&w("bun --watch src/index.ts"))
            .unwrap_err()
            .contains("--watch"));
        assert!(start_entry(&w("bun run serve"))
            .unwrap_err()
            .contains("not a JavaScript"));
    }

    #[test]
    fn the_bun_line_from_the_pin_or_engines() {
        let text = "{\"packageManager\": \"bun@1.2.21\", \"engines\": {\"bun\": \">=1.1\"}}";
        let obj: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
        let (m, why) = line("package.json", text, &obj, Some("bun@1.2.21")).unwrap();
        assert_eq!(m, "1");
        assert!(why.contains("packageManager bun@1.2.21"), "{why}");
        let (m, why) = line("package.json", text, &obj, None).unwrap();
        assert_eq!(m, "1");
        assert!(why.contains("engines.bun `>=1.1`"), "{why}");
        let empty = serde_json::Map::new();
        assert_eq!(line("package.json", "{}", &empty, None), None);
    }
}
