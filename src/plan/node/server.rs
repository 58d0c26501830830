//! A Node HTTP server (Express, Fastify, ...): production dependencies
//! only, or the full install, the build script and a prune of the
//! devDependencies.

use super::health::{bun_probe, node_probe};
use super::install::Install;
use super::{NodeKind, NodePlan, Stage};
use crate::detect::node::NodeManager;
use crate::detect::route::Route;
use crate::plan::Topic;

/// The install and the build: production dependencies only, unless a
/// build script needs the devDependencies (then they are pruned after it).
/// A lifecycle script that runs a devDependency (`"postinstall": "prisma
/// generate"`) needs the full install too; the prune after it keeps what
/// the script wrote.
pub(super) fn dependencies(
    st: &mut Stage,
    plan: &mut NodePlan,
    inst: &Install,
    build_script: Option<&str>,
) -> crate::error::Result<()> {
    plan.kind = NodeKind::Server;
    plan.install = inst.production_install.clone();
    let no_prune = match st.node.manager {
        // Bun has no prune: its production install (into an empty
        // node_modules, after a build too) runs the script again.
        NodeManager::Bun => Some("Bun has no prune: its production install runs the script again"),
        // `workspaces focus --production` runs postinstall again
        // (yarnpkg/berry#3524), and may relink what the script wrote.
        NodeManager::YarnBerry => Some("Yarn 2+'s `workspaces focus --production` runs it again"),
        _ => None,
    };
    if let (Some(call), Some(why)) = (&st.node.lifecycle.dev_call, no_prune) {
        return Err(crate::error::Error::unsupported(
            format!(
                "{}: the {} script (`{}`) runs {}, a devDependency, which the image drops after the install, and {why}, without its tool",
                st.node.manifest(),
                call.script,
                call.command,
                call.package
            ),
            format!(
                "move {} to dependencies, or run the script in the Dockerfile's build by hand",
                call.package
            ),
        ));
    }
    if let Some(script) = build_script {
        plan.install = inst.install.clone();
        plan.build = Some(st.node.manager.run(script));
        plan.prune = Some(inst.prune.clone());
    } else if let Some(call) = &st.node.lifecycle.dev_call {
        // One layer: the prune is reused with the install until a
        // manifest or the lock changes.
        plan.install = format!("{} && {}", inst.install, inst.prune);
        plan.dev_install_script = Some(format!(
            "package.json's {} runs {}, a devDependency",
            call.script, call.package
        ));
        st.decide(
            Topic::InstallScripts,
            format!("`{}` runs with the devDependencies installed", call.script),
            format!(
                "package.json's {} (`{}`) runs {}, a devDependency, and may write files the app uses: the deps stage installs everything so that it runs, then prunes the devDependencies in the same step, and the runtime stage gets what it wrote",
                call.script, call.command, call.package
            ),
            vec![],
        );
    }
    Ok(())
}

/// A pnpm workspace member's server: the build stage installs what the
/// member and its workspace packages need and builds them, then `pnpm
/// deploy` copies the member with only its production dependencies (its
/// workspace packages injected as real folders) to /out, the runtime
/// stage's whole app. Nothing else of the workspace reaches the image.
pub(super) fn deploy(st: &mut Stage, plan: &mut NodePlan, inst: &Install) {
    let node = st.node;
    let Some(ws) = &node.workspace else {
        return;
    };
    plan.install = inst.install.clone();
    plan.build = plan
        .build
        .as_ref()
        .map(|_| super::run_script(node, "build"));
    plan.prune = None;
    // pnpm 10 deploys a workspace package only with injected workspace
    // packages, or in the legacy mode that pnpm 9 has by default.
    let pin = node
        .manager_pin
        .clone()
        .unwrap_or_else(|| st.inputs.profile.node.corepack.pnpm.clone());
    let major: u32 = pin
        .split_once('@')
        .and_then(|(_, v)| v.split('.').next()?.parse().ok())
        .unwrap_or(0);
    let legacy = if major >= 10 { " --legacy" } else { "" };
    let deploy = format!(
        "pnpm --filter {} deploy --prod{legacy} /out",
        ws.member_name()
    );
    let deploy = if plan.cache_mounts {
        format!("{deploy} --store-dir {}", node.manager.cache_dir())
    } else {
        deploy
    };
    st.decide(
        Topic::Runtime,
        format!("the runtime stage gets /out from `{deploy}`"),
        format!(
            "pnpm deploy ({pin}) copies {} with its production dependencies only, the workspace packages it uses copied in as folders, so the image holds neither the rest of the workspace nor the devDependencies",
            ws.member.dir
        ),
        st.inputs.fixes(&[crate::rules::RuleId::DS304]),
    );
    plan.deploy = Some(deploy);
}

