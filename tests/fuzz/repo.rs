//! Repositories written into a temporary folder for the targets that read
//! files through `Repo`, and the check every reader's error must pass.

use std::collections::BTreeMap;

use dockslim::error::{Error, Kind};
use dockslim::repo::Repo;

/// A repository on disk and the files it was written with.
pub struct TempRepo {
    _dir: tempfile::TempDir,
    pub repo: Repo,
    pub files: BTreeMap<String, String>,
}

/// Writes `files` (relative `/`-separated paths) into a fresh folder. A path
/// that would need a file to be a folder as well is left out.
pub fn write(files: &[(String, String)]) -> TempRepo {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut written = BTreeMap::new();
    for (path, text) in files {
        let abs = dir.path().join(path);
        let ok = abs
            .parent()
            .is_none_or(|p| std::fs::create_dir_all(p).is_ok())
            && !abs.is_dir()
            && std::fs::write(&abs, text).is_ok();
        if ok {
            written.insert(path.clone(), text.clone());
        }
    }
    let repo = Repo::open(dir.path()).expect("the folder opens");
    TempRepo {
        _dir: dir,
        repo,
        files: written,
    }
}

/// What is wrong with an error a reader returned, if anything. A reader of
/// the user's files may say the input is wrong (naming a file of the
/// repository and a line inside it) or unsupported, or ask for something
/// else on the command line; it must not fail on I/O in a folder it can
/// read, nor report an internal error.
pub fn error_problem(err: &Error, files: &BTreeMap<String, String>) -> Option<String> {
    if err.hint().is_none() {
        return Some(format!("error without a hint: {err}"));
    }
    match &err.kind {
        Kind::Input { location, .. } => {
            let path = location.path.to_string_lossy().replace('\\', "/");
            let Some(text) = files.get(&path) else {
                return Some(format!(
                    "input error names `{path}`, not a file written: {err}"
                ));
            };
            let lines = text.split('\n').count();
            match location.line {
                Some(l) if l == 0 || l > lines => {
                    Some(format!("input error names line {l} of {lines}: {err}"))
                }
                _ => None,
            }
        }
        Kind::Unsupported(_) | Kind::Usage(_) => None,
        Kind::Io { .. } | Kind::Bug(_) => Some(format!("not an input error: {err:?}")),
    }
}
