//! Compose files as intent: which services build which Dockerfile and
//! stage (`build.target`), which folders they mount (and so must stay
//! where they are, writable), their ports and commands.
//!
//! Read as YAML, never run. A file that does not parse is skipped with a
//! note: compose files are the user's, not ours to judge.

use serde::Serialize;
use serde_norway::Value;

use crate::repo::Repo;

/// The compose files Docker Compose reads by default, in its order, with
/// their override files.
pub const FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    /// The compose file that defines it.
    pub file: String,
    pub build: Option<Build>,
    pub image: Option<String>,
    pub volumes: Vec<Mount>,
    pub ports: Vec<String>,
    pub command: Option<String>,
    pub entrypoint: Option<String>,
    /// The healthcheck's `test`, as one command line (`CMD`, `CMD-SHELL`
    /// and `NONE` dropped): it runs inside the container.
    pub healthcheck: Option<String>,
    /// The service has a `healthcheck:` of its own, a test or `disable`.
    pub healthcheck_set: bool,
    /// `environment:` as a map or a list of `KEY=value`, in order.
    pub environment: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Build {
    /// The build context, relative to the repository ("." by default).
    pub context: String,
    /// The Dockerfile, relative to the repository.
    pub dockerfile: String,
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// A host path for a bind mount (`./data`), a volume name, or none.
    pub source: Option<String>,
    /// Where it is mounted in the container.
    pub target: String,
    pub bind: bool,
}

/// Every service of every default compose file in the repository root.
pub fn services(repo: &Repo) -> Vec<Service> {
    if repo.compose_root != repo.root {
        // A project folder of a larger context, or a context below the
        // folder compose runs in: those compose files, their paths read
        // from the context as the Dockerfile's are.
        return services_in(&repo.compose_root)
            .into_iter()
            .map(|s| from_context(s, &repo.compose_context))
            .collect();
    }
    services_from(&|file| repo.read_text(file).ok().flatten())
}

/// The same, read from a folder without walking it (image discovery).
pub fn services_in(dir: &std::path::Path) -> Vec<Service> {
    services_from(&|file| read_in(dir, file))
}

/// The text of `file` in `dir`, a file of the repository: a link is not
/// followed, as in the walk.
fn read_in(dir: &std::path::Path, file: &str) -> Option<String> {
    use crate::repo::read::{regular_file, utf8_text, Links, MAX_FILE_BYTES};
    let bytes = regular_file(&dir.join(file), file, Links::Refuse, MAX_FILE_BYTES).ok()??;
    utf8_text(bytes, file).ok()
}

/// The compose files of `dir` that are not YAML dockslim can read, with
/// why (serde's message, which names the line): their services are
/// skipped, and the user should know that they were.
pub fn unreadable_in(dir: &std::path::Path) -> Vec<(String, String)> {
    FILES
        .iter()
        .filter_map(|file| {
            use crate::repo::read::{regular_file, utf8_text, Links, MAX_FILE_BYTES};
            let bytes =
                regular_file(&dir.join(file), file, Links::Refuse, MAX_FILE_BYTES).ok()??;
            let text = utf8_text(bytes, file).ok()?;
            if crate::repo::read::yaml_too_deep(&text) {
                // Not parsed at all, as in `services_from`.
                return None;
            }
            let error = serde_norway::from_str::<Value>(&text).err()?;
            let mut why = crate::error::plain_serde(&error.to_string());
            if text.contains("{{") {
                why.push_str(
                    " (a template with {{ }} placeholders is YAML only once it is rendered)",
                );
            }
            Some((file.to_string(), why))
        })
        .collect()
}

fn services_from(read: &dyn Fn(&str) -> Option<String>) -> Vec<Service> {
    let mut out: Vec<Service> = Vec::new();
    for file in FILES {
        let Some(text) = read(file) else {
            continue;
        };
        for service in services_of_file(file, &text) {
            // An override file adds to the service of the same name.
            match out.iter_mut().find(|s| s.name == service.name) {
                Some(existing) => merge(existing, service),
                None => out.push(service),
            }
        }
    }
    out
}

