//! DS314 package-manager-in-image
//!
//! What it finds: uv, Poetry or Pipenv installed in the stage that becomes
//! the image (`pip install poetry`, `COPY --from=ghcr.io/astral-sh/uv`),
//! together with the project's install (`uv sync`, `poetry install`).
//! Why it matters: the manager and what it pulls in (Poetry brings about 80
//! MB of its own dependencies, uv 35 MB, each a cache of downloads) install
//! the dependencies once and are never used again by the running app.
//! Fix: a builder stage made of the stage's own steps (its FROM, environment,
//! the manager's install, the files it reads and the sync) fills the
//! project's virtualenv; the image copies only that virtualenv, puts it on
//! PATH, and runs the command without `uv run` or `poetry run`.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::stages::free_name;
use crate::dockerfile::{shell, Args, Command, Instruction, Keyword, Stage};
use crate::edit::builder::{Extraction, Step};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct PackageManagerInImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS314,
    name: "package-manager-in-image",
    severity: Severity::Warning,
    summary: "uv, Poetry or Pipenv is installed in the image that runs the app.",
    why: "The manager installs the dependencies once; in the image it is dead weight (Poetry and its dependencies are about 80 MB, uv 35 MB) plus its download cache, and `uv run` or `poetry run` as the command may try to resolve and install again at every start.",
    fix: "Install with the manager in a builder stage and copy only the project's virtualenv into the image, with the virtualenv on PATH and the command run directly.",
    example: "Before:\n  RUN pip install uv\n  COPY . .\n  RUN uv sync\n  CMD [\"uv\", \"run\", \"uvicorn\", \"app:app\"]\nAfter:\n  FROM python:3.12 AS uv-deps\n  RUN pip install uv\n  COPY . .\n  RUN uv sync\n  FROM python:3.12\n  COPY . .\n  COPY --from=uv-deps /app/.venv /app/.venv\n  ENV PATH=\"/app/.venv/bin:$PATH\"\n  CMD [\"uvicorn\", \"app:app\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the image no longer has uv or Poetry: a script the container runs that calls them fails, and `uv run`/`poetry run` no longer check the lock before starting (the virtualenv is what the build installed).",
};

/// Which manager, and the words that install it or run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manager {
    Uv,
    Poetry,
    Pipenv,
}

impl Manager {
    fn name(self) -> &'static str {
        match self {
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pipenv => "pipenv",
        }
    }

    /// A command that installs the manager itself.
    fn installed_by(cmd: &[String]) -> Option<Manager> {
        if shell::is_pip_install(cmd) {
            return shell::pip_install_targets(cmd).iter().find_map(|t| {
                match crate::detect::requirements::spec_name(t).as_str() {
                    "uv" => Some(Manager::Uv),
                    "poetry" => Some(Manager::Poetry),
                    "pipenv" => Some(Manager::Pipenv),
                    _ => None,
                }
            });
        }
        let text = cmd.join(" ");
        if text.contains("astral.sh/uv") {
            Some(Manager::Uv)
        } else if text.contains("install.python-poetry.org") {
            Some(Manager::Poetry)
        } else {
            None
        }
    }

    /// A command that runs the manager.
    fn runs(self, cmd: &[String]) -> bool {
        shell::program(cmd).1 == self.name()
    }
}

/// The manager the image's own stages install, and the instruction.
fn installed(stages: &[&Stage]) -> Option<(Manager, usize)> {
    for stage in stages {
        for inst in &stage.instructions {
            if inst.keyword == Keyword::Copy
                && inst
                    .flag("from")
                    .is_some_and(|f| f.contains("astral-sh/uv"))
            {
                return Some((Manager::Uv, inst.line));
            }
            for c in inst.commands() {
                if let Some(m) = Manager::installed_by(&c) {
                    return Some((m, inst.line));
                }
            }
        }
    }
    None
}

impl Rule for PackageManagerInImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let Some((manager, line)) = installed(&df.shipped_stages()) else {
            return Vec::new();
        };
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            Some(line),
            format!(
                "{} is installed in the image, which needs only what it installs",
                manager.name()
            ),
        )]
    }

    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some((manager, line)) = installed(&cx.shipped()) else {
            return Vec::new();
        };
        let target = cx.target();
        if !target.instructions.iter().any(|i| i.line == line) {
            return vec![cx.blocked(DOC.id, Some(line), "the manager is installed in a stage the image is built FROM, which other stages may use")];
        }
        match extract(cx, target, manager) {
            Ok(fix) => vec![Outcome::Fix(fix)],
            Err(why) => vec![cx.blocked(DOC.id, Some(line), why)],
        }
    }
}

