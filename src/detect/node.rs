//! Node projects: the package manager and its lock file, the Node version,
//! and what the project builds or runs (a static site and its output folder,
//! a Next.js server, an Express or Fastify API). package.json is parsed as
//! JSON and framework configs are read as text; npm is never run.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::route::Route;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::repo::Repo;

/// The package manager, from the `packageManager` field or the lock file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeManager {
    Npm,
    /// Yarn 1, which official node images ship.
    YarnClassic,
    /// Yarn 2 and later, run through corepack or a committed release.
    YarnBerry,
    Pnpm,
    /// Bun, from its lock file (bun.lock, or bun.lockb before Bun 1.2) or
    /// a `bun@` packageManager pin: installed, built and run on oven/bun.
    Bun,
}

impl NodeManager {
    pub fn name(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::YarnClassic => "yarn classic",
            NodeManager::YarnBerry => "yarn berry",
            NodeManager::Pnpm => "pnpm",
            NodeManager::Bun => "bun",
        }
    }

    /// The install: with a lock file, the one that fails instead of
    /// changing it; without one, the install that resolves package.json's
    /// ranges (and writes a lock inside the build).
    pub fn install(self, locked: bool) -> &'static str {
        if locked {
            self.locked_install()
        } else {
            match self {
                NodeManager::Npm => "npm install",
                NodeManager::YarnClassic | NodeManager::YarnBerry => "yarn install",
                NodeManager::Pnpm => "pnpm install",
                NodeManager::Bun => "bun install",
            }
        }
    }

    /// The production install (no devDependencies), locked or resolving.
    pub fn production(self, locked: bool) -> &'static str {
        if locked {
            self.production_install()
        } else {
            match self {
                NodeManager::Npm => "npm install --omit=dev",
                NodeManager::YarnClassic => "yarn install --production",
                NodeManager::YarnBerry => "yarn workspaces focus --all --production",
                NodeManager::Pnpm => "pnpm install --prod",
                NodeManager::Bun => "bun install --production",
            }
        }
    }

    /// The install that fails instead of changing the lock file.
    pub fn locked_install(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm ci",
            NodeManager::YarnClassic => "yarn install --frozen-lockfile",
            NodeManager::YarnBerry => "yarn install --immutable",
            NodeManager::Pnpm => "pnpm install --frozen-lockfile",
            NodeManager::Bun => "bun install --frozen-lockfile",
        }
    }

    /// The locked install without devDependencies.
    pub fn production_install(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm ci --omit=dev",
            NodeManager::YarnClassic => "yarn install --frozen-lockfile --production",
            // Yarn 4's built-in `workspaces focus` installs one workspace's
            // production dependencies; a plain project is its own workspace.
            NodeManager::YarnBerry => "yarn workspaces focus --all --production",
            NodeManager::Pnpm => "pnpm install --frozen-lockfile --prod",
            NodeManager::Bun => "bun install --frozen-lockfile --production",
        }
    }

    pub fn run(self, script: &str) -> String {
        match self {
            NodeManager::Npm => format!("npm run {script}"),
            NodeManager::YarnClassic | NodeManager::YarnBerry => format!("yarn {script}"),
            NodeManager::Pnpm => format!("pnpm run {script}"),
            NodeManager::Bun => format!("bun run {script}"),
        }
    }

    /// Where the manager keeps its download cache when run as root, for a
    /// BuildKit cache mount.
    pub fn cache_dir(self) -> &'static str {
        match self {
            NodeManager::Npm => "/root/.npm",
            NodeManager::YarnClassic => "/usr/local/share/.cache/yarn",
            NodeManager::YarnBerry => "/root/.yarn/berry/cache",
            NodeManager::Pnpm => "/pnpm/store",
            // Bun's global cache when run as root (BUN_INSTALL_CACHE_DIR unset).
            NodeManager::Bun => "/root/.bun/install/cache",
        }
    }

    /// Whether the builder must switch corepack on to get this manager
    /// (official node images ship npm and yarn 1 only).
    pub fn needs_corepack(self) -> bool {
        matches!(self, NodeManager::YarnBerry | NodeManager::Pnpm)
    }

    /// The manager's program name.
    pub fn program(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::YarnClassic | NodeManager::YarnBerry => "yarn",
            NodeManager::Pnpm => "pnpm",
            NodeManager::Bun => "bun",
        }
    }
}

/// One place that says which Node the project runs on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeVersionEvidence {
    pub file: String,
    pub line: usize,
    pub says: NodeVersionSays,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum NodeVersionSays {
    /// A pinned release line: `.nvmrc` 22, `.node-version` 20.18.1, volta.
    Major(u32),
    /// `lts/*`: whatever LTS is current.
    Lts,
    /// `node` or `stable`: the newest release.
    Latest,
    /// `engines.node`: an npm range such as `>=20` or `^18 || ^20`.
    Range(String),
}

/// What the project builds or runs, with the evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NodeApp {
    /// A site built to static files that any file server can serve.
    Static {
        framework: &'static str,
        /// The script that builds it (`build`).
        script: String,
        /// The output folder, relative to the project folder (may start
        /// with `../` when the build writes into another folder).
        output: String,
        /// Where the output folder was read from.
        output_from: String,
    },
    /// A Next.js app with a server: run from its standalone output.
    NextServer {
        script: String,
        /// next.config.* when there is one.
        config: Option<String>,
        /// Whether the config already says `output: 'standalone'`.
        standalone: bool,
        /// Next's build folder (`distDir`, `.next` by default).
        dist_dir: String,
        /// A health route the app defines, such as `/api/health`, with
        /// the file that proves it.
        health: Option<Route>,
        /// The folder Next.js traces from, relative to the repository,
        /// when next.config sets `outputFileTracingRoot`, with its file and
        /// line.
        tracing_root: Option<(String, String)>,
        /// The app's folder inside the standalone output, relative to it:
        /// empty for a single project; the member's folder (`apps/web`)
        /// in a workspace, since Next.js traces from the folder of the lock
        /// file (or `outputFileTracingRoot`) and keeps the layout below it.
        standalone_dir: String,
    },
    /// An HTTP server such as Express or Fastify.
    Server {
        framework: &'static str,
        /// The command that starts it, from the `start` script or `main`.
        command: Vec<String>,
        command_from: String,
        /// A build script to run first (TypeScript, say).
        build_script: Option<String>,
        /// The port the code listens on by default, with where it says so.
        port: Option<(u16, String)>,
        /// The best parameter-free GET health route, every router prefix
        /// applied.
        health: Option<Route>,
        /// The build output, relative to the project folder (`dist`; `build`
        /// for SvelteKit's adapter-node, `.output` for Nuxt).
        output: String,
        /// What the runtime stage takes from the build stage, relative to the
        /// project folder; empty for the whole folder (pruned). SvelteKit's
        /// build needs package.json (`"type": "module"`) and the production
        /// node_modules beside it; Nuxt's `.output` holds its own.
        ships: Vec<String>,
        /// Environment variables the server reads its port from, set to the
        /// port the image exposes (adapter-node's PORT, Nitro's NITRO_PORT).
        port_env: Vec<String>,
        /// The environment variable of the address it binds, set to 0.0.0.0
        /// so the published port reaches it.
        host_env: Option<String>,
    },
}

