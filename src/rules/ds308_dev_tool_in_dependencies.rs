//! DS308 dev-tool-in-dependencies
//!
//! What it finds: a development tool (pytest, hypothesis, ruff, black,
//! mypy, ipython, jupyter and the like) declared among the production
//! dependencies, and Poetry declared as a dependency of a uv project.
//! Why it matters: the image installs it, with its own dependencies
//! (jupyter alone brings about a hundred packages), and it never runs in
//! production.
//! Fix: move it to a development group: `[dependency-groups] dev` for uv,
//! `[tool.poetry.group.dev.dependencies]` for Poetry, a
//! requirements-dev.txt the image does not install for pip. For uv and
//! Poetry `dockslim rewrite` proposes the pyproject.toml edit.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::audit::DEV_TOOLS;
use crate::detect::Manager;
use crate::edit::{FixContext, Outcome, Safety};

pub struct DevToolInDependencies;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS308,
    name: "dev-tool-in-dependencies",
    severity: Severity::Warning,
    summary: "A development tool is declared among the production dependencies.",
    why: "The image installs it and everything it depends on, and it never runs in production.",
    fix: "Move it to a development group (uv: [dependency-groups] dev; Poetry: [tool.poetry.group.dev.dependencies]; pip: requirements-dev.txt).",
    example: "Before:\n  dependencies = [\"fastapi\", \"pytest\"]\nAfter:\n  dependencies = [\"fastapi\"]\n  [dependency-groups]\n  dev = [\"pytest\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the tool leaves the production dependencies (uv's and Poetry's dev group takes it): code that imports it at run time fails; the lock must be made again before the image builds.",
};

/// The production requirements that are development tools.
pub fn dev_tools<'a>(cx: &Context<'a>) -> Vec<&'a crate::detect::requirements::Requirement> {
    let Some(project) = cx.project else {
        return Vec::new();
    };
    let py = &project.python;
    py.requirements
        .requirements
        .iter()
        .filter(|r| r.applies_on_linux())
        .filter(|r| {
            DEV_TOOLS.contains(&r.name.as_str())
                || (r.name == "poetry" && py.manager == Manager::Uv)
        })
        .collect()
}

impl Rule for DevToolInDependencies {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        dev_tools(cx)
            .into_iter()
            .map(|r| {
                Finding::new(
                    &DOC,
                    r.file.clone(),
                    Some(r.line),
                    format!("{} is a development tool, installed in the image as a production dependency", r.name),
                )
            })
            .collect()
    }

    /// uv and Poetry: the tool moves to the dev group in pyproject.toml
    /// (requirements files are the user's to split).
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        if !matches!(
            cx.inputs.project.python.manager,
            Manager::Uv | Manager::Poetry
        ) {
            return Vec::new();
        }
        if self.check(&cx.rules_context()).is_empty() {
            return Vec::new();
        }
        crate::edit::pyproject::fix(cx, DOC.id)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn finds_tools_in_requirements_and_pyproject() {
        let fx = Fixture::new(&[("requirements.txt", "flask\npytest==8.3\nblack\n")]);
        assert_eq!(fx.lines(&DevToolInDependencies), [Some(2), Some(3)]);
        let fx = Fixture::new(&[
            ("pyproject.toml", "[project]\nname = \"a\"\ndependencies = [\n  \"fastapi\",\n  \"poetry\",\n]\n[dependency-groups]\ndev = [\"pytest\"]\n"),
            ("uv.lock", "version = 1\n"),
        ]);
        assert_eq!(fx.lines(&DevToolInDependencies), [Some(5)]);
    }
}
