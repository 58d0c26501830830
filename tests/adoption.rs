//! The ways teams adopt dockslim, run as they would run: the pre-commit
//! hooks' entries, the GitHub Action's script, and the shell completions.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dockslim_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("dockslim")
}

#[derive(Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    pass_filenames: bool,
    files: String,
}

fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// Runs a hook's entry as pre-commit does: in the repository, no file names.
fn run_hook(hook: &Hook, repo: &Path) -> std::process::Output {
    let mut words = hook.entry.split_whitespace();
    assert_eq!(words.next(), Some("dockslim"), "{}", hook.id);
    Command::new(dockslim_bin())
        .args(words)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn pre_commit_hooks_run_and_watch_the_files_that_change_the_proposal() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["dockslim-check", "dockslim-analyze"]);
    for hook in &hooks {
        // pre-commit builds a `rust` hook with `cargo install` of this repository.
        assert_eq!(hook.language, "rust");
        assert!(
            !hook.pass_filenames,
            "{}: dockslim reads the repository",
            hook.id
        );
        let files = regex::Regex::new(&hook.files).unwrap();
        for path in [
            "Dockerfile",
            "docker/backend/Dockerfile",
            "Dockerfile.frontend",
            "api.Dockerfile",
            ".dockerignore",
            "compose.yaml",
            "docker-compose.override.yml",
            "requirements.txt",
            "services/api/requirements-dev.in",
            "pyproject.toml",
            "poetry.lock",
            "package.json",
            "web/package-lock.json",
            "dockslim.yaml",
        ] {
            assert!(
                files.is_match(path),
                "{}: {path} should run the hook",
                hook.id
            );
        }
        for path in ["app.py", "src/main.ts", "README.md", "docs/docker.md"] {
            assert!(
                !files.is_match(path),
                "{}: {path} should not run the hook",
                hook.id
            );
        }
    }

    let repo = common::fixture("flask-carried");
    let check = &hooks[0];
    let before = run_hook(check, repo.path());
    assert_eq!(
        before.status.code(),
        Some(1),
        "the fixture differs from its proposal"
    );
    assert!(String::from_utf8_lossy(&before.stdout).contains("--- a/Dockerfile"));
    let applied = Command::new(dockslim_bin())
        .args(["rewrite", "--apply"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert_eq!(applied.status.code(), Some(0), "{applied:?}");
    let after = run_hook(check, repo.path());
    assert_eq!(after.status.code(), Some(0), "{after:?}");

    let analyze = run_hook(&hooks[1], repo.path());
    assert!(
        matches!(analyze.status.code(), Some(0 | 1)),
        "analyze ends with a verdict: {analyze:?}"
    );
}

#[derive(Deserialize)]
struct Action {
    runs: Runs,
}

#[derive(Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    run: Option<String>,
    uses: Option<String>,
}

/// `key=value` lines of a GITHUB_OUTPUT file.
fn outputs(file: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs the action's script the way its `check` step does.
fn run_action(repo: &Path, temp: &Path) -> (i32, std::collections::BTreeMap<String, String>) {
    let output_file = temp.join("github-output");
    std::fs::write(&output_file, "").unwrap();
    let status = Command::new("bash")
        .arg(root().join("scripts/github-action.sh"))
        .env("DOCKSLIM", dockslim_bin())
        .env("PATH_INPUT", repo)
        .env("ARGS_INPUT", "")
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_OUTPUT", &output_file)
        .env("NO_COLOR", "1")
        .status()
        .unwrap();
    (status.code().unwrap(), outputs(&output_file))
}

#[test]
fn the_github_action_reports_drift_as_markdown_and_sarif() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let action: Action = serde_norway::from_str(&text).unwrap();
    assert_eq!(action.runs.using, "composite");
    let runs: Vec<&str> = action
        .runs
        .steps
        .iter()
        .filter_map(|s| s.run.as_deref())
        .collect();
    assert!(runs
        .iter()
        .any(|r| r.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\"")));
    assert!(runs.iter().any(|r| r.contains("scripts/github-action.sh")));
    assert!(action
        .runs
        .steps
        .iter()
        .any(|s| s.uses.as_deref() == Some("github/codeql-action/upload-sarif@v3")));

    let repo = common::fixture("flask-carried");
    let temp = tempfile::tempdir().unwrap();
    let (code, out) = run_action(repo.path(), temp.path());
    assert_eq!(code, 0, "drift is an output, not a failed step: {out:?}");
    assert_eq!(out["drift"], "true");
    let report = std::fs::read_to_string(&out["report"]).unwrap();
    assert!(report.contains("```diff"), "{report}");
    assert!(report.contains("Dockerfile"), "{report}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out["sarif"]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    Command::new(dockslim_bin())
        .args(["rewrite", "--apply"])
        .arg(repo.path())
        .status()
        .unwrap();
    let (code, out) = run_action(repo.path(), temp.path());
    assert_eq!((code, out["drift"].as_str()), (0, "false"));

    // An input error stops the step with dockslim's status.
    let (code, _) = run_action(&repo.path().join("no-such-folder"), temp.path());
    assert_eq!(code, 2);
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_dockslim()"),
        ("zsh", "#compdef dockslim"),
        ("fish", "complete -c dockslim"),
    ] {
        let out = Command::new(dockslim_bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        for command in ["rewrite", "analyze", "context", "verify", "explain"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    let unknown = Command::new(dockslim_bin())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
