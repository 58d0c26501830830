//! The port, the production server and its command, and the server
//! packages the requirements lack.

use super::decide;
use crate::detect::framework::{Framework, Interface};
use crate::detect::mcp::Transport;
use crate::detect::Server;
use crate::dockerfile::shell;
use crate::error::{Error, Result};
use crate::plan::{Decision, Inputs, Topic};

/// Port: configuration, the code, the framework's default.
pub(super) fn choose_port(inputs: &Inputs, decisions: &mut Vec<Decision>) -> u16 {
    let py = &inputs.project.python;
    let (port, why) = if let Some(p) = inputs.config.port {
        (p, "set in the configuration".to_string())
    } else if let Some(server) = stdio_mcp(inputs) {
        decide(
            decisions,
            Topic::Port,
            "none",
            format!(
                "an MCP server over stdio ({}:{}) is not a network service: it talks over stdin and stdout to the client that starts it, so the image exposes no port",
                server.file, server.line
            ),
            vec![],
        );
        return 0;
    } else if let Some((p, file, line)) = &py.web.code_port {
        (*p, format!("the port the code runs on at {file}:{line}"))
    } else if py.web.framework() == Some(Framework::Service) {
        decide(
            decisions,
            Topic::Port,
            "none",
            "a long-running script that serves no HTTP: the image exposes no port",
            vec![],
        );
        return 0;
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

/// The MCP server the image runs, when it talks over stdio.
pub(crate) fn stdio_mcp<'a>(inputs: &'a Inputs) -> Option<&'a crate::detect::mcp::McpServer> {
    let web = &inputs.project.python.web;
    web.mcp
        .as_ref()
        .filter(|s| web.framework() == Some(Framework::Mcp) && s.transport == Transport::Stdio)
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

/// The CMD: the configuration's command, else the production server's.
pub(super) fn command(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
) -> Result<Vec<String>> {
    if let Some(cmd) = &inputs.config.command {
        let words = cmd.words();
        decide(
            decisions,
            Topic::Command,
            words.join(" "),
            "set in the configuration",
            vec![],
        );
        return Ok(words);
    }
    server_command(inputs, port, decisions)
}

pub(crate) fn server_command(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
) -> Result<Vec<String>> {
    let py = &inputs.project.python;
    let target = py.web.targets.first().ok_or_else(|| {
        Error::unsupported(
            "no web application object found (looked for Flask(...), FastAPI(...), Starlette(...), an app factory, and Django's manage.py)",
            "set `command` in dockslim.yaml or pass --set command=\"gunicorn app:app\" with the command that starts it",
        )
    })?;
    if let Some(server) = py
        .web
        .mcp
        .as_ref()
        .filter(|_| target.framework == Framework::Mcp)
    {
        return super::mcp::command(inputs, target, server, port, decisions);
    }
    if target.interface == Interface::Script {
        return Ok(script_command(inputs, target, port, decisions));
    }
    let spec = target.spec();
    let bind = format!("0.0.0.0:{port}");
    // With no server among the dependencies, the interface's usual one;
    // `missing_servers` then installs the profile's pinned version of it.
    let server = match (py.servers.first(), target.interface) {
        (Some(s), _) => *s,
        (None, Interface::Wsgi) => Server::Gunicorn,
        (None, Interface::Asgi | Interface::Script) => Server::Uvicorn,
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
    let channels = py
        .web
        .django
        .as_ref()
        .and_then(|d| d.channels.as_ref())
        .filter(|_| target.interface == Interface::Asgi)
        .map_or(String::new(), |c| {
            format!(
                "; Django Channels (`{}` in INSTALLED_APPS at {}:{}) serves its websockets from the ASGI application only, so no WSGI server runs it",
                c.value, c.file, c.line
            )
        });
    decide(
        decisions,
        Topic::Command,
        words.join(" "),
        format!(
            "{} serves the {} app {spec} found at {}:{}; {}{channels}",
            server.name(),
            target.framework.name(),
            target.file,
            target.line,
            match server {
                // daphne has no worker processes: one serves every connection.
                Server::Daphne => "daphne runs one process; scale it with replicas",
                _ => "worker processes come from WEB_CONCURRENCY",
            }
        ),
        inputs.fixes(&[
            crate::rules::RuleId::DS502,
            crate::rules::RuleId::DS503,
            crate::rules::RuleId::DS504,
        ]),
    );
    Ok(words)
}

/// The command of a script app: `streamlit run` with the server settings a
/// container needs (every address, the port, no browser, no usage
/// statistics sent home), or `python` for a Gradio script, which reads
/// its address and port from GRADIO_SERVER_NAME and GRADIO_SERVER_PORT
/// (set in the image's ENV, see `app_env`).
fn script_command(
    inputs: &Inputs,
    target: &crate::detect::framework::AppTarget,
    port: u16,
    decisions: &mut Vec<Decision>,
) -> Vec<String> {
    let (words, how): (Vec<String>, &str) = match target.framework {
        Framework::Streamlit => (
            vec![
                "streamlit".into(),
                "run".into(),
                target.file.clone(),
                format!("--server.port={port}"),
                "--server.address=0.0.0.0".into(),
                "--server.headless=true".into(),
                "--browser.gatherUsageStats=false".into(),
            ],
            "streamlit serves the script",
        ),
        Framework::Service => (
            vec!["python".into(), target.file.clone()],
            "the long-running script; it serves no HTTP",
        ),
        _ => (
            vec!["python".into(), target.file.clone()],
            "the script's launch() serves it, on the address and port GRADIO_SERVER_NAME and GRADIO_SERVER_PORT set",
        ),
    };
    decide(
        decisions,
        Topic::Command,
        words.join(" "),
        format!(
            "{how}: the {} app at {}:{}",
            target.framework.name(),
            target.file,
            target.line
        ),
        inputs.fixes(&[crate::rules::RuleId::DS504]),
    );
    words
}

/// What a script app reads from the environment to listen where the image
/// says: Gradio's address and port (Streamlit takes them as flags).
pub(crate) fn app_env(inputs: &Inputs, port: u16) -> Vec<(String, String)> {
    match inputs.project.python.web.targets.first() {
        Some(t) if t.framework == Framework::Gradio && inputs.config.command.is_none() => vec![
            ("GRADIO_SERVER_NAME".into(), "0.0.0.0".into()),
            ("GRADIO_SERVER_PORT".into(), port.to_string()),
        ],
        Some(t) if t.framework == Framework::Mcp && inputs.config.command.is_none() => inputs
            .project
            .python
            .web
            .mcp
            .as_ref()
            .map(|s| super::mcp::env(s, port))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
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
    // uvicorn answers a websocket upgrade only with a websocket library
    // (`uvicorn[standard]` brings one): Django Channels' routes need it.
    let uvicorn = program == "uvicorn" || needed.contains(&"uvicorn");
    let py = &inputs.project.python;
    let channels = py.web.django.as_ref().is_some_and(|d| d.channels.is_some());
    let has_ws = ["websockets", "wsproto"]
        .iter()
        .any(|n| py.requirements.has(n) || py.locked.iter().any(|l| l == n))
        || py
            .requirements
            .get("uvicorn")
            .is_some_and(|r| r.extras.iter().any(|e| e == "standard"));
    if uvicorn && channels && !has_ws {
        needed.push("websockets");
    }
    if words[i.min(words.len())..]
        .iter()
        .any(|w| w.contains("uvicorn_worker."))
    {
        needed.push("uvicorn-worker");
    }
    let set = &inputs.project.python.requirements;
    // The MCP packages install uvicorn themselves (it serves their run()).
    let provided = |dist: &str| {
        dist == "uvicorn"
            && inputs
                .project
                .python
                .web
                .mcp
                .as_ref()
                .is_some_and(|s| set.has(s.sdk.package()))
    };
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
        if set.has(dist) || provided(dist) {
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
        let runs = if dist == "websockets" {
            "the command runs uvicorn for Django Channels, whose websocket routes uvicorn answers only with a websocket library; the requirements install none (neither websockets, wsproto nor uvicorn[standard])".to_string()
        } else {
            format!("the command runs {dist}, which the requirements do not install")
        };
        decide(
            decisions,
            Topic::ServerPackage,
            spec.clone(),
            format!("{runs}, so the venv gets {source}"),
            inputs.fixes(&[crate::rules::RuleId::DS503]),
        );
        out.push(spec);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
