//! DS503 no-production-server
//!
//! What it finds: a web application whose dependencies include no production
//! server for its interface (gunicorn or waitress for WSGI; uvicorn,
//! hypercorn or daphne for ASGI).
//! Why it matters: without one, the only way to run the app is its
//! development server, or a server installed outside the requirements where
//! its version is not pinned.
//! Fix: add the server to the production requirements; dockslim uses the
//! profile's default server meanwhile and installs it in the image.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::framework::Interface;
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct NoProductionServer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS503,
    name: "no-production-server",
    severity: Severity::Warning,
    summary: "The web app's dependencies include no production server.",
    why: "Without gunicorn (WSGI) or uvicorn (ASGI) in the requirements, the app can only run under its development server, or under a server installed ad hoc whose version nobody pins.",
    fix: "Add the server to the production requirements (gunicorn for Flask and Django, uvicorn for FastAPI). Until then dockslim installs the profile's default server in the image.",
    example: "Before (requirements.txt):\n  flask==3.1.0\nAfter:\n  flask==3.1.0\n  gunicorn==23.0.0",
    fix_safety: Some(Safety::Safe),
    fix_risk: "",
};

impl Rule for NoProductionServer {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let py = &project.python;
        let Some(target) = py.web.targets.first() else {
            return Vec::new();
        };
        if !py.servers.is_empty() {
            return Vec::new();
        }
        let wanted = match target.interface {
            Interface::Wsgi => "gunicorn or waitress",
            Interface::Asgi => "uvicorn, hypercorn or daphne",
            // Streamlit and Gradio serve with their own server.
            Interface::Script => return Vec::new(),
        };
        vec![Finding::new(
            &DOC,
            py.requirements.entry.clone(),
            None,
            format!(
                "{} app `{}` has no production server in {} (expected {wanted})",
                target.framework.name(),
                target.spec(),
                py.requirements.entry
            ),
        )]
    }

    /// The server the image runs (or will run once DS502 replaces the
    /// development server) joins the pip install of the requirements, at
    /// the version the profile pins.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some(spec) = crate::edit::server::missing_server(cx) else {
            return Vec::new();
        };
        let install = match crate::edit::server::requirements_install(cx) {
            Ok(i) => i,
            Err(why) => return vec![cx.blocked(DOC.id, None, why)],
        };
        let Some(last) = install.simple().and_then(|c| c.words.last()) else {
            return Vec::new();
        };
        let file = &cx.inputs.project.python.requirements.entry;
        if file.is_empty() {
            // No requirements file read (the project was not found): the
            // image may install its server some other way.
            return Vec::new();
        }
        vec![Outcome::Fix(Fix {
            rule: DOC.id,
            line: install.inst.line,
            title: format!("pip install ... {spec}"),
            reason: format!("the image runs {} and {file} does not list it, so the install adds it at the profile's pinned version; add it to {file} to pin it there", crate::detect::requirements::spec_name(&spec)),
            safety: Safety::Safe,
            edits: vec![cx.writer().insert_word_after(&last.span, &spec)],
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
    fn before_and_after() {
        let app = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");
        let bad = Fixture::new(&[("requirements.txt", "flask\n"), app]);
        assert_eq!(bad.check(&NoProductionServer).len(), 1);
        let good = Fixture::new(&[("requirements.txt", "flask\ngunicorn\n"), app]);
        assert!(good.check(&NoProductionServer).is_empty());
        let asgi_wrong = Fixture::new(&[
            ("requirements.txt", "fastapi\ngunicorn\n"),
            ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
        ]);
        assert_eq!(
            asgi_wrong.check(&NoProductionServer).len(),
            1,
            "gunicorn alone cannot serve ASGI"
        );
    }

    /// A word put inside an unclosed quote would be part of the quoted
    /// text: the engine holds back every fix that edits inside a RUN whose
    /// shell does not parse (found by fuzzing: DS503 added the server there
    /// every round), while a new line after it is still a new instruction.
    #[test]
    fn an_extra_that_brings_the_server_counts() {
        let fx = Fixture::new(&[
            ("requirements.txt", "fastapi[standard]==0.115.6\n"),
            ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
        ]);
        assert!(fx.check(&NoProductionServer).is_empty());
    }

    #[test]
    fn an_unparsed_run_is_not_edited_inside() {
        let fx = Fixture::new(&[
            ("requirements.txt", "Flask==3.0.3\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r\" requirements.txt",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS503);
        assert!(!text.contains("gunicorn=="), "{text}");
        let reasons = fx.blocked_reasons(RuleId::DS503);
        assert!(
            reasons.iter().any(|r| r.contains("does not parse")),
            "{reasons:?}"
        );
    }
}
