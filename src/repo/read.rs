//! Reading one file without trusting it.
//!
//! dockslim reads repositories it did not write, often in CI on pull
//! requests from strangers. A file named `Dockerfile` may be a FIFO (a plain
//! `open` waits forever for a writer), a device (`/dev/zero` never ends), a
//! symbolic link to `/etc/passwd` (whose lines would end up in a report) or
//! 10 GB of zeros. So every read here:
//! - looks at the entry with `lstat` first and opens only regular files,
//!   never a device (opening some has effects) and never through a final
//!   symbolic link (`O_NOFOLLOW`);
//! - opens with `O_NONBLOCK` and checks the open file is still a regular
//!   file, so a FIFO swapped in between cannot block;
//! - reads at most [`MAX_FILE_BYTES`], refusing a larger file by its size.
//!
//! Whether a path leads outside the repository is the caller's question
//! (see `Repo::read_text`); this module reads what it is given.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The most bytes dockslim reads from one file: far above any Dockerfile,
/// requirements file, manifest or lock file people write (the largest
/// package-lock.json files we know of are a few MB), low enough that a file
/// built to exhaust memory cannot. A larger file that dockslim must
/// understand is an error naming its size; a larger source file is skipped.
pub const MAX_FILE_BYTES: u64 = 16_000_000;

/// The most bytes dockslim reads from a Dockerfile or a .dockerignore. The
/// largest real Dockerfiles we know of (apache/airflow's, mostly scripts)
/// are under 100 kB; each byte of a Dockerfile costs up to 30 bytes of
/// memory while it is parsed, edited and diffed, so this keeps the whole
/// run under its memory bound (see README, Hostile repositories).
pub const MAX_DOCKER_BYTES: u64 = 2_000_000;

/// What an entry on disk is, as `lstat` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Folder,
    Link,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl Kind {
    pub fn of(t: std::fs::FileType) -> Kind {
        if t.is_file() {
            return Kind::File;
        }
        if t.is_dir() {
            return Kind::Folder;
        }
        if t.is_symlink() {
            return Kind::Link;
        }
        special_kind(t)
    }

    /// How the kind is named in messages ("is a FIFO").
    pub fn described(self) -> &'static str {
        match self {
            Kind::File => "a regular file",
            Kind::Folder => "a folder",
            Kind::Link => "a symbolic link",
            Kind::Fifo => "a FIFO (named pipe)",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Other => "not a regular file",
        }
    }
}

#[cfg(unix)]
fn special_kind(t: std::fs::FileType) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        Kind::Fifo
    } else if t.is_socket() {
        Kind::Socket
    } else if t.is_char_device() {
        Kind::CharDevice
    } else if t.is_block_device() {
        Kind::BlockDevice
    } else {
        Kind::Other
    }
}

#[cfg(not(unix))]
fn special_kind(_: std::fs::FileType) -> Kind {
    Kind::Other
}

/// The error for an entry that is not a regular file.
pub fn not_a_file(shown: &str, kind: Kind) -> Error {
    Error::input(
        shown,
        None,
        format!("is {}, not a regular file", kind.described()),
        "dockslim reads only regular files: replace it with the file itself",
    )
}

/// The error for a file larger than `max`.
pub fn too_large(shown: &str, bytes: u64, max: u64) -> Error {
    Error::input(
        shown,
        None,
        format!(
            "is {} ({bytes} bytes), more than the {} dockslim reads from one file",
            crate::units::human_bytes(bytes),
            crate::units::human_bytes(max)
        ),
        format!(
            "no real {} is this large: check that this is the file you meant",
            what_it_is(shown)
        ),
    )
}

fn what_it_is(shown: &str) -> &str {
    let name = shown.rsplit('/').next().unwrap_or(shown);
    if name.contains("Dockerfile") || name.contains("dockerfile") {
        "Dockerfile"
    } else {
        "file of its kind"
    }
}

/// Whether a read follows a symbolic link in the last component: never for
/// a file of the repository (the repository decides where it leads), always
/// for a path the user names on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    Refuse,
    Follow,
}

