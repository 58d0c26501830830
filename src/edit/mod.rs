//! The Dockerfile-edit engine: how `rewrite` changes a Dockerfile the user
//! already has.
//!
//! The user's file is edited, never regenerated. Each change is the fix of
//! one rule's finding, computed by that rule (`Rule::fix`, in the rule's own
//! file) on the parsed Dockerfile, as byte-range edits. A fix whose
//! preconditions fail says why instead (`Outcome::Blocked`), its finding
//! stays in the report, and the other fixes go ahead.
//!
//! Fixes are applied in rounds, as ruff applies its fixes: every selected
//! rule proposes its fixes on the current text; those that do not overlap a
//! fix of a rule earlier in `FIX_ORDER` are applied; the text is parsed
//! again and the next round starts, until no rule has anything left to fix.
//! So a fix always sees what the fixes before it made (DS313 chooses the
//! slim base only after DS301 has moved the compiler into a builder stage),
//! and overlapping fixes never garble each other.
//!
//! Every byte of the output is tracked back to the user's file or to the
//! fix that wrote it (`provenance`), so the report can name, for every line
//! that changed, the fix that changed it; every other line stays byte for
//! byte.

pub mod builder;
pub mod facts;
pub mod node_runtime;
pub mod provenance;
pub mod pyproject;
pub mod server;
pub mod text;

use serde::Serialize;

use crate::dockerfile::stages::StageGraph;
use crate::dockerfile::{Dockerfile, Span};
use crate::error::{Error, Result};
use crate::plan::Inputs;
use crate::rules::{self, RuleId};
use provenance::Tracked;

/// Whether applying a fix can change what the image does, in ruff's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// The image does the same work with the same inputs: only its size,
    /// its layers or its build cache change.
    Safe,
    /// The image can behave differently (another base, user, command or
    /// set of packages); the README says what each such fix risks.
    Unsafe,
}

impl Safety {
    pub fn name(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// Replace `range` of the current text with `text` (an insertion when the
/// range is empty, a deletion when the text is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Span,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            text: text.into(),
        }
    }

    pub fn delete(range: Span) -> Edit {
        Edit {
            range,
            text: String::new(),
        }
    }

    pub fn replace(range: Span, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }
}

/// Another file a fix writes or changes (nginx.conf, next.config.js,
/// pyproject.toml), whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    /// Repository-relative path.
    pub path: String,
    pub text: String,
    /// A command the user runs before building (`uv lock` after a
    /// pyproject.toml edit).
    pub before_build: Option<String>,
}

/// One rule's fix of one finding, as edits of the current text.
#[derive(Debug, Clone)]
pub struct Fix {
    pub rule: RuleId,
    /// The line of the current text the fix is about.
    pub line: usize,
    /// What it does, short: "python:3.12 -> python:3.12-slim".
    pub title: String,
    /// Why, and what it keeps.
    pub reason: String,
    pub safety: Safety,
    pub edits: Vec<Edit>,
    pub files: Vec<FileWrite>,
    /// It adds a stage or changes which stage is the image: the other
    /// fixes wait for the next round, where they see the new shape.
    pub reshapes: bool,
}

/// A fix that could not be made, and why; the finding stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    pub rule: RuleId,
    /// The line of the user's file it is about, when it is about one.
    pub line: Option<usize>,
    pub why: String,
}

impl Blocked {
    /// `line 5`, or `the file`.
    pub fn where_(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}"),
            None => "the file".into(),
        }
    }
}

pub enum Outcome {
    Fix(Fix),
    Blocked(Blocked),
}

/// What a rule's fix reads: the current text, parsed, and everything the
/// analysis found.
pub struct FixContext<'a> {
    /// The Dockerfile as the fixes so far left it.
    pub df: &'a Dockerfile,
    pub graph: StageGraph,
    /// The user's Dockerfile, for facts the fixes must keep (its EXPOSE,
    /// its command), which a fix may have moved in `df`.
    pub original: &'a Dockerfile,
    pub inputs: &'a Inputs<'a>,
    /// Files earlier fixes already write, so a fix builds on them.
    pub files: &'a [FileWrite],
    /// A folder of templates that override the built-in ones.
    pub templates_dir: Option<&'a std::path::Path>,
}

