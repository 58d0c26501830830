//! Decisions for Node builds: a static site served by nginx or Caddy, a
//! Next.js server from its standalone output, a Node API with production
//! dependencies only, and the frontend stage or separate frontend
//! Dockerfile of a Python repository.

use serde::Serialize;

use super::python::{Healthcheck, HealthcheckKind};
use super::{image_name, Decision, FrontendPart, Inputs, Topic};
use crate::detect::node::{
    join, major_satisfies, NodeApp, NodeManager, NodeProject, NodeVersionSays,
};
use crate::error::{Error, Result};
use crate::profile::{NodeProfile, StaticServer};

/// What a Node image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A static site served by nginx or Caddy.
    Static,
    /// A Next.js server from its standalone output.
    Next,
    /// A Node HTTP server.
    Server,
    /// A build-only stage: a Python image's frontend.
    Frontend,
}

/// Everything the Node templates need, already decided.
#[derive(Debug, Clone, Serialize)]
pub struct NodePlan {
    pub kind: NodeKind,
    pub summary: String,
    pub manager: NodeManager,
    pub builder_image: String,
    pub runtime_image: String,
    /// The build stage's working folder.
    pub workdir: String,
    /// package.json and the lock file, as COPY sources.
    pub install_copies: Vec<String>,
    /// Folders the install needs (`.yarn/releases`), as (source, dest).
    pub install_dirs: Vec<(String, String)>,
    pub corepack: Option<String>,
    pub install: String,
    pub cache_dir: String,
    pub cache_mounts: bool,
    pub npmrc: bool,
    pub npmrc_path: String,
    /// What the build stage copies after the install (`.` or `frontend/`).
    pub source: String,
    pub build_env: Vec<(String, String)>,
    /// Carried RUN steps that run before the build.
    pub build_steps: Vec<String>,
    pub build: Option<String>,
    /// Drops devDependencies after a server's build.
    pub prune: Option<String>,
    /// The build output, as an absolute path in the build stage.
    pub output: String,
    /// What serves the app: `nginx`, `caddy` or `node`.
    pub server: &'static str,
    /// The static server's config file, as a COPY source.
    pub server_config: Option<String>,
    /// The folder of hashed assets, cached for a year.
    pub assets_dir: String,
    pub dist_dir: String,
    pub has_public: bool,
    pub user: String,
    pub port: u16,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub volumes: Vec<String>,
    pub stopsignal: Option<String>,
    /// System packages the install needs (compilers for native modules).
    pub build_packages: Vec<String>,
    pub runtime_packages: Vec<String>,
    pub runtime_steps: Vec<String>,
    pub healthcheck: Healthcheck,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Vec<String>,
    /// How to build a Dockerfile that is not the default one.
    pub build_hint: Option<String>,
}

/// A file dockslim writes besides the Dockerfile (nginx.conf, Caddyfile).
#[derive(Debug, Clone, Serialize)]
pub struct ServerConfig {
    /// Repository-relative path.
    pub path: String,
    /// The template under templates/files/ that renders it.
    pub template: &'static str,
}

fn decide(
    decisions: &mut Vec<Decision>,
    file: &str,
    topic: Topic,
    choice: impl Into<String>,
    reason: impl Into<String>,
    fixes: Vec<crate::rules::RuleId>,
) {
    decisions.push(Decision {
        file: file.to_string(),
        topic,
        choice: choice.into(),
        reason: reason.into(),
        fixes,
    });
}

fn node_profile<'a>(inputs: &'a Inputs) -> &'a NodeProfile {
    &inputs.profile.node
}

