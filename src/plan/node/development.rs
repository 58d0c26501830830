//! The `development` target of a generated Node Dockerfile (`targets:
//! [development]`): the full install with the devDependencies, and the
//! project's reloading server (Vite's and Next.js's dev servers, the `dev`
//! script of a server, else `node --watch`) as the non-root `node` user,
//! the source expected as a bind mount. It comes before the runtime stage,
//! which stays last, so `docker build .` builds production.

use serde::Serialize;

use super::install::Install;
use super::{NodeKind, NodePlan, Stage};
use crate::detect::node::NodeApp;
use crate::error::{Error, Result};
use crate::plan::Topic;

/// The development stage of a Node image.
#[derive(Debug, Clone, Serialize)]
pub struct NodeDevelopment {
    /// The install with the devDependencies (`npm ci`, not `--omit=dev`).
    pub install: String,
    /// The reloading server.
    pub cmd: Vec<String>,
    /// Folders the dev server writes under the WORKDIR, made and given to
    /// the `node` user (Vite's dependency cache, Next.js's build folder).
    pub writable: Vec<String>,
    /// The official Node image's `node` user, by UID (a static site's
    /// runtime user is nginx's, which the Node image does not have).
    pub user: &'static str,
    /// Folders a bind mount of the source would hide that must stay the
    /// image's: node_modules, and the dev server's build folder (as
    /// anonymous volumes, `-v /app/node_modules`).
    pub volumes: Vec<String>,
    /// The host folder to mount: the project's folder of the build
    /// context (`$PWD/web` for a Python repository's frontend).
    pub mount: String,
}

/// How the development server is started, decided from the app's kind
/// and its scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reloader {
    /// Vite's dev server.
    Vite,
    /// `next dev`.
    NextDev,
    /// The project's own `dev` script (nodemon, tsx watch, ...).
    DevScript(String),
    /// Node's own watch mode on the server's entry file.
    NodeWatch(String),
}

/// The development stage's plan, or an error for an app whose reloading
/// server dockslim does not know yet.
pub(super) fn plan(st: &mut Stage, plan: &NodePlan, inst: &Install) -> Result<NodeDevelopment> {
    let reloader = reloader(st, plan)?;
    let bin = |name: &str| format!("node_modules/.bin/{name}");
    let port = plan.port.to_string();
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let (cmd, writable, why) = match &reloader {
        Reloader::Vite => {
            let mut cmd = vec![bin("vite")];
            cmd.extend(words(&["--host", "0.0.0.0", "--port"]));
            cmd.push(port);
            cmd.push("--strictPort".into());
            (
                cmd,
                // Its dependency cache, and the folder Vite bundles its
                // config into (else it writes beside vite.config.js, in
                // the source, which the node user may not own).
                vec![
                    "node_modules/.vite".to_string(),
                    "node_modules/.vite-temp".to_string(),
                ],
                "Vite's dev server, on every interface and the production port; it serves each file as it is saved".to_string(),
            )
        }
        Reloader::NextDev => {
            let mut cmd = vec![bin("next")];
            cmd.extend(words(&["dev", "-H", "0.0.0.0", "-p"]));
            cmd.push(port);
            (
                cmd,
                vec![plan.dist_dir.clone()],
                "`next dev`, on every interface and the production port; it recompiles a page when its file is saved".to_string(),
            )
        }
        Reloader::DevScript(script) => (
            shell_words(&st.node.manager.run("dev")),
            Vec::new(),
            format!("the project's `dev` script (`{script}`), which restarts the server on a change"),
        ),
        Reloader::NodeWatch(entry) => (
            vec!["node".into(), "--watch".into(), entry.clone()],
            Vec::new(),
            format!("no `dev` script, so Node's own watch mode restarts {entry} when a file it loads changes"),
        ),
    };
    st.decide(
        Topic::DevelopmentTarget,
        format!("development stage: {}", inst.install),
        "`targets: [development]`: the full install with the devDependencies, the source copied (and expected as a bind mount over it), run as the `node` user; it comes before the runtime stage, which stays last so `docker build .` builds production",
        vec![],
    );
    st.decide(Topic::DevelopmentCommand, cmd.join(" "), why, vec![]);
    let mut volumes = vec![format!("{}/node_modules", plan.workdir)];
    volumes.extend(
        writable
            .iter()
            .filter(|w| !w.starts_with("node_modules"))
            .map(|w| format!("{}/{w}", plan.workdir)),
    );
    let mount = match st.at.prefix.trim_end_matches('/') {
        "" => "$PWD".to_string(),
        dir => format!("$PWD/{dir}"),
    };
    Ok(NodeDevelopment {
        mount,
        volumes,
        install: inst.install.clone(),
        cmd,
        writable,
        user: "1000:1000",
    })
}

