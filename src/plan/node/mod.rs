//! Decisions for Node builds: a static site served by nginx or Caddy, a
//! Next.js server from its standalone output, a Node API with production
//! dependencies only, and the frontend stage or separate frontend
//! Dockerfile of a Python repository. Every kind starts from the same
//! stage, planned here; each concern has its module:
//! - `image`: which Node line, and the build stage's image;
//! - `install`: the package manager's locked (or resolving) install, the
//!   .npmrc secret;
//! - `static_site`: a static site's build, the nginx or Caddy image that
//!   serves it, and that server's config file;
//! - `next`: a Next.js server run from its standalone output;
//! - `server`: a Node API's dependencies and build;
//! - `command`: a Node server's port and command;
//! - `health`: the HEALTHCHECK probes;
//! - `frontend`: a Python repository's frontend, as a stage of its image or
//!   a Dockerfile of its own.

mod command;
mod development;
mod frontend;
mod health;
mod image;
mod install;
mod next;
mod server;
mod static_site;

use serde::Serialize;

use super::python::Healthcheck;
use super::{Decision, Inputs, Topic};
use crate::detect::node::{NodeApp, NodeManager, NodeProject};
use crate::error::Result;

pub use frontend::{frontend_stage, separate_frontend};
pub(crate) use health::{bun_probe, healthcheck_timing, next_probe, node_probe};
pub(crate) use image::version;
pub(crate) use install::run_script;
pub use static_site::server_config_path;

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
    /// Why `install` installs everything and prunes, in a server with no
    /// build: a lifecycle script that needs a devDependency.
    pub dev_install_script: Option<String>,
    /// The install runs on the whole source, which package.json's install
    /// scripts may read: the source is not copied again after it. A server
    /// without a build then takes the deps stage's /app (what the scripts
    /// wrote included); with a build, the runtime takes what it always
    /// does (the pruned tree, or only `ships`).
    pub source_first: bool,
    /// The command that writes the missing lock file (`npm install`); None
    /// when the project commits one.
    pub lock_command: Option<String>,
    pub cache_dir: String,
    pub cache_mounts: bool,
    pub npmrc: bool,
    pub npmrc_path: String,
    /// What the build stage copies after the install (`.` or `frontend/`).
    pub source: String,
    /// In a workspace, what it copies instead, as (source, dest): the root
    /// files the build reads, the member's folder and its workspace
    /// packages' folders, at their own paths.
    pub sources: Vec<(String, String)>,
    /// The app's folder under the workdir with a trailing slash
    /// (`apps/web/` for a workspace member), else empty.
    pub app_path: String,
    /// A Next.js app's folder inside its standalone output, with a
    /// trailing slash (`apps/web/` when traced from a workspace root), else
    /// empty: where the runtime puts server.js, the static files and public/.
    pub standalone_path: String,
    pub build_env: Vec<(String, String)>,
    pub build: Option<String>,
    /// Drops devDependencies after a server's build.
    pub prune: Option<String>,
    /// A pnpm workspace server's `pnpm deploy`: the member's files and its
    /// production node_modules (workspace packages included) gathered into
    /// /out, which the runtime stage copies whole.
    pub deploy: Option<String>,
    /// An npm or Yarn workspace server's folder in the image, where it
    /// runs: the runtime stage copies the build stage's whole workdir (the
    /// root's node_modules, the member, its workspace packages) and works
    /// in the member's folder. Empty otherwise.
    pub run_dir: String,
    /// What a built server's runtime stage takes from the build stage,
    /// relative to the workdir; empty for the whole (pruned) workdir.
    pub ships: Vec<String>,
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
    /// What runs the server, which is also the name of its image's
    /// non-root user: `node` on node images, `bun` on oven/bun.
    pub program: &'static str,
    /// Folders a server's code writes, made and given to `program`'s user.
    pub writable_dirs: Vec<String>,
    pub port: u16,
    pub env: Vec<(String, String)>,
    pub stopsignal: Option<String>,
    pub healthcheck: Healthcheck,
    pub cmd: Vec<String>,
    /// How to build a Dockerfile that is not the default one.
    pub build_hint: Option<String>,
    /// The development target's stage (`targets: [development]`), placed
    /// before the runtime stage, which stays last.
    pub development: Option<development::NodeDevelopment>,
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

/// Where a Node stage sits: the project's folder in the build context
/// (`frontend/`, or empty), the stage's working folder, and whether the
/// image serves the app (a build-only stage does not).
#[derive(Clone, Copy)]
struct Placement<'a> {
    prefix: &'a str,
    workdir: &'a str,
    serves: bool,
}

/// What every part of a stage's plan reads, and where its decisions go.
struct Stage<'a> {
    inputs: &'a Inputs<'a>,
    node: &'a NodeProject,
    at: Placement<'a>,
    decisions: &'a mut Vec<Decision>,
}

impl Stage<'_> {
    /// A decision about the stage's Dockerfile.
    fn decide(
        &mut self,
        topic: Topic,
        choice: impl Into<String>,
        reason: impl Into<String>,
        fixes: Vec<crate::rules::RuleId>,
    ) {
        decide(self.decisions, "Dockerfile", topic, choice, reason, fixes);
    }
}

/// The plan for a repository whose root is a Node project.
pub fn plan(
    inputs: &Inputs,
    node: &NodeProject,
    decisions: &mut Vec<Decision>,
) -> Result<(NodePlan, Option<ServerConfig>)> {
    let at = Placement {
        prefix: "",
        workdir: "/app",
        serves: true,
    };
    stage(inputs, node, at, decisions)
}

