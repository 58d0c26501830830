//! The HEALTHCHECK: the app's health route probed with Python's urllib, or
//! a TCP connect; an existing HEALTHCHECK's route is kept.

use super::{decide, Healthcheck, HealthcheckKind};
use crate::detect::compose::{runs_this_image, worker_of};
use crate::detect::framework::Framework;
use crate::dockerfile::Command;
use crate::plan::{Decision, Inputs, Topic};

pub(crate) fn healthcheck(
    inputs: &Inputs,
    port: u16,
    decisions: &mut Vec<Decision>,
    framework: Option<Framework>,
) -> Healthcheck {
    let t = &inputs.profile.healthcheck;
    let mut hc = Healthcheck {
        kind: HealthcheckKind::Cmd,
        command: Vec::new(),
        interval: t.interval.clone(),
        timeout: t.timeout.clone(),
        start_period: t.start_period.clone(),
        retries: t.retries,
    };
    let py = &inputs.project.python;
    let fixes = inputs.fixes(&[crate::rules::RuleId::DS501]);
    let existing = inputs.dockerfile.and_then(|df| {
        df.shipped_stages().into_iter().find_map(|s| {
            s.instructions
                .iter()
                .rev()
                .find(|i| i.keyword == crate::dockerfile::Keyword::Healthcheck)
                .cloned()
        })
    });
    let configured = inputs.config.health.clone();
    if configured.as_deref() == Some("none") {
        hc.kind = HealthcheckKind::Off;
        decide(
            decisions,
            Topic::Healthcheck,
            "none",
            "switched off in the configuration",
            vec![],
        );
        return hc;
    }
    // A long-running script that serves nothing has nothing to probe:
    // Docker's restart policy watches the process itself.
    if existing.is_none() && configured.is_none() && framework == Some(Framework::Service) {
        hc.kind = HealthcheckKind::Off;
        decide(
            decisions,
            Topic::Healthcheck,
            "none",
            "the app serves no HTTP and listens on no port: the restart policy (`restart: unless-stopped`) watches the process; `health` in dockslim.yaml adds a check of the app's own (a heartbeat file, say)",
            vec![],
        );
        return hc;
    }
    // An MCP server over stdio has no network endpoint: it lives as long
    // as the client that started it keeps it attached.
    if existing.is_none() && configured.is_none() {
        if let Some(server) = super::stdio_mcp(inputs) {
            hc.kind = HealthcheckKind::Off;
            decide(
                decisions,
                Topic::Healthcheck,
                "none",
                format!(
                    "an MCP server over stdio ({}:{}) answers no network probe; its client starts it (`docker run -i --rm IMAGE`) and it exits when the client closes stdin",
                    server.file, server.line
                ),
                vec![],
            );
            return hc;
        }
    }
    // A worker service that runs this image answers no HTTP: a probe the
    // image carries would mark it unhealthy while it works (DS505).
    if existing.is_none() && configured.is_none() {
        let dockerfile = inputs.dockerfile.map_or("Dockerfile", |d| d.path.as_str());
        let compose = &inputs.project.compose;
        let worker = compose
            .iter()
            .filter(|s| !s.healthcheck_set && runs_this_image(s, compose, dockerfile))
            .find_map(|s| Some((s, worker_of(s.command.as_deref()?)?.0)));
        if let Some((service, kind)) = worker {
            hc.kind = HealthcheckKind::Off;
            decide(
                decisions,
                Topic::Healthcheck,
                "none",
                format!(
                    "service `{}` ({}) runs this image as a {kind}, which answers no HTTP: a HEALTHCHECK in the image would mark it unhealthy (DS505). Give that service a healthcheck of its own, then `health` in dockslim.yaml adds the image's",
                    service.name, service.file
                ),
                vec![],
            );
            return hc;
        }
    }
    let mut route: Option<(String, String)> =
        configured.map(|r| (r, "set in the configuration".to_string()));
    if route.is_none() {
        if let Some(inst) = &existing {
            match inst.command() {
                None => {
                    hc.kind = HealthcheckKind::None;
                    decide(
                        decisions,
                        Topic::Healthcheck,
                        "NONE",
                        "kept: the existing Dockerfile switches health checks off",
                        vec![],
                    );
                    return hc;
                }
                Some(cmd) => {
                    let text = cmd.text();
                    if let Some(path) = url_path(&text) {
                        let how = if text.contains("curl") || text.contains("wget") {
                            ", probed with Python instead of curl or wget, which slim images lack"
                        } else {
                            ""
                        };
                        route = Some((
                            path,
                            format!("from the existing HEALTHCHECK at line {}{how}", inst.line),
                        ));
                    } else {
                        hc.command = match cmd {
                            Command::Exec(w) => w.clone(),
                            Command::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
                        };
                        decide(
                            decisions,
                            Topic::Healthcheck,
                            text,
                            format!("kept from the existing Dockerfile at line {}", inst.line),
                            vec![],
                        );
                        return hc;
                    }
                }
            }
        }
    }
    if route.is_none() {
        if let Some(r) = py.web.health_routes.first() {
            route = Some((
                r.path.clone(),
                format!("the app's health route at {}:{}", r.file, r.line),
            ));
        }
    }
    // Django answers 400 to a Host it does not allow; probe with a host it
    // does, or fall back to a TCP check.
    let mut host = "127.0.0.1".to_string();
    if framework == Some(Framework::Django) {
        if let (Some(_), Some(django)) = (&route, &py.web.django) {
            let allowed = django.allowed_hosts.clone().unwrap_or_default();
            if allowed.iter().any(|h| h == "*" || h == "127.0.0.1") {
            } else if allowed
                .iter()
                .any(|h| h == "localhost" || h == ".localhost")
            {
                host = "localhost".into();
            } else {
                decide(decisions, Topic::Healthcheck, format!("TCP connect to port {port}"), "Django's ALLOWED_HOSTS does not visibly allow 127.0.0.1 or localhost, so an HTTP probe could get 400; a TCP connect still catches a dead server", fixes.clone());
                hc.command = tcp_probe(port);
                return hc;
            }
        }
    }
    match route {
        Some((path, why)) => {
            let url = format!("http://{host}:{port}{path}");
            hc.command = vec![
                "python".into(),
                "-c".into(),
                format!("import urllib.request; urllib.request.urlopen('{url}', timeout=4)"),
            ];
            decide(decisions, Topic::Healthcheck, format!("GET {url}"), format!("{why}; Python's urllib needs no curl in the image, and any error or non-2xx answer marks the container unhealthy"), fixes);
        }
        None if framework == Some(Framework::Mcp)
            && py.web.mcp.as_ref().is_some_and(|s| s.auth) =>
        {
            let server = py.web.mcp.as_ref().unwrap();
            hc.command = tcp_probe(port);
            decide(
                decisions,
                Topic::Healthcheck,
                format!("TCP connect to port {port}"),
                format!(
                    "the MCP server built at {}:{} requires authentication, so an MCP request without a token would be refused, and it has no GET health route of its own (a `@{}.custom_route`, which answers without one); a TCP connect catches a dead server",
                    server.file, server.line, server.object
                ),
                fixes,
            );
        }
        None if framework == Some(Framework::Mcp) && py.web.mcp.is_some() => {
            let server = py.web.mcp.as_ref().unwrap();
            let (command, what) = super::mcp::probe(server, port);
            hc.command = command;
            decide(
                decisions,
                Topic::Healthcheck,
                what,
                format!(
                    "the MCP server built at {}:{} has no GET health route of its own (a `@{}.custom_route`), so the probe is a real MCP request; Python's urllib needs no curl in the image",
                    server.file, server.line, server.object
                ),
                fixes,
            );
        }
        None => {
            hc.command = tcp_probe(port);
            let mut why = "no health route found in the code (looked for /health, /healthz, /ping, /status and the like); a TCP connect catches a dead server. Set `health` in dockslim.yaml to probe a route".to_string();
            why.push_str(&not_probed(&py.web.unprobed_health));
            decide(
                decisions,
                Topic::Healthcheck,
                format!("TCP connect to port {port}"),
                why,
                fixes,
            );
        }
    }
    hc
}

