//! The production server, as DS502 (dev server in production) and DS503
//! (no production server) fix it together: which command replaces the
//! development server, on which port, and which pip install gets the server
//! package when the requirements lack it.

use super::FixContext;
use crate::detect::Manager;
use crate::dockerfile::{shell, Command, Instruction, Keyword, RunCommand};

/// The instruction that starts a development server in the image, with
/// what kind it is.
pub fn dev_server<'a>(cx: &FixContext<'a>) -> Option<(&'a Instruction, &'static str)> {
    [Keyword::Entrypoint, Keyword::Cmd]
        .into_iter()
        .find_map(|k| {
            let inst = cx.effective(k)?;
            let words = inst.command()?.words();
            crate::rules::dev_server_kind(&words, cx.inputs.repo).map(|kind| (inst, kind))
        })
}

/// The port a command binds: `--port 8080`, `-p 8080`, `--bind :8000`,
/// `runserver 0.0.0.0:8000`.
pub fn command_port(words: &[String]) -> Option<u16> {
    if let Some(p) = crate::plan::python::bind_port(words) {
        return Some(p);
    }
    words
        .iter()
        .find_map(|w| w.strip_prefix("--port=").and_then(|p| p.parse().ok()))
}

/// The command that serves the app in production, on the port the
/// development server used.
pub fn production_command(
    cx: &FixContext,
    dev: &Instruction,
) -> Result<(Vec<String>, u16), String> {
    let words = dev.command().map(Command::words).unwrap_or_default();
    let port = command_port(&words)
        .or_else(|| super::facts::port(cx).map(|(p, _)| p))
        .or_else(|| {
            cx.inputs
                .project
                .python
                .web
                .framework()
                .map(|f| f.default_port())
        })
        .ok_or("no port is known for the server")?;
    let mut decisions = Vec::new();
    let command = crate::plan::python::server_command(cx.inputs, port, &mut decisions)
        .map_err(|e| e.to_string())?;
    Ok((command, port))
}

/// The server package the image's command runs (or will run once DS502
/// replaces a development server) and nothing installs: a pip spec.
pub fn missing_server(cx: &FixContext) -> Option<String> {
    let py = &cx.inputs.project.python;
    let command: Vec<String> = match dev_server(cx) {
        Some((dev, _)) => production_command(cx, dev).ok()?.0,
        None => [Keyword::Entrypoint, Keyword::Cmd]
            .into_iter()
            .filter_map(|k| cx.effective(k))
            .flat_map(|i| i.command().map(Command::words).unwrap_or_default())
            .collect(),
    };
    let mut decisions = Vec::new();
    let python_profile = cx.inputs.profile.python.as_ref()?;
    let missing =
        crate::plan::python::missing_servers(cx.inputs, &command, python_profile, &mut decisions);
    let installed_by_dockerfile = |spec: &str| {
        let name = crate::detect::requirements::spec_name(spec);
        cx.graph.installing(cx.df).into_iter().any(|i| {
            cx.df.stages[i].run_commands().iter().any(|c| {
                shell::is_pip_install(&c.words)
                    && shell::pip_install_targets(&c.words)
                        .iter()
                        .any(|t| crate::detect::requirements::spec_name(t) == name)
            })
        })
    };
    let spec = missing.into_iter().find(|s| !installed_by_dockerfile(s))?;
    (py.manager == Manager::Pip
        || !py
            .requirements
            .has(&crate::detect::requirements::spec_name(&spec)))
    .then_some(spec)
}

/// The pip install of the app's requirements that a server package can join.
pub fn requirements_install<'a>(cx: &FixContext<'a>) -> Result<RunCommand<'a>, String> {
    let py = &cx.inputs.project.python;
    if py.manager != Manager::Pip {
        return Err(format!(
            "{} installs from {}; add the server there and lock again",
            py.manager.name(),
            py.requirements.entry
        ));
    }
    let installs: Vec<RunCommand<'a>> = cx
        .graph
        .installing(cx.df)
        .into_iter()
        .flat_map(|i| cx.df.stages[i].run_commands())
        .filter(|c| {
            shell::is_pip_install(&c.words) && !shell::pip_requirement_files(&c.words).is_empty()
        })
        .collect();
    let install = installs
        .into_iter()
        .last()
        .ok_or("no pip install of the requirements in the image's stages")?;
    if install.simple().is_none() {
        return Err("the pip install is inside an exec-form RUN or `sh -c \"...\"`".into());
    }
    Ok(install)
}
