//! What Django loads from the project: the apps of INSTALLED_APPS (and of
//! the `*_APPS` lists it is often assembled from), with their templates,
//! static files, translations, migrations, management commands and
//! template tags; TEMPLATES `DIRS`, STATICFILES_DIRS, LOCALE_PATHS and
//! FIXTURE_DIRS; and fixtures `loaddata` loads. Paths in settings are read
//! relative to the folder of manage.py (Django's BASE_DIR). A fixture
//! folder of an app counts only when something loads from it.

use std::sync::LazyLock;

use regex::Regex;

use super::pysrc::{bracketed, clean, in_literal, items, line_at, literals};
use super::{entry, existing_path, Extent, Read, Source};
use crate::detect::framework::Django;
use crate::repo::Repo;

/// Folders Django reads from every installed app.
const APP_FOLDERS: &[&str] = &[
    "templates",
    "static",
    "locale",
    "migrations",
    "management",
    "templatetags",
];

/// Modules Django imports from every installed app.
const APP_MODULES: &[&str] = &["", "models", "admin", "apps"];

/// A Django project as its settings describe it.
pub struct Project {
    /// manage.py, when there is one.
    manage: Option<String>,
    settings: Option<String>,
    /// Local apps: folder, and where INSTALLED_APPS names it.
    apps: Vec<(String, usize)>,
    /// Folders the settings list, by setting.
    folders: Vec<Read>,
    /// Python files below the apps' command, tag and migration folders.
    app_sources: Vec<String>,
}

impl Project {
    pub fn read(repo: &Repo, sources: &[(String, String)], django: &Django) -> Project {
        let manage = sources
            .iter()
            .map(|(p, _)| p)
            .find(|p| *p == "manage.py" || p.ends_with("/manage.py"))
            .cloned();
        let base = manage
            .as_deref()
            .and_then(|m| m.rsplit_once('/'))
            .map_or(String::new(), |(d, _)| d.to_string());
        let settings = django.settings_file.clone();
        let texts = settings_texts(sources, settings.as_deref());
        let mut apps = Vec::new();
        let mut folders = Vec::new();
        for (file, text) in &texts {
            let code = clean(text);
            for (label, offset) in app_labels(&code) {
                if let Some(dir) = app_folder(repo, &base, &label) {
                    apps.push((dir, line_at(&code, offset)));
                }
            }
            folders.extend(listed_folders(repo, &base, file, &code));
        }
        let app_sources = sources
            .iter()
            .map(|(p, _)| p)
            .filter(|p| {
                apps.iter().any(|(dir, _)| {
                    ["management", "templatetags", "migrations"]
                        .iter()
                        .any(|f| super::inside(p, &format!("{dir}/{f}")))
                })
            })
            .cloned()
            .collect();
        Project {
            manage,
            settings,
            apps,
            folders,
            app_sources,
        }
    }

    /// The modules Django loads by itself: manage.py, the settings, and
    /// each app's package, models, admin, app config, commands, tags and
    /// migrations.
    pub fn entries(&self) -> Vec<Read> {
        let settings = self.settings.clone().unwrap_or_default();
        let mut out: Vec<Read> = self.manage.iter().map(|m| entry(m, m, 1)).collect();
        out.extend(self.settings.iter().map(|s| entry(s, s, 1)));
        for (dir, line) in &self.apps {
            for module in APP_MODULES {
                let stem = match *module {
                    "" => dir.clone(),
                    m => format!("{dir}/{m}"),
                };
                for file in [format!("{stem}.py"), format!("{stem}/__init__.py")] {
                    out.push(entry(&file, &settings, *line));
                }
            }
        }
        out.extend(self.app_sources.iter().map(|p| entry(p, p, 1)));
        out
    }

    /// The folders Django reads: the apps' own and those the settings list.
    pub fn reads(&self, repo: &Repo) -> Vec<Read> {
        let settings = self.settings.clone().unwrap_or_default();
        let mut out = self.folders.clone();
        for (dir, line) in &self.apps {
            for folder in APP_FOLDERS
                .iter()
                .filter(|f| repo.has_dir(&format!("{dir}/{f}")))
            {
                out.push(Read {
                    path: format!("{dir}/{folder}"),
                    extent: Extent::Tree,
                    source: Source::InstalledApp,
                    file: settings.clone(),
                    line: *line,
                });
            }
        }
        out
    }
}

/// The settings module and the modules it star-imports from its own
/// package (`from .base import *`, as settings packages do).
fn settings_texts<'a>(
    sources: &'a [(String, String)],
    settings: Option<&str>,
) -> Vec<(&'a str, &'a str)> {
    static STAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^from\s+\.(\w+)\s+import\s+\*").unwrap());
    let Some((file, text)) = sources.iter().find(|(p, _)| Some(p.as_str()) == settings) else {
        return Vec::new();
    };
    let folder = file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = vec![(file.as_str(), text.as_str())];
    for c in STAR.captures_iter(&clean(text)) {
        let wanted = crate::detect::node::join(folder, &format!("{}.py", &c[1]));
        out.extend(
            sources
                .iter()
                .filter(|(p, _)| *p == wanted)
                .map(|(p, t)| (p.as_str(), t.as_str())),
        );
    }
    out
}

