//! What the project is: its stack, package manager, framework, entry point,
//! Python version evidence and production server. Read, never executed.

pub mod audit;
pub mod compose;
pub mod django;
pub mod factory;
pub mod framework;
pub mod images;
pub mod imports;
pub mod mcp;
pub mod ml;
pub mod node;
mod node_bun;
mod node_kinds;
pub mod node_lifecycle;
pub mod node_routes;
pub mod node_workspace;
pub mod py_routes;
pub mod py_values;
pub mod pyproject;
pub mod python_version;
pub mod reads;
pub mod requirements;
pub mod route;
pub mod runs;
pub mod script_apps;
pub mod source;
pub mod writes;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Kind, Result};
use crate::repo::Repo;
use framework::WebApp;
use pyproject::Declared;
pub use pyproject::Manager;
use python_version::{VersionEvidence, VersionSays};
use requirements::RequirementSet;

/// An environment variable the deployment sets, with where: the existing
/// Dockerfile's ENV or a compose service's `environment:`. What the code
/// defaults to (manage.py's DJANGO_SETTINGS_MODULE, say) is often the
/// development value; this is what the image runs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployedVar {
    pub name: String,
    pub value: String,
    /// `Dockerfile:12`, `docker-compose.yml (service web)`.
    pub from: String,
}

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
    pub manager: Manager,
    /// What the image installs: the production requirements file and its
    /// includes (pip), or the main dependencies plus the configured extras
    /// and groups (uv, Poetry, Pipenv), with their lines.
    pub requirements: RequirementSet,
    /// What pyproject.toml or the Pipfile declares (uv, Poetry, Pipenv).
    pub declared: Option<Declared>,
    /// Every package the lock file pins, dependencies of dependencies too
    /// (empty without a lock file: detection then reads the declared
    /// dependencies only).
    pub locked: Vec<String>,
    /// The lock file the install follows (uv.lock, poetry.lock,
    /// Pipfile.lock). None for pip, and for a uv or Poetry project that
    /// commits no lock, whose build resolves the dependencies anew (DS406).
    pub lock: Option<String>,
    /// The uv workspace member the image is for.
    pub workspace: Option<Workspace>,
    /// Heavy ML packages and GPU evidence.
    pub ml: ml::MlStack,
    /// Every requirements file found, production or not, for the report.
    pub requirement_files: Vec<String>,
    pub version_evidence: Vec<VersionEvidence>,
    pub web: WebApp,
    /// Production servers the dependencies provide, best first.
    pub servers: Vec<Server>,
    /// Whether the code imports `uvicorn.workers` from a separate package.
    pub uvicorn_worker_package: bool,
    /// What the app reads at run time, with the evidence (what ships).
    pub reads: reads::Reads,
}

impl PythonProject {
    /// Whether the build resolves the dependencies itself: a uv or Poetry
    /// project without its lock file. Two builds of one commit can then
    /// install different versions.
    pub fn resolves_at_build(&self) -> bool {
        self.manager != Manager::Pip && self.lock.is_none()
    }
}

/// A uv workspace: its members and the one the image runs.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    /// Member folders, relative to the root.
    pub members: Vec<String>,
    /// The member's project name (`uv sync --package`).
    pub package: String,
    pub package_dir: String,
    pub reason: String,
}

/// What the image is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stack {
    Python,
    /// A Node project at the root: a static site, Next.js or a Node server.
    Node,
}

/// A frontend beside a Python backend, and whether the backend serves it.
#[derive(Debug, Clone, Serialize)]
pub struct Frontend {
    pub node: node::NodeProject,
    /// The static site's output folder, relative to the repository.
    pub output: String,
    /// Where the backend reads the built files (`app.py:8 names
    /// frontend/dist`), when it does: then they are built into the backend
    /// image.
    pub served_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub stack: Stack,
    /// Empty for a Node project.
    pub python: PythonProject,
    /// The Node project at the root (stack Node).
    pub node: Option<node::NodeProject>,
    /// A static frontend in a folder of a Python repository.
    pub frontend: Option<Frontend>,
    /// Why a frontend found beside the backend is not built (a workspace,
    /// say), for the report.
    pub frontend_skipped: Option<String>,
    /// A package.json outside node_modules (a frontend lives here too).
    pub node_manifests: Vec<String>,
    /// Why dockslim cannot write a Dockerfile for this repository (a Node
    /// or Poetry project, say); the rules still read its Dockerfile.
    pub unsupported: Option<Refusal>,
    /// The services of the repository's compose files.
    pub compose: Vec<compose::Service>,
    /// Where the app's code writes at run time, with the evidence.
    pub writes: Vec<writes::Write>,
    /// The programs the app's code (and its libraries) runs.
    pub runs: Vec<runs::Run>,
}

