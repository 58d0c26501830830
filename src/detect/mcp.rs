//! MCP servers (Model Context Protocol): a server object built with the
//! official `mcp` SDK (`FastMCP` from `mcp.server.fastmcp` in 1.x, renamed
//! `MCPServer` in `mcp.server.mcpserver` in 2.x) or the standalone
//! `fastmcp` package, and how the code starts it: `run()` with a transport,
//! or a module-level ASGI app (`app = mcp.streamable_http_app()`).
//!
//! What each package does with the address matters in a container, and was
//! read from their sources (mcp 1.9.4 to 1.30.0 and 2.3.0; fastmcp 2.14.7
//! and 4.2.3):
//! - every one binds 127.0.0.1 by default, unreachable from outside;
//! - standalone fastmcp reads FASTMCP_HOST and FASTMCP_PORT (global
//!   settings) when `run()` is given no host or port;
//! - the official SDK does not: 1.x reads FASTMCP_* only up to 1.12.2
//!   (from 1.12.3 the constructor passes its own default host over the
//!   environment), and 2.x has no such setting. Its ASGI app factories
//!   (`streamable_http_app`, `sse_app`) are what `run()` serves, so uvicorn
//!   can serve them on every address instead.
//!
//! A stdio server (no transport, or `transport="stdio"`) is not a network
//! service: it talks over stdin and stdout to the client that starts it.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::py_values::{Program, Target};
use super::route::{Candidate, Route};
use super::script_apps::Launch;
use super::source::{Arg, Expr, Source};

/// Which package builds the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// `mcp` 1.x: `from mcp.server.fastmcp import FastMCP`.
    Official1,
    /// `mcp` 2.x: `from mcp.server.mcpserver import MCPServer`.
    Official2,
    /// The standalone `fastmcp` package (`from fastmcp import FastMCP`).
    Standalone,
}

impl Sdk {
    pub fn name(self) -> &'static str {
        match self {
            Sdk::Official1 => "the mcp SDK's FastMCP (mcp 1.x)",
            Sdk::Official2 => "the mcp SDK's MCPServer (mcp 2.x)",
            Sdk::Standalone => "fastmcp",
        }
    }

    /// The distribution that installs it (and, with it, uvicorn).
    pub fn package(self) -> &'static str {
        match self {
            Sdk::Official1 | Sdk::Official2 => "mcp",
            Sdk::Standalone => "fastmcp",
        }
    }
}

/// How the server talks to its clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// stdin and stdout of a process the client starts: no network.
    Stdio,
    /// Server-sent events: a GET stream and a POST message endpoint.
    Sse,
    /// Streamable HTTP (`streamable-http`, fastmcp's `http`): one endpoint
    /// that takes POSTed JSON-RPC.
    StreamableHttp,
    /// A transport the code computes (`transport=os.environ[...]`).
    Unresolved(String),
}

impl Transport {
    fn of(value: &str) -> Transport {
        match value {
            "stdio" => Transport::Stdio,
            "sse" => Transport::Sse,
            "http" | "streamable-http" | "streamable_http" => Transport::StreamableHttp,
            other => Transport::Unresolved(format!("`{other}` is not a transport")),
        }
    }

    pub fn is_http(&self) -> bool {
        matches!(self, Transport::Sse | Transport::StreamableHttp)
    }

    pub fn name(&self) -> &str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Sse => "sse",
            Transport::StreamableHttp => "streamable-http",
            Transport::Unresolved(_) => "unknown",
        }
    }
}

/// Where the code starts the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Start {
    /// `mcp.run(...)` (or an async `run_*_async`) in `file`: `python file`
    /// runs it. `unguarded`: the call is at module level, outside any
    /// `__main__` block or function, so importing the module runs it.
    Run {
        file: String,
        line: usize,
        unguarded: bool,
    },
    /// A module-level ASGI app the SDK builds (`app =
    /// mcp.streamable_http_app()`): uvicorn serves `module:object`.
    App {
        module: String,
        object: String,
        file: String,
        line: usize,
    },
    /// `fastmcp run FILE[:OBJECT] --transport http ...` in a launch file
    /// (a Dockerfile, compose file, Procfile, Makefile or shell script) at
    /// `file:line`, for a server whose code has no run() of its own.
    FastmcpRun { file: String, line: usize },
}

