//! Proposed edits to pyproject.toml for uv and Poetry projects: PyTorch's
//! CPU (or CUDA) index as an explicit source for the torch packages, and
//! development tools moved out of the production dependencies.
//!
//! Edits go through toml_edit's document model, so everything the edit does
//! not touch (comments, key order, quoting, blank lines) stays byte for byte.
//! The lock file must follow, so the report tells the user to re-lock.

use serde::Serialize;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{Decision, Inputs, Topic};
use crate::detect::audit::DEV_TOOLS;
use crate::detect::ml::TORCH_FAMILY;
use crate::detect::requirements::parse_pep508;
use crate::detect::Manager;
use crate::error::Result;

/// The proposed pyproject.toml.
#[derive(Debug, Clone, Serialize)]
pub struct PyprojectEdit {
    /// The file, relative to the repository.
    pub file: String,
    pub new: String,
    /// The command that brings the lock file in line (`uv lock`); None
    /// when the project commits no lock, since its build resolves the
    /// edited file as it is.
    pub relock: Option<String>,
}

/// A wheel index for the torch packages.
struct TorchIndex<'a> {
    name: &'a str,
    url: &'a str,
}

pub fn plan(inputs: &Inputs, decisions: &mut Vec<Decision>) -> Result<Option<PyprojectEdit>> {
    let py = &inputs.project.python;
    if !matches!(py.manager, Manager::Uv | Manager::Poetry) {
        return Ok(None);
    }
    let Some(declared) = &py.declared else {
        return Ok(None);
    };
    let Some(text) = inputs.repo.read_text(&declared.file)? else {
        return Ok(None);
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        crate::detect::pyproject::toml_error(&declared.file, &text, &e)
    })?;
    let lock_command = py.manager.lock_command().unwrap_or_default();
    let relock = py.lock.is_some().then_some(lock_command);
    let mut decide = |topic: Topic,
                      choice: String,
                      reason: String,
                      fixes: Vec<crate::rules::RuleId>| {
        let lock = match relock {
            Some(relock) => format!("run `{relock}` and commit the lock file before building, since the Dockerfile installs with the lock as it is"),
            None => format!("there is no lock file, so the build resolves the edited file as it is; `{lock_command}` pins it (DS406)"),
        };
        decisions.push(Decision {
            file: "pyproject.toml".into(),
            topic,
            choice,
            reason: format!("{reason}; {lock}"),
            fixes,
        })
    };

    // Development tools among the main dependencies.
    let tools: Vec<String> = py
        .requirements
        .requirements
        .iter()
        .filter(|r| r.file == declared.file && r.applies_on_linux())
        .filter(|r| {
            DEV_TOOLS.contains(&r.name.as_str())
                || (r.name == "poetry" && py.manager == Manager::Uv)
        })
        .map(|r| r.name.clone())
        .collect();
    if !tools.is_empty() {
        let moved = match py.manager {
            Manager::Uv => move_to_dev_group_uv(&mut doc, &tools),
            _ => move_to_dev_group_poetry(&mut doc, &tools),
        };
        if !moved.is_empty() {
            let group = match py.manager {
                Manager::Uv => "[dependency-groups] dev",
                _ => "[tool.poetry.group.dev.dependencies]",
            };
            decide(
                Topic::DevelopmentTools,
                format!("{} moved to {group}", moved.join(", ")),
                "they never run in production; the image installs the main dependencies only"
                    .into(),
                inputs.fixes(&[crate::rules::RuleId::DS308]),
            );
        }
    }

    // The torch packages from the CPU index, or CUDA when asked for.
    let ml = &py.ml;
    let torch_profile = inputs.profile.python.as_ref().map(|p| &p.torch);
    if !ml.torch.is_empty() && !ml.cpu_index {
        if let Some(tp) = torch_profile {
            let cuda = ml.wants_cuda();
            let index = if cuda {
                TorchIndex {
                    name: "pytorch-cuda",
                    url: &tp.cuda_index,
                }
            } else {
                TorchIndex {
                    name: "pytorch-cpu",
                    url: &tp.cpu_index,
                }
            };
            let explicit_cuda = cuda && ml.configured.is_some();
            if !cuda || explicit_cuda {
                let added_direct = match py.manager {
                    Manager::Uv => torch_source_uv(&mut doc, &ml.torch, &index),
                    _ => torch_source_poetry(&mut doc, &ml.torch, &index),
                };
                let direct = if added_direct.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} added as a direct dependency, since a source only applies to packages the project names",
                        added_direct.join(", ")
                    )
                };
                decide(
                    Topic::PytorchIndex,
                    format!(
                        "{} from {} ({}, explicit)",
                        ml.torch.join(", "),
                        index.url,
                        index.name
                    ),
                    format!(
                        "{}; explicit means no other package is looked up there{direct}",
                        if cuda {
                            "the configuration asks for CUDA builds".to_string()
                        } else {
                            "nothing in the code asks for a CUDA device without a CPU fallback, so the CPU build serves it at a fraction of the size".to_string()
                        }
                    ),
                    inputs.fixes(&[crate::rules::RuleId::DS305]),
                );
            }
        }
    }

    let new = doc.to_string();
    if new == text {
        return Ok(None);
    }
    Ok(Some(PyprojectEdit {
        file: declared.file.clone(),
        new,
        relock: relock.map(str::to_string),
    }))
}