impl NodeApp {
    pub fn framework(&self) -> &'static str {
        match self {
            NodeApp::Static { framework, .. } | NodeApp::Server { framework, .. } => framework,
            NodeApp::NextServer { .. } => "Next.js",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeProject {
    /// The folder holding package.json, relative to the repository ("" for
    /// the root).
    pub dir: String,
    pub name: Option<String>,
    pub manager: NodeManager,
    /// `packageManager` (name@version), which corepack honours.
    pub manager_pin: Option<String>,
    pub manager_from: String,
    /// A Bun project's release line (the major version), with where it is
    /// said: the packageManager pin or engines.bun; None when nothing says
    /// (the profile's default) and for other managers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bun_line: Option<(String, String)>,
    /// The lock file, relative to `dir` (to the root for a workspace
    /// member); None when the project commits
    /// none, and the install resolves package.json's ranges (DS406).
    pub lock_file: Option<String>,
    /// Files the install needs besides package.json and the lock file
    /// (`.yarnrc.yml`, `.yarn/releases`, `patches`), relative to `dir`.
    pub install_files: Vec<String>,
    /// A `.npmrc` beside package.json: registry settings and often a token,
    /// so it is mounted as a build secret, never copied.
    pub npmrc: bool,
    /// Whether `public/` exists (Next.js copies it beside the server).
    pub has_public: bool,
    pub version_evidence: Vec<NodeVersionEvidence>,
    pub app: NodeApp,
    pub dependencies: Vec<String>,
    pub dev_dependencies: Vec<String>,
    /// package.json's scripts, as written (the development target runs
    /// the `dev` script when there is one). Not in reports.
    #[serde(skip)]
    pub scripts: Vec<(String, String)>,
    /// The workspace this project is the chosen member of; None for a
    /// single package. Then `dir` is the member's folder, while the
    /// manager, `lock_file`, `install_files` and `npmrc` are the
    /// workspace root's (one lock pins every member), and the image is
    /// built with the root as its context.
    pub workspace: Option<super::node_workspace::NodeWorkspace>,
    /// What the install root's own install scripts need (`"prepare":
    /// "husky"` with husky a devDependency).
    pub lifecycle: super::node_lifecycle::Lifecycle,
}

impl NodeProject {
    /// A script of package.json by name.
    pub fn script(&self, name: &str) -> Option<&str> {
        self.scripts
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The folder the app sits in inside the build, relative to the
    /// workdir: the member's folder in a workspace (the build keeps the
    /// workspace's layout), else empty (the project is the workdir).
    pub fn app_dir_in_build(&self) -> &str {
        match &self.workspace {
            Some(_) => &self.dir,
            None => "",
        }
    }

    /// `dir/rel`, or `rel` at the root.
    pub fn path(&self, rel: &str) -> String {
        join(&self.dir, rel)
    }

    pub fn manifest(&self) -> String {
        self.path("package.json")
    }

    /// Where the build writes its output, relative to the repository.
    pub fn output_dir(&self) -> String {
        match &self.app {
            NodeApp::Static { output, .. } => self.path(output),
            NodeApp::NextServer { dist_dir, .. } => self.path(dist_dir),
            NodeApp::Server { output, .. } => self.path(output),
        }
    }

    /// What the node_modules installed beside package.json weighs on disk
    /// (0 when there is none), as a measure of what an image that installs
    /// everything carries.
    pub fn installed_bytes(&self, repo: &Repo) -> u64 {
        let prefix = self.path("node_modules/");
        repo.files
            .iter()
            .filter(|f| f.path.starts_with(&prefix))
            .map(|f| f.size)
            .sum()
    }
}

pub fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

/// Resolves `..` and `.` in a relative path; `None` when it leaves the root.
pub fn normalize_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Every package.json the project owns (not under node_modules).
/// A link or FIFO named package.json counts, so that reading it says what
/// it is.
pub fn manifests(repo: &Repo) -> Vec<String> {
    let is_manifest = |p: &str| p == "package.json" || p.ends_with("/package.json");
    let mut found: Vec<String> = repo
        .own_files()
        .map(|f| f.path.as_str())
        .chain(repo.others.iter().map(|(p, _)| p.as_str()))
        .filter(|p| is_manifest(p))
        .map(str::to_string)
        .collect();
    found.sort();
    found
}

/// The 1-based line of the first line containing `needle`, or 1.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// A package.json, parsed: its path, its text and its fields.
struct Manifest {
    path: String,
    text: String,
    obj: serde_json::Map<String, Value>,
}

fn parse_manifest(repo: &Repo, dir: &str) -> Result<Manifest> {
    let manifest = join(dir, "package.json");
    let text = repo.read_text(&manifest)?.ok_or_else(|| {
        Error::unsupported(
            format!("{manifest}: not found"),
            "run dockslim on the folder that holds the package.json",
        )
    })?;
    let pkg: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input_at(
            &manifest,
            e.line(),
            e.column(),
            format!("expected valid JSON: {e}"),
            "JSON wants double-quoted keys and strings and no comma after the last item; `npm pkg get name` checks the file",
        )
    })?;
    let Value::Object(obj) = pkg else {
        return Err(Error::input(
            &manifest,
            Some(1),
            "expected a JSON object with the package's fields",
            "a package.json is one { ... } object, such as {\"name\": \"app\", \"scripts\": {...}}",
        ));
    };
    Ok(Manifest {
        path: manifest,
        text,
        obj,
    })
}

/// Reads the Node project whose package.json is in `dir`. A project
/// dockslim cannot build (a workspace, an app kind it does not know) is
/// `Error::Unsupported` saying why; one without a lock file is read, and
/// its install resolves.
pub fn read(repo: &Repo, dir: &str) -> Result<NodeProject> {
    let m = parse_manifest(repo, dir)?;
    if let Some(declared) = super::node_workspace::declared(repo, dir, &m.obj, &m.text)? {
        return Err(Error::unsupported(
            format!(
                "{}: a workspace (monorepo) root; dockslim builds a workspace's member from the repository root, not from a folder",
                declared.at
            ),
            "run dockslim at the workspace root, or on the folder of the package the image runs",
        ));
    }
    let mgr = manager(repo, dir, &m.obj, &m.text)?;
    let project = project(repo, dir, &m, mgr, None, Vec::new())?;
    if let NodeApp::Server { framework, .. } = &project.app {
        plug_n_play_server(repo, &project, framework)?;
    }
    Ok(project)
}

/// Reads the Node project at the repository root: a single package, or
/// the member of the workspace declared there that the image runs
/// (`package` names it; else the one app among the members).
pub fn read_root(repo: &Repo, package: Option<&str>) -> Result<NodeProject> {
    use super::node_workspace as ws;
    let root = parse_manifest(repo, "")?;
    let Some(declared) = ws::declared(repo, "", &root.obj, &root.text)? else {
        if let Some(p) = package {
            return Err(Error::usage(
                format!(
                    "package = `{p}` names a workspace member, but {} declares no workspace",
                    root.path
                ),
                "remove `package` from the configuration: this project is a single package",
            ));
        }
        return read(repo, "");
    };
    if manager(repo, "", &root.obj, &root.text)?.0 == NodeManager::Bun {
        return Err(super::node_bun::workspace_refused(&declared.at));
    }
    let members = ws::members(repo, &declared)?;
    let (chosen, because) = ws::choose(&declared, &members, package)?;
    let found = ws::local_dependencies(&members, chosen);
    let builds_first = ws::builds_first(&members, &found);
    let mut local = found;
    local.sort_by(|a, b| a.dir.cmp(&b.dir));
    let workspace = ws::NodeWorkspace {
        declared_at: declared.at.clone(),
        members: members.iter().map(|m| m.member.clone()).collect(),
        member: chosen.member.clone(),
        chosen_because: because,
        local,
        builds_first,
        root_files: ws::root_files(repo),
    };
    // The manager, its lock and its settings are the root's: one lock file
    // pins the whole workspace.
    let mgr = manager(repo, "", &root.obj, &root.text)?;
    let member = Manifest {
        path: chosen.manifest.clone(),
        text: chosen.text.clone(),
        obj: chosen.obj.clone(),
    };
    let root_evidence = manifest_version_evidence(&root.path, &root.text, &root.obj);
    let manager = mgr.0;
    let mut project = project(
        repo,
        &chosen.member.dir,
        &member,
        mgr,
        Some(workspace),
        root_evidence,
    )?;
    // The install runs at the root: the root's own scripts run.
    project.lifecycle = super::node_lifecycle::of_manifest(manager, &root.obj);
    // A server's image runs with the member's production node_modules,
    // which a workspace keeps hoisted at the root and linked between
    // members: pnpm's `deploy` gathers them into one folder; with npm and
    // Yarn the image keeps the workspace's layout (the root's
    // node_modules, the member and its workspace packages). Yarn's
    // Plug'n'Play has no node_modules to keep.
    if let NodeApp::Server { framework, .. } = &project.app {
        plug_n_play_server(repo, &project, framework)?;
    }
    Ok(project)
}

/// Refuses a Yarn 2+ server installed with Plug'n'Play (the default
/// linker): it runs through the `.pnp.cjs` loader and `.yarn/cache`,
/// while dockslim's server images carry a node_modules folder, which such
/// an install never writes.
fn plug_n_play_server(repo: &Repo, project: &NodeProject, framework: &str) -> Result<()> {
    if project.manager != NodeManager::YarnBerry {
        return Ok(());
    }
    let yarnrc = ".yarnrc.yml";
    let install_dir = match &project.workspace {
        Some(_) => String::new(),
        None => project.dir.clone(),
    };
    let path = join(&install_dir, yarnrc);
    let linker = repo
        .read_text(&path)
        .ok()
        .flatten()
        .and_then(|t| serde_norway::from_str::<serde_norway::Value>(&t).ok())
        .and_then(|v| v.get("nodeLinker")?.as_str().map(str::to_string));
    if matches!(linker.as_deref(), Some("node-modules" | "pnpm")) {
        return Ok(());
    }
    // "an Express server", "a Fastify server".
    let article = match framework.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    };
    Err(Error::unsupported(
        format!(
            "{}: {article} {framework} server installed by Yarn 2+ with Plug'n'Play ({path} sets no nodeLinker, and pnp is Yarn's default); it runs through .pnp.cjs and .yarn/cache, and dockslim plans server images that carry node_modules",
            project.manifest()
        ),
        format!("add `nodeLinker: node-modules` to {path} (and run `yarn install`), or write the Dockerfile by hand with `node -r ./.pnp.cjs`"),
    ))
}

/// The manager as `manager` decides it: which, its pin, why, the lock.
type ManagerChoice = (NodeManager, Option<String>, String, Option<String>);

