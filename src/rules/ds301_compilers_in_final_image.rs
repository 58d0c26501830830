//! DS301 compilers-in-final-image
//!
//! What it finds: compilers and headers (gcc, g++, build-essential, make,
//! `*-dev` packages) installed in the stage that becomes the image, or a
//! pip install that compiles with the full base image's compilers.
//! Why it matters: they are needed to build wheels, not to run them, and
//! cost 150 to 300 MB in every pull; they also widen what an attacker can do
//! inside a compromised container.
//! Fix: a builder stage made of the stage's own steps (its FROM, its
//! environment and WORKDIR, its apt installs, its requirement files and its
//! pip install, all as written) installs into a virtualenv; the image copies
//! only that virtualenv and keeps the rest of its steps, without the build
//! packages (their runtime libraries in their place).

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::shell::is_build_tool;
use crate::dockerfile::stages::{free_name, StageGraph};
use crate::dockerfile::{shell, Args, Dockerfile, Instruction, Keyword, RunCommand, Stage};
use crate::edit::builder::{Extraction, Step};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct CompilersInFinalImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS301,
    name: "compilers-in-final-image",
    severity: Severity::Warning,
    summary: "Compilers or development headers are installed in the final image.",
    why: "Build tools are needed to compile wheels, not to run them. They add 150 to 300 MB to every pull and give an intruder a toolchain.",
    fix: "Install build tools in a builder stage, build the virtualenv there, and copy only the virtualenv into the image, with the runtime libraries (libpq5, not libpq-dev).",
    example: "Before:\n  FROM python:3.12-slim\n  RUN apt-get install -y gcc libpq-dev && pip install psycopg2\nAfter:\n  FROM python:3.12-slim AS python-deps\n  RUN apt-get install -y gcc libpq-dev && pip install psycopg2   (with PIP_PYTHON=/opt/venv/bin/python)\n  FROM python:3.12-slim\n  RUN apt-get install -y libpq5\n  COPY --from=python-deps /opt/venv /opt/venv",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a build package the app also uses at run time (a compiler for code compiled on import, a binary from a -dev package) is no longer in the image; `python` and `pip` on PATH are the virtualenv's.",
};

/// The build packages a RUN installs and keeps (not purged in the same RUN).
fn kept_build_tools(cmds: &[RunCommand]) -> Vec<String> {
    let purged = cmds.iter().any(|c| {
        shell::package_subcommand(&c.words)
            .is_some_and(|(s, _)| matches!(s, "purge" | "remove" | "del" | "autoremove"))
    });
    if purged {
        return Vec::new();
    }
    cmds.iter()
        .filter_map(|c| shell::package_install(&c.words))
        .flatten()
        .filter(|p| is_build_tool(p))
        .collect()
}

/// (instruction, build packages) for each RUN of a stage that keeps them.
fn build_installs(stage: &Stage) -> Vec<(&Instruction, Vec<String>)> {
    let commands = stage.run_commands();
    stage
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Run)
        .filter_map(|inst| {
            let cmds: Vec<RunCommand> = commands
                .iter()
                .filter(|c| std::ptr::eq(c.inst, inst))
                .cloned()
                .collect();
            let tools = kept_build_tools(&cmds);
            (!tools.is_empty()).then_some((inst, tools))
        })
        .collect()
}

impl Rule for CompilersInFinalImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in df.shipped_stages() {
            for (inst, tools) in build_installs(stage) {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    format!("{} stay in the final image", tools.join(", ")),
                ));
            }
        }
        if out.is_empty() {
            if let Some((inst, because)) =
                compiles_with_full_image(df, &StageGraph::of(df), cx.project, cx.profile)
            {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    format!(
                        "{because} compiled here with the full base image's compilers, which stay in the image"
                    ),
                ));
            }
        }
        out
    }

    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let target = cx.target();
        let in_parents: Vec<&Stage> = cx
            .shipped()
            .into_iter()
            .filter(|s| s.index != target.index && !build_installs(s).is_empty())
            .collect();
        if let Some(parent) = in_parents.first() {
            return vec![cx.blocked(
                DOC.id,
                Some(parent.line),
                format!("the build packages are installed in stage `{}`, which the image is built FROM; move them into the stage that compiles", parent.name()),
            )];
        }
        let full =
            compiles_with_full_image(cx.df, &cx.graph, Some(cx.inputs.project), cx.inputs.profile)
                .is_some();
        if build_installs(target).is_empty() && !full {
            return Vec::new();
        }
        match PipExtraction::plan(cx, target) {
            Ok(fix) => vec![Outcome::Fix(fix)],
            Err(why) => vec![cx.blocked(DOC.id, Some(target.line), why)],
        }
    }
}

