//! The install every kind shares: what is copied before it, corepack, the
//! package manager's locked install (or, with no lock file, its resolving
//! one; and their production-only and prune forms), and the .npmrc mounted
//! as a secret.

use super::Stage;
use crate::detect::node::{NodeManager, NodeProject};
use crate::plan::{Inputs, Topic};

/// The install part of a NodePlan, shared by every kind.
pub(super) struct Install {
    pub(super) copies: Vec<String>,
    pub(super) dirs: Vec<(String, String)>,
    pub(super) corepack: Option<String>,
    pub(super) install: String,
    pub(super) production_install: String,
    pub(super) prune: String,
    pub(super) cache_dir: String,
}

pub(super) fn install(
    inputs: &Inputs,
    node: &NodeProject,
    prefix: &str,
    cache_mounts: bool,
) -> Install {
    if let Some(ws) = &node.workspace {
        return workspace_install(inputs, node, ws, cache_mounts);
    }
    let m = node.manager;
    let locked = node.lock_file.is_some();
    let mut copies = vec![format!("{prefix}package.json")];
    copies.extend(node.lock_file.iter().map(|lock| format!("{prefix}{lock}")));
    let mut dirs = Vec::new();
    for f in &node.install_files {
        if f.ends_with('/') {
            dirs.push((format!("{prefix}{f}"), f.clone()));
        } else {
            copies.push(format!("{prefix}{f}"));
        }
    }
    let corepack = corepack(inputs, node);
    let store = |cmd: &str| node.lifecycle.guard(m, &with_store(m, cache_mounts, cmd));
    Install {
        copies,
        dirs,
        corepack,
        install: store(m.install(locked)),
        production_install: store(m.production(locked)),
        prune: node
            .lifecycle
            .guard_prune(m, &with_store(m, cache_mounts, prune(m, locked))),
        cache_dir: m.cache_dir().to_string(),
    }
}

/// What drops the devDependencies after a build's full install.
fn prune(m: NodeManager, locked: bool) -> &'static str {
    match m {
        NodeManager::Npm => "npm prune --omit=dev",
        NodeManager::YarnClassic if locked => {
            "yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline"
        }
        NodeManager::YarnClassic => "yarn install --production --ignore-scripts --prefer-offline",
        NodeManager::YarnBerry => "yarn workspaces focus --all --production",
        NodeManager::Pnpm => "pnpm prune --prod",
        // Bun has no prune: the production install into an empty
        // node_modules leaves the devDependencies out.
        NodeManager::Bun if locked => {
            "rm -rf node_modules && bun install --frozen-lockfile --production"
        }
        NodeManager::Bun => "rm -rf node_modules && bun install --production",
    }
}

/// The corepack step for the managers official images do not ship.
fn corepack(inputs: &Inputs, node: &NodeProject) -> Option<String> {
    let m = node.manager;
    m.needs_corepack().then(|| match &node.manager_pin {
        Some(_) => "corepack enable".to_string(),
        None => {
            let pin = match m {
                NodeManager::Pnpm => &inputs.profile.node.corepack.pnpm,
                _ => &inputs.profile.node.corepack.yarn,
            };
            format!("corepack enable && corepack prepare {pin} --activate")
        }
    })
}

/// pnpm's store in the cache mount's folder, so downloads stay out of the
/// layers.
fn with_store(m: NodeManager, cache_mounts: bool, cmd: &str) -> String {
    if m == NodeManager::Pnpm && cache_mounts {
        format!("{cmd} --store-dir {}", m.cache_dir())
    } else {
        cmd.to_string()
    }
}