/// Which reloading server the app has.
fn reloader(st: &Stage, plan: &NodePlan) -> Result<Reloader> {
    let node = st.node;
    let not_yet = |what: &str| {
        Error::unsupported(
            format!("targets: dockslim knows no reloading server for {what} yet"),
            "remove `development` from `targets`, and keep a development Dockerfile of your own",
        )
    };
    // The development stage is written for node images (their `node`
    // user, `node --watch`); Bun's (`bun --watch`, the `bun` user) is not
    // planned yet.
    if node.manager == crate::detect::node::NodeManager::Bun {
        return Err(not_yet("a Bun project"));
    }
    // A workspace member's dev script is the member's, run from its folder
    // with the workspace's install; the stage runs scripts from the
    // workspace root, where `npm run dev` is the root's (or nothing).
    if let Some(ws) = &node.workspace {
        return Err(not_yet(&format!(
            "a member of a workspace ({})",
            ws.member.dir
        )));
    }
    match (&node.app, plan.kind) {
        (NodeApp::Static { framework, .. }, _) if *framework == "Vite" => Ok(Reloader::Vite),
        (NodeApp::Static { framework, .. }, _) => Err(not_yet(&format!("a {framework} site"))),
        (NodeApp::NextServer { .. }, _) => Ok(Reloader::NextDev),
        (
            NodeApp::Server {
                framework,
                command,
                build_script,
                ..
            },
            NodeKind::Server,
        ) => {
            // A built server (TypeScript, SvelteKit, Nuxt, Remix) is not
            // served yet: its `dev` script is the framework's dev server,
            // which listens on localhost only unless told otherwise (`vite
            // dev`, `nuxt dev`), and Node would watch the build, not the
            // source.
            if build_script.is_some() {
                return Err(not_yet(&format!("a {framework} server that is built")));
            }
            // A server that runs from its source: its own `dev` script,
            // else Node watching the entry file and what it loads.
            if let Some(script) = node.script("dev") {
                return Ok(Reloader::DevScript(script.to_string()));
            }
            match command.as_slice() {
                [node_bin, entry] if node_bin == "node" => Ok(Reloader::NodeWatch(entry.clone())),
                _ => Err(not_yet(&format!(
                    "a {framework} server without a `dev` script whose command is not `node FILE`"
                ))),
            }
        }
        _ => Err(not_yet(&format!("a {} app", node.app.framework()))),
    }
}

