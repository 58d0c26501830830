//! The proposed .dockerignore: the stack's baseline and every secret found,
//! minus any line that would exclude something the image needs. An existing
//! file keeps its lines and comments; what is missing goes in one marked
//! block at its end.

use std::collections::BTreeMap;

use serde::Serialize;

use super::python::PythonPlan;
use super::ships::Ships;
use super::{Decision, Inputs, Topic};

/// What a Python image takes from the build context, which no proposed
/// ignore line may exclude.
#[derive(Debug, Clone, Default)]
pub struct ImageNeeds {
    /// Repository paths the Dockerfile copies or installs by name.
    pub paths: Vec<String>,
    /// The app's folder inside the image.
    pub workdir: String,
    /// Folders inside the image the app writes (created, or mounted).
    pub writable_dirs: Vec<String>,
    /// Folders of the frontend projects the image builds: their env files
    /// of public build variables stay in the context.
    pub frontends: Vec<String>,
    /// Where a step runs the tests (`Dockerfile:12`), which read the test
    /// folders without naming them.
    pub tests_run: Option<String>,
}

impl ImageNeeds {
    /// What the generated Dockerfile of a plan copies.
    pub fn of_plan(python: &PythonPlan) -> ImageNeeds {
        let mut paths: Vec<String> = python
            .requirement_copies
            .iter()
            .flat_map(|g| g.sources.iter().cloned())
            .collect();
        paths.extend(python.local_paths.iter().cloned());
        ImageNeeds {
            paths,
            workdir: python.workdir.clone(),
            writable_dirs: Vec::new(),
            frontends: python.frontend.iter().map(|f| f.dir.clone()).collect(),
            tests_run: None,
        }
    }

    /// A generated Node image: it builds the project in `dir`.
    pub fn building(dir: &str) -> ImageNeeds {
        ImageNeeds {
            frontends: vec![dir.to_string()],
            ..Default::default()
        }
    }
}
use crate::repo::dockerignore::{go_clean, DockerIgnore};
use crate::repo::secrets::secret_kind;

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub comment: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IgnorePlan {
    /// Today's file, kept as it is when there is one.
    pub existing: Option<String>,
    pub sections: Vec<Section>,
    /// Lines of the baseline left out because they would exclude a needed path.
    pub kept_out: Vec<(String, String)>,
}

/// A line the proposal may add, with the comment that explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub pattern: String,
    pub comment: Option<String>,
    /// A line of local data (`**/*.db`): it stays when it meets a file the
    /// app opens at run time, and that file is re-included after it, since
    /// what the app opens is never excluded, whatever its extension.
    pub yields: bool,
}

impl Candidate {
    pub fn plain(pattern: &str) -> Candidate {
        Candidate {
            pattern: pattern.to_string(),
            comment: None,
            yields: false,
        }
    }

    pub fn commented(pattern: &str, comment: String) -> Candidate {
        Candidate {
            pattern: pattern.to_string(),
            comment: Some(comment),
            yields: false,
        }
    }
}

/// The baseline's section of local data, whose lines yield to files the
/// app opens.
const LOCAL_DATA: &str = "Local data: Flask's instance folder and SQLite databases";

/// The baseline for Python services, by section.
const BASELINE: &[(&str, &[&str])] = &[
    (
        "Version control and Docker's own files (the Dockerfile is sent separately)",
        &[
            ".git",
            ".hg",
            ".svn",
            ".gitignore",
            ".gitattributes",
            ".dockerignore",
            "Dockerfile*",
            "*.Dockerfile",
            "docker-compose*.yml",
            "docker-compose*.yaml",
            "compose*.yml",
            "compose*.yaml",
        ],
    ),
    (
        "Python caches, virtual environments and build output",
        &[
            "**/__pycache__",
            "**/*.py[cod]",
            "**/.pytest_cache",
            "**/.mypy_cache",
            "**/.ruff_cache",
            ".tox",
            ".nox",
            ".venv",
            "venv",
            ".eggs",
            "**/*.egg-info",
            "build",
            "dist",
            ".coverage",
            ".coverage.*",
            "htmlcov",
            "coverage.xml",
        ],
    ),
    (
        "Node dependencies and logs (installed inside the image when needed)",
        &[
            "**/node_modules",
            "**/npm-debug.log*",
            "**/yarn-error.log*",
            "**/.pnpm-store",
        ],
    ),
    (
        "Editors, OS files and logs",
        &[
            ".vscode",
            ".idea",
            ".cursor",
            "**/*.swp",
            "**/*~",
            "**/.DS_Store",
            "**/Thumbs.db",
            "**/*.log",
        ],
    ),
    (
        LOCAL_DATA,
        &["instance", "**/*.sqlite3", "**/*.sqlite", "**/*.db"],
    ),
    (
        "Secrets: never send them to the engine (templates such as .env.example stay)",
        &[
            "**/.env",
            "**/.env.*",
            "!**/.env.example",
            "!**/.env.sample",
            "!**/.env.template",
            "**/*.pem",
            "**/*.key",
            "**/*.p12",
            "**/*.pfx",
            "**/id_rsa*",
            "**/id_dsa*",
            "**/id_ecdsa*",
            "**/id_ed25519*",
            "**/.npmrc",
            "**/.pypirc",
            "**/.netrc",
            "**/*credentials*.json",
            "**/*service-account*.json",
            "**/*service_account*.json",
        ],
    ),
];

