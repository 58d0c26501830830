//! DS402 unpinned-base-image
//!
//! What it finds: a FROM with no tag or with `latest`.
//! Why it matters: the image you test is not the image you ship; a rebuild
//! silently moves to a new major version of Python or Debian, and builds
//! stop being reproducible.
//! Fix: name the version (python:3.12-slim-trixie), or pin a digest.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::Args;
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct UnpinnedBaseImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS402,
    name: "unpinned-base-image",
    severity: Severity::Warning,
    summary: "A base image has no tag or uses `latest`.",
    why: "A rebuild silently moves to whatever `latest` is that day (a new Python, a new Debian), so the image you tested is not the one you ship.",
    fix: "Name the version explicitly, e.g. python:3.12-slim-trixie, or pin a digest.",
    example: "Before:\n  FROM python\nAfter:\n  FROM python:3.12-slim-trixie",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the tag names the version dockslim reads from the project (.python-version, requires-python, .nvmrc, engines) or the profile's default, which may not be the version `latest` gave on the last build.",
};

impl Rule for UnpinnedBaseImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in &df.stages {
            let image = df.expand_args(&stage.image);
            if image == "scratch"
                || image.contains('@')
                || df.stage_named(&stage.image).is_some()
                || image.contains('$')
            {
                continue;
            }
            let last = image.rsplit('/').next().unwrap_or(&image);
            match last.split_once(':') {
                None => out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(stage.line),
                    format!("`{image}` has no tag, so it means `latest`"),
                )),
                Some((_, "latest")) => out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(stage.line),
                    format!("`{image}` follows `latest`"),
                )),
                _ => {}
            }
        }
        out
    }

    /// `python` / `python:latest` -> `python:<version>`, `node` ->
    /// `node:<line>`, the version the project names (or the profile's
    /// default), keeping a variant the tag had (`python:slim` ->
    /// `python:3.12-slim`).
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        for index in cx.graph.lineage() {
            let stage = &cx.df.stages[index];
            let Args::From { image_span, .. } = &stage.from.args else {
                continue;
            };
            if cx
                .df
                .stage_named(&stage.image)
                .is_some_and(|s| s.index < stage.index)
                || stage.image.contains(['$', '@'])
            {
                continue;
            }
            let image = ImageRef::parse(&stage.image);
            let variant = match image.tag.as_deref() {
                None | Some("latest") => None,
                Some(t)
                    if [
                        "slim",
                        "bookworm",
                        "trixie",
                        "slim-bookworm",
                        "slim-trixie",
                        "alpine",
                        "lts",
                        "lts-slim",
                    ]
                    .contains(&t) =>
                {
                    Some(t.to_string())
                }
                Some(_) => continue,
            };
            let line = Some(stage.line);
            let version = if image.is_python() {
                let Some(profile) = cx.inputs.profile.python.as_ref() else {
                    continue;
                };
                match crate::plan::python::python_version(cx.inputs, profile) {
                    Ok((v, why)) => (v.to_string(), why),
                    Err(e) => {
                        out.push(cx.blocked(DOC.id, line, e.to_string()));
                        continue;
                    }
                }
            } else if image.is_node() {
                let Some(node) = cx.inputs.project.node.as_ref() else {
                    out.push(cx.blocked(DOC.id, line, "no Node project to read a version from"));
                    continue;
                };
                match crate::plan::node::version(cx.inputs, node) {
                    Ok(v) => v,
                    Err(e) => {
                        out.push(cx.blocked(DOC.id, line, e.to_string()));
                        continue;
                    }
                }
            } else if image.is_bun() {
                // The Bun line the project names (packageManager or
                // engines.bun), else the profile's.
                let profile = &cx.inputs.profile.node.bun;
                match cx.inputs.project.node.as_ref().and_then(|n| n.bun_line.clone()) {
                    Some((major, at)) => (major, format!("from {at}")),
                    None => (
                        profile.default_version.clone(),
                        "of Bun, the profile's line: no packageManager pin or engines.bun names one"
                            .to_string(),
                    ),
                }
            } else {
                out.push(cx.blocked(
                    DOC.id,
                    line,
                    format!(
                        "dockslim knows the versions of the python, node and oven/bun images, not of {}",
                        image.name
                    ),
                ));
                continue;
            };
            let tag = match variant.as_deref() {
                None => version.0.clone(),
                Some(v) if v.starts_with("lts") => {
                    format!("{}{}", version.0, v.strip_prefix("lts").unwrap_or(""))
                }
                Some(v) => format!("{}-{v}", version.0),
            };
            let pinned = image.with_tag(&tag);
            out.push(Outcome::Fix(Fix {
                rule: DOC.id,
                line: stage.line,
                title: format!("{} -> {pinned}", stage.image),
                reason: format!("version {} {}", version.0, version.1),
                safety: Safety::Unsafe,
                edits: vec![Edit::replace(image_span.clone(), pinned)],
                files: vec![],
                reshapes: false,
            }));
        }
        out
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python AS a\nFROM node:latest\nFROM registry:5000/team/app\nFROM a\nFROM python:3.12-slim\nFROM scratch\n")]);
        assert_eq!(fx.lines(&UnpinnedBaseImage), [Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn oven_bun_is_pinned_to_the_projects_bun_line() {
        let files = |from: &'static str| {
            Fixture::new(&[
                (
                    "package.json",
                    "{\"name\": \"a\", \"packageManager\": \"bun@1.2.21\", \"scripts\": {\"start\": \"bun run index.ts\"}}",
                ),
                ("bun.lock", "{}\n"),
                ("index.ts", "Bun.serve({ fetch: () => new Response('ok') });\n"),
                ("Dockerfile", from),
            ])
        };
        for (from, pinned) in [
            ("FROM oven/bun\n", "FROM oven/bun:1\n"),
            ("FROM oven/bun:latest\n", "FROM oven/bun:1\n"),
        ] {
            let fx = files(from);
            assert_eq!(fx.lines(&UnpinnedBaseImage), [Some(1)], "{from}");
            let (text, blocked) = fx.fixed(RuleId::DS402);
            assert!(!blocked.contains(&RuleId::DS402), "{from}: {blocked:?}");
            assert!(text.starts_with(pinned), "{from}: {text}");
        }
    }
}
