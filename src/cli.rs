//! The command line: argument definitions and one function per command.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::output::report::Report;
use crate::rules::Severity;
use crate::Options;

/// What a command asks `main` to exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Ok,
    /// Exit 1: a check failed (--check, or findings at or above --fail-on).
    CheckFailed,
}

#[derive(Debug, Parser)]
#[command(
    name = "dockslim",
    version,
    about = "Turns a bloated Docker setup into the one an expert would write.",
    long_about = "Turns a bloated Docker setup into the one an expert would write.\n\n\
        dockslim reads a repository (never running its code), works out what it is, \
        and proposes a multi-stage Dockerfile and a .dockerignore, keeping what the \
        existing Dockerfile means, with a reason for every part.\n\n\
        Exit status: 0 fine, 1 a check failed (--check, or findings at or above \
        --fail-on), 2 usage or input error.",
    after_help = "Examples:\n  dockslim rewrite                 # findings and the proposed diff for this folder\n  dockslim rewrite --apply         # write the proposal\n  dockslim rewrite --check --format markdown   # in CI on a pull request\n  dockslim init path/to/new-repo   # starter files for a new repository\n  dockslim explain DS201           # what a finding means"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Show findings and the proposed Dockerfile and .dockerignore as a diff; --apply writes them.
    #[command(
        after_help = "Examples:\n  dockslim rewrite\n  dockslim rewrite services/api --apply\n  dockslim rewrite --check --format markdown > comment.md\n  dockslim rewrite --dockerfile docker/backend/Dockerfile --context . --set port=8080"
    )]
    Rewrite {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        fixes: FixArgs,
        /// Write the proposed files (atomically: temporary file, then rename).
        #[arg(long, conflicts_with = "check")]
        apply: bool,
        /// Exit 1 when the files on disk differ from the proposal (for CI).
        #[arg(long)]
        check: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a starter Dockerfile and .dockerignore for a repository that has none.
    #[command(
        after_help = "Examples:\n  dockslim init\n  dockslim init path/to/new-repo --set port=8080\n  dockslim init --force            # overwrite existing files"
    )]
    Init {
        #[command(flatten)]
        common: Common,
        /// Overwrite an existing Dockerfile or .dockerignore.
        #[arg(long)]
        force: bool,
    },
    /// Show what was detected and the findings, without a proposal.
    #[command(
        after_help = "Examples:\n  dockslim analyze\n  dockslim analyze --format json\n  dockslim analyze --fail-on error   # exit 1 on any error finding"
    )]
    Analyze {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show what Docker sends as build context, today and with the proposed .dockerignore.
    #[command(
        after_help = "Examples:\n  dockslim context\n  dockslim context --list | head     # the paths sent today, sorted\n  dockslim context --format json"
    )]
    Context {
        #[command(flatten)]
        common: Common,
        /// Print only the paths sent today, sorted, one a line.
        #[arg(long)]
        list: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Build the current image and the proposed one on a Docker engine, run both, and compare them.
    #[command(
        after_help = "Builds from temporary copies of the build context (your tree is never touched),\nruns each image on 127.0.0.1, waits for it to become healthy, and removes\neverything it made, also on Ctrl-C. Build logs are kept for failures.\n\nExamples:\n  dockslim verify\n  dockslim verify --probe /healthz --timeout 180\n  dockslim verify --format markdown >> comment.md"
    )]
    Verify {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        fixes: FixArgs,
        /// An HTTP path that answers 2xx when the app is up; used for both
        /// images instead of their HEALTHCHECK.
        #[arg(long)]
        probe: Option<String>,
        /// Seconds each container may take to become healthy.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// When the proposal is not healthy, turn what its logs show into
        /// settings (a folder made writable, a file kept, a package kept) and
        /// verify again, up to three rounds; the report lists each change.
        #[arg(long)]
        repair: bool,
        /// Exit 1 when the proposed image is larger than this (400MB,
        /// 1.5GB, 350MiB); `max-size` in dockslim.yaml.
        #[arg(long, value_name = "SIZE")]
        max_size: Option<crate::units::ByteSize>,
        /// Likewise for its size compressed as a registry stores it;
        /// `max-compressed-size` in dockslim.yaml.
        #[arg(long, value_name = "SIZE")]
        max_compressed_size: Option<crate::units::ByteSize>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the built-in profiles, or show one merged with what it extends.
    #[command(
        after_help = "Examples:\n  dockslim profiles\n  dockslim profiles show python-bookworm\n  dockslim profiles --profiles-dir ./ci/profiles"
    )]
    Profiles {
        #[command(subcommand)]
        action: Option<ProfilesAction>,
        /// A folder of *.yaml profiles that add to or override the built-in ones.
        #[arg(long, global = true)]
        profiles_dir: Option<PathBuf>,
    },
    /// Print a rule's documentation: what it finds, why it matters, the fix.
    #[command(after_help = "Examples:\n  dockslim explain DS201\n  dockslim explain --all")]
    Explain {
        /// The rule id, such as DS201.
        #[arg(required_unless_present = "all")]
        rule: Option<String>,
        /// Every rule, as a Markdown table (the README's list is made from it).
        #[arg(long)]
        all: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  dockslim completions bash > ~/.local/share/bash-completion/completions/dockslim\n  dockslim completions zsh > ~/.zfunc/_dockslim\n  dockslim completions fish > ~/.config/fish/completions/dockslim.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum ProfilesAction {
    /// Show one profile, merged with the profiles it extends.
    Show { name: String },
}

#[derive(Debug, Clone, Args)]
pub struct Common {
    /// The repository folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The Dockerfile to read and rewrite, if not DIR/Dockerfile.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// The build context, as `docker build -f PATH DIR` takes it: another
    /// way to name DIR beside --dockerfile.
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    pub context: Option<PathBuf>,
    /// The profile to use (see `dockslim profiles`).
    #[arg(long)]
    pub profile: Option<String>,
    /// A folder of *.yaml profiles that add to or override the built-in ones.
    #[arg(long)]
    pub profiles_dir: Option<PathBuf>,
    /// A folder of templates that override the built-in ones by file name.
    #[arg(long)]
    pub templates_dir: Option<PathBuf>,
    /// Pin a choice, overriding dockslim.yaml: python, port, command, health,
    /// user.name, user.uid, registry, image.NAME, ignore, cache-mounts, workers.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Exit 1 when any finding is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// One image of a repository that builds several: a compose service,
    /// a Dockerfile's folder, or its path (default: every image).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["dockerfile", "context"])]
    pub service: Option<String>,
    /// Set for each image of a repository that builds several: the folder
    /// whose compose files build it.
    #[arg(skip)]
    pub compose_root: Option<PathBuf>,
}

/// Which fixes edit an existing Dockerfile.
#[derive(Debug, Clone, Args, Default)]
pub struct FixArgs {
    /// Apply only these rules' fixes (comma-separated or repeated: DS301,DS201).
    #[arg(long, value_name = "RULE")]
    pub only: Vec<String>,
    /// Never apply these rules' fixes; their findings stay in the report.
    #[arg(long, value_name = "RULE")]
    pub skip: Vec<String>,
    /// Apply only the fixes that cannot change what the image does (for CI bots).
    #[arg(long)]
    pub safe_only: bool,
}

impl Common {
    fn options(&self) -> Options {
        Options {
            dir: self.context.clone().unwrap_or_else(|| self.dir.clone()),
            dockerfile: self.dockerfile.clone(),
            profile: self.profile.clone(),
            profiles_dir: self.profiles_dir.clone(),
            templates_dir: self.templates_dir.clone(),
            sets: self.sets.clone(),
            compose_root: self.compose_root.clone(),
            ..Options::default()
        }
    }

    fn options_with(&self, fixes: &FixArgs) -> Options {
        Options {
            only: fixes.only.clone(),
            skip: fixes.skip.clone(),
            safe_only: fixes.safe_only,
            ..self.options()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable, coloured on terminals (honours NO_COLOR).
    Text,
    /// Only the unified diff.
    Diff,
    /// The `dockslim-report/1` JSON document.
    Json,
    /// A pull-request comment: findings table, reasons, diffs.
    Markdown,
    /// SARIF 2.1.0 findings for GitHub code scanning (analyze and rewrite).
    Sarif,
}

/// Runs a parsed command line, writing to `out`. An error about a line of
/// a file of the repository quotes that line.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome> {
    let root = cli.repository();
    dispatch(cli, out).map_err(|e| match &root {
        Some(root) => e.quoting_from(root),
        None => e,
    })
}

fn dispatch(cli: Cli, out: &mut dyn Write) -> Result<Outcome> {
    // A repository that builds several images: the command once per image.
    if let (Some(common), Some(format)) = (cli.common(), cli.format().or(Some(Format::Text))) {
        if let Some(runs) = crate::per_image::runs(common)? {
            let root = common.dir.clone();
            // `rewrite --apply` writes nothing unless every image can be
            // planned: a dry run first, whose error (a file that does not
            // parse, a bug) is the run's before any image is written.
            if let Command::Rewrite { apply: true, .. } = &cli.command {
                let mut dry = cli.command.clone();
                if let Command::Rewrite { apply, check, .. } = &mut dry {
                    *apply = false;
                    *check = false;
                }
                crate::per_image::run_each(
                    runs.clone(),
                    format,
                    false,
                    &mut std::io::sink(),
                    &|one, buffer| dispatch_one(dry.clone().with_common(one.clone()), buffer),
                )?;
            }
            let command = cli.command;
            let init = matches!(command, Command::Init { .. });
            let images: Vec<_> = runs.iter().map(|r| r.image.clone()).collect();
            let outcome = crate::per_image::run_each(runs, format, true, out, &|one, buffer| {
                dispatch_one(command.clone().with_common(one.clone()), buffer)
            })?;
            if init {
                crate::per_image::write_compose_for_projects(&root, &images, out)?;
            }
            return Ok(outcome);
        }
    }
    dispatch_one(cli.command, out)
}

fn dispatch_one(command: Command, out: &mut dyn Write) -> Result<Outcome> {
    match command {
        Command::Rewrite {
            common,
            fixes,
            apply,
            check,
            format,
        } => rewrite(&common, &fixes, apply, check, format, out),
        Command::Init { common, force } => init(&common, force, out),
        Command::Analyze { common, format } => analyze(&common, format, out),
        Command::Context {
            common,
            list,
            format,
        } => context(&common, list, format, out),
        Command::Verify {
            common,
            fixes,
            probe,
            timeout,
            repair,
            max_size,
            max_compressed_size,
            format,
        } => verify(
            &common,
            &fixes,
            VerifyArgs {
                probe,
                timeout,
                repair,
                max_size,
                max_compressed_size,
            },
            format,
            out,
        ),
        Command::Profiles {
            action,
            profiles_dir,
        } => profiles(action, profiles_dir, out),
        Command::Explain { rule, all } => explain(rule, all, out),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "dockslim", out);
            Ok(Outcome::Ok)
        }
    }
}

