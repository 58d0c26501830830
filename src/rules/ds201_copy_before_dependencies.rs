//! DS201 copy-before-dependencies
//!
//! What it finds: a COPY of the whole build context before the step that
//! installs dependencies (pip, npm, yarn, pnpm, poetry, uv).
//! Why it matters: any source edit changes the copied files, which
//! invalidates the cache of every later layer, so each build reinstalls all
//! dependencies from scratch.
//! Fix: copy only the manifests (requirements*.txt, pyproject.toml and its
//! lock, package.json and its lock), install, then copy the source.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
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
            | ("poetry", "install")
            | ("uv", "sync")
            | ("pipenv", "install")
    )
}

/// The whole-context copy and the first install after it, per stage.
fn offence(stage: &Stage) -> Option<(&Instruction, &Instruction)> {
    let copy = stage
        .instructions
        .iter()
        .find(|i| i.copies_whole_context())?;
    let install = stage.runs().into_iter().find(|(inst, cmds)| {
        inst.line > copy.line && cmds.iter().any(|c| installs_dependencies(c))
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

fn reorder(
    cx: &FixContext,
    stage: &Stage,
    copy: &Instruction,
    install: &Instruction,
) -> Result<Fix, String> {
    let commands = install.commands();
    if !commands
        .iter()
        .all(|c| installs_dependencies(c) || is_housekeeping(c))
    {
        return Err(format!(
            "line {} does more than install dependencies; put the install in a RUN of its own",
            install.line
        ));
    }
    // What lies between the copy and the install.
    let between: Vec<&Instruction> = stage
        .instructions
        .iter()
        .filter(|i| i.line > copy.line && i.line < install.line)
        .collect();
    let mut moved: Vec<&Instruction> = Vec::new();
    for inst in &between {
        match inst.keyword {
            Keyword::Workdir | Keyword::User | Keyword::Shell => {
                return Err(format!(
                    "line {} changes {} between the copy and the install",
                    inst.line, inst.keyword
                ));
            }
            Keyword::Env | Keyword::Arg => moved.push(inst),
            Keyword::Run => {
                let cmds = inst.commands();
                if cmds
                    .iter()
                    .all(|c| shell::package_subcommand(c).is_some() || is_housekeeping(c))
                {
                    moved.push(inst);
                } else if cmds.iter().flatten().any(|w| {
                    w.contains("pip")
                        || w.contains("npm")
                        || w.contains("PIP_")
                        || w.contains("venv")
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
    moved.push(install);
    let manifests = manifests(cx, stage, copy, install)?;
    let w = cx.writer();
    let mut block = String::new();
    for inst in &moved {
        if inst.line == install.line {
            block.push_str(&manifests);
            block.push('\n');
        }
        block.push_str(&w.moved_text(inst).replace("\r\n", "\n"));
    }
    let mut edits = vec![w.insert_before(copy, block.trim_end_matches('\n'))];
    edits.extend(moved.iter().map(|i| w.delete(i)));
    Ok(Fix {
        rule: DOC.id,
        line: copy.line,
        title: format!("install at line {} before `{}`", install.line, copy.source.lines().next().unwrap_or("")),
        reason: format!(
            "the install reads only its manifests, so it gets them alone ({}) and a source edit reuses its cached layer",
            manifests.lines().map(|l| l.trim_start_matches("COPY ")).collect::<Vec<_>>().join("; ")
        ),
        safety: Safety::Safe,
        edits,
        files: vec![],
        reshapes: false,
    })
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
        _ => false,
    }
}

/// The COPY lines that bring exactly what the install reads, at the
/// places the copy of the whole context puts them.
fn manifests(
    cx: &FixContext,
    stage: &Stage,
    copy: &Instruction,
    install: &Instruction,
) -> Result<String, String> {
    let Args::Copy { dest, .. } = &copy.args else {
        return Err("the copy is not a COPY".into());
    };
    let workdir = stage.workdir_at(install.line);
    let dest_abs = if dest.starts_with('/') {
        dest.clone()
    } else {
        format!(
            "{}/{}",
            workdir.trim_end_matches('/'),
            dest.trim_start_matches("./")
        )
    };
    let dest_abs = crate::repo::dockerignore::go_clean(&dest_abs);
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
                    format!("{}/{f}", workdir.trim_end_matches('/'))
                };
                let abs = crate::repo::dockerignore::go_clean(&abs);
                let rel = abs
                    .strip_prefix(&format!("{}/", dest_abs.trim_end_matches('/')))
                    .ok_or_else(|| {
                        format!(
                            "pip reads {f}, which the copy at line {} does not bring",
                            copy.line
                        )
                    })?;
                let set =
                    crate::detect::requirements::read_set(repo, rel).map_err(|e| e.to_string())?;
                files.extend(set.files);
            }
            continue;
        }
        let (i, prog) = shell::program(&c);
        match prog {
            "npm" | "yarn" | "pnpm" => files.extend(node_manifests(cx)?),
            "uv" | "poetry" | "pipenv" => {
                return Err(format!("`{prog} {}` installs the project from its source too; dockslim does not split it yet", c.get(i + 1).map_or("", |s| s.as_str())));
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(format!(
            "the install at line {} reads no file dockslim can name",
            install.line
        ));
    }
    files.sort();
    files.dedup();
    let in_workdir = dest_abs.trim_end_matches('/') == workdir.trim_end_matches('/');
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for f in files {
        let folder = f.rfind('/').map(|i| &f[..i]);
        let target = match (folder, in_workdir) {
            (Some(d), true) => format!("{d}/"),
            (None, true) => "./".to_string(),
            (Some(d), false) => format!("{}/{d}/", dest_abs.trim_end_matches('/')),
            (None, false) => format!("{}/", dest_abs.trim_end_matches('/')),
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
    Ok(groups
        .into_iter()
        .map(|(target, files)| format!("COPY {chown}{} {target}", files.join(" ")))
        .collect::<Vec<_>>()
        .join("\n"))
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
    if json.get("workspaces").is_some()
        || repo.exists("pnpm-workspace.yaml") && text.contains("workspace:")
    {
        return Err("a workspace: its members' package.json files are read too".into());
    }
    if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
        for hook in ["preinstall", "install", "postinstall", "prepare"] {
            if let Some(script) = scripts.get(hook).and_then(|s| s.as_str()) {
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
    }
}
