//! What is on disk: the files of the repository, their sizes, and what the
//! build context would send to Docker.
//!
//! The walk never follows symbolic links (Docker does not either) and never
//! executes anything. Unreadable entries are recorded, not fatal.

pub mod context;
pub mod dockerignore;
pub mod secrets;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// One regular file of the repository.
#[derive(Debug, Clone)]
pub struct RepoFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Inside a folder of third-party or generated code (node_modules, a
    /// virtualenv, build output, caches).
    pub vendored: bool,
}

/// The repository as read from disk.
#[derive(Debug)]
pub struct Repo {
    pub root: PathBuf,
    /// Every regular file, sorted by path. Symbolic links are not included.
    pub files: Vec<RepoFile>,
    /// Entries the walk could not read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// The project's own Python sources, read on first use: a dozen readers
    /// ask for them, and a large repository should be read once.
    python: OnceLock<Vec<(String, String)>>,
    /// The project's own JavaScript and TypeScript sources, likewise.
    javascript: OnceLock<Vec<(String, String)>>,
}

/// Folders that hold third-party or generated code; we never look for the
/// project's own Python or JavaScript inside them.
const VENDORED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "site-packages",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
    ".eggs",
];

impl Repo {
    /// Reads the file list of the repository at `root`.
    pub fn open(root: &Path) -> Result<Repo> {
        let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if !meta.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a folder; dockslim reads a repository folder",
                root.display()
            )));
        }
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        walk(root, &mut files, &mut unreadable);
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        unreadable.sort();
        Ok(Repo {
            root: root.to_path_buf(),
            files,
            unreadable,
            python: OnceLock::new(),
            javascript: OnceLock::new(),
        })
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(rel))
            .is_ok()
    }

    /// Whether any file lives below the folder `rel`. The files are sorted,
    /// so those below a folder are one run: a binary search finds its start
    /// (readers ask this for every path-like string of the code).
    pub fn has_dir(&self, rel: &str) -> bool {
        let prefix = format!("{}/", rel.trim_end_matches('/'));
        let at = self
            .files
            .partition_point(|f| f.path.as_str() < prefix.as_str());
        self.files
            .get(at)
            .is_some_and(|f| f.path.starts_with(&prefix))
    }

    /// Reads a file we must understand as UTF-8 text. `Ok(None)` when it does
    /// not exist; an error naming the line of the first bad byte otherwise.
    pub fn read_text(&self, rel: &str) -> Result<Option<String>> {
        read_text_file(&self.abs(rel), rel)
    }

    /// The project's own files (not vendored, generated or cached ones).
    pub fn own_files(&self) -> impl Iterator<Item = &RepoFile> {
        self.files.iter().filter(|f| !f.vendored)
    }

    /// The project's own Python sources, read leniently: a file that is not
    /// UTF-8 is skipped, since it cannot be the source Python would run.
    pub fn python_sources(&self) -> &[(String, String)] {
        self.python
            .get_or_init(|| self.read_sources(|f| f.path.ends_with(".py") && f.size < 2_000_000))
    }

    /// The project's own server-side JavaScript and TypeScript sources: not
    /// type declarations, minified bundles, build output (`out/`, `.next/`
    /// besides the vendored folders) or `public/` assets a browser runs.
    pub fn javascript_sources(&self) -> &[(String, String)] {
        self.javascript.get_or_init(|| {
            self.read_sources(|f| {
                let p = f.path.as_str();
                [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
                    .iter()
                    .any(|e| p.ends_with(e))
                    && !p.ends_with(".d.ts")
                    && !p.ends_with(".min.js")
                    && f.size < 1_000_000
                    && !p
                        .split('/')
                        .any(|d| matches!(d, ".next" | "out" | "public"))
            })
        })
    }

    /// The own files `wanted` picks, read as UTF-8 (others skipped), on
    /// every core: reading thousands of small files is system calls.
    fn read_sources(&self, wanted: impl Fn(&RepoFile) -> bool) -> Vec<(String, String)> {
        let picked: Vec<&RepoFile> = self.own_files().filter(|f| wanted(f)).collect();
        let read = |f: &&RepoFile| {
            use std::io::Read;
            // The walk gave the size: no stat before the read (`fs::read`
            // makes one), only open, read, read to the end, close.
            let mut bytes = Vec::with_capacity(usize::try_from(f.size).ok()?.saturating_add(1));
            let file = std::fs::File::open(self.abs(&f.path)).ok()?;
            file.take(u64::MAX).read_to_end(&mut bytes).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            Some((f.path.clone(), text))
        };
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if workers == 1 || picked.len() < 256 {
            return picked.iter().filter_map(read).collect();
        }
        let chunk = picked.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = picked
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().filter_map(read).collect::<Vec<_>>()))
                .collect();
            // Chunks are joined in order, so the sources stay sorted by path.
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("source reader"))
                .collect()
        })
    }
}

fn is_vendored_folder(name: &str) -> bool {
    VENDORED_DIRS.contains(&name) || name.ends_with(".egg-info")
}

