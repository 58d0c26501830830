//! A repository built to hurt the tool (issue 17): links out of it, FIFOs
//! and devices under the names dockslim reads, huge and deep trees, names
//! that are not UTF-8 or hold newlines and terminal escapes, include chains
//! 10,000 long and circular, huge Dockerfiles, real-looking credentials.
//!
//! Each case asserts that dockslim ends (a timeout kills a hang and fails
//! the test), exits 0 or 1 with a proposal or 2 with a message naming the
//! file, prints no escape byte and no secret, and writes nothing outside the
//! repository. Bulky inputs are generated here, never committed.
//!
//! The slow cases (a million empty files, and the peak memory of the
//! largest inputs) are `#[ignore]`d; run them with
//! `cargo test --release --test hostile -- --ignored --nocapture`
//! (they need GNU time at /usr/bin/time to measure peak RSS).

#![cfg(unix)]

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// A hang fails the test instead of hanging the suite.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The memory bound dockslim keeps on any input (see README).
const PEAK_RSS_BOUND_KB: u64 = 512 * 1024;

/// A base folder holding the repository at `base/work/repo`, so that
/// `../../secret` from the repository is `base/secret`, and an `outside`
/// folder whose files must never change.
struct Hostile {
    base: tempfile::TempDir,
}

impl Hostile {
    /// A small Flask project with a Dockerfile to rewrite.
    fn python() -> Hostile {
        let h = Hostile::empty();
        h.write("app.py", "from flask import Flask\napp = Flask(__name__)\n");
        h.write("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n");
        h.write(
            "Dockerfile",
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app.py\n",
        );
        h
    }

    /// A small Express project with its lock file.
    fn node() -> Hostile {
        let h = Hostile::empty();
        h.write(
            "package.json",
            r#"{"name":"api","version":"1.0.0","scripts":{"start":"node index.js"},"dependencies":{"express":"4.21.0"}}"#,
        );
        h.write(
            "package-lock.json",
            r#"{"name":"api","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"api","version":"1.0.0","dependencies":{"express":"4.21.0"}}}}"#,
        );
        h.write(
            "index.js",
            "const express = require(\"express\");\nconst app = express();\napp.listen(3000);\n",
        );
        h.write(
            "Dockerfile",
            "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD node index.js\n",
        );
        h
    }

    fn empty() -> Hostile {
        let base = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(base.path().join("work/repo")).unwrap();
        std::fs::create_dir_all(base.path().join("outside")).unwrap();
        std::fs::write(base.path().join("secret"), SECRET_FILE_MARKER).unwrap();
        std::fs::write(base.path().join("outside/keep"), SECRET_FILE_MARKER).unwrap();
        Hostile { base }
    }

    fn repo(&self) -> PathBuf {
        self.base.path().join("work/repo")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.repo().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn link(&self, rel: &str, target: &str) {
        let path = self.repo().join(rel);
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    fn fifo(&self, rel: &str) {
        let path = self.repo().join(rel);
        let _ = std::fs::remove_file(&path);
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
    }

    /// Every entry outside the repository, with its bytes: must not change.
    fn outside(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<_> = walkdir::WalkDir::new(self.base.path())
            .into_iter()
            .filter_entry(|e| !e.path().starts_with(self.repo()))
            .filter_map(|e| e.ok())
            .map(|e| {
                let bytes = if e.file_type().is_file() {
                    std::fs::read(e.path()).unwrap()
                } else {
                    Vec::new()
                };
                (e.path().to_path_buf(), bytes)
            })
            .collect();
        out.sort();
        out
    }

    /// Runs dockslim with `args` on the repository, checks what every case
    /// must hold, and returns what it printed.
    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[("NO_COLOR", "1")])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let before = self.outside();
        let mut cmd = Command::cargo_bin("dockslim").unwrap();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .args(args)
            .arg(self.repo())
            .timeout(TIMEOUT)
            .output()
            .unwrap();
        let run = Run {
            what: args.join(" "),
            code: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        };
        let code = run.code.unwrap_or_else(|| {
            panic!(
                "`dockslim {}` did not end within {TIMEOUT:?} (or was killed): {}",
                run.what,
                run.stderr_text()
            )
        });
        assert!(
            matches!(code, 0..=2),
            "`dockslim {}` exited {code}: {}",
            run.what,
            run.stderr_text()
        );
        if code == 2 {
            assert!(
                run.stderr_text().starts_with("dockslim: error: "),
                "{}",
                run.stderr_text()
            );
        } else {
            assert!(
                !run.stdout.is_empty(),
                "`dockslim {}` printed nothing",
                run.what
            );
        }
        for (stream, bytes) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            for secret in SECRETS
                .iter()
                .map(|s| s())
                .chain([SECRET_FILE_MARKER.into()])
            {
                assert!(
                    !text.contains(&secret),
                    "`dockslim {}` printed a secret on {stream}: {text}",
                    run.what
                );
            }
            assert!(
                !text.contains("root:x:0:0"),
                "`dockslim {}` printed /etc/passwd on {stream}",
                run.what
            );
            if env.iter().any(|(k, _)| *k == "NO_COLOR") {
                assert!(
                    !bytes.contains(&0x1b),
                    "`dockslim {}` printed an escape byte on {stream}: {text:?}",
                    run.what
                );
            }
            // Sequences the repository's names hold and dockslim never
            // writes itself: with colour forced, none may come through.
            for raw in ["\x1b[41m", "\x1b]0;", "\x1b[2J", "\x07"] {
                assert!(
                    !text.contains(raw),
                    "`dockslim {}` printed the raw sequence {raw:?} on {stream}",
                    run.what
                );
            }
        }
        assert_eq!(
            before,
            self.outside(),
            "`dockslim {}` changed something outside the repository",
            run.what
        );
        run
    }
}