pub const BLOCK_START: &str =
    "# --- added by dockslim: keep the build context small and free of secrets ---";
pub const BLOCK_END: &str = "# --- end of dockslim block ---";

fn normalized(line: &str) -> String {
    let (bang, rest) = match line.trim().strip_prefix('!') {
        Some(r) => ("!", r.trim()),
        None => ("", line.trim()),
    };
    let mut clean = go_clean(rest);
    if clean.len() > 1 && clean.starts_with('/') {
        clean.remove(0);
    }
    format!("{bang}{clean}")
}

impl ImageNeeds {
    /// What an existing (edited) Dockerfile takes from the context: every
    /// path any stage copies by name (a test stage's `COPY tests/` keeps
    /// tests/ in the context) or a step reads, the requirement files, the
    /// scripts its command runs and the fixtures its commands load.
    pub fn of_dockerfile(df: &crate::dockerfile::Dockerfile, inputs: &Inputs) -> ImageNeeds {
        let mut paths = copied_paths(df);
        let py = &inputs.project.python;
        paths.extend(py.requirements.files.iter().cloned());
        paths.extend(py.requirements.local_paths.iter().cloned());
        let intent = df.intent();
        let workdir = intent.workdir.clone().unwrap_or_else(|| "/".into());
        let prefix = format!("{}/", workdir.trim_end_matches('/'));
        let mut scripts = Vec::new();
        for (command, _) in intent.entrypoint.iter().chain(intent.cmd.iter()) {
            let words = command.words();
            paths.extend(crate::detect::reads::fixtures_loaded_by(
                inputs.repo,
                &words,
            ));
            for word in words {
                let rel = word
                    .strip_prefix(&prefix)
                    .unwrap_or(&word)
                    .trim_start_matches("./");
                if inputs.repo.exists(rel) {
                    scripts.push(rel.to_string());
                }
            }
        }
        paths.extend(fixtures_of_scripts(inputs, &scripts));
        paths.extend(scripts);
        let steps = StepReads::of(df, inputs);
        paths.extend(steps.paths);
        let mut writable_dirs: Vec<String> =
            intent.volumes.iter().map(|(v, _)| v.clone()).collect();
        writable_dirs.extend(created_dirs(df, &prefix));
        let frontends = if runs_frontend_tooling(df) {
            inputs
                .project
                .node_manifests
                .iter()
                .map(|m| m.strip_suffix("package.json").unwrap_or(m))
                .map(|d| d.trim_end_matches('/').to_string())
                .collect()
        } else {
            Vec::new()
        };
        ImageNeeds {
            paths,
            workdir,
            writable_dirs,
            frontends,
            tests_run: steps.tests_run,
        }
    }
}

/// The paths any stage copies or adds from the context by name.
fn copied_paths(df: &crate::dockerfile::Dockerfile) -> Vec<String> {
    use crate::dockerfile::{Args, Keyword};
    let mut paths = Vec::new();
    for inst in df.instructions() {
        let Args::Copy { sources, .. } = &inst.args else {
            continue;
        };
        if inst.flag("from").is_some() || !matches!(inst.keyword, Keyword::Copy | Keyword::Add) {
            continue;
        }
        for source in sources {
            let clean = source.trim_start_matches("./").trim_end_matches('/');
            if clean.is_empty()
                || clean == "."
                || source.starts_with("<<")
                || source.contains("://")
            {
                continue;
            }
            paths.push(clean.to_string());
        }
    }
    paths
}

/// The fixtures `loaddata` lines of the scripts the command runs load.
fn fixtures_of_scripts(inputs: &Inputs, scripts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for script in scripts.iter().filter(|s| !s.ends_with(".py")) {
        let Ok(Some(text)) = inputs.repo.read_text(script) else {
            continue;
        };
        for line in text.lines().filter(|l| l.contains("loaddata")) {
            let words = shlex::split(line).unwrap_or_default();
            out.extend(crate::detect::reads::fixtures_loaded_by(
                inputs.repo,
                &words,
            ));
        }
    }
    out
}

