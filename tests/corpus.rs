//! The corpus: Dockerfiles written the way people write them (tests/corpus/),
//! each put in a small generated repository and taken through `analyze` and
//! `rewrite`. Each file says in its header which app it belongs to and what
//! must happen: `# expect: rewrite`, or `# expect: refuse <words of the
//! error>`. A rewrite must then keep the guarantees:
//! - everything the original final stage promised (EXPOSE, CMD, ENTRYPOINT,
//!   ENV names, LABEL, VOLUME, STOPSIGNAL, build ARGs) is in the output, or
//!   the report's "deliberately changed" list names it;
//! - the output parses, and reading it back gives what the plan decided;
//! - rewriting the output again changes nothing (a fixed point).

use std::path::Path;

use assert_cmd::Command;
use dockslim::dockerfile::{Args, Dockerfile};
use dockslim::Options;

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/health\")\ndef health():\n    return {\"ok\": True}\n";

/// The files of each kind of app a corpus Dockerfile can belong to.
fn app_files(app: &str) -> Vec<(&'static str, &'static str)> {
    let flask = vec![
        ("app.py", FLASK_APP),
        ("requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\n"),
    ];
    match app {
        "flask" => flask,
        "flask-postgres" => vec![
            ("app.py", FLASK_APP),
            (
                "requirements.txt",
                "flask==3.0.3\ngunicorn==22.0.0\npsycopg2==2.9.9\n",
            ),
        ],
        "flask-requirements-folder" => vec![
            ("app.py", FLASK_APP),
            ("requirements/base.txt", "flask==3.0.3\n"),
            ("requirements/prod.txt", "-r base.txt\ngunicorn==22.0.0\n"),
            ("requirements/dev.txt", "-r base.txt\npytest==8.3.3\n"),
        ],
        "flask-with-frontend" => {
            let mut files = flask;
            files.push((
                "frontend/package.json",
                "{\"name\": \"web\", \"scripts\": {\"build\": \"vite build\"}}\n",
            ));
            files.push(("frontend/package-lock.json", "{}\n"));
            files
        }
        "django" => vec![
            ("manage.py", "import os\nimport sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n"),
            ("mysite/__init__.py", ""),
            ("mysite/settings.py", "SECRET_KEY = 'dev'\nALLOWED_HOSTS = ['*']\nROOT_URLCONF = 'mysite.urls'\nWSGI_APPLICATION = 'mysite.wsgi.application'\nSTATIC_URL = '/static/'\nSTATIC_ROOT = '/code/staticfiles'\n"),
            ("mysite/urls.py", "urlpatterns = []\n"),
            ("mysite/wsgi.py", "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\napplication = get_wsgi_application()\n"),
            ("requirements.txt", "Django==5.0.6\ngunicorn==22.0.0\npsycopg2==2.9.9\n"),
        ],
        "fastapi" => vec![
            ("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/healthz\")\ndef healthz():\n    return {\"ok\": True}\n"),
            ("requirements.txt", "fastapi==0.111.0\nuvicorn==0.30.1\n"),
        ],
        "node" => vec![
            (
                "package.json",
                "{\"name\": \"web\", \"scripts\": {\"dev\": \"vite\", \"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6.3.5\"}}\n",
            ),
            ("package-lock.json", "{\"lockfileVersion\": 3}\n"),
            ("index.html", "<!doctype html><div id=\"app\"></div>\n"),
        ],
        "node-no-lock" => vec![(
            "package.json",
            "{\"name\": \"web\", \"scripts\": {\"dev\": \"vite\", \"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"^6.3.5\"}}\n",
        )],
        "next" => vec![
            (
                "package.json",
                "{\"name\": \"shop\", \"scripts\": {\"build\": \"next build\", \"start\": \"next start\"}, \"dependencies\": {\"next\": \"15.5.0\", \"react\": \"19.1.0\", \"react-dom\": \"19.1.0\"}}\n",
            ),
            ("package-lock.json", "{\"lockfileVersion\": 3}\n"),
            ("next.config.js", "module.exports = {\n  reactStrictMode: true,\n}\n"),
            ("app/page.js", "export default function Page() { return 'hi' }\n"),
        ],
        "express" => vec![
            (
                "package.json",
                "{\"name\": \"api\", \"scripts\": {\"start\": \"node index.js\", \"dev\": \"nodemon index.js\"}, \"dependencies\": {\"express\": \"4.21.2\"}, \"devDependencies\": {\"nodemon\": \"3.1.9\"}}\n",
            ),
            ("yarn.lock", "# yarn lockfile v1\n"),
            ("index.js", "const app = require('express')()\napp.get('/health', (q, r) => r.send('ok'))\napp.listen(process.env.PORT || 3000)\n"),
        ],
        "poetry" => vec![
            ("app.py", FLASK_APP),
            ("pyproject.toml", "[tool.poetry]\nname = \"shop\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3.0\"\n"),
            ("poetry.lock", "# lock\n"),
        ],
        "uv" => vec![
            ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
            ("pyproject.toml", "[project]\nname = \"api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n"),
            ("uv.lock", "version = 1\n"),
        ],
        "pipenv" => vec![
            ("app.py", FLASK_APP),
            ("Pipfile", "[packages]\nflask = \"*\"\n"),
            ("Pipfile.lock", "{}\n"),
        ],
        "torch" => vec![
            ("main.py", "import torch\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/health\")\ndef health():\n    return {\"cuda\": torch.cuda.is_available()}\n"),
            ("requirements.txt", "fastapi==0.115.6\nuvicorn==0.32.1\ntorch==2.5.1\nnumpy==2.1.3\n"),
        ],
        other => panic!("unknown corpus app `{other}`"),
    }
}

