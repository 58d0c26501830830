//! What ships: folders named like tests, test data, docs, notebooks,
//! benchmarks, examples or training checkpoints are left out of the build
//! context when no evidence reaches them, each line with a comment saying
//! why. The evidence:
//! - the Dockerfile copies or a step reads the folder (or something in
//!   it) by name, or a step runs the tests (a test stage's `RUN pytest`);
//! - what the app reads (`detect::reads`): its import closure, Django's
//!   apps, template, static, locale and fixture folders, Flask's folders,
//!   package data, paths the code opens;
//! - `keep:` in the configuration.
//!
//! A folder of Python modules is left out only when the imports could be
//! followed from the entry modules; otherwise the evidence is ambiguous and
//! the report says so, as it does for every such folder the evidence
//! keeps. `drop:` leaves a path out whatever the evidence says, except one
//! the Dockerfile copies by name (the build would fail without it).
//! Folders inside served content (`static/docs`) are content, never judged.

use std::collections::BTreeMap;

use super::dockerignore::{Candidate, ImageNeeds};
use super::Inputs;
use crate::detect::reads::{inside, Imports};
use crate::repo::dockerignore::{DockerIgnore, TreeMatcher};
use crate::repo::secrets::secret_kind;
use crate::units::{files, human_bytes};

pub const SECTION: &str = "Folders nothing in the app reads at run time (each line says why)";

/// What a folder's name says it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tests,
    TestData,
    Docs,
    Notebooks,
    Benchmarks,
    Examples,
    Checkpoints,
}

impl Kind {
    /// The kind a folder name says, if any.
    pub fn of(name: &str) -> Option<Kind> {
        let n = name.to_ascii_lowercase();
        let is = |names: &[&str]| names.contains(&n.as_str());
        Some(
            if is(&[
                "testdata",
                "test_data",
                "test-data",
                "test_fixtures",
                "fixtures",
                "test_files",
                "testfiles",
            ]) {
                Kind::TestData
            } else if is(&[
                "tests",
                "test",
                "testing",
                "__tests__",
                "spec",
                "specs",
                "e2e",
            ]) || ["test_", "tests_", "testing_", "test-", "tests-"]
                .iter()
                .any(|p| n.starts_with(p))
                || ["_tests", "-tests"].iter().any(|s| n.ends_with(s))
            {
                Kind::Tests
            } else if is(&["docs", "doc", "documentation"]) {
                Kind::Docs
            } else if is(&["notebooks", "notebook", "nbs"]) {
                Kind::Notebooks
            } else if is(&["benchmarks", "benchmark", "bench", "benches", "asv_bench"]) {
                Kind::Benchmarks
            } else if is(&["examples", "example", "samples", "sample"]) {
                Kind::Examples
            } else if is(&[
                "checkpoints",
                "checkpoint",
                "ckpt",
                "ckpts",
                "lightning_logs",
                "mlruns",
                "wandb",
                "tb_logs",
            ]) {
                Kind::Checkpoints
            } else {
                return None;
            },
        )
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Tests => "tests",
            Kind::TestData => "test data",
            Kind::Docs => "documentation",
            Kind::Notebooks => "notebooks",
            Kind::Benchmarks => "benchmarks",
            Kind::Examples => "examples",
            Kind::Checkpoints => "training checkpoints",
        }
    }
}

/// Folders whose contents the app serves or loads as they are: a folder
/// named like docs inside them is content.
const SERVED: &[&str] = &[
    "static",
    "staticfiles",
    "templates",
    "public",
    "assets",
    "media",
    "locale",
];

/// A folder's weight in the context, and what it holds.
#[derive(Debug, Default, Clone)]
struct Weight {
    files: usize,
    bytes: u64,
    model_bytes: u64,
    python: bool,
}

impl Weight {
    fn describe(&self, folder: &str) -> String {
        format!(
            "{folder}/: {} in {}",
            human_bytes(self.bytes),
            files(self.files)
        )
    }
}

/// The decision on every folder named like something the image does not
/// need, and the evidence that reaches files.
#[derive(Debug, Default)]
pub struct Ships {
    /// Lines of the .dockerignore: the folders left out, commented.
    pub left_out: Vec<Candidate>,
    /// Folders kept against their name, with the evidence (for the report).
    pub kept: Vec<(String, String)>,
    /// Files the evidence reaches (reads and `keep`), with what proves it:
    /// no line may exclude them, and the baseline's data lines yield to
    /// them.
    pub reached: BTreeMap<String, String>,
}

impl Ships {
    /// Whether a path lies in a folder the proposal leaves out.
    pub fn leaves_out(&self, path: &str) -> bool {
        self.left_out.iter().any(|c| inside(path, &c.pattern))
    }

