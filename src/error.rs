//! Errors are values with context: which file, which line, what was expected.
//!
//! Every error that reaches the user maps to exit status 2 (see `main.rs`), and
//! none is raised after anything was written to disk (see `output::apply`).

use std::fmt;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error as the user reads it: what went wrong (`kind`, one line, also
/// what `--format json` carries as its text), the line of the file it is
/// about with a caret under the problem when there is one, and a `hint:`
/// with the fix. Every constructor takes the hint, so no error reaches the
/// user without one; I/O errors derive theirs from what the system said.
#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    hint: Option<String>,
    excerpt: Option<Box<Excerpt>>,
}

#[derive(Debug, thiserror::Error)]
pub enum Kind {
    /// The user's input is wrong: a file we must understand does not parse,
    /// or a setting has a bad key or value.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    /// The file system refused us.
    #[error("{}: {}", path.display(), plain_io(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),

    /// The repository is something we cannot handle; says what was looked for.
    #[error("{0}")]
    Unsupported(String),

    /// dockslim broke one of its own rules: a bug to report, not a mistake
    /// of the user's (exit status 101, as a panic).
    #[error("internal error: {0}")]
    Bug(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<Kind> for Error {
    fn from(kind: Kind) -> Self {
        Error {
            kind,
            hint: None,
            excerpt: None,
        }
    }
}

impl Error {
    pub fn input(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::located(path.into(), line, None, message.into(), hint.into())
    }

    pub fn input_at(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::located(
            path.into(),
            Some(line),
            Some(column),
            message.into(),
            hint.into(),
        )
    }

    fn located(
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
        hint: String,
    ) -> Self {
        let kind = Kind::Input {
            location: Location { path, line, column },
            message,
        };
        Error::from(kind).with_hint(hint)
    }

    /// The file system refused to read or write `path`; the hint follows
    /// from what it said (a missing file, a permission).
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::from(Kind::Io {
            path: path.as_ref().to_path_buf(),
            source,
        })
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::from(Kind::Usage(message.into())).with_hint(hint)
    }

    pub fn unsupported(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::from(Kind::Unsupported(message.into())).with_hint(hint)
    }

    /// dockslim's own mistake; the report asks the user to file it.
    pub fn bug(message: impl Into<String>) -> Self {
        Error::from(Kind::Bug(message.into()))
    }

    /// Replaces the hint (a caller that knows the fix better).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        self.hint = (!hint.trim().is_empty()).then_some(hint);
        self
    }

    /// The fix, as the `hint:` line says it.
    pub fn hint(&self) -> Option<String> {
        match (&self.hint, &self.kind) {
            (Some(hint), _) => Some(hint.clone()),
            (None, Kind::Io { path, source }) => Some(io_hint(path, source)),
            (None, Kind::Bug(_)) => {
                Some(BUG_REPORT.replace("{version}", env!("CARGO_PKG_VERSION")))
            }
            (None, _) => None,
        }
    }

    /// Is this dockslim's bug rather than the user's input?
    pub fn is_bug(&self) -> bool {
        matches!(self.kind, Kind::Bug(_))
    }

    /// The file, line and column the error is about, when it names one.
    pub fn location(&self) -> Option<&Location> {
        match &self.kind {
            Kind::Input { location, .. } => Some(location),
            _ => None,
        }
    }

    /// Quotes the line the error is about, read from the repository at
    /// `root` (the location's path is relative to it), unless the error
    /// already carries its line. Reading goes through the same safe reader
    /// as the analysis; a file that cannot be read is quoted by nobody.
    pub fn quoting_from(mut self, root: &Path) -> Self {
        if self.excerpt.is_some() {
            return self;
        }
        let Some(location) = self.location() else {
            return self;
        };
        let Some(line) = location.line else {
            return self;
        };
        let column = location.column;
        let path = root.join(&location.path);
        let text = crate::repo::read::regular_file(
            &path,
            "",
            crate::repo::read::Links::Refuse,
            crate::repo::read::MAX_FILE_BYTES,
        );
        if let Ok(Some(bytes)) = text {
            let text = String::from_utf8_lossy(&bytes);
            if let Some(line_text) = text.lines().nth(line - 1) {
                self.excerpt = Some(Box::new(Excerpt::new(line, line_text, column)));
            }
        }
        self
    }

    /// Quotes `line_text` (line `line` of the input) with a caret under
    /// `column`, for errors whose input is not a file of the repository.
    pub fn quoting(mut self, line: usize, line_text: &str, column: Option<usize>) -> Self {
        self.excerpt = Some(Box::new(Excerpt::new(line, line_text, column)));
        self
    }

    /// The whole message for a terminal: the error, the quoted line with
    /// its caret, and the hint.
    ///
    /// ```text
    /// dockslim: error: dockslim.yaml:2:1: unknown key `prot`
    ///   |
    /// 2 | prot: 80
    ///   | ^^^^
    /// hint: did you mean `port`?
    /// ```
    pub fn render(&self) -> String {
        let headline = crate::output::escape::shortened(&self.to_string(), 4_000);
        let mut out = format!("dockslim: error: {headline}\n");
        if let Some(excerpt) = &self.excerpt {
            out.push_str(&excerpt.render());
        }
        if let Some(hint) = self.hint() {
            let hint = crate::output::escape::shortened(&hint, 4_000);
            out.push_str(&format!("hint: {hint}\n"));
        }
        out
    }
}