struct Run {
    what: String,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Exit 2 with a message naming `file` and saying `why`.
    fn refused(&self, file: &str, why: &str) {
        let err = self.stderr_text();
        assert_eq!(self.code, Some(2), "`dockslim {}`: {err}", self.what);
        assert!(
            err.starts_with(&format!("dockslim: error: {file}")),
            "`dockslim {}` should name {file}: {err}",
            self.what
        );
        assert!(err.contains(why), "`dockslim {}`: {err}", self.what);
    }

    /// Exit 0 or 1 with a proposal (a report with a diff or findings).
    fn proposed(&self) {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "`dockslim {}`: {}",
            self.what,
            self.stderr_text()
        );
        assert!(
            self.stdout_text().contains("Findings"),
            "{}",
            self.stdout_text()
        );
    }
}

const SECRET_FILE_MARKER: &str = "MARKER-outside-the-repository-7f3a";

/// Real-looking credentials, built from pieces so that no secret scanner
/// flags this source file.
const SECRETS: [fn() -> String; 4] = [
    || ["AK", "IA", "QYLPMN5HHHFPZAM2"].concat(),
    || ["wJalrXUtnFEMI", "/K7MDENG/bPxRfiCY", "EXAMPLEKEYQ9"].concat(),
    || ["gh", "p_", "1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ"].concat(),
    || ["hunter", "2-db-", "pass-x81"].concat(),
];

const NAMES: [&str; 4] = [
    "requirements.txt",
    ".dockerignore",
    "Dockerfile",
    "package.json",
];

/// A repository where `name` is what the case makes of it: package.json
/// matters to a Node project, the others to a Python one.
fn project_for(name: &str) -> Hostile {
    if name == "package.json" {
        Hostile::node()
    } else {
        Hostile::python()
    }
}

#[test]
fn links_out_of_the_repository_are_never_followed() {
    for name in NAMES {
        for target in ["/etc/passwd", "../../secret"] {
            let h = project_for(name);
            h.link(name, target);
            let run = h.run(&["rewrite", "--apply"]);
            run.refused(name, "outside the repository");
            assert!(h.repo().join(name).is_symlink(), "{name} stays a link");
        }
    }
}

#[test]
fn fifos_and_devices_are_never_opened() {
    for name in NAMES {
        let h = project_for(name);
        h.fifo(name);
        h.run(&["rewrite"]).refused(name, "is a FIFO (named pipe)");
        h.run(&["context"]);
    }
    for (name, device) in [
        ("Dockerfile", "/dev/zero"),
        ("requirements.txt", "/dev/urandom"),
    ] {
        let h = Hostile::python();
        h.link(name, device);
        h.run(&["rewrite"])
            .refused(name, &format!("`{device}`, outside the repository"));
    }
}