/// The services of one compose file's text; none when it is not YAML
/// dockslim reads.
fn services_of_file(file: &str, text: &str) -> Vec<Service> {
    if crate::repo::read::yaml_too_deep(text) {
        return Vec::new();
    }
    let Ok(doc) = serde_norway::from_str::<Value>(text) else {
        return Vec::new();
    };
    let Some(services) = doc.get("services").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    services
        .iter()
        .filter_map(|(name, body)| Some(read_service(name.as_str()?, file, body)))
        .collect()
}

/// The folders besides the root where teams keep compose files.
const NESTED_FOLDERS: &[&str] = &["docker", "docker/compose", ".docker", "deploy", "compose"];

/// The services of the compose files Compose does not read by default,
/// which teams pass with `-f`: the root's deployment variants
/// (`docker-compose.prod.yml`) and the compose files in the folders of
/// [`NESTED_FOLDERS`] (`docker/compose/docker-compose.prod.yaml`, whose
/// `context: ../..` is the root). Those for other jobs
/// (`docker-compose.dev.yml`, `.test`, `.docs`) are left out: a production
/// rewrite of the images they build would break them. Build paths are the
/// repository's; a context outside it is left out. For image discovery:
/// the per-image intents still come from the default files.
pub fn variant_services(root: &std::path::Path) -> Vec<Service> {
    let mut out = Vec::new();
    for folder in std::iter::once("").chain(NESTED_FOLDERS.iter().copied()) {
        // A linked folder is not followed, as in the walk.
        let real_dir = std::fs::symlink_metadata(root.join(folder)).is_ok_and(|m| m.is_dir());
        if !real_dir {
            continue;
        }
        let mut names: Vec<String> = std::fs::read_dir(root.join(folder))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| {
                is_variant_name(name) && !(folder.is_empty() && FILES.contains(&name.as_str()))
            })
            .collect();
        names.sort();
        for name in names {
            let file = join(folder, &name);
            let Some(text) = read_in(root, &file) else {
                continue;
            };
            out.extend(
                services_of_file(&file, &text)
                    .into_iter()
                    .filter_map(|s| from_folder(s, folder)),
            );
        }
    }
    out
}

/// A default name (`docker-compose.yml`, in a nested folder) or a
/// deployment's variant: `compose.prod.yaml`, `docker-compose.production.yml`,
/// `compose.deploy.yml`, `docker-compose.staging.yml`. Others
/// (`.dev`, `.test`, `.docs`, `.ci`) build images for other jobs, which a
/// production rewrite would break.
fn is_variant_name(name: &str) -> bool {
    if FILES.contains(&name) {
        return true;
    }
    variant_of(name).is_some()
}

/// The deployment word of a variant's name: `prod` of
/// `docker-compose.prod.yml`.
pub fn variant_of(name: &str) -> Option<&str> {
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))?;
    let rest = stem
        .strip_prefix("docker-compose")
        .or_else(|| stem.strip_prefix("compose"))?;
    let word = rest.strip_prefix(['.', '-', '_'])?;
    matches!(
        word,
        "prod" | "production" | "deploy" | "release" | "staging" | "stage"
    )
    .then_some(word)
}

/// A service of a compose file in `folder` with its build paths from the
/// repository root; None when its context is outside the repository.
/// An absolute path, a URL or git context (`https://...`, `git@...`) or a
/// variable (`${APP_DIR}`) is not a folder of the repository either.
fn from_folder(mut service: Service, folder: &str) -> Option<Service> {
    if let Some(build) = &mut service.build {
        let foreign = |p: &str| {
            p.starts_with('/') || p.contains("://") || p.starts_with("git@") || p.contains('$')
        };
        if foreign(&build.context) || foreign(&build.dockerfile) {
            return None;
        }
        build.context = join(folder, &build.context);
        build.dockerfile = join(folder, &build.dockerfile);
        let outside = |p: &str| p == ".." || p.starts_with("../");
        if outside(&build.context) || outside(&build.dockerfile) {
            return None;
        }
    }
    Some(service)
}

