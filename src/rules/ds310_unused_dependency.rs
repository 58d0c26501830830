//! DS310 unused-dependency
//!
//! What it finds: a production dependency the code never imports. Imports
//! are read from every Python file (`import x`, `from x import y`), and a
//! dotted name in a string counts too (Django loads apps, middleware and
//! backends by name). Distribution names are mapped to import names,
//! including the usual mismatches (Pillow/PIL, scikit-learn/sklearn,
//! python-dotenv/dotenv, psycopg2-binary/psycopg2, beautifulsoup4/bs4,
//! PyYAML/yaml). Servers, database drivers, plugins (django-*, flask-*)
//! and other packages loaded by name are left alone, as are development
//! tools (DS308 reports those).
//! Why it matters: every unused package is bytes in the image and a
//! dependency to keep patched.
//! Fix: remove it from the dependencies, after checking that nothing loads
//! it by a name dockslim cannot see (an entry point, a plugin registry).

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::audit::{import_name, loaded_by_name, used_modules, DEV_TOOLS};
use crate::detect::ml::TORCH_FAMILY;

pub struct UnusedDependency;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS310,
    name: "unused-dependency",
    severity: Severity::Info,
    summary: "A production dependency is never imported by the code.",
    why: "It is installed into every image and has to be kept patched, for nothing.",
    fix: "Remove it from the dependencies, once you have checked that nothing loads it by name (entry points, plugins, settings).",
    example: "Before:\n  flask\n  pandas      # nothing imports pandas\nAfter:\n  flask",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for UnusedDependency {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let sources = cx.repo.python_sources();
        if sources.is_empty() {
            return Vec::new();
        }
        let used = used_modules(sources);
        // transformers and sentence-transformers run on torch without the
        // app importing it.
        let uses_transformers =
            used.contains("transformers") || used.contains("sentence_transformers");
        let own = project
            .python
            .declared
            .as_ref()
            .and_then(|d| d.name.clone());
        let mut out = Vec::new();
        for r in &project.python.requirements.requirements {
            let name = r.name.as_str();
            if !r.applies_on_linux()
                || r.url.is_some()
                || r.local_path.is_some()
                || loaded_by_name(name)
                || crate::detect::audit::used_through(name, &used)
                || DEV_TOOLS.contains(&name)
                || own.as_deref() == Some(name)
                || (TORCH_FAMILY.contains(&name) && uses_transformers)
            {
                continue;
            }
            let module = import_name(name);
            if !used.contains(&module) {
                out.push(Finding::new(
                    &DOC,
                    r.file.clone(),
                    Some(r.line),
                    format!(
                        "{name} is a production dependency, but no Python file imports {module}"
                    ),
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
    fn packages_other_packages_load_are_used() {
        let fx = Fixture::new(&[
            (
                "requirements.txt",
                "fastapi\njinja2\ncelery\nredis\nflower\nmysql-connector-python\n",
            ),
            (
                "main.py",
                "from fastapi import FastAPI\nfrom fastapi.templating import Jinja2Templates\nimport mysql.connector\napp = FastAPI()\n",
            ),
            ("tasks.py", "from celery import Celery\napp = Celery('t', broker='redis://redis')\n"),
        ]);
        let found = fx.check(&UnusedDependency);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn mapped_names_servers_and_strings() {
        let fx = Fixture::new(&[
            (
                "requirements.txt",
                "flask\ngunicorn\nPillow\npyyaml\npandas\nwhitenoise\npsycopg2-binary\n",
            ),
            (
                "app.py",
                "from flask import Flask\nfrom PIL import Image\nimport yaml\nMIDDLEWARE = ['whitenoise.middleware.WhiteNoiseMiddleware']\n",
            ),
        ]);
        let found = fx.check(&UnusedDependency);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].line, Some(5));
        assert!(found[0].message.contains("pandas"));
    }
}
