//! The compose file when the proposal adds an image: a frontend served on
//! its own gets `Dockerfile.frontend`, and `docker compose up --build`
//! must build it too. An existing compose file gets the service as a
//! minimal edit (its other lines as written); a repository without one
//! gets a `compose.yaml` naming both images, as `docker init` writes one.

use serde_norway::Value;

use super::{Decision, Topic};
use crate::repo::Repo;

/// An image the compose file builds.
#[derive(Debug, Clone)]
pub struct ComposeService {
    pub name: String,
    /// The build context, relative to the compose file (`.`, `api`).
    pub context: String,
    /// Relative to the context; `Dockerfile` needs no `dockerfile:` line.
    pub dockerfile: String,
    /// The port the image listens on, published on the same host port.
    pub port: Option<u16>,
}

/// The compose file as proposed, beside the one on disk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComposeEdit {
    pub file: String,
    pub new: String,
}

/// The compose files `docker compose` reads first, in its order.
const MAIN_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The compose file with `added` in it: the existing one with the service
/// appended to `services:` when no service builds its Dockerfile yet, or a
/// new compose.yaml with `app` and `added`. `None` when nothing changes, or
/// when the file is not one dockslim can edit line by line (a decision
/// says so).
pub fn with_service(
    repo: &Repo,
    app: &ComposeService,
    added: &ComposeService,
    decisions: &mut Vec<Decision>,
) -> Option<ComposeEdit> {
    let existing = MAIN_FILES
        .iter()
        .find_map(|f| Some((*f, repo.read_text(f).ok().flatten()?)));
    let Some((file, text)) = existing else {
        decisions.push(Decision {
            file: "compose.yaml".into(),
            topic: Topic::Compose,
            choice: format!("compose.yaml builds {} and {}", app.name, added.name),
            reason: format!(
                "the repository now builds two images ({} and {}); `docker compose up --build` builds and starts both",
                app.dockerfile, added.dockerfile
            ),
            fixes: vec![],
        });
        return Some(ComposeEdit {
            file: "compose.yaml".into(),
            new: generated(&[app.clone(), added.clone()]),
        });
    };
    let doc: Value = serde_norway::from_str(&text).ok()?;
    let services = doc.get("services")?.as_mapping()?;
    let builds_it = services.values().any(|s| {
        let build = s.get("build");
        let dockerfile = build
            .and_then(|b| b.get("dockerfile"))
            .and_then(Value::as_str);
        dockerfile.is_some_and(|d| d.trim_start_matches("./") == added.dockerfile)
    });
    if builds_it {
        return None;
    }
    let mut service = added.clone();
    if services.contains_key(service.name.as_str()) {
        service.name = format!("{}-image", service.name);
    }
    let Some(new) = appended(&text, &service) else {
        decisions.push(Decision {
            file: file.into(),
            topic: Topic::Compose,
            choice: format!("{file} left as written"),
            reason: format!("its `services:` is not a block dockslim can add to line by line; add a service that builds {} yourself", added.dockerfile),
            fixes: vec![],
        });
        return None;
    };
    decisions.push(Decision {
        file: file.into(),
        topic: Topic::Compose,
        choice: format!("service {} builds {}", service.name, added.dockerfile),
        reason: format!(
            "the proposal serves the frontend from its own image; without a service, `docker compose up --build` would not build or start it{}",
            service
                .port
                .map(|p| format!(" (published on port {p})"))
                .unwrap_or_default()
        ),
        fixes: vec![],
    });
    Some(ComposeEdit {
        file: file.into(),
        new,
    })
}

/// The lines of one service, indented by `unit` per level.
fn service_lines(service: &ComposeService, unit: &str) -> String {
    let mut out = format!("{unit}{}:\n{unit}{unit}build:\n", service.name);
    // `./api`, as compose files name folders.
    let context = match service.context.as_str() {
        "." => ".".to_string(),
        c if c.starts_with("./") || c.starts_with('/') => c.to_string(),
        c => format!("./{c}"),
    };
    out.push_str(&format!("{unit}{unit}{unit}context: {context}\n"));
    if service.dockerfile != "Dockerfile" {
        out.push_str(&format!(
            "{unit}{unit}{unit}dockerfile: {}\n",
            service.dockerfile
        ));
    }
    if let Some(port) = service.port {
        out.push_str(&format!(
            "{unit}{unit}ports:\n{unit}{unit}{unit}- \"{port}:{port}\"\n"
        ));
    }
    out
}

