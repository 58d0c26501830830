//! The pyproject.toml edit of a uv or Poetry project (CPU-only torch for
//! DS305, development tools moved to the dev group for DS308), made once by
//! whichever of the two rules comes first and claimed by both: the edit is
//! one file, computed whole by `plan::pyproject_edit`.

use super::{FileWrite, Fix, FixContext, Outcome, Safety};
use crate::rules::RuleId;

/// The fix that writes pyproject.toml, unless an earlier fix already did.
pub fn fix(cx: &FixContext, rule: RuleId) -> Vec<Outcome> {
    let mut decisions = Vec::new();
    let edit = match crate::plan::pyproject_edit::plan(cx.inputs, &mut decisions) {
        Ok(Some(edit)) => edit,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![cx.blocked(rule, None, e.to_string())],
    };
    if cx.files.iter().any(|f| f.path == edit.file) {
        return Vec::new();
    }
    let reason = decisions
        .iter()
        .map(|d| format!("{}: {}", d.choice, d.reason))
        .collect::<Vec<_>>()
        .join("; ");
    vec![Outcome::Fix(Fix {
        rule,
        line: 1,
        title: match &edit.relock {
            Some(relock) => format!("{} edited; run `{relock}` before building", edit.file),
            None => format!("{} edited", edit.file),
        },
        reason,
        safety: Safety::Unsafe,
        edits: vec![],
        files: vec![FileWrite {
            path: edit.file,
            text: edit.new,
            before_build: edit.relock,
        }],
        reshapes: false,
    })]
}
