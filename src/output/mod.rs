//! Diffs against what exists, reports (text, json, markdown), atomic apply.

pub mod apply;
pub mod context;
pub mod report;
pub mod sarif;

use std::path::PathBuf;

use serde::Serialize;

use crate::plan::Decision;

/// One file dockslim proposes, beside what is on disk today.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
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
    pub fn unified_diff(&self) -> String {
        let old = self.old.as_deref().unwrap_or("");
        let diff = similar::TextDiff::from_lines(old, &self.new);
        let from = if self.old.is_some() {
            format!("a/{}", self.path)
        } else {
            "/dev/null".to_string()
        };
        diff.unified_diff()
            .context_radius(3)
            .header(&from, &format!("b/{}", self.path))
            .to_string()
    }
}

/// "1 file", "3 files".
pub fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}

/// 1234567 -> "1.2 MB" (decimal units, as `docker images` prints).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_docker() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(human_bytes(13_000_000_000), "13.0 GB");
    }

    #[test]
    fn diff_has_git_style_headers() {
        let change = FileChange {
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
