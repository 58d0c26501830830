//! The `development` target of a generated Python Dockerfile (`targets:
//! [development]`): a stage on top of the builder that adds the
//! development dependencies, and a stage that runs the framework's
//! reloading server as the same non-root user, the source expected as a
//! bind mount. Production stays the last stage, unchanged, so `docker build
//! .` builds what it builds without the setting.

use serde::Serialize;

use super::{decide, CopyGroup, PythonPlan};
use crate::detect::framework::{Framework, Interface};
use crate::detect::{Manager, Server};
use crate::error::{Error, Result};
use crate::plan::{Decision, Inputs, Topic};

/// Where the development stage keeps the virtualenv: outside the WORKDIR,
/// which a bind mount of the source hides (Poetry and Pipenv fill
/// `/app/.venv`, which the mount would replace with the host's folder).
const DEV_VENV: &str = "/opt/venv";

/// pip's development requirement files, in the order they are looked for.
const PIP_DEV_FILES: &[&str] = &[
    "requirements-dev.txt",
    "requirements/dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "requirements/development.txt",
];

/// The development stages of a Python image.
#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentStage {
    /// The install of the development dependencies, in a stage on the
    /// builder; `None` when the project declares none (pip without a
    /// development requirements file): the builder's venv is used as is.
    pub install: Option<DevInstall>,
    /// The virtualenv the development stage copies from the stage before.
    pub from_venv: String,
    /// Where it goes in the development stage (outside the bind mount).
    pub venv: String,
    /// The reloading server.
    pub cmd: Vec<String>,
    /// What the image makes under the WORKDIR that a bind mount of the
    /// source would hide (the built frontend), kept as anonymous volumes.
    pub volumes: Vec<String>,
}

/// The development dependencies' install.
#[derive(Debug, Clone, Serialize)]
pub struct DevInstall {
    /// Files copied before the install (the development requirement files
    /// the builder did not copy).
    pub copies: Vec<CopyGroup>,
    /// The BuildKit cache the install uses, when cache mounts are on.
    pub cache: Option<&'static str>,
    pub run: String,
}

/// The development stage's plan, or an error when the app has no
/// reloading server dockslim knows (a Gradio app, a service with no HTTP)
/// or the profile's runtime cannot run one (distroless: no shell).
pub(crate) fn plan(
    inputs: &Inputs,
    p: &PythonPlan,
    decisions: &mut Vec<Decision>,
) -> Result<DevelopmentStage> {
    if p.distroless.is_some() {
        return Err(Error::usage(
            "targets: the development target is not built on a distroless profile: a development image wants a shell and pip, which distroless leaves out",
            "generate the development image with the `python` profile (`--profile python`), or remove `development` from `targets`",
        ));
    }
    let install = install(inputs, p)?;
    match &install {
        Some(i) => decide(
            decisions,
            Topic::DevelopmentTarget,
            format!("development stage: {}", i.run),
            "`targets: [development]`: a stage on the builder adds the development dependencies; the development stage runs the reloading server as the same non-root user, before the runtime stage, which stays last so `docker build .` builds production",
            vec![],
        ),
        None => decide(
            decisions,
            Topic::DevelopmentTarget,
            "development stage: the builder's venv",
            format!("`targets: [development]`: no development requirements file ({}) is in the repository, so the development stage gets the production venv; it runs the reloading server as the same non-root user, before the runtime stage, which stays last so `docker build .` builds production", PIP_DEV_FILES.join(", ")),
            vec![],
        ),
    }
    let cmd = reload_command(inputs, p)?;
    decide(
        decisions,
        Topic::DevelopmentCommand,
        cmd.join(" "),
        "the framework's own reloading server, run by the venv's python (`python -m`, `python manage.py`) rather than a console script whose first line names the builder's venv; the source is expected as a bind mount on the WORKDIR, and the stage copies it too so the image also runs without one",
        vec![],
    );
    let volumes = p
        .frontend
        .iter()
        .map(|f| format!("{}/{}", p.workdir.trim_end_matches('/'), f.output))
        .collect();
    Ok(DevelopmentStage {
        volumes,
        from_venv: p.venv.clone(),
        venv: DEV_VENV.to_string(),
        install,
        cmd,
    })
}