/// The project in `dir` from its parsed manifest. A workspace member gets
/// the root's manager, lock, install files and .npmrc, and the root's
/// Node version fields after its own.
fn project(
    repo: &Repo,
    dir: &str,
    m: &Manifest,
    (manager, manager_pin, manager_from, lock_file): ManagerChoice,
    workspace: Option<super::node_workspace::NodeWorkspace>,
    root_evidence: Vec<NodeVersionEvidence>,
) -> Result<NodeProject> {
    let (manifest, text, obj) = (&m.path, &m.text, &m.obj);
    let field_str = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    let names = |key: &str| -> Vec<String> {
        obj.get(key)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let scripts: Vec<(String, String)> = obj
        .get("scripts")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let script = |name: &str| {
        scripts
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };

    let dependencies = names("dependencies");
    let dev_dependencies = names("devDependencies");
    let has = |n: &str| dependencies.iter().chain(&dev_dependencies).any(|d| d == n);
    let bun_line = match manager {
        NodeManager::Bun => super::node_bun::line(manifest, text, obj, manager_pin.as_deref()),
        _ => None,
    };
    let mut app = if manager == NodeManager::Bun {
        super::node_bun::app(
            repo,
            dir,
            manifest,
            text,
            obj,
            &script,
            &dependencies,
            || app(repo, dir, manifest, text, obj, &script, &dependencies, &has),
        )?
    } else {
        app(repo, dir, manifest, text, obj, &script, &dependencies, &has)?
    };
    if let NodeApp::NextServer {
        tracing_root,
        standalone_dir,
        ..
    } = &mut app
    {
        *standalone_dir = standalone_dir_of(dir, workspace.is_some(), tracing_root.as_ref())?;
    }

    // The install reads the settings beside the lock: the root's in a
    // workspace.
    let install_dir = if workspace.is_some() { "" } else { dir };
    let mut install_files = Vec::new();
    // pnpm-workspace.yaml of a single package holds install settings
    // (overrides, onlyBuiltDependencies, catalogs) that the lock records:
    // a frozen install without it fails or installs otherwise. A
    // workspace's own is copied with the root's manifest.
    let extras: &[&str] = if workspace.is_some() {
        &[".yarnrc.yml", ".yarnrc", ".pnpmfile.cjs"]
    } else {
        &[
            ".yarnrc.yml",
            ".yarnrc",
            ".pnpmfile.cjs",
            "pnpm-workspace.yaml",
        ]
    };
    for extra in extras {
        if repo.exists(&join(install_dir, extra)) {
            install_files.push(extra.to_string());
        }
    }
    for folder in [".yarn/releases", ".yarn/plugins", "patches"] {
        if repo.has_dir(&join(install_dir, folder)) {
            install_files.push(format!("{folder}/"));
        }
    }
    let mut version_evidence = version_evidence(repo, dir, manifest, text, obj);
    version_evidence.extend(root_evidence);
    let lifecycle = super::node_lifecycle::of_manifest(manager, obj);

    Ok(NodeProject {
        dir: dir.to_string(),
        name: field_str("name"),
        manager,
        manager_pin,
        manager_from,
        bun_line,
        lock_file,
        install_files,
        npmrc: repo.exists(&join(install_dir, ".npmrc")),
        has_public: repo.has_dir(&join(dir, "public")),
        version_evidence,
        app,
        dependencies,
        dev_dependencies,
        scripts,
        workspace,
        lifecycle,
    })
}

/// The manager: `packageManager` first (corepack obeys it), then the lock
/// file, then npm. Without a lock the image installs whatever the registry
/// serves that day; DS406 says so, with the command that writes one.
fn manager(
    repo: &Repo,
    dir: &str,
    obj: &serde_json::Map<String, Value>,
    text: &str,
) -> Result<(NodeManager, Option<String>, String, Option<String>)> {
    let manifest = join(dir, "package.json");
    // Bun: its lock (bun.lock, or bun.lockb before 1.2) with no other
    // manager's, or a packageManager pin. An npm install would ignore the
    // lock, and the code may use Bun's own APIs, which Node lacks.
    let bun_lock = ["bun.lock", "bun.lockb"]
        .into_iter()
        .find(|f| repo.exists(&join(dir, f)));
    let bun_pin = obj
        .get("packageManager")
        .and_then(Value::as_str)
        .filter(|p| p.starts_with("bun@"));
    let other_lock = [
        "pnpm-lock.yaml",
        "yarn.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
    ]
    .into_iter()
    .any(|f| repo.exists(&join(dir, f)));
    if bun_pin.is_some() || (bun_lock.is_some() && !other_lock) {
        let lock = bun_lock.map(|l| l.to_string());
        let lock_says = match bun_lock {
            Some(l) => format!("{} (Bun's lock file)", join(dir, l)),
            None => "no lock file".to_string(),
        };
        let from = match bun_pin {
            Some(pin) => format!(
                "packageManager {pin} ({manifest}:{}), {lock_says}",
                line_of(text, "\"packageManager\"")
            ),
            None => lock_says,
        };
        return Ok((NodeManager::Bun, bun_pin.map(str::to_string), from, lock));
    }
    let locks = [
        ("pnpm-lock.yaml", NodeManager::Pnpm),
        ("yarn.lock", NodeManager::YarnClassic),
        ("package-lock.json", NodeManager::Npm),
        ("npm-shrinkwrap.json", NodeManager::Npm),
    ];
    let present: Vec<(&str, NodeManager)> = locks
        .iter()
        .copied()
        .filter(|(f, _)| repo.exists(&join(dir, f)))
        .collect();
    let berry = |lock: &str| {
        repo.exists(&join(dir, ".yarnrc.yml"))
            || repo
                .read_text(&join(dir, lock))
                .ok()
                .flatten()
                .is_some_and(|t| t.contains("__metadata:"))
    };
    if let Some(pin) = obj.get("packageManager").and_then(Value::as_str) {
        let line = line_of(text, "\"packageManager\"");
        let (name, version) = pin.split_once('@').unwrap_or((pin, ""));
        let major: u32 = version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        let manager = match name {
            "npm" => NodeManager::Npm,
            "pnpm" => NodeManager::Pnpm,
            "yarn" if major >= 2 => NodeManager::YarnBerry,
            "yarn" => NodeManager::YarnClassic,
            other => {
                return Err(Error::input(
                    &manifest,
                    Some(line),
                    format!("packageManager names `{other}`; expected npm, yarn or pnpm"),
                    match crate::error::closest(other, ["npm", "yarn", "pnpm"]) {
                        Some(meant) => format!("did you mean `{meant}`? Write it as name@version, such as \"{meant}@10.2.0\""),
                        None => "write it as name@version, such as \"pnpm@9.12.0\"".into(),
                    },
                ))
            }
        };
        // Another manager's lock beside the pin is not this manager's lock.
        let lock = present
            .iter()
            .find(|(_, m)| {
                *m == manager
                    || (*m == NodeManager::YarnClassic && manager == NodeManager::YarnBerry)
            })
            .map(|(f, _)| f.to_string());
        // A pin with no lock of its own beside npm's lock alone: the
        // project installs with npm (its Dockerfile runs `npm ci` over
        // package-lock.json while packageManager says yarn), and that lock
        // is what a build can reproduce. npm ignores the pin; pnpm and Yarn
        // run through corepack, which refuses a manager the pin does not
        // name, so their locks do not win over it.
        if let (None, [(other, NodeManager::Npm)]) = (&lock, present.as_slice()) {
            return Ok((
                NodeManager::Npm,
                None,
                format!(
                    "{} (packageManager {pin} at {manifest}:{line} has no lock of its own)",
                    join(dir, other)
                ),
                Some(other.to_string()),
            ));
        }
        return Ok((
            manager,
            Some(pin.to_string()),
            format!(
                "packageManager {pin} ({manifest}:{line}), {}",
                lock.as_deref().unwrap_or("no lock file")
            ),
            lock,
        ));
    }
    let Some((lock, manager)) = present.first().copied() else {
        let yarnrc = join(dir, ".yarnrc.yml");
        if repo.exists(&yarnrc) {
            return Ok((
                NodeManager::YarnBerry,
                None,
                format!("{yarnrc} (Yarn 2+), no lock file"),
                None,
            ));
        }
        return Ok((
            NodeManager::Npm,
            None,
            format!("{manifest} names no packageManager and there is no lock file"),
            None,
        ));
    };
    let manager = if manager == NodeManager::YarnClassic && berry(lock) {
        NodeManager::YarnBerry
    } else {
        manager
    };
    Ok((manager, None, join(dir, lock), Some(lock.to_string())))
}

/// A framework config file in `dir` with one of these stems, and its text.
pub(super) fn config_file(repo: &Repo, dir: &str, stem: &str) -> Option<(String, String)> {
    ["js", "mjs", "cjs", "ts", "mts", "cts"]
        .iter()
        .map(|ext| join(dir, &format!("{stem}.{ext}")))
        .find_map(|path| {
            let text = repo.read_text(&path).ok().flatten()?;
            Some((path, text))
        })
}

static STRING_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[^/\n]*?\b(\w+)\s*:\s*(?:(?:path\.)?resolve\(\s*__dirname\s*,\s*)?['"`]([^'"`$]*)['"`]"#)
        .unwrap()
});

/// The string value of `key: '...'` in a config file (also
/// `key: resolve(__dirname, '...')`), with its line. `Err(line)` when the key
/// is set to something else (an expression dockslim cannot evaluate).
pub(super) fn string_option(
    text: &str,
    key: &str,
) -> Option<std::result::Result<(String, usize), usize>> {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with('*') {
            continue;
        }
        let Some(at) = find_key(line, key) else {
            continue;
        };
        let rest = &line[at..];
        if let Some(c) = STRING_OPTION.captures(rest) {
            if &c[1] == key {
                return Some(Ok((c[2].to_string(), i + 1)));
            }
        }
        return Some(Err(i + 1));
    }
    None
}

/// Where `key:` starts on a line, as a whole word.
fn find_key(line: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = line[from..].find(key) {
        let at = from + pos;
        let before_ok = at == 0
            || !line[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let after = line[at + key.len()..].trim_start();
        if before_ok && after.starts_with(':') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// `--flag value` or `--flag=value` in a script.
fn script_flag(script: &str, flag: &str) -> Option<String> {
    let words = shlex::split(script)?;
    words.iter().enumerate().find_map(|(i, w)| {
        if w == flag {
            words.get(i + 1).cloned()
        } else {
            w.strip_prefix(&format!("{flag}=")).map(str::to_string)
        }
    })
}

const SERVER_FRAMEWORKS: &[(&str, &str)] = &[
    ("express", "Express"),
    ("fastify", "Fastify"),
    ("koa", "Koa"),
    ("@hapi/hapi", "hapi"),
    ("@hono/node-server", "Hono"),
];

#[allow(clippy::too_many_arguments)]
fn app(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
    script: &dyn Fn(&str) -> Option<String>,
    dependencies: &[String],
    has: &dyn Fn(&str) -> bool,
) -> Result<NodeApp> {
    let unclear = |file: &str, line: usize, key: &str| {
        Error::unsupported(
            format!("{file}:{line}: `{key}` is set to an expression dockslim cannot read, so the output folder is unclear"),
            format!("write `{key}` as a string literal, such as {key}: 'dist'"),
        )
    };
    let build = script("build");
    let needs_build = |framework: &str| {
        build.clone().ok_or_else(|| {
            Error::unsupported(
                format!("{manifest}: a {framework} project without a `build` script"),
                "add a `build` script to package.json: the image runs it to build the site",
            )
        })
    };
    let static_site =
        |framework: &'static str, output: String, output_from: String| -> Result<NodeApp> {
            Ok(NodeApp::Static {
                framework,
                script: needs_build(framework).map(|_| "build".to_string())?,
                output,
                output_from,
            })
        };

    if has("next") {
        let config = config_file(repo, dir, "next.config");
        let option = |key: &str| config.as_ref().and_then(|(_, t)| string_option(t, key));
        let dist_dir = match option("distDir") {
            Some(Ok((d, _))) => d.trim_start_matches("./").trim_end_matches('/').to_string(),
            Some(Err(line)) => return Err(unclear(&config.as_ref().unwrap().0, line, "distDir")),
            None => ".next".to_string(),
        };
        let output = option("output");
        if let Some(Err(line)) = output {
            return Err(unclear(&config.as_ref().unwrap().0, line, "output"));
        }
        if let Some(Ok((o, line))) = &output {
            if o == "export" {
                return static_site(
                    "Next.js (static export)",
                    "out".into(),
                    format!("{}:{line} (output: 'export')", config.as_ref().unwrap().0),
                );
            }
        }
        needs_build("Next.js")?;
        // Next.js routes by file: the file is the route.
        let health = [
            "app/api/health/route",
            "src/app/api/health/route",
            "pages/api/health",
            "src/pages/api/health",
        ]
        .iter()
        .flat_map(|p| {
            ["js", "ts", "jsx", "tsx", "mjs"]
                .iter()
                .map(move |e| join(dir, &format!("{p}.{e}")))
        })
        .find(|f| repo.exists(f))
        .map(|file| Route {
            path: "/api/health".to_string(),
            file,
            line: 1,
        });
        let tracing_root = match &config {
            Some((path, text)) => tracing_root(text, path, dir)?,
            None => None,
        };
        return Ok(NodeApp::NextServer {
            script: "build".into(),
            standalone: matches!(&output, Some(Ok((o, _))) if o == "standalone"),
            config: config.map(|(p, _)| p),
            dist_dir,
            health,
            tracing_root,
            // Set by `project`, which knows whether a workspace holds it.
            standalone_dir: String::new(),
        });
    }
    if let Some(app) = super::node_kinds::app(repo, dir, manifest, text, script, dependencies, has)
    {
        return app;
    }
    if has("astro") {
        let config = config_file(repo, dir, "astro.config");
        let option = |key: &str| config.as_ref().and_then(|(_, t)| string_option(t, key));
        if let Some(Ok((mode, line))) = option("output") {
            if mode == "server" {
                return Err(Error::unsupported(
                    format!(
                        "{}:{line}: an Astro site rendered on a server (output: 'server'); dockslim writes images for static Astro sites only",
                        config.as_ref().unwrap().0
                    ),
                    "`dockslim analyze` still reports the build context and the findings that apply to any Dockerfile",
                ));
            }
        }
        return match option("outDir") {
            Some(Ok((out, line))) => static_site(
                "Astro",
                clean_rel(&out),
                format!("{}:{line}", config.unwrap().0),
            ),
            Some(Err(line)) => Err(unclear(&config.unwrap().0, line, "outDir")),
            None => static_site("Astro", "dist".into(), "Astro's default".into()),
        };
    }
    if has("gatsby") {
        return static_site("Gatsby", "public".into(), "Gatsby's output folder".into());
    }
    if has("@docusaurus/core") {
        return static_site("Docusaurus", "build".into(), "Docusaurus's default".into());
    }
    if has("@vue/cli-service") {
        let config = config_file(repo, dir, "vue.config");
        return match config
            .as_ref()
            .and_then(|(_, t)| string_option(t, "outputDir"))
        {
            Some(Ok((out, line))) => static_site(
                "Vue CLI",
                clean_rel(&out),
                format!("{}:{line}", config.unwrap().0),
            ),
            Some(Err(line)) => Err(unclear(&config.unwrap().0, line, "outputDir")),
            None => static_site("Vue CLI", "dist".into(), "Vue CLI's default".into()),
        };
    }
    if has("react-scripts") {
        return static_site(
            "Create React App",
            "build".into(),
            "Create React App's output folder".into(),
        );
    }
    if has("vite") {
        if let Some(out) = build.as_deref().and_then(|b| script_flag(b, "--outDir")) {
            return static_site(
                "Vite",
                clean_rel(&out),
                format!("{manifest}:{} (--outDir)", line_of(text, "--outDir")),
            );
        }
        let config = config_file(repo, dir, "vite.config");
        let option = |key: &str| config.as_ref().and_then(|(_, t)| string_option(t, key));
        let root = match option("root") {
            Some(Ok((r, _))) => clean_rel(&r),
            Some(Err(line)) => return Err(unclear(&config.as_ref().unwrap().0, line, "root")),
            None => String::new(),
        };
        return match option("outDir") {
            Some(Ok((out, line))) => static_site(
                "Vite",
                clean_rel(&join(&root, &out)),
                format!("{}:{line}", config.as_ref().unwrap().0),
            ),
            Some(Err(line)) => Err(unclear(&config.as_ref().unwrap().0, line, "outDir")),
            None => static_site("Vite", join(&root, "dist"), "Vite's default".into()),
        };
    }

    // A server: a framework among the production dependencies, or a start
    // script that runs node.
    let framework = SERVER_FRAMEWORKS
        .iter()
        .find(|(p, _)| dependencies.iter().any(|d| d == p))
        .map(|(_, f)| *f);
    let start = script("start");
    let command_words = start.as_deref().and_then(shlex::split);
    let (command, command_from) = match (&command_words, obj.get("main").and_then(Value::as_str)) {
        (Some(words), _) if words.first().is_some_and(|w| w == "node") => (
            words.clone(),
            format!("{manifest}:{} (the start script)", line_of(text, "\"start\"")),
        ),
        (Some(_), _) => {
            return Err(Error::unsupported(
                format!(
                    "{manifest}:{}: the start script is `{}`; dockslim runs Node servers as `node <file>`",
                    line_of(text, "\"start\""),
                    start.unwrap_or_default()
                ),
                "write the start script as `node <file>` (development runners such as nodemon or ts-node do not belong in an image)",
            ))
        }
        (None, Some(main)) => (
            vec!["node".to_string(), main.to_string()],
            format!("{manifest}:{} (main)", line_of(text, "\"main\"")),
        ),
        (None, None) if repo.exists(&join(dir, "server.js")) => (
            vec!["node".into(), "server.js".into()],
            format!("{} (npm start's default)", join(dir, "server.js")),
        ),
        (None, None) => {
            return Err(Error::unsupported(
                format!(
                    "{manifest}: neither a static site builder (Vite, Create React App, Next.js, Astro, Vue CLI, Gatsby, Docusaurus) nor a server with a `start` script or `main`; dockslim cannot tell what the image should run"
                ),
                "add a `start` script such as \"node server.js\" (or `main`) to package.json",
            ))
        }
    };
    let sources = node_sources(repo, dir);
    Ok(NodeApp::Server {
        framework: framework.unwrap_or("Node"),
        command,
        command_from,
        build_script: build.map(|_| "build".to_string()),
        port: listen_port(sources.iter().copied()),
        health: super::route::sort(super::node_routes::candidates(sources.iter().copied()))
            .0
            .into_iter()
            .next(),
        output: "dist".into(),
        ships: Vec::new(),
        port_env: Vec::new(),
        host_env: None,
    })
}

/// `outputFileTracingRoot` in next.config, resolved against the app's
/// folder `dir` to a folder of the repository, with its `file:line`. Read
/// forms: `path.join(__dirname, '../..')` (or `resolve`, or
/// `import.meta.dirname`), `new URL('../../', import.meta.url)` and
/// `process.cwd()` (the app's folder, where `next build` runs). Another
/// expression is an error, since the image's paths depend on it.
fn tracing_root(text: &str, file: &str, dir: &str) -> Result<Option<(String, String)>> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['"`]([^'"`$]*)['"`]"#).unwrap());
    let Some((i, line)) = text.lines().enumerate().find(|(_, l)| {
        find_key(l, "outputFileTracingRoot").is_some() && !l.trim_start().starts_with("//")
    }) else {
        return Ok(None);
    };
    let at = format!("{file}:{}", i + 1);
    let value = &line[find_key(line, "outputFileTracingRoot").unwrap_or(0)..];
    let relative: Vec<String> = if value.contains("__dirname")
        || value.contains("import.meta.dirname")
        || value.contains("import.meta.url")
    {
        LITERAL
            .captures_iter(value)
            .map(|c| c[1].to_string())
            .collect()
    } else if value.contains("process.cwd()") {
        Vec::new()
    } else {
        return Err(Error::unsupported(
            format!("{at}: `outputFileTracingRoot` is set to an expression dockslim cannot read, so where the standalone server lands is unclear"),
            "write it as path.join(__dirname, '../..') (the workspace root) or remove it: Next.js then traces from the folder of the lock file",
        ));
    };
    let joined = relative
        .iter()
        .fold(dir.to_string(), |acc, part| join(&acc, part));
    let root = normalize_path(&joined).ok_or_else(|| {
        Error::unsupported(
            format!("{at}: `outputFileTracingRoot` points outside the repository"),
            "point it at the workspace root inside the repository, such as path.join(__dirname, '../..')",
        )
    })?;
    Ok(Some((root, at)))
}

/// The app's folder inside the standalone output: its path below the
/// folder Next.js traces from (the configured root, else the workspace
/// root, else the app's own folder).
fn standalone_dir_of(
    dir: &str,
    in_workspace: bool,
    tracing_root: Option<&(String, String)>,
) -> Result<String> {
    let root = match tracing_root {
        Some((root, _)) => root.as_str(),
        None if in_workspace => "",
        None => dir,
    };
    if root == dir {
        return Ok(String::new());
    }
    if root.is_empty() {
        return Ok(dir.to_string());
    }
    dir.strip_prefix(&format!("{root}/"))
        .map(str::to_string)
        .ok_or_else(|| {
            let at = tracing_root.map(|(_, at)| at.as_str()).unwrap_or_default();
            Error::unsupported(
                format!("{at}: `outputFileTracingRoot` is {root}, which does not hold the app's folder {dir}"),
                "point it at a folder above the app, such as the workspace root",
            )
        })
}

/// `./build/` -> `build`; keeps a leading `../`.
pub(super) fn clean_rel(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The server sources of the package in `dir`, tests left out.
pub(super) fn node_sources<'r>(repo: &'r Repo, dir: &str) -> Vec<&'r (String, String)> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    repo.javascript_sources()
        .iter()
        .filter(|(path, _)| {
            path.starts_with(&prefix)
                && !path
                    .split('/')
                    .any(|d| matches!(d, "test" | "tests" | "__tests__"))
        })
        .collect()
}

static PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"PORT\s*(?:\|\||\?\?)\s*['\x22]?(\d{2,5})|\.listen\(\s*(\d{2,5})|\.listen\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})",
    )
    .unwrap()
});

