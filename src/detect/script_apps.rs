//! Apps that are scripts, not application objects: a Streamlit app is run
//! by `streamlit run app.py`, a Gradio app by `python app.py` (its
//! `launch()` starts the server). Neither has a `module:object` for
//! gunicorn or uvicorn; each has its own command, port and health route.
//!
//! The script is the one a launch file names (`streamlit run X` in a
//! Procfile, a shell script, a Makefile, a Dockerfile or a compose file),
//! else a file that imports the library and uses it at module level.

use std::sync::LazyLock;

use regex::Regex;

use super::framework::{AppTarget, Framework, Interface};
use super::py_values::Program;
use crate::repo::Repo;

/// A script a launch file runs, with the file:line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub framework: Framework,
    pub script: String,
    /// `--server.port 8080`, or the default of `${PORT:-8080}`.
    pub port: Option<u16>,
    pub file: String,
    pub line: usize,
    /// `fastmcp run server.py:mcp`: the server object the line names.
    pub object: Option<String>,
    /// The words after the script (`--transport`, `http`, ...), for the
    /// launchers whose flags say more than the port.
    pub args: Vec<String>,
}

/// Where teams write how the app starts.
fn is_launch_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let depth = path.matches('/').count();
    depth <= 2
        && (name == "Procfile"
            || name == "Makefile"
            || name.ends_with(".sh")
            || name.starts_with("Dockerfile")
            || name.ends_with(".Dockerfile")
            || ((name.starts_with("docker-compose") || name.starts_with("compose"))
                && (name.ends_with(".yml") || name.ends_with(".yaml"))))
}

/// The scripts launch files run: `streamlit run X` anywhere, and a
/// Procfile's `worker: python X.py`.
pub fn launches(repo: &Repo) -> Vec<Launch> {
    static PROCFILE_PYTHON: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[\w-]+:\s*python3?\s+([\w./-]+\.py)\s*$").unwrap());
    // `fastmcp run server.py:mcp --transport http --port 8000`.
    static FASTMCP_RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"fastmcp["',\s]+run["',\s]+\.?/?([\w./-]+\.py)(?::(\w+))?([^\n]*)"#).unwrap()
    });
    static STREAMLIT_RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"streamlit["',\s]+run["',\s]+\.?/?([\w./-]+\.py)([^\n]*)"#).unwrap()
    });
    let mut found = Vec::new();
    for file in repo
        .files
        .iter()
        .filter(|f| !f.vendored && is_launch_file(&f.path))
    {
        let Ok(Some(text)) = repo.read_text_at_most(&file.path, 1_000_000) else {
            continue;
        };
        if file.path == "Procfile" {
            for c in PROCFILE_PYTHON.captures_iter(&text) {
                found.push(Launch {
                    framework: Framework::Service,
                    script: c[1].to_string(),
                    port: None,
                    file: file.path.clone(),
                    line: crate::error::line_of(&text, c.get(0).unwrap().start()),
                    object: None,
                    args: Vec::new(),
                });
            }
        }
        for c in STREAMLIT_RUN.captures_iter(&text) {
            found.push(Launch {
                framework: Framework::Streamlit,
                script: c[1].to_string(),
                port: port_flag(&c[2]),
                file: file.path.clone(),
                line: crate::error::line_of(&text, c.get(0).unwrap().start()),
                object: None,
                args: Vec::new(),
            });
        }
        for c in FASTMCP_RUN.captures_iter(&text) {
            let args = words(&c[3]);
            let port = args
                .windows(2)
                .find(|w| w[0] == "--port")
                .and_then(|w| w[1].parse().ok());
            found.push(Launch {
                framework: Framework::Mcp,
                script: c[1].to_string(),
                port,
                file: file.path.clone(),
                line: crate::error::line_of(&text, c.get(0).unwrap().start()),
                object: c.get(2).map(|m| m.as_str().to_string()),
                args,
            });
        }
    }
    found
}