/// A pip install in the image's own stage that compiles dependencies with
/// the compilers of a full base image (python:3.12 has gcc and headers).
fn compiles_with_full_image<'a>(
    df: &'a Dockerfile,
    graph: &StageGraph,
    project: Option<&crate::detect::Project>,
    profile: &crate::profile::Profile,
) -> Option<(&'a Instruction, String)> {
    let project = project?;
    let root = &df.stages[*graph.shipped().last()?];
    let image = crate::dockerfile::image::ImageRef::parse(&df.expand_args(&root.image));
    if !image.is_full() || !image.is_python() {
        return None;
    }
    let target = &df.stages[graph.target];
    let pip = target
        .run_commands()
        .into_iter()
        .find(|c| shell::is_pip_install(&c.words))?;
    let needs = profile.native_needs(&project.python.requirements, "trixie");
    let compiles = needs
        .build
        .iter()
        .any(|b| b == "gcc" || b == "g++" || b.ends_with("-dev"));
    compiles.then(|| (pip.inst, needs.because.join(", ")))
}

/// Where the virtualenv comes from.
enum Venv {
    /// Ours: /opt/venv, filled by the user's pip through PIP_PYTHON.
    Ours,
    /// The user's own (`python -m venv /venv` and PATH), at this path.
    Theirs(String),
}

/// The builder stage made of the target stage's pip install steps.
struct PipExtraction<'a>(Extraction<'a>);

impl<'a> std::ops::Deref for PipExtraction<'a> {
    type Target = Extraction<'a>;
    fn deref(&self) -> &Extraction<'a> {
        &self.0
    }
}

impl<'a> std::ops::DerefMut for PipExtraction<'a> {
    fn deref_mut(&mut self) -> &mut Extraction<'a> {
        &mut self.0
    }
}

impl<'a> PipExtraction<'a> {
    fn plan(cx: &'a FixContext<'a>, stage: &'a Stage) -> Result<Fix, String> {
        let mut x = PipExtraction(Extraction::new(cx, stage));
        let pips = x.pip_installs()?;
        let last_pip = pips.last().map(|i| i.line).unwrap_or(0);
        let venv = x.venv(last_pip)?;
        x.share_environment(last_pip);
        let removed = x.build_packages(last_pip)?;
        let manifests = x.manifests(&pips)?;
        x.check_nothing_else_compiles(&pips)?;
        let name = free_name(cx.df, "python-deps");
        let mut ours = String::new();
        if matches!(venv, Venv::Ours) {
            ours.push_str(
                "RUN python -m venv --without-pip /opt/venv\nENV PIP_PYTHON=/opt/venv/bin/python\n",
            );
        }
        if let Some(m) = &manifests {
            ours.push_str(m);
        }
        let builder = x.builder_text(&name, &[(pips[0], ours)]);
        // On a slim base the image needs the libraries compiled packages
        // load (libpq5 for psycopg2), which the removed -dev packages
        // brought along.
        let image = crate::dockerfile::image::ImageRef::parse(&cx.df.base_image_of(stage));
        let libs: Vec<String> = if image.is_full() {
            Vec::new()
        } else {
            crate::edit::facts::runtime_libraries(cx, &image)
                .into_iter()
                .map(|(lib, _)| lib)
                .collect()
        };
        let mut runtime_run = String::new();
        if !libs.is_empty() {
            match x.kept_apt_install() {
                Some(last) => x.0.edits.push(crate::edit::Edit::insert(
                    last.end,
                    format!(" {}", libs.join(" ")),
                )),
                None => {
                    let refs: Vec<&str> = libs.iter().map(String::as_str).collect();
                    runtime_run = format!("{}\n", crate::edit::builder::apt_install_run(&refs));
                }
            }
        }
        let (path, env) = match &venv {
            Venv::Ours => (
                "/opt/venv".to_string(),
                "\nENV PATH=\"/opt/venv/bin:$PATH\"",
            ),
            Venv::Theirs(p) => (p.clone(), ""),
        };
        let anchor = x.copy_anchor(&pips);
        let edits = x.0.finish(
            &builder,
            &format!("{runtime_run}COPY --from={name} {path} {path}{env}"),
            anchor,
        );
        let mut reason = format!(
            "the image gets only {path} from the builder stage `{name}`, which runs this stage's own steps as written: its FROM, environment and WORKDIR, the apt installs, the requirement files and the pip install"
        );
        if !removed.is_empty() {
            reason.push_str(&format!(
                "; {} are left out of the image",
                removed.join(", ")
            ));
        }
        if !libs.is_empty() {
            reason.push_str(&format!(
                "; {} stay for the compiled packages to load",
                libs.join(", ")
            ));
        }
        if matches!(venv, Venv::Ours) {
            reason.push_str("; PIP_PYTHON sends the pip install into /opt/venv, and the venv is on PATH in the image");
        }
        Ok(Fix {
            rule: DOC.id,
            line: stage.line,
            title: format!("builder stage `{name}` compiles; the image copies {path}"),
            reason,
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: true,
        })
    }

