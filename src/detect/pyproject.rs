//! pyproject.toml, Pipfile and the lock files beside them: which manager
//! owns the project (uv, Poetry, Pipenv) and what it declares, with the
//! line of every declaration so findings can point at it.

use std::collections::BTreeMap;

use serde::Serialize;
use toml_edit::{ImDocument, Item, Value};

use super::requirements::{normalize, parse_pep508, Requirement};
use crate::error::{line_of, Error, Result};
use crate::repo::Repo;

/// The tool that installs the project's dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    #[default]
    Pip,
    Uv,
    Poetry,
    Pipenv,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Pip => "pip",
            Manager::Uv => "uv",
            Manager::Poetry => "Poetry",
            Manager::Pipenv => "Pipenv",
        }
    }

    /// The program the manager runs as (`poetry install`, `uv sync`).
    pub fn program(self) -> &'static str {
        match self {
            Manager::Pip => "pip",
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pipenv => "pipenv",
        }
    }

    pub fn lock_file(self) -> Option<&'static str> {
        match self {
            Manager::Pip => None,
            Manager::Uv => Some("uv.lock"),
            Manager::Poetry => Some("poetry.lock"),
            Manager::Pipenv => Some("Pipfile.lock"),
        }
    }

    /// The command that writes the lock file from the manifest.
    pub fn lock_command(self) -> Option<&'static str> {
        match self {
            Manager::Pip => None,
            Manager::Uv => Some("uv lock"),
            Manager::Poetry => Some("poetry lock"),
            Manager::Pipenv => Some("pipenv lock"),
        }
    }

    /// The file its dependencies are declared in.
    pub fn manifest(self) -> &'static str {
        match self {
            Manager::Pipenv => "Pipfile",
            Manager::Pip => "requirements.txt",
            _ => "pyproject.toml",
        }
    }
}

/// What a pyproject.toml (or Pipfile) declares.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Declared {
    /// The file, relative to the repository root.
    pub file: String,
    /// `[project].name` (or `[tool.poetry].name`), normalised.
    pub name: Option<String>,
    /// Runtime dependencies: `[project].dependencies`,
    /// `[tool.poetry.dependencies]` or the Pipfile's `[packages]`.
    pub dependencies: Vec<Requirement>,
    /// Optional extras by name.
    pub optional: BTreeMap<String, Vec<Requirement>>,
    /// Dependency groups by name (`[dependency-groups]`, uv's
    /// `dev-dependencies`, Poetry's groups, the Pipfile's `[dev-packages]`).
    pub groups: BTreeMap<String, Vec<Requirement>>,
    /// Whether the project itself is a package that gets built and
    /// installed (a `[build-system]`, and not `package = false`).
    pub packaged: bool,
    /// `[tool.uv.workspace] members`, as written (globs allowed).
    pub workspace_members: Vec<String>,
    pub has_tool_uv: bool,
    pub has_tool_poetry: bool,
    /// Poetry's `python = "^3.11"` constraint, as a PEP 440 range, and its line.
    pub poetry_python: Option<(String, usize)>,
    /// Local folders the dependencies install from: Poetry's `path = ...`,
    /// uv's `[tool.uv.sources]` paths, and `workspace = true` members (as
    /// the package name).
    pub local_sources: Vec<String>,
    /// `[project].dynamic`: metadata only a build of the project can tell.
    pub dynamic: Vec<String>,
    /// The readme file the metadata names, which a build reads.
    pub readme: Option<String>,
    /// `[tool.uv] required-version`, as written (`==0.9.9`, `>=0.5`).
    pub uv_required_version: Option<String>,
    /// The line of the `[project]` table, when there is one.
    pub project_line: Option<usize>,
    /// Whether `[project]` has a `dependencies` array.
    pub project_dependencies: bool,
    /// Whether `[project]` gives a version (or lists it as dynamic), which
    /// uv needs to read the table at all.
    pub project_version: bool,
    /// `[build-system] build-backend`, as written.
    pub build_backend: Option<String>,
}

impl Declared {
    /// Every declared requirement, runtime first, then extras and groups.
    pub fn all(&self) -> impl Iterator<Item = &Requirement> {
        self.dependencies
            .iter()
            .chain(self.optional.values().flatten())
            .chain(self.groups.values().flatten())
    }
}

