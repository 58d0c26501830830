//! How an MCP server runs in the image (see `detect::mcp` for what each
//! package does with its address): its command, the environment that makes
//! it listen on every address, and the probe a real MCP request answers.

use super::decide;
use crate::detect::framework::AppTarget;
use crate::detect::mcp::{McpServer, Sdk, Start, Transport};
use crate::error::{Error, Result};
use crate::plan::{Decision, Inputs, Topic};

/// How the image starts the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Serve {
    /// `python FILE` (or `python -m PKG` for a package's `__main__.py`):
    /// what the code's own `run()` does, with the environment given.
    Script { env: Vec<(String, String)> },
    /// uvicorn on the ASGI app the SDK builds: a module-level object, or
    /// the server's app factory (`mcp.streamable_http_app`).
    Uvicorn { spec: String, factory: bool },
    /// `fastmcp run FILE:OBJECT`, as the launch line the team wrote, told
    /// to listen on every address and the image's port.
    FastmcpRun,
}

/// The way to serve `server`, and why; an error when the image cannot
/// serve it as the code does without changing the code.
pub(crate) fn serve(server: &McpServer, port: u16) -> Result<(Serve, String)> {
    let at = format!("{}:{}", server.file, server.line);
    let start = server.start.as_ref().ok_or_else(|| {
        Error::unsupported(
            format!("nothing runs the MCP server built at {at}: no `{}.run(...)` or app object in the code, and no `fastmcp run` line in a Dockerfile, compose file, Procfile, Makefile or shell script (`mcp run` lines are not read)", server.object),
            format!("run it from the code (`if __name__ == \"__main__\": {}.run(transport=\"streamable-http\")`) or set `command` in dockslim.yaml", server.object),
        )
    })?;
    if let Transport::Unresolved(why) = &server.transport {
        return Err(Error::unsupported(
            format!("the MCP server built at {at} runs with a transport dockslim cannot read: {why}"),
            "pass the transport as a literal (`transport=\"streamable-http\"`, `\"sse\"` or `\"stdio\"`), or set `command` and `port` in dockslim.yaml",
        ));
    }
    let (run_file, run_line, unguarded) = match start {
        Start::App {
            module,
            object,
            file,
            line,
        } => {
            return Ok((
                Serve::Uvicorn {
                    spec: format!("{module}:{object}"),
                    factory: false,
                },
                format!("uvicorn serves the ASGI app {file}:{line} builds from the MCP server"),
            ))
        }
        Start::Run {
            file,
            line,
            unguarded,
        } => (file, *line, *unguarded),
        Start::FastmcpRun { file, line } => {
            let why = match server.transport {
                Transport::Stdio => format!("`fastmcp run` at {file}:{line} serves stdio: a client starts the container attached, `docker run -i --rm IMAGE`, and talks to it over stdin and stdout"),
                _ => format!(
                    "the launch line `fastmcp run` at {file}:{line} serves {}; run the same way, with --host 0.0.0.0 and the image's port, since fastmcp binds 127.0.0.1 unless told otherwise",
                    server.transport.name()
                ),
            };
            return Ok((Serve::FastmcpRun, why));
        }
    };
    let runs = format!("{run_file}:{run_line}");
    if server.transport == Transport::Stdio {
        return Ok((
            Serve::Script { env: Vec::new() },
            format!("the MCP server runs over stdio ({runs}): a client starts the container attached, `docker run -i --rm IMAGE`, and talks to it over stdin and stdout"),
        ));
    }
    if server.binds_everywhere() {
        return Ok((
            Serve::Script { env: Vec::new() },
            format!(
                "the code's own run() at {runs} serves {} on every address",
                server.transport.name()
            ),
        ));
    }
    if server.sdk == Sdk::Standalone && server.host.is_none() {
        let mut env = vec![("FASTMCP_HOST".to_string(), "0.0.0.0".to_string())];
        if server.port.is_none() {
            env.push(("FASTMCP_PORT".to_string(), port.to_string()));
        }
        return Ok((
            Serve::Script { env },
            format!("the code's own run() at {runs} serves {}; fastmcp binds 127.0.0.1 unless FASTMCP_HOST says otherwise, so the image sets FASTMCP_HOST=0.0.0.0{}", server.transport.name(), if server.port.is_none() { " and FASTMCP_PORT" } else { "" }),
        ));
    }
    // The code binds 127.0.0.1 (the official SDK's default, which no
    // environment variable changes in current releases): uvicorn serves
    // the app the SDK's run() would have served, on every address.
    let factory = match (server.sdk, &server.transport) {
        (Sdk::Official1 | Sdk::Official2, Transport::Sse) => "sse_app",
        (Sdk::Official1 | Sdk::Official2, _) => "streamable_http_app",
        (Sdk::Standalone, Transport::StreamableHttp) => "http_app",
        (Sdk::Standalone, _) => {
            return Err(loopback_error(
                server,
                &runs,
                "fastmcp's SSE app needs an argument an app factory is not given",
            ));
        }
    };
    if !server.run_options.is_empty() {
        return Err(loopback_error(
            server,
            &runs,
            &format!(
                "run() is given {}, which the app factory uvicorn would call is not",
                server.run_options.join(", ")
            ),
        ));
    }
    if unguarded && run_file == &server.file {
        return Err(loopback_error(
            server,
            &runs,
            "run() is called at module level, so importing the module for uvicorn would start it there",
        ));
    }
    let bound = match &server.host {
        Some(h) => format!("binds {h}"),
        None => {
            "binds 127.0.0.1 (the SDK's default, which no environment variable changes from mcp 1.12.3 on)".to_string()
        }
    };
    let mut why = format!(
        "the code's run() at {runs} {bound}, unreachable from outside the container: uvicorn serves the app that run() serves, {}.{factory}(), on every address, in one process, since sessions live in its memory; what else {run_file} does before run() under `__main__` (argument parsing, logging setup) does not run",
        server.object
    );
    if !server.transport_security {
        why.push_str("; the SDK still accepts only Host 127.0.0.1 and localhost (its DNS-rebinding protection for that default host), so a client reaching it under another name (a compose service, a proxy) gets 421 until the code passes transport_security");
    }
    Ok((
        Serve::Uvicorn {
            spec: format!("{}:{}.{factory}", server.module, server.object),
            factory: true,
        },
        why,
    ))
}