/// Folders inside the image the shipped stages create with mkdir.
fn created_dirs(df: &crate::dockerfile::Dockerfile, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for stage in df.shipped_stages() {
        for (_, commands) in stage.runs() {
            for c in commands {
                let (i, prog) = crate::dockerfile::shell::program(&c);
                if prog == "mkdir" {
                    out.extend(c[i + 1..].iter().filter(|w| !w.starts_with('-')).map(|d| {
                        if d.starts_with('/') {
                            d.clone()
                        } else {
                            format!("{prefix}{d}")
                        }
                    }));
                }
            }
        }
    }
    out
}

/// What the RUN steps of every stage (a test stage too) read from the
/// context: the paths their words name, the fixtures they load, and
/// whether one runs the tests.
struct StepReads {
    paths: Vec<String>,
    tests_run: Option<String>,
}

impl StepReads {
    /// Programs that only write or change what they name.
    const WRITERS: &'static [&'static str] = &[
        "mkdir", "rm", "rmdir", "touch", "chown", "chmod", "chgrp", "ln", "install",
    ];

    /// Programs whose bare words (`pytest tests`, `cp -r docs ...`) are
    /// paths; other programs' bare words are subcommands and script names
    /// (`npm run build` names no folder `build`), so only their words that
    /// look like paths (`scripts/seed.py`, `data.json`) count.
    const READERS: &'static [&'static str] = &[
        "pytest",
        "py.test",
        "coverage",
        "tox",
        "nox",
        "cp",
        "cat",
        "tar",
        "rsync",
        "mv",
        "sh",
        "bash",
        "node",
        "find",
        "ls",
        "du",
        "unzip",
        "sphinx-build",
        "mkdocs",
    ];

    /// The paths of the repository a command's words name.
    fn named_paths(cmd: &[String], prefix: &str, inputs: &Inputs) -> Vec<String> {
        let (i, prog) = crate::dockerfile::shell::program(cmd);
        if Self::WRITERS.contains(&prog) {
            return Vec::new();
        }
        let bare_words_are_paths = Self::READERS.contains(&prog) || prog.starts_with("python");
        cmd.iter()
            .skip(i + 1)
            .filter_map(|w| {
                let rel = w.strip_prefix(prefix).unwrap_or(w).trim_start_matches("./");
                let rel = rel.trim_end_matches('/');
                let looks_like_path = rel.contains(['/', '.']) || bare_words_are_paths;
                let named = !rel.is_empty()
                    && !rel.starts_with('-')
                    && looks_like_path
                    && (inputs.repo.exists(rel) || inputs.repo.has_dir(rel));
                named.then(|| rel.to_string())
            })
            .collect()
    }

    fn of(df: &crate::dockerfile::Dockerfile, inputs: &Inputs) -> StepReads {
        use crate::dockerfile::shell;
        let graph = crate::dockerfile::stages::StageGraph::of(df);
        let mut out = StepReads {
            paths: Vec::new(),
            tests_run: None,
        };
        for stage in &df.stages {
            // Tests run where the whole context is: they read test folders
            // nobody names. A stage that copies only what it names reads
            // only that (the paths above).
            let whole_context = graph.chain(stage.index).iter().any(|&s| {
                df.stages[s]
                    .instructions
                    .iter()
                    .any(|i| i.copies_whole_context())
            });
            let mut note_tests = |line: usize, cmd: &[String]| {
                if whole_context && out.tests_run.is_none() && shell::runs_tests(cmd) {
                    out.tests_run = Some(format!("{}:{line}", df.path));
                }
            };
            for (inst, commands) in stage.runs() {
                let prefix = format!("{}/", stage.workdir_at(inst.line).trim_end_matches('/'));
                for c in commands {
                    note_tests(inst.line, &c);
                    out.paths
                        .extend(crate::detect::reads::fixtures_loaded_by(inputs.repo, &c));
                    out.paths.extend(Self::named_paths(&c, &prefix, inputs));
                }
            }
            // A test stage's own command (`CMD ["pytest"]`) runs them too.
            for inst in &stage.instructions {
                if let Some(c) = inst.command() {
                    note_tests(inst.line, &c.words());
                }
            }
        }
        out
    }
}

/// Whether any stage of the Dockerfile, or the image's command, runs a
/// frontend's build or dev server (which reads its env files).
fn runs_frontend_tooling(df: &crate::dockerfile::Dockerfile) -> bool {
    use crate::dockerfile::shell::runs_frontend_tooling as runs;
    let intent = df.intent();
    let command = intent.entrypoint.iter().chain(intent.cmd.iter());
    df.stages
        .iter()
        .flat_map(|s| s.runs())
        .flat_map(|(_, commands)| commands)
        .any(|c| runs(&c))
        || command.into_iter().any(|(c, _)| runs(&c.words()))
}

