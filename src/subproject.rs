//! An image built from the repository root whose app lives in a folder:
//! `docker build -f docker/backend/Dockerfile .` with
//! `COPY backend/requirements.txt .` and `COPY backend/ .`. Compose files
//! build every image of a repository this way (seed 003's layout).
//!
//! When every file the Dockerfile takes from the context lies in one folder
//! that holds the project's manifest, the image is what the same Dockerfile
//! would build with that folder as its context. dockslim reads the folder
//! as the project (`Repo::narrowed`), reads the Dockerfile with the
//! folder's prefix taken off its sources (`narrow_dockerfile`), runs the
//! usual pipeline, and puts the prefix back on what it proposes
//! (`widen_dockerfile`): lines no fix touched come back byte for byte.
//!
//! The ignore file the proposal writes is the Dockerfile's own
//! (`docker/backend/Dockerfile.dockerignore`, which BuildKit reads instead
//! of the root's): it sends the folder and nothing else, so one image's
//! context no longer carries the others' sources and `node_modules`.

use std::path::PathBuf;

use crate::dockerfile::{Args, Dockerfile, Keyword};
use crate::error::Result;
use crate::output::FileRole;
use crate::repo::dockerignore::DockerIgnore;
use crate::repo::Repo;
use crate::{Proposal, Sources};

/// An image whose project is a folder of its build context, as read.
pub struct Narrowed {
    /// The folder, relative to the context (`backend`).
    pub folder: String,
    /// The files it takes from outside the folder (see `ProjectFolder`).
    pub carried: Vec<String>,
    /// The Dockerfile as written, sources relative to the context.
    pub original: Dockerfile,
    /// Its text as the pipeline read it (`narrow_dockerfile`).
    pub narrowed_text: String,
    /// The Dockerfile's own ignore file, which the proposal writes, and
    /// what it holds today.
    pub ignore_path: PathBuf,
    pub ignore_shown: String,
    pub ignore_text: Option<String>,
    /// The whole build context and the ignore file that applies to it
    /// today: what the proposal's ignore file is measured against.
    pub context: Repo,
    pub context_ignore: DockerIgnore,
}

/// The sources as the image's project sees them, when its project is a
/// folder of the context (see the module's documentation); unchanged
/// otherwise.
pub fn narrow(mut sources: Sources) -> Result<Sources> {
    let Some(df) = &sources.dockerfile else {
        return Ok(sources);
    };
    let Some(ProjectFolder { folder, carried }) = folder_of(df, &sources.repo) else {
        return Ok(sources);
    };
    let narrowed_text = narrow_dockerfile(df, &folder);
    let narrowed_df = Dockerfile::parse(&narrowed_text, &df.path).map_err(|e| {
        crate::error::Error::bug(format!(
            "{} read from {folder}/ does not parse: {e}",
            df.path
        ))
    })?;
    let original = sources.dockerfile.replace(narrowed_df).expect("read above");
    let inside = sources.repo.narrowed(&folder)?;
    let context = std::mem::replace(&mut sources.repo, inside);

    // What the context's ignore file says inside the folder decides what
    // the pipeline sees; the proposal is written to the Dockerfile's own.
    let own_name = format!(
        "{}.dockerignore",
        sources
            .dockerfile_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Dockerfile".to_string())
    );
    let ignore_path = sources.dockerfile_path.with_file_name(&own_name);
    let ignore_shown = match sources.dockerfile_shown.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{own_name}"),
        None => own_name,
    };
    let ignore_text = if ignore_path == sources.ignore_path {
        sources.ignore_text.clone()
    } else {
        None
    };
    let inside = sources
        .ignore_text
        .as_deref()
        .map(|text| narrow_ignore(text, &folder));
    let context_ignore = std::mem::replace(
        &mut sources.ignore,
        match &inside {
            Some(text) => DockerIgnore::parse(text, &sources.ignore_shown)?,
            None => DockerIgnore::default(),
        },
    );
    sources.ignore_text = inside;
    sources.narrowed = Some(Narrowed {
        folder,
        carried,
        original,
        narrowed_text,
        ignore_path,
        ignore_shown,
        ignore_text,
        context,
        context_ignore,
    });
    Ok(sources)
}