#[test]
fn a_link_inside_the_repository_is_read_but_never_written_through() {
    let h = Hostile::python();
    std::fs::create_dir_all(h.repo().join("docker")).unwrap();
    std::fs::rename(
        h.repo().join("Dockerfile"),
        h.repo().join("docker/Dockerfile"),
    )
    .unwrap();
    h.link("Dockerfile", "docker/Dockerfile");
    let before = std::fs::read(h.repo().join("docker/Dockerfile")).unwrap();
    h.run(&["rewrite"]).proposed();
    h.run(&["rewrite", "--apply"])
        .refused("Dockerfile", "is a symbolic link to `docker/Dockerfile`");
    assert!(h.repo().join("Dockerfile").is_symlink());
    assert_eq!(
        before,
        std::fs::read(h.repo().join("docker/Dockerfile")).unwrap()
    );
    assert!(
        !h.repo().join(".dockerignore").exists(),
        "nothing is written"
    );
}

#[test]
fn a_ten_gigabyte_sparse_file_is_measured_not_read() {
    let h = Hostile::python();
    let f = std::fs::File::create(h.repo().join("weights.bin")).unwrap();
    f.set_len(10 * 1024 * 1024 * 1024).unwrap();
    let run = h.run(&["rewrite"]);
    run.proposed();
    assert!(
        run.stdout_text().contains("weights.bin"),
        "{}",
        run.stdout_text()
    );
    h.run(&["context"]);
}

#[test]
fn a_folder_a_thousand_levels_deep_is_walked() {
    let h = Hostile::python();
    let mut dir = h.repo();
    for _ in 0..1000 {
        dir.push("d");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("deep.py"),
        "import os\nos.makedirs('uploads', exist_ok=True)\n",
    )
    .unwrap();
    h.run(&["rewrite"]).proposed();
    let list = h.run(&["context", "--list"]).stdout_text();
    assert!(list.contains(&format!("{}deep.py", "d/".repeat(1000))));
}

#[test]
fn names_that_are_not_utf8_or_hold_newlines_and_escapes_are_printed_escaped() {
    let h = Hostile::python();
    let names: [&[u8]; 6] = [
        b"bad\xff\xfe.py",
        b"new\nline.py",
        b"esc\x1b[41mred.py",
        b"title\x1b]0;pwned\x07.txt",
        b"clear\x1b[2J.bin",
        b"dir\x1b[41m\nx",
    ];
    for name in &names[..5] {
        let path = h.repo().join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(
            path,
            "import os\nos.makedirs('up\x1b[41m', exist_ok=True)\n",
        )
        .unwrap();
    }
    let dir = h.repo().join(std::ffi::OsStr::from_bytes(names[5]));
    std::fs::create_dir(&dir).unwrap();
    // Large enough to be named in the findings and the context report.
    std::fs::File::create(dir.join("model.pt"))
        .unwrap()
        .set_len(300_000_000)
        .unwrap();
    std::fs::File::create(h.repo().join(std::ffi::OsStr::from_bytes(names[4])))
        .unwrap()
        .set_len(200_000_000)
        .unwrap();
    for args in [
        &["rewrite"][..],
        &["rewrite", "--format", "markdown"],
        &["rewrite", "--format", "diff"],
        &["context"],
        &["context", "--list"],
    ] {
        // Without colour no escape byte at all; with colour forced, none
        // of the repository's own sequences. Either way, the escaped form.
        for env in [&[("NO_COLOR", "1")][..], &[("CLICOLOR_FORCE", "1")]] {
            let run = h.run_env(args, env);
            assert_eq!(run.code, Some(0), "{}", run.stderr_text());
            let out = run.stdout_text();
            if args[0] == "context" {
                assert!(out.contains("dir\\x1b[41m\\nx/model.pt"), "{out}");
                assert!(out.contains("new\\nline.py"), "{out}");
                assert!(out.contains("title\\x1b]0;pwned\\x07.txt"), "{out}");
                assert!(out.contains("bad\u{fffd}\u{fffd}.py"), "{out}");
            }
        }
    }
    for args in [
        &["rewrite", "--format", "json"][..],
        &["context", "--format", "json"],
        &["rewrite", "--format", "sarif"],
    ] {
        let run = h.run(args);
        let json: serde_json::Value = serde_json::from_slice(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?} is not JSON: {e}"));
        assert!(
            json.to_string().contains("dir\\u001b[41m\\nx/model.pt"),
            "{json}"
        );
    }
}

