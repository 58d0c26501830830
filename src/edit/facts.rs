//! What the image is, as fixes need to know it: the port the app listens
//! on, read from the user's own Dockerfile and repository.

use super::FixContext;
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::{shell, Keyword};

/// The port the app listens on, and where that was read: the
/// configuration, the image's EXPOSE, the command's bind address, an ENV
/// PORT, the code.
pub fn port(cx: &FixContext) -> Option<(u16, String)> {
    if let Some(p) = cx.inputs.config.port {
        return Some((p, "set in the configuration".into()));
    }
    let intent = cx.df.intent_of(&cx.graph);
    if let Some((p, line)) = intent
        .expose
        .iter()
        .find_map(|(p, l)| p.split('/').next()?.parse::<u16>().ok().map(|p| (p, l)))
    {
        return Some((p, format!("the EXPOSE at line {line}")));
    }
    for keyword in [Keyword::Cmd, Keyword::Entrypoint] {
        if let Some(inst) = cx.effective(keyword) {
            if let Some(p) = inst
                .command()
                .and_then(|c| crate::plan::python::bind_port(&c.words()))
            {
                return Some((
                    p,
                    format!(
                        "the bind address of the {} at line {}",
                        keyword.as_str(),
                        inst.line
                    ),
                ));
            }
        }
    }
    if let Some(p) = intent.env_value("PORT").and_then(|v| v.parse().ok()) {
        return Some((p, "ENV PORT".into()));
    }
    if let Some((p, file, line)) = &cx.inputs.project.python.web.code_port {
        return Some((*p, format!("the port the code runs on at {file}:{line}")));
    }
    if let Some(node) = &cx.inputs.project.node {
        if let crate::detect::node::NodeApp::Server {
            port: Some((p, from)),
            ..
        } = &node.app
        {
            return Some((*p, from.clone()));
        }
    }
    None
}

/// Shared libraries the Python requirements load at run time that the
/// image's stages do not install, with the requirement that loads
/// each.
pub fn runtime_libraries(cx: &FixContext, image: &ImageRef) -> Vec<(String, String)> {
    if !image.is_python() {
        return Vec::new();
    }
    let py = &cx.inputs.project.python;
    let debian = image
        .debian_release()
        .or_else(|| {
            cx.inputs
                .profile
                .python
                .as_ref()
                .map(|p| p.debian.as_str())
                .and_then(|d| {
                    crate::dockerfile::image::DEBIAN_RELEASES
                        .iter()
                        .copied()
                        .find(|r| *r == d)
                })
        })
        .unwrap_or("trixie");
    let installed: Vec<String> = cx
        .shipped()
        .iter()
        .flat_map(|s| s.run_commands())
        .filter_map(|c| shell::package_install(&c.words))
        .flatten()
        .collect();
    let installs_requirements = cx
        .shipped()
        .iter()
        .flat_map(|s| s.run_commands())
        .any(|c| shell::is_pip_install(&c.words))
        || cx.shipped().iter().any(|s| {
            s.instructions
                .iter()
                .any(|i| i.flag("from").is_some() && i.keyword == Keyword::Copy)
        });
    if !installs_requirements {
        return Vec::new();
    }
    let mut out = Vec::new();
    for req in &py.requirements.requirements {
        let single = crate::detect::requirements::RequirementSet {
            requirements: vec![req.clone()],
            ..Default::default()
        };
        for lib in cx.inputs.profile.native_needs(&single, debian).runtime {
            if !installed.contains(&lib) && !out.iter().any(|(l, _)| *l == lib) {
                out.push((lib, req.name.clone()));
            }
        }
    }
    out
}

