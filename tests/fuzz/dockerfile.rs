//! The Dockerfile reader and the shell inside it.
//!
//! Properties: reading never panics; a file that does not parse is an
//! input error naming the file and a line of it; a file that parses has
//! every span (instruction, keyword, flags, arguments, heredoc bodies,
//! shell commands and words) on character boundaries inside the text, each
//! inside its instruction and the instructions in file order; a byte order
//! mark or CRLF line endings do not change what the file says.

use dockslim::dockerfile::{Args, Dockerfile, Instruction, Span};
use dockslim::error::{Error, Kind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::budget::fuzz;
use crate::gen;

/// What is wrong with a span: outside the text, reversed, or cutting a
/// character in two.
fn bad_span(text: &str, span: &Span, what: &str) -> Option<String> {
    if span.start > span.end || span.end > text.len() {
        return Some(format!(
            "{what} {span:?} is outside the text ({} bytes)",
            text.len()
        ));
    }
    if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
        return Some(format!("{what} {span:?} cuts a character"));
    }
    None
}

fn inside(outer: &Span, inner: &Span) -> bool {
    inner.is_empty() || (outer.start <= inner.start && inner.end <= outer.end)
}

/// Every span an instruction holds, named (a shell word by its text).
fn spans_of(inst: &Instruction) -> Vec<(String, Span)> {
    let mut out = vec![("keyword".to_string(), inst.keyword_span.clone())];
    out.extend(
        inst.flags
            .iter()
            .map(|f| (format!("flag --{}", f.name), f.span.clone())),
    );
    match &inst.args {
        Args::Command { span, heredocs, .. } => {
            out.push(("command".into(), span.clone()));
            out.extend(
                heredocs
                    .iter()
                    .map(|h| ("heredoc body".to_string(), h.span.clone())),
            );
        }
        Args::Copy {
            source_spans,
            dest_span,
            ..
        } => {
            out.extend(
                source_spans
                    .iter()
                    .map(|s| ("copy source".to_string(), s.clone())),
            );
            out.push(("copy destination".into(), dest_span.clone()));
        }
        Args::From { image_span, .. } => out.push(("image".into(), image_span.clone())),
        Args::Text { span, .. } => out.push(("text".into(), span.clone())),
        Args::Healthcheck { .. } | Args::Words { .. } => {}
    }
    if let Some(script) = &inst.script {
        for cmd in &script.commands {
            out.push(("shell command".into(), cmd.span.clone()));
            for w in cmd.words.iter().chain(&cmd.assignments) {
                out.push((format!("shell word {:?}", w.raw), w.span.clone()));
            }
            for joint in cmd.joint_before.iter().chain(&cmd.joint_after) {
                out.push(("shell operator".into(), joint.clone()));
            }
        }
        out.push(("script end".into(), script.end..script.end));
    }
    out
}

/// The problems of one instruction's spans, lines and words.
fn instruction_problems(text: &str, inst: &Instruction) -> Vec<String> {
    let at = format!("{} at line {}", inst.keyword, inst.line);
    let spans = spans_of(inst);
    let invalid: Vec<String> = [
        ("span".to_string(), inst.span.clone()),
        ("lines".into(), inst.lines.clone()),
    ]
    .iter()
    .chain(&spans)
    .filter_map(|(what, span)| bad_span(text, span, what))
    .collect();
    if !invalid.is_empty() {
        return invalid.into_iter().map(|p| format!("{at}: {p}")).collect();
    }
    let mut problems = Vec::new();
    if !inside(&inst.lines, &inst.span) || inst.span.start != inst.keyword_span.start {
        problems.push(format!(
            "span {:?} is not where its lines {:?} and keyword are",
            inst.span, inst.lines
        ));
    }
    // Docker joins continuations before it reads the keyword: `C\<newline>OPY`.
    let keyword: String = text[inst.keyword_span.clone()]
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    if !keyword.eq_ignore_ascii_case(inst.keyword.as_str()) {
        problems.push(format!(
            "keyword span reads `{}`",
            &text[inst.keyword_span.clone()]
        ));
    }
    let line = dockslim::error::line_of(text, inst.span.start);
    if inst.line != line || inst.end_line < inst.line {
        problems.push(format!(
            "lines {}..{} but the keyword is on line {line}",
            inst.line, inst.end_line
        ));
    }
    for (what, span) in spans {
        if !inside(&inst.span, &span) && what != "script end" {
            problems.push(format!(
                "{what} {span:?} is outside the instruction {:?}",
                inst.span
            ));
        } else if what.starts_with("shell word")
            && !what.contains("\\n")
            && !text[span.clone()].contains(['\n', '\r'])
        {
            // A word on one line is its bytes: a fix edits it by this span.
            let found = format!("shell word {:?}", &text[span.clone()]);
            if found != what {
                problems.push(format!("{what} is {found} in the file"));
            }
        }
    }
    problems.into_iter().map(|p| format!("{at}: {p}")).collect()
}

/// The problems of a parsed file: each instruction's, and their order.
pub fn parse_problems(df: &Dockerfile) -> Vec<String> {
    let text = &df.text;
    let all: Vec<&Instruction> = df.instructions().collect();
    let mut problems: Vec<String> = all
        .iter()
        .flat_map(|i| instruction_problems(text, i))
        .collect();
    for pair in all.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.span.end > b.span.start || a.lines.end > b.lines.start || a.end_line >= b.line {
            problems.push(format!(
                "{} at line {} ({:?}, lines {:?}) runs into {} at line {} ({:?})",
                a.keyword, a.line, a.span, a.lines, b.keyword, b.line, b.span
            ));
        }
    }
    problems
}

