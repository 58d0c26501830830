//! DS201 copy-before-dependencies
//!
//! What it finds: a COPY of the whole build context before the step that
//! installs dependencies (pip, npm, yarn, pnpm, poetry, uv).
//! Why it matters: any source edit changes the copied files, which
//! invalidates the cache of every later layer, so each build reinstalls all
//! dependencies from scratch.
//! Fix: copy only the manifests (requirements*.txt, pyproject.toml and its
//! lock, package.json and its lock), install, then copy the source.

use super::{RuleId, is_whole_context_copy, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::shell;

pub struct CopyBeforeDependencies;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS201,
    name: "copy-before-dependencies",
    severity: Severity::Warning,
    summary: "The whole build context is copied before dependencies are installed.",
    why: "Every source edit invalidates the layer cache from that COPY on, so every build reinstalls all dependencies.",
    fix: "Copy only the dependency manifests, install, then copy the source.",
    example: "Before:\n  COPY . .\n  RUN pip install -r requirements.txt\nAfter:\n  COPY requirements.txt .\n  RUN pip install -r requirements.txt\n  COPY . .",
    fix_safety: None,
    fix_risk: "",
};

fn installs_dependencies(cmd: &[String]) -> bool {
    if shell::is_pip_install(cmd) {
        return true;
    }
    let (i, prog) = shell::program(cmd);
    let sub = cmd.get(i + 1).map(String::as_str).unwrap_or("");
    matches!(
        (prog, sub),
        ("npm", "ci" | "install" | "i")
            | ("yarn", "" | "install")
            | ("pnpm", "install" | "i")
            | ("poetry", "install")
            | ("uv", "sync")
            | ("pipenv", "install")
    )
}

impl Rule for CopyBeforeDependencies {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in &df.stages {
            let Some(copy) = stage.instructions.iter().find(|i| is_whole_context_copy(i)) else {
                continue;
            };
            let install = stage.runs().into_iter().find(|(inst, cmds)| {
                inst.line > copy.line && cmds.iter().any(|c| installs_dependencies(c))
            });
            if let Some((inst, _)) = install {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(copy.line),
                    format!("`{}` comes before the dependency install at line {}; every source change reinstalls all dependencies", copy.source.lines().next().unwrap_or(""), inst.line),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        let bad = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n",
        )]);
        assert_eq!(bad.lines(&CopyBeforeDependencies), [Some(2)]);
        let good = Fixture::new(&[("Dockerfile", "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n")]);
        assert!(good.check(&CopyBeforeDependencies).is_empty());
        let node = Fixture::new(&[("Dockerfile", "FROM node:22\nCOPY . .\nRUN npm ci\n")]);
        assert_eq!(node.lines(&CopyBeforeDependencies), [Some(2)]);
    }
}
