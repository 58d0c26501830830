//! DS304 dev-dependencies-in-image
//!
//! What it finds: development requirement sets (requirements-dev.txt,
//! requirements/test.txt, ...) installed in the image, either by the
//! Dockerfile or through a `-r` include of the production file.
//! Why it matters: test runners, linters and debuggers add tens to hundreds
//! of megabytes and more code to patch, and never run in production.
//! For a Node server: `npm install`, `npm ci` or `yarn install` without
//! `--omit=dev` (`--production`, `--prod`) in the final image, when
//! package.json has devDependencies.
//! Fix: install only the production set; keep development tools out of the
//! files the image installs.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::detect::requirements::is_dev_file;

pub struct DevDependenciesInImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS304,
    name: "dev-dependencies-in-image",
    severity: Severity::Warning,
    summary: "Development dependencies (test, lint, dev requirement sets) are installed in the image.",
    why: "Test runners, linters and debuggers never run in production, but add size and code to keep patched.",
    fix: "Install only the production requirements (for Node: npm ci --omit=dev, or build in a stage and prune); move development tools to a file the image does not install.",
    example: "Before:\n  RUN pip install -r requirements.txt -r requirements-dev.txt\nAfter:\n  RUN pip install -r requirements.txt",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for DevDependenciesInImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(df) = cx.dockerfile {
            for (file, line) in df.intent().pip_requirement_files {
                if is_dev_file(&file) {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(line),
                        format!("the image installs {file}"),
                    ));
                }
            }
        }
        let node_server = cx.project.and_then(|p| p.node.as_ref()).filter(|n| {
            matches!(n.app, crate::detect::node::NodeApp::Server { .. })
                && !n.dev_dependencies.is_empty()
        });
        if let (Some(df), Some(node)) = (cx.dockerfile, node_server) {
            for stage in df.shipped_stages() {
                for (inst, cmds) in stage.runs() {
                    let full_install = cmds.iter().any(|c| {
                        let w: Vec<&str> = c.iter().map(String::as_str).collect();
                        matches!(w.first(), Some(&("npm" | "yarn" | "pnpm")))
                            && w.iter().any(|x| matches!(*x, "install" | "i" | "ci"))
                            && !w.iter().any(|x| {
                                x.starts_with("--omit=dev")
                                    || matches!(
                                        *x,
                                        "--production" | "--prod" | "-P" | "--only=production"
                                    )
                            })
                            && !w.iter().any(|x| matches!(*x, "-g" | "--global"))
                    });
                    if full_install {
                        out.push(Finding::new(
                            &DOC,
                            df.path.clone(),
                            Some(inst.line),
                            format!(
                                "the image installs the {} devDependencies of {} too",
                                node.dev_dependencies.len(),
                                node.manifest()
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(project) = cx.project {
            let set = &project.python.requirements;
            for dev in &set.dev_files {
                out.push(Finding::new(
                    &DOC,
                    set.entry.clone(),
                    None,
                    format!("{} includes {dev}, a development set", set.entry),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn dev_sets_in_dockerfile_or_includes() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN pip install -r requirements.txt -r requirements-dev.txt\n",
        )]);
        assert_eq!(fx.lines(&DevDependenciesInImage), [Some(2)]);
        let fx = Fixture::new(&[
            ("requirements.txt", "-r requirements-test.txt\nflask\n"),
            ("requirements-test.txt", "pytest\n"),
        ]);
        let found = fx.check(&DevDependenciesInImage);
        assert_eq!(
            found[0].message,
            "requirements.txt includes requirements-test.txt, a development set"
        );
    }

    #[test]
    fn node_server_installing_dev_dependencies() {
        let files = |install: &'static str| {
            Fixture::new(&[
                ("package.json", "{\"scripts\": {\"start\": \"node index.js\"}, \"dependencies\": {\"express\": \"4\"}, \"devDependencies\": {\"nodemon\": \"3\"}}"),
                ("package-lock.json", "{}"),
                ("Dockerfile", install),
            ])
        };
        assert_eq!(
            files("FROM node:20\nCOPY . .\nRUN npm install\n").lines(&DevDependenciesInImage),
            [Some(3)]
        );
        assert!(files("FROM node:20\nCOPY . .\nRUN npm ci --omit=dev\n")
            .check(&DevDependenciesInImage)
            .is_empty());
    }
}