/// A workspace member's install, from the workspace root: the root's
/// manifest, lock and settings, then every member's package.json at its own
/// path (the lock covers them all, and a manager checks it against them),
/// then an install of only what the member and its workspace packages
/// need. Sources come after, so this layer is reused until a manifest or
/// the lock changes.
fn workspace_install(
    inputs: &Inputs,
    node: &NodeProject,
    ws: &crate::detect::node_workspace::NodeWorkspace,
    cache_mounts: bool,
) -> Install {
    let m = node.manager;
    let locked = node.lock_file.is_some();
    let mut copies = vec!["package.json".to_string()];
    copies.extend(node.lock_file.iter().cloned());
    if inputs.repo.exists("pnpm-workspace.yaml") {
        copies.push("pnpm-workspace.yaml".into());
    }
    let mut dirs = Vec::new();
    for f in &node.install_files {
        if f.ends_with('/') {
            dirs.push((f.clone(), f.clone()));
        } else {
            copies.push(f.clone());
        }
    }
    for member in &ws.members {
        dirs.push((
            format!("{}/package.json", member.dir),
            format!("{}/", member.dir),
        ));
    }
    let name = ws.member_name();
    let install = match m {
        // `name...`: the member and every workspace package it depends on.
        NodeManager::Pnpm => format!("{} --filter {name}...", m.install(locked)),
        NodeManager::Npm => format!(
            "{} --workspace {} --include-workspace-root",
            m.install(locked),
            ws.member.dir
        ),
        // focus installs the member's dependencies and its workspace
        // packages' (Yarn 4's built-in command; a plugin in Yarn 2 and 3).
        NodeManager::YarnBerry => format!("yarn workspaces focus {name}"),
        // Yarn 1 has no focus: the whole workspace is installed.
        NodeManager::YarnClassic => m.install(locked).to_string(),
        // Not reached: a Bun workspace is refused when it is read.
        NodeManager::Bun => m.install(locked).to_string(),
    };
    let (production_install, prune) = workspace_production(node, ws);
    let store = |cmd: &str| node.lifecycle.guard(m, &with_store(m, cache_mounts, cmd));
    Install {
        copies,
        dirs,
        corepack: corepack(inputs, node),
        install: store(&install),
        production_install: store(&production_install),
        prune: node
            .lifecycle
            .guard_prune(m, &with_store(m, cache_mounts, &prune)),
        cache_dir: m.cache_dir().to_string(),
    }
}

/// A workspace member's production install (no devDependencies, of the
/// member and its workspace packages where the manager can filter), and
/// the prune that leaves the same after a build's full install. Yarn 1
/// filters neither: every member's production dependencies are installed.
fn workspace_production(
    node: &NodeProject,
    ws: &crate::detect::node_workspace::NodeWorkspace,
) -> (String, String) {
    let m = node.manager;
    let locked = node.lock_file.is_some();
    let (name, dir) = (ws.member_name(), &ws.member.dir);
    match m {
        NodeManager::Npm => (
            format!(
                "{} --workspace {dir} --include-workspace-root",
                m.production(locked)
            ),
            format!("npm prune --omit=dev --workspace {dir} --include-workspace-root"),
        ),
        NodeManager::YarnBerry => {
            let focus = format!("yarn workspaces focus {name} --production");
            (focus.clone(), focus)
        }
        // Yarn 1's install of the whole workspace without devDependencies.
        NodeManager::YarnClassic => (m.production(locked).to_string(), prune(m, locked).into()),
        NodeManager::Pnpm => (
            format!("{} --filter {name}...", m.production(locked)),
            prune(m, locked).into(),
        ),
        // Not reached: a Bun workspace is refused when it is read.
        NodeManager::Bun => (m.production(locked).to_string(), prune(m, locked).into()),
    }
}

/// The command that runs `script` of the project: in a workspace, of the
/// member, after the same script of the workspace packages it depends on
/// (pnpm orders them itself; npm and Yarn run them one by one, dependencies
/// first).
pub(crate) fn run_script(node: &NodeProject, script: &str) -> String {
    let Some(ws) = &node.workspace else {
        return node.manager.run(script);
    };
    let name = ws.member_name();
    match node.manager {
        NodeManager::Pnpm => format!("pnpm --filter {name}... run {script}"),
        m => ws
            .builds_first
            .iter()
            .filter(|_| script == "build")
            .chain(std::iter::once(&ws.member))
            .map(|member| match m {
                NodeManager::Npm => format!("npm run {script} --workspace {}", member.dir),
                _ => format!("yarn workspace {} run {script}", member.name),
            })
            .collect::<Vec<_>>()
            .join(" \\\n && "),
    }
}