/// Where the image has a path of the repository: the last COPY or ADD of
/// the build context in the image's stages that brings it (`COPY . /app`
/// puts `data/x` at `/app/data/x`; `COPY src/ /srv/` puts `src/a` at
/// `/srv/a`), or, for a path no copy brings (a database the app creates),
/// beside a file of its folder that a copy brings (`COPY config.py ./`
/// puts `app.db`, created beside config.py, in the WORKDIR). `None` when
/// nothing of its folder is copied.
pub fn repo_path_in_image(cx: &FixContext, path: &str) -> Option<String> {
    let path = path.trim_matches('/');
    copies_of(cx, path).or_else(|| {
        let (folder, name) = match path.rsplit_once('/') {
            Some((f, n)) => (f, n),
            None => ("", path),
        };
        let sibling = cx.inputs.repo.own_files().find(|f| {
            f.path.rsplit_once('/').map_or("", |(d, _)| d) == folder
                && copies_of(cx, &f.path).is_some()
        })?;
        let at = copies_of(cx, &sibling.path)?;
        let dir = at
            .rsplit_once('/')
            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
        Some(crate::repo::dockerignore::go_clean(&format!(
            "{dir}/{name}"
        )))
    })
}

/// Where the last copy that brings `path` puts it.
fn copies_of(cx: &FixContext, path: &str) -> Option<String> {
    let mut found = None;
    // Nearest stage first in `shipped`: walk the oldest first so the last
    // copy of the image wins.
    for stage in cx.shipped().into_iter().rev() {
        for inst in &stage.instructions {
            let crate::dockerfile::Args::Copy { sources, dest, .. } = &inst.args else {
                continue;
            };
            if inst.flag("from").is_some() || !matches!(inst.keyword, Keyword::Copy | Keyword::Add)
            {
                continue;
            }
            let workdir = stage.workdir_at(inst.line);
            let dest = if dest.starts_with('/') {
                dest.clone()
            } else {
                format!(
                    "{}/{}",
                    workdir.trim_end_matches('/'),
                    dest.trim_start_matches("./")
                )
            };
            for source in sources {
                if let Some(at) = copied_to(source, &dest, path) {
                    found = Some(crate::repo::dockerignore::go_clean(&at));
                }
            }
        }
    }
    found
}

/// Where one COPY source puts `path`, if it brings it: a folder's contents
/// land in the destination; a file lands in it, or is it.
fn copied_to(source: &str, dest: &str, path: &str) -> Option<String> {
    let source = source.trim_start_matches("./").trim_end_matches('/');
    let into = |rest: &str| {
        if rest.is_empty() {
            dest.trim_end_matches('/').to_string()
        } else {
            format!("{}/{rest}", dest.trim_end_matches('/'))
        }
    };
    if source.is_empty() || source == "." {
        return Some(into(path));
    }
    if source.contains(['*', '?', '$']) || source.contains("://") {
        return None;
    }
    if path == source {
        // A folder's contents land in the destination; a file (a name with
        // an extension) lands in a folder destination, or is it.
        let name = source.rsplit('/').next().unwrap_or(source);
        let file = name.contains('.');
        return Some(match (file, dest.ends_with('/')) {
            (true, true) => format!("{dest}{name}"),
            _ => dest.trim_end_matches('/').to_string(),
        });
    }
    path.strip_prefix(&format!("{source}/")).map(into)
}

/// The image's environment: ENV of its stages, the values the app sees.
pub fn image_env(cx: &FixContext) -> std::collections::BTreeMap<String, String> {
    let intent = cx.df.intent_of(&cx.graph);
    intent
        .env
        .iter()
        .map(|(k, v, _)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::copied_to;

    #[test]
    fn copies_place_repository_paths() {
        assert_eq!(
            copied_to(".", "/app", "data/x.db").as_deref(),
            Some("/app/data/x.db")
        );
        assert_eq!(copied_to("./", "/app/", "").as_deref(), Some("/app"));
        assert_eq!(
            copied_to("src/", "/srv", "src/uploads").as_deref(),
            Some("/srv/uploads")
        );
        assert_eq!(copied_to("src", "/srv/", "src").as_deref(), Some("/srv"));
        assert_eq!(
            copied_to("app.db", "/data/", "app.db").as_deref(),
            Some("/data/app.db")
        );
        assert_eq!(copied_to("src", "/srv", "lib/x"), None);
        assert_eq!(copied_to("*.py", "/srv", "a.py"), None);
    }
}