/// The name a dependency string declares.
fn name_of(value: &Value) -> Option<String> {
    parse_pep508("", 0, value.as_str()?).map(|r| r.name)
}

/// The table at `key` in `parent`, created when missing (implicit, so it
/// gets no header of its own until it holds values); None when the key
/// holds something other than a table.
fn table_at<'a>(parent: &'a mut Table, key: &str) -> Option<&'a mut Table> {
    parent
        .entry(key)
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_mut()
}

/// `[[tool.x.<key>]]` gets `entry` unless one with the same name is there.
fn add_named_table(parent: &mut Table, key: &str, entry: Table) {
    let name = entry.get("name").and_then(Item::as_str).map(str::to_string);
    let Some(list) = parent
        .entry(key)
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
    else {
        return;
    };
    if !list
        .iter()
        .any(|t| t.get("name").and_then(Item::as_str) == name.as_deref())
    {
        list.push(entry);
    }
}

/// The `[[...index]]` or `[[...source]]` entry for the torch wheels; the
/// last key says only the torch packages are looked up there.
fn index_table(index: &TorchIndex, explicit: (&str, Value)) -> Table {
    let mut t = Table::new();
    t.insert("name", value(index.name));
    t.insert("url", value(index.url));
    t.insert(explicit.0, Item::Value(explicit.1));
    t
}

/// Appends a requirement string in the array's own layout (one per line,
/// or inline), with a comment that belongs to it on the line above.
fn push_requirement(array: &mut Array, spec: &str, comment: &str) {
    let multiline = array.is_empty()
        || array
            .get(0)
            .and_then(|v| v.decor().prefix())
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'));
    let indent = "\n    ";
    let prefix = match (comment.is_empty(), multiline) {
        (true, true) => indent.to_string(),
        (true, false) => " ".to_string(),
        (false, _) => format!("{indent}{comment}{indent}"),
    };
    let mut fresh = Value::from(spec);
    fresh.decor_mut().set_prefix(prefix);
    array.push_formatted(fresh);
    if multiline {
        array.set_trailing_comma(true);
        array.set_trailing("\n");
    }
}