pub(super) fn listen_port<'a>(
    sources: impl IntoIterator<Item = &'a (String, String)>,
) -> Option<(u16, String)> {
    port_by(&PORT, sources)
}

/// The first port `pattern` captures (in any of its groups) on a line of
/// `sources`, with that line as `path:line`.
pub(super) fn port_by<'a>(
    pattern: &Regex,
    sources: impl IntoIterator<Item = &'a (String, String)>,
) -> Option<(u16, String)> {
    sources.into_iter().find_map(|(path, text)| {
        text.lines().enumerate().find_map(|(i, line)| {
            let c = pattern.captures(line)?;
            let port = c.iter().skip(1).flatten().next()?.as_str().parse().ok()?;
            Some((port, format!("{path}:{}", i + 1)))
        })
    })
}

/// The Node version files and fields, in the order they are trusted: a
/// pinned version (`.nvmrc`, `.node-version`, `.tool-versions`, volta)
/// before the `engines.node` range.
fn version_evidence(
    repo: &Repo,
    dir: &str,
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
) -> Vec<NodeVersionEvidence> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_string()];
    if !dir.is_empty() {
        folders.push(String::new());
    }
    for folder in &folders {
        for file in [".nvmrc", ".node-version"] {
            let path = join(folder, file);
            if let Some(content) = repo.read_text(&path).ok().flatten() {
                if let Some((i, line)) = content
                    .lines()
                    .enumerate()
                    .find(|(_, l)| !l.trim().is_empty() && !l.trim().starts_with('#'))
                {
                    if let Some(says) = parse_version_file(line) {
                        out.push(NodeVersionEvidence {
                            file: path,
                            line: i + 1,
                            says,
                        });
                    }
                }
            }
        }
        let tool_versions = join(folder, ".tool-versions");
        if let Some(content) = repo.read_text(&tool_versions).ok().flatten() {
            for (i, line) in content.lines().enumerate() {
                let mut words = line.split_whitespace();
                if words.next() == Some("nodejs") {
                    if let Some(says) = words.next().and_then(parse_version_file) {
                        out.push(NodeVersionEvidence {
                            file: tool_versions.clone(),
                            line: i + 1,
                            says,
                        });
                    }
                }
            }
        }
    }
    out.extend(manifest_version_evidence(manifest, text, obj));
    out
}