impl Narrowed {
    /// The proposal in the context's terms: the Dockerfile with its sources
    /// prefixed again (lines no fix touched as written), the ignore file as
    /// the Dockerfile's own, and the project's files under the folder.
    pub fn widen(&self, mut proposal: Proposal) -> Result<Proposal> {
        for change in &mut proposal.changes {
            match change.role {
                FileRole::Dockerfile => {
                    let bom = if self.original.bom { "\u{feff}" } else { "" };
                    let new = change.new.strip_prefix('\u{feff}').unwrap_or(&change.new);
                    let widened =
                        widen_dockerfile(&self.original, &self.narrowed_text, new, &self.folder)?;
                    change.new = format!("{bom}{widened}");
                    change.old = Some(self.original.file_text());
                }
                FileRole::DockerIgnore => {
                    change.new = widen_ignore(&change.new, &self.folder, &self.carried);
                    change
                        .reasons
                        .insert(0, self.context_decision(&change.new)?);
                    change.old = self.ignore_text.clone();
                    change.path = self.ignore_shown.clone();
                    change.abs = self.ignore_path.clone();
                }
                _ => change.path = format!("{}/{}", self.folder, change.path),
            }
        }
        Ok(proposal)
    }

    /// What the Dockerfile's own ignore file `text` sends of the whole
    /// context, against what is sent today: the headline of a root-context
    /// image, whose build otherwise takes the other images' sources (and
    /// their node_modules) along.
    fn context_decision(&self, text: &str) -> Result<crate::plan::Decision> {
        use crate::repo::context::measure;
        use crate::units::human_bytes;
        let today = measure(&self.context, &self.context_ignore);
        let own = DockerIgnore::parse(text, &self.ignore_shown)?;
        let proposed = measure(&self.context, &own);
        Ok(crate::plan::Decision {
            file: self.ignore_shown.clone(),
            topic: crate::plan::Topic::BuildContext,
            choice: format!(
                "the whole context: {} in {} files today, {} in {} files with this file",
                human_bytes(today.sent_bytes),
                today.sent_files,
                human_bytes(proposed.sent_bytes),
                proposed.sent_files
            ),
            reason: format!(
                "the image is built from the repository root but takes only {} from it; this ignore file, the Dockerfile's own, sends only that (BuildKit reads it instead of the root's .dockerignore; the classic builder reads only the root's, and builds the same image from a larger context)",
                what_it_takes(&self.folder, &self.carried)
            ),
            fixes: vec![],
        })
    }

    /// DS101 for the secrets of the whole context outside the folder that
    /// today's ignore file sends: the narrowed reading sees only the folder.
    pub fn secrets_outside(&self) -> Vec<crate::rules::Finding> {
        let today = crate::repo::context::measure(&self.context, &self.context_ignore);
        let secrets = crate::repo::secrets::scan(&self.context);
        let prefix = format!("{}/", self.folder);
        self.context
            .files
            .iter()
            .zip(&today.sent)
            .filter(|(f, sent)| **sent && !f.path.starts_with(&prefix))
            .filter_map(|(f, _)| secrets.iter().find(|s| s.path == f.path))
            .map(|s| crate::rules::ds101_secret_in_context::sent_from_the_root(s, &self.folder))
            .collect()
    }

    /// Findings about the project's files name them from the context.
    pub fn widen_findings(&self, findings: &mut [crate::rules::Finding], repo: &Repo) {
        for finding in findings {
            if repo.present(&finding.file) {
                finding.file = format!("{}/{}", self.folder, finding.file);
            }
        }
    }
}

/// Where `verify`, which builds from a copy of the folder, puts the files
/// carried from outside it, since a build context has no `../`.
pub const CARRIED_IN_COPY: &str = ".dockslim-carried";