/// The ignore file beside an edited Dockerfile: today's lines kept, what
/// is missing added in one marked block. `None` when the project is not one
/// dockslim knows how to judge (then the file is left as it is).
pub fn for_edited(
    inputs: &Inputs,
    edited: &crate::dockerfile::Dockerfile,
    decisions: &mut Vec<Decision>,
) -> Option<IgnorePlan> {
    let project = inputs.project;
    if project.unsupported.is_some() {
        return None;
    }
    if let Some(node) = project
        .node
        .as_ref()
        .filter(|_| project.stack == crate::detect::Stack::Node)
    {
        let needs = ImageNeeds::of_dockerfile(edited, inputs);
        return Some(self::node(
            inputs,
            node,
            &node.output_dir(),
            &needs,
            decisions,
        ));
    }
    let needs = ImageNeeds::of_dockerfile(edited, inputs);
    Some(plan(inputs, &needs, decisions))
}

/// Paths the image needs, which no proposed line may exclude: Python
/// sources, templates, static files, migrations, translations and scripts
/// outside the folders `ships` leaves out, the files the evidence reaches,
/// and what the Dockerfile copies by name.
pub(super) fn needed_paths(inputs: &Inputs, needs: &ImageNeeds, ships: &Ships) -> Vec<String> {
    let repo = inputs.repo;
    let mut needed: Vec<String> = repo
        .own_files()
        .filter(|f| {
            let p = f.path.as_str();
            p.ends_with(".py")
                || p.split('/')
                    .any(|d| matches!(d, "templates" | "static" | "migrations" | "locale"))
                || p.ends_with(".sh")
        })
        .filter(|f| !ships.leaves_out(&f.path))
        .map(|f| f.path.clone())
        .collect();
    needed.retain(|p| secret_kind(p).is_none());
    needed.extend(ships.reached.keys().cloned());
    // What the Dockerfile copies by name stays, secret or not: excluding it
    // would break the build (the secret finding stays in the report).
    needed.extend(needs.paths.iter().cloned());
    needed
}

/// What one ignore file is assembled from.
pub struct IgnoreSpec<'a> {
    /// The file, for the report (`.dockerignore`).
    pub file: String,
    /// Today's text, kept whole when there is one.
    pub existing: Option<&'a str>,
    /// Lines taken without the needed-path check (a `*` that a `!folder`
    /// reopens), only when the file is new.
    pub prelude: Vec<Section>,
    pub candidates: Vec<(String, Vec<Candidate>)>,
    /// Paths the image needs, which no candidate may exclude.
    pub needed: Vec<String>,
    /// Needed files the app opens (or `keep` names), with the evidence: a
    /// line of the baseline's local data yields to them (it stays, and a
    /// `!` line after it re-includes them) rather than being left out.
    pub reached: BTreeMap<String, String>,
    /// Lines left out before assembly (large folders the code names).
    pub kept_out: Vec<(String, String)>,
}

/// The .dockerignore of a Python image.
pub fn plan(inputs: &Inputs, needs: &ImageNeeds, decisions: &mut Vec<Decision>) -> IgnorePlan {
    plan_with(inputs, needs, Vec::new(), decisions)
}

/// The .dockerignore of a Python image, with extra sections (a frontend
/// folder built elsewhere).
pub fn plan_with(
    inputs: &Inputs,
    needs: &ImageNeeds,
    extra: Vec<(String, Vec<Candidate>)>,
    decisions: &mut Vec<Decision>,
) -> IgnorePlan {
    let baseline_only = baseline_matcher(BASELINE);
    // Virtual environments under other names, and large folders the image
    // does not need.
    let venvs: Vec<Candidate> = inputs
        .repo
        .files
        .iter()
        .filter_map(|f| f.path.strip_suffix("/pyvenv.cfg").map(str::to_string))
        .filter(|d| !baseline_only.is_excluded(&format!("{d}/pyvenv.cfg")))
        .map(|d| Candidate::plain(&d))
        .collect();
    let mut candidates = sections_of(BASELINE);
    keep_build_settings(
        &mut candidates,
        inputs,
        &needs.frontends,
        inputs.ignore_text,
    );
    candidates.extend(secret_section(inputs, &baseline_only));
    if !venvs.is_empty() {
        candidates.push((
            "Virtual environments found in this repository".into(),
            venvs,
        ));
    }
    let ships = Ships::decide(inputs, needs, &baseline_only);
    let (large, mut kept_out) = super::large_folders::find(inputs, needs, &baseline_only, &ships);
    if !large.is_empty() {
        candidates.push((super::large_folders::SECTION.into(), large));
    }
    if !ships.left_out.is_empty() {
        candidates.push((super::ships::SECTION.into(), ships.left_out.clone()));
    }
    kept_out.extend(ships.kept.iter().cloned());
    candidates.extend(extra);
    assemble(
        inputs,
        IgnoreSpec {
            file: ".dockerignore".into(),
            existing: inputs.ignore_text,
            prelude: Vec::new(),
            candidates,
            needed: needed_paths(inputs, needs, &ships),
            reached: ships.reached,
            kept_out,
        },
        decisions,
    )
}