/// What one walker found: files, and entries it could not read.
type WalkResult = (Vec<RepoFile>, Vec<(String, String)>);

/// Walks the tree under `root` on every core, collecting regular files.
///
/// Workers share a queue of folders still to read. The file type comes from
/// the directory entry and the size from a stat relative to the open
/// directory (std's `DirEntry::metadata`), so no path is looked up twice;
/// together that keeps the walk as fast as `du`. Links are never followed,
/// so a loop cannot hang it.
fn walk(root: &Path, files: &mut Vec<RepoFile>, unreadable: &mut Vec<(String, String)>) {
    use std::sync::{Condvar, Mutex};
    struct Queue {
        folders: Vec<(PathBuf, String, bool)>,
        busy: usize,
    }
    let queue = Mutex::new(Queue {
        folders: vec![(root.to_path_buf(), String::new(), false)],
        busy: 0,
    });
    let wake = Condvar::new();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let results: Vec<WalkResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    let mut failed = Vec::new();
                    loop {
                        let (dir, rel, vendored) = {
                            let mut q = queue.lock().expect("walk queue");
                            loop {
                                if let Some(next) = q.folders.pop() {
                                    q.busy += 1;
                                    break next;
                                }
                                if q.busy == 0 {
                                    wake.notify_all();
                                    return (found, failed);
                                }
                                q = wake.wait(q).expect("walk queue");
                            }
                        };
                        let subfolders = read_folder(&dir, &rel, vendored, &mut found, &mut failed);
                        let mut q = queue.lock().expect("walk queue");
                        q.folders.extend(subfolders);
                        q.busy -= 1;
                        wake.notify_all();
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("walk worker"))
            .collect()
    });
    for (found, failed) in results {
        files.extend(found);
        unreadable.extend(failed);
    }
}

/// Reads one folder: its files go to `files`, its subfolders are returned.
fn read_folder(
    dir: &Path,
    rel: &str,
    vendored: bool,
    files: &mut Vec<RepoFile>,
    unreadable: &mut Vec<(String, String)>,
) -> Vec<(PathBuf, String, bool)> {
    let mut subfolders = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            unreadable.push((
                if rel.is_empty() {
                    ".".into()
                } else {
                    format!("{rel}/")
                },
                e.to_string(),
            ));
            return subfolders;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                unreadable.push((rel.to_string(), e.to_string()));
                continue;
            }
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                let below = vendored || is_vendored_folder(&name);
                subfolders.push((entry.path(), path, below))
            }
            Ok(t) if t.is_file() => match entry.metadata() {
                Ok(m) => files.push(RepoFile {
                    path,
                    size: m.len(),
                    vendored,
                }),
                Err(e) => unreadable.push((path, e.to_string())),
            },
            Ok(_) => {} // symbolic links, sockets, devices: not followed, not files
            Err(e) => unreadable.push((path, e.to_string())),
        }
    }
    subfolders
}

/// Reads `path` as UTF-8 text, dropping a leading byte-order mark. `shown` is
/// the name used in errors (usually relative to the repository).
pub fn read_text_file(path: &Path, shown: &str) -> Result<Option<String>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(21) || path.is_dir() => {
            return Err(Error::Usage(format!(
                "{shown} is a folder, expected a file"
            )))
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(text.to_string())),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = e.valid_up_to() - line_start + 1;
            Err(Error::input_at(
                shown,
                line,
                column,
                format!(
                    "is not UTF-8 text (byte 0x{:02X}); save it as UTF-8",
                    bytes[e.valid_up_to()]
                ),
            ))
        }
    }
}

/// A repository in a temporary folder holding `files` (path, text), for
/// the tests of every stage. Keep the folder alive as long as the Repo.
#[cfg(test)]
pub fn temp_repo(files: &[(&str, &str)]) -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let repo = Repo::open(dir.path()).unwrap();
    (dir, repo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_files_are_marked_by_any_parent_folder() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "node_modules/x/index.js",
            "web/node_modules/x.py",
            ".venv/lib/python3.12/site-packages/flask/app.py",
            "pkg.egg-info/PKG-INFO",
            "app/build.py",
            "api_server.py",
        ] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let repo = Repo::open(dir.path()).unwrap();
        let own: Vec<&str> = repo.own_files().map(|f| f.path.as_str()).collect();
        assert_eq!(
            own,
            ["api_server.py", "app/build.py"],
            "only folders count, not file names"
        );
    }

    #[test]
    fn non_utf8_text_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, b"flask\ngunicorn\xff\n").unwrap();
        let err = read_text_file(&path, "requirements.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt:2:9: is not UTF-8 text (byte 0xFF); save it as UTF-8"
        );
    }

    #[test]
    fn bom_is_dropped_and_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        std::fs::write(&path, b"\xEF\xBB\xBFflask\n").unwrap();
        assert_eq!(read_text_file(&path, "r.txt").unwrap().unwrap(), "flask\n");
        assert!(read_text_file(&dir.path().join("nope"), "nope")
            .unwrap()
            .is_none());
    }
}
