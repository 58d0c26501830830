//! DS304 dev-dependencies-in-image
//!
//! What it finds: development requirement sets (requirements-dev.txt,
//! requirements/test.txt, ...) installed in the image, either by the
//! Dockerfile or through a `-r` include of the production file.
//! Why it matters: test runners, linters and debuggers add tens to hundreds
//! of megabytes and more code to patch, and never run in production.
//! For a Node server: `npm install`, `npm ci` or `yarn install` without
//! `--omit=dev` (`--production`, `--prod`) in the final image, when
//! package.json has devDependencies.
//! Fix: install only the production set; keep development tools out of the
//! files the image installs.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::requirements::is_dev_file;
use crate::dockerfile::{shell, RunCommand};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct DevDependenciesInImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS304,
    name: "dev-dependencies-in-image",
    severity: Severity::Warning,
    summary: "Development dependencies (test, lint, dev requirement sets) are installed in the image.",
    why: "Test runners, linters and debuggers never run in production, but add size and code to keep patched.",
    fix: "Install only the production requirements (for Node: npm ci --omit=dev, or build in a stage and prune); move development tools to a file the image does not install.",
    example: "Before:\n  RUN pip install -r requirements.txt -r requirements-dev.txt\nAfter:\n  RUN pip install -r requirements.txt",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "a development package the image uses after all (a test runner an entrypoint calls, a TypeScript runner in the command) is no longer installed; the container then fails where it runs it.",
};