/// The health-like routes left unprobed, for the report: `; not probed:
/// /items/{id}/status (app/items.py:9: `{id}` is a placeholder)`.
fn not_probed(unprobed: &[crate::detect::framework::Unprobed]) -> String {
    if unprobed.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = unprobed
        .iter()
        .take(3)
        .map(|u| {
            format!(
                "{} ({}:{}: {})",
                u.route.path, u.route.file, u.route.line, u.why
            )
        })
        .collect();
    let more = match unprobed.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    format!("; not probed: {}{more}", listed.join(", "))
}

pub(crate) fn tcp_probe(port: u16) -> Vec<String> {
    vec![
        "python".into(),
        "-c".into(),
        format!(
            "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=4).close()"
        ),
    ]
}

/// The path of the first http URL in a command.
fn url_path(text: &str) -> Option<String> {
    let start = text.find("http://").or_else(|| text.find("https://"))?;
    let url = &text[start..];
    let url: String = url
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | '|' | ';' | '&'))
        .collect();
    let after_scheme = url.split_once("://")?.1;
    Some(
        after_scheme
            .find('/')
            .map_or("/".to_string(), |i| after_scheme[i..].to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprobed_routes_say_why() {
        use crate::detect::framework::{Route, Unprobed};
        assert_eq!(not_probed(&[]), "");
        let u = Unprobed {
            route: Route {
                path: "/<uuid_str:uuid>/status".into(),
                file: "app.py".into(),
                line: 9,
            },
            why: "`<uuid_str:uuid>` is a placeholder".into(),
        };
        assert_eq!(
            not_probed(&[u]),
            "; not probed: /<uuid_str:uuid>/status (app.py:9: `<uuid_str:uuid>` is a placeholder)"
        );
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            url_path("curl -f http://localhost:5000/health || exit 1").as_deref(),
            Some("/health")
        );
        assert_eq!(
            url_path("wget -qO- http://127.0.0.1:8000").as_deref(),
            Some("/")
        );
        assert_eq!(url_path("pg_isready"), None);
    }
}
