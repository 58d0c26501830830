//! The steps of the existing Dockerfile that are not dependency installs,
//! carried into the proposal in their original order.
//!
//! Every instruction of the final stage, and of the stages it is built FROM,
//! falls in one of three groups:
//! - absorbed: the proposal already does it better (apt and pip installs,
//!   the venv, the user, mkdir of writable folders, the whole-context COPY);
//! - carried: anything else (downloads, `compilemessages`, config files
//!   copied to /etc, COPY --from an asset stage...), written back where it
//!   was relative to the source copy, under the WORKDIR it ran in;
//! - refused: what cannot be carried soundly (a compiler step in the final
//!   image, a heredoc, a Poetry or npm install mixed into the final stage).
//!   `rewrite` then stops and says which line and why; `analyze` still works.
//!
//! Stages the final stage copies from are either the Python dependency stage
//! (replaced by our builder) or something else, such as a Node stage that
//! builds assets: those are kept verbatim, with the stages they need.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::detect::Manager;
use crate::dockerfile::{looks_secret, shell, Args, Command, Dockerfile, Instruction, Stage};
use crate::error::{Error, Result};
use crate::rules::{final_chain, is_whole_context_copy};

/// What the template writes besides its own steps.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Carried {
    /// Global ARG lines the kept stages' FROM lines use.
    pub global_args: Vec<String>,
    /// Stages kept verbatim (asset builders and what they build on).
    pub stages: Vec<String>,
    /// The runtime stage's SHELL, as exec-form words.
    pub shell: Option<Vec<String>>,
    /// `NAME=default` or `NAME` for each build argument of the final stage.
    pub args: Vec<String>,
    /// Instructions that ran before the whole-context COPY.
    pub before_source: Vec<String>,
    /// Instructions that ran after it.
    pub after_source: Vec<String>,
    pub onbuild: Vec<String>,
    /// `LABEL maintainer=...` from the deprecated MAINTAINER.
    pub maintainer: Option<String>,
    /// pip packages the Dockerfile installs that the requirements do not list.
    #[serde(skip)]
    pub extra_pip: Vec<(String, usize)>,
    /// Debian packages the carried steps run (curl, git...), which slim
    /// images lack, with the line that needs each.
    #[serde(skip)]
    pub tools: Vec<(String, usize)>,
    /// Where the final stage put what a dependency stage built (`/wheels`):
    /// removing it afterwards is part of the install the builder replaces.
    #[serde(skip)]
    dependency_outputs: Vec<String>,
}

/// What the plan already decided that carrying must agree with.
pub struct Known<'a> {
    pub workdir: &'a str,
    pub executable_scripts: &'a [String],
    pub collectstatic: bool,
    pub user_uid: u32,
    /// Files the builder copies before installing (requirements and such).
    pub manifests: &'a [String],
    /// Normalised names the requirements install.
    pub requirement_names: &'a BTreeSet<String>,
    /// Whether a context path is a folder (COPY copies a folder's contents).
    pub is_dir: &'a dyn Fn(&str) -> bool,
    /// The project's package manager: its own install steps are replaced.
    pub manager: Manager,
}

/// How the stages of the existing Dockerfile relate to the final one.
pub struct Layout<'a> {
    /// The final stage and the stages it is built FROM, first to last.
    pub chain: Vec<&'a Stage>,
    /// Stages that install the Python dependencies the final stage copies.
    pub dependency_stages: Vec<&'a Stage>,
    /// Other stages the final stage copies from: kept verbatim.
    pub kept: Vec<&'a Stage>,
}

