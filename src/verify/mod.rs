//! `dockslim verify`: build the current Dockerfile and the proposal on a real
//! engine, run both, and measure what changed.
//!
//! Builds happen in temporary folders holding exactly the files each build
//! context sends (hard links where the file system allows), so the user's
//! tree is never touched. Every container and image made here is removed
//! when verify ends, also on Ctrl-C; build logs are kept for failures.

mod diagnose;
pub mod layers;
pub mod repair;
pub use diagnose::Diagnosis;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::FileRole;
use crate::units::human_bytes;

/// Set by the Ctrl-C handler; long waits check it and stop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The Docker client and what its engine can build with.
pub struct Engine {
    program: PathBuf,
    /// Whether `DOCKER_BUILDKIT=1 docker build` works with this client.
    pub buildkit: bool,
    pub server_version: String,
}

fn docker_program() -> PathBuf {
    std::env::var_os("DOCKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| "docker".into())
}

impl Engine {
    /// Finds a client and an engine that answers, or says how to start one.
    pub fn connect() -> Result<Engine> {
        let program = docker_program();
        let out = Command::new(&program)
            .args([
                "version",
                "--format",
                "{{.Server.Version}}|{{.Client.Version}}",
            ])
            .output();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                return Err(Error::unsupported(
                    format!("cannot run `{}`: {e}", program.display()),
                    "install the Docker CLI, or point the DOCKER variable at it",
                ))
            }
        };
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let (server, client) = text.split_once('|').unwrap_or(("", ""));
        if !out.status.success() || server.is_empty() {
            return Err(Error::unsupported(
                format!(
                    "no Docker engine answers ({})",
                    String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("no answer").trim()
                ),
                "start one (`sudo systemctl start docker`, Docker Desktop, or `dockerd`), or set DOCKER_HOST to reach it",
            ));
        }
        // A client with the buildx plugin builds with BuildKit; clients
        // before 23.0 have BuildKit built in behind DOCKER_BUILDKIT=1; newer
        // clients without the plugin only have the classic builder.
        let buildx = Command::new(&program)
            .args(["buildx", "version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let client_major: u32 = client
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        Ok(Engine {
            program,
            buildkit: buildx || (client_major > 0 && client_major < 23),
            server_version: server.to_string(),
        })
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.env("DOCKER_BUILDKIT", if self.buildkit { "1" } else { "0" });
        cmd
    }

    fn output(&self, args: &[&str]) -> Result<String> {
        let out = self
            .cmd()
            .args(args)
            .output()
            .map_err(|e| Error::io(&self.program, e))?;
        if !out.status.success() {
            return Err(Error::unsupported(
                format!(
                    "`docker {}` failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                "the engine said why above; `docker info` shows whether it is healthy",
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// What one build and run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub context_bytes: u64,
    pub context_files: usize,
    pub image_bytes: u64,
    pub layers: usize,
    pub build_seconds: f64,
    /// The image's USER, `root` when it names none.
    pub user: String,
    /// `healthy`, `unhealthy`, `running` (no health check, still up after the
    /// wait), or `exited`.
    pub health: String,
    /// Where the build log was written (kept only when verify fails).
    pub log: String,
    /// The container's last log lines when it did not become healthy.
    pub last_logs: Vec<String>,
    /// Why it did not, read from those lines, its exit and the probe.
    pub diagnoses: Vec<Diagnosis>,
    /// The base image of the shipped stage, as the Dockerfile names it.
    pub base_image: Option<String>,
    /// The layers as `docker save` writes them (None when it could not
    /// be read; `image_note` says why).
    pub image: Option<layers::ImageLayers>,
    pub image_note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub schema: &'static str,
    pub repository: String,
    pub engine: String,
    pub builder: &'static str,
    pub current: Option<Measured>,
    pub proposed: Measured,
    /// Bytes saved by the proposal, and the share of the current image.
    pub saved_bytes: Option<i64>,
    pub saved_percent: Option<f64>,
    /// Proposed files the measurement leaves out, and why.
    pub not_applied: Vec<String>,
    /// What `--repair` changed, round by round.
    pub repairs: Vec<repair::Repair>,
    /// Each size budget and whether the proposal keeps to it.
    pub budgets: Vec<Budget>,
    /// What a reader must see first: a proposal that is not healthy, not
    /// smaller (with the layer that grew), or over budget. Empty when all
    /// is well.
    pub verdict: Vec<String>,
}

/// A size limit for the proposed image.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Budget {
    /// `uncompressed` (the size `docker images` shows) or `compressed`
    /// (what a registry stores).
    pub measure: &'static str,
    pub limit_bytes: u64,
    pub actual_bytes: Option<u64>,
    pub over: bool,
}

/// Everything verify made, removed when it ends.
struct Cleanup {
    engine_program: PathBuf,
    containers: Vec<String>,
    images: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Command::new(&self.engine_program)
                .args(["rm", "-f", c])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        for i in &self.images {
            let _ = Command::new(&self.engine_program)
                .args(["rmi", "-f", i])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

pub struct VerifyOptions {
    /// An HTTP path to probe when the image has no HEALTHCHECK.
    pub probe: Option<String>,
    /// How long a container may take to become healthy.
    pub timeout: Duration,
    /// Show progress on stderr.
    pub progress: bool,
    /// Build and run the current image too (a repair round reuses the
    /// first round's measure instead).
    pub build_current: bool,
}

/// Where a file the build reads goes in the staged context: its place in
/// the repository or, for one outside it (a Dockerfile named with
/// `--dockerfile ../x`), its name at the top, with its ignore file beside
/// it as Docker looks for it; never a path outside the staging folder, so
/// that verify cannot overwrite the user's file.
fn staged_name(rel: &str) -> String {
    let path = Path::new(rel);
    let leaves = path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    match path.file_name() {
        Some(name) if leaves => name.to_string_lossy().into_owned(),
        _ => rel.to_string(),
    }
}

/// Copies the files `sent` of `repo` into `dest` (hard links when possible).
fn stage_context(repo: &crate::repo::Repo, sent: &[bool], dest: &Path) -> Result<()> {
    for (file, keep) in repo.files.iter().zip(sent) {
        if !keep {
            continue;
        }
        let from = repo.abs(&file.path);
        let to = dest.join(&file.path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
    }
    Ok(())
}

pub fn verify(
    analysis: &crate::Analysis,
    proposal: &crate::Proposal,
    repository: String,
    opts: &VerifyOptions,
) -> Result<VerifyReport> {
    let engine = Engine::connect()?;
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    // An image whose project is a folder of its context is built as the
    // pipeline read it: from the folder, the proposal's sources narrowed
    // again (the same image: its own ignore file sends only the folder).
    let narrowed = analysis.narrowed.as_ref();
    let proposed_text = &match narrowed {
        Some(n) => {
            let df = crate::dockerfile::Dockerfile::parse(
                &proposal.dockerfile().new,
                &analysis.dockerfile_shown,
            )?;
            crate::subproject::narrow_dockerfile(&df, &n.folder)
        }
        None => proposal.dockerfile().new.clone(),
    };
    if !engine.buildkit && proposed_text.contains("RUN --mount") {
        return Err(Error::unsupported(
            "this Docker client only has the classic builder, which rejects RUN --mount",
            "install the buildx plugin, or rewrite with --set cache-mounts=false",
        ));
    }
    let work = tempfile::Builder::new()
        .prefix("dockslim-verify-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let logs = std::env::temp_dir().join(format!("dockslim-verify-logs-{}", std::process::id()));
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    let tag_base = format!("dockslim-verify/{}", std::process::id());
    let mut cleanup = Cleanup {
        engine_program: engine.program.clone(),
        containers: Vec::new(),
        images: Vec::new(),
    };

    let dockerfile_rel = staged_name(&analysis.dockerfile_shown);
    let ignore_rel = staged_name(&analysis.ignore_shown);
    let mut run_one = |label: &str,
                       dockerfile: &str,
                       ignore_text: Option<&str>,
                       measure: &crate::repo::context::Measure,
                       extra: &[(&str, &str)]|
     -> Result<Measured> {
        let dir = work.path().join(label);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        stage_context(&analysis.repo, &measure.sent, &dir)?;
        // Files carried from outside a narrowed image's folder, which the
        // copy of the folder holds under a name of its own.
        let carried = match narrowed.filter(|n| !n.carried.is_empty()) {
            Some(n) => {
                n.copy_carried(&dir)?;
                let ignore =
                    ignore_text.map(|t| format!("{t}\n!{}/\n", crate::subproject::CARRIED_IN_COPY));
                Some((n.for_the_copy(dockerfile)?, ignore))
            }
            None => None,
        };
        let (dockerfile, ignore_text) = match &carried {
            Some((text, ignore)) => (text.as_str(), ignore.as_deref()),
            None => (dockerfile, ignore_text),
        };
        // The Dockerfile and ignore file as this build should see them.
        let files = [
            (dockerfile_rel.as_str(), Some(dockerfile)),
            (ignore_rel.as_str(), ignore_text),
        ];
        let extra = extra.iter().map(|(rel, text)| (*rel, Some(*text)));
        for (rel, text) in files.into_iter().chain(extra) {
            let path = dir.join(staged_name(rel));
            let _ = std::fs::remove_file(&path);
            if let Some(text) = text {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
            }
        }
        let tag = format!("{tag_base}:{label}");
        cleanup.images.push(tag.clone());
        let log_path = logs.join(format!("{label}.log"));
        let seconds = build(
            &engine,
            &dir,
            &dir.join(&dockerfile_rel),
            &tag,
            &log_path,
            label,
            opts.progress,
        )?;
        let inspect = engine.output(&["image", "inspect", "-f", "{{.Size}}|{{len .RootFS.Layers}}|{{.Config.User}}|{{if .Config.Healthcheck}}yes{{end}}|{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}", &tag])?;
        let parts: Vec<&str> = inspect.split('|').collect();
        let image_bytes = parts.first().and_then(|s| s.parse().ok()).unwrap_or(0);
        let layers = parts.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let user = parts
            .get(2)
            .filter(|u| !u.is_empty())
            .map_or("root".to_string(), |u| u.to_string());
        let has_healthcheck = parts.get(3) == Some(&"yes");
        let port = parts
            .get(4)
            .and_then(|p| p.split_whitespace().next())
            .and_then(|p| p.split('/').next())
            .map(str::to_string);

        let base_image = base_image_of(dockerfile, &dockerfile_rel);
        let (image, image_note) = match saved_layers(&engine, &tag, base_image.as_deref()) {
            Ok(image) => (Some(image), None),
            Err(e) => (None, Some(format!("the layers could not be read: {e}"))),
        };

        let container = format!("dockslim-verify-{}-{label}", std::process::id());
        cleanup.containers.push(container.clone());
        let host_port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(0);
        let mut run_args = vec![
            "run".to_string(),
            "-d".into(),
            "--name".into(),
            container.clone(),
        ];
        if let Some(port) = &port {
            run_args.extend(["-p".into(), format!("127.0.0.1:{host_port}:{port}")]);
        }
        run_args.push(tag.clone());
        engine.output(&run_args.iter().map(String::as_str).collect::<Vec<_>>())?;
        let probe = opts.probe.as_deref().filter(|_| port.is_some());
        let (health, probe_status) = wait_healthy(
            &engine,
            &container,
            has_healthcheck,
            probe,
            host_port,
            opts.timeout,
            label,
            opts.progress,
        );
        if health == "interrupted" {
            return Err(Error::usage(
                "interrupted; removed what verify had made",
                "run `dockslim verify` again when you have the time it takes (--timeout sets the wait for health)",
            ));
        }
        let last_logs = if health == "healthy" || health == "running" {
            Vec::new()
        } else {
            let out = engine
                .cmd()
                .args(["logs", "--tail", "40", &container])
                .output()
                .map(|o| {
                    let mut text = String::from_utf8_lossy(&o.stdout).to_string();
                    text.push_str(&String::from_utf8_lossy(&o.stderr));
                    text
                });
            out.unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect()
        };
        let exit_code = engine
            .output(&["inspect", "-f", "{{.State.ExitCode}}", &container])
            .ok()
            .and_then(|c| c.parse().ok());
        let diagnoses = diagnose::diagnose(&diagnose::Ending {
            health: &health,
            exit_code,
            probe: probe.zip(probe_status),
            logs: &last_logs,
        });
        let _ = engine
            .cmd()
            .args(["rm", "-f", &container])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        Ok(Measured {
            diagnoses,
            context_bytes: measure.sent_bytes,
            context_files: measure.sent_files,
            image_bytes,
            layers,
            build_seconds: seconds,
            user,
            health,
            log: log_path.display().to_string(),
            last_logs,
            base_image,
            image,
            image_note,
        })
    };

    let current = match analysis.dockerfile.as_ref().filter(|_| opts.build_current) {
        Some(df) => Some(run_one(
            "current",
            &df.text,
            analysis.ignore_text.as_deref(),
            &analysis.context,
            &[],
        )?),
        None => None,
    };
    let proposed_ignore_file = proposal
        .change(FileRole::DockerIgnore)
        .map(|c| match narrowed {
            Some(n) => (
                crate::subproject::narrow_ignore(&c.new, &n.folder),
                analysis.ignore_shown.clone(),
            ),
            None => (c.new.clone(), c.path.clone()),
        })
        .unwrap_or_else(|| {
            (
                analysis.ignore_text.clone().unwrap_or_default(),
                analysis.ignore_shown.clone(),
            )
        });
    let proposed_ignore = crate::repo::dockerignore::DockerIgnore::parse(
        &proposed_ignore_file.0,
        &proposed_ignore_file.1,
    )?;
    let proposed_measure = crate::repo::context::measure(&analysis.repo, &proposed_ignore);
    // The files the proposal writes besides the Dockerfile (nginx.conf, the
    // next.config edit) are part of the build; a pyproject.toml edit is not,
    // since it needs a relock first.
    let extra: Vec<(&str, &str)> = proposal
        .changes
        .iter()
        .filter(|c| c.role == FileRole::BuildInput)
        .map(|c| {
            let path = narrowed
                .and_then(|n| c.path.strip_prefix(&format!("{}/", n.folder)))
                .unwrap_or(&c.path);
            (path, c.new.as_str())
        })
        .collect();
    let proposed = run_one(
        "proposed",
        proposed_text,
        Some(&proposed_ignore_file.0),
        &proposed_measure,
        &extra,
    )?;
    // The logs are kept only for failures, which return above.
    let _ = std::fs::remove_dir_all(&logs);
    let mut report = VerifyReport {
        schema: "dockslim-verify/1",
        repository,
        engine: format!("Docker {}", engine.server_version),
        builder: if engine.buildkit {
            "BuildKit"
        } else {
            "classic"
        },
        current: None,
        proposed,
        saved_bytes: None,
        saved_percent: None,
        repairs: Vec::new(),
        budgets: Vec::new(),
        verdict: Vec::new(),
        not_applied: proposal
            .changes
            .iter()
            .filter(|c| c.role == FileRole::Pyproject)
            .map(|c| {
                format!(
                    "{}: measured without the proposed edit, which needs `{}` before the image builds with it",
                    c.path,
                    proposal.before_build.join(" && ")
                )
            })
            .collect(),
    };
    report.set_current(current);
    Ok(report)
}

/// Runs one build, streaming its output to the log and a progress line.
fn build(
    engine: &Engine,
    context: &Path,
    dockerfile: &Path,
    tag: &str,
    log_path: &Path,
    label: &str,
    progress: bool,
) -> Result<f64> {
    let start = Instant::now();
    let mut cmd = engine.cmd();
    cmd.arg("build")
        .arg("-t")
        .arg(tag)
        .arg("-f")
        .arg(dockerfile);
    if engine.buildkit {
        cmd.arg("--progress=plain");
    }
    cmd.arg(context)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| Error::io(&engine.program, e))?;
    let mut log = std::fs::File::create(log_path).map_err(|e| Error::io(log_path, e))?;
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix:>8} {elapsed:>4} {wide_msg}",
            )
            .expect("valid template"),
        );
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    // Both streams go to the log; BuildKit writes its progress on stderr.
    let stderr = child.stderr.take().expect("piped");
    let stderr_lines = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(|l| l.ok())
            .collect::<Vec<_>>()
    });
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
        let _ = writeln!(log, "{line}");
        if let Some(bar) = &bar {
            if line.starts_with("Step ") {
                bar.set_message(line.clone());
            }
        }
    }
    let status = child.wait().map_err(|e| Error::io(&engine.program, e))?;
    let err_lines = stderr_lines.join().unwrap_or_default();
    for line in &err_lines {
        let _ = writeln!(log, "{line}");
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Error::usage(
            "interrupted; removed what verify had made",
            "run `dockslim verify` again when you have the time it takes",
        ));
    }
    if !status.success() {
        let tail: Vec<&String> = err_lines
            .iter()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let step = err_lines
            .iter()
            .rev()
            .find(|l| l.contains("ERROR") || l.starts_with("#"))
            .cloned()
            .unwrap_or_default();
        return Err(Error::unsupported(
            format!(
                "the {label} image did not build (log: {}). {}\n{}",
                log_path.display(),
                step,
                tail.iter()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            if label == "current" {
                "your Dockerfile does not build as it is: fix it first, then verify compares"
                    .to_string()
            } else {
                format!("the log names the failing step; `dockslim verify --repair` tries a fix, and the proposal is in {}", log_path.display())
            },
        ));
    }
    Ok(start.elapsed().as_secs_f64())
}

/// The image the shipped stage is built on, when the Dockerfile names one
/// plainly (not through an ARG); `scratch` included.
fn base_image_of(dockerfile: &str, shown: &str) -> Option<String> {
    let df = crate::dockerfile::Dockerfile::parse(dockerfile, shown).ok()?;
    let graph = crate::dockerfile::stages::StageGraph::of(&df);
    let outermost = *graph.shipped().last()?;
    let image = df.stages.get(outermost)?.image.clone();
    (!image.contains('$')).then_some(image)
}

/// `docker save` of `tag`, read as it streams; the base image's layers are
/// the first ones, as many as the base has.
fn saved_layers(engine: &Engine, tag: &str, base: Option<&str>) -> Result<layers::ImageLayers> {
    let base_layers = match base {
        Some("scratch") => Some(0),
        Some(base) => engine
            .output(&["image", "inspect", "-f", "{{len .RootFS.Layers}}", base])
            .ok()
            .and_then(|n| n.parse().ok()),
        None => None,
    };
    let mut child = engine
        .cmd()
        .args(["save", tag])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(&engine.program, e))?;
    let stdout = child.stdout.take().expect("piped");
    let read = layers::read_saved(stdout, base_layers);
    let out = child
        .wait_with_output()
        .map_err(|e| Error::io(&engine.program, e))?;
    if !out.status.success() {
        return Err(Error::unsupported(
            format!(
                "`docker save {tag}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            "verify measures layers from `docker save`; `docker info` shows whether the engine is healthy",
        ));
    }
    read
}

/// Waits for the container's health: the HTTP probe when one is named, else
/// the image's HEALTHCHECK, else that it keeps running.
#[allow(clippy::too_many_arguments)]
fn wait_healthy(
    engine: &Engine,
    container: &str,
    has_healthcheck: bool,
    probe: Option<&str>,
    port: u16,
    timeout: Duration,
    label: &str,
    progress: bool,
) -> (String, Option<u16>) {
    let deadline = Instant::now() + timeout;
    let mut last_status = None;
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix:>8} {elapsed:>4} {msg}")
                .expect("valid template"),
        );
        bar.set_prefix(label.to_string());
        bar.set_message("waiting for the container to become healthy");
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let state = |engine: &Engine| {
        engine
            .output(&[
                "inspect",
                "-f",
                "{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}",
                container,
            ])
            .unwrap_or_default()
    };
    let start = Instant::now();
    let result = loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            break "interrupted".to_string();
        }
        let s = state(engine);
        let (status, health) = s.split_once('|').unwrap_or((s.as_str(), ""));
        if status != "running" {
            break "exited".to_string();
        }
        match (probe, has_healthcheck) {
            // The same HTTP yardstick for both images when the user names one.
            (Some(path), _) => {
                last_status = http_status(port, path).or(last_status);
                if last_status.is_some_and(|s| (200..400).contains(&s)) {
                    break "healthy".to_string();
                }
            }
            (None, true) => {
                if health == "healthy" || health == "unhealthy" {
                    break health.to_string();
                }
            }
            // No way to ask the app: still running after a few seconds is
            // all that can be said.
            (None, false) => {
                if start.elapsed() >= Duration::from_secs(5).min(timeout) {
                    break "running".to_string();
                }
            }
        }
        if Instant::now() > deadline {
            break "unhealthy".to_string();
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    (result, last_status)
}

