//! Text the fixes write that is ours, not the user's: an apt install in the
//! form the templates use; and the builder stage made of the user's own
//! install steps that DS301 (pip) and DS314 (uv, Poetry) extract.
//!
//! An extraction decides, for each instruction of the image's stage, whether
//! it stays in the image (`Keep`), is copied into the builder too (`Both`:
//! ENV, ARG, WORKDIR, SHELL before the install), or moves there (`Move`: the
//! install and what only it needs). The builder starts with the stage's own
//! FROM under a free name; the image gets a COPY of what the install made.

use super::text::Writer;
use super::{Edit, FixContext};
use crate::dockerfile::{Instruction, Keyword, Stage};

/// What one instruction of the image's stage becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Stays in the image only.
    Keep,
    /// Copied into the builder too.
    Both,
    /// Moves to the builder.
    Move,
}

/// A builder stage in the making, for one stage of the image.
pub struct Extraction<'a> {
    pub cx: &'a FixContext<'a>,
    pub stage: &'a Stage,
    pub steps: Vec<(&'a Instruction, Step)>,
    pub edits: Vec<Edit>,
}

impl<'a> Extraction<'a> {
    pub fn new(cx: &'a FixContext<'a>, stage: &'a Stage) -> Extraction<'a> {
        Extraction {
            cx,
            stage,
            steps: stage.instructions.iter().map(|i| (i, Step::Keep)).collect(),
            edits: Vec::new(),
        }
    }

    pub fn set(&mut self, inst: &Instruction, step: Step) {
        if let Some(s) = self.steps.iter_mut().find(|(i, _)| std::ptr::eq(*i, inst)) {
            s.1 = step;
        }
    }

    pub fn step_of(&self, inst: &Instruction) -> Step {
        self.steps
            .iter()
            .find(|(i, _)| std::ptr::eq(*i, inst))
            .map_or(Step::Keep, |s| s.1)
    }

    /// ARG, ENV, WORKDIR and SHELL before the install shape it: the builder
    /// gets them too.
    pub fn share_environment(&mut self, before_line: usize) {
        let shared: Vec<&'a Instruction> = self
            .stage
            .instructions
            .iter()
            .filter(|i| i.line < before_line)
            .filter(|i| {
                matches!(
                    i.keyword,
                    Keyword::Arg | Keyword::Env | Keyword::Workdir | Keyword::Shell
                )
            })
            .collect();
        for inst in shared {
            self.set(inst, Step::Both);
        }
    }

    /// The first instruction that moves.
    pub fn first_moved(&self) -> Option<&'a Instruction> {
        self.steps
            .iter()
            .find(|(_, s)| *s == Step::Move)
            .map(|(i, _)| *i)
    }

    /// The builder's text: the stage's FROM under `name`, then every shared
    /// or moved step as written, with `ours` (our own lines) before the
    /// instruction each names.
    pub fn builder_text(&self, name: &str, ours: &[(&Instruction, String)]) -> String {
        let w = Writer::new(self.cx.df);
        let from = &self.stage.from;
        let mut out = String::from("FROM ");
        for f in &from.flags {
            out.push_str(&self.cx.df.text[f.span.clone()]);
            out.push(' ');
        }
        out.push_str(&self.stage.image);
        out.push_str(&format!(" AS {name}\n"));
        for (inst, step) in &self.steps {
            for (before, text) in ours {
                if std::ptr::eq(*before, *inst) && !text.is_empty() {
                    out.push_str(text);
                    if !text.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
            if *step != Step::Keep {
                out.push_str(&w.moved_text(inst).replace("\r\n", "\n"));
            }
        }
        out
    }

    /// The edits: the builder before the stage, the moved steps gone from
    /// it, and `copy` (what the image takes from the builder) before
    /// `anchor`.
    pub fn finish(mut self, builder: &str, copy: &str, anchor: &Instruction) -> Vec<Edit> {
        let w = self.cx.writer();
        self.edits
            .push(w.insert_before(&self.stage.from, &format!("{builder}\n")));
        for (inst, step) in &self.steps {
            if *step == Step::Move {
                self.edits.push(w.delete(inst));
            }
        }
        self.edits.push(w.insert_before(anchor, copy));
        self.edits
    }
}

/// One RUN that installs Debian packages without recommends and leaves no
/// package lists behind (the templates' `apt_install`).
pub fn apt_install_run(packages: &[&str]) -> String {
    let mut out =
        String::from("RUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n");
    for p in packages {
        out.push_str(&format!("      {p} \\\n"));
    }
    out.push_str(" && rm -rf /var/lib/apt/lists/*");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_install_reads_like_the_templates() {
        assert_eq!(
            apt_install_run(&["libpq5", "curl"]),
            "RUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      libpq5 \\\n      curl \\\n && rm -rf /var/lib/apt/lists/*"
        );
    }
}
