//! DS303 apt-install-recommends
//!
//! What it finds: `apt-get install` without `--no-install-recommends`.
//! Why it matters: Debian installs "recommended" packages by default, which
//! for a server image means documentation, X libraries and tools nobody
//! runs: often more than the packages asked for.
//! Fix: `apt-get install -y --no-install-recommends PACKAGES`.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::shell;

pub struct AptRecommends;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS303,
    name: "apt-install-recommends",
    severity: Severity::Warning,
    summary: "apt-get install without --no-install-recommends.",
    why: "Debian installs recommended packages by default; in a server image that is documentation, extra libraries and tools nobody runs, often larger than what was asked for.",
    fix: "apt-get install -y --no-install-recommends PACKAGES",
    example: "Before:\n  RUN apt-get install -y libpq5\nAfter:\n  RUN apt-get install -y --no-install-recommends libpq5",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for AptRecommends {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in &df.stages {
            for (inst, cmds) in stage.runs() {
                for cmd in &cmds {
                    let (i, prog) = shell::program(cmd);
                    let installs = matches!(prog, "apt-get" | "apt")
                        && cmd.get(i + 1).is_some_and(|s| s == "install");
                    if installs && !cmd.iter().any(|w| w == "--no-install-recommends") {
                        out.push(Finding::new(
                            &DOC,
                            df.path.clone(),
                            Some(inst.line),
                            "apt-get install pulls in recommended packages",
                        ));
                    }
                }
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
        let bad = Fixture::new(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
        )]);
        assert_eq!(bad.lines(&AptRecommends), [Some(2)]);
        let good = Fixture::new(&[("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n")]);
        assert!(good.check(&AptRecommends).is_empty());
    }
}