/// An MCP server the code builds, and what it says about serving it.
#[derive(Debug, Clone, Serialize)]
pub struct McpServer {
    pub sdk: Sdk,
    /// The server object's name (`mcp`), its module and where it is built.
    pub object: String,
    pub module: String,
    pub file: String,
    pub line: usize,
    pub transport: Transport,
    /// None when nothing in the code runs it (`fastmcp run` or `mcp run`
    /// from the command line): then it is taken as stdio, their default.
    pub start: Option<Start>,
    /// The literal host and port the code passes to `run()` or the
    /// constructor.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The endpoint path (`/mcp`, `/sse`), as the code sets it or the
    /// package's default.
    pub path: String,
    /// Options `run()` is given beyond transport, host and port
    /// (`stateless_http=True`): an app factory called with no arguments
    /// would not get them.
    pub run_options: Vec<String>,
    /// The code passes `transport_security` (the SDK's Host and Origin
    /// allowlist) to the constructor or `run()`.
    pub transport_security: bool,
    /// The constructor's authentication (`auth=`, `token_verifier=`,
    /// `auth_server_provider=`): an MCP request without a token is refused.
    pub auth: bool,
}

impl McpServer {
    /// Whether the code binds every address itself (`host="0.0.0.0"`).
    pub fn binds_everywhere(&self) -> bool {
        self.host
            .as_deref()
            .is_some_and(|h| matches!(h, "0.0.0.0" | "::" | ""))
    }
}

/// The imports that name a server class, and which package each is.
fn sdk_of(src: &Source) -> Option<(Sdk, &'static str)> {
    static FROM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*from[ \t]+(fastmcp|mcp\.server\.fastmcp|mcp\.server\.mcpserver|mcp\.server)(?:\.server)?[ \t]+import[ \t]+(?:\([^)]*?|[^\n(]*?)\b(FastMCP|MCPServer)\b").unwrap()
    });
    static IMPORT_FASTMCP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[ \t]*import[ \t]+fastmcp\b").unwrap());
    if let Some(c) = FROM.captures(&src.code) {
        return match (&c[1], &c[2]) {
            ("fastmcp", "FastMCP") => Some((Sdk::Standalone, "FastMCP")),
            ("mcp.server.fastmcp" | "mcp.server", "FastMCP") => Some((Sdk::Official1, "FastMCP")),
            ("mcp.server.mcpserver" | "mcp.server", "MCPServer") => {
                Some((Sdk::Official2, "MCPServer"))
            }
            _ => None,
        };
    }
    IMPORT_FASTMCP
        .is_match(&src.code)
        .then_some((Sdk::Standalone, "fastmcp.FastMCP"))
}

