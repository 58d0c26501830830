//! Every image a repository builds: the compose services with a `build`
//! (their context, Dockerfile and target), and the Dockerfiles where teams
//! keep them that no service builds (the root, `<service>/Dockerfile`,
//! `docker/<name>/Dockerfile`); `Dockerfile.<name>` when a service builds it.
//!
//! `rewrite`, `analyze`, `context`, `init` and `verify` at a root with
//! several images plan each with its own build context (one section per
//! image in every format); `--service NAME` picks one.

use serde::Serialize;

use std::path::Path;

use super::compose;

/// One image the repository builds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    /// The compose service's name, else the Dockerfile's folder (or the
    /// `<name>` of `Dockerfile.<name>`), `app` for the root's Dockerfile.
    pub name: String,
    /// Repository-relative paths, `/`-separated; the context is "." for
    /// the root.
    pub dockerfile: String,
    pub context: String,
    /// The compose service's `build.target`.
    pub target: Option<String>,
    /// Where the image was found: `compose.yaml (service web)`, the
    /// Dockerfile's path for one no service builds, or the manifest of a
    /// project that has no Dockerfile yet.
    pub found_in: String,
    /// A project folder with no Dockerfile yet (see `projects`): its
    /// Dockerfile is the one dockslim would write.
    #[serde(skip)]
    pub unwritten: bool,
}

impl Image {
    /// The JavaScript workspace member whose folder holds this image's
    /// Dockerfile (`apps/web/Dockerfile` built from the workspace root):
    /// the member the image runs.
    pub fn workspace_member(&self, root: &Path) -> Option<String> {
        let folder = self.dockerfile.rsplit_once('/')?.0;
        (self.context == "."
            && folder.contains('/')
            && root.join(folder).join("package.json").is_file()
            && is_js_workspace_root(root))
        .then(|| folder.to_string())
    }

    /// The root's Dockerfile built from the root, with no target: what a
    /// run at the root reads when no image is named.
    pub fn is_the_roots(&self) -> bool {
        self.context == "." && self.dockerfile == "Dockerfile" && self.target.is_none()
    }
}

/// The images of the repository at `root`, compose services first (in
/// file order), then the other Dockerfiles by path. A Dockerfile two
/// services build (a web and a worker) is one image, named after the first.
/// Only the root and the folders below it are looked at, never walked: a
/// repository of 200,000 files costs a few directory reads.
pub fn discover(root: &Path) -> Vec<Image> {
    let exists = |rel: &str| root.join(rel).is_file();
    let mut images: Vec<Image> = Vec::new();
    for service in compose::services_in(root) {
        let Some(build) = &service.build else {
            continue;
        };
        if images
            .iter()
            .any(|i| i.dockerfile == build.dockerfile && i.target == build.target)
        {
            continue;
        }
        // A service whose Dockerfile is not written yet is an image to
        // write, when it is the one dockslim writes (`<context>/Dockerfile`).
        let own = if build.context == "." {
            "Dockerfile".to_string()
        } else {
            format!("{}/Dockerfile", build.context)
        };
        let unwritten = !exists(&build.dockerfile);
        if unwritten && build.dockerfile != own {
            continue;
        }
        images.push(Image {
            name: service.name.clone(),
            dockerfile: build.dockerfile.clone(),
            context: build.context.clone(),
            target: build.target.clone(),
            found_in: format!("{} (service {})", service.file, service.name),
            unwritten,
        });
    }
    // The variants passed with `-f` and the compose files of docker/ and
    // deploy/: an image they build that is written, and not for
    // development (`Dockerfile.dev`), named after its service unless an
    // image has that name.
    for service in compose::variant_services(root) {
        let Some(build) = &service.build else {
            continue;
        };
        let file_name = build.dockerfile.rsplit('/').next().unwrap_or_default();
        let known = images
            .iter()
            .any(|i| i.dockerfile == build.dockerfile && i.target == build.target);
        if known || !exists(&build.dockerfile) || crate::dockerfile::stages::is_dev_name(file_name)
        {
            continue;
        }
        // `web` of docker-compose.prod.yml beside the default file's
        // `web` is `web-prod`.
        let variant = service
            .file
            .rsplit('/')
            .next()
            .and_then(compose::variant_of);
        let taken = |name: &str| images.iter().any(|i| i.name == name);
        let mut candidates = vec![service.name.clone()];
        candidates.extend(variant.map(|v| format!("{}-{v}", service.name)));
        let path_name = build.dockerfile.replace('/', "-");
        candidates.push(match &build.target {
            Some(t) => format!("{path_name}-{t}"),
            None => path_name,
        });
        let last = candidates.last().cloned().unwrap_or_default();
        let name = candidates
            .into_iter()
            .find(|c| !taken(c))
            .unwrap_or_else(|| {
                (2..)
                    .map(|n| format!("{last}-{n}"))
                    .find(|c| !taken(c))
                    .unwrap_or_default()
            });
        images.push(Image {
            name,
            dockerfile: build.dockerfile.clone(),
            context: build.context.clone(),
            target: build.target.clone(),
            found_in: format!("{} (service {})", service.file, service.name),
            unwritten: false,
        });
    }
    let mut others: Vec<Image> = shallow_files(root)
        .iter()
        .filter_map(|p| conventional(root, p))
        .filter(|o| !images.iter().any(|i| i.dockerfile == o.dockerfile))
        .collect();
    others.sort_by(|a, b| a.dockerfile.cmp(&b.dockerfile));
    for mut image in others {
        // Two folders may share a name (api/Dockerfile, docker/api/Dockerfile).
        if images.iter().any(|i| i.name == image.name) {
            image.name = image
                .dockerfile
                .trim_end_matches("/Dockerfile")
                .replace('/', "-");
        }
        images.push(image);
    }
    images
}

