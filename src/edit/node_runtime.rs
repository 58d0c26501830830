//! A production runtime for a Node image that serves from its build stage
//! (DS311 for Next.js, DS312 for static sites): the user's stage stays, as
//! written, and becomes the build stage; a new last stage runs the output
//! (nginx with the built files, or Next.js's standalone server). Every stage
//! keeps its name, so `--target` still builds what it built.

use super::{Edit, FileWrite, FixContext};
use crate::detect::node::{NodeApp, NodeManager, NodeProject};
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::stages::free_name;
use crate::dockerfile::{shell, Args, Keyword};

/// The edits and files that give the image its new runtime stage, and
/// what to say about it.
pub struct Runtime {
    pub edits: Vec<Edit>,
    pub files: Vec<FileWrite>,
    pub summary: String,
}

/// The runtime stage for the Node project the image builds, after the
/// target stage.
pub fn append(cx: &FixContext, project: &NodeProject) -> Result<Runtime, String> {
    let target = cx.target();
    // The runtime stage goes at the end of the file: it is the image only
    // when the image is the file's last stage (no `target` before others).
    if target.index + 1 != cx.df.stages.len() {
        return Err(format!(
            "the image is stage {}, which other stages follow; a runtime stage added at the end of the file would not be the image",
            target.name()
        ));
    }
    let image = ImageRef::parse(&cx.df.base_image_of(target));
    if !image.is_node() {
        return Err(format!(
            "the image is built on {}, not a Node image",
            image.name
        ));
    }
    let chain: Vec<_> = cx.shipped();
    let commands: Vec<_> = chain.iter().flat_map(|s| s.run_commands()).collect();
    let installs = commands.iter().any(|c| {
        let (i, prog) = shell::program(&c.words);
        matches!(prog, "npm" | "yarn" | "pnpm" | "bun")
            && matches!(
                c.words.get(i + 1).map(String::as_str),
                None | Some("install" | "i" | "ci")
            )
    });
    if !installs {
        return Err("the image's stages install no dependencies dockslim can see".into());
    }
    let script = match &project.app {
        NodeApp::Static { script, .. } | NodeApp::NextServer { script, .. } => script.clone(),
        NodeApp::Server { .. } => return Err("a Node server runs from its own code".into()),
    };
    let builds = commands.iter().any(|c| runs_script(&c.words, &script));
    let w = cx.writer();
    let mut edits = Vec::new();
    if !builds {
        let last = target
            .instructions
            .iter()
            .rev()
            .find(|i| matches!(i.keyword, Keyword::Run | Keyword::Copy | Keyword::Add))
            .ok_or("the stage copies no source to build")?;
        let run = match project.manager {
            // A workspace member's script, with its workspace packages'.
            _ if project.workspace.is_some() => crate::plan::node::run_script(project, &script),
            NodeManager::Npm => format!("npm run {script}"),
            NodeManager::Pnpm => format!("pnpm run {script}"),
            NodeManager::Bun => format!("bun run {script}"),
            _ => format!("yarn {script}"),
        };
        edits.push(w.insert_after(last, &format!("RUN {run}")));
    }
    // The user's stage, named so the runtime can copy from it.
    let from_name = match &target.alias {
        Some(alias) => alias.clone(),
        None => {
            let name = free_name(cx.df, "build");
            let Args::From { image_span, .. } = &target.from.args else {
                return Err("the FROM could not be read".into());
            };
            edits.push(Edit::insert(image_span.end, format!(" AS {name}")));
            name
        }
    };
    let intent = cx.df.intent_of(&cx.graph);
    let workdir = intent.workdir.clone().unwrap_or_else(|| "/".into());
    let exposed: Option<u16> = intent
        .expose
        .iter()
        .find_map(|(p, _)| p.split('/').next()?.parse().ok());
    let next = matches!(project.app, NodeApp::NextServer { .. });
    // The port the image listened on stays the port, so compose mappings
    // and proxies still reach it (a non-root nginx needs 1024 or above).
    let port = match (next, exposed) {
        (_, Some(p)) if p >= 1024 => Some(p),
        (true, _) => intent
            .env_value("PORT")
            .and_then(|p| p.parse().ok())
            .or(Some(3000)),
        _ => None,
    };
    let mut config = cx.inputs.config.clone();
    if config.port.is_none() {
        config.port = port;
    }
    let inputs = crate::plan::Inputs {
        dockerfile: None,
        config: &config,
        ..*cx.inputs
    };
    let mut decisions = Vec::new();
    let (mut n, server_config) =
        crate::plan::node::plan(&inputs, project, &mut decisions).map_err(|e| e.to_string())?;
    n.workdir = workdir.clone();
    n.output = format!("{}/{}", workdir.trim_end_matches('/'), project.output_dir());
    if next {
        if let Some(slim) = image.slim_tag() {
            n.runtime_image = ImageRef::parse(&target.image).with_tag(&slim);
        } else {
            n.runtime_image = target.image.clone();
        }
        n.env = intent
            .env
            .iter()
            .filter(|(k, _, _)| {
                !matches!(
                    k.as_str(),
                    "NODE_ENV" | "PORT" | "HOSTNAME" | "NEXT_TELEMETRY_DISABLED"
                )
            })
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
    }
    let name = free_name(cx.df, "runtime");
    let stage = crate::render::node_runtime(&n, &name, &from_name, cx.templates_dir)
        .map_err(|e| e.to_string())?;
    let end = cx.df.text.len();
    let separator = if cx.df.text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    edits.push(Edit::insert(end, format!("{separator}{}", w.lines(&stage))));
    let mut files = Vec::new();
    if let Some(config) = &server_config {
        let text = crate::render::server_config(&n, config, cx.templates_dir)
            .map_err(|e| e.to_string())?;
        files.push(FileWrite {
            path: config.path.clone(),
            text,
            before_build: None,
        });
    }
    let summary = if next {
        format!(
            "stage `{name}` runs Next.js's standalone server from `{from_name}` on {} as node, port {}",
            n.runtime_image, n.port
        )
    } else {
        format!(
            "stage `{name}` serves {} from `{from_name}` with {} as a non-root user on port {}",
            n.output, n.server, n.port
        )
    };
    Ok(Runtime {
        edits,
        files,
        summary,
    })
}