/// The manager's install of the development dependencies, on top of the
/// builder's venv (which already holds the production ones).
fn install(inputs: &Inputs, p: &PythonPlan) -> Result<Option<DevInstall>> {
    let py = &inputs.project.python;
    let has_group = |name: &str| {
        py.declared
            .as_ref()
            .is_some_and(|d| d.groups.contains_key(name))
    };
    let tool = p.tool.as_ref();
    let (cache, run, copies) = match py.manager {
        Manager::Pip => {
            let Some(dev) = PIP_DEV_FILES
                .iter()
                .find(|f| inputs.repo.exists(f))
                .copied()
            else {
                return Ok(None);
            };
            let set = crate::detect::requirements::read_set(inputs.repo, dev)?;
            let copied: Vec<&String> = p
                .requirement_copies
                .iter()
                .flat_map(|g| &g.sources)
                .collect();
            let missing: Vec<String> = set
                .files
                .iter()
                .filter(|f| !copied.contains(f))
                .cloned()
                .collect();
            let no_cache = if p.cache_mounts {
                ""
            } else {
                " --no-cache-dir"
            };
            let index: String = p.index_options.iter().map(|o| format!(" {o}")).collect();
            (
                "/root/.cache/pip",
                format!(
                    "pip --python {}/bin/python install{no_cache}{index} -r {} -r {dev}",
                    p.venv, p.requirement_entry
                ),
                group_by_folder(&missing),
            )
        }
        Manager::Uv => {
            let tool = tool.ok_or_else(|| Error::bug("a uv plan without its tool"))?;
            // The production syncs leave the dev group out with --no-dev;
            // the project's sync after the source copy is editable here, so
            // a packaged project imports from the bind-mounted source.
            let base = tool
                .project_flags
                .as_ref()
                .unwrap_or(&tool.dependency_flags);
            let mut flags: Vec<String> = base
                .iter()
                .filter(|f| *f != "--no-dev" && *f != "--no-editable")
                .cloned()
                .collect();
            if has_group("dev") && !inputs.config.groups.iter().any(|g| g == "dev") {
                flags.extend(["--group".to_string(), "dev".to_string()]);
            }
            (
                "/root/.cache/uv",
                format!("uv sync {}", flags.join(" ")),
                Vec::new(),
            )
        }
        Manager::Poetry => {
            let tool = tool.ok_or_else(|| Error::bug("a Poetry plan without its tool"))?;
            // `--only main` becomes the main group with the dev group.
            let mut flags = Vec::new();
            let mut it = tool.dependency_flags.iter();
            while let Some(f) = it.next() {
                if f == "--only" {
                    let only = it.next().cloned().unwrap_or_default();
                    let mut with: Vec<&str> = only.split(',').filter(|g| *g != "main").collect();
                    if has_group("dev") && !with.contains(&"dev") {
                        with.insert(0, "dev");
                    }
                    if !with.is_empty() {
                        flags.extend(["--with".to_string(), with.join(",")]);
                    }
                } else {
                    flags.push(f.clone());
                }
            }
            (
                "/root/.cache/pypoetry",
                format!("/opt/poetry/bin/poetry install {}", flags.join(" ")),
                Vec::new(),
            )
        }
        Manager::Pipenv => (
            "/root/.cache/pip",
            "/opt/pipenv/bin/pipenv sync --dev".to_string(),
            Vec::new(),
        ),
    };
    Ok(Some(DevInstall {
        copies,
        cache: p.cache_mounts.then_some(cache),
        run,
    }))
}