impl<'a> Layout<'a> {
    pub fn of(df: &'a Dockerfile) -> Layout<'a> {
        let mut chain = final_chain(df);
        chain.reverse();
        let mut dependency_stages: Vec<&Stage> = Vec::new();
        let mut kept: Vec<&Stage> = Vec::new();
        let contains = |list: &[&Stage], s: &Stage| list.iter().any(|x| std::ptr::eq(*x, s));
        let mut todo: Vec<(&Stage, bool)> = Vec::new();
        for stage in &chain {
            for inst in &stage.instructions {
                if let Some(source) = inst.flag("from").and_then(|f| df.stage_named(f)) {
                    todo.push((source, false));
                }
            }
        }
        while let Some((stage, forced_keep)) = todo.pop() {
            if contains(&chain, stage)
                || contains(&kept, stage)
                || contains(&dependency_stages, stage)
            {
                continue;
            }
            let lineage = stage_lineage(df, stage);
            if !forced_keep && lineage.iter().any(|s| installs_python_dependencies(s)) {
                dependency_stages.extend(lineage);
                continue;
            }
            kept.push(stage);
            // A kept stage needs every stage it names.
            if let Some(parent) = df.stage_named(&stage.image) {
                todo.push((parent, true));
            }
            for inst in &stage.instructions {
                if let Some(source) = inst.flag("from").and_then(|f| df.stage_named(f)) {
                    todo.push((source, true));
                }
            }
        }
        kept.sort_by_key(|s| s.line);
        Layout {
            chain,
            dependency_stages,
            kept,
        }
    }

    /// Whether a line belongs to a kept stage (its packages are not ours).
    pub fn in_kept_stage(&self, df: &Dockerfile, line: usize) -> bool {
        self.kept.iter().any(|s| {
            let end = df
                .stages
                .iter()
                .map(|t| t.line)
                .filter(|l| *l > s.line)
                .min()
                .unwrap_or(usize::MAX);
            line >= s.line && line < end
        })
    }
}

/// A stage and the stages it is built FROM.
fn stage_lineage<'a>(df: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![stage];
    while let Some(parent) = df.stage_named(&out.last().unwrap().image) {
        if out.iter().any(|s| std::ptr::eq(*s, parent)) {
            break;
        }
        out.push(parent);
    }
    out
}

fn installs_python_dependencies(stage: &Stage) -> bool {
    crate::rules::run_commands(stage).iter().any(|(_, cmds)| {
        cmds.iter().any(|c| {
            let (i, prog) = shell::program(c);
            shell::pip_subcommand(c).is_some()
                || prog == "virtualenv"
                || matches!(
                    (prog, c.get(i + 1).map(String::as_str)),
                    ("uv", Some("sync" | "pip"))
                        | ("poetry", Some("install" | "sync"))
                        | ("pipenv", Some("install" | "sync"))
                )
                || (prog.starts_with("python") && c[i..].windows(2).any(|w| w == ["-m", "venv"]))
        })
    })
}

/// What to do with one shell command of a RUN.
#[derive(Debug, PartialEq)]
enum Step {
    /// The proposal does this itself.
    Absorbed,
    /// Kept only beside other carried commands (`cd`, `set -e`).
    Neutral,
    Carry,
    Refuse(String),
}

/// Programs that install dependencies in ways the pip plan does not replace.
const OTHER_INSTALLERS: &[&str] = &[
    "poetry",
    "pipenv",
    "conda",
    "mamba",
    "micromamba",
    "pdm",
    "hatch",
    "uv",
];
const NODE_TOOLS: &[&str] = &["npm", "yarn", "pnpm", "npx", "node", "bun"];
const COMPILERS: &[&str] = &[
    "gcc", "cc", "g++", "c++", "clang", "make", "cmake", "cargo", "rustc", "go", "gfortran",
];
/// Programs the full python image has and the slim one lacks, and the Debian
/// package that brings each.
const SLIM_LACKS: &[(&str, &str)] = &[
    ("curl", "curl"),
    ("wget", "wget"),
    ("git", "git"),
    ("unzip", "unzip"),
    ("gpg", "gnupg"),
    ("ssh", "openssh-client"),
    ("msgfmt", "gettext"),
    ("jq", "jq"),
];

