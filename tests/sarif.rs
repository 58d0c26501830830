//! `--format sarif` against the SARIF 2.1.0 schema (OASIS, vendored in
//! tests/schemas/ from its published copy) and against what GitHub code
//! scanning further requires of an upload.

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn sarif_of(args: &[&str], dir: &std::path::Path) -> Value {
    let out = Command::cargo_bin("dockslim")
        .unwrap()
        .args(args)
        .args(["--format", "sarif"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("SARIF output is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_validates_and_suits_code_scanning() {
    let validator = validator();
    for name in common::fixture_names() {
        let dir = common::fixture(&name);
        for command in [&["analyze"][..], &["rewrite"][..]] {
            if name == "no-project" && command == ["rewrite"] {
                continue;
            }
            let log = sarif_of(command, dir.path());
            let errors: Vec<String> = validator
                .iter_errors(&log)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{name} {command:?}: {errors:#?}");

            // What code scanning needs beyond the schema.
            let run = &log["runs"][0];
            let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
            let results = run["results"].as_array().unwrap();
            if name == "flask-junk" {
                assert!(results.len() >= 5, "{name}: {} results", results.len());
            }
            for result in results {
                let id = result["ruleId"].as_str().unwrap();
                let index = result["ruleIndex"].as_u64().unwrap() as usize;
                assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
                assert!(matches!(
                    result["level"].as_str(),
                    Some("error" | "warning" | "note")
                ));
                let location = &result["locations"][0]["physicalLocation"];
                let uri = location["artifactLocation"]["uri"].as_str().unwrap();
                assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
                assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
                assert!(!result["message"]["text"].as_str().unwrap().is_empty());
            }
        }
    }
}

#[test]
fn the_schema_check_can_fail() {
    // A log without a version, and a result with a string line, are caught.
    let validator = validator();
    let bad: Value = serde_json::json!({"runs": []});
    assert!(!validator.is_valid(&bad));
    let bad_line: Value = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
            "message": {"text": "m"},
            "locations": [{"physicalLocation": {"region": {"startLine": "three"}}}]
        }]}]
    });
    assert!(!validator.is_valid(&bad_line));
}

/// An input error under `--format sarif` is still a valid SARIF log on
/// standard output: a run that did not succeed, with the error's file and
/// line as a tool execution notification; and under `--format json` a
/// `dockslim-error/1` document. Exit 2 either way, nothing written.
#[test]
fn an_error_is_a_well_formed_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "flask==3.0\ngunicorn=\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("dockslim")
            .unwrap()
            .args(args)
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("a JSON document on stdout")
    };
    for command in ["analyze", "rewrite"] {
        let log = run(&[command, "--format", "sarif"]);
        let errors: Vec<String> = validator()
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{command}: {errors:#?}");
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let note = &invocation["toolExecutionNotifications"][0];
        let location = &note["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "requirements.txt");
        assert_eq!(location["region"]["startLine"], 2);

        let doc = run(&[command, "--format", "json"]);
        assert_eq!(doc["schema"], "dockslim-error/1");
        assert_eq!(
            (doc["error"]["file"].as_str(), doc["error"]["line"].as_u64()),
            (Some("requirements.txt"), Some(2))
        );
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing written: {names:?}");
}