/// The app labels of INSTALLED_APPS and the `*_APPS` lists (LOCAL_APPS,
/// THIRD_PARTY_APPS) it is assembled from, with their offsets.
fn app_labels(code: &str) -> Vec<(String, usize)> {
    static APPS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[A-Z_]*APPS\s*\+?=\s*[\[(]").unwrap());
    let mut out = Vec::new();
    for m in APPS.find_iter(code) {
        let open = m.end() - 1;
        let Some(body) = bracketed(code, open) else {
            continue;
        };
        for lit in literals(body) {
            out.push((lit.text, open + 1 + lit.start));
        }
    }
    out
}

/// The folder of a local app: the longest prefix of its dotted label that
/// is a folder of the project (`shop.apps.ShopConfig` is `shop`).
fn app_folder(repo: &Repo, base: &str, label: &str) -> Option<String> {
    let parts: Vec<&str> = label.split('.').collect();
    (1..=parts.len()).rev().find_map(|k| {
        let rel = parts[..k].join("/");
        [crate::detect::node::join(base, &rel), rel]
            .into_iter()
            .find(|p| repo.has_dir(p))
    })
}

/// The folders TEMPLATES `DIRS`, STATICFILES_DIRS, LOCALE_PATHS and
/// FIXTURE_DIRS list, where they exist.
fn listed_folders(repo: &Repo, base: &str, file: &str, code: &str) -> Vec<Read> {
    static LISTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)(?:^(STATICFILES_DIRS|LOCALE_PATHS|FIXTURE_DIRS)\s*\+?=\s*|['"](DIRS)['"]\s*:\s*)[\[(]"#)
            .unwrap()
    });
    let mut out = Vec::new();
    for c in LISTS.captures_iter(code) {
        let source = match c.get(1).or(c.get(2)).map_or("", |m| m.as_str()) {
            "STATICFILES_DIRS" => Source::StaticfilesDirs,
            "LOCALE_PATHS" => Source::LocalePaths,
            "FIXTURE_DIRS" => Source::FixtureDirs,
            _ => Source::TemplateDirs,
        };
        let open = c.get(0).unwrap().end() - 1;
        let Some(body) = bracketed(code, open) else {
            continue;
        };
        for (offset, item) in items(body) {
            if let Some((path, extent)) = existing_path(repo, base, item) {
                out.push(Read {
                    path,
                    extent,
                    source,
                    file: file.to_string(),
                    line: line_at(
                        code,
                        open + 1 + offset + item.len() - item.trim_start().len(),
                    ),
                });
            }
        }
    }
    out
}

/// The fixtures a command loads (`python manage.py loaddata initial
/// shop/fixtures/demo.json`), as files of the repository.
pub fn fixtures_loaded_by(repo: &Repo, words: &[String]) -> Vec<String> {
    const WITH_VALUE: &[&str] = &[
        "--database",
        "--app",
        "--format",
        "-e",
        "--exclude",
        "--settings",
        "--pythonpath",
        "-v",
        "--verbosity",
    ];
    let Some(at) = words.iter().position(|w| w == "loaddata") else {
        return Vec::new();
    };
    let mut labels = Vec::new();
    let mut skip = false;
    for w in &words[at + 1..] {
        if skip {
            skip = false;
        } else if WITH_VALUE.contains(&w.as_str()) {
            skip = true;
        } else if !w.starts_with('-') {
            labels.push(w.as_str());
        }
    }
    labels
        .into_iter()
        .flat_map(|l| fixture_files(repo, l))
        .collect()
}

/// `call_command("loaddata", "initial")` in the app's code (a data
/// migration, a startup hook).
pub fn fixtures_in_code(repo: &Repo, sources: &[(String, String)]) -> Vec<Read> {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"call_command\(\s*['"]loaddata['"]\s*,"#).unwrap());
    let mut out = Vec::new();
    for (file, text) in sources {
        let code = clean(text);
        let strings = literals(&code);
        for m in CALL
            .find_iter(&code)
            .filter(|m| !in_literal(&strings, m.start()))
        {
            let open = m.start() + "call_command".len();
            let Some(args) = bracketed(&code, open) else {
                continue;
            };
            let line = line_at(&code, m.start());
            for lit in literals(args).into_iter().skip(1) {
                out.extend(fixture_files(repo, &lit.text).into_iter().map(|path| Read {
                    path,
                    extent: Extent::File,
                    source: Source::Fixture,
                    file: file.clone(),
                    line,
                }));
            }
        }
    }
    out
}

/// The files a fixture label names: a path (with or without its
/// extension), or a name Django looks up in the `fixtures` folders.
fn fixture_files(repo: &Repo, label: &str) -> Vec<String> {
    let label = label.trim_start_matches("./");
    let named = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        let wanted = label.rsplit('/').next().unwrap_or(label);
        name == wanted || name.starts_with(&format!("{wanted}."))
    };
    repo.own_files()
        .map(|f| f.path.as_str())
        .filter(|p| named(p))
        .filter(|p| {
            if label.contains('/') {
                let stem = label.rsplit_once('/').map_or("", |(d, _)| d);
                p.starts_with(&format!("{stem}/")) && !p[stem.len() + 1..].contains('/')
            } else {
                p.split('/').rev().skip(1).any(|d| d == "fixtures")
            }
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    fn django(settings: &str) -> Django {
        Django {
            settings_module: "site.settings".into(),
            settings_from: "manage.py:1".into(),
            settings_file: Some(settings.into()),
            static_root: false,
            required_env: vec![],
            allowed_hosts: None,
            wsgi_application: None,
            asgi_application: None,
            root_urlconf: None,
            channels: None,
            daphne_app: false,
        }
    }

    const SETTINGS: &str = r#"from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
DJANGO_APPS = ["django.contrib.staticfiles"]
LOCAL_APPS = [
    "shop.apps.ShopConfig",
    # "legacy",
    "blog",
]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS
TEMPLATES = [{"BACKEND": "x", "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True}]
STATICFILES_DIRS = [
    ("downloads", BASE_DIR / "files"),
    os.path.join(BASE_DIR, "docs", "build"),
]
LOCALE_PATHS = [BASE_DIR / "translations"]
"#;

    #[test]
    fn apps_and_listed_folders_from_the_settings() {
        let files = [
            ("manage.py", "import os\n"),
            ("site/settings.py", SETTINGS),
            ("shop/__init__.py", ""),
            ("shop/apps.py", ""),
            ("shop/templates/shop/a.html", ""),
            ("shop/management/commands/seed.py", ""),
            ("blog/__init__.py", ""),
            ("legacy/__init__.py", ""),
            ("templates/base.html", ""),
            ("files/report.pdf", ""),
            ("docs/build/index.html", ""),
            ("docs/src/index.md", ""),
            ("translations/de/LC_MESSAGES/django.po", ""),
        ];
        let (_d, repo) = temp_repo(&files);
        let sources = repo.python_sources();
        let p = Project::read(&repo, sources, &django("site/settings.py"));
        let apps: Vec<&str> = p.apps.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(apps, ["shop", "blog"]);
        let folders: Vec<(&str, Source, usize)> = p
            .folders
            .iter()
            .map(|r| (r.path.as_str(), r.source, r.line))
            .collect();
        assert_eq!(
            folders,
            [
                ("templates", Source::TemplateDirs, 10),
                ("files", Source::StaticfilesDirs, 12),
                ("docs/build", Source::StaticfilesDirs, 13),
                ("translations", Source::LocalePaths, 15),
            ]
        );
        let entries: Vec<String> = p.entries().into_iter().map(|r| r.path).collect();
        assert!(entries.contains(&"shop/management/commands/seed.py".to_string()));
        assert!(entries.contains(&"shop/apps.py".to_string()));
        assert!(!entries.iter().any(|e| e.starts_with("legacy")));
    }

    #[test]
    fn fixtures_by_command_and_by_code() {
        let files = [
            ("shop/fixtures/initial.json", "[]"),
            ("shop/fixtures/demo.yaml", "[]"),
            ("tests/fixtures/catalog.json", "[]"),
            // Named like a fixture, but not in a fixtures folder.
            ("initial.json", "[]"),
            ("shop/migrations/0002_data.py", "from django.core.management import call_command\ndef load(apps, schema):\n    call_command('loaddata', 'demo', verbosity=0)\n"),
        ];
        let (_d, repo) = temp_repo(&files);
        let words: Vec<String> = "python manage.py loaddata --database default initial"
            .split(' ')
            .map(str::to_string)
            .collect();
        assert_eq!(
            fixtures_loaded_by(&repo, &words),
            ["shop/fixtures/initial.json"]
        );
        let words: Vec<String> = ["loaddata".into(), "tests/fixtures/catalog".into()].into();
        assert_eq!(
            fixtures_loaded_by(&repo, &words),
            ["tests/fixtures/catalog.json"]
        );
        let none: Vec<String> = ["migrate".into()].into();
        assert!(fixtures_loaded_by(&repo, &none).is_empty());
        let found: Vec<(String, usize)> = fixtures_in_code(&repo, repo.python_sources())
            .into_iter()
            .map(|r| (r.path, r.line))
            .collect();
        assert_eq!(found, [("shop/fixtures/demo.yaml".to_string(), 3)]);
    }
}
