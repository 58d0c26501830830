//! DS403 secret-in-env-or-arg
//!
//! What it finds: an ENV or ARG whose name says it holds a secret
//! (`*_PASSWORD`, `*_TOKEN`, `SECRET_KEY`, `*_API_KEY`, ...).
//! Why it matters: an ENV value is stored in the image config and shown by
//! `docker inspect` to anyone who can pull the image; an ARG used by a RUN is
//! recorded in the image history (`docker history`). Rotating it then means
//! rebuilding and re-pushing every image that has it.
//! Fix: pass secrets at run time (`docker run -e`, an orchestrator secret),
//! and to a build step with a BuildKit secret mount.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::{key_values, looks_secret, Instruction};

pub struct SecretInEnvOrArg;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS403,
    name: "secret-in-env-or-arg",
    severity: Severity::Error,
    summary: "A secret-looking name is set with ENV or ARG.",
    why: "ENV values live in the image config, readable with docker inspect by anyone who can pull the image; ARG values a RUN uses are recorded in docker history. Rotating the secret means rebuilding every image.",
    fix: "Give the secret to the container at run time (docker run -e, an orchestrator secret); for a build step use RUN --mount=type=secret.",
    example: "Before:\n  ENV DATABASE_PASSWORD=hunter2\nAfter:\n  (no ENV; docker run -e DATABASE_PASSWORD ... or a Kubernetes secret)\n  RUN --mount=type=secret,id=pip_token PIP_INDEX_URL=\"https://$(cat /run/secrets/pip_token)@pypi.example.com/simple\" pip install -r requirements.txt",
    fix_safety: None,
    fix_risk: "",
};

fn names(inst: &Instruction) -> Vec<(String, bool)> {
    match inst.keyword.as_str() {
        "ENV" => key_values(inst.text())
            .into_iter()
            .map(|(k, v)| (k, !v.is_empty()))
            .collect(),
        "ARG" => inst
            .text()
            .split_whitespace()
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_string(), !v.is_empty()),
                None => (a.to_string(), false),
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Rule for SecretInEnvOrArg {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let instructions = df
            .global_args
            .iter()
            .chain(df.stages.iter().flat_map(|s| s.instructions.iter()));
        let mut out = Vec::new();
        for inst in instructions {
            for (name, has_value) in names(inst) {
                if !looks_secret(&name) {
                    continue;
                }
                // The value is never repeated in the finding: reports end up
                // in CI logs and pull-request comments.
                let message = match (inst.keyword.as_str(), has_value) {
                    ("ENV", _) => format!("ENV {name} puts a secret in the image config, readable with docker inspect"),
                    (_, true) => format!("ARG {name} has a default value, which is a secret committed to the repository and recorded in docker history"),
                    _ => format!("ARG {name} passes a secret to the build, where docker history records it; use a secret mount"),
                };
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    message,
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
    fn finds_env_and_arg_secrets_without_repeating_them() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "ARG GITHUB_TOKEN\nFROM python:3.12-slim\nENV DJANGO_SECRET_KEY=abc123 DEBUG=0\nARG PIP_PASSWORD=hunter2\nENV APP_NAME=shop\n",
        )]);
        let found = fx.check(&SecretInEnvOrArg);
        let lines: Vec<_> = found.iter().map(|f| f.line).collect();
        assert_eq!(lines, [Some(1), Some(3), Some(4)]);
        for f in &found {
            assert!(!f.message.contains("abc123") && !f.message.contains("hunter2"));
        }
    }

    #[test]
    fn ordinary_names_pass() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12-slim\nARG PYTHON_VERSION=3.12\nENV TOKENIZERS_PARALLELISM=false PORT=8000\n",
        )]);
        assert!(fx.check(&SecretInEnvOrArg).is_empty());
    }
}
