//! Every fixture's proposed Dockerfile, .dockerignore and JSON report, as
//! insta snapshots in snapshots/; and the guarantees that hold for each:
//! the output parses, changes only what a fix claims, keeps every stage,
//! runs as non-root, and is a fixed point.

mod common;

use dockslim::output::report::Report;
use dockslim::output::FileRole;
use dockslim::Options;

fn options(dir: &std::path::Path) -> Options {
    Options {
        dir: dir.to_path_buf(),
        ..Default::default()
    }
}

fn web_fixtures() -> Vec<String> {
    common::fixture_names()
        .into_iter()
        .filter(|n| n != "no-project")
        .collect()
}

#[test]
fn generated_files_and_reports() {
    for name in web_fixtures() {
        let dir = common::fixture(&name);
        let opts = options(dir.path());
        let analysis = dockslim::analyze(&opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let proposal = dockslim::propose(&analysis, &opts).unwrap();
        let report = Report::new(
            "rewrite",
            name.clone(),
            dockslim::detected_summary(&analysis, proposal.plan.as_ref()),
            analysis.findings.clone(),
            Some(&proposal),
        );
        let ignore = proposal
            .change(FileRole::DockerIgnore)
            .map_or("(left as it is)", |c| c.new.as_str());
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("{name}__Dockerfile"), proposal.dockerfile().new);
            insta::assert_snapshot!(format!("{name}__dockerignore"), ignore);
            insta::assert_snapshot!(format!("{name}__report_json"), report.json());
            // Other files: an edit of an existing one (pyproject.toml,
            // next.config) as a diff, which shows that everything else in the
            // file is left alone; a new one (nginx.conf, Dockerfile.frontend)
            // whole.
            let others = proposal
                .changes
                .iter()
                .filter(|c| !matches!(c.role, FileRole::Dockerfile | FileRole::DockerIgnore));
            for change in others {
                let file = change.path.replace('/', "_");
                match (&change.old, change.path.as_str()) {
                    (Some(_), "pyproject.toml") => insta::assert_snapshot!(format!("{name}__pyproject_diff"), change.unified_diff()),
                    (Some(_), _) => insta::assert_snapshot!(format!("{name}__{file}_diff"), change.unified_diff()),
                    (None, _) => insta::assert_snapshot!(format!("{name}__{file}"), change.new),
                }
            }
        });
    }
}

#[test]
fn rewriting_the_output_changes_nothing() {
    for name in web_fixtures() {
        let dir = common::fixture(&name);
        let opts = options(dir.path());
        let first = dockslim::propose(&dockslim::analyze(&opts).unwrap(), &opts).unwrap();
        dockslim::output::apply::apply(&first.changes).unwrap();
        let second = dockslim::propose(&dockslim::analyze(&opts).unwrap(), &opts).unwrap();
        for change in &second.changes {
            assert!(
                !change.differs(),
                "{name}: rewriting the output changes {}:\n{}",
                change.path,
                change.unified_diff()
            );
        }
    }
}

#[test]
fn edits_change_only_what_a_fix_claims() {
    for name in web_fixtures() {
        let dir = common::fixture(&name);
        let opts = options(dir.path());
        let analysis = dockslim::analyze(&opts).unwrap();
        let proposal = dockslim::propose(&analysis, &opts).unwrap();
        let Some(original) = analysis.dockerfile.as_ref() else {
            continue;
        };
        let problems = common::edit_problems(&original.file_text(), &proposal);
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
        let new = dockslim::dockerfile::Dockerfile::parse(&proposal.dockerfile().new, "proposal")
            .unwrap()
            .intent();
        assert!(
            new.user
                .is_some_and(|(u, _)| !u.starts_with("root") && !u.starts_with('0')),
            "{name}: runs as root"
        );
    }
}
