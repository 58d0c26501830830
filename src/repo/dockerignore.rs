//! A .dockerignore matcher with Docker's semantics.
//!
//! Docker reads .dockerignore with moby's `ignorefile.ReadAll` and matches
//! with moby's `patternmatcher`; neither is gitignore nor globset:
//! - a line is a comment only when `#` is its first character;
//! - lines are trimmed, cleaned like Go's `filepath.Clean` (`./`, `..`, a
//!   trailing slash go) and one leading `/` is dropped;
//! - there is no implicit recursion: `*.md` matches only at the root;
//! - `**` matches any number of folders, `*` and `?` never cross `/`;
//! - `!` re-includes; the last matching line wins;
//! - a path is excluded when it or any parent folder matches;
//! - a lone `!` is an error, and so is a malformed character class.
//!
//! Patterns compile to moby's regular expressions, with its exact, prefix
//! and suffix fast paths where they give the same answer. One corner differs
//! between engines: newer moby (patternmatcher's suffix fast path, Docker 23
//! and later) lets `**foo` match `barfoo`, while Docker 20.10's BuildKit,
//! which our end-to-end test runs against, uses the regular expression
//! `^(.*/)?foo$` and does not. We follow the engine we can check; `**/foo`,
//! the form people write, means the same everywhere.

use crate::error::{Error, Result};

/// One pattern line of a .dockerignore file.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// 1-based line in the file it came from.
    pub line: usize,
    /// The line as written (trimmed).
    pub source: String,
    /// The cleaned pattern, without the `!`.
    pub cleaned: String,
    pub exclusion: bool,
    kind: MatchKind,
}

#[derive(Debug, Clone)]
enum MatchKind {
    Exact,
    /// `foo/**`: everything starting with the text before `**`.
    Prefix(String),
    /// `**/foo`: everything ending with the text after `**`.
    Suffix(String),
    Regex(regex::Regex),
}

/// A parsed .dockerignore.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Parses the text of a .dockerignore; `shown` names the file in errors.
    pub fn parse(text: &str, shown: &str) -> Result<DockerIgnore> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.starts_with('#') {
                continue;
            }
            let mut pattern = raw.trim();
            if pattern.is_empty() {
                continue;
            }
            let exclusion = pattern.starts_with('!');
            if exclusion {
                pattern = pattern[1..].trim();
                if pattern.is_empty() {
                    return Err(Error::input(
                        shown,
                        Some(line),
                        "a lone `!` is not a pattern",
                        "write `!path` to re-include a path, or remove the line",
                    ));
                }
            }
            let mut cleaned = go_clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let kind = compile(&cleaned).map_err(|e| {
                Error::input(
                    shown,
                    Some(line),
                    format!("`{}` is not a valid pattern: {e}", raw.trim()),
                    "patterns are paths with `*`, `?`, `**` and `[a-z]` classes, as Go's filepath.Match takes them: close every `[`",
                )
            })?;
            patterns.push(Pattern {
                line,
                source: raw.trim().to_string(),
                cleaned,
                exclusion,
                kind,
            });
        }
        Ok(DockerIgnore { patterns })
    }

    /// Whether Docker leaves `path` (relative, `/`-separated) out of the
    /// context.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.deciding_pattern(path).is_some_and(|p| !p.exclusion)
    }

    /// The last pattern that decided `path`'s fate, if any: an excluding
    /// pattern means the path is left out, a `!` pattern that it is sent.
    pub fn deciding_pattern(&self, path: &str) -> Option<&Pattern> {
        let path = clean(path);
        if path == "." {
            return None;
        }
        // The path's folders, outermost first: `a`, `a/b` for `a/b/c`.
        let parents = path.match_indices('/').map(|(i, _)| &path[..i]);
        let mut excluded = false;
        let mut decided = None;
        for pattern in &self.patterns {
            // As moby does: an excluding line can only change a path that is
            // not yet excluded, and a `!` line only one that is.
            if pattern.exclusion != excluded {
                continue;
            }
            let hit = pattern.matches(&path) || parents.clone().any(|p| pattern.matches(p));
            if hit {
                excluded = !pattern.exclusion;
                decided = Some(pattern);
            }
        }
        decided
    }

    /// Whether some `!` pattern could re-include a path below `dir`, so that
    /// an excluded folder must still be walked.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        self.patterns.iter().any(|p| {
            p.exclusion && {
                let literal: String = p
                    .cleaned
                    .chars()
                    .take_while(|c| !matches!(c, '*' | '?' | '[' | '\\'))
                    .collect();
                literal.starts_with(&format!("{dir}/")) || format!("{dir}/").starts_with(&literal)
            }
        })
    }
}

