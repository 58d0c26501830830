//! DS312 static-site-served-by-node
//!
//! What it finds: a static site (Vite, Create React App, Astro, a Next.js
//! export...) whose image is a Node image: it ships Node, npm and
//! node_modules to serve files, often through the dev server.
//! Why it matters: the built site is a few hundred kB to a few MB of files;
//! the Node image and node_modules around it are hundreds of MB, and a dev
//! server or `serve` is slower and less hardened than a file server.
//! Fix: build in a Node stage, then copy only the output folder into a
//! small file server image (nginx or Caddy) running as a non-root user, with
//! a fallback to index.html for client-side routes.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::node::NodeApp;
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct StaticSiteServedByNode;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS312,
    name: "static-site-served-by-node",
    severity: Severity::Warning,
    summary: "A static site is served from an image with Node and node_modules.",
    why: "The built site is plain files; Node, npm and node_modules around them add hundreds of MB, and a dev server or `serve` is not a hardened file server.",
    fix: "Build in a Node stage and copy only the output folder into nginx or Caddy, running as a non-root user with a fallback to index.html.",
    example: "Before:\n  FROM node:22\n  COPY . .\n  RUN npm install\n  CMD [\"npm\", \"run\", \"dev\"]\nAfter:\n  FROM node:22-slim AS build\n  ...\n  RUN npm run build\n  FROM nginx:1.28 AS runtime\n  COPY --from=build /app/dist /usr/share/nginx/html",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the image's default target becomes a file server on the port the old image exposed (8080 when it was below 1024): a dev server's proxy, hot reload or server-side behaviour is gone, and the old stage stays buildable with --target.",
};

impl Rule for StaticSiteServedByNode {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let (Some(df), Some(node)) = (cx.dockerfile, cx.project.and_then(|p| p.node.as_ref()))
        else {
            return Vec::new();
        };
        let NodeApp::Static { framework, .. } = &node.app else {
            return Vec::new();
        };
        let base = df.image_base();
        let name = base.rsplit('/').next().unwrap_or(&base);
        if !name.starts_with("node") {
            return Vec::new();
        }
        let installed = node.installed_bytes(cx.repo);
        let finding = Finding::new(
            &DOC,
            df.path.clone(),
            Some(df.image_stage().line),
            format!("the final image is {base}, with Node and node_modules, to serve a {framework} site that builds to static files"),
        );
        vec![if installed > 0 {
            finding.with_bytes(installed)
        } else {
            finding
        }]
    }

    /// The user's stage becomes the build stage (named, with the build
    /// script run when it was not); a last stage serves the output with
    /// nginx (or Caddy) as a non-root user.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some(node) = cx.inputs.project.node.as_ref() else {
            return Vec::new();
        };
        if !matches!(node.app, NodeApp::Static { .. }) {
            return Vec::new();
        }
        let target = cx.target();
        let base = cx.df.base_image_of(target);
        if !base.rsplit('/').next().unwrap_or(&base).starts_with("node") {
            return Vec::new();
        }
        match crate::edit::node_runtime::append(cx, node) {
            Ok(rt) => vec![Outcome::Fix(Fix {
                rule: DOC.id,
                line: target.line,
                title: rt.summary,
                reason: "a built site is plain files: the image holds a hardened file server and those files, with no Node and no node_modules; unknown paths fall back to index.html so client-side routes work".into(),
                safety: Safety::Unsafe,
                edits: rt.edits,
                files: rt.files,
                reshapes: true,
            })],
            Err(why) => vec![cx.blocked(DOC.id, Some(target.line), why)],
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    const PKG: (&str, &str) = (
        "package.json",
        "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}",
    );
    const LOCK: (&str, &str) = ("package-lock.json", "{}");

    #[test]
    fn an_image_stage_other_stages_follow_is_left_with_a_reason() {
        // A runtime stage appended at the end would not be the image, and
        // the finding would come back after every round.
        let fx = Fixture::new(&[
            PKG,
            LOCK,
            ("dockslim.yaml", "target: development\n"),
            (
                "Dockerfile",
                "FROM node:20 AS development\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"npm\", \"start\"]\n\nFROM development AS dev-envs\nRUN apt-get update\n",
            ),
        ]);
        let reasons = fx.blocked_reasons(RuleId::DS312);
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("which other stages follow")),
            "{reasons:?}"
        );
    }

    #[test]
    fn before_and_after() {
        let node = Fixture::new(&[
            PKG,
            LOCK,
            (
                "Dockerfile",
                "FROM node:22\nCOPY . .\nRUN npm install\nCMD [\"npm\", \"run\", \"dev\"]\n",
            ),
        ]);
        assert_eq!(node.lines(&StaticSiteServedByNode), [Some(1)]);
        let nginx = Fixture::new(&[
            PKG,
            LOCK,
            ("Dockerfile", "FROM node:22-slim AS build\nRUN npm run build\nFROM nginx:1.28\nCOPY --from=build /app/dist /usr/share/nginx/html\n"),
        ]);
        assert!(nginx.check(&StaticSiteServedByNode).is_empty());
    }
}
