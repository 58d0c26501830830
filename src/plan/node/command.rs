//! How a Node server starts: the port it listens on, and its command, run
//! directly so node is PID 1.

use super::{NodePlan, Stage};
use crate::plan::Topic;

/// The port: the configuration, the port the code listens on (`code`,
/// with where it says so), Node's usual 3000.
pub(super) fn port(st: &mut Stage, code: Option<&(u16, String)>) -> u16 {
    let (port, why) = if let Some(p) = st.inputs.config.port {
        (p, "set in the configuration".to_string())
    } else if let Some((p, at)) = code {
        (
            *p,
            format!("the port the code listens on by default ({at})"),
        )
    } else {
        (
            3000,
            match st.node.manager {
                // Bun.serve (and Hono's default export) listen on 3000 unless told.
                crate::detect::node::NodeManager::Bun => "Bun.serve's default".to_string(),
                _ => "Node's usual default".to_string(),
            },
        )
    };
    st.decide(Topic::Port, port.to_string(), why, vec![]);
    port
}

/// The CMD of a Node server: the configuration's command, or `command`
/// (read from `command_from`).
pub(super) fn server_command(
    st: &mut Stage,
    plan: &mut NodePlan,
    command: &[String],
    command_from: &str,
) {
    let (cmd, why) = match &st.inputs.config.command {
        Some(cmd) => (cmd.words(), "set in the configuration".to_string()),
        None => (
            command.to_vec(),
            format!(
                "{command_from}, run directly so {} is PID 1 and gets docker stop's SIGTERM",
                plan.program
            ),
        ),
    };
    plan.cmd = cmd;
    st.decide(Topic::Command, plan.cmd.join(" "), why, vec![]);
}

/// The environment a framework's server reads its port and address from
/// (adapter-node's PORT and HOST, Nitro's), set so that it listens on the
/// port the image exposes, on every interface.
pub(super) fn listen_env(
    st: &mut Stage,
    plan: &mut NodePlan,
    port_env: &[String],
    host_env: Option<&str>,
) {
    if port_env.is_empty() && host_env.is_none() {
        return;
    }
    for name in port_env {
        plan.env.push((name.clone(), plan.port.to_string()));
    }
    if let Some(name) = host_env {
        plan.env.push((name.to_string(), "0.0.0.0".into()));
    }
    let set: Vec<String> = plan.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    st.decide(
        Topic::Port,
        set.join(" "),
        format!(
            "{} reads its port and address from the environment; set here, it listens where EXPOSE and the healthcheck expect",
            st.node.app.framework()
        ),
        vec![],
    );
}