impl<'a> FixContext<'a> {
    /// The stages whose layers are the image: the target and its FROM
    /// ancestors, nearest first. Size fixes work here and nowhere else, so
    /// a builder, test or development stage stays as the user wrote it.
    pub fn shipped(&self) -> Vec<&'a crate::dockerfile::Stage> {
        self.graph
            .shipped()
            .into_iter()
            .map(|i| &self.df.stages[i])
            .collect()
    }

    /// The instruction of this kind that counts for the image: the last one
    /// in the target's stage chain (CMD, ENTRYPOINT, HEALTHCHECK, USER...).
    pub fn effective(
        &self,
        keyword: crate::dockerfile::Keyword,
    ) -> Option<&'a crate::dockerfile::Instruction> {
        self.shipped()
            .into_iter()
            .find_map(|s| s.instructions.iter().rev().find(|i| i.keyword == keyword))
    }

    /// The rules' view of the current text, for a fix that asks its own
    /// rule whether there is still something to fix.
    pub fn rules_context(&self) -> rules::Context<'_> {
        rules::Context {
            repo: self.inputs.repo,
            profile: self.inputs.profile,
            project: Some(self.inputs.project),
            dockerfile: Some(self.df),
            ignore: self.inputs.ignore,
            ignore_file: "",
            context: self.inputs.context,
            secrets: self.inputs.secrets,
            config: self.inputs.config,
        }
    }

    /// The stage the image is built from.
    pub fn target(&self) -> &'a crate::dockerfile::Stage {
        &self.df.stages[self.graph.target]
    }

    pub fn writer(&self) -> text::Writer<'a> {
        text::Writer::new(self.df)
    }

    /// The user an instruction runs as: the last USER before it in its
    /// stage chain, or `None` for root.
    pub fn user_at(&self, inst: &crate::dockerfile::Instruction) -> Option<String> {
        let stage = self.df.stage_at_line(inst.line)?;
        for index in self.graph.chain(stage.index) {
            let user = self.df.stages[index]
                .instructions
                .iter()
                .rfind(|i| i.keyword == crate::dockerfile::Keyword::User && i.line < inst.line);
            if let Some(u) = user {
                let name = u.text().trim();
                let who = name.split(':').next().unwrap_or(name);
                return (!matches!(who, "root" | "0")).then(|| name.to_string());
            }
        }
        None
    }

    /// The file already needs BuildKit (a `RUN --mount`, a heredoc, a
    /// `# syntax=` line), so a fix may use its features too.
    pub fn uses_buildkit(&self) -> bool {
        self.original.syntax_directive.is_some()
            || self
                .original
                .instructions()
                .any(|i| i.flags.iter().any(|f| f.name == "mount") || !i.heredocs().is_empty())
    }

    /// A blocked outcome for a rule, about a line of the current text.
    pub fn blocked(&self, rule: RuleId, line: Option<usize>, why: impl Into<String>) -> Outcome {
        Outcome::Blocked(Blocked {
            rule,
            line,
            why: why.into(),
        })
    }

    /// The text another fix already writes for a file, else what is on disk.
    pub fn file_text(&self, path: &str) -> Result<Option<String>> {
        if let Some(f) = self.files.iter().rev().find(|f| f.path == path) {
            return Ok(Some(f.text.clone()));
        }
        self.inputs.repo.read_text(path)
    }
}

/// Which fixes run: `--only`, `--skip`, `--safe-only` and the
/// configuration's `fixes`, `skip-fixes` and `unsafe-fixes`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<RuleId>,
    pub skip: Vec<RuleId>,
    pub safe_only: bool,
}

impl Selection {
    pub fn allows(&self, rule: RuleId, safety: Safety) -> bool {
        (self.only.is_empty() || self.only.contains(&rule))
            && !self.skip.contains(&rule)
            && !(self.safe_only && safety == Safety::Unsafe)
    }

    /// Why a rule's fix is not applied, when the selection is the reason.
    fn refusal(&self, rule: RuleId, safety: Safety) -> Option<String> {
        if self.skip.contains(&rule) {
            Some("skipped by --skip or skip-fixes".into())
        } else if !self.only.is_empty() && !self.only.contains(&rule) {
            Some("not among the fixes --only or `fixes` selects".into())
        } else if self.safe_only && safety == Safety::Unsafe {
            Some("can change what the image does, and only safe fixes were asked for".into())
        } else {
            None
        }
    }
}

/// A fix as applied, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub rule: RuleId,
    pub title: String,
    pub reason: String,
    pub safety: Safety,
    /// What an unsafe fix risks (the rule's documentation).
    pub risk: &'static str,
    /// Other files it writes.
    pub files: Vec<String>,
    /// Lines of the user's file this fix changed, removed or wrote beside.
    pub original_lines: Vec<usize>,
    /// Lines of the output that hold text this fix wrote.
    pub output_lines: Vec<usize>,
}

