//! How long each fuzz target runs, and the driver that runs it.
//!
//! Under a plain `cargo test` every target runs its own small number of
//! cases, so the suite stays fast on a shared machine. Two environment
//! variables make it a real fuzzing run:
//! - `DOCKSLIM_FUZZ_CASES=N`: N cases per target instead;
//! - `DOCKSLIM_FUZZ_SECONDS=S`: each target keeps drawing fresh batches of
//!   cases, with fresh seeds, until S seconds have passed.
//!
//! proptest's runner does the work (generation, shrinking to a minimal
//! failing input, the seed of every failure saved under
//! `proptest-regressions/fuzz/<target>.txt` and replayed first on every
//! later run); this module only decides how many cases, and reports how
//! many ran in how long.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};

/// Cases drawn per batch in a timed run: small enough to stop close to the
/// deadline, large enough that the replay of saved failures is noise.
const BATCH: u32 = 200;

/// What the environment asks for.
#[derive(Debug, Clone, Copy)]
struct Budget {
    cases: Option<u32>,
    time: Option<Duration>,
}

impl Budget {
    fn from_env() -> Budget {
        let number = |name: &str| -> Option<f64> {
            let value = std::env::var(name).ok()?;
            let n: f64 = value
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}={value}: expected a number"));
            Some(n)
        };
        Budget {
            cases: number("DOCKSLIM_FUZZ_CASES").map(|n| n as u32),
            time: number("DOCKSLIM_FUZZ_SECONDS").map(Duration::from_secs_f64),
        }
    }
}

fn config(target: &str, cases: u32) -> Config {
    // A `'static` path is what proptest takes; one leak per batch is fine
    // in a test.
    let file: &'static str = Box::leak(
        format!(
            "{}/proptest-regressions/fuzz/{target}.txt",
            env!("CARGO_MANIFEST_DIR")
        )
        .into_boxed_str(),
    );
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        // Shrinking a slow target (a whole rewrite per case) must end.
        max_shrink_time: 120_000,
        ..Config::default()
    }
}

/// Runs `property` on values of `strategy`: `default_cases` of them, or what
/// the environment asks for. Panics with the minimal failing input.
pub fn fuzz<S>(
    target: &str,
    default_cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let budget = Budget::from_env();
    // A crash that kills the process (a signal in C code, a stack overflow)
    // is beyond proptest's reach: with DOCKSLIM_FUZZ_LAST=<file> each case
    // is written there before it runs, so the last one is the culprit.
    let last = std::env::var_os("DOCKSLIM_FUZZ_LAST");
    let property = |value: S::Value| {
        if let Some(path) = &last {
            let _ = std::fs::write(path, format!("{value:#?}"));
        }
        property(value)
    };
    let start = Instant::now();
    let mut ran: u64 = 0;
    loop {
        let cases = match budget.time {
            Some(_) => BATCH,
            None => budget.cases.unwrap_or(default_cases),
        };
        let mut runner = TestRunner::new(config(target, cases));
        match runner.run(&strategy, property) {
            Ok(()) => ran += u64::from(cases),
            Err(TestError::Fail(why, value)) => {
                report(target, ran, start, 1);
                panic!("fuzz target {target} failed after {ran} cases: {why}\nminimal failing input: {value:#?}")
            }
            Err(TestError::Abort(why)) => {
                report(target, ran, start, 1);
                panic!("fuzz target {target} aborted: {why}")
            }
        }
        match budget.time {
            Some(limit) if start.elapsed() < limit => continue,
            _ => break,
        }
    }
    report(target, ran, start, 0);
}

/// One line per target, printed for the long runs (`-- --nocapture`) and
/// captured otherwise. A run stops at its first failure, which proptest
/// shrinks and saves, so `failures` is 0 or 1.
fn report(target: &str, ran: u64, start: Instant, failures: u32) {
    eprintln!(
        "fuzz {target}: {ran} cases in {:.1} s, {failures} failures",
        start.elapsed().as_secs_f64()
    );
}
