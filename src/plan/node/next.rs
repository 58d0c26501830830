//! A Next.js server: `next build` writes the standalone output, and the
//! image runs its `server.js` with only the node_modules files it traces.

use super::health::node_probe;
use super::{command, NodeKind, NodePlan, Stage};
use crate::detect::route::Route;
use crate::plan::Topic;

/// A Next.js server's plan: the build, its environment, the port, `node
/// server.js`, the healthcheck.
pub(super) fn plan(
    st: &mut Stage,
    plan: &mut NodePlan,
    script: &str,
    dist_dir: &str,
    health: Option<&Route>,
) {
    let (inputs, node) = (st.inputs, st.node);
    plan.kind = NodeKind::Next;
    plan.build = Some(super::run_script(node, script));
    plan.build_env = vec![("NEXT_TELEMETRY_DISABLED".into(), "1".into())];
    plan.dist_dir = dist_dir.to_string();
    plan.output = format!("{}/{}{dist_dir}", st.at.workdir, plan.app_path);
    plan.port = command::port(st, None);
    // In a workspace Next.js traces from the workspace root (the folder of
    // the lock file, or outputFileTracingRoot), so the standalone folder
    // keeps the workspace's layout and the server is the member's.
    plan.cmd = vec!["node".into(), format!("{}server.js", plan.standalone_path)];
    plan.summary = format!(
        "Next.js app {}, built with {}, run from its standalone output",
        node.name.clone().unwrap_or_else(|| node.manifest()),
        node.manager.name()
    );
    let traced = match plan.standalone_path.as_str() {
        "" => String::new(),
        path => format!(
            "; Next.js traces from {}, so the server is {path}server.js in the standalone output and the static files and public/ go beside it",
            match &node.app {
                crate::detect::node::NodeApp::NextServer { tracing_root: Some((_, at)), .. } => format!("the outputFileTracingRoot at {at}"),
                _ => "the workspace root (the folder of its lock file)".to_string(),
            }
        ),
    };
    st.decide(Topic::Runtime, format!("{} as node (1000), `{}`", plan.runtime_image, plan.cmd.join(" ")), format!("Next.js's standalone output holds the server and only the node_modules files it traces as used; the image gets it, .next/static and public/, never the full node_modules or the sources{traced}"), inputs.fixes(&[crate::rules::RuleId::DS311, crate::rules::RuleId::DS401, crate::rules::RuleId::DS502]));
    let path = health.map_or("/", |r| r.path.as_str());
    let at = health.map_or(String::new(), |r| {
        format!(", the app's health route at {}", r.file)
    });
    let port = plan.port;
    plan.healthcheck = super::health::health(
        st,
        |p| node_probe(port, p),
        Some(path),
        format!("GET {path}{at}, with Node's fetch (slim images have no curl)"),
    );
}