struct Case {
    name: String,
    text: String,
    app: String,
    expect: Expect,
}

#[derive(Debug)]
enum Expect {
    Rewrite,
    Refuse(String),
}

fn header(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
        .map(|v| v.trim().to_string())
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut text = std::fs::read_to_string(&path).unwrap();
            let app = header(&text, "app").unwrap_or_else(|| panic!("{name}: no `# app:`"));
            let expect = match header(&text, "expect").as_deref() {
                Some("rewrite") => Expect::Rewrite,
                Some(refuse) if refuse.starts_with("refuse ") => {
                    Expect::Refuse(refuse["refuse ".len()..].to_string())
                }
                other => panic!("{name}: `# expect:` is {other:?}"),
            };
            if header(&text, "transform").as_deref() == Some("crlf-bom") {
                text = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            }
            Case {
                name,
                text,
                app,
                expect,
            }
        })
        .collect()
}

/// Writes the app, the Dockerfile, and a small file for every path the
/// Dockerfile copies from the context that the app does not have.
fn write_repo(case: &Case, dir: &Path) {
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    for (rel, text) in app_files(&case.app) {
        write(rel, text);
    }
    write("Dockerfile", &case.text);
    let df = Dockerfile::parse(&case.text, "Dockerfile").unwrap();
    for inst in df.stages.iter().flat_map(|s| s.instructions.iter()) {
        let Args::Copy { sources, .. } = &inst.args else {
            continue;
        };
        if inst.flag("from").is_some() {
            continue;
        }
        for source in sources {
            let clean = source.trim_start_matches("./");
            if clean.is_empty()
                || clean == "."
                || source.contains("://")
                || source.starts_with("<<")
                || source.contains('*')
                || dir.join(clean).exists()
            {
                continue;
            }
            if clean.ends_with('/') {
                write(&format!("{clean}placeholder.txt"), "x\n");
            } else if clean.ends_with(".sh") {
                write(clean, "#!/bin/sh\nset -e\nexec \"$@\"\n");
            } else {
                write(clean, "x\n");
            }
        }
    }
}

fn words(c: &dockslim::dockerfile::Command) -> Vec<String> {
    c.words()
}

