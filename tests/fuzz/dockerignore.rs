//! .dockerignore patterns.
//!
//! Properties: parsing never panics and fails only with an input error on
//! a line of the file; matching never panics; `is_excluded` agrees with a
//! reference written from moby's rules (a backtracking matcher of `*`,
//! `?`, `**` and escapes on the cleaned pattern, a path excluded when it
//! or a parent folder matches, the last line that can change the answer
//! wins); the fast `TreeMatcher` gives the same deciding line as
//! `deciding_pattern` on every path of a tree; cleaning a path is
//! idempotent.

use dockslim::repo::dockerignore::{go_clean, DockerIgnore, TreeMatcher};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use crate::budget::fuzz;
use crate::gen;

const SEGMENTS: &[&str] = &[
    "a",
    "b",
    "ab",
    "src",
    "node_modules",
    ".git",
    "foo.md",
    "x.py",
    "build",
    "dist",
    "é",
    "a b",
    ".env",
    "data.db",
    "~a",
    "日本",
];

const PATTERN_SEGMENTS: &[&str] = &[
    "a",
    "b",
    "ab",
    "src",
    "node_modules",
    ".git",
    "*",
    "**",
    "?",
    "*.md",
    "x?py",
    "foo*",
    "*b",
    "a*b",
    "\\*",
    "\\?",
    "a\\.md",
    "é",
    "*.db",
    ".env*",
    "**foo.md",
    "a**",
    "日本",
    "~a",
];

/// Segments only the no-panic checks get: classes, malformed or not, and
/// escaped letters, which moby hands to Go's regexp as they are (`\a` is
/// the bell character there, as in Rust's regex).
const CLASS_SEGMENTS: &[&str] = &[
    "\\a",
    "\\d",
    "\\",
    "[ab]",
    "[!a]",
    "[^a]",
    "[a-c]*",
    "[a-",
    "[]",
    "[\\]]",
    "]",
    "[",
    "[[:alpha:]]",
];

fn path() -> BoxedStrategy<String> {
    proptest::collection::vec(select(SEGMENTS), 1..5)
        .prop_map(|s| s.join("/"))
        .boxed()
}

fn pattern(classes: bool) -> BoxedStrategy<String> {
    let segment = if classes {
        prop_oneof![4 => select(PATTERN_SEGMENTS), 1 => select(CLASS_SEGMENTS)].boxed()
    } else {
        select(PATTERN_SEGMENTS).boxed()
    };
    (
        select(&["", "", "", "!", "! "][..]),
        select(&["", "", "/", "./", "../", " "][..]),
        proptest::collection::vec(
            (segment, select(&["/", "/", "/", "//", "/./", "/../"][..])),
            1..4,
        ),
        select(&["", "", "/", "/**", " ", "\t"][..]),
    )
        .prop_map(|(bang, lead, parts, tail)| {
            let mut body = String::new();
            for (i, (seg, sep)) in parts.iter().enumerate() {
                if i > 0 {
                    body.push_str(sep);
                }
                body.push_str(seg);
            }
            format!("{bang}{lead}{body}{tail}")
        })
        .boxed()
}

/// A .dockerignore file: patterns, comments, blank lines, sometimes junk.
fn file(classes: bool) -> BoxedStrategy<String> {
    let line = prop_oneof![
        8 => pattern(classes),
        1 => gen::word().prop_map(|w| format!("# {w}")),
        1 => Just(String::new()),
        1 => Just("  # not a comment".to_string()),
        if classes { 1 } else { 0 } => gen::junk(),
        if classes { 1 } else { 0 } => Just("!".to_string()),
    ];
    (proptest::collection::vec(line, 0..8), gen::encoding())
        .prop_map(|(lines, enc)| enc.apply(&lines.join("\n")))
        .boxed()
}

/// One piece of a cleaned pattern, as moby's compile reads it.
#[derive(Debug, PartialEq)]
enum Token {
    Char(char),
    /// `*`: any run of characters without `/`.
    Star,
    /// `?`: one character that is not `/`.
    One,
    /// `**` (with its `/`) before more pattern: nothing, or anything
    /// ending in `/`.
    Dirs,
    /// `**` at the end: anything.
    Rest,
}

fn tokens(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                out.push(if i >= chars.len() {
                    Token::Rest
                } else {
                    Token::Dirs
                });
            }
            '*' => out.push(Token::Star),
            '?' => out.push(Token::One),
            '\\' if i < chars.len() => {
                out.push(Token::Char(chars[i]));
                i += 1;
            }
            c => out.push(Token::Char(c)),
        }
    }
    out
}

