//! A route the code defines, and whether the healthcheck may probe it: a
//! health-like name, a GET, a path with every prefix known and no
//! placeholder. Shared by the Python, Django and Node readers.

use serde::Serialize;

/// A route with the file:line that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The full path, every prefix applied (or as written, when a prefix
    /// could not be resolved).
    pub path: String,
    pub file: String,
    pub line: usize,
}

/// A health-like route the healthcheck must not probe, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unprobed {
    pub route: Route,
    pub why: String,
}

/// A route as a reader found it: its path and what, if anything, keeps it
/// from being probed (not a GET, a prefix without a literal value, a router
/// never mounted).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub route: Route,
    pub problem: Option<String>,
}

/// The probe-able health routes, best first, and the health-like routes
/// left out with the reason.
pub fn sort(candidates: Vec<Candidate>) -> (Vec<Route>, Vec<Unprobed>) {
    let mut probed = Vec::new();
    let mut unprobed = Vec::new();
    for c in candidates {
        if !is_health_path(&c.route.path) {
            continue;
        }
        let problem = c
            .problem
            .or_else(|| placeholder(&c.route.path).map(|p| format!("`{p}` is a placeholder")));
        match problem {
            Some(why) => unprobed.push(Unprobed {
                route: c.route,
                why,
            }),
            None => probed.push(c.route),
        }
    }
    probed.sort_by(|a, b| {
        (health_rank(&a.path), a.path.len(), &a.file, a.line).cmp(&(
            health_rank(&b.path),
            b.path.len(),
            &b.file,
            b.line,
        ))
    });
    probed.dedup_by(|a, b| a.path == b.path);
    (probed, unprobed)
}

/// The first placeholder or pattern in a path, in any framework's syntax:
/// Flask `<id>`, FastAPI `{id}`, Express `:id`, wildcards, regular
/// expression groups and anchors.
pub fn placeholder(path: &str) -> Option<&str> {
    path.split('/').find(|segment| {
        segment.starts_with(':')
            || segment.chars().any(|c| {
                matches!(
                    c,
                    '<' | '{' | '*' | '(' | '[' | '^' | '$' | '?' | '\\' | '+'
                )
            })
    })
}

/// Joins a prefix and a path the way the frameworks do: one slash between
/// them, the path's own trailing slash kept.
pub fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) if path.starts_with('/') => path.to_string(),
        (true, false) => format!("/{path}"),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{}", path.trim_start_matches('/')),
    }
}

pub fn is_health_path(path: &str) -> bool {
    matches!(
        last_segment(path),
        "health"
            | "healthz"
            | "healthcheck"
            | "health-check"
            | "health_check"
            | "_health"
            | "ping"
            | "livez"
            | "readyz"
            | "ready"
            | "live"
            | "status"
    )
}

fn health_rank(path: &str) -> u8 {
    match last_segment(path) {
        "healthz" | "health" | "livez" | "_health" => 0,
        "healthcheck" | "health-check" | "health_check" => 1,
        "ping" | "live" => 2,
        _ => 3,
    }
}

fn last_segment(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, problem: Option<&str>) -> Candidate {
        Candidate {
            route: Route {
                path: path.into(),
                file: "a.py".into(),
                line: 1,
            },
            problem: problem.map(str::to_string),
        }
    }

    #[test]
    fn placeholders_in_every_syntax() {
        for p in [
            "/<uuid_str:uuid>/status",
            "/items/{id}/health",
            "/users/:id/ping",
            "/files/*/health",
            "/^health/(?P<x>\\d+)/$",
        ] {
            assert!(placeholder(p).is_some(), "{p}");
        }
        for p in ["/health", "/api/v1/utils/health-check/", "/healthz/"] {
            assert_eq!(placeholder(p), None, "{p}");
        }
    }

    #[test]
    fn sorts_probe_able_first_and_keeps_reasons() {
        let (probed, unprobed) = sort(vec![
            at("/<id>/status", None),
            at("/api/status", None),
            at("/health", Some("a POST route")),
            at("/healthz", None),
            at("/users", None),
        ]);
        let paths: Vec<&str> = probed.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/healthz", "/api/status"]);
        assert_eq!(unprobed.len(), 2);
        assert_eq!(unprobed[0].why, "`<id>` is a placeholder");
        assert_eq!(unprobed[1].why, "a POST route");
    }

    #[test]
    fn joins_prefixes() {
        assert_eq!(
            join("/api/v1", "/utils/health-check/"),
            "/api/v1/utils/health-check/"
        );
        assert_eq!(join("/api/", "/health"), "/api/health");
        assert_eq!(join("/health", ""), "/health");
        assert_eq!(join("", "health"), "/health");
        assert_eq!(join("", ""), "/");
    }
}
