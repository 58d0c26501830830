//! DS303 apt-install-recommends
//!
//! What it finds: `apt-get install` without `--no-install-recommends`.
//! Why it matters: Debian installs "recommended" packages by default, which
//! for a server image means documentation, X libraries and tools nobody
//! runs: often more than the packages asked for.
//! Fix: `apt-get install -y --no-install-recommends PACKAGES`.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::{shell, RunCommand, Stage};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct AptRecommends;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS303,
    name: "apt-install-recommends",
    severity: Severity::Warning,
    summary: "apt-get install without --no-install-recommends.",
    why: "Debian installs recommended packages by default; in a server image that is documentation, extra libraries and tools nobody runs, often larger than what was asked for.",
    fix: "apt-get install -y --no-install-recommends PACKAGES",
    example: "Before:\n  RUN apt-get install -y libpq5\nAfter:\n  RUN apt-get install -y --no-install-recommends libpq5",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a package the app uses that came in only as a recommendation of another (a locale, a CA bundle, a helper tool) is no longer installed; name it in the install.",
};

/// apt installs without --no-install-recommends in the stages shipped.
fn offences<'a>(stages: &[&'a Stage]) -> Vec<RunCommand<'a>> {
    stages
        .iter()
        .flat_map(|s| s.run_commands())
        .filter(|c| {
            shell::is_apt_install(&c.words)
                && !c.words.iter().any(|w| w == "--no-install-recommends")
        })
        .collect()
}

impl Rule for AptRecommends {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        offences(&df.shipped_stages())
            .into_iter()
            .map(|c| {
                Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(c.inst.line),
                    "apt-get install pulls in recommended packages",
                )
            })
            .collect()
    }

    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        offences(&cx.shipped())
            .into_iter()
            .map(|c| {
                let install = shell::package_subcommand(&c.words).and_then(|(_, i)| c.word(i));
                match install {
                    Some(install) => Outcome::Fix(Fix {
                        rule: DOC.id,
                        line: c.inst.line,
                        title: "apt-get install --no-install-recommends".into(),
                        reason: "only the packages named are installed, not the ones they merely recommend (documentation, extra tools)".into(),
                        safety: Safety::Unsafe,
                        edits: vec![cx.writer().insert_word_after(&install.span, "--no-install-recommends")],
                        files: vec![],
                        reshapes: false,
                    }),
                    None => cx.blocked(DOC.id, Some(c.inst.line), "the install is inside an exec-form RUN or `sh -c \"...\"`, whose words dockslim does not edit"),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        let bad = Fixture::new(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
        )]);
        assert_eq!(bad.lines(&AptRecommends), [Some(2)]);
        let good = Fixture::new(&[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n")]);
        assert!(good.check(&AptRecommends).is_empty());
    }
}
