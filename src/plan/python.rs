//! The plan for a pip-installed Python web service.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Decision, Inputs};
use crate::detect::framework::{Framework, Interface};
use crate::detect::python_version::{minor_satisfies, Minor, VersionSays};
use crate::detect::{Manager, Server};
use crate::dockerfile::{looks_secret, shell, Command};
use crate::error::{Error, Result};
use crate::rules::{dev_server_kind, is_build_tool};

#[derive(Debug, Clone, Serialize)]
pub struct PythonPlan {
    pub manager: Manager,
    /// Where the virtual environment lives, in both stages.
    pub venv: String,
    /// uv, Poetry or Pipenv: pinned version and flags.
    pub tool: Option<ToolPlan>,
    pub version: String,
    pub base_image: String,
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
    pub workers: u32,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub volumes: Vec<String>,
    pub writable_dirs: Vec<String>,
    pub executable_scripts: Vec<String>,
    pub collectstatic: Option<Vec<(String, String)>>,
    pub pythonpath: Option<String>,
    pub port: u16,
    pub expose: Vec<String>,
    pub healthcheck: Healthcheck,
    pub stopsignal: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Vec<String>,
    /// A one-line description of the app for the file header.
    pub summary: String,
    /// The frontend the backend serves, built in a Node stage.
    pub frontend: Option<FrontendStage>,
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

#[derive(Debug, Clone, Serialize)]
pub struct Healthcheck {
    /// `none` (HEALTHCHECK NONE), `off` (no instruction), or `cmd`.
    pub kind: &'static str,
    pub command: Vec<String>,
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

fn decide(
    decisions: &mut Vec<Decision>,
    topic: &str,
    choice: impl Into<String>,
    reason: impl Into<String>,
    fixes: Vec<crate::rules::RuleId>,
) {
    decisions.push(Decision {
        file: "Dockerfile".into(),
        topic: topic.to_string(),
        choice: choice.into(),
        reason: reason.into(),
        fixes,
    });
}

pub fn plan(
    inputs: &Inputs,
    decisions: &mut Vec<Decision>,
    changed: &mut Vec<String>,
) -> Result<PythonPlan> {
    let profile = inputs.profile;
    let py_profile = profile.python.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "profile `{}` has no `python` section; use a Python profile such as `python`",
            profile.name
        ))
    })?;
    let py = &inputs.project.python;
    let intent = inputs.dockerfile.map(|d| d.intent()).unwrap_or_default();
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
    decide(
        decisions,
        "base image",
        format!("{public}{image_note}"),
        format!("Python {version} {version_reason}; the slim Debian {} image has no compilers or docs, and the same base in both stages keeps the venv's interpreter path valid", py_profile.debian),
        inputs.fixes(&[crate::rules::RuleId::DS402]),
    );
    if let Some(old) = inputs.dockerfile.map(|d| d.final_base_image()) {
        if old != base_image {
            let no_musl: Vec<&str> = crate::detect::ml::sizes()
                .no_musl_wheels
                .iter()
                .filter(|p| py.requirements.has(p) || py.locked.contains(p))
                .map(String::as_str)
                .collect();
            let why = if old.contains("alpine") && !no_musl.is_empty() {
                format!(
                    ": Alpine is refused, since {} publish{} no musl wheels and would be compiled from source or fail (DS307)",
                    no_musl.join(", "),
                    if no_musl.len() == 1 { "es" } else { "" }
                )
            } else {
                String::new()
            };
            changed.push(format!("base image {old} -> {base_image}{why}"));
        }
    }

    // System packages: native builds from the profile table, plus what the
    // Dockerfile installed, split into build-only and runtime.
    let native = profile.native_needs(&py.requirements, &py_profile.debian);
    let mut build_packages = native.build;
    let mut runtime_packages = native.runtime;
    let native_reasons = native.because;
    let needs_git = py
        .requirements
        .requirements
        .iter()
        .any(|r| r.url.as_deref().is_some_and(|u| u.starts_with("git+")));
    if needs_git {
        build_packages.insert("git".to_string());
    }
    let mut carried = Vec::new();
    for (pkg, _) in intent
        .system_packages
        .iter()
    {
        if is_build_tool(pkg) || pkg == "git" && needs_git {
            if !build_packages.contains(pkg) && native_reasons.is_empty() {
                // A build tool the Dockerfile installed for a reason we cannot
                // see (a wheel with no binary for this platform): keep it, in
                // the builder only.
                build_packages.insert(pkg.clone());
            }
        } else if !runtime_packages.contains(pkg) {
            runtime_packages.insert(pkg.clone());
            carried.push(pkg.clone());
        }
    }
    if !build_packages.is_empty() {
        let why = if native_reasons.is_empty() {
            "the existing Dockerfile installs them to build dependencies".to_string()
        } else {
            format!(
                "{} compile against system libraries",
                native_reasons.join(", ")
            )
        };
        decide(
            decisions,
            "builder packages",
            build_packages.iter().cloned().collect::<Vec<_>>().join(" "),
            format!("{why}; they stay in the builder stage and never reach the image"),
            inputs.fixes(&[crate::rules::RuleId::DS301, crate::rules::RuleId::DS202]),
        );
    }
    if !runtime_packages.is_empty() {
        let mut why = Vec::new();
        if !native_reasons.is_empty() {
            why.push(format!(
                "shared libraries {} load at run time",
                native_reasons.join(", ")
            ));
        }
        if !carried.is_empty() {
            why.push(format!(
                "{} installed by the existing Dockerfile",
                carried.join(", ")
            ));
        }
        decide(decisions, "runtime packages", runtime_packages.iter().cloned().collect::<Vec<_>>().join(" "), format!("{}; installed with --no-install-recommends and the apt lists removed in the same layer", why.join("; ")), inputs.fixes(&[crate::rules::RuleId::DS302, crate::rules::RuleId::DS303, crate::rules::RuleId::DS202]));
    }

    // Requirements: the production set, copied before the source.
    let mut groups: Vec<CopyGroup> = Vec::new();
    for file in &py.requirements.files {
        let dest = match file.rfind('/') {
            Some(i) => format!("{}/", &file[..i]),
            None => "./".to_string(),
        };
        match groups.iter_mut().find(|g| g.dest == dest) {
            Some(g) => g.sources.push(file.clone()),
            None => groups.push(CopyGroup {
                sources: vec![file.clone()],
                dest,
            }),
        }
    }
    let mut extra_packages = Vec::new();
    let cache_mounts = config.cache_mounts.unwrap_or(profile.cache_mounts);
    let index_options = torch_index(inputs, py_profile, decisions);
    let (venv, tool) = install(
        inputs,
        py_profile,
        &workdir_of(&intent),
        cache_mounts,
        version,
        decisions,
    )?;
    for (file, line) in &intent.pip_requirement_files {
        if crate::detect::requirements::is_dev_file(file) {
            changed.push(format!("{file} (a development set, installed at line {line}) is no longer installed in the image"));
        }
    }
    let local_paths: Vec<String> = py
        .requirements
        .local_paths
        .iter()
        .filter(|p| p.as_str() != ".")
        .cloned()
        .collect();
    if py.manager == Manager::Pip && py.requirements.local_paths.iter().any(|p| p == ".") {
        return Err(Error::Unsupported(format!(
            "{} installs the project itself (`-e .` or `.`); dockslim cannot yet split that install from the source copy. Install the project's dependencies from the requirements file and run the code from /app instead",
            py.requirements.entry
        )));
    }

    // The app, its server, and its command.
    let target = py.web.targets.first();
    let framework = target.map(|t| t.framework);
    let port = choose_port(inputs, decisions);
    // WEB_CONCURRENCY and PYTHONPATH in the existing Dockerfile are the
    // same settings the plan makes; their values win over the defaults.
    let env_value = |key: &str| {
        intent
            .env
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.clone())
    };
    let workers = config
        .workers
        .or_else(|| env_value("WEB_CONCURRENCY").and_then(|v| v.parse().ok()))
        .unwrap_or(py_profile.workers);
    let (entrypoint, cmd) = command(inputs, port, decisions, changed)?;
    extra_packages.extend(missing_servers(inputs, &cmd, py_profile, decisions));

    // Source layout and collectstatic.
    let workdir = workdir_of(&intent);
    let pythonpath = env_value("PYTHONPATH").or_else(|| {
        py.web
            .source_root
            .as_ref()
            .map(|root| format!("{}/{}", workdir.trim_end_matches('/'), root))
    });
    let collectstatic = py.web.django.as_ref().filter(|d| d.static_root).map(|d| {
        let env: Vec<(String, String)> = d
            .required_env
            .iter()
            .map(|k| (k.clone(), "collectstatic-build-only".to_string()))
            .collect();
        decide(
            decisions,
            "collectstatic",
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

    // Carried intent: environment, labels, volumes, writable folders.
    let skip_env = [
        "PATH",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "PIP_NO_CACHE_DIR",
        "PIP_DISABLE_PIP_VERSION_CHECK",
        "VIRTUAL_ENV",
        "WEB_CONCURRENCY",
        "PYTHONPATH",
    ];
    let mut env = Vec::new();
    for (k, v, _) in &intent.env {
        if skip_env.contains(&k.as_str()) {
            continue;
        }
        if ["POETRY_", "PIPENV_", "UV_"]
            .iter()
            .any(|p| k.starts_with(p))
        {
            changed.push(format!("ENV {k} dropped: it configures a package manager, which runs in the builder stage only"));
            continue;
        }
        if looks_secret(k) {
            changed.push(format!("ENV {k} dropped: secret-looking values belong in the runtime environment, not the image"));
            continue;
        }
        env.push((k.clone(), v.clone()));
    }
    if !env.is_empty() {
        decide(
            decisions,
            "environment",
            env.iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            "carried from the existing Dockerfile",
            vec![],
        );
    }
    let labels: Vec<(String, String)> = intent
        .labels
        .iter()
        .map(|(k, v, _)| (k.clone(), v.clone()))
        .collect();
    let volumes: Vec<String> = intent.volumes.iter().map(|(v, _)| v.clone()).collect();
    let mut writable: BTreeSet<String> = volumes
        .iter()
        .filter(|v| v.starts_with(&workdir) || !v.starts_with('/'))
        .cloned()
        .collect();
    if let Some(df) = inputs.dockerfile {
        for stage in df.shipped_stages() {
            for (_, cmds) in stage.runs() {
                for c in cmds {
                    let (i, prog) = shell::program(&c);
                    if prog == "mkdir" {
                        writable.extend(c[i + 1..].iter().filter(|w| !w.starts_with('-')).cloned());
                    }
                }
            }
        }
    }
    let writable_dirs: Vec<String> = writable
        .into_iter()
        .map(|d| {
            if d.starts_with('/') {
                d
            } else {
                format!("{}/{}", workdir.trim_end_matches('/'), d)
            }
        })
        .collect();
    if !writable_dirs.is_empty() {
        decide(decisions, "writable folders", writable_dirs.join(" "), format!("created by the existing Dockerfile (mkdir, VOLUME) and owned by {}; the source stays read-only to the app", inputs.config.user.as_ref().and_then(|u| u.name.clone()).unwrap_or_else(|| profile.user.name.clone())), vec![]);
    }
    let executable_scripts: Vec<String> = entrypoint
        .iter()
        .flatten()
        .take(1)
        .filter_map(|w| script_in_repo(inputs, w, &workdir))
        .collect();

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
    decide(
        decisions,
        "user",
        format!("{} (uid {})", user.name, user.uid),
        "a system user with a fixed UID runs the app and owns only the folders it must write; USER names the UID so Kubernetes' runAsNonRoot can verify it",
        inputs.fixes(&[crate::rules::RuleId::DS401]),
    );
    if let Some((u, _)) = &intent.user {
        if u != &user.name && u != &user.uid.to_string() {
            changed.push(format!("USER {u} -> {}", user.name));
        }
    }

    let healthcheck = healthcheck(inputs, port, decisions, framework);

    let expose: Vec<String> = {
        let mut ports: Vec<String> = vec![port.to_string()];
        for (p, _) in &intent.expose {
            if !ports.contains(p) {
                ports.push(p.clone());
            }
        }
        ports
    };

    let summary = match target {
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
        version: version.to_string(),
        base_image,
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
        workers,
        env,
        labels,
        volumes,
        writable_dirs,
        executable_scripts,
        collectstatic,
        pythonpath,
        port,
        expose,
        healthcheck,
        stopsignal: intent.stopsignal.map(|(s, _)| s),
        entrypoint,
        cmd,
        summary,
        frontend: None,
    })
}

/// pip only (uv and Poetry get a pyproject.toml edit): PyTorch's CPU index
/// beside PyPI when torch is installed and nothing needs a GPU. pip then
/// prefers `2.5.1+cpu` over PyPI's CUDA `2.5.1`, since a local version label
/// sorts higher; every other package still comes from PyPI.
fn torch_index(
    inputs: &Inputs,
    py_profile: &crate::profile::PythonProfile,
    decisions: &mut Vec<Decision>,
) -> Vec<String> {
    let py = &inputs.project.python;
    let ml = &py.ml;
    // Index options the Dockerfile gave pip (a private index, PyTorch's
    // index) are kept: the packages come from where they came from.
    let mut kept: Vec<String> = Vec::new();
    if let (Some(df), Manager::Pip) = (inputs.dockerfile, py.manager) {
        // The final stage's chain and the stages that install the
        // dependencies it copies (a builder, as in our own output).
        for stage in df.lineage_stages() {
            for (_, commands) in stage.runs() {
                for c in commands.iter().filter(|c| shell::is_pip_install(c)) {
                    let mut words = c.iter();
                    while let Some(w) = words.next() {
                        let (flag, value) = match w.split_once('=') {
                            Some((f, v)) => (f, Some(v.to_string())),
                            None => (w.as_str(), None),
                        };
                        let long = match flag {
                            "-i" | "--index-url" => "--index-url",
                            "--extra-index-url" => "--extra-index-url",
                            _ => continue,
                        };
                        if let Some(value) = value.or_else(|| words.next().cloned()) {
                            let option = format!("{long} {value}");
                            if !kept.contains(&option) {
                                kept.push(option);
                            }
                        }
                    }
                }
            }
        }
    }
    if !kept.is_empty() {
        decide(
            decisions,
            "package index",
            kept.join(" "),
            "kept from the existing Dockerfile's pip install",
            vec![],
        );
    }
    let torch_index_kept = kept.iter().any(|o| o.contains("download.pytorch.org/whl/"));
    if py.manager != Manager::Pip || ml.torch.is_empty() || ml.cpu_index || torch_index_kept {
        return kept;
    }
    let sizes = crate::detect::ml::sizes();
    let saving = match (sizes.get("torch", "cuda"), sizes.get("torch", "cpu")) {
        (Some(cuda), Some(cpu)) => format!(
            " (torch {}: about {} MB installed as the CUDA build with its nvidia wheels, {} MB as the CPU build; data/package-sizes.yaml)",
            cuda.version, cuda.installed_mb, cpu.installed_mb
        ),
        _ => String::new(),
    };
    if ml.wants_cuda() {
        let why = match (&ml.configured, ml.gpu.first()) {
            (Some(_), _) => "the configuration asks for CUDA builds".to_string(),
            (None, Some(g)) => format!("{}:{} asks for a CUDA device ({})", g.file, g.line, g.what),
            (None, None) => String::new(),
        };
        let url = &py_profile.torch.cuda_index;
        decide(
            decisions,
            "PyTorch build",
            format!("CUDA wheels, {url} beside PyPI"),
            format!("{why}; the index pins the CUDA version the profile names, and its wheels carry their CUDA libraries, so the slim base needs no CUDA install (the host needs the NVIDIA driver and container toolkit)"),
            vec![],
        );
        kept.push(format!("--extra-index-url {url}"));
        return kept;
    }
    let url = &py_profile.torch.cpu_index;
    decide(
        decisions,
        "PyTorch build",
        format!("CPU wheels, {url} beside PyPI"),
        format!("nothing in the code asks for a CUDA device without a CPU fallback, so the CPU build serves it at a fraction of the size{saving}; set `torch: cuda` to keep CUDA"),
        inputs.fixes(&[crate::rules::RuleId::DS305]),
    );
    kept.push(format!("--extra-index-url {url}"));
    kept
}

fn workdir_of(intent: &crate::dockerfile::Intent) -> String {
    intent.workdir.clone().unwrap_or_else(|| "/app".to_string())
}

/// The virtual environment and how the manager fills it: the decisions
/// for the builder stage's install.
fn install(
    inputs: &Inputs,
    py_profile: &crate::profile::PythonProfile,
    workdir: &str,
    cache_mounts: bool,
    version: Minor,
    decisions: &mut Vec<Decision>,
) -> Result<(String, Option<ToolPlan>)> {
    let py = &inputs.project.python;
    let config = inputs.config;
    let tools = &py_profile.tools;
    let cache = |tool: &str| {
        if cache_mounts {
            format!("{tool}'s cache lives in a BuildKit cache mount, never in a layer")
        } else {
            format!("{tool} runs with its cache switched off, which the classic builder needs (it has no cache mounts)")
        }
    };
    let fixes = inputs.fixes(&[crate::rules::RuleId::DS201, crate::rules::RuleId::DS302, crate::rules::RuleId::DS304]);
    let manifests = py.requirements.files.join(", ");
    let in_project = format!("{}/.venv", workdir.trim_end_matches('/'));
    match py.manager {
        Manager::Pip => {
            let no_setuptools = if version < Minor(3, 12) {
                "; unlike a default Python 3.11 venv it has no setuptools, so an app that imports pkg_resources must list setuptools in its requirements"
            } else {
                ""
            };
            decide(
                decisions,
                "virtualenv",
                "/opt/venv, created without pip",
                format!("the base image's pip installs into it (pip --python), so the image carries no second copy of pip, which the app never runs{no_setuptools}"),
                vec![],
            );
            decide(
                decisions,
                "dependency layer",
                format!("pip install -r {} into /opt/venv", py.requirements.entry),
                format!("only {manifests} copied before the install, so source edits reuse the cached layer; {}", if cache_mounts {
                    "pip's cache lives in a BuildKit cache mount, never in a layer"
                } else {
                    "pip runs with --no-cache-dir, which the classic builder needs (it has no cache mounts)"
                }),
                fixes,
            );
            Ok(("/opt/venv".into(), None))
        }
        Manager::Uv => {
            let mut selection = vec!["--locked".to_string()];
            // --no-dev would win over an explicit `--group dev` in uv.
            if !config.groups.iter().any(|g| g == "dev") {
                selection.push("--no-dev".to_string());
            }
            for extra in &config.extras {
                selection.extend(["--extra".to_string(), extra.clone()]);
            }
            for group in &config.groups {
                selection.extend(["--group".to_string(), group.clone()]);
            }
            let mut dependency_flags = selection.clone();
            let packaged = py.declared.as_ref().is_some_and(|d| d.packaged);
            let mut project_flags = selection;
            match &py.workspace {
                Some(ws) => {
                    dependency_flags.extend([
                        "--no-install-workspace".to_string(),
                        "--package".to_string(),
                        ws.package.clone(),
                    ]);
                    project_flags.extend(["--package".to_string(), ws.package.clone()]);
                    decide(
                        decisions,
                        "workspace member",
                        ws.package.clone(),
                        format!(
                            "{}; the dependency layer installs its dependencies with --no-install-workspace from the members' pyproject.toml files alone",
                            ws.reason
                        ),
                        vec![],
                    );
                }
                None => dependency_flags.push("--no-install-project".to_string()),
            }
            project_flags.push("--no-editable".to_string());
            let image = tools.uv_image.replace("{version}", &tools.uv);
            decide(
                decisions,
                "virtualenv",
                "/opt/venv (UV_PROJECT_ENVIRONMENT), made by uv from the base image's Python",
                format!("uv {} is copied from {image} into the builder only; UV_PYTHON_DOWNLOADS=never keeps it on the image's interpreter, so the venv's links stay valid in the runtime stage", tools.uv),
                vec![],
            );
            decide(
                decisions,
                "dependency layer",
                format!("uv sync {}", dependency_flags.join(" ")),
                format!("only {manifests} copied before the sync, so source edits reuse the cached layer; --locked fails the build when uv.lock is out of date instead of resolving anew, {}; {}", if dependency_flags.iter().any(|f| f == "--no-dev") { "and --no-dev leaves the development group out" } else { "and the dev group is installed, as the configuration asks" }, cache("uv")),
                fixes,
            );
            if packaged {
                decide(
                    decisions,
                    "project install",
                    format!("uv sync {}", project_flags.join(" ")),
                    "the project is a package: after the source copy it is built and installed into the venv as a wheel (--no-editable), so the venv does not point back at the builder's source folder",
                    vec![],
                );
            }
            Ok((
                "/opt/venv".into(),
                Some(ToolPlan {
                    version: tools.uv.clone(),
                    image: Some(image),
                    dependency_flags,
                    project_flags: packaged.then_some(project_flags),
                }),
            ))
        }
        Manager::Poetry => {
            let mut only = vec!["main".to_string()];
            only.extend(config.groups.iter().cloned());
            let mut flags = vec!["--only".to_string(), only.join(",")];
            for extra in &config.extras {
                flags.extend(["--extras".to_string(), extra.clone()]);
            }
            flags.extend(["--no-root".to_string(), "--no-directory".to_string()]);
            decide(
                decisions,
                "virtualenv",
                format!("{in_project}, the project's in-project virtualenv, without pip"),
                format!("Poetry {} runs in the builder from its own venv and never reaches the image; the runtime stage gets only the environment it filled", tools.poetry),
                vec![],
            );
            decide(
                decisions,
                "dependency layer",
                format!("poetry install {}", flags.join(" ")),
                format!("only {manifests} copied before the install, so source edits reuse the cached layer; the main group only, exactly as poetry.lock pins it (the install fails when the lock is stale); the app runs from its source folder, so the project itself is not installed; {}", cache("Poetry")),
                fixes,
            );
            Ok((
                in_project,
                Some(ToolPlan {
                    version: tools.poetry.clone(),
                    image: None,
                    dependency_flags: flags,
                    project_flags: None,
                }),
            ))
        }
        Manager::Pipenv => {
            if !config.extras.is_empty() || !config.groups.is_empty() {
                return Err(Error::Usage(
                    "extras and groups apply to uv and Poetry projects; a Pipfile's [packages] are what Pipenv installs for production".into(),
                ));
            }
            decide(
                decisions,
                "virtualenv",
                format!("{in_project} (PIPENV_VENV_IN_PROJECT)"),
                format!("Pipenv {} runs in the builder from its own venv and never reaches the image; the runtime stage gets only the environment it filled", tools.pipenv),
                vec![],
            );
            decide(
                decisions,
                "dependency layer",
                "pipenv sync",
                format!("only {manifests} copied before the install, so source edits reuse the cached layer; `pipenv sync` installs [packages] exactly as Pipfile.lock pins them and never the dev-packages; {}", cache("pip")),
                fixes,
            );
            Ok((
                in_project,
                Some(ToolPlan {
                    version: tools.pipenv.clone(),
                    image: None,
                    dependency_flags: Vec::new(),
                    project_flags: None,
                }),
            ))
        }
    }
}

/// The Python minor version and the sentence that says where it came from.
pub(crate) fn python_version(inputs: &Inputs, p: &crate::profile::PythonProfile) -> Result<(Minor, String)> {
    let supported: Vec<Minor> = p
        .supported
        .iter()
        .filter_map(|v| Minor::parse_loose(v))
        .collect();
    let default = Minor::parse_loose(&p.default_version).ok_or_else(|| {
        Error::Usage(format!(
            "profile default_version `{}` is not a Python version",
            p.default_version
        ))
    })?;
    if let Some(v) = &inputs.config.python {
        let minor = Minor::parse_loose(v).ok_or_else(|| {
            Error::Usage(format!("python = `{v}`: expected a version such as 3.12"))
        })?;
        return Ok((minor, "as the configuration pins".into()));
    }
    let mut pins: Vec<(Minor, String)> = Vec::new();
    let mut ranges: Vec<(String, String)> = Vec::new();
    for e in &inputs.project.python.version_evidence {
        match &e.says {
            VersionSays::Pin(m) => pins.push((*m, format!("{}:{}", e.file, e.line))),
            VersionSays::Range(r) => ranges.push((r.clone(), format!("{}:{}", e.file, e.line))),
        }
    }
    if let Some(df) = inputs.dockerfile {
        if let Some(m) = crate::dockerfile::python_minor_of_image(&df.final_base_image()) {
            pins.push((
                m,
                format!("the existing FROM at {}:{}", df.path, df.final_stage().line),
            ));
        }
    }
    let fits = |m: Minor| ranges.iter().all(|(r, _)| minor_satisfies(m, r));
    if let Some((minor, source)) = pins.first() {
        let mut reason = format!("from {source}");
        let others: Vec<String> = pins[1..]
            .iter()
            .filter(|(m, _)| m != minor)
            .map(|(m, s)| format!("{s} says {m}"))
            .collect();
        if !others.is_empty() {
            reason.push_str(&format!(" (which wins over {})", others.join(", ")));
        }
        if !fits(*minor) {
            reason.push_str(&format!(
                ", although it is outside requires-python {}",
                ranges
                    .iter()
                    .map(|(r, _)| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return Ok((*minor, reason));
    }
    if !ranges.is_empty() {
        let range_text = ranges
            .iter()
            .map(|(r, s)| format!("{r} at {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        if fits(default) {
            return Ok((
                default,
                format!("(the profile default) satisfies requires-python {range_text}"),
            ));
        }
        let best = supported.iter().rev().find(|m| fits(**m)).ok_or_else(|| {
            Error::Unsupported(format!(
                "requires-python {range_text} allows none of the supported Python versions ({})",
                p.supported.join(", ")
            ))
        })?;
        return Ok((
            *best,
            format!("is the newest supported version within requires-python {range_text}"),
        ));
    }
    Ok((
        default,
        "is the profile default; nothing in the repository names a version".into(),
    ))
}

/// Port: configuration, EXPOSE, the command's bind address, the code, the
/// framework's default.
pub(crate) fn choose_port(inputs: &Inputs, decisions: &mut Vec<Decision>) -> u16 {
    let intent = inputs.dockerfile.map(|d| d.intent()).unwrap_or_default();
    let py = &inputs.project.python;
    let (port, why) = if let Some(p) = inputs.config.port {
        (p, "set in the configuration".to_string())
    } else if let Some((p, line)) = intent
        .expose
        .iter()
        .find_map(|(p, l)| p.split('/').next()?.parse::<u16>().ok().map(|p| (p, l)))
    {
        (p, format!("the existing EXPOSE at line {line}"))
    } else if let Some(p) = [intent.entrypoint.as_ref(), intent.cmd.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|(c, _)| bind_port(&c.words()))
    {
        (p, "the existing command's bind address".to_string())
    } else if let Some((p, file, line)) = &py.web.code_port {
        (*p, format!("the port the code runs on at {file}:{line}"))
    } else {
        let f = py.web.framework().unwrap_or(Framework::Flask);
        (
            if py.web.framework().is_none() {
                8000
            } else {
                f.default_port()
            },
            format!(
                "{}'s default",
                py.web.framework().map_or("the profile", |f| f.name())
            ),
        )
    };
    decide(decisions, "port", port.to_string(), why, vec![]);
    port
}

/// The port in `-b 0.0.0.0:8000`, `--bind=:8000`, `--port 8000`, `runserver 0.0.0.0:8000`.
pub fn bind_port(words: &[String]) -> Option<u16> {
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let value = if matches!(w.as_str(), "-b" | "--bind" | "--port" | "-p" | "--listen") {
            it.peek().map(|s| s.as_str())
        } else if let Some(v) = w
            .strip_prefix("--bind=")
            .or_else(|| w.strip_prefix("--port="))
            .or_else(|| w.strip_prefix("--listen="))
        {
            Some(v)
        } else if w == "runserver" {
            it.peek().map(|s| s.as_str())
        } else {
            None
        };
        if let Some(v) = value {
            if let Some(p) = v.rsplit(':').next().and_then(|p| p.parse().ok()) {
                return Some(p);
            }
        }
    }
    None
}

/// ENTRYPOINT and CMD: kept when they already run production code, replaced
/// when they start a development server, generated when there are none.
fn command(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
    changed: &mut Vec<String>,
) -> Result<(Option<Vec<String>>, Vec<String>)> {
    let intent = inputs.dockerfile.map(|d| d.intent()).unwrap_or_default();
    let exec = |c: &Command| -> Vec<String> {
        match c {
            Command::Exec(w) => w.clone(),
            Command::Shell(text) => {
                let metachar = text.contains(['$', '&', '|', ';', '>', '<', '*', '`']);
                if metachar {
                    vec!["/bin/sh".into(), "-c".into(), format!("exec {text}")]
                } else {
                    Command::Shell(text.clone()).words()
                }
            }
        }
    };
    let mut entrypoint = None;
    if let Some((ep, _)) = &intent.entrypoint {
        let words = exec(ep);
        if dev_server_kind(&words, inputs.repo).is_none() {
            if matches!(ep, Command::Shell(_)) {
                changed.push("ENTRYPOINT converted to exec form so it receives SIGTERM".into());
            }
            decide(
                decisions,
                "entrypoint",
                words.join(" "),
                "kept from the existing Dockerfile (its script runs before the server)",
                inputs.fixes(&[crate::rules::RuleId::DS504]),
            );
            entrypoint = Some(words);
        }
    }
    if let Some(cmd) = &inputs.config.command {
        let words = cmd.words();
        decide(
            decisions,
            "command",
            words.join(" "),
            "set in the configuration",
            vec![],
        );
        return Ok((entrypoint, words));
    }
    if let Some((cmd, line)) = &intent.cmd {
        let mut words = exec(cmd);
        if let Some(direct) = without_runner(&words) {
            changed.push(format!(
                "CMD `{}` -> `{}`: the image has no {}; the venv is on PATH",
                words.join(" "),
                direct.join(" "),
                words[0]
            ));
            words = direct;
        }
        match dev_server_kind(&words, inputs.repo) {
            None => {
                if matches!(cmd, Command::Shell(_)) {
                    changed
                        .push("CMD converted to exec form so the server receives SIGTERM".into());
                }
                decide(
                    decisions,
                    "command",
                    words.join(" "),
                    format!("kept from the existing CMD at line {line}"),
                    inputs.fixes(&[crate::rules::RuleId::DS504]),
                );
                return Ok((entrypoint, words));
            }
            Some(kind) => {
                let generated = server_command(inputs, port, decisions)?;
                changed.push(format!(
                    "CMD `{}` ({kind}) -> `{}`",
                    cmd.text(),
                    generated.join(" ")
                ));
                return Ok((entrypoint, generated));
            }
        }
    }
    Ok((entrypoint, server_command(inputs, port, decisions)?))
}

/// `uv run X`, `poetry run X`, `pipenv run X` -> `X`: the manager is not
/// in the image, and the venv it would activate is already on PATH.
fn without_runner(words: &[String]) -> Option<Vec<String>> {
    let (program, rest) = words.split_first()?;
    if !matches!(program.as_str(), "uv" | "poetry" | "pipenv") || rest.first()? != "run" {
        return None;
    }
    // uv run's own options come before the command (`uv run --no-dev x`).
    let mut i = 1;
    while i < rest.len() && rest[i].starts_with('-') {
        let takes_value = matches!(
            rest[i].as_str(),
            "--with" | "--package" | "--extra" | "--group" | "--env-file" | "--python" | "-p"
        );
        i += if takes_value { 2 } else { 1 };
    }
    let command = rest.get(i..).filter(|c| !c.is_empty())?;
    Some(command.to_vec())
}

pub(crate) fn server_command(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
) -> Result<Vec<String>> {
    let py = &inputs.project.python;
    let target = py.web.targets.first().ok_or_else(|| {
        Error::Unsupported(
            "no web application object found (looked for Flask(...), FastAPI(...), Starlette(...), an app factory, and Django's manage.py); set `command` in dockslim.yaml or --set command=\"...\"".into(),
        )
    })?;
    let spec = target.spec();
    let bind = format!("0.0.0.0:{port}");
    // With no server among the dependencies, the interface's usual one;
    // `missing_servers` then installs the profile's pinned version of it.
    let server = match (py.servers.first(), target.interface) {
        (Some(s), _) => *s,
        (None, Interface::Wsgi) => Server::Gunicorn,
        (None, Interface::Asgi) => Server::Uvicorn,
    };
    let factory = spec.ends_with("()");
    let words: Vec<String> = match server {
        Server::Gunicorn => vec![
            "gunicorn".into(),
            "--bind".into(),
            bind,
            "--access-logfile".into(),
            "-".into(),
            spec.clone(),
        ],
        Server::GunicornUvicorn => {
            let worker = if py.uvicorn_worker_package {
                "uvicorn_worker.UvicornWorker"
            } else {
                "uvicorn.workers.UvicornWorker"
            };
            vec![
                "gunicorn".into(),
                "--bind".into(),
                bind,
                "--worker-class".into(),
                worker.into(),
                "--access-logfile".into(),
                "-".into(),
                spec.clone(),
            ]
        }
        Server::Uvicorn => {
            let mut w = vec![
                "uvicorn".into(),
                spec.trim_end_matches("()").to_string(),
                "--host".into(),
                "0.0.0.0".into(),
                "--port".into(),
                port.to_string(),
                "--proxy-headers".into(),
            ];
            if factory {
                w.push("--factory".into());
            }
            w
        }
        Server::Hypercorn => vec!["hypercorn".into(), "--bind".into(), bind, spec.clone()],
        Server::Waitress => {
            if factory {
                vec![
                    "waitress-serve".into(),
                    format!("--listen={bind}"),
                    "--call".into(),
                    spec.trim_end_matches("()").to_string(),
                ]
            } else {
                vec![
                    "waitress-serve".into(),
                    format!("--listen={bind}"),
                    spec.clone(),
                ]
            }
        }
        Server::Daphne => vec![
            "daphne".into(),
            "--bind".into(),
            "0.0.0.0".into(),
            "--port".into(),
            port.to_string(),
            spec.clone(),
        ],
    };
    decide(
        decisions,
        "command",
        words.join(" "),
        format!(
            "{} serves the {} app {spec} found at {}:{}; worker processes come from WEB_CONCURRENCY",
            server.name(),
            target.framework.name(),
            target.file,
            target.line
        ),
        inputs.fixes(&[crate::rules::RuleId::DS502, crate::rules::RuleId::DS503, crate::rules::RuleId::DS504]),
    );
    Ok(words)
}

/// Servers the command runs that the requirements do not install, as pip
/// requirement specs: the version the existing Dockerfile installed, else the
/// profile's pin, else the bare name.
pub(crate) fn missing_servers(
    inputs: &Inputs,
    cmd: &[String],
    p: &crate::profile::PythonProfile,
    decisions: &mut Vec<Decision>,
) -> Vec<String> {
    let words: Vec<String> = match cmd {
        [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => {
            shlex::split(script).unwrap_or_default()
        }
        _ => cmd.to_vec(),
    };
    let (i, program) = shell::program(&words);
    let mut needed: Vec<&str> = match program {
        "gunicorn" => vec!["gunicorn"],
        "uvicorn" => vec!["uvicorn"],
        "hypercorn" => vec!["hypercorn"],
        "waitress-serve" => vec!["waitress"],
        "daphne" => vec!["daphne"],
        _ => vec![],
    };
    if words[i.min(words.len())..]
        .iter()
        .any(|w| w.contains("uvicorn.workers."))
    {
        needed.push("uvicorn");
    }
    if words[i.min(words.len())..]
        .iter()
        .any(|w| w.contains("uvicorn_worker."))
    {
        needed.push("uvicorn-worker");
    }
    let set = &inputs.project.python.requirements;
    let installed_by_dockerfile: Vec<String> = inputs
        .dockerfile
        .map(|df| {
            df.stages
                .iter()
                .flat_map(|s| s.runs())
                .flat_map(|(_, cmds)| cmds)
                .filter(|c| shell::is_pip_install(c))
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for dist in needed {
        if set.has(dist) {
            continue;
        }
        let named = |spec: &str| crate::detect::requirements::spec_name(spec) == dist;
        let (spec, source) = if let Some(w) = installed_by_dockerfile.iter().find(|w| named(w)) {
            (w.clone(), "the version the existing Dockerfile installed")
        } else if let Some(pin) = [&p.servers.wsgi, &p.servers.asgi]
            .into_iter()
            .find(|s| named(s))
        {
            (pin.clone(), "the profile's pinned version")
        } else {
            (
                dist.to_string(),
                "unpinned; add it to the requirements to pin it",
            )
        };
        decide(
            decisions,
            "server package",
            spec.clone(),
            format!("the command runs {dist}, which the requirements do not install, so the venv gets {source}"),
            inputs.fixes(&[crate::rules::RuleId::DS503]),
        );
        out.push(spec);
    }
    out
}

/// A command word that names a script in the repository, as a path inside
/// the image.
fn script_in_repo(inputs: &Inputs, word: &str, workdir: &str) -> Option<String> {
    let rel = word
        .strip_prefix(&format!("{}/", workdir.trim_end_matches('/')))
        .unwrap_or(word)
        .trim_start_matches("./");
    (inputs.repo.exists(rel) && (rel.ends_with(".sh") || !rel.contains('.')))
        .then(|| format!("{}/{}", workdir.trim_end_matches('/'), rel))
}

pub(crate) fn healthcheck(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
    framework: Option<Framework>,
) -> Healthcheck {
    let t = &inputs.profile.healthcheck;
    let mut hc = Healthcheck {
        kind: "cmd",
        command: Vec::new(),
        interval: t.interval.clone(),
        timeout: t.timeout.clone(),
        start_period: t.start_period.clone(),
        retries: t.retries,
    };
    let py = &inputs.project.python;
    let fixes = inputs.fixes(&[crate::rules::RuleId::DS501]);
    let existing = inputs.dockerfile.and_then(|df| {
        df.shipped_stages().into_iter().find_map(|s| {
            s.instructions
                .iter()
                .rev()
                .find(|i| i.keyword == crate::dockerfile::Keyword::Healthcheck)
                .cloned()
        })
    });
    let configured = inputs.config.health.clone();
    if configured.as_deref() == Some("none") {
        hc.kind = "off";
        decide(
            decisions,
            "healthcheck",
            "none",
            "switched off in the configuration",
            vec![],
        );
        return hc;
    }
    let mut route: Option<(String, String)> =
        configured.map(|r| (r, "set in the configuration".to_string()));
    if route.is_none() {
        if let Some(inst) = &existing {
            match inst.command() {
                None => {
                    hc.kind = "none";
                    decide(
                        decisions,
                        "healthcheck",
                        "NONE",
                        "kept: the existing Dockerfile switches health checks off",
                        vec![],
                    );
                    return hc;
                }
                Some(cmd) => {
                    let text = cmd.text();
                    if let Some(path) = url_path(&text) {
                        let how = if text.contains("curl") || text.contains("wget") {
                            ", probed with Python instead of curl or wget, which slim images lack"
                        } else {
                            ""
                        };
                        route = Some((
                            path,
                            format!("from the existing HEALTHCHECK at line {}{how}", inst.line),
                        ));
                    } else {
                        hc.command = match cmd {
                            Command::Exec(w) => w.clone(),
                            Command::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
                        };
                        decide(
                            decisions,
                            "healthcheck",
                            text,
                            format!("kept from the existing Dockerfile at line {}", inst.line),
                            vec![],
                        );
                        return hc;
                    }
                }
            }
        }
    }
    if route.is_none() {
        if let Some(r) = py.web.health_routes.first() {
            route = Some((
                r.path.clone(),
                format!("the app's health route at {}:{}", r.file, r.line),
            ));
        }
    }
    // Django answers 400 to a Host it does not allow; probe with a host it
    // does, or fall back to a TCP check.
    let mut host = "127.0.0.1".to_string();
    if framework == Some(Framework::Django) {
        if let (Some(_), Some(django)) = (&route, &py.web.django) {
            let allowed = django.allowed_hosts.clone().unwrap_or_default();
            if allowed.iter().any(|h| h == "*" || h == "127.0.0.1") {
            } else if allowed
                .iter()
                .any(|h| h == "localhost" || h == ".localhost")
            {
                host = "localhost".into();
            } else {
                decide(decisions, "healthcheck", format!("TCP connect to port {port}"), "Django's ALLOWED_HOSTS does not visibly allow 127.0.0.1 or localhost, so an HTTP probe could get 400; a TCP connect still catches a dead server", fixes.clone());
                hc.command = tcp_probe(port);
                return hc;
            }
        }
    }
    match route {
        Some((path, why)) => {
            let url = format!("http://{host}:{port}{path}");
            hc.command = vec![
                "python".into(),
                "-c".into(),
                format!("import urllib.request; urllib.request.urlopen('{url}', timeout=4)"),
            ];
            decide(decisions, "healthcheck", format!("GET {url}"), format!("{why}; Python's urllib needs no curl in the image, and any error or non-2xx answer marks the container unhealthy"), fixes);
        }
        None => {
            hc.command = tcp_probe(port);
            decide(decisions, "healthcheck", format!("TCP connect to port {port}"), "no health route found in the code (looked for /health, /healthz, /ping, /status and the like); a TCP connect catches a dead server. Set `health` in dockslim.yaml to probe a route", fixes);
        }
    }
    hc
}

pub(crate) fn tcp_probe(port: u16) -> Vec<String> {
    vec![
        "python".into(),
        "-c".into(),
        format!(
            "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=4).close()"
        ),
    ]
}

/// The path of the first http URL in a command.
fn url_path(text: &str) -> Option<String> {
    let start = text.find("http://").or_else(|| text.find("https://"))?;
    let url = &text[start..];
    let url: String = url
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | '|' | ';' | '&'))
        .collect();
    let after_scheme = url.split_once("://")?.1;
    Some(
        after_scheme
            .find('/')
            .map_or("/".to_string(), |i| after_scheme[i..].to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_runners_are_dropped_from_the_command() {
        let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            without_runner(&w("uv run --no-dev uvicorn app:app")),
            Some(w("uvicorn app:app"))
        );
        assert_eq!(
            without_runner(&w("poetry run gunicorn a:b")),
            Some(w("gunicorn a:b"))
        );
        assert_eq!(without_runner(&w("uv run")), None);
        assert_eq!(without_runner(&w("gunicorn a:b")), None);
    }

    #[test]
    fn bind_ports() {
        let w = |s: &str| shlex::split(s).unwrap();
        assert_eq!(
            bind_port(&w("gunicorn -b 0.0.0.0:5000 app:app")),
            Some(5000)
        );
        assert_eq!(bind_port(&w("gunicorn --bind=:8080 app:app")), Some(8080));
        assert_eq!(
            bind_port(&w("uvicorn main:app --host 0.0.0.0 --port 9000")),
            Some(9000)
        );
        assert_eq!(
            bind_port(&w("python manage.py runserver 0.0.0.0:8001")),
            Some(8001)
        );
        assert_eq!(bind_port(&w("flask run")), None);
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            url_path("curl -f http://localhost:5000/health || exit 1").as_deref(),
            Some("/health")
        );
        assert_eq!(
            url_path("wget -qO- http://127.0.0.1:8000").as_deref(),
            Some("/")
        );
        assert_eq!(url_path("pg_isready"), None);
    }
}