/// The Node release line: the configuration, a pinned version file, the
/// engines range, or the profile's default, in that order.
pub(crate) fn version(
    inputs: &Inputs,
    node: &NodeProject,
    dockerfile: Option<(u32, usize)>,
) -> Result<(String, String)> {
    let profile = node_profile(inputs);
    if let Some(v) = &inputs.config.node {
        return Ok((v.clone(), "set in the configuration".into()));
    }
    let range = node.version_evidence.iter().find_map(|e| match &e.says {
        NodeVersionSays::Range(r) => Some((r.clone(), format!("{}:{}", e.file, e.line))),
        _ => None,
    });
    let newest = profile.supported.last().cloned().unwrap_or_default();
    if let Some(pin) = node
        .version_evidence
        .iter()
        .find(|e| !matches!(e.says, NodeVersionSays::Range(_)))
    {
        let (major, what) = match &pin.says {
            NodeVersionSays::Major(m) => (m.to_string(), format!("says {m}")),
            NodeVersionSays::Lts => (profile.default_version.clone(), "says lts/*".into()),
            _ => (newest.clone(), "asks for the newest release".into()),
        };
        let mut reason = format!("{}:{} {what}", pin.file, pin.line);
        if !profile.supported.contains(&major) {
            reason.push_str(&format!(
                " (not a maintained line: {}; upgrade when you can)",
                profile.supported.join(", ")
            ));
        }
        if let Some((r, at)) = &range {
            if major.parse().ok().and_then(|m| major_satisfies(r, m)) == Some(false) {
                reason.push_str(&format!(
                    "; engines.node `{r}` at {at} disagrees, and the pinned file wins"
                ));
            }
        }
        return Ok((major, reason));
    }
    if let (Some((major, line)), Some(df)) = (dockerfile, inputs.dockerfile) {
        let mut reason = format!("the existing Dockerfile builds on it ({}:{line})", df.path);
        if !profile.supported.contains(&major.to_string()) {
            reason.push_str(&format!(
                " (not a maintained line: {}; upgrade when you can)",
                profile.supported.join(", ")
            ));
        }
        if let Some((r, at)) = &range {
            if major_satisfies(r, major) == Some(false) {
                reason.push_str(&format!(
                    "; engines.node `{r}` at {at} disagrees, and the image that runs today wins"
                ));
            }
        }
        return Ok((major.to_string(), reason));
    }
    if let Some((r, at)) = range {
        let fits = |v: &String| {
            v.parse()
                .ok()
                .and_then(|m| major_satisfies(&r, m))
                .unwrap_or(false)
        };
        if fits(&profile.default_version) {
            return Ok((
                profile.default_version.clone(),
                format!("engines.node `{r}` at {at} allows the current LTS"),
            ));
        }
        if let Some(v) = profile.supported.iter().rev().find(|v| fits(v)) {
            return Ok((
                v.clone(),
                format!("the newest line engines.node `{r}` at {at} allows"),
            ));
        }
        return Err(Error::Unsupported(format!(
            "{at}: engines.node `{r}` allows none of the maintained Node lines ({}); set `node` in dockslim.yaml to the line you run",
            profile.supported.join(", ")
        )));
    }
    Ok((
        profile.default_version.clone(),
        "the current LTS; no .nvmrc, .node-version, volta pin or engines.node says otherwise"
            .into(),
    ))
}

/// The install part of a NodePlan, shared by every kind.
struct Install {
    copies: Vec<String>,
    dirs: Vec<(String, String)>,
    corepack: Option<String>,
    install: String,
    production_install: String,
    prune: String,
    cache_dir: String,
}