fn loopback_error(server: &McpServer, runs: &str, why: &str) -> Error {
    Error::unsupported(
        format!("the MCP server run at {runs} listens on 127.0.0.1 only, unreachable from outside a container, and dockslim cannot serve it otherwise: {why}"),
        format!("pass host=\"0.0.0.0\" to {}.run(...), or set `command` in dockslim.yaml", server.object),
    )
}

/// The command for `serve`.
pub(super) fn command(
    inputs: &Inputs,
    target: &AppTarget,
    server: &McpServer,
    port: u16,
    decisions: &mut Vec<Decision>,
) -> Result<Vec<String>> {
    let (serve, why) = serve(server, port)?;
    let words: Vec<String> = match &serve {
        Serve::Script { .. } => match target.file.strip_suffix("/__main__.py") {
            Some(package) => vec!["python".into(), "-m".into(), package.replace('/', ".")],
            None => vec!["python".into(), target.file.clone()],
        },
        Serve::Uvicorn { spec, factory } => uvicorn_words(spec, *factory, port),
        Serve::FastmcpRun => fastmcp_run_words(server, port),
    };
    decide(
        decisions,
        Topic::Command,
        words.join(" "),
        format!("{} ({}): {why}", server.sdk.name(), server.transport.name()),
        inputs.fixes(&[crate::rules::RuleId::DS504]),
    );
    Ok(words)
}

/// `fastmcp run FILE:OBJECT`, with `--transport`, every address, the port
/// and the endpoint's path for an HTTP transport.
fn fastmcp_run_words(server: &McpServer, port: u16) -> Vec<String> {
    let mut w = vec![
        "fastmcp".to_string(),
        "run".into(),
        format!("{}:{}", server.file, server.object),
    ];
    if server.transport.is_http() {
        let transport = match server.transport {
            Transport::Sse => "sse",
            _ => "http",
        };
        w.extend([
            "--transport".into(),
            transport.into(),
            "--host".into(),
            "0.0.0.0".into(),
            "--port".into(),
            port.to_string(),
            "--path".into(),
            server.path.clone(),
        ]);
    }
    w
}

