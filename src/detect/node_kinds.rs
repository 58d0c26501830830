//! Node frameworks whose build writes the server: NestJS (`nest build` to
//! `dist/`), SvelteKit (adapter-node's `build/`, or adapter-static's site)
//! and Nuxt (Nitro's self-contained `.output/`). Each is a
//! `NodeApp::Server` with the command, port and health route its framework
//! implies, so the plan and templates of other Node servers apply.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::node::{
    clean_rel, config_file, join, line_of, listen_port, node_sources, string_option, NodeApp,
};
use super::route::{self, Candidate, Route};
use crate::error::{Error, Result};
use crate::repo::Repo;

/// The app when the project is one of these frameworks, else None.
pub(super) fn app(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    script: &dyn Fn(&str) -> Option<String>,
    dependencies: &[String],
    has: &dyn Fn(&str) -> bool,
) -> Option<Result<NodeApp>> {
    let needs_build = |framework: &str, builder: &str| -> Result<String> {
        script("build").map(|_| "build".to_string()).ok_or_else(|| {
            Error::unsupported(
                format!("{manifest}: a {framework} project without a `build` script"),
                format!(
                    "add \"build\": \"{builder}\" to package.json's scripts: the image runs it"
                ),
            )
        })
    };
    if has("@nestjs/core") {
        return Some(nest(repo, dir, manifest, text, script, &needs_build));
    }
    if has("@sveltejs/kit") {
        let has_dependencies = !dependencies.is_empty();
        return Some(sveltekit(
            repo,
            dir,
            (manifest, text),
            has,
            has_dependencies,
            &needs_build,
        ));
    }
    for (package, framework, builder) in [
        ("@react-router/node", "React Router", "react-router build"),
        ("@remix-run/node", "Remix", "remix vite:build"),
    ] {
        if has(package) {
            return Some(needs_build(framework, builder).and_then(|build| {
                remix(
                    repo,
                    dir,
                    (manifest, text),
                    framework,
                    build,
                    script,
                    dependencies,
                )
            }));
        }
    }
    if has("@angular/core") {
        return Some(angular(repo, dir, manifest, text, has, &needs_build));
    }
    if has("nuxt") {
        return Some(
            needs_build("Nuxt", "nuxt build").map(|build| NodeApp::Server {
                framework: "Nuxt",
                command: vec!["node".into(), ".output/server/index.mjs".into()],
                command_from: "Nuxt's build output, .output/server/index.mjs".into(),
                build_script: Some(build),
                port: Some((3000, "Nitro's default; it reads NITRO_PORT or PORT".into())),
                health: best(nuxt_routes(repo, dir)),
                output: ".output".into(),
                // Nitro bundles the server and copies the node_modules files it
                // traces into .output: nothing else is needed at run time.
                ships: vec![".output".into()],
                port_env: vec!["PORT".into()],
                host_env: Some("HOST".into()),
            }),
        );
    }
    None
}

/// Package bins that serve a built app in production, with the package
/// that ships each: run from a production dependency, they are the
/// image's command as `node <file>` would be.
const SERVE_BINS: &[(&str, &str)] = &[
    ("react-router-serve", "@react-router/serve"),
    ("remix-serve", "@remix-run/serve"),
];

