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

/// A measured image for the verify report snapshots: a base of two layers
/// and the layers the Dockerfile adds, `(instruction, bytes, compressed,
/// hides)`.
fn measured(
    base: &str,
    added: &[(&str, u64, u64, u64)],
    health: &str,
    user: &str,
) -> dockslim::verify::Measured {
    use dockslim::verify::layers::{ImageLayers, Layer};
    let base_layers = [
        ("ADD file:7a9b in /", 80_000_000, 29_000_000, 0),
        (
            "RUN apt-get update && apt-get install -y python3",
            40_000_000,
            14_000_000,
            0,
        ),
    ];
    let layers: Vec<Layer> = base_layers
        .iter()
        .map(|l| (l, true))
        .chain(added.iter().map(|l| (l, false)))
        .map(
            |(&(instruction, bytes, compressed, hides), in_base)| Layer {
                instruction: instruction.to_string(),
                bytes,
                compressed_bytes: compressed,
                hidden_bytes: hides,
                in_base,
            },
        )
        .collect();
    let total = |f: fn(&Layer) -> u64, base: bool| {
        layers
            .iter()
            .filter(|l| base || !l.in_base)
            .map(f)
            .sum::<u64>()
    };
    let wasted: u64 = added.iter().map(|l| 2 * l.3).sum();
    let image = ImageLayers {
        bytes: total(|l| l.bytes, true),
        compressed_bytes: total(|l| l.compressed_bytes, true),
        over_base_bytes: Some(total(|l| l.bytes, false)),
        over_base_compressed_bytes: Some(total(|l| l.compressed_bytes, false)),
        wasted_bytes: wasted,
        efficiency: 1.0 - wasted as f64 / (2 * total(|l| l.bytes, true)) as f64,
        layers,
    };
    dockslim::verify::Measured {
        context_bytes: 48_000,
        context_files: 21,
        image_bytes: image.bytes,
        layers: image.layers.len(),
        build_seconds: 12.5,
        user: user.to_string(),
        health: health.to_string(),
        log: String::new(),
        last_logs: Vec::new(),
        diagnoses: Vec::new(),
        base_image: Some(base.to_string()),
        image: Some(image),
        image_note: None,
    }
}

fn verify_report(
    current: dockslim::verify::Measured,
    proposed: dockslim::verify::Measured,
    max_size: Option<u64>,
    max_compressed: Option<u64>,
) -> dockslim::verify::VerifyReport {
    let mut report = dockslim::verify::VerifyReport {
        schema: "dockslim-verify/1",
        repository: "flask-junk".into(),
        engine: "Docker 20.10.24".into(),
        builder: "BuildKit",
        current: None,
        proposed,
        saved_bytes: None,
        saved_percent: None,
        not_applied: Vec::new(),
        repairs: Vec::new(),
        budgets: Vec::new(),
        verdict: Vec::new(),
    };
    report.set_current(Some(current));
    report.judge(max_size, max_compressed);
    report
}

/// verify's report in every format: the sizes (uncompressed, compressed,
/// over the base), dive's waste, the layer tables and the budget verdict;
/// one report where all is well, one where the proposal grew and is over
/// its budget.
#[test]
fn verify_reports() {
    let current = measured(
        "python:3.12",
        &[
            ("COPY . /app", 300_000_000, 280_000_000, 0),
            (
                "RUN pip install -r requirements.txt",
                60_000_000,
                21_000_000,
                0,
            ),
            ("RUN rm -rf /app/tests", 1_000, 600, 90_000_000),
        ],
        "healthy",
        "root",
    );
    let slim = measured(
        "python:3.12-slim",
        &[
            (
                "RUN pip install --no-cache-dir -r requirements.txt",
                24_000_000,
                8_000_000,
                0,
            ),
            ("COPY --chown=10001:10001 . /app", 40_000, 12_000, 0),
        ],
        "healthy",
        "10001:10001",
    );
    let grown = measured(
        "python:3.12",
        &[
            ("COPY . /app", 300_000_000, 280_000_000, 0),
            (
                "RUN pip install -r requirements.txt",
                90_000_000,
                31_000_000,
                0,
            ),
        ],
        "healthy",
        "10001:10001",
    );
    let well = verify_report(current.clone(), slim, Some(400_000_000), Some(150_000_000));
    assert!(well.verdict.is_empty() && !well.failed());
    let over = verify_report(current, grown, Some(400_000_000), Some(150_000_000));
    assert!(over.failed(), "over the budget fails verify");
    assert!(
        over.verdict[0].contains("not smaller"),
        "{:?}",
        over.verdict
    );
    assert!(over.verdict[0].contains("RUN pip install -r requirements.txt` (+30.0 MB)"));
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        for (name, report) in [("verify_smaller", &well), ("verify_over_budget", &over)] {
            insta::assert_snapshot!(format!("{name}__text"), report.text());
            insta::assert_snapshot!(format!("{name}__markdown"), report.markdown());
            insta::assert_snapshot!(format!("{name}__json"), report.json());
        }
    });
}

