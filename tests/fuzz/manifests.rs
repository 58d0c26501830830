//! pyproject.toml and Pipfile, package.json with the framework config
//! readers, and compose files; each read alone and through the whole
//! detection, which reads them together.
//!
//! Properties: no reader panics on any text; an error is an input error
//! naming a file of the repository and a line inside it, or says the
//! project is unsupported; what a reader returns points at lines that
//! exist, under normalised names.

use std::collections::BTreeMap;

use dockslim::config::Config;
use dockslim::detect::{self, compose, node, pyproject};
use dockslim::error::Result;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::budget::fuzz;
use crate::gen::manifests;
use crate::repo::{error_problem, write};

fn allowed<T>(
    result: Result<T>,
    files: &BTreeMap<String, String>,
) -> Result<Option<T>, TestCaseError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) => match error_problem(&e, files) {
            Some(p) => Err(TestCaseError::fail(p)),
            None => Ok(None),
        },
    }
}

fn lines_of(files: &BTreeMap<String, String>, file: &str) -> usize {
    files.get(file).map_or(0, |t| t.split('\n').count())
}

fn check_declared(
    d: &pyproject::Declared,
    files: &BTreeMap<String, String>,
) -> Result<(), TestCaseError> {
    let lines = lines_of(files, &d.file);
    prop_assert!(lines > 0, "{} was not written", d.file);
    for r in d.all() {
        prop_assert!(
            r.line >= 1 && r.line <= lines,
            "{:?}: line past {}",
            r,
            lines
        );
        if r.local_path.is_none() && r.url.is_none() {
            let normal = dockslim::detect::requirements::normalize(&r.name);
            prop_assert_eq!(&normal, &r.name, "not a normalised name");
        }
    }
    if let Some((_, line)) = &d.poetry_python {
        prop_assert!(*line >= 1 && *line <= lines);
    }
    Ok(())
}

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get('/health')\ndef health():\n    return 'ok'\n";

#[test]
fn pyproject_and_pipfile_read_without_panic() {
    let case = (
        manifests::pyproject(),
        prop::option::weighted(0.3, manifests::pipfile()),
        prop::option::weighted(
            0.2,
            proptest::sample::select(&["uv.lock", "poetry.lock", "Pipfile.lock"][..]),
        ),
    );
    fuzz("pyproject", 256, case, |(pyproject_text, pipfile, lock)| {
        let mut files = vec![
            ("pyproject.toml".to_string(), pyproject_text),
            ("app.py".to_string(), FLASK_APP.to_string()),
        ];
        if let Some(p) = pipfile {
            files.push(("Pipfile".into(), p));
        }
        if let Some(l) = lock {
            files.push((l.to_string(), "version = 1\n".into()));
        }
        let repo = write(&files);
        if let Some(Some(d)) = allowed(pyproject::read_pyproject(&repo.repo, ""), &repo.files)? {
            check_declared(&d, &repo.files)?;
        }
        if let Some(Some(d)) = allowed(pyproject::read_pipfile(&repo.repo), &repo.files)? {
            check_declared(&d, &repo.files)?;
        }
        allowed(
            detect::detect(&repo.repo, &Config::default(), &[]),
            &repo.files,
        )?;
        Ok(())
    });
}

#[test]
fn package_json_and_framework_configs_read_without_panic() {
    fuzz("node", 256, manifests::node_files(), |files| {
        let repo = write(&files);
        if let Some(p) = allowed(node::read(&repo.repo, ""), &repo.files)? {
            let _ = p.output_dir();
            let _ = p.manifest();
            if let node::NodeApp::Static { output, .. } = &p.app {
                prop_assert!(
                    !output.starts_with("./") && !output.ends_with('/') || output == "/",
                    "output folder `{}` is not clean",
                    output
                );
            }
        }
        allowed(
            detect::detect(&repo.repo, &Config::default(), &[]),
            &repo.files,
        )?;
        Ok(())
    });
}

#[test]
fn compose_files_read_without_panic() {
    fuzz("compose", 256, manifests::compose_files(), |files| {
        let repo = write(&files);
        let services = compose::services(&repo.repo);
        for s in &services {
            prop_assert!(
                !s.name.is_empty() || files[0].1.contains("\"\":"),
                "a service without a name"
            );
            if let Some(b) = &s.build {
                prop_assert!(!b.context.is_empty(), "{:?}: empty build context", s);
            }
        }
        let _ = compose::environment_of(&services);
        let _ = compose::building(&services, "Dockerfile");
        allowed(
            detect::detect(&repo.repo, &Config::default(), &[]),
            &repo.files,
        )?;
        Ok(())
    });
}
