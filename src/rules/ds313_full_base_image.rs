//! DS313 full-base-image
//!
//! What it finds: the image is built on a full official Python or Node image
//! (`python:3.12`, `node:20-bookworm`), the one made from buildpack-deps with
//! compilers, C headers, git, curl and wget.
//! Why it matters: the full image is about 1 GB; its slim variant has the
//! same interpreter in a tenth of that. The tools are for building, and a
//! running service needs none of them.
//! Fix: the slim tag of the same version and Debian release
//! (`python:3.12-slim`, `python:3.11-slim-bookworm`, `node:20-bookworm-slim`),
//! which exists for every version the full tag exists for; the shared
//! libraries compiled dependencies load at run time (libpq5 for psycopg2)
//! are installed beside it. The fix waits while something the build runs
//! needs a tool only the full image has: DS301 first moves compiling into a
//! builder stage, which keeps the full image.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::image::{full_only, ImageRef};
use crate::dockerfile::script::Script;
use crate::dockerfile::stages::StageGraph;
use crate::dockerfile::{shell, Args, Dockerfile, Keyword, Stage};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct FullBaseImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS313,
    name: "full-base-image",
    severity: Severity::Warning,
    summary: "The image is built on a full Python or Node image, with compilers and build tools.",
    why: "The full images (python:3.12, node:22) carry gcc, C headers, git, curl and wget: about 1 GB that a running service never uses. The slim variant has the same interpreter in a tenth of the size and gives an intruder no toolchain.",
    fix: "Use the slim tag of the same version and Debian release (python:3.12-slim, python:3.11-slim-bookworm, node:20-bookworm-slim) and install the shared libraries compiled dependencies load; compile in a builder stage (DS301).",
    example: "Before:\n  FROM python:3.12\nAfter:\n  FROM python:3.12-slim",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a tool or library the full image had and the image uses without installing it (curl in a script the container runs, a C header a wheel compiles against) is missing; the build or the container then fails where it is used. dockslim checks the RUN steps, the command, the healthcheck and the entrypoint script for such tools and waits when it finds one.",
};

/// The stage whose FROM names the full image, and the image.
fn offence<'a>(df: &'a Dockerfile, graph: &StageGraph) -> Option<(&'a Stage, ImageRef)> {
    let root = &df.stages[*graph.shipped().last()?];
    let image = ImageRef::parse(&df.expand_args(&root.image));
    image.is_full().then_some((root, image))
}

impl Rule for FullBaseImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let Some((root, image)) = offence(df, &StageGraph::of(df)) else {
            return Vec::new();
        };
        let what = if image.is_python() { "Python" } else { "Node" };
        let slim = image
            .slim_tag()
            .map(|t| image.with_tag(&t))
            .unwrap_or_default();
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            Some(root.line),
            format!(
                "{} is the full Debian image, with compilers, headers, git and curl (about 1 GB); {slim} has the same {what} without them",
                df.expand_args(&root.image)
            ),
        )]
    }

    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some((root, image)) = offence(cx.df, &cx.graph) else {
            return Vec::new();
        };
        let line = Some(root.line);
        if image.digest.is_some() {
            return vec![cx.blocked(DOC.id, line, "the image is pinned by digest, which names the full image; pin the slim image's digest instead")];
        }
        let raw = ImageRef::parse(&root.image);
        let Some(slim_tag) = raw.slim_tag() else {
            return vec![cx.blocked(
                DOC.id,
                line,
                "the image's tag comes from an ARG whose value dockslim cannot see",
            )];
        };
        let mut affected = vec![root.index];
        affected.extend(cx.graph.descendants(root.index));
        if let Some(why) = needs_full_image(cx, &affected, image.is_python()) {
            return vec![cx.blocked(DOC.id, line, why)];
        }
        let Args::From { image_span, .. } = &root.from.args else {
            return Vec::new();
        };
        let slim = raw.with_tag(&slim_tag);
        let mut edits = vec![Edit::replace(image_span.clone(), slim.clone())];
        let mut reason = format!(
            "the same {} without compilers, headers and download tools, about 900 MB less; nothing the build, the command, the healthcheck or the entrypoint runs needs them",
            if image.is_python() { "Python" } else { "Node" }
        );
        let missing = crate::edit::facts::runtime_libraries(cx, &image);
        if !missing.is_empty() {
            let because = missing.iter().map(|(_, b)| b.as_str()).collect::<Vec<_>>();
            let packages: Vec<&str> = missing.iter().map(|(p, _)| p.as_str()).collect();
            reason.push_str(&format!(
                "; {} load {} at run time, which the full image had, so they are installed",
                because.join(", "),
                packages.join(" ")
            ));
            edits.push(cx.writer().insert_after(
                &root.from,
                &crate::edit::builder::apt_install_run(&packages),
            ));
        }
        vec![Outcome::Fix(Fix {
            rule: DOC.id,
            line: root.line,
            title: format!("{} -> {slim}", root.image),
            reason,
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: false,
        })]
    }
}