    /// The RUNs with the pip installs, each moved whole: every command in
    /// them installs or cleans up.
    fn pip_installs(&mut self) -> Result<Vec<&'a Instruction>, String> {
        let commands = self.stage.run_commands();
        let pip_runs: Vec<&'a Instruction> = self
            .stage
            .instructions
            .iter()
            .filter(|i| {
                commands
                    .iter()
                    .any(|c| std::ptr::eq(c.inst, *i) && shell::is_pip_install(&c.words))
            })
            .collect();
        if pip_runs.is_empty() {
            return Err("the stage installs build packages but runs no pip install dockslim can move into a builder stage; they stay".into());
        }
        if let Some(user) = pip_runs.iter().find_map(|i| self.cx.user_at(i)) {
            return Err(format!("the pip install runs as USER {user}"));
        }
        for inst in &pip_runs {
            for c in commands.iter().filter(|c| std::ptr::eq(c.inst, *inst)) {
                let w = &c.words;
                if shell::is_pip_install(w) {
                    check_pip(self.cx, w, inst.line)?;
                } else if !is_install_step(w) {
                    return Err(format!(
                        "line {} also runs `{}`, which would move into the builder with the pip install; put the install in a RUN of its own",
                        inst.line,
                        w.join(" ")
                    ));
                }
            }
            self.set(inst, Step::Move);
        }
        Ok(pip_runs)
    }

    /// The user's own virtualenv, when the stage makes one before the
    /// install and puts it on PATH; else ours.
    fn venv(&mut self, last_pip: usize) -> Result<Venv, String> {
        let mut found = None;
        for inst in &self.stage.instructions {
            if inst.line > last_pip {
                break;
            }
            for c in inst.commands() {
                let (i, prog) = shell::program(&c);
                let makes = (prog.starts_with("python")
                    && c.get(i + 1..i + 3) == Some(&["-m".into(), "venv".into()][..]))
                    || prog == "virtualenv";
                if makes {
                    let path = c
                        .iter()
                        .skip(i + 1)
                        .rev()
                        .find(|w| !w.starts_with('-'))
                        .cloned();
                    found = path.map(|p| (p, inst));
                }
            }
        }
        match found {
            None => Ok(Venv::Ours),
            Some((path, inst)) if path.starts_with('/') => {
                let cmds = inst.commands();
                if cmds.iter().all(|c| is_install_step(c) || c.iter().any(|w| w == "venv") || shell::program(c).1 == "virtualenv") {
                    self.set(inst, Step::Move);
                    Ok(Venv::Theirs(path))
                } else {
                    Err(format!("line {} makes the virtualenv together with other steps", inst.line))
                }
            }
            Some((path, inst)) => Err(format!(
                "line {} makes a virtualenv at the relative path {path}; dockslim copies only absolute ones",
                inst.line
            )),
        }
    }

    /// apt installs of build packages: copied into the builder, and in the
    /// image either removed (only build packages and apt housekeeping) or
    /// stripped of the build packages. Returns what the image loses.
    fn build_packages(&mut self, last_pip: usize) -> Result<Vec<String>, String> {
        let w = self.cx.writer();
        let commands = self.stage.run_commands();
        let mut removed = Vec::new();
        let apt_runs: Vec<&'a Instruction> = self
            .stage
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Run && i.line < last_pip)
            .filter(|i| {
                commands.iter().any(|c| {
                    std::ptr::eq(c.inst, *i) && shell::package_subcommand(&c.words).is_some()
                })
            })
            .collect();
        let mut image_keeps_apt = false;
        for inst in &apt_runs {
            let cmds: Vec<&RunCommand> = commands
                .iter()
                .filter(|c| std::ptr::eq(c.inst, *inst))
                .collect();
            if self.step_of(inst) == Step::Move {
                continue;
            }
            let installs: Vec<&&RunCommand> = cmds
                .iter()
                .filter(|c| shell::package_install(&c.words).is_some())
                .collect();
            let tools: Vec<String> =
                kept_build_tools(&cmds.iter().map(|c| (*c).clone()).collect::<Vec<_>>());
            let only_apt = cmds.iter().all(|c| is_install_step(&c.words));
            let all_build = installs.iter().all(|c| {
                shell::package_install(&c.words).is_some_and(|p| p.iter().all(|p| is_build_tool(p)))
            });
            if installs.is_empty() {
                // `apt-get update` alone: decided below.
                continue;
            }
            if tools.is_empty() {
                image_keeps_apt = true;
                continue;
            }
            removed.extend(tools.iter().cloned());
            if only_apt && all_build {
                self.set(inst, Step::Move);
                continue;
            }
            // The image keeps the RUN without its build packages.
            self.set(inst, Step::Both);
            image_keeps_apt = true;
            for c in &installs {
                let Some((_, pos)) = shell::package_subcommand(&c.words) else {
                    continue;
                };
                for (index, pkg) in shell::package_words(&c.words, pos) {
                    let name = pkg.split('=').next().unwrap_or(pkg);
                    if !is_build_tool(name) {
                        continue;
                    }
                    let Some(word) = c.word(index) else {
                        return Err(format!(
                            "line {} installs {name} through a variable or `sh -c`, whose words dockslim does not edit",
                            inst.line
                        ));
                    };
                    self.edits.push(w.remove_word(&word.span));
                }
            }
        }
        // `apt-get update` alone goes where the installs go.
        for inst in &apt_runs {
            let cmds: Vec<&RunCommand> = commands
                .iter()
                .filter(|c| std::ptr::eq(c.inst, *inst))
                .collect();
            let updates_only = cmds
                .iter()
                .all(|c| shell::package_subcommand(&c.words).is_some_and(|(s, _)| s == "update"));
            if updates_only {
                self.set(
                    inst,
                    if image_keeps_apt {
                        Step::Both
                    } else {
                        Step::Move
                    },
                );
            }
        }
        removed.sort();
        removed.dedup();
        Ok(removed)
    }

    /// How the builder gets the files pip reads: the stage's own COPY of
    /// them (moved), or, when they came with a copy of the whole context,
    /// a COPY of just those files (returned).
    fn manifests(&mut self, pips: &[&'a Instruction]) -> Result<Option<String>, String> {
        let first_pip = pips.first().map_or(0, |i| i.line);
        let whole = self
            .stage
            .instructions
            .iter()
            .any(|i| i.line < first_pip && i.copies_whole_context());
        let copies_context = self
            .stage
            .instructions
            .iter()
            .any(|i| i.copies_whole_context());
        let mut needed: Vec<String> = Vec::new();
        for inst in pips {
            for c in inst.commands().iter().filter(|c| shell::is_pip_install(c)) {
                needed.extend(pip_files(c));
            }
        }
        // The stage's own copies of single files or folders before the
        // install: the builder gets them as written.
        let copies: Vec<&'a Instruction> = self
            .stage
            .instructions
            .iter()
            .filter(|i| {
                i.line < first_pip && i.keyword == Keyword::Copy && i.flag("from").is_none()
            })
            .filter(|i| !i.copies_whole_context())
            .collect();
        let mut covered = Vec::new();
        for inst in copies {
            let Args::Copy { sources, .. } = &inst.args else {
                continue;
            };
            let manifest_like = sources.iter().all(|s| is_manifest(s));
            if manifest_like {
                covered.extend(sources.iter().cloned());
                self.set(
                    inst,
                    if copies_context {
                        Step::Move
                    } else {
                        Step::Both
                    },
                );
            }
        }
        let workdir = self.stage.workdir_at(first_pip);
        let missing: Vec<String> = needed
            .iter()
            .filter(|f| {
                let base = f.trim_start_matches("./");
                !covered.iter().any(|c| {
                    let c = c.trim_start_matches("./").trim_end_matches('/');
                    base == c
                        || base.starts_with(&format!("{c}/"))
                        || c.rsplit('/').next() == Some(base)
                })
            })
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(None);
        }
        if !whole {
            return Err(format!(
                "pip reads {}, which this stage does not copy before the install",
                missing.join(", ")
            ));
        }
        // Files named relative to WORKDIR come from the context root when
        // the whole context was copied there.
        let mut files = Vec::new();
        for f in &missing {
            if f.contains(['$', '*', '`']) {
                return Err(format!(
                    "pip reads {f}, a path the shell works out as the build runs"
                ));
            }
            let rel = match f.strip_prefix(&format!("{}/", workdir.trim_end_matches('/'))) {
                Some(r) => r.to_string(),
                None if f.starts_with('/') => {
                    return Err(format!(
                    "pip reads {f}, an absolute path dockslim cannot trace to the build context"
                ))
                }
                None => f.trim_start_matches("./").to_string(),
            };
            let set = crate::detect::requirements::read_set(self.cx.inputs.repo, &rel)
                .map_err(|e| format!("pip reads {rel}: {e}"))?;
            files.extend(set.files);
        }
        files.sort();
        files.dedup();
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for f in files {
            let dest = match f.rfind('/') {
                Some(i) => format!("{}/", &f[..i]),
                None => "./".to_string(),
            };
            match groups.iter_mut().find(|(d, _)| *d == dest) {
                Some((_, list)) => list.push(f),
                None => groups.push((dest, vec![f])),
            }
        }
        Ok(Some(
            groups
                .into_iter()
                .map(|(dest, files)| format!("COPY {} {dest}", files.join(" ")))
                .collect::<Vec<_>>()
                .join("\n"),
        ))
    }

    /// The last package word of an apt install the image keeps, to add
    /// runtime libraries beside.
    fn kept_apt_install(&self) -> Option<crate::dockerfile::Span> {
        self.stage
            .run_commands()
            .into_iter()
            .filter(|c| self.step_of(c.inst) != Step::Move && shell::is_apt_install(&c.words))
            .find_map(|c| {
                let (_, pos) = shell::package_subcommand(&c.words)?;
                let (index, _) = shell::package_words(&c.words, pos)
                    .into_iter()
                    .rev()
                    .find(|(_, w)| !is_build_tool(w))?;
                c.word(index).map(|w| w.span.clone())
            })
    }

    /// After the move, nothing left in the image may compile or pip install.
    fn check_nothing_else_compiles(&self, pips: &[&Instruction]) -> Result<(), String> {
        for c in self.stage.run_commands() {
            if pips.iter().any(|p| std::ptr::eq(*p, c.inst)) || self.step_of(c.inst) == Step::Move {
                continue;
            }
            let prog = shell::program(&c.words).1;
            if matches!(
                prog,
                "gcc" | "g++" | "cc" | "c++" | "make" | "cmake" | "cargo" | "rustc"
            ) {
                return Err(format!(
                    "line {} runs {prog} in the image itself, so the build packages must stay",
                    c.inst.line
                ));
            }
            if shell::is_pip_install(&c.words) {
                return Err(format!(
                    "line {} installs with pip too, into the image's own Python",
                    c.inst.line
                ));
            }
            // `poetry install`, `uv sync`, `pipenv install`, `pdm install`:
            // the project's dependencies, built in the image itself, where
            // the moved compilers would be gone.
            let (i, prog) = shell::program(&c.words);
            let sub = c.words.get(i + 1).map(String::as_str);
            let installs = match prog {
                "poetry" | "pipenv" | "pdm" => sub == Some("install") || sub == Some("sync"),
                "uv" => {
                    sub == Some("sync")
                        || (sub == Some("pip")
                            && c.words.get(i + 2).map(String::as_str) == Some("install"))
                }
                _ => false,
            };
            if installs {
                return Err(format!(
                    "line {} installs the project's dependencies with {prog} in the image itself, which needs the build packages there; install them in a builder stage first",
                    c.inst.line
                ));
            }
        }
        Ok(())
    }

    /// Where the image's COPY of the venv goes: before the copy of the
    /// whole context that precedes the install (so a source edit does not
    /// copy the venv again), else where the install was.
    fn copy_anchor(&self, pips: &[&'a Instruction]) -> &'a Instruction {
        let first = pips[0];
        let first_moved = self
            .stage
            .instructions
            .iter()
            .find(|i| self.step_of(i) == Step::Move)
            .unwrap_or(first);
        self.stage
            .instructions
            .iter()
            .find(|i| i.line < first.line && i.copies_whole_context())
            .filter(|c| c.line < first_moved.line)
            .unwrap_or(first_moved)
    }
}

/// Files a pip install reads: `-r`, `-c` and their `=` forms.
fn pip_files(cmd: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = cmd.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "-r" | "--requirement" | "-c" | "--constraint" => out.extend(it.next().cloned()),
            _ => {
                for prefix in ["--requirement=", "--constraint=", "-r", "-c"] {
                    if let Some(f) = w
                        .strip_prefix(prefix)
                        .filter(|f| !f.is_empty() && !f.starts_with('-'))
                    {
                        out.push(f.to_string());
                        break;
                    }
                }
            }
        }
    }
    out
}