/// Remix and React Router's framework mode: `react-router build` (or
/// `remix vite:build`) writes build/server and build/client, and the start
/// script serves them with the framework's server bin (`react-router-serve
/// ./build/server/index.js`), or with `node server.js` around an Express
/// adapter.
fn remix(
    repo: &Repo,
    dir: &str,
    (manifest, text): (&str, &str),
    framework: &'static str,
    build: String,
    script: &dyn Fn(&str) -> Option<String>,
    dependencies: &[String],
) -> Result<NodeApp> {
    let start = script("start").unwrap_or_default();
    let at = format!("{manifest}:{}", line_of(text, "\"start\""));
    let words = shlex::split(&start).unwrap_or_default();
    let first = words.first().map(String::as_str).unwrap_or("");
    let command = if first == "node" {
        words.clone()
    } else if let Some((bin, package)) = SERVE_BINS.iter().find(|(b, _)| *b == first) {
        if !dependencies.iter().any(|d| d == package) {
            return Err(Error::unsupported(
                format!("{at}: the start script runs `{bin}`, but {package}, which provides it, is not among the production dependencies, so the image's install leaves it out"),
                format!("move {package} to `dependencies` in package.json"),
            ));
        }
        // The bin's `#!/usr/bin/env node` line makes node PID 1.
        let mut cmd = vec![format!("./node_modules/.bin/{bin}")];
        cmd.extend(words[1..].iter().cloned());
        cmd
    } else {
        return Err(Error::unsupported(
            format!(
                "{at}: a {framework} app whose start script is `{start}`; dockslim runs `react-router-serve`/`remix-serve` from a production dependency, or `node <file>`"
            ),
            "write the start script as `react-router-serve ./build/server/index.js` (or `remix-serve`, or `node server.js` for a custom server)",
        ));
    };
    // A server bin serving a file under build/ from a Vite build (React
    // Router, Remix's Vite plugin: build/server and build/client) needs
    // only build/, package.json and the production node_modules at run
    // time. Remix's classic compiler puts the assets in public/build, and a
    // custom server (`node server.js`) may read anything: those keep the
    // whole (pruned) folder.
    let bin = first != "node";
    let vite = framework == "React Router" || config_file(repo, dir, "vite.config").is_some();
    let serves_build = words
        .iter()
        .skip(1)
        .any(|w| clean_rel(w).starts_with("build/"));
    let sources = node_sources(repo, dir);
    Ok(NodeApp::Server {
        framework,
        command,
        command_from: format!("{at} (the start script)"),
        build_script: Some(build),
        port: if bin {
            Some((3000, format!("{first}'s default; it reads PORT")))
        } else {
            listen_port(sources.iter().copied())
        },
        health: best(remix_routes(repo, dir)),
        output: "build".into(),
        ships: if bin && vite && serves_build {
            vec!["package.json".into(), "node_modules".into(), "build".into()]
        } else {
            Vec::new()
        },
        port_env: if bin { vec!["PORT".into()] } else { Vec::new() },
        host_env: bin.then(|| "HOST".to_string()),
    })
}

