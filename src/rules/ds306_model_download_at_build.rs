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

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct ModelDownloadAtBuild;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS306,
    name: "model-download-at-build",
    severity: Severity::Warning,
    summary: "Model weights are downloaded while the image is built.",
    why: "The weights become a layer of every tag, pushed and pulled each time, and changing the model means rebuilding the image.",
    fix: "Download at run time into a cache on a mounted volume (HF_HOME=/models with a volume at /models), or keep models in an image of their own.",
    example: "Before:\n  RUN python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('all-MiniLM-L6-v2')\"\nAfter:\n  ENV HF_HOME=/models\n  VOLUME /models        # filled on first start, kept across restarts",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the first start downloads the model, so it needs the network and takes longer; mount a volume at HF_HOME (/var/cache/huggingface) to keep the weights across restarts. A weights file fetched to a path the app opens is left alone.",
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

    /// A RUN that only loads a model from the Hugging Face Hub (into its
    /// cache) goes away; HF_HOME names a cache folder the app user can
    /// write, where the app's own load fills it at the first start.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        for stage in cx.shipped() {
            for (inst, commands) in stage.runs() {
                let texts: Vec<String> = commands.iter().map(|c| c.join(" ")).collect();
                let Some(what) = texts.iter().find_map(|t| downloads_model(t)) else {
                    continue;
                };
                let line = Some(inst.line);
                if what.contains("weights file") {
                    out.push(cx.blocked(DOC.id, line, "a weights file fetched to a path the app opens; move it to a volume by hand"));
                    continue;
                }
                if !texts.iter().all(|t| downloads_model(t).is_some()) {
                    out.push(cx.blocked(DOC.id, line, "the RUN does more than load the model"));
                    continue;
                }
                if texts.iter().any(|t| {
                    t.contains("--local-dir") || t.contains("cache_dir") || t.contains("local_dir")
                }) {
                    out.push(cx.blocked(
                        DOC.id,
                        line,
                        "the model goes to a folder of its own, which the app may read directly",
                    ));
                    continue;
                }
                let w = cx.writer();
                let env_set = cx.df.intent_of(&cx.graph).env.iter().any(|(k, _, _)| {
                    matches!(
                        k.as_str(),
                        "HF_HOME"
                            | "HF_HUB_CACHE"
                            | "TRANSFORMERS_CACHE"
                            | "SENTENCE_TRANSFORMERS_HOME"
                    )
                });
                let edit = if env_set {
                    w.delete(inst)
                } else {
                    crate::edit::Edit::replace(
                        w.with_comments(inst),
                        w.lines("ENV HF_HOME=/var/cache/huggingface"),
                    )
                };
                out.push(Outcome::Fix(Fix {
                    rule: DOC.id,
                    line: inst.line,
                    title: "the model loads at the first start, into HF_HOME".into(),
                    reason: "the app loads the same model when it starts, so the build-time download only put the weights into a layer of every tag; the cache folder is the app user's, and a volume there keeps them across restarts".into(),
                    safety: Safety::Unsafe,
                    edits: vec![edit],
                    files: vec![],
                    reshapes: false,
                }));
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
