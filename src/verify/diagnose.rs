//! Why a container did not become healthy, read from what it left behind:
//! its last log lines, how it ended, and what the probe answered. Each
//! diagnosis names the likely cause in the proposal and the setting that
//! changes it, and `verify --repair` turns the ones it can into settings.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// One thing that went wrong, as the evidence says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Diagnosis {
    /// The app was refused a write: `PermissionError: [Errno 13]
    /// Permission denied: '/app/cache'`, Node's `EACCES`, SQLite's
    /// "unable to open database file" (no path).
    PermissionDenied { path: Option<String> },
    /// A Python module or Node package is missing.
    MissingModule { module: String },
    /// A file the app opens is not in the image.
    MissingFile { path: String },
    /// A program the app or its command runs is not in the image.
    ExecutableNotFound { program: String },
    /// The server listens on 127.0.0.1 only, which nothing outside the
    /// container reaches.
    BoundToLoopback { line: String },
    /// The container stopped before it was healthy.
    Exited { code: Option<i64> },
    /// The probe's route answered 404: the app runs, the route is wrong.
    ProbeNotFound { path: String },
}

impl Diagnosis {
    /// What it means for the proposal and what to change.
    pub fn explain(&self) -> String {
        match self {
            Diagnosis::PermissionDenied { path: Some(path) } => format!(
                "the app user may not write {path}: dockslim found no evidence that the app writes there. Add the folder to `writable:` in dockslim.yaml (verify --repair does) so the image makes it the user's"
            ),
            Diagnosis::PermissionDenied { path: None } => "the app was refused a write (SQLite could not open its database): a folder it writes is not the app user's. Add it to `writable:` in dockslim.yaml".into(),
            Diagnosis::MissingModule { module } => format!(
                "{module} cannot be imported: a development dependency left out of the install (DS304, DS308), or a folder the .dockerignore leaves out. Add the folder to `keep:`, or skip the fix that dropped the package (`skip-fixes:`)"
            ),
            Diagnosis::MissingFile { path } => format!(
                "{path} is not in the image: the proposed .dockerignore leaves it out. Add it to `keep:` in dockslim.yaml (verify --repair does)"
            ),
            Diagnosis::ExecutableNotFound { program } => format!(
                "{program} is not in the image: a package left out (DS315), or a tool only the full base image had (DS313). Name its package in `packages:` in dockslim.yaml (verify --repair does when dockslim knows the package)"
            ),
            Diagnosis::BoundToLoopback { line } => format!(
                "the server listens on 127.0.0.1 only ({line}): bind it to 0.0.0.0 in its command or settings"
            ),
            Diagnosis::Exited { code } => format!(
                "the container stopped{} before it was healthy; its last log lines say why",
                code.map(|c| format!(" with exit code {c}")).unwrap_or_default()
            ),
            Diagnosis::ProbeNotFound { path } => format!(
                "GET {path} answered 404: the app runs, but not that route. Set `health:` in dockslim.yaml to a route it serves"
            ),
        }
    }
}

/// How the container ended, as verify saw it.
pub struct Ending<'a> {
    /// `healthy`, `unhealthy`, `exited`, `running`.
    pub health: &'a str,
    pub exit_code: Option<i64>,
    /// The probe's path and the HTTP status it got, when it got one.
    pub probe: Option<(&'a str, u16)>,
    pub logs: &'a [String],
}

