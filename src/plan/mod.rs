//! Decisions: project + profile + configuration -> one typed Plan, the
//! files generated for a repository without a Dockerfile (and `init`).
//! Every decision names its reason and the findings it fixes, so the
//! report can say why each part of the diff is there. An existing
//! Dockerfile is edited instead (src/edit/); its fixes reuse some of these
//! decisions.

pub mod compose_file;
pub mod dockerignore;
mod large_folders;
pub mod next_config;
pub mod node;
pub mod pyproject_edit;
pub mod python;
mod ships;
mod topic;

use serde::Serialize;

use crate::config::{Config, FrontendPlacement};
use crate::detect::{Project, Stack};
use crate::dockerfile::Dockerfile;
use crate::error::Result;
use crate::profile::Profile;
use crate::repo::dockerignore::DockerIgnore;
use crate::repo::Repo;
use crate::rules::Finding;

pub use topic::{FrontendPart, Topic};

/// Why one part of the output is what it is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decision {
    /// The file the decision shapes: `Dockerfile`, `.dockerignore`,
    /// `pyproject.toml`, or another file the proposal writes.
    pub file: String,
    /// The part of the output it explains.
    pub topic: Topic,
    pub choice: String,
    pub reason: String,
    /// Rule ids of the findings this part fixes.
    pub fixes: Vec<crate::rules::RuleId>,
}

/// Everything the templates need, already decided.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub template: &'static str,
    pub profile: String,
    /// The Python image (stack Python).
    pub python: Option<python::PythonPlan>,
    /// The Node image (stack Node).
    pub node: Option<node::NodePlan>,
    pub dockerignore: dockerignore::IgnorePlan,
    pub decisions: Vec<Decision>,
    /// The proposed pyproject.toml (uv and Poetry projects).
    pub pyproject: Option<pyproject_edit::PyprojectEdit>,
    /// nginx.conf or Caddyfile for the static site this proposal serves.
    pub server_config: Option<node::ServerConfig>,
    /// next.config with `output: 'standalone'` added.
    pub next_config: Option<next_config::NextConfigEdit>,
    /// A Python repository's frontend, given its own Dockerfile.
    pub frontend: Option<SeparateFrontend>,
    /// The compose file, with a service for the image the proposal adds.
    pub compose: Option<compose_file::ComposeEdit>,
}

/// The Dockerfile and ignore file of a frontend kept out of the backend.
#[derive(Debug, Clone, Serialize)]
pub struct SeparateFrontend {
    /// Repository-relative path (Dockerfile.frontend).
    pub dockerfile: String,
    pub ignore_file: String,
    pub node: node::NodePlan,
    pub dockerignore: dockerignore::IgnorePlan,
    pub server_config: node::ServerConfig,
}

/// The image to pull for a public name: the configuration's override, or
/// the name under the configured registry.
pub fn image_name(config: &Config, public: &str) -> String {
    if let Some(over) = config.images.get(public) {
        over.clone()
    } else if let Some(registry) = &config.registry {
        format!("{}/{}", registry.trim_end_matches('/'), public)
    } else {
        public.to_string()
    }
}

/// What the plan is built from.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    pub repo: &'a Repo,
    pub project: &'a Project,
    /// The Dockerfile being edited, for the fixes that ask the plan's
    /// decisions (the Python version, the healthcheck, the server package);
    /// `None` when a plan is built.
    pub dockerfile: Option<&'a Dockerfile>,
    pub ignore: &'a DockerIgnore,
    /// The text of today's ignore file, when there is one.
    pub ignore_text: Option<&'a str>,
    pub findings: &'a [Finding],
    /// The build context under today's ignore file.
    pub context: &'a crate::repo::context::Measure,
    pub secrets: &'a [crate::repo::secrets::SecretFile],
    pub profile: &'a Profile,
    pub config: &'a Config,
}

impl Inputs<'_> {
    /// Ids of the current findings with one of these rule ids.
    pub fn fixes(&self, ids: &[crate::rules::RuleId]) -> Vec<crate::rules::RuleId> {
        ids.iter()
            .copied()
            .filter(|id| self.findings.iter().any(|f| f.rule == *id))
            .collect()
    }
}

