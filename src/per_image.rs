//! A command run once per image of the repository (see `detect::images`):
//! at a root that builds several images, `rewrite`, `analyze`, `context`,
//! `init` and `verify` plan each image with its own build context and
//! Dockerfile, and write one section per image in every format. `--service
//! NAME` (a compose service, a Dockerfile's folder, or a path) picks one.
//!
//! Each image runs through the single-image command unchanged, into a
//! buffer; this module only chooses the images and joins their outputs. An
//! image dockslim cannot plan is said in its own section (the error and
//! its hint) while the others are still proposed.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::cli::{Common, Format, Outcome};
use crate::detect::images::{self, Image};
use crate::dockerfile::stages::is_dev_name;
use crate::error::{Error, Result};

/// One image and the command-line options that build it.
#[derive(Clone)]
pub struct Run {
    pub image: Image,
    pub common: Common,
    /// Named with `--service`: planned whatever it is built from.
    pub chosen: bool,
}

/// The images to run on, or `None` to run once as before: `--dockerfile`
/// or `--context` name one image; a repository with one image (or none)
/// is that image.
pub fn runs(common: &Common) -> Result<Option<Vec<Run>>> {
    if common.dockerfile.is_some() || common.context.is_some() || !common.dir.is_dir() {
        return Ok(None);
    }
    for (file, why) in crate::detect::compose::unreadable_in(&common.dir) {
        eprintln!("dockslim: warning: {file}: {why}; its services were not read");
    }
    let mut found = images::discover(&common.dir);
    if found.is_empty() {
        // No Dockerfile and no compose service yet: the project folders.
        found = images::projects(&common.dir);
    }
    let chosen: Vec<&Image> = match &common.service {
        Some(wanted) => {
            let image = images::select(&found, wanted)
                .ok_or_else(|| no_such_image(common, &found, wanted))?;
            vec![image]
        }
        // One image is planned as one, in its own context, unless it is the
        // root's Dockerfile built from the root (which the plain run reads):
        // a compose service built from ./web, a project folder with no
        // Dockerfile yet (the root holds no project).
        // (A root Dockerfile of another kind, a link, is the root run's to
        // read and refuse.)
        None if found.len() > 1
            || (found.iter().any(|i| !i.is_the_roots())
                && std::fs::symlink_metadata(common.dir.join("Dockerfile")).is_err()) =>
        {
            found.iter().collect()
        }
        None => return Ok(None),
    };
    Ok(Some(
        chosen
            .into_iter()
            .map(|image| Run {
                common: common_for(common, image),
                image: image.clone(),
                chosen: common.service.is_some(),
            })
            .collect(),
    ))
}

fn no_such_image(common: &Common, found: &[Image], wanted: &str) -> Error {
    let message = format!(
        "--service {wanted}: no such image in {}",
        common.dir.display()
    );
    if found.is_empty() {
        return Error::usage(
            message,
            "dockslim found no image: no compose service with `build`, and no Dockerfile at the root, in <folder>/Dockerfile or docker/<name>/Dockerfile",
        );
    }
    let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
    Error::usage(
        message,
        crate::error::did_you_mean(wanted, names.iter().copied(), "images"),
    )
}

/// The options of one image: its context as the folder, its Dockerfile,
/// and the compose service's build target.
fn common_for(common: &Common, image: &Image) -> Common {
    let mut one = common.clone();
    one.service = None;
    one.dir = common.dir.join(&image.context);
    // A Dockerfile not written yet is the folder's own, found by default.
    one.dockerfile = (!image.unwritten).then(|| common.dir.join(&image.dockerfile));
    // The compose files at the root build it: their ports, mounts and
    // environment are the image's, whatever folder its context is.
    one.compose_root = Some(common.dir.clone());
    // A workspace member's own Dockerfile runs that member, unless the
    // command line or dockslim.yaml names one.
    if let Some(member) = image.workspace_member(&common.dir) {
        if !common.sets.iter().any(|s| s.starts_with("package=")) {
            one.sets.insert(0, format!("package={member}"));
        }
    }
    match &image.target {
        // A development target is compose's local loop (a dev server, the
        // source mounted): the image that ships is the file's production
        // stage, which is what gets planned; the development stage stays
        // as written (see `not_planned`).
        Some(target) if is_dev_name(target) => {}
        Some(target) => one.sets.insert(0, format!("target={target}")),
        None => {}
    }
    one
}

