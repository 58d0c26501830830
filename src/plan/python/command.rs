//! The port, the production server and its command, and the server
//! packages the requirements lack.

use super::decide;
use crate::detect::framework::{Framework, Interface};
use crate::detect::Server;
use crate::dockerfile::{shell, Command};
use crate::error::{Error, Result};
use crate::plan::{Decision, Inputs, Topic};
use crate::rules::dev_server_kind;

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
    decide(decisions, Topic::Port, port.to_string(), why, vec![]);
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
pub(super) fn command(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
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
            decide(
                decisions,
                Topic::Entrypoint,
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
            Topic::Command,
            words.join(" "),
            "set in the configuration",
            vec![],
        );
        return Ok((entrypoint, words));
    }
    if let Some((cmd, line)) = &intent.cmd {
        let mut words = exec(cmd);
        if let Some(direct) = without_runner(&words) {
            words = direct;
        }
        match dev_server_kind(&words, inputs.repo) {
            None => {
                decide(
                    decisions,
                    Topic::Command,
                    words.join(" "),
                    format!("kept from the existing CMD at line {line}"),
                    inputs.fixes(&[crate::rules::RuleId::DS504]),
                );
                return Ok((entrypoint, words));
            }
            Some(_) => return Ok((entrypoint, server_command(inputs, port, decisions)?)),
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
        Topic::Command,
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
            Topic::ServerPackage,
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
pub(super) fn script_in_repo(inputs: &Inputs, word: &str, workdir: &str) -> Option<String> {
    let rel = word
        .strip_prefix(&format!("{}/", workdir.trim_end_matches('/')))
        .unwrap_or(word)
        .trim_start_matches("./");
    (inputs.repo.exists(rel) && (rel.ends_with(".sh") || !rel.contains('.')))
        .then(|| format!("{}/{}", workdir.trim_end_matches('/'), rel))
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
}
