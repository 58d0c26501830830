//! DS406 no-lock-file
//!
//! What it finds: a uv or Poetry project (or a pyproject.toml with only
//! `[project].dependencies`) without uv.lock or poetry.lock, and a Node
//! project the image builds (at the root, or a frontend the Python image
//! builds) without its package-lock.json, yarn.lock or pnpm-lock.yaml.
//! Why it matters: the build resolves the declared version ranges against
//! the registry as it is that day, so two builds of one commit can install
//! different versions. A release of any package, direct or pulled in by
//! another, reaches the next image untested, and a compromised release
//! reaches it too; a rollback rebuilds something that never ran.
//! Fix: run the command that writes the lock (`uv lock`, `poetry lock`,
//! `npm install`, `yarn install`, `pnpm install`) and commit the file. The
//! proposal meanwhile installs with the resolving command (`uv sync`
//! without --locked, `npm install` for `npm ci`), and installs exactly the
//! lock once it is committed.
//!
//! Why DS4xx: it is the supply-chain sibling of DS402 (a base image with
//! no tag) and DS405 (a package manager with no version): something the
//! build fetches is not pinned. It is not DS201 (layer order) since the
//! dependency layer is still cached; what changes is what it holds.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::node::NodeProject;

pub struct NoLockFile;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS406,
    name: "no-lock-file",
    severity: Severity::Warning,
    summary: "The project commits no lock file, so each build resolves its dependencies anew.",
    why: "Without uv.lock, poetry.lock or package-lock.json the build installs whatever the version ranges resolve to that day: two builds of one commit can differ, a new or compromised release of any package (a dependency of a dependency too) reaches the image untested, and a rollback rebuilds something that never ran.",
    fix: "Run the command that writes the lock (`uv lock`, `poetry lock`, `npm install`, `yarn install`, `pnpm install` or `bun install`) and commit the file; the install then follows it exactly (`uv sync --locked`, `npm ci`, `--frozen-lockfile`).",
    example: "Before (pyproject.toml, no uv.lock):\n  RUN uv sync --no-dev --no-install-project   # resolves at build time\nAfter (`uv lock`, uv.lock committed):\n  COPY pyproject.toml uv.lock ./\n  RUN uv sync --locked --no-dev --no-install-project",
    fix_safety: None,
    fix_risk: "",
};

/// The lock file a Node manager writes.
fn node_lock(node: &NodeProject) -> &'static str {
    use crate::detect::node::NodeManager;
    match node.manager {
        NodeManager::Npm => "package-lock.json",
        NodeManager::YarnClassic | NodeManager::YarnBerry => "yarn.lock",
        NodeManager::Pnpm => "pnpm-lock.yaml",
        NodeManager::Bun => "bun.lock",
    }
}

fn node_finding(node: &NodeProject) -> Option<Finding> {
    if node.lock_file.is_some() {
        return None;
    }
    let manifest = node.manifest();
    let lock = node.path(node_lock(node));
    let command = node.manager.install(false);
    let run = if node.dir.is_empty() {
        format!("`{command}`")
    } else {
        format!("`{command}` in {}", node.dir)
    };
    Some(Finding::new(
        &DOC,
        manifest.clone(),
        None,
        format!(
            "{} resolves {manifest}'s version ranges at build time: there is no {lock}, so two builds of one commit can install different versions; run {run} and commit {lock}",
            node.manager.name(),
        ),
    ))
}

impl Rule for NoLockFile {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let py = &project.python;
        if py.resolves_at_build() {
            let lock = py.manager.lock_file().unwrap_or_default();
            let command = py.manager.lock_command().unwrap_or_default();
            // The lock sits beside the root pyproject.toml, a workspace's too.
            out.push(Finding::new(
                &DOC,
                "pyproject.toml",
                None,
                format!(
                    "{} resolves the {} dependencies pyproject.toml declares at build time: there is no {lock}, so two builds of one commit can install different versions; run `{command}` and commit {lock}",
                    py.manager.name(),
                    py.requirements.requirements.len(),
                ),
            ));
        }
        let built = project
            .node
            .iter()
            .chain(project.frontend.iter().map(|f| &f.node));
        out.extend(built.filter_map(node_finding));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    const FASTAPI: (&str, &str) = (
        "main.py",
        "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get(\"/health\")\ndef health():\n    return {}\n",
    );

