//! Which Node: the release line (the configuration, a pinned version file,
//! the engines range, or the profile's default, in that order) and the slim
//! image the build stage starts from.

use super::Stage;
use crate::detect::node::{
    major_satisfies, NodeManager, NodeProject, NodeVersionEvidence, NodeVersionSays,
};
use crate::error::{Error, Result};
use crate::plan::{image_name, Inputs, Topic};
use crate::profile::NodeProfile;

/// The build stage's image, from the Node line `version` chooses.
pub(super) fn builder_image(st: &mut Stage) -> Result<String> {
    let inputs = st.inputs;
    if st.node.manager == NodeManager::Bun {
        return Ok(bun_image(st));
    }
    let (version, version_reason) = version(inputs, st.node)?;
    let public = inputs.profile.node.image.replace("{version}", &version);
    let image = image_name(inputs.config, &public);
    st.decide(
        Topic::NodeImage,
        image.clone(),
        format!("Node {version}: {version_reason}; the slim Debian image has no compilers or docs"),
        inputs.fixes(&[crate::rules::RuleId::DS402]),
    );
    Ok(image)
}

/// A Bun project's image: the profile's Bun image for the line the
/// packageManager pin or engines.bun names, else the profile's default.
/// Bun installs, builds and runs the project, so Node's line does not
/// apply (node_modules' `node` scripts run on Bun's Node fallback).
fn bun_image(st: &mut Stage) -> String {
    let inputs = st.inputs;
    let profile = &inputs.profile.node.bun;
    let (version, why) = match &st.node.bun_line {
        Some((major, at)) => (major.clone(), format!("{at} says Bun {major}")),
        None => (
            profile.default_version.clone(),
            "no packageManager pin or engines.bun says otherwise, so the profile's line".into(),
        ),
    };
    let public = profile.image.replace("{version}", &version);
    let image = image_name(inputs.config, &public);
    st.decide(
        Topic::BunImage,
        image.clone(),
        format!("Bun {version}: {why}; the project's manager is Bun ({}), which installs the dependencies and runs its scripts and code; the slim image has Bun and its `bun` user, no compilers or docs", st.node.manager_from),
        inputs.fixes(&[crate::rules::RuleId::DS402]),
    );
    image
}

/// The Node release line: the configuration, a pinned version file, the
/// engines range, or the profile's default, in that order.
pub(crate) fn version(inputs: &Inputs, node: &NodeProject) -> Result<(String, String)> {
    let profile = &inputs.profile.node;
    if let Some(v) = &inputs.config.node {
        return Ok((v.clone(), "set in the configuration".into()));
    }
    let range = node.version_evidence.iter().find_map(|e| match &e.says {
        NodeVersionSays::Range(r) => Some((r.clone(), format!("{}:{}", e.file, e.line))),
        _ => None,
    });
    if let Some(pin) = node
        .version_evidence
        .iter()
        .find(|e| !matches!(e.says, NodeVersionSays::Range(_)))
    {
        return Ok(pinned(profile, pin, range.as_ref()));
    }
    if let Some((r, at)) = range {
        return newest_allowed(profile, &r, &at);
    }
    Ok((
        profile.default_version.clone(),
        "the current LTS; no .nvmrc, .node-version, volta pin or engines.node says otherwise"
            .into(),
    ))
}

/// The line a version file (.nvmrc, .node-version, volta) pins.
fn pinned(
    profile: &NodeProfile,
    pin: &NodeVersionEvidence,
    range: Option<&(String, String)>,
) -> (String, String) {
    let (major, what) = match &pin.says {
        NodeVersionSays::Major(m) => (m.to_string(), format!("says {m}")),
        NodeVersionSays::Lts => (profile.default_version.clone(), "says lts/*".into()),
        _ => (
            profile.supported.last().cloned().unwrap_or_default(),
            "asks for the newest release".into(),
        ),
    };
    let mut reason = format!("{}:{} {what}", pin.file, pin.line);
    reason.push_str(&unmaintained(profile, &major));
    reason.push_str(&engines_disagree(
        range,
        major.parse().ok(),
        "the pinned file",
    ));
    (major, reason)
}

/// The current LTS when the engines range allows it, else the newest
/// maintained line it allows; an error when it allows none.
fn newest_allowed(profile: &NodeProfile, range: &str, at: &str) -> Result<(String, String)> {
    let fits = |v: &String| {
        v.parse()
            .ok()
            .and_then(|m| major_satisfies(range, m))
            .unwrap_or(false)
    };
    if fits(&profile.default_version) {
        return Ok((
            profile.default_version.clone(),
            format!("engines.node `{range}` at {at} allows the current LTS"),
        ));
    }
    if let Some(v) = profile.supported.iter().rev().find(|v| fits(v)) {
        return Ok((
            v.clone(),
            format!("the newest line engines.node `{range}` at {at} allows"),
        ));
    }
    Err(Error::unsupported(
        format!(
            "{at}: engines.node `{range}` allows none of the maintained Node lines ({})",
            profile.supported.join(", ")
        ),
        "set `node` in dockslim.yaml to the line you run, such as node: \"22\"",
    ))
}

/// The note for a line the profile does not list as maintained.
fn unmaintained(profile: &NodeProfile, major: &str) -> String {
    if profile.supported.iter().any(|s| s == major) {
        return String::new();
    }
    format!(
        " (not a maintained line: {}; upgrade when you can)",
        profile.supported.join(", ")
    )
}

/// The note for an engines range (with where it is) that rules out
/// `major`, which `winner` chose.
fn engines_disagree(range: Option<&(String, String)>, major: Option<u32>, winner: &str) -> String {
    match (range, major) {
        (Some((r, at)), Some(m)) if major_satisfies(r, m) == Some(false) => {
            format!("; engines.node `{r}` at {at} disagrees, and {winner} wins")
        }
        _ => String::new(),
    }
}