/// The MCP server of the program: the first module-level server object,
/// with the way the code runs it.
pub fn find(program: &Program, launched: &[Launch]) -> Option<McpServer> {
    for (at, src) in program.sources.iter().enumerate() {
        let Some((sdk, class)) = sdk_of(src) else {
            continue;
        };
        let ctor = Regex::new(&format!(
            r"(?m)^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*{}\(",
            regex::escape(class)
        ))
        .unwrap();
        let Some(c) = ctor.captures(&src.code) else {
            continue;
        };
        let object = c[1].to_string();
        let open = c.get(0).unwrap().end() - 1;
        let ctor_args = src.args(open).map(|(a, _)| a).unwrap_or_default();
        let (module, _) = super::framework::module_of(src.path);
        let mut server = McpServer {
            sdk,
            object,
            module,
            file: src.path.to_string(),
            line: src.line(c.get(0).unwrap().start()),
            // Nothing runs it: `fastmcp run`/`mcp run` default to stdio.
            transport: Transport::Stdio,
            start: None,
            host: None,
            port: None,
            path: String::new(),
            run_options: Vec::new(),
            transport_security: false,
            auth: false,
        };
        // The 1.x constructor takes the settings (host, port, paths).
        let mut settings = kwargs(src, &ctor_args);
        server.auth = settings.iter().any(|(k, _)| {
            matches!(
                k.as_str(),
                "auth" | "token_verifier" | "auth_server_provider"
            )
        });
        if let Some(app) = module_app(src, &server.object) {
            server.transport = app.1;
            server.start = Some(app.0);
        } else if let Some((start, transport, run_args)) = run_call(program, at, &server.object) {
            server.transport = transport;
            server.start = Some(start);
            let run_file = match &server.start {
                Some(Start::Run { file, .. }) => program.index(file).unwrap_or(at),
                _ => at,
            };
            let run_src = &program.sources[run_file];
            let run_settings = kwargs(run_src, &run_args);
            server.run_options = run_settings
                .iter()
                .map(|(k, _)| k.clone())
                .filter(|k| !matches!(k.as_str(), "transport" | "host" | "port" | "show_banner"))
                .collect();
            // What run() says wins over the constructor.
            settings.splice(0..0, run_settings);
        } else if let Some(launch) = fastmcp_launch(&server, launched) {
            server.start = Some(Start::FastmcpRun {
                file: launch.file.clone(),
                line: launch.line,
            });
            // The command line's flags win over the constructor.
            server.transport = match flag(launch, &["--transport", "-t"]) {
                Some(t) => Transport::of(t),
                None => Transport::Stdio, // fastmcp run's default
            };
            let flags = [("host", "--host"), ("port", "--port"), ("path", "--path")];
            for (key, name) in flags {
                if let Some(value) = flag(launch, &[name]) {
                    settings.insert(
                        0,
                        (
                            key.to_string(),
                            Literal {
                                string: Some(value.to_string()),
                                int: value.parse().ok(),
                            },
                        ),
                    );
                }
            }
        }
        let literal = |key: &str| {
            settings
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        server.transport_security = literal("transport_security").is_some();
        server.host = literal("host").and_then(|v| v.string);
        server.port = literal("port").and_then(|v| v.int);
        server.path = endpoint_path(&server, &|k| literal(k).and_then(|v| v.string));
        return Some(server);
    }
    None
}

/// The `fastmcp run` line that runs `server` (a standalone fastmcp
/// server): its file, and its object when the line names one.
fn fastmcp_launch<'a>(server: &McpServer, launched: &'a [Launch]) -> Option<&'a Launch> {
    if server.sdk != Sdk::Standalone {
        return None;
    }
    launched.iter().find(|l| {
        l.framework == super::framework::Framework::Mcp
            && l.script.trim_start_matches("./") == server.file
            && l.object.as_deref().is_none_or(|o| o == server.object)
    })
}

/// The value after the first of `names` on a launch line.
fn flag<'a>(launch: &'a Launch, names: &[&str]) -> Option<&'a str> {
    launch
        .args
        .windows(2)
        .find(|w| names.contains(&w[0].as_str()))
        .map(|w| w[1].as_str())
}

/// A keyword argument's literal value, as far as it is one.
#[derive(Debug, Clone)]
struct Literal {
    string: Option<String>,
    int: Option<u16>,
}

fn kwargs(src: &Source, args: &[Arg]) -> Vec<(String, Literal)> {
    args.iter()
        .filter_map(|a| {
            let key = a.keyword.clone()?;
            let text = src.code[a.span.clone()].trim();
            let string = match src.expr(a.span.clone()) {
                Expr::Str(pieces) => match pieces.as_slice() {
                    [super::source::Piece::Text(t)] => Some(t.clone()),
                    [] => Some(String::new()),
                    _ => None,
                },
                _ => None,
            };
            Some((
                key,
                Literal {
                    string,
                    int: text.parse().ok(),
                },
            ))
        })
        .collect()
}

/// `app = mcp.streamable_http_app()` (or `sse_app()`, fastmcp's
/// `http_app()`) at module level: uvicorn serves that object.
fn module_app(src: &Source, object: &str) -> Option<(Start, Transport)> {
    let re = Regex::new(&format!(
        r"(?m)^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*{}\.(streamable_http_app|sse_app|http_app)\(",
        regex::escape(object)
    ))
    .unwrap();
    let c = re.captures(&src.code)?;
    let open = c.get(0).unwrap().end() - 1;
    let args = src.args(open).map(|(a, _)| a).unwrap_or_default();
    let transport = match &c[2] {
        "sse_app" => Transport::Sse,
        "streamable_http_app" => Transport::StreamableHttp,
        // fastmcp's http_app(transport="sse") builds the SSE app.
        _ => kwargs(src, &args)
            .into_iter()
            .find(|(k, _)| k == "transport")
            .and_then(|(_, v)| v.string)
            .map_or(Transport::StreamableHttp, |t| Transport::of(&t)),
    };
    let (module, _) = super::framework::module_of(src.path);
    Some((
        Start::App {
            module,
            object: c[1].to_string(),
            file: src.path.to_string(),
            line: src.line(c.get(0).unwrap().start()),
        },
        transport,
    ))
}

