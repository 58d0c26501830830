//! The repository's choices: `dockslim.yaml`, `[tool.dockslim]` in
//! pyproject.toml, and `--set key=value` on the command line (which wins).
//! A bad key or value is an error naming it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_norway::{Mapping, Value};

use crate::error::{Error, Result};
use crate::repo::Repo;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Profile name (`dockslim profiles` lists them).
    pub profile: Option<String>,
    /// Python version, such as "3.12".
    pub python: Option<String>,
    /// The port the app listens on.
    pub port: Option<u16>,
    /// The server command, as a list of words or one shell-like string.
    pub command: Option<CommandSetting>,
    /// The health route to probe ("/healthz"), or "none" for no HEALTHCHECK.
    pub health: Option<String>,
    pub user: Option<UserSetting>,
    /// A registry prefix for every base image (a mirror or internal registry).
    pub registry: Option<String>,
    /// Per-image overrides: public name -> the name to use.
    #[serde(default)]
    pub images: BTreeMap<String, String>,
    /// Rule ids to leave out of reports.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Only these rules' fixes edit the Dockerfile (all fixes when empty).
    #[serde(default)]
    pub fixes: Vec<String>,
    /// These rules' fixes are never applied; their findings stay.
    #[serde(default)]
    pub skip_fixes: Vec<String>,
    /// `false`: only fixes that cannot change what the image does.
    pub unsafe_fixes: Option<bool>,
    /// Whether to emit BuildKit cache mounts (false for the classic builder).
    pub cache_mounts: Option<bool>,
    /// Worker processes (WEB_CONCURRENCY).
    pub workers: Option<u32>,
    /// Optional extras of the project the image installs (uv, Poetry).
    #[serde(default)]
    pub extras: Vec<String>,
    /// Dependency groups the image installs besides the main dependencies
    /// (uv, Poetry); development groups are never installed otherwise.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The workspace member the image is for: a uv workspace's, or an npm,
    /// Yarn or pnpm workspace's (by package name or folder).
    pub package: Option<String>,
    /// Which PyTorch build to install: `cpu` (the default when nothing in
    /// the repository uses a GPU) or `cuda`.
    pub torch: Option<TorchBuild>,
    /// Node version line for Node builds, such as "22".
    pub node: Option<String>,
    /// Where a Python repository's static frontend goes: `backend` (built
    /// in a Node stage, its files copied into the Python image) or
    /// `separate` (its own Dockerfile). Decided from evidence when unset.
    pub frontend: Option<FrontendPlacement>,
    /// The separate frontend Dockerfile's path (default Dockerfile.frontend).
    pub frontend_dockerfile: Option<String>,
    /// The stage of the existing Dockerfile that is the image you ship
    /// (`docker build --target`), when it is not the last one.
    pub target: Option<String>,
    /// Files or folders the image keeps whatever the evidence says: the
    /// proposed .dockerignore never leaves them out.
    #[serde(default)]
    pub keep: Vec<String>,
    /// Files or folders the proposed .dockerignore leaves out whatever the
    /// evidence says (unless the Dockerfile copies them by name).
    #[serde(default)]
    pub drop: Vec<String>,
    /// Folders the app writes that its code does not show (a path built at
    /// run time): the image makes them and gives them to the app user.
    #[serde(default)]
    pub writable: Vec<String>,
    /// System packages the app needs at run time (a program it runs in a
    /// way its code does not show): DS315 leaves them in the install, and a
    /// generated image installs them.
    #[serde(default)]
    pub packages: Vec<String>,
    /// `verify` fails (exit 1) when the proposed image is larger.
    pub max_size: Option<crate::units::ByteSize>,
    /// Likewise for its size compressed as a registry stores it.
    pub max_compressed_size: Option<crate::units::ByteSize>,
    /// Budgets per image, by the Dockerfile that builds it (its path in
    /// the repository): `verify --dockerfile docker/backend/Dockerfile`
    /// keeps to `budgets: {docker/backend/Dockerfile: {max-size: 400MB}}`
    /// before `max-size`.
    #[serde(default)]
    pub budgets: BTreeMap<String, Budgets>,
    /// Stages a generated Dockerfile has beside the production one
    /// (`docker build --target development`); production stays the last
    /// stage, the one `docker build .` builds.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// A stage of a generated Dockerfile besides production, which is always