/// Remix and React Router routes: app/routes.ts's `route("path", ...)`
/// calls when the app configures its routes, else the flat file routes of
/// app/routes/ (`healthcheck.tsx` is /healthcheck, `api.health.ts` is
/// /api/health, `_index` is the parent, a `_layout` segment adds nothing).
fn remix_routes(repo: &Repo, dir: &str) -> Vec<Candidate> {
    static ROUTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\broute\(\s*['"]([^'"]*)['"]"#).unwrap());
    let app = join(dir, "app");
    if let Some((file, text)) = config_file(repo, &app, "routes") {
        if !text.contains("flatRoutes(") {
            // Nested routes and prefix() add segments this reading does not
            // follow: their paths are not probed.
            let nested = text.contains("prefix(") || text.contains("...");
            return text
                .lines()
                .enumerate()
                .flat_map(|(i, line)| {
                    ROUTE.captures_iter(line).map(move |c| (i, c[1].to_string()))
                })
                .map(|(i, path)| Candidate {
                    route: Route {
                        path: route::join("", &path),
                        file: file.clone(),
                        line: i + 1,
                    },
                    problem: nested.then(|| "routes.ts nests routes or uses prefix(), which dockslim does not follow".to_string()),
                })
                .collect();
        }
    }
    files_under(repo, &join(&app, "routes"))
        .into_iter()
        .filter_map(|(file, rel)| {
            let name = match rel.split_once('/') {
                Some((folder, "route.tsx" | "route.ts" | "route.jsx" | "route.js")) => folder,
                Some(_) => return None,
                None => rel.rsplit_once('.').map(|(stem, _)| stem)?,
            };
            let segments: Vec<String> = name
                .split('.')
                .filter(|s| *s != "_index" && !s.starts_with('_'))
                .map(|s| match s.strip_prefix('$') {
                    Some(param) => format!(":{param}"),
                    None => s.trim_end_matches('_').to_string(),
                })
                .collect();
            Some(Candidate {
                route: Route {
                    path: format!("/{}", segments.join("/")),
                    file: file.to_string(),
                    line: 1,
                },
                problem: None,
            })
        })
        .collect()
}

/// Angular: `ng build` writes the browser files to the build target's
/// `outputPath` in angular.json: with the application builder (Angular
/// 17+) into its `browser` folder, with the older browser builder into the
/// folder itself. A static site: nginx serves it like any other.
fn angular(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    has: &dyn Fn(&str) -> bool,
    needs_build: &dyn Fn(&str, &str) -> Result<String>,
) -> Result<NodeApp> {
    if has("@angular/ssr") {
        return Err(Error::unsupported(
            format!(
                "{manifest}:{}: an Angular app rendered on a server (@angular/ssr); dockslim writes images for Angular apps served as static files",
                line_of(text, "\"@angular/ssr\"")
            ),
            "`dockslim analyze` still reports the build context and the findings that apply to any Dockerfile",
        ));
    }
    let script = needs_build("Angular", "ng build")?;
    let path = join(dir, "angular.json");
    let unclear = |why: String| {
        Error::unsupported(
            format!("{path}: {why}, so the output folder is unclear"),
            "give the build target of the application an `outputPath` string, such as \"outputPath\": \"dist/app\"",
        )
    };
    let config_text = repo
        .read_text(&path)?
        .ok_or_else(|| unclear("not found".into()))?;
    let config: Value = serde_json::from_str(&config_text).map_err(|e| {
        Error::input_at(
            &path,
            e.line(),
            e.column(),
            format!("expected valid JSON: {e}"),
            "angular.json is JSON: double-quoted keys and strings, no comma after the last item",
        )
    })?;
    let projects = config
        .get("projects")
        .and_then(Value::as_object)
        .ok_or_else(|| unclear("no `projects`".into()))?;
    // The app the workspace builds: the only application, or the
    // (pre-v14) `defaultProject`.
    let apps: Vec<(&String, &Value)> = projects
        .iter()
        .filter(|(_, p)| p.get("projectType").and_then(Value::as_str) != Some("library"))
        .collect();
    let default = config.get("defaultProject").and_then(Value::as_str);
    let (name, project) = match (apps.as_slice(), default) {
        ([one], _) => *one,
        (_, Some(d)) if projects.contains_key(d) => {
            (projects.get_key_value(d).unwrap().0, &projects[d])
        }
        _ => {
            return Err(unclear(format!(
                "{} applications and no defaultProject",
                apps.len()
            )))
        }
    };
    let build = project
        .get("architect")
        .or_else(|| project.get("targets"))
        .and_then(|a| a.get("build"))
        .ok_or_else(|| unclear(format!("project `{name}` has no build target")))?;
    let builder = build.get("builder").and_then(Value::as_str).unwrap_or("");
    let application = builder.ends_with(":application");
    let at = format!("{path}:{}", line_of(&config_text, "\"outputPath\""));
    let (output, output_from) = match build.get("options").and_then(|o| o.get("outputPath")) {
        Some(Value::String(out)) => {
            let out = clean_rel(out);
            if application {
                (
                    join(&out, "browser"),
                    format!("{at} (outputPath; the application builder writes browser/)"),
                )
            } else {
                (out, at)
            }
        }
        Some(Value::Object(o)) => {
            let base = o
                .get("base")
                .and_then(Value::as_str)
                .ok_or_else(|| unclear("outputPath has no `base`".into()))?;
            let browser = o
                .get("browser")
                .and_then(Value::as_str)
                .unwrap_or("browser");
            (
                clean_rel(&join(base, browser)),
                format!("{at} (outputPath)"),
            )
        }
        Some(_) => {
            return Err(unclear(
                "outputPath is neither a string nor { base, browser }".into(),
            ))
        }
        None => {
            let out = format!("dist/{name}");
            if application {
                (
                    join(&out, "browser"),
                    "the application builder's default, dist/<project>/browser".into(),
                )
            } else {
                (out, "Angular's default, dist/<project>".into())
            }
        }
    };
    Ok(NodeApp::Static {
        framework: "Angular",
        script,
        output,
        output_from,
    })
}

/// The best probe-able health route among `candidates`.
fn best(candidates: Vec<Candidate>) -> Option<Route> {
    route::sort(candidates).0.into_iter().next()
}

/// NestJS: `nest build` writes dist/, and `start:prod` (`node dist/main`
/// in Nest's starter) runs it. `start` is `nest start`, which compiles on
/// every launch and needs the CLI, so it is not the image's command.
fn nest(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    script: &dyn Fn(&str) -> Option<String>,
    needs_build: &dyn Fn(&str, &str) -> Result<String>,
) -> Result<NodeApp> {
    let build = needs_build("NestJS", "nest build")?;
    let prod = script("start:prod").and_then(|s| shlex::split(&s));
    let (command, command_from) = match prod {
        Some(words) if words.first().is_some_and(|w| w == "node") => (
            words,
            format!(
                "{manifest}:{} (the start:prod script)",
                line_of(text, "\"start:prod\"")
            ),
        ),
        _ => {
            let (entry, from) = nest_entry(repo, dir);
            (vec!["node".into(), format!("dist/{entry}")], from)
        }
    };
    let sources = node_sources(repo, dir);
    let mut candidates = super::node_routes::nest_candidates(sources.iter().copied());
    candidates.extend(super::node_routes::candidates(sources.iter().copied()));
    Ok(NodeApp::Server {
        framework: "NestJS",
        command,
        command_from,
        build_script: Some(build),
        port: listen_port(sources.iter().copied()),
        health: best(candidates),
        output: "dist".into(),
        ships: Vec::new(),
        port_env: Vec::new(),
        host_env: None,
    })
}

/// nest-cli.json's `entryFile` (`main` by default), and where it says so.
fn nest_entry(repo: &Repo, dir: &str) -> (String, String) {
    let path = join(dir, "nest-cli.json");
    let entry = repo
        .read_text(&path)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("entryFile")?.as_str().map(str::to_string));
    match entry {
        Some(e) => (
            e,
            format!("{path} (entryFile), as `nest build` compiles it"),
        ),
        None => (
            "main".into(),
            "NestJS's entry file, dist/main.js, which `nest build` writes".into(),
        ),
    }
}

