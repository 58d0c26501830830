//! DS504 shell-form-command
//!
//! What it finds: CMD or ENTRYPOINT written in shell form (`CMD gunicorn
//! app:app`) rather than exec form (`CMD ["gunicorn", "app:app"]`).
//! Why it matters: shell form runs `/bin/sh -c`, which becomes PID 1 and does
//! not pass SIGTERM on to the app: `docker stop` waits its full timeout and
//! then kills the app without a graceful shutdown, dropping requests.
//! Fix: write the command as a JSON array.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::Command;

pub struct ShellFormCommand;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS504,
    name: "shell-form-command",
    severity: Severity::Warning,
    summary: "CMD or ENTRYPOINT in shell form swallows signals.",
    why: "Shell form runs under /bin/sh -c, which becomes PID 1 and does not forward SIGTERM: docker stop waits out its timeout and then kills the app mid-request.",
    fix: "Write the command in exec form, as a JSON array.",
    example: "Before:\n  CMD gunicorn -b 0.0.0.0:8000 app:app\nAfter:\n  CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for ShellFormCommand {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let intent = df.intent();
        [("ENTRYPOINT", intent.entrypoint), ("CMD", intent.cmd)]
            .into_iter()
            .filter_map(|(what, c)| match c {
                Some((Command::Shell(text), line)) if !text.trim_start().starts_with("exec ") => {
                    Some(Finding::new(&DOC, df.path.clone(), Some(line), format!("{what} in shell form runs under /bin/sh, which does not forward SIGTERM")))
                }
                _ => None,
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