fn extract(cx: &FixContext, stage: &Stage, manager: Manager) -> Result<Fix, String> {
    if manager == Manager::Pipenv {
        return Err("Pipenv installs into the system Python with --system or into a virtualenv of its own; dockslim does not move it yet".into());
    }
    let mut x = Extraction::new(cx, stage);
    // The manager's own install, and the RUNs that run it.
    let mut syncs: Vec<&Instruction> = Vec::new();
    for inst in &stage.instructions {
        let copies_uv = inst.keyword == Keyword::Copy
            && inst
                .flag("from")
                .is_some_and(|f| f.contains("astral-sh/uv"));
        if !copies_uv && inst.keyword != Keyword::Run {
            continue;
        }
        let cmds = inst.commands();
        let installs_it = cmds
            .iter()
            .any(|c| Manager::installed_by(c) == Some(manager));
        let runs_it = cmds.iter().any(|c| manager.runs(c));
        if copies_uv || installs_it {
            if !cmds
                .iter()
                .all(|c| Manager::installed_by(c).is_some() || is_housekeeping(c))
            {
                return Err(format!(
                    "line {} installs {} together with other steps",
                    inst.line,
                    manager.name()
                ));
            }
            x.set(inst, Step::Move);
        } else if runs_it {
            if !cmds.iter().all(|c| manager.runs(c) || is_housekeeping(c)) {
                return Err(format!(
                    "line {} runs {} together with other steps",
                    inst.line,
                    manager.name()
                ));
            }
            if let Some(user) = cx.user_at(inst) {
                return Err(format!("line {} runs as USER {user}", inst.line));
            }
            x.set(inst, Step::Move);
            syncs.push(inst);
        }
    }
    let Some(last_sync) = syncs.last().map(|i| i.line) else {
        return Err(format!(
            "nothing in the stage runs {} to install the project",
            manager.name()
        ));
    };
    x.share_environment(last_sync);
    // The files the sync reads: every COPY from the context before it.
    for inst in &stage.instructions {
        if inst.line < last_sync
            && inst.keyword == Keyword::Copy
            && inst.flag("from").is_none()
            && x.step_of(inst) == Step::Keep
        {
            x.set(inst, Step::Both);
        }
    }
    let intent = cx.df.intent_of(&cx.graph);
    let workdir = stage.workdir_at(last_sync);
    let (venv, ours) = match manager {
        Manager::Uv => {
            let venv = intent
                .env_value("UV_PROJECT_ENVIRONMENT")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}/.venv", workdir.trim_end_matches('/')));
            (venv, String::new())
        }
        _ => poetry_env(cx, stage, &syncs, &workdir)?,
    };
    if !venv.starts_with('/') {
        return Err(format!("the virtualenv {venv} is not an absolute path"));
    }
    // Nothing the image still runs may need the manager.
    for inst in &stage.instructions {
        if x.step_of(inst) == Step::Move || inst.keyword != Keyword::Run {
            continue;
        }
        if inst.commands().iter().any(|c| manager.runs(c)) {
            return Err(format!(
                "line {} runs {} in the image itself",
                inst.line,
                manager.name()
            ));
        }
    }
    let mut command_edits = Vec::new();
    for keyword in [Keyword::Entrypoint, Keyword::Cmd] {
        let Some(inst) = cx.effective(keyword) else {
            continue;
        };
        if let Some(words) = inst.command().map(Command::words) {
            if let Some(script) = crate::rules::entrypoint_script(cx, &words) {
                if script.split_whitespace().any(|w| w == manager.name()) {
                    return Err(format!(
                        "the {} runs a script that calls {}",
                        keyword.as_str(),
                        manager.name()
                    ));
                }
            }
        }
        if let Some(edit) = without_runner(inst, manager)? {
            command_edits.push(edit);
        }
    }
    let name = free_name(cx.df, &format!("{}-deps", manager.name()));
    let first_sync = syncs[0];
    let builder = x.builder_text(&name, &[(first_sync, ours)]);
    let on_path = intent
        .env
        .iter()
        .any(|(k, v, _)| k == "PATH" && v.contains(&format!("{venv}/bin")));
    let env = if on_path {
        String::new()
    } else {
        format!("\nENV PATH=\"{venv}/bin:$PATH\"")
    };
    let mut edits = x.finish(
        &builder,
        &format!("COPY --from={name} {venv} {venv}{env}"),
        first_sync,
    );
    edits.extend(command_edits);
    Ok(Fix {
        rule: DOC.id,
        line: stage.line,
        title: format!("builder stage `{name}` runs {}; the image copies {venv}", manager.name()),
        reason: format!(
            "{} installs the dependencies in the builder, from this stage's own steps as written; the image gets only the virtualenv, on PATH, and its command runs without the manager",
            manager.name()
        ),
        safety: Safety::Unsafe,
        edits,
        files: vec![],
        reshapes: true,
    })
}