/// A plain HTTP/1.0 GET on 127.0.0.1: the status it answered, if any.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect_timeout(
        &([127, 0, 0, 1], port).into(),
        Duration::from_secs(2),
    )
    .ok()?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace().nth(1)?.parse().ok()
}

impl VerifyReport {
    /// The current image's measure, and what the proposal saves over it.
    pub fn set_current(&mut self, current: Option<Measured>) {
        let proposed = self.proposed.image_bytes;
        self.saved_bytes = current
            .as_ref()
            .map(|c| c.image_bytes as i64 - proposed as i64);
        self.saved_percent = current
            .as_ref()
            .filter(|c| c.image_bytes > 0)
            .map(|c| 100.0 * (c.image_bytes as f64 - proposed as f64) / c.image_bytes as f64);
        self.current = current;
    }

    /// Checks the budgets and writes the verdict a reader sees first.
    /// Call after the current image's measure is set.
    pub fn judge(&mut self, max_size: Option<u64>, max_compressed_size: Option<u64>) {
        let p = &self.proposed;
        let compressed = p.image.as_ref().map(|i| i.compressed_bytes);
        self.budgets = [
            ("uncompressed", max_size, Some(p.image_bytes)),
            ("compressed", max_compressed_size, compressed),
        ]
        .into_iter()
        .filter_map(|(measure, limit, actual)| {
            let limit_bytes = limit?;
            Some(Budget {
                measure,
                limit_bytes,
                actual_bytes: actual,
                // A budget that cannot be measured is not kept.
                over: actual.is_none_or(|a| a > limit_bytes),
            })
        })
        .collect();
        let mut verdict = Vec::new();
        if !self.proposed_healthy() {
            verdict.push(format!(
                "The proposal is not healthy: its container is {}{}.",
                p.health,
                p.diagnoses
                    .first()
                    .map(|d| format!(" ({})", d.explain()))
                    .unwrap_or_default()
            ));
        }
        if let Some(c) = &self.current {
            if p.image_bytes >= c.image_bytes {
                verdict.push(format!(
                    "The proposal is not smaller: {} now, {} proposed{}.",
                    human_bytes(c.image_bytes),
                    human_bytes(p.image_bytes),
                    self.layer_that_grew()
                        .map(|(inst, grew)| format!(
                            "; the layer that grew most is `{}` (+{})",
                            shorten(&inst, 80),
                            human_bytes(grew)
                        ))
                        .unwrap_or_default()
                ));
            }
        }
        for b in self.budgets.iter().filter(|b| b.over) {
            verdict.push(match b.actual_bytes {
                Some(actual) => format!(
                    "The proposal is over its {} budget: {} against {}.",
                    b.measure,
                    human_bytes(actual),
                    human_bytes(b.limit_bytes)
                ),
                None => format!(
                    "The proposal's {} size could not be measured against its budget of {}.",
                    b.measure,
                    human_bytes(b.limit_bytes)
                ),
            });
        }
        self.verdict = verdict;
    }