/// What a package.json says of the Node version: volta's pin, then the
/// `engines.node` range.
fn manifest_version_evidence(
    manifest: &str,
    text: &str,
    obj: &serde_json::Map<String, Value>,
) -> Vec<NodeVersionEvidence> {
    let mut out = Vec::new();
    if let Some(v) = obj
        .get("volta")
        .and_then(|v| v.get("node"))
        .and_then(Value::as_str)
    {
        if let Some(says) = parse_version_file(v) {
            out.push(NodeVersionEvidence {
                file: manifest.to_string(),
                line: line_of(text, "\"volta\""),
                says,
            });
        }
    }
    if let Some(range) = obj
        .get("engines")
        .and_then(|v| v.get("node"))
        .and_then(Value::as_str)
    {
        out.push(NodeVersionEvidence {
            file: manifest.to_string(),
            line: line_of(text, "\"engines\""),
            says: NodeVersionSays::Range(range.trim().to_string()),
        });
    }
    out
}

/// `22`, `v22.11.0`, `lts/jod`, `lts/*`, `node`.
fn parse_version_file(value: &str) -> Option<NodeVersionSays> {
    let v = value.trim().trim_start_matches('v');
    if let Some(code) = v.strip_prefix("lts/") {
        if code == "*" {
            return Some(NodeVersionSays::Lts);
        }
        let major = match code.to_ascii_lowercase().as_str() {
            "hydrogen" => 18,
            "iron" => 20,
            "jod" => 22,
            "krypton" => 24,
            _ => return None,
        };
        return Some(NodeVersionSays::Major(major));
    }
    if matches!(v, "node" | "stable" | "latest" | "current") {
        return Some(NodeVersionSays::Latest);
    }
    v.split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .map(NodeVersionSays::Major)
}

/// Whether some release of Node `major` satisfies an npm range.
pub fn major_satisfies(range: &str, major: u32) -> Option<bool> {
    let range: js_semver::Range = range.parse().ok()?;
    Some(["0.0", "999.0"].iter().any(|rest| {
        format!("{major}.{rest}")
            .parse::<js_semver::Version>()
            .is_ok_and(|v| range.satisfies(&v))
    }))
}