impl Narrowed {
    /// A narrowed Dockerfile as `verify` builds it from its copy of the
    /// folder: the carried files' `../` paths under `CARRIED_IN_COPY`.
    pub fn for_the_copy(&self, narrowed_text: &str) -> Result<String> {
        let df = Dockerfile::parse(narrowed_text, &self.original.path)?;
        let up = up_from(&self.folder);
        let mut text = narrowed_text.to_string();
        let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
        for inst in df.instructions() {
            if !matches!(inst.keyword, Keyword::Copy | Keyword::Add) || inst.flag("from").is_some()
            {
                continue;
            }
            if let Args::Copy { source_spans, .. } = &inst.args {
                spans.extend(
                    source_spans
                        .iter()
                        .filter(|span| clean(&narrowed_text[(*span).clone()]).starts_with(&up))
                        .cloned(),
                );
            }
        }
        spans.sort_by_key(|span| std::cmp::Reverse(span.start));
        for span in spans {
            let outside = clean(&narrowed_text[span.clone()])[up.len()..].to_string();
            text.replace_range(span, &format!("{CARRIED_IN_COPY}/{outside}"));
        }
        Ok(text)
    }

    /// Copies the carried files into `dest/CARRIED_IN_COPY`.
    pub fn copy_carried(&self, dest: &std::path::Path) -> Result<()> {
        for file in &self.carried {
            let from = self.context.abs(file);
            let to = dest.join(CARRIED_IN_COPY).join(file);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| crate::error::Error::io(parent, e))?;
            }
            std::fs::copy(&from, &to).map_err(|e| crate::error::Error::io(&from, e))?;
        }
        Ok(())
    }
}

/// The files whose presence makes a folder a project dockslim can plan.
const MANIFESTS: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "package.json",
];

/// The folder of the context that holds an image's project, and the files
/// from elsewhere in the context the image also takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFolder {
    /// Relative to the context (`backend`).
    pub folder: String,
    /// Single files copied from outside the folder, as cleaned context
    /// paths: an entrypoint script or a server config kept beside the
    /// Dockerfile (`docker/backend/entrypoint.sh`). The narrowed reading
    /// names them from the folder (`../docker/backend/entrypoint.sh`).
    pub carried: Vec<String>,
}

