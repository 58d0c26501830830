//! The project's own lifecycle scripts that an install runs, and what an
//! image needs for them.
//!
//! `npm ci --omit=dev` (and `yarn --production`, `pnpm --prod`, `bun
//! install --production`) still runs the root package's install scripts:
//! for npm preinstall, install, postinstall, prepublish, preprepare,
//! prepare and postprepare (each manager's list is in `install_scripts`).
//! When one calls a tool that only the devDependencies bring (`"prepare":
//! "husky install"`, the most common case), the install stops with
//! "husky: not found", exit 127, and the image does not build.
//!
//! Three answers, because the scripts do different things:
//! - git hook installers (husky, lefthook, simple-git-hooks, `git config
//!   core.hooksPath`) set up a developer's clone; an image has no clone and
//!   never runs a hook, so the image's installs run without those scripts;
//! - anything else (`prisma generate`, `node scripts/setup.js`) may read
//!   the project's files, so a single package's install runs on its source;
//! - one of those that calls a devDependency (`prisma generate`,
//!   `patch-package`, `tsc`) makes files the app may use, so it must run
//!   with its tool there: the image installs everything, then prunes.

use serde::Serialize;

use crate::detect::node::NodeManager;
use crate::dockerfile::script::{Connector, Script};

/// What the root package's install scripts do, as far as an image cares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// Scripts that only install git hooks (with a devDependency, or git,
    /// which slim images lack): the image's installs drop them first.
    pub hooks: Vec<String>,
    /// Those of them that fail where the image has no `.git` (all but
    /// husky's): an install moved before `COPY . .` would run them there.
    pub hooks_needing_clone: Vec<String>,
    /// The other scripts the install runs, as (name, command): they may
    /// read the source (`prisma generate` reads prisma/schema.prisma,
    /// `node scripts/setup.js` its file), so the image's install runs
    /// after the source is copied.
    pub others: Vec<(String, String)>,
    /// One of them runs a devDependency's tool for files the app may use:
    /// the image needs the full install, then a prune.
    pub dev_call: Option<DevCall>,
}

/// A lifecycle script's call to a devDependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DevCall {
    /// The script's name (`postinstall`).
    pub script: String,
    /// The script as written.
    pub command: String,
    /// The devDependency whose tool it calls.
    pub package: String,
}

impl Lifecycle {
    /// The command that drops the hook scripts from package.json inside
    /// the image, to run before an install; None when there are none.
    pub fn drop_command(&self, manager: NodeManager) -> Option<String> {
        drop_of(manager, self.hooks.iter())
    }

    /// The prune after a full install, with what it must not run dropped
    /// first. npm's prune runs no scripts, and Yarn 1's is given
    /// `--ignore-scripts`; pnpm's prune installs again and runs the root's
    /// install scripts (pnpm/pnpm#4770), Yarn 2+'s focus its postinstall,
    /// Bun's reinstall all of them: the hooks are dropped, and for pnpm the
    /// script that called a devDependency too, which already ran in the
    /// full install and would now miss its tool.
    pub fn guard_prune(&self, manager: NodeManager, prune: &str) -> String {
        let dev_script = self.dev_call.iter().map(|c| &c.script);
        let dropped = match manager {
            NodeManager::Npm | NodeManager::YarnClassic => None,
            NodeManager::Pnpm => drop_of(manager, self.hooks.iter().chain(dev_script)),
            NodeManager::YarnBerry | NodeManager::Bun => self.drop_command(manager),
        };
        match dropped {
            Some(drop) => format!("{drop} && {prune}"),
            None => prune.to_string(),
        }
    }

    /// "the prepare script only installs git hooks", for reasons.
    pub fn hooks_phrase(&self) -> String {
        match self.hooks.as_slice() {
            [] => String::new(),
            [one] => format!("the {one} script only installs git hooks"),
            many => format!("the {} scripts only install git hooks", many.join(" and ")),
        }
    }

    /// `command` run after dropping the hook scripts, when there are some.
    pub fn guard(&self, manager: NodeManager, command: &str) -> String {
        match self.drop_command(manager) {
            Some(drop) => format!("{drop} && {command}"),
            None => command.to_string(),
        }
    }
}

/// `npm pkg delete scripts.a scripts.b` (`bun pm pkg delete` on Bun,
/// whose images have no npm); None for no scripts.
fn drop_of<'a>(manager: NodeManager, scripts: impl Iterator<Item = &'a String>) -> Option<String> {
    let keys: Vec<String> = scripts.map(|s| format!("scripts.{s}")).collect();
    if keys.is_empty() {
        return None;
    }
    let tool = match manager {
        NodeManager::Bun => "bun pm pkg delete",
        _ => "npm pkg delete",
    };
    Some(format!("{tool} {}", keys.join(" ")))
}

