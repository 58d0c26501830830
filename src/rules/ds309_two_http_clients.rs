//! DS309 two-http-clients
//!
//! What it finds: both requests and httpx among the production
//! dependencies.
//! Why it matters: two libraries do one job, each with its own dependencies
//! (httpx brings httpcore, anyio, h11; requests brings urllib3, chardet or
//! charset-normalizer, idna), and both need patching.
//! Fix: settle on one (httpx covers sync and async) and remove the other.
//! This is advice: dockslim never removes a dependency the code imports.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::audit::{used_modules, HTTP_CLIENTS};

pub struct TwoHttpClients;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS309,
    name: "two-http-clients",
    severity: Severity::Info,
    summary: "Two HTTP client libraries (requests and httpx) are production dependencies.",
    why: "They do the same job; each brings its own dependencies to install and keep patched.",
    fix: "Use one of them (httpx does sync and async) and drop the other from the dependencies.",
    example: "Before:\n  requests==2.32.3\n  httpx==0.28.1\nAfter:\n  httpx==0.28.1",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for TwoHttpClients {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let set = &project.python.requirements;
        let clients: Vec<_> = HTTP_CLIENTS.iter().filter_map(|c| set.get(c)).collect();
        if clients.len() < 2 {
            return Vec::new();
        }
        let used = used_modules(cx.repo.python_sources());
        let imported: Vec<&str> = clients
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| used.contains(*n))
            .collect();
        let second = clients[1];
        vec![Finding::new(
            &DOC,
            second.file.clone(),
            Some(second.line),
            format!(
                "{} are both production dependencies ({}); one HTTP client is enough",
                clients
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" and "),
                if imported.is_empty() {
                    "the code imports neither".to_string()
                } else {
                    format!("the code imports {}", imported.join(" and "))
                }
            ),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn both_clients() {
        let fx = Fixture::new(&[
            ("requirements.txt", "flask\nrequests\nhttpx\n"),
            ("app.py", "import requests\n"),
        ]);
        let found = fx.check(&TwoHttpClients);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, Some(3));
        assert!(found[0].message.contains("the code imports requests"));
        let fx = Fixture::new(&[("requirements.txt", "flask\nhttpx\n")]);
        assert!(fx.check(&TwoHttpClients).is_empty());
    }
}