/// `npm run dev` as exec-form words.
fn shell_words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The development stage planned for a Node repository holding
    /// `files`, with `targets: [development]`.
    fn development(files: &[(&str, &str)]) -> Result<NodeDevelopment> {
        let (dir, _) = crate::repo::temp_repo(files);
        let opts = crate::Options {
            dir: dir.path().to_path_buf(),
            sets: vec!["targets=development".into()],
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts)?, &opts)?;
        Ok(proposal.plan.unwrap().node.unwrap().development.unwrap())
    }

    const SERVER: (&str, &str) = (
        "src/index.js",
        "const express = require('express')\nconst app = express()\napp.get('/health', (req, res) => res.send('ok'))\napp.listen(3000)\n",
    );

    #[test]
    fn a_server_runs_its_dev_script_else_node_watch() {
        let d = development(&[
            SERVER,
            ("package.json", "{\"name\": \"api\", \"scripts\": {\"start\": \"node src/index.js\", \"dev\": \"nodemon src/index.js\"}, \"dependencies\": {\"express\": \"^4\"}, \"devDependencies\": {\"nodemon\": \"^3\"}}"),
            ("package-lock.json", "{}"),
        ])
        .unwrap();
        assert_eq!(d.cmd, ["npm", "run", "dev"]);
        // The full install, devDependencies included.
        assert_eq!(d.install, "npm ci");
        assert_eq!(d.user, "1000:1000");
        assert_eq!(d.volumes, ["/app/node_modules"]);

        let d = development(&[
            SERVER,
            ("package.json", "{\"name\": \"api\", \"scripts\": {\"start\": \"node src/index.js\"}, \"dependencies\": {\"express\": \"^4\"}}"),
        ])
        .unwrap();
        assert_eq!(d.cmd, ["node", "--watch", "src/index.js"]);
        assert_eq!(d.install, "npm install");
    }

    #[test]
    fn vite_and_next_run_their_dev_servers_on_every_interface() {
        let d = development(&[
            ("package.json", "{\"scripts\": {\"dev\": \"vite\", \"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6\"}}"),
            ("package-lock.json", "{}"),
            ("index.html", "<div id=app></div>\n"),
        ])
        .unwrap();
        // Not the `dev` script: plain `vite` listens on localhost only.
        assert_eq!(d.cmd[..3], ["node_modules/.bin/vite", "--host", "0.0.0.0"]);
        assert_eq!(
            d.writable,
            ["node_modules/.vite", "node_modules/.vite-temp"]
        );
        // A static site's runtime user is nginx's; development is node's.
        assert_eq!(d.user, "1000:1000");

        let d = development(&[
            ("package.json", "{\"scripts\": {\"dev\": \"next dev\", \"build\": \"next build\", \"start\": \"next start\"}, \"dependencies\": {\"next\": \"15\", \"react\": \"19\"}}"),
            ("package-lock.json", "{}"),
            ("next.config.mjs", "export default { output: 'standalone' }\n"),
            ("app/page.js", "export default function Page() { return 'hi' }\n"),
        ])
        .unwrap();
        assert_eq!(
            d.cmd[..4],
            ["node_modules/.bin/next", "dev", "-H", "0.0.0.0"]
        );
        assert_eq!(d.volumes, ["/app/node_modules", "/app/.next"]);
    }

    #[test]
    fn a_built_server_is_refused_even_with_a_dev_script() {
        let err = development(&[
            ("src/main.ts", "import { NestFactory } from '@nestjs/core'\n"),
            ("nest-cli.json", "{}\n"),
            ("package.json", "{\"scripts\": {\"build\": \"nest build\", \"start:prod\": \"node dist/main\"}, \"dependencies\": {\"@nestjs/core\": \"11\", \"@nestjs/common\": \"11\"}, \"devDependencies\": {\"@nestjs/cli\": \"11\"}}"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no reloading server for a NestJS server that is built"),
            "{err}"
        );
        // SvelteKit's `dev` script is `vite dev`, which listens on
        // localhost only: not taken.
        let err = development(&[
            ("svelte.config.js", "import adapter from '@sveltejs/adapter-node'\nexport default { kit: { adapter: adapter() } }\n"),
            ("vite.config.js", "import { sveltekit } from '@sveltejs/kit/vite'\nexport default { plugins: [sveltekit()] }\n"),
            ("src/routes/+page.svelte", "<h1>hi</h1>\n"),
            ("package.json", "{\"type\": \"module\", \"scripts\": {\"dev\": \"vite dev\", \"build\": \"vite build\"}, \"devDependencies\": {\"@sveltejs/kit\": \"2\", \"@sveltejs/adapter-node\": \"5\", \"vite\": \"6\"}}"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no reloading server for a SvelteKit server that is built"),
            "{err}"
        );
    }

    /// The stage would run the workspace root's `dev` script (or none),
    /// not the member's: refused until members are planned.
    #[test]
    fn a_workspace_member_is_refused() {
        let err = development(&[
            ("package.json", "{\"private\": true, \"workspaces\": [\"apps/*\"], \"scripts\": {\"dev\": \"echo root\"}}"),
            ("package-lock.json", "{}\n"),
            ("apps/api/package.json", "{\"name\": \"api\", \"scripts\": {\"start\": \"node index.js\", \"dev\": \"node --watch index.js\"}, \"dependencies\": {\"express\": \"4\"}}"),
            ("apps/api/index.js", "require('express')().listen(3000)\n"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no reloading server for a member of a workspace (apps/api)"),
            "{err}"
        );
    }

    #[test]
    fn dev_script_is_run_through_the_manager() {
        assert_eq!(
            shell_words(&crate::detect::node::NodeManager::Npm.run("dev")),
            ["npm", "run", "dev"]
        );
        assert_eq!(
            shell_words(&crate::detect::node::NodeManager::Pnpm.run("dev")),
            ["pnpm", "run", "dev"]
        );
    }
}
