//! Requirements files with `-r`/`-c` includes.
//!
//! Properties: reading a set never panics, even through cycles and long
//! chains; an error names a file of the set and a line inside it; a set
//! that reads lists each file it read once, entry first, and exactly the
//! files the includes reach; every requirement names a file of the set and
//! a line of it, under a PEP 503 normalised name; CRLF line endings and a
//! byte order mark change nothing.

use dockslim::detect::requirements::{normalize, read_set, RequirementSet};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::budget::fuzz;
use crate::gen::requirements::{set, Line};
use crate::repo::{error_problem, write};

/// What a set says, for comparing two encodings of it.
fn meaning(set: &RequirementSet) -> Vec<String> {
    set.requirements
        .iter()
        .map(|r| {
            format!(
                "{} {:?} {:?} {} {}",
                r.name, r.extras, r.marker, r.file, r.line
            )
        })
        .chain(set.files.iter().cloned())
        .collect()
}

fn check_set(
    set: &RequirementSet,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(set.files.first(), Some(&set.entry));
    let unique: std::collections::BTreeSet<&String> = set.files.iter().collect();
    prop_assert_eq!(
        unique.len(),
        set.files.len(),
        "a file read twice: {:?}",
        set.files
    );
    for r in &set.requirements {
        let Some(text) = files.get(&r.file) else {
            return Err(TestCaseError::fail(format!(
                "{r:?} names a file not written"
            )));
        };
        prop_assert!(
            set.files.contains(&r.file),
            "{:?} from a file not in the set",
            r
        );
        let lines = text.split('\n').count();
        prop_assert!(
            r.line >= 1 && r.line <= lines,
            "{:?}: line past {}",
            r,
            lines
        );
        let named =
            r.local_path.is_none() && !r.name.contains(['/', ':']) && !r.name.ends_with(".whl");
        if named {
            prop_assert_eq!(&normalize(&r.name), &r.name, "not a normalised name");
        }
    }
    Ok(())
}

#[test]
fn requirements_includes_read_as_pip_reads_them() {
    fuzz("requirements", 96, set(), |set| {
        let texts = set.texts();
        let repo = write(&texts);
        let entry = &set.files[0].0;
        match read_set(&repo.repo, entry) {
            Ok(read) => {
                check_set(&read, &repo.files)?;
                let no_missing = set
                    .files
                    .iter()
                    .all(|(_, lines)| !lines.iter().any(|l| matches!(l, Line::Missing(_))));
                if no_missing {
                    let read_files: std::collections::BTreeSet<String> =
                        read.files.iter().cloned().collect();
                    prop_assert_eq!(read_files, set.reachable(), "the files the includes reach");
                }
                // The same files with CRLF and a byte order mark.
                let crlf: Vec<(String, String)> = texts
                    .iter()
                    .map(|(p, t)| (p.clone(), format!("\u{feff}{}", t.replace('\n', "\r\n"))))
                    .collect();
                let other = write(&crlf);
                let again = read_set(&other.repo, entry)
                    .map_err(|e| TestCaseError::fail(format!("with CRLF and a BOM: {e}")))?;
                prop_assert_eq!(
                    meaning(&again),
                    meaning(&read),
                    "CRLF and a BOM read differently"
                );
            }
            Err(e) => {
                if let Some(p) = error_problem(&e, &repo.files) {
                    return Err(TestCaseError::fail(p));
                }
            }
        }
        Ok(())
    });
}