/// A parse error is an input error naming the file, and a line of it when
/// it names one.
pub fn error_problems(text: &str, err: &Error) -> Option<String> {
    let lines = text.split('\n').count();
    if err.hint().is_none() {
        return Some(format!("error without a hint: {err}"));
    }
    match &err.kind {
        Kind::Input { location, .. } if location.path.to_str() == Some("Dockerfile") => {
            match location.line {
                Some(l) if l == 0 || l > lines => {
                    Some(format!("error names line {l} of {lines}: {err}"))
                }
                _ => None,
            }
        }
        other => Some(format!(
            "not an input error naming the Dockerfile: {other:?}"
        )),
    }
}

fn check(text: &str) -> Result<(), TestCaseError> {
    match Dockerfile::parse(text, "Dockerfile") {
        Ok(df) => {
            let problems = parse_problems(&df);
            prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
        Err(e) => {
            if let Some(p) = error_problems(text.strip_prefix('\u{feff}').unwrap_or(text), &e) {
                return Err(TestCaseError::fail(p));
            }
        }
    }
    Ok(())
}

#[test]
fn dockerfile_parse_keeps_spans_in_order() {
    fuzz(
        "dockerfile_parse",
        256,
        gen::dockerfile::any_dockerfile(),
        |text| check(&text),
    );
}

/// What a file says, for comparing two encodings of it: each instruction's
/// keyword, line and source, and each shell command's words.
fn meaning(df: &Dockerfile) -> Vec<String> {
    df.instructions()
        .map(|i| {
            let words: Vec<Vec<String>> = i.commands();
            format!(
                "{} {} {:?} {:?}",
                i.keyword,
                i.line,
                i.source.replace('\r', ""),
                words
            )
        })
        .collect()
}

#[test]
fn dockerfile_bom_and_crlf_change_nothing() {
    let plain = gen::dockerfile::dockerfile(gen::dockerfile::App::Any)
        .prop_map(|t| t.trim_start_matches('\u{feff}').replace("\r\n", "\n"));
    fuzz("dockerfile_encodings", 128, plain, |text| {
        let Ok(lf) = Dockerfile::parse(&text, "Dockerfile") else {
            return Ok(());
        };
        let bom = Dockerfile::parse(&format!("\u{feff}{text}"), "Dockerfile")
            .map_err(|e| TestCaseError::fail(format!("with a BOM: {e}")))?;
        prop_assert!(bom.bom && bom.text == lf.text);
        prop_assert_eq!(meaning(&bom), meaning(&lf));
        let crlf = Dockerfile::parse(&text.replace('\n', "\r\n"), "Dockerfile")
            .map_err(|e| TestCaseError::fail(format!("with CRLF: {e}")))?;
        prop_assert_eq!(meaning(&crlf), meaning(&lf), "CRLF reads differently");
        Ok(())
    });
}

/// File contents, shown as a byte string when a case fails.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

#[test]
fn dockerfile_read_from_raw_bytes() {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        gen::dockerfile::any_dockerfile().prop_map(String::into_bytes),
        (
            gen::dockerfile::any_dockerfile(),
            any::<prop::sample::Index>(),
            any::<u8>()
        )
            .prop_map(|(t, i, b)| {
                let mut bytes = t.into_bytes();
                let at = i.index(bytes.len() + 1);
                bytes.insert(at, b);
                bytes
            }),
    ]
    .prop_map(Bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    fuzz("dockerfile_read", 128, bytes, |Bytes(bytes)| {
        std::fs::write(&path, &bytes).unwrap();
        // As read_sources reads it: the safe reader, UTF-8 (a BOM dropped),
        // then the parser.
        let read = dockslim::repo::read::regular_file(
            &path,
            "Dockerfile",
            dockslim::repo::read::Links::Refuse,
            dockslim::repo::read::MAX_DOCKER_BYTES,
        )
        .and_then(|bytes| match bytes {
            Some(bytes) => dockslim::repo::read::utf8_text(bytes, "Dockerfile").map(Some),
            None => Ok(None),
        })
        .and_then(|text| match text {
            Some(text) => dockslim::dockerfile::Dockerfile::parse(&text, "Dockerfile").map(Some),
            None => Ok(None),
        });
        match read {
            Ok(Some(df)) => {
                let problems = parse_problems(&df);
                prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
            }
            Ok(None) => return Err(TestCaseError::fail("the file is there")),
            Err(e) => {
                let text = String::from_utf8_lossy(&bytes);
                if let Some(p) = error_problems(text.trim_start_matches('\u{feff}'), &e) {
                    return Err(TestCaseError::fail(p));
                }
            }
        }
        Ok(())
    });
}

#[test]
fn shell_scripts_parse_with_spans_inside_the_text() {
    let scripts = prop_oneof![
        3 => gen::shell::script().prop_map(|s| s
            .replace(gen::shell::CONT, "\\\n  ")
            .replace(gen::shell::CONT_COMMENT, "\\\n  # c\n  ")),
        1 => gen::junk(),
    ];
    fuzz("shell_script", 256, scripts, |text| {
        let script = dockslim::dockerfile::script::Script::parse(&text);
        for cmd in &script.commands {
            let spans = std::iter::once(&cmd.span)
                .chain(cmd.words.iter().map(|w| &w.span))
                .chain(cmd.assignments.iter().map(|w| &w.span));
            for span in spans {
                if let Some(p) = bad_span(&text, span, "span") {
                    return Err(TestCaseError::fail(p));
                }
            }
            for w in &cmd.words {
                prop_assert_eq!(&text[w.span.clone()], w.raw.as_str());
            }
        }
        prop_assert!(script.end <= text.len() && text.is_char_boundary(script.end));
        Ok(())
    });
}
