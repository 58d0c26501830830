//! The command line as users run it: every command, every exit status, and
//! bad input that must fail with a clear message and leave the disk alone.

mod common;
use common::FailsTeaching;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn dockslim() -> Command {
    let mut cmd = Command::cargo_bin("dockslim").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Every file below `dir` with its bytes, to prove nothing was touched.
fn snapshot_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn rewrite_shows_detection_findings_and_diff() {
    let dir = common::fixture("flask-junk");
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("Flask (WSGI) app api_server:app"))
        .stdout(contains("DS101 secret-in-context"))
        .stdout(contains("--- a/Dockerfile"))
        .stdout(contains("+++ b/.dockerignore"))
        .stdout(contains("\u{1b}[").not());
    assert_eq!(
        before,
        snapshot_tree(dir.path()),
        "rewrite without --apply must not write"
    );
}

#[test]
fn apply_writes_both_files_then_check_passes() {
    let dir = common::fixture("flask-junk");
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(contains("differs from the proposal"));
    dockslim()
        .args(["rewrite", "--apply", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(contains("wrote Dockerfile, .dockerignore"));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("AS python-deps") && dockerfile.contains("USER 10001:10001"));
    assert!(std::fs::read_to_string(dir.path().join(".dockerignore"))
        .unwrap()
        .contains("**/node_modules"));
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(contains("nothing to write"));
}

#[test]
fn existing_dockerignore_keeps_lines_and_gets_a_marked_block() {
    let dir = common::fixture("flask-junk");
    std::fs::write(
        dir.path().join(".dockerignore"),
        "# ours\nfabric_swatches\n.git\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(
        text.starts_with("# ours\nfabric_swatches\n.git\n"),
        "{text}"
    );
    assert!(text.contains("# --- added by dockslim"));
    assert_eq!(
        text.matches("\n.git\n").count(),
        1,
        ".git was already there: {text}"
    );
}

#[test]
fn json_and_markdown_formats() {
    let dir = common::fixture("django-psycopg2");
    let out = dockslim()
        .args(["rewrite", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["schema"], "dockslim-report/1");
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "DS502"));
    dockslim()
        .args(["rewrite", "--format", "markdown"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("| Severity | Rule | Where | What | Cost |"))
        .stdout(contains("```diff"));
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+FROM python:3.12 AS python-deps"));
}

#[test]
fn analyze_and_fail_on() {
    let dir = common::fixture("flask-junk");
    dockslim()
        .args(["analyze"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("Findings"))
        .stdout(contains("--- a/").not());
    dockslim()
        .args(["analyze", "--fail-on", "error"])
        .arg(dir.path())
        .assert()
        .code(1);
    let clean = common::fixture("fastapi-app");
    std::fs::remove_file(clean.path().join("deploy/service-account.json")).unwrap();
    dockslim()
        .args(["analyze", "--fail-on", "error"])
        .arg(clean.path())
        .assert()
        .success();
}

#[test]
fn init_writes_starters_and_refuses_to_overwrite() {
    let dir = common::fixture("fastapi-app");
    dockslim()
        .args(["init"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("wrote Dockerfile"))
        .stdout(contains("wrote .dockerignore"));
    assert!(dir.path().join("Dockerfile").exists());
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["init"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("already exists"))
        .stderr(contains("--force"));
    assert_eq!(before, snapshot_tree(dir.path()));
    dockslim()
        .args(["init", "--force", "--set", "port=9000"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(std::fs::read_to_string(dir.path().join("Dockerfile"))
        .unwrap()
        .contains("EXPOSE 9000"));
}

/// `init` in a repository whose code writes: the folders are made and
/// given to the user, and the report says which line of code writes each.
#[test]
fn init_gives_the_user_the_folders_the_code_writes() {
    let write = |dir: &std::path::Path, files: &[(&str, &str)]| {
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    };
    let flask = tempfile::tempdir().unwrap();
    write(
        flask.path(),
        &[
            ("requirements.txt", "flask==3.0.3\nflask-sqlalchemy==3.1.1\ngunicorn==22.0.0\n"),
            ("app.py", "import os\nfrom flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///shop.db'\ndb = SQLAlchemy(app)\nos.makedirs(os.environ.get('UPLOADS', 'uploads'), exist_ok=True)\n\n@app.get('/health')\ndef health():\n    return 'ok'\n"),
        ],
    );
    dockslim()
        .args(["rewrite", "--format", "json"])
        .arg(flask.path())
        .assert()
        .stdout(contains(
            "app.py:8 creates the folder, unless UPLOADS says elsewhere",
        ));
    dockslim()
        .args(["init"])
        .arg(flask.path())
        .assert()
        .success();
    let dockerfile = std::fs::read_to_string(flask.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("RUN mkdir -p /app/instance /app/uploads \\\n && chown app:app /app/instance /app/uploads\nUSER"),
        "{dockerfile}"
    );

    let express = tempfile::tempdir().unwrap();
    write(
        express.path(),
        &[
            ("package.json", "{\"name\": \"todo\", \"main\": \"server.js\", \"dependencies\": {\"express\": \"4.21.2\"}}"),
            ("package-lock.json", "{\"lockfileVersion\": 3}"),
            ("server.js", "const fs = require('fs')\nfs.mkdirSync('/var/lib/todo', { recursive: true })\nconst app = require('express')()\napp.get('/healthz', (q, r) => r.send('ok'))\napp.listen(3000)\n"),
        ],
    );
    dockslim()
        .args(["init"])
        .arg(express.path())
        .assert()
        .success();
    let dockerfile = std::fs::read_to_string(express.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(
            "RUN mkdir -p /var/lib/todo \\\n && chown node:node /var/lib/todo\nUSER 1000:1000"
        ),
        "{dockerfile}"
    );
}

#[test]
fn profiles_and_explain() {
    dockslim()
        .args(["profiles"])
        .assert()
        .success()
        .stdout(contains("python-bookworm"))
        .stdout(contains("(extends python)"));
    dockslim()
        .args(["profiles", "show", "python-bookworm"])
        .assert()
        .success()
        .stdout(contains("debian: bookworm"))
        .stdout(contains("uid: 10001"));
    dockslim()
        .args(["profiles", "show", "nope"])
        .assert()
        .fails_teaching()
        .stderr(contains("no profile named `nope`"));
    dockslim()
        .args(["explain", "DS201"])
        .assert()
        .success()
        .stdout(contains("copy-before-dependencies"))
        .stdout(contains("Why it matters"));
    dockslim()
        .args(["explain", "ds999"])
        .assert()
        .fails_teaching()
        .stderr(contains("no rule `ds999`"));
    dockslim()
        .args(["explain", "--all"])
        .assert()
        .success()
        .stdout(contains("| DS504 |"));
}

#[test]
fn help_explains_every_command_with_an_example() {
    for cmd in ["rewrite", "init", "analyze", "profiles", "explain"] {
        dockslim()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(contains("Examples:"));
    }
    dockslim()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Exit status"));
    dockslim().arg("bogus").assert().fails_teaching();
}

#[test]
fn settings_pin_choices_and_bad_keys_are_named() {
    let dir = common::fixture("flask-junk");
    // An existing Dockerfile keeps its own base image: the setting is named
    // as not used, and one for another stack is an error.
    dockslim()
        .args(["rewrite", "--set", "python=3.11", "--set", "user.uid=20000"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "warning: `python` shapes the Dockerfile `init` writes",
        ))
        .stdout(contains("USER 20000:20000"));
    dockslim()
        .args(["rewrite", "--set", "node=22"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("node is set, but this is a Python project"));
    // For the generated files, the settings pin the choices.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    dockslim()
        .args([
            "rewrite",
            "--format",
            "diff",
            "--set",
            "python=3.11",
            "--set",
            "registry=mirror.example.com/hub",
            "--set",
            "user.uid=20000",
            "--set",
            "health=none",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+FROM mirror.example.com/hub/python:3.11-slim-trixie AS builder",
        ))
        .stdout(contains("USER 20000:20000"))
        .stdout(contains("HEALTHCHECK").not());
    dockslim()
        .args(["rewrite", "--set", "prot=80"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("--set prot=80: unknown key `prot`"))
        .stderr(contains("hint: did you mean `port`?"));
    std::fs::write(dir.path().join("dockslim.yaml"), "port: [1, 2]\n").unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains(
            "dockslim.yaml:1:1: port: invalid type: a list, expected a whole number from 0 to 65535",
        ));
}

#[test]
fn errors_quote_the_line_with_a_caret_and_say_what_was_meant() {
    let dir = common::fixture("flask-junk");
    // A misspelt key of the configuration, on its line.
    std::fs::write(
        dir.path().join("dockslim.yaml"),
        "port: 8000\nprofil: python\n",
    )
    .unwrap();
    dockslim()
        .arg("rewrite")
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("dockslim.yaml:2:1: unknown key `profil`"))
        .stderr(contains("  |\n2 | profil: python\n  | ^^^^^^^\n"))
        .stderr(contains("hint: did you mean `profile`?"));
    std::fs::remove_file(dir.path().join("dockslim.yaml")).unwrap();
    // A misspelt instruction of the Dockerfile.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.12-slim\nCOPPY . /app\n",
    )
    .unwrap();
    dockslim()
        .arg("rewrite")
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("Dockerfile:2:"))
        .stderr(contains("2 | COPPY . /app\n"))
        .stderr(contains("^"))
        .stderr(contains("hint: did you mean `COPY`?"));
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    // A profile, a rule and a stage that do not exist.
    dockslim()
        .args(["rewrite", "--profile", "pyhton"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("no profile named `pyhton`"))
        .stderr(contains("hint: did you mean `python`?"));
    dockslim()
        .args(["explain", "DS10"])
        .assert()
        .fails_teaching()
        .stderr(contains("hint: did you mean `DS1"));
    dockslim()
        .args(["rewrite", "--only", "DS4O1"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("hint: did you mean `DS401`?"));
    // A command line clap refuses still ends with a hint.
    dockslim()
        .args(["verify", "--timeout", "soon"])
        .assert()
        .fails_teaching()
        .stderr(contains("expected a whole number"))
        .stderr(contains("hint: `dockslim verify --help`"));
    // A file that is not there is said in words, not `os error 2`.
    dockslim()
        .args(["rewrite", "--set", "ignore=x", "/definitely/not/here"])
        .assert()
        .fails_teaching()
        .stderr(contains("/definitely/not/here: does not exist"))
        .stderr(contains("hint: check the spelling"));
}

#[test]
fn bad_input_exits_2_and_changes_nothing() {
    // An invalid requirements file.
    let dir = common::fixture("flask-junk");
    std::fs::write(
        dir.path().join("requirements.txt"),
        "flask==3.1.0\nthis is not a requirement\n",
    )
    .unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains(
            "requirements.txt:2: `this is not a requirement`: expected a requirement",
        ));
    assert_eq!(before, snapshot_tree(dir.path()));

    // Non-UTF-8 content.
    std::fs::write(dir.path().join("requirements.txt"), b"flask\xff\n").unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("requirements.txt:1:6: is not UTF-8 text"));

    // A Dockerfile that does not parse.
    let dir = common::fixture("django-psycopg2");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.12\nCOPY onlyone\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("Dockerfile:2:"));

    // A Dockerfile path that is a folder.
    let dir = common::fixture("fastapi-app");
    dockslim()
        .args(["rewrite", "--dockerfile"])
        .arg(dir.path().join("app"))
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("is a folder"));

    // No project at all: say what was looked for.
    let empty = common::fixture("no-project");
    dockslim()
        .args(["rewrite"])
        .arg(empty.path())
        .assert()
        .fails_teaching()
        .stderr(contains("no Python or Node project found"))
        .stderr(contains("requirements.txt"))
        .stderr(contains("package.json"));

    // Not a folder.
    dockslim()
        .args(["analyze", "/definitely/not/here"])
        .assert()
        .fails_teaching()
        .stderr(contains("/definitely/not/here"));
}

#[test]
fn unreadable_requirements_file_is_an_error() {
    // An include that cannot be read as a file.
    let dir = common::fixture("flask-junk");
    std::fs::create_dir(dir.path().join("extra.txt")).unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "flask\n-r extra.txt\n").unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("extra.txt is a folder, expected a file"));

    // A file without read permission (root reads everything, so only as a user).
    #[cfg(unix)]
    if !nix_is_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = common::fixture("flask-junk");
        let req = dir.path().join("requirements.txt");
        std::fs::set_permissions(&req, std::fs::Permissions::from_mode(0o000)).unwrap();
        dockslim()
            .args(["rewrite"])
            .arg(dir.path())
            .assert()
            .fails_teaching()
            .stderr(contains("requirements.txt: Permission denied"));
    }
}

