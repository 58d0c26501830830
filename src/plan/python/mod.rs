//! The plan for a generated Python image: a builder stage that fills a
//! virtualenv with the project's package manager, and a runtime stage with
//! only that virtualenv and the source. Each concern has its module:
//! - `version`: which Python;
//! - `install`: the virtualenv, the manager's flags, PyTorch's index;
//! - `command`: port, server and command, servers to install;
//! - `health`: the HEALTHCHECK.
//!
//! Fixes of an existing Dockerfile use the same decisions (the version a
//! pin names, the production command, the healthcheck).

mod command;
mod development;
mod distroless;
mod health;
mod install;
pub(crate) mod mcp;
mod version;

use serde::Serialize;

use super::{Decision, Inputs, Topic};
use crate::detect::Manager;
use crate::error::{Error, Result};

pub use command::bind_port;
pub(crate) use command::{missing_servers, server_command, stdio_mcp};
pub(crate) use development::plan as development_stage;
pub(crate) use health::healthcheck;
pub(crate) use version::python_version;

/// The app's folder in a generated image.
const WORKDIR: &str = "/app";

#[derive(Debug, Clone, Serialize)]
pub struct PythonPlan {
    pub manager: Manager,
    /// Where the virtual environment lives, in both stages.
    pub venv: String,
    /// uv, Poetry or Pipenv: pinned version and flags.
    pub tool: Option<ToolPlan>,
    /// The command that writes the lock file the project does not commit
    /// (`uv lock`, `poetry lock`): the install resolves at build time.
    pub lock_command: Option<String>,
    pub version: String,
    pub base_image: String,
    /// The runtime stage's image when it is distroless (no shell): the
    /// builder then has the same interpreter, at `python_bin`.
    pub distroless: Option<distroless::DistrolessRuntime>,
    /// The interpreter of the builder stage that makes the venv.
    pub python_bin: String,
    pub build_packages: Vec<String>,
    pub runtime_packages: Vec<String>,
    /// Requirement files grouped by folder, each group one COPY.
    pub requirement_copies: Vec<CopyGroup>,
    pub requirement_entry: String,
    /// Extra pip index options (PyTorch's CPU index).
    pub index_options: Vec<String>,
    /// Local paths the install needs (editable installs, wheel folders).
    pub local_paths: Vec<String>,
    /// Packages installed beyond the requirements (a missing server).
    pub extra_packages: Vec<String>,
    pub cache_mounts: bool,
    pub workdir: String,
    pub user: crate::profile::User,
    /// Folders the app writes, made and given to the user (the rest of the
    /// source stays read-only to it).
    pub writable_dirs: Vec<String>,
    pub workers: u32,
    pub collectstatic: Option<Vec<(String, String)>>,
    pub pythonpath: Option<String>,
    /// What a script app reads from the environment (Gradio's address).
    pub app_env: Vec<(String, String)>,
    pub port: u16,
    /// An MCP server over stdio: no port, attached with `docker run -i`.
    pub stdio: bool,
    pub expose: Vec<String>,
    pub healthcheck: Healthcheck,
    pub cmd: Vec<String>,
    /// A one-line description of the app for the file header.
    pub summary: String,
    /// The frontend the backend serves, built in a Node stage.
    pub frontend: Option<FrontendStage>,
    /// The development target's stages (`targets: [development]`), placed
    /// before the runtime stage, which stays last.
    pub development: Option<development::DevelopmentStage>,
}

/// A frontend built in a Node stage of the Python image.
#[derive(Debug, Clone, Serialize)]
pub struct FrontendStage {
    /// Its folder, removed from the copied source.
    pub dir: String,
    /// The output folder, relative to the repository (and to the workdir).
    pub output: String,
    pub node: super::node::NodePlan,
}

