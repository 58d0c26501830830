//! A runtime stage on a distroless image (the `python-distroless` profile):
//! no shell, no apt, only the interpreter. What that asks of the plan:
//!
//! - the builder runs the interpreter the runtime has, at the same path and
//!   minor version (Debian 12's /usr/bin/python3.11 in both), since a venv
//!   points at the interpreter that made it;
//! - nothing is installed in the runtime stage: a dependency that loads a
//!   system library at run time (libpq5 for psycopg2) cannot be served;
//! - every step the runtime stage runs is exec form (the healthcheck and
//!   the command), and folders the app writes are copied in owned by the
//!   user instead of made with `mkdir`.

use std::collections::BTreeSet;

use serde::Serialize;

use super::decide;
use crate::detect::Manager;
use crate::error::{Error, Result};
use crate::plan::{Decision, Topic};
use crate::profile::Distroless;

/// The runtime image and the interpreter both stages share.
#[derive(Debug, Clone, Serialize)]
pub struct DistrolessRuntime {
    pub image: String,
    pub python: String,
}

/// The distroless runtime, when the profile asks for one; refuses what it
/// cannot serve, with the way out.
pub(crate) fn runtime(
    profile: Option<&Distroless>,
    image: String,
    version: &str,
    manager: Manager,
    build_packages: &mut BTreeSet<String>,
    runtime_packages: &BTreeSet<String>,
    decisions: &mut Vec<Decision>,
) -> Result<Option<DistrolessRuntime>> {
    let Some(profile) = profile else {
        return Ok(None);
    };
    if version != profile.version {
        return Err(Error::unsupported(
            format!(
                "the project wants Python {version}, and {} has Python {}",
                profile.image, profile.version
            ),
            format!(
                "a venv runs only on the minor version that made it: pin python: \"{}\" in dockslim.yaml if the app runs on it, or use the `python` profile",
                profile.version
            ),
        ));
    }
    if !runtime_packages.is_empty() {
        return Err(Error::unsupported(
            format!(
                "the app needs system packages at run time ({}), and a distroless image has no package manager to install them",
                runtime_packages.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            "use wheels that carry their libraries (psycopg2-binary, psycopg[binary]), or the `python` profile",
        ));
    }
    if !matches!(manager, Manager::Pip | Manager::Uv) {
        return Err(Error::unsupported(
            format!("the distroless profile builds pip and uv projects; this is a {manager:?} project"),
            "export the lock file to requirements.txt (`poetry export`, `pipenv requirements`) or use the `python` profile",
        ));
    }
    // Debian's python3 is the interpreter; venv makes the environment pip
    // fills, and the headers go with a compiler when something compiles.
    let compiles = !build_packages.is_empty();
    build_packages.insert("python3".into());
    if manager == Manager::Pip {
        build_packages.insert("python3-venv".into());
    }
    if compiles {
        build_packages.insert("python3-dev".into());
    }
    decide(
        decisions,
        Topic::BaseImage,
        format!("{image} (runtime)"),
        format!(
            "distroless: no shell and no package manager in the image; the builder uses Debian's own {} so the venv's interpreter path and minor version are the runtime's",
            profile.python
        ),
        vec![],
    );
    Ok(Some(DistrolessRuntime {
        image,
        python: profile.python.clone(),
    }))
}