/// Moves `tools` from `[project].dependencies` to `[dependency-groups] dev`.
fn move_to_dev_group_uv(doc: &mut DocumentMut, tools: &[String]) -> Vec<String> {
    // The destination first: nothing is removed unless it can be put back.
    let Some(groups) = table_at(doc.as_table_mut(), "dependency-groups") else {
        return Vec::new();
    };
    let dev_is_array = groups
        .entry("dev")
        .or_insert_with(|| Item::Value(Value::Array(Array::new())))
        .is_array();
    let Some(deps) = doc
        .get_mut("project")
        .and_then(|p| p.get_mut("dependencies"))
        .and_then(Item::as_array_mut)
        .filter(|_| dev_is_array)
    else {
        return Vec::new();
    };
    let mut moved = Vec::new();
    let mut i = 0;
    while i < deps.len() {
        let spec = deps
            .get(i)
            .filter(|v| name_of(v).is_some_and(|n| tools.contains(&n)))
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(spec) = spec else {
            i += 1;
            continue;
        };
        let last = i + 1 == deps.len();
        deps.remove(i);
        // A comment after the last item belongs to it: it moves along.
        let mut comment = String::new();
        let trailing = deps.trailing().as_str().unwrap_or("").to_string();
        if last && trailing.contains('#') {
            comment = trailing.trim().to_string();
            deps.set_trailing("\n");
        }
        moved.push((spec, comment));
    }
    let Some(dev) = doc
        .get_mut("dependency-groups")
        .and_then(|g| g.get_mut("dev"))
        .and_then(Item::as_array_mut)
    else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for (spec, comment) in moved {
        push_requirement(dev, &spec, &comment);
        names.push(parse_pep508("", 0, &spec).map_or(spec, |r| r.name));
    }
    if names.is_empty() {
        // Nothing moved: leave no empty group behind.
        if let Some(groups) = doc
            .get_mut("dependency-groups")
            .and_then(Item::as_table_mut)
        {
            if groups
                .get("dev")
                .and_then(Item::as_array)
                .is_some_and(Array::is_empty)
            {
                groups.remove("dev");
            }
        }
    }
    names
}

/// Moves `tools` from `[tool.poetry.dependencies]` to the dev group.
fn move_to_dev_group_poetry(doc: &mut DocumentMut, tools: &[String]) -> Vec<String> {
    let Some(poetry) = doc
        .get_mut("tool")
        .and_then(|t| t.get_mut("poetry"))
        .and_then(Item::as_table_mut)
    else {
        return Vec::new();
    };
    let keys: Vec<String> = poetry
        .get("dependencies")
        .and_then(Item::as_table_like)
        .map(|deps| {
            deps.iter()
                .map(|(k, _)| k.to_string())
                .filter(|k| tools.contains(&crate::detect::requirements::normalize(k)))
                .collect()
        })
        .unwrap_or_default();
    let mut moved = Vec::new();
    if let Some(deps) = poetry.get_mut("dependencies").and_then(Item::as_table_mut) {
        for key in &keys {
            let k = deps.key(key).cloned();
            if let (Some(k), Some(item)) = (k, deps.remove(key)) {
                moved.push((k, item));
            }
        }
    }
    // `group` and `group.dev` are tables in any Poetry project that parses,
    // so the destination exists whenever something was removed.
    let dev_deps = table_at(poetry, "group")
        .and_then(|g| table_at(g, "dev"))
        .and_then(|d| table_at(d, "dependencies"));
    let Some(dev_deps) = dev_deps else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for (key, item) in moved {
        names.push(key.get().to_string());
        dev_deps.insert_formatted(&key, item);
    }
    names
}

/// `[[tool.uv.index]]` for the torch build and `[tool.uv.sources]` entries
/// pointing the torch packages at it. Returns packages added as direct
/// dependencies (uv applies sources to direct dependencies only).
fn torch_source_uv(doc: &mut DocumentMut, torch: &[String], index: &TorchIndex) -> Vec<String> {
    let mut added = Vec::new();
    if let Some(deps) = doc
        .get_mut("project")
        .and_then(|p| p.get_mut("dependencies"))
        .and_then(Item::as_array_mut)
    {
        // torch itself is what carries the CUDA libraries; the others only
        // matter when the project names them.
        if !deps.iter().filter_map(name_of).any(|n| n == "torch") {
            push_requirement(deps, "torch", "");
            added.push("torch".to_string());
        }
    }
    let Some(uv) = table_at(doc.as_table_mut(), "tool").and_then(|t| table_at(t, "uv")) else {
        return added;
    };
    add_named_table(
        uv,
        "index",
        index_table(index, ("explicit", Value::from(true))),
    );
    if let Some(sources) = table_at(uv, "sources") {
        for package in TORCH_FAMILY
            .iter()
            .filter(|p| **p == "torch" || torch.iter().any(|t| t == *p))
        {
            let mut source = InlineTable::new();
            source.insert("index", Value::from(index.name));
            sources.insert(package, Item::Value(Value::InlineTable(source)));
        }
    }
    added
}

