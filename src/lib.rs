//! dockslim: reads a repository and writes the Dockerfile and .dockerignore
//! an expert would write for it.
//!
//! The pipeline runs one way, one module per stage:
//! `repo` (what is on disk) -> `detect` (what the project is) ->
//! `dockerfile` (what the existing Dockerfile means) -> `rules` (findings) ->
//! `plan` (decisions) -> `render` (text) -> `output` (diff, reports, apply).
//! `verify` builds and runs images on a real engine to measure a proposal.
//! `cli` parses arguments and drives the stages; `main.rs` only maps the
//! result to an exit code.

pub mod cli;
pub mod config;
pub mod detect;
pub mod dockerfile;
pub mod edit;
pub mod error;
pub mod output;
pub mod per_image;
pub mod plan;
pub mod profile;
pub mod render;
pub mod repo;
pub mod rules;
pub mod subproject;
pub mod units;
pub mod verify;

use std::path::{Path, PathBuf};

use error::{Error, Result};
use output::{FileChange, FileRole};
use repo::dockerignore::DockerIgnore;
use repo::Repo;

/// Where to look and what to override, shared by every command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dir: PathBuf,
    /// A Dockerfile elsewhere than `<dir>/Dockerfile`.
    pub dockerfile: Option<PathBuf>,
    pub profile: Option<String>,
    pub profiles_dir: Option<PathBuf>,
    pub templates_dir: Option<PathBuf>,
    pub sets: Vec<String>,
    /// Only these rules' fixes (`--only`), none of these (`--skip`).
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// Only the fixes that cannot change what the image does.
    pub safe_only: bool,
    /// The folder whose compose files build this image, when it is above
    /// `dir` (a service built from `./api`).
    pub compose_root: Option<PathBuf>,
}

/// Everything read and found, before any decision.
pub struct Analysis {
    pub repo: Repo,
    pub project: detect::Project,
    pub dockerfile: Option<dockerfile::Dockerfile>,
    /// Where the Dockerfile is (or would be written).
    pub dockerfile_path: PathBuf,
    pub dockerfile_shown: String,
    pub ignore: DockerIgnore,
    pub ignore_text: Option<String>,
    pub ignore_path: PathBuf,
    pub ignore_shown: String,
    pub config: config::Loaded,
    pub profile: profile::Profile,
    /// The build context under today's ignore file.
    pub context: repo::context::Measure,
    pub secrets: Vec<repo::secrets::SecretFile>,
    pub findings: Vec<rules::Finding>,
    /// The image's project is a folder of its build context.
    pub narrowed: Option<subproject::Narrowed>,
}

/// A proposal: each file beside what is on disk, and why.
pub struct Proposal {
    /// The plan behind generated files (a repository without a Dockerfile).
    pub plan: Option<plan::Plan>,
    pub changes: Vec<FileChange>,
    /// The fixes the edit of an existing Dockerfile applied.
    pub applied: Vec<edit::Applied>,
    /// Fixes that could not be made, and why; their findings stay.
    pub blocked: Vec<edit::Blocked>,
    /// Commands to run before building (a relock after a pyproject.toml
    /// edit, since the Dockerfile installs from the lock).
    pub before_build: Vec<String>,
    /// Things the user should know that are not findings (a setting that
    /// does not apply here).
    pub warnings: Vec<String>,
}

impl Proposal {
    /// The proposed file with this role (the first, when there are several).
    pub fn change(&self, role: FileRole) -> Option<&FileChange> {
        self.changes.iter().find(|c| c.role == role)
    }

    /// The proposed Dockerfile.
    pub fn dockerfile(&self) -> &FileChange {
        self.change(FileRole::Dockerfile)
            .expect("every proposal has a Dockerfile")
    }

