//! Test support: fixture copies with the junk real repositories carry.
//!
//! Fixtures stay small in git. The bulky junk a real repository drags into
//! its build context (node_modules, an image library, .git history, local
//! databases, secrets) is generated here, into a temporary copy.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Fixtures of several images (a compose file with one folder per
/// service): the per-image tests take them; the single-image loops, which
/// plan the root as one image, do not.
pub const MULTI_IMAGE: &[&str] = &["docker-folder-images", "two-services"];

/// Every single-image fixture folder name, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !MULTI_IMAGE.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of a fixture, with its junk generated.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("dockslim-{name}-"))
        .tempdir()
        .unwrap();
    copy_dir(&fixtures_dir().join(name), dir.path());
    add_junk(name, dir.path());
    dir
}

/// Deterministic bytes that do not compress, like real images and packs.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const FAKE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD\nZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2VmYWtl\n-----END PRIVATE KEY-----\n";

/// The junk each fixture's real-world counterpart carries.
pub fn add_junk(name: &str, root: &Path) {
    match name {
        "two-services" => {
            // Each service folder as a developer's checkout has it: the
            // API's local venv, the events service's host node_modules.
            write(
                root,
                "api/.venv/lib/python3.12/site-packages/psycopg2/_psycopg.so",
                &noise(4_000_000, 51),
            );
            for i in 0..40 {
                write(
                    root,
                    &format!("events/node_modules/pkg{i:02}/index.js"),
                    &noise(50_000, 60 + i as u64),
                );
            }
        }
        "streamlit-uv" => {
            // The local venv uv made, and Streamlit's secrets store: what a
            // developer's checkout carries beside the code.
            write(
                root,
                ".venv/lib/python3.11/site-packages/pyarrow/libarrow.so.1800",
                &noise(6_000_000, 41),
            );
            // A developer's venv points at their own interpreter, which no
            // image has: uv recreates such a venv when the image copies it.
            write(
                root,
                ".venv/pyvenv.cfg",
                b"home = /Users/dev/.pyenv/versions/3.11.9/bin\nversion_info = 3.11.9\n",
            );
            write(
                root,
                ".venv/bin/activate",
                b"# This file must be used with source\n",
            );
            std::os::unix::fs::symlink(
                "/Users/dev/.pyenv/versions/3.11.9/bin/python3.11",
                root.join(".venv/bin/python"),
            )
            .unwrap();
            write(
                root,
                ".streamlit/secrets.toml",
                b"[billing]\napi_key = \"sk-live-7d3f0c9a\"\n",
            );
        }
        "flask-junk" => {
            // A frontend's node_modules: many small files and a few large ones.
            for i in 0..1200 {
                write(
                    root,
                    &format!("node_modules/pkg{:03}/lib/index{}.js", i / 10, i % 10),
                    &noise(6_000 + (i % 7) * 1_000, i as u64),
                );
            }
            write(
                root,
                "node_modules/esbuild/bin/esbuild",
                &noise(9_000_000, 7),
            );
            // 150 fabric swatch photos (~100 kB each), mounted at run time in production.
            for i in 0..150 {
                write(
                    root,
                    &format!("fabric_swatches/swatch_{i:04}.jpg"),
                    &noise(100_000, 1000 + i as u64),
                );
            }
            // Mockups the app generated locally, and an exploration notebook.
            for i in 0..20 {
                write(
                    root,
                    &format!("generated_mockups/mock_{i:03}.png"),
                    &noise(50_000, 2000 + i as u64),
                );
            }
            write(root, "notebooks/explore.ipynb", &noise(300_000, 3000));
            // A .git folder with history.
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(
                root,
                ".git/config",
                b"[core]\n\trepositoryformatversion = 0\n",
            );
            write(
                root,
                ".git/objects/pack/pack-1a2b3c.pack",
                &noise(12_000_000, 99),
            );
            // Local database, caches, secrets.
            write(root, "instance/app.db", &noise(400_000, 5));
            write(
                root,
                "__pycache__/api_server.cpython-312.pyc",
                &noise(4_000, 6),
            );
            write(
                root,
                ".env",
                b"SECRET_KEY=s3cr3t-value\nDATABASE_URL=postgres://shop:hunter2@db/shop\n",
            );
            write(root, "certs/server.pem", FAKE_KEY.as_bytes());
            write(root, "cloud_key_new", FAKE_KEY.as_bytes());
            write(
                root,
                "cloud_key_new.pub",
                b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKE deploy@shop\n",
            );
            write(root, "npm-debug.log", b"npm ERR! fake\n");
        }
        "django-psycopg2" => {
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(
                root,
                ".git/objects/pack/pack-9f8e.pack",
                &noise(3_000_000, 42),
            );
            write(root, ".venv/pyvenv.cfg", b"home = /usr/bin\n");
            write(
                root,
                ".venv/lib/python3.12/site-packages/django/__init__.py",
                &noise(2_000_000, 43),
            );
            write(root, "db.sqlite3", &noise(200_000, 44));
            write(root, ".env.production", b"DJANGO_SECRET_KEY=prod-secret\n");
        }
        "django-test-folders" => {
            // A training run of the app only the tests install left a
            // checkpoint per epoch beside it.
            for epoch in 1..=12u64 {
                write(
                    root,
                    &format!("testing_apps/classifier/checkpoints/epoch_{epoch:02}.pt"),
                    &noise(1_200_000, 4000 + epoch),
                );
            }
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(
                root,
                "tests/__pycache__/test_views.cpython-312.pyc",
                &noise(2_000, 4100),
            );
        }
        "django-channels" => {
            // A local run's database and bytecode, and the settings a
            // developer keeps out of git.
            write(root, "db.sqlite3", &noise(150_000, 6500));
            write(
                root,
                "echo/__pycache__/consumers.cpython-312.pyc",
                &noise(3_000, 6501),
            );
            write(root, ".env", b"DJANGO_SECRET_KEY=local-secret\n");
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "mcp-http" => {
            // The developer's venv and the token an agent config left.
            write(root, ".venv/pyvenv.cfg", b"home = /usr/bin\n");
            write(
                root,
                ".venv/lib/python3.12/site-packages/pydantic_core/_pydantic_core.so",
                &noise(3_000_000, 6400),
            );
            write(root, ".env", b"NOTES_API_TOKEN=local-dev-token\n");
            write(
                root,
                "__pycache__/server.cpython-312.pyc",
                &noise(2_000, 6401),
            );
        }
        "fastapi-app" => {
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(root, ".pytest_cache/v/cache/nodeids", b"[]\n");
            write(
                root,
                "app/__pycache__/main.cpython-312.pyc",
                &noise(3_000, 8),
            );
            write(
                root,
                "deploy/service-account.json",
                b"{\"type\": \"service_account\", \"private_key\": \"fake\"}\n",
            );
        }
        "uv-fastapi-no-lock" => {
            // uv's project environment from `uv run`, and bytecode.
            write(root, ".venv/pyvenv.cfg", b"home = /usr/bin\n");
            for i in 0..60 {
                write(
                    root,
                    &format!(".venv/lib/python3.12/site-packages/pkg{i:02}/__init__.py"),
                    &noise(20_000, 6000 + i as u64),
                );
            }
            write(
                root,
                "__pycache__/main.cpython-312.pyc",
                &noise(2_000, 6100),
            );
        }
        "poetry-flask-no-lock" => {
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(root, ".pytest_cache/v/cache/nodeids", b"[]\n");
            write(
                root,
                "notes/__pycache__/app.cpython-312.pyc",
                &noise(2_000, 6200),
            );
        }
        "express-no-lock" => {
            // The node_modules a local `npm install` left; the lock it wrote
            // stays out of git, as the fixture's .gitignore says.
            for i in 0..200 {
                write(
                    root,
                    &format!("node_modules/pkg{:02}/index{}.js", i / 10, i % 10),
                    &noise(5_000, 6300 + i as u64),
                );
            }
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "nest-api" | "sveltekit-node" | "nuxt-app" | "react-router-app" | "angular-spa" => {
            // A local `npm install` and build: node_modules (with the
            // binaries of the host's platform), the build output and the
            // framework's generated folder, none of which the image takes.
            for i in 0..300 {
                write(
                    root,
                    &format!("node_modules/pkg{:02}/index{}.js", i / 10, i % 10),
                    &noise(5_000, 7100 + i as u64),
                );
            }
            write(
                root,
                "node_modules/@esbuild/darwin-arm64/bin/esbuild",
                &noise(4_000_000, 7099),
            );
            let generated: &[&str] = match name {
                "nest-api" => &["dist/main.js"],
                "sveltekit-node" => &["build/index.js", ".svelte-kit/output/server/index.js"],
                "react-router-app" => &[
                    "build/server/index.js",
                    ".react-router/types/app/+types/root.ts",
                ],
                _ => &[".output/server/index.mjs", ".nuxt/nuxt.d.ts"],
            };
            for (i, path) in generated.iter().enumerate() {
                write(root, path, &noise(300_000, 7200 + i as u64));
            }
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "npm-workspace-vite" => {
            // npm's hoisted node_modules and the builds a local `npm run
            // build` left in both members.
            for i in 0..150 {
                write(
                    root,
                    &format!("node_modules/pkg{:02}/index{}.js", i / 10, i % 10),
                    &noise(8_000, 8500 + i as u64),
                );
            }
            write(
                root,
                "apps/catalog/dist/assets/old-build.js",
                &noise(400_000, 8700),
            );
            write(
                root,
                "packages/format/dist/index.js",
                b"export const stale = true\n",
            );
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "npm-workspace-express" => {
            // npm's hoisted node_modules with the workspace links and a
            // devDependency, a local env.
            for i in 0..150 {
                write(
                    root,
                    &format!("node_modules/pkg{:02}/index{}.js", i / 10, i % 10),
                    &noise(8_000, 9100 + i as u64),
                );
            }
            write(
                root,
                "node_modules/nodemon/bin/nodemon.js",
                b"#!/usr/bin/env node\n",
            );
            write(root, "apps/api/.env", b"LEDGER_TOKEN=local-only\n");
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "pnpm-workspace-express" => {
            // pnpm's virtual store and the member's links, from a local install.
            for i in 0..100 {
                write(
                    root,
                    &format!("node_modules/.pnpm/pkg{:02}/index{}.js", i / 10, i % 10),
                    &noise(8_000, 8800 + i as u64),
                );
            }
            write(root, "apps/api/node_modules/.bin/nodemon", b"#!/bin/sh\n");
            write(
                root,
                "apps/api/.env",
                b"DATABASE_URL=postgres://api:secret@db/api\n",
            );
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        }
        "pnpm-workspace-next" => {
            // A developer's checkout of the monorepo: pnpm's root and member
            // node_modules, a local Next.js build and cache, .git, a local env.
            for (i, dir) in [
                "node_modules/.pnpm",
                "apps/web/node_modules",
                "packages/shared/node_modules",
            ]
            .iter()
            .enumerate()
            {
                for j in 0..100 {
                    write(
                        root,
                        &format!("{dir}/pkg{:02}/index{}.js", j / 10, j % 10),
                        &noise(8_000, 8000 + (i * 100 + j) as u64),
                    );
                }
            }
            for i in 0..20 {
                write(
                    root,
                    &format!("apps/web/.next/cache/images/{i:02}/img.webp"),
                    &noise(300_000, 8400 + i as u64),
                );
            }
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(
                root,
                "apps/web/.env.local",
                b"NEXT_PUBLIC_X=1\nAPI_TOKEN=local-only\n",
            );
        }
        "vite-spa" | "flask-vite" | "express-api" | "nextjs-app" => {
            // What a developer's checkout carries: node_modules with the
            // caches tools keep inside it, a stale build, .git, a local env.
            let web = if name == "flask-vite" {
                "frontend/"
            } else {
                ""
            };
            for i in 0..400 {
                write(
                    root,
                    &format!("{web}node_modules/.cache/babel-loader/{i:04}.json"),
                    &noise(8_000 + (i % 5) * 2_000, 500 + i as u64),
                );
            }
            write(
                root,
                &format!("{web}node_modules/.vite/deps/chunk-big.js"),
                &noise(6_000_000, 77),
            );
            write(root, ".git/HEAD", b"ref: refs/heads/main\n");
            write(
                root,
                ".git/objects/pack/pack-5e6f.pack",
                &noise(4_000_000, 78),
            );
            write(
                root,
                &format!("{web}.env.local"),
                b"VITE_MAPS_KEY=local-only-key\nNEXT_PUBLIC_X=1\n",
            );
            match name {
                "nextjs-app" => {
                    for i in 0..30 {
                        write(
                            root,
                            &format!(".next/cache/images/{i:02}/img.webp"),
                            &noise(300_000, 900 + i as u64),
                        );
                    }
                }
                "flask-vite" => {
                    write(
                        root,
                        "frontend/dist/assets/old-build.js",
                        &noise(500_000, 79),
                    );
                    write(root, ".venv/pyvenv.cfg", b"home = /usr/bin\n");
                }
                "vite-spa" => write(root, "build/assets/old-build.js", &noise(500_000, 80)),
                _ => {}
            }
        }
        _ => {}
    }
}

/// What a proposal for an existing Dockerfile must keep, as a list of
/// problems (empty when it keeps everything):
/// - the output parses as a Dockerfile;
/// - the output without the lines holding text a fix wrote is the original
///   without the lines a fix claims (changed, moved or removed), in order,
///   byte for byte: what no fix touches stays exactly as it was;
/// - every stage name of the original is still a stage name, so
///   `--target` and `COPY --from` find what they found.
pub fn edit_problems(original: &str, proposal: &dockslim::Proposal) -> Vec<String> {
    use dockslim::dockerfile::Dockerfile;
    let mut problems = Vec::new();
    let new = &proposal.dockerfile().new;
    let Ok(after) = Dockerfile::parse(new, "proposal") else {
        return vec!["the output does not parse".into()];
    };
    let before = Dockerfile::parse(original, "original").expect("the original parses");
    let claimed: std::collections::BTreeSet<usize> = proposal
        .applied
        .iter()
        .flat_map(|a| a.original_lines.iter().copied())
        .collect();
    let written: std::collections::BTreeSet<usize> = proposal
        .applied
        .iter()
        .flat_map(|a| a.output_lines.iter().copied())
        .collect();
    let lines = |text: &str| -> Vec<String> {
        text.strip_prefix('\u{feff}')
            .unwrap_or(text)
            .split_inclusive('\n')
            .map(|l| l.trim_end_matches(['\n', '\r']).to_string())
            .collect()
    };
    let kept: Vec<(usize, String)> = lines(original)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !claimed.contains(&(i + 1)))
        .collect();
    let untouched: Vec<(usize, String)> = lines(new)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !written.contains(&(i + 1)))
        .collect();
    for (k, u) in kept.iter().zip(&untouched) {
        if k.1 != u.1 {
            problems.push(format!(
                "original line {} `{}` is output line {} `{}`, and no fix claims the change",
                k.0 + 1,
                k.1,
                u.0 + 1,
                u.1
            ));
            break;
        }
    }
    if kept.len() != untouched.len() {
        problems.push(format!(
            "{} lines no fix touched in the original, {} in the output",
            kept.len(),
            untouched.len()
        ));
    }
    for stage in &before.stages {
        if let Some(alias) = &stage.alias {
            if !after
                .stages
                .iter()
                .any(|s| s.alias.as_deref() == Some(alias.as_str()))
            {
                problems.push(format!("stage `{alias}` is gone"));
            }
        }
    }
    problems
}

/// What a corpus case expects (its case.yaml, or the header of a single
/// Dockerfile), and what the end-to-end suite builds and probes.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CaseMeta {
    /// The Dockerfile, relative to the repository (default `Dockerfile`).
    #[serde(default)]
    pub dockerfile: Option<String>,
    /// `rewrite`, or `refuse <words of the error>`.
    #[serde(default)]
    pub expect: Option<String>,
    /// Rule ids whose fixes must apply.
    #[serde(default)]
    pub fixes: Vec<String>,
    /// Rule ids whose fixes must be held back, with a reason.
    #[serde(default)]
    pub not_fixed: Vec<String>,
    /// The build targets the end-to-end suite builds ("" is the default).
    #[serde(default)]
    pub targets: Vec<String>,
    /// `modern` when the file needs a newer BuildKit (heredocs).
    #[serde(default)]
    pub engine: Option<String>,
    #[serde(default)]
    pub probe: Option<Probe>,
}

/// How the end-to-end suite runs a case's image and what must answer.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The build target that runs (the default when absent).
    #[serde(default)]
    pub target: Option<String>,
    /// The build context, relative to the repository (default the root).
    #[serde(default)]
    pub context: Option<String>,
    pub port: u16,
    pub path: String,
    /// A command to run instead of the image's CMD.
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
}

/// The case.yaml of a corpus folder.
pub fn case_meta(dir: &Path) -> CaseMeta {
    let name = dir.display();
    let yaml = std::fs::read_to_string(dir.join("case.yaml"))
        .unwrap_or_else(|_| panic!("{name}: no case.yaml"));
    serde_norway::from_str(&yaml).unwrap_or_else(|e| panic!("{name}/case.yaml: {e}"))
}

/// Every corpus folder (a whole repository) with its case.yaml.
pub fn corpus_dirs() -> Vec<(String, PathBuf, CaseMeta)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let meta = case_meta(&d);
            (
                d.file_name().unwrap().to_string_lossy().into_owned(),
                d,
                meta,
            )
        })
        .collect()
}

/// An error as dockslim must say it: exit status 2, and a `hint:` line
/// with the fix under the message. Every failing CLI test goes through it.
pub trait FailsTeaching {
    fn fails_teaching(self) -> assert_cmd::assert::Assert;
}

impl FailsTeaching for assert_cmd::assert::Assert {
    fn fails_teaching(self) -> assert_cmd::assert::Assert {
        let assert = self.code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let hint = stderr
            .lines()
            .find_map(|l| l.strip_prefix("hint: "))
            .unwrap_or_else(|| panic!("no `hint:` line in the error:\n{stderr}"));
        assert!(hint.trim().len() > 10, "an empty hint: {stderr}");
        assert!(
            !stderr.contains("os error") && !stderr.contains("expected u16"),
            "Rust's words reach the user: {stderr}"
        );
        assert
    }
}