#[cfg(unix)]
fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

#[cfg(unix)]
#[test]
fn read_only_target_fails_cleanly_and_keeps_the_old_file() {
    // A non-root user cannot write into a 0555 folder; root can, so as root
    // the folder is bind-mounted read-only instead.
    use std::os::unix::fs::PermissionsExt;
    let dir = common::fixture("django-psycopg2");
    let root = nix_is_root();
    let mounted = root
        && std::process::Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(dir.path())
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        !root || mounted,
        "as root this test needs `mount --bind -o ro` to make a read-only folder"
    );
    if !root {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let before = snapshot_tree(dir.path());
    let assert = dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert();
    if mounted {
        let _ = std::process::Command::new("umount")
            .arg(dir.path())
            .status();
    } else {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert.fails_teaching().stderr(contains("dockslim: error:"));
    assert_eq!(
        before,
        snapshot_tree(dir.path()),
        "nothing written, nothing half-written"
    );
    assert!(!dir.path().join(".dockerignore").exists());
}

#[test]
fn readme_rule_table_is_generated_from_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- rules:start -->\n").unwrap() + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").unwrap();
    assert_eq!(
        &readme[start..end],
        dockslim::cli::rules_table(),
        "regenerate with `dockslim explain --all`"
    );
}

#[test]
fn readme_example_matches_the_snapshot() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let snap = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/snapshots/flask-junk__Dockerfile.snap"
    ))
    .unwrap();
    let generated: String = snap.splitn(3, "---\n").nth(2).unwrap().to_string();
    let body = generated.split_once("\n\n").unwrap().1;
    assert!(
        readme.contains(body),
        "the README's worked example no longer matches snapshots/flask-junk__Dockerfile.snap"
    );
}

#[test]
fn templates_and_profiles_can_be_overridden_from_folders() {
    let dir = common::fixture("fastapi-app");
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("dockerignore.j2"), "# team template\n{% for s in plan.dockerignore.sections %}{% for l in s.lines %}{{ l }}\n{% endfor %}{% endfor %}").unwrap();
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(
        profiles.path().join("team.yaml"),
        "name: team\nextends: python\ndescription: ours\nuser: {name: svc, uid: 23456}\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--apply", "--profile", "team", "--templates-dir"])
        .arg(templates.path())
        .arg("--profiles-dir")
        .arg(profiles.path())
        .arg(dir.path())
        .assert()
        .success();
    assert!(std::fs::read_to_string(dir.path().join(".dockerignore"))
        .unwrap()
        .starts_with("# team template\n.git\n"));
    assert!(std::fs::read_to_string(dir.path().join("Dockerfile"))
        .unwrap()
        .contains("USER 23456:23456"));

    std::fs::write(
        templates.path().join("dockerignore.j2"),
        "{{ plan.nothing_here }}",
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--templates-dir"])
        .arg(templates.path())
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("dockerignore.j2"))
        .stderr(contains("template error"));
}

#[test]
fn dockerfile_elsewhere_uses_its_own_ignore_file() {
    let dir = common::fixture("flask-junk");
    std::fs::create_dir_all(dir.path().join("docker/api")).unwrap();
    std::fs::rename(
        dir.path().join("Dockerfile"),
        dir.path().join("docker/api/Dockerfile"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("docker/api/Dockerfile.dockerignore"),
        "node_modules\n",
    )
    .unwrap();
    let out = dockslim()
        .args(["rewrite", "--format", "json", "--dockerfile"])
        .arg(dir.path().join("docker/api/Dockerfile"))
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let paths: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "docker/api/Dockerfile",
            "docker/api/Dockerfile.dockerignore"
        ]
    );
    let findings = json["findings"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["file"] == "node_modules/"),
        "Docker uses Dockerfile.dockerignore, which excludes node_modules"
    );
    assert!(findings.iter().any(|f| f["file"] == ".git/"));
}

