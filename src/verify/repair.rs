//! `verify --repair`: the diagnoses of a proposal that did not become
//! healthy, turned into settings (`writable:`, `keep:`, `packages:`) that
//! change the next proposal, a few rounds at most.

use serde::Serialize;

use super::Diagnosis;

/// Rounds of repair after the first verify; each rebuilds the proposal.
pub const MAX_ROUNDS: usize = 3;

/// A configuration key repair can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Key {
    Writable,
    Keep,
    Packages,
}

impl Key {
    pub fn name(self) -> &'static str {
        match self {
            Key::Writable => "writable",
            Key::Keep => "keep",
            Key::Packages => "packages",
        }
    }
}

/// One setting repair added, and the diagnosis it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// 1 for the settings added after the first verify.
    pub round: usize,
    pub key: Key,
    pub value: String,
    pub because: String,
}

/// The settings that answer the diagnoses, where one can: a folder the
/// user was refused becomes `writable`, a missing file of the repository
/// `keep`, a missing program whose package dockslim knows `packages`.
/// `workdir` is where the image has the repository; `in_repo` says whether
/// a repository-relative path exists.
pub fn settings_for(
    diagnoses: &[Diagnosis],
    workdir: &str,
    in_repo: &dyn Fn(&str) -> bool,
) -> Vec<(Key, String, String)> {
    let mut out: Vec<(Key, String, String)> = Vec::new();
    for d in diagnoses {
        let found = match d {
            Diagnosis::PermissionDenied { path: Some(path) } => {
                Some((Key::Writable, folder_of_write(path)))
            }
            Diagnosis::MissingFile { path } => relative_to(path, workdir)
                .filter(|r| in_repo(r))
                .map(|r| (Key::Keep, r)),
            Diagnosis::ExecutableNotFound { program } => {
                crate::detect::runs::package_of(program).map(|p| (Key::Packages, p.to_string()))
            }
            _ => None,
        };
        if let Some((key, value)) = found {
            if !out.iter().any(|(k, v, _)| *k == key && *v == value) {
                out.push((key, value, d.explain()));
            }
        }
    }
    out
}

/// The folder to give the user: the path itself when it names a folder
/// (`mkdir '/app/cache'`), its parent when it names a file.
fn folder_of_write(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains('.') {
        match path.rsplit_once('/') {
            Some(("", _)) | None => "/".into(),
            Some((dir, _)) => dir.to_string(),
        }
    } else {
        path.trim_end_matches('/').to_string()
    }
}

/// `/app/data/index.db` under `/app` -> `data/index.db`; a relative path
/// is already the repository's (the app runs in its WORKDIR).
fn relative_to(path: &str, workdir: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some(path.trim_start_matches("./").to_string());
    }
    path.strip_prefix(&format!("{}/", workdir.trim_end_matches('/')))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnoses_become_settings() {
        let found = settings_for(
            &[
                Diagnosis::PermissionDenied {
                    path: Some("/app/cache/thumbs".into()),
                },
                Diagnosis::PermissionDenied {
                    path: Some("/var/log/app/app.log".into()),
                },
                Diagnosis::MissingFile {
                    path: "/app/data/index.db".into(),
                },
                Diagnosis::MissingFile {
                    path: "/etc/app.conf".into(),
                },
                Diagnosis::ExecutableNotFound {
                    program: "ffmpeg".into(),
                },
                Diagnosis::ExecutableNotFound {
                    program: "own-tool".into(),
                },
                Diagnosis::Exited { code: Some(1) },
            ],
            "/app",
            &|p| p == "data/index.db",
        );
        let settings: Vec<(Key, &str)> = found.iter().map(|(k, v, _)| (*k, v.as_str())).collect();
        assert_eq!(
            settings,
            [
                (Key::Writable, "/app/cache/thumbs"),
                (Key::Writable, "/var/log/app"),
                (Key::Keep, "data/index.db"),
                (Key::Packages, "ffmpeg"),
            ]
        );
    }
}