/// `[[tool.poetry.source]]` with priority explicit, and the torch packages
/// in `[tool.poetry.dependencies]` pointed at it. Returns packages added as
/// direct dependencies (a source applies to declared packages only).
fn torch_source_poetry(doc: &mut DocumentMut, torch: &[String], index: &TorchIndex) -> Vec<String> {
    // Poetry 2 projects may declare in [project].dependencies; the
    // [tool.poetry.dependencies] entry then only names the source.
    let in_pep621: Vec<String> = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(name_of).collect())
        .unwrap_or_default();
    let mut added = Vec::new();
    let Some(poetry) = doc
        .get_mut("tool")
        .and_then(|t| t.get_mut("poetry"))
        .and_then(Item::as_table_mut)
    else {
        return added;
    };
    add_named_table(
        poetry,
        "source",
        index_table(index, ("priority", Value::from("explicit"))),
    );
    let Some(deps) = table_at(poetry, "dependencies") else {
        return added;
    };
    for package in TORCH_FAMILY
        .iter()
        .filter(|p| **p == "torch" || torch.iter().any(|t| t == *p))
    {
        let key = deps
            .iter()
            .map(|(k, _)| k.to_string())
            .find(|k| crate::detect::requirements::normalize(k) == *package);
        let mut spec = InlineTable::new();
        match key.as_deref().and_then(|k| deps.get(k)) {
            Some(item) => {
                if let Some(version) = item.as_str() {
                    spec.insert("version", Value::from(version));
                } else if let Some(table) = item.as_inline_table() {
                    spec = table.clone();
                }
            }
            None if in_pep621.iter().any(|n| n == package) => {}
            None => {
                spec.insert("version", Value::from("*"));
                added.push(package.to_string());
            }
        }
        spec.insert("source", Value::from(index.name));
        let key = key.unwrap_or_else(|| package.to_string());
        let mut new_value = Value::InlineTable(spec);
        if let Some(old) = deps.get(&key).and_then(Item::as_value) {
            *new_value.decor_mut() = old.decor().clone();
        }
        deps.insert(&key, Item::Value(new_value));
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::pyproject::read_pyproject;

    const UV: &str = r#"[project]
name = "api"
version = "0.1.0"
# Runtime dependencies.
dependencies = [
    "fastapi>=0.115",   # the web framework
    "sentence-transformers>=3",
    "pytest>=8.3", # added while debugging
]

[dependency-groups]
dev = ["ruff>=0.8"]

[tool.ruff]
line-length = 100  # house style
"#;

    fn reread(text: &str) -> crate::detect::pyproject::Declared {
        let (_dir, repo) = crate::repo::temp_repo(&[("pyproject.toml", text)]);
        read_pyproject(&repo, "").unwrap().unwrap()
    }

    /// Every line of `old` that the edit did not mean to touch is still
    /// there, in order.
    fn untouched_lines_survive(old: &str, new: &str, touched: &[&str]) {
        let mut rest = new.lines();
        for line in old
            .lines()
            .filter(|l| !touched.iter().any(|t| l.contains(t)))
        {
            assert!(
                rest.any(|n| n == line),
                "line `{line}` is gone or out of order in:\n{new}"
            );
        }
    }

    #[test]
    fn uv_dev_tools_move_and_torch_gets_the_cpu_index() {
        let mut doc: DocumentMut = UV.parse().unwrap();
        let moved = move_to_dev_group_uv(&mut doc, &["pytest".to_string()]);
        assert_eq!(moved, ["pytest"]);
        let index = TorchIndex {
            name: "pytorch-cpu",
            url: "https://download.pytorch.org/whl/cpu",
        };
        let added = torch_source_uv(&mut doc, &["torch".to_string()], &index);
        assert_eq!(
            added,
            ["torch"],
            "torch came in through sentence-transformers"
        );
        let new = doc.to_string();
        untouched_lines_survive(
            UV,
            &new,
            &["pytest", "dev = ", "added while debugging", "]"],
        );
        assert!(new.contains("# added while debugging"), "{new}");
        let back = reread(&new);
        let main: Vec<&str> = back.dependencies.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(main, ["fastapi", "sentence-transformers", "torch"]);
        let dev: Vec<&str> = back.groups["dev"].iter().map(|r| r.name.as_str()).collect();
        assert_eq!(dev, ["ruff", "pytest"]);
        let parsed: toml_edit::DocumentMut = new.parse().unwrap();
        assert_eq!(
            parsed["tool"]["uv"]["index"][0]["url"].as_str(),
            Some("https://download.pytorch.org/whl/cpu")
        );
        assert_eq!(
            parsed["tool"]["uv"]["index"][0]["explicit"].as_bool(),
            Some(true)
        );
        assert_eq!(
            parsed["tool"]["uv"]["sources"]["torch"]["index"].as_str(),
            Some("pytorch-cpu")
        );
        // A second run changes nothing.
        let mut again: DocumentMut = new.parse().unwrap();
        assert!(move_to_dev_group_uv(&mut again, &["pytest".to_string()]).is_empty());
        torch_source_uv(&mut again, &["torch".to_string()], &index);
        assert_eq!(again.to_string(), new);
    }

    #[test]
    fn an_inline_dev_group_stays_inline_and_a_strange_one_is_left_alone() {
        let text = "[project]\nname = \"a\"\ndependencies = [\"flask\", \"black\"]\n\n[dependency-groups]\ndev = [\"ruff\"]\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        assert_eq!(
            move_to_dev_group_uv(&mut doc, &["black".to_string()]),
            ["black"]
        );
        let new = doc.to_string();
        assert!(new.contains("dependencies = [\"flask\"]\n"), "{new}");
        assert!(new.contains("dev = [\"ruff\", \"black\"]\n"), "{new}");
        // A dev group that is not an array: nothing is removed from the
        // dependencies, so nothing can be lost.
        let text = "[project]\nname = \"a\"\ndependencies = [\"black\"]\n\n[dependency-groups.dev]\nx = 1\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        assert!(move_to_dev_group_uv(&mut doc, &["black".to_string()]).is_empty());
        assert_eq!(doc.to_string(), text);
    }

    #[test]
    fn poetry_two_with_pep621_dependencies_gets_a_source_only_entry() {
        let text = "[project]\nname = \"a\"\ndependencies = [\"torch>=2.5\"]\n\n[tool.poetry]\npackage-mode = false\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let index = TorchIndex {
            name: "pytorch-cpu",
            url: "https://download.pytorch.org/whl/cpu",
        };
        assert!(torch_source_poetry(&mut doc, &["torch".to_string()], &index).is_empty());
        let new = doc.to_string();
        assert!(
            new.contains("torch = { source = \"pytorch-cpu\" }"),
            "{new}"
        );
        assert!(new.starts_with(text.trim_end()), "{new}");
    }

    const POETRY: &str = r#"[tool.poetry]
