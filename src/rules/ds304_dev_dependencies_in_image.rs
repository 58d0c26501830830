//! DS304 dev-dependencies-in-image
//!
//! What it finds: development requirement sets (requirements-dev.txt,
//! requirements/test.txt, ...) installed in the image, either by the
//! Dockerfile or through a `-r` include of the production file.
//! Why it matters: test runners, linters and debuggers add tens to hundreds
//! of megabytes and more code to patch, and never run in production.
//! Fix: install only the production set; keep development tools out of the
//! files the image installs.

use super::{Context, Finding, Rule, RuleDoc, Severity};
use crate::detect::requirements::is_dev_file;

pub struct DevDependenciesInImage;

static DOC: RuleDoc = RuleDoc {
    id: "DS304",
    name: "dev-dependencies-in-image",
    severity: Severity::Warning,
    summary: "Development dependencies (test, lint, dev requirement sets) are installed in the image.",
    why: "Test runners, linters and debuggers never run in production, but add size and code to keep patched.",
    fix: "Install only the production requirements; move development tools to a file the image does not install.",
    example: "Before:\n  RUN pip install -r requirements.txt -r requirements-dev.txt\nAfter:\n  RUN pip install -r requirements.txt",
};

impl Rule for DevDependenciesInImage {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(df) = cx.dockerfile {
            for (file, line) in df.intent().pip_requirement_files {
                if is_dev_file(&file) {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(line),
                        format!("the image installs {file}"),
                    ));
                }
            }
        }
        if let Some(project) = cx.project {
            let set = &project.python.requirements;
            for dev in &set.dev_files {
                out.push(Finding::new(
                    &DOC,
                    set.entry.clone(),
                    None,
                    format!("{} includes {dev}, a development set", set.entry),
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
    fn dev_sets_in_dockerfile_or_includes() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN pip install -r requirements.txt -r requirements-dev.txt\n",
        )]);
        assert_eq!(fx.lines(&DevDependenciesInImage), [Some(2)]);
        let fx = Fixture::new(&[
            ("requirements.txt", "-r requirements-test.txt\nflask\n"),
            ("requirements-test.txt", "pytest\n"),
        ]);
        let found = fx.check(&DevDependenciesInImage);
        assert_eq!(
            found[0].message,
            "requirements.txt includes requirements-test.txt, a development set"
        );
    }
}