/// Parses a TOML file, with the line of a syntax error.
pub fn parse_toml(text: &str, file: &str) -> Result<ImDocument<String>> {
    ImDocument::parse(text.to_string()).map_err(|e| toml_error(file, text, &e))
}

/// A TOML file that does not parse, at the line and column toml_edit
/// points to.
pub fn toml_error(file: &str, text: &str, e: &toml_edit::TomlError) -> Error {
    let message = format!("is not valid TOML: {}", e.message().trim());
    let hint = "TOML wants `key = value` lines under `[table]` headers, with text in double quotes";
    match e.span() {
        Some(span) => {
            let line = line_of(text, span.start);
            let line_start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let column = text[line_start..span.start.min(text.len())].chars().count() + 1;
            Error::input_at(file, line, column, message, hint)
        }
        None => Error::input(file, None, message, hint),
    }
}

/// Reads `<dir>/pyproject.toml`, if there is one.
pub fn read_pyproject(repo: &Repo, dir: &str) -> Result<Option<Declared>> {
    let file = if dir.is_empty() {
        "pyproject.toml".to_string()
    } else {
        format!("{}/pyproject.toml", dir.trim_end_matches('/'))
    };
    let Some(text) = repo.read_text(&file)? else {
        return Ok(None);
    };
    let doc = parse_toml(&text, &file)?;
    let root = doc.as_table();
    let reader = Reader {
        text: &text,
        file: &file,
    };
    let mut out = Declared {
        file: file.clone(),
        ..Default::default()
    };
    let project = root.get("project").and_then(Item::as_table_like);
    let tool = root.get("tool").and_then(Item::as_table_like);
    let uv = tool.and_then(|t| t.get("uv")).and_then(Item::as_table_like);
    let poetry = tool
        .and_then(|t| t.get("poetry"))
        .and_then(Item::as_table_like);
    out.has_tool_uv = uv.is_some();
    out.has_tool_poetry = poetry.is_some();

    if let Some(project) = project {
        out.project_line = root.get("project").map(|p| reader.line(p));
        out.name = project.get("name").and_then(Item::as_str).map(normalize);
        out.dynamic = strings(project.get("dynamic"));
        out.project_version =
            project.contains_key("version") || out.dynamic.iter().any(|d| d == "version");
        out.project_dependencies = project.contains_key("dependencies");
        out.readme = project.get("readme").and_then(|r| {
            r.as_str()
                .or_else(|| r.as_table_like()?.get("file")?.as_str())
                .map(str::to_string)
        });
        if let Some(deps) = project.get("dependencies") {
            out.dependencies = reader.pep508_array(deps, "project.dependencies")?;
        }
        if let Some(extras) = project
            .get("optional-dependencies")
            .and_then(Item::as_table_like)
        {
            for (extra, deps) in extras.iter() {
                let what = format!("project.optional-dependencies.{extra}");
                out.optional
                    .insert(extra.to_string(), reader.pep508_array(deps, &what)?);
            }
        }
    }
    if let Some(groups) = root.get("dependency-groups").and_then(Item::as_table_like) {
        for (group, deps) in groups.iter() {
            let what = format!("dependency-groups.{group}");
            out.groups
                .insert(group.to_string(), reader.pep508_array(deps, &what)?);
        }
    }
    if let Some(uv) = uv {
        out.uv_required_version = uv
            .get("required-version")
            .and_then(Item::as_str)
            .map(str::to_string);
        if let Some(sources) = uv.get("sources").and_then(Item::as_table_like) {
            out.local_sources
                .extend(sources.iter().filter_map(|(name, source)| {
                    let source = source.as_table_like()?;
                    let workspace = source.get("workspace").and_then(Item::as_bool);
                    source
                        .get("path")
                        .and_then(Item::as_str)
                        .map(str::to_string)
                        .or_else(|| (workspace == Some(true)).then(|| name.to_string()))
                }));
        }
        if let Some(deps) = uv.get("dev-dependencies") {
            let dev = reader.pep508_array(deps, "tool.uv.dev-dependencies")?;
            out.groups.entry("dev".into()).or_default().extend(dev);
        }
        if let Some(members) = uv
            .get("workspace")
            .and_then(Item::as_table_like)
            .and_then(|w| w.get("members"))
            .and_then(Item::as_array)
        {
            out.workspace_members = members
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect();
        }
    }
    if let Some(poetry) = poetry {
        if out.name.is_none() {
            out.name = poetry.get("name").and_then(Item::as_str).map(normalize);
        }
        if out.readme.is_none() {
            let readme = poetry.get("readme");
            out.readme = readme
                .and_then(Item::as_str)
                .map(str::to_string)
                .or_else(|| strings(readme).into_iter().next());
        }
        out.local_sources.extend(poetry_paths(poetry));
        if let Some(deps) = poetry.get("dependencies").and_then(Item::as_table_like) {
            for (name, value) in deps.iter() {
                if name == "python" {
                    if let Some(range) = value.as_str().and_then(poetry_constraint) {
                        let line = reader.line(value);
                        out.poetry_python = Some((range, line));
                    }
                    continue;
                }
                out.dependencies.push(reader.table_dependency(name, value));
            }
        }
        if let Some(deps) = poetry.get("dev-dependencies").and_then(Item::as_table_like) {
            let dev = out.groups.entry("dev".into()).or_default();
            dev.extend(deps.iter().map(|(n, v)| reader.table_dependency(n, v)));
        }
        if let Some(groups) = poetry.get("group").and_then(Item::as_table_like) {
            for (group, table) in groups.iter() {
                if let Some(deps) = table.get("dependencies").and_then(Item::as_table_like) {
                    let list = out.groups.entry(group.to_string()).or_default();
                    list.extend(deps.iter().map(|(n, v)| reader.table_dependency(n, v)));
                }
            }
        }
    }

    let package_off = uv
        .and_then(|u| u.get("package"))
        .and_then(Item::as_bool)
        .map(|b| !b)
        .or_else(|| {
            poetry
                .and_then(|p| p.get("package-mode"))
                .and_then(Item::as_bool)
                .map(|b| !b)
        })
        .unwrap_or(false);
    let uv_package_on = uv
        .and_then(|u| u.get("package"))
        .and_then(Item::as_bool)
        .unwrap_or(false);
    out.packaged = !package_off && (root.contains_key("build-system") || uv_package_on);
    out.build_backend = root
        .get("build-system")
        .and_then(Item::as_table_like)
        .and_then(|b| b.get("build-backend"))
        .and_then(Item::as_str)
        .map(str::to_string);
    Ok(Some(out))
}

