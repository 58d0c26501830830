//! DS315 tool-unused-at-runtime
//!
//! What it finds: a system package the image installs for a program
//! (curl, wget, git, vim, sqlite3, ffmpeg, a database client...) that
//! nothing in the image runs: not a later step of the image's stages, not
//! its command, entrypoint or the scripts they run, not its healthcheck
//! (the Dockerfile's or compose's), not a shell script of the repository,
//! and not the app's code (`subprocess`, `os.system`, `shutil.which`,
//! `child_process`) or a library it uses (pydub runs ffmpeg).
//! Why it matters: each such package, and what it pulls in, is in every
//! copy of the image and in every vulnerability scan of it, for nothing.
//! Fix: leave it out of the install. Packages dockslim does not know as a
//! program's, shared libraries, and packages named in `packages:` in
//! dockslim.yaml stay.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::runs::programs_of;
use crate::dockerfile::script::Script;
use crate::dockerfile::{shell, Dockerfile, Instruction, Keyword, RunCommand, Stage};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct ToolUnusedAtRuntime;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS315,
    name: "tool-unused-at-runtime",
    severity: Severity::Warning,
    summary: "A package is installed for a program nothing in the image runs.",
    why: "The package and what it pulls in ship in every copy of the image and show up in every vulnerability scan, for a program no step, command, healthcheck, script or line of the app's code runs.",
    fix: "Leave it out of the install (use a debug image, or `docker run` another image, for interactive tools).",
    example: "Before:\n  RUN apt-get update && apt-get install -y --no-install-recommends libpq5 vim curl\nAfter:\n  RUN apt-get update && apt-get install -y --no-install-recommends libpq5",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a program the app runs in a way dockslim cannot see (a command line built at run time, a library not in its list, a tool you use in `docker exec` sessions) is no longer in the image.",
};

/// One package installed in the image for programs nothing runs.
struct Unused<'a> {
    command: RunCommand<'a>,
    /// Index of the package's word in the command.
    index: usize,
    package: String,
}

/// Everything that runs in the image, as program names (the words of
/// every command: `manage.py compilemessages` counts too).
fn programs_run(df: &Dockerfile, stages: &[&Stage], cx: &Context) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let words = |text: &str| -> Vec<String> {
        Script::parse(text)
            .commands
            .iter()
            .flat_map(|c| c.texts())
            .map(|w| basename(&w))
            .collect()
    };
    // Every step of the image's stages but the installs themselves, the
    // command, the entrypoint and the healthcheck.
    for inst in stages.iter().flat_map(|s| s.instructions.iter()) {
        match inst.keyword {
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint => {
                for cmd in inst.commands() {
                    if shell::package_subcommand(&cmd).is_none() {
                        out.extend(cmd.iter().map(|w| basename(w)));
                    }
                }
            }
            Keyword::Healthcheck => match inst.command() {
                Some(crate::dockerfile::Command::Exec(argv)) => {
                    out.extend(argv.iter().map(|w| basename(w)))
                }
                Some(crate::dockerfile::Command::Shell(text)) => out.extend(words(text)),
                None => {}
            },
            _ => {}
        }
    }
    // Compose's commands and healthchecks for the services built from it.
    let compose = cx.project.map_or(&[][..], |p| p.compose.as_slice());
    for service in crate::detect::compose::building(compose, &df.path) {
        for text in service
            .command
            .iter()
            .chain(&service.entrypoint)
            .chain(&service.healthcheck)
        {
            out.extend(words(text));
        }
    }
    // Every shell script of the repository (an entrypoint, a wait-for-it).
    for file in cx.repo.own_files().filter(|f| f.path.ends_with(".sh")) {
        if let Ok(Some(text)) = cx.repo.read_text(&file.path) {
            out.extend(words(&text));
        }
    }
    if let Some(project) = cx.project {
        out.extend(project.runs.iter().map(|r| r.program.clone()));
    }
    if installs_from_git(cx) {
        out.push("git".into());
    }
    out
}

/// Whether an install runs git without saying so: a requirement or a
/// package.json dependency from a git URL, a version read from git
/// (setuptools-scm, hatch-vcs).
fn installs_from_git(cx: &Context) -> bool {
    const MARKS: &[&str] = &[
        "git+",
        "github:",
        "gitlab:",
        "bitbucket:",
        "setuptools_scm",
        "setuptools-scm",
        "hatch-vcs",
        "versioningit",
    ];
    cx.repo
        .own_files()
        .filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            (name.starts_with("requirements") && name.ends_with(".txt"))
                || matches!(
                    name,
                    "pyproject.toml" | "setup.cfg" | "setup.py" | "package.json" | "Pipfile"
                )
        })
        .filter_map(|f| cx.repo.read_text(&f.path).ok().flatten())
        .any(|text| MARKS.iter().any(|m| text.contains(m)))
}

fn basename(word: &str) -> String {
    word.rsplit('/').next().unwrap_or(word).to_string()
}

