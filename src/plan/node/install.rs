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
        NodeManager::YarnClassic if locked => {
            "yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline".into()
        }
        NodeManager::YarnClassic => {
            "yarn install --production --ignore-scripts --prefer-offline".into()
        }
        NodeManager::YarnBerry => "yarn workspaces focus --all --production".into(),
        NodeManager::Pnpm => store("pnpm prune --prod"),
    };
    Install {
        copies,
        dirs,
        corepack,
        install: store(m.install(locked)),
        production_install: store(m.production(locked)),
        prune,
        cache_dir: m.cache_dir().to_string(),
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
    let reason = match &node.lock_file {
        Some(_) => format!(
            "{} ({}): installs exactly what the lock file pins and fails if package.json and the lock disagree; only package.json and the lock are copied first, so the install layer is reused until they change{cache}",
            node.manager.name(),
            node.manager_from,
        ),
        None => format!(
            "{} ({}): resolves package.json's version ranges at build time, so two builds can install different versions (DS406: `{}` writes the lock, and the install then follows it); only package.json is copied first, so the install layer is reused until it changes{cache}",
            node.manager.name(),
            node.manager_from,
            node.manager.install(false),
        ),
    };
    st.decide(
        Topic::Install,
        inst.install.clone(),
        reason,
        inputs.fixes(&[crate::rules::RuleId::DS201, crate::rules::RuleId::DS302]),
    );
    if node.npmrc {
        st.decide(
            Topic::Npmrc,
            "mounted as the build secret `npmrc`",
            format!("{} may hold a registry token: it is excluded from the context and mounted only for the install (docker build --secret id=npmrc,src={})", node.path(".npmrc"), node.path(".npmrc")),
            inputs.fixes(&[crate::rules::RuleId::DS101]),
        );
    }
}