/// The files where a Dockerfile may be: the root's, `<folder>/Dockerfile`
/// and `docker/<name>/Dockerfile`, skipping hidden folders (a
/// `.devcontainer` is a development image) and vendored ones. Symbolic
/// links are not followed, as in the walk: a linked Dockerfile is the file
/// it leads to, found there.
fn shallow_files(root: &Path) -> Vec<String> {
    let entries = |dir: &Path| -> Vec<(String, std::fs::FileType)> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.file_type().ok()?)))
            .collect()
    };
    let regular = |path: &Path| std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    let skipped = |name: &str| {
        (name.starts_with('.') && name != ".docker")
            || matches!(
                name,
                "node_modules" | "venv" | "vendor" | "target" | "dist" | "build"
            )
    };
    let mut out = Vec::new();
    for (name, kind) in entries(root) {
        if kind.is_file() {
            out.push(name);
            continue;
        }
        if !kind.is_dir() || skipped(&name) {
            continue;
        }
        let folder = root.join(&name);
        if regular(&folder.join("Dockerfile")) {
            out.push(format!("{name}/Dockerfile"));
        }
        // Folders of Dockerfiles, and the folders monorepos keep their
        // apps and services in: one level deeper.
        if matches!(
            name.as_str(),
            "docker" | "dockerfiles" | ".docker" | "apps" | "services" | "packages" | "src"
        ) {
            for (inner, inner_kind) in entries(&folder) {
                if inner_kind.is_dir()
                    && !skipped(&inner)
                    && regular(&folder.join(&inner).join("Dockerfile"))
                {
                    out.push(format!("{name}/{inner}/Dockerfile"));
                }
            }
        }
    }
    out
}

/// Whether `folder` holds a project a Dockerfile beside it builds: then
/// the folder is its build context; else (`docker/Dockerfile`,
/// `deploy/Dockerfile`) the Dockerfile builds the root.
fn holds_project(root: &Path, folder: &str) -> bool {
    const MANIFESTS: &[&str] = &[
        "requirements.txt",
        "pyproject.toml",
        "Pipfile",
        "setup.py",
        "package.json",
        "uv.lock",
        "poetry.lock",
    ];
    let dir = root.join(folder);
    MANIFESTS.iter().any(|m| dir.join(m).is_file())
        || std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with("requirements") && n.ends_with(".txt"))
            })
}

/// A Dockerfile where teams keep one, with the context it is built with:
/// the root's (from the root), `<folder>/Dockerfile` (from its folder
/// when the folder holds the project, else from the root) and
/// `docker/<name>/Dockerfile` (from the root, whose files a folder of
/// Dockerfiles copies). `Dockerfile.<name>` beside the root's is an image
/// only when a compose service builds it: alone it is usually a variant of
/// the root's (`Dockerfile.dev`, `Dockerfile.test`), which a production
/// rewrite would break, or the `Dockerfile.frontend` dockslim writes as
/// part of the root's plan.
fn conventional(root: &Path, path: &str) -> Option<Image> {
    let parts: Vec<&str> = path.split('/').collect();
    let image = |name: &str, context: &str| Image {
        name: name.to_string(),
        dockerfile: path.to_string(),
        context: context.to_string(),
        target: None,
        found_in: path.to_string(),
        unwritten: false,
    };
    match parts.as_slice() {
        ["Dockerfile"] => Some(image("app", ".")),
        ["docker" | "dockerfiles" | ".docker", name, "Dockerfile"] => Some(image(name, ".")),
        [folder, "Dockerfile"] => Some(image(folder, &context_of(root, folder, path))),
        [outer, inner, "Dockerfile"] => {
            let folder = format!("{outer}/{inner}");
            Some(image(inner, &context_of(root, &folder, path)))
        }
        _ => None,
    }
}