#[test]
fn context_reports_today_and_the_proposal() {
    let dir = common::fixture("flask-junk");
    dockslim()
        .args(["context"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("sent today"))
        .stdout(contains("sent with the proposal"))
        .stdout(contains("node_modules/"))
        .stdout(contains(
            "What each line of the proposed .dockerignore leaves out",
        ))
        .stdout(contains("fabric_swatches"))
        .stdout(contains("DS101"));
    let out = dockslim()
        .args(["context", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["schema"], "dockslim-context/1");
    let today = json["today"]["sent_bytes"].as_u64().unwrap();
    let proposed = json["proposed"]["sent_bytes"].as_u64().unwrap();
    assert!(
        proposed * 100 < today,
        "the proposal should cut the context to under 1%: {today} -> {proposed}"
    );
    // Every excluded byte is attributed to a line.
    let by_line: u64 = json["proposed"]["by_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(
        by_line,
        json["proposed"]["excluded_bytes"].as_u64().unwrap()
    );
    dockslim()
        .args(["context", "--fail-on", "error"])
        .arg(dir.path())
        .assert()
        .code(1);
}

#[test]
fn context_list_is_sorted_and_honours_the_ignore_file() {
    let dir = common::fixture("django-psycopg2");
    std::fs::write(dir.path().join(".dockerignore"), ".git\n.venv\n*.sqlite3\n").unwrap();
    let out = dockslim()
        .args(["context", "--list"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let listed: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    assert!(listed.contains(&"manage.py".to_string()));
    assert!(listed.contains(&".env.production".to_string()));
    assert!(!listed
        .iter()
        .any(|p| p.starts_with(".git/") || p.starts_with(".venv/") || p == "db.sqlite3"));
}

#[cfg(unix)]
#[test]
fn context_does_not_follow_links_and_survives_loops() {
    let dir = common::fixture("no-project");
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
    let out = dockslim()
        .args(["context", "--list"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap(), "README.md\n");
    dockslim()
        .args(["context"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("no proposal: "))
        .stdout(contains("no Python or Node project found"));
}

#[test]
fn dockerfile_elsewhere_with_its_own_ignore_file() {
    // docker build -f docker/backend/Dockerfile . reads
    // docker/backend/Dockerfile.dockerignore instead of ./.dockerignore.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("docker/backend")).unwrap();
    std::fs::write(
        root.join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    std::fs::write(
        root.join("requirements.txt"),
        "flask==3.0.3\ngunicorn==22.0.0\n",
    )
    .unwrap();
    std::fs::write(root.join(".dockerignore"), "# the root one, not used\n").unwrap();
    std::fs::write(
        root.join("docker/backend/Dockerfile"),
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 9000\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:9000\", \"app:app\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("docker/backend/Dockerfile.dockerignore"),
        ".git\n",
    )
    .unwrap();
    dockslim()
        .current_dir(root)
        .args([
            "rewrite",
            "--dockerfile",
            "docker/backend/Dockerfile",
            "--context",
            ".",
            "--apply",
        ])
        .assert()
        .success()
        .stdout(contains("+++ b/docker/backend/Dockerfile"))
        .stdout(contains("+++ b/docker/backend/Dockerfile.dockerignore"));
    let written = std::fs::read_to_string(root.join("docker/backend/Dockerfile")).unwrap();
    assert!(written.contains("EXPOSE 9000"), "{written}");
    assert_eq!(
        std::fs::read_to_string(root.join(".dockerignore")).unwrap(),
        "# the root one, not used\n"
    );
    dockslim()
        .current_dir(root)
        .args([
            "rewrite",
            "--dockerfile",
            "docker/backend/Dockerfile",
            "--context",
            ".",
            "--check",
        ])
        .assert()
        .success();
}

#[test]
fn apply_writes_the_pyproject_edit_and_says_to_relock() {
    let dir = common::fixture("uv-fastapi");
    let before = std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("run `uv lock`"))
        .stderr(contains("wrote Dockerfile, .dockerignore, pyproject.toml"));
    let after = std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap();
    // pytest left the main dependencies for the dev group; every other line
    // (comments included) is where it was.
    let main = after.split("[dependency-groups]").next().unwrap();
    assert!(!main.contains("pytest"), "{after}");
    assert!(after.contains("    \"pytest>=8.3\",\n]"), "{after}");
    for line in before.lines().filter(|l| !l.contains("pytest")) {
        assert!(after.lines().any(|a| a == line), "lost `{line}`:\n{after}");
    }
    // The proposal is now a fixed point.
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn bad_pyproject_names_file_and_line_and_writes_nothing() {
    let dir = common::fixture("uv-fastapi");
    let path = dir.path().join("pyproject.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"uvicorn>=0.32\"", "\"uvicorn >= \"");
    std::fs::write(&path, text).unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("pyproject.toml:8"))
        .stderr(contains("expected a PEP 508 requirement"));
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn uv_workspace_builds_the_member_that_holds_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("pyproject.toml", "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n"),
        ("uv.lock", "version = 1\n"),
        ("packages/api/pyproject.toml", "[project]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi>=0.115\", \"uvicorn>=0.32\", \"core\"]\n\n[tool.uv.sources]\ncore = { workspace = true }\n\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"),
        ("packages/api/src/api/__init__.py", ""),
        ("packages/api/src/api/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/health\")\ndef health():\n    return {}\n"),
        ("packages/core/pyproject.toml", "[project]\nname = \"core\"\nversion = \"0.1.0\"\n"),
        ("packages/core/src/core/__init__.py", ""),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+COPY pyproject.toml uv.lock ./\n+COPY packages/api/pyproject.toml packages/api/\n+COPY packages/core/pyproject.toml packages/core/\n",
        ))
        .stdout(contains("uv sync --locked --no-dev --no-install-workspace --package api\n"))
        .stdout(contains("uv sync --locked --no-dev --package api --no-editable\n"))
        .stdout(contains("\"uvicorn\", \"api.main:app\""));
    dockslim()
        .args(["rewrite", "--set", "package=nope"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains(
            "package = `nope` is not a member of the workspace",
        ));
}

#[test]
fn frontend_the_backend_does_not_serve_gets_its_own_dockerfile() {
    let dir = common::fixture("flask-vite");
    // Where the frontend goes is decided for generated files.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    // The API no longer serves the built files: nothing names frontend/dist.
    let app = dir.path().join("app.py");
    let text = std::fs::read_to_string(&app)
        .unwrap()
        .replace(
            "static_folder=\"frontend/dist\", static_url_path=\"\"",
            "static_folder=\"static\"",
        )
        .replace(
            "return send_from_directory(app.static_folder, \"index.html\")",
            "return \"see the frontend\"",
        );
    std::fs::write(&app, text).unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("gets Dockerfile.frontend"))
        .stdout(contains("nothing in the backend reads frontend/dist"));
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let frontend = read("Dockerfile.frontend");
    assert!(frontend.contains("COPY frontend/package.json frontend/package-lock.json ./"));
    assert!(frontend.contains("COPY frontend/nginx.conf /etc/nginx/nginx.conf"));
    assert!(frontend.contains("docker build -f Dockerfile.frontend ."));
    assert!(read("Dockerfile.frontend.dockerignore").contains("*\n!frontend\n"));
    assert!(read("frontend/nginx.conf").contains("try_files $uri $uri/ /index.html;"));
    let backend = read("Dockerfile");
    assert!(!backend.contains("node:"), "{backend}");
    assert!(read(".dockerignore").contains("\nfrontend\n"));
    // The written files are a fixed point.
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();

    // Configured elsewhere: the frontend folder is the build context.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    dockslim()
        .args([
            "rewrite",
            "--format",
            "diff",
            "--set",
            "frontend-dockerfile=frontend/Dockerfile",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+++ b/frontend/Dockerfile"))
        .stdout(contains("+COPY package.json package-lock.json ./"))
        .stdout(contains("+COPY nginx.conf /etc/nginx/nginx.conf"));
}

#[test]
fn frontend_placement_can_be_configured() {
    let dir = common::fixture("flask-vite");
    // Where the frontend goes is decided for generated files.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff", "--set", "frontend=separate"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+++ b/Dockerfile.frontend"));
    dockslim()
        .args(["rewrite", "--set", "frontend=sideways"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("frontend"));
}

#[test]
fn bad_package_json_names_file_line_and_column_and_writes_nothing() {
    let dir = common::fixture("vite-spa");
    let path = dir.path().join("package.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"vite build\",", "\"vite build\",,");
    std::fs::write(&path, text).unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("package.json:8:"))
        .stderr(contains("expected valid JSON"));
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn caddy_profile_serves_the_static_site_with_caddy() {
    let dir = common::fixture("vite-spa");
    dockslim()
        .args(["rewrite", "--format", "diff", "--profile", "caddy"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+FROM caddy:2.10-alpine AS runtime"))
        .stdout(contains("+COPY Caddyfile /etc/caddy/Caddyfile"))
        .stdout(contains("+\ttry_files {path} /index.html"))
        .stdout(contains("+USER 10001:10001"));
}

#[test]
fn node_project_without_a_lock_file_is_built_with_npm_install_and_the_finding() {
    let dir = common::fixture("vite-spa");
    std::fs::remove_file(dir.path().join("package-lock.json")).unwrap();
    // An existing Dockerfile is still edited, and the finding is reported.
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("DS406 no-lock-file"))
        .stdout(contains("run `npm install` and commit package-lock.json"));
    // Without one, the generated file installs with the resolving install
    // from package.json alone: no refusal.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("DS406 no-lock-file"))
        .stdout(contains(
            "package.json: npm resolves package.json's version ranges at build time",
        ))
        .stdout(contains("run `npm install` and commit package-lock.json"))
        .stdout(contains("+COPY package.json ./\n"))
        .stdout(contains("    npm install\n"))
        .stdout(contains("npm ci").not())
        .stdout(contains("package-lock.json ./").not());
}

/// The three lock-less fixtures: `init` writes a Dockerfile with the
/// install that resolves (never `--locked`, `npm ci`), the manifest copied
/// before the source, and its decisions and the file's header name the
/// command that writes the lock; `rewrite` and `analyze` report the
/// finding, in JSON too.
#[test]
fn projects_without_a_lock_file_get_the_resolving_install_and_the_lock_command() {
    let cases: &[(&str, &str, &[&str], &str, &str)] = &[
        (
            "uv-fastapi-no-lock",
            "uv lock",
            &[
                "COPY pyproject.toml ./\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --no-dev --no-install-project\n",
            ],
            "--locked",
            "pyproject.toml",
        ),
        (
            "poetry-flask-no-lock",
            "poetry lock",
            &[
                "COPY pyproject.toml ./\n",
                "/opt/poetry/bin/poetry install --only main --no-root --no-directory\n",
            ],
            "poetry.lock",
            "pyproject.toml",
        ),
        (
            "express-no-lock",
            "npm install",
            &[
                // Its `"prepare": "husky"` only installs git hooks: dropped.
                "COPY package.json ./\nRUN --mount=type=cache,target=/root/.npm \\\n    npm pkg delete scripts.prepare && npm install --omit=dev\n",
            ],
            "npm ci",
            "package.json",
        ),
    ];
    for (name, lock_command, wanted, unwanted, manifest) in cases {
        let dir = common::fixture(name);
        dockslim()
            .args(["init"])
            .arg(dir.path())
            .assert()
            .success()
            .stdout(contains("wrote Dockerfile"))
            // init lists its decisions, not findings: the install's says it.
            .stdout(contains(format!("DS406: `{lock_command}` writes")));
        let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        for line in *wanted {
            assert!(
                dockerfile.contains(line),
                "{name}: no {line:?} in\n{dockerfile}"
            );
        }
        let comment_free: String = dockerfile
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !comment_free.contains(unwanted),
            "{name}: {unwanted} in\n{dockerfile}"
        );
        assert!(
            dockerfile.contains(&format!("`{lock_command}` writes one to commit (DS406)")),
            "{name}: the header does not say how to pin it:\n{dockerfile}"
        );
        // The manifest before the source: the dependency layer is cached.
        let manifest_copy = dockerfile.find(&format!("COPY {manifest} ./")).unwrap();
        let source_copy = dockerfile.find("COPY . .").unwrap();
        assert!(manifest_copy < source_copy, "{name}");
        std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
        dockslim()
            .args(["rewrite"])
            .arg(dir.path())
            .assert()
            .success()
            .stdout(contains("DS406 no-lock-file"))
            .stdout(contains(format!("run `{lock_command}` and commit")));
        let out = dockslim()
            .args(["analyze", "--format", "json"])
            .arg(dir.path())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "DS406")
            .unwrap_or_else(|| panic!("{name}: no DS406 in {report}"));
        assert_eq!(finding["file"], *manifest, "{name}");
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .contains(&format!("run `{lock_command}`")),
            "{name}: {finding}"
        );
    }
    dockslim()
        .args(["explain", "DS406"])
        .assert()
        .success()
        .stdout(contains("no-lock-file"))
        .stdout(contains("uv lock"))
        .stdout(contains("poetry lock"))
        .stdout(contains("npm install"));
}

/// Once the lock is committed, the same project installs exactly the lock
/// and the finding is gone.
#[test]
fn committing_the_lock_makes_the_install_follow_it() {
    let dir = common::fixture("express-no-lock");
    std::fs::write(
        dir.path().join("package-lock.json"),
        "{\"lockfileVersion\": 3}",
    )
    .unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("DS406").not())
        .stdout(contains("+COPY package.json package-lock.json ./\n"))
        .stdout(contains("npm ci --omit=dev"));
}

#[test]
fn bad_frontend_package_json_beside_a_backend_is_an_error() {
    let dir = common::fixture("flask-vite");
    std::fs::write(
        dir.path().join("frontend/package.json"),
        "{\n  \"name\": \"web\"\n  \"private\": true\n}\n",
    )
    .unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("frontend/package.json:3:"));
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn frontend_built_into_the_backend_ignores_nginx_files_it_does_not_need() {
    // The backend serves the build, so no static server config is written,
    // and the team's own nginx files are no obstacle.
    let dir = common::fixture("flask-vite");
    // Where the frontend goes is decided for generated files.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    for path in ["frontend/nginx.conf", "frontend/docker/nginx.conf"] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "server { listen 80; }\n").unwrap();
    }
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+FROM node:24-slim AS frontend"))
        .stdout(contains("nginx.conf").not());
}

#[test]
fn configured_health_route_is_what_a_node_image_probes() {
    let dir = common::fixture("express-api");
    dockslim()
        .args(["rewrite", "--format", "diff", "--set", "health=/ready"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("fetch('http://127.0.0.1:8080/ready')"));
    let dir = common::fixture("vite-spa");
    dockslim()
        .args(["rewrite", "--format", "diff", "--set", "health=/index.html"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("printf 'GET /index.html HTTP/1.0"));
}

#[test]
fn a_repository_of_several_images_gets_one_section_per_image() {
    let dir = common::fixture("two-services");
    // Text: a section per compose service, each planned in its own context.
    dockslim()
        .arg("rewrite")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("== image api: api/Dockerfile, context api; from compose.yaml (service api)"))
        .stdout(contains("== image events: events/Dockerfile, context events; from compose.yaml (service events)"))
        .stdout(contains("+FROM python:3.12-slim"))
        .stdout(contains("+RUN npm install --omit=dev"))
        // An nginx image is listed, not edited with a project it does not run.
        .stdout(contains("== image proxy: proxy/Dockerfile, context proxy"))
        .stdout(contains(
            "not planned: built from nginx:1.27, not a Python, Node or Bun image; `--service proxy` plans it",
        ));
    // JSON: one document holding each image's report.
    let out = dockslim()
        .args(["rewrite", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "dockslim-images/1");
    let names: Vec<&str> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "events", "proxy"]);
    assert!(doc["images"][2]["not_planned"]
        .as_str()
        .unwrap()
        .contains("nginx:1.27"));
    assert_eq!(doc["images"][1]["report"]["schema"], "dockslim-report/1");
    // SARIF: one run, paths relative to the repository.
    let out = dockslim()
        .args(["analyze", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: std::collections::BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["locations"].as_array().unwrap())
        .map(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains("api/Dockerfile") && uris.contains("events/Dockerfile"),
        "{uris:?}"
    );
    // --service picks one image by name, folder or path; a typo is named.
    dockslim()
        .args(["rewrite", "--format", "markdown", "--service", "events"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("## Image `events`"))
        .stdout(contains("api/Dockerfile").not());
    dockslim()
        .args(["analyze", "--service", "api/Dockerfile"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("== image api"));
    dockslim()
        .args(["rewrite", "--service", "evnts"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("--service evnts: no such image"))
        .stderr(contains("hint: did you mean `events`?"));
    // --apply writes each image's files in its own folder; --check then agrees.
    let before = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success();
    for file in [
        "api/Dockerfile",
        "api/.dockerignore",
        "events/Dockerfile",
        "events/.dockerignore",
    ] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            text.contains("dockslim") || text.contains("USER"),
            "{file}:\n{text}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        before
    );
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
}

/// NestJS, SvelteKit (adapter-node) and Nuxt are servers their build
/// writes: detected, not refused, with the command, port and health route
/// their framework implies.
#[test]
fn node_framework_servers_are_built_and_run_from_their_output() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "nest-api",
            "NestJS (Node server)",
            &[
                "+RUN npm run build \\\n+ && npm prune --omit=dev\n",
                "+COPY --from=build /app ./\n",
                "+EXPOSE 3000\n",
                "fetch('http://127.0.0.1:3000/health')",
                "+CMD [\"node\", \"dist/main\"]\n",
            ],
        ),
        (
            "sveltekit-node",
            "SvelteKit (Node server)",
            &[
                "+ENV PORT=3000\n+ENV HOST=0.0.0.0\n",
                "+COPY --from=build /app/node_modules ./node_modules\n+COPY --from=build /app/build ./build\n",
                "fetch('http://127.0.0.1:3000/health')",
                "+CMD [\"node\", \"build\"]\n",
            ],
        ),
        (
            "nuxt-app",
            "Nuxt (Node server)",
            &[
                "+RUN npm run build\n+\n+FROM",
                "+COPY --from=build /app/.output ./.output\n+USER",
                "fetch('http://127.0.0.1:3000/api/health')",
                "+CMD [\"node\", \".output/server/index.mjs\"]\n",
            ],
        ),
        (
            "react-router-app",
            "React Router (Node server)",
            &[
                "+ENV PORT=3000\n+ENV HOST=0.0.0.0\n",
                "fetch('http://127.0.0.1:3000/healthcheck')",
                "+CMD [\"./node_modules/.bin/react-router-serve\", \"./build/server/index.js\"]\n",
            ],
        ),
        (
            "angular-spa",
            "Angular",
            &[
                "+COPY --from=build /app/dist/parts-catalog/browser /usr/share/nginx/html\n",
                "+USER 101:101\n",
            ],
        ),
    ];
    for (name, stack, wanted) in cases {
        let dir = common::fixture(name);
        let out = dockslim()
            .args(["rewrite"])
            .arg(dir.path())
            .assert()
            .success()
            .stdout(contains(*stack))
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        for line in *wanted {
            assert!(out.contains(line), "{name}: no {line:?} in\n{out}");
        }
    }
    // The configured port reaches the environment the server reads.
    let dir = common::fixture("sveltekit-node");
    dockslim()
        .args(["rewrite", "--format", "diff", "--set", "port=8080"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+ENV PORT=8080\n"))
        .stdout(contains("+EXPOSE 8080\n"));
}

#[test]
fn sveltekit_with_adapter_auto_is_refused_with_the_adapter_to_install() {
    let dir = common::fixture("sveltekit-node");
    let config = dir.path().join("svelte.config.js");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("adapter-node", "adapter-auto")).unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(contains(
            "svelte.config.js:1: a SvelteKit app with adapter-auto",
        ))
        .stderr(contains("@sveltejs/adapter-node"));
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn images_built_from_the_root_are_planned_in_their_folders() {
    let dir = common::fixture("docker-folder-images");
    // Every image of the compose file, each edited where it stands: the
    // sources keep their folder, the ignore file is the Dockerfile's own.
    let out = dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("docker-folder-images__rewrite_diff", diff);
    });
    for image in ["backend", "mcp-server", "frontend"] {
        assert!(diff.contains(&format!("== image {image}: ")), "{image}");
    }
    assert!(!diff.contains("not supported"), "{diff}");
    assert!(diff.contains("+++ b/docker/backend/Dockerfile.dockerignore\n"));
    assert!(diff.contains("+!backend/\n") && diff.contains("+backend/tests\n"));
    // One image named on the command line, as `docker build -f` takes it.
    dockslim()
        .args(["analyze", "--dockerfile"])
        .arg(dir.path().join("docker/backend/Dockerfile"))
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("FastAPI (ASGI) app app.main:app at app/main.py"));
    // --apply writes each image's files; --check then agrees; the
    // compose file and the sources are not touched.
    let compose = std::fs::read_to_string(dir.path().join("docker-compose.yml")).unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success();
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docker-compose.yml")).unwrap(),
        compose
    );
    assert!(dir
        .path()
        .join("docker/mcp/Dockerfile.dockerignore")
        .is_file());
    assert!(!dir.path().join("backend/.dockerignore").exists());
}

#[test]
fn an_image_built_from_a_folder_keeps_what_the_root_compose_file_says() {
    let dir = common::fixture("two-services");
    // The compose file at the root mounts a volume where the api writes.
    let compose = dir.path().join("compose.yaml");
    let text = std::fs::read_to_string(&compose).unwrap().replacen(
        "      - \"5000:5000\"\n",
        "      - \"5000:5000\"\n    volumes:\n      - uploads:/srv/uploads\n",
        1,
    );
    std::fs::write(&compose, format!("{text}volumes:\n  uploads:\n")).unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff", "--service", "api"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+ && mkdir -p /srv/uploads \\\n+ && chown app:app /srv/uploads\n",
        ));
}

