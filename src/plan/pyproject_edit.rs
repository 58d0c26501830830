//! Proposed edits to pyproject.toml for uv and Poetry projects: PyTorch's
//! CPU (or CUDA) index as an explicit source for the torch packages, and
//! development tools moved out of the production dependencies.
//!
//! Edits go through toml_edit's document model, so everything the edit does
//! not touch (comments, key order, quoting, blank lines) stays byte for byte.
//! The lock file must follow, so the report tells the user to re-lock.

use serde::Serialize;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{Decision, Inputs};
use crate::detect::audit::DEV_TOOLS;
use crate::detect::ml::TORCH_FAMILY;
use crate::detect::requirements::parse_pep508;
use crate::detect::Manager;
use crate::error::{Error, Result};

/// The proposed pyproject.toml.
#[derive(Debug, Clone, Serialize)]
pub struct PyprojectEdit {
    /// The file, relative to the repository.
    pub file: String,
    pub new: String,
    /// The command that brings the lock file in line (`uv lock`).
    pub relock: String,
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
        Error::input(
            &declared.file,
            None,
            format!("is not valid TOML: {}", e.message()),
        )
    })?;
    let relock = match py.manager {
        Manager::Uv => "uv lock",
        _ => "poetry lock",
    };
    let mut decide = |topic: &str, choice: String, reason: String, fixes: Vec<&'static str>| {
        decisions.push(Decision {
            file: "pyproject.toml",
            topic: topic.to_string(),
            choice,
            reason: format!("{reason}; run `{relock}` and commit the lock file before building, since the Dockerfile installs with the lock as it is"),
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
                "development tools",
                format!("{} moved to {group}", moved.join(", ")),
                "they never run in production; the image installs the main dependencies only"
                    .into(),
                inputs.fixes(&["DS308"]),
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
                    "PyTorch index",
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
                    inputs.fixes(&["DS305"]),
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
        relock: relock.to_string(),
    }))
}

/// The name a dependency string declares.
fn name_of(value: &Value) -> Option<String> {
    parse_pep508("", 0, value.as_str()?).map(|r| r.name)
}

/// Moves `tools` from `[project].dependencies` to `[dependency-groups] dev`.
fn move_to_dev_group_uv(doc: &mut DocumentMut, tools: &[String]) -> Vec<String> {
    let Some(deps) = doc
        .get_mut("project")
        .and_then(|p| p.get_mut("dependencies"))
        .and_then(Item::as_array_mut)
    else {
        return Vec::new();
    };
    let mut moved = Vec::new();
    let mut i = 0;
    while i < deps.len() {
        let is_tool = deps
            .get(i)
            .and_then(name_of)
            .is_some_and(|n| tools.contains(&n));
        if !is_tool {
            i += 1;
            continue;
        }
        let last = i + 1 == deps.len();
        let removed = deps.remove(i);
        // A comment after the last item belongs to it: it moves along.
        let mut comment = String::new();
        if last {
            let trailing = deps.trailing().as_str().unwrap_or("").to_string();
            if trailing.contains('#') {
                comment = trailing.trim().to_string();
                deps.set_trailing("\n");
            }
        }
        moved.push((removed, comment));
    }
    if moved.is_empty() {
        return Vec::new();
    }
    let groups = doc
        .entry("dependency-groups")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(groups) = groups.as_table_like_mut() else {
        return Vec::new();
    };
    let dev = groups
        .entry("dev")
        .or_insert(Item::Value(Value::Array(multiline_array())));
    let Some(dev) = dev.as_array_mut() else {
        return Vec::new();
    };
    let indent = "\n    ";
    let mut names = Vec::new();
    for (value, comment) in moved {
        let Some(spec) = value.as_str() else { continue };
        names.push(name_of(&value).unwrap_or_else(|| spec.to_string()));
        let mut fresh = Value::from(spec);
        let prefix = if comment.is_empty() {
            indent.to_string()
        } else {
            format!("{indent}{comment}{indent}")
        };
        fresh.decor_mut().set_prefix(prefix);
        fresh.decor_mut().set_suffix("");
        dev.push_formatted(fresh);
    }
    dev.set_trailing_comma(true);
    dev.set_trailing("\n");
    names
}

