//! DS103 model-files-in-context
//!
//! What it finds: model weights and serialized models in the build context
//! (.pt, .pth, .bin, .safetensors, .onnx, .gguf, .ckpt, .h5, .pkl, .joblib
//! files of 1 MB or more) that the .dockerignore does not exclude.
//! Why it matters: the engine receives them on every build, and COPY . .
//! bakes them into a layer that changes whenever they do; a weights file
//! is often larger than the whole rest of the image.
//! Fix: keep weights out of the context and out of the code image: mount
//! them at run time (a volume, or a model cache such as HF_HOME), or bake
//! them into an image of their own. dockslim reports them and leaves the
//! .dockerignore alone here, since the app may load them from its folder.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};

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
        let mut models: Vec<(&str, u64)> = cx
            .sent_files()
            .filter(|f| f.size >= MIN_BYTES)
            .filter(|f| {
                f.path
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
            })
            .map(|f| (f.path.as_str(), f.size))
            .collect();
        models.sort_by_key(|m| std::cmp::Reverse(m.1));
        models
            .into_iter()
            .map(|(path, size)| {
                let mut f = Finding::new(
                    &DOC,
                    path.to_string(),
                    None,
                    format!(
                        "{path} ({:.1} MB) is model data sent with the build context",
                        size as f64 / 1e6
                    ),
                );
                f.bytes = Some(size);
                f
            })
            .collect()
    }
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
}