    /// Decides each folder named like tests, docs, examples... of a Python
    /// image. `baseline`: what the baseline already excludes.
    pub fn decide(inputs: &Inputs, needs: &ImageNeeds, baseline: &DockerIgnore) -> Ships {
        let reads = &inputs.project.python.reads;
        let keep = &inputs.config.keep;
        let mut ships = Ships {
            reached: reached_files(inputs),
            ..Ships::default()
        };
        for (folder, (kind, weight)) in named_folders(inputs, baseline) {
            let why_kept = keep
                .iter()
                .find(|k| inside(k, &folder) || inside(&folder, k))
                .map(|k| format!("`keep: [{k}]` in the configuration keeps it"))
                .or_else(|| {
                    let p = needs.paths.iter().find(|p| inside(p, &folder))?;
                    Some(format!("the Dockerfile copies or reads {p}"))
                })
                .or_else(|| {
                    let at = needs.tests_run.as_ref()?;
                    matches!(kind, Kind::Tests | Kind::TestData)
                        .then(|| format!("the tests run in the image build ({at})"))
                })
                .or_else(|| reads.reaching(&folder).map(|r| r.evidence()))
                .or_else(|| match (&reads.imports, weight.python) {
                    (Imports::Unknown(why), true) => Some(format!(
                        "it holds Python modules and the imports could not be followed ({why})"
                    )),
                    _ => None,
                });
            match why_kept {
                Some(why) => ships.kept.push((
                    folder.clone(),
                    format!(
                        "{} is named like {}, but {why}: kept; `drop: [{folder}]` in dockslim.yaml leaves it out",
                        weight.describe(&folder),
                        kind.what()
                    ),
                )),
                None => ships.left_out.push(Candidate::commented(
                    &folder,
                    format!("{}, {}", weight.describe(&folder), leave_reason(kind, &weight)),
                )),
            }
        }
        ships.apply_drop(inputs, needs, baseline);
        ships
    }

    /// `drop:` paths join the lines, except one the Dockerfile copies.
    fn apply_drop(&mut self, inputs: &Inputs, needs: &ImageNeeds, baseline: &DockerIgnore) {
        for d in &inputs.config.drop {
            if let Some(p) = needs.paths.iter().find(|p| inside(p, d) || inside(d, p)) {
                self.kept.push((
                    d.clone(),
                    format!("`drop: [{d}]` is not applied: the Dockerfile copies {p}, and the build would fail without it"),
                ));
                continue;
            }
            self.left_out.retain(|c| !inside(&c.pattern, d));
            self.kept.retain(|(k, _)| !inside(k, d));
            self.reached.retain(|p, _| !inside(p, d));
            let weight = weigh(inputs, baseline, |p| inside(p, d).then(|| d.clone()))
                .remove(d)
                .unwrap_or_default();
            self.left_out.push(Candidate::commented(
                d,
                format!(
                    "{}, left out by `drop` in the configuration",
                    weight.describe(d)
                ),
            ));
        }
    }
}

/// Why a folder no evidence reaches is left out.
fn leave_reason(kind: Kind, weight: &Weight) -> String {
    let checkpoints = if kind != Kind::Checkpoints && weight.model_bytes * 2 >= weight.bytes {
        " with training checkpoints"
    } else {
        ""
    };
    format!(
        "{}{checkpoints}: nothing the app imports, opens or loads is in it",
        kind.what()
    )
}

/// Files the reads and `keep` reach, with what proves it. Code never
/// makes a secret needed (`load_dotenv(".env")` reads a file the
/// container is given); `keep` can.
fn reached_files(inputs: &Inputs) -> BTreeMap<String, String> {
    let repo = inputs.repo;
    let mut out: BTreeMap<String, String> = inputs
        .project
        .python
        .reads
        .files(repo)
        .filter(|(p, _)| secret_kind(p).is_none())
        .map(|(p, r)| (p.to_string(), r.evidence()))
        .collect();
    for k in &inputs.config.keep {
        for f in repo.own_files().filter(|f| inside(&f.path, k)) {
            out.insert(
                f.path.clone(),
                format!("`keep: [{k}]` in the configuration"),
            );
        }
    }
    out
}

/// Every outermost folder named like one of the kinds, among the files
/// sent today and not excluded by the baseline, with its weight.
fn named_folders(inputs: &Inputs, baseline: &DockerIgnore) -> BTreeMap<String, (Kind, Weight)> {
    let mut kinds = BTreeMap::new();
    let weights = weigh(inputs, baseline, |path| {
        let parts: Vec<&str> = path.split('/').collect();
        let folders = &parts[..parts.len() - 1];
        let served = folders
            .iter()
            .position(|d| SERVED.contains(d))
            .unwrap_or(folders.len());
        let at = folders[..served]
            .iter()
            .position(|d| Kind::of(d).is_some())?;
        let folder = parts[..=at].join("/");
        kinds.insert(folder.clone(), Kind::of(parts[at])?);
        Some(folder)
    });
    weights
        .into_iter()
        .filter_map(|(f, w)| Some((f.clone(), (*kinds.get(&f)?, w))))
        .collect()
}