#[test]
fn an_image_the_proposal_adds_gets_its_compose_service() {
    let dir = common::fixture("api-with-spa");
    let compose = "# the API and its database\nservices:\n  api:\n    build: .\n    ports:\n      - \"8000:8000\"\n  db:\n    image: postgres:16\n\nvolumes:\n  data:\n";
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    // A minimal edit: the lines as written, the frontend's service added.
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+++ b/docker-compose.yml\n@@ -6,6 +6,12 @@\n       - \"8000:8000\"\n   db:\n     image: postgres:16\n+  frontend:\n+    build:\n+      context: .\n+      dockerfile: Dockerfile.frontend\n+    ports:\n+      - \"8080:8080\"\n \n volumes:\n   data:\n",
        ))
        .stdout(contains("+++ b/compose.yaml").not());
    // Applied, then checked: the next run plans both images and agrees.
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .success();
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn init_writes_an_image_per_project_folder_and_the_compose_file() {
    // A backend and a service in their own folders, no Dockerfile yet.
    let dir = common::fixture("two-services");
    for gone in ["api/Dockerfile", "events/Dockerfile", "compose.yaml"] {
        std::fs::remove_file(dir.path().join(gone)).unwrap();
    }
    std::fs::remove_dir_all(dir.path().join("proxy")).unwrap();
    dockslim()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("== image api: api/Dockerfile, context api; from api/, a project with no Dockerfile yet"))
        .stdout(contains("wrote compose.yaml"));
    let api = std::fs::read_to_string(dir.path().join("api/Dockerfile")).unwrap();
    assert!(api.contains("CMD [\"gunicorn\""), "{api}");
    let events = std::fs::read_to_string(dir.path().join("events/Dockerfile")).unwrap();
    assert!(events.contains("npm ci"), "{events}");
    let compose = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert!(
        compose.contains(
            "  api:\n    build:\n      context: ./api\n    ports:\n      - \"5000:5000\"\n"
        ),
        "{compose}"
    );
    assert!(compose.contains("      context: ./events\n    ports:\n      - \"8080:8080\"\n"));
    // The next run reads the compose file and finds nothing to change.
    dockslim()
        .args(["rewrite", "--check"])
        .arg(dir.path())
        .assert()
        .success();
}

