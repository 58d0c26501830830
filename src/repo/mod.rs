//! What is on disk: the files of the repository, their sizes, and what the
//! build context would send to Docker.
//!
//! The walk never follows symbolic links (Docker does not either) and never
//! executes anything. Unreadable entries are recorded, not fatal. Files are
//! read only through `Repo::read_text` and `Repo::source_text`, which never
//! leave the repository, block on a FIFO, open a device or read more than
//! `read::MAX_FILE_BYTES` (see read.rs).

pub mod context;
pub mod dockerignore;
pub mod read;
pub mod secrets;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Error, Result};
use read::{Kind, Links};

/// One regular file of the repository.
#[derive(Debug, Clone)]
pub struct RepoFile {
    /// Path relative to the repository root, `/`-separated. A name that is
    /// not UTF-8 has U+FFFD for its bad bytes.
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
    /// `root` with every link resolved: a link that resolves outside it
    /// leads out of the repository.
    real_root: PathBuf,
    /// Every regular file, sorted by path. Symbolic links are not included.
    pub files: Vec<RepoFile>,
    /// Every entry that is neither a regular file nor a folder (symbolic
    /// links, FIFOs, sockets, devices), sorted by path: never followed nor
    /// read by the walk, named when a file dockslim needs is one of them.
    pub others: Vec<(String, Kind)>,
    /// Entries the walk could not read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// The project's own Python sources, read on first use: a dozen readers
    /// ask for them, and a large repository should be read once.
    python: OnceLock<Vec<(String, String)>>,
    /// The project's own JavaScript and TypeScript sources, likewise.
    javascript: OnceLock<Vec<(String, String)>>,
    /// Where the compose files are: the root, or for a repository narrowed
    /// to a project folder (`narrowed`), the context it came from, whose
    /// compose file builds the image with paths relative to it.
    pub compose_root: PathBuf,
    /// Where the build context is below `compose_root` (`api` for a
    /// service built from `./api`; empty when the context is that root):
    /// the compose files' paths are read relative to the context.
    pub compose_context: String,
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
            return Err(Error::usage(
                format!("{} is not a folder", root.display()),
                "name the repository folder (`dockslim rewrite path/to/repo`); a Dockerfile elsewhere goes with --dockerfile",
            ));
        }
        let real_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let mut found = walk(root);
        found.files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        found.others.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        found.unreadable.sort();
        Ok(Repo {
            root: root.to_path_buf(),
            real_root,
            files: found.files,
            others: found.others,
            unreadable: found.unreadable,
            python: OnceLock::new(),
            javascript: OnceLock::new(),
            compose_root: root.to_path_buf(),
            compose_context: String::new(),
        })
    }

    /// Reads the compose files of `root`, a folder above this repository
    /// whose compose files build it (`docker compose` run at the
    /// repository's top, this image's context a folder of it).
    pub fn with_compose_root(mut self, root: &Path) -> Repo {
        let real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        if let Some(below) = self
            .real_root
            .strip_prefix(&real)
            .ok()
            .filter(|b| !b.as_os_str().is_empty())
        {
            self.compose_context = below.to_string_lossy().replace('\\', "/");
            self.compose_root = root.to_path_buf();
        }
        self
    }

    /// The folder `folder` (relative, `/`-separated) as a repository of its
    /// own: its files, without the prefix. The walk is not repeated; the
    /// compose files are still read from this repository's root.
    pub fn narrowed(&self, folder: &str) -> Result<Repo> {
        let prefix = format!("{}/", folder.trim_end_matches('/'));
        let strip = |p: &str| p.strip_prefix(&prefix).map(str::to_string);
        let root = self.root.join(folder);
        let real_root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        Ok(Repo {
            root,
            real_root,
            files: self
                .files
                .iter()
                .filter_map(|f| {
                    Some(RepoFile {
                        path: strip(&f.path)?,
                        ..f.clone()
                    })
                })
                .collect(),
            others: self
                .others
                .iter()
                .filter_map(|(p, k)| Some((strip(p)?, *k)))
                .collect(),
            unreadable: self
                .unreadable
                .iter()
                .filter_map(|(p, why)| Some((strip(p)?, why.clone())))
                .collect(),
            python: OnceLock::new(),
            javascript: OnceLock::new(),
            compose_root: self.compose_root.clone(),
            compose_context: self.compose_context.clone(),
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

    /// What the walk found at `rel` when it is not a regular file or a
    /// folder: a symbolic link, a FIFO, a socket or a device.
    pub fn other(&self, rel: &str) -> Option<Kind> {
        self.others
            .binary_search_by(|(p, _)| p.as_str().cmp(rel))
            .ok()
            .map(|i| self.others[i].1)
    }

    /// Whether a file dockslim looks for by name is there in any form: a
    /// regular file, or a link or FIFO that reading it will name.
    pub fn present(&self, rel: &str) -> bool {
        self.exists(rel) || self.other(rel).is_some()
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
    /// not exist; an error naming the line of the first bad byte otherwise,
    /// and an error naming the file when it leads out of the repository, is
    /// a FIFO, a device or a folder, or is larger than `MAX_FILE_BYTES`.
    pub fn read_text(&self, rel: &str) -> Result<Option<String>> {
        self.read_text_at_most(rel, read::MAX_FILE_BYTES)
    }

    /// `read_text` with a lower limit than `MAX_FILE_BYTES` (a Dockerfile's).
    pub fn read_text_at_most(&self, rel: &str, max: u64) -> Result<Option<String>> {
        match self.read_bytes_at_most(rel, max)? {
            Some(bytes) => read::utf8_text(bytes, rel).map(Some),
            None => Ok(None),
        }
    }

    /// The bytes of the repository's file `rel` (relative, `/`-separated),
    /// under the rules of `read_text`.
    pub fn read_bytes(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        self.read_bytes_at_most(rel, read::MAX_FILE_BYTES)
    }

    fn read_bytes_at_most(&self, rel: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let clean = dockerignore::go_clean(rel);
        if clean.starts_with('/') || clean == ".." || clean.starts_with("../") {
            return Err(Error::input(
                rel,
                None,
                "is outside the repository",
                "dockslim reads only files inside the repository: move the file in, or run dockslim on the folder that holds both",
            ));
        }
        if self.exists(&clean) {
            // Found by the walk, which never follows links: no folder on the
            // way is a link, and the last component is refused if it became one.
            return read::regular_file(&self.abs(&clean), rel, Links::Refuse, max);
        }
        match self.resolve(&clean, rel)? {
            Some(inside) => read::regular_file(&self.abs(&inside), rel, Links::Refuse, max),
            None => Ok(None),
        }
    }

    /// Where `clean`, which the walk did not list as a file, really is inside
    /// the repository (following links); `None` when nothing is there.
    fn resolve(&self, clean: &str, shown: &str) -> Result<Option<String>> {
        let path = self.abs(clean);
        // lstat follows links on the way, not one at the end.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return Ok(None);
        };
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(_) => {
                let target = std::fs::read_link(&path).unwrap_or_default();
                // A dangling link that points out of the repository says so.
                let parent = path.parent().and_then(|p| p.canonicalize().ok());
                if let Some(parent) = parent {
                    let lexical = lexically_normal(&parent.join(&target));
                    if !lexical.starts_with(&self.real_root) {
                        return Err(leads_out(shown, &target));
                    }
                }
                return Err(Error::input(
                    shown,
                    None,
                    format!(
                        "is a symbolic link to `{}`, which does not exist",
                        crate::output::escape::printable(&target.to_string_lossy())
                    ),
                    "point the link at a file that exists, or name the file itself",
                ));
            }
        };
        let Ok(inside) = real.strip_prefix(&self.real_root) else {
            return Err(leads_out(shown, &real));
        };
        if meta.is_dir() {
            return Err(Error::usage(
                format!(
                    "{} is a folder, expected a file",
                    crate::output::escape::printable(shown)
                ),
                "name the file inside it, such as requirements/prod.txt",
            ));
        }
        Ok(Some(inside.to_string_lossy().replace('\\', "/")))
    }

    /// The text of one of the walk's files, when it is UTF-8 and within the
    /// read limit: for sources, read leniently (a file that is not text, or
    /// went away, is not one a reader can use).
    pub fn source_text(&self, file: &RepoFile) -> Option<String> {
        let bytes = read::walked_file(&self.abs(&file.path), read::MAX_FILE_BYTES)?;
        String::from_utf8(bytes).ok()
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
        let read = |f: &&RepoFile| Some((f.path.clone(), self.source_text(f)?));
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

/// `path` with `.` and `..` components resolved as text (a `..` at the
/// root stays at the root), for a link whose target does not exist.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The error for a path that a link leads out of the repository.
fn leads_out(shown: &str, real: &Path) -> Error {
    Error::input(
        shown,
        None,
        format!(
            "leads through a symbolic link to `{}`, outside the repository",
            crate::output::escape::printable(&real.to_string_lossy())
        ),
        "dockslim does not follow links out of the repository (nor does docker build): copy the file into the repository",
    )
}

fn is_vendored_folder(name: &str) -> bool {
    VENDORED_DIRS.contains(&name) || name.ends_with(".egg-info")
}

/// What the walk found: regular files, other entries, and entries it could
/// not read.
#[derive(Default)]
struct Found {
    files: Vec<RepoFile>,
    others: Vec<(String, Kind)>,
    unreadable: Vec<(String, String)>,
}

impl Found {
    fn extend(&mut self, other: Found) {
        self.files.extend(other.files);
        self.others.extend(other.others);
        self.unreadable.extend(other.unreadable);
    }
}

/// A folder still to read: where it is, its path in the repository, and
/// whether it is inside a vendored folder.
type Pending = (PathBuf, String, bool);

/// Walks the tree under `root` on every core, collecting regular files.
///
/// Workers share a queue of folders still to read. The file type comes from
/// the directory entry and the size from a stat relative to the open
/// directory (std's `DirEntry::metadata`), so no path is looked up twice and
/// only files are stat'ed; together that keeps the walk as fast as `du`.
/// Links are never followed, so a loop cannot hang it, and the queue is not
/// a call stack, so no depth of folders can overflow it.
fn walk(root: &Path) -> Found {
    use std::sync::{Condvar, Mutex};
    struct Queue {
        folders: Vec<Pending>,
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
    let worker = || {
        let mut found = Found::default();
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
                        return found;
                    }
                    q = wake.wait(q).expect("walk queue");
                }
            };
            let subfolders = read_folder(&dir, &rel, vendored, &mut found);
            let mut q = queue.lock().expect("walk queue");
            q.folders.extend(subfolders);
            q.busy -= 1;
            wake.notify_all();
        }
    };
    let mut all = Found::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
        for handle in handles {
            all.extend(handle.join().expect("walk worker"));
        }
    });
    all
}