/// The strings of a TOML array (none for anything else).
fn strings(item: Option<&Item>) -> Vec<String> {
    item.and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The `path = ...` of Poetry's dependencies, in every group.
fn poetry_paths(poetry: &dyn toml_edit::TableLike) -> Vec<String> {
    let groups = poetry
        .get("group")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|g| {
            g.iter()
                .filter_map(|(_, t)| t.as_table_like()?.get("dependencies"))
        });
    ["dependencies", "dev-dependencies"]
        .into_iter()
        .filter_map(|k| poetry.get(k))
        .chain(groups)
        .filter_map(Item::as_table_like)
        .flat_map(|deps| deps.iter())
        .filter_map(|(_, v)| v.as_table_like()?.get("path")?.as_str().map(str::to_string))
        .collect()
}

/// Reads the Pipfile: `[packages]` and `[dev-packages]`.
pub fn read_pipfile(repo: &Repo) -> Result<Option<Declared>> {
    let Some(text) = repo.read_text("Pipfile")? else {
        return Ok(None);
    };
    let doc = parse_toml(&text, "Pipfile")?;
    let reader = Reader {
        text: &text,
        file: "Pipfile",
    };
    let mut out = Declared {
        file: "Pipfile".into(),
        ..Default::default()
    };
    let table = |name: &str| doc.as_table().get(name).and_then(Item::as_table_like);
    if let Some(deps) = table("packages") {
        out.dependencies = deps
            .iter()
            .map(|(n, v)| reader.table_dependency(n, v))
            .collect();
    }
    if let Some(deps) = table("dev-packages") {
        out.groups.insert(
            "dev".into(),
            deps.iter()
                .map(|(n, v)| reader.table_dependency(n, v))
                .collect(),
        );
    }
    if let Some(v) = table("requires")
        .and_then(|r| r.get("python_version"))
        .and_then(Item::as_str)
    {
        out.poetry_python = Some((format!("=={v}.*"), 1));
    }
    Ok(Some(out))
}