/// The baseline's sections as candidates.
fn sections_of(baseline: &[(&str, &[&str])]) -> Vec<(String, Vec<Candidate>)> {
    baseline
        .iter()
        .map(|(c, l)| {
            (
                c.to_string(),
                l.iter()
                    .map(|s| Candidate {
                        yields: *c == LOCAL_DATA,
                        ..Candidate::plain(s)
                    })
                    .collect(),
            )
        })
        .collect()
}

fn baseline_matcher(baseline: &[(&str, &[&str])]) -> DockerIgnore {
    DockerIgnore::parse(
        &baseline
            .iter()
            .flat_map(|(_, l)| l.iter())
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
        "baseline",
    )
    .expect("baseline parses")
}

/// Secrets found in the repository that the baseline does not cover.
fn secret_section(inputs: &Inputs, baseline: &DockerIgnore) -> Option<(String, Vec<Candidate>)> {
    let mut extra_secrets: Vec<Candidate> = inputs
        .secrets
        .iter()
        .filter(|s| !baseline.is_excluded(&s.path))
        .map(|s| Candidate::commented(&s.path, format!("{}, found by {}", s.kind, s.found_by)))
        .collect();
    extra_secrets.dedup_by(|a, b| a.pattern == b.pattern);
    (!extra_secrets.is_empty()).then(|| {
        (
            "Secret files found in this repository".into(),
            extra_secrets,
        )
    })
}

/// Adds to the baseline's secrets section a `!` line for each env file of
/// public build variables (`secrets::build_settings`) of a frontend the
/// image builds: `**/.env` and `**/.env.*` stay for every other env file,
/// and the build still reads the settings it would read outside Docker (a
/// site built without them differs). A file today's ignore file `today`
/// already excludes stays excluded: the build works without it today.
fn keep_build_settings(
    candidates: &mut [(String, Vec<Candidate>)],
    inputs: &Inputs,
    frontends: &[String],
    today: Option<&str>,
) {
    let today = today
        .and_then(|t| DockerIgnore::parse(t, "today").ok())
        .unwrap_or_default();
    let lines = crate::repo::secrets::build_settings(inputs.repo)
        .into_iter()
        .filter(|b| frontends.iter().any(|f| f == b.folder()) && !today.is_excluded(&b.path))
        .map(|b| {
            let readers: Vec<&str> = b.readers.iter().map(|r| r.name()).collect();
            Candidate::commented(
                &format!("!{}", b.path),
                format!(
                    "{}: public {} build settings ({} only), which the build reads",
                    b.path,
                    readers.join(" and "),
                    b.prefixes()
                ),
            )
        });
    let Some((_, secrets)) = candidates
        .iter_mut()
        .find(|(c, _)| c.starts_with("Secrets"))
    else {
        return;
    };
    // After the baseline's env lines, which they must follow to win.
    let at = secrets
        .iter()
        .rposition(|c| c.pattern.starts_with("!**/.env"))
        .map_or(secrets.len(), |i| i + 1);
    secrets.splice(at..at, lines);
}

/// Node builds: the shared sections, then the build output.
fn node_candidates(
    inputs: &Inputs,
    prefix: &str,
    outputs: &[String],
) -> Vec<(String, Vec<Candidate>)> {
    let shared: Vec<(&str, &[&str])> = BASELINE
        .iter()
        .filter(|(c, _)| !c.starts_with("Python") && *c != LOCAL_DATA)
        .copied()
        .collect();
    let mut candidates = sections_of(&shared);
    let mut output_lines: Vec<Candidate> = outputs.iter().map(|o| Candidate::plain(o)).collect();
    for generated in [
        ".next",
        ".turbo",
        ".vercel",
        ".cache",
        ".parcel-cache",
        ".eslintcache",
        "coverage",
    ] {
        output_lines.push(Candidate::plain(&format!("{prefix}{generated}")));
    }
    output_lines.dedup_by(|a, b| a.pattern == b.pattern);
    candidates.push((
        "Build output and tool caches (the image builds its own)".into(),
        output_lines,
    ));
    candidates.extend(secret_section(inputs, &baseline_matcher(BASELINE)));
    candidates
}

