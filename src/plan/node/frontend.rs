//! A Python repository's frontend: a build-only stage of the Python image,
//! or a Dockerfile of its own (built from the repository root or the
//! folder it sits in) whose image serves the static site.

use super::{stage, NodeKind, NodePlan, Placement, ServerConfig};
use crate::error::{Error, Result};
use crate::plan::{Decision, FrontendPart, Inputs, Topic};

/// The build-only stage that makes a Python image's frontend.
pub fn frontend_stage(
    inputs: &Inputs,
    frontend: &crate::detect::Frontend,
    decisions: &mut Vec<Decision>,
) -> Result<NodePlan> {
    let node = &frontend.node;
    let prefix = format!("{}/", node.dir);
    let workdir = format!("/build/{}", node.dir);
    let mut scratch = Vec::new();
    let at = Placement {
        prefix: &prefix,
        workdir: &workdir,
        serves: false,
    };
    let (mut plan, _) = stage(inputs, node, at, &mut scratch)?;
    plan.kind = NodeKind::Frontend;
    // The stage's decisions that concern a frontend stage, under its topics.
    for d in scratch {
        if let Some(part) = FrontendPart::of(&d.topic) {
            decisions.push(Decision {
                topic: Topic::FrontendStage(part),
                ..d
            });
        }
    }
    Ok(plan)
}

/// A separate Dockerfile for a Python repository's static frontend, built
/// from the repository root.
pub fn separate_frontend(
    inputs: &Inputs,
    frontend: &crate::detect::Frontend,
    dockerfile: &str,
    decisions: &mut Vec<Decision>,
) -> Result<(NodePlan, ServerConfig)> {
    let node = &frontend.node;
    let context_dir = dockerfile.rsplit_once('/').map_or("", |(d, _)| d);
    let prefix = prefix_in_context(&node.dir, context_dir, dockerfile)?;
    let mut scratch = Vec::new();
    let at = Placement {
        prefix: &prefix,
        workdir: "/app",
        serves: true,
    };
    let (mut plan, config) = stage(inputs, node, at, &mut scratch)?;
    // The stage's decisions about `Dockerfile` are about this one.
    for d in scratch {
        let file = if d.file == "Dockerfile" {
            dockerfile.to_string()
        } else {
            d.file
        };
        decisions.push(Decision { file, ..d });
    }
    plan.build_hint = Some(format!(
        "docker build -f {dockerfile} {}",
        if context_dir.is_empty() {
            "."
        } else {
            context_dir
        }
    ));
    let config = config.expect("a static site has a server config");
    Ok((plan, config))
}

/// The frontend folder `dir` as a path in the build context `context_dir`
/// (the folder of `dockerfile`), with a trailing slash; empty when they
/// are the same folder.
fn prefix_in_context(dir: &str, context_dir: &str, dockerfile: &str) -> Result<String> {
    match dir.strip_prefix(context_dir) {
        Some(rest) if context_dir.is_empty() => Ok(format!("{rest}/")),
        Some(rest) if rest.starts_with('/') => Ok(format!("{}/", &rest[1..])),
        Some("") => Ok(String::new()),
        _ => Err(Error::usage(
            format!("frontend-dockerfile = `{dockerfile}`: its folder (the build context) must contain the frontend folder {dir}"),
            format!("put the frontend Dockerfile in {dir} or a folder above it, such as {dir}/Dockerfile"),
        )),
    }
}
