//! How fast `dockslim context` reads a large build context, against `du -sb`
//! on the same tree in the same run.
//!
//! Run with `cargo bench --bench context` (add `-- --pairs 21` for more
//! pairs). The tree is the one issue 17 names, generated once under
//! target/bench-context/ and reused:
//! - 400 node_modules-like packages of 450 small files each (180,000 files),
//! - 20,000 small source files,
//! - four 20 MB blobs,
//! - a .dockerignore that excludes node_modules with one exception that
//!   re-includes a file inside it, so the walk must go into node_modules.
//!
//! Both commands run once to warm the page cache, then in pairs (du, then
//! dockslim; the order alternates so drift hits both alike). The printed
//! ratio is the median of dockslim's time over the median of du's. The
//! target is 1.5x or less.
//!
//! What the per-line report costs: to say how many bytes `node_modules`
//! keeps out, the walk stats every file below it, as du does. Only the
//! exception would need less (a listing of node_modules/ and of
//! node_modules/pkg0042/). The last line prints `du -sb --exclude
//! node_modules` on the same tree: roughly what the walk would cost
//! without the report's bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PACKAGES: usize = 400;
const FILES_PER_PACKAGE: usize = 450;
const SOURCE_FILES: usize = 20_000;
const BLOBS: usize = 4;
const BLOB_BYTES: usize = 20 << 20;

/// Makes the tree under `root` unless a finished one is already there.
fn make_tree(root: &Path) {
    let marker = root.join(".complete");
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(root);
    let write = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    write("package.json", br#"{"name":"bench","version":"1.0.0","scripts":{"start":"node server.js"},"dependencies":{"express":"4.21.2"}}"#);
    write("package-lock.json", br#"{"name":"bench","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"bench","version":"1.0.0","dependencies":{"express":"4.21.2"}},"node_modules/express":{"version":"4.21.2","resolved":"https://registry.npmjs.org/express/-/express-4.21.2.tgz"}}}"#);
    write("server.js", b"const express = require('express');\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\napp.listen(3000);\n");
    write(
        ".dockerignore",
        b"# dependencies are installed in the image\nnode_modules\n!node_modules/pkg0042/package.json\n.git\n*.log\n",
    );
    for p in 0..PACKAGES {
        // node_modules/pkgNNNN/{package.json, lib/dNN/fNNN.js}: 450 files.
        write(
            &format!("node_modules/pkg{p:04}/package.json"),
            format!(r#"{{"name":"pkg{p:04}","version":"1.0.0"}}"#).as_bytes(),
        );
        for f in 1..FILES_PER_PACKAGE {
            let rel = format!("node_modules/pkg{p:04}/lib/d{:02}/f{f:03}.js", f / 30);
            write(&rel, &vec![b'x'; 100 + (p * 7 + f) % 900]);
        }
    }
    for i in 0..SOURCE_FILES {
        let rel = format!("src/m{:03}/s{:02}/file{i}.js", i / 200, (i / 20) % 10);
        write(&rel, &vec![b's'; 200 + i % 1800]);
    }
    for b in 0..BLOBS {
        write(
            &format!("assets/blob{b}.bin"),
            &vec![b as u8 + 1; BLOB_BYTES],
        );
    }
    std::fs::write(marker, b"").unwrap();
}

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pairs = args
        .iter()
        .position(|a| a == "--pairs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(11usize);
    let tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-context/issue-17");
    make_tree(&tree);
    let dockslim = env!("CARGO_BIN_EXE_dockslim");
    let du = || time(Command::new("du").arg("-sb").arg(&tree));
    let ds = || {
        time(
            Command::new(dockslim)
                .args(["context", "--format", "json"])
                .arg(&tree),
        )
    };
    du(); // warm the page cache
    ds();
    let (mut du_times, mut ds_times) = (Vec::new(), Vec::new());
    for pair in 0..pairs {
        if pair % 2 == 0 {
            du_times.push(du());
            ds_times.push(ds());
        } else {
            ds_times.push(ds());
            du_times.push(du());
        }
    }
    let (du_median, ds_median) = (median(du_times), median(ds_times));
    let without_report = median(
        (0..pairs)
            .map(|_| {
                time(
                    Command::new("du")
                        .args(["-sb", "--exclude", "node_modules"])
                        .arg(&tree),
                )
            })
            .collect(),
    );
    println!("tree: {} ({} pairs, warm cache)", tree.display(), pairs);
    println!("du -sb          median {:>7.3} s", du_median.as_secs_f64());
    println!("dockslim context median {:>7.3} s", ds_median.as_secs_f64());
    println!(
        "ratio {:.2}x (target 1.50x or less)",
        ds_median.as_secs_f64() / du_median.as_secs_f64()
    );
    println!(
        "du -sb --exclude node_modules median {:>7.3} s (the walk without the per-line report's bytes)",
        without_report.as_secs_f64()
    );
}