/// The NodePlan for `node` built in `at.workdir`, its files under
/// `at.prefix` of the build context: the image and the install every kind
/// shares, then what its kind builds and runs.
fn stage(
    inputs: &Inputs,
    node: &NodeProject,
    at: Placement,
    decisions: &mut Vec<Decision>,
) -> Result<(NodePlan, Option<ServerConfig>)> {
    let mut st = Stage {
        inputs,
        node,
        at,
        decisions,
    };
    let builder_image = image::builder_image(&mut st)?;
    let cache_mounts = inputs
        .config
        .cache_mounts
        .unwrap_or(inputs.profile.cache_mounts);
    let inst = install::install(inputs, node, at.prefix, cache_mounts);
    install::decide_install(&mut st, &inst, cache_mounts);
    let mut plan = common_plan(&st, builder_image, &inst, cache_mounts);
    install::source_first(&mut st, &mut plan);
    let config = by_kind(&mut st, &mut plan, &inst)?;
    // Only an image that serves the app gets one; a Python image's
    // frontend stage only builds.
    if at.serves && inputs.config.wants(crate::config::Target::Development) {
        plan.development = Some(development::plan(&mut st, &plan, &inst)?);
    }
    Ok((plan, config))
}

/// What the stage's kind builds and runs: a static site, a Next.js server
/// or a Node server; the static server's config file for a static site.
fn by_kind(
    st: &mut Stage,
    plan: &mut NodePlan,
    inst: &install::Install,
) -> Result<Option<ServerConfig>> {
    let node = st.node;
    Ok(match &node.app {
        NodeApp::Static {
            framework,
            script,
            output,
            output_from,
        } => Some(static_site::plan(
            st,
            plan,
            framework,
            script,
            output,
            output_from,
        )?),
        NodeApp::NextServer {
            script,
            dist_dir,
            health,
            standalone_dir,
            ..
        } => {
            plan.standalone_path = match standalone_dir.as_str() {
                "" => String::new(),
                d => format!("{d}/"),
            };
            next::plan(st, plan, script, dist_dir, health.as_ref());
            None
        }
        NodeApp::Server {
            framework,
            command,
            command_from,
            build_script,
            port,
            health,
            output,
            ships,
            port_env,
            host_env,
        } => {
            server::dependencies(st, plan, inst, build_script.as_deref())?;
            if node.workspace.is_some() && node.manager == NodeManager::Pnpm {
                server::deploy(st, plan, inst);
            } else if node.workspace.is_some() {
                server::workspace_tree(st, plan, inst);
            } else {
                server::ships(st, plan, output, ships);
            }
            plan.port = command::port(st, port.as_ref());
            command::listen_env(st, plan, port_env, host_env.as_deref());
            command::server_command(st, plan, command, command_from);
            server::finish(st, plan, framework, health.as_ref());
            None
        }
    })
}

/// What every kind of stage starts from: the image and the install; each
/// kind then fills in its build and what it runs.
fn common_plan(
    st: &Stage,
    builder_image: String,
    inst: &install::Install,
    cache_mounts: bool,
) -> NodePlan {
    let (inputs, node) = (st.inputs, st.node);
    let prefix = st.at.prefix;
    let source = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.to_string()
    };
    NodePlan {
        kind: NodeKind::Static,
        summary: String::new(),
        manager: node.manager,
        runtime_image: builder_image.clone(),
        builder_image,
        workdir: st.at.workdir.to_string(),
        install_copies: inst.copies.clone(),
        install_dirs: inst.dirs.clone(),
        corepack: inst.corepack.clone(),
        install: inst.install.clone(),
        lock_command: node
            .lock_file
            .is_none()
            .then(|| node.manager.install(false).to_string()),
        cache_dir: inst.cache_dir.clone(),
        cache_mounts,
        npmrc: node.npmrc,
        npmrc_path: node.path(".npmrc"),
        source,
        sources: node
            .workspace
            .as_ref()
            .map(|ws| {
                ws.root_files
                    .iter()
                    .map(|f| (f.clone(), "./".to_string()))
                    .chain(
                        ws.source_dirs()
                            .into_iter()
                            .map(|d| (d.clone(), format!("{d}/"))),
                    )
                    .collect()
            })
            .unwrap_or_default(),
        app_path: match node.app_dir_in_build() {
            "" => String::new(),
            dir => format!("{dir}/"),
        },
        standalone_path: String::new(),
        build_env: Vec::new(),
        build: None,
        prune: None,
        dev_install_script: None,
        source_first: false,
        deploy: None,
        run_dir: String::new(),
        ships: Vec::new(),
        output: String::new(),
        server: "node",
        server_config: None,
        assets_dir: "assets".into(),
        dist_dir: ".next".into(),
        has_public: node.has_public,
        // The official image's `node` user, by UID so runAsNonRoot can check it.
        user: "1000:1000".into(),
        program: match node.manager {
            NodeManager::Bun => "bun",
            _ => "node",
        },
        writable_dirs: Vec::new(),
        port: 3000,
        env: Vec::new(),
        stopsignal: None,
        healthcheck: healthcheck_timing(inputs, vec![]),
        cmd: Vec::new(),
        build_hint: None,
        development: None,
    }
}
