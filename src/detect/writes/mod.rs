//! Where the app writes at run time, from evidence in its code, each place
//! with the file and line that proved it.
//!
//! A non-root user can only write where it owns the folder, so every place
//! found here is created and given to the app user in the proposal (the
//! source stays read-only). The code is parsed with tree-sitter (Python,
//! JavaScript, TypeScript), never run: a path in a comment or a docstring is
//! not evidence, and only paths the code spells out (string literals and
//! the usual ways of joining them: `os.path.join`, `pathlib` `/`,
//! `path.join`, `__file__`, `__dirname`, module constants, environment
//! variables with a default) are followed.

mod node;
mod python;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::repo::dockerignore::go_clean;

/// A path as the code names it, before it is placed in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Place {
    /// An absolute path: `/var/lib/todos`.
    Absolute(String),
    /// A path of the repository (`__file__`, `__dirname` and folders built
    /// from them), relative to its root; empty for the root itself.
    InRepo(String),
    /// Relative to the folder the app runs in.
    FromCwd(String),
    /// An environment variable's value, or the default the code gives.
    Env {
        var: String,
        default: Option<Box<Place>>,
    },
}

impl Place {
    /// The path with `rest` appended (`os.path.join`, `/`, `path.join`).
    fn join(self, rest: &str) -> Place {
        let rest = rest.trim_start_matches("./");
        if rest.starts_with('/') {
            return Place::Absolute(go_clean(rest));
        }
        let joined = |base: &str| {
            if base.is_empty() {
                go_clean(rest)
            } else {
                go_clean(&format!("{base}/{rest}"))
            }
        };
        match self {
            Place::Absolute(p) => Place::Absolute(joined(&p)),
            Place::InRepo(p) => Place::InRepo(joined(&p)),
            Place::FromCwd(p) => Place::FromCwd(joined(&p)),
            Place::Env { var, default } => Place::Env {
                var,
                default: default.map(|d| Box::new(d.join(rest))),
            },
        }
    }

    /// The folder that holds it (`os.path.dirname`, `.parent`).
    fn parent(self) -> Option<Place> {
        let up = |p: &str| -> Option<String> {
            match p.rsplit_once('/') {
                Some((dir, _)) => Some(dir.to_string()),
                None if p.is_empty() || p == "." => None,
                None => Some(String::new()),
            }
        };
        Some(match self {
            Place::Absolute(p) => Place::Absolute(up(&p).map_or("/".into(), |d| {
                if d.is_empty() {
                    "/".into()
                } else {
                    d
                }
            })),
            Place::InRepo(p) => Place::InRepo(up(&p)?),
            Place::FromCwd(p) => Place::FromCwd(up(&p)?),
            Place::Env { .. } => return None,
        })
    }
}

/// What the evidence is, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Evidence {
    /// `os.makedirs`, `os.mkdir`, `Path.mkdir`.
    MakeDirs,
    /// `open(path, "w")` and the other writing modes, `write_text`.
    OpenForWriting,
    /// `logging.FileHandler` and its rotating kinds, `basicConfig(filename=)`.
    LogFile,
    /// `sqlite3.connect`, Django's sqlite3 NAME, a setting naming a .db.
    SqliteDatabase,
    /// A `sqlite:///` URL.
    SqliteUrl,
    /// Django's MEDIA_ROOT: uploads land there.
    MediaRoot,
    /// A setting named for a folder the app fills (UPLOAD_FOLDER, LOG_DIR,
    /// CACHE_DIR, DATA_DIR...).
    FolderSetting,
    /// Flask's instance folder (Flask-SQLAlchemy creates it on init_app
    /// and keeps a relative SQLite database there).
    FlaskInstance,
    /// Node's `fs.mkdir`/`mkdirSync`/`mkdirp`.
    NodeMkdir,
    /// Node's `fs.writeFile*`, `appendFile*`, `createWriteStream`.
    NodeWriteFile,
    /// A SQLite database opened by better-sqlite3, sqlite3 or sqlite.
    NodeSqlite,
}

impl Evidence {
    pub fn describe(self) -> &'static str {
        match self {
            Evidence::MakeDirs => "creates the folder",
            Evidence::OpenForWriting => "opens a file there for writing",
            Evidence::LogFile => "writes a log file there",
            Evidence::SqliteDatabase => "keeps a SQLite database there",
            Evidence::SqliteUrl => "names a SQLite database there in a sqlite:/// URL",
            Evidence::MediaRoot => "Django's MEDIA_ROOT, where uploads land",
            Evidence::FolderSetting => "a setting for a folder the app fills",
            Evidence::FlaskInstance => {
                "uses Flask's instance folder (instance_relative_config, instance_path, or Flask-SQLAlchemy, which creates it for a relative SQLite database)"
            }
            Evidence::NodeMkdir => "creates the folder",
            Evidence::NodeWriteFile => "writes a file there",
            Evidence::NodeSqlite => "keeps a SQLite database there",
        }
    }
}

/// Whether the evidence names the folder itself or a file in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Target {
    Folder,
    File,
}

/// One place the app writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Write {
    pub place: Place,
    pub target: Target,
    pub evidence: Evidence,
    pub file: String,
    pub line: usize,
}