/// The .dockerignore of a Node project at the root. `needs.paths`: the
/// paths an existing Dockerfile copies by name, kept in the context even
/// when they look secret, since excluding them would break the build.
pub fn node(
    inputs: &Inputs,
    project: &crate::detect::node::NodeProject,
    output: &str,
    needs: &ImageNeeds,
    decisions: &mut Vec<Decision>,
) -> IgnorePlan {
    let mut needed = node_needed(inputs, project, output);
    needed.extend(needs.paths.iter().cloned());
    let mut outputs = vec![output.to_string()];
    // The folders a framework's build generates beside its output, which a
    // local build leaves in the checkout.
    outputs.extend(match project.app.framework() {
        "SvelteKit" | "SvelteKit (adapter-static)" => vec![".svelte-kit".to_string()],
        "Nuxt" => vec![".nuxt".to_string()],
        "React Router" => vec![".react-router".to_string()],
        "Angular" => vec![".angular".to_string()],
        _ => vec![],
    });
    let mut candidates = node_candidates(inputs, "", &outputs);
    keep_build_settings(
        &mut candidates,
        inputs,
        &needs.frontends,
        inputs.ignore_text,
    );
    assemble(
        inputs,
        IgnoreSpec {
            file: ".dockerignore".into(),
            existing: inputs.ignore_text,
            prelude: Vec::new(),
            candidates,
            needed,
            reached: BTreeMap::new(),
            kept_out: Vec::new(),
        },
        decisions,
    )
}

/// Every file of the Node project except its dependencies and build output.
fn node_needed(
    inputs: &Inputs,
    project: &crate::detect::node::NodeProject,
    output: &str,
) -> Vec<String> {
    let prefix = if project.dir.is_empty() {
        String::new()
    } else {
        format!("{}/", project.dir)
    };
    let output = format!("{}/", output.trim_end_matches('/'));
    // Docker's own files are never needed inside the image.
    let docker_files = baseline_matcher(&BASELINE[..1]);
    inputs
        .repo
        .own_files()
        .map(|f| f.path.clone())
        .filter(|p| p.starts_with(&prefix) && !p.starts_with(&output))
        .filter(|p| {
            !p.split('/').any(|d| {
                matches!(
                    d,
                    "node_modules" | ".next" | ".svelte-kit" | ".nuxt" | ".react-router"
                )
            })
        })
        .filter(|p| secret_kind(p).is_none() && !p.ends_with(".log"))
        .filter(|p| !docker_files.is_excluded(p))
        .collect()
}

/// The ignore file beside a separate frontend Dockerfile: only the
/// frontend folder is sent.
pub fn frontend_file(
    inputs: &Inputs,
    file: &str,
    existing: Option<&str>,
    project: &crate::detect::node::NodeProject,
    output: &str,
    decisions: &mut Vec<Decision>,
) -> IgnorePlan {
    let prefix = format!("{}/", project.dir);
    let mut candidates = node_candidates(inputs, &prefix, &[output.to_string()]);
    keep_build_settings(
        &mut candidates,
        inputs,
        std::slice::from_ref(&project.dir),
        existing,
    );
    assemble(
        inputs,
        IgnoreSpec {
            file: file.to_string(),
            existing,
            prelude: vec![Section {
                comment: format!(
                    "Only {} is sent: this Dockerfile builds nothing else",
                    project.dir
                ),
                lines: vec!["*".into(), format!("!{}", project.dir)],
            }],
            candidates,
            needed: node_needed(inputs, project, output),
            reached: BTreeMap::new(),
            kept_out: Vec::new(),
        },
        decisions,
    )
}

/// The needed paths some candidate line matches (itself or a folder of
/// it): the only ones `lines_for` can find a candidate excluding. One pass
/// over the tree instead of one per candidate, which matters when thousands
/// of source files are needed.
fn at_risk(needed: &[String], candidates: &[(String, Vec<Candidate>)], file: &str) -> Vec<String> {
    // Each line parsed alone, as `assemble` parses it: a line that does not
    // parse is skipped there too, and cannot make the others go unchecked.
    let mut any = DockerIgnore::default();
    for candidate in candidates
        .iter()
        .flat_map(|(_, lines)| lines)
        .filter(|c| !c.pattern.starts_with('!'))
    {
        if let Ok(one) = DockerIgnore::parse(&candidate.pattern, file) {
            any.patterns.extend(one.patterns);
        }
    }
    let mut matcher = crate::repo::dockerignore::TreeMatcher::new(&any);
    needed
        .iter()
        .filter(|p| matcher.is_excluded(p))
        .cloned()
        .collect()
}

/// Lines of an ignore file, each with the comment above it.
type CommentedLines = Vec<(Option<String>, String)>;