/// How uv, Poetry or Pipenv runs in the builder stage.
#[derive(Debug, Clone, Serialize)]
pub struct ToolPlan {
    /// The pinned version from the profile.
    pub version: String,
    /// The image uv's binary is copied from.
    pub image: Option<String>,
    /// Flags of the install that runs with only the manifests present.
    pub dependency_flags: Vec<String>,
    /// Flags of the second install, after the source copy, that installs
    /// the project itself (a packaged uv project); none when the app runs
    /// from its source folder.
    pub project_flags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CopyGroup {
    pub sources: Vec<String>,
    pub dest: String,
}

/// What the HEALTHCHECK instruction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthcheckKind {
    /// `HEALTHCHECK CMD ...`.
    Cmd,
    /// `HEALTHCHECK NONE`: health checks switched off on purpose.
    None,
    /// No instruction at all.
    Off,
}

#[derive(Debug, Clone, Serialize)]
pub struct Healthcheck {
    pub kind: HealthcheckKind,
    pub command: Vec<String>,
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

pub(super) fn decide(
    decisions: &mut Vec<Decision>,
    topic: Topic,
    choice: impl Into<String>,
    reason: impl Into<String>,
    fixes: Vec<crate::rules::RuleId>,
) {
    decisions.push(Decision {
        file: "Dockerfile".into(),
        topic,
        choice: choice.into(),
        reason: reason.into(),
        fixes,
    });
}

/// The plan of a generated Python image (a repository without a Dockerfile,
/// or `init`): each part decided in the module for its concern.
pub fn plan(inputs: &Inputs, decisions: &mut Vec<Decision>) -> Result<PythonPlan> {
    let profile = inputs.profile;
    let py_profile = profile.python.as_ref().ok_or_else(|| {
        Error::usage(
            format!("profile `{}` has no `python` section", profile.name),
            "use a Python profile such as `python` (`dockslim profiles` lists them)",
        )
    })?;
    let py = &inputs.project.python;
    let config = inputs.config;

    // Python version.
    let (version, version_reason) = python_version(inputs, py_profile)?;
    let public = py_profile
        .image
        .replace("{version}", &version.to_string())
        .replace("{debian}", &py_profile.debian);
    let base_image = super::image_name(config, &public);
    let image_note = if base_image != public {
        format!(" (pulled as {base_image})")
    } else {
        String::new()
    };
    let base_reason = if py_profile.distroless.is_some() {
        format!(
            "Python {version} {version_reason}; the builder stage, with Debian's own interpreter"
        )
    } else {
        format!("Python {version} {version_reason}; the slim Debian {} image has no compilers or docs, and the same base in both stages keeps the venv's interpreter path valid", py_profile.debian)
    };
    decide(
        decisions,
        Topic::BaseImage,
        format!("{public}{image_note}"),
        base_reason,
        inputs.fixes(&[crate::rules::RuleId::DS402]),
    );
    // System packages: what the requirements compile against and load.
    let native = profile.native_needs(&py.requirements, &py_profile.debian);
    let mut build_packages = native.build;
    let mut runtime_packages = native.runtime;
    let mut native_reasons = native.because;
    // Programs the code runs (ffmpeg through subprocess or pydub), and the
    // packages the team names.
    for run in &inputs.project.runs {
        if let Some(package) = crate::detect::runs::package_of(&run.program) {
            if runtime_packages.insert(package.to_string()) {
                native_reasons.push(run.reason());
            }
        }
    }
    for package in &config.packages {
        if runtime_packages.insert(package.clone()) {
            native_reasons.push(format!("{package} is named in `packages:`"));
        }
    }
    let needs_git = py
        .requirements
        .requirements
        .iter()
        .any(|r| r.url.as_deref().is_some_and(|u| u.starts_with("git+")));
    if needs_git {
        build_packages.insert("git".to_string());
    }
    let distroless = distroless::runtime(
        py_profile.distroless.as_ref(),
        py_profile
            .distroless
            .as_ref()
            .map(|d| super::image_name(config, &d.image))
            .unwrap_or_default(),
        &version.to_string(),
        py.manager,
        &mut build_packages,
        &runtime_packages,
        decisions,
    )?;
    let python_bin = distroless
        .as_ref()
        .map_or("/usr/local/bin/python3".to_string(), |d| d.python.clone());
    if !build_packages.is_empty() {
        let why = if native_reasons.is_empty() {
            "a requirement installs from git".to_string()
        } else {
            format!(
                "{} compile against system libraries",
                native_reasons.join(", ")
            )
        };
        decide(
            decisions,
            Topic::BuilderPackages,
            build_packages.iter().cloned().collect::<Vec<_>>().join(" "),
            format!("{why}; they stay in the builder stage and never reach the image"),
            inputs.fixes(&[crate::rules::RuleId::DS301, crate::rules::RuleId::DS202]),
        );
    }
    if !runtime_packages.is_empty() {
        decide(decisions, Topic::RuntimePackages, runtime_packages.iter().cloned().collect::<Vec<_>>().join(" "), format!("what the app uses at run time ({}); installed with --no-install-recommends and the apt lists removed in the same layer", native_reasons.join(", ")), inputs.fixes(&[crate::rules::RuleId::DS302, crate::rules::RuleId::DS303, crate::rules::RuleId::DS202]));
    }

    // Requirements: the production set, copied before the source.
    let groups = development::group_by_folder(&py.requirements.files);
    let mut extra_packages = Vec::new();
    let cache_mounts = config.cache_mounts.unwrap_or(profile.cache_mounts);
    let index_options = install::torch_index(inputs, py_profile, decisions);
    let (venv, tool) = install::install(
        inputs,
        py_profile,
        WORKDIR,
        cache_mounts,
        version,
        decisions,
    )?;
    let local_paths: Vec<String> = py
        .requirements
        .local_paths
        .iter()
        .filter(|p| p.as_str() != ".")
        .cloned()
        .collect();
    if py.manager == Manager::Pip && py.requirements.local_paths.iter().any(|p| p == ".") {
        return Err(Error::unsupported(
            format!(
                "{} installs the project itself (`-e .` or `.`); dockslim cannot yet split that install from the source copy",
                py.requirements.entry
            ),
            "install the project's dependencies from the requirements file and run the code from /app instead",
        ));
    }

    // The app, its server, and its command.
    let target = py.web.targets.first();
    let framework = target.map(|t| t.framework);
    let port = command::choose_port(inputs, decisions);
    let workers = config.workers.unwrap_or(py_profile.workers);
    let cmd = command::command(inputs, port, decisions)?;
    extra_packages.extend(missing_servers(inputs, &cmd, py_profile, decisions));

    // Source layout and collectstatic.
    let workdir = WORKDIR.to_string();
    // `streamlit run ui/app.py` puts ui/ on sys.path, not the folder the
    // script imports its packages from (`from backend import ...`): the
    // WORKDIR is, as when the script is run from the repository's root.
    let script_in_folder = py.web.targets.first().is_some_and(|t| {
        t.interface == crate::detect::framework::Interface::Script && t.file.contains('/')
    });
    let pythonpath = py
        .web
        .source_root
        .as_ref()
        .map(|root| format!("{}/{}", workdir.trim_end_matches('/'), root))
        .or_else(|| script_in_folder.then(|| workdir.clone()));
    let collectstatic = py.web.django.as_ref().filter(|d| d.static_root).map(|d| {
        let env: Vec<(String, String)> = d
            .required_env
            .iter()
            .map(|k| (k.clone(), "collectstatic-build-only".to_string()))
            .collect();
        decide(
            decisions,
            Topic::Collectstatic,
            "python manage.py collectstatic --noinput",
            format!(
                "STATIC_ROOT is set in {}, so static files are collected at build time{}",
                d.settings_file.clone().unwrap_or_default(),
                if env.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} get a placeholder for that step only, never in the image",
                        d.required_env.join(", ")
                    )
                }
            ),
            vec![],
        );
        env
    });

    // The user.
    let user = crate::profile::User {
        name: config
            .user
            .as_ref()
            .and_then(|u| u.name.clone())
            .unwrap_or_else(|| profile.user.name.clone()),
        uid: config
            .user
            .as_ref()
            .and_then(|u| u.uid)
            .unwrap_or(profile.user.uid),
    };
    let mut writable = writable_dirs(&inputs.project.writes, &workdir);
    for dir in &config.writable {
        let dir = if dir.starts_with('/') {
            dir.clone()
        } else {
            format!(
                "{}/{}",
                workdir.trim_end_matches('/'),
                dir.trim_start_matches("./")
            )
        };
        if !writable.iter().any(|(d, _)| *d == dir) {
            writable.push((dir, "named in `writable:` in the configuration".into()));
        }
    }
    decide(
        decisions,
        Topic::User,
        format!("{} (uid {})", user.name, user.uid),
        format!(
            "a system user with a fixed UID runs the app; USER names the UID so Kubernetes' runAsNonRoot can verify it; {}",
            owned_folders(&writable)
        ),
        inputs.fixes(&[crate::rules::RuleId::DS401]),
    );

    let healthcheck = healthcheck(inputs, port, decisions, framework);

    // Port 0: a service that listens on none.
    let expose: Vec<String> = (port != 0).then(|| port.to_string()).into_iter().collect();

    let summary = match target {
        Some(t) if stdio_mcp(inputs).is_some() => format!(
            "MCP server {} over stdio, run by python (docker run -i)",
            t.spec()
        ),
        Some(t) => format!(
            "{} app {} served by {}",
            t.framework.name(),
            t.spec(),
            cmd.first().cloned().unwrap_or_default()
        ),
        None => "Python service".to_string(),
    };

    Ok(PythonPlan {
        manager: py.manager,
        venv,
        tool,
        lock_command: py
            .resolves_at_build()
            .then(|| py.manager.lock_command().unwrap_or_default().to_string()),
        version: version.to_string(),
        base_image,
        distroless,
        python_bin,
        build_packages: build_packages.into_iter().collect(),
        runtime_packages: runtime_packages.into_iter().collect(),
        requirement_copies: groups,
        requirement_entry: py.requirements.entry.clone(),
        index_options,
        local_paths,
        extra_packages,
        cache_mounts,
        workdir,
        user,
        writable_dirs: writable.into_iter().map(|(dir, _)| dir).collect(),
        workers,
        collectstatic,
        pythonpath,
        app_env: command::app_env(inputs, port),
        port,
        stdio: stdio_mcp(inputs).is_some(),
        expose,
        healthcheck,
        cmd,
        summary,
        frontend: None,
        development: None,
    })
}

