//! Large folders the image does not need: asset libraries, generated output,
//! data, notebooks and model weights.
//!
//! How a folder is judged (top-level folders, each weighed by its files):
//! - never a folder that holds Python source, templates, static files,
//!   migrations, scripts or anything the Dockerfile copies by name, nor one
//!   named like application code (static, templates, src, app, ...);
//! - excluded when it is mounted at run time: a bind mount in a compose file,
//!   or a folder the Dockerfile only creates (mkdir, VOLUME) to be written;
//! - excluded when at least 1 MB and at least 80 % of its bytes are media,
//!   data, archives, documents or model weights, unless the code names it
//!   (then the app may read it from the image, and the report says so);
//! - excluded when named like generated output (generated*, output, tmp,
//!   reports, logs) and the code does not name it;
//! - notebooks (`**/*.ipynb`, `.ipynb_checkpoints`) always.
//!
//! Each line carries a comment with the bytes and files it saves.

use std::collections::BTreeMap;

use super::dockerignore::Candidate;
use super::dockerignore::ImageNeeds;
use super::ships::Ships;
use super::Inputs;
use crate::repo::dockerignore::DockerIgnore;
use crate::units::{files, human_bytes};

pub const SECTION: &str = "Large folders the image does not need (each line says what it saves)";

const PROTECTED: &[&str] = &[
    "static",
    "staticfiles",
    "templates",
    "migrations",
    "locale",
    "public",
    "src",
    "app",
    "apps",
    "lib",
    "config",
    "conf",
    "settings",
    "scripts",
    "bin",
    "requirements",
];

const GENERATED: &[&str] = &[
    "output", "outputs", "out", "tmp", "temp", "reports", "logs", "log", "cache", ".cache",
];

/// The class of a file by its extension, for the weight of bulky kinds.
pub(super) fn bulky_kind(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "webp" | "bmp" | "tif" | "tiff" | "heic" | "psd"
        | "ai" | "raw" | "mp4" | "mov" | "avi" | "mkv" | "webm" | "mp3" | "wav" | "flac"
        | "ogg" => "media",
        "csv" | "tsv" | "parquet" | "feather" | "arrow" | "h5" | "hdf5" | "npy" | "npz" | "pkl"
        | "pickle" | "xlsx" | "xls" | "jsonl" | "ndjson" | "avro" | "orc" | "db" | "sqlite"
        | "sqlite3" => "data",
        "pt" | "pth" | "ckpt" | "safetensors" | "onnx" | "pb" | "tflite" | "gguf" | "joblib"
        | "bin" | "h5ad" => "model weights",
        "zip" | "tar" | "gz" | "tgz" | "bz2" | "xz" | "7z" | "rar" => "archives",
        "pdf" | "docx" | "doc" | "pptx" | "ppt" => "documents",
        _ => return None,
    })
}