/// Everything the evidence shows, most specific first, without repeats.
pub fn diagnose(ending: &Ending) -> Vec<Diagnosis> {
    if matches!(ending.health, "healthy" | "running") {
        return Vec::new();
    }
    let mut out: Vec<Diagnosis> = Vec::new();
    for line in ending.logs {
        for found in from_line(line) {
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
    if let Some((path, 404)) = ending.probe {
        out.push(Diagnosis::ProbeNotFound {
            path: path.to_string(),
        });
    }
    if ending.health == "exited" {
        out.push(Diagnosis::Exited {
            code: ending.exit_code,
        });
    }
    out
}

/// A log line's evidence: Python's and Node's errors, shells' "not found",
/// the servers' "listening" lines.
fn from_line(line: &str) -> Vec<Diagnosis> {
    static PERMISSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:Permission denied|EACCES: permission denied, \w+)[:,]? '([^']+)'"#)
            .unwrap()
    });
    static SQLITE_OPEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"unable to open database file|attempt to write a readonly database|SQLITE_CANTOPEN|SQLITE_READONLY").unwrap()
    });
    static MODULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"No module named '([\w.]+)'|Cannot find (?:module|package) '([^']+)'"#)
            .unwrap()
    });
    static NO_FILE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"No such file or directory: '([^']+)'|ENOENT: no such file or directory, \w+ '([^']+)'"#)
            .unwrap()
    });
    static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"exec: "([^"]+)": executable file not found|^\S*: (?:\d+: |line \d+: )?([\w.+-]+): (?:command )?not found|spawn ([\w.+-]+) ENOENT"#)
            .unwrap()
    });
    static LOOPBACK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:listening (?:at|on)|running on|started server on|server listening)\W+(?:https?://)?(?:127\.0\.0\.1|localhost)[:\s]").unwrap()
    });
    let mut out = Vec::new();
    if let Some(c) = PERMISSION.captures(line) {
        out.push(Diagnosis::PermissionDenied {
            path: Some(c[1].to_string()),
        });
    } else if SQLITE_OPEN.is_match(line) {
        out.push(Diagnosis::PermissionDenied { path: None });
    }
    if let Some(c) = MODULE.captures(line) {
        let module = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        out.push(Diagnosis::MissingModule {
            module: module.to_string(),
        });
    }
    if let Some(c) = NOT_FOUND.captures(line) {
        let program = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map_or("", |m| m.as_str());
        out.push(Diagnosis::ExecutableNotFound {
            program: program.rsplit('/').next().unwrap_or(program).to_string(),
        });
    } else if let Some(c) = NO_FILE.captures(line) {
        let path = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        // subprocess's FileNotFoundError names the program it could not
        // run, a bare name: that is a missing executable, not a file.
        if path.contains('/') || path.contains('.') {
            out.push(Diagnosis::MissingFile {
                path: path.to_string(),
            });
        } else {
            out.push(Diagnosis::ExecutableNotFound {
                program: path.to_string(),
            });
        }
    }
    if LOOPBACK.is_match(line) {
        out.push(Diagnosis::BoundToLoopback {
            line: line.trim().to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(logs: &[&str], health: &str) -> Vec<Diagnosis> {
        let logs: Vec<String> = logs.iter().map(|l| l.to_string()).collect();
        diagnose(&Ending {
            health,
            exit_code: Some(3),
            probe: None,
            logs: &logs,
        })
    }

    #[test]
    fn python_errors() {
        assert_eq!(
            of(
                &[
                    "Traceback (most recent call last):",
                    "PermissionError: [Errno 13] Permission denied: '/app/instance'",
                    "[2026-11-29 10:00:00 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000 (1)",
                ],
                "exited"
            ),
            [
                Diagnosis::PermissionDenied {
                    path: Some("/app/instance".into())
                },
                Diagnosis::BoundToLoopback {
                    line: "[2026-11-29 10:00:00 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000 (1)".into()
                },
                Diagnosis::Exited { code: Some(3) },
            ]
        );
        assert_eq!(
            of(
                &["ModuleNotFoundError: No module named 'whitenoise'"],
                "unhealthy"
            ),
            [Diagnosis::MissingModule {
                module: "whitenoise".into()
            }]
        );
        assert_eq!(
            of(
                &[
                    "FileNotFoundError: [Errno 2] No such file or directory: 'ffmpeg'",
                    "FileNotFoundError: [Errno 2] No such file or directory: '/app/data/index.db'",
                    "sqlite3.OperationalError: unable to open database file",
                ],
                "unhealthy"
            ),
            [
                Diagnosis::ExecutableNotFound {
                    program: "ffmpeg".into()
                },
                Diagnosis::MissingFile {
                    path: "/app/data/index.db".into()
                },
                Diagnosis::PermissionDenied { path: None },
            ]
        );
    }

    #[test]
    fn node_and_shell_errors() {
        assert_eq!(
            of(
                &[
                    "Error: EACCES: permission denied, mkdir '/var/lib/todos'",
                    "Error: Cannot find module 'dotenv'",
                    "/docker-entrypoint.sh: 3: curl: not found",
                    "Error: spawn ffmpeg ENOENT",
                ],
                "unhealthy"
            ),
            [
                Diagnosis::PermissionDenied {
                    path: Some("/var/lib/todos".into())
                },
                Diagnosis::MissingModule {
                    module: "dotenv".into()
                },
                Diagnosis::ExecutableNotFound {
                    program: "curl".into()
                },
                Diagnosis::ExecutableNotFound {
                    program: "ffmpeg".into()
                },
            ]
        );
    }

    #[test]
    fn a_healthy_container_has_nothing_and_a_404_probe_is_said() {
        assert!(of(&["Permission denied: '/x'"], "healthy").is_empty());
        let logs: Vec<String> = Vec::new();
        assert_eq!(
            diagnose(&Ending {
                health: "unhealthy",
                exit_code: None,
                probe: Some(("/healthz", 404)),
                logs: &logs,
            }),
            [Diagnosis::ProbeNotFound {
                path: "/healthz".into()
            }]
        );
    }
}