/// The weights of folders: `folder_of` maps each file sent today (and
/// not excluded by the baseline) to the folder it counts for, if any.
fn weigh(
    inputs: &Inputs,
    baseline: &DockerIgnore,
    mut folder_of: impl FnMut(&str) -> Option<String>,
) -> BTreeMap<String, Weight> {
    let mut baseline = TreeMatcher::new(baseline);
    let mut out: BTreeMap<String, Weight> = BTreeMap::new();
    for (file, sent) in inputs.repo.files.iter().zip(&inputs.context.sent) {
        if !sent || file.vendored || baseline.is_excluded(&file.path) {
            continue;
        }
        let Some(folder) = folder_of(&file.path) else {
            continue;
        };
        let w = out.entry(folder).or_default();
        w.files += 1;
        w.bytes += file.size;
        w.python |= file.path.ends_with(".py");
        if super::large_folders::bulky_kind(&file.path) == Some("model weights") {
            w.model_bytes += file.size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FileRole;

    /// The proposed ignore file of a repository, and the folders it keeps
    /// against their name, with why.
    fn proposed(files: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
        let (dir, _) = crate::repo::temp_repo(files);
        let opts = crate::Options {
            dir: dir.path().to_path_buf(),
            ..Default::default()
        };
        let proposal = crate::propose(&crate::analyze(&opts).unwrap(), &opts).unwrap();
        let change = proposal.change(FileRole::DockerIgnore).unwrap();
        let kept = change
            .reasons
            .iter()
            .filter(|d| d.topic == crate::plan::Topic::LeftOut)
            .map(|d| (d.choice.clone(), d.reason.clone()))
            .collect();
        (change.new.clone(), kept)
    }

    fn lines(ignore: &str) -> Vec<&str> {
        ignore.lines().filter(|l| !l.starts_with('#')).collect()
    }

    /// A small Django site: settings, an app whose view opens a search
    /// index, tests with fixtures, and apps only the tests install.
    const DJANGO: &[(&str, &str)] = &[
        ("requirements.txt", "Django==5.1.4\ngunicorn==23.0.0\n"),
        ("manage.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_.settings\")\n"),
        ("site_/__init__.py", ""),
        ("site_/settings.py", "INSTALLED_APPS = ['shop']\nROOT_URLCONF = 'site_.urls'\nWSGI_APPLICATION = 'site_.wsgi.application'\n"),
        ("site_/urls.py", "from django.urls import path\nfrom shop import views\nurlpatterns = [path('healthz/', views.health)]\n"),
        ("site_/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
        ("shop/__init__.py", ""),
        ("shop/views.py", "from pathlib import Path\nINDEX = Path(__file__).parent / 'index.db'\n# tests/fixtures/shop.json is loaded by the tests\n"),
        ("shop/index.db", "x"),
        ("tests/__init__.py", ""),
        ("tests/test_shop.py", "from shop import views\n"),
        ("tests/fixtures/shop.json", "[]"),
        ("testing_apps/__init__.py", ""),
        ("testing_apps/models.py", ""),
        ("static/docs/guide.html", "<p>served</p>"),
        ("local.db", "x"),
    ];

    #[test]
    fn folders_nothing_reaches_are_left_out_and_opened_files_stay() {
        let (ignore, kept) = proposed(DJANGO);
        let lines = lines(&ignore);
        for folder in ["tests", "testing_apps"] {
            assert!(lines.contains(&folder), "{folder} not left out:\n{ignore}");
        }
        // Served content is never judged by its name.
        assert!(!lines.iter().any(|l| l.contains("static")), "{ignore}");
        // The data line stays for local.db, and yields to the index.
        let at = |l: &str| lines.iter().position(|x| *x == l);
        assert!(at("**/*.db") < at("!shop/index.db"), "{ignore}");
        assert!(
            ignore.contains("# shop/index.db is opened by the app (shop/views.py:2)"),
            "{ignore}"
        );
        assert!(kept.is_empty(), "{kept:?}");
    }

    #[test]
    fn a_test_stage_or_a_test_run_keeps_the_tests() {
        let dockerfile = "FROM python:3.12-slim AS base\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY shop/ shop/\nCOPY site_/ site_/\nCOPY manage.py .\nCMD [\"gunicorn\", \"site_.wsgi:application\"]\n\nFROM base AS test\nCOPY tests/ tests/\nRUN python -m pytest tests\n";
        let mut files = DJANGO.to_vec();
        files.push(("Dockerfile", dockerfile));
        let (ignore, kept) = proposed(&files);
        assert!(!lines(&ignore).contains(&"tests"), "{ignore}");
        assert!(lines(&ignore).contains(&"testing_apps"), "{ignore}");
        let (_, why) = kept.iter().find(|(f, _)| f == "tests").unwrap();
        assert!(
            why.contains("the Dockerfile copies or reads tests"),
            "{why}"
        );

        // A whole-context copy and a bare `pytest` read the tests unnamed.
        let dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && pytest -q\nCMD [\"gunicorn\", \"site_.wsgi:application\"]\n";
        files.pop();
        files.push(("Dockerfile", dockerfile));
        let (ignore, kept) = proposed(&files);
        assert!(!lines(&ignore).contains(&"tests"), "{ignore}");
        let (_, why) = kept.iter().find(|(f, _)| f == "tests").unwrap();
        assert!(
            why.contains("the tests run in the image build (Dockerfile:4)"),
            "{why}"
        );
    }

    #[test]
    fn imported_or_named_test_data_is_kept_and_reported() {
        let mut files = DJANGO.to_vec();
        files.push(("fixtures/__init__.py", ""));
        files.push(("fixtures/demo.py", "ROWS = []\n"));
        files.push(("examples/a.json", "{}"));
        files.push((
            "shop/seed.py",
            "from fixtures.demo import ROWS\nEXAMPLES = 'examples'\n",
        ));
        files[7].1 = "from pathlib import Path\nfrom shop import seed\nINDEX = Path(__file__).parent / 'index.db'\n";
        let (ignore, kept) = proposed(&files);
        assert!(!lines(&ignore).contains(&"fixtures"), "{ignore}");
        assert!(!lines(&ignore).contains(&"examples"), "{ignore}");
        let why = |folder: &str| kept.iter().find(|(f, _)| f == folder).unwrap().1.clone();
        assert!(
            why("fixtures").contains("named like test data, but fixtures/__init__.py is imported by the app (shop/seed.py:1): kept; `drop: [fixtures]`"),
            "{}",
            why("fixtures")
        );
        assert!(
            why("examples").contains("named in a string by the app (shop/seed.py:2)"),
            "{}",
            why("examples")
        );
    }

    #[test]
    fn without_followed_imports_python_folders_stay() {
        let mut files = DJANGO.to_vec();
        files[7].1 = "import importlib\nplugin = importlib.import_module(NAME)\n";
        files.push(("docs/index.md", "# docs"));
        let (ignore, kept) = proposed(&files);
        let lines = lines(&ignore);
        assert!(
            !lines.contains(&"tests") && !lines.contains(&"testing_apps"),
            "{ignore}"
        );
        assert!(lines.contains(&"docs"), "{ignore}");
        let (_, why) = kept.iter().find(|(f, _)| f == "tests").unwrap();
        assert!(
            why.contains("shop/views.py:2 imports a module by a computed name"),
            "{why}"
        );
    }

    #[test]
    fn keep_and_drop_decide_over_the_evidence() {
        let mut files = DJANGO.to_vec();
        files.push((
            "dockslim.yaml",
            "keep: [tests/fixtures]\ndrop: [shop/index.db]\n",
        ));
        let (ignore, kept) = proposed(&files);
        let lines = lines(&ignore);
        assert!(!lines.contains(&"tests"), "{ignore}");
        assert!(
            lines.contains(&"shop/index.db") && !lines.contains(&"!shop/index.db"),
            "{ignore}"
        );
        let (_, why) = kept.iter().find(|(f, _)| f == "tests").unwrap();
        assert!(
            why.contains("`keep: [tests/fixtures]` in the configuration keeps it"),
            "{why}"
        );
    }

    #[test]
    fn kinds_by_name() {
        for (name, kind) in [
            ("tests", Kind::Tests),
            ("testing_apps", Kind::Tests),
            ("integration_tests", Kind::Tests),
            ("test_data", Kind::TestData),
            ("fixtures", Kind::TestData),
            ("docs", Kind::Docs),
            ("notebooks", Kind::Notebooks),
            ("benchmarks", Kind::Benchmarks),
            ("examples", Kind::Examples),
            ("checkpoints", Kind::Checkpoints),
        ] {
            assert_eq!(Kind::of(name), Some(kind), "{name}");
        }
        for name in [
            "testimonials",
            "latest",
            "contest",
            "src",
            "app",
            "static",
            "docsite",
            "attest",
        ] {
            assert_eq!(Kind::of(name), None, "{name}");
        }
    }
}
