//! DS102 heavy-folder-in-context
//!
//! What it finds: folders that never belong in an image (`.git`,
//! `node_modules`, virtual environments, Python caches) sent with the build
//! context.
//! Why it matters: every build uploads them to the engine, and `COPY . .`
//! bakes them into a layer: hundreds of megabytes that the app never reads.
//! Fix: exclude them in .dockerignore; install dependencies inside the image.

use std::collections::BTreeMap;

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};

pub struct HeavyFolderInContext;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS102,
    name: "heavy-folder-in-context",
    severity: Severity::Warning,
    summary: "A folder that never belongs in an image (.git, node_modules, a virtualenv, caches) is sent with the build context.",
    why: "The engine receives it on every build and COPY . . bakes it into a layer, though the app never reads it: VCS history, host-built dependencies for another platform, bytecode caches.",
    fix: "Exclude the folder in .dockerignore and install dependencies inside the image.",
    example: "Before: node_modules/ (600 MB) and .git/ (80 MB) are sent.\nAfter (.dockerignore):\n  .git\n  **/node_modules\n  **/__pycache__",
    fix_safety: None,
    fix_risk: "",
};

/// Folder names that are junk wherever they appear.
const JUNK: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
];

impl Rule for HeavyFolderInContext {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        // The outermost junk folder of each sent file, with its bytes.
        let mut folders: BTreeMap<String, (u64, usize)> = BTreeMap::new();
        for file in cx.sent_files() {
            let parts: Vec<&str> = file.path.split('/').collect();
            if let Some(i) = parts[..parts.len() - 1]
                .iter()
                .position(|d| JUNK.contains(d))
            {
                let entry = folders.entry(parts[..=i].join("/")).or_default();
                entry.0 += file.size;
                entry.1 += 1;
            }
        }
        // Caches are reported once per name, summed, not once per package.
        let mut merged: BTreeMap<String, (u64, usize)> = BTreeMap::new();
        for (folder, (bytes, count)) in folders {
            let name = folder.rsplit('/').next().unwrap_or(&folder);
            let key = if folder.contains('/') {
                format!("**/{name}")
            } else {
                folder.clone()
            };
            let entry = merged.entry(key).or_default();
            entry.0 += bytes;
            entry.1 += count;
        }
        merged
            .into_iter()
            .map(|(folder, (bytes, count))| {
                Finding::new(
                    &DOC,
                    format!("{folder}/"),
                    None,
                    format!(
                        "{folder}/ is sent in the build context ({}, {})",
                        crate::units::files(count),
                        crate::units::human_bytes(bytes)
                    ),
                )
                .with_bytes(bytes)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn reports_outermost_junk_folders_with_bytes() {
        let fx = Fixture::new(&[
            ("node_modules/a/index.js", "12345"),
            ("node_modules/a/node_modules/b.js", "1"),
            ("pkg/__pycache__/m.pyc", "xx"),
            ("app.py", ""),
        ]);
        let found = fx.check(&HeavyFolderInContext);
        let got: Vec<_> = found.iter().map(|f| (f.file.as_str(), f.bytes)).collect();
        assert_eq!(
            got,
            [("**/__pycache__/", Some(2)), ("node_modules/", Some(6))]
        );
    }

    #[test]
    fn excluded_folders_are_fine() {
        let fx = Fixture::new(&[
            ("node_modules/a.js", "1"),
            (".dockerignore", "node_modules\n"),
        ]);
        assert!(fx.check(&HeavyFolderInContext).is_empty());
    }
}
