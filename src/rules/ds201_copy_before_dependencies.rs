//! DS201 copy-before-dependencies
//!
//! What it finds: a COPY of the whole build context before the step that
//! installs dependencies (pip, npm, yarn, pnpm, poetry, uv).
//! Why it matters: any source edit changes the copied files, which
//! invalidates the cache of every later layer, so each build reinstalls all
//! dependencies from scratch.
//! Fix: copy only the manifests (requirements*.txt, pyproject.toml and its
//! lock, package.json and its lock), install, then copy the source. uv and
//! Poetry, which install the project too, install the dependencies alone
//! first (`--no-install-project`, `--no-root`) and the project after the
//! copy.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::node_lifecycle::{install_scripts, of_manifest};
use crate::dockerfile::{shell, Args, Instruction, Keyword, Stage};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct CopyBeforeDependencies;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS201,
    name: "copy-before-dependencies",
    severity: Severity::Warning,
    summary: "The whole build context is copied before dependencies are installed.",
    why: "Every source edit invalidates the layer cache from that COPY on, so every build reinstalls all dependencies.",
    fix: "Copy only the dependency manifests, install, then copy the source.",
    example: "Before:\n  COPY . .\n  RUN pip install -r requirements.txt\nAfter:\n  COPY requirements.txt .\n  RUN pip install -r requirements.txt\n  COPY . .",
    fix_safety: Some(Safety::Safe),
    fix_risk: "",
};

fn installs_dependencies(cmd: &[String]) -> bool {
    if shell::is_pip_install(cmd) {
        return true;
    }
    let (i, prog) = shell::program(cmd);
    let sub = cmd.get(i + 1).map(String::as_str).unwrap_or("");
    matches!(
        (prog, sub),
        ("npm", "ci" | "install" | "i")
            | ("yarn", "" | "install")
            | ("pnpm", "install" | "i")
            | ("bun", "install" | "i")
            | ("poetry", "install")
            | ("uv", "sync")
            | ("pipenv", "install")
    )
}

/// An install of the dependencies alone, which reads only the manifests:
/// `uv sync --no-install-project`, `poetry install --no-root`, `pip install
/// -r requirements.txt`.
fn installs_dependencies_only(cmd: &[String]) -> bool {
    let has = |flag: &str| cmd.iter().any(|w| w == flag);
    match ProjectManager::of(cmd) {
        Some(ProjectManager::Uv) => has("--no-install-project") || has("--no-install-workspace"),
        Some(ProjectManager::Poetry) => has("--no-root"),
        None => shell::is_pip_install(cmd) && !requirement_args(cmd).is_empty(),
    }
}

/// An install of the project itself, from its source: `uv sync`, `poetry
/// install`, `pip install .` (or `-e .`, or a local folder).
fn installs_project(cmd: &[String]) -> bool {
    if ProjectManager::of(cmd).is_some() {
        return true;
    }
    let targets = shell::pip_install_targets(cmd);
    shell::is_pip_install(cmd)
        && requirement_args(cmd).is_empty()
        && !targets.is_empty()
        && targets
            .iter()
            .all(|t| t.starts_with('.') || t.starts_with('/'))
}

/// The whole-context copy and the first install after it, per stage. An
/// install of the project after its dependencies were installed from the
/// manifests alone is the expert's split, not an offence.
fn offence(stage: &Stage) -> Option<(&Instruction, &Instruction)> {
    let copy = stage
        .instructions
        .iter()
        .find(|i| i.copies_whole_context())?;
    let runs = stage.runs();
    let split = runs.iter().any(|(inst, cmds)| {
        inst.line < copy.line && cmds.iter().any(|c| installs_dependencies_only(c))
    });
    let install = runs.into_iter().find(|(inst, cmds)| {
        inst.line > copy.line
            && cmds
                .iter()
                .any(|c| installs_dependencies(c) && !(split && installs_project(c)))
    })?;
    Some((copy, install.0))
}