/// Files grouped by folder, one COPY each, as the builder copies them.
pub(super) fn group_by_folder(files: &[String]) -> Vec<CopyGroup> {
    let mut groups: Vec<CopyGroup> = Vec::new();
    for file in files {
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
    groups
}

/// The framework's reloading server on the production port, listening on
/// every interface of the container.
fn reload_command(inputs: &Inputs, p: &PythonPlan) -> Result<Vec<String>> {
    let py = &inputs.project.python;
    let target = py.web.targets.first().ok_or_else(|| {
        Error::unsupported(
            "targets: the development target runs the framework's reloading server, and no web application was found",
            "remove `development` from `targets`",
        )
    })?;
    let port = p.port.to_string();
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Ok(match target.framework {
        Framework::Flask => {
            let mut cmd = words(&["python", "-m", "flask", "--app"]);
            cmd.push(target.spec());
            cmd.extend(words(&["run", "--debug", "--host", "0.0.0.0", "--port"]));
            cmd.push(port);
            cmd
        }
        Framework::FastApi | Framework::Starlette => {
            let has_uvicorn = py.servers.contains(&Server::Uvicorn)
                || p.extra_packages.iter().any(|x| x.starts_with("uvicorn"));
            if !has_uvicorn {
                return Err(Error::unsupported(
                    format!("targets: the development target reloads {} with uvicorn --reload, and uvicorn is not among the dependencies", target.framework.name()),
                    "add uvicorn to the development dependencies, or remove `development` from `targets`",
                ));
            }
            let spec = target.spec();
            let mut cmd = words(&["python", "-m", "uvicorn"]);
            match spec.strip_suffix("()") {
                Some(factory) => cmd.extend([factory.to_string(), "--factory".to_string()]),
                None => cmd.push(spec),
            }
            cmd.extend(words(&["--reload", "--host", "0.0.0.0", "--port"]));
            cmd.push(port);
            cmd
        }
        Framework::Django => {
            if !inputs.repo.exists("manage.py") {
                return Err(Error::unsupported(
                    "targets: the development target runs `manage.py runserver`, and there is no manage.py at the repository's root",
                    "remove `development` from `targets`",
                ));
            }
            let mut cmd = words(&["python", "manage.py", "runserver"]);
            cmd.push(format!("0.0.0.0:{port}"));
            cmd
        }
        Framework::Streamlit if target.interface == Interface::Script => {
            let mut cmd = words(&["python", "-m", "streamlit", "run"]);
            cmd.push(target.file.clone());
            cmd.extend(words(&[
                "--server.runOnSave",
                "true",
                "--server.address",
                "0.0.0.0",
                "--server.port",
            ]));
            cmd.push(port);
            cmd
        }
        other => return Err(Error::unsupported(
            format!(
                "targets: dockslim knows no reloading server for a {} app yet",
                other.name()
            ),
            "remove `development` from `targets`, and keep a development Dockerfile of your own",
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The development stage planned for a repository holding `files`,
    /// with `targets: [development]` and the other settings in `sets`.
    fn development(files: &[(&str, &str)], sets: &[&str]) -> Result<DevelopmentStage> {
        let (dir, _) = crate::repo::temp_repo(files);
        let mut all = vec!["targets=development".to_string()];
        all.extend(sets.iter().map(|s| s.to_string()));
        let opts = crate::Options {
            dir: dir.path().to_path_buf(),
            sets: all,
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts)?, &opts)?;
        let plan = proposal.plan.expect("a generated file");
        Ok(plan.python.unwrap().development.unwrap())
    }

    const FLASK: (&str, &str) = (
        "app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/healthz')\ndef health():\n    return 'ok'\n",
    );

    #[test]
    fn pip_installs_the_dev_requirements_beside_the_main_ones() {
        let d = development(
            &[
                FLASK,
                ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
                (
                    "requirements-dev.txt",
                    "-r requirements.txt\n-r requirements/lint.txt\npytest\n",
                ),
                ("requirements/lint.txt", "ruff\n"),
            ],
            &[],
        )
        .unwrap();
        let install = d.install.unwrap();
        assert_eq!(
            install.run,
            "pip --python /opt/venv/bin/python install -r requirements.txt -r requirements-dev.txt"
        );
        // requirements.txt is in the builder already; the rest is copied.
        let copied: Vec<(&str, &str)> = install
            .copies
            .iter()
            .flat_map(|g| g.sources.iter().map(|s| (s.as_str(), g.dest.as_str())))
            .collect();
        assert_eq!(
            copied,
            [
                ("requirements-dev.txt", "./"),
                ("requirements/lint.txt", "requirements/")
            ]
        );
        assert_eq!(install.cache, Some("/root/.cache/pip"));
        assert_eq!(
            d.cmd,
            [
                "python", "-m", "flask", "--app", "app:app", "run", "--debug", "--host", "0.0.0.0",
                "--port", "5000"
            ]
        );
        assert_eq!(
            (d.from_venv.as_str(), d.venv.as_str()),
            ("/opt/venv", "/opt/venv")
        );
    }

    #[test]
    fn pip_without_a_dev_file_runs_the_production_venv() {
        let d = development(
            &[FLASK, ("requirements.txt", "flask==3.1.0\n")],
            &["cache-mounts=false"],
        )
        .unwrap();
        assert!(d.install.is_none());
    }

    #[test]
    fn without_cache_mounts_pip_keeps_no_cache() {
        let d = development(
            &[
                FLASK,
                ("requirements.txt", "flask==3.1.0\n"),
                ("requirements/dev.txt", "pytest\n"),
            ],
            &["cache-mounts=false"],
        )
        .unwrap();
        let install = d.install.unwrap();
        assert_eq!(install.cache, None);
        assert!(
            install.run.contains("install --no-cache-dir -r"),
            "{}",
            install.run
        );
    }

    #[test]
    fn poetry_adds_the_dev_group_and_pipenv_its_dev_packages() {
        let pyproject = "[tool.poetry]\nname = \"shop\"\nversion = \"0.1.0\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3.1\"\n\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n";
        let d = development(&[FLASK, ("pyproject.toml", pyproject)], &[]).unwrap();
        let install = d.install.unwrap();
        assert_eq!(
            install.run,
            "/opt/poetry/bin/poetry install --with dev --no-root --no-directory"
        );
        // Poetry fills /app/.venv, which a bind mount on /app would hide.
        assert_eq!(
            (d.from_venv.as_str(), d.venv.as_str()),
            ("/app/.venv", "/opt/venv")
        );

        let pipfile = "[packages]\nflask = \"*\"\n\n[dev-packages]\npytest = \"*\"\n";
        let d = development(
            &[FLASK, ("Pipfile", pipfile), ("Pipfile.lock", "{\"_meta\": {}, \"default\": {\"flask\": {\"version\": \"==3.1.0\"}}, \"develop\": {}}")],
            &[],
        )
        .unwrap();
        assert_eq!(d.install.unwrap().run, "/opt/pipenv/bin/pipenv sync --dev");
    }

    #[test]
    fn each_framework_gets_its_reloading_server() {
        // Flask's CLI calls an app factory itself.
        let d = development(
            &[
                (
                    "shop/__init__.py",
                    "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
                ),
                ("requirements.txt", "flask\n"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            &d.cmd[..5],
            ["python", "-m", "flask", "--app", "shop:create_app()"]
        );
        let d = development(
            &[
                ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
                ("requirements.txt", "fastapi\nuvicorn\n"),
            ],
            &["port=9000"],
        )
        .unwrap();
        assert_eq!(
            d.cmd,
            [
                "python", "-m", "uvicorn", "main:app", "--reload", "--host", "0.0.0.0", "--port",
                "9000"
            ]
        );
        let d = development(
            &[
                (
                    "streamlit_app.py",
                    "import streamlit as st\nst.title('x')\n",
                ),
                ("requirements.txt", "streamlit\n"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            &d.cmd[..5],
            ["python", "-m", "streamlit", "run", "streamlit_app.py"]
        );
        assert!(d
            .cmd
            .windows(2)
            .any(|w| w == ["--server.runOnSave", "true"]));
    }

    #[test]
    fn an_app_without_a_known_reloader_is_refused_with_the_way_out() {
        let err = development(
            &[
                ("app.py", "import gradio as gr\ngr.Interface(fn=str, inputs='text', outputs='text').launch()\n"),
                ("requirements.txt", "gradio\n"),
            ],
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no reloading server for a Gradio app"),
            "{err}"
        );
        assert!(err
            .hint()
            .unwrap()
            .contains("remove `development` from `targets`"));
    }

    #[test]
    fn distroless_is_refused() {
        let err = development(
            &[FLASK, ("requirements.txt", "flask==3.1.0\n")],
            &["profile=python-distroless"],
        )
        .unwrap_err();
        assert!(err.to_string().contains("distroless"), "{err}");
    }

    #[test]
    fn dev_files_group_by_folder_like_the_builder() {
        let groups = group_by_folder(&[
            "requirements/dev.txt".to_string(),
            "requirements/test.txt".to_string(),
            "requirements-dev.txt".to_string(),
        ]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].dest, "requirements/");
        assert_eq!(
            groups[0].sources,
            ["requirements/dev.txt", "requirements/test.txt"]
        );
        assert_eq!(groups[1].dest, "./");
    }
}
