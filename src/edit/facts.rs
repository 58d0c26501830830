//! What the image is, as fixes need to know it: the port the app listens
//! on, read from the user's own Dockerfile and repository.

use super::FixContext;
use crate::dockerfile::Keyword;

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
                return Some((p, format!("the bind address of the {} at line {}", keyword.as_str(), inst.line)));
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
        if let crate::detect::node::NodeApp::Server { port: Some((p, from)), .. } = &node.app {
            return Some((*p, from.clone()));
        }
    }
    None
}
