//! DS311 next-without-standalone
//!
//! What it finds: a Next.js app with a server whose next.config has no
//! `output: 'standalone'`.
//! Why it matters: without it, `next start` needs the whole node_modules
//! (Next.js, its compilers, every devDependency the build used) in the
//! image: hundreds of MB for a server that uses a fraction of them.
//! Fix: `output: 'standalone'` in next.config; `next build` then traces the
//! files the server uses into .next/standalone with a `server.js`, and the
//! image copies that, .next/static and public/ only.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::node::NodeApp;
use crate::edit::{FileWrite, Fix, FixContext, Outcome, Safety};

pub struct NextWithoutStandalone;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS311,
    name: "next-without-standalone",
    severity: Severity::Warning,
    summary: "A Next.js server is built without `output: 'standalone'`.",
    why: "`next start` then needs the whole node_modules in the image, Next.js's compilers and the build's devDependencies included, where the standalone output holds only the files the server uses.",
    fix: "Add `output: 'standalone'` to next.config and run `node server.js` from .next/standalone, with .next/static and public/ copied beside it.",
    example: "Before:\n  const nextConfig = { reactStrictMode: true }\n  CMD [\"npm\", \"start\"]\nAfter:\n  const nextConfig = { output: 'standalone', reactStrictMode: true }\n  COPY --from=build /app/.next/standalone ./\n  CMD [\"node\", \"server.js\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the image runs `node server.js` from the standalone output instead of `next start`: files the app reads at run time outside what Next.js traces (a data folder read with fs) are not in the image, and next.config gains `output: 'standalone'`.",
};

impl Rule for NextWithoutStandalone {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(node) = cx.project.and_then(|p| p.node.as_ref()) else {
            return Vec::new();
        };
        let NodeApp::NextServer {
            config,
            standalone: false,
            ..
        } = &node.app
        else {
            return Vec::new();
        };
        let file = config.clone().unwrap_or_else(|| node.manifest());
        let message = format!(
            "{} has no `output: 'standalone'`, so the image needs all of node_modules to run `next start`",
            config.as_deref().unwrap_or("the project has no next.config, and so")
        );
        let mut finding = Finding::new(&DOC, file, None, message);
        let installed = node.installed_bytes(cx.repo);
        if installed > 0 {
            finding = finding.with_bytes(installed);
        }
        vec![finding]
    }

    /// next.config gets `output: 'standalone'`; the user's stage becomes the
    /// build stage, and a last stage runs `node server.js` from the
    /// standalone output with only the files it traces.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some(node) = cx.inputs.project.node.as_ref() else {
            return Vec::new();
        };
        if !matches!(
            node.app,
            NodeApp::NextServer {
                standalone: false,
                ..
            }
        ) {
            return Vec::new();
        }
        let target = cx.target();
        let line = Some(target.line);
        let mut decisions = Vec::new();
        let edit = match crate::plan::next_config::plan(cx.inputs, node, &mut decisions) {
            Ok(Some(edit)) => edit,
            Ok(None) => return Vec::new(),
            Err(e) => return vec![cx.blocked(DOC.id, line, e.to_string())],
        };
        match crate::edit::node_runtime::append(cx, node) {
            Ok(mut rt) => {
                rt.files.push(FileWrite {
                    path: edit.file.clone(),
                    text: edit.new,
                    before_build: None,
                });
                vec![Outcome::Fix(Fix {
                    rule: DOC.id,
                    line: target.line,
                    title: rt.summary,
                    reason: format!("{} gets `output: 'standalone'`, so next build traces the server and only the node_modules files it uses into .next/standalone; the image copies that, .next/static and public/, never the whole node_modules or the sources", edit.file),
                    safety: Safety::Unsafe,
                    edits: rt.edits,
                    files: rt.files,
                    reshapes: true,
                })]
            }
            Err(why) => vec![cx.blocked(DOC.id, line, why)],
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    const PKG: (&str, &str) = (
        "package.json",
        "{\"scripts\": {\"build\": \"next build\"}, \"dependencies\": {\"next\": \"15\"}}",
    );
    const LOCK: (&str, &str) = ("package-lock.json", "{}");

    #[test]
    fn before_and_after() {
        let found = Fixture::new(&[
            PKG,
            LOCK,
            (
                "next.config.js",
                "module.exports = {\n  reactStrictMode: true,\n}\n",
            ),
            (
                "node_modules/next/dist/server.js",
                "x".repeat(1000).as_str(),
            ),
        ])
        .check(&NextWithoutStandalone);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, "next.config.js");
        assert_eq!(found[0].bytes, Some(1000));
        assert!(Fixture::new(&[
            PKG,
            LOCK,
            (
                "next.config.js",
                "module.exports = {\n  output: 'standalone',\n}\n"
            ),
        ])
        .check(&NextWithoutStandalone)
        .is_empty());
    }
}