/// Why dockslim cannot write a Dockerfile for a repository, and what the
/// user can do about it, kept for when a command needs the proposal.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub why: String,
    pub hint: String,
}

impl Project {
    /// Detection for `analyze`: a repository dockslim cannot generate for
    /// still gets its Dockerfile and context checked.
    pub fn detect_for_analysis(
        repo: &Repo,
        config: &Config,
        dockerfile_env: &[DeployedVar],
        image_is_node: bool,
    ) -> Result<Project> {
        match detect_image(repo, config, dockerfile_env, image_is_node) {
            Err(e) if matches!(e.kind, Kind::Unsupported(_)) => Ok(Project {
                stack: Stack::Python,
                python: PythonProject::default(),
                node: None,
                frontend: None,
                frontend_skipped: None,
                node_manifests: node::manifests(repo),
                unsupported: Some(Refusal {
                    hint: e.hint().unwrap_or_default(),
                    why: e.to_string(),
                }),
                compose: compose::services(repo),
                writes: writes::find(repo),
                runs: runs::find(repo, &[], &[]),
            }),
            other => other,
        }
    }
}

/// Works out what the repository is. `dockerfile_env` is the environment
/// the existing Dockerfile sets; the compose files' is read here.
pub fn detect(repo: &Repo, config: &Config, dockerfile_env: &[DeployedVar]) -> Result<Project> {
    detect_image(repo, config, dockerfile_env, false)
}

