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
use crate::dockerfile::{Args, Command, Instruction, Keyword, Stage};
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

/// The shell-form CMD and ENTRYPOINT of the image that swallow signals.
fn offences<'a>(stages: &[&'a Stage]) -> Vec<&'a Instruction> {
    [Keyword::Entrypoint, Keyword::Cmd]
        .into_iter()
        .filter_map(|k| {
            stages
                .iter()
                .find_map(|s| s.instructions.iter().rev().find(|i| i.keyword == k))
        })
        .filter(|i| {
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
        offences(&df.shipped_stages())
            .into_iter()
            .map(|i| {
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
        offences(&cx.shipped())
            .into_iter()
            .map(|inst| fix_one(cx, inst))
            .collect()
    }
}

fn fix_one(cx: &FixContext, inst: &Instruction) -> Outcome {
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
    let cmd_follows = inst.keyword == Keyword::Entrypoint && cx.effective(Keyword::Cmd).is_some();
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
}
