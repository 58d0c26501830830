//! Where every byte of the edited text came from: the user's file (and at
//! which offset) or the fix that wrote it. This is how the report can say,
//! for each changed line, which fix changed it, and how the tests check
//! that nothing else changed.

use crate::error::{line_of, Error, Result};

use super::Edit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// From the user's file, starting at this byte offset.
    Original(usize),
    /// Written by the fix with this index.
    Fix(usize),
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Where the piece starts in the current text.
    start: usize,
    len: usize,
    origin: Origin,
}

/// The current text and the origin of each of its bytes.
#[derive(Debug, Clone)]
pub struct Tracked {
    original: String,
    text: String,
    pieces: Vec<Piece>,
    /// (original line, fix): lines of the user's file a fix removed bytes
    /// from or wrote into the middle of.
    touched: Vec<(usize, usize)>,
}

impl Tracked {
    pub fn new(original: &str) -> Tracked {
        Tracked {
            original: original.to_string(),
            text: original.to_string(),
            pieces: vec![Piece {
                start: 0,
                len: original.len(),
                origin: Origin::Original(0),
            }]
            .into_iter()
            .filter(|p| p.len > 0)
            .collect(),
            touched: Vec::new(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Applies edits, each tagged with the fix that makes it, all in
    /// coordinates of the current text.
    pub fn apply(&mut self, edits: &[(Edit, usize)]) -> Result<()> {
        let mut edits: Vec<&(Edit, usize)> = edits.iter().collect();
        // Insertions before a deletion that starts at the same place; the
        // order within a fix is kept otherwise.
        edits.sort_by_key(|(e, _)| (e.range.start, !e.range.is_empty()));
        let mut prev_end = 0;
        for (e, _) in &edits {
            let bad = e.range.start < prev_end
                || e.range.end > self.text.len()
                || e.range.start > e.range.end
                || !self.text.is_char_boundary(e.range.start)
                || !self.text.is_char_boundary(e.range.end);
            if bad {
                return Err(Error::bug(format!(
                    "a fix made overlapping or out-of-range edits ({:?})",
                    e.range
                )));
            }
            prev_end = e.range.end;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut pieces = Vec::new();
        let mut pos = 0;
        for (e, fix) in edits {
            let fix = *fix;
            self.copy(pos..e.range.start, &mut text, &mut pieces);
            self.note_insertion(e, fix);
            for (orig, _) in self.original_bytes(e.range.clone()) {
                self.touched.push((line_of(&self.original, orig), fix));
            }
            if !e.text.is_empty() {
                pieces.push(Piece {
                    start: text.len(),
                    len: e.text.len(),
                    origin: Origin::Fix(fix),
                });
                text.push_str(&e.text);
            } else if !self.removes_whole_lines(&e.range) {
                // A deletion inside a line leaves the line changed: an empty
                // piece marks it as the fix's.
                pieces.push(Piece {
                    start: text.len(),
                    len: 0,
                    origin: Origin::Fix(fix),
                });
            }
            pos = e.range.end;
        }
        self.copy(pos..self.text.len(), &mut text, &mut pieces);
        self.text = text;
        self.pieces = pieces;
        self.touched.sort_unstable();
        self.touched.dedup();
        Ok(())
    }

    /// The range is whole lines (from a line start through a newline, or
    /// to the end of the text).
    fn removes_whole_lines(&self, range: &std::ops::Range<usize>) -> bool {
        let starts_line = range.start == 0 || self.text.as_bytes()[range.start - 1] == b'\n';
        let ends_line =
            range.end == self.text.len() || self.text.as_bytes()[range.end - 1] == b'\n';
        starts_line && ends_line && !range.is_empty()
    }

    /// Text written into the middle of a user's line changes that line.
    fn note_insertion(&mut self, e: &Edit, fix: usize) {
        if e.text.is_empty() {
            return;
        }
        let before = e
            .range
            .start
            .checked_sub(1)
            .and_then(|p| self.origin_at(p))
            .filter(|&o| self.original.as_bytes()[o] != b'\n');
        if let Some(o) = before {
            self.touched.push((line_of(&self.original, o), fix));
        }
        if !e.text.ends_with('\n') {
            if let Some(o) = self.origin_at(e.range.end) {
                self.touched.push((line_of(&self.original, o), fix));
            }
        }
    }

    /// The original offset of the current byte at `pos`, if it is the user's.
    fn origin_at(&self, pos: usize) -> Option<usize> {
        let i = self.piece_index(pos)?;
        match self.pieces[i].origin {
            Origin::Original(o) => Some(o + pos - self.pieces[i].start),
            Origin::Fix(_) => None,
        }
    }

    fn piece_index(&self, pos: usize) -> Option<usize> {
        let i = self.pieces.partition_point(|p| p.start + p.len <= pos);
        (i < self.pieces.len() && self.pieces[i].start <= pos).then_some(i)
    }

    /// The user's bytes in a range of the current text, as (original
    /// offset, length) runs.
    fn original_bytes(&self, range: std::ops::Range<usize>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for p in &self.pieces {
            let (s, e) = (p.start.max(range.start), (p.start + p.len).min(range.end));
            if s >= e {
                continue;
            }
            if let Origin::Original(o) = p.origin {
                out.push((o + s - p.start, e - s));
            }
        }
        out
    }

    /// Copies a range of the current text, with its origins, to the output.
    fn copy(&self, range: std::ops::Range<usize>, text: &mut String, pieces: &mut Vec<Piece>) {
        if range.is_empty() {
            return;
        }
        for p in &self.pieces {
            if p.len == 0 {
                // A deletion mark travels with the byte after it.
                let inside = p.start >= range.start && p.start < range.end
                    || p.start == range.end && range.end == self.text.len();
                if inside {
                    pieces.push(Piece {
                        start: text.len(),
                        len: 0,
                        origin: p.origin,
                    });
                }
                continue;
            }
            let (s, e) = (p.start.max(range.start), (p.start + p.len).min(range.end));
            if s >= e {
                continue;
            }
            let origin = match p.origin {
                Origin::Original(o) => Origin::Original(o + s - p.start),
                fix => fix,
            };
            pieces.push(Piece {
                start: text.len(),
                len: e - s,
                origin,
            });
            text.push_str(&self.text[s..e]);
        }
    }

    /// The user's line a line of the current text is, when it starts with
    /// the user's bytes.
    pub fn original_line(&self, line: usize) -> Option<usize> {
        let start = if line <= 1 {
            0
        } else {
            self.text
                .match_indices('\n')
                .nth(line - 2)
                .map(|(i, _)| i + 1)?
        };
        let o = self.origin_at(start)?;
        Some(line_of(&self.original, o))
    }

    /// For each fix: the user's lines it changed, and the output lines
    /// holding its text.
    pub fn claims(&self, fixes: usize) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut out = vec![(Vec::new(), Vec::new()); fixes];
        for &(line, fix) in &self.touched {
            if let Some(c) = out.get_mut(fix) {
                c.0.push(line);
            }
        }
        for p in &self.pieces {
            if let Origin::Fix(fix) = p.origin {
                let first = line_of(&self.text, p.start.min(self.text.len()));
                // A piece that ends with its newline ends on that line.
                let last = line_of(&self.text, (p.start + p.len).saturating_sub(1).max(p.start));
                if let Some(c) = out.get_mut(fix) {
                    c.1.extend(first..=last);
                }
            }
        }
        for c in &mut out {
            c.0.sort_unstable();
            c.0.dedup();
            c.1.sort_unstable();
            c.1.dedup();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_insertions_deletions_and_moves() {
        let original = "FROM a\nRUN x\nCOPY . .\nCMD y\n";
        let mut t = Tracked::new(original);
        // Fix 0: move `COPY . .` after CMD (delete + insert).
        let copy = original.find("COPY").unwrap();
        t.apply(&[
            (Edit::delete(copy..copy + 9), 0),
            (Edit::insert(original.len(), "COPY . .\n"), 0),
        ])
        .unwrap();
        assert_eq!(t.text(), "FROM a\nRUN x\nCMD y\nCOPY . .\n");
        // Fix 1: a flag inside `RUN x`.
        t.apply(&[(Edit::insert(10, " --flag"), 1)]).unwrap();
        assert_eq!(t.text(), "FROM a\nRUN --flag x\nCMD y\nCOPY . .\n");
        let claims = t.claims(2);
        assert_eq!(claims[0], (vec![3], vec![4]));
        assert_eq!(claims[1], (vec![2], vec![2]));
        assert_eq!(t.original_line(3), Some(4));
        assert_eq!(t.original_line(4), None);
    }

    #[test]
    fn refuses_overlapping_edits() {
        let mut t = Tracked::new("abcdef");
        assert!(t
            .apply(&[(Edit::delete(1..4), 0), (Edit::delete(2..3), 0)])
            .is_err());
    }
}