/// Decides many paths of one tree quickly: what each pattern says about a
/// folder is computed once and reused for everything below it, and all the
/// regular-expression patterns are tried against a path in one pass.
///
/// It gives exactly `DockerIgnore::deciding_pattern`'s answers (a test checks
/// this), which is moby's `MatchesOrParentMatches`.
pub struct TreeMatcher<'a> {
    ignore: &'a DockerIgnore,
    set: regex::RegexSet,
    /// Pattern index -> index in `set`, for the regex patterns.
    in_set: Vec<Option<usize>>,
    /// Folder -> for each pattern, whether it matches the folder or a parent.
    folders: std::collections::HashMap<String, std::rc::Rc<Vec<bool>>>,
    last: Option<(String, std::rc::Rc<Vec<bool>>)>,
    none: std::rc::Rc<Vec<bool>>,
}

impl<'a> TreeMatcher<'a> {
    pub fn new(ignore: &'a DockerIgnore) -> TreeMatcher<'a> {
        let mut in_set = Vec::new();
        let mut sources = Vec::new();
        for p in &ignore.patterns {
            match &p.kind {
                MatchKind::Regex(re) => {
                    in_set.push(Some(sources.len()));
                    sources.push(re.as_str().to_string());
                }
                _ => in_set.push(None),
            }
        }
        // Patterns that compile alone may be too many to compile together:
        // then each is tried on its own.
        let (set, in_set) = match regex::RegexSet::new(&sources) {
            Ok(set) => (set, in_set),
            Err(_) => (regex::RegexSet::empty(), vec![None; ignore.patterns.len()]),
        };
        TreeMatcher {
            ignore,
            set,
            in_set,
            folders: Default::default(),
            last: None,
            none: std::rc::Rc::new(vec![false; ignore.patterns.len()]),
        }
    }

    /// For each pattern, whether it matches `path` itself, into `out`.
    fn own_matches_into(&self, path: &str, out: &mut Vec<bool>) {
        out.clear();
        let regex_hits = (!self.set.is_empty()).then(|| self.set.matches(path));
        out.extend(
            self.ignore
                .patterns
                .iter()
                .zip(&self.in_set)
                .map(|(p, slot)| match slot {
                    Some(i) => regex_hits.as_ref().is_some_and(|m| m.matched(*i)),
                    None => p.matches(path),
                }),
        );
    }

    fn folder(&mut self, dir: &str) -> std::rc::Rc<Vec<bool>> {
        if let Some(hit) = self.folders.get(dir) {
            return hit.clone();
        }
        let parent = match dir.rfind('/') {
            Some(i) => self.folder(&dir[..i]),
            None => self.none.clone(),
        };
        let mut own = Vec::with_capacity(self.ignore.patterns.len());
        self.own_matches_into(dir, &mut own);
        let combined = std::rc::Rc::new(
            own.iter()
                .zip(parent.iter())
                .map(|(a, b)| *a || *b)
                .collect::<Vec<_>>(),
        );
        self.folders.insert(dir.to_string(), combined.clone());
        combined
    }

    /// The index of the pattern that decided `path` (clean, relative), if any.
    ///
    /// A file's own matches are tried only for the lines that can still
    /// change its fate: below an excluded folder only `!` lines can, so the
    /// thousands of files of an excluded node_modules cost a look at a few
    /// lines each, not a pass of every pattern. The regular expressions run
    /// in one pass, the first time one of them is needed.
    pub fn decide(&mut self, path: &str) -> Option<usize> {
        let parent = match path.rfind('/') {
            // Sorted paths come folder by folder: reuse the last folder's answer.
            Some(i) => match &self.last {
                Some((dir, hit)) if dir.as_str() == &path[..i] => hit.clone(),
                _ => {
                    let hit = self.folder(&path[..i]);
                    self.last = Some((path[..i].to_string(), hit.clone()));
                    hit
                }
            },
            None => self.none.clone(),
        };
        let mut regex_hits: Option<regex::SetMatches> = None;
        let mut excluded = false;
        let mut decided = None;
        for (i, pattern) in self.ignore.patterns.iter().enumerate() {
            if pattern.exclusion != excluded {
                continue;
            }
            let hit = parent[i]
                || match self.in_set[i] {
                    Some(slot) => regex_hits
                        .get_or_insert_with(|| self.set.matches(path))
                        .matched(slot),
                    None => pattern.matches(path),
                };
            if hit {
                excluded = !pattern.exclusion;
                decided = Some(i);
            }
        }
        decided
    }

    pub fn is_excluded(&mut self, path: &str) -> bool {
        self.decide(path)
            .is_some_and(|i| !self.ignore.patterns[i].exclusion)
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            MatchKind::Exact => path == self.cleaned,
            MatchKind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            MatchKind::Suffix(suffix) => {
                path.ends_with(suffix.as_str()) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            MatchKind::Regex(re) => re.is_match(path),
        }
    }
}

/// Translates a cleaned pattern the way moby's `Pattern.compile` does.
fn compile(pattern: &str) -> std::result::Result<MatchKind, String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut re = String::from("^");
    let mut detected = Detected::Exact;
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        if ch == '*' {
            if chars.get(i) == Some(&'*') {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    // The regex is what a leading `**` falls back to, so it
                    // must say "anything" even when a fast path is chosen.
                    re.push_str(".*");
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        detected = Detected::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    detected = Detected::Regex;
                }
                if first {
                    detected = Detected::Suffix;
                }
            } else {
                re.push_str("[^/]*");
                detected = Detected::Regex;
            }
        } else if ch == '?' {
            re.push_str("[^/]");
            detected = Detected::Regex;
        } else if ".+()|{}$".contains(ch) {
            re.push('\\');
            re.push(ch);
        } else if ch == '\\' {
            if i < chars.len() {
                re.push('\\');
                re.push(chars[i]);
                i += 1;
                detected = Detected::Regex;
            } else {
                re.push_str("\\\\");
            }
        } else if ch == '[' || ch == ']' {
            re.push(ch);
            detected = Detected::Regex;
        } else {
            re.push(ch);
        }
        first = false;
    }
    // Go's filepath.Match rejects malformed classes; so does the regex here.
    check_classes(pattern)?;
    Ok(match detected {
        Detected::Exact => MatchKind::Exact,
        Detected::Prefix => MatchKind::Prefix(pattern[..pattern.len() - 2].to_string()),
        // `**/foo`: the suffix test and the regex agree. `**foo`: see the
        // module documentation; the regex is what Docker 20.10 does.
        Detected::Suffix if pattern[2..].starts_with('/') => {
            MatchKind::Suffix(pattern[2..].to_string())
        }
        Detected::Suffix => {
            re.push('$');
            MatchKind::Regex(regex::Regex::new(&re).map_err(|e| e.to_string())?)
        }
        Detected::Regex => {
            re.push('$');
            // Go's `[^...]` and Rust's agree; Go's `[!...]` is not negation in
            // the regex either, so we leave the class as written.
            MatchKind::Regex(regex::Regex::new(&re).map_err(|e| e.to_string())?)
        }
    })
}