impl Known<'_> {
    fn classify(&self, words: &[String], carried: &mut Carried, line: usize) -> Step {
        let (i, prog) = shell::program(words);
        let args: Vec<&str> = words[i.min(words.len())..]
            .iter()
            .skip(1)
            .map(String::as_str)
            .collect();
        if prog.is_empty() {
            return Step::Carry;
        }
        // The manager the plan installs with (uv sync, poetry install), or
        // uv's pip interface standing in for pip: the builder does this.
        let own_manager = self.manager != Manager::Pip && prog == self.manager.program();
        if own_manager || (prog == "uv" && args.first() == Some(&"pip")) {
            return Step::Absorbed;
        }
        if let Some((sub, _)) = shell::pip_subcommand(words) {
            if sub != "install" {
                return Step::Absorbed;
            }
            for target in shell::pip_install_targets(words) {
                if target.starts_with('/') {
                    // Wheels a dependency stage built (`/wheels/*`): the
                    // builder installs the requirements themselves.
                    continue;
                }
                let local = target.starts_with('.')
                    || target.ends_with(".whl")
                    || target.ends_with(".tar.gz");
                if local {
                    return Step::Refuse(format!(
                        "installs the local path `{target}` with pip; dockslim cannot yet split a project install from the source copy. Install the dependencies from a requirements file and run the code from the WORKDIR instead"
                    ));
                }
                let normal = crate::detect::requirements::spec_name(&target);
                if !matches!(normal.as_str(), "pip" | "setuptools" | "wheel")
                    && normal != self.manager.program()
                    && !self.requirement_names.contains(&normal)
                {
                    carried.extra_pip.push((target, line));
                }
            }
            return Step::Absorbed;
        }
        let python_module = |m: &str| {
            prog.starts_with("python") && args.windows(2).any(|w| w[0] == "-m" && w[1] == m)
        };
        if python_module("venv") || prog == "virtualenv" {
            return Step::Absorbed;
        }
        if prog.starts_with("python")
            && args.contains(&"manage.py")
            && args.contains(&"collectstatic")
            && self.collectstatic
        {
            return Step::Absorbed;
        }
        if prog.starts_with("python")
            && args.contains(&"setup.py")
            && args
                .iter()
                .any(|a| matches!(*a, "install" | "develop" | "build_ext" | "bdist_wheel"))
        {
            return Step::Refuse(
                "builds or installs the project with setup.py, which needs the build tools in the final image".into(),
            );
        }
        match prog {
            "apt-get" | "apt" | "apk" | "apt-mark" | "dpkg-reconfigure" | "update-ca-certificates" => Step::Absorbed,
            "useradd" | "adduser" | "groupadd" | "addgroup" | "usermod" | "chown" | "mkdir" => {
                Step::Absorbed
            }
            "rm" => {
                let caches = [
                    "/var/lib/apt/lists",
                    "/var/cache/apt",
                    "/var/cache/apk",
                    "/root/.cache",
                    "~/.cache",
                    "/tmp/",
                ];
                let paths: Vec<&&str> = args.iter().filter(|a| !a.starts_with('-')).collect();
                if !paths.is_empty()
                    && paths.iter().all(|p| {
                        caches.iter().any(|c| p.starts_with(c))
                            || carried
                                .dependency_outputs
                                .iter()
                                .any(|o| p.trim_end_matches(['/', '*']) == o.trim_end_matches('/'))
                    })
                {
                    Step::Absorbed
                } else {
                    Step::Carry
                }
            }
            "chmod" => {
                let targets: Vec<String> = args
                    .iter()
                    .filter(|a| !a.starts_with('-'))
                    .skip(1)
                    .map(|a| self.in_workdir(a))
                    .collect();
                if !targets.is_empty()
                    && targets.iter().all(|t| self.executable_scripts.contains(t))
                {
                    Step::Absorbed
                } else {
                    Step::Carry
                }
            }
            "echo" | "printf" if words.iter().any(|w| w.contains('>')) => Step::Carry,
            "cd" | "set" | "true" | ":" | "export" | "echo" | "printf" => Step::Neutral,
            p if OTHER_INSTALLERS.contains(&p) => Step::Refuse(format!(
                "installs dependencies with {p}, which dockslim does not rewrite yet (only pip and requirements files)"
            )),
            p if NODE_TOOLS.contains(&p) => Step::Refuse(format!(
                "runs {p} in the final image; Node build steps belong in a stage of their own, and dockslim does not rewrite Node stacks yet"
            )),
            p if COMPILERS.contains(&p) => Step::Refuse(format!(
                "runs {p}, which needs a compiler in the final image; build it in a stage of its own and copy the result"
            )),
            p => {
                if let Some((_, package)) = SLIM_LACKS.iter().find(|(program, _)| *program == p) {
                    carried.tools.push((package.to_string(), line));
                }
                Step::Carry
            }
        }
    }

    fn in_workdir(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_string()
        } else {
            format!(
                "{}/{}",
                self.workdir.trim_end_matches('/'),
                path.trim_start_matches("./")
            )
        }
    }
}

