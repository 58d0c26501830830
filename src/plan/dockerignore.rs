//! The proposed .dockerignore: the stack's baseline and every secret found,
//! minus any line that would exclude something the image needs. An existing
//! file keeps its lines and comments; what is missing goes in one marked
//! block at its end.

use serde::Serialize;

use super::python::PythonPlan;
use super::{Decision, Inputs};
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
}

impl Candidate {
    fn plain(pattern: &str) -> Candidate {
        Candidate {
            pattern: pattern.to_string(),
            comment: None,
        }
    }

    pub fn commented(pattern: &str, comment: String) -> Candidate {
        Candidate {
            pattern: pattern.to_string(),
            comment: Some(comment),
        }
    }
}

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
        "Local data: Flask's instance folder and SQLite databases",
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

/// Paths the image needs, which no proposed line may exclude.
pub(super) fn needed_paths(inputs: &Inputs, python: &PythonPlan) -> Vec<String> {
    let repo = inputs.repo;
    let test_like = |p: &str| p.split('/').any(|d| d == "tests" || d == "test");
    let mut needed: Vec<String> = repo
        .own_files()
        .filter(|f| {
            let p = f.path.as_str();
            (p.ends_with(".py") && !test_like(p))
                || p.split('/')
                    .any(|d| matches!(d, "templates" | "static" | "migrations" | "locale"))
                || p.ends_with(".sh")
        })
        .map(|f| f.path.clone())
        .collect();
    needed.extend(
        python
            .requirement_copies
            .iter()
            .flat_map(|g| g.sources.iter().cloned()),
    );
    needed.extend(python.local_paths.iter().cloned());
    if let Some(df) = inputs.dockerfile {
        needed.extend(df.intent().copied_paths.into_iter().map(|(p, _)| p));
    }
    let workdir = format!("{}/", python.workdir.trim_end_matches('/'));
    needed.extend(
        python
            .executable_scripts
            .iter()
            .map(|s| s.strip_prefix(&workdir).unwrap_or(s).to_string()),
    );
    needed.retain(|p| secret_kind(p).is_none());
    needed
}

pub fn plan(inputs: &Inputs, python: &PythonPlan, decisions: &mut Vec<Decision>) -> IgnorePlan {
    let existing_lines: Vec<String> = inputs
        .ignore_text
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(normalized)
                .collect()
        })
        .unwrap_or_default();
    let needed = needed_paths(inputs, python);
    let mut accepted_text: String = inputs.ignore_text.unwrap_or("").to_string();
    if !accepted_text.is_empty() && !accepted_text.ends_with('\n') {
        accepted_text.push('\n');
    }
    let mut sections = Vec::new();
    let mut kept_out = Vec::new();

    // Dynamic lines: secrets the baseline does not already cover, virtual
    // environments under other names, and large folders the image does not
    // need.
    let baseline_only = DockerIgnore::parse(
        &BASELINE
            .iter()
            .flat_map(|(_, l)| l.iter())
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
        "baseline",
    )
    .expect("baseline parses");
    let mut extra_secrets: Vec<Candidate> = inputs
        .secrets
        .iter()
        .filter(|s| !baseline_only.is_excluded(&s.path))
        .map(|s| Candidate::commented(&s.path, format!("{}, found by {}", s.kind, s.found_by)))
        .collect();
    extra_secrets.dedup_by(|a, b| a.pattern == b.pattern);
    let venvs: Vec<Candidate> = inputs
        .repo
        .files
        .iter()
        .filter_map(|f| f.path.strip_suffix("/pyvenv.cfg").map(str::to_string))
        .filter(|d| !baseline_only.is_excluded(&format!("{d}/pyvenv.cfg")))
        .map(|d| Candidate::plain(&d))
        .collect();

    let mut candidates: Vec<(String, Vec<Candidate>)> = BASELINE
        .iter()
        .map(|(c, l)| {
            (
                c.to_string(),
                l.iter().map(|s| Candidate::plain(s)).collect(),
            )
        })
        .collect();
    if !extra_secrets.is_empty() {
        candidates.push((
            "Secret files found in this repository".into(),
            extra_secrets,
        ));
    }
    if !venvs.is_empty() {
        candidates.push((
            "Virtual environments found in this repository".into(),
            venvs,
        ));
    }
    let (large, large_kept) = super::large_folders::find(inputs, python, &baseline_only);
    if !large.is_empty() {
        candidates.push((super::large_folders::SECTION.into(), large));
    }
    for (line, why) in large_kept {
        kept_out.push((line, why));
    }

    // Today's lines plus those accepted so far; grown a pattern at a time.
    let mut accepted = DockerIgnore::parse(&accepted_text, ".dockerignore").unwrap_or_default();
    for (comment, lines) in candidates {
        let mut kept = Vec::new();
        for candidate in lines {
            let line = candidate.pattern.clone();
            if existing_lines.contains(&normalized(&line)) {
                continue;
            }
            let Ok(alone) = DockerIgnore::parse(&line, ".dockerignore") else {
                continue;
            };
            if !line.starts_with('!') {
                // Appended last, an excluding line newly excludes exactly the
                // paths it matches that are sent so far.
                let hit = needed
                    .iter()
                    .find(|p| alone.is_excluded(p) && !accepted.is_excluded(p));
                if let Some(hit) = hit {
                    kept_out.push((
                        line.clone(),
                        format!("it would exclude {hit}, which the image needs"),
                    ));
                    continue;
                }
            }
            accepted_text.push_str(&line);
            accepted_text.push('\n');
            accepted.patterns.extend(alone.patterns);
            if let Some(c) = candidate.comment {
                kept.push(format!("# {c}"));
            }
            kept.push(line);
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
    let proposed = DockerIgnore::parse(&accepted_text, ".dockerignore").unwrap_or_default();
    let after = crate::repo::context::measure(inputs.repo, &proposed);
    let (before, after, files_cut) = (
        inputs.context.sent_bytes,
        after.sent_bytes,
        inputs.context.sent_files.saturating_sub(after.sent_files),
    );
    if !sections.is_empty() {
        let fixes = inputs.fixes(&["DS101", "DS102"]);
        decisions.push(Decision {
            file: ".dockerignore",
            topic: "build context".into(),
            choice: format!(
                "{} -> {} ({} fewer)",
                crate::output::human_bytes(before),
                crate::output::human_bytes(after),
                crate::output::files(files_cut)
            ),
            reason: format!(
                "{} lines{}: {}",
                sections.iter().map(|s| s.lines.len()).sum::<usize>(),
                if inputs.ignore_text.is_some() {
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
            file: ".dockerignore",
            topic: "left out".into(),
            choice: line.clone(),
            reason: why.clone(),
            fixes: vec![],
        });
    }
    IgnorePlan {
        // Kept whole; the template appends after it, so it must end a line.
        existing: inputs.ignore_text.map(|t| {
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
