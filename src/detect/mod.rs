//! What the project is: its stack, package manager, framework, entry point,
//! Python version evidence and production server. Read, never executed.

pub mod framework;
pub mod python_version;
pub mod requirements;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::repo::Repo;
use framework::WebApp;
use python_version::VersionEvidence;
use requirements::RequirementSet;

/// A production server the dependencies provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    Gunicorn,
    Uvicorn,
    /// gunicorn with uvicorn's worker class.
    GunicornUvicorn,
    Hypercorn,
    Waitress,
    Daphne,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Gunicorn => "gunicorn",
            Server::Uvicorn => "uvicorn",
            Server::GunicornUvicorn => "gunicorn with uvicorn workers",
            Server::Hypercorn => "hypercorn",
            Server::Waitress => "waitress",
            Server::Daphne => "daphne",
        }
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct PythonProject {
    pub manager: &'static str,
    pub requirements: RequirementSet,
    /// Every requirements file found, production or not, for the report.
    pub requirement_files: Vec<String>,
    pub version_evidence: Vec<VersionEvidence>,
    pub web: WebApp,
    /// Production servers the dependencies provide, best first.
    pub servers: Vec<Server>,
    /// Whether the code imports `uvicorn.workers` from a separate package.
    pub uvicorn_worker_package: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub python: PythonProject,
    /// A package.json outside node_modules (a frontend lives here too).
    pub node_manifests: Vec<String>,
    /// Why dockslim cannot write a Dockerfile for this repository (a Node
    /// or Poetry project, say); the rules still read its Dockerfile.
    pub unsupported: Option<String>,
}

impl Project {
    /// Detection for `analyze`: a repository dockslim cannot generate for
    /// still gets its Dockerfile and context checked.
    pub fn detect_for_analysis(repo: &Repo) -> Result<Project> {
        match detect(repo) {
            Err(Error::Unsupported(why)) => Ok(Project {
                python: PythonProject::default(),
                node_manifests: node_manifests(repo),
                unsupported: Some(why),
            }),
            other => other,
        }
    }
}

fn node_manifests(repo: &Repo) -> Vec<String> {
    repo.own_files()
        .filter(|f| f.path == "package.json" || f.path.ends_with("/package.json"))
        .map(|f| f.path.clone())
        .collect()
}

/// Works out what the repository is.
pub fn detect(repo: &Repo) -> Result<Project> {
    let node_manifests = node_manifests(repo);

    let Some(entry) = requirements::production_entry(repo) else {
        return Err(no_project_error(repo, &node_manifests));
    };
    let set = requirements::read_set(repo, &entry)?;
    let sources = repo.python_sources();
    let mut web = framework::detect(&sources);

    let has = |n: &str| set.has(n);
    // A Django project with both entry points is served the way its
    // dependencies say: ASGI when only ASGI servers are installed.
    let asgi_servers = ["uvicorn", "hypercorn", "daphne"].iter().any(|s| has(s));
    if web.django.is_some() && !has("gunicorn") && !has("waitress") && asgi_servers {
        if let Some(i) = web
            .targets
            .iter()
            .position(|t| t.interface == framework::Interface::Asgi)
        {
            let asgi_target = web.targets.remove(i);
            web.targets.insert(0, asgi_target);
        }
    }
    let mut servers = Vec::new();
    let asgi = web
        .targets
        .first()
        .is_some_and(|t| t.interface == framework::Interface::Asgi);
    if asgi {
        if has("gunicorn") && (has("uvicorn") || has("uvicorn-worker")) {
            servers.push(Server::GunicornUvicorn);
        }
        if has("uvicorn") {
            servers.push(Server::Uvicorn);
        }
        if has("hypercorn") {
            servers.push(Server::Hypercorn);
        }
        if has("daphne") {
            servers.push(Server::Daphne);
        }
    } else {
        if has("gunicorn") {
            servers.push(Server::Gunicorn);
        }
        if has("waitress") {
            servers.push(Server::Waitress);
        }
        // An ASGI server can also serve a Django project's ASGI app, but a
        // WSGI app needs a WSGI server: uvicorn alone does not count.
    }

    Ok(Project {
        python: PythonProject {
            manager: "pip",
            requirement_files: requirements::all_requirement_files(repo),
            version_evidence: python_version::evidence(repo)?,
            uvicorn_worker_package: has("uvicorn-worker"),
            requirements: set,
            web,
            servers,
        },
        node_manifests,
        unsupported: None,
    })
}

fn no_project_error(repo: &Repo, node_manifests: &[String]) -> Error {
    let has = |p: &str| repo.exists(p);
    if has("uv.lock") || has("poetry.lock") || has("Pipfile.lock") || has("Pipfile") {
        let which = ["uv.lock", "poetry.lock", "Pipfile.lock", "Pipfile"]
            .into_iter()
            .find(|p| has(p))
            .unwrap_or_default();
        return Error::Unsupported(format!(
            "{}: found {which}; this version of dockslim generates Dockerfiles for pip projects with requirements files only (uv, Poetry and Pipenv support is planned)",
            repo.root.display()
        ));
    }
    if has("pyproject.toml") || has("setup.py") {
        return Error::Unsupported(format!(
            "{}: found a Python project without a requirements file; dockslim needs requirements.txt (or requirements/prod.txt, requirements/base.txt) to know what to install",
            repo.root.display()
        ));
    }
    if !node_manifests.is_empty() {
        return Error::Unsupported(format!(
            "{}: found {} but no Python project; Node projects are not supported yet",
            repo.root.display(),
            node_manifests.join(", ")
        ));
    }
    Error::Unsupported(format!(
        "{}: no Python or Node project found; looked for requirements.txt, requirements-prod.txt, requirements/*.txt, pyproject.toml, setup.py, Pipfile and package.json",
        repo.root.display()
    ))
}
