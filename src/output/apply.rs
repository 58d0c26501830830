//! Writing proposals to disk without ever leaving a half-written file.
//!
//! Every file is first written in full to a temporary file in the same
//! folder (so the rename cannot cross file systems), with the mode of the
//! file it replaces. Only when all temporary files are written are they
//! renamed over the targets; a failure before that removes them and leaves
//! every user file as it was.

use std::io::Write;

use super::FileChange;
use crate::error::{Error, Result};

/// Writes every change that differs; returns the paths written.
pub fn apply(changes: &[FileChange]) -> Result<Vec<String>> {
    let mut staged = Vec::new();
    for change in changes.iter().filter(|c| c.differs()) {
        let dir = change.abs.parent().ok_or_else(|| {
            Error::Usage(format!("{} has no parent folder", change.abs.display()))
        })?;
        if change.abs.is_dir() {
            return Err(Error::Usage(format!(
                "{} is a folder; cannot write {} there",
                change.abs.display(),
                change.path
            )));
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(
                ".{}.dockslim-",
                change
                    .abs
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("file")
            ))
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        tmp.write_all(change.new.as_bytes())
            .map_err(|e| Error::io(tmp.path(), e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(tmp.path(), e))?;
        let mode = match std::fs::metadata(&change.abs) {
            Ok(meta) => meta.permissions(),
            Err(_) => {
                // A new file gets the mode a plain file would get.
                let mut p = tmp
                    .as_file()
                    .metadata()
                    .map_err(|e| Error::io(tmp.path(), e))?
                    .permissions();
                set_default_mode(&mut p);
                p
            }
        };
        std::fs::set_permissions(tmp.path(), mode).map_err(|e| Error::io(tmp.path(), e))?;
        staged.push((tmp, change));
    }
    let mut written = Vec::new();
    for (tmp, change) in staged {
        tmp.persist(&change.abs)
            .map_err(|e| Error::io(&change.abs, e.error))?;
        written.push(change.path.clone());
    }
    Ok(written)
}

#[cfg(unix)]
fn set_default_mode(p: &mut std::fs::Permissions) {
    use std::os::unix::fs::PermissionsExt;
    p.set_mode(0o644);
}

#[cfg(not(unix))]
fn set_default_mode(_: &mut std::fs::Permissions) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(dir: &std::path::Path, name: &str, old: Option<&str>, new: &str) -> FileChange {
        FileChange {
            role: crate::output::FileRole::Dockerfile,
            path: name.into(),
            abs: dir.join(name),
            old: old.map(str::to_string),
            new: new.into(),
            reasons: vec![],
        }
    }

    #[cfg(unix)]
    #[test]
    fn keeps_mode_and_writes_all() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "old").unwrap();
        std::fs::set_permissions(
            dir.path().join("Dockerfile"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let written = apply(&[
            change(dir.path(), "Dockerfile", Some("old"), "new"),
            change(dir.path(), ".dockerignore", None, "x\n"),
        ])
        .unwrap();
        assert_eq!(written, ["Dockerfile", ".dockerignore"]);
        let meta = std::fs::metadata(dir.path().join("Dockerfile")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("dockslim-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn unchanged_files_are_not_touched() {
        let dir = tempfile::tempdir().unwrap();
        let written = apply(&[change(dir.path(), "Dockerfile", Some("same"), "same")]).unwrap();
        assert!(written.is_empty());
        assert!(!dir.path().join("Dockerfile").exists());
    }
}
