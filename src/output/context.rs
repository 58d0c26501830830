//! The `dockslim context` report: what Docker sends today and with the
//! proposed .dockerignore, the heaviest folders and files, which line leaves
//! out each excluded byte, and the secrets in the context.
//!
//! JSON schema `dockslim-context/1`: `{schema, repository, today, proposed,
//! proposal_unavailable, largest_folders, largest_files, secrets,
//! unreadable}` where `today` and `proposed` are `{ignore_file, sent_files,
//! sent_bytes, excluded_files, excluded_bytes, by_line: [{line, pattern,
//! files, bytes}]}`.

use std::io::Write;

use anstyle::Style;
use serde::Serialize;

use super::escape::printable;
use crate::repo::context::{Measure, Weight};
use crate::rules::Finding;
use crate::units::human_bytes;

#[derive(Debug, Serialize)]
pub struct Side {
    /// The ignore file this side is measured with (`null`: none).
    pub ignore_file: Option<String>,
    #[serde(flatten)]
    pub measure: Measure,
}

#[derive(Debug, Serialize)]
pub struct ContextReport {
    pub schema: &'static str,
    pub repository: String,
    pub today: Side,
    pub proposed: Option<Side>,
    /// Why there is no proposal, when there is none.
    pub proposal_unavailable: Option<String>,
    pub largest_folders: Vec<Weight>,
    pub largest_files: Vec<Weight>,
    pub secrets: Vec<Finding>,
    /// Entries the walk could not read: Docker fails a build on these.
    pub unreadable: Vec<(String, String)>,
}

impl ContextReport {
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises") + "\n"
    }

    pub fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let bold = Style::new().bold();
        writeln!(
            out,
            "{bold}dockslim context{bold:#} {}",
            printable(&self.repository)
        )?;
        writeln!(out)?;
        writeln!(out, "  {:<22} {:>9} {:>11}", "", "files", "bytes")?;
        let t = &self.today.measure;
        writeln!(
            out,
            "  {:<22} {:>9} {:>11}   ({})",
            "sent today",
            t.sent_files,
            human_bytes(t.sent_bytes),
            self.today
                .ignore_file
                .as_deref()
                .map_or("no .dockerignore".to_string(), |f| format!(
                    "with {}",
                    printable(f)
                ))
        )?;
        match &self.proposed {
            Some(p) => {
                let m = &p.measure;
                writeln!(
                    out,
                    "  {:<22} {:>9} {:>11}   (saves {} in {} files)",
                    "sent with the proposal",
                    m.sent_files,
                    human_bytes(m.sent_bytes),
                    human_bytes(t.sent_bytes.saturating_sub(m.sent_bytes)),
                    t.sent_files.saturating_sub(m.sent_files)
                )?;
            }
            None => writeln!(
                out,
                "  no proposal: {}",
                printable(
                    self.proposal_unavailable
                        .as_deref()
                        .unwrap_or("unknown reason")
                )
            )?,
        }
        let weights = |out: &mut dyn Write, title: &str, list: &[Weight]| -> std::io::Result<()> {
            if list.is_empty() {
                return Ok(());
            }
            writeln!(out)?;
            writeln!(out, "{bold}{title}{bold:#}")?;
            for w in list {
                let files = if w.path.ends_with('/') {
                    crate::units::files(w.files)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "  {:>11}  {:<40} {files}",
                    human_bytes(w.bytes),
                    printable(&w.path)
                )?;
            }
            Ok(())
        };
        weights(out, "Largest folders sent today", &self.largest_folders)?;
        weights(out, "Largest files sent today", &self.largest_files)?;
        for (title, side) in [
            ("today's", Some(&self.today)),
            ("the proposed", self.proposed.as_ref()),
        ] {
            let Some(side) = side else { continue };
            let Some(file) = &side.ignore_file else {
                continue;
            };
            writeln!(out)?;
            writeln!(
                out,
                "{bold}What each line of {title} {} leaves out{bold:#}",
                printable(file)
            )?;
            writeln!(
                out,
                "  {:>5}  {:<36} {:>7} {:>11}",
                "line", "pattern", "files", "bytes"
            )?;
            let (hits, idle): (Vec<_>, Vec<_>) =
                side.measure.by_line.iter().partition(|l| l.files > 0);
            for l in hits {
                writeln!(
                    out,
                    "  {:>5}  {:<36} {:>7} {:>11}",
                    l.line,
                    printable(&l.pattern),
                    l.files,
                    human_bytes(l.bytes)
                )?;
            }
            if !idle.is_empty() {
                writeln!(
                    out,
                    "  ({} more lines match nothing in this repository; --format json lists them)",
                    idle.len()
                )?;
            }
        }
        if !self.secrets.is_empty() {
            writeln!(out)?;
            writeln!(out, "{bold}Secrets in the context{bold:#}")?;
            for f in &self.secrets {
                writeln!(
                    out,
                    "  {} {} {}: {}",
                    f.severity.name(),
                    f.rule,
                    printable(&f.location()),
                    printable(&f.message)
                )?;
            }
        }
        if !self.unreadable.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "{bold}Unreadable (Docker fails the build on these){bold:#}"
            )?;
            for (path, why) in &self.unreadable {
                writeln!(out, "  {}: {}", printable(path), printable(why))?;
            }
        }
        Ok(())
    }
}
