//! The virtualenv and how the package manager fills it, and PyTorch's
//! wheel index.

use super::{decide, ToolPlan};
use crate::detect::python_version::Minor;
use crate::detect::Manager;
use crate::error::{Error, Result};
use crate::plan::{Decision, Inputs, Topic};

/// pip only (uv and Poetry get a pyproject.toml edit): PyTorch's CPU index
/// beside PyPI when torch is installed and nothing needs a GPU. pip then
/// prefers `2.5.1+cpu` over PyPI's CUDA `2.5.1`, since a local version label
/// sorts higher; every other package still comes from PyPI.
pub(super) fn torch_index(
    inputs: &Inputs,
    py_profile: &crate::profile::PythonProfile,
    decisions: &mut Vec<Decision>,
) -> Vec<String> {
    let py = &inputs.project.python;
    let ml = &py.ml;
    if py.manager != Manager::Pip || ml.torch.is_empty() || ml.cpu_index {
        return Vec::new();
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
            Topic::PytorchBuild,
            format!("CUDA wheels, {url} beside PyPI"),
            format!("{why}; the index pins the CUDA version the profile names, and its wheels carry their CUDA libraries, so the slim base needs no CUDA install (the host needs the NVIDIA driver and container toolkit)"),
            vec![],
        );
        return vec![format!("--extra-index-url {url}")];
    }
    let url = &py_profile.torch.cpu_index;
    decide(
        decisions,
        Topic::PytorchBuild,
        format!("CPU wheels, {url} beside PyPI"),
        format!("nothing in the code asks for a CUDA device without a CPU fallback, so the CPU build serves it at a fraction of the size{saving}; set `torch: cuda` to keep CUDA"),
        inputs.fixes(&[crate::rules::RuleId::DS305]),
    );
    vec![format!("--extra-index-url {url}")]
}

/// The virtual environment and how the manager fills it: the decisions
/// for the builder stage's install.
pub(super) fn install(
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
    let fixes = inputs.fixes(&[
        crate::rules::RuleId::DS201,
        crate::rules::RuleId::DS302,
        crate::rules::RuleId::DS304,
    ]);
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
                Topic::Virtualenv,
                "/opt/venv, created without pip",
                format!("the base image's pip installs into it (pip --python), so the image carries no second copy of pip, which the app never runs{no_setuptools}"),
                vec![],
            );
            decide(
                decisions,
                Topic::DependencyLayer,
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
            // Without uv.lock, `uv sync` resolves pyproject.toml and writes
            // the lock inside the builder; the second sync reuses it.
            let mut selection: Vec<String> =
                py.lock.iter().map(|_| "--locked".to_string()).collect();
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
                        Topic::WorkspaceMember,
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
                Topic::Virtualenv,
                "/opt/venv (UV_PROJECT_ENVIRONMENT), made by uv from the base image's Python",
                format!("uv {} is copied from {image} into the builder only; UV_PYTHON_DOWNLOADS=never keeps it on the image's interpreter, so the venv's links stay valid in the runtime stage", tools.uv),
                vec![],
            );
            decide(
                decisions,
                Topic::DependencyLayer,
                format!("uv sync {}", dependency_flags.join(" ")),
                format!("only {manifests} copied before the sync, so source edits reuse the cached layer; {}, {}; {}", if py.lock.is_some() { "--locked fails the build when uv.lock is out of date instead of resolving anew" } else { "there is no uv.lock, so the sync resolves the declared ranges at build time and writes the lock in the builder only (DS406: `uv lock` writes one to commit, and the sync then gets --locked)" }, if dependency_flags.iter().any(|f| f == "--no-dev") { "and --no-dev leaves the development group out" } else { "and the dev group is installed, as the configuration asks" }, cache("uv")),
                fixes,
            );
            if packaged {
                decide(
                    decisions,
                    Topic::ProjectInstall,
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
                Topic::Virtualenv,
                format!("{in_project}, the project's in-project virtualenv, without pip"),
                format!("Poetry {} runs in the builder from its own venv and never reaches the image; the runtime stage gets only the environment it filled", tools.poetry),
                vec![],
            );
            decide(
                decisions,
                Topic::DependencyLayer,
                format!("poetry install {}", flags.join(" ")),
                format!("only {manifests} copied before the install, so source edits reuse the cached layer; the main group only, {}; the app runs from its source folder, so the project itself is not installed; {}", if py.lock.is_some() { "exactly as poetry.lock pins it (the install fails when the lock is stale)" } else { "resolved at build time since there is no poetry.lock: Poetry writes the lock in the builder only (DS406: `poetry lock` writes one to commit)" }, cache("Poetry")),
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
                return Err(Error::usage(
                    "extras and groups apply to uv and Poetry projects; a Pipfile's [packages] are what Pipenv installs for production",
                    "remove `extras` and `groups` from the configuration; move what production needs into [packages]",
                ));
            }
            decide(
                decisions,
                Topic::Virtualenv,
                format!("{in_project} (PIPENV_VENV_IN_PROJECT)"),
                format!("Pipenv {} runs in the builder from its own venv and never reaches the image; the runtime stage gets only the environment it filled", tools.pipenv),
                vec![],
            );
            decide(
                decisions,
                Topic::DependencyLayer,
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
