//! A static site: the build script writes the files, and nginx or Caddy
//! serves them from an image without Node, as a non-root user, with a
//! config file dockslim writes (index.html for unknown paths, a year's
//! cache for the hashed assets).

use super::health::{health, static_probe};
use super::{decide, NodeKind, NodePlan, ServerConfig, Stage};
use crate::detect::node::{join, normalize_path};
use crate::error::{Error, Result};
use crate::plan::{image_name, Inputs, Topic};
use crate::profile::StaticServer;

/// A static site's plan: its build, the file server that serves it, and
/// that server's config file.
pub(super) fn plan(
    st: &mut Stage,
    plan: &mut NodePlan,
    framework: &str,
    script: &str,
    output: &str,
    output_from: &str,
) -> Result<ServerConfig> {
    let inputs = st.inputs;
    let server = inputs.profile.node.static_server;
    plan.kind = NodeKind::Static;
    build(st, plan, framework, script, output, output_from);
    plan.port = inputs
        .config
        .port
        .unwrap_or(inputs.profile.node.static_port);
    plan.summary = format!(
        "{framework} site {}, built with {}, served by {}",
        st.node.name.clone().unwrap_or_else(|| st.node.manifest()),
        st.node.manager.name(),
        match server {
            StaticServer::Nginx => "nginx",
            StaticServer::Caddy => "Caddy",
        }
    );
    let config = serve(st, plan, server)?;
    let (port, name) = (plan.port, plan.server);
    plan.healthcheck = health(
        st,
        |path| static_probe(server, port, path.unwrap_or("/")),
        None,
        format!("asks {name} for / with what the image has (no curl in it)"),
    );
    // nginx finishes the requests in flight before it stops on SIGQUIT.
    if server == StaticServer::Nginx {
        plan.stopsignal = Some("SIGQUIT".into());
    }
    Ok(config)
}

/// The build script, and where the files land.
fn build(
    st: &mut Stage,
    plan: &mut NodePlan,
    framework: &str,
    script: &str,
    output: &str,
    output_from: &str,
) {
    let (node, workdir) = (st.node, st.at.workdir);
    plan.build = Some(super::run_script(node, script));
    let workdir_app = join(workdir.trim_start_matches('/'), node.app_dir_in_build());
    plan.output = normalize_path(&join(&workdir_app, output))
        .map(|p| format!("/{p}"))
        .unwrap_or_else(|| format!("{workdir}/{output}"));
    plan.assets_dir = assets_dir(framework).into();
    st.decide(
        Topic::Build,
        plan.build.clone().unwrap_or_default(),
        format!(
            "the `{script}` script of {}{}; {framework} writes the site to {output} ({output_from})",
            node.manifest(),
            super::install::built_first(node, script),
        ),
        vec![],
    );
}

/// The assets folder a framework fingerprints its files in.
fn assets_dir(framework: &str) -> &'static str {
    match framework {
        "Create React App" | "Gatsby" => "static",
        "Astro" => "_astro",
        "Next.js (static export)" => "_next",
        "Vue CLI" => "js",
        _ => "assets",
    }
}

/// The file server's image, user and command, and its config's template.
struct Server {
    /// The image's public name.
    image: String,
    user: String,
    cmd: Vec<String>,
    name: &'static str,
    template: &'static str,
}

fn server(inputs: &Inputs, server: StaticServer) -> Server {
    let profile = &inputs.profile.node;
    match server {
        StaticServer::Nginx => Server {
            image: profile.nginx.image.clone(),
            user: format!("{0}:{0}", profile.nginx.uid),
            cmd: vec![
                "nginx".to_string(),
                "-e".into(),
                "stderr".into(),
                "-g".into(),
                "daemon off;".into(),
            ],
            name: "nginx",
            template: "files/nginx.conf.j2",
        },
        StaticServer::Caddy => Server {
            image: profile.caddy.image.clone(),
            user: format!("{0}:{0}", inputs.profile.user.uid),
            cmd: vec![
                "caddy".to_string(),
                "run".into(),
                "--config".into(),
                "/etc/caddy/Caddyfile".into(),
                "--adapter".into(),
                "caddyfile".into(),
            ],
            name: "caddy",
            template: "files/Caddyfile.j2",
        },
    }
}

/// The image that serves the files, and the config file it reads.
fn serve(st: &mut Stage, plan: &mut NodePlan, kind: StaticServer) -> Result<ServerConfig> {
    let (inputs, node, prefix) = (st.inputs, st.node, st.at.prefix);
    let server = server(inputs, kind);
    plan.server = server.name;
    plan.runtime_image = image_name(inputs.config, &server.image);
    plan.user = server.user;
    plan.cmd = server.cmd;
    // A build-only stage (a Python image's frontend) serves nothing.
    // Beside the Dockerfile: the package's folder, or the root of a
    // workspace, which the image is built from.
    let config_dir = if node.workspace.is_some() {
        ""
    } else {
        node.dir.as_str()
    };
    let path = if st.at.serves {
        server_config_path(inputs, config_dir, kind)?
    } else {
        String::new()
    };
    plan.server_config = Some(
        path.strip_prefix(&format!("{}/", node.dir))
            // A workspace is built from its root: the path stays whole.
            .filter(|_| prefix.is_empty() && !node.dir.is_empty() && node.workspace.is_none())
            .map(str::to_string)
            .unwrap_or_else(|| path.clone()),
    );
    let server_name = server.name;
    st.decide(
        Topic::Runtime,
        format!("{} as {}, port {}", plan.runtime_image, plan.user, plan.port),
        format!("a static site needs a file server, not Node: the image holds {server_name} and the built files only; {path} answers unknown paths with index.html so client-side routes work on reload, and runs without root (port {} instead of 80)", plan.port),
        inputs.fixes(&[crate::rules::RuleId::DS312, crate::rules::RuleId::DS401, crate::rules::RuleId::DS502]),
    );
    decide(
        st.decisions,
        &path,
        Topic::StaticServer,
        format!("{server_name} on port {}, unknown paths -> /index.html", plan.port),
        format!("runs as a non-root user (pid and temporary files in /tmp), answers client-side routes with index.html so a reload does not 404, and caches the hashed files in /{}/ for a year", plan.assets_dir),
        vec![],
    );
    Ok(ServerConfig {
        path,
        template: server.template,
    })
}

/// The config file for the static server: `nginx.conf` (or `Caddyfile`)
/// beside package.json, or under docker/ when a file of that name exists
/// and is someone else's.
pub fn server_config_path(inputs: &Inputs, dir: &str, server: StaticServer) -> Result<String> {
    let name = match server {
        StaticServer::Nginx => "nginx.conf",
        StaticServer::Caddy => "Caddyfile",
    };
    for candidate in [join(dir, name), join(dir, &format!("docker/{name}"))] {
        match inputs.repo.read_text(&candidate)? {
            None => return Ok(candidate),
            Some(t) if t.contains("Written by dockslim") => return Ok(candidate),
            Some(_) => {}
        }
    }
    Err(Error::unsupported(
        format!(
            "{} and {} exist and were not written by dockslim",
            join(dir, name),
            join(dir, &format!("docker/{name}"))
        ),
        "move one away so dockslim can write the static server's config",
    ))
}
