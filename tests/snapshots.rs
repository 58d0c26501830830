//! Every fixture's generated Dockerfile, .dockerignore and JSON report, as
//! insta snapshots in snapshots/; and the guarantees that hold for each:
//! the output parses, keeps the original's promises, and is a fixed point.

mod common;

use dockslim::output::report::Report;
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
            dockslim::detected_summary(&analysis, Some(&proposal.plan)),
            analysis.findings.clone(),
            &proposal.changes,
            proposal.plan.changed.clone(),
        );
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("{name}__Dockerfile"), proposal.changes[0].new);
            insta::assert_snapshot!(format!("{name}__dockerignore"), proposal.changes[1].new);
            insta::assert_snapshot!(format!("{name}__report_json"), report.json());
            // Other files: an edit of an existing one (pyproject.toml,
            // next.config) as a diff, which shows that everything else in the
            // file is left alone; a new one (nginx.conf, Dockerfile.frontend)
            // whole.
            for change in &proposal.changes[2..] {
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
fn output_keeps_what_the_original_promised() {
    for name in web_fixtures() {
        let dir = common::fixture(&name);
        let opts = options(dir.path());
        let analysis = dockslim::analyze(&opts).unwrap();
        let proposal = dockslim::propose(&analysis, &opts).unwrap();
        let new = dockslim::dockerfile::Dockerfile::parse(&proposal.changes[0].new, "generated")
            .unwrap()
            .intent();
        let Some(old) = analysis.dockerfile.as_ref().map(|d| d.intent()) else {
            continue;
        };
        let changed = proposal.plan.changed.join("\n");
        for (port, _) in &old.expose {
            assert!(
                new.expose.iter().any(|(p, _)| p == port)
                    || changed.contains(&format!("EXPOSE {port}")),
                "{name}: EXPOSE {port} lost without a word"
            );
        }
        for (key, _, _) in &old.env {
            let kept =
                new.env.iter().any(|(k, _, _)| k == key) || changed.contains(&format!("ENV {key}"));
            let superseded =
                ["PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PATH"].contains(&key.as_str());
            assert!(kept || superseded, "{name}: ENV {key} lost without a word");
        }
        for (key, _, _) in &old.labels {
            assert!(
                new.labels.iter().any(|(k, _, _)| k == key),
                "{name}: LABEL {key} lost"
            );
        }
        for (volume, _) in &old.volumes {
            assert!(
                new.volumes.iter().any(|(v, _)| v == volume),
                "{name}: VOLUME {volume} lost"
            );
        }
        if let Some((ep, _)) = &old.entrypoint {
            assert_eq!(
                new.entrypoint.as_ref().map(|(c, _)| c.words()),
                Some(ep.words()),
                "{name}: ENTRYPOINT changed"
            );
        }
        if let Some((cmd, _)) = &old.cmd {
            let same = new.cmd.as_ref().map(|(c, _)| c.words()) == Some(cmd.words());
            assert!(
                same || changed.contains("CMD"),
                "{name}: CMD changed without a word in the report"
            );
        }
        assert!(
            new.user
                .is_some_and(|(u, _)| !u.starts_with("root") && !u.starts_with('0')),
            "{name}: runs as root"
        );
    }
}