impl Applied {
    /// The fix as a reason beside the diff.
    pub fn decision(&self) -> crate::plan::Decision {
        let risk = match self.safety {
            Safety::Unsafe if !self.risk.is_empty() => {
                format!(" (unsafe: {})", self.risk.trim_end_matches('.'))
            }
            Safety::Unsafe => " (unsafe: it can change what the image does)".to_string(),
            Safety::Safe => String::new(),
        };
        crate::plan::Decision {
            file: "Dockerfile".into(),
            topic: crate::plan::Topic::Fix(self.rule),
            choice: self.title.clone(),
            reason: format!("{}{risk}", self.reason),
            fixes: vec![self.rule],
        }
    }
}

/// The edited Dockerfile and what was done to it.
pub struct Rewritten {
    /// The new text, on disk form (byte order mark kept).
    pub text: String,
    pub applied: Vec<Applied>,
    pub blocked: Vec<Blocked>,
    /// Other files the fixes write.
    pub files: Vec<FileWrite>,
}

/// The line of a RUN whose shell does not parse that `fix` edits inside:
/// text put there may land in an unclosed quote or backtick and mean
/// something else (found by fuzzing: such inserts also never settled).
/// Moving or removing the whole instruction is not editing inside it.
fn edits_unparsed_script(df: &Dockerfile, fix: &Fix) -> Option<usize> {
    df.stages
        .iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| i.script.as_ref().is_some_and(|s| !s.clean))
        .find(|i| {
            fix.edits.iter().any(|e| {
                // Text put at the end that starts a new line is a new
                // instruction to Docker, whatever the shell's quotes.
                let new_line = e.range.start == i.span.end && e.text.starts_with(['\n', '\r']);
                let inside = e.range.start > i.span.start && e.range.start <= i.span.end;
                let whole = e.range.start <= i.span.start && e.range.end >= i.span.end;
                inside && !whole && !new_line
            })
        })
        .map(|i| i.line)
}

/// At most this many rounds: each fix makes its own finding go away, so a
/// real file settles in a few; the bound keeps a bug from looping forever.
const MAX_ROUNDS: usize = 12;

/// Edits `original` with every selected fix, round by round.
pub fn rewrite(
    original: &Dockerfile,
    inputs: &Inputs,
    selection: &Selection,
    templates_dir: Option<&std::path::Path>,
) -> Result<Rewritten> {
    let mut tracked = Tracked::new(&original.text);
    let mut applied: Vec<(Fix, usize)> = Vec::new();
    let mut files: Vec<FileWrite> = Vec::new();
    let mut blocked: Vec<Blocked> = Vec::new();
    let mut current = original.clone();
    for round in 0.. {
        if round == MAX_ROUNDS {
            return Err(Error::bug(format!(
                "the fixes of {} did not settle in {MAX_ROUNDS} rounds",
                original.path
            )));
        }
        let cx = FixContext {
            df: &current,
            graph: StageGraph::of(&current),
            original,
            inputs,
            files: &files,
            templates_dir,
        };
        let mut round_fixes: Vec<Fix> = Vec::new();
        blocked.clear();
        // Fixes name lines of this round's text; the report names the
        // user's lines.
        let user_lines = |text: &str| tracked_lines(&tracked, text);
        for rule in rules::fix_order() {
            let doc = rule.doc();
            for outcome in rule.fix(&cx) {
                match outcome {
                    Outcome::Fix(mut fix) => {
                        fix.title = user_lines(&fix.title);
                        fix.reason = user_lines(&fix.reason);
                        if let Some(line) = edits_unparsed_script(&current, &fix) {
                            blocked.push(Blocked {
                                rule: doc.id,
                                line: Some(line),
                                why: "the RUN's shell does not parse (an unclosed quote, backtick or bracket?): dockslim does not edit inside it".into(),
                            });
                            continue;
                        }
                        match selection.refusal(doc.id, fix.safety) {
                            None => round_fixes.push(fix),
                            Some(why) => blocked.push(Blocked {
                                rule: doc.id,
                                line: Some(fix.line),
                                why,
                            }),
                        }
                    }
                    Outcome::Blocked(mut b) => {
                        b.why = user_lines(&b.why);
                        blocked.push(b);
                    }
                }
            }
        }
        let chosen = non_overlapping(round_fixes);
        if chosen.is_empty() {
            break;
        }
        // The round's fixes touch different bytes, so their edits, all in
        // coordinates of this round's text, are applied in one pass.
        let mut batch = Vec::new();
        for fix in chosen {
            let index = applied.len();
            batch.extend(fix.edits.iter().map(|e| (e.clone(), index)));
            for f in &fix.files {
                files.retain(|g| g.path != f.path);
                files.push(f.clone());
            }
            applied.push((fix, index));
        }
        tracked.apply(&batch)?;
        current = Dockerfile::parse(tracked.text(), &original.path)
            .map_err(|e| Error::bug(format!("a fix left {} unreadable ({e})", original.path)))?;
        current.bom = original.bom;
        current.target = original.target.clone();
    }
    // Blocked outcomes name lines of the current text; the report names the
    // user's lines, so map them back where the line is the user's.
    for b in &mut blocked {
        if let Some(l) = b.line {
            b.line = tracked.original_line(l);
            if b.line.is_none() {
                b.why = format!(
                    "in text the fixes wrote (line {l} of the proposal): {}",
                    b.why
                );
            }
        }
    }
    blocked.sort_by_key(|b| (b.rule, b.line));
    blocked.dedup();
    let claims = tracked.claims(applied.len());
    let applied = applied
        .into_iter()
        .map(|(fix, index)| Applied {
            rule: fix.rule,
            risk: rules::find(fix.rule.as_str()).map_or("", |r| r.doc().fix_risk),
            files: fix.files.iter().map(|f| f.path.clone()).collect(),
            title: fix.title,
            reason: fix.reason,
            safety: fix.safety,
            original_lines: claims[index].0.clone(),
            output_lines: claims[index].1.clone(),
        })
        .collect();
    Ok(Rewritten {
        text: current.file_text(),
        applied,
        blocked,
        files,
    })
}

