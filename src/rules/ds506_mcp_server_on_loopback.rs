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
//! pass `host="0.0.0.0"` to `run()`. The fix does the first two: an
//! `ENV FASTMCP_HOST=0.0.0.0` before the command, or the command replaced
//! by uvicorn on the SDK's app factory, run by the command's own
//! interpreter (`python -m uvicorn`), since the SDK installs uvicorn.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::framework::Framework;
use crate::detect::mcp::{McpServer, Sdk, Start};
use crate::dockerfile::{Args, Intent, Keyword};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};
use crate::plan::python::mcp::{loopback_in, python_at, serve, uvicorn_words, Serve};

pub struct McpServerOnLoopback;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS506,
    name: "mcp-server-on-loopback",
    severity: Severity::Error,
    summary: "An MCP server over HTTP listens on 127.0.0.1 only, unreachable from outside the container.",
    why: "127.0.0.1 inside a container is the container itself: a published port forwards to the container's own address, where nothing listens, so every client is refused, while a HEALTHCHECK run inside still passes. fastmcp and the official mcp SDK both bind 127.0.0.1 by default.",
    fix: "fastmcp: `ENV FASTMCP_HOST=0.0.0.0`. The official SDK (which reads no environment variable for its host from mcp 1.12.3 on): serve its app with uvicorn on every address, or pass host=\"0.0.0.0\" to run().",
    example: "Before:\n  CMD [\"python\", \"server.py\"]   # mcp.run(transport=\"streamable-http\")\nAfter (fastmcp):\n  ENV FASTMCP_HOST=0.0.0.0\n  CMD [\"python\", \"server.py\"]\nAfter (official SDK):\n  CMD [\"uvicorn\", \"server:mcp.streamable_http_app\", \"--factory\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"--workers\", \"1\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the server answers on every address of the container: through the published port and from every container on its networks, so a server without authentication answers anyone who reaches it; with the official SDK, uvicorn serves the app run() would serve, and what else the script does before run() under `__main__` no longer runs.",
};

/// The MCP server the image runs over HTTP on 127.0.0.1, the port it
/// should serve on (the EXPOSE, the code's, the packages' default) and why.
fn on_loopback<'a>(
    project: &'a crate::detect::Project,
    intent: &Intent,
) -> Option<(&'a McpServer, u16, String)> {
    let web = &project.python.web;
    let server = web
        .mcp
        .as_ref()
        .filter(|_| web.framework() == Some(Framework::Mcp))?;
    let port = intent
        .expose
        .iter()
        .find_map(|(p, _)| p.split('/').next()?.parse().ok())
        .or(server.port)
        .unwrap_or(Framework::Mcp.default_port());
    let why = loopback_in(server, intent, port)?;
    Some((server, port, why))
}