    pub fn proposed_healthy(&self) -> bool {
        matches!(self.proposed.health.as_str(), "healthy" | "running")
    }

    /// Whether verify fails: not healthy, or over a budget.
    pub fn failed(&self) -> bool {
        !self.proposed_healthy() || self.budgets.iter().any(|b| b.over)
    }

    /// The proposed layer (above the base) that grew most against the
    /// current image's layer made by the same instruction (all of it when
    /// no current layer was made by it), and by how much.
    fn layer_that_grew(&self) -> Option<(String, u64)> {
        let proposed = self.proposed.image.as_ref()?;
        let current = self.current.as_ref()?.image.as_ref()?;
        proposed
            .layers
            .iter()
            .filter(|l| !l.in_base)
            .map(|l| {
                let before = current
                    .layers
                    .iter()
                    .filter(|c| !c.in_base && c.instruction == l.instruction)
                    .map(|c| c.bytes)
                    .max()
                    .unwrap_or(0);
                (l.instruction.clone(), l.bytes.saturating_sub(before))
            })
            .filter(|(_, grew)| *grew > 0)
            .max_by_key(|(_, grew)| *grew)
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises") + "\n"
    }

    fn rows(&self) -> Vec<(&'static str, String, String)> {
        let c = self.current.as_ref();
        let p = &self.proposed;
        let both = |f: &dyn Fn(&Measured) -> String| (c.map(f).unwrap_or_else(|| "-".into()), f(p));
        let mut rows = Vec::new();
        let mut push = |name: &'static str, (a, b): (String, String)| rows.push((name, a, b));
        push(
            "build context",
            both(&|m| {
                format!(
                    "{} ({})",
                    human_bytes(m.context_bytes),
                    crate::units::files(m.context_files)
                )
            }),
        );
        push("image size", both(&|m| human_bytes(m.image_bytes)));
        let of_image = |f: fn(&layers::ImageLayers) -> String| {
            move |m: &Measured| m.image.as_ref().map_or("-".to_string(), f)
        };
        push(
            "compressed",
            both(&of_image(|i| human_bytes(i.compressed_bytes))),
        );
        push(
            "over base",
            both(
                &|m: &Measured| match m.image.as_ref().and_then(|i| i.over_base_bytes) {
                    Some(b) => format!(
                        "{} ({} compressed)",
                        human_bytes(b),
                        human_bytes(
                            m.image
                                .as_ref()
                                .and_then(|i| i.over_base_compressed_bytes)
                                .unwrap_or(0)
                        )
                    ),
                    None => "-".into(),
                },
            ),
        );
        push(
            "wasted space",
            both(&of_image(|i| human_bytes(i.wasted_bytes))),
        );
        push(
            "efficiency",
            both(&of_image(|i| format!("{:.1}%", 100.0 * i.efficiency))),
        );
        push("layers", both(&|m| m.layers.to_string()));
        push("build time", both(&|m| format!("{:.1} s", m.build_seconds)));
        push("runtime user", both(&|m| m.user.clone()));
        push("health", both(&|m| m.health.clone()));
        rows
    }

