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

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::{key_values, looks_secret, Args, Instruction, Keyword};
use crate::edit::{Edit, Fix, FixContext, Outcome, Safety};

pub struct SecretInEnvOrArg;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS403,
    name: "secret-in-env-or-arg",
    severity: Severity::Error,
    summary: "A secret-looking name is set with ENV or ARG.",
    why: "ENV values live in the image config, readable with docker inspect by anyone who can pull the image; ARG values a RUN uses are recorded in docker history. Rotating the secret means rebuilding every image.",
    fix: "Give the secret to the container at run time (docker run -e, an orchestrator secret); for a build step use RUN --mount=type=secret.",
    example: "Before:\n  ENV DATABASE_PASSWORD=hunter2\nAfter:\n  (no ENV; docker run -e DATABASE_PASSWORD ... or a Kubernetes secret)\n  RUN --mount=type=secret,id=pip_token PIP_INDEX_URL=\"https://$(cat /run/secrets/pip_token)@pypi.example.com/simple\" pip install -r requirements.txt",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the value is no longer in the image: the container must be given it at run time (docker run -e, compose environment or env_file, an orchestrator secret), and a build that used an ARG's default must get it with --build-arg or a secret mount.",
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

    /// A literal secret value leaves the file: the ENV pair goes (the whole
    /// ENV when it is the only one), an ARG keeps its name without the
    /// default.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        let w = cx.writer();
        for inst in cx.df.instructions() {
            let Args::Text { text, span } = &inst.args else {
                continue;
            };
            if !matches!(inst.keyword, Keyword::Env | Keyword::Arg) {
                continue;
            }
            let pairs = pair_spans(text, span.start);
            let secret: Vec<&(String, String, crate::dockerfile::Span)> = pairs
                .iter()
                .filter(|(k, v, _)| looks_secret(k) && !v.is_empty())
                .collect();
            if secret.is_empty() {
                continue;
            }
            let line = Some(inst.line);
            if cx.df.text.get(span.clone()) != Some(text.as_str()) {
                out.push(cx.blocked(
                    DOC.id,
                    line,
                    "the instruction is written over several lines; remove the value by hand",
                ));
                continue;
            }
            if secret.iter().any(|(_, v, _)| v.contains('$')) {
                out.push(cx.blocked(
                    DOC.id,
                    line,
                    "the value comes from a build argument; pass it at run time instead, by hand",
                ));
                continue;
            }
            let names: Vec<&str> = secret.iter().map(|(k, _, _)| k.as_str()).collect();
            let edits = match inst.keyword {
                Keyword::Env if secret.len() == pairs.len() => vec![w.delete(inst)],
                Keyword::Env => secret
                    .iter()
                    .map(|(_, _, span)| {
                        let mut start = span.start;
                        while start > 0 && matches!(cx.df.text.as_bytes()[start - 1], b' ' | b'\t')
                        {
                            start -= 1;
                        }
                        Edit::delete(start..span.end)
                    })
                    .collect(),
                _ => secret
                    .iter()
                    .map(|(k, _, span)| Edit::delete(span.start + k.len()..span.end))
                    .collect(),
            };
            out.push(Outcome::Fix(Fix {
                rule: DOC.id,
                line: inst.line,
                title: format!("{} {} without its value", inst.keyword, names.join(", ")),
                reason: format!("{} would be readable by anyone who can pull the image (docker inspect, docker history); give it at run time", names.join(", ")),
                safety: Safety::Unsafe,
                edits,
                files: vec![],
                reshapes: false,
            }));
        }
        out
    }
}

/// `KEY=VALUE` pairs of ENV or ARG text with their byte spans; the legacy
/// `ENV KEY value` form is one pair.
fn pair_spans(text: &str, offset: usize) -> Vec<(String, String, crate::dockerfile::Span)> {
    let first = text.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let (k, v) = text
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((text.trim(), ""));
        return vec![(
            k.to_string(),
            v.trim().to_string(),
            offset..offset + text.len(),
        )];
    }
    // Walked by character, not byte: a byte of a multi-byte character read
    // as a char can look like whitespace (0xA0 of a no-break space).
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |j: usize| chars.get(j).map_or(text.len(), |c| c.0);
    let mut out = Vec::new();
    let mut j = 0;
    while j < chars.len() {
        while j < chars.len() && (chars[j].1.is_whitespace() || chars[j].1 == '\\') {
            j += 1;
        }
        if j >= chars.len() {
            break;
        }
        let start = j;
        let (mut single, mut double) = (false, false);
        while j < chars.len() {
            match chars[j].1 {
                '\\' if !single => j += 1,
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                c if c.is_whitespace() && !single && !double => break,
                _ => {}
            }
            j += 1;
        }
        let (start, end) = (at(start), at(j));
        let token = &text[start..end];
        let (k, v) = token.split_once('=').unwrap_or((token, ""));
        out.push((
            k.to_string(),
            v.trim_matches('"').to_string(),
            offset + start..offset + end,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn pairs_are_cut_at_characters_not_bytes() {
        // 0xA0, the second byte of a no-break space, is whitespace as a char.
        let text = "A=\u{a0} B=é\\\u{a0}x C='日 本'";
        let pairs = pair_spans(text, 10);
        let keys: Vec<&str> = pairs.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["A", "B", "C"]);
        for (_, _, span) in &pairs {
            assert!(text.is_char_boundary(span.start - 10) && text.is_char_boundary(span.end - 10));
        }
    }

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