fn merge(into: &mut Service, over: Service) {
    if over.build.is_some() {
        into.build = over.build;
    }
    into.volumes.extend(over.volumes);
    into.ports.extend(over.ports);
    into.command = over.command.or(into.command.take());
    into.entrypoint = over.entrypoint.or(into.entrypoint.take());
    into.healthcheck = over.healthcheck.or(into.healthcheck.take());
    into.healthcheck_set |= over.healthcheck_set;
    into.environment.extend(over.environment);
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Sequence(items) => Some(items.iter().filter_map(text).collect::<Vec<_>>().join(" ")),
        _ => None,
    }
}

fn read_service(name: &str, file: &str, body: &Value) -> Service {
    let build = match body.get("build") {
        Some(Value::String(context)) => Some(Build {
            context: clean(context),
            dockerfile: join(&clean(context), "Dockerfile"),
            target: None,
        }),
        Some(b @ Value::Mapping(_)) => {
            let context = clean(b.get("context").and_then(Value::as_str).unwrap_or("."));
            let dockerfile = b
                .get("dockerfile")
                .and_then(Value::as_str)
                .map_or_else(|| join(&context, "Dockerfile"), |d| join(&context, d));
            Some(Build {
                context,
                dockerfile,
                target: b.get("target").and_then(Value::as_str).map(str::to_string),
            })
        }
        _ => None,
    };
    let volumes = body
        .get("volumes")
        .and_then(Value::as_sequence)
        .map(|list| list.iter().filter_map(mount).collect())
        .unwrap_or_default();
    let ports = body
        .get("ports")
        .and_then(Value::as_sequence)
        .map(|list| list.iter().filter_map(text).collect())
        .unwrap_or_default();
    Service {
        name: name.to_string(),
        file: file.to_string(),
        build,
        image: body
            .get("image")
            .and_then(Value::as_str)
            .map(str::to_string),
        volumes,
        ports,
        command: body.get("command").and_then(text),
        entrypoint: body.get("entrypoint").and_then(text),
        healthcheck: body
            .get("healthcheck")
            .and_then(|h| h.get("test"))
            .and_then(healthcheck_test),
        healthcheck_set: body.get("healthcheck").is_some(),
        environment: body.get("environment").map(environment).unwrap_or_default(),
    }
}

/// A healthcheck's `test`: `["CMD", "curl", "-f", "..."]`, `["CMD-SHELL",
/// "curl -f ... || exit 1"]` or a plain string (run by a shell).
fn healthcheck_test(test: &Value) -> Option<String> {
    match test {
        Value::String(s) => Some(s.clone()),
        Value::Sequence(items) => {
            let words: Vec<String> = items.iter().filter_map(text).collect();
            match words.first().map(String::as_str) {
                Some("NONE") | None => None,
                Some("CMD" | "CMD-SHELL") => Some(words[1..].join(" ")),
                Some(_) => Some(words.join(" ")),
            }
        }
        _ => None,
    }
}

