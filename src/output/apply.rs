//! Writing proposals to disk without ever leaving a half-written file.
//!
//! Every file is first written in full to a temporary file in the same
//! folder (so the rename cannot cross file systems), with the mode of the
//! file it replaces. Only when all temporary files are written are they
//! renamed over the targets; a failure before that removes them and leaves
//! every user file as it was.
//!
//! Nothing is written through a symbolic link: not when the file itself is
//! one (the rename would replace the link with a file, and the file it
//! leads to would stay as it was), nor when a folder on the way to it inside
//! the repository is one (the write would land wherever the link leads,
//! maybe outside the repository). Those are refused, before anything is
//! written, with an error naming the link.

use std::io::Write;
use std::path::Path;

use super::escape::printable;
use super::FileChange;
use crate::error::{Error, Result};
use crate::repo::read::Kind;

/// Writes every change that differs; returns the paths written.
pub fn apply(changes: &[FileChange]) -> Result<Vec<String>> {
    let changes: Vec<&FileChange> = changes.iter().filter(|c| c.differs()).collect();
    for change in &changes {
        check_destination(change)?;
    }
    let mut staged = Vec::new();
    for change in changes {
        let dir = change
            .abs
            .parent()
            .ok_or_else(|| Error::bug(format!("{} has no parent folder", change.abs.display())))?;
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

/// Refuses a destination that is a link, is not a regular file, or is
/// reached through a linked folder of the repository. A change's path, when
/// relative, is relative to the repository: `abs` is the repository's
/// folder joined with it.
fn check_destination(change: &FileChange) -> Result<()> {
    let refuse = |message: String, hint: &str| {
        Err(Error::input(
            printable(&change.path).into_owned(),
            None,
            format!("{message}; nothing was written"),
            hint,
        ))
    };
    // The folders on the way, inside the repository (a path outside it was
    // named on the command line: its folders are the user's choice).
    let rel = Path::new(&change.path);
    let root = change
        .abs
        .ancestors()
        .nth(rel.components().count())
        .filter(|_| rel.is_relative() && change.abs.ends_with(rel));
    if let Some(root) = root {
        let mut at = root.to_path_buf();
        let parts: Vec<_> = rel.components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            at.push(part);
            if let Ok(meta) = std::fs::symlink_metadata(&at) {
                if meta.file_type().is_symlink() {
                    let target = std::fs::read_link(&at).unwrap_or_default();
                    return refuse(
                        format!(
                            "is inside `{}`, a symbolic link to `{}`",
                            printable(&at.strip_prefix(root).unwrap_or(&at).to_string_lossy()),
                            printable(&target.to_string_lossy())
                        ),
                        "dockslim does not write through links: run it on the folder the link leads to, or replace the link with the folder",
                    );
                }
            }
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(&change.abs) else {
        return Ok(()); // a new file
    };
    match Kind::of(meta.file_type()) {
        Kind::File => Ok(()),
        Kind::Link => {
            let target = std::fs::read_link(&change.abs).unwrap_or_default();
            refuse(
                format!(
                    "is a symbolic link to `{}`; dockslim does not write through links (writing would replace the link with a file)",
                    printable(&target.to_string_lossy())
                ),
                "edit the file it leads to (--dockerfile names a Dockerfile), or replace the link with a copy",
            )
        }
        Kind::Folder => refuse(
            "is a folder, expected a file".to_string(),
            "move the folder away, or write the proposal elsewhere with --dockerfile",
        ),
        kind => refuse(
            format!("is {}, not a regular file", kind.described()),
            "replace it with a regular file, or write the proposal elsewhere with --dockerfile",
        ),
    }
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

    #[cfg(unix)]
    #[test]
    fn links_are_never_written_through_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "keep").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("Dockerfile"))
            .unwrap();
        let err = apply(&[
            change(dir.path(), ".dockerignore", None, "x\n"),
            change(dir.path(), "Dockerfile", Some("keep"), "new"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("Dockerfile: is a symbolic link to `"),
            "{err}"
        );
        assert!(err.ends_with("nothing was written"), "{err}");
        assert!(!dir.path().join(".dockerignore").exists());
        assert!(dir.path().join("Dockerfile").is_symlink());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret")).unwrap(),
            "keep"
        );

        std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("sub")).unwrap();
        let err = apply(&[change(dir.path(), "sub/requirements.txt", None, "flask\n")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("sub/requirements.txt: is inside `sub`, a symbolic link to `"),
            "{err}"
        );
        assert!(!outside.path().join("requirements.txt").exists());
    }

    #[test]
    fn unchanged_files_are_not_touched() {
        let dir = tempfile::tempdir().unwrap();
        let written = apply(&[change(dir.path(), "Dockerfile", Some("same"), "same")]).unwrap();
        assert!(written.is_empty());
        assert!(!dir.path().join("Dockerfile").exists());
    }
}