impl Write {
    /// The folder the app user must own, inside an image: `copied` maps
    /// repository paths to where the image has them (the COPYs of the
    /// context), `workdir` is where the app runs, `env` the image's
    /// environment. `None` when the place cannot be known or is a folder
    /// every user may write (/tmp).
    pub fn folder_in_image(
        &self,
        copied: &dyn Fn(&str) -> Option<String>,
        workdir: &str,
        env: &BTreeMap<String, String>,
    ) -> Option<String> {
        let path = in_image(&self.place, copied, workdir, env)?;
        let folder = match self.target {
            Target::Folder => path,
            Target::File => match path.rsplit_once('/') {
                Some(("", _)) => "/".to_string(),
                Some((dir, _)) => dir.to_string(),
                None => return None,
            },
        };
        let folder = go_clean(&folder);
        let everyone = ["/tmp", "/var/tmp", "/dev/shm", "/dev"];
        let shared = everyone
            .iter()
            .any(|t| folder == *t || folder.starts_with(&format!("{t}/")));
        (!shared && folder.starts_with('/')).then_some(folder)
    }

    /// "app.py:12 creates the folder", and the variable that moves it.
    pub fn reason(&self) -> String {
        let mut out = format!("{}:{} {}", self.file, self.line, self.evidence.describe());
        if let Place::Env { var, .. } = &self.place {
            out.push_str(&format!(", unless {var} says elsewhere"));
        }
        out
    }
}

fn in_image(
    place: &Place,
    copied: &dyn Fn(&str) -> Option<String>,
    workdir: &str,
    env: &BTreeMap<String, String>,
) -> Option<String> {
    let under = |base: &str, rest: &str| {
        if rest.is_empty() {
            base.to_string()
        } else {
            format!("{}/{rest}", base.trim_end_matches('/'))
        }
    };
    match place {
        Place::Absolute(p) => Some(p.clone()),
        Place::InRepo(p) => copied(p),
        Place::FromCwd(p) => Some(under(workdir, p)),
        Place::Env { var, default } => match env.get(var) {
            Some(value) if value.starts_with('/') => Some(value.clone()),
            Some(value) => Some(under(workdir, value)),
            None => in_image(default.as_deref()?, copied, workdir, env),
        },
    }
}

/// Every place the code of the repository writes: Python and Node sources
/// (tests left out: what a test writes is not the app's).
pub fn find(repo: &crate::repo::Repo) -> Vec<Write> {
    let mut out = Vec::new();
    let python: Vec<&(String, String)> = repo
        .python_sources()
        .iter()
        .filter(|(path, _)| !is_test(path))
        .collect();
    out.extend(python::writes_of_all(&python));
    for (path, text) in repo.javascript_sources() {
        if !is_test(path) {
            out.extend(node::writes(path, text));
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out.dedup();
    out
}

fn is_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/').any(|d| {
        matches!(
            d,
            "tests" | "test" | "__tests__" | "spec" | "node_modules" | "migrations"
        )
    }) || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name == "conftest.py"
        || name == "setup.py"
}

/// The folder a repository file sits in (`app/main.py` -> `app`).
fn folder_of(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(place: Place, target: Target) -> Write {
        Write {
            place,
            target,
            evidence: Evidence::MakeDirs,
            file: "app.py".into(),
            line: 1,
        }
    }

    #[test]
    fn places_land_where_the_image_puts_the_repository() {
        let copied = |p: &str| Some(format!("/srv/app/{p}").trim_end_matches('/').to_string());
        let env: BTreeMap<String, String> = [("DATA".to_string(), "/data".to_string())].into();
        let at = |w: Write| w.folder_in_image(&copied, "/srv/app", &env);
        assert_eq!(
            at(write(Place::InRepo("uploads".into()), Target::Folder)).as_deref(),
            Some("/srv/app/uploads")
        );
        assert_eq!(
            at(write(Place::FromCwd("logs/app.log".into()), Target::File)).as_deref(),
            Some("/srv/app/logs")
        );
        let from_env = Place::Env {
            var: "DATA".into(),
            default: Some(Box::new(Place::FromCwd("data".into()))),
        };
        assert_eq!(
            at(write(from_env, Target::Folder)).as_deref(),
            Some("/data")
        );
        let unset = Place::Env {
            var: "OTHER".into(),
            default: Some(Box::new(Place::Absolute("/var/lib/x".into()))),
        };
        assert_eq!(
            at(write(unset, Target::Folder)).as_deref(),
            Some("/var/lib/x")
        );
        assert_eq!(
            at(write(Place::Absolute("/tmp/cache".into()), Target::Folder)),
            None
        );
    }

    #[test]
    fn joins_and_parents() {
        let p = Place::InRepo("app/main.py".into()).parent().unwrap();
        assert_eq!(p, Place::InRepo("app".into()));
        assert_eq!(p.clone().join("../data"), Place::InRepo("data".into()));
        assert_eq!(
            Place::InRepo("settings.py".into()).parent(),
            Some(Place::InRepo(String::new()))
        );
        assert_eq!(Place::InRepo(String::new()).parent(), None);
        assert_eq!(
            Place::FromCwd(String::new()).join("/var/log"),
            Place::Absolute("/var/log".into())
        );
    }
}