/// `detect`, for an image built from a Node base: a folder holding both a
/// Python project and a package.json (a Django backend beside the React
/// app its root package.json builds) is the Node project there.
pub fn detect_image(
    repo: &Repo,
    config: &Config,
    dockerfile_env: &[DeployedVar],
    image_is_node: bool,
) -> Result<Project> {
    let node_manifests = node::manifests(repo);
    let sources = repo.python_sources();
    let has_package_json = node_manifests.iter().any(|m| m == "package.json");
    let found = if image_is_node && has_package_json {
        None
    } else {
        dependencies(repo, config, sources)?
    };
    let Some(found) = found else {
        if has_package_json {
            let node = node::read_root(repo, config.package.as_deref())?;
            let packages: Vec<(String, String)> = node
                .dependencies
                .iter()
                .map(|d| (d.clone(), node.manifest()))
                .collect();
            return Ok(Project {
                stack: Stack::Node,
                python: PythonProject::default(),
                runs: runs::find(repo, &[], &packages),
                node: Some(node),
                frontend: None,
                frontend_skipped: None,
                node_manifests,
                unsupported: None,
                compose: compose::services(repo),
                writes: writes::find(repo),
            });
        }
        return Err(no_project_error(repo, &node_manifests));
    };
    let Found {
        manager,
        lock,
        set,
        declared,
        workspace,
    } = found;
    let compose = compose::services(repo);
    let mut deployed = dockerfile_env.to_vec();
    deployed.extend(compose::environment_of(&compose));
    let mut web = framework::detect(sources, &deployed, &script_apps::launches(repo));

    let has = |n: &str| set.has(n);
    // A Django project with both entry points is served the way its
    // dependencies say: ASGI when only ASGI servers are installed.
    let asgi_servers = ["uvicorn", "hypercorn", "daphne"].iter().any(|s| has(s));
    // Django Channels serves its websockets from the ASGI application
    // only: ASGI whatever WSGI server is also installed.
    let channels = web.django.as_ref().is_some_and(|d| d.channels.is_some());
    if web.django.is_some() && (channels || (!has("gunicorn") && !has("waitress") && asgi_servers))
    {
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
    if asgi && channels {
        // Channels' own server first (`daphne` in INSTALLED_APPS says the
        // project runs under it), else uvicorn; with neither installed,
        // daphne, which the command then installs.
        if has("daphne") || web.django.as_ref().is_some_and(|d| d.daphne_app) {
            servers.push(Server::Daphne);
        }
        if has("uvicorn") {
            servers.push(Server::Uvicorn);
        }
        if has("hypercorn") {
            servers.push(Server::Hypercorn);
        }
        if servers.is_empty() {
            servers.push(Server::Daphne);
        }
    } else if asgi {
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

    let mut version_evidence = python_version::evidence(repo)?;
    if let Some((range, line)) = declared.as_ref().and_then(|d| d.poetry_python.clone()) {
        version_evidence.push(VersionEvidence {
            file: declared
                .as_ref()
                .map(|d| d.file.clone())
                .unwrap_or_default(),
            line,
            says: VersionSays::Range(range),
        });
    }
    let locked = pyproject::locked_packages(repo, manager)?;
    let mut ml = ml::MlStack::detect(&installed_names(&set, declared.as_ref(), &locked), sources);
    ml.configured = config.torch;
    ml.cpu_index = set.index_options.iter().any(|o| o.contains("/whl/cpu"))
        || [
            declared.as_ref().map(|d| d.file.as_str()),
            manager.lock_file(),
        ]
        .into_iter()
        .flatten()
        .any(|f| {
            repo.read_text(f)
                .ok()
                .flatten()
                .is_some_and(|t| t.contains("download.pytorch.org/whl/cpu"))
        });
    let (frontend, frontend_skipped) = frontend(repo, &node_manifests, sources)?;
    let packages: Vec<(String, String)> = set
        .requirements
        .iter()
        .chain(declared.iter().flat_map(|d| d.dependencies.iter()))
        .map(|r| (r.name.clone(), r.file.clone()))
        .collect();
    Ok(Project {
        runs: runs::find(repo, &packages, &[]),
        stack: Stack::Python,
        frontend,
        frontend_skipped,
        node: None,
        python: PythonProject {
            manager,
            ml,
            locked,
            lock,
            declared,
            workspace,
            requirement_files: requirements::all_requirement_files(repo),
            version_evidence,
            uvicorn_worker_package: has("uvicorn-worker"),
            requirements: set,
            reads: reads::Reads::detect(repo, sources, &web),
            web,
            servers,
        },
        node_manifests,
        unsupported: None,
        compose,
        writes: writes::find(repo),
    })
}

fn no_project_error(repo: &Repo, node_manifests: &[String]) -> Error {
    let has = |p: &str| repo.exists(p);
    // A pyproject.toml that declares dependencies is a project with or
    // without its lock (`manager_without_lock`); a Pipfile still needs its
    // lock, since `pipenv sync` is how the image installs it.
    if has("Pipfile") {
        return Error::unsupported(
            format!(
                "{}: Pipfile declares the dependencies but there is no Pipfile.lock",
                repo.root.display()
            ),
            "run `pipenv lock` and commit Pipfile.lock, so the image installs exactly what was tested",
        );
    }
    if has("pyproject.toml") || has("setup.py") {
        return Error::unsupported(
            format!(
                "{}: found a Python project that declares no dependencies dockslim can read, and no requirements file",
                repo.root.display()
            ),
            "declare them in pyproject.toml as [project].dependencies (or [tool.poetry.dependencies]), or write requirements.txt (`pip freeze > requirements.txt`); dockslim reads those, uv.lock, poetry.lock and Pipfile.lock",
        );
    }
    if !node_manifests.is_empty() {
        return Error::unsupported(
            format!(
                "{}: found {} but no package.json at the root and no Python project",
                repo.root.display(),
                node_manifests.join(", ")
            ),
            format!(
                "run dockslim on the Node project's folder: `dockslim rewrite {}`",
                node_manifests[0]
                    .trim_end_matches("package.json")
                    .trim_end_matches('/')
            ),
        );
    }
    Error::unsupported(
        format!(
            "{}: no Python or Node project found; looked for requirements.txt, requirements-prod.txt, requirements/*.txt, uv.lock, poetry.lock, Pipfile.lock, pyproject.toml, setup.py and package.json",
            repo.root.display()
        ),
        "run dockslim on the folder that holds the project's manifest, or pass that folder as DIR",
    )
}

/// The static frontend in a folder beside a Python backend: the shallowest
/// package.json below the root that builds a static site. A frontend that
/// cannot be built (an unreadable config, a workspace) is left out, with
/// the reason; one without a lock file is built with the resolving install
/// (DS406 reports it); a package.json that does not parse is an
/// error, as any file dockslim must read.
fn frontend(
    repo: &Repo,
    manifests: &[String],
    sources: &[(String, String)],
) -> Result<(Option<Frontend>, Option<String>)> {
    let mut dirs: Vec<&str> = manifests
        .iter()
        .filter_map(|m| m.strip_suffix("/package.json"))
        .collect();
    dirs.sort_by_key(|d| (d.matches('/').count(), *d));
    let mut skipped = None;
    for dir in dirs {
        match node::read(repo, dir) {
            Ok(project) => {
                let node::NodeApp::Static { output, .. } = &project.app else {
                    skipped.get_or_insert(format!(
                        "{}/package.json is a {} app, not a static site; build it with its own Dockerfile",
                        dir,
                        project.app.framework()
                    ));
                    continue;
                };
                let Some(output) = node::normalize_path(&node::join(dir, output)) else {
                    skipped.get_or_insert(format!(
                        "{dir}/package.json builds outside the repository ({output})"
                    ));
                    continue;
                };
                // A build written outside the frontend folder lands in the
                // backend's tree on purpose: the backend serves it.
                let served_by = match node::served_by_python(sources, &output) {
                    Some((file, line)) => Some(format!("{file}:{line} names {output}")),
                    None if !output.starts_with(&format!("{dir}/")) => {
                        let node::NodeApp::Static { output_from, .. } = &project.app else {
                            unreachable!()
                        };
                        Some(format!(
                            "{output_from} builds into {output}, outside the frontend folder"
                        ))
                    }
                    None => None,
                };
                return Ok((
                    Some(Frontend {
                        node: project,
                        output,
                        served_by,
                    }),
                    None,
                ));
            }
            Err(Error {
                kind: Kind::Unsupported(why),
                ..
            }) => {
                skipped.get_or_insert(why);
            }
            Err(e) => return Err(e),
        }
    }
    Ok((None, skipped))
}

/// How the project's dependencies are installed, and what they are.
struct Found {
    manager: Manager,
    /// The lock file, when the project commits one.
    lock: Option<String>,
    set: RequirementSet,
    declared: Option<Declared>,
    workspace: Option<Workspace>,
}

/// A lock file decides the manager (uv.lock, then poetry.lock, then
/// Pipfile.lock): it pins exactly what was tested, which a requirements file
/// beside it (often an export) may not. Without one, a production
/// requirements file means pip, and a pyproject.toml that declares the
/// dependencies means uv or Poetry resolving them at build time (DS406).
fn dependencies(
    repo: &Repo,
    config: &Config,
    sources: &[(String, String)],
) -> Result<Option<Found>> {
    let locked = [Manager::Uv, Manager::Poetry, Manager::Pipenv]
        .into_iter()
        .find(|m| m.lock_file().is_some_and(|lock| repo.exists(lock)));
    let (manager, lock) = match locked {
        Some(manager) => (manager, manager.lock_file()),
        None => match requirements::production_entry(repo) {
            Some(entry) => return pip_requirements(repo, config, entry).map(Some),
            None => match manager_without_lock(repo)? {
                Some(manager) => (manager, None),
                None => return Ok(None),
            },
        },
    };
    let root = match manager {
        Manager::Pipenv => pyproject::read_pipfile(repo)?,
        _ => pyproject::read_pyproject(repo, "")?,
    }
    .ok_or_else(|| {
        Error::usage(
            format!(
                "found {} but no {}; the lock file alone does not say which of its packages are the project's",
                lock.unwrap_or_default(),
                manager.manifest()
            ),
            format!("commit the {} the lock file was made from", manager.manifest()),
        )
    })?;
    let workspace = match manager {
        Manager::Uv if !root.workspace_members.is_empty() => {
            Some(workspace(repo, &root, config, sources)?)
        }
        _ => {
            if let Some(p) = &config.package {
                return Err(Error::usage(
                    format!(
                        "package = `{p}` names a uv workspace member, but {} declares no [tool.uv.workspace]",
                        root.file
                    ),
                    "remove `package` from the configuration: this project is not a workspace",
                ));
            }
            None
        }
    };
    let declared = match &workspace {
        Some(ws) if !ws.package_dir.is_empty() => {
            pyproject::read_pyproject(repo, &ws.package_dir)?.unwrap_or_default()
        }
        _ => root,
    };
    // A workspace's lock covers every member: uv needs the root and all
    // member manifests to check it, even to install one member.
    // Without a lock, the manifests alone: the install resolves them.
    let files = match &workspace {
        Some(ws) => {
            let mut files = vec!["pyproject.toml".to_string()];
            files.extend(lock.map(str::to_string));
            files.extend(ws.members.iter().map(|m| format!("{m}/pyproject.toml")));
            files
        }
        None => std::iter::once(declared.file.clone())
            .chain(lock.map(str::to_string))
            .collect(),
    };
    let mut set = RequirementSet {
        entry: declared.file.clone(),
        files,
        requirements: declared.dependencies.clone(),
        ..Default::default()
    };
    // The extras and groups the configuration selects, each checked
    // against what the project declares.
    let selections = [
        (
            "extras",
            "an optional dependency",
            &config.extras,
            &declared.optional,
        ),
        (
            "groups",
            "a dependency group",
            &config.groups,
            &declared.groups,
        ),
    ];
    for (key, what, chosen, available) in selections {
        for name in chosen {
            let deps = available.get(name).ok_or_else(|| {
                Error::usage(
                    format!("{key}: `{name}` is not {what} of {}", declared.file),
                    match crate::error::closest(name, available.keys().map(String::as_str)) {
                        Some(meant) => format!("did you mean `{meant}`?"),
                        None => format!("it has: {}", list_or_none(available.keys())),
                    },
                )
            })?;
            set.requirements.extend(deps.iter().cloned());
        }
    }
    Ok(Some(Found {
        manager,
        lock: lock.map(str::to_string),
        set,
        declared: Some(declared),
        workspace,
    }))
}

/// A production requirements file, installed with pip.
fn pip_requirements(repo: &Repo, config: &Config, entry: String) -> Result<Found> {
    if !config.extras.is_empty() || !config.groups.is_empty() {
        return Err(Error::usage(
            format!("extras and groups select parts of a uv or Poetry project; {entry} is a pip requirements file, which has neither"),
            "remove `extras` and `groups` from the configuration; with pip, name the requirements file that holds what you want",
        ));
    }
    Ok(Found {
        manager: Manager::Pip,
        lock: None,
        set: requirements::read_set(repo, &entry)?,
        declared: None,
        workspace: None,
    })
}

/// The manager of a pyproject.toml that declares its dependencies but
/// commits no lock file, as many small repositories do: uv for a
/// `[tool.uv]` project, Poetry for `[tool.poetry]` or a poetry-core build
/// backend, and uv for a plain PEP 621 `[project]` with dependencies (uv
/// reads that table as it is, and `uv lock` then writes the lock the same
/// Dockerfile follows). None when the file declares no dependencies.
fn manager_without_lock(repo: &Repo) -> Result<Option<Manager>> {
    let Some(declared) = pyproject::read_pyproject(repo, "")? else {
        return Ok(None);
    };
    let poetry_backend = declared
        .build_backend
        .as_deref()
        .is_some_and(|b| b.starts_with("poetry"));
    let manager = if declared.has_tool_uv && declared.project_line.is_some() {
        Manager::Uv
    } else if declared.has_tool_poetry || poetry_backend {
        Manager::Poetry
    } else if declared.project_dependencies {
        Manager::Uv
    } else {
        return Ok(None);
    };
    // Unsupported rather than an input error: an existing Dockerfile is
    // still checked and edited, only the generated one needs uv to read it.
    if manager == Manager::Uv && !declared.project_version {
        return Err(Error::unsupported(
            format!(
                "{}:{}: [project] gives no version and does not list it in `dynamic`, so uv cannot read the project to install its dependencies",
                declared.file,
                declared.project_line.unwrap_or(1)
            ),
            "add `version = \"0.1.0\"` under [project] (or `dynamic = [\"version\"]` with a build backend that sets it)",
        ));
    }
    Ok(Some(manager))
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// The members of a uv workspace, and the one the image is for: the
/// configured `package`, else the member holding the web app, else the root
/// project when it is one.
fn workspace(
    repo: &Repo,
    root: &Declared,
    config: &Config,
    sources: &[(String, String)],
) -> Result<Workspace> {
    let mut members = Vec::new();
    for pattern in &root.workspace_members {
        let glob = pattern.trim_end_matches('/');
        match glob.strip_suffix("/*") {
            Some(parent) => {
                let mut found: Vec<String> = repo
                    .own_files()
                    .filter_map(|f| f.path.strip_suffix("/pyproject.toml"))
                    .filter(|dir| dir.rsplit_once('/').is_some_and(|(p, _)| p == parent))
                    .map(str::to_string)
                    .collect();
                found.sort();
                members.extend(found);
            }
            None if repo.exists(&format!("{glob}/pyproject.toml")) => {
                members.push(glob.to_string())
            }
            None => return Err(Error::input(
                &root.file,
                None,
                format!("workspace member `{pattern}` has no pyproject.toml"),
                "fix the members list of [tool.uv.workspace], or add the member's pyproject.toml",
            )),
        }
    }
    let mut named = Vec::new();
    for dir in &members {
        let member = pyproject::read_pyproject(repo, dir)?.unwrap_or_default();
        let name = member.name.clone().ok_or_else(|| {
            Error::input(
                &member.file,
                None,
                "a workspace member needs [project].name",
                "add name = \"...\" under [project] in the member's pyproject.toml",
            )
        })?;
        named.push((name, dir.clone()));
    }
    if let Some(root_name) = &root.name {
        named.push((root_name.clone(), String::new()));
    }
    let choose = |name: &str, dir: &str, reason: String| Workspace {
        members: members.clone(),
        package: name.to_string(),
        package_dir: dir.to_string(),
        reason,
    };
    if let Some(wanted) = &config.package {
        let wanted_norm = requirements::normalize(wanted);
        return named
            .iter()
            .find(|(n, _)| *n == wanted_norm)
            .map(|(n, d)| choose(n, d, "as the configuration names it".into()))
            .ok_or_else(|| {
                Error::usage(
                    format!(
                        "package = `{wanted}` is not a member of the workspace in {}",
                        root.file
                    ),
                    crate::error::did_you_mean(
                        wanted,
                        named.iter().map(|(n, _)| n.as_str()),
                        "members",
                    ),
                )
            });
    }
    let app = framework::detect(sources, &[], &[]);
    if let Some(target) = app.targets.first() {
        if let Some((name, dir)) = named
            .iter()
            .filter(|(_, d)| !d.is_empty() && target.file.starts_with(&format!("{d}/")))
            .max_by_key(|(_, d)| d.len())
        {
            return Ok(choose(
                name,
                dir,
                format!("it holds the app at {}:{}", target.file, target.line),
            ));
        }
    }
    if let Some(root_name) = &root.name {
        return Ok(choose(
            root_name,
            "",
            "the workspace root is the project".into(),
        ));
    }
    Err(Error::usage(
        format!(
            "{} is a uv workspace and no member holds a web app dockslim recognises",
            root.file
        ),
        format!(
            "set `package` to the member the image runs (members: {})",
            named
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// The packages the image installs: the production set, plus what the lock
/// pins that no development group or unselected extra declares (the
/// dependencies of dependencies).
fn installed_names(
    set: &RequirementSet,
    declared: Option<&Declared>,
    locked: &[String],
) -> Vec<String> {
    let mut names: Vec<String> = set
        .requirements
        .iter()
        .filter(|r| r.applies_on_linux())
        .map(|r| r.name.clone())
        .collect();
    let elsewhere: Vec<&str> = declared
        .map(|d| d.all().map(|r| r.name.as_str()).collect())
        .unwrap_or_default();
    names.extend(
        locked
            .iter()
            .filter(|l| !elsewhere.contains(&l.as_str()))
            .cloned(),
    );
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: (&str, &str) = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");

    fn detected(files: &[(&str, &str)]) -> Result<Project> {
        let (_d, repo) = crate::repo::temp_repo(files);
        detect(&repo, &Config::default(), &[])
    }

    /// (manager, lock, files copied before the install) for a repository.
    fn install_of(files: &[(&str, &str)]) -> (Manager, Option<String>, Vec<String>) {
        let py = detected(files).unwrap().python;
        (py.manager, py.lock, py.requirements.files)
    }

    #[test]
    fn a_pyproject_without_its_lock_resolves_with_its_manager() {
        let pep621 = "[project]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"flask\", \"gunicorn\"]\n";
        // A plain PEP 621 project (what `uv init` writes) is uv's.
        let (manager, lock, files) = install_of(&[("pyproject.toml", pep621), APP]);
        assert_eq!(
            (manager, lock, files),
            (Manager::Uv, None, vec!["pyproject.toml".to_string()])
        );
        let py = detected(&[("pyproject.toml", pep621), APP]).unwrap().python;
        assert!(py.resolves_at_build() && py.locked.is_empty());
        assert!(py.requirements.has("gunicorn"), "the declared set");
        assert_eq!(py.servers, [Server::Gunicorn]);
        // [tool.uv], and the lock once it is there.
        let uv = "[project]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"flask\"]\n[tool.uv]\npackage = false\n";
        assert_eq!(install_of(&[("pyproject.toml", uv), APP]).0, Manager::Uv);
        let (manager, lock, files) =
            install_of(&[("pyproject.toml", uv), ("uv.lock", "version = 1\n"), APP]);
        assert_eq!(
            (manager, lock.as_deref(), files.len()),
            (Manager::Uv, Some("uv.lock"), 2)
        );
        // Poetry 1 tables, and Poetry 2's [project] with the poetry-core backend.
        let poetry1 = "[tool.poetry]\nname = \"a\"\nversion = \"1.0.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3.0\"\n";
        let (manager, lock, _) = install_of(&[("pyproject.toml", poetry1), APP]);
        assert_eq!((manager, lock), (Manager::Poetry, None));
        let poetry2 = "[project]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"flask (>=3.0,<4.0)\"]\n\n[build-system]\nrequires = [\"poetry-core>=2.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n";
        let py = detected(&[("pyproject.toml", poetry2), APP])
            .unwrap()
            .python;
        assert_eq!(
            (py.manager, py.requirements.has("flask")),
            (Manager::Poetry, true)
        );
        // A requirements file still means pip: it is what the repository
        // installs with, often a pinned export.
        let (manager, _, _) = install_of(&[
            ("pyproject.toml", pep621),
            ("requirements.txt", "flask\n"),
            APP,
        ]);
        assert_eq!(manager, Manager::Pip);
    }

    #[test]
    fn what_a_pyproject_without_a_lock_cannot_say_is_refused_with_the_fix() {
        // uv reads no [project] without a version: refused (an existing
        // Dockerfile is still edited), with the line and the fix.
        let e = detected(&[
            (
                "pyproject.toml",
                "# the service\n[project]\nname = \"a\"\ndependencies = [\"flask\"]\n",
            ),
            APP,
        ])
        .unwrap_err();
        assert!(matches!(e.kind, Kind::Unsupported(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("pyproject.toml:2: [project] gives no version"),
            "{e}"
        );
        assert!(e.hint().unwrap().contains("version = \"0.1.0\""));
        // Tool settings alone declare nothing to install.
        let e =
            detected(&[("pyproject.toml", "[tool.ruff]\nline-length = 100\n"), APP]).unwrap_err();
        assert!(e.to_string().contains("declares no dependencies"), "{e}");
        assert!(e.hint().unwrap().contains("[project].dependencies"));
        // A Pipfile still needs its lock: `pipenv sync` installs it.
        let e = detected(&[("Pipfile", "[packages]\nflask = \"*\"\n"), APP]).unwrap_err();
        assert!(e.hint().unwrap().contains("pipenv lock"), "{e}");
    }

    #[test]
    fn a_node_app_without_a_lock_is_a_node_project() {
        let project = detected(&[
            (
                "package.json",
                "{\"scripts\": {\"start\": \"node server.js\"}, \"dependencies\": {\"express\": \"^4.21.0\"}}",
            ),
            (
                "server.js",
                "const app = require('express')();\napp.get('/health', (q, r) => r.send('ok'));\napp.listen(3000);\n",
            ),
        ])
        .unwrap();
        let node = project.node.unwrap();
        assert_eq!(
            (node.manager, node.lock_file),
            (node::NodeManager::Npm, None)
        );
    }
}
