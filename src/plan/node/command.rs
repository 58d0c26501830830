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
        (3000, "Node's usual default".to_string())
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
            format!("{command_from}, run directly so node is PID 1 and gets docker stop's SIGTERM"),
        ),
    };
    plan.cmd = cmd;
    st.decide(Topic::Command, plan.cmd.join(" "), why, vec![]);
}
