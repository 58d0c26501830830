//! Diffs against what exists, reports (text, json, markdown), atomic apply.

pub mod apply;
pub mod context;
pub mod escape;
pub mod report;
pub mod sarif;

use std::path::PathBuf;

use serde::Serialize;

use crate::plan::Decision;

/// What a proposed file is to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// The Dockerfile the image is built from.
    Dockerfile,
    /// The ignore file Docker reads for it.
    DockerIgnore,
    /// A file the build copies (nginx.conf, Caddyfile) or reads
    /// (next.config with `output: 'standalone'`).
    BuildInput,
    /// pyproject.toml: the lock must be made anew before it counts.
    Pyproject,
    /// A separate frontend's Dockerfile or ignore file.
    Frontend,
}

/// One file dockslim proposes, beside what is on disk today.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub role: FileRole,
    /// As shown to the user, relative to the repository.
    pub path: String,
    #[serde(skip)]
    pub abs: PathBuf,
    pub old: Option<String>,
    pub new: String,
    pub reasons: Vec<Decision>,
}

impl FileChange {
    pub fn status(&self) -> &'static str {
        match &self.old {
            None => "new",
            Some(old) if *old == self.new => "unchanged",
            Some(_) => "changed",
        }
    }

    pub fn differs(&self) -> bool {
        self.status() != "unchanged"
    }

    /// A unified diff (similar's), with `a/` and `b/` headers like git's.
    /// The path in a header is made printable, so that a newline in it
    /// cannot forge a line of the diff.
    pub fn unified_diff(&self) -> String {
        let old = self.old.as_deref().unwrap_or("");
        let diff = similar::TextDiff::from_lines(old, &self.new);
        let path = escape::printable(&self.path);
        let from = if self.old.is_some() {
            format!("a/{path}")
        } else {
            "/dev/null".to_string()
        };
        diff.unified_diff()
            .context_radius(3)
            .header(&from, &format!("b/{path}"))
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_git_style_headers() {
        let change = FileChange {
            role: FileRole::Dockerfile,
            path: "Dockerfile".into(),
            abs: PathBuf::new(),
            old: Some("FROM a\n".into()),
            new: "FROM b\n".into(),
            reasons: vec![],
        };
        let diff = change.unified_diff();
        assert!(
            diff.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM a\n+FROM b\n"),
            "{diff}"
        );
        let new = FileChange {
            old: None,
            ..change
        };
        assert!(new
            .unified_diff()
            .starts_with("--- /dev/null\n+++ b/Dockerfile\n"));
        assert_eq!(new.status(), "new");
    }
}
