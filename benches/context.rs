//! How fast `dockslim context` reads a large build context, beside `du -sb`
//! and `find | wc -l` on the same tree in the same run.
//!
//! Run with `cargo bench --bench context` (optionally `-- 50000 100000
//! 200000` for other tree sizes). Trees are generated once under
//! target/bench-context/ and reused. Each command runs once to warm the page
//! cache before each of five interleaved rounds; the best time is printed. The target is within
//! 1.5x of `du -sb` with a warm cache, and time linear in the number of files
//! (compare the ns/file column across sizes).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Makes a tree of about `files` files: node_modules-like depth, asset
/// folders, a few large (sparse) blobs, an excluded folder with one
/// re-included file inside, and a small Flask app so the proposal runs too.
fn make_tree(root: &Path, files: usize) {
    let marker = root.join(".complete");
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root).unwrap();
    let write = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    write("requirements.txt", b"flask==3.1.0\ngunicorn==23.0.0\n");
    write("app.py", b"from flask import Flask\napp = Flask(__name__)\n\n@app.get('/healthz')\ndef h():\n    return 'ok'\n");
    write(
        ".dockerignore",
        b"# ours\n.git\n**/*.pyc\ndata\n!data/keep/seed.csv\nassets/raw\n*.md\n",
    );
    let node = files * 7 / 10;
    let assets = files * 2 / 10;
    let data = files - node - assets;
    for i in 0..node {
        // node_modules/pkgNNN/lib/aNN/bNN/fileN.js: six levels deep
        let rel = format!(
            "node_modules/pkg{:04}/lib/a{:02}/b{:02}/f{i}.js",
            i / 200,
            (i / 20) % 10,
            i % 20
        );
        write(&rel, &vec![b'x'; 200 + i % 800]);
    }
    for i in 0..assets {
        let rel = format!(
            "assets/{}/set{:03}/img{i}.png",
            if i % 2 == 0 { "raw" } else { "web" },
            i / 500
        );
        write(&rel, &vec![b'p'; 1000 + i % 3000]);
    }
    for i in 0..data {
        write(
            &format!("data/part{:03}/row{i}.csv", i / 1000),
            b"a,b,c\n1,2,3\n",
        );
    }
    write("data/keep/seed.csv", b"id\n1\n");
    for i in 0..8 {
        let f = std::fs::File::create(root.join(format!("data/blob{i}.bin"))).unwrap();
        f.set_len(200_000_000).unwrap();
    }
    std::fs::write(marker, b"").unwrap();
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn run_quiet(cmd: &mut Command) {
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{cmd:?} failed");
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![50_000, 100_000, 200_000]
    } else {
        sizes
    };
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-context");
    let dockslim = env!("CARGO_BIN_EXE_dockslim");
    println!(
        "{:>9} {:>9} {:>10} {:>10} {:>12} {:>9} {:>12}",
        "files", "counted", "du -sb s", "find s", "dockslim s", "vs du", "ns/file"
    );
    for size in sizes {
        let tree = base.join(format!("tree-{size}"));
        make_tree(&tree, size);
        let counted = String::from_utf8(
            Command::new("sh")
                .arg("-c")
                .arg(format!("find {} -type f | wc -l", tree.display()))
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
        .trim()
        .parse::<usize>()
        .unwrap();
        // Interleaved, best of five each, so drift on a shared machine hits
        // all three alike.
        let (mut du, mut find, mut ds) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            du = du.min(best_of(1, || {
                run_quiet(Command::new("du").arg("-sb").arg(&tree))
            }));
            find = find.min(best_of(1, || {
                run_quiet(
                    Command::new("sh")
                        .arg("-c")
                        .arg(format!("find {} | wc -l", tree.display())),
                )
            }));
            ds = ds.min(best_of(1, || {
                run_quiet(
                    Command::new(dockslim)
                        .args(["context", "--format", "json"])
                        .arg(&tree),
                )
            }));
        }
        println!(
            "{:>9} {:>9} {:>10.3} {:>10.3} {:>12.3} {:>8.2}x {:>12.0}",
            size,
            counted,
            du.as_secs_f64(),
            find.as_secs_f64(),
            ds.as_secs_f64(),
            ds.as_secs_f64() / du.as_secs_f64(),
            ds.as_nanos() as f64 / counted as f64
        );
    }
}