/// The folders the code writes, where the generated image puts them (the
/// repository is copied to the WORKDIR), with the evidence for each.
pub(crate) fn writable_dirs(
    writes: &[crate::detect::writes::Write],
    workdir: &str,
) -> Vec<(String, String)> {
    let copied = |p: &str| {
        Some(if p.is_empty() {
            workdir.to_string()
        } else {
            format!("{}/{p}", workdir.trim_end_matches('/'))
        })
    };
    writable_dirs_with(writes, workdir, &copied)
}

/// `writable_dirs` where `copied` says where the image holds a folder of
/// the repository (None: not in the image), as for a workspace member
/// deployed alone.
pub(crate) fn writable_dirs_with(
    writes: &[crate::detect::writes::Write],
    workdir: &str,
    copied: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let env = std::collections::BTreeMap::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for write in writes {
        let Some(dir) = write.folder_in_image(copied, workdir, &env) else {
            continue;
        };
        if dir != "/" && !out.iter().any(|(d, _)| *d == dir) {
            out.push((dir, write.reason()));
        }
    }
    out
}

/// The report's words for the folders the user owns.
pub(crate) fn owned_folders(dirs: &[(String, String)]) -> String {
    if dirs.is_empty() {
        return "nothing in the code writes to disk, so the user owns no folder and the source stays read-only to it".into();
    }
    let list: Vec<String> = dirs.iter().map(|(d, why)| format!("{d} ({why})")).collect();
    format!(
        "it owns only the folders the code writes: {}",
        list.join(", ")
    )
}