/// The names of every package a lock file pins (all groups, all platforms).
pub fn locked_packages(repo: &Repo, manager: Manager) -> Result<Vec<String>> {
    let Some(lock) = manager.lock_file() else {
        return Ok(Vec::new());
    };
    let Some(text) = repo.read_text(lock)? else {
        return Ok(Vec::new());
    };
    if manager == Manager::Pipenv {
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::input_at(
                lock,
                e.line(),
                e.column(),
                format!("is not valid JSON: {e}"),
                "Pipfile.lock is written by pipenv: run `pipenv lock` to write it again",
            )
        })?;
        let mut names: Vec<String> = ["default", "develop"]
            .iter()
            .filter_map(|k| json.get(k).and_then(|v| v.as_object()))
            .flat_map(|o| o.keys().map(|k| normalize(k)))
            .collect();
        names.sort();
        names.dedup();
        return Ok(names);
    }
    let doc = parse_toml(&text, lock)?;
    let mut names: Vec<String> = doc
        .as_table()
        .get("package")
        .and_then(Item::as_array_of_tables)
        .map(|packages| {
            packages
                .iter()
                .filter_map(|p| p.get("name").and_then(Item::as_str).map(normalize))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Poetry's `^3.11`, `~3.11`, `>=3.10,<3.13` as a PEP 440 range.
fn poetry_constraint(text: &str) -> Option<String> {
    let text = text.trim();
    let parts: Vec<u32> = text
        .trim_start_matches(['^', '~', '='])
        .trim()
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    if let Some(rest) = text.strip_prefix('^') {
        let major = parts.first()?;
        return Some(format!(">={},<{}", rest.trim(), major + 1));
    }
    if let Some(rest) = text.strip_prefix('~') {
        let rest = rest.trim_start_matches('=');
        return match parts.as_slice() {
            [major, minor, ..] => Some(format!(">={},<{}.{}", rest.trim(), major, minor + 1)),
            [major] => Some(format!(">={major},<{}", major + 1)),
            [] => None,
        };
    }
    if text == "*" {
        return None;
    }
    Some(text.to_string())
}

/// Reads declarations out of one TOML file, keeping their lines.
struct Reader<'a> {
    text: &'a str,
    file: &'a str,
}

impl Reader<'_> {
    fn line(&self, item: &Item) -> usize {
        item.span()
            .or_else(|| item.as_value().and_then(Value::span))
            .map_or(1, |s| line_of(self.text, s.start))
    }

    /// An array of PEP 508 strings; `{include-group = ...}` entries skipped.
    fn pep508_array(&self, item: &Item, what: &str) -> Result<Vec<Requirement>> {
        let array = item.as_array().ok_or_else(|| {
            Error::input(
                self.file,
                Some(self.line(item)),
                format!("`{what}` must be an array of requirement strings"),
                format!("write it as {what} = [\"flask>=3\", \"gunicorn\"]"),
            )
        })?;
        let mut out = Vec::new();
        for value in array.iter() {
            let line = value.span().map_or(1, |s| line_of(self.text, s.start));
            if value.is_inline_table() {
                continue;
            }
            let spec = value.as_str().ok_or_else(|| {
                Error::input(
                    self.file,
                    Some(line),
                    format!("`{what}`: expected a requirement string"),
                    "write each requirement in double quotes, such as \"flask>=3\"",
                )
            })?;
            let req = parse_pep508(self.file, line, spec).ok_or_else(|| {
                Error::input(
                    self.file,
                    Some(line),
                    format!("`{spec}` in `{what}`: expected a PEP 508 requirement"),
                    "write a name, optional [extras], a version and optional ; markers, such as \"flask>=3\" or \"uvicorn[standard]; python_version >= '3.10'\"",
                )
            })?;
            out.push(req);
        }
        Ok(out)
    }

    /// A Poetry or Pipfile entry: `name = "^1.0"` or `name = {version = ..., extras = [...]}`.
    fn table_dependency(&self, name: &str, value: &Item) -> Requirement {
        let extras = value
            .as_table_like()
            .and_then(|t| t.get("extras"))
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let marker = value
            .as_table_like()
            .and_then(|t| t.get("markers").or_else(|| t.get("sys_platform")))
            .and_then(Item::as_str)
            .map(str::to_string);
        Requirement {
            name: normalize(name),
            extras,
            marker,
            editable: false,
            local_path: None,
            url: None,
            file: self.file.to_string(),
            line: self.line(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep621_groups_and_lines() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "pyproject.toml",
            "[project]\nname = \"My_App\"\ndependencies = [\n  \"fastapi>=0.115\",\n  \"uvicorn[standard]; sys_platform != 'win32'\",\n]\n\n[project.optional-dependencies]\nml = [\"torch\"]\n\n[dependency-groups]\ndev = [\"pytest\", {include-group = \"lint\"}]\nlint = [\"ruff\"]\n\n[tool.uv]\npackage = false\n",
        )]);
        let d = read_pyproject(&repo, "").unwrap().unwrap();
        assert_eq!(d.name.as_deref(), Some("my-app"));
        let names: Vec<_> = d
            .dependencies
            .iter()
            .map(|r| (r.name.as_str(), r.line))
            .collect();
        assert_eq!(names, [("fastapi", 4), ("uvicorn", 5)]);
        assert_eq!(d.dependencies[1].extras, ["standard"]);
        assert_eq!(d.optional["ml"][0].name, "torch");
        assert_eq!(
            d.groups["dev"].len(),
            1,
            "include-group entries are not packages"
        );
        assert!(d.has_tool_uv && !d.packaged);
    }

    #[test]
    fn reads_poetry_tables() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "pyproject.toml",
            "[tool.poetry]\nname = \"svc\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nDjango = \"^5.1\"\ncelery = {version = \"^5.4\", extras = [\"redis\"]}\n\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n\n[build-system]\nrequires = [\"poetry-core\"]\n",
        )]);
        let d = read_pyproject(&repo, "").unwrap().unwrap();
        assert_eq!(d.poetry_python, Some((">=3.11,<4".to_string(), 5)));
        assert_eq!(d.dependencies[0].name, "django");
        assert_eq!(d.dependencies[0].line, 6);
        assert_eq!(d.dependencies[1].extras, ["redis"]);
        assert_eq!(d.groups["dev"][0].name, "pytest");
        assert!(d.has_tool_poetry && d.packaged);
    }

    #[test]
    fn bad_input_names_file_and_line() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\n  \"fastapi >= \",\n]\n",
        )]);
        let e = read_pyproject(&repo, "").unwrap_err().to_string();
        assert!(e.contains("pyproject.toml:4"), "{e}");
        assert!(e.contains("PEP 508"), "{e}");
        let (_d, repo) = crate::repo::temp_repo(&[("pyproject.toml", "[project\n")]);
        let e = read_pyproject(&repo, "").unwrap_err().to_string();
        assert!(
            e.contains("pyproject.toml:1") && e.contains("not valid TOML"),
            "{e}"
        );
    }

    #[test]
    fn lock_files_list_every_package() {
        let (_d, repo) = crate::repo::temp_repo(&[(
            "uv.lock",
            "version = 1\n\n[[package]]\nname = \"Torch\"\nversion = \"2.5.1\"\n\n[[package]]\nname = \"nvidia-cudnn-cu12\"\nversion = \"9.1\"\n",
        )]);
        assert_eq!(
            locked_packages(&repo, Manager::Uv).unwrap(),
            ["nvidia-cudnn-cu12", "torch"]
        );
        let (_d, repo) = crate::repo::temp_repo(&[(
            "Pipfile.lock",
            "{\"default\": {\"Flask\": {}}, \"develop\": {\"pytest\": {}}}",
        )]);
        assert_eq!(
            locked_packages(&repo, Manager::Pipenv).unwrap(),
            ["flask", "pytest"]
        );
    }

    #[test]
    fn poetry_constraints_become_ranges() {
        assert_eq!(poetry_constraint("^3.11").as_deref(), Some(">=3.11,<4"));
        assert_eq!(poetry_constraint("~3.11").as_deref(), Some(">=3.11,<3.12"));
        assert_eq!(
            poetry_constraint(">=3.10,<3.13").as_deref(),
            Some(">=3.10,<3.13")
        );
        assert_eq!(poetry_constraint("*"), None);
    }
}