/// Writes `files` under a new temporary folder.
fn repo_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
}

#[test]
fn the_one_image_a_compose_file_builds_from_a_folder_is_planned_there() {
    // The most common compose shape: one app image (a web service and its
    // worker) beside stock images, its Dockerfile in its folder.
    let dir = repo_of(&[
        (
            "docker-compose.yml",
            "services:\n  web:\n    build: ./services/web\n    ports:\n      - \"5000:5000\"\n  worker:\n    build: ./services/web\n    command: celery -A tasks worker\n  redis:\n    image: redis:7\n",
        ),
        ("services/web/requirements.txt", "flask==3.0.3\ngunicorn==23.0.0\ncelery==5.4.0\n"),
        (
            "services/web/app.py",
            "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/health')\ndef health():\n    return 'ok'\n",
        ),
        ("services/web/tasks.py", "from celery import Celery\napp = Celery('tasks')\n"),
        (
            "services/web/Dockerfile",
            "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n",
        ),
    ]);
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("== image web: services/web/Dockerfile, context services/web; from docker-compose.yml (service web)"))
        .stdout(contains("+COPY requirements.txt ."));
}

#[test]
fn a_development_target_compose_builds_is_left_as_written() {
    let app = "from flask import Flask\napp = Flask(__name__)\n";
    // Compose builds the dev stage for the local loop: the production stage
    // after it is the image that ships, and the only one edited.
    let dir = repo_of(&[
        (
            "compose.yaml",
            "services:\n  vote:\n    build:\n      context: vote\n      target: dev\n    volumes:\n      - ./vote:/usr/local/app\n  worker:\n    build:\n      context: worker\n      target: development\n",
        ),
        ("vote/requirements.txt", "flask==3.0.3\ngunicorn==23.0.0\n"),
        ("vote/app.py", app),
        (
            "vote/Dockerfile",
            "FROM python:3.11-slim AS base\nWORKDIR /usr/local/app\nCOPY requirements.txt ./requirements.txt\nRUN pip install --no-cache-dir -r requirements.txt\n\nFROM base AS dev\nRUN pip install watchdog\nENV FLASK_ENV=development\nCMD [\"python\", \"app.py\"]\n\nFROM base AS final\nCOPY . .\nEXPOSE 8080\nCMD [\"gunicorn\", \"app:app\", \"-b\", \"0.0.0.0:8080\"]\n",
        ),
        ("worker/package.json", "{\"name\": \"w\", \"scripts\": {\"start\": \"node index.js\"}}\n"),
        (
            "worker/Dockerfile",
            "FROM node:20 AS development\nWORKDIR /app\nCOPY package.json .\nRUN npm install\nCOPY . .\nCMD [\"npm\", \"start\"]\n",
        ),
    ]);
    let out = dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8(out.stdout).unwrap();
    // The dev stage keeps its reloading server and packages.
    assert!(!diff.contains("-CMD [\"python\", \"app.py\"]"), "{diff}");
    assert!(!diff.contains("-RUN pip install watchdog"), "{diff}");
    assert!(
        diff.contains("+USER "),
        "the production stage gets its user: {diff}"
    );
    // A file of development stages only is not planned, and says why.
    assert!(
        diff.contains("not planned: compose builds its development stage `development`, and no stage after it is the production image"),
        "{diff}"
    );
}

