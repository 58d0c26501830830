//! DS202 apt-update-alone
//!
//! What it finds: a RUN that refreshes the package lists (`apt-get update`,
//! `apk update`) without installing anything in the same layer.
//! Why it matters: the build cache keeps that layer for as long as its text
//! does not change, so a later `apt-get install` layer installs from lists
//! that may be months old: versions that no longer exist on the mirror
//! (404 errors) or miss security fixes. The lists also stay in the image.
//! Fix: update, install and remove the lists in one RUN.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::shell;

pub struct AptUpdateAlone;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS202,
    name: "apt-update-alone",
    severity: Severity::Warning,
    summary: "The package lists are refreshed in a layer of their own.",
    why: "The build cache reuses that layer as long as its text is unchanged, so later installs read stale lists (404s on the mirror, missed security fixes), and the lists stay in the image.",
    fix: "Run update, install and the list cleanup in one RUN: apt-get update && apt-get install -y --no-install-recommends PKGS && rm -rf /var/lib/apt/lists/*",
    example: "Before:\n  RUN apt-get update\n  RUN apt-get install -y libpq5\nAfter:\n  RUN apt-get update \\\n   && apt-get install -y --no-install-recommends libpq5 \\\n   && rm -rf /var/lib/apt/lists/*",
    fix_safety: None,
    fix_risk: "",
};

/// `apt-get update`, `apt update`, `apk update`.
fn is_list_update(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    matches!(prog, "apt-get" | "apt" | "apk") && cmd.get(i + 1).is_some_and(|s| s == "update")
}

impl Rule for AptUpdateAlone {
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
                let updates = cmds.iter().any(|c| is_list_update(c));
                let installs = cmds.iter().any(|c| shell::package_install(c).is_some());
                if updates && !installs {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(inst.line),
                        "the package lists are refreshed here but used by a later layer, which the cache can pair with stale lists",
                    ));
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
    fn update_on_its_own_is_found() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y libpq5\nRUN apk update\n",
        )]);
        assert_eq!(fx.lines(&AptUpdateAlone), [Some(2), Some(4)]);
    }

    #[test]
    fn update_with_install_passes() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nRUN apk update && apk add curl\n",
        )]);
        assert!(fx.check(&AptUpdateAlone).is_empty());
    }
}
