//! DS202 apt-update-alone
//!
//! What it finds: a RUN that refreshes the package lists (`apt-get update`,
//! `apk update`) without installing anything in the same layer.
//! Why it matters: the build cache keeps that layer for as long as its text
//! does not change, so a later `apt-get install` layer installs from lists
//! that may be months old: versions that no longer exist on the mirror
//! (404 errors) or miss security fixes. The lists also stay in the image.
//! Fix: update, install and remove the lists in one RUN.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::script::Place;
use crate::dockerfile::{shell, Instruction, Stage};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct AptUpdateAlone;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS202,
    name: "apt-update-alone",
    severity: Severity::Warning,
    summary: "The package lists are refreshed in a layer of their own.",
    why: "The build cache reuses that layer as long as its text is unchanged, so later installs read stale lists (404s on the mirror, missed security fixes), and the lists stay in the image.",
    fix: "Run update, install and the list cleanup in one RUN: apt-get update && apt-get install -y --no-install-recommends PKGS && rm -rf /var/lib/apt/lists/*",
    example: "Before:\n  RUN apt-get update\n  RUN apt-get install -y libpq5\nAfter:\n  RUN apt-get update \\\n   && apt-get install -y --no-install-recommends libpq5 \\\n   && rm -rf /var/lib/apt/lists/*",
    fix_safety: Some(Safety::Safe),
    fix_risk: "",
};

/// `apt-get update`, `apt update`, `apk update`.
fn is_list_update(cmd: &[String]) -> bool {
    shell::package_subcommand(cmd).is_some_and(|(sub, _)| sub == "update")
}

/// RUNs that update the lists and install nothing.
fn offences(stage: &Stage) -> Vec<&Instruction> {
    stage
        .runs()
        .into_iter()
        .filter(|(_, cmds)| {
            cmds.iter().any(|c| is_list_update(c))
                && !cmds.iter().any(|c| shell::package_install(c).is_some())
        })
        .map(|(inst, _)| inst)
        .collect()
}

impl Rule for AptUpdateAlone {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        df.stages
            .iter()
            .flat_map(offences)
            .map(|inst| {
                Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    "the package lists are refreshed here but used by a later layer, which the cache can pair with stale lists",
                )
            })
            .collect()
    }

    /// The update moves into the next RUN of the stage that installs, in
    /// front of its install command: `apt-get update && apt-get install...`.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        for index in cx.graph.lineage() {
            let stage = &cx.df.stages[index];
            for update in offences(stage) {
                out.push(fix_one(cx, stage, update));
            }
        }
        out
    }
}

fn fix_one(cx: &FixContext, stage: &Stage, update: &Instruction) -> Outcome {
    let line = Some(update.line);
    let Some(script) = update.script.as_ref().filter(|s| s.clean) else {
        return cx.blocked(
            DOC.id,
            line,
            "an exec-form RUN, whose words dockslim does not edit",
        );
    };
    if !script.commands.iter().all(|c| is_list_update(&c.texts())) {
        return cx.blocked(
            DOC.id,
            line,
            "the RUN does more than refresh the lists; merge it into the install by hand",
        );
    }
    let install = stage
        .run_commands()
        .into_iter()
        .filter(|c| c.inst.line > update.line)
        .find(|c| shell::package_install(&c.words).is_some());
    let Some(install) = install else {
        return cx.blocked(DOC.id, line, "no later RUN of this stage installs packages");
    };
    let Some(cmd) = install.simple().filter(|c| c.place == Place::TopLevel) else {
        return cx.blocked(DOC.id, line, "the install it serves is not a plain command of its RUN (inside `if`, after `||`, or in `sh -c`)");
    };
    let text = &cx.df.text;
    let update_text: Vec<&str> = script
        .commands
        .iter()
        .map(|c| &text[c.span.clone()])
        .collect();
    let w = cx.writer();
    Outcome::Fix(Fix {
        rule: DOC.id,
        line: update.line,
        title: format!("`{}` joins the install at line {}", update_text.join(" && "), install.inst.line),
        reason: "refreshing the lists in the same layer as the install means the cache can never pair the install with stale lists".into(),
        safety: Safety::Safe,
        edits: vec![
            w.delete(update),
            Edit::insert(cmd.span.start, format!("{} && ", update_text.join(" && "))),
        ],
        files: vec![],
        reshapes: false,
    })
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
