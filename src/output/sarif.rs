//! SARIF 2.1.0, the format GitHub code scanning reads
//! (`github/codeql-action/upload-sarif`): one run, the registry's rules as
//! the driver's rule metadata, a result per finding.
//!
//! Every result has a location, because code scanning drops results without
//! one: findings that belong to a whole file point at its first line.
//! Fingerprints are left to the upload action, which computes them from the
//! lines themselves.

use serde_json::{json, Value};

use crate::rules::{Finding, Severity};

/// The SARIF log for a list of findings. Paths are relative to the
/// repository root, which code scanning calls `%SRCROOT%`.
pub fn log(findings: &[Finding]) -> String {
    let rules: Vec<Value> = crate::rules::all()
        .iter()
        .map(|rule| {
            let doc = rule.doc();
            json!({
                "id": doc.id,
                "name": doc.name,
                "shortDescription": { "text": doc.summary },
                "fullDescription": { "text": doc.why },
                "help": {
                    "text": format!("{}\n\nFix: {}\n\n{}", doc.why, doc.fix, doc.example),
                    "markdown": format!("{}\n\n**Fix:** {}\n\n```dockerfile\n{}\n```", doc.why, doc.fix, doc.example),
                },
                "defaultConfiguration": { "level": level(doc.severity) },
                "properties": { "tags": [group(doc.id.as_str())] },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = crate::rules::all()
                .iter()
                .position(|r| r.doc().id == f.rule)
                .expect("findings come from registered rules");
            let mut message = f.message.clone();
            if let Some(bytes) = f.bytes {
                message.push_str(&format!(
                    " ({} in the build context)",
                    crate::units::human_bytes(bytes)
                ));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": f.line.unwrap_or(1) },
                    }
                }],
            })
        })
        .collect();
    run_log(
        json!({
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "results": results,
        }),
        Some(rules),
    )
}

/// A SARIF 2.1.0 log of one run by dockslim: `run` without its tool, which
/// is dockslim's driver, with `rules` when the run has findings to refer to.
pub(crate) fn run_log(mut run: Value, rules: Option<Vec<Value>>) -> String {
    let mut driver = json!({
        "name": "dockslim",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/dockslim/dockslim",
    });
    if let Some(rules) = rules {
        driver["rules"] = Value::Array(rules);
    }
    run["tool"] = json!({ "driver": driver });
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn group(id: &str) -> &'static str {
    match id.get(2..3) {
        Some("1") => "build-context",
        Some("2") => "layer-cache",
        Some("3") => "image-size",
        Some("4") => "security",
        _ => "runtime",
    }
}

/// A relative URI: `/` separators, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for c in path.trim_end_matches('/').chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(uri("docker/api/Dockerfile"), "docker/api/Dockerfile");
        assert_eq!(uri("my files/.env"), "my%20files/.env");
        assert_eq!(uri("node_modules/"), "node_modules");
    }
}