/// Where a Python app reads the frontend's build output: a line in a Python
/// source whose string literals, joined as a path, name the output folder
/// (Flask's static_folder, Django's STATICFILES_DIRS, FastAPI's StaticFiles,
/// send_from_directory, WhiteNoise's root).
pub fn served_by_python(sources: &[(String, String)], output: &str) -> Option<(String, usize)> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['"]([^'"\s]*)['"]"#).unwrap());
    let wanted: Vec<&str> = output.split('/').filter(|p| !p.is_empty()).collect();
    if wanted.is_empty() {
        return None;
    }
    for (path, text) in sources {
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            let parts: Vec<String> = LITERAL
                .captures_iter(line)
                .flat_map(|c| {
                    c[1].split(['/', '\\'])
                        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            if parts.windows(wanted.len()).any(|w| w == wanted.as_slice()) {
                return Some((path.clone(), i + 1));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    fn vite_repo(extra: &[(&str, &str)]) -> (tempfile::TempDir, Repo) {
        let mut files = vec![
            ("package.json", "{\"name\": \"web\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6\"}}"),
            ("package-lock.json", "{}"),
        ];
        files.extend_from_slice(extra);
        temp_repo(&files)
    }

    #[test]
    fn vite_output_folder_from_config_or_default() {
        let (_d, repo) = vite_repo(&[]);
        let p = read(&repo, "").unwrap();
        assert_eq!(p.manager, NodeManager::Npm);
        assert!(
            matches!(&p.app, NodeApp::Static { output, framework: "Vite", .. } if output == "dist")
        );

        let (_d, repo) = vite_repo(&[(
            "vite.config.ts",
            "import { defineConfig } from 'vite'\n// outDir: 'nope'\nexport default defineConfig({\n  build: { outDir: './build/', sourcemap: true },\n})\n",
        )]);
        let p = read(&repo, "").unwrap();
        assert!(
            matches!(&p.app, NodeApp::Static { output, output_from, .. } if output == "build" && output_from == "vite.config.ts:4")
        );

        let (_d, repo) = vite_repo(&[(
            "vite.config.js",
            "export default {\n  build: {\n    outDir: path.resolve(__dirname, '../backend/static'),\n  },\n}\n",
        )]);
        let p = read(&repo, "").unwrap();
        assert!(matches!(&p.app, NodeApp::Static { output, .. } if output == "../backend/static"));

        let (_d, repo) = vite_repo(&[(
            "vite.config.js",
            "export default {\n  build: { outDir: OUT },\n}\n",
        )]);
        let err = read(&repo, "").unwrap_err().to_string();
        assert!(
            err.contains("vite.config.js:2") && err.contains("outDir"),
            "{err}"
        );
    }

    #[test]
    fn a_bun_project_is_planned_with_bun() {
        let server = "{\"name\": \"a\", \"scripts\": {\"start\": \"bun run index.ts\"}}";
        let entry = (
            "index.ts",
            "Bun.serve({ fetch: () => new Response('ok') });\n",
        );
        // (files, the lock file, the packageManager pin)
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);
        let cases: &[Case] = &[
            (&[("package.json", server), ("bun.lock", "{}\n"), entry], Some("bun.lock"), None),
            // The binary lock of Bun before 1.2 is a lock too.
            (&[("package.json", server), ("bun.lockb", "\0"), entry], Some("bun.lockb"), None),
            // The pin names Bun: another manager's lock is not Bun's.
            (
                &[
                    ("package.json", "{\"name\": \"a\", \"packageManager\": \"bun@1.2.0\", \"scripts\": {\"start\": \"bun run index.ts\"}}"),
                    ("package-lock.json", "{}"),
                    entry,
                ],
                None,
                Some("bun@1.2.0"),
            ),
        ];
        for (files, lock, pin) in cases {
            let (_d, repo) = crate::repo::temp_repo(files);
            let p = read(&repo, "").unwrap_or_else(|e| panic!("{files:?}: {e}"));
            assert_eq!(p.manager, NodeManager::Bun, "{files:?}");
            assert_eq!(p.lock_file.as_deref(), *lock, "{files:?}");
            assert_eq!(p.manager_pin.as_deref(), *pin, "{files:?}");
            let NodeApp::Server {
                command,
                framework,
                build_script,
                ..
            } = &p.app
            else {
                panic!("{files:?}: {:?}", p.app)
            };
            assert_eq!(
                (command.join(" "), *framework),
                ("bun run index.ts".into(), "Bun")
            );
            assert_eq!(build_script, &None, "Bun runs the source as it is");
        }
        // A lock beside another manager's, with no pin, is not Bun's say.
        let (_d, repo) = crate::repo::temp_repo(&[
            ("package.json", "{\"name\": \"a\", \"main\": \"index.js\"}"),
            ("bun.lock", "{}\n"),
            ("package-lock.json", "{}"),
        ]);
        assert_eq!(read(&repo, "").unwrap().manager, NodeManager::Npm);
        assert_eq!(
            NodeManager::Bun.install(true),
            "bun install --frozen-lockfile"
        );
        assert_eq!(NodeManager::Bun.install(false), "bun install");
        assert_eq!(
            NodeManager::Bun.production(true),
            "bun install --frozen-lockfile --production"
        );
        assert!(!NodeManager::Bun.needs_corepack());
    }

    #[test]
    fn a_bun_server_without_a_start_script_runs_its_module() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("package.json", "{\"name\": \"a\", \"module\": \"src/index.ts\", \"dependencies\": {\"elysia\": \"1\"}}"),
            ("bun.lock", "{}\n"),
            ("src/index.ts", "import { Elysia } from 'elysia';\nnew Elysia()\n  .get('/healthz', () => 'ok')\n  .listen(4000);\n"),
        ]);
        let p = read(&repo, "").unwrap();
        let NodeApp::Server {
            command,
            command_from,
            framework,
            port,
            health,
            ..
        } = &p.app
        else {
            panic!("{:?}", p.app)
        };
        assert_eq!(command, &["bun", "run", "src/index.ts"]);
        assert!(command_from.contains("(module)"), "{command_from}");
        assert_eq!(*framework, "Elysia");
        assert_eq!(port.as_ref().map(|(p, _)| *p), Some(4000));
        assert_eq!(health.as_ref().map(|r| r.path.as_str()), Some("/healthz"));
    }

    #[test]
    fn bun_projects_dockslim_cannot_plan_are_refused_with_the_way_out() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            // A Node start script in a Bun project: which runtime is meant?
            (
                &[("package.json", "{\"name\": \"a\", \"packageManager\": \"bun@1.2.0\", \"scripts\": {\"start\": \"node index.js\"}}")],
                "not a Node server on Bun",
            ),
            (
                &[
                    ("package.json", "{\"name\": \"a\", \"scripts\": {\"start\": \"bun --watch index.ts\"}}"),
                    ("bun.lock", "{}\n"),
                ],
                "development reloader",
            ),
            (
                &[
                    ("package.json", "{\"name\": \"a\", \"scripts\": {\"start\": \"bun run dist/index.js\"}}"),
                    ("bun.lock", "{}\n"),
                ],
                "no `build` script",
            ),
            (
                &[
                    ("package.json", "{\"name\": \"a\", \"workspaces\": [\"apps/*\"]}"),
                    ("bun.lock", "{}\n"),
                    ("apps/api/package.json", "{\"name\": \"api\", \"scripts\": {\"start\": \"bun run index.ts\"}}"),
                    ("apps/api/index.ts", "Bun.serve({ fetch: () => new Response('ok') });\n"),
                ],
                "a Bun workspace",
            ),
        ];
        for (files, says) in cases {
            let (_d, repo) = crate::repo::temp_repo(files);
            let err = read_root(&repo, None).unwrap_err();
            assert!(
                matches!(err.kind, crate::error::Kind::Unsupported(_)),
                "{err}"
            );
            assert!(err.to_string().contains(says), "{says}: {err}");
            assert!(
                err.to_string().contains("package.json"),
                "names the file: {err}"
            );
        }
    }

    #[test]
    fn managers_from_lock_files_and_package_manager() {
        let cases: &[(&[(&str, &str)], NodeManager)] = &[
            (
                &[("yarn.lock", "# yarn lockfile v1\n")],
                NodeManager::YarnClassic,
            ),
            (
                &[("yarn.lock", "__metadata:\n  version: 8\n")],
                NodeManager::YarnBerry,
            ),
            (
                &[
                    ("yarn.lock", "x"),
                    (".yarnrc.yml", "nodeLinker: node-modules\n"),
                ],
                NodeManager::YarnBerry,
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")],
                NodeManager::Pnpm,
            ),
        ];
        for (files, want) in cases {
            let mut all = vec![("package.json", "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}")];
            all.extend_from_slice(files);
            let (_d, repo) = temp_repo(&all);
            assert_eq!(read(&repo, "").unwrap().manager, *want, "{files:?}");
        }
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\n  \"packageManager\": \"pnpm@9.15.0\",\n  \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            ("pnpm-lock.yaml", "x"),
        ]);
        let p = read(&repo, "").unwrap();
        assert_eq!(
            (p.manager, p.manager_pin.as_deref()),
            (NodeManager::Pnpm, Some("pnpm@9.15.0"))
        );
        let (_d, repo) = temp_repo(&[(
            "package.json",
            "{\n  \"packageManager\": \"yarn@4.5.0\",\n  \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}",
        )]);
        // No lock file is not a refusal: the pinned manager resolves, and
        // without a pin npm (or Yarn 2+ by its .yarnrc.yml) does.
        let p = read(&repo, "").unwrap();
        assert_eq!(
            (p.manager, p.lock_file.as_deref()),
            (NodeManager::YarnBerry, None)
        );
        assert!(
            p.manager_from.contains("no lock file"),
            "{}",
            p.manager_from
        );
        // A pin with another manager's lock only: the lock decides.
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\n  \"packageManager\": \"yarn@1.22.21\",\n  \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            ("package-lock.json", "{}"),
        ]);
        let p = read(&repo, "").unwrap();
        assert_eq!(
            (p.manager, p.manager_pin.as_deref(), p.lock_file.as_deref()),
            (NodeManager::Npm, None, Some("package-lock.json"))
        );
        assert!(
            p.manager_from.contains("has no lock of its own"),
            "{}",
            p.manager_from
        );
        // pnpm's lock does not win over a yarn pin: corepack would refuse.
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\n  \"packageManager\": \"yarn@1.22.21\",\n  \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        ]);
        let p = read(&repo, "").unwrap();
        assert_eq!((p.manager, p.lock_file), (NodeManager::YarnClassic, None));
        let vite =
            "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}";
        let (_d, repo) = temp_repo(&[("package.json", vite)]);
        let p = read(&repo, "").unwrap();
        assert_eq!(
            (p.manager, p.lock_file.as_deref()),
            (NodeManager::Npm, None)
        );
        let (_d, repo) = temp_repo(&[
            ("package.json", vite),
            (".yarnrc.yml", "nodeLinker: node-modules\n"),
        ]);
        assert_eq!(read(&repo, "").unwrap().manager, NodeManager::YarnBerry);
        // A pin names the manager beside another manager's lock when it
        // has its own too: the other lock is a leftover.
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"packageManager\": \"pnpm@9.15.0\", \"devDependencies\": {\"vite\": \"6\"}, \"scripts\": {\"build\": \"vite build\"}}"),
            ("package-lock.json", "{}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        ]);
        let p = read(&repo, "").unwrap();
        assert_eq!(
            (p.manager, p.lock_file.as_deref()),
            (NodeManager::Pnpm, Some("pnpm-lock.yaml"))
        );
        assert_eq!(NodeManager::Npm.install(false), "npm install");
        assert_eq!(NodeManager::Npm.production(false), "npm install --omit=dev");
        assert_eq!(NodeManager::Pnpm.install(false), "pnpm install");
        assert_eq!(
            NodeManager::YarnClassic.production(false),
            "yarn install --production"
        );
        assert_eq!(NodeManager::Npm.install(true), "npm ci");
    }

    #[test]
    fn bad_package_json_names_line_and_column() {
        let (_d, repo) = temp_repo(&[(
            "web/package.json",
            "{\n  \"name\": \"web\",\n  \"scripts\": {,}\n}\n",
        )]);
        let err = read(&repo, "web").unwrap_err();
        assert!(matches!(err.kind, crate::error::Kind::Input { .. }));
        assert!(err.to_string().starts_with("web/package.json:3:"), "{err}");
    }

    #[test]
    fn next_server_standalone_or_export() {
        let pkg = (
            "package.json",
            "{\"scripts\": {\"build\": \"next build\"}, \"dependencies\": {\"next\": \"15\"}}",
        );
        let lock = ("package-lock.json", "{}");
        let (_d, repo) = temp_repo(&[
            pkg,
            lock,
            (
                "next.config.mjs",
                "const c = {\n  reactStrictMode: true,\n}\nexport default c\n",
            ),
        ]);
        assert!(matches!(
            read(&repo, "").unwrap().app,
            NodeApp::NextServer {
                standalone: false,
                ..
            }
        ));
        let (_d, repo) = temp_repo(&[
            pkg,
            lock,
            (
                "next.config.js",
                "module.exports = {\n  output: \"standalone\",\n}\n",
            ),
            ("app/api/health/route.ts", ""),
        ]);
        let app = read(&repo, "").unwrap().app;
        assert!(
            matches!(&app, NodeApp::NextServer { standalone: true, health: Some(h), .. } if h.path == "/api/health"),
            "{app:?}"
        );
        let (_d, repo) = temp_repo(&[
            pkg,
            lock,
            (
                "next.config.js",
                "module.exports = {\n  output: process.env.NEXT_OUTPUT,\n}\n",
            ),
        ]);
        let err = read(&repo, "").unwrap_err().to_string();
        assert!(
            err.contains("next.config.js:2") && err.contains("`output`"),
            "{err}"
        );
        let (_d, repo) = temp_repo(&[
            pkg,
            lock,
            ("next.config.js", "module.exports = { output: 'export' }\n"),
        ]);
        assert!(
            matches!(read(&repo, "").unwrap().app, NodeApp::Static { ref output, .. } if output == "out")
        );
    }

    #[test]
    fn servers_run_with_node_and_find_port_and_health() {
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"start\": \"node --enable-source-maps src/index.js\"}, \"dependencies\": {\"fastify\": \"5\"}}"),
            ("package-lock.json", "{}"),
            ("src/index.js", "const app = require('fastify')()\napp.get('/healthz', async () => ({ok: true}))\napp.listen({ port: process.env.PORT || 4000, host: '0.0.0.0' })\n"),
        ]);
        let app = read(&repo, "").unwrap().app;
        let NodeApp::Server {
            framework,
            command,
            port,
            health,
            ..
        } = app
        else {
            panic!()
        };
        assert_eq!(framework, "Fastify");
        assert_eq!(command, ["node", "--enable-source-maps", "src/index.js"]);
        assert_eq!(port, Some((4000, "src/index.js:3".into())));
        let health = health.unwrap();
        assert_eq!(
            (health.path.as_str(), health.file.as_str(), health.line),
            ("/healthz", "src/index.js", 2)
        );
        // A database port in the same code is not the one the server listens on.
        let db_first = vec![
            (
                "src/db.js".to_string(),
                "const pool = new Pool({ host: 'db', port: 5432 })\n".to_string(),
            ),
            (
                "src/index.js".to_string(),
                "app.listen({ port: 8081, host: '0.0.0.0' })\n".to_string(),
            ),
        ];
        assert_eq!(
            listen_port(&db_first),
            Some((8081, "src/index.js:1".into()))
        );

        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"start\": \"nodemon index.js\"}, \"dependencies\": {\"express\": \"4\"}}"),
            ("package-lock.json", "{}"),
        ]);
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("nodemon index.js"));
    }

    #[test]
    fn version_files_and_ranges() {
        assert_eq!(
            parse_version_file("v22.11.0\n"),
            Some(NodeVersionSays::Major(22))
        );
        assert_eq!(
            parse_version_file("lts/iron"),
            Some(NodeVersionSays::Major(20))
        );
        assert_eq!(parse_version_file("lts/*"), Some(NodeVersionSays::Lts));
        assert_eq!(parse_version_file("node"), Some(NodeVersionSays::Latest));
        assert_eq!(major_satisfies(">=20", 24), Some(true));
        assert_eq!(major_satisfies("^18 || ^20", 22), Some(false));
        assert_eq!(major_satisfies("^20.19.0 || >=22.12.0", 22), Some(true));
        assert_eq!(major_satisfies("not a range", 22), None);
        let (_d, repo) = vite_repo(&[(".nvmrc", "# pinned\nv20.11.1\n")]);
        let p = read(&repo, "").unwrap();
        assert_eq!(
            p.version_evidence,
            vec![NodeVersionEvidence {
                file: ".nvmrc".into(),
                line: 2,
                says: NodeVersionSays::Major(20)
            }]
        );
    }

    #[test]
    fn served_output_found_in_python_paths() {
        let src = |t: &str| vec![("app.py".to_string(), t.to_string())];
        assert_eq!(
            served_by_python(
                &src("app = Flask(__name__, static_folder=\"../frontend/dist\")\n"),
                "frontend/dist"
            ),
            Some(("app.py".into(), 1))
        );
        assert_eq!(
            served_by_python(
                &src("STATICFILES_DIRS = [\n    BASE_DIR / \"frontend\" / \"dist\",\n]\n"),
                "frontend/dist"
            ),
            Some(("app.py".into(), 2))
        );
        assert_eq!(
            served_by_python(
                &src("# static_folder='frontend/dist'\nX = 'dist'\n"),
                "frontend/dist"
            ),
            None
        );
    }

    const NEXT_WEB: &str = "{\"name\": \"web\", \"scripts\": {\"build\": \"next build\"}, \"dependencies\": {\"@acme/ui\": \"workspace:*\", \"next\": \"15\"}}";

    #[test]
    fn pnpm_settings_alone_do_not_make_a_workspace() {
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"name\": \"site\", \"packageManager\": \"pnpm@9.15.9\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("pnpm-workspace.yaml", "onlyBuiltDependencies:\n  - esbuild\n"),
        ]);
        for p in [read(&repo, "").unwrap(), read_root(&repo, None).unwrap()] {
            assert!(p.workspace.is_none());
            assert_eq!((p.dir.as_str(), p.manager), ("", NodeManager::Pnpm));
            assert!(matches!(p.app, NodeApp::Static { .. }));
        }
        // `package` on a single package is a mistake worth saying.
        let err = read_root(&repo, Some("web")).unwrap_err();
        assert!(err.to_string().contains("declares no workspace"), "{err}");
    }

    #[test]
    fn workspace_member_is_read_with_the_root_lock() {
        let (_d, repo) = temp_repo(&[
            (
                "package.json",
                "{\"name\": \"acme\", \"private\": true, \"engines\": {\"node\": \">=20\"}}",
            ),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            (
                "pnpm-workspace.yaml",
                "packages:\n  - apps/*\n  - packages/*\n",
            ),
            ("apps/web/package.json", NEXT_WEB),
            (
                "apps/web/next.config.mjs",
                "export default { output: 'standalone' }\n",
            ),
            (
                "apps/web/app/api/health/route.js",
                "export function GET() {}\n",
            ),
            ("apps/docs/package.json", "{\"name\": \"docs\"}"),
            (
                "packages/ui/package.json",
                "{\"name\": \"@acme/ui\", \"scripts\": {\"build\": \"tsc\"}}",
            ),
        ]);
        let p = read_root(&repo, None).unwrap();
        let ws = p.workspace.as_ref().unwrap();
        assert_eq!(
            (p.dir.as_str(), ws.member.name.as_str()),
            ("apps/web", "web")
        );
        assert_eq!(ws.declared_at, "pnpm-workspace.yaml:1");
        assert_eq!(p.lock_file.as_deref(), Some("pnpm-lock.yaml"));
        assert_eq!(ws.source_dirs(), ["apps/web", "packages/ui"]);
        assert_eq!(ws.builds_first.len(), 1);
        assert!(
            matches!(&p.app, NodeApp::NextServer { standalone: true, health: Some(h), .. } if h.file == "apps/web/app/api/health/route.js")
        );
        // The root's engines.node counts for the member.
        assert!(p.version_evidence.iter().any(|e| e.file == "package.json"));
        // Read from the member's folder as a frontend, a workspace root
        // is still refused; the member itself names no workspace.
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("workspace"));
        // A member the configuration names that is not one.
        let err = read_root(&repo, Some("webb")).unwrap_err();
        assert!(
            err.hint()
                .unwrap_or_default()
                .contains("did you mean `web`"),
            "{err:?}"
        );
    }

    #[test]
    fn standalone_layout_follows_the_tracing_root() {
        let member = |config: &str| {
            let (d, repo) = temp_repo(&[
                ("package.json", "{\"private\": true}"),
                ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
                ("pnpm-workspace.yaml", "packages: ['apps/*']\n"),
                ("apps/web/package.json", NEXT_WEB),
                ("apps/web/next.config.js", config),
            ]);
            (d, read_root(&repo, None))
        };
        let dir_of = |p: Result<NodeProject>| match p.unwrap().app {
            NodeApp::NextServer { standalone_dir, .. } => standalone_dir,
            other => panic!("{other:?}"),
        };
        // Next.js finds the workspace root by its lock file.
        let (_d, p) = member("module.exports = { output: 'standalone' }\n");
        assert_eq!(dir_of(p), "apps/web");
        let (_d, p) = member("const path = require('path')\nmodule.exports = {\n  output: 'standalone',\n  outputFileTracingRoot: path.join(__dirname, '../../'),\n}\n");
        assert_eq!(dir_of(p), "apps/web");
        // Traced from the app's own folder: server.js at the top.
        let (_d, p) = member(
            "module.exports = {\n  output: 'standalone',\n  outputFileTracingRoot: __dirname,\n}\n",
        );
        assert_eq!(dir_of(p), "");
        let (_d, p) = member("module.exports = {\n  outputFileTracingRoot: process.cwd(),\n  output: 'standalone',\n}\n");
        assert_eq!(dir_of(p), "");
        let (_d, p) = member(
            "export default {\n  output: 'standalone',\n  outputFileTracingRoot: ROOT,\n}\n",
        );
        let err = p.unwrap_err().to_string();
        assert!(
            err.contains("apps/web/next.config.js:3") && err.contains("outputFileTracingRoot"),
            "{err}"
        );
        // A single project traced from above the repository.
        let (_d, repo) = temp_repo(&[
            (
                "package.json",
                "{\"scripts\": {\"build\": \"next build\"}, \"dependencies\": {\"next\": \"15\"}}",
            ),
            (
                "next.config.js",
                "module.exports = { outputFileTracingRoot: path.join(__dirname, '..') }\n",
            ),
        ]);
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("outside the repository"));
    }

    /// An npm workspace's server member is read with the root's manager
    /// and lock; the same member under Yarn's Plug'n'Play is refused.
    #[test]
    fn a_server_member_is_read_unless_plug_n_play() {
        let api = (
            "services/api/package.json",
            "{\"name\": \"api\", \"scripts\": {\"start\": \"node index.js\"}, \"dependencies\": {\"express\": \"4\"}}",
        );
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"workspaces\": [\"services/*\"]}"),
            ("package-lock.json", "{}"),
            api,
        ]);
        let p = read_root(&repo, None).unwrap();
        assert_eq!(
            (p.manager, p.lock_file.as_deref(), p.dir.as_str()),
            (NodeManager::Npm, Some("package-lock.json"), "services/api")
        );
        assert!(matches!(p.app, NodeApp::Server { .. }));
        let (_d, repo) = temp_repo(&[
            (
                "package.json",
                "{\"workspaces\": [\"services/*\"], \"packageManager\": \"yarn@4.5.3\"}",
            ),
            ("yarn.lock", "__metadata:\n  version: 8\n"),
            api,
        ]);
        let err = read_root(&repo, None).unwrap_err();
        assert!(matches!(err.kind, crate::error::Kind::Unsupported(_)));
        assert!(
            err.to_string().contains("services/api/package.json: an Express server installed by Yarn 2+ with Plug'n'Play (.yarnrc.yml sets no nodeLinker"),
            "{err}"
        );
    }

    /// A Yarn 2+ server under Plug'n'Play has no node_modules for the
    /// image to carry: refused, with the linker setting that writes one. A
    /// static site (built, then served without Node) is planned either way.
    #[test]
    fn plug_n_play_servers_are_refused_with_the_linker_setting() {
        let server = (
            "package.json",
            "{\"name\": \"api\", \"scripts\": {\"start\": \"node index.js\"}, \"dependencies\": {\"express\": \"4\"}}",
        );
        let lock = ("yarn.lock", "__metadata:\n  version: 8\n");
        for yarnrc in [
            "",
            "nodeLinker: pnp\n",
            "yarnPath: .yarn/releases/yarn-4.5.3.cjs\n",
        ] {
            let (_d, repo) = temp_repo(&[server, lock, (".yarnrc.yml", yarnrc)]);
            let err = read(&repo, "").unwrap_err();
            assert!(
                matches!(err.kind, crate::error::Kind::Unsupported(_)),
                "{yarnrc:?}: {err}"
            );
            assert!(err.to_string().contains("Plug'n'Play"), "{err}");
            assert!(err.hint().unwrap().contains("nodeLinker: node-modules"));
        }
        for yarnrc in ["nodeLinker: node-modules\n", "nodeLinker: \"pnpm\"\n"] {
            let (_d, repo) = temp_repo(&[server, lock, (".yarnrc.yml", yarnrc)]);
            assert_eq!(read(&repo, "").unwrap().manager, NodeManager::YarnBerry);
        }
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            lock,
        ]);
        assert!(read(&repo, "").is_ok());
    }

    #[test]
    fn unsupported_frameworks_and_workspaces_say_so() {
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"scripts\": {\"build\": \"vite build\"},\n \"devDependencies\": {\"@sveltejs/kit\": \"2\", \"vite\": \"6\"}}"),
            ("package-lock.json", "{}"),
        ]);
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("package.json:2: a SvelteKit app"));
        let (_d, repo) = temp_repo(&[
            ("package.json", "{\"workspaces\": [\"apps/*\"]}"),
            ("package-lock.json", "{}"),
        ]);
        assert!(read(&repo, "")
            .unwrap_err()
            .to_string()
            .contains("workspace"));
    }
}