/// The files a project's dependencies are read from: a source with one of
/// these names belongs to the project, never to the files it carries.
const MANIFEST_LIKE: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
    "uv.lock",
    "poetry.lock",
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// The folder that holds the image's project, when the sources the
/// Dockerfile copies from the context lie in one folder holding a manifest
/// (and it is not the context itself), apart from single files carried
/// from outside it. `None` when a source is the whole context, a pattern
/// or a variable, when the project's sources lie in two projects, when a
/// source from outside is a folder or a manifest, or when no folder on the
/// way holds a manifest.
pub fn folder_of(df: &Dockerfile, repo: &Repo) -> Option<ProjectFolder> {
    let mut inside: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for source in context_sources(df) {
        let clean = clean(&source);
        if clean.is_empty() || clean.contains(['*', '?', '[', '$']) {
            // The whole context, a pattern, or a variable: not one folder.
            return None;
        }
        if manifest_folder(repo, &clean).is_some() {
            inside.push(clean);
        } else {
            outside.push(clean);
        }
    }
    let mut common: Option<Vec<&str>> = None;
    for clean in &inside {
        let mut folder: Vec<&str> = clean.split('/').collect();
        if !repo.has_dir(clean) {
            folder.pop();
        }
        common = Some(match common {
            None => folder,
            Some(so_far) => so_far
                .iter()
                .zip(&folder)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    let folder = manifest_folder_of_dir(repo, &common?.join("/"))?;
    // What is carried from outside is a file the context holds, no
    // manifest or lock (those are the project's) and no folder.
    let carries = |c: &String| {
        let name = c.rsplit('/').next().unwrap_or(c);
        repo.exists(c) && !MANIFEST_LIKE.contains(&name)
    };
    if !outside.iter().all(carries) {
        return None;
    }
    outside.sort();
    outside.dedup();
    Some(ProjectFolder {
        folder,
        carried: outside,
    })
}

/// The nearest folder holding a manifest on the way from the source
/// `clean` up to (not including) the context's root.
fn manifest_folder(repo: &Repo, clean: &str) -> Option<String> {
    if repo.has_dir(clean) {
        return manifest_folder_of_dir(repo, clean);
    }
    manifest_folder_of_dir(repo, clean.rsplit_once('/')?.0)
}

/// `dir` or the nearest folder above it that holds a manifest, short of
/// the context's root.
fn manifest_folder_of_dir(repo: &Repo, dir: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    while !parts.is_empty() {
        let folder = parts.join("/");
        if MANIFESTS
            .iter()
            .any(|m| repo.exists(&format!("{folder}/{m}")))
        {
            return Some(folder);
        }
        parts.pop();
    }
    None
}

/// Every source the Dockerfile takes from the build context: COPY and ADD
/// without `--from` (not a URL, not a here-document), as written.
fn context_sources(df: &Dockerfile) -> Vec<String> {
    df.instructions()
        .filter(|i| matches!(i.keyword, Keyword::Copy | Keyword::Add) && i.flag("from").is_none())
        .filter_map(|i| match &i.args {
            Args::Copy { sources, .. } => Some(sources.clone()),
            _ => None,
        })
        .flatten()
        .filter(|s| !s.starts_with("<<") && !s.contains("://"))
        .collect()
}

/// `./backend/app/` as `backend/app`.
fn clean(source: &str) -> String {
    let mut s = source.trim_matches('"');
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    let s = s.trim_end_matches('/');
    if s == "." {
        String::new()
    } else {
        s.to_string()
    }
}

/// The Dockerfile's text as if its context were `folder`: each context
/// source loses the folder's prefix (`backend/app` is `app`, `backend/` is
/// `.`). Only the sources change, so every line keeps its number.
pub fn narrow_dockerfile(df: &Dockerfile, folder: &str) -> String {
    let mut text = df.text.clone();
    let mut spans: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for inst in df.instructions() {
        if !matches!(inst.keyword, Keyword::Copy | Keyword::Add) || inst.flag("from").is_some() {
            continue;
        }
        let Args::Copy {
            sources,
            source_spans,
            ..
        } = &inst.args
        else {
            continue;
        };
        for (source, span) in sources.iter().zip(source_spans) {
            if source.starts_with("<<") || source.contains("://") {
                continue;
            }
            let inside = narrowed_path(&clean(source), folder);
            let trailing = if source.ends_with('/') && inside != "." {
                "/"
            } else {
                ""
            };
            spans.push((span.clone(), format!("{inside}{trailing}")));
        }
    }
    spans.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    for (span, replacement) in spans {
        text.replace_range(span, &replacement);
    }
    text
}

/// `backend/app` inside `backend` is `app`; `backend` itself is `.`; a
/// file carried from outside is named from the folder
/// (`../docker/backend/entrypoint.sh`).
fn narrowed_path(clean: &str, folder: &str) -> String {
    if clean == folder {
        return ".".to_string();
    }
    match clean
        .strip_prefix(folder)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(inside) => inside.to_string(),
        None => format!("{}{clean}", up_from(folder)),
    }
}

/// `../` once for each level of `folder`: from it back to the context.
fn up_from(folder: &str) -> String {
    "../".repeat(folder.split('/').count())
}

/// The proposal, with the folder's prefix back on its context sources. A
/// line of the proposal that is a line of the narrowed original (untouched
/// by every fix) is the original line, byte for byte; a line a fix wrote or
/// changed gets the prefix on each context source it copies.
pub fn widen_dockerfile(
    original: &Dockerfile,
    narrowed: &str,
    proposed: &str,
    folder: &str,
) -> crate::error::Result<String> {
    // Each narrowed line, with the original line it came from.
    let originals: Vec<(&str, &str)> = narrowed
        .split_inclusive('\n')
        .zip(original.text.split_inclusive('\n'))
        .collect();
    let parsed = Dockerfile::parse(proposed, &original.path)?;
    // Byte ranges of context sources in the proposal, to prefix.
    let mut sources: Vec<std::ops::Range<usize>> = Vec::new();
    for inst in parsed.instructions() {
        if !matches!(inst.keyword, Keyword::Copy | Keyword::Add) || inst.flag("from").is_some() {
            continue;
        }
        if let Args::Copy { source_spans, .. } = &inst.args {
            for span in source_spans {
                let source = &proposed[span.clone()];
                if !source.starts_with("<<") && !source.contains("://") {
                    sources.push(span.clone());
                }
            }
        }
    }
    let mut out = String::with_capacity(proposed.len() + 64);
    let mut at = 0;
    let mut used = vec![false; originals.len()];
    for line in proposed.split_inclusive('\n') {
        let start = at;
        at += line.len();
        // The same line in the narrowed original, not yet matched: the
        // original's bytes. Lines are matched in order, so two equal lines
        // map to the two originals they came from.
        if let Some(i) = (0..originals.len()).find(|&i| !used[i] && originals[i].0 == line) {
            used[i] = true;
            out.push_str(originals[i].1);
            continue;
        }
        let mut written = line.to_string();
        let mut inside: Vec<&std::ops::Range<usize>> = sources
            .iter()
            .filter(|s| s.start >= start && s.end <= at)
            .collect();
        inside.sort_by_key(|s| std::cmp::Reverse(s.start));
        for span in inside {
            let source = &proposed[span.clone()];
            let widened = widened_path(source, folder);
            written.replace_range(span.start - start..span.end - start, &widened);
        }
        out.push_str(&written);
    }
    Ok(out)
}

/// `app` in `backend` is `backend/app`; `.` is `backend/`; a carried
/// file's `../docker/backend/entrypoint.sh` is `docker/backend/entrypoint.sh`.
fn widened_path(source: &str, folder: &str) -> String {
    let trailing = source.ends_with('/');
    let clean = clean(source);
    if clean.is_empty() {
        return format!("{folder}/");
    }
    if let Some(outside) = clean.strip_prefix(&up_from(folder)) {
        return outside.to_string();
    }
    format!("{folder}/{clean}{}", if trailing { "/" } else { "" })
}

/// `backend/`, or `backend/ and docker/backend/entrypoint.sh`.
fn what_it_takes(folder: &str, carried: &[String]) -> String {
    let mut all = vec![format!("{folder}/")];
    all.extend(carried.iter().cloned());
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => all.concat(),
    }
}

/// The first line of the allow-list `widen_ignore` writes.
const ALLOW_HEADER: &str = "# Built from the repository root, this image takes only";

/// An ignore file of the context, as the folder sees it: the patterns that
/// reach into it, without its prefix (`backend/tests` is `tests`,
/// `**/__pycache__` stays), and the comments and blank lines as written.
/// Patterns about the rest of the context decide nothing inside the folder.
pub fn narrow_ignore(text: &str, folder: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with(ALLOW_HEADER) {
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let (bang, pattern) = negation(trimmed);
        let kept = if pattern.starts_with("**/") {
            Some(pattern.to_string())
        } else {
            pattern
                .strip_prefix(folder)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|rest| !rest.is_empty())
                .map(str::to_string)
        };
        if let Some(pattern) = kept {
            out.push_str(bang);
            out.push_str(&pattern);
            out.push('\n');
        }
    }
    out
}