impl Rule for CopyBeforeDependencies {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        df.stages
            .iter()
            .filter_map(offence)
            .map(|(copy, install)| {
                Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(copy.line),
                    format!("`{}` comes before the dependency install at line {}; every source change reinstalls all dependencies", copy.source.lines().next().unwrap_or(""), install.line),
                )
            })
            .collect()
    }

    /// The install moves above the copy of the whole context, after a COPY
    /// of only the files it reads; package installs between the two move
    /// with it, everything else stays after the copy.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        cx.graph
            .lineage()
            .into_iter()
            .filter_map(|i| {
                let stage = &cx.df.stages[i];
                let (copy, install) = offence(stage)?;
                Some(match reorder(cx, stage, copy, install) {
                    Ok(fix) => Outcome::Fix(fix),
                    Err(why) => cx.blocked(DOC.id, Some(copy.line), why),
                })
            })
            .collect()
    }
}

/// The fix for one stage: the install moves above the copy, or, for uv and
/// Poetry (which install the project from its source too), a dependency-only
/// install goes above it and the install stays.
fn reorder(
    cx: &FixContext,
    stage: &Stage,
    copy: &Instruction,
    install: &Instruction,
) -> Result<Fix, String> {
    let commands = install.commands();
    let allowed =
        |c: &Vec<String>| installs_dependencies(c) || is_housekeeping(c) || is_poetry_config(c);
    if !commands.iter().all(allowed) {
        return Err(format!(
            "line {} does more than install dependencies; put the install in a RUN of its own",
            install.line
        ));
    }
    let mut moved = movable_between(stage, copy, install)?;
    let w = cx.writer();
    let place = Placement::of(stage, copy, install)?;
    let (block, reason) = if commands.iter().any(|c| ProjectManager::of(c).is_some()) {
        let (manifests, run) = split::dependency_install(cx, &place, install)?;
        let copies = copy_lines(cx, copy, &place, manifests);
        let reason = format!(
            "the dependencies install from the manifests alone ({}), so a source edit reuses their cached layer; the install after the copy adds only the project",
            brief(&copies)
        );
        (format!("{copies}\n{run}"), reason)
    } else {
        let copies = copy_lines(cx, copy, &place, manifests(cx, &place, install)?);
        moved.push(install);
        let reason = format!(
            "the install reads only its manifests, so it gets them alone ({}) and a source edit reuses its cached layer",
            brief(&copies)
        );
        (copies, reason)
    };
    let mut text = String::new();
    for inst in moved.iter().filter(|i| i.line != install.line) {
        text.push_str(&w.moved_text(inst).replace("\r\n", "\n"));
    }
    text.push_str(&block);
    if moved.iter().any(|i| i.line == install.line) {
        text.push('\n');
        text.push_str(&w.moved_text(install).replace("\r\n", "\n"));
    }
    let mut edits = vec![w.insert_before(copy, text.trim_end_matches('\n'))];
    edits.extend(moved.iter().map(|i| w.delete(i)));
    Ok(Fix {
        rule: DOC.id,
        line: copy.line,
        title: format!(
            "install at line {} before `{}`",
            install.line,
            copy.source.lines().next().unwrap_or("")
        ),
        reason,
        safety: Safety::Safe,
        edits,
        files: vec![],
        reshapes: false,
    })
}

