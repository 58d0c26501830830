//! DS307 alpine-without-musl-wheels
//!
//! What it finds: an Alpine base image for a project that installs packages
//! with no musllinux wheel on PyPI (torch, tensorflow, onnxruntime, jaxlib:
//! the list in data/package-sizes.yaml, checked against PyPI).
//! Why it matters: Alpine uses musl, not glibc, so pip cannot use the
//! manylinux wheels; it compiles from source (needing a toolchain, taking
//! long and growing the image) or fails outright. The "small" base ends up
//! bigger than Debian slim.
//! Fix: use a Debian slim base (python:3.12-slim-trixie). `dockslim
//! rewrite` refuses to keep Alpine for such a project and says why.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::ml;

pub struct AlpineWithoutMuslWheels;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS307,
    name: "alpine-without-musl-wheels",
    severity: Severity::Error,
    summary: "An Alpine base image for packages that publish no musl wheels.",
    why: "pip cannot use glibc (manylinux) wheels on Alpine's musl; packages without musllinux wheels build from source or fail, and the image grows instead of shrinking.",
    fix: "Use a Debian slim base such as python:3.12-slim-trixie.",
    example: "Before:\n  FROM python:3.12-alpine\n  RUN pip install torch\nAfter:\n  FROM python:3.12-slim-trixie\n  RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu torch",
    fix_safety: None,
    fix_risk: "",
};

/// The installed packages with no musllinux wheel.
pub fn without_musl_wheels(cx: &Context) -> Vec<String> {
    let Some(project) = cx.project else {
        return Vec::new();
    };
    let py = &project.python;
    ml::sizes()
        .no_musl_wheels
        .iter()
        .filter(|p| py.requirements.has(p) || py.locked.contains(p))
        .cloned()
        .collect()
}

impl Rule for AlpineWithoutMuslWheels {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let base = df.image_base();
        if !base.contains("alpine") {
            return Vec::new();
        }
        let missing = without_musl_wheels(cx);
        if missing.is_empty() {
            return Vec::new();
        }
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            Some(df.image_stage().line),
            format!(
                "{base} uses musl, and {} publish{} no musllinux wheels: pip builds them from source or fails",
                missing.join(", "),
                if missing.len() == 1 { "es" } else { "" }
            ),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn alpine_with_torch_but_not_with_flask() {
        let fx = Fixture::new(&[
            (
                "Dockerfile",
                "FROM python:3.12-alpine\nRUN pip install -r requirements.txt\n",
            ),
            ("requirements.txt", "torch==2.5.1\nnumpy\n"),
        ]);
        let found = fx.check(&AlpineWithoutMuslWheels);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("torch publishes no musllinux"),
            "{}",
            found[0].message
        );
        let fx = Fixture::new(&[
            ("Dockerfile", "FROM python:3.12-alpine\n"),
            ("requirements.txt", "flask\nnumpy\n"),
        ]);
        assert!(fx.check(&AlpineWithoutMuslWheels).is_empty());
    }
}
