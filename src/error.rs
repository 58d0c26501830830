//! Errors are values with context: which file, which line, what was expected.
//!
//! Every error that reaches the user maps to exit status 2 (see `main.rs`), and
//! none is raised after anything was written to disk (see `output::apply`).

use std::fmt;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong: a file we must understand does not parse,
    /// or a setting has a bad key or value.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    /// The file system refused us.
    #[error("{}: {source}", path.display())]
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
}

impl Error {
    pub fn input(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            location: Location {
                path: path.into(),
                line,
                column: None,
            },
            message: message.into(),
        }
    }

    pub fn input_at(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            location: Location {
                path: path.into(),
                line: Some(line),
                column: Some(column),
            },
            message: message.into(),
        }
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
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
    fn location_prints_path_line_and_column() {
        let err = Error::input_at("app/requirements.txt", 3, 7, "expected a package name");
        assert_eq!(
            err.to_string(),
            "app/requirements.txt:3:7: expected a package name"
        );
        let err = Error::input("dockslim.yaml", None, "unknown key `prot`");
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
}
