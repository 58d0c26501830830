//! DS404 add-instead-of-copy
//!
//! What it finds: ADD of local files or folders (not archives), and ADD of a
//! URL.
//! Why it matters: ADD does more than copy. From a URL it downloads at build
//! time with no checksum, so the image silently changes when the file does
//! (or when someone tampers with it), and the download is never cached. For
//! local paths it unpacks anything that looks like an archive, which surprises
//! readers. COPY says exactly what happens.
//! Fix: COPY for local files; for a download, RUN curl (or Python) and check
//! its sha256, or ADD --checksum on BuildKit 1.6 and later.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::is_archive;
use crate::dockerfile::{Args, Keyword};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct AddInsteadOfCopy;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS404,
    name: "add-instead-of-copy",
    severity: Severity::Warning,
    summary: "ADD copies local files or downloads a URL.",
    why: "ADD from a URL downloads unverified content at build time, so the image changes when the remote file does; for local paths ADD silently unpacks archives. COPY does only what it says.",
    fix: "Use COPY for local files; download with RUN and verify a sha256 (or ADD --checksum=sha256:... with a recent BuildKit).",
    example: "Before:\n  ADD . /app\n  ADD https://example.com/model.bin /models/\nAfter:\n  COPY . /app\n  RUN curl -fsSLo /models/model.bin https://example.com/model.bin \\\n   && echo \"<sha256>  /models/model.bin\" | sha256sum -c -",
    fix_safety: Some(Safety::Safe),
    fix_risk: "",
};

/// Local, non-archive sources: what COPY does the same for.
fn local_sources(sources: &[String]) -> Vec<&String> {
    sources
        .iter()
        .filter(|s| {
            !s.contains("://") && !s.starts_with("<<") && !is_archive(s) && !s.starts_with("git@")
        })
        .collect()
}

impl Rule for AddInsteadOfCopy {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for inst in df.stages.iter().flat_map(|s| s.instructions.iter()) {
            let Args::Copy { sources, .. } = &inst.args else {
                continue;
            };
            if inst.keyword != crate::dockerfile::Keyword::Add {
                continue;
            }
            let urls: Vec<&String> = sources.iter().filter(|s| s.contains("://")).collect();
            let local = local_sources(sources);
            if !urls.is_empty() && inst.flag("checksum").is_none() {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    format!("ADD downloads {} with no checksum", urls[0]),
                ));
            }
            if !local.is_empty() {
                out.push(Finding::new(
                    &DOC,
                    df.path.clone(),
                    Some(inst.line),
                    format!(
                        "ADD of local {}: COPY says the same without unpacking archives",
                        local
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                ));
            }
        }
        out
    }

    /// `ADD` -> `COPY` where every source is a local file or folder that is
    /// not an archive: COPY copies it the same way and says so.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let mut out = Vec::new();
        for index in cx.graph.lineage() {
            for inst in &cx.df.stages[index].instructions {
                let Args::Copy { sources, .. } = &inst.args else {
                    continue;
                };
                if inst.keyword != Keyword::Add || local_sources(sources).is_empty() {
                    continue;
                }
                if local_sources(sources).len() != sources.len() {
                    out.push(cx.blocked(
                        DOC.id,
                        Some(inst.line),
                        "the ADD also downloads or unpacks, which COPY cannot",
                    ));
                    continue;
                }
                if let Some(flag) = inst
                    .flags
                    .iter()
                    .find(|f| matches!(f.name.as_str(), "checksum" | "keep-git-dir" | "unpack"))
                {
                    out.push(cx.blocked(
                        DOC.id,
                        Some(inst.line),
                        format!("--{} is ADD's own option", flag.name),
                    ));
                    continue;
                }
                out.push(Outcome::Fix(Fix {
                    rule: DOC.id,
                    line: inst.line,
                    title: "ADD -> COPY".into(),
                    reason: "the sources are local files, which COPY copies the same way without ADD's archive unpacking and URL fetching".into(),
                    safety: Safety::Safe,
                    edits: vec![cx.writer().replace(inst.keyword_span.clone(), "COPY")],
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
    fn finds_local_and_url_adds() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12-slim\nADD . /app\nADD https://example.com/model.bin /models/\nADD vendor.tar.gz /opt/\nCOPY . /app\nADD --checksum=sha256:0123 https://example.com/x.bin /x\n",
        )]);
        assert_eq!(fx.lines(&AddInsteadOfCopy), [Some(2), Some(3)]);
    }
}