/// The call that runs the server, in its own file or one that imports it:
/// `mcp.run(transport=...)`, `mcp.run_async(...)` or a transport's own
/// `run_*_async`. Returns where, the transport and the call's arguments.
fn run_call(
    program: &Program,
    defined_in: usize,
    object: &str,
) -> Option<(Start, Transport, Vec<Arg>)> {
    static RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b([A-Za-z_]\w*)\.(run|run_async|run_http_async|run_streamable_http_async|run_sse_async|run_stdio_async)\b")
            .unwrap()
    });
    // The file that defines it first, then the others.
    let order =
        std::iter::once(defined_in).chain((0..program.sources.len()).filter(|&i| i != defined_in));
    for at in order {
        let src = &program.sources[at];
        for c in RUN.captures_iter(&src.code) {
            let name = &c[1];
            let is_ours = match program.resolve(at, name) {
                Some(Target::Object(f, n)) => f == defined_in && n == object,
                _ => false,
            };
            if !is_ours {
                continue;
            }
            let end = c.get(0).unwrap().end();
            let args = (src.code[end..].starts_with('('))
                .then(|| src.args(end).map(|(a, _)| a))
                .flatten()
                .unwrap_or_default();
            let transport = match &c[2] {
                "run_http_async" => {
                    transport_arg(program, at, src, &args).unwrap_or(Transport::StreamableHttp)
                }
                "run_streamable_http_async" => Transport::StreamableHttp,
                "run_sse_async" => Transport::Sse,
                "run_stdio_async" => Transport::Stdio,
                _ => transport_arg(program, at, src, &args).unwrap_or(Transport::Stdio),
            };
            let offset = c.get(0).unwrap().start();
            let line_start = src.code[..offset].rfind('\n').map_or(0, |i| i + 1);
            let start = Start::Run {
                file: src.path.to_string(),
                line: src.line(offset),
                unguarded: line_start == offset,
            };
            return Some((start, transport, args));
        }
    }
    None
}

/// `transport="sse"` or the first positional argument, resolved through
/// module constants.
fn transport_arg(program: &Program, at: usize, src: &Source, args: &[Arg]) -> Option<Transport> {
    let arg = args
        .iter()
        .find(|a| a.keyword.as_deref() == Some("transport"))
        .or_else(|| args.first().filter(|a| a.keyword.is_none()))?;
    let expr = src.expr(arg.span.clone());
    Some(match program.string(at, &expr) {
        Ok(value) => Transport::of(&value),
        Err(why) => Transport::Unresolved(why),
    })
}

/// The endpoint path: what the code sets, else the package's default.
fn endpoint_path(server: &McpServer, setting: &dyn Fn(&str) -> Option<String>) -> String {
    let (key, default) = match server.transport {
        Transport::Sse => ("sse_path", "/sse"),
        _ => ("streamable_http_path", "/mcp"),
    };
    // fastmcp's run(path=...) sets either.
    let path = setting(key)
        .or_else(|| {
            (server.sdk == Sdk::Standalone)
                .then(|| setting("path"))
                .flatten()
        })
        .unwrap_or_else(|| default.to_string());
    // 1.x's mount_path goes before the SSE endpoint.
    match (server.transport.clone(), setting("mount_path")) {
        (Transport::Sse, Some(mount)) => super::route::join(&mount, &path),
        _ => path,
    }
}