/// The lines a candidate adds, each with its comment: the line itself,
/// then, for a line of local data that meets files the app opens, a `!`
/// line re-including each (`**/*.db` stays for every other database). `Err`
/// says why the candidate is left out: it would exclude a needed path.
fn lines_for(
    candidate: &Candidate,
    alone: &DockerIgnore,
    accepted: &DockerIgnore,
    needed: &[String],
    reached: &BTreeMap<String, String>,
) -> Result<CommentedLines, String> {
    let mut lines = vec![(candidate.comment.clone(), candidate.pattern.clone())];
    if candidate.pattern.starts_with('!') {
        return Ok(lines);
    }
    // Appended last, an excluding line newly excludes exactly the paths it
    // matches that are sent so far.
    let mut hits: Vec<&String> = needed
        .iter()
        .filter(|p| alone.is_excluded(p) && !accepted.is_excluded(p))
        .collect();
    hits.sort();
    hits.dedup();
    for hit in hits {
        // A path with pattern characters would need escaping: not reopened.
        let why = reached
            .get(hit)
            .filter(|_| candidate.yields && !hit.contains(['*', '?', '[', '\\']))
            .ok_or_else(|| format!("it would exclude {hit}, which the image needs"))?;
        lines.push((Some(why.clone()), format!("!{hit}")));
    }
    Ok(lines)
}

/// Today's lines, then each candidate that excludes nothing the image
/// needs, with the context saved measured on the repository.
pub fn assemble(inputs: &Inputs, spec: IgnoreSpec, decisions: &mut Vec<Decision>) -> IgnorePlan {
    let IgnoreSpec {
        file,
        existing,
        prelude,
        candidates,
        needed,
        reached,
        mut kept_out,
    } = spec;
    let prelude = if existing.is_some() {
        Vec::new()
    } else {
        prelude
    };
    let existing_lines: Vec<String> = existing
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(normalized)
                .collect()
        })
        .unwrap_or_default();
    let mut accepted_text: String = existing.unwrap_or("").to_string();
    if !accepted_text.is_empty() && !accepted_text.ends_with('\n') {
        accepted_text.push('\n');
    }
    let mut sections = prelude;
    for section in &sections {
        for line in &section.lines {
            accepted_text.push_str(line);
            accepted_text.push('\n');
        }
    }

    // Today's lines plus those accepted so far; grown a pattern at a time.
    let mut accepted = DockerIgnore::parse(&accepted_text, &file).unwrap_or_default();
    let needed = at_risk(&needed, &candidates, &file);
    for (comment, lines) in candidates {
        let mut kept = Vec::new();
        for candidate in lines {
            if existing_lines.contains(&normalized(&candidate.pattern)) {
                continue;
            }
            let Ok(alone) = DockerIgnore::parse(&candidate.pattern, &file) else {
                continue;
            };
            let added = match lines_for(&candidate, &alone, &accepted, &needed, &reached) {
                Ok(added) => added,
                Err(why) => {
                    kept_out.push((candidate.pattern.clone(), why));
                    continue;
                }
            };
            for (comment, line) in added {
                let Ok(parsed) = DockerIgnore::parse(&line, &file) else {
                    continue;
                };
                accepted_text.push_str(&line);
                accepted_text.push('\n');
                accepted.patterns.extend(parsed.patterns);
                kept.extend(comment.map(|c| format!("# {c}")));
                kept.push(line);
            }
        }
        // A section of only `!` lines re-includes nothing new.
        if kept
            .iter()
            .all(|l| l.starts_with('!') || l.starts_with('#'))
        {
            continue;
        }
        sections.push(Section {
            comment,
            lines: kept,
        });
    }

    // What the proposal saves, measured on this repository.
    let proposed = DockerIgnore::parse(&accepted_text, &file).unwrap_or_default();
    let after = crate::repo::context::measure(inputs.repo, &proposed);
    let today = match existing {
        Some(t) if existing != inputs.ignore_text => crate::repo::context::measure(
            inputs.repo,
            &DockerIgnore::parse(t, &file).unwrap_or_default(),
        ),
        Some(_) => inputs.context.clone(),
        None if inputs.ignore_text.is_none() => inputs.context.clone(),
        None => crate::repo::context::measure(inputs.repo, &DockerIgnore::default()),
    };
    let (before, after, files_cut) = (
        today.sent_bytes,
        after.sent_bytes,
        today.sent_files.saturating_sub(after.sent_files),
    );
    if !sections.is_empty() {
        use crate::rules::RuleId;
        let mut fixes = inputs.fixes(&[RuleId::DS101, RuleId::DS102]);
        // Model files are left out only where nothing reads them: the
        // proposal fixes DS103 when it excludes every one reported.
        let mut models = inputs.findings.iter().filter(|f| f.rule == RuleId::DS103);
        if models.clone().next().is_some()
            && models.all(|f| proposed.is_excluded(f.file.trim_end_matches('/')))
        {
            fixes.push(RuleId::DS103);
        }
        decisions.push(Decision {
            file: file.clone(),
            topic: Topic::BuildContext,
            choice: format!(
                "{} -> {} ({} fewer)",
                crate::units::human_bytes(before),
                crate::units::human_bytes(after),
                crate::units::files(files_cut)
            ),
            reason: format!(
                "{} lines{}: {}",
                sections.iter().map(|s| s.lines.len()).sum::<usize>(),
                if existing.is_some() {
                    " added in one marked block, existing lines kept"
                } else {
                    ""
                },
                sections
                    .iter()
                    .map(|s| s
                        .comment
                        .split(':')
                        .next()
                        .unwrap_or(&s.comment)
                        .to_lowercase())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            fixes,
        });
    }
    for (line, why) in &kept_out {
        decisions.push(Decision {
            file: file.clone(),
            topic: Topic::LeftOut,
            choice: line.clone(),
            reason: why.clone(),
            fixes: vec![],
        });
    }
    IgnorePlan {
        // Kept whole; the template appends after it, so it must end a line.
        existing: existing.map(|t| {
            if t.is_empty() || t.ends_with('\n') {
                t.to_string()
            } else {
                format!("{t}\n")
            }
        }),
        sections,
        kept_out,
    }
}