/// Top-level folders bind-mounted by a compose file: folder -> file.
fn compose_mounts(inputs: &Inputs) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in [
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
    ] {
        let Ok(Some(text)) = inputs.repo.read_text(name) else {
            continue;
        };
        if crate::repo::read::yaml_too_deep(&text) {
            continue;
        }
        let Ok(doc) = serde_norway::from_str::<serde_norway::Value>(&text) else {
            continue;
        };
        let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else {
            continue;
        };
        for (_, service) in services {
            let Some(volumes) = service.get("volumes").and_then(|v| v.as_sequence()) else {
                continue;
            };
            for v in volumes {
                let source = match v {
                    serde_norway::Value::String(s) => s.split(':').next().map(str::to_string),
                    other => other
                        .get("source")
                        .and_then(|s| s.as_str())
                        .map(str::to_string),
                };
                // Bind mounts name a relative path; named volumes do not.
                if let Some(src) = source.filter(|s| s.starts_with("./")) {
                    let clean = crate::repo::dockerignore::go_clean(&src);
                    if let Some(top) = clean.split('/').next().filter(|t| *t != ".." && *t != ".") {
                        out.insert(top.to_string(), name.to_string());
                    }
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Folder {
    files: usize,
    bytes: u64,
    by_kind: BTreeMap<&'static str, u64>,
    needed: bool,
}

/// Candidate lines, and folders deliberately kept with the reason. A
/// folder `ships` already leaves out is its business, and code inside such
/// folders (tests) names nothing the app reads.
pub fn find(
    inputs: &Inputs,
    needs: &ImageNeeds,
    baseline: &DockerIgnore,
    ships: &Ships,
) -> (Vec<Candidate>, Vec<(String, String)>) {
    let needed = super::dockerignore::needed_paths(inputs, needs, ships);
    let mut folders: BTreeMap<&str, Folder> = BTreeMap::new();
    let mut notebooks = (0usize, 0u64);
    let mut checkpoints = (0usize, 0u64);
    let mut baseline = crate::repo::dockerignore::TreeMatcher::new(baseline);
    for (file, sent) in inputs.repo.files.iter().zip(&inputs.context.sent) {
        if !sent || baseline.is_excluded(&file.path) || ships.leaves_out(&file.path) {
            continue;
        }
        if file.path.ends_with(".ipynb") {
            notebooks.0 += 1;
            notebooks.1 += file.size;
        }
        if file.path.split('/').any(|d| d == ".ipynb_checkpoints") {
            checkpoints.0 += 1;
            checkpoints.1 += file.size;
        }
        let Some((top, _)) = file.path.split_once('/') else {
            continue;
        };
        let f = folders.entry(top).or_default();
        f.files += 1;
        f.bytes += file.size;
        if let Some(kind) = bulky_kind(&file.path) {
            *f.by_kind.entry(kind).or_default() += file.size;
        }
    }
    for path in &needed {
        if let Some((top, _)) = path.split_once('/') {
            if let Some(f) = folders.get_mut(top) {
                f.needed = true;
            }
        }
    }
    let mounts = compose_mounts(inputs);
    let workdir = format!("{}/", needs.workdir.trim_end_matches('/'));
    let created: Vec<String> = needs
        .writable_dirs
        .iter()
        .filter_map(|d| {
            d.strip_prefix(&workdir)
                .map(|r| r.split('/').next().unwrap_or(r).to_string())
        })
        .collect();
    let sources: Vec<&(String, String)> = inputs
        .repo
        .python_sources()
        .iter()
        .filter(|(path, _)| !ships.leaves_out(path))
        .collect();
    let named_by_code = |folder: &str| -> Option<String> {
        let quoted = [
            format!("\"{folder}"),
            format!("'{folder}"),
            format!("/{folder}\""),
            format!("/{folder}'"),
            format!("/{folder}/"),
        ];
        sources.iter().find_map(|(path, text)| {
            let line = text
                .lines()
                .position(|l| quoted.iter().any(|q| l.contains(q.as_str())))?;
            Some(format!("{path}:{}", line + 1))
        })
    };

    let mut lines = Vec::new();
    let mut kept = Vec::new();
    for (name, f) in &folders {
        if f.needed || PROTECTED.contains(name) || f.bytes == 0 {
            continue;
        }
        let weight = format!("{}/: {} in {}", name, human_bytes(f.bytes), files(f.files));
        let bulky: u64 = f.by_kind.values().sum();
        let kinds = f
            .by_kind
            .iter()
            .filter(|(_, b)| **b * 10 >= f.bytes)
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(file) = mounts.get(*name) {
            lines.push(Candidate::commented(
                name,
                format!("{weight}, mounted at run time ({file})"),
            ));
        } else if created.iter().any(|c| c == name) {
            lines.push(Candidate::commented(
                name,
                format!("{weight}, written at run time (the Dockerfile creates it empty)"),
            ));
        } else if f.bytes >= 1_000_000 && bulky * 10 >= f.bytes * 8 {
            match named_by_code(name) {
                None => lines.push(Candidate::commented(name, format!("{weight} of {kinds}, which the code never names"))),
                Some(at) => kept.push((
                    name.to_string(),
                    format!("{weight} of {kinds} is named by the code at {at}, so the app may read it from the image; if it is mounted at run time, add `{name}` to .dockerignore"),
                )),
            }
        } else if (GENERATED.contains(name) || name.starts_with("generated"))
            && named_by_code(name).is_none()
        {
            lines.push(Candidate::commented(
                name,
                format!("{weight}, generated output"),
            ));
        }
    }
    if notebooks.0 > 0 {
        lines.push(Candidate::commented(
            "**/*.ipynb",
            format!(
                "notebooks: {} in {}",
                human_bytes(notebooks.1),
                files(notebooks.0)
            ),
        ));
    }
    if checkpoints.0 > 0 {
        lines.push(Candidate::commented(
            "**/.ipynb_checkpoints",
            format!(
                "notebook checkpoints: {} in {}",
                human_bytes(checkpoints.1),
                files(checkpoints.0)
            ),
        ));
    }
    (lines, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(bulky_kind("swatches/a.JPG"), Some("media"));
        assert_eq!(bulky_kind("models/bert.safetensors"), Some("model weights"));
        assert_eq!(bulky_kind("data/x.parquet"), Some("data"));
        assert_eq!(bulky_kind("app.py"), None);
        assert_eq!(bulky_kind("Makefile"), None);
    }
}