/// The `python-distroless` profile's Dockerfiles, judged by hadolint and
/// checkov in CI like every generated one: a FastAPI app, and a Django app
/// with collectstatic and a media folder it writes (their Dockerfiles
/// removed, as for `init`). The e2e suite builds and serves both.
#[test]
fn distroless_dockerfiles() {
    for name in ["fastapi-app", "django-test-folders"] {
        let dir = common::fixture(name);
        let _ = std::fs::remove_file(dir.path().join("Dockerfile"));
        let opts = Options {
            profile: Some("python-distroless".into()),
            ..options(dir.path())
        };
        let analysis = dockslim::analyze(&opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let proposal = dockslim::propose(&analysis, &opts).unwrap();
        let dockerfile = &proposal.dockerfile().new;
        let runtime = &dockerfile[dockerfile.find("AS runtime").unwrap()..];
        assert!(
            !runtime.lines().any(|l| l.starts_with("RUN ")),
            "{name}: a shell step in a runtime without a shell:\n{runtime}"
        );
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("{name}.distroless__Dockerfile"), dockerfile);
        });
    }
}

/// `targets: [development]` (passed as `--set`, so the fixtures and their
/// snapshots stay as they are), for a repository without a Dockerfile: the
/// file is the production one with the development stages added before
/// the runtime stage, which stays last and unchanged, so `docker build .`
/// builds what it builds without the setting. Judged by hadolint and
/// checkov in CI like every generated Dockerfile (the `.development`
/// snapshots); the e2e suite builds both targets of fastapi-app and
/// express-api and watches the development one reload.
#[test]
fn development_target_dockerfiles() {
    for name in [
        "fastapi-app",
        "poetry-flask-no-lock",
        "uv-fastapi",
        "django-psycopg2",
        "express-api",
        "vite-spa",
        "nextjs-app",
        // A frontend built into the Python image, and one with a
        // Dockerfile of its own.
        "flask-vite",
        "api-with-spa",
    ] {
        let dir = common::fixture(name);
        let _ = std::fs::remove_file(dir.path().join("Dockerfile"));
        let plain_opts = options(dir.path());
        let plain =
            dockslim::propose(&dockslim::analyze(&plain_opts).unwrap(), &plain_opts).unwrap();
        let opts = Options {
            sets: vec!["targets=development".into()],
            ..options(dir.path())
        };
        let analysis = dockslim::analyze(&opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let proposal = dockslim::propose(&analysis, &opts).unwrap();
        // The Dockerfile, and a separate frontend's when there is one.
        let files = |p: &dockslim::Proposal| -> Vec<(String, String)> {
            p.changes
                .iter()
                .filter(|c| {
                    c.role == FileRole::Dockerfile
                        || (c.role == FileRole::Frontend && c.path.ends_with("Dockerfile.frontend"))
                })
                .map(|c| (c.path.clone(), c.new.clone()))
                .collect()
        };
        let (plain_files, dev_files) = (files(&plain), files(&proposal));
        assert_eq!(plain_files.len(), dev_files.len(), "{name}");
        for ((path, production), (_, dockerfile)) in plain_files.iter().zip(&dev_files) {
            let (production, dockerfile) = (production.clone(), dockerfile.clone());
            // Stages are separated by a blank line; the development ones are
            // the only blocks added.
            let blocks: Vec<&str> = dockerfile.split("\n\n").collect();
            let is_dev = |b: &&str| {
                b.lines().any(|l| {
                    l.starts_with("FROM ")
                        && (l.ends_with(" AS development") || l.ends_with(" AS development-deps"))
                })
            };
            let without: Vec<&str> = blocks.iter().copied().filter(|b| !is_dev(b)).collect();
            assert_eq!(
                without.join("\n\n"),
                production,
                "{name}: the setting changes more than the development stages"
            );
            assert!(
                blocks.iter().any(|b| b.contains(" AS development\n")),
                "{name}: no development stage"
            );
            let last = blocks.last().unwrap();
            assert!(
                last.starts_with("FROM ") && last.lines().next().unwrap().ends_with(" AS runtime"),
                "{name}: production is not the last stage:\n{last}"
            );
            let dev = blocks
                .iter()
                .find(|b| b.contains(" AS development\n"))
                .unwrap();
            let user = dev
                .lines()
                .find_map(|l| l.strip_prefix("USER "))
                .unwrap_or_else(|| panic!("{name}: the development stage names no user"));
            assert!(
                !user.starts_with('0') && !user.starts_with("root"),
                "{name}: development runs as {user}"
            );
            dockslim::dockerfile::Dockerfile::parse(&dockerfile, "proposal")
                .unwrap_or_else(|e| panic!("{name}: the output does not parse: {e}"));
            let file = path.replace('/', "_");
            insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
                insta::assert_snapshot!(format!("{name}.development__{file}"), dockerfile);
            });
        }
        // The generated file is a fixed point: rewritten with the same
        // setting, nothing changes (the fixes leave the development stage
        // as it is).
        dockslim::output::apply::apply(&proposal.changes).unwrap();
        let again = dockslim::propose(&dockslim::analyze(&opts).unwrap(), &opts).unwrap();
        for change in &again.changes {
            assert!(
                !change.differs(),
                "{name}: rewriting the development output changes {}:\n{}",
                change.path,
                change.unified_diff()
            );
        }
    }
}