    /// What the proposal changes that can change what the image does: the
    /// unsafe fixes applied, each with what it risks.
    pub fn behaviour_changes(&self) -> Vec<String> {
        self.applied
            .iter()
            .filter(|a| a.safety == edit::Safety::Unsafe)
            .map(|a| format!("{} {}: {}", a.rule, a.title, a.risk))
            .collect()
    }
}

/// A path as the user sees it: relative to the repository when inside it.
fn shown(repo_root: &Path, path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(repo_root) {
        return rel.display().to_string();
    }
    // `--dockerfile` is relative to the working directory, the repository
    // may be `.`: compare where both really are.
    let real_root = repo_root.canonicalize();
    let real_parent = path.parent().and_then(|p| p.canonicalize().ok());
    if let (Ok(root), Some(parent), Some(name)) = (real_root, real_parent, path.file_name()) {
        if let Ok(rel) = parent.join(name).strip_prefix(root) {
            return rel.display().to_string();
        }
    }
    path.display().to_string()
}

/// Reads a file Docker reads (the Dockerfile, its ignore file). Inside the
/// repository, under the repository's rules: a link out of it, a FIFO or a
/// device is an error naming the file. Outside it (`--dockerfile
/// ../Dockerfile`), the user chose the path, so a link is followed; the
/// other rules hold.
/// Either is at most `MAX_DOCKER_BYTES`.
fn read_docker_input(repo: &Repo, path: &Path, shown: &str) -> Result<Option<String>> {
    let max = repo::read::MAX_DOCKER_BYTES;
    if Path::new(shown).is_relative() {
        repo.read_text_at_most(shown, max)
    } else {
        repo::read_text_file_at_most(path, shown, max)
    }
}

/// The most instructions dockslim reads in a Dockerfile. Real ones have a
/// few dozen (the largest we know of, a few hundred). Rules and the edit
/// engine look at each instruction against the others: 2,000 long RUN
/// lines take about 3 s to rewrite, and 100,000 would take hours.
pub const MAX_INSTRUCTIONS: usize = 2_000;

/// The most lines dockslim reads in a .dockerignore (real ones have a few
/// dozen to a few hundred; each line is matched against every file), and
/// the longest line (a path is at most 4,096 bytes on Linux).
pub const MAX_IGNORE_LINES: usize = 5_000;
pub const MAX_IGNORE_LINE_BYTES: usize = 4_096;
/// The most wildcards (`*`, `?`, `[`) in a .dockerignore: each compiles into
/// the matcher, about 5 kB of memory apiece (128,000 of them took 600 MB
/// and 16 s); real files have a few dozen.
pub const MAX_IGNORE_WILDCARDS: usize = 10_000;