/// An npm or Yarn workspace member's server. The build stage installs,
/// from the workspace root, what the member and its workspace packages
/// need (production dependencies only, unless a build needs the
/// devDependencies; then they are pruned after it). The runtime stage gets
/// that tree as it is, since the root's node_modules links the workspace
/// packages by path, and runs the member in its own folder, as `npm start
/// --workspace` would.
pub(super) fn workspace_tree(st: &mut Stage, plan: &mut NodePlan, inst: &Install) {
    let node = st.node;
    let Some(ws) = &node.workspace else {
        return;
    };
    if plan.build.is_some() {
        plan.build = Some(super::run_script(node, "build"));
    }
    plan.run_dir = crate::detect::node::join(&plan.workdir, &ws.member.dir);
    let install = match &plan.prune {
        Some(prune) => format!("{} and, after the build, {prune}", inst.install),
        None => plan.install.clone(),
    };
    let whole = match node.manager {
        crate::detect::node::NodeManager::YarnClassic => {
            "; Yarn 1 cannot install one member alone, so every member's production dependencies are there"
        }
        _ => "",
    };
    st.decide(
        Topic::Runtime,
        format!(
            "the runtime stage gets {} from the build stage and runs in {}",
            plan.workdir, plan.run_dir
        ),
        format!(
            "`{install}` leaves the production dependencies of {} and the workspace packages it uses in the workspace's node_modules, which links those packages by path; the image keeps that layout with only their folders ({}) and none of the other members{whole}",
            ws.member.dir,
            ws.source_dirs().join(", ")
        ),
        st.inputs.fixes(&[crate::rules::RuleId::DS304]),
    );
}

/// What the runtime stage of a built server takes: the whole pruned
/// workdir, or only what the framework's output needs (`ships`). An output
/// that needs no node_modules (Nuxt's `.output`) needs no prune either.
pub(super) fn ships(st: &mut Stage, plan: &mut NodePlan, output: &str, ships: &[String]) {
    if ships.is_empty() || plan.build.is_none() {
        return;
    }
    plan.ships = ships.to_vec();
    plan.output = format!("{}/{output}", plan.workdir);
    let needs_modules = ships.iter().any(|s| s == "node_modules");
    if !needs_modules {
        plan.prune = None;
    }
    let framework = st.node.app.framework();
    st.decide(
        Topic::Runtime,
        format!("the runtime stage gets {} from the build stage", ships.join(", ")),
        if needs_modules {
            format!("{framework}'s build output runs with the production node_modules beside it; the sources, devDependencies and build caches stay in the build stage")
        } else {
            format!("{framework}'s {output}/ holds the server and the node_modules files it uses, so nothing else is copied and no prune is needed")
        },
        st.inputs.fixes(&[crate::rules::RuleId::DS304]),
    );
}