/// What an internal error asks of the user.
const BUG_REPORT: &str = "this is a bug in dockslim {version}, not a problem with your files; \
please report it at https://github.com/dockslim/dockslim/issues with the command you ran \
and, if you can share it, the Dockerfile or repository it ran on";

/// An I/O error in words, without Rust's `(os error 2)`.
fn plain_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::NotFound => "does not exist".into(),
        K::PermissionDenied => "permission denied".into(),
        K::AlreadyExists => "already exists".into(),
        K::IsADirectory => "is a folder, expected a file".into(),
        K::NotADirectory => "a part of the path is a file, expected a folder".into(),
        K::ReadOnlyFilesystem => "is on a read-only file system".into(),
        K::StorageFull => "no space left on the device".into(),
        _ => {
            let text = error.to_string();
            match text.rfind(" (os error ") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    }
}

/// The fix for an I/O error, from what the system said.
fn io_hint(path: &Path, error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let shown = path.display();
    match error.kind() {
        K::NotFound => format!(
            "check the spelling of `{shown}`; paths are relative to the repository folder (the current folder unless you pass one)"
        ),
        K::PermissionDenied => format!(
            "give the user running dockslim read access to `{shown}` (and write access to its folder for --apply)"
        ),
        K::StorageFull | K::ReadOnlyFilesystem => {
            "free space or write access on that file system is needed; nothing was changed".into()
        }
        // `dockslim rewrite --apply | head`: the output was cut short, and
        // what comes after the report (--apply, --check) did not run.
        K::BrokenPipe => {
            "the program reading dockslim's output closed it before the end (`| head`); nothing was written and no check was made. Send the output to a file, or let the reader take all of it".into()
        }
        _ => format!("check that `{shown}` is a readable file or folder and run dockslim again"),
    }
}

/// One line of the input, with the place of the problem marked.
#[derive(Debug, Clone)]
struct Excerpt {
    line: usize,
    text: String,
    /// The 1-based column the caret starts at; `None` underlines the line.
    column: Option<usize>,
}

impl Excerpt {
    fn new(line: usize, text: &str, column: Option<usize>) -> Self {
        // A quoted line is one line of text: never megabytes, never a
        // control character that moves the terminal's cursor.
        let text = crate::output::escape::shortened(text.trim_end_matches('\r'), 200);
        Excerpt { line, text, column }
    }

    fn render(&self) -> String {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let chars: Vec<char> = self.text.chars().collect();
        let (start, width) = match self.column {
            // Under the word the column points at (to the next blank).
            Some(column) => {
                let start = column.saturating_sub(1).min(chars.len());
                let width = chars[start..]
                    .iter()
                    .take_while(|c| !c.is_whitespace())
                    .count()
                    .max(1);
                (start, width)
            }
            // Under the whole line, without its indentation.
            None => {
                let start = chars.iter().take_while(|c| c.is_whitespace()).count();
                (start, (chars.len() - start).max(1))
            }
        };
        // Tabs stay tabs so the caret lines up however the terminal sets them.
        let pad: String = chars[..start]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{gutter} |\n{number} | {}\n{gutter} | {pad}{}\n",
            self.text,
            "^".repeat(width)
        )
    }
}

/// The closest of `options` to `wanted`, if one is close enough to be what
/// the user meant (a typo, a case slip): the "did you mean" of the hints.
pub fn closest<'a>(wanted: &str, options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    options
        .into_iter()
        .map(|option| {
            (
                strsim::jaro_winkler(&wanted, &option.to_lowercase()),
                option,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, option)| option)
}

/// "did you mean `x`?" when one option is close, else the list of them.
pub fn did_you_mean<'a>(
    wanted: &str,
    options: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    match closest(wanted, options.clone()) {
        Some(option) => format!("did you mean `{option}`?"),
        None => {
            let all: Vec<&str> = options.into_iter().collect();
            format!("the {what} are: {}", all.join(", "))
        }
    }
}