/// The build context of the Dockerfile at `path` in `folder`: where the
/// files it copies are. A source found below the folder and not from the
/// root says the folder (an nginx/ with its nginx.conf), one found from
/// the root and not below the folder says the root (`COPY apps/web/...`, a
/// root lock file). When its sources say neither (`COPY . .`), a member of
/// a workspace is built from the workspace's root, and a folder holding a
/// project from itself.
fn context_of(root: &Path, folder: &str, path: &str) -> String {
    let text = crate::repo::read_text_file(&root.join(path), path)
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Ok(df) = crate::dockerfile::Dockerfile::parse(&text, path) {
        let sources: Vec<String> = df
            .instructions()
            .filter(|i| {
                matches!(
                    i.keyword,
                    crate::dockerfile::Keyword::Copy | crate::dockerfile::Keyword::Add
                ) && i.flag("from").is_none()
            })
            .filter_map(|i| match &i.args {
                crate::dockerfile::Args::Copy { sources, .. } => Some(sources.clone()),
                _ => None,
            })
            .flatten()
            // RUN --mount=type=bind,source=uv.lock reads the context too.
            .chain(df.instructions().flat_map(|i| {
                i.flags
                    .iter()
                    .filter(|f| f.name == "mount")
                    .filter_map(|f| f.value.as_deref())
                    .filter(|v| {
                        !v.contains("from=")
                            && !v.contains("type=cache")
                            && !v.contains("type=secret")
                            && !v.contains("type=ssh")
                            && !v.contains("type=tmpfs")
                    })
                    .filter_map(|v| {
                        v.split(',')
                            .find_map(|kv| {
                                kv.strip_prefix("source=")
                                    .or_else(|| kv.strip_prefix("src="))
                            })
                            .map(str::to_string)
                    })
                    .collect::<Vec<_>>()
            }))
            .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
            .filter(|s| {
                !s.is_empty()
                    && s != "."
                    && !s.starts_with("<<")
                    && !s.contains("://")
                    && !s.contains(['*', '?', '[', '$'])
            })
            .collect();
        let from_root = |s: &str| root.join(s).exists();
        let from_folder = |s: &str| root.join(folder).join(s).exists();
        if sources.iter().any(|s| from_folder(s) && !from_root(s)) {
            return folder.to_string();
        }
        if sources.iter().any(|s| from_root(s) && !from_folder(s)) {
            return ".".to_string();
        }
    }
    if is_workspace_root(root) && holds_project(root, folder) && folder.contains('/') {
        return ".".to_string();
    }
    if holds_project(root, folder) {
        folder.to_string()
    } else {
        ".".to_string()
    }
}

/// A JavaScript or uv workspace whose members build from its root.
fn is_workspace_root(root: &Path) -> bool {
    is_js_workspace_root(root)
        || std::fs::read_to_string(root.join("pyproject.toml"))
            .is_ok_and(|t| t.contains("[tool.uv.workspace]"))
}

/// A pnpm, npm or Yarn workspace's root. A pnpm-workspace.yaml of
/// settings alone (no `packages`, or only `.`) is a single package, as
/// `node_workspace::declared` reads it.
fn is_js_workspace_root(root: &Path) -> bool {
    let pnpm_members = std::fs::read_to_string(root.join("pnpm-workspace.yaml"))
        .ok()
        .and_then(|t| serde_norway::from_str::<serde_norway::Value>(&t).ok())
        .and_then(|v| v.get("packages")?.as_sequence().cloned())
        .is_some_and(|packages| {
            packages
                .iter()
                .any(|p| !matches!(p.as_str(), Some("." | "./")))
        });
    pnpm_members
        || std::fs::read_to_string(root.join("package.json"))
            .is_ok_and(|t| t.contains("\"workspaces\""))
}