/// An error when the ignore file `text` is larger than those bounds.
fn check_ignore_size(text: &str, shown: &str) -> Result<()> {
    let lines = text.lines().count();
    if lines > MAX_IGNORE_LINES {
        return Err(Error::input(
            shown,
            None,
            format!("has {lines} lines, more than the {MAX_IGNORE_LINES} dockslim reads"),
            "no real ignore file has this many: check that this is the file you meant",
        ));
    }
    let wildcards = text
        .bytes()
        .filter(|b| matches!(b, b'*' | b'?' | b'['))
        .count();
    if wildcards > MAX_IGNORE_WILDCARDS {
        return Err(Error::input(
            shown,
            None,
            format!("has {wildcards} wildcards (`*`, `?`, `[`), more than the {MAX_IGNORE_WILDCARDS} dockslim matches"),
            "no real ignore file has this many: a folder name (`node_modules`) covers what many patterns list",
        ));
    }
    if let Some((i, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.len() > MAX_IGNORE_LINE_BYTES)
    {
        return Err(Error::input(
            shown,
            Some(i + 1),
            format!(
                "is {} bytes long, more than the {MAX_IGNORE_LINE_BYTES} of the longest path",
                line.len()
            ),
            "no pattern needs this many: one pattern per line",
        ));
    }
    Ok(())
}

/// An error when `df` has more than `MAX_INSTRUCTIONS` instructions.
fn check_size(df: &dockerfile::Dockerfile) -> Result<()> {
    let count = df.instructions().count();
    if count > MAX_INSTRUCTIONS {
        return Err(Error::input(
            &df.path,
            None,
            format!("has {count} instructions, more than the {MAX_INSTRUCTIONS} dockslim reads"),
            "no real Dockerfile has this many: check that this is the file you meant",
        ));
    }
    Ok(())
}

/// The repository, its configuration, and the two files Docker reads from
/// it (the Dockerfile and the ignore file that applies to it).
pub struct Sources {
    pub repo: Repo,
    pub config: config::Loaded,
    pub dockerfile: Option<dockerfile::Dockerfile>,
    pub dockerfile_path: PathBuf,
    pub dockerfile_shown: String,
    pub ignore: DockerIgnore,
    pub ignore_text: Option<String>,
    pub ignore_path: PathBuf,
    pub ignore_shown: String,
    /// The image's project is a folder of its build context: `repo` is that
    /// folder, `dockerfile` reads as if it were the context.
    pub narrowed: Option<subproject::Narrowed>,
}

/// Reads the repository, its configuration, Dockerfile and ignore file.
pub fn read_sources(opts: &Options) -> Result<Sources> {
    let mut repo = Repo::open(&opts.dir)?;
    if let Some(root) = &opts.compose_root {
        repo = repo.with_compose_root(root);
    }
    let config = config::load(&repo, &opts.sets)?;

    let (dockerfile_path, explicit) = match &opts.dockerfile {
        Some(p) => (
            if p.is_absolute() {
                p.clone()
            } else {
                std::env::current_dir()
                    .map_err(|e| Error::io(".", e))?
                    .join(p)
            },
            true,
        ),
        None => {
            let lower = repo.root.join("dockerfile");
            let path = if !repo.root.join("Dockerfile").exists() && lower.is_file() {
                lower
            } else {
                repo.root.join("Dockerfile")
            };
            (path, false)
        }
    };
    let dockerfile_shown = shown(&repo.root, &dockerfile_path);
    let dockerfile = match read_docker_input(&repo, &dockerfile_path, &dockerfile_shown)? {
        Some(text) => {
            let df = dockerfile::Dockerfile::parse(&text, &dockerfile_shown)?;
            check_size(&df)?;
            Some(df)
        }
        None => None,
    };
    if explicit && dockerfile.is_none() {
        return Err(Error::usage(
            format!(
                "--dockerfile {}: no such file",
                opts.dockerfile.as_ref().unwrap().display()
            ),
            "the path of --dockerfile is relative to the current folder, as `docker build -f` takes it",
        ));
    }

    // Docker reads `<Dockerfile name>.dockerignore` beside the Dockerfile
    // instead of the root .dockerignore when it exists.
    let specific = dockerfile_path
        .file_name()
        .map(|n| dockerfile_path.with_file_name(format!("{}.dockerignore", n.to_string_lossy())));
    let ignore_path = match specific {
        Some(p) if p.is_file() => p,
        _ => repo.root.join(".dockerignore"),
    };
    let ignore_shown = shown(&repo.root, &ignore_path);
    let ignore_text = read_docker_input(&repo, &ignore_path, &ignore_shown)?;
    let ignore = match &ignore_text {
        Some(text) => {
            check_ignore_size(text, &ignore_shown)?;
            DockerIgnore::parse(text, &ignore_shown)?
        }
        None => DockerIgnore::default(),
    };

    let sources = Sources {
        repo,
        config,
        dockerfile,
        dockerfile_path,
        dockerfile_shown,
        ignore,
        ignore_text,
        ignore_path,
        ignore_shown,
        narrowed: None,
    };
    subproject::narrow(sources)
}

/// Reads the repository, its Dockerfile and ignore file, and runs the rules.
pub fn analyze(opts: &Options) -> Result<Analysis> {
    let mut sources = read_sources(opts)?;
    let env = sources
        .dockerfile
        .as_ref()
        .map(|df| df.deployed_env())
        .unwrap_or_default();
    let mut project = detect::Project::detect_for_analysis(
        &sources.repo,
        &sources.config.config,
        &env,
        sources.dockerfile.as_ref().is_some_and(|df| {
            // Built on Node or Bun: a package.json beside a Python
            // project is the project the image runs.
            let image = dockerfile::image::ImageRef::parse(&df.image_base());
            image.is_node() || image.is_bun()
        }),
    )?;
    if let Some(df) = &mut sources.dockerfile {
        df.target = image_target(df, &sources.config.config, &project.compose)?;
    }
    if project.unsupported.is_none() {
        let foreign = sources.config.config.foreign_to(project.stack);
        if !foreign.is_empty() {
            let stack = match project.stack {
                detect::Stack::Python => "a Python project",
                detect::Stack::Node => "a Node project",
            };
            return Err(Error::usage(
                format!(
                    "{} {} set, but this is {stack}, for which {} nothing",
                    foreign.join(", "),
                    if foreign.len() == 1 { "is" } else { "are" },
                    if foreign.len() == 1 {
                        "it means"
                    } else {
                        "they mean"
                    }
                ),
                format!(
                    "remove {} from the configuration",
                    if foreign.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
    }
    if let Some(df) = &sources.dockerfile {
        project
            .python
            .ml
            .note_base_image(&df.path, df.image_stage().line, &df.image_base());
    }
    let mut analysis = analyze_sources(sources, project, opts)?;
    if let Some(narrowed) = &analysis.narrowed {
        narrowed.widen_findings(&mut analysis.findings, &analysis.repo);
        let ignored = &analysis.config.config.ignore;
        if !ignored.iter().any(|i| i.eq_ignore_ascii_case("DS101")) {
            analysis.findings.extend(narrowed.secrets_outside());
        }
    }
    Ok(analysis)
}

/// The stage of the Dockerfile that is the image, when something outside
/// the file names it: the configuration's `target`, else the target the
/// compose services that build this Dockerfile give (one not named for
/// development).
fn image_target(
    df: &dockerfile::Dockerfile,
    config: &config::Config,
    services: &[detect::compose::Service],
) -> Result<Option<String>> {
    let names: Vec<String> = df.stages.iter().filter_map(|s| s.alias.clone()).collect();
    if let Some(t) = &config.target {
        if df.stage_named(t).is_none() {
            return Err(Error::usage(
                format!("target = `{t}`: {} has no stage of that name", df.path),
                if names.is_empty() {
                    "its stages have no names: name one with FROM image AS NAME".to_string()
                } else {
                    crate::error::did_you_mean(t, names.iter().map(|n| n.as_ref()), "stages")
                },
            ));
        }
        return Ok(Some(t.clone()));
    }
    Ok(detect::compose::building(services, &df.path)
        .into_iter()
        .filter_map(|s| s.build.as_ref()?.target.clone())
        .find(|t| df.stage_named(t).is_some() && !dockerfile::stages::is_dev_name(t)))
}

/// The rest of `analyze`, for callers that read the sources and detected
/// the project themselves.
pub fn analyze_sources(
    sources: Sources,
    project: detect::Project,
    opts: &Options,
) -> Result<Analysis> {
    let Sources {
        repo,
        config,
        dockerfile,
        dockerfile_path,
        dockerfile_shown,
        ignore,
        ignore_text,
        ignore_path,
        ignore_shown,
        narrowed,
    } = sources;
    let profiles = profile::ProfileSource::new(opts.profiles_dir.as_deref())?;
    let profile_name = opts
        .profile
        .clone()
        .or_else(|| config.config.profile.clone())
        .unwrap_or_else(|| {
            match project.stack {
                detect::Stack::Node => "node",
                detect::Stack::Python => "python",
            }
            .to_string()
        });
    let profile = profiles.load(&profile_name)?;

    let context = repo::context::measure(&repo, &ignore);
    let secrets = repo::secrets::scan(&repo);
    let cx = rules::Context {
        repo: &repo,
        profile: &profile,
        project: project.unsupported.is_none().then_some(&project),
        dockerfile: dockerfile.as_ref(),
        ignore: &ignore,
        ignore_file: &ignore_shown,
        context: &context,
        secrets: &secrets,
        config: &config.config,
    };
    let findings = rules::check(&cx, &config.config.ignore);
    Ok(Analysis {
        repo,
        project,
        dockerfile,
        dockerfile_path,
        dockerfile_shown,
        ignore,
        ignore_text,
        ignore_path,
        ignore_shown,
        config,
        profile,
        context,
        secrets,
        findings,
        narrowed,
    })
}

/// Decides the proposal for an analysed repository: edits of its
/// Dockerfile when it has one, generated files when it has none.
pub fn propose(analysis: &Analysis, opts: &Options) -> Result<Proposal> {
    // A misspelt rule id is an error whether or not there is a Dockerfile
    // for the fixes to edit: said once, never silently ignored.
    selection(analysis, opts)?;
    let proposal = match &analysis.dockerfile {
        Some(df) => propose_edits(analysis, df, opts)?,
        None => propose_generated(analysis, opts)?,
    };
    match &analysis.narrowed {
        Some(narrowed) => narrowed.widen(proposal),
        None => Ok(proposal),
    }
}

fn inputs<'a>(
    analysis: &'a Analysis,
    dockerfile: Option<&'a dockerfile::Dockerfile>,
) -> plan::Inputs<'a> {
    plan::Inputs {
        repo: &analysis.repo,
        project: &analysis.project,
        dockerfile,
        ignore: &analysis.ignore,
        ignore_text: analysis.ignore_text.as_deref(),
        findings: &analysis.findings,
        context: &analysis.context,
        secrets: &analysis.secrets,
        profile: &analysis.profile,
        config: &analysis.config.config,
    }
}

/// The fixes to run: the command line's `--only`, `--skip` and
/// `--safe-only` over the configuration's `fixes`, `skip-fixes` and
/// `unsafe-fixes`.
fn selection(analysis: &Analysis, opts: &Options) -> Result<edit::Selection> {
    let config = &analysis.config.config;
    let ids = |names: &[String], what: &str| -> Result<Vec<rules::RuleId>> {
        names
            .iter()
            .flat_map(|n| n.split(','))
            .filter(|n| !n.trim().is_empty())
            .map(|n| {
                rules::RuleId::parse(n).ok_or_else(|| {
                    let ids: Vec<&str> = rules::all().iter().map(|r| r.doc().id.as_str()).collect();
                    Error::usage(
                        format!("{what} `{}`: no such rule", n.trim()),
                        format!(
                            "{} (`dockslim explain --all` lists every rule)",
                            crate::error::did_you_mean(n.trim(), ids.iter().copied(), "rules")
                        ),
                    )
                })
            })
            .collect()
    };
    let mut only = ids(&config.fixes, "fixes")?;
    let mut skip = ids(&config.skip_fixes, "skip-fixes")?;
    if !opts.only.is_empty() {
        only = ids(&opts.only, "--only")?;
    }
    skip.extend(ids(&opts.skip, "--skip")?);
    Ok(edit::Selection {
        only,
        skip,
        safe_only: opts.safe_only || config.unsafe_fixes == Some(false),
    })
}

/// An existing Dockerfile, edited fix by fix; its ignore file completed.
fn propose_edits(
    analysis: &Analysis,
    df: &dockerfile::Dockerfile,
    opts: &Options,
) -> Result<Proposal> {
    let inputs = inputs(analysis, Some(df));
    let selection = selection(analysis, opts)?;
    let rewritten = edit::rewrite(df, &inputs, &selection, opts.templates_dir.as_deref())?;
    let edited = dockerfile::Dockerfile::parse(&rewritten.text, &analysis.dockerfile_shown)
        .map_err(|e| Error::bug(format!("the edited Dockerfile does not parse: {e}")))?;
    let reasons: Vec<plan::Decision> = rewritten
        .applied
        .iter()
        .map(edit::Applied::decision)
        .collect();
    let mut changes = vec![FileChange {
        role: FileRole::Dockerfile,
        path: analysis.dockerfile_shown.clone(),
        abs: analysis.dockerfile_path.clone(),
        old: Some(df.file_text()),
        new: rewritten.text.clone(),
        reasons,
    }];
    let mut decisions = Vec::new();
    if let Some(ignore) = plan::dockerignore::for_edited(&inputs, &edited, &mut decisions) {
        changes.push(FileChange {
            role: FileRole::DockerIgnore,
            path: analysis.ignore_shown.clone(),
            abs: analysis.ignore_path.clone(),
            old: analysis.ignore_text.clone(),
            new: render::dockerignore(&ignore, opts.templates_dir.as_deref())?,
            reasons: decisions,
        });
    }
    let mut before_build = Vec::new();
    for file in &rewritten.files {
        let role = if file.path.ends_with("pyproject.toml") {
            FileRole::Pyproject
        } else {
            FileRole::BuildInput
        };
        if let Some(relock) = &file.before_build {
            before_build.push(relock.clone());
        }
        changes.push(FileChange {
            role,
            path: file.path.clone(),
            abs: analysis.repo.abs(&file.path),
            old: analysis.repo.read_text(&file.path)?,
            new: file.text.clone(),
            reasons: rewritten
                .applied
                .iter()
                .filter(|a| a.files.contains(&file.path))
                .map(edit::Applied::decision)
                .collect(),
        });
    }
    let warnings = analysis
        .config
        .config
        .generated_only()
        .into_iter()
        .map(|key| format!("`{key}` shapes the Dockerfile `init` writes; {} keeps its own choice (the setting is not used for an edit)", analysis.dockerfile_shown))
        .collect();
    Ok(Proposal {
        plan: None,
        changes,
        applied: rewritten.applied,
        blocked: rewritten.blocked,
        before_build,
        warnings,
    })
}

/// The files from the templates (a repository without a Dockerfile, and
/// `init`): the plan, rendered. An existing Dockerfile is not read.
pub fn propose_generated(analysis: &Analysis, opts: &Options) -> Result<Proposal> {
    if let Some(refusal) = &analysis.project.unsupported {
        return Err(Error::unsupported(&refusal.why, &refusal.hint));
    }
    let inputs = inputs(analysis, None);
    let plan = plan::build(&inputs)?;
    let rendered = render::render(&plan, opts.templates_dir.as_deref())?;
    // What we emit must read back as a Dockerfile; anything else is our bug.
    let frontend_dockerfile = rendered.frontend.as_ref().map(|f| f.dockerfile.as_str());
    for text in std::iter::once(rendered.dockerfile.as_str()).chain(frontend_dockerfile) {
        dockerfile::Dockerfile::parse(text, "generated Dockerfile").map_err(|e| {
            // Templates of the user's own (--templates-dir) are their input;
            // ours must always render a Dockerfile.
            match opts.templates_dir.as_deref() {
                Some(dir) => Error::usage(
                    format!("the templates in {} render a Dockerfile that does not parse: {e}", dir.display()),
                    "fix the template that wrote that line, or run without --templates-dir to see dockslim's own",
                ),
                None => Error::bug(format!("the generated Dockerfile does not parse: {e}")),
            }
        })?;
    }
    let reasons = |file: &str| {
        plan.decisions
            .iter()
            .filter(|d| d.file == file)
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut changes = vec![
        FileChange {
            role: FileRole::Dockerfile,
            path: analysis.dockerfile_shown.clone(),
            abs: analysis.dockerfile_path.clone(),
            old: None,
            new: rendered.dockerfile,
            reasons: reasons("Dockerfile"),
        },
        FileChange {
            role: FileRole::DockerIgnore,
            path: analysis.ignore_shown.clone(),
            abs: analysis.ignore_path.clone(),
            old: analysis.ignore_text.clone(),
            new: rendered.dockerignore,
            reasons: reasons(".dockerignore"),
        },
    ];
    // Other files the proposal writes, each beside what is on disk.
    let mut other = |role: FileRole, path: &str, new: String, reasons_of: &str| -> Result<()> {
        changes.push(FileChange {
            role,
            path: path.to_string(),
            abs: analysis.repo.abs(path),
            old: analysis.repo.read_text(path)?,
            new,
            reasons: reasons(reasons_of),
        });
        Ok(())
    };
    let mut before_build = Vec::new();
    if let Some(edit) = &plan.pyproject {
        other(
            FileRole::Pyproject,
            &edit.file,
            edit.new.clone(),
            "pyproject.toml",
        )?;
        before_build.extend(edit.relock.clone());
    }
    if let (Some(config), Some(text)) = (&plan.server_config, rendered.server_config) {
        other(FileRole::BuildInput, &config.path, text, &config.path)?;
    }
    if let Some(edit) = &plan.next_config {
        other(
            FileRole::BuildInput,
            &edit.file,
            edit.new.clone(),
            &edit.file,
        )?;
    }
    if let Some(edit) = &plan.compose {
        other(FileRole::Compose, &edit.file, edit.new.clone(), &edit.file)?;
    }
    if let (Some(f), Some(r)) = (&plan.frontend, rendered.frontend) {
        other(
            FileRole::Frontend,
            &f.dockerfile,
            r.dockerfile,
            &f.dockerfile,
        )?;
        other(
            FileRole::Frontend,
            &f.ignore_file,
            r.dockerignore,
            &f.ignore_file,
        )?;
        other(
            FileRole::BuildInput,
            &f.server_config.path,
            r.server_config,
            &f.server_config.path,
        )?;
    }
    Ok(Proposal {
        plan: Some(plan),
        changes,
        applied: Vec::new(),
        blocked: Vec::new(),
        before_build,
        warnings: Vec::new(),
    })
}

/// The detection summary shown at the top of every report.
pub fn detected_summary(
    analysis: &Analysis,
    plan: Option<&plan::Plan>,
) -> Vec<output::report::Detected> {
    use output::report::Detected;
    let py = &analysis.project.python;
    let mut out = Vec::new();
    let mut push = |what: &str, value: String| {
        out.push(Detected {
            what: what.into(),
            value,
        })
    };
    let node = analysis.project.node.as_ref();
    let stack = match py.web.targets.first() {
        _ if analysis.project.unsupported.is_some() => {
            format!(
                "not supported: {}",
                analysis
                    .project
                    .unsupported
                    .as_ref()
                    .map_or("", |r| r.why.as_str())
            )
        }
        Some(t) if t.framework == detect::framework::Framework::Mcp && py.web.mcp.is_some() => {
            let server = py.web.mcp.as_ref().unwrap();
            format!(
                "MCP server `{}` at {}:{} ({}, transport {}), started at {}:{}",
                server.object,
                server.file,
                server.line,
                server.sdk.name(),
                server.transport.name(),
                t.file,
                t.line
            )
        }
        Some(t) => format!(
            "{} ({}) app {} at {}:{}",
            t.framework.name(),
            t.interface.name(),
            t.spec(),
            t.file,
            t.line
        ),
        None => match node {
            Some(n) => format!(
                "{} ({}) in {}",
                n.app.framework(),
                match &n.app {
                    detect::node::NodeApp::Static { output, .. } =>
                        format!("static site built to {}", n.path(output)),
                    detect::node::NodeApp::NextServer { .. } => "Next.js server".into(),
                    detect::node::NodeApp::Server { .. }
                        if n.manager == detect::node::NodeManager::Bun =>
                    {
                        "Bun server".into()
                    }
                    detect::node::NodeApp::Server { .. } => "Node server".into(),
                },
                n.manifest()
            ),
            None => "Python, no web app object found".into(),
        },
    };
    push("stack", stack);
    let supported = analysis.project.unsupported.is_none();
    if let (true, Some(n)) = (supported, node) {
        push(
            "dependencies",
            format!(
                "{}, {} ({} dependencies, {} devDependencies)",
                n.manager.name(),
                n.manager_from,
                n.dependencies.len(),
                n.dev_dependencies.len()
            ),
        );
        if let Some(ws) = &n.workspace {
            push(
                "workspace",
                format!(
                    "{} workspace of {} members ({}); the image is for {} ({}): {}",
                    n.manager.program(),
                    ws.members.len(),
                    ws.declared_at,
                    ws.member.name,
                    ws.member.dir,
                    ws.chosen_because
                ),
            );
        }
    }
    if supported && node.is_none() {
        push(
            "dependencies",
            match py.manager {
                detect::Manager::Pip => format!(
                    "pip, {} ({} requirements in {})",
                    py.requirements.entry,
                    py.requirements.requirements.len(),
                    py.requirements.files.join(", ")
                ),
                manager => match &py.lock {
                    Some(lock) => format!(
                        "{}, {} ({} dependencies; {} packages locked in {lock})",
                        manager.name(),
                        py.requirements.entry,
                        py.requirements.requirements.len(),
                        py.locked.len(),
                    ),
                    None => format!(
                        "{}, {} ({} dependencies; no {}, so the build resolves them)",
                        manager.name(),
                        py.requirements.entry,
                        py.requirements.requirements.len(),
                        manager.lock_file().unwrap_or_default(),
                    ),
                },
            },
        );
        if let Some(ws) = &py.workspace {
            push(
                "workspace",
                format!(
                    "uv workspace of {} members; the image is for {} ({})",
                    ws.members.len(),
                    ws.package,
                    ws.reason
                ),
            );
        }
        push(
            "server",
            if py.servers.is_empty() {
                "none in the requirements".into()
            } else {
                py.servers
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
    }
    if let Some(plan) = plan {
        use crate::plan::Topic;
        for topic in [
            Topic::BaseImage,
            Topic::NodeImage,
            Topic::BunImage,
            Topic::Frontend,
            Topic::Port,
            Topic::Healthcheck,
        ] {
            if let Some(d) = plan.decisions.iter().find(|d| d.topic == topic) {
                push(&topic.to_string(), d.choice.clone());
            }
        }
    }
    push(
        "dockerfile",
        analysis.dockerfile.as_ref().map_or("none".into(), |d| {
            format!(
                "{} ({} stage{})",
                d.path,
                d.stages.len(),
                if d.stages.len() == 1 { "" } else { "s" }
            )
        }),
    );
    push(
        "dockerignore",
        if analysis.ignore_text.is_some() {
            format!(
                "{} ({} patterns)",
                analysis.ignore_shown,
                analysis.ignore.patterns.len()
            )
        } else {
            "none".into()
        },
    );
    if !analysis.config.sources.is_empty() {
        push("configuration", analysis.config.sources.join(", "));
    }
    if supported
        && node.is_none()
        && analysis.project.frontend.is_none()
        && !analysis.project.node_manifests.is_empty()
    {
        push(
            "also found",
            format!(
                "{} (Node; not part of this image)",
                analysis.project.node_manifests.join(", ")
            ),
        );
    }
    out
}
