//! The build context as Docker sees it: which files an ignore file lets
//! through, what they weigh, and which line left each excluded byte out.

use std::collections::BTreeMap;

use serde::Serialize;

use super::dockerignore::{DockerIgnore, TreeMatcher};
use super::Repo;

/// The bytes one ignore line keeps out of the context.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LineTotal {
    pub line: usize,
    pub pattern: String,
    pub files: usize,
    pub bytes: u64,
}

/// The context under one ignore file.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub sent_files: usize,
    pub sent_bytes: u64,
    pub excluded_files: usize,
    pub excluded_bytes: u64,
    /// For every excluding line, what it keeps out (the last matching line
    /// decides a path, as in Docker), in file order.
    pub by_line: Vec<LineTotal>,
    /// Whether each of the repository's files is sent, by index.
    #[serde(skip)]
    pub sent: Vec<bool>,
}

pub fn measure(repo: &Repo, ignore: &DockerIgnore) -> Measure {
    let mut matcher = TreeMatcher::new(ignore);
    let mut sent = Vec::with_capacity(repo.files.len());
    let mut per_pattern: Vec<(usize, u64)> = vec![(0, 0); ignore.patterns.len()];
    let (mut sent_files, mut sent_bytes, mut excluded_files, mut excluded_bytes) = (0, 0, 0, 0);
    for file in &repo.files {
        let decided = matcher.decide(&file.path);
        let excluded = decided.is_some_and(|i| !ignore.patterns[i].exclusion);
        if excluded {
            let i = decided.expect("excluded by a pattern");
            per_pattern[i].0 += 1;
            per_pattern[i].1 += file.size;
            excluded_files += 1;
            excluded_bytes += file.size;
        } else {
            sent_files += 1;
            sent_bytes += file.size;
        }
        sent.push(!excluded);
    }
    let by_line = ignore
        .patterns
        .iter()
        .zip(per_pattern)
        .filter(|(p, _)| !p.exclusion)
        .map(|(p, (files, bytes))| LineTotal {
            line: p.line,
            pattern: p.source.clone(),
            files,
            bytes,
        })
        .collect();
    Measure {
        sent_files,
        sent_bytes,
        excluded_files,
        excluded_bytes,
        by_line,
        sent,
    }
}

/// A folder or file and its weight.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Weight {
    pub path: String,
    pub files: usize,
    pub bytes: u64,
}

/// The heaviest top-level folders and files among those sent.
pub fn largest(repo: &Repo, measure: &Measure, n: usize) -> (Vec<Weight>, Vec<Weight>) {
    let mut folders: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    let mut files: Vec<Weight> = Vec::new();
    for (file, sent) in repo.files.iter().zip(&measure.sent) {
        if !sent {
            continue;
        }
        if let Some((top, _)) = file.path.split_once('/') {
            let e = folders.entry(top).or_default();
            e.0 += 1;
            e.1 += file.size;
        }
        files.push(Weight {
            path: file.path.clone(),
            files: 1,
            bytes: file.size,
        });
    }
    let mut folders: Vec<Weight> = folders
        .into_iter()
        .map(|(p, (files, bytes))| Weight {
            path: format!("{p}/"),
            files,
            bytes,
        })
        .collect();
    folders.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path)));
    folders.truncate(n);
    files.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path)));
    files.truncate(n);
    (folders, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_deciding_lines() {
        let dir = tempfile::tempdir().unwrap();
        for (p, n) in [
            ("app.py", 10),
            ("node_modules/a/x.js", 100),
            ("node_modules/b.js", 50),
            ("logs/a.log", 7),
            ("keep.log", 3),
        ] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, vec![b'x'; n]).unwrap();
        }
        let repo = Repo::open(dir.path()).unwrap();
        let ignore =
            DockerIgnore::parse("node_modules\n**/*.log\n!keep.log\n", ".dockerignore").unwrap();
        let m = measure(&repo, &ignore);
        assert_eq!(
            (
                m.sent_files,
                m.sent_bytes,
                m.excluded_files,
                m.excluded_bytes
            ),
            (2, 13, 3, 157)
        );
        assert_eq!(
            m.by_line,
            [
                LineTotal {
                    line: 1,
                    pattern: "node_modules".into(),
                    files: 2,
                    bytes: 150
                },
                LineTotal {
                    line: 2,
                    pattern: "**/*.log".into(),
                    files: 1,
                    bytes: 7
                },
            ]
        );
        let (folders, files) = largest(&repo, &m, 5);
        assert!(
            folders.is_empty(),
            "logs/ and node_modules/ are not sent: {folders:?}"
        );
        assert_eq!(files[0].path, "app.py");
    }
}
