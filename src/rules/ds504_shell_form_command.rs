//! DS504 shell-form-command
//!
//! What it finds: CMD or ENTRYPOINT written in shell form (`CMD gunicorn
//! app:app`) rather than exec form (`CMD ["gunicorn", "app:app"]`).
//! Why it matters: shell form runs `/bin/sh -c`, which becomes PID 1 and does
//! not pass SIGTERM on to the app: `docker stop` waits its full timeout and
//! then kills the app without a graceful shutdown, dropping requests.
//! Fix: write the command as a JSON array.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::script::{Place, Script};
use crate::dockerfile::{Args, Command, Dockerfile, Instruction, Keyword, Stage};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct ShellFormCommand;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS504,
    name: "shell-form-command",
    severity: Severity::Warning,
    summary: "CMD or ENTRYPOINT in shell form swallows signals.",
    why: "Shell form runs under /bin/sh -c, which becomes PID 1 and does not forward SIGTERM: docker stop waits out its timeout and then kills the app mid-request.",
    fix: "Write the command in exec form, as a JSON array.",
    example: "Before:\n  CMD gunicorn -b 0.0.0.0:8000 app:app\nAfter:\n  CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the server itself becomes PID 1: it receives SIGTERM on docker stop and must exit on it (gunicorn, uvicorn and node do); a server that ignored it was killed after the stop timeout before.",
};

/// A shell-form command whose server is started with `exec` (the shell
/// replaced by it), so it gets the signals.
fn ends_in_exec(script: &Script) -> bool {
    script
        .commands
        .last()
        .is_some_and(|c| c.place == Place::TopLevel && c.program() == "exec")
}

/// The shell-form CMD and ENTRYPOINT that swallow signals: the last of each
/// in every stage, since any stage can be a build target someone runs (a
/// stage the image inherits one from is judged where it is written).
fn offences(df: &Dockerfile) -> Vec<(&Stage, &Instruction)> {
    df.stages
        .iter()
        .flat_map(|s| {
            [Keyword::Entrypoint, Keyword::Cmd]
                .into_iter()
                .filter_map(move |k| s.instructions.iter().rev().find(|i| i.keyword == k))
                .map(move |i| (s, i))
        })
        .filter(|(_, i)| {
            matches!(i.command(), Some(Command::Shell(t)) if !t.trim().is_empty())
                && !i.script.as_ref().is_some_and(ends_in_exec)
        })
        .collect()
}

impl Rule for ShellFormCommand {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        offences(df)
            .into_iter()
            .map(|(_, i)| {
                Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(i.line),
                    format!(
                        "{} in shell form runs under /bin/sh, which does not forward SIGTERM",
                        i.keyword
                    ),
                )
            })
            .collect()
    }

    /// One literal command becomes a JSON array; a command with variables
    /// (`$PORT`) or a chain (`migrate && serve`) keeps its shell and gets
    /// `exec` in front of the last command, which then replaces the shell.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        offences(cx.df)
            .into_iter()
            .map(|(stage, inst)| fix_one(cx, stage, inst))
            .collect()
    }
}

fn fix_one(cx: &FixContext, stage: &Stage, inst: &Instruction) -> Outcome {
    let line = Some(inst.line);
    let (Some(script), Args::Command { span, .. }) = (&inst.script, &inst.args) else {
        return cx.blocked(DOC.id, line, "the command could not be read as shell");
    };
    if !script.clean {
        return cx.blocked(DOC.id, line, "the command could not be read as shell");
    }
    let Some(last) = script
        .commands
        .last()
        .filter(|c| c.place == Place::TopLevel)
    else {
        return cx.blocked(DOC.id, line, "the command's last step is not a plain command (a pipe, `||` or control flow); start the server from a script that ends with `exec`");
    };
    let single = script.commands.len() == 1;
    let literal = last.assignments.is_empty() && last.words.iter().all(|w| w.value.is_some());
    let redirects = cx.df.text[last.span.clone()].contains(['>', '<']);
    // An ENTRYPOINT resets the CMD its stage inherits, so only a CMD of the
    // same stage is passed to it.
    let cmd_follows = inst.keyword == Keyword::Entrypoint
        && stage.instructions.iter().any(|i| i.keyword == Keyword::Cmd);
    let fix = |title: String, edit: Edit| {
        Outcome::Fix(Fix {
            rule: DOC.id,
            line: inst.line,
            title,
            reason: "the server is PID 1 instead of /bin/sh, so docker stop's SIGTERM reaches it and it can finish its requests".into(),
            safety: Safety::Unsafe,
            edits: vec![edit],
            files: vec![],
            reshapes: false,
        })
    };
    if single && literal && !redirects && !cmd_follows {
        let words: Vec<String> = last.words.iter().map(|w| w.text().to_string()).collect();
        let json = crate::render::exec_form(words);
        return fix(
            format!("{} {json}", inst.keyword),
            Edit::replace(span.clone(), json.clone()),
        );
    }
    if script.commands.iter().any(|c| c.program() == "exec") {
        return cx.blocked(DOC.id, line, "`exec` runs before the last command, so the commands after it never run; the chain needs a script");
    }
    fix(
        format!("`exec` before `{}`", last.program()),
        Edit::insert(last.span.start, "exec "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\nCMD gunicorn app:app\n")])
                .lines(&ShellFormCommand),
            [Some(2)]
        );
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCMD [\"gunicorn\", \"app:app\"]\n"
        )])
        .check(&ShellFormCommand)
        .is_empty());
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCMD exec gunicorn app:app\n"
        )])
        .check(&ShellFormCommand)
        .is_empty());
    }

    #[test]
    fn every_stage_a_target_can_run_is_judged_once() {
        // The dev stage's own CMD, and the base's inherited one where it is
        // written: two findings, no duplicate.
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM node:22 AS base\nCMD npm start\nFROM base AS dev\nCMD npm run dev\nFROM base AS prod\nRUN x\n",
        )]);
        assert_eq!(fx.lines(&ShellFormCommand), [Some(2), Some(4)]);
    }

    #[test]
    fn an_entrypoint_takes_only_its_own_stages_cmd() {
        let app = ("app.py", "print(1)\n");
        // The parent's CMD is reset by the child's ENTRYPOINT: a plain array.
        let fx = Fixture::new(&[
            app,
            (
                "Dockerfile",
                "FROM python:3.12 AS base\nCMD [\"x\"]\nFROM base\nENTRYPOINT python app.py\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS504);
        assert!(
            text.ends_with("ENTRYPOINT [\"python\", \"app.py\"]\n"),
            "{text}"
        );
        // A CMD of the same stage is passed to the ENTRYPOINT: kept as a shell
        // with `exec`, which is what the CMD's arguments then reach... not at
        // all, so the form must stay what it meant.
        let fx = Fixture::new(&[
            app,
            (
                "Dockerfile",
                "FROM python:3.12\nENTRYPOINT python app.py\nCMD [\"--debug\"]\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS504);
        assert!(text.contains("ENTRYPOINT exec python app.py\n"), "{text}");
    }
}