fn multiline_array() -> Array {
    let mut a = Array::new();
    a.set_trailing("\n");
    a.set_trailing_comma(true);
    a
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
    let Some(deps) = poetry
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
    else {
        return Vec::new();
    };
    let keys: Vec<String> = deps
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| tools.contains(&crate::detect::requirements::normalize(k)))
        .collect();
    let mut moved = Vec::new();
    for key in &keys {
        let k = deps.key(key).cloned();
        if let (Some(k), Some(item)) = (k, deps.remove(key)) {
            moved.push((k, item));
        }
    }
    let group = poetry.entry("group").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let Some(group) = group.as_table_mut() else {
        return Vec::new();
    };
    let dev = group.entry("dev").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let Some(dev) = dev.as_table_mut() else {
        return Vec::new();
    };
    let dev_deps = dev
        .entry("dependencies")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(dev_deps) = dev_deps.as_table_mut() else {
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
        let declared: Vec<String> = deps.iter().filter_map(name_of).collect();
        // torch itself is what carries the CUDA libraries; the others only
        // matter when the project names them.
        if !declared.iter().any(|n| n == "torch") {
            let mut fresh = Value::from("torch");
            let multiline = deps
                .get(0)
                .and_then(|v| v.decor().prefix())
                .and_then(|p| p.as_str())
                .is_some_and(|p| p.contains('\n'));
            fresh
                .decor_mut()
                .set_prefix(if multiline { "\n    " } else { " " });
            deps.push_formatted(fresh);
            if multiline {
                deps.set_trailing_comma(true);
                deps.set_trailing("\n");
            }
            added.push("torch".to_string());
        }
    }
    let tool = doc.entry("tool").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let Some(tool) = tool.as_table_mut() else {
        return added;
    };
    let uv = tool.entry("uv").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let Some(uv) = uv.as_table_mut() else {
        return added;
    };
    let indexes = uv
        .entry("index")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    if let Some(indexes) = indexes.as_array_of_tables_mut() {
        let present = indexes
            .iter()
            .any(|t| t.get("name").and_then(Item::as_str) == Some(index.name));
        if !present {
            let mut t = Table::new();
            t.insert("name", value(index.name));
            t.insert("url", value(index.url));
            t.insert("explicit", value(true));
            indexes.push(t);
        }
    }
    let sources = uv
        .entry("sources")
        .or_insert_with(|| Item::Table(Table::new()));
    if let Some(sources) = sources.as_table_like_mut() {
        let declared_or_added = |p: &String| p == "torch" || torch.contains(p);
        for package in TORCH_FAMILY
            .iter()
            .map(|p| p.to_string())
            .filter(declared_or_added)
        {
            let mut source = InlineTable::new();
            source.insert("index", Value::from(index.name));
            sources.insert(&package, Item::Value(Value::InlineTable(source)));
        }
    }
    added
}

/// `[[tool.poetry.source]]` with priority explicit, and the torch packages
/// in `[tool.poetry.dependencies]` pointed at it.
fn torch_source_poetry(doc: &mut DocumentMut, torch: &[String], index: &TorchIndex) -> Vec<String> {
    let mut added = Vec::new();
    let Some(poetry) = doc
        .get_mut("tool")
        .and_then(|t| t.get_mut("poetry"))
        .and_then(Item::as_table_mut)
    else {
        return added;
    };
    let sources = poetry
        .entry("source")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    if let Some(sources) = sources.as_array_of_tables_mut() {
        let present = sources
            .iter()
            .any(|t| t.get("name").and_then(Item::as_str) == Some(index.name));
        if !present {
            let mut t = Table::new();
            t.insert("name", value(index.name));
            t.insert("url", value(index.url));
            t.insert("priority", value("explicit"));
            sources.push(t);
        }
    }
    let deps = poetry
        .entry("dependencies")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(deps) = deps.as_table_like_mut() else {
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
            None => {
                spec.insert("version", Value::from("*"));
                added.push(package.to_string());
            }
        }
        spec.insert("source", Value::from(index.name));
        let key = key.unwrap_or_else(|| package.to_string());
        let decor = deps
            .get(&key)
            .and_then(Item::as_value)
            .map(|v| v.decor().clone());
        let mut new_value = Value::InlineTable(spec);
        if let Some(decor) = decor {
            *new_value.decor_mut() = decor;
        }
        deps.insert(&key, Item::Value(new_value));
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::pyproject::read_pyproject;
    use crate::repo::Repo;

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
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
        read_pyproject(&Repo::open(dir.path()).unwrap(), "")
            .unwrap()
            .unwrap()
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