impl Rule for DevDependenciesInImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(df) = cx.dockerfile {
            let graph = crate::dockerfile::stages::StageGraph::of(df);
            let installing: Vec<&crate::dockerfile::Stage> = graph
                .installing(df)
                .into_iter()
                .map(|i| &df.stages[i])
                .collect();
            let files = installing
                .iter()
                .flat_map(|s| s.run_commands())
                .flat_map(|c| {
                    shell::pip_requirement_files(&c.words)
                        .into_iter()
                        .map(move |f| (f, c.inst.line))
                });
            for (file, line) in files {
                if is_dev_file(&file) {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(line),
                        format!("the image installs {file}"),
                    ));
                }
            }
        }
        let node_server = cx.project.and_then(|p| p.node.as_ref()).filter(|n| {
            matches!(n.app, crate::detect::node::NodeApp::Server { .. })
                && !n.dev_dependencies.is_empty()
        });
        if let (Some(df), Some(node)) = (cx.dockerfile, node_server) {
            for stage in df.shipped_stages() {
                for (inst, cmds) in stage.runs() {
                    if node_env_decides(df, inst) {
                        continue;
                    }
                    let full_install = cmds.iter().any(|c| {
                        let w: Vec<&str> = c.iter().map(String::as_str).collect();
                        matches!(w.first(), Some(&("npm" | "yarn" | "pnpm" | "bun")))
                            && w.iter().any(|x| matches!(*x, "install" | "i" | "ci"))
                            && !w.iter().any(|x| {
                                x.starts_with("--omit=dev")
                                    || matches!(
                                        *x,
                                        "--production" | "--prod" | "-P" | "--only=production"
                                    )
                            })
                            && !w.iter().any(|x| matches!(*x, "-g" | "--global"))
                    });
                    if full_install {
                        out.push(Finding::new(
                            &DOC,
                            df.path.clone(),
                            Some(inst.line),
                            format!(
                                "the image installs the {} devDependencies of {} too",
                                node.dev_dependencies.len(),
                                node.manifest()
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(df) = cx.dockerfile {
            let graph = crate::dockerfile::stages::StageGraph::of(df);
            let installing: Vec<&crate::dockerfile::Stage> = graph
                .installing(df)
                .into_iter()
                .map(|i| &df.stages[i])
                .collect();
            for (line, what) in manager_dev_installs(cx, &installing) {
                out.push(Finding::new(&DOC, df.path.clone(), Some(line), what));
            }
        }
        if let Some(project) = cx.project {
            let set = &project.python.requirements;
            for dev in &set.dev_files {
                out.push(Finding::new(
                    &DOC,
                    set.entry.clone(),
                    None,
                    format!("{} includes {dev}, a development set", set.entry),
                ));
            }
        }
        out
    }

    /// pip: the development file leaves the install (or gives way to the
    /// production file it includes). npm, yarn, pnpm: the install of a Node
    /// server skips devDependencies, when nothing after it in the stage
    /// builds with them.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        for index in cx.graph.installing(cx.df) {
            for c in cx.df.stages[index].run_commands() {
                if shell::is_pip_install(&c.words) {
                    out.extend(pip_fix(cx, &c));
                }
            }
        }
        out.extend(node_fix(cx));
        out.extend(manager_fix(cx));
        out
    }
}

/// `uv sync` and `poetry install` install the dev group unless told not
/// to; it matters when the project has one (or DS308 moves tools into it).
fn manager_dev_installs(
    cx: &Context,
    stages: &[&crate::dockerfile::Stage],
) -> Vec<(usize, String)> {
    let Some(project) = cx.project else {
        return Vec::new();
    };
    let has_dev = project
        .python
        .declared
        .as_ref()
        .is_some_and(|d| d.groups.keys().any(|g| g == "dev"))
        || !super::dev_tools(cx).is_empty();
    if !has_dev {
        return Vec::new();
    }
    let mut out = Vec::new();
    for stage in stages {
        for c in stage.run_commands() {
            if let Some(flag) = dev_exclusion(&c.words) {
                out.push((
                    c.inst.line,
                    format!(
                        "`{}` installs the dev group too; {flag} leaves it out",
                        c.words.join(" ")
                    ),
                ));
            }
        }
    }
    out
}

/// The flag a uv sync or poetry install lacks to leave the dev group out.
fn dev_exclusion(words: &[String]) -> Option<&'static str> {
    let (i, prog) = shell::program(words);
    let sub = words.get(i + 1).map(String::as_str);
    let has = |f: &str| {
        words
            .iter()
            .any(|w| w == f || w.starts_with(&format!("{f}=")))
    };
    match (prog, sub) {
        ("uv", Some("sync"))
            if !has("--no-dev") && !has("--only-group") && !has("--no-default-groups") =>
        {
            Some("--no-dev")
        }
        ("poetry", Some("install")) if !has("--only") && !has("--without") && !has("--no-dev") => {
            Some("--only main")
        }
        _ => None,
    }
}

fn manager_fix(cx: &FixContext) -> Vec<Outcome> {
    let rcx = cx.rules_context();
    let stages: Vec<&crate::dockerfile::Stage> = cx
        .graph
        .installing(cx.df)
        .into_iter()
        .map(|i| &cx.df.stages[i])
        .collect();
    if manager_dev_installs(&rcx, &stages).is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for stage in stages {
        for c in stage.run_commands() {
            let Some(flag) = dev_exclusion(&c.words) else {
                continue;
            };
            let (i, _) = shell::program(&c.words);
            // `poetry install --with dev`, `uv sync --group dev`: the team
            // asks for the dev group by name; --only main beside it would
            // contradict the line, not fix it.
            if let Some(asked) = c.words.windows(2).find(|w| {
                matches!(w[0].as_str(), "--with" | "--group" | "--extra")
                    && w[1]
                        .split(',')
                        .any(|g| matches!(g, "dev" | "test" | "tests" | "lint"))
            }) {
                out.push(cx.blocked(
                    DOC.id,
                    Some(c.inst.line),
                    format!("the install asks for the {} group by name (`{} {}`): the team installs it on purpose, so dockslim leaves that choice to you", asked[1], asked[0], asked[1]),
                ));
                continue;
            }
            let Some(sub) = c.word(i + 1) else {
                out.push(cx.blocked(
                    DOC.id,
                    Some(c.inst.line),
                    "the install is inside an exec-form RUN or `sh -c \"...\"`",
                ));
                continue;
            };
            out.push(Outcome::Fix(Fix {
                rule: DOC.id,
                line: c.inst.line,
                title: format!("{} {flag}", c.words[..i + 2].join(" ")),
                reason: "the dev group holds development tools (tests, linters), which the image never runs".into(),
                safety: Safety::Unsafe,
                edits: vec![cx.writer().insert_word_after(&sub.span, flag)],
                files: vec![],
                reshapes: false,
            }));
        }
    }
    out
}

fn pip_fix(cx: &FixContext, c: &RunCommand) -> Vec<Outcome> {
    let line = c.inst.line;
    let w = &c.words;
    let mut out = Vec::new();
    let files = shell::pip_requirement_files(w);
    let production: Vec<&String> = files.iter().filter(|f| !is_dev_file(f)).collect();
    for (i, word) in w.iter().enumerate() {
        let (flag_index, file) = match word.as_str() {
            "-r" | "--requirement" => match w.get(i + 1) {
                Some(f) => (Some(i), f.trim_start_matches("./").to_string()),
                None => continue,
            },
            _ => match word
                .strip_prefix("-r")
                .or_else(|| word.strip_prefix("--requirement="))
            {
                Some(f) if !f.is_empty() && !word.starts_with("--requirement ") => {
                    (None, f.trim_start_matches("./").to_string())
                }
                _ => continue,
            },
        };
        if !is_dev_file(&file) {
            continue;
        }
        let file_index = flag_index.map_or(i, |f| f + 1);
        let (Some(file_word), flag_word) = (c.word(file_index), flag_index.map(|f| c.word(f)))
        else {
            out.push(cx.blocked(
                DOC.id,
                Some(line),
                "the install is inside an exec-form RUN or `sh -c \"...\"`",
            ));
            continue;
        };
        let writer = cx.writer();
        let (edits, title) = if !production.is_empty() {
            let edits = match flag_word {
                // `-r dev.txt`: the flag, its file and the blank before them.
                Some(Some(flag)) => {
                    let text = &cx.df.text;
                    let mut start = flag.span.start;
                    while start > 0 && matches!(text.as_bytes()[start - 1], b' ' | b'\t') {
                        start -= 1;
                    }
                    vec![Edit::delete(start..file_word.span.end)]
                }
                _ => vec![writer.remove_word(&file_word.span)],
            };
            (edits, format!("{file} no longer installed"))
        } else {
            let included = crate::detect::requirements::read_set(cx.inputs.repo, &file)
                .map(|s| {
                    s.files
                        .into_iter()
                        .filter(|f| !is_dev_file(f))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let Some(prod) = included.first() else {
                out.push(cx.blocked(
                    DOC.id,
                    Some(line),
                    format!("{file} is the only file installed and includes no production file"),
                ));
                continue;
            };
            (
                vec![writer.replace(file_word.span.clone(), prod)],
                format!("{file} -> {prod}, the production set it includes"),
            )
        };
        out.push(Outcome::Fix(Fix {
            rule: DOC.id,
            line,
            title,
            reason: format!(
                "{file} holds development tools (tests, linters), which the image never runs"
            ),
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: false,
        }));
    }
    out
}

/// An ENV NODE_ENV before the install (in its stage chain) decides what npm
/// installs (production omits devDependencies), often from a build ARG
/// that a development build sets otherwise: that choice is the user's.
fn node_env_decides(
    df: &crate::dockerfile::Dockerfile,
    inst: &crate::dockerfile::Instruction,
) -> bool {
    let graph = crate::dockerfile::stages::StageGraph::of(df);
    let Some(stage) = df.stage_at_line(inst.line) else {
        return false;
    };
    graph.chain(stage.index).into_iter().any(|s| {
        df.stages[s].instructions.iter().any(|i| {
            i.keyword == crate::dockerfile::Keyword::Env
                && i.line < inst.line
                && crate::dockerfile::key_values(i.text())
                    .iter()
                    .any(|(k, _)| k == "NODE_ENV")
        })
    })
}

/// The package.json script the image's command runs (`npm run dev`,
/// `npm start`, `pnpm dev`, `yarn serve`), when it needs what --omit=dev
/// would drop: a dev server's script, or one that runs a devDependency
/// (`nodemon src/index.js`, `webpack serve`, `tsc && node dist`).
fn command_script_needs_dev(
    cx: &FixContext,
    node: &crate::detect::node::NodeProject,
) -> Option<String> {
    let words: Vec<String> = [
        crate::dockerfile::Keyword::Entrypoint,
        crate::dockerfile::Keyword::Cmd,
    ]
    .into_iter()
    .filter_map(|k| cx.effective(k))
    .flat_map(|i| i.command().map(|c| c.words()).unwrap_or_default())
    .collect();
    let (i, prog) = shell::program(&words);
    let rest = &words[(i + 1).min(words.len())..];
    let script = match (prog, rest.first().map(String::as_str)) {
        ("npm" | "pnpm" | "yarn" | "bun", Some("run" | "run-script")) => rest.get(1)?.clone(),
        ("npm" | "pnpm" | "yarn" | "bun", Some(s @ ("start" | "test"))) => s.to_string(),
        ("pnpm" | "yarn" | "bun", Some(s)) if !s.starts_with('-') => s.to_string(),
        _ => return None,
    };
    if matches!(script.as_str(), "dev" | "develop" | "watch" | "serve") || script.ends_with(":dev")
    {
        return Some(format!("the image's command runs the `{script}` script, a development server, which needs the devDependencies"));
    }
    let text = cx.inputs.repo.read_text(&node.manifest()).ok()??;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let body = json.get("scripts")?.get(&script)?.as_str()?;
    // A binary of a devDependency: mostly the package's own name; tsc is
    // TypeScript's.
    let binaries = |d: &str| -> Vec<String> {
        match d {
            "typescript" => vec!["tsc".into()],
            _ => vec![d.rsplit('/').next().unwrap_or(d).to_string()],
        }
    };
    let used = body
        .split(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | '|' | '(' | ')'))
        .find(|w| {
            node.dev_dependencies
                .iter()
                .any(|d| binaries(d).iter().any(|b| b == w))
        })?;
    Some(format!("the image's command runs the `{script}` script (`{body}`), and `{used}` is a devDependency"))
}

fn node_fix(cx: &FixContext) -> Vec<Outcome> {
    let Some(node) = cx.inputs.project.node.as_ref() else {
        return Vec::new();
    };
    if !matches!(node.app, crate::detect::node::NodeApp::Server { .. })
        || node.dev_dependencies.is_empty()
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for stage in cx.shipped() {
        let commands = stage.run_commands();
        for (n, c) in commands.iter().enumerate() {
            let (i, prog) = shell::program(&c.words);
            let sub = c.words.get(i + 1).map(String::as_str).unwrap_or("");
            let installs = match prog {
                "npm" => matches!(sub, "install" | "i" | "ci"),
                "yarn" => matches!(sub, "" | "install"),
                "pnpm" | "bun" => matches!(sub, "install" | "i"),
                _ => false,
            };
            let omitted = c.words.iter().any(|x| {
                x.starts_with("--omit=dev")
                    || matches!(
                        x.as_str(),
                        "--production" | "--prod" | "-P" | "--only=production" | "-g" | "--global"
                    )
            });
            if !installs
                || omitted
                || c.words.len() > i + 2 && prog == "npm" && !c.words[i + 2].starts_with('-')
            {
                continue;
            }
            if node_env_decides(cx.df, c.inst) {
                continue;
            }
            let line = Some(c.inst.line);
            let later = commands[n + 1..].iter().find(|l| {
                let p = shell::program(&l.words).1;
                matches!(
                    p,
                    "npm" | "yarn" | "pnpm" | "npx" | "tsc" | "node" | "bun" | "bunx"
                ) && !l.words.iter().any(|w| w == "cache")
            });
            if let Some(l) = later {
                out.push(cx.blocked(DOC.id, line, format!("line {} runs `{}` after the install, which may need the devDependencies; build in a stage of its own", l.inst.line, l.words.join(" "))));
                continue;
            }
            let runs_dev_tool = [
                crate::dockerfile::Keyword::Cmd,
                crate::dockerfile::Keyword::Entrypoint,
            ]
            .into_iter()
            .filter_map(|k| cx.effective(k))
            .flat_map(|i| i.command().map(|c| c.words()).unwrap_or_default())
            .any(|w| node.dev_dependencies.iter().any(|d| d == &w));
            if runs_dev_tool {
                out.push(cx.blocked(DOC.id, line, "the image's command runs a devDependency"));
                continue;
            }
            if let Some(why) = command_script_needs_dev(cx, node) {
                out.push(cx.blocked(DOC.id, line, why));
                continue;
            }
            let Some(sub_word) = c.word(i + 1).or_else(|| c.word(i)) else {
                out.push(cx.blocked(
                    DOC.id,
                    line,
                    "the install is inside an exec-form RUN or `sh -c \"...\"`",
                ));
                continue;
            };
            let flag = match prog {
                "npm" => "--omit=dev",
                "yarn" | "bun" => "--production",
                _ => "--prod",
            };
            let mut edits = vec![cx.writer().insert_word_after(&sub_word.span, flag)];
            let mut reason = format!("the server runs with its {} dependencies; its {} devDependencies are for development", node.dependencies.len(), node.dev_dependencies.len());
            match lifecycle_edit(node, stage, c) {
                Ok(None) => {}
                Ok(Some((edit, why))) => {
                    edits.insert(0, edit);
                    reason.push_str(&why);
                }
                Err(why) => {
                    out.push(cx.blocked(DOC.id, line, why));
                    continue;
                }
            }
            out.push(Outcome::Fix(Fix {
                rule: DOC.id,
                line: c.inst.line,
                title: format!(
                    "{prog} {} {flag}",
                    if sub.is_empty() { "install" } else { sub }
                ),
                reason,
                safety: Safety::Unsafe,
                edits,
                files: vec![],
                reshapes: false,
            }));
        }
    }
    out
}
/// What the production install needs for package.json's own install
/// scripts: nothing; the drop of scripts that only install git hooks
/// (with husky a devDependency, `"prepare": "husky"` would stop the
/// install at `husky: not found`), put before the command, and why; or
/// why the fix waits (a script runs a devDependency for files the app may
/// use).
fn lifecycle_edit(
    node: &crate::detect::node::NodeProject,
    stage: &crate::dockerfile::Stage,
    c: &RunCommand,
) -> std::result::Result<Option<(Edit, String)>, String> {
    let lifecycle = &node.lifecycle;
    if let Some(call) = &lifecycle.dev_call {
        let prune = match node.manager {
            crate::detect::node::NodeManager::Npm => "`npm prune --omit=dev`",
            crate::detect::node::NodeManager::Pnpm => "`pnpm prune --prod`",
            crate::detect::node::NodeManager::YarnClassic => {
                "`yarn install --production --ignore-scripts`"
            }
            _ => "a production install in a stage of its own",
        };
        return Err(format!(
            "package.json's {} (`{}`) runs {}, a devDependency, which a production install leaves out; install everything and prune after it ({prune}), or move {} to dependencies",
            call.script, call.command, call.package, call.package
        ));
    }
    let Some(drop) = lifecycle.drop_command(node.manager) else {
        return Ok(None);
    };
    // `npm pkg` came with npm 7.20; node:14 ships npm 6.
    let image = crate::dockerfile::image::ImageRef::parse(&stage.image);
    if let Some(major) = image.node_major().filter(|m| *m < 16) {
        return Err(format!(
            "{} ships an npm without `npm pkg`, which would drop package.json's git hook scripts that the production install would run without their tool (Node {major} is past its end of life)",
            stage.image
        ));
    }
    let Some(cmd) = c.simple() else {
        return Err("the install is inside `sh -c \"...\"`, where dockslim cannot put the drop of package.json's git hook scripts".into());
    };
    // `a || npm ci` would become `(a || drop) && npm ci`, and `x | npm ci`
    // would lose its input: the drop goes only where it binds to the
    // install alone.
    use crate::dockerfile::script::Connector;
    if matches!(cmd.before, Some(Connector::Or | Connector::Pipe)) {
        return Err(format!(
            "the install follows `||` or a pipe, where `{drop} &&` in front of it would change what runs; package.json's hook scripts would stop the production install"
        ));
    }
    let edit = Edit {
        range: cmd.span.start..cmd.span.start,
        text: format!("{drop} && "),
    };
    let why = format!(
        "; in package.json {}, which the production install would run without its tool, so `{drop}` drops it from the image's copy of package.json first",
        lifecycle.hooks_phrase()
    );
    Ok(Some((edit, why)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn dev_sets_in_dockerfile_or_includes() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN pip install -r requirements.txt -r requirements-dev.txt\n",
        )]);
        assert_eq!(fx.lines(&DevDependenciesInImage), [Some(2)]);
        let fx = Fixture::new(&[
            ("requirements.txt", "-r requirements-test.txt\nflask\n"),
            ("requirements-test.txt", "pytest\n"),
        ]);
        let found = fx.check(&DevDependenciesInImage);
        assert_eq!(
            found[0].message,
            "requirements.txt includes requirements-test.txt, a development set"
        );
    }

    #[test]
    fn a_dev_group_asked_for_by_name_is_left_with_a_reason() {
        let fx = Fixture::new(&[
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3\"\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n",
            ),
            ("poetry.lock", ""),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN pip install poetry\nCOPY . .\nRUN poetry install --with dev --no-root\nCMD [\"flask\", \"run\"]\n",
            ),
        ]);
        let reasons = fx.blocked_reasons(RuleId::DS304);
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("asks for the dev group by name")),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_command_whose_script_needs_dev_dependencies_keeps_them() {
        for (cmd, script) in [
            (
                "[\"npm\", \"run\", \"dev\"]",
                "\"start\": \"node index.js\", \"dev\": \"node --watch index.js\"",
            ),
            (
                "[\"npm\", \"run\", \"prod\"]",
                "\"start\": \"node index.js\", \"prod\": \"tsc && node dist/index.js\"",
            ),
        ] {
            let fx = Fixture::new(&[
                (
                    "package.json",
                    &format!("{{\"scripts\": {{{script}}}, \"dependencies\": {{\"express\": \"4\"}}, \"devDependencies\": {{\"nodemon\": \"3\", \"typescript\": \"5\"}}}}"),
                ),
                ("package-lock.json", "{}"),
                ("index.js", "require('express')().listen(3000)\n"),
                (
                    "Dockerfile",
                    &format!("FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD {cmd}\n"),
                ),
            ]);
            let (text, blocked) = fx.fixed(RuleId::DS304);
            assert!(blocked.contains(&RuleId::DS304), "{cmd}: {text}");
            assert!(text.contains("RUN npm ci\n"), "{text}");
        }
    }

    #[test]
    fn node_server_installing_dev_dependencies() {
        let files = |install: &'static str| {
            Fixture::new(&[
                ("package.json", "{\"scripts\": {\"start\": \"node index.js\"}, \"dependencies\": {\"express\": \"4\"}, \"devDependencies\": {\"nodemon\": \"3\"}}"),
                ("package-lock.json", "{}"),
                ("Dockerfile", install),
            ])
        };
        assert_eq!(
            files("FROM node:20\nCOPY . .\nRUN npm install\n").lines(&DevDependenciesInImage),
            [Some(3)]
        );
        assert!(files("FROM node:20\nCOPY . .\nRUN npm ci --omit=dev\n")
            .check(&DevDependenciesInImage)
            .is_empty());
    }

    #[test]
    fn the_install_drops_git_hook_scripts_and_waits_for_a_dev_tool_script() {
        let with = |scripts: &str, dev: &str| {
            Fixture::new(&[
                ("package.json", &format!("{{\"scripts\": {{\"start\": \"node index.js\", {scripts}}}, \"dependencies\": {{\"express\": \"4\"}}, \"devDependencies\": {{{dev}}}}}")),
                ("package-lock.json", "{}"),
                ("index.js", "require('express')().listen(3000)\n"),
                ("Dockerfile", "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"index.js\"]\n"),
            ])
        };
        let hooks = with("\"prepare\": \"husky install\"", "\"husky\": \"8\"");
        let (text, _) = hooks.fixed(RuleId::DS304);
        assert!(
            text.contains("RUN npm pkg delete scripts.prepare && npm ci --omit=dev\n"),
            "{text}"
        );
        let guarded = Fixture::new(&[
            ("package.json", "{\"scripts\": {\"start\": \"node index.js\", \"prepare\": \"husky\"}, \"dependencies\": {\"express\": \"4\"}, \"devDependencies\": {\"husky\": \"9\"}}"),
            ("package-lock.json", "{}"),
            ("index.js", "require('express')().listen(3000)\n"),
            ("Dockerfile", "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN test -d node_modules || npm ci\nCOPY . .\nCMD [\"node\", \"index.js\"]\n"),
        ]);
        let why = guarded.blocked_reasons(RuleId::DS304);
        assert!(why[0].contains("follows `||` or a pipe"), "{why:?}");
        let prisma = with("\"postinstall\": \"prisma generate\"", "\"prisma\": \"6\"");
        let why = prisma.blocked_reasons(RuleId::DS304);
        assert!(
            why[0].contains("postinstall (`prisma generate`) runs prisma"),
            "{why:?}"
        );
    }
}