/// Reads one folder into `found`; returns its subfolders.
fn read_folder(dir: &Path, rel: &str, vendored: bool, found: &mut Found) -> Vec<Pending> {
    let mut subfolders = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let shown = if rel.is_empty() {
                ".".into()
            } else {
                format!("{rel}/")
            };
            found.unreadable.push((shown, e.to_string()));
            return subfolders;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.unreadable.push((rel.to_string(), e.to_string()));
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
        match entry.file_type().map(Kind::of) {
            Ok(Kind::Folder) => {
                let below = vendored || is_vendored_folder(&name);
                subfolders.push((entry.path(), path, below))
            }
            Ok(Kind::File) => match entry.metadata() {
                Ok(m) => found.files.push(RepoFile {
                    path,
                    size: m.len(),
                    vendored,
                }),
                Err(e) => found.unreadable.push((path, e.to_string())),
            },
            // Links, FIFOs, sockets, devices: not followed, not files. Docker
            // sends a link as a link; those in vendored folders never matter.
            Ok(kind) if !vendored => found.others.push((path, kind)),
            Ok(_) => {}
            Err(e) => found.unreadable.push((path, e.to_string())),
        }
    }
    subfolders
}

/// Reads a file the user names on the command line (a Dockerfile given with
/// `--dockerfile`, a profile) as UTF-8 text, dropping a leading byte-order
/// mark; links are followed, since the user chose the path, but nothing
/// else is trusted (see read.rs). `shown` is the name used in errors.
pub fn read_text_file(path: &Path, shown: &str) -> Result<Option<String>> {
    read_text_file_at_most(path, shown, read::MAX_FILE_BYTES)
}

/// `read_text_file` with a lower limit than `MAX_FILE_BYTES`.
pub fn read_text_file_at_most(path: &Path, shown: &str, max: u64) -> Result<Option<String>> {
    match read::regular_file(path, shown, Links::Follow, max)? {
        Some(bytes) => read::utf8_text(bytes, shown).map(Some),
        None => Ok(None),
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
        assert!(err.hint().unwrap().contains("save it as UTF-8"));
        assert_eq!(
            err.to_string(),
            "requirements.txt:2:9: is not UTF-8 text (byte 0xFF)"
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