/// A launch line's words after its script, the same written as a shell
/// line (`--transport http`) or as an exec form (`"--transport", "http"`);
/// `--port=8000` is two words.
fn words(rest: &str) -> Vec<String> {
    let end = rest.find(['#', ']', '&', ';', '|']).unwrap_or(rest.len());
    rest[..end]
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '=' | '\\'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The port of `--server.port 8080`, `--server.port=8080` or
/// `--server.port "${PORT:-8080}"` (the default a platform's PORT replaces).
fn port_flag(rest: &str) -> Option<u16> {
    static PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"--server\.port[=\s]+["']?(?:\$\{\w+:-)?(\d{2,5})"#).unwrap()
    });
    PORT.captures(rest).and_then(|c| c[1].parse().ok())
}

/// The Streamlit and Gradio scripts of the program, most likely first: one
/// a launch file runs, then conventional names, then shallow paths.
pub fn find(program: &Program, launched: &[Launch]) -> Vec<AppTarget> {
    static IMPORTS_STREAMLIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*(?:import streamlit\b|from streamlit\b)").unwrap());
    // Module-level use: `st.title(...)`, `with st.sidebar:` at column 0.
    static USES_ST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^(?:with\s+)?(?:st|streamlit)\.\w+").unwrap());
    static IMPORTS_GRADIO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*(?:import gradio\b|from gradio\b)").unwrap());
    static LAUNCHES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\.launch\(").unwrap());

    let mut targets: Vec<(bool, AppTarget)> = Vec::new();
    for src in &program.sources {
        let path = src.path;
        let in_pages = path.split('/').any(|d| d == "pages");
        let framework = if IMPORTS_STREAMLIT.is_match(&src.code) && !in_pages {
            USES_ST
                .find(&src.code)
                .map(|m| (Framework::Streamlit, m.start()))
        } else if IMPORTS_GRADIO.is_match(&src.code) {
            LAUNCHES
                .find(&src.code)
                .map(|m| (Framework::Gradio, m.start()))
        } else {
            None
        };
        // A Procfile's python worker is a service, found by `service`.
        let launch = launched
            .iter()
            .filter(|l| !matches!(l.framework, Framework::Service | Framework::Mcp))
            .find(|l| l.script.trim_start_matches("./") == path);
        let Some((framework, at)) = framework.or(launch.map(|l| (l.framework, 0))) else {
            continue;
        };
        targets.push((
            launch.is_some(),
            AppTarget {
                framework,
                interface: Interface::Script,
                module: path.to_string(),
                object: String::new(),
                file: path.to_string(),
                line: src.line(at),
            },
        ));
    }
    let rank = |(launched, t): &(bool, AppTarget)| {
        let name = t.file.rsplit('/').next().unwrap_or(&t.file);
        let conventional = matches!(
            name,
            "streamlit_app.py" | "app.py" | "Home.py" | "home.py" | "main.py" | "dashboard.py"
        );
        (
            !launched,
            !conventional,
            t.file.matches('/').count(),
            t.file.clone(),
        )
    };
    targets.sort_by_key(rank);
    targets.into_iter().map(|(_, t)| t).collect()
}

/// A long-running script, when nothing serves HTTP: the one a Procfile
/// runs with python, else a root-level `main.py`, `bot.py`, `worker.py`,
/// `run.py`, `service.py`, `consumer.py` or `scheduler.py` with a
/// `__main__` block.
pub fn service(program: &Program, launched: &[Launch]) -> Vec<AppTarget> {
    static MAIN_BLOCK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?m)^if\s+__name__\s*==\s*["']__main__["']\s*:"#).unwrap());
    const NAMES: &[&str] = &[
        "main.py",
        "bot.py",
        "worker.py",
        "run.py",
        "service.py",
        "consumer.py",
        "scheduler.py",
    ];
    // A script that imports a web framework serves HTTP in a way dockslim
    // did not find (aiohttp's run_app, a custom loop): not a service.
    static WEB_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:import|from)\s+(?:flask|fastapi|starlette|django|aiohttp|tornado|sanic|bottle|falcon|quart|litestar|uvicorn|gunicorn|streamlit|gradio)\b").unwrap()
    });
    let serves_web = |src: &crate::detect::source::Source| WEB_IMPORT.is_match(&src.code);
    let target = |path: &str, line: usize| AppTarget {
        framework: Framework::Service,
        interface: Interface::Script,
        module: path.to_string(),
        object: String::new(),
        file: path.to_string(),
        line,
    };
    let by_launch = launched
        .iter()
        .filter(|l| l.framework == Framework::Service)
        .find_map(|l| {
            let path = l.script.trim_start_matches("./");
            let src = program
                .sources
                .iter()
                .find(|s| s.path == path && !serves_web(s))?;
            Some(target(
                path,
                MAIN_BLOCK.find(src.text).map_or(1, |m| src.line(m.start())),
            ))
        });
    if let Some(t) = by_launch {
        return vec![t];
    }
    NAMES
        .iter()
        .find_map(|name| {
            let src = program
                .sources
                .iter()
                .find(|s| s.path == *name && !serves_web(s))?;
            let found = MAIN_BLOCK.find(src.text)?;
            Some(target(name, src.line(found.start())))
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program<'a>(files: &'a [(&'a str, &'a str)]) -> Program<'a> {
        Program::of_python(files)
    }

    #[test]
    fn a_streamlit_script_is_found_by_its_module_level_use_and_pages_are_not_apps() {
        let files = [
            ("ui/app.py", "import streamlit as st\nfrom core import model\n\nst.title('Sales')\nwith st.sidebar:\n    st.write('x')\n"),
            ("ui/pages/1_Report.py", "import streamlit as st\nst.header('Report')\n"),
            ("core/model.py", "import numpy\n# st.title in a comment\n"),
            ("tools/plot.py", "import streamlit as st\n\ndef show():\n    st.write(1)\n"),
        ];
        let found = find(&program(&files), &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].framework, Framework::Streamlit);
        assert_eq!((found[0].file.as_str(), found[0].line), ("ui/app.py", 4));
        assert_eq!(found[0].spec(), "ui/app.py");
    }

    #[test]
    fn the_script_a_launch_file_runs_comes_first() {
        let files = [
            ("app.py", "import streamlit as st\nst.title('a')\n"),
            (
                "dashboards/ops.py",
                "import streamlit as st\nst.title('b')\n",
            ),
        ];
        let launched = [Launch {
            framework: Framework::Streamlit,
            script: "dashboards/ops.py".into(),
            port: None,
            file: "scripts/start.sh".into(),
            line: 3,
            object: None,
            args: Vec::new(),
        }];
        let found = find(&program(&files), &launched);
        assert_eq!(found[0].file, "dashboards/ops.py");
    }

    #[test]
    fn a_gradio_app_is_a_script_that_launches() {
        let files = [(
            "demo.py",
            "import gradio as gr\n\ndef greet(n):\n    return n\n\nif __name__ == '__main__':\n    gr.Interface(greet, 'text', 'text').launch()\n",
        )];
        let found = find(&program(&files), &[]);
        assert_eq!(found[0].framework, Framework::Gradio);
        assert_eq!(found[0].line, 7);
    }

    #[test]
    fn the_port_a_launch_line_gives() {
        assert_eq!(
            port_flag(r#" --server.port "${PORT:-8080}" --server.address 0.0.0.0"#),
            Some(8080)
        );
        assert_eq!(port_flag(" --server.port=8502"), Some(8502));
        assert_eq!(port_flag(" --server.headless true"), None);
    }

    #[test]
    fn a_long_running_script_is_the_app_when_nothing_serves_http() {
        let files = [
            ("lib/feeds.py", "def poll():\n    return []\n"),
            ("main.py", "import time\nfrom lib.feeds import poll\n\nif __name__ == \"__main__\":\n    while True:\n        poll()\n        time.sleep(30)\n"),
        ];
        let found = service(&program(&files), &[]);
        assert_eq!((found[0].file.as_str(), found[0].line), ("main.py", 4));
        assert_eq!(found[0].framework, Framework::Service);
        // A Procfile's worker line names it, whatever its name.
        let files = [("relay.py", "if __name__ == '__main__':\n    pass\n")];
        let launched = [Launch {
            framework: Framework::Service,
            script: "relay.py".into(),
            port: None,
            file: "Procfile".into(),
            line: 1,
            object: None,
            args: Vec::new(),
        }];
        assert_eq!(service(&program(&files), &launched)[0].file, "relay.py");
        assert!(service(&program(&files), &[]).is_empty());
        // A script that runs a web server dockslim did not find is not one.
        let files = [(
            "main.py",
            "from aiohttp import web\n\nif __name__ == '__main__':\n    web.run_app(web.Application(), port=8080)\n",
        )];
        assert!(service(&program(&files), &[]).is_empty());
    }
}