/// SvelteKit: what its adapter makes of `vite build`.
fn sveltekit(
    repo: &Repo,
    dir: &str,
    (manifest, text): (&str, &str),
    has: &dyn Fn(&str) -> bool,
    has_dependencies: bool,
    needs_build: &dyn Fn(&str, &str) -> Result<String>,
) -> Result<NodeApp> {
    static ADAPTER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['"]@sveltejs/adapter-([\w-]+)['"]"#).unwrap());
    let config = config_file(repo, dir, "svelte.config");
    // The config's import says which adapter runs; package.json may list
    // several (adapter-auto stays after a switch).
    let adapter = config
        .as_ref()
        .and_then(|(_, t)| ADAPTER.captures(t).map(|c| c[1].to_string()))
        .or_else(|| {
            ["node", "static", "auto"]
                .iter()
                .find(|a| has(&format!("@sveltejs/adapter-{a}")))
                .map(|a| a.to_string())
        });
    let option = |key: &str| config.as_ref().and_then(|(_, t)| string_option(t, key));
    let unclear = |line: usize, key: &str| {
        Error::unsupported(
            format!(
                "{}:{line}: `{key}` is set to an expression dockslim cannot read, so the output folder is unclear",
                config.as_ref().map_or(manifest, |(p, _)| p.as_str())
            ),
            format!("write `{key}` as a string literal, such as {key}: 'build'"),
        )
    };
    match adapter.as_deref() {
        Some("node") => {
            let build = needs_build("SvelteKit", "vite build")?;
            let output = match option("out") {
                Some(Ok((o, _))) => clean_rel(&o),
                Some(Err(line)) => return Err(unclear(line, "out")),
                None => "build".into(),
            };
            Ok(NodeApp::Server {
                framework: "SvelteKit",
                command: vec!["node".into(), output.clone()],
                command_from: format!("@sveltejs/adapter-node's output, {output}/index.js"),
                build_script: Some(build),
                port: Some((3000, "adapter-node's default; it reads PORT".into())),
                health: best(sveltekit_routes(repo, dir)),
                // adapter-node bundles devDependencies into the build and
                // imports `dependencies` from node_modules (none: nothing to
                // copy); package.json's `"type": "module"` makes the build's
                // .js files ES modules. The sources and .svelte-kit stay behind.
                ships: if has_dependencies {
                    vec!["package.json".into(), "node_modules".into(), output.clone()]
                } else {
                    vec!["package.json".into(), output.clone()]
                },
                output,
                port_env: vec!["PORT".into()],
                host_env: Some("HOST".into()),
            })
        }
        Some("static") => {
            let script = needs_build("SvelteKit", "vite build")?;
            let (output, output_from) = match option("pages") {
                Some(Ok((o, line))) => (
                    clean_rel(&o),
                    format!("{}:{line}", config.as_ref().unwrap().0),
                ),
                Some(Err(line)) => return Err(unclear(line, "pages")),
                None => ("build".into(), "@sveltejs/adapter-static's default".into()),
            };
            Ok(NodeApp::Static {
                framework: "SvelteKit (adapter-static)",
                script,
                output,
                output_from,
            })
        }
        other => {
            let what = match other {
                Some("auto") => "adapter-auto, which picks a deployment platform's adapter at build time and builds no server outside one".to_string(),
                Some(a) => format!("@sveltejs/adapter-{a}, which builds for its platform, not for a container"),
                None => "no adapter".to_string(),
            };
            let at = config.as_ref().map_or_else(
                || format!("{manifest}:{}", line_of(text, "\"@sveltejs/kit\"")),
                |(p, t)| format!("{p}:{}", line_of(t, "adapter")),
            );
            Err(Error::unsupported(
                format!("{at}: a SvelteKit app with {what}"),
                "install @sveltejs/adapter-node (`npm i -D @sveltejs/adapter-node`) and import it in svelte.config.js for a server, or @sveltejs/adapter-static for a static site",
            ))
        }
    }
}

/// The project's own files under `folder` (relative to the repository),
/// each with its path below the folder.
fn files_under<'r>(repo: &'r Repo, folder: &str) -> Vec<(&'r str, &'r str)> {
    let prefix = format!("{folder}/");
    repo.own_files()
        .filter_map(|f| Some((f.path.as_str(), f.path.strip_prefix(&prefix)?)))
        .collect()
}