/// A serde message in the user's words: `expected u16` says nothing to
/// someone writing YAML.
pub fn plain_serde(message: &str) -> String {
    const TYPES: &[(&str, &str)] = &[
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a mapping of keys to values"),
        (
            "expected struct ",
            "expected a mapping of keys to values for ",
        ),
        ("expected enum ", "expected one of the values of "),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: map", "invalid type: a mapping"),
        ("invalid type: integer", "invalid type: the number"),
        ("invalid type: string", "invalid type: the text"),
        ("invalid type: boolean", "invalid type: the boolean"),
        ("invalid type: unit value", "invalid type: an empty value"),
    ];
    let mut out = message.to_string();
    for (rust, plain) in TYPES {
        // Only whole words: `expected u16` but not `expected u160`.
        let mut from = 0;
        while let Some(at) = out[from..].find(rust).map(|i| i + from) {
            let end = at + rust.len();
            let whole = rust.ends_with(' ')
                || !out[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if whole {
                out.replace_range(at..end, plain);
                from = at + plain.len();
            } else {
                from = end;
            }
        }
    }
    out
}

/// Where in the user's files a problem is: `path[:line[:column]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// The 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line of offsets asked for in (mostly) increasing order, as a parser
/// walks a file: each call counts only the newlines between the previous
/// offset and this one, so finding the lines of every instruction of a
/// file is linear in its length, not quadratic as [`line_of`] would be.
pub struct LineCursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset`, as [`line_of`] gives it.
    pub fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let newlines = |from: usize, to: usize| {
            self.text.as_bytes()[from..to]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
        };
        if offset >= self.offset {
            self.line += newlines(self.offset, offset);
        } else {
            self.line -= newlines(offset, self.offset);
        }
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_cursor_agrees_with_line_of_in_any_order() {
        let text = "a\nbb\n\nccc\nd";
        let mut cursor = LineCursor::new(text);
        for offset in [0, 1, 2, 5, 6, 7, 3, 0, 12, 100, 4, 9] {
            assert_eq!(cursor.line_of(offset), line_of(text, offset), "{offset}");
        }
    }

    #[test]
    fn a_closed_output_says_what_did_not_run() {
        let err = Error::io(
            "<stdout>",
            std::io::Error::from(std::io::ErrorKind::BrokenPipe),
        );
        let hint = err.hint().unwrap();
        assert!(
            hint.contains("nothing was written and no check was made"),
            "{hint}"
        );
        assert!(!hint.contains("readable file"), "{hint}");
    }

    #[test]
    fn location_prints_path_line_and_column() {
        let err = Error::input_at("app/requirements.txt", 3, 7, "expected a package name", "h");
        assert_eq!(
            err.to_string(),
            "app/requirements.txt:3:7: expected a package name"
        );
        let err = Error::input("dockslim.yaml", None, "unknown key `prot`", "h");
        assert_eq!(err.to_string(), "dockslim.yaml: unknown key `prot`");
    }

    #[test]
    fn line_of_counts_newlines_before_offset() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn render_quotes_the_line_with_a_caret_under_the_column_and_ends_with_the_hint() {
        let err = Error::input_at(
            "dockslim.yaml",
            2,
            3,
            "unknown key `prot`",
            "did you mean `port`?",
        )
        .quoting(2, "  prot: 80", Some(3));
        assert_eq!(
            err.render(),
            "dockslim: error: dockslim.yaml:2:3: unknown key `prot`\n  |\n2 |   prot: 80\n  |   ^^^^^\nhint: did you mean `port`?\n"
        );
    }

    #[test]
    fn without_a_column_the_caret_underlines_the_line_and_tabs_stay_tabs() {
        let err = Error::input("requirements.txt", Some(12), "bad", "fix it").quoting(
            12,
            "\tflask==",
            None,
        );
        assert!(
            err.render().contains("12 | \tflask==\n   | \t^^^^^^^\n"),
            "{}",
            err.render()
        );
    }

    #[test]
    fn io_errors_speak_plainly_and_carry_a_hint() {
        let missing = std::io::Error::from_raw_os_error(2);
        let err = Error::io("extra.txt", missing);
        assert_eq!(err.to_string(), "extra.txt: does not exist");
        assert!(err.hint().unwrap().contains("`extra.txt`"));
        let other = std::io::Error::from_raw_os_error(36); // ENAMETOOLONG
        assert!(!Error::io("x", other).to_string().contains("os error"));
    }

    #[test]
    fn a_bug_asks_for_a_report() {
        let err = Error::bug("a fix made overlapping edits");
        assert!(err.is_bug());
        assert!(err
            .render()
            .contains("internal error: a fix made overlapping edits"));
        assert!(err.render().contains("hint: this is a bug in dockslim"));
    }

    #[test]
    fn did_you_mean_finds_typos_and_lists_otherwise() {
        let keys = ["port", "profile", "python", "command"];
        assert_eq!(closest("prot", keys), Some("port"));
        assert_eq!(closest("Profil", keys), Some("profile"));
        assert_eq!(closest("zzz", keys), None);
        assert_eq!(
            did_you_mean("comand", keys, "keys"),
            "did you mean `command`?"
        );
        assert_eq!(
            did_you_mean("zzz", keys, "keys"),
            "the keys are: port, profile, python, command"
        );
    }

    #[test]
    fn serde_messages_lose_their_rust_type_names() {
        assert_eq!(
            plain_serde("invalid type: string \"x\", expected u16"),
            "invalid type: the text \"x\", expected a whole number from 0 to 65535"
        );
        assert_eq!(plain_serde("expected u160"), "expected u160");
        assert_eq!(
            plain_serde("invalid type: map, expected a sequence"),
            "invalid type: a mapping, expected a list"
        );
    }
}