/// Why the install is what it is, and the .npmrc's secret mount.
pub(super) fn decide_install(st: &mut Stage, inst: &Install, cache_mounts: bool) {
    let (inputs, node) = (st.inputs, st.node);
    let cache = if cache_mounts {
        "; downloads stay in a BuildKit cache mount, out of the layers"
    } else {
        ""
    };
    if let Some(ws) = &node.workspace {
        let local = if ws.local.is_empty() {
            "no workspace packages".to_string()
        } else {
            ws.local
                .iter()
                .map(|m| format!("{} ({})", m.name, m.dir))
                .collect::<Vec<_>>()
                .join(", ")
        };
        st.decide(
            Topic::WorkspaceMember,
            format!("{} ({})", ws.member.name, ws.member.dir),
            format!(
                "{}; the workspace declared at {} is built from its root, as one lock file pins every member: the root's manifest and lock and every member's package.json are copied first, then `{}` installs only what {} and the workspace packages it uses ({local}) need, and only their folders are copied after it",
                ws.chosen_because,
                ws.declared_at,
                inst.install,
                ws.member.name,
            ),
            vec![],
        );
    }
    let reason = match &node.lock_file {
        Some(_) if node.workspace.is_some() => format!(
            "{} ({}): installs exactly what the lock file pins and fails if a package.json and the lock disagree; the install layer is reused until a manifest or the lock changes{cache}",
            node.manager.name(),
            node.manager_from,
        ),
        Some(_) => format!(
            "{} ({}): installs exactly what the lock file pins and fails if package.json and the lock disagree; {}{cache}",
            node.manager.name(),
            node.manager_from,
            copied_first(node, "package.json and the lock are", "they change"),
        ),
        None => format!(
            "{} ({}): resolves package.json's version ranges at build time, so two builds can install different versions (DS406: `{}` writes the lock, and the install then follows it); {}{cache}",
            node.manager.name(),
            node.manager_from,
            node.manager.install(false),
            copied_first(node, "package.json is", "it changes"),
        ),
    };
    st.decide(
        Topic::Install,
        inst.install.clone(),
        reason,
        inputs.fixes(&[crate::rules::RuleId::DS201, crate::rules::RuleId::DS302]),
    );
    decide_install_scripts(st);
    if node.npmrc {
        st.decide(
            Topic::Npmrc,
            "mounted as the build secret `npmrc`",
            format!("{} may hold a registry token: it is excluded from the context and mounted only for the install (docker build --secret id=npmrc,src={})", node.path(".npmrc"), node.path(".npmrc")),
            inputs.fixes(&[crate::rules::RuleId::DS101]),
        );
    }
}

/// What the install layer is built from, for the install's reason.
fn copied_first(node: &NodeProject, manifests: &str, until: &str) -> String {
    if reads_source(node) {
        "the source is copied first, for package.json's install scripts".to_string()
    } else {
        format!("only {manifests} copied first, so the install layer is reused until {until}")
    }
}

/// Whether the install runs on the source: a single package whose
/// install scripts (besides git hooks) may read it. A workspace's install
/// keeps its manifests-first layer.
fn reads_source(node: &NodeProject) -> bool {
    node.workspace.is_none() && !node.lifecycle.others.is_empty()
}

/// The install copies the source first when package.json's install
/// scripts may read it (`"postinstall": "prisma generate"` reads
/// prisma/schema.prisma): with only the manifests there, the script fails
/// or makes nothing.
pub(super) fn source_first(st: &mut Stage, plan: &mut super::NodePlan) {
    let node = st.node;
    let Some((name, command)) = node.lifecycle.others.first().filter(|_| reads_source(node)) else {
        return;
    };
    plan.install_copies = vec![plan.source.clone()];
    plan.install_dirs.clear();
    plan.source_first = true;
    st.decide(
        Topic::InstallScripts,
        "the source is copied before the install",
        format!(
            "{}'s {name} script (`{command}`) runs during the install and may read the project's files (a schema, a script); the install layer is then rebuilt when the source changes",
            node.manifest()
        ),
        vec![],
    );
}

/// Why package.json's own install scripts that only install git hooks are
/// dropped.
fn decide_install_scripts(st: &mut Stage) {
    let node = st.node;
    let manifest = match &node.workspace {
        Some(_) => "package.json".to_string(),
        None => node.manifest(),
    };
    if node.lifecycle.hooks.is_empty() {
        return;
    }
    st.decide(
        Topic::InstallScripts,
        format!(
            "`{}` before each install",
            node.lifecycle.drop_command(node.manager).unwrap_or_default()
        ),
        format!(
            "{manifest}: {}, which an image never runs (it has no clone); the install would run it, and without the devDependencies (or git) it stops with `not found`",
            node.lifecycle.hooks_phrase()
        ),
        vec![],
    );
}

/// What `run_script` runs before the member's own script, for the reason
/// of the build decision: the workspace packages built first.
pub(super) fn built_first(node: &NodeProject, script: &str) -> String {
    match &node.workspace {
        Some(ws) if script == "build" && !ws.builds_first.is_empty() => format!(
            "; first the `build` script of {}, which the member uses{}",
            ws.builds_first
                .iter()
                .map(|m| m.dir.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            match node.manager {
                NodeManager::Pnpm => " (pnpm's `--filter member...` runs them in dependency order)",
                _ => ", dependencies before their dependents",
            }
        ),
        _ => String::new(),
    }
}
