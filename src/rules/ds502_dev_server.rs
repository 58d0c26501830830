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

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::{Args, Command, Instruction, Keyword};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};
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
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the production server imports the app object and serves it; code the development entry point ran before serving (under `if __name__ == \"__main__\":`, say) no longer runs, and the server reads its own settings (workers from WEB_CONCURRENCY).",
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

    /// `uvicorn --reload` loses its reload options; flask run, manage.py
    /// runserver and `python app.py` become the production server's command
    /// on the same port. Node development servers are left to DS311 and
    /// DS312, which give the image a production runtime.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let Some((inst, kind)) = crate::edit::server::dev_server(cx) else {
            return Vec::new();
        };
        vec![match fix_one(cx, inst, kind) {
            Ok(fix) => Outcome::Fix(fix),
            Err(why) => cx.blocked(DOC.id, Some(inst.line), why),
        }]
    }
}

fn fix_one(cx: &FixContext, inst: &Instruction, kind: &str) -> Result<Fix, String> {
    let Some(command) = inst.command() else {
        return Err("the command could not be read".into());
    };
    let Args::Command { span, .. } = &inst.args else {
        return Err("the command could not be read".into());
    };
    let words = command.words();
    if kind.contains("frontend") {
        return Err(
            "a Node development server: DS311 or DS312 give the image a production runtime".into(),
        );
    }
    if inst.keyword == Keyword::Entrypoint && cx.effective(Keyword::Cmd).is_some() {
        return Err(
            "the ENTRYPOINT starts the server and a CMD gives it arguments; replace both by hand"
                .into(),
        );
    }
    let fix = |title: String, reason: String, text: String| Fix {
        rule: DOC.id,
        line: inst.line,
        title,
        reason,
        safety: Safety::Unsafe,
        edits: vec![Edit::replace(span.clone(), text)],
        files: vec![],
        reshapes: false,
    };
    if kind.starts_with("uvicorn") {
        let mut kept = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            match w.as_str() {
                "--reload" => {}
                "--reload-dir" | "--reload-include" | "--reload-exclude" | "--reload-delay" => {
                    it.next();
                }
                _ if w.starts_with("--reload-") => {}
                _ => kept.push(w.clone()),
            }
        }
        if matches!(command, Command::Shell(t) if t.contains('$')) {
            return Err("the command uses shell variables; remove --reload by hand".into());
        }
        return Ok(fix(
            "uvicorn without --reload".into(),
            "--reload watches the source and restarts on every change, a development feature that costs a process and CPU in production".into(),
            crate::render::exec_form(kept),
        ));
    }
    if kind.contains("app.run()") {
        if let Some(extra) = main_block_does_more(cx, &words) {
            return Err(format!(
                "{extra}, which a production server importing the app would skip; move it into the app factory or an entrypoint script"
            ));
        }
    }
    let (production, port) = crate::edit::server::production_command(cx, inst)?;
    Ok(fix(
        format!("{} -> {}", words.join(" "), production.join(" ")),
        format!(
            "{kind} is a development server; {} serves the same app on port {port}",
            production[0]
        ),
        crate::render::exec_form(production),
    ))
}

/// What `python app.py` runs under `if __name__ == "__main__":` besides
/// `app.run(...)`, if anything.
fn main_block_does_more(cx: &FixContext, words: &[String]) -> Option<String> {
    let script = words.iter().skip(1).find(|w| w.ends_with(".py"))?;
    let rel = script.trim_start_matches("./");
    let text = cx.inputs.repo.read_text(rel).ok().flatten()?;
    let mut in_main = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if line.starts_with("if __name__") {
            in_main = true;
            continue;
        }
        if !in_main || trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') && !line.starts_with('\t') {
            in_main = false;
            continue;
        }
        let harmless = trimmed.contains(".run(")
            || trimmed.starts_with("port")
            || trimmed.starts_with("host")
            || trimmed.starts_with("debug")
            || trimmed.starts_with(')')
            || trimmed.ends_with(',');
        if !harmless {
            return Some(format!("{rel}:{} runs `{trimmed}` before serving", n + 1));
        }
    }
    None
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