impl Rule for McpServerOnLoopback {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    /// An ENV FASTMCP_HOST before the command (fastmcp), or the command
    /// replaced by uvicorn on the SDK's app (the official SDK).
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        match Self::fix_one(cx) {
            None => Vec::new(),
            Some(Ok(fix)) => vec![Outcome::Fix(fix)],
            Some(Err(why)) => {
                let line = cx.effective(Keyword::Cmd).map(|c| c.line);
                vec![cx.blocked(DOC.id, line, why)]
            }
        }
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let (Some(project), Some(df)) = (cx.project, cx.dockerfile) else {
            return Vec::new();
        };
        let intent = df.intent();
        let Some((server, _, why)) = on_loopback(project, &intent) else {
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

impl McpServerOnLoopback {
    fn fix_one(cx: &FixContext) -> Option<Result<Fix, String>> {
        let (server, port, _) = on_loopback(cx.inputs.project, &cx.df.intent())?;
        let cmd = cx.effective(Keyword::Cmd)?;
        let fix = |title: String, reason: String, edits: Vec<Edit>| Fix {
            rule: DOC.id,
            line: cmd.line,
            title,
            reason,
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: false,
        };
        // A `fastmcp run` line given --host 127.0.0.1 keeps it whatever
        // the environment says.
        let words = cmd.command().map(|c| c.words()).unwrap_or_default();
        if matches!(server.start, Some(Start::FastmcpRun { .. }))
            && words
                .iter()
                .any(|w| w == "--host" || w.starts_with("--host="))
        {
            return Some(Err(
                "the `fastmcp run` line passes --host 127.0.0.1; give it --host 0.0.0.0".into(),
            ));
        }
        if server.sdk == Sdk::Standalone && server.host.is_none() {
            let mut env = "ENV FASTMCP_HOST=0.0.0.0".to_string();
            if server.port.is_none() && port != 8000 {
                env.push_str(&format!(" FASTMCP_PORT={port}"));
            }
            return Some(Ok(fix(
                env.clone(),
                format!("fastmcp reads its address from FASTMCP_HOST when the code's run() names none (the server at {}:{}); the code stays as it is", server.file, server.line),
                vec![cx.writer().insert_before(cmd, &env)],
            )));
        }
        let (Some(command), Args::Command { span, .. }) = (cmd.command(), &cmd.args) else {
            return Some(Err("the command could not be read".into()));
        };
        let words = command.words();
        // The interpreter is the CMD's (wrappers before it stay); one the
        // ENTRYPOINT runs is left to the user.
        let Some(i) = python_at(&words) else {
            return Some(Err(
                "the ENTRYPOINT runs Python and the CMD gives it the script; replace both by hand"
                    .to_string(),
            ));
        };
        Some(match serve(server, port) {
            Err(e) => Err(e.to_string()),
            Ok((Serve::Uvicorn { spec, factory }, why)) => {
                let mut new = words[..=i].to_vec();
                new.push("-m".into());
                new.extend(uvicorn_words(&spec, factory, port));
                Ok(fix(
                    format!("{} -> {}", words.join(" "), new.join(" ")),
                    why,
                    vec![Edit::replace(span.clone(), crate::render::exec_form(new))],
                ))
            }
            // A `fastmcp run` launch line is not a run() on loopback
            // (`loopback_in` finds none for it).
            Ok((Serve::FastmcpRun, _)) => {
                Err("the server is started by a `fastmcp run` line; give it --host 0.0.0.0".into())
            }
            Ok((Serve::Script { .. }, _)) => Err(format!(
                "the code's run() binds {}; pass host=\"0.0.0.0\" to it",
                server.host.as_deref().unwrap_or("127.0.0.1")
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    const FASTMCP: &str = "from fastmcp import FastMCP\nmcp = FastMCP('t')\n\nif __name__ == '__main__':\n    mcp.run(transport='streamable-http')\n";
    const DOCKERFILE: &str =
        "FROM python:3.12-slim\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nEXPOSE 9000\nUSER 10001\nCMD [\"python\", \"server.py\"]\n";

    #[test]
    fn fastmcp_on_loopback_gets_its_host_from_the_environment() {
        let fx = Fixture::new(&[
            ("requirements.txt", "fastmcp==4.2.3\n"),
            ("server.py", FASTMCP),
            ("Dockerfile", DOCKERFILE),
        ]);
        assert_eq!(fx.lines(&McpServerOnLoopback), [Some(6)]);
        let (fixed, blocked) = fx.fixed(RuleId::DS506);
        assert!(
            fixed.contains("USER 10001\nENV FASTMCP_HOST=0.0.0.0 FASTMCP_PORT=9000\nCMD [\"python\", \"server.py\"]\n"),
            "{fixed}"
        );
        assert!(!blocked.contains(&RuleId::DS506), "{blocked:?}");
        // Told already: nothing to find.
        let told = DOCKERFILE.replace("USER 10001\n", "USER 10001\nENV FASTMCP_HOST=0.0.0.0\n");
        let fx = Fixture::new(&[
            ("requirements.txt", "fastmcp==4.2.3\n"),
            ("server.py", FASTMCP),
            ("Dockerfile", &told),
        ]);
        assert!(fx.check(&McpServerOnLoopback).is_empty());
    }

    /// The image's own `fastmcp run` line over HTTP without --host binds
    /// 127.0.0.1: found, and told its address by FASTMCP_HOST; with --host
    /// 0.0.0.0, or over stdio, nothing to find; with --host 127.0.0.1,
    /// which the environment cannot change, held back with the reason.
    #[test]
    fn a_fastmcp_run_line_on_loopback_gets_its_host_from_the_environment() {
        let server = &FASTMCP[..FASTMCP.find("if __name__").unwrap()];
        let with_cmd = |cmd: &str| {
            Fixture::new(&[
                ("requirements.txt", "fastmcp==4.2.3\n"),
                ("server.py", server),
                (
                    "Dockerfile",
                    &DOCKERFILE.replace("CMD [\"python\", \"server.py\"]", cmd),
                ),
            ])
        };
        let fx = with_cmd("CMD [\"fastmcp\", \"run\", \"server.py:mcp\", \"--transport\", \"http\", \"--port\", \"9000\"]");
        assert_eq!(fx.lines(&McpServerOnLoopback), [Some(6)]);
        let (fixed, blocked) = fx.fixed(RuleId::DS506);
        assert!(
            fixed.contains("USER 10001\nENV FASTMCP_HOST=0.0.0.0\nCMD [\"fastmcp\""),
            "{fixed}"
        );
        assert!(!blocked.contains(&RuleId::DS506), "{blocked:?}");
        for cmd in [
            "CMD fastmcp run server.py --transport http --host 0.0.0.0 --port 9000",
            "CMD [\"fastmcp\", \"run\", \"server.py\"]",
        ] {
            assert!(
                with_cmd(cmd).check(&McpServerOnLoopback).is_empty(),
                "{cmd}"
            );
        }
        let fx = with_cmd("CMD fastmcp run server.py -t sse --host=127.0.0.1 --port 9000");
        assert_eq!(fx.lines(&McpServerOnLoopback), [Some(6)]);
        let (_, blocked) = fx.fixed(RuleId::DS506);
        assert!(blocked.contains(&RuleId::DS506), "{blocked:?}");
    }

    #[test]
    fn the_official_sdk_is_served_by_uvicorn_with_the_commands_interpreter() {
        let server = FASTMCP.replace("from fastmcp import", "from mcp.server.fastmcp import");
        let dockerfile = DOCKERFILE.replace("[\"python\",", "[\"/opt/venv/bin/python\",");
        let fx = Fixture::new(&[
            ("requirements.txt", "mcp==1.30.0\n"),
            ("server.py", &server),
            ("Dockerfile", &dockerfile),
        ]);
        let (fixed, _) = fx.fixed(RuleId::DS506);
        assert!(
            fixed.contains("CMD [\"/opt/venv/bin/python\", \"-m\", \"uvicorn\", \"server:mcp.streamable_http_app\", \"--factory\", \"--host\", \"0.0.0.0\", \"--port\", \"9000\", \"--workers\", \"1\"]"),
            "{fixed}"
        );
        // Behind an init in the ENTRYPOINT: found, and the CMD replaced.
        let tini = dockerfile.replace("CMD [", "ENTRYPOINT [\"tini\", \"--\"]\nCMD [");
        let fx = Fixture::new(&[
            ("requirements.txt", "mcp==1.30.0\n"),
            ("server.py", &server),
            ("Dockerfile", &tini),
        ]);
        assert_eq!(fx.check(&McpServerOnLoopback).len(), 1);
        let (fixed, _) = fx.fixed(RuleId::DS506);
        assert!(
            fixed.contains(
                "ENTRYPOINT [\"tini\", \"--\"]\nCMD [\"/opt/venv/bin/python\", \"-m\", \"uvicorn\""
            ),
            "{fixed}"
        );
        // Python in the ENTRYPOINT, the script in the CMD: held back.
        let split = dockerfile.replace(
            "CMD [\"/opt/venv/bin/python\", \"server.py\"]",
            "ENTRYPOINT [\"python\"]\nCMD [\"server.py\"]",
        );
        let fx = Fixture::new(&[
            ("requirements.txt", "mcp==1.30.0\n"),
            ("server.py", &server),
            ("Dockerfile", &split),
        ]);
        assert_eq!(fx.check(&McpServerOnLoopback).len(), 1);
        assert!(fx.blocked_reasons(RuleId::DS506)[0].contains("ENTRYPOINT runs Python"));
    }
}