fn install(inputs: &Inputs, node: &NodeProject, prefix: &str, cache_mounts: bool) -> Install {
    let m = node.manager;
    let mut copies = vec![
        format!("{prefix}package.json"),
        format!("{prefix}{}", node.lock_file),
    ];
    let mut dirs = Vec::new();
    for f in &node.install_files {
        if f.ends_with('/') {
            dirs.push((format!("{prefix}{f}"), f.clone()));
        } else {
            copies.push(format!("{prefix}{f}"));
        }
    }
    let corepack = m.needs_corepack().then(|| match &node.manager_pin {
        Some(_) => "corepack enable".to_string(),
        None => {
            let pin = match m {
                NodeManager::Pnpm => &inputs.profile.node.corepack.pnpm,
                _ => &inputs.profile.node.corepack.yarn,
            };
            format!("corepack enable && corepack prepare {pin} --activate")
        }
    });
    let store = |cmd: &str| {
        if m == NodeManager::Pnpm && cache_mounts {
            format!("{cmd} --store-dir {}", m.cache_dir())
        } else {
            cmd.to_string()
        }
    };
    let prune = match m {
        NodeManager::Npm => "npm prune --omit=dev".to_string(),
        NodeManager::YarnClassic => {
            "yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline".into()
        }
        NodeManager::YarnBerry => "yarn workspaces focus --all --production".into(),
        NodeManager::Pnpm => store("pnpm prune --prod"),
    };
    Install {
        copies,
        dirs,
        corepack,
        install: store(m.locked_install()),
        production_install: store(m.production_install()),
        prune,
        cache_dir: m.cache_dir().to_string(),
    }
}

/// What the existing Dockerfile's final stage says, for a Node project.
#[derive(Default)]
struct Carried {
    env: Vec<(String, String)>,
    args: Vec<String>,
    labels: Vec<(String, String)>,
    volumes: Vec<String>,
    stopsignal: Option<String>,
    expose: Option<(u16, usize)>,
    env_port: Option<(u16, usize)>,
    /// A CMD or ENTRYPOINT that already runs node, kept.
    node_command: Option<(Option<Vec<String>>, Vec<String>)>,
    /// The old command, when replaced, with its line.
    old_command: Option<(String, usize)>,
    build_packages: Vec<String>,
    runtime_packages: Vec<String>,
    steps: Vec<String>,
    /// The Node line of the first `FROM node:<major>` and its line.
    node_major: Option<(u32, usize)>,
}

pub(crate) fn healthcheck_timing(inputs: &Inputs, command: Vec<String>) -> Healthcheck {
    let t = &inputs.profile.healthcheck;
    Healthcheck {
        kind: HealthcheckKind::Cmd,
        command,
        interval: t.interval.clone(),
        timeout: t.timeout.clone(),
        start_period: t.start_period.clone(),
        retries: t.retries,
    }
}

/// A probe with Node's own fetch (slim images have no curl), or a TCP
/// connect when the app has no health route.
pub(crate) fn node_probe(port: u16, path: Option<&str>) -> Vec<String> {
    let script = match path {
        Some(path) => format!(
            "fetch('http://127.0.0.1:{port}{path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
        ),
        None => format!(
            "require('net').connect({port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
        ),
    };
    vec!["node".into(), "-e".into(), script]
}

fn static_probe(server: StaticServer, port: u16, path: &str) -> Vec<String> {
    match server {
        // The nginx image has no curl or wget; bash's /dev/tcp asks for the
        // path and checks the status line.
        StaticServer::Nginx => vec![
            "bash".into(),
            "-c".into(),
            format!("exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"),
        ],
        StaticServer::Caddy => vec![
            "wget".into(),
            "-q".into(),
            "--spider".into(),
            format!("http://127.0.0.1:{port}{path}"),
        ],
    }
}

/// The HEALTHCHECK: off when the configuration says `none`, the route it
/// names, else the route found (`probe(None)` when there is none).
fn health(
    inputs: &Inputs,
    decisions: &mut Vec<Decision>,
    file: &str,
    probe: impl Fn(Option<&str>) -> Vec<String>,
    found: Option<&str>,
    why: String,
) -> Healthcheck {
    let (command, why) = match inputs.config.health.as_deref() {
        Some("none") => {
            decide(
                decisions,
                file,
                Topic::Healthcheck,
                "none",
                "switched off in the configuration",
                vec![],
            );
            return Healthcheck {
                kind: HealthcheckKind::Off,
                ..healthcheck_timing(inputs, vec![])
            };
        }
        Some(route) => (probe(Some(route)), "set in the configuration".to_string()),
        None => (probe(found), why),
    };
    decide(
        decisions,
        file,
        Topic::Healthcheck,
        command.join(" "),
        why,
        inputs.fixes(&[crate::rules::RuleId::DS501]),
    );
    healthcheck_timing(inputs, command)
}

