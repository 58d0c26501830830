//! DS506 mcp-server-on-loopback
//!
//! What it finds: an image whose command runs an MCP server over HTTP
//! (streamable HTTP or SSE) that listens on 127.0.0.1 only: standalone
//! fastmcp with no FASTMCP_HOST, or the official `mcp` SDK, whose
//! `run()` binds 127.0.0.1 and (from mcp 1.12.3, and in 2.x) reads no
//! environment variable for it.
//! Why it matters: 127.0.0.1 inside a container is the container itself. A
//! published port forwards to the container's own address, where nothing
//! listens, so every client is refused; a HEALTHCHECK run inside still
//! passes, so the container looks healthy while no client can reach it.
//! Fix: for fastmcp, `ENV FASTMCP_HOST=0.0.0.0`; for the official SDK,
//! serve the app its `run()` serves with uvicorn on every address
//! (`uvicorn server:mcp.streamable_http_app --factory --host 0.0.0.0`), or
//! pass `host="0.0.0.0"` to `run()`. Reported, not fixed: `dockslim init`
//! writes either; an edit of the user's command waits for a rule of its own.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::framework::Framework;

pub struct McpServerOnLoopback;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS506,
    name: "mcp-server-on-loopback",
    severity: Severity::Error,
    summary: "An MCP server over HTTP listens on 127.0.0.1 only, unreachable from outside the container.",
    why: "127.0.0.1 inside a container is the container itself: a published port forwards to the container's own address, where nothing listens, so every client is refused, while a HEALTHCHECK run inside still passes. fastmcp and the official mcp SDK both bind 127.0.0.1 by default.",
    fix: "fastmcp: `ENV FASTMCP_HOST=0.0.0.0`. The official SDK (which reads no environment variable for its host from mcp 1.12.3 on): serve its app with uvicorn on every address, or pass host=\"0.0.0.0\" to run().",
    example: "Before:\n  CMD [\"python\", \"server.py\"]   # mcp.run(transport=\"streamable-http\")\nAfter (fastmcp):\n  ENV FASTMCP_HOST=0.0.0.0\n  CMD [\"python\", \"server.py\"]\nAfter (official SDK):\n  CMD [\"uvicorn\", \"server:mcp.streamable_http_app\", \"--factory\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"--workers\", \"1\"]",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for McpServerOnLoopback {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let (Some(project), Some(df)) = (cx.project, cx.dockerfile) else {
            return Vec::new();
        };
        let web = &project.python.web;
        let Some(server) = web
            .mcp
            .as_ref()
            .filter(|_| web.framework() == Some(Framework::Mcp))
        else {
            return Vec::new();
        };
        let intent = df.intent();
        let port = intent
            .expose
            .iter()
            .find_map(|(p, _)| p.split('/').next()?.parse().ok())
            .or(server.port)
            .unwrap_or(Framework::Mcp.default_port());
        let Some(why) = crate::plan::python::mcp::loopback_in(server, &intent, port) else {
            return Vec::new();
        };
        let line = intent.cmd.as_ref().map(|(_, line)| *line);
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            line,
            format!(
                "the command runs the MCP server built at {}:{} over {}, which listens on 127.0.0.1 only: clients through the published port are refused, while a probe inside passes; {why}",
                server.file,
                server.line,
                server.transport.name()
            ),
        )]
    }
}
