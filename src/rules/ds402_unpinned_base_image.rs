//! DS402 unpinned-base-image
//!
//! What it finds: a FROM with no tag or with `latest`.
//! Why it matters: the image you test is not the image you ship; a rebuild
//! silently moves to a new major version of Python or Debian, and builds
//! stop being reproducible.
//! Fix: name the version (python:3.12-slim-trixie), or pin a digest.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};

pub struct UnpinnedBaseImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS402,
    name: "unpinned-base-image",
    severity: Severity::Warning,
    summary: "A base image has no tag or uses `latest`.",
    why: "A rebuild silently moves to whatever `latest` is that day (a new Python, a new Debian), so the image you tested is not the one you ship.",
    fix: "Name the version explicitly, e.g. python:3.12-slim-trixie, or pin a digest.",
    example: "Before:\n  FROM python\nAfter:\n  FROM python:3.12-slim-trixie",
    fix_safety: None,
    fix_risk: "",
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
}
