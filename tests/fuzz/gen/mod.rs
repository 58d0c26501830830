//! Generators of the inputs dockslim reads, built from realistic pieces.
//!
//! Pure random text rarely gets past a parser's first line, so most inputs
//! come from small grammars of what people write (one module per kind of
//! file); `mutated` then damages some of them, and every target also gets
//! raw arbitrary text, to reach the error paths.

pub mod dockerfile;
pub mod manifests;
pub mod requirements;
pub mod shell;

use proptest::prelude::*;
use proptest::sample::{select, Index};

/// Text that trips code which assumes one byte per character or ASCII
/// whitespace: accents, wide characters, emoji, combining marks, Unicode
/// spaces and line separators, a stray byte order mark.
pub const UNICODE: &[&str] = &[
    "é",
    "naïve",
    "日本語",
    "🚀",
    "e\u{301}",
    "\u{a0}",
    "\u{85}",
    "\u{2028}",
    "\u{3000}",
    "\u{200b}",
    "\u{feff}",
    "Ω≈ç√",
    "Привет",
    "ﷺ",
];

/// A word that could be anything a user types: mostly plain, sometimes
/// Unicode, sometimes random printable text.
pub fn word() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z][a-z0-9_.-]{0,10}",
        2 => select(UNICODE).prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ]
    .boxed()
}

/// Arbitrary text, short: anything a file could hold, control characters
/// included.
pub fn junk() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "(\\PC|\\s|[\\\\#<>\"'`$=:\\[\\]{}*?!]){0,40}",
        proptest::collection::vec(any::<u8>(), 0..60)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
    .boxed()
}

/// One way to damage a text.
#[derive(Debug, Clone)]
enum Damage {
    Delete(Index, Index),
    Insert(Index, String),
    DuplicateLine(Index),
    SwapLines(Index, Index),
}

/// Pieces that make a damaged file interesting rather than merely broken.
const SHARDS: &[&str] = &[
    "\n", "\r\n", "\\", "\\\n", "`", "\"", "'", "<<EOF", "EOF", "#", "# ", "&&", "||", "|", ";",
    "$(", "${", "}", "[", "]", "=", ":", "/", "*", "**", "!", "-r ", "\t", " ", "\u{a0}", "é",
    "🚀",
];

/// `text`, sometimes with up to three random cuts, insertions and line
/// moves at character boundaries.
pub fn mutated(text: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let damage = prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Damage::Delete(a, b)),
        (
            any::<Index>(),
            prop_oneof![select(SHARDS).prop_map(str::to_string), junk()]
        )
            .prop_map(|(a, s)| Damage::Insert(a, s)),
        any::<Index>().prop_map(Damage::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Damage::SwapLines(a, b)),
    ];
    (
        text,
        prop_oneof![
            2 => Just(Vec::new()),
            1 => proptest::collection::vec(damage, 1..4),
        ],
    )
        .prop_map(|(mut text, damages)| {
            for d in damages {
                text = damaged(&text, &d);
            }
            text
        })
        .boxed()
}

fn damaged(text: &str, damage: &Damage) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = |i: &Index| bounds[i.index(bounds.len())];
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match damage {
        Damage::Delete(a, b) => {
            let (a, b) = (at(a), at(b));
            let (from, to) = (a.min(b), a.max(b).min(a.min(b) + 40));
            let to = bounds[bounds.partition_point(|&x| x < to)];
            format!("{}{}", &text[..from], &text[to..])
        }
        Damage::Insert(a, shard) => {
            let a = at(a);
            format!("{}{shard}{}", &text[..a], &text[a..])
        }
        Damage::DuplicateLine(i) if !lines.is_empty() => {
            let i = i.index(lines.len());
            lines.insert(i, lines[i]);
            lines.concat()
        }
        Damage::SwapLines(a, b) if !lines.is_empty() => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            lines.concat()
        }
        _ => text.to_string(),
    }
}

/// How a file is written: line ending and byte order mark.
#[derive(Debug, Clone, Copy)]
pub struct Encoding {
    pub crlf: bool,
    pub bom: bool,
}

pub fn encoding() -> BoxedStrategy<Encoding> {
    (prop::bool::weighted(0.2), prop::bool::weighted(0.1))
        .prop_map(|(crlf, bom)| Encoding { crlf, bom })
        .boxed()
}

impl Encoding {
    /// `text` (written with `\n`) in this encoding.
    pub fn apply(self, text: &str) -> String {
        let text = if self.crlf {
            text.replace('\n', "\r\n")
        } else {
            text.to_string()
        };
        if self.bom {
            format!("\u{feff}{text}")
        } else {
            text
        }
    }
}