fn matches(tokens: &[Token], path: &[char]) -> bool {
    // Memoised on (token, character) positions: `**` and `*` backtrack,
    // and without it a few of them on a long path take minutes.
    let mut memo = vec![None; (tokens.len() + 1) * (path.len() + 1)];
    matches_from(tokens, path, 0, 0, &mut memo)
}

fn matches_from(
    tokens: &[Token],
    path: &[char],
    t: usize,
    p: usize,
    memo: &mut Vec<Option<bool>>,
) -> bool {
    let key = t * (path.len() + 1) + p;
    if let Some(known) = memo[key] {
        return known;
    }
    let rest = &path[p..];
    let answer = match tokens.get(t) {
        None => rest.is_empty(),
        Some(Token::Char(c)) => {
            rest.first() == Some(c) && matches_from(tokens, path, t + 1, p + 1, memo)
        }
        Some(Token::One) => {
            rest.first().is_some_and(|&c| c != '/')
                && matches_from(tokens, path, t + 1, p + 1, memo)
        }
        Some(Token::Star) => (0..=rest.len())
            .take_while(|&n| n == 0 || rest[n - 1] != '/')
            .any(|n| matches_from(tokens, path, t + 1, p + n, memo)),
        Some(Token::Dirs) => {
            matches_from(tokens, path, t + 1, p, memo)
                || (1..=rest.len())
                    .any(|n| rest[n - 1] == '/' && matches_from(tokens, path, t + 1, p + n, memo))
        }
        Some(Token::Rest) => true,
    };
    memo[key] = Some(answer);
    answer
}

/// Whether moby leaves `path` out under these (cleaned, exclusion) lines.
fn reference_excluded(patterns: &[(String, bool)], path: &str) -> bool {
    let chars: Vec<char> = path.chars().collect();
    let mut candidates: Vec<&[char]> = chars
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == '/')
        .map(|(i, _)| &chars[..i])
        .collect();
    candidates.push(&chars);
    let mut excluded = false;
    for (pattern, reinclude) in patterns {
        if *reinclude != excluded {
            continue;
        }
        let tokens = tokens(pattern);
        if candidates.iter().any(|c| matches(&tokens, c)) {
            excluded = !reinclude;
        }
    }
    excluded
}

fn no_panic_and_errors_name_a_line(text: &str) -> Result<Option<DockerIgnore>, TestCaseError> {
    match DockerIgnore::parse(text, ".dockerignore") {
        Ok(ignore) => Ok(Some(ignore)),
        Err(e) => {
            let files = [(".dockerignore".to_string(), text.to_string())].into();
            match crate::repo::error_problem(&e, &files) {
                Some(p) => Err(TestCaseError::fail(p)),
                None if matches!(e.kind, dockslim::error::Kind::Input { .. }) => Ok(None),
                None => Err(TestCaseError::fail(format!("not an input error: {e}"))),
            }
        }
    }
}

#[test]
fn dockerignore_matches_as_moby_does() {
    let case = (file(false), proptest::collection::vec(path(), 1..12));
    fuzz("dockerignore_reference", 1024, case, |(text, paths)| {
        let Some(ignore) = no_panic_and_errors_name_a_line(&text)? else {
            return Ok(());
        };
        let lines: Vec<(String, bool)> = ignore
            .patterns
            .iter()
            .map(|p| (p.cleaned.clone(), p.exclusion))
            .collect();
        for path in &paths {
            prop_assert_eq!(
                ignore.is_excluded(path),
                reference_excluded(&lines, path),
                "`{}` under {:?}",
                path,
                lines
            );
        }
        Ok(())
    });
}

#[test]
fn dockerignore_tree_matcher_agrees_and_nothing_panics() {
    let case = (
        prop_oneof![4 => file(true), 1 => gen::junk()],
        proptest::collection::vec(path(), 1..12),
        proptest::collection::vec(gen::junk(), 0..3),
    );
    fuzz(
        "dockerignore_parse",
        1024,
        case,
        |(text, mut paths, junk)| {
            let Some(ignore) = no_panic_and_errors_name_a_line(&text)? else {
                return Ok(());
            };
            // Any text as a path: no panic.
            for j in &junk {
                let _ = ignore.is_excluded(j);
                let _ = ignore.may_reinclude_below(j);
                let clean = go_clean(j);
                prop_assert_eq!(go_clean(&clean), clean.clone(), "cleaning is idempotent");
            }
            paths.sort();
            paths.dedup();
            let mut tree = TreeMatcher::new(&ignore);
            for path in &paths {
                prop_assert_eq!(&go_clean(path), path);
                let slow = ignore.deciding_pattern(path).map(|p| p.line);
                let fast = tree.decide(path).map(|i| ignore.patterns[i].line);
                prop_assert_eq!(fast, slow, "TreeMatcher on `{}`", path);
            }
            Ok(())
        },
    );
}
