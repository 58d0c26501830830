//! DS502 dev-server-in-production
//!
//! What it finds: a CMD or ENTRYPOINT that starts a development server:
//! `flask run`, `python app.py` that calls `app.run()`, `manage.py
//! runserver`, `uvicorn --reload`, `npm run dev`, `vite`, `next dev`.
//! Why it matters: development servers are single-process, reload on file
//! changes, may expose a debugger, and say themselves that they are not for
//! production.
//! Fix: run a production server: gunicorn for WSGI apps, uvicorn (or
//! gunicorn with uvicorn workers) for ASGI apps, a static file server or
//! `node server.js` for frontends.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::repo::Repo;

pub struct DevServer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS502,
    name: "dev-server-in-production",
    severity: Severity::Warning,
    summary: "The image starts a development server.",
    why: "Development servers (flask run, app.run(), manage.py runserver, uvicorn --reload, npm run dev) handle one request at a time or reload on file changes, may expose a debugger, and are documented as unfit for production.",
    fix: "Run a production server: gunicorn for WSGI apps, uvicorn or gunicorn with uvicorn workers for ASGI apps; for a frontend, serve the built files with nginx or Caddy, or run `node server.js` from Next.js's standalone output.",
    example: "Before:\n  CMD flask run --host=0.0.0.0\nAfter:\n  CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:5000\", \"app:app\"]",
    fix_safety: None,
    fix_risk: "",
};

/// What kind of development server `words` starts, if any. `repo` lets us
/// look inside `python app.py` for `app.run(`.
pub fn dev_server_kind(words: &[String], repo: &Repo) -> Option<&'static str> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let prog = w
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .unwrap_or("");
    let has = |x: &str| w.contains(&x);
    if (prog == "flask" && has("run")) || w.windows(3).any(|x| x == ["-m", "flask", "run"]) {
        return Some("flask run (Werkzeug's development server)");
    }
    if w.iter().any(|x| x.ends_with("manage.py")) && has("runserver") {
        return Some("manage.py runserver (Django's development server)");
    }
    if (prog == "uvicorn" || w.windows(2).any(|x| x == ["-m", "uvicorn"])) && has("--reload") {
        return Some("uvicorn --reload");
    }
    if matches!(prog, "npm" | "yarn" | "pnpm") && (has("dev") || (has("run") && has("dev"))) {
        return Some("the frontend's dev script");
    }
    if prog == "vite" && (w.len() == 1 || has("dev") || has("serve"))
        || (prog == "next" && has("dev"))
    {
        return Some("a frontend development server");
    }
    if prog.starts_with("python") {
        if let Some(script) = w.iter().skip(1).find(|x| x.ends_with(".py")) {
            let script = script.trim_start_matches("./");
            let script = script.strip_prefix("/app/").unwrap_or(script);
            if let Ok(Some(text)) = repo.read_text(script) {
                if text.contains(".run(")
                    && (text.contains("Flask(") || text.contains("create_app"))
                {
                    return Some("python running app.run() (Werkzeug's development server)");
                }
            }
        }
    }
    None
}

impl Rule for DevServer {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let intent = df.intent();
        let mut out = Vec::new();
        for (cmd, line) in [intent.entrypoint.as_ref(), intent.cmd.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(kind) = dev_server_kind(&cmd.words(), cx.repo) {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(*line),
                    format!("the image starts {kind}"),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn dev_servers_are_found() {
        for cmd in [
            "flask run --host=0.0.0.0",
            "[\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]",
            "uvicorn main:app --reload",
            "npm run dev",
            "python app.py",
        ] {
            let fx = Fixture::new(&[
                ("app.py", "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n"),
                ("Dockerfile", &format!("FROM python:3.12\nCMD {cmd}\n")),
            ]);
            assert_eq!(fx.lines(&DevServer), [Some(2)], "{cmd}");
        }
    }

    #[test]
    fn production_servers_pass() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCMD [\"gunicorn\", \"app:app\"]\n",
        )]);
        assert!(fx.check(&DevServer).is_empty());
        let fx = Fixture::new(&[
            ("worker.py", "print('hi')\n"),
            ("Dockerfile", "FROM python:3.12\nCMD python worker.py\n"),
        ]);
        assert!(fx.check(&DevServer).is_empty());
    }
}