/// Reads the regular file at `path`, at most `max` bytes (a larger one is an
/// error naming its size). `Ok(None)` when nothing is there.
pub fn regular_file(path: &Path, shown: &str, links: Links, max: u64) -> Result<Option<Vec<u8>>> {
    let looked = match links {
        Links::Refuse => std::fs::symlink_metadata(path),
        Links::Follow => std::fs::metadata(path),
    };
    let meta = match looked {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    match Kind::of(meta.file_type()) {
        Kind::File => {}
        Kind::Folder => {
            return Err(Error::usage(
                format!(
                    "{} is a folder, expected a file",
                    crate::output::escape::printable(shown)
                ),
                "name the file inside it, such as requirements/prod.txt",
            ))
        }
        kind => return Err(not_a_file(shown, kind)),
    }
    if meta.len() > max {
        return Err(too_large(shown, meta.len(), max));
    }
    let file = open_nonblocking(path, links).map_err(|e| Error::io(path, e))?;
    // The entry may have changed since the lstat: trust only the open file.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(shown, Kind::of(meta.file_type())));
    }
    if meta.len() > max {
        return Err(too_large(shown, meta.len(), max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(shown, bytes.len() as u64, max));
    }
    Ok(Some(bytes))
}

/// Reads a file the walk listed as regular: opened without following a
/// link or waiting on a FIFO (should the entry have changed since), checked
/// on the open file, at most `max` bytes. One open, one fstat, the reads:
/// this is the path of the thousands of sources a large repository has.
/// `None` for anything else, which a lenient reader skips.
pub fn walked_file(path: &Path, max: u64) -> Option<Vec<u8>> {
    let file = open_nonblocking(path, Links::Refuse).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()?.saturating_add(1));
    file.take(max + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= max).then_some(bytes)
}

/// Opens for reading without waiting for a writer, should the entry have
/// become a FIFO since it was looked at, and (with `Links::Refuse`) without
/// following a link in the last component.
#[cfg(unix)]
fn open_nonblocking(path: &Path, links: Links) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let mut flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    if links == Links::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    let fd = rustix::fs::open(path, flags, Mode::empty())?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _: Links) -> std::io::Result<File> {
    File::open(path)
}

/// The text of `bytes`, dropping a leading byte-order mark; an error naming
/// the line and column of the first byte that is not UTF-8.
pub fn utf8_text(bytes: Vec<u8>, shown: &str) -> Result<String> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let body = &bytes[start..];
    match std::str::from_utf8(body) {
        Ok(_) => {
            let mut bytes = bytes;
            bytes.drain(..start);
            Ok(String::from_utf8(bytes).expect("checked above"))
        }
        Err(e) => {
            let valid = &body[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = e.valid_up_to() - line_start + 1;
            Err(Error::input_at(
                shown,
                line,
                column,
                format!(
                    "is not UTF-8 text (byte 0x{:02X})",
                    body[e.valid_up_to()]
                ),
                "save it as UTF-8 (your editor's encoding setting; `iconv -f LATIN1 -t UTF-8` converts it)",
            ))
        }
    }
}

/// How deep the YAML dockslim reads from a repository (compose files,
/// dockslim.yaml) may nest `[` and `{`. The YAML parser takes time
/// quadratic in that depth (a 2 MB line of `[` would take hours); real files
/// nest a handful of levels, and the parser stops at 128 levels anyway.
pub const MAX_YAML_NESTING: usize = 128;

/// Whether `text` nests flow collections (`[`, `{`) deeper than
/// [`MAX_YAML_NESTING`]. Counts every bracket, quoted or not: a file that
/// quotes hundreds of brackets in a row is not one we need to read.
pub fn yaml_too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_YAML_NESTING {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Dockerfile");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        let err = regular_file(&fifo, "Dockerfile", Links::Follow, MAX_FILE_BYTES).unwrap_err();
        assert!(err.hint().unwrap().contains("only regular files"));
        assert_eq!(
            err.to_string(),
            "Dockerfile: is a FIFO (named pipe), not a regular file"
        );
    }

    #[test]
    fn a_device_is_never_opened_and_a_link_is_not_followed() {
        let err = regular_file(
            Path::new("/dev/zero"),
            "Dockerfile",
            Links::Follow,
            MAX_FILE_BYTES,
        )
        .unwrap_err();
        assert!(err.to_string().contains("is a character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("requirements.txt");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        let err =
            regular_file(&link, "requirements.txt", Links::Refuse, MAX_FILE_BYTES).unwrap_err();
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        let f = File::create(&path).unwrap();
        f.set_len(100_000_000).unwrap();
        let err = regular_file(&path, "Dockerfile", Links::Refuse, MAX_FILE_BYTES).unwrap_err();
        assert!(err
            .hint()
            .unwrap()
            .contains("no real Dockerfile is this large"));
        assert_eq!(
            err.to_string(),
            "Dockerfile: is 100.0 MB (100000000 bytes), more than the 16.0 MB dockslim reads from one file"
        );
    }

    #[test]
    fn deep_yaml_is_found_before_parsing() {
        assert!(!yaml_too_deep("services: {web: {ports: [\"80:80\"]}}"));
        assert!(yaml_too_deep(&"[".repeat(129)));
        assert!(!yaml_too_deep(&"[]".repeat(1000)));
    }

    #[test]
    fn missing_is_none_and_text_loses_its_bom() {
        let dir = tempfile::tempdir().unwrap();
        assert!(regular_file(
            &dir.path().join("nope"),
            "nope",
            Links::Refuse,
            MAX_FILE_BYTES
        )
        .unwrap()
        .is_none());
        assert_eq!(
            utf8_text(b"\xEF\xBB\xBFflask\n".to_vec(), "r").unwrap(),
            "flask\n"
        );
    }
}
