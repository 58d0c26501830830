//! DS501 no-healthcheck
//!
//! What it finds: a final image with no HEALTHCHECK.
//! Why it matters: without one, Docker and Compose report a hung or
//! deadlocked server as running; restarts and rolling deploys cannot tell a
//! ready container from a broken one.
//! Fix: a HEALTHCHECK that asks the app itself, with a tool the image already
//! has (Python's urllib), not curl installed only for this.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};

pub struct NoHealthcheck;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS501,
    name: "no-healthcheck",
    severity: Severity::Info,
    summary: "The image has no HEALTHCHECK.",
    why: "Docker and Compose then report a hung server as running, and restarts or rolling deploys cannot tell a ready container from a broken one.",
    fix: "Add a HEALTHCHECK that probes the app's health route with a tool already in the image (python -c urllib), or a TCP connect when there is no route.",
    example: "After:\n  HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\\n    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)\"]",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for NoHealthcheck {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let chain = df.shipped_stages();
        if chain
            .iter()
            .any(|s| s.instructions.iter().any(|i| i.keyword == crate::dockerfile::Keyword::Healthcheck))
        {
            return Vec::new();
        }
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            Some(df.final_stage().line),
            "the final image has no HEALTHCHECK",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\n")]).lines(&NoHealthcheck),
            [Some(1)]
        );
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nHEALTHCHECK CMD [\"true\"]\n"
        )])
        .check(&NoHealthcheck)
        .is_empty());
    }
}