/// The assets folder a framework fingerprints its files in.
fn assets_dir(framework: &str) -> &'static str {
    match framework {
        "Create React App" | "Gatsby" => "static",
        "Astro" => "_astro",
        "Next.js (static export)" => "_next",
        "Vue CLI" => "js",
        _ => "assets",
    }
}

/// The config file for the static server: `nginx.conf` (or `Caddyfile`)
/// beside package.json, or under docker/ when a file of that name exists
/// and is someone else's.
pub fn server_config_path(inputs: &Inputs, dir: &str, server: StaticServer) -> Result<String> {
    let name = match server {
        StaticServer::Nginx => "nginx.conf",
        StaticServer::Caddy => "Caddyfile",
    };
    for candidate in [join(dir, name), join(dir, &format!("docker/{name}"))] {
        match inputs.repo.read_text(&candidate)? {
            None => return Ok(candidate),
            Some(t) if t.contains("Written by dockslim") => return Ok(candidate),
            Some(_) => {}
        }
    }
    Err(Error::Unsupported(format!(
        "{} and {} exist and were not written by dockslim; move one away so dockslim can write the static server's config",
        join(dir, name),
        join(dir, &format!("docker/{name}"))
    )))
}

/// The plan for a repository whose root is a Node project.
pub fn plan(
    inputs: &Inputs,
    node: &NodeProject,
    decisions: &mut Vec<Decision>,
    changed: &mut Vec<String>,
) -> Result<(NodePlan, Option<ServerConfig>)> {
    let carried = Carried::default();
    let at = Placement {
        prefix: "",
        workdir: "/app",
        serves: true,
    };
    let (mut plan, config) = stage(inputs, node, at, decisions, Some(&carried), changed)?;
    plan.args = carried.args.clone();
    if !plan.args.is_empty() && plan.kind != NodeKind::Server {
        changed.push(format!(
            "ARG {} in the build stage, where {} reads build arguments",
            plan.args
                .iter()
                .map(|a| a.split('=').next().unwrap_or(a))
                .collect::<Vec<_>>()
                .join(", "),
            if plan.kind == NodeKind::Next {
                "next build"
            } else {
                "the site's build"
            }
        ));
    }
    Ok((plan, config))
}

/// Where a Node stage sits: the project's folder in the build context
/// (`frontend/`, or empty), the stage's working folder, and whether the
/// image serves the app (a build-only stage does not).
struct Placement<'a> {
    prefix: &'a str,
    workdir: &'a str,
    serves: bool,
}