/// there (and last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Development dependencies and a reloading server, the source
    /// expected as a bind mount.
    Development,
}

impl Target {
    /// The stage's name, which `--target` takes.
    pub fn stage(self) -> &'static str {
        match self {
            Target::Development => "development",
        }
    }
}

impl Config {
    /// Whether the generated Dockerfile gets a development stage.
    pub fn wants(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }
}

/// The size budgets of one image.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Budgets {
    pub max_size: Option<crate::units::ByteSize>,
    pub max_compressed_size: Option<crate::units::ByteSize>,
}

impl Config {
    /// The budgets of the image `dockerfile` builds (a path as the report
    /// shows it): its own entry in `budgets` first, then `max-size`.
    pub fn budgets_for(&self, dockerfile: &str) -> Budgets {
        let own = self
            .budgets
            .iter()
            .find(|(path, _)| repo_path(path) == repo_path(dockerfile))
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        Budgets {
            max_size: own.max_size.or(self.max_size),
            max_compressed_size: own.max_compressed_size.or(self.max_compressed_size),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontendPlacement {
    Backend,
    Separate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TorchBuild {
    Cpu,
    Cuda,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CommandSetting {
    Words(Vec<String>),
    Line(String),
}

impl CommandSetting {
    pub fn words(&self) -> Vec<String> {
        match self {
            CommandSetting::Words(w) => w.clone(),
            CommandSetting::Line(l) => shlex::split(l)
                .unwrap_or_else(|| l.split_whitespace().map(str::to_string).collect()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserSetting {
    pub name: Option<String>,
    pub uid: Option<u32>,
}

impl Config {
    /// Settings that mean nothing for the project's stack, by name: a
    /// setting that is silently ignored is a setting the user thinks holds.
    pub fn foreign_to(&self, stack: crate::detect::Stack) -> Vec<&'static str> {
        let python_only = [
            ("python", self.python.is_some()),
            ("workers", self.workers.is_some()),
            ("extras", !self.extras.is_empty()),
            ("groups", !self.groups.is_empty()),
            ("torch", self.torch.is_some()),
            ("frontend", self.frontend.is_some()),
            ("frontend-dockerfile", self.frontend_dockerfile.is_some()),
            ("keep", !self.keep.is_empty()),
            ("drop", !self.drop.is_empty()),
        ];
        let node_only = [("node", self.node.is_some())];
        let list: &[(&'static str, bool)] = match stack {
            crate::detect::Stack::Node => &python_only,
            crate::detect::Stack::Python => &node_only,
        };
        list.iter()
            .filter(|(_, set)| *set)
            .map(|(k, _)| *k)
            .collect()
    }

    /// Settings that shape only the files `init` writes from the
    /// templates; an existing Dockerfile keeps its own choice of them.
    pub fn generated_only(&self) -> Vec<&'static str> {
        [
            ("python", self.python.is_some()),
            ("registry", self.registry.is_some()),
            ("images", !self.images.is_empty()),
            ("workers", self.workers.is_some()),
            ("cache-mounts", self.cache_mounts.is_some()),
            ("command", self.command.is_some()),
            ("node", self.node.is_some()),
            ("frontend", self.frontend.is_some()),
            ("frontend-dockerfile", self.frontend_dockerfile.is_some()),
            // A user's Dockerfile is edited, never given new stages.
            ("targets", !self.targets.is_empty()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| k)
        .collect()
    }
}

/// Where the configuration came from, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Loaded {
    pub config: Config,
    pub sources: Vec<String>,
}

/// Reads dockslim.yaml or [tool.dockslim], then applies `--set` pairs.
pub fn load(repo: &Repo, sets: &[String]) -> Result<Loaded> {
    let mut sources = Vec::new();
    let mut value = Value::Mapping(Mapping::new());
    for name in ["dockslim.yaml", "dockslim.yml", ".dockslim.yaml"] {
        if let Some(text) = repo.read_text(name)? {
            if crate::repo::read::yaml_too_deep(&text) {
                return Err(Error::input(
                    name,
                    None,
                    format!(
                        "nests `[` or `{{` more than {} levels deep",
                        crate::repo::read::MAX_YAML_NESTING
                    ),
                    "a configuration needs a few levels: write it as the README's Pinning choices section shows",
                ));
            }
            let file_value: Value = serde_norway::from_str(&text).map_err(|e| {
                // The location goes before the message, not after it.
                let text = e.to_string();
                let message = text.split(" at line ").next().unwrap_or(&text);
                let message = format!("is not valid YAML: {message}");
                match e.location() {
                    Some(at) => Error::input_at(name, at.line(), at.column(), message, YAML_HINT),
                    None => Error::input(name, None, message, YAML_HINT),
                }
            })?;
            if !file_value.is_null() {
                check(&file_value, name, Some(&text))?;
                check_paths(repo, &file_value, name, Some(&text))?;
                value = file_value;
            }
            sources.push(name.to_string());
            break;
        }
    }
    if sources.is_empty() {
        if let Some(text) = repo.read_text("pyproject.toml")? {
            let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
                crate::detect::pyproject::toml_error("pyproject.toml", &text, &e)
            })?;
            if let Some(table) = doc.get("tool").and_then(|t| t.get("dockslim")) {
                let json = toml_to_yaml(table);
                check(&json, "pyproject.toml [tool.dockslim]", None)?;
                check_paths(repo, &json, "pyproject.toml", Some(&text))?;
                value = json;
                sources.push("pyproject.toml [tool.dockslim]".into());
            }
        }
    }
    for set in sets {
        let (key, raw) = set.split_once('=').ok_or_else(|| {
            Error::usage(
                format!("--set {set}: expected key=value"),
                format!("write it as --set {set}=VALUE, such as --set port=8080"),
            )
        })?;
        let parsed: Value = if key == "command"
            || key == "python"
            || key == "health"
            || key.starts_with("image.")
            || key == "registry"
            || key == "profile"
            || key == "user.name"
            || key == "package"
            || key == "torch"
            || key == "node"
            || key == "frontend"
            || key == "frontend-dockerfile"
            || key == "target"
        {
            Value::String(raw.to_string())
        } else if matches!(
            key,
            "ignore"
                | "extras"
                | "groups"
                | "fixes"
                | "skip-fixes"
                | "keep"
                | "drop"
                | "writable"
                | "packages"
                | "targets"
        ) {
            Value::Sequence(
                raw.split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            )
        } else {
            serde_norway::from_str(raw).unwrap_or(Value::String(raw.to_string()))
        };
        let path: Vec<String> = match key.strip_prefix("image.") {
            Some(image) => vec!["images".into(), image.into()],
            None => key.split('.').map(str::to_string).collect(),
        };
        let mut nested = parsed;
        for part in path.iter().rev() {
            let mut m = Mapping::new();
            m.insert(Value::String(part.clone()), nested);
            nested = Value::Mapping(m);
        }
        check(&nested, &format!("--set {set}"), None)?;
        check_paths(repo, &nested, &format!("--set {set}"), None)?;
        crate::profile::merge(&mut value, nested);
        sources.push(format!("--set {set}"));
    }
    let mut config: Config = serde_norway::from_value(value).map_err(|e| {
        Error::usage(
            format!(
                "configuration: {}",
                crate::error::plain_serde(&e.to_string())
            ),
            "the README's Pinning choices section shows each key with an example",
        )
    })?;
    for paths in [&mut config.keep, &mut config.drop] {
        *paths = paths.iter().map(|p| repo_path(p).to_string()).collect();
    }
    if let Some(both) = config.keep.iter().find(|k| config.drop.contains(k)) {
        return Err(Error::usage(
            format!("`{both}` is in both keep and drop ({})", sources.join(", ")),
            format!(
                "remove `{both}` from the list you do not mean: keep ships it, drop leaves it out"
            ),
        ));
    }
    Ok(Loaded { config, sources })
}

const YAML_HINT: &str =
    "YAML wants `key: value` pairs, lists as `- item` lines, and text with `: ` or `#` in quotes";

/// Deserialises `value` alone, so an error names the file or flag it came
/// from, and, given the file's `text`, the line of the key: an unknown key
/// gets the closest known one as a "did you mean".
fn check(value: &Value, shown: &str, text: Option<&str>) -> Result<()> {
    let Err(e) = serde_norway::from_value::<Config>(value.clone()) else {
        return Ok(());
    };
    let message = e.to_string();
    let (key, problem, hint) =
        match unknown_field(&message) {
            Some((key, known)) => {
                let hint =
                    crate::error::did_you_mean(&key, known.iter().map(String::as_str), "keys");
                (key.clone(), format!("unknown key `{key}`"), hint)
            }
            None if unknown_variant(&message).is_some() => {
                // A value that is not one of the choices (`targets:
                // [developmnet]`): name it, on its own line, with the closest.
                let (wanted, known) = unknown_variant(&message).unwrap_or_default();
                let key = failing_key(value);
                let hint =
                    crate::error::did_you_mean(&wanted, known.iter().map(String::as_str), "values");
                let line = text
                    .and_then(|t| line_of_value(t, &key, &wanted).or_else(|| line_of_key(t, &key)));
                let problem = format!("{key}: unknown value `{wanted}`");
                return Err(match line {
                    Some(line) => {
                        let column = text
                            .and_then(|t| t.lines().nth(line - 1))
                            .and_then(|l| l.find(wanted.as_str()))
                            .map_or(1, |c| c + 1);
                        Error::input_at(shown, line, column, problem, hint)
                    }
                    None => Error::input(shown, None, problem, hint),
                });
            }
            None => {
                // serde does not name the key whose value is wrong: the first
                // key that fails alone is it.
                let key = failing_key(value);
                let plain = crate::error::plain_serde(&message);
                (
                key.clone(),
                if key.is_empty() { plain } else { format!("{key}: {plain}") },
                "the README's Pinning choices section shows each key with an example of its value"
                    .to_string(),
            )
            }
        };
    let line = text.and_then(|t| line_of_key(t, &key));
    let column = line.and_then(|l| {
        let at = text?.lines().nth(l - 1)?;
        Some(at.len() - at.trim_start().len() + 1)
    });
    Err(match (line, column) {
        (Some(line), Some(column)) => Error::input_at(shown, line, column, problem, hint),
        _ => Error::input(shown, line, problem, hint),
    })
}

/// serde does not name the key whose value is wrong: the first key that
/// fails alone is it.
fn failing_key(value: &Value) -> String {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .find(|(k, v)| {
            let mut alone = Mapping::new();
            alone.insert((*k).clone(), (*v).clone());
            serde_norway::from_value::<Config>(Value::Mapping(alone)).is_err()
        })
        .and_then(|(k, _)| k.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The value and the known values of serde's "unknown variant `developmnet`,
/// expected `development`" (or "expected one of `a`, `b`").
fn unknown_variant(message: &str) -> Option<(String, Vec<String>)> {
    unknown_of(message, "unknown variant `")
}

/// The key and the known keys of serde's "unknown field `prot`, expected
/// one of `port`, `profile`, ...".
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    unknown_of(message, "unknown field `")
}

/// The name after `opening` in serde's message, and the back-quoted
/// names of what it expected.
fn unknown_of(message: &str, opening: &str) -> Option<(String, Vec<String>)> {
    let rest = message.split(opening).nth(1)?;
    let (name, rest) = rest.split_once('`')?;
    let known = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((name.to_string(), known))
}

/// The 1-based line where `key:` is written in a YAML `text`.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// `keep` and `drop` take paths of the repository (a file or a folder,
/// relative to its root), not patterns: an error names the value, the
/// file and line it is on, and an existing path it may have meant.
fn check_paths(repo: &Repo, value: &Value, shown: &str, text: Option<&str>) -> Result<()> {
    for key in ["keep", "drop"] {
        let Some(list) = value.get(key).and_then(Value::as_sequence) else {
            continue;
        };
        for item in list.iter().filter_map(Value::as_str) {
            let Some(problem) = path_problem(repo, item) else {
                continue;
            };
            let line = text.and_then(|t| line_of_value(t, key, item));
            return Err(Error::input(
                shown,
                line,
                format!("{key}: {problem}"),
                "`keep` and `drop` take paths of the repository, relative to its root (a file or a folder, not a pattern)",
            ));
        }
    }
    // A budget for a Dockerfile that is not there would never apply.
    let budgeted = value.get("budgets").and_then(Value::as_mapping);
    for path in budgeted
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.as_str())
    {
        if let Some(problem) = path_problem(repo, path) {
            let line = text.and_then(|t| line_of_key(t, path));
            return Err(Error::input(
                shown,
                line,
                format!("budgets: {problem}"),
                "`budgets` is keyed by the path of the Dockerfile that builds the image, such as docker/backend/Dockerfile",
            ));
        }
    }
    Ok(())
}

/// A `keep` or `drop` value as a repository path: `./tests/` is `tests`.
fn repo_path(item: &str) -> &str {
    item.trim().trim_start_matches("./").trim_end_matches('/')
}

/// What is wrong with a `keep` or `drop` path, if anything.
fn path_problem(repo: &Repo, item: &str) -> Option<String> {
    let path = repo_path(item);
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|p| p == "..") {
        return Some(format!(
            "`{item}` is not a path inside the repository; give it relative to the root, such as `tests`"
        ));
    }
    if path.contains(['*', '?', '[']) {
        return Some(format!(
            "`{item}` is a pattern; keep and drop take a file or folder of the repository, such as `tests` or `data/index.db`"
        ));
    }
    if repo.exists(path) || repo.has_dir(path) {
        return None;
    }
    let hint = closest_path(repo, path)
        .map(|p| format!("; did you mean `{p}`?"))
        .unwrap_or_default();
    Some(format!(
        "`{item}` is not a file or folder of the repository{hint}"
    ))
}

/// The existing path nearest to a mistyped one (as many parts, a few
/// letters apart).
fn closest_path(repo: &Repo, wanted: &str) -> Option<String> {
    let depth = wanted.split('/').count();
    let mut paths: Vec<&str> = repo
        .own_files()
        .flat_map(|f| {
            let parts: Vec<&str> = f.path.split('/').collect();
            (depth <= parts.len()).then(|| {
                let end = parts[..depth].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
                &f.path[..end]
            })
        })
        .collect();
    paths.dedup();
    let limit = (wanted.len() / 3).max(1);
    paths
        .into_iter()
        .map(|p| (edit_distance(p, wanted), p))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, p)| p.to_string())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The line of a list item under `key` in a YAML or TOML text.
fn line_of_value(text: &str, key: &str, item: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| {
        let l = l.trim_start();
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
    })?;
    (start..lines.len())
        .find(|&i| lines[i].contains(item))
        .map(|i| i + 1)
}

fn toml_to_yaml(item: &toml_edit::Item) -> Value {
    use toml_edit::Item;
    match item {
        Item::None => Value::Null,
        Item::Value(v) => toml_value(v),
        Item::Table(t) => Value::Mapping(
            t.iter()
                .map(|(k, v)| (Value::String(k.to_string()), toml_to_yaml(v)))
                .collect(),
        ),
        Item::ArrayOfTables(a) => Value::Sequence(
            a.iter()
                .map(|t| toml_to_yaml(&Item::Table(t.clone())))
                .collect(),
        ),
    }
}

fn toml_value(v: &toml_edit::Value) -> Value {
    use toml_edit::Value as V;
    match v {
        V::String(s) => Value::String(s.value().clone()),
        V::Integer(i) => Value::Number((*i.value()).into()),
        V::Float(f) => Value::Number((*f.value()).into()),
        V::Boolean(b) => Value::Bool(*b.value()),
        V::Datetime(d) => Value::String(d.value().to_string()),
        V::Array(a) => Value::Sequence(a.iter().map(toml_value).collect()),
        V::InlineTable(t) => Value::Mapping(
            t.iter()
                .map(|(k, v)| (Value::String(k.to_string()), toml_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::repo::temp_repo as repo;

    #[test]
    fn yaml_then_set_overrides() {
        let (_d, r) = repo(&[("dockslim.yaml", "port: 8080\nuser:\n  name: web\nimages:\n  python:3.12-slim-trixie: mirror/python:3.12\n")]);
        let loaded = load(
            &r,
            &[
                "user.uid=2000".into(),
                "port=9000".into(),
                "health=none".into(),
            ],
        )
        .unwrap();
        let c = loaded.config;
        assert_eq!(c.port, Some(9000));
        assert_eq!(c.user.as_ref().unwrap().name.as_deref(), Some("web"));
        assert_eq!(c.user.as_ref().unwrap().uid, Some(2000));
        assert_eq!(c.health.as_deref(), Some("none"));
        assert_eq!(c.images["python:3.12-slim-trixie"], "mirror/python:3.12");
    }

    #[test]
    fn pyproject_tool_table() {
        let (_d, r) = repo(&[("pyproject.toml", "[project]\nname = 'x'\n[tool.dockslim]\npython = '3.11'\ncommand = ['gunicorn', 'x:app']\n[tool.dockslim.user]\nuid = 4242\n")]);
        let c = load(&r, &[]).unwrap().config;
        assert_eq!(c.python.as_deref(), Some("3.11"));
        assert_eq!(c.command.unwrap().words(), ["gunicorn", "x:app"]);
        assert_eq!(c.user.unwrap().uid, Some(4242));
    }

    #[test]
    fn keep_and_drop_take_paths_of_the_repository() {
        let files = [
            ("tests/fixtures/a.json", "[]"),
            ("data/index.db", "x"),
            (
                "dockslim.yaml",
                "port: 8000\nkeep:\n  - data/index.db\n  - tset/fixtures\n",
            ),
        ];
        let (_d, r) = repo(&files);
        let err = load(&r, &[]).unwrap_err().to_string();
        assert_eq!(
            err,
            "dockslim.yaml:4: keep: `tset/fixtures` is not a file or folder of the repository; did you mean `tests/fixtures`?"
        );

        let (_d, r) = repo(&files[..2]);
        let err = load(&r, &["drop=data/*.db".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--set drop=data/*.db: drop: `data/*.db` is a pattern"),
            "{err}"
        );
        let err = load(&r, &["drop=../elsewhere".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a path inside the repository"), "{err}");
        let err = load(&r, &["drop=tests".into(), "keep=tests/".into()])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("`tests` is in both keep and drop"), "{err}");

        let c = load(&r, &["drop=tests,data/index.db".into()])
            .unwrap()
            .config;
        assert_eq!(c.drop, ["tests", "data/index.db"]);
    }

    #[test]
    fn bad_keys_and_values_are_named() {
        let (_d, r) = repo(&[("dockslim.yaml", "prot: 8080\n")]);
        let err = load(&r, &[]).unwrap_err().to_string();
        assert!(
            err.starts_with("dockslim.yaml:1:1: unknown key `prot`"),
            "{err}"
        );
        let (_d, r) = repo(&[]);
        let err = load(&r, &["port=eighty".into()]).unwrap_err().to_string();
        assert!(
            err.starts_with("--set port=eighty: port: invalid type"),
            "{err}"
        );
        let err = load(&r, &["nonsense".into()]).unwrap_err().to_string();
        assert!(err.contains("expected key=value"), "{err}");
    }

    #[test]
    fn targets_are_typed_and_a_misspelt_one_is_named_on_its_line() {
        let (_d, r) = repo(&[("dockslim.yaml", "port: 8000\ntargets: [development]\n")]);
        let c = load(&r, &[]).unwrap().config;
        assert!(c.wants(Target::Development));
        assert_eq!(c.generated_only(), ["targets"]);
        let (_d, r) = repo(&[]);
        let c = load(&r, &["targets=development".into()]).unwrap().config;
        assert_eq!(c.targets, [Target::Development]);
        assert!(!Config::default().wants(Target::Development));

        let (_d, r) = repo(&[("dockslim.yaml", "port: 8000\ntargets:\n  - developmnet\n")]);
        let err = load(&r, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dockslim.yaml:3:5: targets: unknown value `developmnet`"
        );
        assert_eq!(err.hint().as_deref(), Some("did you mean `development`?"));
        let (_d, r) = repo(&[]);
        let err = load(&r, &["targets=staging".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--set targets=staging: targets: unknown value `staging`"
        );
        assert_eq!(err.hint().as_deref(), Some("the values are: development"));
    }

    #[test]
    fn an_image_keeps_to_its_own_budget_before_the_repository_one() {
        let (_d, r) = repo(&[
            ("docker/backend/Dockerfile", "FROM python:3.12-slim\n"),
            (
                "dockslim.yaml",
                "max-size: 900MB\nbudgets:\n  docker/backend/Dockerfile:\n    max-size: 400MB\n",
            ),
        ]);
        let config = load(&r, &[]).unwrap().config;
        let backend = config.budgets_for("./docker/backend/Dockerfile");
        assert_eq!(backend.max_size.map(|b| b.0), Some(400_000_000));
        let other = config.budgets_for("Dockerfile");
        assert_eq!(other.max_size.map(|b| b.0), Some(900_000_000));
        let (_d, r) = repo(&[(
            "dockslim.yaml",
            "budgets:\n  docker/mcp/Dockerfile:\n    max-size: 350MB\n",
        )]);
        let err = load(&r, &[]).unwrap_err();
        assert!(
            err.to_string().starts_with("dockslim.yaml:2: budgets:"),
            "{err}"
        );
    }
}