/// The rest of a server's plan once its command is chosen: the summary,
/// why the dependencies are what they are, and the healthcheck.
pub(super) fn finish(st: &mut Stage, plan: &mut NodePlan, framework: &str, health: Option<&Route>) {
    let (inputs, node) = (st.inputs, st.node);
    let name = node.name.clone().unwrap_or_else(|| node.manifest());
    // An output that carries its own node_modules (Nuxt's .output): the
    // install is only the build's, and nothing of it is in the image.
    let self_contained = !plan.ships.is_empty() && !plan.ships.iter().any(|s| s == "node_modules");
    plan.summary = if self_contained {
        format!(
            "{framework} server {name}, built with {}, run from its self-contained build output",
            node.manager.name()
        )
    } else {
        format!(
            "{framework} server {name}, production dependencies installed with {}",
            node.manager.name()
        )
    };
    st.decide(
        Topic::Dependencies,
        match &plan.prune {
            Some(p) => format!("{} then {p}", plan.install),
            None => plan.install.clone(),
        },
        if self_contained {
            format!(
                "the build stage's install serves only the build; the image gets {}, which holds the files of the {} dependencies the server uses",
                plan.ships.join(", "),
                node.dependencies.len()
            )
        } else {
            format!(
                "{} devDependencies stay out of the image",
                node.dev_dependencies.len()
            )
        },
        inputs.fixes(&[crate::rules::RuleId::DS304]),
    );
    let writable = match (&node.workspace, &plan.deploy) {
        // The deployed member is the workdir; the rest of the workspace
        // is not in the image.
        (Some(ws), Some(_)) => {
            let workdir = plan.workdir.clone();
            let member = ws.member.dir.clone();
            let copied = move |p: &str| {
                let rest = if p == member {
                    Some("")
                } else {
                    p.strip_prefix(&format!("{member}/"))
                }?;
                Some(crate::detect::node::join(&workdir, rest))
            };
            crate::plan::python::writable_dirs_with(&inputs.project.writes, &plan.workdir, &copied)
        }
        // The workspace's layout under the workdir, the member's folder
        // the current directory; other members are not in the image.
        (Some(ws), None) => {
            let workdir = plan.workdir.clone();
            let dirs = ws.source_dirs();
            let copied = move |p: &str| {
                dirs.iter()
                    .any(|d| p == d || p.starts_with(&format!("{d}/")))
                    .then(|| crate::detect::node::join(&workdir, p))
            };
            crate::plan::python::writable_dirs_with(&inputs.project.writes, &plan.run_dir, &copied)
        }
        _ => crate::plan::python::writable_dirs(&inputs.project.writes, &plan.workdir),
    };
    let bun = node.manager == NodeManager::Bun;
    st.decide(
        Topic::User,
        format!("{} (uid 1000)", plan.program),
        format!(
            "the {} image's `{}` user runs the server; {}",
            if bun { "oven/bun" } else { "official" },
            plan.program,
            crate::plan::python::owned_folders(&writable)
        ),
        inputs.fixes(&[crate::rules::RuleId::DS401]),
    );
    plan.writable_dirs = writable.into_iter().map(|(dir, _)| dir).collect();
    let port = plan.port;
    let why = match health {
        Some(r) => format!(
            "GET {}, the app's health route at {}:{}, with {} fetch (slim images have no curl)",
            r.path,
            r.file,
            r.line,
            if bun { "Bun's" } else { "Node's" }
        ),
        None => format!("no health route found in the code, so a TCP connect to port {}; set `health` to a route for a real check", plan.port),
    };
    let path = health.map(|r| r.path.as_str());
    let probe = if bun { bun_probe } else { node_probe };
    plan.healthcheck = super::health::health(st, |p| probe(port, p), path, why);
}

#[cfg(test)]
mod tests {
    use crate::plan::node::NodePlan;
    use crate::Options;

