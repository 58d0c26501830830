//! DS301 compilers-in-final-image
//!
//! What it finds: compilers and headers (gcc, g++, build-essential, make,
//! `*-dev` packages) installed in the stage that becomes the image.
//! Why it matters: they are needed to build wheels, not to run them, and
//! cost 150 to 300 MB in every pull; they also widen what an attacker can do
//! inside a compromised container.
//! Fix: build in a builder stage and copy only the result (a virtualenv) into
//! a runtime stage that installs only the shared libraries the app loads.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::{shell, Stage};

pub struct CompilersInFinalImage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS301,
    name: "compilers-in-final-image",
    severity: Severity::Warning,
    summary: "Compilers or development headers are installed in the final image.",
    why: "Build tools are needed to compile wheels, not to run them. They add 150 to 300 MB to every pull and give an intruder a toolchain.",
    fix: "Install build tools in a builder stage, build the virtualenv there, and copy only /opt/venv into a runtime stage with the runtime libraries (libpq5, not libpq-dev).",
    example: "Before:\n  FROM python:3.12-slim\n  RUN apt-get install -y gcc libpq-dev && pip install psycopg2\nAfter:\n  FROM python:3.12-slim AS builder\n  RUN apt-get install -y gcc libpq-dev ... && pip install psycopg2\n  FROM python:3.12-slim\n  RUN apt-get install -y libpq5\n  COPY --from=builder /opt/venv /opt/venv",
    fix_safety: None,
    fix_risk: "",
};

pub fn is_build_tool(package: &str) -> bool {
    matches!(
        package,
        "gcc"
            | "g++"
            | "make"
            | "cmake"
            | "clang"
            | "build-essential"
            | "build-base"
            | "cargo"
            | "rustc"
            | "gfortran"
            | "autoconf"
            | "automake"
            | "libtool"
    ) || package.ends_with("-dev")
        || package.ends_with("-devel")
}

/// The final stage and the stages it is built FROM (not those it copies from).
pub fn final_chain(df: &crate::dockerfile::Dockerfile) -> Vec<&Stage> {
    let mut chain = vec![df.final_stage()];
    while let Some(parent) = df.stage_named(&chain.last().unwrap().image) {
        if chain.iter().any(|s| std::ptr::eq(*s, parent)) {
            break;
        }
        chain.push(parent);
    }
    chain
}

impl Rule for CompilersInFinalImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in df.shipped_stages() {
            for (inst, cmds) in stage.runs() {
                let tools: Vec<String> = cmds
                    .iter()
                    .filter_map(|c| shell::package_install(c))
                    .flatten()
                    .filter(|p| is_build_tool(p))
                    .collect();
                // Removing them again in the same RUN keeps them out of the layer.
                let purged = cmds.iter().any(|c| {
                    let (i, prog) = shell::program(c);
                    (prog == "apt-get" || prog == "apk")
                        && c.get(i + 1).is_some_and(|s| {
                            matches!(s.as_str(), "purge" | "remove" | "del" | "autoremove")
                        })
                });
                if !tools.is_empty() && !purged {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(inst.line),
                        format!("{} stay in the final image", tools.join(", ")),
                    ));
                }
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
    fn compilers_in_single_stage_are_found() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc libpq-dev curl\n",
        )]);
        let found = fx.check(&CompilersInFinalImage);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "gcc, libpq-dev stay in the final image");
    }

    #[test]
    fn compilers_in_a_builder_stage_are_fine() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12 AS builder\nRUN apt-get install -y gcc\nFROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\n")]);
        assert!(fx.check(&CompilersInFinalImage).is_empty());
    }

    #[test]
    fn a_stage_built_from_the_builder_inherits_its_compilers() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12 AS base\nRUN apt-get install -y build-essential\nFROM base\nCMD [\"python\"]\n")]);
        assert_eq!(fx.lines(&CompilersInFinalImage), [Some(2)]);
    }
}