/// Reads the existing Dockerfile's steps; `changed` gets a line for each
/// step the proposal drops on purpose.
pub fn carry(df: &Dockerfile, known: &Known, changed: &mut Vec<String>) -> Result<Carried> {
    let layout = Layout::of(df);
    let mut carried = Carried::default();
    let refuse = |line: usize, why: String| {
        Error::Unsupported(format!(
            "{}:{line}: cannot carry this step into the rewrite: it {why}. `dockslim analyze` still reports the findings",
            df.path
        ))
    };
    let escape_changed = df.escape_directive.is_some_and(|c| c != '\\');

    // Kept stages, and the global ARGs their FROM lines use.
    for stage in &layout.kept {
        if matches!(stage.alias.as_deref(), Some(a) if a.eq_ignore_ascii_case("builder") || a.eq_ignore_ascii_case("runtime"))
        {
            return Err(refuse(
                stage.line,
                "names a stage `builder` or `runtime`, the names of the stages dockslim writes; rename the stage".into(),
            ));
        }
        if escape_changed {
            return Err(refuse(stage.line, "would be kept verbatim, but the file's `# escape=` directive changes how its lines continue, and dockslim writes the default escape character".into()));
        }
        carried.stages.push(stage_text(df, stage));
    }
    if !layout.kept.is_empty() {
        carried.global_args = df.global_args.iter().map(|a| a.source.clone()).collect();
        changed.push(format!(
            "kept verbatim: stage{} {}, which the final stage copies from",
            if layout.kept.len() == 1 { "" } else { "s" },
            layout
                .kept
                .iter()
                .map(|s| format!(
                    "`{}` (line {})",
                    s.alias.clone().unwrap_or_else(|| s.image.clone()),
                    s.line
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    // Dependency stages are replaced by the builder: say what is not redone.
    for stage in &layout.dependency_stages {
        for (inst, cmds) in crate::rules::run_commands(stage) {
            let mut scratch = Carried::default();
            for cmd in &cmds {
                match known.classify(cmd, &mut scratch, inst.line) {
                    Step::Refuse(why) => return Err(refuse(inst.line, why)),
                    Step::Carry => changed.push(format!(
                        "line {}: `{}` in the dependency stage is not repeated; the builder stage replaces that stage",
                        inst.line,
                        shlex::try_join(cmd.iter().map(String::as_str)).unwrap_or_default()
                    )),
                    _ => {}
                }
            }
            carried.extra_pip.extend(scratch.extra_pip);
        }
    }

    // The runtime chain, in order.
    let instructions: Vec<&Instruction> = layout
        .chain
        .iter()
        .flat_map(|s| s.instructions.iter())
        .collect();
    let source_at = instructions
        .iter()
        .position(|i| is_whole_context_copy(i))
        .unwrap_or(usize::MAX);
    for inst in &instructions {
        let from_dependencies = inst
            .flag("from")
            .and_then(|f| df.stage_named(f))
            .is_some_and(|s| layout.dependency_stages.iter().any(|d| std::ptr::eq(*d, s)));
        if let (true, Args::Copy { dest, .. }) = (from_dependencies, &inst.args) {
            carried.dependency_outputs.push(dest.clone());
        }
    }
    let mut workdir = "/".to_string();
    let mut created_users: Vec<String> = Vec::new();
    let mut dropped_user_steps = false;
    // The template sets WORKDIR before both places carried steps go.
    let mut before_workdir = known.workdir.to_string();
    let mut after_workdir = known.workdir.to_string();
    for (index, inst) in instructions.iter().enumerate() {
        let line = inst.line;
        let mut text: Option<String> = None;
        // COPY to an absolute path does not depend on the WORKDIR.
        let mut needs_cwd = true;
        match (inst.keyword.as_str(), &inst.args) {
            ("WORKDIR", Args::Text { text: dir }) => {
                let dir = dir.trim();
                workdir = if dir.starts_with('/') {
                    dir.to_string()
                } else {
                    format!("{}/{}", workdir.trim_end_matches('/'), dir)
                };
            }
            ("RUN", Args::Command { command, heredocs }) => {
                text = carry_run(
                    known,
                    inst,
                    command,
                    heredocs,
                    &mut carried,
                    &mut created_users,
                    &mut dropped_user_steps,
                )
                .map_err(|why| refuse(line, why))?;
                if text.is_some() && escape_changed {
                    return Err(refuse(line, "would be carried verbatim, but the file's `# escape=` directive changes how its lines continue, and dockslim writes the default escape character".into()));
                }
            }
            ("COPY" | "ADD", Args::Copy { sources, dest }) => {
                if sources.iter().any(|s| s.starts_with("<<")) {
                    return Err(refuse(line, "copies a heredoc, which Docker 20.10's builder rejects without a `# syntax=` line; put the text in a file in the repository".into()));
                }
                let from_dependencies = inst.flag("from").is_some_and(|f| {
                    df.stage_named(f).is_some_and(|s| {
                        layout.dependency_stages.iter().any(|d| std::ptr::eq(*d, s))
                    })
                });
                // The manager's own binary (`COPY --from=ghcr.io/astral-sh/uv /uv
                // /bin/uv`): the builder brings it, the runtime needs none.
                let manager_binary = known.manager != Manager::Pip
                    && inst.flag("from").is_some()
                    && sources.iter().all(|s| {
                        let name = s.rsplit('/').next().unwrap_or(s);
                        name == known.manager.program() || name == "uvx"
                    });
                if manager_binary {
                    continue;
                }
                if is_whole_context_copy(inst) || from_dependencies {
                    if is_whole_context_copy(inst) && inst.flag("chown").is_some() {
                        changed.push(format!("line {line}: the source is owned by root in the image, not by the --chown user; only the writable folders belong to the app's user"));
                    }
                    continue;
                }
                let is_manifest = |s: &String| {
                    let s = s.trim_start_matches("./").trim_end_matches('/');
                    known
                        .manifests
                        .iter()
                        .any(|m| m == s || m.starts_with(&format!("{s}/")))
                };
                let manifests_only = inst.flag("from").is_none() && sources.iter().all(is_manifest);
                let covered = inst.flag("from").is_none()
                    && sources.iter().all(|s| {
                        is_manifest(s)
                            || covered_by_source_copy(
                                s,
                                dest,
                                &workdir,
                                known.workdir,
                                known.is_dir,
                            )
                    });
                if covered {
                    if inst.flag("chown").is_some() && !manifests_only {
                        changed.push(format!("line {line}: {} is owned by root in the image; only the writable folders belong to the app's user", sources.join(" ")));
                    }
                    continue;
                }
                needs_cwd = !dest.starts_with('/');
                text = Some(copy_text(
                    inst,
                    sources,
                    dest,
                    &created_users,
                    known.user_uid,
                ));
            }
            ("ARG", Args::Text { text: arg }) => {
                for word in arg.split_whitespace() {
                    let (name, default) = match word.split_once('=') {
                        Some((n, d)) => (n, Some(d.to_string())),
                        None => (word, global_default(df, word)),
                    };
                    if looks_secret(name) {
                        changed.push(format!("ARG {name} (line {line}) is not carried: a secret passed as a build argument is recorded in the image history; use RUN --mount=type=secret"));
                        continue;
                    }
                    carried.args.push(match default {
                        Some(d) => format!("{name}={d}"),
                        None => name.to_string(),
                    });
                }
            }
            ("SHELL", Args::Words { words }) => {
                let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
                if !matches!(program, Some("sh" | "bash" | "dash" | "ash" | "zsh")) {
                    return Err(refuse(
                        line,
                        format!(
                            "sets SHELL to {}, which the Debian slim image does not have",
                            words.join(" ")
                        ),
                    ));
                }
                carried.shell = Some(words.clone());
            }
            ("ONBUILD", _) => carried.onbuild.push(inst.source.clone()),
            ("MAINTAINER", Args::Text { text: who }) => {
                carried.maintainer = Some(who.trim().to_string());
                changed.push(format!(
                    "MAINTAINER (line {line}, deprecated) -> LABEL maintainer"
                ));
            }
            _ => {}
        }
        if let Some(text) = text {
            let (target, current) = if index < source_at {
                (&mut carried.before_source, &mut before_workdir)
            } else {
                (&mut carried.after_source, &mut after_workdir)
            };
            // Run it where it ran: relative paths in it mean that folder.
            if needs_cwd && *current != workdir {
                target.push(format!("WORKDIR {workdir}"));
                *current = workdir.clone();
            }
            target.push(text);
        }
    }
    for (list, current) in [
        (&mut carried.before_source, before_workdir),
        (&mut carried.after_source, after_workdir),
    ] {
        if current != known.workdir {
            list.push(format!("WORKDIR {}", known.workdir));
        }
    }
    if dropped_user_steps {
        changed.push(format!(
            "the Dockerfile's own user setup (useradd, chown) is replaced by a system user with UID {}",
            known.user_uid
        ));
    }
    carried.tools.sort();
    carried.tools.dedup_by(|a, b| a.0 == b.0);
    Ok(carried)
}

/// One RUN: `None` when the proposal absorbs all of it, else the text to
/// carry. The error says why it cannot be carried.
fn carry_run(
    known: &Known,
    inst: &Instruction,
    command: &Command,
    heredocs: &[String],
    carried: &mut Carried,
    created_users: &mut Vec<String>,
    dropped_user_steps: &mut bool,
) -> std::result::Result<Option<String>, String> {
    let mut note_user = |words: &[String]| {
        let (_, prog) = shell::program(words);
        if matches!(prog, "useradd" | "adduser") {
            if let Some(name) = words.iter().rev().find(|w| !w.starts_with('-')) {
                created_users.push(name.clone());
            }
        }
        if matches!(prog, "useradd" | "adduser" | "chown" | "usermod") {
            *dropped_user_steps = true;
        }
    };
    if !heredocs.is_empty() || matches!(command, Command::Exec(_)) {
        let commands: Vec<Vec<String>> = crate::rules::run_commands_of(inst);
        let mut any_carried = false;
        for words in &commands {
            note_user(words);
            match known.classify(words, carried, inst.line) {
                Step::Refuse(why) => return Err(why),
                Step::Carry => any_carried = true,
                _ => {}
            }
        }
        if !any_carried {
            return Ok(None);
        }
        if !heredocs.is_empty() {
            return Err("uses a heredoc (RUN <<EOF), which Docker 20.10's builder rejects without a `# syntax=` line; move the script into a file in the repository and RUN it".into());
        }
        return Ok(Some(inst.source.clone()));
    }
    let Command::Shell(text) = command else {
        unreachable!("exec form handled above")
    };
    let steps: Vec<(String, Step)> = match shell::and_list(text) {
        Some(parts) => parts
            .into_iter()
            .map(|part| {
                let words = shlex::split(&part).unwrap_or_default();
                note_user(&words);
                let step = known.classify(&words, carried, inst.line);
                (part, step)
            })
            .collect(),
        None => {
            // Pipes, `||`, control flow: all or nothing.
            let words = command.words();
            let mut steps = Vec::new();
            for cmd in shell::simple_commands(&words) {
                note_user(&cmd);
                steps.push(known.classify(&cmd, carried, inst.line));
            }
            if let Some(Step::Refuse(why)) = steps.iter().find(|s| matches!(s, Step::Refuse(_))) {
                return Err(why.clone());
            }
            let absorbed = steps.iter().filter(|s| **s == Step::Absorbed).count();
            let carry = steps.iter().filter(|s| **s == Step::Carry).count();
            return match (absorbed, carry) {
                (_, 0) => Ok(None),
                (0, _) => Ok(Some(inst.source.clone())),
                _ => Err("mixes package installs with other commands in shell syntax (pipes, `||`, if/for) that dockslim does not split; put the other commands in a RUN of their own".into()),
            };
        }
    };
    if let Some((_, Step::Refuse(why))) = steps.iter().find(|(_, s)| matches!(s, Step::Refuse(_))) {
        return Err(why.clone());
    }
    if !steps.iter().any(|(_, s)| *s == Step::Carry) {
        return Ok(None);
    }
    if steps.iter().all(|(_, s)| *s != Step::Absorbed) {
        return Ok(Some(inst.source.clone()));
    }
    let kept: Vec<&str> = steps
        .iter()
        .filter(|(_, s)| matches!(s, Step::Carry | Step::Neutral))
        .map(|(p, _)| p.as_str())
        .collect();
    let flags: String = inst
        .flags
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("--{n}={v} "),
            None => format!("--{n} "),
        })
        .collect();
    Ok(Some(format!("RUN {flags}{}", kept.join(" \\\n && "))))
}

/// A COPY of a path that `COPY . <workdir>` already puts in the same place.
fn covered_by_source_copy(
    source: &str,
    dest: &str,
    cwd: &str,
    workdir: &str,
    is_dir: &dyn Fn(&str) -> bool,
) -> bool {
    let clean = source.trim_start_matches("./").trim_end_matches('/');
    if clean.is_empty() || clean.contains("..") || source.starts_with('/') {
        return false;
    }
    let target = if dest.starts_with('/') {
        dest.to_string()
    } else {
        format!(
            "{}/{}",
            cwd.trim_end_matches('/'),
            dest.trim_start_matches("./")
        )
    };
    let target = target.trim_end_matches('/').trim_end_matches("/.");
    let root = workdir.trim_end_matches('/');
    let into_folder = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
    if source.ends_with('/') || is_dir(clean) {
        // A folder's contents land in the target.
        return target == format!("{root}/{clean}");
    }
    let parent = match clean.rsplit_once('/') {
        Some((dir, _)) => format!("{root}/{dir}"),
        None => root.to_string(),
    };
    if clean.contains(['*', '?', '[']) {
        return into_folder && target == parent;
    }
    target == format!("{root}/{clean}") || into_folder && target == parent
}

fn copy_text(
    inst: &Instruction,
    sources: &[String],
    dest: &str,
    created_users: &[String],
    uid: u32,
) -> String {
    let local_add = inst.keyword == "ADD"
        && sources
            .iter()
            .all(|s| !s.contains("://") && !crate::rules::is_archive(s));
    let keyword = if local_add {
        "COPY"
    } else {
        inst.keyword.as_str()
    };
    let mut parts = vec![keyword.to_string()];
    for (name, value) in &inst.flags {
        let value = value.clone().unwrap_or_default();
        match name.as_str() {
            // Only a cache optimisation, and Docker 20.10 rejects it.
            "link" => continue,
            "chown" => {
                let user = value.split(':').next().unwrap_or("");
                if created_users.iter().any(|u| u == user) {
                    parts.push(format!("--chown={uid}:{uid}"));
                } else {
                    parts.push(format!("--chown={value}"));
                }
            }
            _ => parts.push(format!("--{name}={value}")),
        }
    }
    let mut paths: Vec<String> = sources.to_vec();
    paths.push(dest.to_string());
    if paths.iter().any(|p| p.contains(char::is_whitespace)) {
        parts.push(format!(
            "[{}]",
            paths
                .iter()
                .map(|p| serde_json::to_string(p).expect("strings serialise"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else {
        parts.extend(paths);
    }
    parts.join(" ")
}

/// The default a global `ARG NAME=default` gives a stage's `ARG NAME`.
fn global_default(df: &Dockerfile, name: &str) -> Option<String> {
    df.global_args.iter().rev().find_map(|a| {
        a.text().split_whitespace().find_map(|w| {
            w.split_once('=')
                .filter(|(n, _)| *n == name)
                .map(|(_, d)| d.to_string())
        })
    })
}

/// A stage's text, from its FROM to the line before the next stage's FROM.
fn stage_text(df: &Dockerfile, stage: &Stage) -> String {
    let end = df
        .stages
        .iter()
        .map(|s| s.line)
        .filter(|l| *l > stage.line)
        .min()
        .unwrap_or(usize::MAX);
    let lines: Vec<&str> = df
        .text
        .lines()
        .enumerate()
        .filter(|(i, _)| i + 1 >= stage.line && i + 1 < end)
        .map(|(_, l)| l.trim_end_matches('\r'))
        .collect();
    // Comments and blank lines just before the next FROM belong to it.
    let mut keep = lines.len();
    while keep > 1 && {
        let l = lines[keep - 1].trim();
        l.is_empty() || l.starts_with('#')
    } {
        keep -= 1;
    }
    lines[..keep].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known_for<'a>(
        scripts: &'a [String],
        names: &'a BTreeSet<String>,
        manifests: &'a [String],
    ) -> Known<'a> {
        Known {
            is_dir: &|p: &str| p == "src",
            manager: Manager::Pip,
            workdir: "/app",
            executable_scripts: scripts,
            collectstatic: false,
            user_uid: 10001,
            manifests,
            requirement_names: names,
        }
    }

    fn carry_text(text: &str) -> (Result<Carried>, Vec<String>) {
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let scripts = vec!["/app/entrypoint.sh".to_string()];
        let names: BTreeSet<String> = ["flask".to_string()].into();
        let manifests = vec!["requirements.txt".to_string()];
        let mut changed = Vec::new();
        let out = carry(&df, &known_for(&scripts, &names, &manifests), &mut changed);
        (out, changed)
    }

    #[test]
    fn carries_what_is_not_an_install_in_order() {
        let (c, changed) = carry_text(
            "FROM python:3.11\nARG APP_VERSION=1.0\nARG GITHUB_TOKEN\nWORKDIR /app\nCOPY requirements.txt .\nRUN apt-get update && apt-get install -y curl && pip install -r requirements.txt gunicorn==22.0.0\nRUN python -m nltk.downloader punkt\nCOPY . .\nCOPY nginx.conf /etc/nginx/conf.d/app.conf\nRUN useradd appuser && chown -R appuser /app && python manage.py compilemessages\nRUN chmod +x entrypoint.sh\nONBUILD COPY . /srv\nUSER appuser\n",
        );
        let c = c.unwrap();
        assert_eq!(c.args, ["APP_VERSION=1.0"]);
        assert_eq!(c.before_source, ["RUN python -m nltk.downloader punkt"]);
        assert_eq!(
            c.after_source,
            [
                "COPY nginx.conf /etc/nginx/conf.d/app.conf",
                "RUN python manage.py compilemessages"
            ]
        );
        assert_eq!(c.onbuild, ["ONBUILD COPY . /srv"]);
        assert_eq!(c.extra_pip, [("gunicorn==22.0.0".to_string(), 6)]);
        assert!(
            changed.iter().any(|c| c.contains("GITHUB_TOKEN")),
            "{changed:?}"
        );
        assert!(changed.iter().any(|c| c.contains("useradd")), "{changed:?}");
    }

    #[test]
    fn runs_where_they_ran_and_needs_tools() {
        let (c, _) = carry_text(
            "FROM python:3.11\nWORKDIR /opt/models\nRUN curl -fsSLo model.bin https://example.com/m.bin\nWORKDIR /app\nCOPY . .\n",
        );
        let c = c.unwrap();
        assert_eq!(
            c.before_source,
            [
                "WORKDIR /opt/models",
                "RUN curl -fsSLo model.bin https://example.com/m.bin",
                "WORKDIR /app"
            ]
        );
        assert_eq!(c.tools, [("curl".to_string(), 3)]);
    }

    #[test]
    fn keeps_asset_stages_and_replaces_dependency_stages() {
        let (c, changed) = carry_text(
            "ARG NODE=20\nFROM node:${NODE} AS assets\nWORKDIR /src\nRUN npm ci && npm run build\n\n# the Python part\nFROM python:3.12-slim AS deps\nRUN pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=deps /usr/local /usr/local\nCOPY --from=assets /src/dist /app/static\nCOPY . /app\n",
        );
        let c = c.unwrap();
        assert_eq!(c.global_args, ["ARG NODE=20"]);
        assert_eq!(
            c.stages,
            ["FROM node:${NODE} AS assets\nWORKDIR /src\nRUN npm ci && npm run build"]
        );
        assert_eq!(
            c.before_source,
            ["COPY --from=assets /src/dist /app/static"]
        );
        assert!(changed.iter().any(|c| c.contains("kept verbatim")));
    }

    #[test]
    fn refuses_what_it_cannot_carry() {
        for (text, says) in [
            ("FROM python:3.11\nRUN make -C native\n", "compiler"),
            ("FROM python:3.11\nRUN poetry install --no-root\n", "poetry"),
            ("FROM python:3.11\nRUN pip install -e .\n", "local path"),
            (
                "FROM python:3.11\nRUN apt-get install -y curl && touch /ready || true\n",
                "mixes",
            ),
            (
                "FROM python:3.11\nRUN <<EOF\necho hi > /etc/motd\nEOF\n",
                "heredoc",
            ),
            (
                "# escape=`\nFROM python:3.11\nRUN touch one `\n  two\n",
                "escape",
            ),
            ("FROM python:3.11\nSHELL [\"pwsh\", \"-c\"]\n", "SHELL"),
        ] {
            let err = carry_text(text).0.expect_err(text).to_string();
            assert!(err.contains(says), "{text:?}: {err}");
            assert!(err.starts_with("Dockerfile:"), "{err}");
        }
    }

    #[test]
    fn absorbs_a_heredoc_of_installs() {
        let (c, _) = carry_text(
            "FROM python:3.11\nRUN <<EOF\napt-get update\napt-get install -y libpq5\npip install -r requirements.txt\nEOF\n",
        );
        let c = c.unwrap();
        assert!(c.before_source.is_empty() && c.after_source.is_empty());
    }

    #[test]
    fn copies_covered_by_the_source_copy() {
        for (src, dest, cwd) in [
            ("app.py", "/app/", "/"),
            ("app.py", ".", "/app"),
            ("src/", "/app/src", "/"),
            ("src", "/app/src/", "/"),
            ("*.py", "./", "/app"),
            ("pkg/mod.py", "/app/pkg/", "/"),
        ] {
            assert!(
                covered_by_source_copy(src, dest, cwd, "/app", &|p: &str| p == "src"),
                "{src} {dest}"
            );
        }
        for (src, dest, cwd) in [
            ("src/", "/app/", "/"),
            ("src", "/app/", "/"),
            ("nginx.conf", "/etc/nginx/", "/app"),
            ("app.py", "/srv/", "/"),
        ] {
            assert!(
                !covered_by_source_copy(src, dest, cwd, "/app", &|p: &str| p == "src"),
                "{src} {dest}"
            );
        }
    }
}
