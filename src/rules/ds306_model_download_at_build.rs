//! DS306 model-download-at-build
//!
//! What it finds: a RUN that downloads model weights while the image is
//! built: `SentenceTransformer(...)`, `from_pretrained(...)`,
//! `snapshot_download(...)`, `hf_hub_download(...)`, `huggingface-cli
//! download`, or curl/wget of a weights file (.bin, .pt, .pth,
//! .safetensors, .onnx, .gguf, .ckpt, .h5).
//! Why it matters: the weights become a layer of every image tag (hundreds
//! of megabytes to gigabytes each push and pull), and a new model means a
//! rebuild.
//! Fix: download at run time into a cache on a volume (set HF_HOME, or
//! SENTENCE_TRANSFORMERS_HOME, to a mounted folder), or bake the model into
//! a separate, rarely rebuilt image.

use std::sync::LazyLock;

use regex::Regex;

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};

pub struct ModelDownloadAtBuild;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS306,
    name: "model-download-at-build",
    severity: Severity::Warning,
    summary: "Model weights are downloaded while the image is built.",
    why: "The weights become a layer of every tag, pushed and pulled each time, and changing the model means rebuilding the image.",
    fix: "Download at run time into a cache on a mounted volume (HF_HOME=/models with a volume at /models), or keep models in an image of their own.",
    example: "Before:\n  RUN python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('all-MiniLM-L6-v2')\"\nAfter:\n  ENV HF_HOME=/models\n  VOLUME /models        # filled on first start, kept across restarts",
    fix_safety: None,
    fix_risk: "",
};

/// What a shell command downloads, if it fetches model weights.
pub fn downloads_model(command: &str) -> Option<&'static str> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"SentenceTransformer\(|from_pretrained\(|snapshot_download\(|hf_hub_download\(|huggingface-cli\s+download|\bhf\s+download").unwrap()
    });
    static WEIGHTS_URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(curl|wget)\b.*https?://\S+\.(bin|pt|pth|safetensors|onnx|gguf|ckpt|h5)\b")
            .unwrap()
    });
    if CALL.is_match(command) {
        Some("loads a model from the Hugging Face Hub")
    } else if WEIGHTS_URL.is_match(command) {
        Some("downloads a weights file")
    } else {
        None
    }
}

impl Rule for ModelDownloadAtBuild {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in &df.stages {
            for (inst, commands) in stage.runs() {
                let line = inst.line;
                let text: Vec<String> = commands.iter().map(|c| c.join(" ")).collect();
                if let Some(what) = text.iter().find_map(|t| downloads_model(t)) {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(line),
                        format!("this RUN {what} at build time; the weights become a layer of the image"),
                    ));
                }
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
    fn hub_calls_and_weight_urls() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('all-MiniLM-L6-v2')\"\nRUN curl -L -o /m.safetensors https://example.com/m.safetensors\nRUN curl -fsSL https://example.com/install.sh | sh\n",
        )]);
        assert_eq!(fx.lines(&ModelDownloadAtBuild), [Some(2), Some(3)]);
    }
}