/// `environment:` as `{KEY: value}` or `[KEY=value]`; a bare `KEY` takes
/// the host's value, which the repository does not say, and is left out.
fn environment(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Mapping(map) => map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), text(v)?)))
            .collect(),
        Value::Sequence(items) => items
            .iter()
            .filter_map(|i| {
                let (k, v) = i.as_str()?.split_once('=')?;
                Some((k.trim().to_string(), v.trim().to_string()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The environment the services set, as the deployment's word: services
/// that build an image first (they run the code), then the others.
pub fn environment_of(services: &[Service]) -> Vec<crate::detect::DeployedVar> {
    let mut ordered: Vec<&Service> = services.iter().filter(|s| s.build.is_some()).collect();
    ordered.extend(services.iter().filter(|s| s.build.is_none()));
    ordered
        .into_iter()
        .flat_map(|s| {
            s.environment
                .iter()
                .map(|(name, value)| crate::detect::DeployedVar {
                    name: name.clone(),
                    value: value.clone(),
                    from: format!("{} (service {})", s.file, s.name),
                })
        })
        .collect()
}

/// `./data:/app/data:rw`, `cache:/var/cache/app`, `/app/node_modules`, or
/// the long form with `source` and `target`.
fn mount(v: &Value) -> Option<Mount> {
    match v {
        Value::String(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.as_slice() {
                [target] => Some(Mount {
                    source: None,
                    target: target.to_string(),
                    bind: false,
                }),
                [source, target, ..] => Some(Mount {
                    source: Some(source.to_string()),
                    target: target.to_string(),
                    bind: is_host_path(source),
                }),
                _ => None,
            }
        }
        Value::Mapping(_) => {
            let target = v.get("target").and_then(Value::as_str)?.to_string();
            let source = v.get("source").and_then(Value::as_str).map(str::to_string);
            let bind = v.get("type").and_then(Value::as_str) == Some("bind")
                || source.as_deref().is_some_and(is_host_path);
            Some(Mount {
                source,
                target,
                bind,
            })
        }
        _ => None,
    }
}

fn is_host_path(source: &str) -> bool {
    source.starts_with('.')
        || source.starts_with('/')
        || source.starts_with('~')
        || source.starts_with('$')
}

/// A service with its build paths relative to the context `context`
/// (relative to the compose files' folder): `api/Dockerfile` is
/// `Dockerfile` from `api`. A path outside the context stays as written.
fn from_context(mut service: Service, context: &str) -> Service {
    if context.is_empty() {
        return service;
    }
    let inside = |path: &str| {
        let path = clean(path);
        if path == context {
            return ".".to_string();
        }
        path.strip_prefix(context)
            .and_then(|rest| rest.strip_prefix('/'))
            .map_or(path.clone(), str::to_string)
    };
    if let Some(build) = &mut service.build {
        build.context = inside(&build.context);
        build.dockerfile = inside(&build.dockerfile);
    }
    service
}

fn clean(path: &str) -> String {
    let c = crate::repo::dockerignore::go_clean(path.trim_start_matches("./"));
    if c.is_empty() {
        ".".into()
    } else {
        c
    }
}

fn join(dir: &str, file: &str) -> String {
    if dir == "." || dir.is_empty() {
        clean(file)
    } else {
        clean(&format!("{dir}/{file}"))
    }
}

/// The services that build this Dockerfile (repository-relative path).
pub fn building<'a>(services: &'a [Service], dockerfile: &str) -> Vec<&'a Service> {
    let wanted = clean(dockerfile);
    services
        .iter()
        .filter(|s| s.build.as_ref().is_some_and(|b| b.dockerfile == wanted))
        .collect()
}

/// What a worker command is, and the healthcheck that suits it.
pub fn worker_of(command: &str) -> Option<(&'static str, String)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    let position = |w: &str| words.iter().position(|x| *x == w);
    if words.iter().any(|w| w.ends_with("celery")) {
        let app = position("-A")
            .or_else(|| position("--app"))
            .and_then(|i| words.get(i + 1))
            .map(|a| format!(" -A {a}"))
            .or_else(|| {
                words
                    .iter()
                    .find_map(|w| w.strip_prefix("--app="))
                    .map(|a| format!(" -A {a}"))
            })
            .unwrap_or_default();
        if has("beat") && !has("worker") {
            return Some((
                "Celery beat",
                "healthcheck: {disable: true}: beat answers no ping; the restart policy watches the process".into(),
            ));
        }
        if has("worker") {
            return Some((
                "Celery worker",
                format!("healthcheck: test: [\"CMD-SHELL\", \"celery{app} inspect ping -d celery@$$HOSTNAME\"]"),
            ));
        }
        return None;
    }
    let kind = if has("rq") && has("worker") || words.iter().any(|w| w.ends_with("rqworker")) {
        "RQ worker"
    } else if words.iter().any(|w| w.ends_with("dramatiq")) {
        "Dramatiq worker"
    } else if words.iter().any(|w| w.ends_with("arq")) {
        "arq worker"
    } else if words
        .iter()
        .any(|w| w.ends_with("huey_consumer") || w.ends_with("huey_consumer.py"))
    {
        "Huey consumer"
    } else if has("manage.py") && (has("qcluster") || has("process_tasks")) {
        "Django task worker"
    } else {
        return None;
    };
    Some((
        kind,
        "healthcheck: {disable: true}: the worker answers no HTTP; the restart policy watches the process".into(),
    ))
}

/// Does `service` run the image of `dockerfile` (built from it, or by the
/// image name a service that builds it gives)?
pub fn runs_this_image(service: &Service, all: &[Service], dockerfile: &str) -> bool {
    let same = |path: &str| path.trim_start_matches("./") == dockerfile.trim_start_matches("./");
    if let Some(build) = &service.build {
        return same(&build.dockerfile);
    }
    let Some(image) = &service.image else {
        return false;
    };
    all.iter().any(|s| {
        s.image.as_ref() == Some(image) && s.build.as_ref().is_some_and(|b| same(&b.dockerfile))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn build_paths_are_read_from_the_context() {
        let service = Service {
            build: Some(Build {
                context: "./api".into(),
                dockerfile: "api/Dockerfile".into(),
                target: None,
            }),
            ..Service::default()
        };
        let from_api = from_context(service.clone(), "api");
        let build = from_api.build.unwrap();
        assert_eq!(
            (build.context.as_str(), build.dockerfile.as_str()),
            (".", "Dockerfile")
        );
        let elsewhere = from_context(service, "events").build.unwrap();
        assert_eq!(elsewhere.dockerfile, "api/Dockerfile");
    }

    use super::*;

    #[test]
    fn reads_builds_targets_and_mounts() {
        let (_dir, repo) = crate::repo::temp_repo(&[
            (
                "docker-compose.yml",
                "services:\n  web:\n    build:\n      context: .\n      target: builder\n    volumes:\n      - .:/code\n      - static:/code/static\n      - /code/node_modules\n    ports: [\"8000:8000\"]\n    command: python manage.py runserver 0.0.0.0:8000\n  worker:\n    build: ./backend\n  db:\n    image: postgres:16\nvolumes:\n  static:\n",
            ),
            (
                "docker-compose.override.yml",
                "services:\n  web:\n    volumes:\n      - type: bind\n        source: ./media\n        target: /code/media\n",
            ),
        ]);
        let services = services(&repo);
        assert_eq!(services.len(), 3);
        let web = &services[0];
        assert_eq!(
            web.build.as_ref().unwrap().target.as_deref(),
            Some("builder")
        );
        assert_eq!(web.build.as_ref().unwrap().dockerfile, "Dockerfile");
        assert_eq!(web.volumes.len(), 4);
        assert!(web.volumes[0].bind);
        assert!(!web.volumes[1].bind);
        assert_eq!(web.volumes[3].target, "/code/media");
        assert_eq!(
            services[1].build.as_ref().unwrap().dockerfile,
            "backend/Dockerfile"
        );
        assert_eq!(building(&services, "./Dockerfile").len(), 1);
    }

    #[test]
    fn reads_environment_in_both_forms() {
        let (_dir, repo) = crate::repo::temp_repo(&[(
            "compose.yaml",
            "services:\n  db:\n    image: postgres\n    environment:\n      - POSTGRES_DB=app\n      - FROM_HOST\n  web:\n    build: .\n    environment:\n      DJANGO_SETTINGS_MODULE: mysite.settings.production\n      DEBUG: 0\n",
        )]);
        let vars = environment_of(&services(&repo));
        let shown: Vec<String> = vars
            .iter()
            .map(|v| format!("{}={} {}", v.name, v.value, v.from))
            .collect();
        assert_eq!(
            shown,
            [
                "DJANGO_SETTINGS_MODULE=mysite.settings.production compose.yaml (service web)",
                "DEBUG=0 compose.yaml (service web)",
                "POSTGRES_DB=app compose.yaml (service db)",
            ]
        );
    }
}