#[test]
fn include_chains_ten_thousand_long_and_circular_end_with_a_message() {
    let h = Hostile::python();
    h.write("requirements.txt", "flask==3.1.0\n-r req/r0.txt\n");
    for i in 0..10_000 {
        h.write(&format!("req/r{i}.txt"), &format!("-r r{}.txt\n", i + 1));
    }
    h.write("req/r10000.txt", "gunicorn==23.0.0\n");
    h.run(&["rewrite"]).refused(
        "req/r498.txt:1",
        "includes nest more than 500 files deep (requirements.txt -> req/r0.txt -> ... -> req/r498.txt -> req/r499.txt)",
    );

    let h = Hostile::python();
    h.write("requirements.txt", "flask==3.1.0\n-r base.txt\n");
    h.write("base.txt", "-r common.txt\n");
    h.write("common.txt", "-r base.txt\n");
    h.run(&["rewrite"]).refused(
        "common.txt:1",
        "a cycle (requirements.txt -> base.txt -> common.txt -> base.txt)",
    );
}

#[test]
fn a_hundred_megabyte_dockerfile_and_a_ten_megabyte_line_are_refused_by_size() {
    let h = Hostile::python();
    let line = format!("RUN echo {}\n", "x".repeat(100));
    let mut text = String::from("FROM python:3.12\n");
    text.push_str(&line.repeat(100_000_000 / line.len()));
    h.write("Dockerfile", &text);
    h.run(&["rewrite"]).refused(
        "Dockerfile",
        "is 100.0 MB (99999917 bytes), more than the 2.0 MB",
    );

    let h = Hostile::python();
    h.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12\nCOPY . .\nRUN echo {}\nCMD python app.py\n",
            "y".repeat(10_000_000)
        ),
    );
    h.run(&["rewrite"])
        .refused("Dockerfile", "more than the 2.0 MB dockslim reads");
}

#[test]
fn a_long_line_under_the_limit_gets_a_proposal() {
    let h = Hostile::python();
    h.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && echo {}\nCMD python app.py\n",
            "y".repeat(1_900_000)
        ),
    );
    h.run(&["rewrite"]).proposed();
}

#[test]
fn thousands_of_instructions_end_with_a_message() {
    let h = Hostile::python();
    let mut text = String::from("FROM python:3.12\nWORKDIR /app\nCOPY . .\n");
    text.push_str(&"RUN pip install -r requirements.txt && echo ok\n".repeat(5_000));
    h.write("Dockerfile", &text);
    h.run(&["rewrite"])
        .refused("Dockerfile", "has 5003 instructions, more than the 2000");
}

#[test]
fn a_huge_or_wildcard_heavy_dockerignore_ends_with_a_message() {
    let h = Hostile::python();
    let line = format!("{}x\n", "a*".repeat(100));
    h.write(".dockerignore", &line.repeat(1_000));
    h.run(&["rewrite"]).refused(".dockerignore", "wildcards");
    h.write(".dockerignore", &format!("{}\n", "*".repeat(5_000)));
    h.run(&["rewrite"])
        .refused(".dockerignore:1", "is 5000 bytes long");
}

#[test]
fn deeply_nested_yaml_is_not_parsed() {
    let h = Hostile::python();
    let deep = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    h.write("docker-compose.yml", &deep);
    h.run(&["rewrite"]).proposed();
    h.write("dockslim.yaml", &deep);
    h.run(&["rewrite"])
        .refused("dockslim.yaml", "more than 128 levels deep");
}

#[test]
fn credentials_in_env_files_are_named_never_printed() {
    let h = Hostile::python();
    let [aws_id, aws_secret, github, db] = SECRETS.map(|s| s());
    let env = format!(
        "AWS_ACCESS_KEY_ID={aws_id}\nAWS_SECRET_ACCESS_KEY={aws_secret}\nGITHUB_TOKEN={github}\nDATABASE_URL=postgres://admin:{db}@db/app\n"
    );
    h.write(".env", &env);
    h.write(".env.production", &env);
    h.write(
        "config/.env.local",
        &format!("export GITHUB_TOKEN=\"{github}\"\n"),
    );
    for args in [
        &["rewrite"][..],
        &["rewrite", "--format", "json"],
        &["rewrite", "--format", "markdown"],
        &["rewrite", "--format", "sarif"],
        &["rewrite", "--format", "diff"],
        &["context"],
        &["context", "--format", "json"],
    ] {
        let run = h.run(args);
        assert_eq!(run.code, Some(0), "{}", run.stderr_text());
    }
    let out = h.run(&["rewrite"]).stdout_text();
    assert!(
        out.contains(".env: environment file with values is sent"),
        "{out}"
    );
}