/// Rejects what Go's `filepath.Match` calls ErrBadPattern: an unclosed `[`, an
/// empty class, or a trailing escape inside a class.
fn check_classes(pattern: &str) -> std::result::Result<(), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let start = i;
                while i < chars.len() && (chars[i] != ']' || i == start) {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a `[` character class is not closed".into());
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Go's `filepath.Clean` for `/`-separated paths.
/// `go_clean`, without a copy for a path that is clean already (most
/// paths the walk and the readers ask about are).
fn clean(path: &str) -> std::borrow::Cow<'_, str> {
    let already = !path.is_empty()
        && !path.ends_with('/')
        && path
            .split('/')
            .enumerate()
            .all(|(i, part)| !matches!(part, "." | "..") && (i == 0 || !part.is_empty()));
    if already {
        std::borrow::Cow::Borrowed(path)
    } else {
        std::borrow::Cow::Owned(go_clean(path))
    }
}

pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(lines: &str, path: &str) -> bool {
        DockerIgnore::parse(lines, ".dockerignore")
            .unwrap()
            .is_excluded(path)
    }

    #[test]
    fn a_lone_double_star_excludes_everything() {
        // moby: `**` at the end of a pattern matches anything; a pattern
        // of only `**` (or `**/`, `/**`) excludes the whole context.
        for lines in ["**", "**/", "/**", "./**"] {
            assert!(excluded(lines, "a"), "{lines}");
            assert!(excluded(lines, "src/app.py"), "{lines}");
        }
        assert!(!excluded("**\n!src", "src/app.py"));
        assert!(excluded("**\n!src", "README.md"));
    }

    /// Each row: the .dockerignore text, a path, whether Docker leaves it out.
    /// The cases follow moby's patternmatcher tests and its documentation.
    /// `clean` skips the copy only for paths `go_clean` leaves as they are.
    #[test]
    fn clean_agrees_with_go_clean() {
        for path in [
            "", ".", "..", "/", "a", "a/b", "/a/b", "a//b", "a/./b", "./a", "a/", "a/../b", "../a",
            "/..", "a/b/..", ".a/b.", "a/.b", "//a",
        ] {
            assert_eq!(clean(path), go_clean(path), "{path:?}");
        }
    }

    #[test]
    fn conformance_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.md", "README.md", true),
            ("*.md", "docs/guide.md", false),
            ("**/*.md", "docs/guide.md", true),
            ("**/*.md", "README.md", true),
            ("node_modules", "node_modules/x/index.js", true),
            ("node_modules", "web/node_modules/x.js", false),
            ("**/node_modules", "web/node_modules/x.js", true),
            ("node_modules/", "node_modules/a", true),
            ("/node_modules", "node_modules/a", true),
            ("./node_modules", "node_modules/a", true),
            ("a/../b", "b/c", true),
            ("docs/**", "docs/a/b.txt", true),
            ("docs/**", "docsy/a", false),
            ("docs**", "docsy/a", true),
            ("**foo", "barfoo", false), // Docker 20.10; newer moby's fast path says true
            ("**foo", "x/foo", true),
            ("**/foo", "foo", true),
            ("**/foo", "a/b/foo", true),
            ("**/foo", "a/barfoo", false),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a/*/b", "a/x/y/b", false),
            ("a?c", "abc", true),
            ("a?c", "a/c", false),
            ("[a-c]x", "bx", true),
            ("[^a-c]x", "bx", false),
            ("[^a-c]x", "dx", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("*\n!keep.md", "keep.md", false),
            ("*\n!keep.md", "other.md", true),
            ("docs\n!docs/keep.md", "docs/keep.md", false),
            ("docs\n!docs/keep.md", "docs/drop.md", true),
            ("!x\nx", "x", true),
            ("x\n!x\nx", "x", true),
            ("# comment\nsecret", "# comment", false),
            ("# comment\nsecret", "secret", true),
            (" #notacomment", "#notacomment", true),
            ("  .env  ", ".env", true),
            (".env*\n!.env.example", ".env.example", false),
            (".env*\n!.env.example", ".env.local", true),
            ("*.pyc", "pkg/mod.pyc", false),
            ("**/__pycache__", "pkg/__pycache__/m.pyc", true),
            (".git", ".git/objects/ab/cd", true),
            ("\u{feff}.git", ".git/HEAD", true),
            ("dir/", "dir", true),
            ("*/tmp", "a/tmp/file", true),
            ("*/tmp", "tmp/file", false),
            ("a.b", "axb", false),
            ("(x)", "(x)", true),
            ("data\r\n!data/seed.csv\r\n", "data/seed.csv", false),
            ("data\r\n!data/seed.csv\r\n", "data/big.csv", true),
        ];
        for (lines, path, want) in cases {
            assert_eq!(excluded(lines, path), *want, "{lines:?} on {path:?}");
        }
        assert!(cases.len() >= 40);
    }

    #[test]
    fn lone_bang_and_bad_class_are_errors_with_line() {
        let err = DockerIgnore::parse("a\n!\n", ".dockerignore").unwrap_err();
        assert!(
            err.to_string().starts_with(".dockerignore:2: a lone `!`"),
            "{err}"
        );
        let err = DockerIgnore::parse("ok\n[abc\n", ".dockerignore").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(".dockerignore:2: `[abc` is not a valid pattern"),
            "{err}"
        );
    }

    #[test]
    fn deciding_pattern_names_the_line() {
        let ignore = DockerIgnore::parse("# junk\nnode_modules\n*.log\n", "x").unwrap();
        assert_eq!(
            ignore.deciding_pattern("node_modules/a/b.js").unwrap().line,
            2
        );
        assert_eq!(ignore.deciding_pattern("err.log").unwrap().line, 3);
        assert!(ignore.deciding_pattern("app.py").is_none());
    }

    #[test]
    fn reinclusion_below_an_excluded_folder_is_seen() {
        let ignore = DockerIgnore::parse("data\n!data/keep/*.csv\n", "x").unwrap();
        assert!(ignore.may_reinclude_below("data"));
        assert!(ignore.may_reinclude_below("data/keep"));
        assert!(!ignore.may_reinclude_below("node_modules"));
    }

    #[test]
    fn tree_matcher_agrees_with_the_plain_matcher() {
        let text = "node_modules\n**/*.pyc\n*.md\n!README.md\ndata\n!data/keep/**\ndata/keep/tmp\n**/.env*\n!**/.env.example\ndocs/**\n[a-c]*/x\n";
        let ignore = DockerIgnore::parse(text, "x").unwrap();
        let paths = [
            "node_modules/a/b.js",
            "app.py",
            "pkg/m.pyc",
            "README.md",
            "CHANGES.md",
            "docs/CHANGES.md",
            "data/big.csv",
            "data/keep/seed.csv",
            "data/keep/tmp/x",
            "data/keep/deep/a/b",
            "svc/.env",
            "svc/.env.example",
            ".env.local",
            "docs/a/b",
            "a1/x",
            "b/x",
            "d/x",
            "a/x/y",
        ];
        let mut tree = TreeMatcher::new(&ignore);
        for path in paths {
            assert_eq!(
                tree.decide(path).map(|i| ignore.patterns[i].line),
                ignore.deciding_pattern(path).map(|p| p.line),
                "{path}"
            );
        }
    }

    #[test]
    fn go_clean_matches_go() {
        assert_eq!(go_clean("./a//b/"), "a/b");
        assert_eq!(go_clean("a/../.."), "..");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean(""), ".");
        assert_eq!(go_clean("./"), ".");
    }
}