    /// The Node plan proposed for a repository holding `files`, with `sets`
    /// and a profile `team` (extending node) whose YAML is `profile`.
    fn plan(files: &[(&str, &str)], sets: &[&str], profile: Option<&str>) -> NodePlan {
        let (dir, _) = crate::repo::temp_repo(files);
        let profiles = tempfile::tempdir().unwrap();
        if let Some(yaml) = profile {
            std::fs::write(profiles.path().join("team.yaml"), yaml).unwrap();
        }
        let opts = Options {
            dir: dir.path().to_path_buf(),
            sets: sets.iter().map(|s| s.to_string()).collect(),
            profile: profile.map(|_| "team".to_string()),
            profiles_dir: profile.map(|_| profiles.path().to_path_buf()),
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts).unwrap(), &opts).unwrap();
        proposal.plan.unwrap().node.unwrap()
    }

    const BUN_SERVER: &[(&str, &str)] = &[
        (
            "package.json",
            "{\"name\": \"api\", \"packageManager\": \"bun@1.2.21\", \"scripts\": {\"start\": \"bun run src/index.ts\"}, \"dependencies\": {\"hono\": \"4\"}, \"devDependencies\": {\"@types/bun\": \"1\"}}",
        ),
        ("bun.lock", "{}\n"),
        (
            "src/index.ts",
            "import { Hono } from 'hono'\nconst app = new Hono()\napp.get('/health', (c) => c.text('ok'))\nexport default { port: 8080, fetch: app.fetch }\n",
        ),
    ];

    #[test]
    fn a_bun_server_is_installed_and_run_by_bun_on_oven_bun() {
        let n = plan(BUN_SERVER, &[], None);
        assert_eq!(n.builder_image, "oven/bun:1-slim");
        assert_eq!(n.runtime_image, "oven/bun:1-slim");
        assert_eq!(n.install_copies, ["package.json", "bun.lock"]);
        assert_eq!(n.install, "bun install --frozen-lockfile --production");
        assert_eq!(n.cache_dir, "/root/.bun/install/cache");
        assert_eq!(n.corepack, None);
        assert_eq!(n.build, None, "Bun runs TypeScript without a build");
        assert_eq!(n.cmd, ["bun", "run", "src/index.ts"]);
        assert_eq!(
            (n.port, n.program, n.user.as_str()),
            (8080, "bun", "1000:1000")
        );
        assert_eq!(n.healthcheck.command[..2], ["bun", "-e"]);
        assert!(
            n.healthcheck.command[2].contains("fetch('http://127.0.0.1:8080/health')"),
            "{:?}",
            n.healthcheck.command
        );
    }

    #[test]
    fn a_bun_server_run_from_its_build_is_built_then_pruned() {
        let mut files = BUN_SERVER.to_vec();
        files[0] = (
            "package.json",
            "{\"name\": \"api\", \"scripts\": {\"build\": \"bun build src/index.ts --outdir dist --target bun\", \"start\": \"bun run dist/index.js\"}, \"dependencies\": {\"hono\": \"4\"}, \"devDependencies\": {\"@types/bun\": \"1\"}}",
        );
        let n = plan(&files, &[], None);
        assert_eq!(n.install, "bun install --frozen-lockfile");
        assert_eq!(n.build.as_deref(), Some("bun run build"));
        assert_eq!(
            n.prune.as_deref(),
            Some("rm -rf node_modules && bun install --frozen-lockfile --production")
        );
        assert_eq!(n.cmd, ["bun", "run", "dist/index.js"]);
    }

    #[test]
    fn the_bun_image_follows_the_profile_and_the_configuration() {
        let n = plan(
            BUN_SERVER,
            &[],
            Some("name: team\nextends: node\ndescription: ours\nnode:\n  bun:\n    default_version: '1'\n    image: 'registry.example/bun:{version}-debian'\n"),
        );
        assert_eq!(n.builder_image, "registry.example/bun:1-debian");
        let n = plan(
            BUN_SERVER,
            &["image.oven/bun:1-slim=mirror/bun:1-slim"],
            None,
        );
        assert_eq!(n.runtime_image, "mirror/bun:1-slim");
    }

    const EXPRESS_JS: &str = "const express = require('express')\nconst app = express()\napp.get('/health', (req, res) => res.send('ok'))\napp.listen(3000)\n";

    /// An Express server whose package.json has `scripts` (besides start)
    /// and these devDependencies, with npm's lock.
    fn express(scripts: &str, dev: &str) -> Vec<(&'static str, String)> {
        vec![
            ("package.json", format!("{{\"name\": \"api\", \"scripts\": {{\"start\": \"node server.js\", {scripts}}}, \"dependencies\": {{\"express\": \"4\"}}, \"devDependencies\": {{{dev}}}}}")),
            ("package-lock.json", "{\"lockfileVersion\": 3}\n".to_string()),
            ("server.js", EXPRESS_JS.to_string()),
        ]
    }

    fn plan_of(files: &[(&'static str, String)]) -> crate::error::Result<NodePlan> {
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let (dir, _) = crate::repo::temp_repo(&files);
        let opts = Options {
            dir: dir.path().to_path_buf(),
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts)?, &opts)?;
        Ok(proposal.plan.unwrap().node.unwrap())
    }

    #[test]
    fn git_hook_scripts_are_dropped_before_the_production_install() {
        let n = plan_of(&express("\"prepare\": \"husky\"", "\"husky\": \"9\"")).unwrap();
        assert_eq!(
            n.install,
            "npm pkg delete scripts.prepare && npm ci --omit=dev"
        );
        assert_eq!(n.dev_install_script, None);
        assert!(!n.source_first, "git hooks read no source");
    }

    #[test]
    fn a_script_running_a_dev_tool_gets_the_full_install_then_a_prune() {
        let n = plan_of(&express(
            "\"postinstall\": \"prisma generate\"",
            "\"prisma\": \"6\"",
        ))
        .unwrap();
        assert_eq!(n.install, "npm ci && npm prune --omit=dev");
        // prisma generate reads prisma/schema.prisma: the install runs on
        // the source.
        assert!(n.source_first);
        assert_eq!(n.install_copies, ["."]);
        assert_eq!(n.build, None);
        assert_eq!(n.prune, None);
        assert!(n
            .dev_install_script
            .unwrap()
            .contains("postinstall runs prisma"));
    }

    #[test]
    fn bun_refuses_a_script_running_a_dev_tool() {
        let mut files: Vec<(&'static str, String)> = BUN_SERVER
            .iter()
            .map(|(p, t)| (*p, t.to_string()))
            .collect();
        files[0].1 = files[0]
            .1
            .replace(
                "\"start\": \"bun run src/index.ts\"",
                "\"start\": \"bun run src/index.ts\", \"postinstall\": \"prisma generate\"",
            )
            .replace("\"@types/bun\": \"1\"", "\"prisma\": \"6\"");
        let err = plan_of(&files).unwrap_err().to_string();
        assert!(
            err.contains("postinstall script (`prisma generate`) runs prisma"),
            "{err}"
        );
    }
}