/// A path that is a dependency manifest (requirements, lock, pyproject).
fn is_manifest(path: &str) -> bool {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    name.starts_with("requirements")
        || name.starts_with("constraints")
        || matches!(
            name,
            "pyproject.toml"
                | "setup.cfg"
                | "uv.lock"
                | "poetry.lock"
                | "Pipfile"
                | "Pipfile.lock"
                | "requirements"
        )
        || name.ends_with(".txt") && name.contains("req")
}

/// Commands a RUN may hold beside a pip install and still move whole:
/// package installs and their housekeeping.
fn is_install_step(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    if shell::package_subcommand(cmd).is_some() || shell::pip_subcommand(cmd).is_some() {
        return true;
    }
    match prog {
        "rm" => cmd[i + 1..].iter().all(|w| {
            w.starts_with('-')
                || w.starts_with("/var/lib/apt/lists")
                || w.starts_with("/var/cache")
                || w.starts_with("/root/.cache")
                || w.starts_with("/tmp")
        }),
        "set" | "true" | "echo" => true,
        _ => false,
    }
}

/// What pip must not be given for its install to move into a venv built
/// elsewhere.
fn check_pip(cx: &FixContext, words: &[String], line: usize) -> Result<(), String> {
    for w in words {
        let flag = w.split('=').next().unwrap_or(w);
        if matches!(
            flag,
            "--user" | "--target" | "-t" | "--prefix" | "--root" | "--python" | "-e" | "--editable"
        ) {
            return Err(format!(
                "the pip install at line {line} uses {flag}, which decides where packages go"
            ));
        }
    }
    let (_, prog) = shell::program(words);
    if prog.starts_with('/') || words.first().is_some_and(|w| w.starts_with('/')) {
        return Err(format!("line {line} runs pip by an absolute path"));
    }
    for target in shell::pip_install_targets(words) {
        let local = target.starts_with('.')
            || target.starts_with('/')
            || target.ends_with(".whl")
            || cx.inputs.repo.exists(target.trim_start_matches("./"));
        if local {
            return Err(format!(
                "the pip install at line {line} installs {target} from the build context, which needs the source in the builder"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn compilers_in_single_stage_are_found() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc libpq-dev curl\n",
        )]);
        let found = fx.check(&CompilersInFinalImage);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "gcc, libpq-dev stay in the final image");
    }

    #[test]
    fn a_project_install_left_in_the_image_keeps_the_compilers() {
        let fx = Fixture::new(&[
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\npsycopg2 = \"^2.9\"\n",
            ),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\nRUN pip install poetry\nCOPY pyproject.toml ./\nRUN poetry config virtualenvs.create false\nRUN poetry install --no-root\nCOPY . .\n",
            ),
        ]);
        let reasons = fx.blocked_reasons(RuleId::DS301);
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("line 6 installs the project's dependencies with poetry")),
            "{reasons:?}"
        );
    }

    #[test]
    fn compilers_in_a_builder_stage_are_fine() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12 AS builder\nRUN apt-get install -y gcc\nFROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\n")]);
        assert!(fx.check(&CompilersInFinalImage).is_empty());
    }

    #[test]
    fn a_stage_built_from_the_builder_inherits_its_compilers() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12 AS base\nRUN apt-get install -y build-essential\nFROM base\nCMD [\"python\"]\n")]);
        assert_eq!(fx.lines(&CompilersInFinalImage), [Some(2)]);
    }

    #[test]
    fn purged_in_the_same_layer_is_fine() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12-slim\nRUN set -ex; DEPS=\"gcc libpq-dev\"; apt-get update; apt-get install -y $DEPS; pip install psycopg2; apt-get purge -y $DEPS\n")]);
        assert!(fx.check(&CompilersInFinalImage).is_empty());
    }

    #[test]
    fn pip_files_are_read() {
        let w = |s: &str| shlex::split(s).unwrap();
        assert_eq!(
            pip_files(&w(
                "pip install -r a.txt -c c.txt --requirement=b.txt -rx.txt"
            )),
            ["a.txt", "c.txt", "b.txt", "x.txt"]
        );
    }
}
