//! DS401 runs-as-root
//!
//! What it finds: a final stage with no USER instruction, or whose last USER
//! is root.
//! Why it matters: a process that breaks out of the app runs as root in the
//! container, which with a kernel bug or a careless mount is root on the
//! host; many platforms (OpenShift, restricted Kubernetes policies) refuse
//! such images outright.
//! Fix: create a system user with a fixed UID and switch to it before CMD.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};

pub struct RunsAsRoot;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS401,
    name: "runs-as-root",
    severity: Severity::Warning,
    summary: "The container runs as root.",
    why: "A compromised app then has root inside the container, one kernel bug or careless mount away from root on the host; restricted Kubernetes and OpenShift policies reject such images.",
    fix: "Create a user with a fixed UID (useradd --uid 10001) and switch to it with USER before CMD; give it ownership only of what it must write.",
    example: "Before:\n  CMD [\"gunicorn\", \"app:app\"]\nAfter:\n  RUN useradd --system --uid 10001 app\n  USER app\n  CMD [\"gunicorn\", \"app:app\"]",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for RunsAsRoot {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let chain = df.shipped_stages();
        let last_user = chain
            .iter()
            .find_map(|s| s.instructions.iter().rev().find(|i| i.keyword == crate::dockerfile::Keyword::User));
        match last_user {
            None => vec![Finding::new(
                &DOC,
                df.path.clone(),
                Some(df.final_stage().line),
                "no USER instruction: the app runs as root",
            )],
            Some(u) => {
                let user = u.text().trim().split(':').next().unwrap_or("");
                if user == "root" || user == "0" {
                    vec![Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(u.line),
                        "USER switches to root for the final image",
                    )]
                } else {
                    Vec::new()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\nCMD [\"python\"]\n")])
                .lines(&RunsAsRoot),
            [Some(1)]
        );
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\nUSER app\nUSER 0:0\n")])
                .lines(&RunsAsRoot),
            [Some(3)]
        );
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nUSER root\nRUN x\nUSER 10001\n"
        )])
        .check(&RunsAsRoot)
        .is_empty());
    }
}