    fn saving(&self) -> Option<String> {
        let (bytes, percent) = (self.saved_bytes?, self.saved_percent?);
        Some(if bytes >= 0 {
            format!("{:.1} MB saved ({percent:.0}%)", bytes as f64 / 1e6)
        } else {
            format!("{:.1} MB larger ({:.0}%)", -bytes as f64 / 1e6, -percent)
        })
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "dockslim verify {} ({}, {} builder)\n\n",
            self.repository, self.engine, self.builder
        );
        for line in &self.verdict {
            out.push_str(&format!("  {line}\n"));
        }
        if !self.verdict.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "  {:<16} {:>32} {:>32}\n",
            "", "current", "proposed"
        ));
        for (name, a, b) in self.rows() {
            out.push_str(&format!("  {name:<16} {a:>32} {b:>32}\n"));
        }
        if let Some(s) = self.saving() {
            out.push_str(&format!("\n  {s}\n"));
        }
        for b in &self.budgets {
            out.push_str(&format!("  {}\n", budget_line(b)));
        }
        for (label, m) in [
            ("current", self.current.as_ref()),
            ("proposed", Some(&self.proposed)),
        ] {
            if let Some(m) = m {
                out.push_str(&layer_table_text(label, m));
            }
        }
        for note in &self.not_applied {
            out.push_str(&format!("\n  {note}\n"));
        }
        out.push_str(&self.repairs_text());
        for (label, m) in [
            ("current", self.current.as_ref()),
            ("proposed", Some(&self.proposed)),
        ] {
            let Some(m) = m else { continue };
            if !m.diagnoses.is_empty() {
                out.push_str(&format!("\n  why the {label} container is not healthy:\n"));
                for d in &m.diagnoses {
                    out.push_str(&format!("    - {}\n", d.explain()));
                }
            }
            if !m.last_logs.is_empty() {
                out.push_str(&format!("\n  the {label} container's last log lines:\n"));
                let tail = m.last_logs.len().saturating_sub(15);
                for l in &m.last_logs[tail..] {
                    out.push_str(&format!("    {l}\n"));
                }
            }
        }
        out
    }

    /// What --repair changed, and the settings to keep.
    fn repairs_text(&self) -> String {
        if self.repairs.is_empty() {
            return String::new();
        }
        let mut out = String::from("\n  verify --repair changed the proposal:\n");
        for r in &self.repairs {
            out.push_str(&format!(
                "    round {}: {}: {} ({})\n",
                r.round,
                r.key.name(),
                r.value,
                r.because
            ));
        }
        out.push_str("  add to dockslim.yaml to keep them:\n");
        for key in [
            repair::Key::Writable,
            repair::Key::Keep,
            repair::Key::Packages,
        ] {
            let values: Vec<&str> = self
                .repairs
                .iter()
                .filter(|r| r.key == key)
                .map(|r| r.value.as_str())
                .collect();
            if !values.is_empty() {
                out.push_str(&format!("    {}: [{}]\n", key.name(), values.join(", ")));
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("## dockslim verify\n\n");
        for line in &self.verdict {
            out.push_str(&format!("> **{}**\n", line.replace('|', "\\|")));
        }
        if !self.verdict.is_empty() {
            out.push('\n');
        }
        out.push_str("| | current | proposed |\n|---|---|---|\n");
        for (name, a, b) in self.rows() {
            out.push_str(&format!("| {name} | {a} | {b} |\n"));
        }
        if let Some(s) = self.saving() {
            out.push_str(&format!("\n**{s}**\n"));
        }
        for b in &self.budgets {
            out.push_str(&format!("\n{}\n", budget_line(b)));
        }
        out.push_str(&format!("\n{} · {} builder\n", self.engine, self.builder));
        for (label, m) in [
            ("current", self.current.as_ref()),
            ("proposed", Some(&self.proposed)),
        ] {
            if let Some(m) = m {
                out.push_str(&layer_table_markdown(label, m));
            }
        }
        if !self.proposed.diagnoses.is_empty() {
            out.push_str("\n**The proposed container is not healthy:**\n\n");
            for d in &self.proposed.diagnoses {
                out.push_str(&format!("- {}\n", d.explain()));
            }
        }
        out
    }
}

/// `budget: 400.0 MB uncompressed, 276.6 MB: kept`.
fn budget_line(b: &Budget) -> String {
    format!(
        "budget: {} {}, {}: {}",
        human_bytes(b.limit_bytes),
        b.measure,
        b.actual_bytes
            .map_or("not measured".to_string(), human_bytes),
        if b.over { "OVER" } else { "kept" }
    )
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Where an image's layer table starts: what its base is.
fn layers_heading(label: &str, m: &Measured, image: &layers::ImageLayers) -> String {
    let base = image.layers.iter().filter(|l| l.in_base).count();
    match (&m.base_image, image.over_base_bytes) {
        (Some(b), Some(_)) => format!("the {label} image's layers over {b} ({base} base layers)"),
        _ => format!("the {label} image's layers"),
    }
}

fn layer_table_text(label: &str, m: &Measured) -> String {
    let Some(image) = &m.image else {
        return m
            .image_note
            .as_ref()
            .map(|n| format!("\n  {label}: {n}\n"))
            .unwrap_or_default();
    };
    let mut out = format!(
        "\n  {}:\n  {:>10} {:>11} {:>10}  instruction\n",
        layers_heading(label, m, image),
        "bytes",
        "compressed",
        "hides"
    );
    for l in image
        .layers
        .iter()
        .filter(|l| !l.in_base || image.over_base_bytes.is_none())
    {
        out.push_str(&format!(
            "  {:>10} {:>11} {:>10}  {}\n",
            human_bytes(l.bytes),
            human_bytes(l.compressed_bytes),
            human_bytes(l.hidden_bytes),
            shorten(&crate::output::escape::printable(&l.instruction), 70)
        ));
    }
    out.push_str(&format!(
        "  wasted space {}, efficiency {:.1}% (as dive counts them)\n",
        human_bytes(image.wasted_bytes),
        100.0 * image.efficiency
    ));
    out
}

fn layer_table_markdown(label: &str, m: &Measured) -> String {
    let Some(image) = &m.image else {
        return String::new();
    };
    let mut out = format!(
        "\n<details><summary>{}</summary>\n\n| bytes | compressed | hides | instruction |\n|---:|---:|---:|---|\n",
        layers_heading(label, m, image)
    );
    for l in image
        .layers
        .iter()
        .filter(|l| !l.in_base || image.over_base_bytes.is_none())
    {
        out.push_str(&format!(
            "| {} | {} | {} | `{}` |\n",
            human_bytes(l.bytes),
            human_bytes(l.compressed_bytes),
            human_bytes(l.hidden_bytes),
            shorten(&l.instruction, 100)
                .replace('|', "\\|")
                .replace('`', "'")
        ));
    }
    out.push_str(&format!(
        "\nwasted space {}, efficiency {:.1}% (as dive counts them)\n\n</details>\n",
        human_bytes(image.wasted_bytes),
        100.0 * image.efficiency
    ));
    out
}
