//! The HEALTHCHECK: a probe with what the image has (Node's fetch, bash's
//! /dev/tcp for nginx, wget for Caddy), off when the configuration says
//! `none`, the configuration's route when it names one.

use super::Stage;
use crate::plan::python::{Healthcheck, HealthcheckKind};
use crate::plan::{Inputs, Topic};
use crate::profile::StaticServer;

/// A HEALTHCHECK running `command` with the profile's timing.
pub(crate) fn healthcheck_timing(inputs: &Inputs, command: Vec<String>) -> Healthcheck {
    let t = &inputs.profile.healthcheck;
    Healthcheck {
        kind: HealthcheckKind::Cmd,
        command,
        interval: t.interval.clone(),
        timeout: t.timeout.clone(),
        start_period: t.start_period.clone(),
        retries: t.retries,
    }
}

/// A probe with Node's own fetch (slim images have no curl), or a TCP
/// connect when the app has no health route.
pub(crate) fn node_probe(port: u16, path: Option<&str>) -> Vec<String> {
    probe_with("node", port, path)
}

/// The same probe run by Bun (`bun -e`), for oven/bun images, which have
/// neither curl nor node.
pub(crate) fn bun_probe(port: u16, path: Option<&str>) -> Vec<String> {
    probe_with("bun", port, path)
}

/// A fetch of `path` or a TCP connect, evaluated by `program`.
fn probe_with(program: &str, port: u16, path: Option<&str>) -> Vec<String> {
    let script = match path {
        Some(path) => format!(
            "fetch('http://127.0.0.1:{port}{path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
        ),
        None => format!(
            "require('net').connect({port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
        ),
    };
    vec![program.into(), "-e".into(), script]
}

/// A probe of a Next.js server where it listens: the standalone
/// `server.js` binds `$HOSTNAME`, which Docker sets to the container's own
/// name (its network address, not 127.0.0.1) unless the image sets it, and
/// `next start` binds every address. Asking for `$HOSTNAME` reaches both.
pub(crate) fn next_probe(port: u16, path: Option<&str>) -> Vec<String> {
    let host = "(process.env.HOSTNAME || '127.0.0.1')";
    let script = match path {
        Some(path) => format!(
            "fetch('http://' + {host} + ':{port}{path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
        ),
        None => format!(
            "require('net').connect({port}, {host}).on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
        ),
    };
    vec!["node".into(), "-e".into(), script]
}

/// A probe of a static server's `path` with what its image has.
pub(super) fn static_probe(server: StaticServer, port: u16, path: &str) -> Vec<String> {
    match server {
        // The nginx image has no curl or wget; bash's /dev/tcp asks for the
        // path and checks the status line.
        StaticServer::Nginx => vec![
            "bash".into(),
            "-c".into(),
            format!("exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"),
        ],
        StaticServer::Caddy => vec![
            "wget".into(),
            "-q".into(),
            "--spider".into(),
            format!("http://127.0.0.1:{port}{path}"),
        ],
    }
}

/// The HEALTHCHECK: off when the configuration says `none`, the route it
/// names, else the route found (`probe(None)` when there is none).
pub(super) fn health(
    st: &mut Stage,
    probe: impl Fn(Option<&str>) -> Vec<String>,
    found: Option<&str>,
    why: String,
) -> Healthcheck {
    let inputs = st.inputs;
    let (command, why) = match inputs.config.health.as_deref() {
        Some("none") => {
            st.decide(
                Topic::Healthcheck,
                "none",
                "switched off in the configuration",
                vec![],
            );
            return Healthcheck {
                kind: HealthcheckKind::Off,
                ..healthcheck_timing(inputs, vec![])
            };
        }
        Some(route) => (probe(Some(route)), "set in the configuration".to_string()),
        None => (probe(found), why),
    };
    st.decide(
        Topic::Healthcheck,
        command.join(" "),
        why,
        inputs.fixes(&[crate::rules::RuleId::DS501]),
    );
    healthcheck_timing(inputs, command)
}
