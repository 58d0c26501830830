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

/// What one stretch of the (sorted) files sends and leaves out.
struct Tally {
    sent: Vec<bool>,
    /// Per pattern: the files and bytes it excludes.
    per_pattern: Vec<(usize, u64)>,
    sent_files: usize,
    sent_bytes: u64,
    excluded_files: usize,
    excluded_bytes: u64,
}

fn tally(files: &[super::RepoFile], ignore: &DockerIgnore) -> Tally {
    let mut matcher = TreeMatcher::new(ignore);
    let mut t = Tally {
        sent: Vec::with_capacity(files.len()),
        per_pattern: vec![(0, 0); ignore.patterns.len()],
        sent_files: 0,
        sent_bytes: 0,
        excluded_files: 0,
        excluded_bytes: 0,
    };
    for file in files {
        let decided = matcher.decide(&file.path);
        match decided.filter(|&i| !ignore.patterns[i].exclusion) {
            Some(i) => {
                t.per_pattern[i].0 += 1;
                t.per_pattern[i].1 += file.size;
                t.excluded_files += 1;
                t.excluded_bytes += file.size;
            }
            None => {
                t.sent_files += 1;
                t.sent_bytes += file.size;
            }
        }
        t.sent
            .push(decided.is_none_or(|i| ignore.patterns[i].exclusion));
    }
    t
}

/// Files per stretch below which one core measures alone.
const PARALLEL_FROM: usize = 20_000;

pub fn measure(repo: &Repo, ignore: &DockerIgnore) -> Measure {
    // A large tree is measured in stretches on every core; each stretch
    // has its own matcher, so the answers are the same as in one pass.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let stretch = repo.files.len().div_ceil(workers).max(PARALLEL_FROM);
    measure_in_stretches(&repo.files, ignore, stretch)
}

fn measure_in_stretches(
    files: &[super::RepoFile],
    ignore: &DockerIgnore,
    stretch: usize,
) -> Measure {
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(stretch.max(1))
            .map(|part| scope.spawn(move || tally(part, ignore)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("measure worker"))
            .collect()
    });
    let mut sent = Vec::with_capacity(files.len());
    let mut per_pattern: Vec<(usize, u64)> = vec![(0, 0); ignore.patterns.len()];
    let (mut sent_files, mut sent_bytes, mut excluded_files, mut excluded_bytes) = (0, 0, 0, 0);
    for t in tallies {
        sent.extend(t.sent);
        for (total, part) in per_pattern.iter_mut().zip(t.per_pattern) {
            total.0 += part.0;
            total.1 += part.1;
        }
        sent_files += t.sent_files;
        sent_bytes += t.sent_bytes;
        excluded_files += t.excluded_files;
        excluded_bytes += t.excluded_bytes;
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

    /// Measured in stretches of any length, a tree gives the answers of one
    /// pass: every file's verdict, in order, and every line's totals.
    #[test]
    fn stretches_add_up_to_one_pass() {
        let files: Vec<crate::repo::RepoFile> = [
            "a.log",
            "app.py",
            "keep.log",
            "logs/x.log",
            "node_modules/a/p.json",
            "node_modules/a/x.js",
            "node_modules/b.js",
            "src/m/a.py",
            "src/m/b.log",
        ]
        .iter()
        .enumerate()
        .map(|(i, p)| crate::repo::RepoFile {
            path: p.to_string(),
            size: 10 * (i as u64 + 1),
            vendored: false,
        })
        .collect();
        let ignore = DockerIgnore::parse(
            "node_modules\n!node_modules/a/p.json\n**/*.log\n!keep.log\n",
            ".dockerignore",
        )
        .unwrap();
        let whole = measure_in_stretches(&files, &ignore, files.len());
        for stretch in 1..files.len() {
            let parts = measure_in_stretches(&files, &ignore, stretch);
            assert_eq!(parts.sent, whole.sent, "stretch {stretch}");
            assert_eq!(parts.by_line, whole.by_line, "stretch {stretch}");
            assert_eq!(
                (
                    parts.sent_files,
                    parts.sent_bytes,
                    parts.excluded_files,
                    parts.excluded_bytes
                ),
                (
                    whole.sent_files,
                    whole.sent_bytes,
                    whole.excluded_files,
                    whole.excluded_bytes
                )
            );
        }
        assert_eq!(
            whole.sent,
            [false, true, true, false, true, false, false, true, false]
        );
    }

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