/// `targets: [development]`: `init` (and `rewrite` of a repository with no
/// Dockerfile) writes a development stage before the production one, which
/// stays last; an existing Dockerfile is edited, never given stages, and the
/// setting is named as not used; a misspelt target is an error on its line.
#[test]
fn development_target_is_for_generated_files_only() {
    let dir = common::fixture("express-api");
    // The user's Dockerfile: no stage is added, and the warning says why.
    dockslim()
        .args([
            "rewrite",
            "--format",
            "diff",
            "--set",
            "targets=development",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("AS development").not());
    dockslim()
        .args(["rewrite", "--set", "targets=development"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "warning: `targets` shapes the Dockerfile `init` writes",
        ));
    // No Dockerfile: rewrite generates one, with the stage.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    std::fs::write(dir.path().join("dockslim.yaml"), "targets: [development]\n").unwrap();
    let out = dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let dev = out.find("+FROM node:20-slim AS development").expect(&out);
    let runtime = out.find("+FROM node:20-slim AS runtime").expect(&out);
    assert!(dev < runtime, "production is not last:\n{out}");
    assert!(out.contains("+CMD [\"npm\", \"run\", \"dev\"]"), "{out}");
    // A misspelt target, named on its line with the closest one.
    std::fs::write(
        dir.path().join("dockslim.yaml"),
        "port: 8080\ntargets:\n  - developmnet\n",
    )
    .unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .arg("init")
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains(
            "dockslim.yaml:3:5: targets: unknown value `developmnet`",
        ))
        .stderr(contains("3 |   - developmnet\n"))
        .stderr(contains("hint: did you mean `development`?"));
    assert_eq!(
        before,
        snapshot_tree(dir.path()),
        "an error changed the disk"
    );
    std::fs::remove_file(dir.path().join("dockslim.yaml")).unwrap();
    dockslim()
        .args(["init", "--set", "targets=prod"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains(
            "--set targets=prod: targets: unknown value `prod`",
        ));
}

#[test]
fn a_compose_file_that_is_not_yaml_is_said_not_read() {
    let dir = common::fixture("two-services");
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  api:\n    build: ./api\n    volumes:\n      - {{project_name}}_data:/data\n",
    )
    .unwrap();
    dockslim()
        .arg("analyze")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(contains("dockslim: warning: compose.yaml: "))
        .stderr(contains("its services were not read"));
}

#[test]
fn rewrite_apply_writes_no_image_when_one_cannot_be_read() {
    let dir = common::fixture("two-services");
    // The second image's package.json does not parse: exit 2, and the
    // first image's files are not written either.
    std::fs::write(
        dir.path().join("events/package.json"),
        "{\"name\": \"events\",\n",
    )
    .unwrap();
    let before = std::fs::read(dir.path().join("api/Dockerfile")).unwrap();
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("package.json"));
    assert_eq!(
        std::fs::read(dir.path().join("api/Dockerfile")).unwrap(),
        before
    );
    assert!(!dir.path().join("api/.dockerignore").exists());
}

fn write_files(root: &std::path::Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn pnpm_workspace_file_of_settings_is_a_single_package() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", "{\"name\": \"site\", \"packageManager\": \"pnpm@9.15.9\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6\"}}"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("pnpm-workspace.yaml", "onlyBuiltDependencies:\n  - esbuild\noverrides:\n  nanoid: ^3.3.8\n"),
        ],
    );
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        // Its settings shape the install the lock records: copied with it.
        .stdout(contains(
            "+COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\n",
        ))
        .stdout(contains(
            "pnpm install --frozen-lockfile --store-dir /pnpm/store\n",
        ))
        .stdout(contains("--filter").not());
}

#[test]
fn workspace_member_is_built_from_the_root_with_its_packages() {
    let dir = common::fixture("pnpm-workspace-next");
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\n+COPY apps/web/package.json apps/web/\n+COPY packages/shared/package.json packages/shared/\n",
        ))
        .stdout(contains("pnpm install --frozen-lockfile --filter web... --store-dir /pnpm/store\n+COPY apps/web apps/web/\n+COPY packages/shared packages/shared/\n"))
        .stdout(contains("+RUN pnpm --filter web... run build\n"))
        .stdout(contains("+COPY --from=build /app/apps/web/.next/standalone ./\n"))
        .stdout(contains("+CMD [\"node\", \"apps/web/server.js\"]\n"));
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("workspace member: web (apps/web)"))
        .stdout(contains("@atelier/shared (packages/shared)"));
}

#[test]
fn workspace_with_several_apps_needs_package() {
    let dir = tempfile::tempdir().unwrap();
    let vite = |name: &str| {
        format!("{{\"name\": \"{name}\", \"scripts\": {{\"build\": \"vite build\"}}, \"dependencies\": {{\"ui\": \"*\"}}, \"devDependencies\": {{\"vite\": \"^6\"}}}}")
    };
    let (shop, admin) = (vite("shop"), vite("admin"));
    write_files(
        dir.path(),
        &[
            ("package.json", "{\n  \"name\": \"stores\",\n  \"private\": true,\n  \"workspaces\": [\"apps/*\", \"packages/*\"]\n}\n"),
            ("package-lock.json", "{\"lockfileVersion\": 3}"),
            ("apps/shop/package.json", &shop),
            ("apps/admin/package.json", &admin),
            ("packages/ui/package.json", "{\"name\": \"ui\", \"main\": \"index.js\"}"),
        ],
    );
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["rewrite", "--apply"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("package.json:4"))
        .stderr(contains(
            "several apps: admin (apps/admin), shop (apps/shop)",
        ))
        .stderr(contains("--set package=admin"));
    assert_eq!(before, snapshot_tree(dir.path()));
    dockslim()
        .args(["rewrite", "--set", "package=shpo"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("package = `shpo` is not a member"))
        .stderr(contains("did you mean `shop`?"));
    dockslim()
        .args(["rewrite", "--format", "diff", "--set", "package=apps/shop"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+COPY apps/admin/package.json apps/admin/\n+COPY apps/shop/package.json apps/shop/\n+COPY packages/ui/package.json packages/ui/\n"))
        .stdout(contains("npm ci --workspace apps/shop --include-workspace-root\n"))
        .stdout(contains("+COPY apps/shop apps/shop/\n+COPY packages/ui packages/ui/\n"))
        .stdout(contains("+RUN npm run build --workspace apps/shop\n"))
        .stdout(contains("/app/apps/shop/dist /usr/share/nginx/html"))
        .stdout(contains("+COPY nginx.conf /etc/nginx/nginx.conf\n"));
}

/// A workspace's own Dockerfile (the whole repository copied, the member
/// built with a filter) is edited: the runtime stage runs the member's
/// standalone server, and the build the user wrote is recognised, not
/// run again.
#[test]
fn workspace_dockerfile_gets_the_members_standalone_runtime() {
    let dir = common::fixture("pnpm-workspace-next");
    let config = dir.path().join("apps/web/next.config.mjs");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("  output: 'standalone',\n", "")).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:20\nWORKDIR /repo\nCOPY . .\nRUN corepack enable && pnpm install --frozen-lockfile\nRUN pnpm --filter web build\nEXPOSE 3000\nCMD pnpm --filter web start\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+++ b/apps/web/next.config.mjs"))
        .stdout(contains("+  output: 'standalone',"))
        .stdout(contains(
            "+COPY --from=build /repo/apps/web/public ./apps/web/public\n",
        ))
        .stdout(contains(
            "+COPY --from=build /repo/apps/web/.next/standalone ./\n",
        ))
        .stdout(contains(
            "+COPY --from=build /repo/apps/web/.next/static ./apps/web/.next/static\n",
        ))
        .stdout(contains("+CMD [\"node\", \"apps/web/server.js\"]\n"))
        .stdout(contains("+RUN pnpm").not());
}

/// A server member of a pnpm workspace: `pnpm deploy` gives the runtime
/// the member and its production dependencies; the folders its code
/// writes are placed where the deployed member runs.
#[test]
fn pnpm_workspace_server_member_is_deployed() {
    let dir = common::fixture("pnpm-workspace-express");
    let code = dir.path().join("apps/api/src/index.js");
    let text = std::fs::read_to_string(&code).unwrap();
    std::fs::write(
        &code,
        format!("const fs = require('fs')\nfs.mkdirSync('uploads', {{ recursive: true }})\n{text}"),
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "pnpm install --frozen-lockfile --filter api... --store-dir /pnpm/store\n",
        ))
        .stdout(contains(
            "+    pnpm --filter api deploy --prod /out --store-dir /pnpm/store\n",
        ))
        .stdout(contains("+COPY --from=build /out ./\n"))
        .stdout(contains("+RUN mkdir -p /app/uploads \\\n"))
        .stdout(contains("+CMD [\"node\", \"src/index.js\"]\n"));
    // Without a pin, the profile's pnpm 10 deploys in its legacy mode.
    let manifest = dir.path().join("package.json");
    let root = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        root.replace("  \"packageManager\": \"pnpm@9.15.9\"\n", "  \"x\": 1\n"),
    )
    .unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("pnpm --filter api deploy --prod --legacy /out"));
}

