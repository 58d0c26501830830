//! What the image is, as fixes need to know it: the port the app listens
//! on, read from the user's own Dockerfile and repository.

use super::FixContext;
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::{shell, Keyword};

/// The port the app listens on, and where that was read: the
/// configuration, the image's EXPOSE, the command's bind address, an ENV
/// PORT, the code.
pub fn port(cx: &FixContext) -> Option<(u16, String)> {
    if let Some(p) = cx.inputs.config.port {
        return Some((p, "set in the configuration".into()));
    }
    let intent = cx.df.intent_of(&cx.graph);
    if let Some((p, line)) = intent
        .expose
        .iter()
        .find_map(|(p, l)| p.split('/').next()?.parse::<u16>().ok().map(|p| (p, l)))
    {
        return Some((p, format!("the EXPOSE at line {line}")));
    }
    for keyword in [Keyword::Cmd, Keyword::Entrypoint] {
        if let Some(inst) = cx.effective(keyword) {
            if let Some(p) = inst
                .command()
                .and_then(|c| crate::plan::python::bind_port(&c.words()))
            {
                return Some((
                    p,
                    format!(
                        "the bind address of the {} at line {}",
                        keyword.as_str(),
                        inst.line
                    ),
                ));
            }
        }
    }
    if let Some(p) = intent.env_value("PORT").and_then(|v| v.parse().ok()) {
        return Some((p, "ENV PORT".into()));
    }
    if let Some((p, file, line)) = &cx.inputs.project.python.web.code_port {
        return Some((*p, format!("the port the code runs on at {file}:{line}")));
    }
    if let Some(node) = &cx.inputs.project.node {
        if let crate::detect::node::NodeApp::Server {
            port: Some((p, from)),
            ..
        } = &node.app
        {
            return Some((*p, from.clone()));
        }
    }
    None
}

/// Shared libraries the Python requirements load at run time that the
/// image's stages do not install, with the requirement that loads
/// each.
pub fn runtime_libraries(cx: &FixContext, image: &ImageRef) -> Vec<(String, String)> {
    if !image.is_python() {
        return Vec::new();
    }
    let py = &cx.inputs.project.python;
    let debian = image
        .debian_release()
        .or_else(|| {
            cx.inputs
                .profile
                .python
                .as_ref()
                .map(|p| p.debian.as_str())
                .and_then(|d| {
                    crate::dockerfile::image::DEBIAN_RELEASES
                        .iter()
                        .copied()
                        .find(|r| *r == d)
                })
        })
        .unwrap_or("trixie");
    let installed: Vec<String> = cx
        .shipped()
        .iter()
        .flat_map(|s| s.run_commands())
        .filter_map(|c| shell::package_install(&c.words))
        .flatten()
        .collect();
    let installs_requirements = cx
        .shipped()
        .iter()
        .flat_map(|s| s.run_commands())
        .any(|c| shell::is_pip_install(&c.words))
        || cx.shipped().iter().any(|s| {
            s.instructions
                .iter()
                .any(|i| i.flag("from").is_some() && i.keyword == Keyword::Copy)
        });
    if !installs_requirements {
        return Vec::new();
    }
    let mut out = Vec::new();
    for req in &py.requirements.requirements {
        let single = crate::detect::requirements::RequirementSet {
            requirements: vec![req.clone()],
            ..Default::default()
        };
        for lib in cx.inputs.profile.native_needs(&single, debian).runtime {
            if !installed.contains(&lib) && !out.iter().any(|(l, _)| *l == lib) {
                out.push((lib, req.name.clone()));
            }
        }
    }
    out
}
