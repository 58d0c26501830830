//! DS501 no-healthcheck
//!
//! What it finds: a final image with no HEALTHCHECK.
//! Why it matters: without one, Docker and Compose report a hung or
//! deadlocked server as running; restarts and rolling deploys cannot tell a
//! ready container from a broken one.
//! Fix: a HEALTHCHECK that asks the app itself, with a tool the image already
//! has (Python's urllib), not curl installed only for this.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::Keyword;
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct NoHealthcheck;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS501,
    name: "no-healthcheck",
    severity: Severity::Info,
    summary: "The image has no HEALTHCHECK.",
    why: "Docker and Compose then report a hung server as running, and restarts or rolling deploys cannot tell a ready container from a broken one.",
    fix: "Add a HEALTHCHECK that probes the app's health route with a tool already in the image (python -c urllib), or a TCP connect when there is no route.",
    example: "After:\n  HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\\n    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a probe the app cannot answer (a route behind authentication, a server bound elsewhere) marks a healthy container unhealthy; Compose's depends_on: service_healthy, Swarm and some platforms act on that.",
};

impl Rule for NoHealthcheck {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        // A long-running script that serves nothing has nothing to probe.
        let service = cx.project.and_then(|p| p.python.web.framework())
            == Some(crate::detect::framework::Framework::Service);
        // Nor has an MCP server over stdio, which listens on no port.
        let stdio_mcp = cx.project.is_some_and(|p| {
            let web = &p.python.web;
            web.framework() == Some(crate::detect::framework::Framework::Mcp)
                && web
                    .mcp
                    .as_ref()
                    .is_some_and(|s| s.transport == crate::detect::mcp::Transport::Stdio)
        });
        if service || stdio_mcp {
            return Vec::new();
        }
        let chain = df.shipped_stages();
        if chain.iter().any(|s| {
            s.instructions
                .iter()
                .any(|i| i.keyword == crate::dockerfile::Keyword::Healthcheck)
        }) {
            return Vec::new();
        }
        vec![Finding::new(
            &DOC,
            df.path.clone(),
            Some(df.image_stage().line),
            "the final image has no HEALTHCHECK",
        )]
    }

    /// A HEALTHCHECK before the image's command, probing with the image's
    /// own interpreter: Python's urllib or Node's fetch on the app's health
    /// route, or a TCP connect when it has none.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        if cx.effective(Keyword::Healthcheck).is_some() {
            return Vec::new();
        }
        let target = cx.target();
        let line = Some(target.line);
        let Some((port, port_why)) = crate::edit::facts::port(cx) else {
            return vec![cx.blocked(DOC.id, line, "no port is known (no EXPOSE, no bind address in the command); set `port` in dockslim.yaml")];
        };
        // An MCP server the image runs on 127.0.0.1 only (DS506): a probe
        // from inside would pass while no client can connect. Once DS506's
        // fix makes it listen everywhere, the next round adds the probe.
        let web = &cx.inputs.project.python.web;
        let mcp = web
            .mcp
            .as_ref()
            .filter(|_| web.framework() == Some(crate::detect::framework::Framework::Mcp));
        if let Some(why) =
            mcp.and_then(|s| crate::plan::python::mcp::loopback_in(s, &cx.df.intent(), port))
        {
            return vec![cx.blocked(DOC.id, line, format!("the MCP server listens on 127.0.0.1 only (DS506: {why}), so a probe from inside the container would pass while no client can connect"))];
        }
        let image = ImageRef::parse(&cx.df.base_image_of(target));
        let (command, timing, why) = if image.is_python() {
            let mut decisions = Vec::new();
            let framework = cx
                .inputs
                .project
                .python
                .web
                .targets
                .first()
                .map(|t| t.framework);
            let hc = crate::plan::python::healthcheck(cx.inputs, port, &mut decisions, framework);
            if hc.kind != crate::plan::python::HealthcheckKind::Cmd {
                let why = decisions.last().map_or(
                    "health checks are switched off in the configuration".to_string(),
                    |d| d.reason.clone(),
                );
                return vec![cx.blocked(DOC.id, line, why)];
            }
            let why = decisions
                .last()
                .map(|d| format!("{}: {}", d.choice, d.reason))
                .unwrap_or_default();
            (hc.command.clone(), hc, why)
        } else if image.is_node() || image.is_bun() {
            // oven/bun has no node: Bun evaluates the same probe.
            let runtime = if image.is_bun() { "Bun" } else { "Node" };
            let app = cx.inputs.project.node.as_ref().map(|n| &n.app);
            let next = matches!(app, Some(crate::detect::node::NodeApp::NextServer { .. }));
            let found = app.and_then(|app| match app {
                crate::detect::node::NodeApp::Server { health, .. }
                | crate::detect::node::NodeApp::NextServer { health, .. } => health.clone(),
                _ => None,
            });
            let configured = cx.inputs.config.health.clone();
            let path = configured
                .clone()
                .or_else(|| found.as_ref().map(|r| r.path.clone()));
            if path.as_deref() == Some("none") {
                return vec![cx.blocked(
                    DOC.id,
                    line,
                    "health checks are switched off in the configuration",
                )];
            }
            let (command, host) = if next {
                (
                    crate::plan::node::next_probe(port, path.as_deref()),
                    "$HOSTNAME",
                )
            } else if image.is_bun() {
                (
                    crate::plan::node::bun_probe(port, path.as_deref()),
                    "127.0.0.1",
                )
            } else {
                (
                    crate::plan::node::node_probe(port, path.as_deref()),
                    "127.0.0.1",
                )
            };
            let hc = crate::plan::node::healthcheck_timing(cx.inputs, command.clone());
            let mut why = match (&path, configured.is_none().then_some(found).flatten()) {
                (Some(p), Some(r)) => format!("GET http://{host}:{port}{p}, the app's health route at {}:{}, with {runtime}'s fetch, which the image has", r.file, r.line),
                (Some(p), None) => format!("GET http://{host}:{port}{p} with {runtime}'s fetch, which the image has"),
                (None, _) => format!("a TCP connect to port {port} with {runtime}, which the image has: no health route was found"),
            };
            if next {
                why.push_str("; Next.js's standalone server listens on $HOSTNAME, which Docker sets to the container's address unless the image sets it, so the probe asks there");
            }
            (command, hc, why)
        } else {
            return vec![cx.blocked(DOC.id, line, format!("{} has neither Python, Node nor Bun to probe with, and dockslim adds no curl for it", image.name))];
        };
        let text = format!(
            "HEALTHCHECK --interval={} --timeout={} --start-period={} --retries={} \\\n  CMD {}",
            timing.interval,
            timing.timeout,
            timing.start_period,
            timing.retries,
            crate::render::exec_form(command)
        );
        let w = cx.writer();
        let before = [Keyword::Entrypoint, Keyword::Cmd]
            .into_iter()
            .filter_map(|k| target.instructions.iter().find(|i| i.keyword == k))
            .min_by_key(|i| i.line);
        let edit = match before {
            Some(inst) => w.insert_before(inst, &text),
            None => w.insert_after(target.instructions.last().unwrap_or(&target.from), &text),
        };
        vec![Outcome::Fix(Fix {
            rule: DOC.id,
            line: target.line,
            title: "HEALTHCHECK".into(),
            reason: format!("{why}; port {port} ({port_why})"),
            safety: Safety::Unsafe,
            edits: vec![edit],
            files: vec![],
            reshapes: false,
        })]
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn oven_bun_images_are_probed_with_bun() {
        let mut files = crate::rules::testing::BUN_HONO.to_vec();
        files.extend_from_slice(&[
            (
                "Dockerfile",
                "FROM oven/bun:1.2-slim\nCOPY . .\nRUN bun install\nEXPOSE 8080\nCMD [\"bun\", \"run\", \"index.ts\"]\n",
            ),
        ]);
        let fx = Fixture::new(&files);
        let (text, blocked) = fx.fixed(RuleId::DS501);
        assert!(!blocked.contains(&RuleId::DS501), "{blocked:?}");
        assert!(
            text.contains("CMD [\"bun\", \"-e\", \"fetch('http://127.0.0.1:8080/health')"),
            "{text}"
        );
        // Bun's distroless tags have no shell to build on: not counted.
        assert!(!crate::dockerfile::image::ImageRef::parse("oven/bun:distroless").is_bun());
        assert!(crate::dockerfile::image::ImageRef::parse("mirror.example/oven/bun:1").is_bun());
        assert!(!crate::dockerfile::image::ImageRef::parse("someone/bun:1").is_bun());
    }

    #[test]
    fn before_and_after() {
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\n")]).lines(&NoHealthcheck),
            [Some(1)]
        );
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nHEALTHCHECK CMD [\"true\"]\n"
        )])
        .check(&NoHealthcheck)
        .is_empty());
    }
}
