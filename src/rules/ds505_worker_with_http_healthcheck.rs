//! DS505 worker-with-http-healthcheck
//!
//! What it finds: a compose service that runs this image as a background
//! worker (Celery worker or beat, RQ, Dramatiq, arq, Huey, django-q) with
//! no healthcheck of its own, while the image has an HTTP HEALTHCHECK or
//! dockslim's proposal gives it one.
//! Why it matters: a worker answers no HTTP. The image's HEALTHCHECK runs in
//! every container made from it, so the worker is marked unhealthy a
//! minute after it starts, while it works; `depends_on: service_healthy`,
//! Swarm and orchestrators that restart unhealthy containers act on that.
//! Fix: give the worker service its own healthcheck: `celery inspect ping`
//! for a Celery worker, or `disable: true` where the process is its own
//! liveness (beat, RQ), with Docker's restart policy watching it. This is
//! advice: dockslim does not edit compose files yet.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::compose::{runs_this_image, worker_of, Service};
use crate::dockerfile::Keyword;

pub struct WorkerWithHttpHealthcheck;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS505,
    name: "worker-with-http-healthcheck",
    severity: Severity::Warning,
    summary: "A worker service runs the web image, whose HTTP HEALTHCHECK it cannot answer.",
    why: "The image's HEALTHCHECK runs in every container made from it: a Celery or RQ worker answers no HTTP and is marked unhealthy while it works, and whatever waits for it to be healthy waits forever.",
    fix: "Give the worker service its own healthcheck in the compose file: `celery inspect ping` for a Celery worker, `disable: true` where the process is its own liveness.",
    example: "Before:\n  worker:\n    build: .\n    command: celery -A proj worker\nAfter:\n  worker:\n    build: .\n    command: celery -A proj worker\n    healthcheck:\n      test: [\"CMD-SHELL\", \"celery -A proj inspect ping -d celery@$$HOSTNAME\"]",
    fix_safety: None,
    fix_risk: "",
};

/// The line where `name:` opens the service in its compose file.
fn line_of_service(cx: &Context, service: &Service) -> Option<usize> {
    let text = cx.repo.read_text(&service.file).ok()??;
    text.lines()
        .position(|l| {
            l.starts_with([' ', '\t'])
                && l.trim_end()
                    .trim_start()
                    .strip_prefix(&service.name)
                    .is_some_and(|rest| rest.trim() == ":")
        })
        .map(|i| i + 1)
}

impl Rule for WorkerWithHttpHealthcheck {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let dockerfile = cx.dockerfile.map_or("Dockerfile", |d| d.path.as_str());
        // The image probes HTTP, or will once the proposal adds the probe.
        let written = cx.dockerfile.and_then(|df| {
            df.shipped_stages().into_iter().find_map(|s| {
                s.instructions
                    .iter()
                    .rev()
                    .find(|i| i.keyword == Keyword::Healthcheck)
                    .cloned()
            })
        });
        let probes_http = match &written {
            Some(inst) => inst.command().is_some_and(|c| c.text().contains("http")),
            None => !project.python.web.health_routes.is_empty(),
        };
        if !probes_http {
            return Vec::new();
        }
        let services = &project.compose;
        services
            .iter()
            .filter(|s| !s.healthcheck_set && runs_this_image(s, services, dockerfile))
            .filter_map(|s| {
                let (kind, replacement) = worker_of(s.command.as_deref()?)?;
                let consequence = if written.is_some() {
                    "the image's HEALTHCHECK marks it unhealthy"
                } else {
                    "the image can have no HEALTHCHECK until the worker has its own (DS501 waits)"
                };
                Some(Finding::new(
                    &DOC,
                    s.file.clone(),
                    line_of_service(cx, s),
                    format!(
                        "service `{}` runs this image as a {kind} (`{}`), which answers no HTTP: {consequence}; give the service its own {replacement}",
                        s.name,
                        s.command.as_deref().unwrap_or_default()
                    ),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_told_apart_from_web_commands() {
        let (kind, hc) = worker_of("celery -A atlas worker -l info").unwrap();
        assert_eq!(kind, "Celery worker");
        assert!(hc.contains("celery -A atlas inspect ping"), "{hc}");
        assert_eq!(
            worker_of("celery --app=atlas beat").unwrap().0,
            "Celery beat"
        );
        assert_eq!(worker_of("rq worker high default").unwrap().0, "RQ worker");
        assert_eq!(
            worker_of("python manage.py rqworker").unwrap().0,
            "RQ worker"
        );
        assert!(worker_of("gunicorn atlas.wsgi").is_none());
        assert!(worker_of("celery -A atlas flower").is_none());
    }
}
