//! Reports: plain text for terminals, JSON with a versioned schema for
//! tools, Markdown ready to post as a pull-request comment.
//!
//! JSON schema `dockslim-report/1`, documented field by field in the README:
//! `{schema, command, repository, detected: [{what, value}], findings:
//! [{rule, name, severity, file, line, message, fix, bytes}], files: [{path,
//! status, reasons: [{file, topic, choice, reason, fixes}], diff}], changed:
//! [string]}`. Fields are only ever added within a schema version.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::escape::{printable, printable_lines};
use super::FileChange;
use crate::rules::{Finding, Severity};
use crate::units::human_bytes;

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub command: String,
    pub repository: String,
    pub detected: Vec<Detected>,
    pub findings: Vec<Finding>,
    pub files: Vec<FileReport>,
    /// What the proposal changes that can change what the image does (its
    /// unsafe fixes), each with what it risks.
    pub changed: Vec<String>,
    /// The fixes the edit of an existing Dockerfile applied.
    pub fixes: Vec<crate::edit::Applied>,
    /// Fixes that could not be made, and why; their findings stay.
    pub not_fixed: Vec<crate::edit::Blocked>,
    /// What the user should know that is not a finding.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Detected {
    pub what: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub status: &'static str,
    pub reasons: Vec<crate::plan::Decision>,
    pub diff: String,
}