name = "shop"

[tool.poetry.dependencies]
python = "^3.12"
flask = "^3.0"
torch = "^2.5"   # inference only
black = "^24.10"     # someone formats in the container

[tool.poetry.group.dev.dependencies]
pytest = "^8.3"
"#;

    #[test]
    fn poetry_dev_tools_move_and_torch_gets_an_explicit_source() {
        let mut doc: DocumentMut = POETRY.parse().unwrap();
        assert_eq!(
            move_to_dev_group_poetry(&mut doc, &["black".to_string()]),
            ["black"]
        );
        let index = TorchIndex {
            name: "pytorch-cpu",
            url: "https://download.pytorch.org/whl/cpu",
        };
        assert!(torch_source_poetry(&mut doc, &["torch".to_string()], &index).is_empty());
        let new = doc.to_string();
        untouched_lines_survive(POETRY, &new, &["black", "torch"]);
        assert!(
            new.contains(
                "torch = { version = \"^2.5\", source = \"pytorch-cpu\" }   # inference only"
            ),
            "{new}"
        );
        assert!(
            new.contains("black = \"^24.10\"     # someone formats in the container"),
            "{new}"
        );
        let back = reread(&new);
        assert!(back.dependencies.iter().all(|r| r.name != "black"));
        let dev: Vec<&str> = back.groups["dev"].iter().map(|r| r.name.as_str()).collect();
        assert_eq!(dev, ["pytest", "black"]);
        let parsed: toml_edit::DocumentMut = new.parse().unwrap();
        assert_eq!(
            parsed["tool"]["poetry"]["source"][0]["priority"].as_str(),
            Some("explicit")
        );
    }
}