/// SvelteKit's endpoints: `src/routes/health/+server.ts` is GET /health
/// when it exports GET; `(group)` folders add no segment.
fn sveltekit_routes(repo: &Repo, dir: &str) -> Vec<Candidate> {
    static GET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"export\s+(?:const|async\s+function|function)\s+GET\b").unwrap()
    });
    files_under(repo, &join(dir, "src/routes"))
        .into_iter()
        .filter_map(|(file, rel)| {
            let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            if !name.starts_with("+server.") {
                return None;
            }
            let path: Vec<&str> = folder
                .split('/')
                .filter(|s| !s.is_empty())
                .filter(|s| !(s.starts_with('(') && s.ends_with(')')))
                .collect();
            let text = repo.read_text(file).ok().flatten().unwrap_or_default();
            let get = GET.find(&text);
            Some(Candidate {
                route: Route {
                    path: format!("/{}", path.join("/")),
                    file: file.to_string(),
                    line: get.map_or(1, |m| text[..m.start()].matches('\n').count() + 1),
                },
                problem: get
                    .is_none()
                    .then(|| "the endpoint exports no GET".to_string()),
            })
        })
        .collect()
}

/// Nuxt's server routes: `server/api/health.ts` is /api/health,
/// `server/routes/healthz.get.ts` is GET /healthz; a method suffix other
/// than `.get` is not a GET.
fn nuxt_routes(repo: &Repo, dir: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (folder, base) in [("server/api", "/api"), ("server/routes", "")] {
        for (file, rel) in files_under(repo, &join(dir, folder)) {
            let Some((stem, _)) = rel
                .rsplit_once('.')
                .filter(|(_, ext)| matches!(*ext, "ts" | "js" | "mjs" | "mts"))
            else {
                continue;
            };
            let (stem, method) = match stem.rsplit_once('.') {
                Some((s, m)) => (s, Some(m)),
                None => (stem, None),
            };
            let stem = stem.strip_suffix("/index").unwrap_or(stem);
            let stem = if stem == "index" { "" } else { stem };
            out.push(Candidate {
                route: Route {
                    path: route::join(base, stem),
                    file: file.to_string(),
                    line: 1,
                },
                problem: method
                    .filter(|m| *m != "get")
                    .map(|m| format!("a {} route, not a GET", m.to_uppercase())),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::detect::node::{read, NodeApp};
    use crate::repo::temp_repo;

    #[test]
    fn nest_runs_dist_main_with_its_port_and_controller_health() {
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"nest build\", \"start\": \"nest start\", \"start:prod\": \"node dist/main\"},\n \"dependencies\": {\"@nestjs/core\": \"11.1.0\", \"@nestjs/common\": \"11.1.0\"}}"),
            ("src/main.ts", "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? 3000);\n}\n"),
            ("src/health.controller.ts", "@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {\n    return { status: 'ok' };\n  }\n}\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        let NodeApp::Server {
            framework,
            command,
            command_from,
            build_script,
            port,
            health,
            ..
        } = app
        else {
            panic!("{app:?}")
        };
        assert_eq!(framework, "NestJS");
        assert_eq!(command, ["node", "dist/main"]);
        assert!(command_from.contains("start:prod"), "{command_from}");
        assert_eq!(build_script.as_deref(), Some("build"));
        assert_eq!(port, Some((3000, "src/main.ts:3".into())));
        assert_eq!(health.unwrap().path, "/health");

        // Without start:prod, nest-cli.json's entryFile.
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"nest build\", \"start\": \"nest start\"}, \"dependencies\": {\"@nestjs/core\": \"11\"}}"),
            ("nest-cli.json", "{\"sourceRoot\": \"src\", \"entryFile\": \"server\"}"),
        ]);
        let app = read(&repo, "").unwrap().app;
        assert!(
            matches!(&app, NodeApp::Server { command, .. } if command == &["node", "dist/server"]),
            "{app:?}"
        );
    }

    #[test]
    fn sveltekit_by_adapter() {
        let pkg = |adapter: &str| {
            format!("{{\"type\": \"module\", \"scripts\": {{\"build\": \"vite build\"}},\n \"devDependencies\": {{\"@sveltejs/kit\": \"2\", \"{adapter}\": \"5\", \"vite\": \"6\"}}}}")
        };
        let node = pkg("@sveltejs/adapter-node").replacen(
            "\"scripts\"",
            "\"dependencies\": {\"pg\": \"8\"}, \"scripts\"",
            1,
        );
        let (_d, repo) = temp_repo(&[
            ("package.json", node.as_str()),
            ("svelte.config.js", "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n"),
            ("src/routes/(app)/+page.svelte", "<h1>hi</h1>"),
            ("src/routes/api/healthz/+server.ts", "import { json } from '@sveltejs/kit';\n\nexport const GET = () => json({ ok: true });\n"),
            ("src/routes/api/ping/+server.ts", "export const POST = () => new Response();\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        let NodeApp::Server {
            framework,
            command,
            port,
            health,
            ships,
            port_env,
            host_env,
            ..
        } = &app
        else {
            panic!("{app:?}")
        };
        assert_eq!(*framework, "SvelteKit");
        assert_eq!(command, &["node", "build"]);
        assert_eq!(port.as_ref().map(|p| p.0), Some(3000));
        let health = health.as_ref().unwrap();
        assert_eq!((health.path.as_str(), health.line), ("/api/healthz", 3));
        assert_eq!(ships, &["package.json", "node_modules", "build"]);
        assert_eq!(
            (port_env.as_slice(), host_env.as_deref()),
            (&["PORT".to_string()][..], Some("HOST"))
        );
        // Without `dependencies` the build holds every import: no node_modules.
        let bare = pkg("@sveltejs/adapter-node");
        let (_d, repo) = temp_repo(&[("package.json", bare.as_str())]);
        let app = read(&repo, "").unwrap().app;
        assert!(
            matches!(&app, NodeApp::Server { ships, .. } if ships == &["package.json", "build"]),
            "{app:?}"
        );

        let st = pkg("@sveltejs/adapter-static");
        let (_d, repo) = temp_repo(&[
            ("package.json", st.as_str()),
            ("svelte.config.js", "import adapter from '@sveltejs/adapter-static';\nexport default { kit: { adapter: adapter({\n  pages: 'public_html',\n}) } };\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        assert!(
            matches!(&app, NodeApp::Static { output, output_from, .. } if output == "public_html" && output_from == "svelte.config.js:3"),
            "{app:?}"
        );

        let auto = pkg("@sveltejs/adapter-auto");
        let (_d, repo) = temp_repo(&[
            ("package.json", auto.as_str()),
            ("svelte.config.js", "import adapter from '@sveltejs/adapter-auto';\nexport default { kit: { adapter: adapter() } };\n"),
        ]);
        let err = read(&repo, "").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("svelte.config.js:1: a SvelteKit app with adapter-auto"),
            "{err}"
        );
        assert!(err.hint().unwrap().contains("adapter-node"));
    }

    #[test]
    fn nuxt_runs_its_output_with_server_routes() {
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"nuxt build\", \"postinstall\": \"nuxt prepare\"}, \"dependencies\": {\"nuxt\": \"3.15.0\", \"vue\": \"3\"}}"),
            ("server/api/health.get.ts", "export default defineEventHandler(() => ({ ok: true }))\n"),
            ("server/routes/hook.post.ts", "export default defineEventHandler(() => 'ok')\n"),
            ("server/api/status/index.ts", "export default defineEventHandler(() => 'ok')\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        let NodeApp::Server {
            framework,
            command,
            health,
            ships,
            ..
        } = &app
        else {
            panic!("{app:?}")
        };
        assert_eq!(*framework, "Nuxt");
        assert_eq!(command, &["node", ".output/server/index.mjs"]);
        assert_eq!(health.as_ref().unwrap().path, "/api/health");
        assert_eq!(ships, &[".output"]);
        let cands = super::nuxt_routes(&repo, "");
        let mut paths: Vec<&str> = cands.iter().map(|c| c.route.path.as_str()).collect();
        paths.sort();
        assert_eq!(paths, ["/api/health", "/api/status", "/hook"]);
    }

    #[test]
    fn react_router_and_remix_serve_their_build_with_the_package_bin() {
        let pkg = "{\"type\": \"module\", \"scripts\": {\"build\": \"react-router build\", \"start\": \"react-router-serve ./build/server/index.js\"},\n \"dependencies\": {\"@react-router/node\": \"7\", \"@react-router/serve\": \"7\", \"react-router\": \"7\"}, \"devDependencies\": {\"@react-router/dev\": \"7\", \"vite\": \"6\"}}";
        let (_d, repo) = temp_repo(&[
            ("package.json", pkg),
            ("app/routes.ts", "import { type RouteConfig, index, route } from '@react-router/dev/routes';\n\nexport default [\n  index('routes/home.tsx'),\n  route('healthcheck', 'routes/healthcheck.ts'),\n] satisfies RouteConfig;\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        let NodeApp::Server {
            framework,
            command,
            health,
            ships,
            port,
            ..
        } = &app
        else {
            panic!("{app:?}")
        };
        assert_eq!(*framework, "React Router");
        assert_eq!(
            command,
            &[
                "./node_modules/.bin/react-router-serve",
                "./build/server/index.js"
            ]
        );
        assert_eq!(port.as_ref().map(|p| p.0), Some(3000));
        let health = health.as_ref().unwrap();
        assert_eq!((health.path.as_str(), health.line), ("/healthcheck", 5));
        assert_eq!(ships, &["package.json", "node_modules", "build"]);

        // A bin from a devDependency is not in the production install.
        let dev = pkg.replace("\"@react-router/serve\": \"7\", ", "").replace(
            "\"vite\": \"6\"",
            "\"vite\": \"6\", \"@react-router/serve\": \"7\"",
        );
        let (_d, repo) = temp_repo(&[("package.json", dev.as_str())]);
        let err = read(&repo, "").unwrap_err();
        assert!(
            err.to_string()
                .contains("not among the production dependencies"),
            "{err}"
        );
        assert!(err
            .hint()
            .unwrap()
            .contains("move @react-router/serve to `dependencies`"));

        // Remix's flat file routes.
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"remix build\", \"start\": \"remix-serve ./build/index.js\"}, \"dependencies\": {\"@remix-run/node\": \"2\", \"@remix-run/serve\": \"2\"}}"),
            ("app/routes/_index.tsx", ""),
            ("app/routes/api.health.ts", "export const loader = () => new Response('ok');\n"),
            ("app/routes/notes.$id.tsx", ""),
        ]);
        let app = read(&repo, "").unwrap().app;
        assert!(
            matches!(&app, NodeApp::Server { framework: "Remix", health: Some(h), ships, .. } if h.path == "/api/health" && ships.is_empty()),
            "{app:?}"
        );
    }

    #[test]
    fn angular_output_from_angular_json() {
        let pkg = (
            "package.json",
            "{\"scripts\": {\"build\": \"ng build\"}, \"dependencies\": {\"@angular/core\": \"20\"}, \"devDependencies\": {\"@angular/build\": \"20\"}}",
        );
        let config = |builder: &str, output: &str| {
            format!("{{\n  \"projects\": {{\n    \"shop\": {{\n      \"projectType\": \"application\",\n      \"architect\": {{\n        \"build\": {{\n          \"builder\": \"{builder}\",\n          \"options\": {{\n            {output}\n            \"browser\": \"src/main.ts\"\n          }}\n        }}\n      }}\n    }}\n  }}\n}}\n")
        };
        let static_output = |angular_json: String| {
            let (_d, repo) = temp_repo(&[pkg, ("angular.json", angular_json.as_str())]);
            match read(&repo, "").unwrap().app {
                NodeApp::Static {
                    framework: "Angular",
                    output,
                    output_from,
                    ..
                } => (output, output_from),
                other => panic!("{other:?}"),
            }
        };
        let (out, from) = static_output(config(
            "@angular/build:application",
            "\"outputPath\": \"dist/shop\",",
        ));
        assert_eq!(out, "dist/shop/browser");
        assert!(from.starts_with("angular.json:9"), "{from}");
        let (out, _) = static_output(config("@angular/build:application", ""));
        assert_eq!(out, "dist/shop/browser");
        let (out, _) = static_output(config(
            "@angular-devkit/build-angular:browser",
            "\"outputPath\": \"dist/shop\",",
        ));
        assert_eq!(out, "dist/shop");
        let (out, _) = static_output(config(
            "@angular/build:application",
            "\"outputPath\": { \"base\": \"www\", \"browser\": \"\" },",
        ));
        assert_eq!(out, "www");

        let (_d, repo) = temp_repo(&[(
            "package.json",
            "{\"scripts\": {\"build\": \"ng build\"}, \"dependencies\": {\"@angular/core\": \"20\", \"@angular/ssr\": \"20\"}}",
        )]);
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("@angular/ssr"));
    }
}