/// An ignore pattern's `!` (or none) and the pattern, without the
/// leading `/` Docker ignores.
fn negation(line: &str) -> (&'static str, &str) {
    match line.strip_prefix('!') {
        Some(rest) => ("!", rest.trim_start().trim_start_matches('/')),
        None => ("", line.trim_start_matches('/')),
    }
}

/// The Dockerfile's own ignore file for the proposal: nothing of the
/// context but the folder and the files carried from outside it, then the
/// proposal's patterns inside the folder.
pub fn widen_ignore(proposed: &str, folder: &str, carried: &[String]) -> String {
    let mut allow = format!("{ALLOW_HEADER} {}", what_it_takes(folder, carried));
    allow.push_str(" from it.\n*\n");
    allow.push_str(&format!("!{folder}/\n"));
    for file in carried {
        allow.push_str(&format!("!{file}\n"));
    }
    let mut out = String::new();
    let mut allowed = false;
    for line in proposed.lines() {
        let trimmed = line.trim();
        // After the file's header comment, before its first pattern.
        if !allowed && !trimmed.starts_with('#') {
            out.push_str(&allow);
            allowed = true;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // `**/x` stays "anywhere in the folder", as in the narrowed file.
        let (bang, pattern) = negation(trimmed);
        out.push_str(&format!("{bang}{folder}/{pattern}\n"));
    }
    if !allowed {
        out.push_str(&allow);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    const BACKEND: &str = "FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY backend/requirements.txt .\nRUN pip install -r requirements.txt\nFROM python:3.11-slim\nCOPY --from=builder /root/.local /root/.local\nCOPY backend/ .\nCMD [\"uvicorn\", \"app.main:app\"]\n";

    fn files() -> Vec<(&'static str, &'static str)> {
        vec![
            ("backend/requirements.txt", "fastapi\n"),
            ("backend/app/main.py", "app = 1\n"),
            ("frontend/package.json", "{}\n"),
            ("docker/backend/Dockerfile", BACKEND),
        ]
    }

    #[test]
    fn the_folder_every_source_lies_in_is_the_project() {
        let (_dir, repo) = temp_repo(&files());
        let df = Dockerfile::parse(BACKEND, "docker/backend/Dockerfile").unwrap();
        assert_eq!(
            folder_of(&df, &repo),
            Some(ProjectFolder {
                folder: "backend".into(),
                carried: vec![]
            })
        );
    }

    #[test]
    fn a_source_outside_the_folder_keeps_the_whole_context() {
        let (_dir, repo) = temp_repo(&files());
        let text = BACKEND.replace("COPY backend/ .", "COPY backend/ .\nCOPY shared/ ./shared");
        let df = Dockerfile::parse(&text, "Dockerfile").unwrap();
        assert_eq!(folder_of(&df, &repo), None);
        let whole = Dockerfile::parse("FROM python:3.11\nCOPY . .\n", "Dockerfile").unwrap();
        assert_eq!(folder_of(&whole, &repo), None);
    }

    /// An entrypoint kept beside the Dockerfile is carried into the image
    /// from outside the project's folder: the folder is still the project,
    /// the file is named from it in the narrowed reading and comes back as
    /// written, and the image's own ignore file lets it through. A folder
    /// or a manifest from outside is not carried: two folders make the
    /// image, and the whole context stays its project.
    #[test]
    fn files_carried_from_outside_keep_the_folder_the_project() {
        let mut files = files();
        files.push(("docker/backend/entrypoint.sh", "#!/bin/sh\nexec \"$@\"\n"));
        files.push(("shared/lib.py", "x = 1\n"));
        let (_dir, repo) = temp_repo(&files);
        let text = BACKEND.replace(
            "COPY backend/ .\n",
            "COPY backend/ .\nCOPY ./docker/backend/entrypoint.sh /entrypoint.sh\n",
        );
        let df = Dockerfile::parse(&text, "docker/backend/Dockerfile").unwrap();
        assert_eq!(
            folder_of(&df, &repo),
            Some(ProjectFolder {
                folder: "backend".into(),
                carried: vec!["docker/backend/entrypoint.sh".into()]
            })
        );
        let narrowed = narrow_dockerfile(&df, "backend");
        assert!(narrowed.contains("COPY ../docker/backend/entrypoint.sh /entrypoint.sh\n"));
        assert_eq!(
            widen_dockerfile(&df, &narrowed, &narrowed, "backend").unwrap(),
            text
        );
        let proposed = narrowed.replace(
            "COPY ../docker/backend/entrypoint.sh /entrypoint.sh\n",
            "COPY --chmod=755 ../docker/backend/entrypoint.sh /entrypoint.sh\n",
        );
        let widened = widen_dockerfile(&df, &narrowed, &proposed, "backend").unwrap();
        assert!(
            widened.contains("COPY --chmod=755 docker/backend/entrypoint.sh /entrypoint.sh\n"),
            "{widened}"
        );
        let carried = vec!["docker/backend/entrypoint.sh".to_string()];
        let ignore = widen_ignore("tests\n", "backend", &carried);
        assert_eq!(
            ignore,
            "# Built from the repository root, this image takes only backend/ and docker/backend/entrypoint.sh from it.\n*\n!backend/\n!docker/backend/entrypoint.sh\nbackend/tests\n"
        );
        assert_eq!(narrow_ignore(&ignore, "backend"), "tests\n");
        for outside in [
            "COPY shared/ ./shared\n",
            "COPY shared/lib.py ./shared/\n",
            "COPY docker/backend/entrypoint.sh /entrypoint.sh\nCOPY requirements.txt /r.txt\n",
        ] {
            let mut files = files.clone();
            files.push(("shared/setup.py", "\n"));
            files.push(("requirements.txt", "flask\n"));
            let (_dir, repo) = temp_repo(&files);
            let text = BACKEND.replace("COPY backend/ .\n", &format!("COPY backend/ .\n{outside}"));
            let df = Dockerfile::parse(&text, "Dockerfile").unwrap();
            assert_eq!(folder_of(&df, &repo), None, "{outside}");
        }
    }

    #[test]
    fn a_folder_without_a_manifest_is_not_a_project() {
        let (_dir, repo) = temp_repo(&[("static/index.html", "<p>\n")]);
        let df = Dockerfile::parse(
            "FROM nginx\nCOPY static/ /usr/share/nginx/html\n",
            "Dockerfile",
        )
        .unwrap();
        assert_eq!(folder_of(&df, &repo), None);
    }

    #[test]
    fn narrowing_keeps_the_lines_and_widening_restores_them() {
        let df = Dockerfile::parse(BACKEND, "docker/backend/Dockerfile").unwrap();
        let narrowed = narrow_dockerfile(&df, "backend");
        assert!(narrowed.contains("COPY requirements.txt .\n"));
        assert!(narrowed.contains("COPY . .\n"));
        assert_eq!(narrowed.lines().count(), BACKEND.lines().count());
        // Untouched: the original, byte for byte.
        assert_eq!(
            widen_dockerfile(&df, &narrowed, &narrowed, "backend").unwrap(),
            BACKEND
        );
        // A fix's lines get the prefix on their sources only.
        let proposed = narrowed.replace(
            "COPY . .\n",
            "COPY --chown=10001:10001 . .\nCOPY app/static /srv/static\n",
        );
        let widened = widen_dockerfile(&df, &narrowed, &proposed, "backend").unwrap();
        assert!(
            widened.contains("COPY backend/requirements.txt .\n"),
            "{widened}"
        );
        assert!(
            widened.contains("COPY --chown=10001:10001 backend/ .\n"),
            "{widened}"
        );
        assert!(
            widened.contains("COPY backend/app/static /srv/static\n"),
            "{widened}"
        );
        assert!(widened.contains("COPY --from=builder /root/.local /root/.local\n"));
    }

    #[test]
    fn ignore_patterns_move_with_the_folder() {
        let narrowed = narrow_ignore(
            "# junk\nnode_modules\nbackend/tests\n**/__pycache__\n!backend/tests/fixtures\nfrontend/.next\n",
            "backend",
        );
        assert_eq!(narrowed, "# junk\ntests\n**/__pycache__\n!tests/fixtures\n");
        // What widening wrote narrows back to what it widened.
        let proposal = "# Generated\n\n# Caches\nx\n";
        assert_eq!(
            narrow_ignore(&widen_ignore(proposal, "backend", &[]), "backend"),
            proposal
        );
        let widened = widen_ignore("tests/\n**/*.pyc\n!tests/fixtures\n", "backend", &[]);
        let headed = widen_ignore("# Generated\n\n# Caches\nx\n", "backend", &[]);
        assert!(headed.starts_with("# Generated\n# Built from"), "{headed}");
        assert!(headed.ends_with("\n# Caches\nbackend/x\n"), "{headed}");
        assert_eq!(
            widened,
            "# Built from the repository root, this image takes only backend/ from it.\n*\n!backend/\nbackend/tests/\nbackend/**/*.pyc\n!backend/tests/fixtures\n"
        );
    }
}