#[cfg(test)]
mod tests {
    use crate::output::FileRole;

    /// One candidate line that does not parse leaves the others checked:
    /// a needed path another line would exclude is still at risk.
    #[test]
    fn a_bad_candidate_line_does_not_hide_the_others() {
        use super::{at_risk, Candidate, DockerIgnore};
        assert!(DockerIgnore::parse("[unclosed", ".dockerignore").is_err());
        let candidates = vec![(
            "Tests".to_string(),
            vec![Candidate::plain("[unclosed"), Candidate::plain("tests")],
        )];
        let needed = vec!["app.py".to_string(), "tests/data.json".to_string()];
        assert_eq!(
            at_risk(&needed, &candidates, ".dockerignore"),
            ["tests/data.json"]
        );
    }

    /// The proposed ignore file of a repository holding `files`.
    fn proposed_ignore(files: &[(&str, &str)]) -> String {
        let (dir, _) = crate::repo::temp_repo(files);
        let opts = crate::Options {
            dir: dir.path().to_path_buf(),
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts).unwrap(), &opts).unwrap();
        proposal.change(FileRole::DockerIgnore).unwrap().new.clone()
    }

    #[test]
    fn public_build_settings_stay_when_the_image_builds_the_frontend() {
        let vite = [
            ("package.json", "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6\"}}"),
            ("package-lock.json", "{}"),
            ("index.html", "<title>x</title>\n"),
            (".env.production", "# the API the site calls\nVITE_API_URL=https://api.example.com\n"),
            (".env.local", "VITE_API_URL=/api\nSENTRY_AUTH_TOKEN=sntrys_abc\n"),
        ];
        let ignore = proposed_ignore(&vite);
        let lines: Vec<&str> = ignore.lines().collect();
        let at = |l: &str| lines.iter().position(|x| *x == l);
        // The baseline stays for every other env file; the re-include follows it.
        assert!(at("**/.env.*") < at("!.env.production"), "{ignore}");
        assert!(at("!.env.local").is_none(), "{ignore}");

        // A Dockerfile that never builds the site: nothing reads the file.
        let mut served = vite.to_vec();
        served.push((
            "Dockerfile",
            "FROM nginx:1.27\nCOPY dist/ /usr/share/nginx/html/\n",
        ));
        let ignore = proposed_ignore(&served);
        assert!(!ignore.contains("!.env.production"), "{ignore}");

        // Today's file excludes it and the build works without it: kept so.
        let mut excluded = vite.to_vec();
        excluded.push((".dockerignore", ".env*\nnode_modules\n"));
        let ignore = proposed_ignore(&excluded);
        assert!(!ignore.contains("!.env.production"), "{ignore}");
    }

    #[test]
    fn a_file_the_dockerfile_copies_by_name_stays_in_the_context() {
        let node = [
            ("package.json", "{\"name\": \"a\", \"dependencies\": {\"express\": \"4\"}}"),
            ("package-lock.json", "{}"),
            (".npmrc", "//npm.example.com/:_authToken=npm_abc\n"),
            ("server.js", "require('express')().listen(3000)\n"),
            (
                "Dockerfile",
                "FROM node:22-slim\nCOPY package.json package-lock.json .npmrc ./\nRUN npm ci\nCOPY server.js .\nCMD [\"node\", \"server.js\"]\n",
            ),
        ];
        let ignore = proposed_ignore(&node);
        assert!(!ignore.lines().any(|l| l.ends_with(".npmrc")), "{ignore}");

        // Not named by a COPY: the secret is excluded.
        let mut copies_all = node;
        copies_all[4].1 =
            "FROM node:22-slim\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";
        let ignore = proposed_ignore(&copies_all);
        assert!(ignore.lines().any(|l| l == "**/.npmrc"), "{ignore}");
    }
}