/// A new compose.yaml for `services`.
pub fn generated(services: &[ComposeService]) -> String {
    let mut out = format!(
        "# Generated by dockslim {}: the images this repository builds.\n# `docker compose up --build` builds and starts them.\nservices:\n",
        env!("CARGO_PKG_VERSION")
    );
    for service in services {
        out.push_str(&service_lines(service, "  "));
    }
    out
}

/// `text` with `service` added at the end of its block-style `services:`
/// mapping, indented as the services before it; every other line as
/// written. `None` for a flow-style mapping (`services: {...}`).
fn appended(text: &str, service: &ComposeService) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "services:" || l.starts_with("services: #"))?;
    // The block ends at the next line at column 0 that is not a comment.
    let end = lines[start + 1..]
        .iter()
        .position(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']) && !l.starts_with('#'))
        .map_or(lines.len(), |i| start + 1 + i);
    let unit: String = lines[start + 1..end]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?
        .chars()
        .take_while(|c| *c == ' ')
        .collect();
    if unit.is_empty() {
        return None;
    }
    // After the block's last line that says something.
    let last = (start + 1..end)
        .rev()
        .find(|&i| !lines[i].trim().is_empty())?;
    let mut out = String::with_capacity(text.len() + 200);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i == last {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&service_lines(service, &unit));
        }
    }
    // What we wrote must read back with the service in it.
    let doc: Value = serde_norway::from_str(&out).ok()?;
    doc.get("services")?.get(service.name.as_str())?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    fn frontend() -> ComposeService {
        ComposeService {
            name: "frontend".into(),
            context: ".".into(),
            dockerfile: "Dockerfile.frontend".into(),
            port: Some(8080),
        }
    }

    fn app() -> ComposeService {
        ComposeService {
            name: "app".into(),
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            port: Some(8000),
        }
    }

    #[test]
    fn the_service_is_added_where_the_services_are() {
        let compose = "services:\n    api:\n        build: .\n        ports:\n            - \"8000:8000\"\n\n    db:\n        image: postgres:16\n\nvolumes:\n    data:\n";
        let (_dir, repo) = temp_repo(&[("docker-compose.yml", compose)]);
        let mut decisions = Vec::new();
        let edit = with_service(&repo, &app(), &frontend(), &mut decisions).unwrap();
        assert_eq!(edit.file, "docker-compose.yml");
        assert_eq!(
            edit.new,
            "services:\n    api:\n        build: .\n        ports:\n            - \"8000:8000\"\n\n    db:\n        image: postgres:16\n    frontend:\n        build:\n            context: .\n            dockerfile: Dockerfile.frontend\n        ports:\n            - \"8080:8080\"\n\nvolumes:\n    data:\n"
        );
        assert!(decisions[0].choice.contains("service frontend"));
    }

    #[test]
    fn a_compose_file_that_builds_it_already_is_left_alone() {
        let compose = "services:\n  web:\n    build:\n      context: .\n      dockerfile: ./Dockerfile.frontend\n";
        let (_dir, repo) = temp_repo(&[("compose.yaml", compose)]);
        assert!(with_service(&repo, &app(), &frontend(), &mut Vec::new()).is_none());
        let flow = "services: {api: {build: .}}\n";
        let (_dir, repo) = temp_repo(&[("compose.yaml", flow)]);
        let mut decisions = Vec::new();
        assert!(with_service(&repo, &app(), &frontend(), &mut decisions).is_none());
        assert!(decisions[0].reason.contains("add a service"));
    }

    #[test]
    fn without_a_compose_file_one_is_written_for_both_images() {
        let (_dir, repo) = temp_repo(&[("app.py", "")]);
        let edit = with_service(&repo, &app(), &frontend(), &mut Vec::new()).unwrap();
        assert_eq!(edit.file, "compose.yaml");
        let doc: Value = serde_norway::from_str(&edit.new).unwrap();
        assert_eq!(
            doc["services"]["frontend"]["build"]["dockerfile"].as_str(),
            Some("Dockerfile.frontend")
        );
        assert_eq!(
            doc["services"]["app"]["ports"][0].as_str(),
            Some("8000:8000")
        );
        assert!(doc["services"]["app"]["build"].get("dockerfile").is_none());
    }
}