/// Checks a rewrite's guarantees; returns what went wrong.
fn check_rewrite(case: &Case, dir: &Path) -> Result<String, String> {
    let opts = Options {
        dir: dir.to_path_buf(),
        ..Options::default()
    };
    let analysis = dockslim::analyze(&opts).map_err(|e| format!("analyze: {e}"))?;
    let proposal = dockslim::propose(&analysis, &opts).map_err(|e| format!("rewrite: {e}"))?;
    let changed = proposal.plan.changed.join("\n");
    let named_as_changed = |what: &str| changed.contains(what);
    let original = Dockerfile::parse(&case.text, "Dockerfile").unwrap();
    let before = original.intent();
    let new_text = &proposal.changes[0].new;
    let output = Dockerfile::parse(new_text, "Dockerfile")
        .map_err(|e| format!("the output does not parse: {e}"))?;
    let after = output.intent();
    let mut problems = Vec::new();

    for (port, line) in &before.expose {
        if !after.expose.iter().any(|(p, _)| p == port) && !named_as_changed(port) {
            problems.push(format!("EXPOSE {port} (line {line}) lost"));
        }
    }
    if let Some((cmd, line)) = &before.cmd {
        let kept = after
            .cmd
            .as_ref()
            .is_some_and(|(c, _)| words(c) == words(cmd));
        if !kept && !named_as_changed("CMD") {
            problems.push(format!("CMD (line {line}) changed without a word"));
        }
    }
    if let Some((ep, line)) = &before.entrypoint {
        let kept = after
            .entrypoint
            .as_ref()
            .is_some_and(|(c, _)| words(c) == words(ep));
        if !kept && !named_as_changed("ENTRYPOINT") {
            problems.push(format!("ENTRYPOINT (line {line}) changed without a word"));
        }
    }
    for (name, _, line) in &before.env {
        if !after.env.iter().any(|(n, _, _)| n == name) && !named_as_changed(name) {
            problems.push(format!("ENV {name} (line {line}) lost"));
        }
    }
    for (name, value, line) in &before.labels {
        if !after.labels.iter().any(|(n, v, _)| n == name && v == value) {
            problems.push(format!("LABEL {name} (line {line}) lost"));
        }
    }
    for (volume, line) in &before.volumes {
        if !after.volumes.iter().any(|(v, _)| v == volume) {
            problems.push(format!("VOLUME {volume} (line {line}) lost"));
        }
    }
    if before.stopsignal.as_ref().map(|s| &s.0) != after.stopsignal.as_ref().map(|s| &s.0)
        && !named_as_changed("STOPSIGNAL")
    {
        problems.push("STOPSIGNAL changed".to_string());
    }
    let output_args: Vec<String> = output
        .final_stage()
        .instructions
        .iter()
        .filter(|i| i.keyword == "ARG")
        .map(|i| i.text().split('=').next().unwrap_or("").to_string())
        .collect();
    for stage in dockslim::rules::final_chain(&original) {
        for inst in stage.instructions.iter().filter(|i| i.keyword == "ARG") {
            let name = inst.text().split('=').next().unwrap_or("").to_string();
            if !output_args.contains(&name) && !named_as_changed(&name) {
                problems.push(format!("ARG {name} (line {}) lost", inst.line));
            }
        }
    }

    // Reading the output back gives what the plan decided.
    let plan = proposal.plan.runtime();
    let read_back_cmd = after.cmd.as_ref().map(|(c, _)| words(c));
    if read_back_cmd.as_deref() != Some(plan.cmd) {
        problems.push(format!(
            "read back CMD {read_back_cmd:?} is not the plan's {:?}",
            plan.cmd
        ));
    }
    let read_back_expose: Vec<String> = after.expose.iter().map(|(p, _)| p.clone()).collect();
    if read_back_expose != plan.expose {
        problems.push(format!(
            "read back EXPOSE {read_back_expose:?} is not the plan's {:?}",
            plan.expose
        ));
    }
    if after.user.as_ref().map(|u| u.0.as_str()) != Some(plan.user.as_str()) {
        problems.push(format!("read back USER {:?}", after.user));
    }
    for name in &plan.env {
        if !after.env.iter().any(|(n, _, _)| n == name) {
            problems.push(format!("read back ENV lacks {name}"));
        }
    }

    // Fixed point: the output, rewritten, is itself.
    for change in &proposal.changes {
        std::fs::write(&change.abs, &change.new).unwrap();
    }
    let again = dockslim::analyze(&opts).map_err(|e| format!("analyze of the output: {e}"))?;
    let second =
        dockslim::propose(&again, &opts).map_err(|e| format!("rewrite of the output: {e}"))?;
    for (first, second) in proposal.changes.iter().zip(&second.changes) {
        if first.new != second.new {
            problems.push(format!(
                "not a fixed point: {} changes when rewritten again",
                first.path
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "rewritten, {} step(s) carried, {} change(s) named",
            match (&proposal.plan.python, &proposal.plan.node) {
                (Some(p), _) => p.carried.before_source.len() + p.carried.after_source.len(),
                (None, Some(n)) => n.build_steps.len() + n.runtime_steps.len(),
                _ => 0,
            },
            proposal.plan.changed.len()
        ))
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn corpus_goes_through_analyze_and_rewrite_with_its_guarantees() {
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "the corpus has {} Dockerfiles",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        write_repo(case, dir.path());

        // analyze: findings, never a crash, in every format.
        for format in ["text", "json", "markdown", "sarif"] {
            let out = Command::cargo_bin("dockslim")
                .unwrap()
                .args(["analyze", "--format", format])
                .arg(dir.path())
                .output()
                .unwrap();
            if !matches!(out.status.code(), Some(0 | 1)) {
                failures.push(format!(
                    "{}: analyze --format {format} exited {:?}: {}",
                    case.name,
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }

        let outcome = match &case.expect {
            Expect::Rewrite => check_rewrite(case, dir.path()),
            Expect::Refuse(words) => {
                let out = Command::cargo_bin("dockslim")
                    .unwrap()
                    .arg("rewrite")
                    .arg(dir.path())
                    .output()
                    .unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                if out.status.code() == Some(2)
                    && stderr.starts_with("dockslim: error:")
                    && stderr.contains(words.as_str())
                {
                    Ok(format!("refused: {}", stderr.trim()))
                } else {
                    Err(format!(
                        "expected a refusal naming `{words}`, got exit {:?}: {stderr}",
                        out.status.code()
                    ))
                }
            }
        };
        match outcome {
            Ok(what) => println!("{:<40} {what}", case.name),
            Err(problem) => failures.push(format!("{}: {problem}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