/// Yarn workspaces: Yarn 2+ installs the member with `workspaces focus`;
/// Yarn 1, which has no focus, installs the workspace; both build the
/// member's workspace packages first, then the member.
#[test]
fn yarn_workspace_members_are_focused_or_installed_whole() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", "{\"private\": true, \"packageManager\": \"yarn@4.5.3\", \"workspaces\": [\"apps/*\", \"packages/*\"]}"),
            ("yarn.lock", "__metadata:\n  version: 8\n"),
            (".yarnrc.yml", "nodeLinker: node-modules\n"),
            ("apps/site/package.json", "{\"name\": \"site\", \"scripts\": {\"build\": \"vite build\"}, \"dependencies\": {\"@acme/theme\": \"workspace:^\"}, \"devDependencies\": {\"vite\": \"^6\"}}"),
            ("packages/theme/package.json", "{\"name\": \"@acme/theme\", \"scripts\": {\"build\": \"node build.mjs\"}}"),
        ],
    );
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("+COPY package.json yarn.lock .yarnrc.yml ./\n"))
        .stdout(contains("    yarn workspaces focus site\n"))
        .stdout(contains(
            "+RUN yarn workspace @acme/theme run build \\\n+ && yarn workspace site run build\n",
        ))
        .stdout(contains("/app/apps/site/dist /usr/share/nginx/html"));
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                "{\"private\": true, \"workspaces\": [\"apps/*\", \"packages/*\"]}",
            ),
            ("yarn.lock", "# yarn lockfile v1\n"),
        ],
    );
    std::fs::remove_file(dir.path().join(".yarnrc.yml")).unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("    yarn install --frozen-lockfile\n"))
        .stdout(contains("yarn workspace site run build\n"));
}

/// A server member of an npm or Yarn workspace: the image keeps the
/// workspace's layout (the root's node_modules links the workspace
/// packages by path) and runs the member in its folder. A build installs
/// everything, builds the workspace packages first, then prunes what the
/// member does not need in production; Yarn 2+ with Plug'n'Play, which
/// writes no node_modules, is refused with the setting that gives one.
#[test]
fn npm_and_yarn_workspace_servers_run_in_the_members_folder() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", "{\"private\": true, \"workspaces\": [\"services/*\", \"libs/*\"]}"),
            ("package-lock.json", "{\"lockfileVersion\": 3}"),
            ("services/billing/package.json", "{\"name\": \"billing\", \"scripts\": {\"build\": \"tsc\", \"start\": \"node dist/main.js\"}, \"dependencies\": {\"@acme/money\": \"*\", \"fastify\": \"^5\"}, \"devDependencies\": {\"typescript\": \"^5\"}}"),
            ("services/billing/src/main.ts", "import Fastify from 'fastify'\nconst app = Fastify()\napp.get('/health', async () => ({ ok: true }))\napp.listen({ port: 3100, host: '0.0.0.0' })\n"),
            ("libs/money/package.json", "{\"name\": \"@acme/money\", \"main\": \"dist/index.js\", \"scripts\": {\"build\": \"tsc\"}}"),
        ],
    );
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "    npm ci --workspace services/billing --include-workspace-root\n",
        ))
        .stdout(contains(
            "+RUN npm run build --workspace libs/money \\\n+ && npm run build --workspace services/billing \\\n+ && npm prune --omit=dev --workspace services/billing --include-workspace-root\n",
        ))
        .stdout(contains("+COPY --from=build /app ./\n+WORKDIR /app/services/billing\n"))
        .stdout(contains("+CMD [\"node\", \"dist/main.js\"]\n"));
    // Yarn 2+ with node_modules: focus on the member, in production.
    write_files(
        dir.path(),
        &[
            ("package.json", "{\"private\": true, \"packageManager\": \"yarn@4.5.3\", \"workspaces\": [\"services/*\", \"libs/*\"]}"),
            ("yarn.lock", "__metadata:\n  version: 8\n"),
            (".yarnrc.yml", "nodeLinker: node-modules\n"),
        ],
    );
    std::fs::remove_file(dir.path().join("package-lock.json")).unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+ && yarn workspace billing run build \\\n+ && yarn workspaces focus billing --production\n",
        ))
        .stdout(contains("+WORKDIR /app/services/billing\n"));
    // Plug'n'Play, Yarn's default linker: no node_modules to ship.
    write_files(dir.path(), &[(".yarnrc.yml", "enableTelemetry: false\n")]);
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains(
            "services/billing/package.json: a Fastify server installed by Yarn 2+ with Plug'n'Play",
        ))
        .stderr(contains("add `nodeLinker: node-modules` to .yarnrc.yml"));
    // Yarn 1 has no focus: the workspace's production install.
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                "{\"private\": true, \"workspaces\": [\"services/*\", \"libs/*\"]}",
            ),
            ("yarn.lock", "# yarn lockfile v1\n"),
        ],
    );
    std::fs::remove_file(dir.path().join(".yarnrc.yml")).unwrap();
    dockslim()
        .args(["rewrite", "--format", "diff"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+ && yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline\n",
        ))
        .stdout(contains("+WORKDIR /app/services/billing\n"));
}

/// MCP servers (issue 15): fastmcp is told its address by FASTMCP_HOST;
/// the official SDK, which binds 127.0.0.1 whatever the environment says,
/// is served by uvicorn on its app factory; both are probed with a real
/// MCP request. A stdio server gets no port and no HEALTHCHECK, with the
/// reason, and a transport the code computes is refused with a hint.
#[test]
fn mcp_servers_listen_everywhere_or_say_why_they_cannot() {
    let dir = common::fixture("mcp-http");
    dockslim()
        .args(["init"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("FASTMCP_HOST=0.0.0.0"))
        .stdout(contains(
            "POST http://127.0.0.1:8000/mcp answers an MCP initialize request",
        ));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("    FASTMCP_HOST=0.0.0.0 \\\n    FASTMCP_PORT=8000\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("CMD [\"python\", \"server.py\"]"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("EXPOSE 8000"), "{dockerfile}");
    // uvicorn comes with fastmcp: no second copy is installed.
    assert!(
        !dockerfile.contains("pip install uvicorn") && !dockerfile.contains("uvicorn=="),
        "{dockerfile}"
    );

    // With authentication, an MCP request without a token is refused: a
    // TCP connect instead.
    let authed = common::fixture("mcp-http");
    let server = authed.path().join("server.py");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        text.replace("FastMCP(\"notes\")", "FastMCP(\"notes\", auth=verifier)"),
    )
    .unwrap();
    dockslim()
        .args(["init"])
        .arg(authed.path())
        .assert()
        .success()
        .stdout(contains("healthcheck: TCP connect to port 8000"))
        .stdout(contains("requires authentication"));

    // An existing Dockerfile that runs it as the code does: it listens on
    // 127.0.0.1 only (DS506); the fix sets FASTMCP_HOST, and only then is a
    // HEALTHCHECK added (one before would pass inside while no client can
    // connect).
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 8000\nCMD [\"python\", \"server.py\"]\n",
    )
    .unwrap();
    let out = dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("error   DS506 mcp-server-on-loopback     Dockerfile:6:"),
        "{report}"
    );
    assert!(
        report.contains("set `ENV FASTMCP_HOST=0.0.0.0`"),
        "{report}"
    );
    assert!(
        report.contains("+ENV FASTMCP_HOST=0.0.0.0\n+HEALTHCHECK"),
        "{report}"
    );
    let out = dockslim()
        .args(["rewrite", "--skip", "DS506"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains("+HEALTHCHECK"), "{report}");
    assert!(
        report.contains("DS501 line 1: the MCP server listens on 127.0.0.1 only"),
        "{report}"
    );
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    dockslim()
        .args(["explain", "DS506"])
        .assert()
        .success()
        .stdout(contains("mcp-server-on-loopback"));

    // The official SDK 1.x, its port in the constructor.
    let server = dir.path().join("server.py");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        text.replace(
            "from fastmcp import FastMCP",
            "from mcp.server.fastmcp import FastMCP",
        )
        .replace("FastMCP(\"notes\")", "FastMCP(\"notes\", port=9100)"),
    )
    .unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "mcp==1.30.0\n").unwrap();
    let out = dockslim()
        .args(["init", "--force"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("gets 421"), "{report}");
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("CMD [\"uvicorn\", \"server:mcp.streamable_http_app\", \"--factory\", \"--host\", \"0.0.0.0\", \"--port\", \"9100\", \"--workers\", \"1\"]"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("FASTMCP_HOST"), "{dockerfile}");

    // Over stdio: not a network service.
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        text.replace("mcp.run(transport=\"streamable-http\")", "mcp.run()"),
    )
    .unwrap();
    let out = dockslim()
        .args(["init", "--force"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("an MCP server over stdio (server.py:8) is not a network service"),
        "{report}"
    );
    assert!(report.contains("docker run -i --rm IMAGE"), "{report}");
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("CMD [\"python\", \"server.py\"]"),
        "{dockerfile}"
    );
    assert!(
        !dockerfile
            .lines()
            .any(|l| l.starts_with("EXPOSE") || l.starts_with("HEALTHCHECK")),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("checkov:skip=CKV_DOCKER_2:an MCP server over stdio"),
        "{dockerfile}"
    );

    // A transport the code computes: refused, the disk left alone.
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        text.replace(
            "mcp.run()",
            "mcp.run(transport=os.environ[\"MCP_TRANSPORT\"])",
        ),
    )
    .unwrap();
    let before = snapshot_tree(dir.path());
    dockslim()
        .args(["init", "--force"])
        .arg(dir.path())
        .assert()
        .fails_teaching()
        .stderr(contains("runs with a transport dockslim cannot read"));
    assert_eq!(before, snapshot_tree(dir.path()));
}