    fn messages(fx: &Fixture) -> Vec<String> {
        fx.check(&NoLockFile)
            .iter()
            .map(|f| format!("{}: {}", f.location(), f.message))
            .collect()
    }

    #[test]
    fn before_and_after() {
        let pyproject = (
            "pyproject.toml",
            "[project]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n",
        );
        let fx = Fixture::new(&[pyproject, FASTAPI]);
        let found = messages(&fx);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("pyproject.toml: uv resolves the 2 dependencies")
                && found[0].contains("no uv.lock")
                && found[0].ends_with("run `uv lock` and commit uv.lock"),
            "{found:?}"
        );
        let fx = Fixture::new(&[pyproject, FASTAPI, ("uv.lock", "version = 1\n")]);
        assert!(messages(&fx).is_empty());
    }

    #[test]
    fn poetry_names_poetry_lock() {
        let fx = Fixture::new(&[
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"shop\"\nversion = \"1.0.0\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3.0\"\n",
            ),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ]);
        let found = messages(&fx);
        assert!(
            found.len() == 1 && found[0].contains("run `poetry lock` and commit poetry.lock"),
            "{found:?}"
        );
    }

    #[test]
    fn node_apps_and_frontends_name_their_managers_lock() {
        let express = (
            "package.json",
            "{\"scripts\": {\"start\": \"node server.js\"}, \"dependencies\": {\"express\": \"^4.21.0\"}}",
        );
        let server = (
            "server.js",
            "const express = require('express');\nconst app = express();\napp.listen(3000);\n",
        );
        let fx = Fixture::new(&[express, server]);
        let found = messages(&fx);
        assert!(
            found.len() == 1
                && found[0].starts_with("package.json: npm resolves")
                && found[0].ends_with("run `npm install` and commit package-lock.json"),
            "{found:?}"
        );
        let fx = Fixture::new(&[express, server, ("package-lock.json", "{}")]);
        assert!(messages(&fx).is_empty());
        // A frontend the Python image builds, with pnpm pinned.
        let fx = Fixture::new(&[
            ("requirements.txt", "flask\ngunicorn\n"),
            (
                "app.py",
                "from flask import Flask\napp = Flask(__name__, static_folder='web/dist')\n",
            ),
            (
                "web/package.json",
                "{\"packageManager\": \"pnpm@9.15.0\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6.0.0\"}}",
            ),
        ]);
        let found = messages(&fx);
        assert!(
            found.len() == 1
                && found[0].starts_with("web/package.json: pnpm resolves")
                && found[0].ends_with("run `pnpm install` in web and commit web/pnpm-lock.yaml"),
            "{found:?}"
        );
    }

    #[test]
    fn a_bun_project_names_bun_install_and_bun_lock() {
        let bun = (
            "package.json",
            "{\"packageManager\": \"bun@1.2.21\", \"scripts\": {\"start\": \"bun run index.ts\"}, \"dependencies\": {\"hono\": \"^4\"}}",
        );
        let server = (
            "index.ts",
            "import { Hono } from 'hono';\nconst app = new Hono();\nexport default app;\n",
        );
        let fx = Fixture::new(&[bun, server]);
        let found = messages(&fx);
        assert!(
            found.len() == 1
                && found[0].starts_with("package.json: bun resolves")
                && found[0].ends_with("run `bun install` and commit bun.lock"),
            "{found:?}"
        );
        // The binary lock of Bun before 1.2 is a lock.
        let fx = Fixture::new(&[bun, server, ("bun.lockb", "\0")]);
        assert!(messages(&fx).is_empty());
    }

    #[test]
    fn pip_and_locked_projects_have_no_finding() {
        let fx = Fixture::new(&[
            ("requirements.txt", "flask\n"),
            ("app.py", "import flask\n"),
        ]);
        assert!(messages(&fx).is_empty());
    }
}