/// Where Poetry installs: with `virtualenvs.create false` into the active
/// environment (the builder activates a virtualenv of ours for it), with
/// `virtualenvs.in-project` into `.venv` beside pyproject.toml.
fn poetry_env(
    cx: &FixContext,
    stage: &Stage,
    syncs: &[&Instruction],
    workdir: &str,
) -> Result<(String, String), String> {
    let intent = cx.df.intent_of(&cx.graph);
    let off = |v: Option<&str>| v.is_some_and(|v| matches!(v, "false" | "0" | "False"));
    let on = |v: Option<&str>| v.is_some_and(|v| matches!(v, "true" | "1" | "True"));
    let configured = |key: &str| {
        syncs
            .iter()
            .chain(
                stage
                    .instructions
                    .iter()
                    .filter(|i| i.keyword == Keyword::Run)
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .find_map(|i| {
                i.commands().into_iter().find_map(|c| {
                    let pos = c.iter().position(|w| w == key)?;
                    (c.get(pos.checked_sub(1)?)? == "config")
                        .then(|| c.get(pos + 1).cloned())
                        .flatten()
                })
            })
    };
    let create = configured("virtualenvs.create");
    if off(create.as_deref()) || off(intent.env_value("POETRY_VIRTUALENVS_CREATE")) {
        return Ok((
            "/opt/venv".into(),
            "RUN python -m venv --without-pip /opt/venv\nENV VIRTUAL_ENV=/opt/venv \\\n    PATH=\"/opt/venv/bin:$PATH\"".into(),
        ));
    }
    let in_project = configured("virtualenvs.in-project");
    if on(in_project.as_deref()) || on(intent.env_value("POETRY_VIRTUALENVS_IN_PROJECT")) {
        return Ok((
            format!("{}/.venv", workdir.trim_end_matches('/')),
            String::new(),
        ));
    }
    Err("Poetry keeps its virtualenv under its cache folder, at a path named after a hash; set virtualenvs.in-project or virtualenvs.create false".into())
}

/// `uv run X` / `poetry run X` -> `X` in CMD or ENTRYPOINT.
fn without_runner(inst: &Instruction, manager: Manager) -> Result<Option<Edit>, String> {
    let (Some(command), Args::Command { span, .. }) = (inst.command(), &inst.args) else {
        return Ok(None);
    };
    let words = command.words();
    if words.first().map(String::as_str) != Some(manager.name())
        || words.get(1).map(String::as_str) != Some("run")
    {
        return Ok(None);
    }
    // The manager's own options come before the command (`uv run --no-dev x`).
    let mut i = 2;
    while i < words.len() && words[i].starts_with('-') {
        let takes_value = matches!(
            words[i].as_str(),
            "--with"
                | "--package"
                | "--extra"
                | "--group"
                | "--env-file"
                | "--python"
                | "-p"
                | "--directory"
        );
        i += if takes_value { 2 } else { 1 };
    }
    let rest = &words[i.min(words.len())..];
    if rest.is_empty() {
        return Err(format!(
            "the {} is `{} run` with nothing to run",
            inst.keyword,
            manager.name()
        ));
    }
    if matches!(command, Command::Shell(t) if t.contains(['$', '&', '|', ';'])) {
        return Err(format!(
            "the {} is a shell command; drop `{} run` by hand",
            inst.keyword,
            manager.name()
        ));
    }
    Ok(Some(Edit::replace(
        span.clone(),
        crate::render::exec_form(rest.to_vec()),
    )))
}

fn is_housekeeping(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    match prog {
        "set" | "true" | "echo" => true,
        "rm" => cmd[i + 1..].iter().all(|w| {
            w.starts_with('-')
                || w.starts_with("/root/.cache")
                || w.starts_with("/tmp")
                || w.starts_with("/var/")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn managers_in_the_image_are_found() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN pip install uv\nCOPY . .\nRUN uv sync\n",
        )]);
        assert_eq!(fx.lines(&PackageManagerInImage), [Some(2)]);
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/uv\n",
        )]);
        assert_eq!(fx.lines(&PackageManagerInImage), [Some(2)]);
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12 AS b\nRUN pip install poetry\nFROM python:3.12-slim\nCOPY --from=b /app/.venv /app/.venv\n")]);
        assert!(
            fx.check(&PackageManagerInImage).is_empty(),
            "a builder's tools do not ship"
        );
    }
}