/// Why the stages built on the image still need the full one: a program
/// only it has, used before anything installs it, or a dependency that
/// compiles without its compiler installed.
fn needs_full_image(cx: &FixContext, stages: &[usize], python: bool) -> Option<String> {
    let df = cx.df;
    for &index in stages {
        let chain = cx.graph.chain(index);
        let mut installed: Vec<String> = Vec::new();
        for &s in chain.iter().rev() {
            let stage = &df.stages[s];
            for cmd in stage.run_commands() {
                if let Some(pkgs) = shell::package_install(&cmd.words) {
                    installed.extend(pkgs);
                    continue;
                }
                let program = shell::program(&cmd.words).1.to_string();
                if let Some(pkgs) = full_only(&program) {
                    if !pkgs.iter().any(|p| installed.iter().any(|i| i == p)) {
                        return Some(format!(
                            "line {} runs {program}, which only the full image has; install {} before it",
                            cmd.inst.line, pkgs[0]
                        ));
                    }
                }
                if python && shell::is_pip_install(&cmd.words) {
                    let requirements = &cx.inputs.project.python.requirements;
                    let needs = cx.inputs.profile.native_needs(requirements, "trixie");
                    let compiler_missing = needs
                        .build
                        .iter()
                        .any(|b| b.starts_with("gcc") || b.starts_with("g++"))
                        && !installed
                            .iter()
                            .any(|i| matches!(i.as_str(), "gcc" | "g++" | "build-essential"));
                    if compiler_missing {
                        return Some(format!(
                            "line {} compiles {} with the full image's compiler and headers; DS301 moves that into a builder stage first",
                            cmd.inst.line,
                            needs.because.join(", ")
                        ));
                    }
                }
            }
        }
    }
    // What the image runs: its command, healthcheck and entrypoint script.
    for keyword in [Keyword::Entrypoint, Keyword::Cmd, Keyword::Healthcheck] {
        let Some(inst) = cx.effective(keyword) else {
            continue;
        };
        let Some(command) = inst.command() else {
            continue;
        };
        let mut programs = Vec::new();
        let script = match command {
            crate::dockerfile::Command::Shell(text) => Script::parse(text),
            crate::dockerfile::Command::Exec(words) => Script::parse(
                &shlex::try_join(words.iter().map(String::as_str)).unwrap_or_default(),
            ),
        };
        for c in &script.commands {
            programs.push(shell::program(&c.texts()).1.to_string());
        }
        if let Some(text) = entrypoint_script(cx, &command.words()) {
            for c in &Script::parse(&text).commands {
                programs.push(shell::program(&c.texts()).1.to_string());
            }
        }
        if let Some(p) = programs.iter().find(|p| full_only(p).is_some()) {
            let installed = cx.shipped().iter().flat_map(|s| s.run_commands()).any(|c| {
                shell::package_install(&c.words).is_some_and(|pkgs| {
                    full_only(p)
                        .unwrap()
                        .iter()
                        .any(|f| pkgs.iter().any(|x| x == f))
                })
            });
            if !installed {
                return Some(format!(
                    "the image's {} at line {} runs {p}, which only the full image has",
                    keyword.as_str(),
                    inst.line
                ));
            }
        }
    }
    None
}

/// The text of a repository script the command runs (`./entrypoint.sh`,
/// `sh docker/start.sh`, `/usr/local/bin/docker-entrypoint.sh` copied from
/// the repository under the same file name).
pub fn entrypoint_script(cx: &FixContext, words: &[String]) -> Option<String> {
    let candidate = words
        .iter()
        .take(3)
        .find(|w| w.ends_with(".sh") || w.contains('/'))?;
    let name = candidate.rsplit('/').next()?;
    let repo = cx.inputs.repo;
    let rel = candidate.trim_start_matches("./");
    if let Ok(Some(text)) = repo.read_text(rel) {
        return Some(text);
    }
    let file = repo
        .files
        .iter()
        .find(|f| f.path == name || f.path.ends_with(&format!("/{name}")))?;
    repo.read_text(&file.path).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn full_images_are_found_slim_ones_are_not() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12 AS base\nFROM base\nCMD [\"python\"]\n",
        )]);
        assert_eq!(fx.lines(&FullBaseImage), [Some(1)]);
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM node:22 AS build\nRUN npm ci\nFROM nginx:1.27\n",
        )]);
        assert!(
            fx.check(&FullBaseImage).is_empty(),
            "the build stage is not shipped"
        );
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12-slim\n")]);
        assert!(fx.check(&FullBaseImage).is_empty());
    }
}