pub fn build(inputs: &Inputs) -> Result<Plan> {
    let mut decisions = Vec::new();
    if inputs.project.stack == Stack::Node {
        let project = inputs
            .project
            .node
            .as_ref()
            .expect("stack Node has a Node project");
        let (node, server_config) = node::plan(inputs, project, &mut decisions)?;
        let next_config = next_config::plan(inputs, project, &mut decisions)?;
        let output = project.output_dir();
        let dockerignore = dockerignore::node(
            inputs,
            project,
            &output,
            &dockerignore::ImageNeeds::building(&project.dir),
            &mut decisions,
        );
        let template = match node.kind {
            node::NodeKind::Static => "node-static.Dockerfile.j2",
            node::NodeKind::Next => "node-next.Dockerfile.j2",
            _ => "node-server.Dockerfile.j2",
        };
        return Ok(Plan {
            template,
            profile: inputs.profile.name.clone(),
            python: None,
            node: Some(node),
            dockerignore,
            decisions,
            pyproject: None,
            server_config,
            next_config,
            frontend: None,
            compose: None,
        });
    }

    let mut python = python::plan(inputs, &mut decisions)?;
    let mut extra_ignore = Vec::new();
    let mut frontend = None;
    if let Some(found) = &inputs.project.frontend {
        match placement(inputs, found, &mut decisions) {
            FrontendPlacement::Backend => {
                let stage = node::frontend_stage(inputs, found, &mut decisions)?;
                python.frontend = Some(python::FrontendStage {
                    dir: found.node.dir.clone(),
                    output: found.output.clone(),
                    node: stage,
                });
                extra_ignore.push((
                    "The frontend's build output: the image builds its own".to_string(),
                    vec![dockerignore::Candidate::commented(
                        &found.output,
                        format!("built by the frontend stage from {}", found.node.dir),
                    )],
                ));
            }
            FrontendPlacement::Separate => {
                let file = inputs
                    .config
                    .frontend_dockerfile
                    .clone()
                    .unwrap_or_else(|| "Dockerfile.frontend".into());
                let (node, server_config) =
                    node::separate_frontend(inputs, found, &file, &mut decisions)?;
                let ignore_file = format!("{file}.dockerignore");
                let existing = inputs.repo.read_text(&ignore_file)?;
                let dockerignore = dockerignore::frontend_file(
                    inputs,
                    &ignore_file,
                    existing.as_deref(),
                    &found.node,
                    &found.output,
                    &mut decisions,
                );
                extra_ignore.push((
                    format!("The frontend: {file} builds it, the backend image never needs it"),
                    vec![dockerignore::Candidate::plain(&found.node.dir)],
                ));
                frontend = Some(SeparateFrontend {
                    dockerfile: file,
                    ignore_file,
                    node,
                    dockerignore,
                    server_config,
                });
            }
        }
    } else if let Some(why) = &inputs.project.frontend_skipped {
        decisions.push(Decision {
            file: "Dockerfile".into(),
            topic: Topic::Frontend,
            choice: "not built".into(),
            reason: why.clone(),
            fixes: vec![],
        });
    }
    // Planned once the frontend is placed: the stage copies its output too.
    if inputs.config.wants(crate::config::Target::Development) {
        python.development = Some(python::development_stage(inputs, &python, &mut decisions)?);
    }
    let needs = dockerignore::ImageNeeds::of_plan(&python);
    let dockerignore = dockerignore::plan_with(inputs, &needs, extra_ignore, &mut decisions);
    let pyproject = pyproject_edit::plan(inputs, &mut decisions)?;
    let compose = frontend.as_ref().and_then(|f| {
        let app = compose_file::ComposeService {
            name: "app".into(),
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            port: Some(python.port),
        };
        let added = compose_file::ComposeService {
            name: "frontend".into(),
            context: ".".into(),
            dockerfile: f.dockerfile.clone(),
            port: Some(f.node.port),
        };
        compose_file::with_service(inputs.repo, &app, &added, &mut decisions)
    });
    let template = match python.manager {
        crate::detect::Manager::Pip => "python-pip.Dockerfile.j2",
        crate::detect::Manager::Uv => "python-uv.Dockerfile.j2",
        crate::detect::Manager::Poetry => "python-poetry.Dockerfile.j2",
        crate::detect::Manager::Pipenv => "python-pipenv.Dockerfile.j2",
    };
    Ok(Plan {
        template,
        profile: inputs.profile.name.clone(),
        python: Some(python),
        node: None,
        dockerignore,
        decisions,
        pyproject,
        server_config: None,
        next_config: None,
        frontend,
        compose,
    })
}

/// Whether a Python repository's frontend is built into the backend image
/// or gets its own Dockerfile: the configuration, else the evidence that
/// the backend serves the built files.
fn placement(
    inputs: &Inputs,
    found: &crate::detect::Frontend,
    decisions: &mut Vec<Decision>,
) -> FrontendPlacement {
    let framework = found.node.app.framework();
    let dir = &found.node.dir;
    let (placement, reason) = match (inputs.config.frontend, &found.served_by) {
        (Some(p), _) => (p, "set in the configuration".to_string()),
        (None, Some(by)) => (
            FrontendPlacement::Backend,
            format!("{by}: the backend serves the built files, so a Node stage builds them and only {} reaches the image (no node_modules, no frontend sources)", found.output),
        ),
        (None, None) => (
            FrontendPlacement::Separate,
            format!("nothing in the backend reads {}, so the frontend is served on its own: it is left out of this image", found.output),
        ),
    };
    let choice = match placement {
        FrontendPlacement::Backend => format!("{framework} app in {dir} built into this image"),
        FrontendPlacement::Separate => format!(
            "{framework} app in {dir} gets {}",
            inputs
                .config
                .frontend_dockerfile
                .as_deref()
                .unwrap_or("Dockerfile.frontend")
        ),
    };
    decisions.push(Decision {
        file: "Dockerfile".into(),
        topic: Topic::Frontend,
        choice,
        reason,
        fixes: vec![],
    });
    placement
}