/// The projects of a repository with no image yet and no project at its
/// root: each top-level folder that holds a manifest (a `backend/` with
/// its requirements, a `frontend/` with its package.json) is an image to
/// write, built from its folder. Folders of documentation, examples and
/// tests are not services.
pub fn projects(root: &Path) -> Vec<Image> {
    if holds_project(root, ".") {
        return Vec::new();
    }
    let mut folders: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| {
            !name.starts_with('.')
                && !matches!(
                    name.as_str(),
                    "node_modules"
                        | "venv"
                        | "vendor"
                        | "target"
                        | "dist"
                        | "build"
                        | "docs"
                        | "doc"
                        | "examples"
                        | "example"
                        | "tests"
                        | "test"
                        | "scripts"
                )
        })
        .filter(|name| holds_project(root, name))
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|folder| Image {
            name: folder.clone(),
            dockerfile: format!("{folder}/Dockerfile"),
            context: folder.clone(),
            target: None,
            found_in: format!("{folder}/, a project with no Dockerfile yet"),
            unwritten: true,
        })
        .collect()
}

/// The image `wanted` names: a name, a Dockerfile path or a context folder.
pub fn select<'a>(images: &'a [Image], wanted: &str) -> Option<&'a Image> {
    let wanted = wanted.trim_start_matches("./").trim_end_matches('/');
    images
        .iter()
        .find(|i| i.name == wanted)
        .or_else(|| images.iter().find(|i| i.dockerfile == wanted))
        .or_else(|| images.iter().find(|i| i.context == wanted))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_workspace_members_own_dockerfile_runs_that_member() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("pnpm-workspace.yaml", "packages:\n  - apps/*\n"),
            ("package.json", "{}\n"),
            ("apps/web/package.json", "{}\n"),
            ("apps/web/Dockerfile", "FROM node:20\nCOPY . .\n"),
            ("apps/docs/package.json", "{}\n"),
            ("apps/docs/Dockerfile", "FROM node:20\nCOPY . .\n"),
        ]);
        let found = discover(&repo.root);
        let members: Vec<Option<String>> = found
            .iter()
            .map(|i| i.workspace_member(&repo.root))
            .collect();
        assert_eq!(
            members,
            [Some("apps/docs".to_string()), Some("apps/web".to_string())]
        );
    }

    #[test]
    fn deployment_variants_and_nested_compose_files_build_images() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("docker-compose.yml", "services:\n  web:\n    build: ./app\n"),
            ("docker-compose.prod.yml", "services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Dockerfile.prod\n"),
            ("docker-compose.docs.yml", "services:\n  docs:\n    build:\n      context: .\n      dockerfile: docs.Dockerfile\n"),
            ("app/Dockerfile", "FROM python:3.12\n"),
            ("app/Dockerfile.prod", "FROM python:3.12\n"),
            ("docs.Dockerfile", "FROM python:3.12\n"),
            ("docker/compose/docker-compose.prod.yaml", "services:\n  api:\n    build:\n      context: ../..\n      dockerfile: docker/dockerfiles/Dockerfile.prod\n      target: runtime\n  outside:\n    build: ../../..\n  absolute:\n    build: /srv/app\n  remote:\n    build: https://github.com/a/b.git\n"),
            ("deploy/docker-compose.yml", "services:\n  api:\n    build:\n      context: ..\n      dockerfile: docker/dockerfiles/Dockerfile.prod\n      target: worker\n"),
            ("docker/compose/docker-compose.dev.yaml", "services:\n  api:\n    build:\n      context: ../..\n      dockerfile: docker/dockerfiles/Dockerfile.dev\n"),
            ("docker/dockerfiles/Dockerfile.prod", "FROM node:20 AS runtime\n"),
            ("docker/dockerfiles/Dockerfile.dev", "FROM node:20\n"),
        ]);
        let found: Vec<(String, String, String, Option<String>, String)> = discover(&repo.root)
            .into_iter()
            .map(|i| (i.name, i.dockerfile, i.context, i.target, i.found_in))
            .collect();
        let image = |name: &str, df: &str, cx: &str, target: Option<&str>, from: &str| {
            (
                name.into(),
                df.into(),
                cx.into(),
                target.map(str::to_string),
                from.into(),
            )
        };
        assert_eq!(
            found,
            [
                image(
                    "web",
                    "app/Dockerfile",
                    "app",
                    None,
                    "docker-compose.yml (service web)"
                ),
                image(
                    "web-prod",
                    "app/Dockerfile.prod",
                    "app",
                    None,
                    "docker-compose.prod.yml (service web)"
                ),
                image(
                    "api",
                    "docker/dockerfiles/Dockerfile.prod",
                    ".",
                    Some("runtime"),
                    "docker/compose/docker-compose.prod.yaml (service api)"
                ),
                image(
                    "docker-dockerfiles-Dockerfile.prod-worker",
                    "docker/dockerfiles/Dockerfile.prod",
                    ".",
                    Some("worker"),
                    "deploy/docker-compose.yml (service api)"
                ),
            ]
        );
    }

    #[test]
    fn a_pnpm_workspace_file_of_settings_makes_no_workspace() {
        let (_d, repo) = crate::repo::temp_repo(&[
            (
                "pnpm-workspace.yaml",
                "onlyBuiltDependencies:\n  - esbuild\n",
            ),
            ("package.json", "{}\n"),
        ]);
        assert!(!is_js_workspace_root(&repo.root));
        let (_d, repo) =
            crate::repo::temp_repo(&[("pnpm-workspace.yaml", "packages:\n  - apps/*\n")]);
        assert!(is_js_workspace_root(&repo.root));
    }

    #[test]
    fn the_context_is_where_the_copied_files_are() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("package.json", "{\"workspaces\": [\"apps/*\"]}\n"),
            ("package-lock.json", "{}\n"),
            ("apps/web/package.json", "{}\n"),
            ("apps/web/Dockerfile", "FROM node:20\nCOPY package-lock.json apps/web/package.json ./\n"),
            ("apps/api/package.json", "{}\n"),
            ("apps/api/Dockerfile", "FROM node:20\nCOPY . .\n"),
            ("nginx/nginx.conf", "events {}\n"),
            ("nginx/Dockerfile", "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n"),
            ("src/time/pyproject.toml", "[project]\nname = 't'\n"),
            ("src/time/uv.lock", "version = 1\n"),
            (
                "src/time/Dockerfile",
                "FROM python:3.12\nRUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync\nCOPY . /app\n",
            ),
        ]);
        let found = discover(&repo.root);
        let context = |name: &str| {
            found
                .iter()
                .find(|i| i.name == name)
                .map(|i| i.context.as_str())
                .unwrap_or("(not found)")
        };
        assert_eq!(context("web"), ".");
        // A workspace member copying `.` builds from the workspace root.
        assert_eq!(context("api"), ".");
        assert_eq!(context("nginx"), "nginx");
        assert_eq!(context("time"), "src/time");
    }

    #[test]
    fn project_folders_are_images_when_the_root_has_none() {
        let (_d, repo) = crate::repo::temp_repo(&[
            ("backend/requirements.txt", "fastapi\n"),
            ("web/package.json", "{}\n"),
            ("docs/package.json", "{}\n"),
            ("README.md", "x\n"),
        ]);
        let found = projects(&repo.root);
        let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["backend", "web"]);
        assert!(found.iter().all(|i| i.unwritten && i.context == i.name));
        // A project at the root is the image; its folders are not.
        let (_d, repo) = crate::repo::temp_repo(&[
            ("requirements.txt", "flask\n"),
            ("web/package.json", "{}\n"),
        ]);
        assert!(projects(&repo.root).is_empty());
    }
    use super::*;

    #[test]
    fn compose_services_first_then_the_dockerfiles_teams_keep() {
        let (_d, repo) = crate::repo::temp_repo(&[
            (
                "compose.yaml",
                "services:\n  api:\n    build: ./backend\n  worker:\n    build: ./backend\n  web:\n    build:\n      context: .\n      dockerfile: docker/frontend/Dockerfile\n      target: runner\n  db:\n    image: postgres:16\n",
            ),
            ("backend/Dockerfile", "FROM python:3.12-slim\n"),
            ("backend/requirements.txt", "flask\n"),
            ("deploy/Dockerfile", "FROM python:3.12-slim\n"),
            (".devcontainer/Dockerfile", "FROM python:3.12\n"),
            ("docker/frontend/Dockerfile", "FROM node:22\n"),
            ("docker/mcp/Dockerfile", "FROM python:3.12-slim\n"),
            ("Dockerfile.worker", "FROM python:3.12-slim\n"),
            ("Dockerfile.dockerignore", "node_modules\n"),
            ("node_modules/x/Dockerfile", "FROM scratch\n"),
            ("ops/deploy.sh", "echo\n"),
        ]);
        let images = discover(&repo.root);
        let shown: Vec<(&str, &str, &str)> = images
            .iter()
            .map(|i| (i.name.as_str(), i.dockerfile.as_str(), i.context.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("api", "backend/Dockerfile", "backend"),
                ("web", "docker/frontend/Dockerfile", "."),
                ("deploy", "deploy/Dockerfile", "."),
                ("mcp", "docker/mcp/Dockerfile", "."),
            ]
        );
        assert_eq!(images[1].target.as_deref(), Some("runner"));
        assert_eq!(select(&images, "backend").unwrap().name, "api");
        assert_eq!(
            select(&images, "./docker/mcp/Dockerfile").unwrap().name,
            "mcp"
        );
        assert!(select(&images, "frontend").is_none());
    }
}