/// Runs `command` for each image and writes the joined output. The exit is
/// the worst of the images' (a check failed in one fails the run); when no
/// image could be planned at all, the first error is the run's.
pub fn run_each(
    runs: Vec<Run>,
    format: Format,
    warn: bool,
    out: &mut dyn Write,
    command: &dyn Fn(&Common, &mut dyn Write) -> Result<Outcome>,
) -> Result<Outcome> {
    let mut sections = Vec::new();
    let mut skipped = Vec::new();
    for run in runs {
        if let Some(note) = not_planned(&run) {
            skipped.push((run.image, note));
            continue;
        }
        let mut buffer = Vec::new();
        let result = command(&run.common, &mut buffer).map_err(|e| e.quoting_from(&run.common.dir));
        sections.push((run.image, buffer, result));
    }
    let io = |e| Error::io("<stdout>", e);
    if !sections.is_empty() && sections.iter().all(|(_, _, r)| r.is_err()) {
        let (_, _, first) = sections.into_iter().next().expect("at least one image");
        return first;
    }
    match format {
        Format::Json => out
            .write_all(json_document(&sections, &skipped).as_bytes())
            .map_err(io)?,
        Format::Sarif => out.write_all(sarif_log(&sections).as_bytes()).map_err(io)?,
        Format::Text | Format::Diff | Format::Markdown => {
            for (image, buffer, result) in &sections {
                out.write_all(heading(image, format).as_bytes())
                    .map_err(io)?;
                match result {
                    Ok(_) => out.write_all(buffer).map_err(io)?,
                    Err(e) => out.write_all(e.render().as_bytes()).map_err(io)?,
                }
                out.write_all(b"\n").map_err(io)?;
            }
            for (image, note) in &skipped {
                out.write_all(heading(image, format).as_bytes())
                    .map_err(io)?;
                writeln!(out, "{note}\n").map_err(io)?;
            }
        }
    }
    for (image, _, result) in sections.iter().filter(|_| warn) {
        if let Err(e) = result {
            eprintln!("dockslim: image `{}` was not planned: {e}", image.name);
        }
    }
    let check_failed = sections
        .iter()
        .any(|(_, _, r)| matches!(r, Ok(Outcome::CheckFailed)));
    // An image dockslim does not support yet is a finding of its section,
    // and the others stand; a bug or a file it cannot read is the run's
    // error (exit 101 or 2), so CI does not pass over it.
    if let Some(error) = sections
        .into_iter()
        .filter_map(|(_, _, r)| r.err())
        .find(|e| !matches!(e.kind, crate::error::Kind::Unsupported(_)))
    {
        return Err(error);
    }
    Ok(if check_failed {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

/// The base image of an image dockslim does not plan unless asked: one
/// built from neither a Python nor a Node image (nginx, a database, a Go
/// build). Its Dockerfile would be edited with the facts of the project in
/// its context, which it does not run. `--service` plans it anyway.
fn not_planned(run: &Run) -> Option<String> {
    let path = run.common.dockerfile.as_ref()?;
    let text = crate::repo::read_text_file(path, &run.image.dockerfile).ok()??;
    let mut df = crate::dockerfile::Dockerfile::parse(&text, &run.image.dockerfile).ok()?;
    if let Some(target) = run.image.target.as_deref().filter(|t| is_dev_name(t)) {
        // Compose builds a development stage; the production one is the
        // file's last, unless that is for development too.
        let last = df.stages.last()?;
        if last.alias.as_deref().is_some_and(is_dev_name) || last.alias.as_deref() == Some(target) {
            return Some(format!(
                "not planned: compose builds its development stage `{target}`, and no stage after it is the production image; a development image keeps its dev server and dev dependencies, so dockslim leaves it as written"
            ));
        }
        return None;
    }
    if run.chosen {
        return None;
    }
    df.target = run.image.target.clone();
    let base = df.image_base();
    let image = crate::dockerfile::image::ImageRef::parse(&base);
    (!image.is_python() && !image.is_node() && !image.is_bun()).then(|| {
        format!(
            "not planned: built from {base}, not a Python, Node or Bun image; `--service {}` plans it with the project in its context",
            run.image.name
        )
    })
}

/// The line that opens an image's section.
fn heading(image: &Image, format: Format) -> String {
    let target = match image.target.as_deref() {
        Some(t) if is_dev_name(t) => {
            format!(", compose target {t} (a development stage)")
        }
        Some(t) => format!(", target {t}"),
        None => String::new(),
    };
    let what = format!(
        "{}, context {}{target}; from {}",
        image.dockerfile, image.context, image.found_in
    );
    match format {
        Format::Markdown => format!("## Image `{}`\n\n{what}\n\n", image.name),
        _ => format!("== image {}: {what}\n\n", image.name),
    }
}

/// `{"schema": "dockslim-images/1", "images": [...]}`: each image with its
/// command's document, or the error document of why it was not planned.
fn json_document(
    sections: &[(Image, Vec<u8>, Result<Outcome>)],
    skipped: &[(Image, String)],
) -> String {
    let images: Vec<Value> = sections
        .iter()
        .map(|(image, buffer, result)| {
            let mut entry = json!({
                "name": image.name,
                "dockerfile": image.dockerfile,
                "context": image.context,
                "target": image.target,
                "found_in": image.found_in,
            });
            match result {
                Ok(_) => entry["report"] = serde_json::from_slice(buffer).unwrap_or(Value::Null),
                Err(e) => {
                    let doc: Value = serde_json::from_str(&crate::output::errors::json(e))
                        .unwrap_or(Value::Null);
                    entry["error"] = doc["error"].clone();
                }
            }
            entry
        })
        .chain(skipped.iter().map(|(image, note)| {
            json!({
                "name": image.name,
                "dockerfile": image.dockerfile,
                "context": image.context,
                "target": image.target,
                "found_in": image.found_in,
                "not_planned": note,
            })
        }))
        .collect();
    let document = json!({ "schema": "dockslim-images/1", "images": images });
    serde_json::to_string_pretty(&document).expect("JSON serialises") + "\n"
}

/// One SARIF log: every image's results in one run, their paths made
/// relative to the repository (code scanning needs them so), and an image
/// that was not planned as a notification.
fn sarif_log(sections: &[(Image, Vec<u8>, Result<Outcome>)]) -> String {
    let mut merged: Option<Value> = None;
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (image, buffer, result) in sections {
        match result {
            Ok(_) => {
                let Ok(mut log) = serde_json::from_slice::<Value>(buffer) else {
                    continue;
                };
                if let Some(found) = log["runs"][0]["results"].as_array_mut() {
                    for r in found.iter_mut() {
                        prefix_uris(r, &image.context);
                    }
                    results.append(found);
                }
                merged.get_or_insert(log);
            }
            Err(e) => notifications.push(json!({
                "level": "error",
                "message": { "text": format!("image `{}` was not planned: {e}", image.name) },
            })),
        }
    }
    // With no image planned, the log of a run that found nothing.
    let mut log = merged.unwrap_or_else(|| {
        serde_json::from_str(&crate::output::sarif::log(&[])).expect("dockslim's SARIF parses")
    });
    log["runs"][0]["results"] = Value::Array(results);
    if !notifications.is_empty() {
        log["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
    }
    serde_json::to_string_pretty(&log).expect("JSON serialises") + "\n"
}

fn prefix_uris(result: &mut Value, context: &str) {
    if context == "." || context.is_empty() {
        return;
    }
    for location in result["locations"].as_array_mut().into_iter().flatten() {
        let uri = &mut location["physicalLocation"]["artifactLocation"]["uri"];
        if let Some(path) = uri.as_str() {
            *uri = Value::String(Path::new(context).join(path).to_string_lossy().into_owned());
        }
    }
}

/// After `init` wrote a Dockerfile in each project folder of a repository
/// that had none (see `images::projects`): a compose.yaml at the root that
/// builds them all, each published on the port its Dockerfile exposes, as
/// `docker init` writes one. Nothing when a compose file is there already
/// or fewer than two images were written.
pub fn write_compose_for_projects(
    root: &Path,
    images: &[Image],
    out: &mut dyn Write,
) -> Result<()> {
    const COMPOSE_FILES: &[&str] = &[
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
    ];
    if images.len() < 2
        || !images.iter().all(|i| i.unwritten)
        || COMPOSE_FILES.iter().any(|f| root.join(f).exists())
    {
        return Ok(());
    }
    let mut services = Vec::new();
    for image in images {
        let path = root.join(&image.dockerfile);
        let Some(text) = crate::repo::read_text_file(&path, &image.dockerfile)? else {
            return Ok(()); // one image was not written: no compose file for half
        };
        let df = crate::dockerfile::Dockerfile::parse(&text, &image.dockerfile)?;
        let port = df
            .intent()
            .expose
            .first()
            .and_then(|(p, _)| p.split('/').next()?.parse::<u16>().ok());
        services.push(crate::plan::compose_file::ComposeService {
            name: image.name.clone(),
            context: image.context.clone(),
            dockerfile: "Dockerfile".into(),
            port,
        });
    }
    let change = crate::output::FileChange {
        role: crate::output::FileRole::Compose,
        path: "compose.yaml".into(),
        abs: root.join("compose.yaml"),
        old: None,
        new: crate::plan::compose_file::generated(&services),
        reasons: vec![],
    };
    crate::output::apply::apply(std::slice::from_ref(&change))?;
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    writeln!(
        out,
        "wrote compose.yaml\n  - compose: builds {} from their folders. `docker compose up --build` builds and starts them all",
        names.join(", ")
    )
    .map_err(|e| Error::io("<stdout>", e))
}