impl Report {
    pub fn new(
        command: &str,
        repository: String,
        detected: Vec<Detected>,
        findings: Vec<Finding>,
        proposal: Option<&crate::Proposal>,
    ) -> Report {
        let changes: &[FileChange] = proposal.map_or(&[], |p| &p.changes);
        Report {
            schema: "dockslim-report/1",
            command: command.to_string(),
            repository,
            detected,
            findings,
            files: changes
                .iter()
                .map(|c| FileReport {
                    path: c.path.clone(),
                    status: c.status(),
                    reasons: c.reasons.clone(),
                    diff: c.unified_diff(),
                })
                .collect(),
            changed: proposal.map(|p| p.behaviour_changes()).unwrap_or_default(),
            fixes: proposal.map(|p| p.applied.clone()).unwrap_or_default(),
            not_fixed: proposal.map(|p| p.blocked.clone()).unwrap_or_default(),
            warnings: proposal.map(|p| p.warnings.clone()).unwrap_or_default(),
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises") + "\n"
    }

    /// Plain text; colour codes are stripped by the caller's stream when it
    /// is not a terminal or NO_COLOR is set. Everything that comes from the
    /// repository (paths, messages quoting its files, diffs) is made
    /// printable: a file name cannot recolour the terminal or forge a line.
    pub fn text(&self, out: &mut dyn Write, show_diff: bool) -> std::io::Result<()> {
        let bold = Style::new().bold();
        writeln!(
            out,
            "{bold}dockslim {}{bold:#} {}",
            self.command,
            printable(&self.repository)
        )?;
        writeln!(out)?;
        writeln!(out, "{bold}Detected{bold:#}")?;
        for d in &self.detected {
            writeln!(out, "  {:<14} {}", d.what, printable(&d.value))?;
        }
        writeln!(out)?;
        if self.findings.is_empty() {
            writeln!(out, "{bold}Findings{bold:#}: none")?;
        } else {
            writeln!(out, "{bold}Findings{bold:#} ({})", self.findings.len())?;
            for f in &self.findings {
                let style = severity_style(f.severity);
                let cost = f
                    .bytes
                    .map(|b| format!(" ({})", human_bytes(b)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {style}{:<7}{style:#} {} {:<26} {}: {}{cost}",
                    f.severity.name(),
                    f.rule,
                    f.name,
                    printable(&f.location()),
                    printable(&f.message)
                )?;
            }
        }
        for w in &self.warnings {
            writeln!(out)?;
            writeln!(out, "{bold}warning{bold:#}: {}", printable(w))?;
        }
        if !self.not_fixed.is_empty() {
            writeln!(out)?;
            writeln!(out, "{bold}Not fixed{bold:#} (the finding stays)")?;
            for b in &self.not_fixed {
                writeln!(
                    out,
                    "  {} {}: {}",
                    b.rule,
                    printable(&b.where_()),
                    printable(&b.why)
                )?;
            }
        }
        if !self.changed.is_empty() {
            writeln!(out)?;
            writeln!(out, "{bold}Can change what the image does{bold:#} (unsafe fixes; --safe-only leaves them out)")?;
            for c in &self.changed {
                writeln!(out, "  - {}", printable(c))?;
            }
        }
        if !show_diff {
            return Ok(());
        }
        for file in &self.files {
            writeln!(out)?;
            writeln!(
                out,
                "{bold}{} ({}){bold:#}",
                printable(&file.path),
                file.status
            )?;
            for r in &file.reasons {
                let fixes = if r.fixes.is_empty() {
                    String::new()
                } else {
                    format!(
                        " [fixes {}]",
                        r.fixes
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                writeln!(
                    out,
                    "  - {}: {}. {}{fixes}",
                    r.topic,
                    printable(&r.choice),
                    printable(&r.reason)
                )?;
            }
            if file.status != "unchanged" {
                writeln!(out)?;
                write_colored_diff(out, &file.diff)?;
            }
        }
        Ok(())
    }

    /// Markdown for a pull-request comment: findings table, then each file's
    /// reasons and its diff in a fenced block.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        md.push_str(&format!("## dockslim {}\n\n", self.command));
        md.push_str(
            &self
                .detected
                .iter()
                .map(|d| format!("**{}**: {}", d.what, escape_md(&d.value)))
                .collect::<Vec<_>>()
                .join(" · "),
        );
        md.push_str("\n\n");
        if self.findings.is_empty() {
            md.push_str("No findings.\n");
        } else {
            md.push_str(&format!("### Findings ({})\n\n| Severity | Rule | Where | What | Cost |\n|---|---|---|---|---|\n", self.findings.len()));
            for f in &self.findings {
                md.push_str(&format!(
                    "| {} | `{}` {} | `{}` | {} | {} |\n",
                    f.severity.name(),
                    f.rule,
                    f.name,
                    escape_md(&f.location()),
                    escape_md(&f.message),
                    f.bytes.map(human_bytes).unwrap_or_default()
                ));
            }
        }
        for w in &self.warnings {
            md.push_str(&format!("\n> **Warning**: {}\n", escape_md(w)));
        }
        if !self.not_fixed.is_empty() {
            md.push_str("\n### Not fixed\n\n");
            for b in &self.not_fixed {
                md.push_str(&format!(
                    "- `{}` {}: {}\n",
                    b.rule,
                    escape_md(&b.where_()),
                    escape_md(&b.why)
                ));
            }
        }
        if !self.changed.is_empty() {
            md.push_str("\n### Can change what the image does\n\n");
            for c in &self.changed {
                md.push_str(&format!("- {}\n", escape_md(c)));
            }
        }
        for file in &self.files {
            md.push_str(&format!(
                "\n### `{}` ({})\n\n",
                escape_md(&file.path),
                file.status
            ));
            for r in &file.reasons {
                let fixes = if r.fixes.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (fixes {})",
                        r.fixes
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                md.push_str(&format!(
                    "- **{}**: `{}`. {}{fixes}\n",
                    r.topic,
                    escape_md(&r.choice).replace('`', "'"),
                    escape_md(&r.reason)
                ));
            }
            if file.status != "unchanged" {
                // A fence longer than any run of backticks in the diff, so
                // that a line of the user's file cannot close it.
                let fence = "`".repeat(longest_backtick_run(&file.diff).max(2) + 1);
                md.push_str(&format!(
                    "\n{fence}diff\n{}{fence}\n",
                    printable_lines(&file.diff)
                ));
            }
        }
        md
    }
}

/// Text for one cell or line of Markdown: pipes escaped, controls (a
/// newline of a file name among them) written as escapes.
fn escape_md(text: &str) -> String {
    printable(&text.replace('|', "\\|")).into_owned()
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        Severity::Warning => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
    }
}

pub fn write_colored_diff(out: &mut dyn Write, diff: &str) -> std::io::Result<()> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            Style::new().bold()
        } else if line.starts_with('+') {
            green
        } else if line.starts_with('-') {
            red
        } else if line.starts_with("@@") {
            cyan
        } else {
            Style::new()
        };
        write!(
            out,
            "{style}{}{style:#}",
            printable(line.trim_end_matches('\n'))
        )?;
        if line.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}