/// The scripts of the root package a manager's install runs, in order.
pub fn install_scripts(manager: NodeManager) -> &'static [&'static str] {
    match manager {
        NodeManager::Npm => &[
            "preinstall",
            "install",
            "postinstall",
            "prepublish",
            "preprepare",
            "prepare",
            "postprepare",
        ],
        NodeManager::YarnClassic => &[
            "preinstall",
            "install",
            "postinstall",
            "prepublish",
            "prepare",
        ],
        // Yarn 2+ runs a workspace's install scripts, not `prepare`.
        NodeManager::YarnBerry => &["preinstall", "install", "postinstall"],
        NodeManager::Pnpm => &[
            "preinstall",
            "install",
            "postinstall",
            "preprepare",
            "prepare",
            "postprepare",
        ],
        NodeManager::Bun => &["preinstall", "install", "postinstall", "prepare"],
    }
}

/// Tools whose package has another name.
const BINS: &[(&str, &str)] = &[
    ("tsc", "typescript"),
    ("nest", "@nestjs/cli"),
    ("ng", "@angular/cli"),
    ("vue-cli-service", "@vue/cli-service"),
    ("babel", "@babel/cli"),
    ("svelte-kit", "@sveltejs/kit"),
];

/// One step of a lifecycle script, as far as the image cares.
#[derive(Debug, PartialEq)]
enum Step {
    /// Installs git hooks, with a devDependency's tool (its package) or
    /// with git; `needs_clone` when it fails where there is no `.git`
    /// (husky says so and goes on; git, lefthook and simple-git-hooks
    /// stop).
    Hooks {
        package: Option<String>,
        needs_clone: bool,
    },
    /// Changes nothing (`true`, `echo`, `exit 0`, the `is-ci` guard).
    Neutral,
    /// Runs a devDependency's tool (the package).
    Dev(String),
    /// Anything else: a production dependency, node, a shell command.
    Other,
}