/// `line N` of the current text as the user's line (`line 12`), or as
/// the proposal's when the fixes wrote that line.
fn tracked_lines(tracked: &Tracked, text: &str) -> String {
    static LINE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\bline (\d+)\b").unwrap());
    LINE.replace_all(text, |c: &regex::Captures| {
        let n: usize = c[1].parse().unwrap_or(0);
        match tracked.original_line(n) {
            Some(o) => format!("line {o}"),
            None => format!("line {n} of the proposal"),
        }
    })
    .into_owned()
}

/// The fixes of one round that can be applied together: in rule order, each
/// fix whose edits touch nothing an earlier chosen fix touches. A fix that
/// reshapes the stages is applied alone; the install hygiene ([`rules::FIRST`])
/// before everything else.
fn non_overlapping(fixes: Vec<Fix>) -> Vec<Fix> {
    // The user and the healthcheck depend on what the image finally holds
    // (the folders it writes, its port): they wait until nothing else
    // changes.
    let others = fixes.iter().any(|f| !rules::LAST.contains(&f.rule));
    // The install hygiene goes first, alone, so that a builder stage takes
    // over clean steps.
    let first = fixes.iter().any(|f| rules::FIRST.contains(&f.rule));
    let fixes = fixes
        .into_iter()
        .filter(|f| !others || !rules::LAST.contains(&f.rule))
        .filter(|f| !first || rules::FIRST.contains(&f.rule));
    let mut chosen: Vec<Fix> = Vec::new();
    for fix in fixes {
        if chosen.first().is_some_and(|c| c.reshapes) {
            break;
        }
        if fix.reshapes && !chosen.is_empty() {
            continue;
        }
        let clashes = chosen.iter().any(|c| {
            c.edits
                .iter()
                .any(|a| fix.edits.iter().any(|b| overlaps(&a.range, &b.range)))
                || c.files
                    .iter()
                    .any(|f| fix.files.iter().any(|g| g.path == f.path))
        });
        if !clashes {
            chosen.push(fix);
        }
    }
    chosen
}

/// Two ranges touch the same bytes, or insert at the same point.
fn overlaps(a: &Span, b: &Span) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return a.start > b.start && a.start < b.end;
    }
    if b.is_empty() {
        return b.start > a.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_rules() {
        assert!(overlaps(&(3..5), &(4..6)));
        assert!(!overlaps(&(3..5), &(5..6)));
        assert!(overlaps(&(4..4), &(3..5)));
        assert!(!overlaps(&(5..5), &(3..5)));
        assert!(overlaps(&(5..5), &(5..5)));
        assert!(!overlaps(&(5..5), &(6..6)));
    }
}