/// The COPY lines of a block, said briefly for the reason.
fn brief(copies: &str) -> String {
    copies
        .lines()
        .map(|l| l.trim_start_matches("COPY "))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What lies between the copy and the install and must move above the copy
/// with the install: ENV and ARG (the install may read them), package
/// installs, and a WORKDIR when nothing before it stays behind and the copy
/// names an absolute destination (so neither reads the folder it sets). A
/// step that may prepare the install from the source, another change of
/// WORKDIR, or a USER or SHELL keeps the order as it is.
fn movable_between<'a>(
    stage: &'a Stage,
    copy: &Instruction,
    install: &Instruction,
) -> Result<Vec<&'a Instruction>, String> {
    let mut moved = Vec::new();
    let between = stage
        .instructions
        .iter()
        .filter(|i| i.line > copy.line && i.line < install.line);
    let absolute_copy = matches!(&copy.args, Args::Copy { dest, .. } if dest.starts_with('/'));
    for (n, inst) in between.enumerate() {
        // Something before this one stays after the copy.
        let stays_behind = moved.len() < n;
        match inst.keyword {
            Keyword::Workdir if absolute_copy && !stays_behind => moved.push(inst),
            Keyword::Workdir | Keyword::User | Keyword::Shell => {
                return Err(format!(
                    "line {} changes {} between the copy and the install",
                    inst.line, inst.keyword
                ));
            }
            Keyword::Env | Keyword::Arg => moved.push(inst),
            Keyword::Run => {
                let cmds = inst.commands();
                if cmds.iter().all(|c| {
                    shell::package_subcommand(c).is_some()
                        || is_housekeeping(c)
                        || creates_virtualenv(c)
                }) {
                    moved.push(inst);
                } else if cmds.iter().flatten().any(|w| {
                    w.contains("pip")
                        || w.contains("npm")
                        || w.contains("bun")
                        || w.contains("PIP_")
                        || w.contains("venv")
                        || w.contains("uv")
                        || w.contains("poetry")
                }) {
                    return Err(format!(
                        "line {} may prepare the install; dockslim leaves the order as it is",
                        inst.line
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(moved)
}

/// `rm -rf` of caches and the like, `set -e`: steps that read no source.
fn is_housekeeping(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    match prog {
        "set" | "true" | "echo" => true,
        "rm" => cmd[i + 1..].iter().all(|w| {
            w.starts_with('-')
                || w.starts_with("/var/")
                || w.starts_with("/root/.cache")
                || w.starts_with("/tmp")
        }),
        "npm" | "yarn" | "pnpm" => cmd.get(i + 1).is_some_and(|s| s == "cache"),
        "bun" => {
            cmd.get(i + 1).is_some_and(|s| s == "pm")
                && cmd.get(i + 2).is_some_and(|s| s == "cache")
        }
        _ => false,
    }
}

/// Where the install runs and where the copy of the whole context puts the
/// context, both absolute.
pub(crate) struct Placement {
    workdir: String,
    dest: String,
}

impl Placement {
    fn of(stage: &Stage, copy: &Instruction, install: &Instruction) -> Result<Placement, String> {
        let Args::Copy { dest, .. } = &copy.args else {
            return Err("the copy is not a COPY".into());
        };
        let workdir = stage.workdir_at(install.line);
        let dest = if dest.starts_with('/') {
            dest.clone()
        } else {
            format!(
                "{}/{}",
                workdir.trim_end_matches('/'),
                dest.trim_start_matches("./")
            )
        };
        Ok(Placement {
            workdir,
            dest: crate::repo::dockerignore::go_clean(&dest),
        })
    }

    /// A path inside the image as a path of the build context, if the copy
    /// brings it.
    fn in_context(&self, abs: &str) -> Option<String> {
        let dest = self.dest.trim_end_matches('/');
        if abs == dest || abs.is_empty() {
            return Some(String::new());
        }
        abs.strip_prefix(&format!("{dest}/")).map(str::to_string)
    }

    /// The install's folder as a folder of the build context.
    fn workdir_in_context(&self) -> Option<String> {
        self.in_context(self.workdir.trim_end_matches('/'))
    }
}

/// The files of the build context the install reads.
fn manifests(
    cx: &FixContext,
    place: &Placement,
    install: &Instruction,
) -> Result<Vec<String>, String> {
    let mut files: Vec<String> = Vec::new();
    let repo = cx.inputs.repo;
    for c in install.commands() {
        if shell::is_pip_install(&c) {
            for target in shell::pip_install_targets(&c) {
                if target.starts_with('.')
                    || target.starts_with('/')
                    || repo.exists(target.trim_start_matches("./"))
                {
                    return Err(format!("the install at line {} installs {target} from the source, which needs all of it", install.line));
                }
            }
            for f in requirement_args(&c) {
                if f.contains(['$', '*', '`']) {
                    return Err(format!(
                        "pip reads {f}, a path the shell works out as the build runs"
                    ));
                }
                let abs = if f.starts_with('/') {
                    f.clone()
                } else {
                    format!("{}/{f}", place.workdir.trim_end_matches('/'))
                };
                let rel = place
                    .in_context(&crate::repo::dockerignore::go_clean(&abs))
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| format!("pip reads {f}, which the copy does not bring"))?;
                let set =
                    crate::detect::requirements::read_set(repo, &rel).map_err(|e| e.to_string())?;
                files.extend(set.files);
            }
        } else if matches!(shell::program(&c).1, "npm" | "yarn" | "pnpm" | "bun") {
            files.extend(node_manifests(cx)?);
        } else if shell::program(&c).1 == "pipenv" {
            return Err(
                "`pipenv install` reads the Pipfile and its lock; dockslim does not split it yet"
                    .into(),
            );
        }
    }
    if files.is_empty() {
        return Err(format!(
            "the install at line {} reads no file dockslim can name",
            install.line
        ));
    }
    Ok(files)
}

/// The COPY lines that bring exactly `files`, at the places the copy of the
/// whole context puts them, with its --chown or --chmod.
fn copy_lines(
    cx: &FixContext,
    copy: &Instruction,
    place: &Placement,
    mut files: Vec<String>,
) -> String {
    files.sort();
    files.dedup();
    let in_workdir = place.dest.trim_end_matches('/') == place.workdir.trim_end_matches('/');
    let dest = place.dest.trim_end_matches('/');
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for f in files {
        let folder = f.rfind('/').map(|i| &f[..i]);
        let target = match (folder, in_workdir) {
            (Some(d), true) => format!("{d}/"),
            (None, true) => "./".to_string(),
            (Some(d), false) => format!("{dest}/{d}/"),
            (None, false) => format!("{dest}/"),
        };
        match groups.iter_mut().find(|(t, _)| *t == target) {
            Some((_, list)) => list.push(f),
            None => groups.push((target, vec![f])),
        }
    }
    let chown = copy
        .flags
        .iter()
        .find(|f| f.name == "chown" || f.name == "chmod")
        .map(|f| format!("{} ", &cx.df.text[f.span.clone()]))
        .unwrap_or_default();
    groups
        .into_iter()
        .map(|(target, files)| format!("COPY {chown}{} {target}", files.join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The installers that install the project from its source along with its
/// dependencies, and can be told to leave the project out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ProjectManager {
    Uv,
    Poetry,
}

impl ProjectManager {
    fn of(cmd: &[String]) -> Option<ProjectManager> {
        let (i, prog) = shell::program(cmd);
        match (prog, cmd.get(i + 1).map(String::as_str)) {
            ("uv", Some("sync")) => Some(ProjectManager::Uv),
            ("poetry", Some("install")) => Some(ProjectManager::Poetry),
            _ => None,
        }
    }

    /// The flag that installs the dependencies without the project.
    fn dependencies_only_flag(self) -> &'static str {
        match self {
            ProjectManager::Uv => "--no-install-project",
            ProjectManager::Poetry => "--no-root",
        }
    }

    fn lock_file(self) -> &'static str {
        match self {
            ProjectManager::Uv => "uv.lock",
            ProjectManager::Poetry => "poetry.lock",
        }
    }
}

/// `python -m venv DIR` or `uv venv DIR`: an empty environment for the
/// install, made from no source.
fn creates_virtualenv(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    // `i` is past the end when every word is a wrapper (`env` alone).
    let rest: Vec<&str> = cmd
        .get(i + 1..)
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    match prog {
        "python" | "python3" => rest.starts_with(&["-m", "venv"]),
        "uv" => rest.first() == Some(&"venv"),
        _ => false,
    }
}

/// `poetry config ...`: settings the install reads, no source.
fn is_poetry_config(cmd: &[String]) -> bool {
    let (i, prog) = shell::program(cmd);
    prog == "poetry" && cmd.get(i + 1).is_some_and(|s| s == "config")
}

mod split {
    //! The dependency-only install of uv and Poetry: the install's RUN,
    //! copied above the copy of the source with the flag that leaves the
    //! project out, after a COPY of pyproject.toml and its lock.

    use super::{Placement, ProjectManager};
    use crate::dockerfile::Instruction;
    use crate::edit::FixContext;

    /// The files the dependency-only install reads, and its RUN.
    pub(super) fn dependency_install(
        cx: &FixContext,
        place: &Placement,
        install: &Instruction,
    ) -> Result<(Vec<String>, String), String> {
        let project = place.workdir_in_context().ok_or_else(|| {
            format!(
                "the install runs in {}, which the copy does not fill",
                place.workdir
            )
        })?;
        let manager = only_manager(install)?;
        let manifests = manifests(cx, &project, manager)?;
        Ok((manifests, with_flag(cx, install, manager)?))
    }

    /// The one uv or Poetry install of the RUN.
    fn only_manager(install: &Instruction) -> Result<ProjectManager, String> {
        let managers: Vec<ProjectManager> = install
            .commands()
            .iter()
            .filter_map(|c| ProjectManager::of(c))
            .collect();
        match managers[..] {
            [one] => Ok(one),
            _ => Err(format!("line {} installs more than once", install.line)),
        }
    }

    /// pyproject.toml, the lock, and for Poetry the readme it validates;
    /// refused where the dependencies need more of the source.
    fn manifests(
        cx: &FixContext,
        project: &str,
        manager: ProjectManager,
    ) -> Result<Vec<String>, String> {
        let repo = cx.inputs.repo;
        let path = |f: &str| {
            if project.is_empty() {
                f.to_string()
            } else {
                format!("{project}/{f}")
            }
        };
        let declared = crate::detect::pyproject::read_pyproject(repo, project)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "there is no {} in the build context",
                    path("pyproject.toml")
                )
            })?;
        if !declared.workspace_members.is_empty() {
            return Err("a uv workspace: its members' sources are part of the install".into());
        }
        if let Some(local) = declared.local_sources.first() {
            return Err(format!(
                "a dependency installs from the local source {local}, which needs it in the build"
            ));
        }
        if declared.dynamic.iter().any(|d| d.contains("dependencies")) {
            return Err("pyproject.toml declares its dependencies dynamic: only a build of the project can tell them".into());
        }
        let mut files = vec![path("pyproject.toml")];
        let lock = path(manager.lock_file());
        if repo.exists(&lock) {
            files.push(lock);
        }
        if let Some(readme) = declared
            .readme
            .filter(|_| manager == ProjectManager::Poetry)
        {
            if repo.exists(&path(&readme)) {
                files.push(path(&readme));
            }
        }
        Ok(files)
    }

    /// The install's RUN with the dependency-only flag after `sync` or
    /// `install`; every other byte as written.
    fn with_flag(
        cx: &FixContext,
        install: &Instruction,
        manager: ProjectManager,
    ) -> Result<String, String> {
        let cannot = || {
            format!(
                "line {}'s install is not written where dockslim can add {}",
                install.line,
                manager.dependencies_only_flag()
            )
        };
        let stage = cx
            .df
            .stages
            .iter()
            .find(|s| s.instructions.iter().any(|i| i.line == install.line))
            .ok_or_else(cannot)?;
        let command = stage
            .run_commands()
            .into_iter()
            .find(|c| c.inst.line == install.line && ProjectManager::of(&c.words).is_some())
            .ok_or_else(cannot)?;
        let (i, _) = crate::dockerfile::shell::program(&command.words);
        let word = command.word(i + 1).ok_or_else(cannot)?;
        let start = install.lines.start;
        let mut text = cx.df.text[install.lines.clone()].to_string();
        text.insert_str(
            word.span.end - start,
            &format!(" {}", manager.dependencies_only_flag()),
        );
        Ok(text
            .replace("\r\n", "\n")
            .trim_end_matches('\n')
            .to_string())
    }
}

/// `-r` and `-c` files of a pip install.
fn requirement_args(cmd: &[String]) -> Vec<String> {
    let mut out = shell::pip_requirement_files(cmd);
    let mut it = cmd.iter();
    while let Some(w) = it.next() {
        if w == "-c" || w == "--constraint" {
            out.extend(it.next().cloned());
        } else if let Some(f) = w.strip_prefix("--constraint=") {
            out.push(f.to_string());
        }
    }
    out
}

/// package.json and the lock files beside it, and what the package
/// manager reads at install; refused when an install script may read more.
fn node_manifests(cx: &FixContext) -> Result<Vec<String>, String> {
    let repo = cx.inputs.repo;
    let Some(text) = repo.read_text("package.json").map_err(|e| e.to_string())? else {
        return Err("there is no package.json at the root of the build context".into());
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("package.json: {e}"))?;
    // A workspace is read as detection reads it: pnpm-workspace.yaml's
    // `packages` (its members' manifests need not say `workspace:`), or
    // package.json's `workspaces`; a pnpm-workspace.yaml of settings alone
    // is an install file of a single package.
    let declared = match &json {
        serde_json::Value::Object(obj) => {
            crate::detect::node_workspace::declared(repo, "", obj, &text)
                .map_err(|e| e.to_string())?
        }
        _ => None,
    };
    if declared.is_some() || json.get("workspaces").is_some() {
        return Err("a workspace: its members' package.json files are read too".into());
    }
    // husky's hook scripts (`"prepare": "husky"`) read no source and go
    // on without the clone's .git, which the install no longer sees once
    // it comes before `COPY . .`.
    let manager = cx
        .inputs
        .project
        .node
        .as_ref()
        .map_or(crate::detect::node::NodeManager::Npm, |n| n.manager);
    let lifecycle = json
        .as_object()
        .map(|obj| of_manifest(manager, obj))
        .unwrap_or_default();
    if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
        for hook in install_scripts(manager) {
            let husky = lifecycle.hooks.iter().any(|h| h == hook)
                && !lifecycle.hooks_needing_clone.iter().any(|h| h == hook);
            if husky {
                continue;
            }
            if let Some(script) = scripts.get(*hook).and_then(|s| s.as_str()) {
                return Err(format!("package.json's `{hook}` script runs `{script}` during the install, which may read the source"));
            }
        }
    }
    let mut files = vec!["package.json".to_string()];
    for f in [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        ".yarnrc.yml",
        ".yarnrc",
        "bun.lockb",
        "bun.lock",
        "pnpm-workspace.yaml",
        ".pnpmfile.cjs",
    ] {
        if repo.exists(f) {
            files.push(f.to_string());
        }
    }
    if repo.has_dir(".yarn/releases") {
        files.push(".yarn/releases".to_string());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        let bad = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        )]);
        assert_eq!(bad.lines(&CopyBeforeDependencies), [Some(2)]);
        let good = Fixture::new(&[("Dockerfile", "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n")]);
        assert!(good.check(&CopyBeforeDependencies).is_empty());
        let node = Fixture::new(&[("Dockerfile", "FROM node:22\nCOPY . .\nRUN npm ci\n")]);
        assert_eq!(node.lines(&CopyBeforeDependencies), [Some(2)]);
        let bun = Fixture::new(&[
            (
                "package.json",
                "{\"name\": \"a\", \"module\": \"index.ts\"}",
            ),
            ("bun.lock", "{}\n"),
            (
                "Dockerfile",
                "FROM oven/bun:1\nCOPY . .\nRUN bun install --frozen-lockfile\n",
            ),
        ]);
        assert_eq!(bun.lines(&CopyBeforeDependencies), [Some(2)]);
        let (text, _) = bun.fixed(RuleId::DS201);
        assert!(
            text.starts_with("FROM oven/bun:1\nCOPY bun.lock package.json ./\nRUN bun install --frozen-lockfile\nCOPY . .\n"),
            "{text}"
        );
    }

    #[test]
    fn a_workdir_after_an_absolute_copy_moves_up_with_the_install() {
        let app = [("app.py", "print(1)\n"), ("requirements.txt", "flask\n")];
        let with = |dockerfile: &'static str| {
            let mut files = app.to_vec();
            files.push(("Dockerfile", dockerfile));
            Fixture::new(&files)
        };
        let fx = with(
            "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
        );
        assert_eq!(
            fx.fixed(RuleId::DS201).0,
            "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . /app\n"
        );
        // A step that stays behind the copy would run in another folder.
        let fx = with("FROM python:3.12\nCOPY . /app\nRUN ./prepare\nWORKDIR /app\nRUN pip install -r requirements.txt\n");
        let reasons = fx.blocked_reasons(RuleId::DS201).join(" ");
        assert!(reasons.contains("changes WORKDIR"), "{reasons}");
    }

    const UV_PROJECT: (&str, &str) = (
        "pyproject.toml",
        "[project]\nname = \"shop\"\nversion = \"1\"\ndependencies = [\"flask\"]\n",
    );

    #[test]
    fn an_install_already_split_from_its_project_is_not_an_offence() {
        for dockerfile in [
            "FROM python:3.12\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nCOPY . .\nRUN uv sync --frozen\n",
            "FROM python:3.12\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n",
            "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install --no-deps .\n",
        ] {
            let fx = Fixture::new(&[("Dockerfile", dockerfile)]);
            assert!(fx.check(&CopyBeforeDependencies).is_empty(), "{dockerfile}");
        }
    }

    #[test]
    fn uv_installs_the_dependencies_from_the_manifests_then_the_project() {
        let fx = Fixture::new(&[
            UV_PROJECT,
            ("uv.lock", "version = 1\n"),
            (
                "Dockerfile",
                "FROM python:3.12\nWORKDIR /app\nCOPY . .\nENV UV_COMPILE_BYTECODE=1\nRUN uv sync --frozen  # all of it\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS201);
        assert!(!blocked.contains(&RuleId::DS201), "{blocked:?}");
        assert_eq!(
            text,
            "FROM python:3.12\nWORKDIR /app\nENV UV_COMPILE_BYTECODE=1\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-install-project --frozen  # all of it\nCOPY . .\nRUN uv sync --frozen  # all of it\n"
        );
    }

    #[test]
    fn poetry_gets_no_root_and_its_readme_and_the_venv_moves_with_it() {
        let fx = Fixture::new(&[
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"shop\"\nreadme = \"README.md\"\n[tool.poetry.dependencies]\nflask = \"*\"\n",
            ),
            ("README.md", "# shop\n"),
            (
                "Dockerfile",
                "FROM python:3.12\nWORKDIR /srv\nCOPY --chown=1000 . /srv\nRUN python -m venv /opt/venv\nRUN poetry config virtualenvs.create false && poetry install --only main\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS201);
        assert!(
            text.contains("WORKDIR /srv\nRUN python -m venv /opt/venv\nCOPY --chown=1000 README.md pyproject.toml ./\nRUN poetry config virtualenvs.create false && poetry install --no-root --only main\nCOPY --chown=1000 . /srv\nRUN poetry config"),
            "{text}"
        );
    }

    #[test]
    fn sources_the_dependencies_need_keep_the_order() {
        for (pyproject, why) in [
            (
                "[project]\nname = \"a\"\ndependencies = [\"lib\"]\n[tool.uv.sources]\nlib = { path = \"libs/lib\" }\n",
                "local source libs/lib",
            ),
            (
                "[project]\nname = \"a\"\ndependencies = [\"lib\"]\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n",
                "workspace",
            ),
            (
                "[project]\nname = \"a\"\ndynamic = [\"dependencies\", \"version\"]\n",
                "dynamic",
            ),
        ] {
            let fx = Fixture::new(&[
                ("pyproject.toml", pyproject),
                ("Dockerfile", "FROM python:3.12\nCOPY . .\nRUN uv sync\n"),
            ]);
            let cx_blocked = fx.fixed(RuleId::DS201);
            assert!(cx_blocked.1.contains(&RuleId::DS201), "{pyproject}");
            assert!(cx_blocked.0.ends_with("COPY . .\nRUN uv sync\n"));
            let report = fx.blocked_reasons(RuleId::DS201).join(" ");
            assert!(report.contains(why), "{report}");
        }
    }

    /// A pnpm workspace whose root manifest never says `workspace:` is
    /// still a workspace: the fix would leave its members' manifests out of
    /// the install. A pnpm-workspace.yaml of settings alone goes with the
    /// lock it shapes.
    #[test]
    fn pnpm_workspaces_hold_back_and_pnpm_settings_go_with_the_lock() {
        let dockerfile = "FROM node:22\nCOPY . .\nRUN pnpm install --frozen-lockfile\n";
        let fx = Fixture::new(&[
            ("package.json", "{\"private\": true}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("pnpm-workspace.yaml", "packages:\n  - apps/*\n"),
            ("apps/web/package.json", "{\"name\": \"web\"}"),
            ("Dockerfile", dockerfile),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS201);
        assert!(
            blocked.contains(&RuleId::DS201) && text == dockerfile,
            "{text}"
        );
        assert!(fx
            .blocked_reasons(RuleId::DS201)
            .join(" ")
            .contains("workspace"));
        let fx = Fixture::new(&[
            ("package.json", "{\"packageManager\": \"pnpm@9.15.9\"}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            (
                "pnpm-workspace.yaml",
                "onlyBuiltDependencies:\n  - esbuild\n",
            ),
            ("Dockerfile", dockerfile),
        ]);
        let (text, _) = fx.fixed(RuleId::DS201);
        assert!(
            text.contains(
                "COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\nRUN pnpm install"
            ),
            "{text}"
        );
    }

    /// `env` alone runs no program: nothing after it to read (found by
    /// fuzzing: a heredoc RUN of `env` panicked).
    #[test]
    fn a_command_of_only_wrappers_is_no_virtualenv() {
        assert!(!creates_virtualenv(&["env".to_string()]));
        assert!(!creates_virtualenv(&[]));
        assert!(creates_virtualenv(&[
            "python".into(),
            "-m".into(),
            "venv".into(),
            "/opt/venv".into()
        ]));
    }

    #[test]
    fn husky_hooks_do_not_hold_the_install_back_but_a_git_config_does() {
        let with = |prepare: &str| {
            Fixture::new(&[
                ("package.json", &format!("{{\"scripts\": {{\"start\": \"node index.js\", \"prepare\": \"{prepare}\"}}, \"devDependencies\": {{\"husky\": \"9\"}}}}")),
                ("package-lock.json", "{}"),
                ("Dockerfile", "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"),
            ])
        };
        let (text, blocked) = with("husky").fixed(RuleId::DS201);
        assert!(
            text.contains("COPY package-lock.json package.json ./\nRUN npm ci\nCOPY . .\n"),
            "{text}"
        );
        assert!(!blocked.contains(&RuleId::DS201), "{blocked:?}");
        // Without the clone's .git, `git config` stops the install.
        let git = with("git config core.hooksPath .githooks");
        let why = git.blocked_reasons(RuleId::DS201);
        assert!(
            why[0].contains("`prepare` script runs `git config"),
            "{why:?}"
        );
    }
}