/// A command line clap refused, said as dockslim says every error: the
/// problem, the usage line, and a `hint:` (clap's own suggestion of a
/// similar name when it has one). `--help` and `--version` print as clap
/// prints them, exit 0.
pub fn command_line_error(error: clap::Error) -> std::process::ExitCode {
    use crate::output::escape::shortened;
    use clap::CommandFactory;
    if !error.use_stderr() {
        let _ = error.print();
        return std::process::ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    let mut headline = String::new();
    let mut usage = None;
    let mut tips = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if let Some(first) = line.strip_prefix("error: ") {
            headline = first.to_string();
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if line.starts_with("Usage: ") {
            usage = Some(line.to_string());
        }
    }
    // Rust's number parsing speaks of digits "found in string".
    let headline = headline
        .replace(
            ": invalid digit found in string",
            ": expected a whole number",
        )
        .replace(
            ": number too large to fit in target type",
            ": the number is too large",
        )
        .replace(
            ": cannot parse integer from empty string",
            ": expected a whole number",
        );
    let hint = if tips.is_empty() {
        let command = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
        match command {
            Some(command) if Cli::command().find_subcommand(&command).is_some() => {
                format!("`dockslim {command} --help` lists its options, with an example")
            }
            _ => {
                "`dockslim --help` lists the commands, and `dockslim COMMAND --help` their options"
                    .into()
            }
        }
    } else {
        tips.join("; ")
    };
    let mut text = format!("dockslim: error: {}\n", shortened(&headline, 4_000));
    if let Some(usage) = usage {
        text.push_str(&format!("{}\n", shortened(&usage, 4_000)));
    }
    text.push_str(&format!("hint: {}\n", shortened(&hint, 4_000)));
    anstream::eprint!("{text}");
    std::process::ExitCode::from(2)
}

impl Command {
    /// The same command on other options (one image of several).
    fn with_common(mut self, one: Common) -> Command {
        match &mut self {
            Command::Rewrite { common, .. }
            | Command::Init { common, .. }
            | Command::Analyze { common, .. }
            | Command::Context { common, .. }
            | Command::Verify { common, .. } => *common = one,
            _ => {}
        }
        self
    }
}

impl Cli {
    /// The options common to the commands that read a repository.
    fn common(&self) -> Option<&Common> {
        match &self.command {
            Command::Rewrite { common, .. }
            | Command::Init { common, .. }
            | Command::Analyze { common, .. }
            | Command::Context { common, .. }
            | Command::Verify { common, .. } => Some(common),
            _ => None,
        }
    }

    /// The repository folder the command reads, if it reads one.
    fn repository(&self) -> Option<PathBuf> {
        match &self.command {
            Command::Rewrite { common, .. }
            | Command::Init { common, .. }
            | Command::Analyze { common, .. }
            | Command::Context { common, .. }
            | Command::Verify { common, .. } => Some(common.options().dir),
            _ => None,
        }
    }

    /// The `--format` the command asked for, if it has one: an error is
    /// then also written as a document of that format on standard output.
    pub fn format(&self) -> Option<Format> {
        match &self.command {
            Command::Rewrite { format, .. }
            | Command::Analyze { format, .. }
            | Command::Context { format, .. }
            | Command::Verify { format, .. } => Some(*format),
            _ => None,
        }
    }
}

/// What a JSON or SARIF consumer reads on standard output when the command
/// stops with an error (exit 2): a well-formed document, never nothing.
pub fn error_document(format: Format, error: &Error) -> Option<String> {
    match format {
        Format::Json => Some(crate::output::errors::json(error)),
        Format::Sarif => Some(crate::output::errors::sarif(error)),
        Format::Text | Format::Diff | Format::Markdown => None,
    }
}

fn io(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

fn fail_on(common: &Common, findings: &[crate::rules::Finding]) -> bool {
    common
        .fail_on
        .is_some_and(|level| findings.iter().any(|f| f.severity >= level))
}

fn rewrite(
    common: &Common,
    fixes: &FixArgs,
    apply: bool,
    check: bool,
    format: Format,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let opts = common.options_with(fixes);
    let analysis = crate::analyze(&opts)?;
    let proposal = crate::propose(&analysis, &opts)?;
    let report = Report::new(
        "rewrite",
        common.options().dir.display().to_string(),
        crate::detected_summary(&analysis, proposal.plan.as_ref()),
        analysis.findings.clone(),
        Some(&proposal),
    );
    match format {
        Format::Text => report.text(out, true).map_err(io)?,
        Format::Diff => {
            for file in report.files.iter().filter(|f| f.status != "unchanged") {
                crate::output::report::write_colored_diff(out, &file.diff).map_err(io)?;
            }
        }
        Format::Json => out.write_all(report.json().as_bytes()).map_err(io)?,
        Format::Markdown => out.write_all(report.markdown().as_bytes()).map_err(io)?,
        Format::Sarif => out
            .write_all(crate::output::sarif::log(&analysis.findings).as_bytes())
            .map_err(io)?,
    }
    if apply {
        let written = crate::output::apply::apply(&proposal.changes)?;
        // The report went to stdout; say what was written on stderr so that
        // piped JSON stays valid.
        if written.is_empty() {
            eprintln!("dockslim: nothing to write, the files already match the proposal");
        } else {
            eprintln!(
                "dockslim: wrote {}",
                crate::output::escape::printable(&written.join(", "))
            );
        }
    }
    let drift = check && proposal.changes.iter().any(|c| c.differs());
    if drift {
        eprintln!("dockslim: the Dockerfile or .dockerignore differs from the proposal (run `dockslim rewrite --apply`)");
    }
    Ok(if drift || fail_on(common, &analysis.findings) {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

fn init(common: &Common, force: bool, out: &mut dyn Write) -> Result<Outcome> {
    let opts = common.options();
    let analysis = crate::analyze(&opts)?;
    let existing: Vec<&str> = [
        (
            analysis.dockerfile.is_some(),
            analysis.dockerfile_shown.as_str(),
        ),
        (
            analysis.ignore_text.is_some(),
            analysis.ignore_shown.as_str(),
        ),
    ]
    .into_iter()
    .filter_map(|(exists, name)| exists.then_some(name))
    .collect();
    if !existing.is_empty() && !force {
        return Err(Error::usage(
            format!(
                "{} already exists in {}; `dockslim init` writes starter files for a new repository",
                existing.join(" and "),
                common.options().dir.display()
            ),
            "`dockslim rewrite` improves the files you have; `dockslim init --force` overwrites them",
        ));
    }
    // init writes the standard form from the templates, whatever is there.
    let mut proposal = crate::propose_generated(&analysis, &opts)?;
    if force {
        // Starting over: the new files replace the old ones whole.
        for change in &mut proposal.changes {
            change.old = None;
        }
    }
    let written = crate::output::apply::apply(&proposal.changes)?;
    for change in &proposal.changes {
        writeln!(
            out,
            "wrote {}",
            crate::output::escape::printable(&change.path)
        )
        .map_err(io)?;
        for r in &change.reasons {
            writeln!(
                out,
                "  - {}: {}. {}",
                r.topic,
                crate::output::escape::printable(&r.choice),
                crate::output::escape::printable(&r.reason)
            )
            .map_err(io)?;
        }
    }
    debug_assert_eq!(written.len(), proposal.changes.len());
    Ok(if fail_on(common, &analysis.findings) {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

fn analyze(common: &Common, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    let opts = common.options();
    let analysis = crate::analyze(&opts)?;
    let report = Report::new(
        "analyze",
        common.options().dir.display().to_string(),
        crate::detected_summary(&analysis, None),
        analysis.findings.clone(),
        None,
    );
    match format {
        Format::Text | Format::Diff => report.text(out, false).map_err(io)?,
        Format::Json => out.write_all(report.json().as_bytes()).map_err(io)?,
        Format::Markdown => out.write_all(report.markdown().as_bytes()).map_err(io)?,
        Format::Sarif => out
            .write_all(crate::output::sarif::log(&analysis.findings).as_bytes())
            .map_err(io)?,
    }
    Ok(if fail_on(common, &analysis.findings) {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

fn context(common: &Common, list: bool, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    if matches!(format, Format::Markdown | Format::Sarif) {
        return Err(unsupported_format("context", format));
    }
    use crate::output::context::{ContextReport, Side};
    use crate::repo::context::{largest, measure};
    let opts = common.options();
    let sources = crate::read_sources(&opts)?;
    if list {
        let today = measure(&sources.repo, &sources.ignore);
        for (file, sent) in sources.repo.files.iter().zip(&today.sent) {
            if *sent {
                writeln!(out, "{}", crate::output::escape::printable(&file.path)).map_err(io)?;
            }
        }
        return Ok(Outcome::Ok);
    }
    // The proposal needs to know the project; the context alone does not.
    let env = sources
        .dockerfile
        .as_ref()
        .map(|df| df.deployed_env())
        .unwrap_or_default();
    let report = match crate::detect::detect(&sources.repo, &sources.config.config, &env) {
        Ok(project) => {
            let analysis = crate::analyze_sources(sources, project, &opts)?;
            let proposal = crate::propose(&analysis, &opts)?;
            let today_file = analysis
                .ignore_text
                .is_some()
                .then(|| analysis.ignore_shown.clone());
            let proposed = match proposal.change(crate::output::FileRole::DockerIgnore) {
                Some(change) => {
                    let ignore =
                        crate::repo::dockerignore::DockerIgnore::parse(&change.new, &change.path)?;
                    Side {
                        ignore_file: Some(change.path.clone()),
                        measure: measure(&analysis.repo, &ignore),
                    }
                }
                // A proposal without an ignore file leaves today's as it is
                // (an edit of a project dockslim cannot judge), so the
                // proposal sends what is sent today.
                None => Side {
                    ignore_file: today_file.clone(),
                    measure: analysis.context.clone(),
                },
            };
            let (largest_folders, largest_files) = largest(&analysis.repo, &analysis.context, 10);
            let report = ContextReport {
                schema: "dockslim-context/1",
                repository: common.options().dir.display().to_string(),
                today: Side {
                    ignore_file: today_file,
                    measure: analysis.context.clone(),
                },
                proposed: Some(proposed),
                proposal_unavailable: None,
                largest_folders,
                largest_files,
                secrets: analysis
                    .findings
                    .iter()
                    .filter(|f| f.rule == crate::rules::RuleId::DS101)
                    .cloned()
                    .collect(),
                unreadable: analysis.repo.unreadable.clone(),
            };
            // The command ends here: the process hands the memory back at
            // once, where freeing a large tree's paths and sources one by one
            // is a measurable part of the run (see benches/context.rs).
            std::mem::forget(analysis);
            report
        }
        Err(Error {
            kind: crate::error::Kind::Unsupported(why),
            ..
        }) => {
            let today = measure(&sources.repo, &sources.ignore);
            let secrets_found = crate::repo::secrets::scan(&sources.repo);
            let profile = crate::profile::ProfileSource::new(None)?.load("python")?;
            let cx = crate::rules::Context {
                repo: &sources.repo,
                profile: &profile,
                project: None,
                dockerfile: sources.dockerfile.as_ref(),
                ignore: &sources.ignore,
                ignore_file: &sources.ignore_shown,
                context: &today,
                secrets: &secrets_found,
                config: &sources.config.config,
            };
            let secrets = crate::rules::find("DS101")
                .expect("DS101 is registered")
                .check(&cx);
            let (largest_folders, largest_files) = largest(&sources.repo, &today, 10);
            ContextReport {
                schema: "dockslim-context/1",
                repository: common.options().dir.display().to_string(),
                today: Side {
                    ignore_file: sources
                        .ignore_text
                        .is_some()
                        .then(|| sources.ignore_shown.clone()),
                    measure: today,
                },
                proposed: None,
                proposal_unavailable: Some(why),
                largest_folders,
                largest_files,
                secrets,
                unreadable: sources.repo.unreadable.clone(),
            }
        }
        Err(e) => return Err(e),
    };
    match format {
        Format::Json => out.write_all(report.json().as_bytes()).map_err(io)?,
        Format::Text | Format::Diff => report.text(out).map_err(io)?,
        Format::Markdown | Format::Sarif => unreachable!("refused before measuring"),
    }
    let failed = common
        .fail_on
        .is_some_and(|level| report.secrets.iter().any(|f| f.severity >= level));
    Ok(if failed {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

fn unsupported_format(command: &str, format: Format) -> Error {
    let name = format
        .to_possible_value()
        .map_or(String::new(), |v| v.get_name().to_string());
    let formats = if command == "verify" {
        "text, json or markdown"
    } else {
        "text or json"
    };
    Error::usage(
        format!("{command} has no --format {name}; it writes {formats}"),
        format!(
            "run `dockslim {command} --format json` and convert that, or drop --format for text"
        ),
    )
}

/// What `verify` was asked besides the common options.
struct VerifyArgs {
    probe: Option<String>,
    timeout: u64,
    repair: bool,
    max_size: Option<crate::units::ByteSize>,
    max_compressed_size: Option<crate::units::ByteSize>,
}

fn verify(
    common: &Common,
    fixes: &FixArgs,
    args: VerifyArgs,
    format: Format,
    out: &mut dyn Write,
) -> Result<Outcome> {
    if format == Format::Sarif {
        return Err(unsupported_format("verify", format));
    }
    let (mut report, config, dockerfile) =
        verify_and_repair(common, fixes, args.probe, args.timeout, args.repair)?;
    // The command line's budget wins over the configuration's, and the
    // image's own over the repository's.
    let budgets = config.budgets_for(&dockerfile);
    report.judge(
        args.max_size.or(budgets.max_size).map(|b| b.0),
        args.max_compressed_size
            .or(budgets.max_compressed_size)
            .map(|b| b.0),
    );
    match format {
        Format::Json => out.write_all(report.json().as_bytes()).map_err(io)?,
        Format::Markdown => out.write_all(report.markdown().as_bytes()).map_err(io)?,
        Format::Text | Format::Diff => out.write_all(report.text().as_bytes()).map_err(io)?,
        Format::Sarif => unreachable!("refused before building"),
    }
    // The proposal must run, and keep to its budgets.
    Ok(if report.failed() {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

/// Verifies the proposal; with `repair`, turns what an unhealthy
/// container's logs show into settings and verifies again, a few rounds at
/// most (the current image is built once).
fn verify_and_repair(
    common: &Common,
    fixes: &FixArgs,
    probe: Option<String>,
    timeout: u64,
    repair: bool,
) -> Result<(crate::verify::VerifyReport, crate::config::Config, String)> {
    use crate::verify::repair::{self, Repair};
    use std::io::IsTerminal;
    let base = common.options_with(fixes);
    let mut repairs: Vec<Repair> = Vec::new();
    let mut current = None;
    for round in 0.. {
        let mut opts = base.clone();
        opts.sets.extend(repair_sets(&base, &repairs)?);
        let analysis = crate::analyze(&opts)?;
        let proposal = crate::propose(&analysis, &opts)?;
        let verify_opts = crate::verify::VerifyOptions {
            probe: probe.clone(),
            timeout: std::time::Duration::from_secs(timeout),
            progress: std::io::stderr().is_terminal(),
            build_current: round == 0,
        };
        let mut report = crate::verify::verify(
            &analysis,
            &proposal,
            base.dir.display().to_string(),
            &verify_opts,
        )?;
        if round == 0 {
            current = report.current.clone();
        } else {
            report.set_current(current.clone());
        }
        let healthy = matches!(report.proposed.health.as_str(), "healthy" | "running");
        let workdir =
            crate::dockerfile::Dockerfile::parse(&proposal.dockerfile().new, "Dockerfile")
                .ok()
                .and_then(|d| d.intent().workdir)
                .unwrap_or_else(|| "/".into());
        let in_repo = |p: &str| analysis.repo.exists(p) || analysis.repo.has_dir(p);
        let found = repair::settings_for(&report.proposed.diagnoses, &workdir, &in_repo);
        let new: Vec<_> = found
            .into_iter()
            .filter(|(k, v, _)| !repairs.iter().any(|r| r.key == *k && r.value == *v))
            .collect();
        if healthy || !repair || round == repair::MAX_ROUNDS || new.is_empty() {
            report.repairs = repairs;
            return Ok((
                report,
                analysis.config.config.clone(),
                analysis.dockerfile_shown.clone(),
            ));
        }
        repairs.extend(new.into_iter().map(|(key, value, because)| Repair {
            round: round + 1,
            key,
            value,
            because,
        }));
    }
    unreachable!("the loop returns by its last round")
}

/// `--set key=a,b` for each key repair set, with the values the
/// configuration already has, so a repair adds to them.
fn repair_sets(base: &Options, repairs: &[crate::verify::repair::Repair]) -> Result<Vec<String>> {
    use crate::verify::repair::Key;
    if repairs.is_empty() {
        return Ok(Vec::new());
    }
    let repo = crate::repo::Repo::open(&base.dir)?;
    let config = crate::config::load(&repo, &base.sets)?.config;
    let mut sets = Vec::new();
    for (key, existing) in [
        (Key::Writable, &config.writable),
        (Key::Keep, &config.keep),
        (Key::Packages, &config.packages),
    ] {
        let mut values: Vec<String> = existing.clone();
        for r in repairs.iter().filter(|r| r.key == key) {
            if !values.contains(&r.value) {
                values.push(r.value.clone());
            }
        }
        if values.len() > existing.len() {
            sets.push(format!("{}={}", key.name(), values.join(",")));
        }
    }
    Ok(sets)
}

fn profiles(
    action: Option<ProfilesAction>,
    dir: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let source = crate::profile::ProfileSource::new(dir.as_deref())?;
    match action {
        None => {
            for name in source.names() {
                let profile = source.load(name)?;
                let extends = profile
                    .extends
                    .as_deref()
                    .map(|e| format!(" (extends {e})"))
                    .unwrap_or_default();
                writeln!(out, "{name:<16} {}{extends}", profile.description).map_err(io)?;
            }
        }
        Some(ProfilesAction::Show { name }) => {
            let profile = source.load(&name)?;
            let yaml = serde_norway::to_string(&profile)
                .map_err(|e| Error::bug(format!("profile {name} does not print as YAML: {e}")))?;
            writeln!(out, "# profile {name}, merged with what it extends").map_err(io)?;
            out.write_all(yaml.as_bytes()).map_err(io)?;
        }
    }
    Ok(Outcome::Ok)
}

fn explain(rule: Option<String>, all: bool, out: &mut dyn Write) -> Result<Outcome> {
    if all {
        out.write_all(rules_table().as_bytes()).map_err(io)?;
        return Ok(Outcome::Ok);
    }
    let id = rule.unwrap_or_default();
    let rule = crate::rules::find(&id).ok_or_else(|| {
        let ids: Vec<&str> = crate::rules::all()
            .iter()
            .map(|r| r.doc().id.as_str())
            .collect();
        Error::usage(
            format!("no rule `{id}`"),
            format!(
                "{} (`dockslim explain --all` lists every rule)",
                crate::error::did_you_mean(&id, ids.iter().copied(), "rules")
            ),
        )
    })?;
    let d = rule.doc();
    writeln!(
        out,
        "{} {} ({})\n\n{}\n\nWhy it matters\n  {}\n\nFix\n  {}\n\nExample\n{}\n\nSuppress with `# dockslim ignore={}` on the line above, or `ignore: [{}]` in dockslim.yaml.",
        d.id,
        d.name,
        d.severity.name(),
        d.summary,
        d.why,
        d.fix,
        d.example.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"),
        d.id,
        d.id
    )
    .map_err(io)?;
    Ok(Outcome::Ok)
}

/// The Markdown table of every rule, generated from the registry.
pub fn rules_table() -> String {
    let mut table =
        String::from("| Rule | Name | Severity | What it finds | Fix |\n|---|---|---|---|---|\n");
    for rule in crate::rules::all() {
        let d = rule.doc();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            d.id,
            d.name,
            d.severity.name(),
            d.summary,
            d.fix_safety.map_or("report", |s| s.name())
        ));
    }
    table.push_str("\nWhat each unsafe fix can change (`--safe-only` leaves them out):\n\n");
    for rule in crate::rules::all() {
        let d = rule.doc();
        if d.fix_safety == Some(crate::edit::Safety::Unsafe) {
            table.push_str(&format!("- **{}** {}: {}\n", d.id, d.name, d.fix_risk));
        }
    }
    table
}