/// `npm run build`, `yarn build`, `pnpm build`, `npx next build`...
fn runs_script(words: &[String], script: &str) -> bool {
    let (i, prog) = shell::program(words);
    // `i` is past the end when every word is a wrapper (`env` alone).
    let rest: Vec<&str> = words
        .get(i + 1..)
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    // A workspace's selectors (`--filter web`, `-w apps/web`, `yarn
    // workspace web`) say which member; the script is the word after them.
    let rest = without_workspace_selectors(prog, &rest);
    match prog {
        "npm" | "bun" => {
            matches!(rest.first(), Some(&"run" | &"run-script")) && rest.get(1) == Some(&script)
        }
        // pnpm runs a script without `run` when no command of its own has
        // the name.
        "pnpm" => {
            rest.first() == Some(&script)
                || rest.first() == Some(&"run") && rest.get(1) == Some(&script)
        }
        "yarn" => {
            rest.first() == Some(&script)
                || rest.first() == Some(&"run") && rest.get(1) == Some(&script)
        }
        "npx" | "next" | "vite" => rest.contains(&"build"),
        // Monorepo task runners run each package's script of that name.
        "turbo" | "nx" => rest.contains(&script),
        _ => false,
    }
}

/// The words after a package manager's workspace selectors: pnpm's
/// `--filter X`/`-F X`/`-r`, npm's `--workspace X`/`-w X`/`--workspaces`,
/// Yarn's `workspace NAME` and `workspaces foreach [flags]`.
fn without_workspace_selectors<'a>(prog: &str, words: &[&'a str]) -> Vec<&'a str> {
    let with_value: &[&str] = match prog {
        "pnpm" => &["--filter", "-F", "--dir", "-C"],
        "npm" => &["--workspace", "-w", "--prefix"],
        _ => &[],
    };
    let alone: &[&str] = match prog {
        "pnpm" => &[
            "-r",
            "--recursive",
            "--if-present",
            "--parallel",
            "--stream",
        ],
        "npm" => &[
            "--workspaces",
            "-ws",
            "--if-present",
            "--include-workspace-root",
        ],
        _ => &[],
    };
    let mut out = Vec::new();
    let mut i = 0;
    if prog == "yarn" {
        match words.first() {
            Some(&"workspace") => i = 2,
            Some(&"workspaces") if words.get(1) == Some(&"foreach") => {
                i = 2;
                while words.get(i).is_some_and(|w| w.starts_with('-')) {
                    i += 1;
                }
            }
            _ => {}
        }
    }
    while let Some(w) = words.get(i) {
        if with_value.contains(w) {
            i += 2;
            continue;
        }
        if alone.contains(w) || with_value.iter().any(|f| w.starts_with(&format!("{f}="))) {
            i += 1;
            continue;
        }
        out.push(*w);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::runs_script;

    fn words(line: &str) -> Vec<String> {
        shlex::split(line).unwrap()
    }

    #[test]
    fn workspace_builds_count_as_the_build() {
        for line in [
            "npm run build",
            "pnpm run build",
            "pnpm --filter web build",
            "pnpm -F web run build",
            "pnpm --filter=web... build",
            "npm run build -w apps/web",
            "npm --workspace=apps/web run build",
            "yarn workspace web build",
            "yarn workspace web run build",
            "yarn workspaces foreach -A --topological run build",
            "turbo run build --filter web",
        ] {
            assert!(runs_script(&words(line), "build"), "{line}");
        }
        for line in [
            "pnpm --filter web dev",
            "npm run lint -w apps/web",
            "yarn workspace web start",
            "pnpm install --filter web...",
        ] {
            assert!(!runs_script(&words(line), "build"), "{line}");
        }
    }
}