/// The NodePlan for `node` built in `workdir`, its files under `prefix` of
/// the build context.
fn stage(
    inputs: &Inputs,
    node: &NodeProject,
    at: Placement,
    decisions: &mut Vec<Decision>,
    carried: Option<&Carried>,
    changed: &mut Vec<String>,
) -> Result<(NodePlan, Option<ServerConfig>)> {
    let Placement {
        prefix,
        workdir,
        serves,
    } = at;
    let file = "Dockerfile";
    let profile = node_profile(inputs);
    let empty = Carried::default();
    let c = carried.unwrap_or(&empty);
    let (version, version_reason) = version(inputs, node, c.node_major)?;
    let builder_public = profile.image.replace("{version}", &version);
    let builder_image = image_name(inputs.config, &builder_public);
    decide(
        decisions,
        file,
        Topic::NodeImage,
        builder_image.clone(),
        format!("Node {version}: {version_reason}; the slim Debian image has no compilers or docs"),
        inputs.fixes(&[crate::rules::RuleId::DS402]),
    );
    let cache_mounts = inputs
        .config
        .cache_mounts
        .unwrap_or(inputs.profile.cache_mounts);
    let inst = install(inputs, node, prefix, cache_mounts);
    decide(
        decisions,
        file,
        Topic::Install,
        inst.install.clone(),
        format!(
            "{} ({}): installs exactly what the lock file pins and fails if package.json and the lock disagree; only package.json and the lock are copied first, so the install layer is reused until they change{}",
            node.manager.name(),
            node.manager_from,
            if cache_mounts { "; downloads stay in a BuildKit cache mount, out of the layers" } else { "" }
        ),
        inputs.fixes(&[crate::rules::RuleId::DS201, crate::rules::RuleId::DS302]),
    );
    if node.npmrc {
        decide(
            decisions,
            file,
            Topic::Npmrc,
            "mounted as the build secret `npmrc`",
            format!("{} may hold a registry token: it is excluded from the context and mounted only for the install (docker build --secret id=npmrc,src={})", node.path(".npmrc"), node.path(".npmrc")),
            inputs.fixes(&[crate::rules::RuleId::DS101]),
        );
    }
    let source = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.to_string()
    };
    let mut plan = NodePlan {
        kind: NodeKind::Static,
        summary: String::new(),
        manager: node.manager,
        runtime_image: builder_image.clone(),
        builder_image,
        workdir: workdir.to_string(),
        install_copies: inst.copies,
        install_dirs: inst.dirs,
        corepack: inst.corepack,
        install: inst.install.clone(),
        cache_dir: inst.cache_dir,
        cache_mounts,
        npmrc: node.npmrc,
        npmrc_path: node.path(".npmrc"),
        source,
        build_env: Vec::new(),
        build_steps: Vec::new(),
        build: None,
        prune: None,
        output: String::new(),
        server: "node",
        server_config: None,
        assets_dir: "assets".into(),
        dist_dir: ".next".into(),
        has_public: node.has_public,
        // The official image's `node` user, by UID so runAsNonRoot can check it.
        user: "1000:1000".into(),
        port: 3000,
        env: Vec::new(),
        args: Vec::new(),
        labels: c.labels.clone(),
        volumes: c.volumes.clone(),
        stopsignal: c.stopsignal.clone(),
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        runtime_steps: Vec::new(),
        healthcheck: healthcheck_timing(inputs, vec![]),
        entrypoint: None,
        cmd: Vec::new(),
        build_hint: None,
    };
    if !c.build_packages.is_empty() {
        plan.build_packages = c.build_packages.clone();
        decide(
            decisions,
            file,
            Topic::BuildPackages,
            c.build_packages.join(" "),
            "the existing Dockerfile installs them, as native modules need them to compile; they stay in the stage that installs, never in the image",
            inputs.fixes(&[crate::rules::RuleId::DS301]),
        );
    }
    let mut config = None;
    match &node.app {
        NodeApp::Static {
            framework,
            script,
            output,
            output_from,
        } => {
            let server = profile.static_server;
            plan.kind = NodeKind::Static;
            plan.build = Some(node.manager.run(script));
            plan.build_env = c.env.clone();
            plan.build_steps = c.steps.clone();
            plan.output =
                crate::detect::node::normalize_path(&join(workdir.trim_start_matches('/'), output))
                    .map(|p| format!("/{p}"))
                    .unwrap_or_else(|| format!("{workdir}/{output}"));
            plan.assets_dir = assets_dir(framework).into();
            plan.port = inputs.config.port.unwrap_or(profile.static_port);
            plan.summary = format!(
                "{framework} site {}, built with {}, served by {}",
                node.name.clone().unwrap_or_else(|| node.manifest()),
                node.manager.name(),
                match server {
                    StaticServer::Nginx => "nginx",
                    StaticServer::Caddy => "Caddy",
                }
            );
            decide(decisions, file, Topic::Build, plan.build.clone().unwrap_or_default(), format!("the `{script}` script of {}; {framework} writes the site to {output} ({output_from})", node.manifest()), vec![]);
            let (image, user, cmd, server_name, template) = match server {
                StaticServer::Nginx => (
                    &profile.nginx.image,
                    format!("{0}:{0}", profile.nginx.uid),
                    vec![
                        "nginx".to_string(),
                        "-e".into(),
                        "stderr".into(),
                        "-g".into(),
                        "daemon off;".into(),
                    ],
                    "nginx",
                    "files/nginx.conf.j2",
                ),
                StaticServer::Caddy => (
                    &profile.caddy.image,
                    format!("{0}:{0}", inputs.profile.user.uid),
                    vec![
                        "caddy".to_string(),
                        "run".into(),
                        "--config".into(),
                        "/etc/caddy/Caddyfile".into(),
                        "--adapter".into(),
                        "caddyfile".into(),
                    ],
                    "caddy",
                    "files/Caddyfile.j2",
                ),
            };
            plan.server = server_name;
            plan.runtime_image = image_name(inputs.config, image);
            plan.user = user;
            plan.cmd = cmd;
            // A build-only stage (a Python image's frontend) serves nothing.
            let path = if serves {
                server_config_path(inputs, &node.dir, server)?
            } else {
                String::new()
            };
            plan.server_config = Some(
                path.strip_prefix(&format!("{}/", node.dir))
                    .filter(|_| prefix.is_empty() && !node.dir.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| path.clone()),
            );
            decide(
                decisions,
                file,
                Topic::Runtime,
                format!("{} as {}, port {}", plan.runtime_image, plan.user, plan.port),
                format!("a static site needs a file server, not Node: the image holds {server_name} and the built files only; {path} answers unknown paths with index.html so client-side routes work on reload, and runs without root (port {} instead of 80)", plan.port),
                inputs.fixes(&[crate::rules::RuleId::DS312, crate::rules::RuleId::DS401, crate::rules::RuleId::DS502]),
            );
            decide(
                decisions,
                &path,
                Topic::StaticServer,
                format!("{server_name} on port {}, unknown paths -> /index.html", plan.port),
                format!("runs as a non-root user (pid and temporary files in /tmp), answers client-side routes with index.html so a reload does not 404, and caches the hashed files in /{}/ for a year", plan.assets_dir),
                vec![],
            );
            config = Some(ServerConfig { path, template });
            let port = plan.port;
            plan.healthcheck = health(
                inputs,
                decisions,
                file,
                |path| static_probe(server, port, path.unwrap_or("/")),
                None,
                format!("asks {server_name} for / with what the image has (no curl in it)"),
            );
            if let Some((old, line)) = &c.old_command {
                changed.push(format!(
                    "CMD `{old}` (line {line}) -> {server_name} serving the built files"
                ));
            }
            if let Some((old, line)) = c.expose {
                if old != plan.port {
                    changed.push(format!("EXPOSE {old} (line {line}) -> {}: {server_name} listens there as a non-root user", plan.port));
                }
            }
            if !c.runtime_packages.is_empty() {
                changed.push(format!(
                    "{} (installed by the old Dockerfile) not installed: the image only serves files",
                    c.runtime_packages.join(" ")
                ));
            }
            if server == StaticServer::Nginx && c.stopsignal.is_none() {
                plan.stopsignal = Some("SIGQUIT".into());
                changed.push(
                    "STOPSIGNAL SIGQUIT: nginx finishes the requests in flight before it stops"
                        .into(),
                );
            }
            if !c.env.is_empty() {
                changed.push(format!(
                    "ENV {} moved to the build stage: a static site reads its environment at build time",
                    c.env.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        NodeApp::NextServer {
            script,
            dist_dir,
            health_path,
            ..
        } => {
            plan.kind = NodeKind::Next;
            plan.build = Some(node.manager.run(script));
            plan.build_env = vec![("NEXT_TELEMETRY_DISABLED".into(), "1".into())];
            plan.build_env
                .extend(c.env.iter().filter(|(k, _)| k != "PORT").cloned());
            plan.build_steps = c.steps.clone();
            plan.env = c
                .env
                .iter()
                .filter(|(k, _)| k != "PORT" && k != "HOSTNAME")
                .cloned()
                .collect();
            plan.dist_dir = dist_dir.clone();
            plan.runtime_packages = c.runtime_packages.clone();
            plan.output = format!("{workdir}/{dist_dir}");
            plan.port = port(inputs, c, None, decisions, file);
            plan.cmd = vec!["node".into(), "server.js".into()];
            plan.summary = format!(
                "Next.js app {}, built with {}, run from its standalone output",
                node.name.clone().unwrap_or_else(|| node.manifest()),
                node.manager.name()
            );
            decide(decisions, file, Topic::Runtime, format!("{} as node (1000), `node server.js`", plan.runtime_image), "Next.js's standalone output holds the server and only the node_modules files it traces as used; the image gets it, .next/static and public/, never the full node_modules or the sources", inputs.fixes(&[crate::rules::RuleId::DS311, crate::rules::RuleId::DS401, crate::rules::RuleId::DS502]));
            let path = health_path.as_deref().unwrap_or("/");
            let port = plan.port;
            plan.healthcheck = health(
                inputs,
                decisions,
                file,
                |p| node_probe(port, p),
                Some(path),
                format!("GET {path} with Node's fetch (slim images have no curl)"),
            );
            if let Some((old, line)) = &c.old_command {
                changed.push(format!(
                    "CMD `{old}` (line {line}) -> `node server.js` from the standalone output"
                ));
            }
        }
        NodeApp::Server {
            framework,
            command,
            command_from,
            build_script,
            port: code_port,
            health_path,
        } => {
            plan.kind = NodeKind::Server;
            plan.install = inst.production_install.clone();
            if let Some(script) = build_script {
                plan.install = inst.install.clone();
                plan.build = Some(node.manager.run(script));
                plan.prune = Some(inst.prune.clone());
                plan.build_env = c.env.clone();
            }
            plan.env = c.env.clone();
            plan.runtime_packages = c.runtime_packages.clone();
            plan.runtime_steps = c.steps.clone();
            plan.port = port(inputs, c, code_port.as_ref(), decisions, file);
            let (entrypoint, cmd, why) = match (&inputs.config.command, &c.node_command) {
                (Some(cmd), _) => (None, cmd.words(), "set in the configuration".to_string()),
                (None, Some((e, cmd))) => (e.clone(), cmd.clone(), "kept from the existing Dockerfile".into()),
                (None, None) => (None, command.clone(), format!("{command_from}, run directly so node is PID 1 and gets docker stop's SIGTERM")),
            };
            if let (Some((old, line)), None) = (&c.old_command, &inputs.config.command) {
                changed.push(format!(
                    "CMD `{old}` (line {line}) -> `{}`: node runs directly, without npm in between",
                    cmd.join(" ")
                ));
            }
            plan.entrypoint = entrypoint;
            plan.cmd = cmd;
            plan.summary = format!(
                "{framework} server {}, production dependencies installed with {}",
                node.name.clone().unwrap_or_else(|| node.manifest()),
                node.manager.name()
            );
            decide(
                decisions,
                file,
                Topic::Command,
                plan.cmd.join(" "),
                why,
                vec![],
            );
            decide(
                decisions,
                file,
                Topic::Dependencies,
                match &plan.prune {
                    Some(p) => format!("{} then {p}", plan.install),
                    None => plan.install.clone(),
                },
                format!(
                    "{} devDependencies stay out of the image",
                    node.dev_dependencies.len()
                ),
                inputs.fixes(&[crate::rules::RuleId::DS304]),
            );
            let port = plan.port;
            let why = match health_path {
                Some(p) => format!("GET {p}, a route the code defines, with Node's fetch (slim images have no curl)"),
                None => format!("no health route found in the code, so a TCP connect to port {}; set `health` to a route for a real check", plan.port),
            };
            plan.healthcheck = health(
                inputs,
                decisions,
                file,
                |p| node_probe(port, p),
                health_path.as_deref(),
                why,
            );
        }
    }
    Ok((plan, config))
}

fn port(
    inputs: &Inputs,
    c: &Carried,
    code: Option<&(u16, String)>,
    decisions: &mut Vec<Decision>,
    file: &str,
) -> u16 {
    let (port, why) = if let Some(p) = inputs.config.port {
        (p, "set in the configuration".to_string())
    } else if let Some((p, line)) = c.env_port {
        (
            p,
            format!("ENV PORT at line {line} of the existing Dockerfile"),
        )
    } else if let Some((p, line)) = c.expose {
        (p, format!("the existing EXPOSE at line {line}"))
    } else if let Some((p, at)) = code {
        (
            *p,
            format!("the port the code listens on by default ({at})"),
        )
    } else {
        (3000, "Node's usual default".to_string())
    };
    decide(decisions, file, Topic::Port, port.to_string(), why, vec![]);
    port
}

/// The build-only stage that makes a Python image's frontend.
pub fn frontend_stage(
    inputs: &Inputs,
    frontend: &crate::detect::Frontend,
    decisions: &mut Vec<Decision>,
) -> Result<NodePlan> {
    let node = &frontend.node;
    let prefix = format!("{}/", node.dir);
    let workdir = format!("/build/{}", node.dir);
    let mut scratch = Vec::new();
    let at = Placement {
        prefix: &prefix,
        workdir: &workdir,
        serves: false,
    };
    let (mut plan, _) = stage(inputs, node, at, &mut scratch, None, &mut Vec::new())?;
    plan.kind = NodeKind::Frontend;
    for d in scratch {
        if let Some(part) = FrontendPart::of(&d.topic) {
            decisions.push(Decision {
                topic: Topic::FrontendStage(part),
                ..d
            });
        }
    }
    Ok(plan)
}

/// A separate Dockerfile for a Python repository's static frontend, built
/// from the repository root.
pub fn separate_frontend(
    inputs: &Inputs,
    frontend: &crate::detect::Frontend,
    dockerfile: &str,
    decisions: &mut Vec<Decision>,
) -> Result<(NodePlan, ServerConfig)> {
    let node = &frontend.node;
    let context_dir = dockerfile.rsplit_once('/').map_or("", |(d, _)| d);
    let prefix = match node.dir.strip_prefix(context_dir) {
        Some(rest) if context_dir.is_empty() => format!("{rest}/"),
        Some(rest) if rest.starts_with('/') => format!("{}/", &rest[1..]),
        Some("") => String::new(),
        _ => {
            return Err(Error::Usage(format!(
                "frontend-dockerfile = `{dockerfile}`: its folder (the build context) must contain the frontend folder {}",
                node.dir
            )))
        }
    };
    let mut scratch = Vec::new();
    let at = Placement {
        prefix: &prefix,
        workdir: "/app",
        serves: true,
    };
    let (mut plan, config) = stage(inputs, node, at, &mut scratch, None, &mut Vec::new())?;
    for d in scratch {
        let file = if d.file == "Dockerfile" {
            dockerfile.to_string()
        } else {
            d.file
        };
        decisions.push(Decision { file, ..d });
    }
    plan.build_hint = Some(format!(
        "docker build -f {dockerfile} {}",
        if context_dir.is_empty() {
            "."
        } else {
            context_dir
        }
    ));
    let config = config.expect("a static site has a server config");
    Ok((plan, config))
}