/// The server's own HTTP routes (`@mcp.custom_route("/health",
/// methods=["GET"])`), for the healthcheck.
pub fn route_candidates(program: &Program, server: &McpServer) -> Vec<Candidate> {
    let re = Regex::new(&format!(
        r"(?m)^[ \t]*@{}\.custom_route\(",
        regex::escape(&server.object)
    ))
    .unwrap();
    let Some(at) = program.index(&server.file) else {
        return Vec::new();
    };
    let src = &program.sources[at];
    let mut out = Vec::new();
    for c in re.captures_iter(&src.code) {
        let open = c.get(0).unwrap().end() - 1;
        let Some((args, _)) = src.args(open) else {
            continue;
        };
        let path_arg = args
            .iter()
            .find(|a| a.keyword.as_deref() == Some("path"))
            .or_else(|| args.first().filter(|a| a.keyword.is_none()));
        let Some(path) = path_arg.and_then(|a| program.string(at, &src.expr(a.span.clone())).ok())
        else {
            continue;
        };
        let methods = args
            .iter()
            .find(|a| a.keyword.as_deref() == Some("methods"))
            .map(|a| src.text[a.span.clone()].to_string());
        let problem = match &methods {
            Some(m) if m.contains("\"GET\"") || m.contains("'GET'") => None,
            Some(m) => Some(format!("its methods are {}, not GET", m.trim())),
            None => Some("it names no methods".to_string()),
        };
        out.push(Candidate {
            route: Route {
                path,
                file: src.path.to_string(),
                line: src.line(c.get(0).unwrap().start()),
            },
            problem,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(files: &[(&str, &str)]) -> McpServer {
        find(&Program::of_python(files), &[]).expect("an MCP server")
    }

    /// A server with no run() of its own, started by `fastmcp run` in a
    /// launch file: its transport, address, port and path are the line's
    /// flags, in shell or exec form; without --transport it is stdio,
    /// fastmcp's default; a line naming another object, or the official
    /// SDK's server, is not its launch.
    #[test]
    fn a_fastmcp_run_line_starts_a_server_without_run() {
        const SERVER: &str = "from fastmcp import FastMCP\nmcp = FastMCP('notes')\n\n@mcp.tool\ndef add(a: int) -> int:\n    return a\n";
        let with_launch = |launch: (&str, &str), server: &str| {
            let files = [("server.py", server), launch];
            let (_d, repo) = crate::repo::temp_repo(&files);
            let launched = super::super::script_apps::launches(&repo);
            find(&Program::of_python(&files[..1]), &launched).expect("an MCP server")
        };
        let s = with_launch(
            (
                "Makefile",
                "serve:\n\tfastmcp run server.py:mcp --transport http --port=9100 --path /notes\n",
            ),
            SERVER,
        );
        assert_eq!(
            s.start,
            Some(Start::FastmcpRun {
                file: "Makefile".into(),
                line: 2
            })
        );
        assert_eq!(s.transport, Transport::StreamableHttp);
        assert_eq!(
            (s.host.as_deref(), s.port, s.path.as_str()),
            (None, Some(9100), "/notes")
        );
        let s = with_launch(
            ("Dockerfile", "FROM python:3.12-slim\nCMD [\"fastmcp\", \"run\", \"server.py\", \"-t\", \"sse\", \"--host\", \"0.0.0.0\"]\n"),
            SERVER,
        );
        assert_eq!(s.transport, Transport::Sse);
        assert_eq!(
            (s.host.as_deref(), s.path.as_str()),
            (Some("0.0.0.0"), "/sse")
        );
        let s = with_launch(("run.sh", "exec fastmcp run ./server.py\n"), SERVER);
        assert_eq!(s.transport, Transport::Stdio);
        assert!(matches!(s.start, Some(Start::FastmcpRun { .. })));
        for (launch, server) in [
            (
                ("run.sh", "fastmcp run server.py:other --transport http\n"),
                SERVER.to_string(),
            ),
            (
                ("run.sh", "fastmcp run server.py --transport http\n"),
                SERVER.replace(
                    "from fastmcp import FastMCP",
                    "from mcp.server.fastmcp import FastMCP",
                ),
            ),
        ] {
            assert_eq!(with_launch(launch, &server).start, None, "{launch:?}");
        }
    }

    #[test]
    fn standalone_fastmcp_over_streamable_http() {
        let s = found(&[(
            "server.py",
            "from fastmcp import FastMCP\n\nmcp = FastMCP(\"notes\")\n\n@mcp.tool\ndef add(a: int, b: int) -> int:\n    return a + b\n\nif __name__ == \"__main__\":\n    mcp.run(transport=\"http\")\n",
        )]);
        assert_eq!(s.sdk, Sdk::Standalone);
        assert_eq!((s.object.as_str(), s.line), ("mcp", 3));
        assert_eq!(s.transport, Transport::StreamableHttp);
        assert_eq!(
            s.start,
            Some(Start::Run {
                file: "server.py".into(),
                line: 10,
                unguarded: false
            })
        );
        assert_eq!((s.host, s.port, s.path.as_str()), (None, None, "/mcp"));
        assert!(!s.auth);
        let s = found(&[(
            "server.py",
            "from fastmcp import FastMCP\nmcp = FastMCP('t', auth=JWTVerifier(public_key=KEY))\nmcp.run(transport='http')\n",
        )]);
        assert!(s.auth);
    }

    #[test]
    fn official_sdk_1x_settings_in_the_constructor_and_2x_in_run() {
        let s = found(&[(
            "app/server.py",
            "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x', host='0.0.0.0', port=9000, sse_path='/events', mount_path='/github')\nmcp.run('sse')\n",
        )]);
        assert_eq!(s.sdk, Sdk::Official1);
        assert_eq!(s.transport, Transport::Sse);
        assert!(s.binds_everywhere());
        assert_eq!((s.port, s.path.as_str()), (Some(9000), "/github/events"));
        assert_eq!(s.module, "app.server");

        let s = found(&[(
            "server.py",
            "from mcp.server.mcpserver import MCPServer\nserver = MCPServer(\"x\")\nif __name__ == \"__main__\":\n    server.run(transport=\"streamable-http\", port=8123, stateless_http=True)\n",
        )]);
        assert_eq!(s.sdk, Sdk::Official2);
        assert_eq!(s.port, Some(8123));
        assert_eq!(s.run_options, ["stateless_http"]);
    }

    #[test]
    fn a_server_run_with_no_transport_is_stdio() {
        let s = found(&[(
            "weather.py",
            "from mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP(\"weather\")\n\n# mcp.run(transport='sse')\nif __name__ == \"__main__\":\n    mcp.run()\n",
        )]);
        assert_eq!(s.transport, Transport::Stdio);
        assert_eq!(
            s.start,
            Some(Start::Run {
                file: "weather.py".into(),
                line: 7,
                unguarded: false
            })
        );
    }

    #[test]
    fn run_from_another_module_and_a_computed_transport() {
        let s = found(&[
            ("tools/server.py", "import fastmcp\n\nmcp = fastmcp.FastMCP('t')\n"),
            (
                "main.py",
                "import os\nfrom tools.server import mcp\n\nTRANSPORT = 'sse'\nmcp.run(transport=TRANSPORT)\n",
            ),
        ]);
        assert_eq!(s.transport, Transport::Sse);
        assert_eq!(
            s.start,
            Some(Start::Run {
                file: "main.py".into(),
                line: 5,
                unguarded: true
            })
        );
        let s = found(&[(
            "server.py",
            "import os\nfrom fastmcp import FastMCP\nmcp = FastMCP('t')\nmcp.run(transport=os.environ.get('T', 'http'))\n",
        )]);
        assert!(matches!(s.transport, Transport::Unresolved(_)), "{s:?}");
    }

    #[test]
    fn a_module_level_app_is_served_by_uvicorn() {
        let s = found(&[(
            "server.py",
            "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('t')\napp = mcp.sse_app()\n",
        )]);
        assert_eq!(s.transport, Transport::Sse);
        assert!(matches!(&s.start, Some(Start::App { object, .. }) if object == "app"));
    }

    #[test]
    fn custom_routes_are_health_candidates() {
        let files = [(
            "server.py",
            "from fastmcp import FastMCP\nmcp = FastMCP('t')\n\n@mcp.custom_route(\"/health\", methods=[\"GET\"])\nasync def health(request):\n    return PlainTextResponse('OK')\n\n@mcp.custom_route('/status', methods=['POST'])\nasync def status(request):\n    return None\n",
        )];
        let program = Program::of_python(&files);
        let server = find(&program, &[]).unwrap();
        let c = route_candidates(&program, &server);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].route.path.as_str(), c[0].route.line), ("/health", 4));
        assert!(c[0].problem.is_none());
        assert!(c[1].problem.as_deref().unwrap().contains("not GET"));
    }

    #[test]
    fn imports_in_parentheses_and_from_the_server_module() {
        let s = found(&[(
            "server.py",
            "from fastmcp import (\n    Context,\n    FastMCP,\n)\nmcp = FastMCP('t')\nmcp.run(transport='sse')\n",
        )]);
        assert_eq!((s.sdk, s.transport), (Sdk::Standalone, Transport::Sse));
        let s = found(&[(
            "server.py",
            "from mcp.server.fastmcp.server import FastMCP\nmcp = FastMCP('t')\n",
        )]);
        assert_eq!((s.sdk, s.start), (Sdk::Official1, None));
    }

    #[test]
    fn no_server_without_the_sdk() {
        let files = [(
            "server.py",
            "class FastMCP:\n    pass\nmcp = FastMCP()\nmcp.run()\n",
        )];
        assert!(find(&Program::of_python(&files), &[]).is_none());
    }
}