/// The packages of the image's installs that exist for programs nothing
/// runs.
fn unused<'a>(df: &'a Dockerfile, stages: &[&'a Stage], cx: &Context) -> Vec<Unused<'a>> {
    let run = programs_run(df, stages, cx);
    let mut out = Vec::new();
    for stage in stages {
        for command in stage.run_commands() {
            let Some((sub, pos)) = shell::package_subcommand(&command.words) else {
                continue;
            };
            if !matches!(sub, "install" | "add") {
                continue;
            }
            for (index, word) in shell::package_words(&command.words, pos) {
                let package = word.split('=').next().unwrap_or(word);
                let Some(programs) = programs_of(package) else {
                    continue;
                };
                // The team says the app needs it (`packages:`).
                if cx.config.packages.iter().any(|p| p == package) {
                    continue;
                }
                if programs.iter().any(|p| run.iter().any(|r| r == p)) {
                    continue;
                }
                out.push(Unused {
                    package: package.to_string(),
                    index,
                    command: command.clone(),
                });
            }
        }
    }
    out
}

impl Rule for ToolUnusedAtRuntime {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let stages = df.shipped_stages();
        unused(df, &stages, cx)
            .into_iter()
            .map(|u| {
                Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(u.command.inst.line),
                    format!(
                        "{} is installed, but nothing in the image runs {}",
                        u.package,
                        programs_of(&u.package).unwrap_or_default().join(", ")
                    ),
                )
            })
            .collect()
    }

    /// The package's word leaves the install; an install left with no
    /// package loses its whole RUN when that RUN does nothing else.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let rules_cx = cx.rules_context();
        let stages = cx.shipped();
        let found = unused(cx.df, &stages, &rules_cx);
        let mut by_run: Vec<(&Instruction, Vec<&Unused>)> = Vec::new();
        for u in &found {
            match by_run
                .iter_mut()
                .find(|(i, _)| i.line == u.command.inst.line)
            {
                Some((_, list)) => list.push(u),
                None => by_run.push((u.command.inst, vec![u])),
            }
        }
        by_run
            .into_iter()
            .map(|(inst, list)| fix_run(cx, inst, &list))
            .collect()
    }
}

fn fix_run(cx: &FixContext, inst: &Instruction, list: &[&Unused]) -> Outcome {
    let names: Vec<&str> = list.iter().map(|u| u.package.as_str()).collect();
    let fix = |title: String, edits| {
        Outcome::Fix(Fix {
            rule: DOC.id,
            line: inst.line,
            title,
            reason: format!(
                "nothing in the image runs {}: no later step, command, entrypoint, healthcheck, shell script or line of the app's code",
                list.iter()
                    .flat_map(|u| programs_of(&u.package).unwrap_or_default().iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: false,
        })
    };
    let packages_left = list.iter().all(|u| {
        let (_, pos) = shell::package_subcommand(&u.command.words).unwrap_or(("", 0));
        shell::package_words(&u.command.words, pos).len() > list.len()
    });
    if packages_left {
        let mut edits = Vec::new();
        for u in list {
            let Some(word) = u.command.word(u.index) else {
                return cx.blocked(
                    DOC.id,
                    Some(inst.line),
                    format!(
                        "{} is not written where dockslim can take it out",
                        u.package
                    ),
                );
            };
            edits.push(cx.writer().remove_word(&word.span));
        }
        return fix(
            format!("{} left out of the install", names.join(", ")),
            edits,
        );
    }
    // Nothing else to install: the RUN goes if it only updates, installs
    // and cleans up after apt or apk.
    let only_packages = inst.commands().iter().all(|c| {
        shell::package_subcommand(c).is_some()
            || matches!(
                shell::program(c).1,
                "rm" | "apt-get" | "apt" | "apk" | "true"
            )
    });
    if !only_packages {
        return cx.blocked(DOC.id, Some(inst.line), format!("{} is all this install installs, and line {} does more than install it; take the install out by hand", names.join(", "), inst.line));
    }
    fix(
        format!("the RUN that installs only {} removed", names.join(", ")),
        vec![cx.writer().delete(inst)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    const APP: (&str, &str) = (
        "app.py",
        "import subprocess\nfrom flask import Flask\napp = Flask(__name__)\nsubprocess.run(['ffmpeg', '-version'])\n",
    );

    #[test]
    fn before_and_after() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 vim ffmpeg curl\nHEALTHCHECK CMD curl -f http://127.0.0.1:8000/ || exit 1\nCMD [\"gunicorn\", \"app:app\"]\n",
            ),
        ]);
        let found: Vec<String> = fx
            .check(&ToolUnusedAtRuntime)
            .into_iter()
            .map(|f| f.message)
            .collect();
        // libpq5 is a library, ffmpeg the code runs, curl the healthcheck.
        assert_eq!(
            found,
            ["vim is installed, but nothing in the image runs vim, vi, vimdiff"]
        );
        let (text, _) = fx.fixed(RuleId::DS315);
        assert!(
            text.contains("apt-get install -y --no-install-recommends libpq5 ffmpeg curl\n"),
            "{text}"
        );
    }

    #[test]
    fn a_package_the_team_names_stays() {
        let fx = Fixture::new(&[
            APP,
            ("dockslim.yaml", "packages: [vim]\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y vim\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        assert!(fx.check(&ToolUnusedAtRuntime).is_empty());
    }

    #[test]
    fn git_stays_for_an_install_from_a_git_url() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\ngit+https://github.com/acme/lib.git@v1\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y git\nCOPY . .\nRUN pip install -r requirements.txt\n",
            ),
        ]);
        assert!(fx.check(&ToolUnusedAtRuntime).is_empty());
    }

    #[test]
    fn a_script_or_compose_healthcheck_counts_and_a_lone_install_goes() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            ("wait-for-db.sh", "#!/bin/sh\nuntil pg_isready -h db; do sleep 1; done\nexec \"$@\"\n"),
            (
                "compose.yaml",
                "services:\n  web:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost:8000/\"]\n",
            ),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y postgresql-client wget\nRUN apt-get update && apt-get install -y git \\\n && rm -rf /var/lib/apt/lists/*\nCMD [\"gunicorn\", \"app:app\"]\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS315);
        assert!(
            text.contains("apt-get install -y postgresql-client wget\n"),
            "{text}"
        );
        assert!(!text.contains("git"), "{text}");
    }
}
