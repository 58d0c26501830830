//! An error as a document, for consumers of `--format json` and `sarif`:
//! a pipeline that parses standard output gets a well-formed document with
//! the file, line and message, not an empty stream (exit status 2 still
//! says it failed).

use serde_json::{json, Value};

use crate::error::{Error, Kind};

/// What kind of error it is, as the documents name it.
fn kind(error: &Error) -> &'static str {
    match error.kind {
        Kind::Input { .. } => "input",
        Kind::Io { .. } => "io",
        Kind::Usage(_) => "usage",
        Kind::Unsupported(_) => "unsupported",
        Kind::Bug(_) => "internal",
    }
}

/// The file, line and column the error is about, when it names one.
fn place(error: &Error) -> (Option<String>, Option<usize>, Option<usize>) {
    match &error.kind {
        Kind::Input { location, .. } => (
            Some(location.path.display().to_string()),
            location.line,
            location.column,
        ),
        Kind::Io { path, .. } => (Some(path.display().to_string()), None, None),
        Kind::Usage(_) | Kind::Unsupported(_) | Kind::Bug(_) => (None, None, None),
    }
}

/// The message without the location the document gives apart.
fn message(error: &Error) -> String {
    let text = error.to_string();
    match &error.kind {
        Kind::Input { message, .. } => message.clone(),
        // The text after `path: `, in words (no `os error 2`).
        Kind::Io { path, .. } => text
            .strip_prefix(&format!("{}: ", path.display()))
            .unwrap_or(&text)
            .to_string(),
        Kind::Usage(m) | Kind::Unsupported(m) => m.clone(),
        Kind::Bug(_) => text,
    }
}

/// `{"schema": "dockslim-error/1", "error": {...}}`.
pub fn json(error: &Error) -> String {
    let (file, line, column) = place(error);
    let document = json!({
        "schema": "dockslim-error/1",
        "error": {
            "kind": kind(error),
            "file": file,
            "line": line,
            "column": column,
            "message": message(error),
            "text": error.to_string(),
            "hint": error.hint(),
        }
    });
    serde_json::to_string_pretty(&document).expect("JSON serialises") + "\n"
}

/// A SARIF 2.1.0 log of a run that did not succeed: no results, and the
/// error as a tool execution notification with its location, which is how
/// SARIF reports a tool's own failure.
pub fn sarif(error: &Error) -> String {
    let (file, line, column) = place(error);
    let mut notification = json!({
        "level": "error",
        "message": { "text": error.to_string() },
        "descriptor": { "id": kind(error) },
        "properties": { "hint": error.hint() },
    });
    if let Some(file) = file {
        let mut region = serde_json::Map::new();
        if let Some(line) = line {
            region.insert("startLine".into(), Value::from(line));
            if let Some(column) = column {
                region.insert("startColumn".into(), Value::from(column));
            }
        }
        let mut physical = json!({ "artifactLocation": { "uri": file } });
        if !region.is_empty() {
            physical["region"] = Value::Object(region);
        }
        notification["locations"] = json!([{ "physicalLocation": physical }]);
    }
    crate::output::sarif::run_log(
        json!({
            "invocations": [{
                "executionSuccessful": false,
                "exitCode": if error.is_bug() { 101 } else { 2 },
                "toolExecutionNotifications": [notification],
            }],
            "results": [],
        }),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_error_keeps_its_place() {
        let error = Error::input_at(
            "requirements.txt",
            2,
            9,
            "expected a version",
            "write it as name==1.2.3",
        );
        let doc: Value = serde_json::from_str(&json(&error)).unwrap();
        assert_eq!(doc["error"]["kind"], "input");
        assert_eq!(doc["error"]["file"], "requirements.txt");
        assert_eq!(doc["error"]["line"], 2);
        assert_eq!(doc["error"]["column"], 9);
        assert_eq!(doc["error"]["message"], "expected a version");
        assert_eq!(doc["error"]["hint"], "write it as name==1.2.3");
        let log: Value = serde_json::from_str(&sarif(&error)).unwrap();
        let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        let region = &note["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(2), Some(9))
        );
    }

    #[test]
    fn a_usage_error_has_no_place() {
        let error = Error::usage("--format sarif: not for context", "use json");
        let doc: Value = serde_json::from_str(&json(&error)).unwrap();
        assert_eq!(doc["error"]["file"], Value::Null);
        let log: Value = serde_json::from_str(&sarif(&error)).unwrap();
        let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert!(note.get("locations").is_none());
    }
}