/// Peak resident memory of `dockslim args dir`, in kB, from GNU time.
fn peak_rss_kb(args: &[&str], dir: &Path) -> (u64, Option<i32>) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "measuring peak RSS needs GNU time at /usr/bin/time (apt-get install time)"
    );
    let out = std::process::Command::new(time)
        .args(["-f", "peak-rss-kb=%M"])
        .arg(assert_cmd::cargo::cargo_bin("dockslim"))
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let kb = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {err}"));
    // GNU time exits with the command's status.
    (kb, out.status.code())
}

#[test]
#[ignore = "slow: a million files; run with --ignored (see the module comment)"]
fn a_million_empty_files_stay_within_the_memory_bound() {
    let h = Hostile::python();
    let start = std::time::Instant::now();
    for d in 0..1_000 {
        let dir = h.repo().join(format!("data/{d:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1_000 {
            std::fs::File::create(dir.join(format!("{f:03}.txt"))).unwrap();
        }
    }
    eprintln!("made 1,000,000 files in {:?}", start.elapsed());
    for args in [&["rewrite"][..], &["context"]] {
        let start = std::time::Instant::now();
        let (kb, code) = peak_rss_kb(args, &h.repo());
        eprintln!(
            "a million empty files, dockslim {}: peak RSS {kb} kB, exit {code:?}, {:?}",
            args.join(" "),
            start.elapsed()
        );
        assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
        assert!(kb < PEAK_RSS_BOUND_KB, "{kb} kB");
    }
    h.run(&["rewrite"]).proposed();
}

#[test]
#[ignore = "measures peak RSS with GNU time; run with --ignored (see the module comment)"]
fn the_largest_inputs_stay_within_the_memory_bound() {
    let mut report = Vec::new();
    // A 10 GB sparse file beside the project.
    let h = Hostile::python();
    std::fs::File::create(h.repo().join("weights.bin"))
        .unwrap()
        .set_len(10 * 1024 * 1024 * 1024)
        .unwrap();
    report.push(("10 GB sparse file", peak_rss_kb(&["rewrite"], &h.repo())));
    // A 100 MB Dockerfile (refused by its size).
    let h = Hostile::python();
    let line = format!("RUN echo {}\n", "x".repeat(100));
    h.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12\n{}",
            line.repeat(100_000_000 / line.len())
        ),
    );
    report.push(("100 MB Dockerfile", peak_rss_kb(&["rewrite"], &h.repo())));
    // The largest Dockerfile read: one line just under the 2 MB limit.
    let h = Hostile::python();
    h.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12\nCOPY . .\nRUN echo {}\nCMD python app.py\n",
            "y".repeat(1_990_000)
        ),
    );
    report.push((
        "1.99 MB line in the Dockerfile",
        peak_rss_kb(&["rewrite"], &h.repo()),
    ));
    // 2,000 long RUN instructions, the most dockslim reads.
    let h = Hostile::python();
    let run = "RUN apt-get update && apt-get install -y gcc libpq-dev curl && pip install flask requests numpy && rm -rf /var/lib/apt/lists/*\n";
    h.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\n{}",
            run.repeat(1_997)
        ),
    );
    report.push((
        "2,000 RUN instructions",
        peak_rss_kb(&["rewrite"], &h.repo()),
    ));
    // A .dockerignore with 10,000 wildcards, the most dockslim matches.
    let h = Hostile::python();
    h.write(
        ".dockerignore",
        &format!("{}x\n", "a*".repeat(100)).repeat(50),
    );
    report.push((
        "10,000 wildcards in .dockerignore",
        peak_rss_kb(&["rewrite"], &h.repo()),
    ));
    // A 16 MB package.json, the largest file dockslim reads.
    let h = Hostile::node();
    let deps: Vec<String> = (0..400_000)
        .map(|i| format!("\"p{i:06}\":\"1.0.0\""))
        .collect();
    let text = format!("{{\"name\":\"api\",\"scripts\":{{\"start\":\"node index.js\"}},\"devDependencies\":{{{}}}}}", deps.join(","));
    assert!(text.len() < 16_000_000, "{}", text.len());
    h.write("package.json", &text);
    report.push(("15 MB package.json", peak_rss_kb(&["rewrite"], &h.repo())));
    for (case, (kb, code)) in &report {
        eprintln!("{case}: peak RSS {kb} kB, exit {code:?}");
    }
    for (case, (kb, code)) in report {
        assert!(matches!(code, Some(0..=2)), "{case}: exit {code:?}");
        assert!(kb < PEAK_RSS_BOUND_KB, "{case}: {kb} kB");
    }
}