/// `uvicorn SPEC [--factory] --host 0.0.0.0 --port P --workers 1`.
pub(crate) fn uvicorn_words(spec: &str, factory: bool, port: u16) -> Vec<String> {
    let mut w = vec!["uvicorn".to_string(), spec.to_string()];
    if factory {
        w.push("--factory".into());
    }
    w.extend([
        "--host".into(),
        "0.0.0.0".into(),
        "--port".into(),
        port.to_string(),
        // Stateful sessions live in one process: WEB_CONCURRENCY, which
        // uvicorn would read, must not split them.
        "--workers".into(),
        "1".into(),
    ]);
    w
}

/// What the server reads from the environment to listen where the image
/// says (fastmcp's FASTMCP_HOST and FASTMCP_PORT).
pub(super) fn env(server: &McpServer, port: u16) -> Vec<(String, String)> {
    match serve(server, port) {
        Ok((Serve::Script { env }, _)) => env,
        _ => Vec::new(),
    }
}

/// The image's own `fastmcp run` on the server's file, over HTTP, with
/// neither `--host` nor FASTMCP_HOST naming an address others reach: it
/// binds 127.0.0.1 (checked with fastmcp 4.2.3, which reads FASTMCP_HOST
/// when the line gives no --host).
fn fastmcp_run_on_loopback(
    server: &McpServer,
    words: &[String],
    host_env: Option<&str>,
    port: u16,
) -> Option<String> {
    let at = words
        .windows(2)
        .position(|w| w[0].rsplit('/').next() == Some("fastmcp") && w[1] == "run")?;
    let args = &words[at + 2..];
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let file = args.first()?.split(':').next()?;
    if name(file) != name(&server.file) {
        return None;
    }
    let value = |flags: &[&str]| {
        args.iter()
            .enumerate()
            .find_map(|(i, w)| match w.split_once('=') {
                Some((k, v)) if flags.contains(&k) => Some(v.to_string()),
                _ if flags.contains(&w.as_str()) => args.get(i + 1).cloned(),
                _ => None,
            })
    };
    if !matches!(
        value(&["--transport", "-t"]).as_deref(),
        Some("http" | "streamable-http" | "sse")
    ) {
        return None;
    }
    let loopback = |h: &str| matches!(h, "127.0.0.1" | "localhost" | "::1");
    match (value(&["--host"]), host_env) {
        (Some(h), _) if !loopback(&h) => None,
        (None, Some(h)) if !loopback(h) => None,
        _ => Some(format!(
            "`fastmcp run` binds 127.0.0.1 unless --host or FASTMCP_HOST says otherwise; set `ENV FASTMCP_HOST=0.0.0.0`{}",
            if value(&["--port"]).is_none() && port != 8000 {
                format!(" and FASTMCP_PORT={port}")
            } else {
                String::new()
            }
        )),
    }
}

/// Why an existing Dockerfile's image serves the MCP server on 127.0.0.1
/// only, unreachable through a published port, and what fixes it; None
/// when it does not (stdio, the code binds every address, fastmcp given
/// FASTMCP_HOST, a command other than `python` on the run file).
pub(crate) fn loopback_in(
    server: &McpServer,
    intent: &crate::dockerfile::Intent,
    port: u16,
) -> Option<String> {
    let (cmd, _) = intent.cmd.as_ref()?;
    let mut words = intent
        .entrypoint
        .as_ref()
        .map(|(e, _)| e.words())
        .unwrap_or_default();
    words.extend(cmd.words());
    let host_env = intent
        .env
        .iter()
        .find(|(k, _, _)| k == "FASTMCP_HOST")
        .map(|(_, v, _)| v.as_str());
    if let Some(Start::FastmcpRun { .. }) = &server.start {
        return fastmcp_run_on_loopback(server, &words, host_env, port);
    }
    let Some(Start::Run { file, .. }) = &server.start else {
        return None;
    };
    if !server.transport.is_http() || server.binds_everywhere() {
        return None;
    }
    // Past any wrapper (`tini --`, `dumb-init`, `gosu app`): the
    // interpreter and the file it runs.
    let module = file
        .strip_suffix("/__main__.py")
        .map(|p| p.replace('/', "."));
    // The script by its file name: the image's path to it (`/app/server.py`)
    // and the repository's (`mcp_server/server.py`) differ in their folders
    // when the Dockerfile copies a folder's contents to the WORKDIR.
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let runs_file = python_at(&words).is_some_and(|i| {
        words[i + 1..]
            .iter()
            .any(|w| name(w) == name(file) || module.as_deref() == Some(w.as_str()))
    });
    if !runs_file {
        return None;
    }
    match server.sdk {
        Sdk::Standalone if server.host.is_none() => match host_env {
            Some(h) if !matches!(h, "127.0.0.1" | "localhost" | "::1") => None,
            _ => Some(format!(
                "fastmcp binds 127.0.0.1 unless FASTMCP_HOST says otherwise; set `ENV FASTMCP_HOST=0.0.0.0`{}",
                if server.port.is_none() && port != 8000 {
                    format!(" and FASTMCP_PORT={port}")
                } else {
                    String::new()
                }
            )),
        },
        _ => {
            let fix = match serve(server, port) {
                Ok((Serve::Uvicorn { spec, .. }, _)) => format!(
                    "serve the SDK's app with uvicorn instead: `CMD [\"uvicorn\", \"{spec}\", \"--factory\", \"--host\", \"0.0.0.0\", \"--port\", \"{port}\", \"--workers\", \"1\"]`"
                ),
                _ => format!("pass host=\"0.0.0.0\" to {}.run(...)", server.object),
            };
            let bound = server.host.as_deref().unwrap_or("127.0.0.1");
            Some(format!(
                "{} binds {bound}{}; {fix}",
                server.sdk.name(),
                if server.host.is_none() {
                    " by default and reads no environment variable for it (mcp 1.12.3 and later)"
                } else {
                    ", as the code asks"
                }
            ))
        }
    }
}