/// Django Channels (issue 15): the ASGI application serves the websockets,
/// so it is what runs, under daphne when the project has it (even beside
/// gunicorn), else under uvicorn with a websocket library it can answer an
/// upgrade with.
#[test]
fn django_channels_runs_its_asgi_application() {
    let dir = common::fixture("django-channels");
    let cmd = |dir: &std::path::Path| {
        let out = dockslim()
            .args(["init", "--force"])
            .arg(dir)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{report}");
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let cmd = dockerfile
            .lines()
            .rev()
            .find(|l| l.starts_with("CMD "))
            .unwrap()
            .to_string();
        (cmd, dockerfile, report)
    };
    let daphne = "CMD [\"daphne\", \"--bind\", \"0.0.0.0\", \"--port\", \"8000\", \"chatroom.asgi:application\"]";
    // An existing Dockerfile's runserver (daphne's, with `daphne` in
    // INSTALLED_APPS) becomes daphne itself.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 8000\nCMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "-> daphne --bind 0.0.0.0 --port 8000 chatroom.asgi:application",
        ));
    let (got, _, report) = cmd(dir.path());
    assert_eq!(got, daphne);
    assert!(
        report
            .contains("Django Channels (`channels` in INSTALLED_APPS at chatroom/settings.py:10)"),
        "{report}"
    );
    // gunicorn beside it serves WSGI only: daphne still runs the project.
    let requirements = dir.path().join("requirements.txt");
    let text = std::fs::read_to_string(&requirements).unwrap();
    std::fs::write(&requirements, format!("{text}gunicorn==23.0.0\n")).unwrap();
    assert_eq!(cmd(dir.path()).0, daphne);
    // uvicorn instead of daphne: uvicorn, given a websocket library.
    std::fs::write(
        &requirements,
        text.replace("daphne==4.2.3", "uvicorn==0.32.1"),
    )
    .unwrap();
    let settings = dir.path().join("chatroom/settings.py");
    let s = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(&settings, s.replace("    \"daphne\",\n", "")).unwrap();
    let (got, dockerfile, report) = cmd(dir.path());
    assert!(
        got.starts_with("CMD [\"uvicorn\", \"chatroom.asgi:application\""),
        "{got}"
    );
    assert!(dockerfile.contains("websockets"), "{dockerfile}");
    assert!(
        report.contains("uvicorn answers only with a websocket library"),
        "{report}"
    );
    std::fs::write(
        &requirements,
        text.replace("daphne==4.2.3", "uvicorn[standard]==0.32.1"),
    )
    .unwrap();
    let (_, dockerfile, _) = cmd(dir.path());
    assert!(!dockerfile.contains("websockets"), "{dockerfile}");
}

#[test]
fn a_secret_beside_the_folder_an_image_takes_is_still_found() {
    let dir = common::fixture("docker-folder-images");
    std::fs::write(dir.path().join(".env"), "DATABASE_PASSWORD=hunter2\n").unwrap();
    dockslim()
        .args(["analyze", "--service", "backend"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("DS101 secret-in-context          .env: "))
        .stdout(contains("though the image takes only backend/ from it"))
        .stdout(contains("hunter2").not());
}

/// A Bun project beside a Python one, in an image built on oven/bun: the
/// image runs the Bun server, so it is the project planned, and the fixes
/// use the image's own `bun` user and Bun to probe; a Bun workspace is
/// refused with the file and the way out.
#[test]
fn an_oven_bun_image_runs_the_bun_project_beside_python() {
    let dir = repo_of(&[
        ("requirements.txt", "flask\n"),
        ("tools/report.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "package.json",
            "{\"name\": \"api\", \"scripts\": {\"start\": \"bun run index.ts\"}, \"dependencies\": {\"hono\": \"^4\"}}",
        ),
        ("bun.lock", "{}\n"),
        (
            "index.ts",
            "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/health', (c) => c.text('ok'));\nexport default { port: 8080, fetch: app.fetch };\n",
        ),
        (
            "Dockerfile",
            "FROM oven/bun:1\nWORKDIR /app\nCOPY . .\nRUN bun install --frozen-lockfile\nEXPOSE 8080\nCMD [\"bun\", \"run\", \"index.ts\"]\n",
        ),
    ]);
    dockslim()
        .arg("rewrite")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("Hono (Bun server) in package.json"))
        .stdout(contains("+USER 1000:1000"))
        .stdout(contains(
            "+  CMD [\"bun\", \"-e\", \"fetch('http://127.0.0.1:8080/health')",
        ))
        .stdout(contains("useradd").not());

    let ws = repo_of(&[
        (
            "package.json",
            "{\"name\": \"mono\", \"workspaces\": [\"apps/*\"]}",
        ),
        ("bun.lock", "{}\n"),
        (
            "apps/api/package.json",
            "{\"name\": \"api\", \"scripts\": {\"start\": \"bun run index.ts\"}}",
        ),
        (
            "apps/api/index.ts",
            "Bun.serve({ fetch: () => new Response('ok') });\n",
        ),
    ]);
    dockslim()
        .arg("init")
        .arg(ws.path())
        .assert()
        .code(2)
        .stderr(contains("package.json"))
        .stderr(contains("a Bun workspace"))
        .stderr(contains("bun install --frozen-lockfile --filter"));
}

/// package.json's own install scripts: the git hook one is dropped before
/// the install, the postinstall that reads RELEASE.txt and calls mkdirp (a
/// devDependency) runs on the source with everything installed, then the
/// prune; the runtime stage takes what it wrote. On an existing Dockerfile,
/// DS304 makes the install production-only only with the hook dropped.
#[test]
fn install_scripts_run_as_written_and_git_hooks_are_dropped() {
    let dir = common::fixture("express-install-scripts");
    dockslim()
        .args(["init"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "install scripts: the source is copied before the install",
        ));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    for line in [
        "FROM node:24-slim AS deps\nWORKDIR /app\nCOPY . ./\n",
        "    npm pkg delete scripts.prepare && npm ci && npm prune --omit=dev\n",
        "COPY --from=deps /app ./\n",
    ] {
        assert!(dockerfile.contains(line), "no {line:?} in\n{dockerfile}");
    }
    assert!(!dockerfile.contains("COPY . .\n"), "{dockerfile}");

    // The same repository with a Dockerfile of its own and no postinstall.
    let dir = common::fixture("express-install-scripts");
    let manifest = dir.path().join("package.json");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "    \"postinstall\": \"node scripts/stamp.js && mkdirp generated/cache\"\n",
        "    \"build:stamp\": \"node scripts/stamp.js\"\n",
    );
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"src/server.js\"]\n",
    )
    .unwrap();
    dockslim()
        .args(["rewrite"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(
            "+RUN npm pkg delete scripts.prepare && npm ci --omit=dev && npm cache clean --force\n",
        ));
}
