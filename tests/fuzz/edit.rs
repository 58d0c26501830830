//! The Dockerfile edit engine, run the way `dockslim rewrite --apply` runs
//! it: on a small generated repository (a Flask app with requirements, or
//! an Express server with a lock file) holding a generated Dockerfile.
//!
//! Properties: the rewrite never panics; it fails only with an input error
//! on a line of a file, or an unsupported project, never an internal error;
//! the edited Dockerfile parses again with every span in place; applying
//! the proposal and rewriting again changes nothing.

use dockslim::dockerfile::Dockerfile;
use dockslim::error::Result;
use dockslim::{Options, Proposal};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use crate::budget::fuzz;
use crate::dockerfile::parse_problems;
use crate::gen::dockerfile::{dockerfile, App};
use crate::repo::{error_problem, write};

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/health\")\ndef health():\n    return \"ok\"\n\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000)\n";

const SERVER_JS: &str = "const express = require('express')\nconst app = express()\napp.get('/health', (req, res) => res.send('ok'))\napp.listen(process.env.PORT || 3000)\n";

/// The files of a repository for `app`, besides its Dockerfile.
fn repo_files(app: App) -> BoxedStrategy<Vec<(String, String)>> {
    let ignore = prop_oneof![
        2 => Just(None),
        1 => select(&[".git\n", "node_modules\n*.pyc\n", "**\n!app.py\n!requirements.txt\n", "# empty\n"][..])
            .prop_map(|s| Some(s.to_string())),
    ];
    match app {
        App::Flask | App::Any => (
            select(&["flask\ngunicorn\n", "Flask==3.0.3\n", "flask\n-r base.txt\n", "flask\ntorch\npsycopg2\n",
                "-e .\nflask\n", "flask\nuvicorn[standard]\n"][..]),
            ignore,
            any::<bool>(),
        )
            .prop_map(|(req, ignore, entrypoint)| {
                let mut files = vec![
                    ("app.py".to_string(), FLASK_APP.to_string()),
                    ("requirements.txt".into(), req.to_string()),
                    ("base.txt".into(), "requests\n".into()),
                    ("static/style.css".into(), "body {}\n".into()),
                ];
                if entrypoint {
                    files.push(("entrypoint.sh".into(), "#!/bin/sh\nexec \"$@\"\n".into()));
                }
                files.extend(ignore.map(|i| (".dockerignore".to_string(), i)));
                files
            })
            .boxed(),
        App::Node => (
            select(&["\"start\": \"node server.js\"", "\"start\": \"node server.js\", \"build\": \"tsc\""][..]),
            ignore,
        )
            .prop_map(|(scripts, ignore)| {
                let mut files = vec![
                    ("server.js".to_string(), SERVER_JS.to_string()),
                    ("package.json".into(), format!(
                        "{{\n  \"name\": \"api\",\n  \"scripts\": {{ {scripts} }},\n  \"dependencies\": {{ \"express\": \"^4.19.2\" }},\n  \"devDependencies\": {{ \"nodemon\": \"^3\" }}\n}}\n"
                    )),
                    ("package-lock.json".into(), "{\n  \"name\": \"api\",\n  \"lockfileVersion\": 3,\n  \"packages\": {}\n}\n".into()),
                ];
                files.extend(ignore.map(|i| (".dockerignore".to_string(), i)));
                files
            })
            .boxed(),
    }
}

fn case() -> BoxedStrategy<(String, Vec<(String, String)>)> {
    prop_oneof![
        2 => (crate::gen::mutated(dockerfile(App::Flask)), repo_files(App::Flask)),
        2 => (crate::gen::mutated(dockerfile(App::Node)), repo_files(App::Node)),
        1 => (dockerfile(App::Any), repo_files(App::Flask)),
    ]
    .boxed()
}

fn rewrite(dir: &std::path::Path) -> Result<Proposal> {
    let opts = Options {
        dir: dir.to_path_buf(),
        ..Options::default()
    };
    let analysis = dockslim::analyze(&opts)?;
    dockslim::propose(&analysis, &opts)
}

#[test]
fn edits_parse_again_and_a_second_rewrite_changes_nothing() {
    fuzz("edit", 96, case(), |(text, mut files)| {
        files.push(("Dockerfile".to_string(), text));
        let repo = write(&files);
        let root = repo.repo.root.clone();
        let first = match rewrite(&root) {
            Ok(p) => p,
            Err(e) => {
                return match error_problem(&e, &repo.files) {
                    Some(p) => Err(TestCaseError::fail(p)),
                    None => Ok(()),
                }
            }
        };
        let edited = &first.dockerfile().new;
        let df = Dockerfile::parse(edited, "Dockerfile").map_err(|e| {
            TestCaseError::fail(format!("the edited file does not parse: {e}\n{edited}"))
        })?;
        let problems = parse_problems(&df);
        prop_assert!(
            problems.is_empty(),
            "the edited file: {}\n{}",
            problems.join("\n"),
            edited
        );

        dockslim::output::apply::apply(&first.changes)
            .map_err(|e| TestCaseError::fail(format!("apply: {e}")))?;
        let second = rewrite(&root)
            .map_err(|e| TestCaseError::fail(format!("the rewritten repository: {e}\n{edited}")))?;
        for change in &second.changes {
            prop_assert!(
                !change.differs(),
                "a second rewrite changes {}:\n--- after the first\n{}\n--- after the second\n{}",
                change.path,
                change.old.as_deref().unwrap_or("(none)"),
                change.new
            );
        }
        Ok(())
    });
}