/// The index of the Python interpreter among a command's words.
pub(crate) fn python_at(words: &[String]) -> Option<usize> {
    words.iter().position(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        name.strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })
}

/// The HEALTHCHECK command that proves an MCP request works, and what it
/// asks: streamable HTTP answers an `initialize` POST (the session it opens
/// is closed with DELETE, so probes do not pile sessions up); SSE opens its
/// event stream.
pub(super) fn probe(server: &McpServer, port: u16) -> (Vec<String>, String) {
    let url = format!("http://127.0.0.1:{port}{}", server.path);
    let (code, what) = match server.transport {
        Transport::Sse => (
            format!("import urllib.request as u; u.urlopen(u.Request('{url}', headers={{'Accept': 'text/event-stream'}}), timeout=4).close()"),
            format!("GET {url} opens the SSE stream"),
        ),
        _ => (
            format!(
                "import json, urllib.request as u; url = '{url}'; \
r = u.urlopen(u.Request(url, data=json.dumps(dict(jsonrpc='2.0', id=1, method='initialize', params=dict(protocolVersion='2025-06-18', capabilities={{}}, clientInfo=dict(name='healthcheck', version='1')))).encode(), \
headers={{'Content-Type': 'application/json', 'Accept': 'application/json, text/event-stream'}}), timeout=4); \
s = r.headers.get('mcp-session-id'); r.read(); \
s and u.urlopen(u.Request(url, method='DELETE', headers={{'mcp-session-id': s}}), timeout=4)"
            ),
            format!("POST {url} answers an MCP initialize request (its session then closed with DELETE)"),
        ),
    };
    (vec!["python".into(), "-c".into(), code], what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(sdk: Sdk, transport: Transport, host: Option<&str>) -> McpServer {
        McpServer {
            sdk,
            object: "mcp".into(),
            module: "server".into(),
            file: "server.py".into(),
            line: 3,
            transport,
            start: Some(Start::Run {
                file: "server.py".into(),
                line: 20,
                unguarded: false,
            }),
            host: host.map(str::to_string),
            port: None,
            path: "/mcp".into(),
            run_options: Vec::new(),
            transport_security: false,
            auth: false,
        }
    }

    #[test]
    fn fastmcp_is_told_its_address_by_the_environment() {
        let s = server(Sdk::Standalone, Transport::StreamableHttp, None);
        let (serve, why) = serve(&s, 8000).unwrap();
        assert_eq!(
            serve,
            Serve::Script {
                env: vec![
                    ("FASTMCP_HOST".into(), "0.0.0.0".into()),
                    ("FASTMCP_PORT".into(), "8000".into())
                ]
            }
        );
        assert!(why.contains("FASTMCP_HOST=0.0.0.0"), "{why}");
    }

    #[test]
    fn the_official_sdk_on_loopback_is_served_by_uvicorn_on_its_factory() {
        for (sdk, transport, factory) in [
            (
                Sdk::Official1,
                Transport::StreamableHttp,
                "streamable_http_app",
            ),
            (Sdk::Official2, Transport::Sse, "sse_app"),
        ] {
            let (serve, why) = serve(&server(sdk, transport, None), 8000).unwrap();
            assert_eq!(
                serve,
                Serve::Uvicorn {
                    spec: format!("server:mcp.{factory}"),
                    factory: true
                }
            );
            assert!(why.contains("421"), "{why}");
        }
        // Bound everywhere by the code: its own run() is the command.
        let s = server(Sdk::Official1, Transport::StreamableHttp, Some("0.0.0.0"));
        assert_eq!(serve(&s, 8000).unwrap().0, Serve::Script { env: vec![] });
    }

    #[test]
    fn what_a_factory_would_lose_is_refused_with_a_hint() {
        let mut s = server(Sdk::Official2, Transport::StreamableHttp, None);
        s.run_options = vec!["stateless_http".into()];
        let e = serve(&s, 8000).unwrap_err();
        assert!(e.to_string().contains("stateless_http"), "{e}");
        assert!(e.hint().unwrap().contains("host=\"0.0.0.0\""));
        let mut s = server(Sdk::Official1, Transport::StreamableHttp, None);
        s.start = Some(Start::Run {
            file: "server.py".into(),
            line: 9,
            unguarded: true,
        });
        assert!(serve(&s, 8000).is_err());
        s.start = None;
        assert!(serve(&s, 8000)
            .unwrap_err()
            .to_string()
            .contains("no `fastmcp run` line"));
    }

    #[test]
    fn stdio_runs_the_script() {
        let s = server(Sdk::Official1, Transport::Stdio, None);
        let (serve, why) = serve(&s, 0).unwrap();
        assert_eq!(serve, Serve::Script { env: vec![] });
        assert!(why.contains("docker run -i"), "{why}");
    }

    #[test]
    fn a_dockerfile_that_runs_the_server_on_loopback_is_found() {
        let intent = |text: &str| {
            crate::dockerfile::Dockerfile::parse(text, "Dockerfile")
                .unwrap()
                .intent()
        };
        let plain = intent("FROM python:3.12\nCOPY . .\nCMD [\"python\", \"server.py\"]\n");
        let s = server(Sdk::Standalone, Transport::StreamableHttp, None);
        let why = loopback_in(&s, &plain, 8000).unwrap();
        assert!(why.contains("ENV FASTMCP_HOST=0.0.0.0"), "{why}");
        // The repository's mcp_server/server.py, copied to the WORKDIR.
        let mut nested = s.clone();
        nested.start = Some(Start::Run {
            file: "mcp_server/server.py".into(),
            line: 20,
            unguarded: false,
        });
        assert!(loopback_in(&nested, &plain, 8000).is_some());
        let told =
            intent("FROM python:3.12\nENV FASTMCP_HOST=0.0.0.0\nCMD python /app/server.py\n");
        assert_eq!(loopback_in(&s, &told, 8000), None);
        let s = server(Sdk::Official1, Transport::StreamableHttp, None);
        let why = loopback_in(&s, &told, 8000).unwrap();
        assert!(
            why.contains("\"server:mcp.streamable_http_app\", \"--factory\""),
            "{why}"
        );
        // Another command, stdio, or a server bound everywhere: nothing.
        let other = intent("FROM python:3.12\nCMD [\"uvicorn\", \"server:app\"]\n");
        assert_eq!(loopback_in(&s, &other, 8000), None);
        assert_eq!(
            loopback_in(
                &server(Sdk::Official1, Transport::Stdio, None),
                &plain,
                8000
            ),
            None
        );
        let everywhere = server(Sdk::Official2, Transport::Sse, Some("0.0.0.0"));
        assert_eq!(loopback_in(&everywhere, &plain, 8000), None);
    }

    #[test]
    fn probes_ask_a_real_mcp_request() {
        let (cmd, what) = probe(
            &server(Sdk::Standalone, Transport::StreamableHttp, None),
            8000,
        );
        assert!(cmd[2].contains("method='initialize'") && cmd[2].contains("method='DELETE'"));
        assert!(what.starts_with("POST http://127.0.0.1:8000/mcp"), "{what}");
        let mut s = server(Sdk::Official1, Transport::Sse, None);
        s.path = "/sse".into();
        assert!(probe(&s, 8000).0[2].contains("'http://127.0.0.1:8000/sse'"));
    }
}
