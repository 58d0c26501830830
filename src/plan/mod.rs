//! Decisions: project + existing Dockerfile + profile + configuration ->
//! one typed Plan. Every decision names its reason and the findings it
//! fixes, so the report can say why each part of the diff is there.

mod carry;
pub mod dockerignore;
mod large_folders;
mod pyproject_edit;
mod python;

use serde::Serialize;

use crate::config::Config;
use crate::detect::Project;
use crate::dockerfile::Dockerfile;
use crate::error::Result;
use crate::profile::Profile;
use crate::repo::dockerignore::DockerIgnore;
use crate::repo::Repo;
use crate::rules::Finding;

/// Why one part of the output is what it is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decision {
    /// The file the decision shapes: `Dockerfile`, `.dockerignore` or
    /// `pyproject.toml`.
    pub file: &'static str,
    pub topic: String,
    pub choice: String,
    pub reason: String,
    /// Rule ids of the findings this part fixes.
    pub fixes: Vec<&'static str>,
}

/// Everything the templates need, already decided.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub template: &'static str,
    pub profile: String,
    pub python: python::PythonPlan,
    pub dockerignore: dockerignore::IgnorePlan,
    pub decisions: Vec<Decision>,
    /// Things the plan changed on purpose from what the Dockerfile said.
    pub changed: Vec<String>,
    /// The proposed pyproject.toml (uv and Poetry projects).
    pub pyproject: Option<pyproject_edit::PyprojectEdit>,
}

/// What the plan is built from.
pub struct Inputs<'a> {
    pub repo: &'a Repo,
    pub project: &'a Project,
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
    pub fn fixes(&self, ids: &[&'static str]) -> Vec<&'static str> {
        ids.iter()
            .copied()
            .filter(|id| self.findings.iter().any(|f| f.rule == *id))
            .collect()
    }
}

pub fn build(inputs: &Inputs) -> Result<Plan> {
    let mut decisions = Vec::new();
    let mut changed = Vec::new();
    let python = python::plan(inputs, &mut decisions, &mut changed)?;
    let dockerignore = dockerignore::plan(inputs, &python, &mut decisions);
    let pyproject = pyproject_edit::plan(inputs, &mut decisions)?;
    let template = match python.manager {
        crate::detect::Manager::Pip => "python-pip.Dockerfile.j2",
        crate::detect::Manager::Uv => "python-uv.Dockerfile.j2",
        crate::detect::Manager::Poetry => "python-poetry.Dockerfile.j2",
        crate::detect::Manager::Pipenv => "python-pipenv.Dockerfile.j2",
    };
    Ok(Plan {
        template,
        profile: inputs.profile.name.clone(),
        python,
        dockerignore,
        decisions,
        changed,
        pyproject,
    })
}