/// What the scripts `manager`'s install runs need, from a parsed
/// package.json.
pub fn of_manifest(
    manager: NodeManager,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Lifecycle {
    let names = |key: &str| -> Vec<String> {
        obj.get(key)
            .and_then(serde_json::Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let scripts: Vec<(String, String)> = obj
        .get("scripts")
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    read(
        manager,
        &scripts,
        &names("dependencies"),
        &names("devDependencies"),
    )
}

/// What the scripts `manager`'s install runs need, from package.json's
/// `scripts`, `dependencies` and `devDependencies`.
pub fn read(
    manager: NodeManager,
    scripts: &[(String, String)],
    dependencies: &[String],
    dev_dependencies: &[String],
) -> Lifecycle {
    let script = |name: &str| {
        scripts
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let dev_package = |program: &str| -> Option<String> {
        let package = BINS
            .iter()
            .find(|(bin, _)| *bin == program)
            .map_or(program, |(_, p)| *p);
        let dev = dev_dependencies.iter().any(|d| d == package);
        let prod = dependencies.iter().any(|d| d == package);
        (dev && !prod).then(|| package.to_string())
    };
    let mut found = Lifecycle::default();
    for name in install_scripts(manager) {
        let Some(text) = script(name) else {
            continue;
        };
        let steps = steps(text, &script, &dev_package, 0);
        let hooks_only = steps.iter().any(|s| matches!(s, Step::Hooks { .. }))
            && steps
                .iter()
                .all(|s| matches!(s, Step::Hooks { .. } | Step::Neutral));
        if hooks_only {
            found.hooks.push(name.to_string());
            if steps.iter().any(|s| {
                matches!(
                    s,
                    Step::Hooks {
                        needs_clone: true,
                        ..
                    }
                )
            }) {
                found.hooks_needing_clone.push(name.to_string());
            }
            continue;
        }
        if steps.iter().all(|s| *s == Step::Neutral) {
            continue;
        }
        found.others.push((name.to_string(), text.to_string()));
        // Mixed with other work, even a hook installer from the
        // devDependencies needs them there.
        let dev = steps.iter().find_map(|s| match s {
            Step::Dev(p)
            | Step::Hooks {
                package: Some(p), ..
            } => Some(p.clone()),
            _ => None,
        });
        if let (Some(package), None) = (dev, &found.dev_call) {
            found.dev_call = Some(DevCall {
                script: name.to_string(),
                command: text.to_string(),
                package,
            });
        }
    }
    found
}

/// The steps of a script, following `npm run X` (and the other managers'
/// forms) into script X, a few levels deep.
fn steps<'a>(
    text: &str,
    script: &dyn Fn(&str) -> Option<&'a str>,
    dev_package: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Vec<Step> {
    let mut out = Vec::new();
    for command in Script::parse(text).commands {
        let words = command.texts();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if let Some(called) = run_script_target(&words, script) {
            match script(called) {
                Some(inner) if depth < 4 => {
                    out.extend(steps(inner, script, dev_package, depth + 1));
                }
                _ => out.push(Step::Other),
            }
            continue;
        }
        let step = step(&words, dev_package);
        // `svelte-kit sync || echo ''`: when the tool is missing, the
        // script goes on, as it would in the user's own production install.
        let guarded = command.after == Some(Connector::Or);
        out.push(match step {
            Step::Dev(_) if guarded => Step::Neutral,
            step => step,
        });
    }
    out
}

/// The script `npm run X`, `yarn run X`, `pnpm run X`, `bun run X` runs.
/// Flags before the name are skipped (`npm run --silent build`); Yarn and
/// pnpm also run a script named alone (`yarn build`).
fn run_script_target<'w, 'a>(
    words: &[&'w str],
    script: &dyn Fn(&str) -> Option<&'a str>,
) -> Option<&'w str> {
    let name_after = |at: usize| words[at..].iter().find(|w| !w.starts_with('-')).copied();
    match words {
        ["npm" | "pnpm" | "yarn" | "bun", "run" | "run-script", ..] => name_after(2),
        ["yarn" | "pnpm", name, ..] if script(name).is_some() => Some(name),
        _ => None,
    }
}

/// Yarn's own commands; another word after `yarn` is a script or a
/// dependency's tool (`yarn husky install`).
const YARN_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "dedupe",
    "dlx",
    "exec",
    "info",
    "init",
    "install",
    "link",
    "node",
    "npm",
    "pack",
    "patch",
    "plugin",
    "rebuild",
    "remove",
    "run",
    "set",
    "unlink",
    "up",
    "upgrade",
    "why",
    "workspace",
    "workspaces",
];

fn step(words: &[&str], dev_package: &dyn Fn(&str) -> Option<String>) -> Step {
    // The tool behind a runner: `npx husky`, `pnpm exec lefthook install`.
    let tool_at = match words {
        ["npx" | "bunx", ..] | ["yarn", "dlx" | "exec", ..] => {
            let skip = if words[0] == "yarn" { 2 } else { 1 };
            words[skip..]
                .iter()
                .position(|w| !w.starts_with('-'))
                .map(|i| i + skip)
        }
        ["pnpm" | "npm", "exec", ..] => Some(2),
        ["yarn", tool, ..] if !tool.starts_with('-') && !YARN_COMMANDS.contains(tool) => Some(1),
        _ => Some(0),
    };
    let Some(program) = tool_at.and_then(|i| words.get(i)) else {
        return Step::Other;
    };
    let program = program.rsplit('/').next().unwrap_or(program);
    let rest = &words[tool_at.unwrap_or(0) + 1..];
    let hooks = match program {
        "husky" | "simple-git-hooks" => true,
        // husky's own pattern for installs without it:
        // `"prepare": "node .husky/install.mjs"`.
        "node" => rest
            .first()
            .is_some_and(|f| f.trim_start_matches("./").starts_with(".husky/")),
        "lefthook" => matches!(rest.first(), Some(&"install")),
        "git" => matches!(rest, ["config", "core.hooksPath", ..]),
        _ => false,
    };
    if hooks {
        return Step::Hooks {
            package: dev_package(program),
            needs_clone: !matches!(program, "husky" | "node"),
        };
    }
    // `is-ci || husky install`: a guard, whose absence only lets the
    // hooks run.
    if matches!(program, "true" | ":" | "echo" | "exit" | "is-ci") {
        return Step::Neutral;
    }
    match dev_package(program) {
        Some(package) => Step::Dev(package),
        None => Step::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifecycle(manager: NodeManager, scripts: &[(&str, &str)], dev: &[&str]) -> Lifecycle {
        let scripts: Vec<(String, String)> = scripts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let dev: Vec<String> = dev.iter().map(|d| d.to_string()).collect();
        read(
            manager,
            &scripts,
            &["express".to_string(), "@prisma/client".to_string()],
            &dev,
        )
    }

    fn hooks(names: &[&str]) -> Lifecycle {
        Lifecycle {
            hooks: names.iter().map(|n| n.to_string()).collect(),
            ..Lifecycle::default()
        }
    }

    #[test]
    fn git_hook_installers_are_dropped() {
        for prepare in [
            "husky install",
            "husky",
            "npx husky install",
            "is-ci || husky install",
            "lefthook install",
            "simple-git-hooks",
            "git config core.hooksPath .githooks",
            "npm run hooks",
            "node .husky/install.mjs",
        ] {
            let found = lifecycle(
                NodeManager::Npm,
                &[
                    ("prepare", prepare),
                    ("hooks", "husky"),
                    ("start", "node index.js"),
                ],
                &["husky", "lefthook", "simple-git-hooks", "is-ci"],
            );
            assert_eq!(found.hooks, ["prepare"], "{prepare}");
            assert_eq!(
                (&found.others, &found.dev_call),
                (&vec![], &None),
                "{prepare}"
            );
            // husky goes on without a clone; the others stop.
            let husky = prepare.contains("husky") || prepare == "npm run hooks";
            assert_eq!(found.hooks_needing_clone.is_empty(), husky, "{prepare}");
        }
    }

    #[test]
    fn a_dev_tool_that_makes_files_needs_the_full_install() {
        let found = lifecycle(
            NodeManager::Pnpm,
            &[("postinstall", "prisma generate"), ("prepare", "husky")],
            &["prisma", "husky"],
        );
        assert_eq!(
            found,
            Lifecycle {
                hooks: vec!["prepare".into()],
                hooks_needing_clone: vec![],
                others: vec![("postinstall".into(), "prisma generate".into())],
                dev_call: Some(DevCall {
                    script: "postinstall".into(),
                    command: "prisma generate".into(),
                    package: "prisma".into(),
                }),
            }
        );
        // A guarded call goes on without its tool.
        let guarded = lifecycle(
            NodeManager::Npm,
            &[("prepare", "svelte-kit sync || echo ''")],
            &["@sveltejs/kit"],
        );
        assert_eq!(guarded.dev_call, None);
        let yarn = lifecycle(
            NodeManager::YarnClassic,
            &[
                ("postinstall", "yarn prisma generate"),
                ("prepare", "yarn hooks"),
                ("hooks", "yarn husky install"),
            ],
            &["prisma", "husky"],
        );
        assert_eq!(yarn.hooks, ["prepare"]);
        assert!(matches!(yarn.dev_call, Some(c) if c.package == "prisma"));
        let silent = lifecycle(
            NodeManager::Npm,
            &[("prepare", "npm run --silent hooks"), ("hooks", "husky")],
            &["husky"],
        );
        assert_eq!(silent.hooks, ["prepare"]);
        let tsc = lifecycle(
            NodeManager::Npm,
            &[("prepare", "tsc -p .")],
            &["typescript"],
        );
        assert!(matches!(tsc.dev_call, Some(c) if c.package == "typescript"));
        // husky beside other work: the full install gives it its tool.
        let mixed = lifecycle(
            NodeManager::Npm,
            &[("prepare", "husky && node x.js")],
            &["husky"],
        );
        assert!(matches!(mixed.dev_call, Some(c) if c.package == "husky"));
        assert!(mixed.hooks.is_empty());
    }

    #[test]
    fn other_scripts_are_kept_and_scripts_the_manager_skips_are_not() {
        // @prisma/client is a dependency, and node is no package: no dev
        // call, but a script that may read the source.
        let setup = lifecycle(
            NodeManager::Npm,
            &[("postinstall", "node scripts/setup.js")],
            &["husky"],
        );
        assert_eq!(setup.dev_call, None);
        assert_eq!(
            setup.others,
            [(
                "postinstall".to_string(),
                "node scripts/setup.js".to_string()
            )]
        );
        // Yarn 2+ runs no `prepare` on install; `echo` changes nothing.
        assert_eq!(
            lifecycle(NodeManager::YarnBerry, &[("prepare", "husky")], &["husky"]),
            Lifecycle::default()
        );
        assert_eq!(
            lifecycle(NodeManager::Npm, &[("postinstall", "echo done")], &[]),
            Lifecycle::default()
        );
    }

    #[test]
    fn the_drop_runs_before_the_install_with_the_image_s_own_tool() {
        let hooks = hooks(&["prepare", "postinstall"]);
        assert_eq!(
            hooks.guard(NodeManager::Pnpm, "pnpm install --prod"),
            "npm pkg delete scripts.prepare scripts.postinstall && pnpm install --prod"
        );
        assert_eq!(
            hooks.guard(NodeManager::Bun, "bun install --production"),
            "bun pm pkg delete scripts.prepare scripts.postinstall && bun install --production"
        );
        assert_eq!(
            Lifecycle::default().guard(NodeManager::Npm, "npm ci"),
            "npm ci"
        );
    }
}
