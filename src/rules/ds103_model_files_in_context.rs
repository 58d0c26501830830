//! DS103 model-files-in-context
//!
//! What it finds: model weights and serialized models in the build context
//! (.pt, .pth, .bin, .safetensors, .onnx, .gguf, .ckpt, .h5, .pkl, .joblib
//! files of 1 MB or more) that the .dockerignore does not exclude. One
//! finding per folder, with its model files' bytes and count (a training run
//! leaves a dozen checkpoints side by side, and the fix is the same for all
//! of them); a folder holding one such file, or a file at the root, is
//! named by the file itself.
//! Why it matters: the engine receives them on every build, and COPY . .
//! bakes them into a layer that changes whenever they do; a weights file
//! is often larger than the whole rest of the image.
//! Fix: keep weights out of the context and out of the code image: mount
//! them at run time (a volume, or a model cache such as HF_HOME), or bake
//! them into an image of their own. The proposed .dockerignore leaves out a
//! folder of them only when nothing in the app reaches it (see
//! plan/ships.rs), since the app may load them from its folder.

use std::collections::BTreeMap;

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::units::{files, human_bytes};

pub struct ModelFilesInContext;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS103,
    name: "model-files-in-context",
    severity: Severity::Warning,
    summary: "Model weights or serialized models are sent with the build context.",
    why: "They travel to the engine on every build and COPY . . bakes them into a layer, often bigger than the rest of the image.",
    fix: "Mount models at run time (a volume, or a cache folder such as HF_HOME) or give them an image of their own, and exclude them in .dockerignore.",
    example: "Before: models/encoder.safetensors (420 MB) is sent and copied.\nAfter (.dockerignore):\n  models/\nand at run time:\n  docker run -v /srv/models:/app/models ...",
    fix_safety: None,
    fix_risk: "",
};

const EXTENSIONS: &[&str] = &[
    "pt",
    "pth",
    "bin",
    "safetensors",
    "onnx",
    "gguf",
    "ckpt",
    "h5",
    "pkl",
    "joblib",
];
const MIN_BYTES: u64 = 1_000_000;

impl Rule for ModelFilesInContext {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        // Model files by the folder that holds them ("" for the root).
        let mut folders: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
        for f in cx.sent_files().filter(|f| is_model_file(&f.path, f.size)) {
            let folder = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            folders.entry(folder).or_default().push((&f.path, f.size));
        }
        let mut findings: Vec<Finding> = folders
            .into_iter()
            .flat_map(|(folder, models)| match (folder, models.as_slice()) {
                ("", _) | (_, [_]) => models
                    .iter()
                    .map(|&(p, size)| file_finding(p, size))
                    .collect(),
                _ => vec![folder_finding(folder, &models)],
            })
            .collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.bytes));
        findings
    }
}

fn is_model_file(path: &str, size: u64) -> bool {
    size >= MIN_BYTES
        && path
            .rsplit_once('.')
            .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

fn file_finding(path: &str, size: u64) -> Finding {
    Finding::new(
        &DOC,
        path.to_string(),
        None,
        format!(
            "{path} ({:.1} MB) is model data sent with the build context",
            size as f64 / 1e6
        ),
    )
    .with_bytes(size)
}

/// Several model files of one folder: one finding, naming the largest.
fn folder_finding(folder: &str, models: &[(&str, u64)]) -> Finding {
    let bytes: u64 = models.iter().map(|m| m.1).sum();
    let (largest, size) = models
        .iter()
        .max_by_key(|m| m.1)
        .copied()
        .unwrap_or_default();
    let name = largest.rsplit('/').next().unwrap_or(largest);
    Finding::new(
        &DOC,
        format!("{folder}/"),
        None,
        format!(
            "{folder}/ holds {} of model data ({}) sent with the build context; the largest is {name} ({})",
            files(models.len()),
            human_bytes(bytes),
            human_bytes(size)
        ),
    )
    .with_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn big_weights_unless_ignored() {
        let big = "x".repeat(1_200_000);
        let fx = Fixture::new(&[
            ("models/enc.safetensors", big.as_str()),
            ("models/tiny.pt", "x"),
            ("app.py", "print(1)\n"),
        ]);
        let found = fx.check(&ModelFilesInContext);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, "models/enc.safetensors");
        let fx = Fixture::new(&[
            ("models/enc.safetensors", big.as_str()),
            (".dockerignore", "models/\n"),
        ]);
        assert!(fx.check(&ModelFilesInContext).is_empty());
    }

    #[test]
    fn one_finding_per_folder_of_checkpoints() {
        let big = "x".repeat(1_100_000);
        let bigger = "x".repeat(1_500_000);
        let mut files: Vec<(String, &str)> = (1..=12)
            .map(|i| (format!("runs/ckpt/epoch_{i:02}.pt"), big.as_str()))
            .collect();
        files.push(("runs/ckpt/best.pt".into(), bigger.as_str()));
        // Not model data: too small, or not a model format.
        files.push(("runs/ckpt/notes.txt".into(), big.as_str()));
        files.push(("runs/ckpt/tiny.pt".into(), "x"));
        files.push(("model.onnx".into(), big.as_str()));
        files.push(("other.onnx".into(), big.as_str()));
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let found = Fixture::new(&refs).check(&ModelFilesInContext);
        let summary: Vec<(&str, Option<u64>)> =
            found.iter().map(|f| (f.file.as_str(), f.bytes)).collect();
        assert_eq!(
            summary,
            [
                ("runs/ckpt/", Some(12 * 1_100_000 + 1_500_000)),
                ("model.onnx", Some(1_100_000)),
                ("other.onnx", Some(1_100_000)),
            ]
        );
        assert!(
            found[0]
                .message
                .contains("13 files of model data (14.7 MB)")
                && found[0].message.contains("best.pt (1.5 MB)"),
            "{}",
            found[0].message
        );
    }
}
