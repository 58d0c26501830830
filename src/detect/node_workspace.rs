//! Node workspaces (monorepos): where a workspace is declared (package.json's
//! `workspaces` for npm and Yarn, pnpm-workspace.yaml's `packages` for
//! pnpm), its members, the member an image runs, and the workspace packages
//! that member needs in its build. A pnpm-workspace.yaml that holds only
//! pnpm settings (onlyBuiltDependencies, overrides, catalogs) or lists only
//! the root itself is not a workspace: the package is planned as the single
//! project it is.

use serde::Serialize;
use serde_json::Value;

use super::node::{join, line_of};
use crate::error::{Error, Result};
use crate::repo::Repo;

/// Where a workspace is declared and the member patterns it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// `pnpm-workspace.yaml:2` or `package.json:5`.
    pub at: String,
    /// The file that declares it, relative to the repository.
    pub file: String,
    /// The member patterns (`apps/*`; `!` for exclusions), as written.
    pub patterns: Vec<String>,
}

/// One package of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Its package.json `name`.
    pub name: String,
    /// Its folder, relative to the workspace root.
    pub dir: String,
}

/// The workspace an image's member belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct NodeWorkspace {
    /// Where it is declared, as `file:line`.
    pub declared_at: String,
    /// Every member with a package.json, sorted by folder.
    pub members: Vec<Member>,
    /// The member the image runs.
    pub member: Member,
    /// Why that member (the configuration names it, or it is the one app).
    pub chosen_because: String,
    /// The workspace packages the member depends on (`workspace:*`, or a
    /// member's name among its dependencies), directly or through each
    /// other, in folder order: their sources are part of its build.
    pub local: Vec<Member>,
    /// The local packages with a `build` script, dependencies before their
    /// dependents: npm and Yarn build them one by one before the member
    /// (pnpm's `--filter member...` orders them itself).
    pub builds_first: Vec<Member>,
    /// Files at the root the build reads besides the manifests
    /// (`tsconfig.base.json`), relative to the root.
    pub root_files: Vec<String>,
}

impl NodeWorkspace {
    /// The member's folder and its local packages' folders, in folder order:
    /// what the build stage copies after the install.
    pub fn source_dirs(&self) -> Vec<String> {
        let mut dirs: Vec<String> = self.local.iter().map(|m| m.dir.clone()).collect();
        dirs.push(self.member.dir.clone());
        dirs.sort();
        dirs
    }

    /// The name pnpm's and Yarn's `--filter`/`workspace` take.
    pub fn member_name(&self) -> &str {
        &self.member.name
    }
}

/// The dependencies that make a member an app dockslim knows how to build
/// and run: a framework of a static site or of a server.
const APP_DEPENDENCIES: &[&str] = &[
    "next",
    "vite",
    "react-scripts",
    "astro",
    "gatsby",
    "@docusaurus/core",
    "@vue/cli-service",
    "@angular/core",
    "@sveltejs/kit",
    "nuxt",
    "@remix-run/node",
    "@react-router/node",
    "@nestjs/core",
    "express",
    "fastify",
    "koa",
    "@hapi/hapi",
    "@hono/node-server",
];

/// The workspace declared in `dir` (pnpm-workspace.yaml's `packages` or
/// package.json's `workspaces`), or None for a single package: also when
/// pnpm-workspace.yaml holds only settings, or lists only the root (`.`).
pub fn declared(
    repo: &Repo,
    dir: &str,
    obj: &serde_json::Map<String, Value>,
    text: &str,
) -> Result<Option<Declared>> {
    let yaml_path = join(dir, "pnpm-workspace.yaml");
    if let Some(yaml) = repo.read_text(&yaml_path)? {
        let value: serde_norway::Value = serde_norway::from_str(&yaml).map_err(|e| {
            let line = e.location().map(|l| l.line());
            Error::input(
                &yaml_path,
                line,
                format!("is not valid YAML: {}", crate::error::plain_serde(&e.to_string())),
                "pnpm-workspace.yaml lists members under `packages:`, such as packages: [\"apps/*\", \"packages/*\"]",
            )
        })?;
        let packages = value.get("packages");
        let patterns: Vec<String> = match packages {
            None | Some(serde_norway::Value::Null) => Vec::new(),
            Some(serde_norway::Value::Sequence(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        Error::input(
                            &yaml_path,
                            Some(line_of(&yaml, "packages")),
                            "`packages` holds something that is not a folder pattern",
                            "write each member pattern as a string, such as - \"apps/*\"",
                        )
                    })
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(Error::input(
                    &yaml_path,
                    Some(line_of(&yaml, "packages")),
                    "`packages` is not a list of folder patterns",
                    "write it as a list, such as packages: [\"apps/*\", \"packages/*\"]",
                ))
            }
        };
        if patterns.iter().any(|p| !is_root_pattern(p)) {
            return Ok(Some(Declared {
                at: format!("{yaml_path}:{}", line_of(&yaml, "packages")),
                file: yaml_path,
                patterns,
            }));
        }
        // Settings only, or the root alone: pnpm treats the folder as one
        // package, and so do we (package.json's `workspaces` is npm's and
        // Yarn's, which pnpm does not read).
        if obj
            .get("packageManager")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("pnpm@"))
            || repo.exists(&join(dir, "pnpm-lock.yaml"))
        {
            return Ok(None);
        }
    }
    let manifest = join(dir, "package.json");
    let patterns: Vec<String> = match obj.get("workspaces") {
        None => return Ok(None),
        // Yarn 1's form: { "packages": [...], "nohoist": [...] }.
        Some(Value::Object(o)) => o
            .get("packages")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            return Err(Error::input(
                &manifest,
                Some(line_of(text, "\"workspaces\"")),
                "`workspaces` is neither a list of folder patterns nor {\"packages\": [...]}",
                "write it as \"workspaces\": [\"apps/*\", \"packages/*\"]",
            ))
        }
    };
    if patterns.iter().all(|p| is_root_pattern(p)) {
        return Ok(None);
    }
    Ok(Some(Declared {
        at: format!("{manifest}:{}", line_of(text, "\"workspaces\"")),
        file: manifest,
        patterns,
    }))
}

/// `.` or `./`: the root package itself.
fn is_root_pattern(pattern: &str) -> bool {
    matches!(pattern.trim().trim_end_matches('/'), "." | "")
}

/// Whether the folder `dir` matches a workspace pattern: `*` is one folder
/// name (or part of one), `**` any number of folders.
fn matches(pattern: &str, dir: &str) -> bool {
    fn segs(p: &[&str], d: &[&str]) -> bool {
        match (p.first(), d.first()) {
            (None, None) => true,
            (Some(&"**"), _) => segs(&p[1..], d) || (!d.is_empty() && segs(p, &d[1..])),
            (Some(seg), Some(name)) => one(seg, name) && segs(&p[1..], &d[1..]),
            _ => false,
        }
    }
    fn one(pattern: &str, name: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == name,
            Some((head, tail)) => {
                name.len() >= head.len()
                    && name.starts_with(head)
                    && (0..=name.len() - head.len()).any(|i| {
                        name.is_char_boundary(head.len() + i) && one(tail, &name[head.len() + i..])
                    })
            }
        }
    }
    let clean = |s: &str| -> Vec<String> {
        s.trim()
            .trim_start_matches("./")
            .trim_end_matches('/')
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect()
    };
    let p = clean(pattern);
    let d = clean(dir);
    let p: Vec<&str> = p.iter().map(String::as_str).collect();
    let d: Vec<&str> = d.iter().map(String::as_str).collect();
    segs(&p, &d)
}

/// A member's package.json, parsed.
#[derive(Debug)]
pub struct MemberManifest {
    pub member: Member,
    pub manifest: String,
    pub text: String,
    pub obj: serde_json::Map<String, Value>,
}

impl MemberManifest {
    fn dependency_specs(&self) -> Vec<(String, String)> {
        ["dependencies", "devDependencies"]
            .iter()
            .filter_map(|k| self.obj.get(*k).and_then(Value::as_object))
            .flat_map(|m| m.iter())
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect()
    }

    fn script(&self, name: &str) -> bool {
        self.obj
            .get("scripts")
            .and_then(|s| s.get(name))
            .and_then(Value::as_str)
            .is_some()
    }

    /// Whether the member looks like an app: a framework dockslim builds
    /// and a build or start script.
    fn is_app(&self) -> bool {
        let specs = self.dependency_specs();
        specs
            .iter()
            .any(|(d, _)| APP_DEPENDENCIES.contains(&d.as_str()))
            && (self.script("build") || self.script("start"))
    }
}

/// Every member of the declared workspace, with its manifest.
pub fn members(repo: &Repo, declared: &Declared) -> Result<Vec<MemberManifest>> {
    let (include, exclude): (Vec<&String>, Vec<&String>) =
        declared.patterns.iter().partition(|p| !p.starts_with('!'));
    let mut out = Vec::new();
    for manifest in super::node::manifests(repo) {
        let Some(dir) = manifest.strip_suffix("/package.json") else {
            continue;
        };
        if !include.iter().any(|p| matches(p, dir)) || exclude.iter().any(|p| matches(&p[1..], dir))
        {
            continue;
        }
        let Some(text) = repo.read_text(&manifest)? else {
            continue;
        };
        let obj =
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(o)) => o,
                Ok(_) => {
                    return Err(Error::input(
                        &manifest,
                        Some(1),
                        "expected a JSON object with the package's fields",
                        "a package.json is one { ... } object, such as {\"name\": \"web\"}",
                    ))
                }
                Err(e) => return Err(Error::input_at(
                    &manifest,
                    e.line(),
                    e.column(),
                    format!("expected valid JSON: {e}"),
                    "JSON wants double-quoted keys and strings and no comma after the last item",
                )),
            };
        // A member without a name cannot be filtered or depended on; npm
        // and pnpm name it by its folder in that case.
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string());
        out.push(MemberManifest {
            member: Member {
                name,
                dir: dir.to_string(),
            },
            manifest,
            text,
            obj,
        });
    }
    out.sort_by(|a, b| a.member.dir.cmp(&b.member.dir));
    Ok(out)
}

/// The member the image runs: the one `package` names (by name or folder),
/// else the one app among the members. Several apps, or none, is an error
/// listing them with the setting that picks one.
pub fn choose<'m>(
    declared: &Declared,
    members: &'m [MemberManifest],
    package: Option<&str>,
) -> Result<(&'m MemberManifest, String)> {
    let names = || members.iter().map(|m| m.member.name.as_str());
    if let Some(wanted) = package {
        let wanted_dir = wanted.trim_start_matches("./").trim_end_matches('/');
        return members
            .iter()
            .find(|m| m.member.name == wanted || m.member.dir == wanted_dir)
            .map(|m| (m, format!("the configuration names it (package: {wanted})")))
            .ok_or_else(|| {
                Error::usage(
                    format!(
                        "package = `{wanted}` is not a member of the workspace declared at {}",
                        declared.at
                    ),
                    format!(
                        "{} (`package` takes a member's name or folder)",
                        crate::error::did_you_mean(wanted, names(), "members")
                    ),
                )
            });
    }
    let apps: Vec<&MemberManifest> = members.iter().filter(|m| m.is_app()).collect();
    match apps.as_slice() {
        [one] => Ok((
            one,
            format!(
                "the one member that is an app (a framework dockslim builds and a build or start script in {})",
                one.manifest
            ),
        )),
        [] => Err(Error::unsupported(
            format!(
                "the workspace declared at {} has no member dockslim can build an image for (members: {})",
                declared.at,
                names().collect::<Vec<_>>().join(", ")
            ),
            "set `package` to the member the image runs (dockslim.yaml `package: NAME` or --set package=NAME); it needs a framework dockslim knows (Next.js, Vite, Express, NestJS, ...) and a build or start script",
        )),
        several => Err(Error::usage(
            format!(
                "the workspace declared at {} has several apps: {}; dockslim plans one image per run",
                declared.at,
                several
                    .iter()
                    .map(|m| format!("{} ({})", m.member.name, m.member.dir))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "name the member the image runs: `package: {}` in dockslim.yaml, or --set package={}",
                several[0].member.name, several[0].member.name
            ),
        )),
    }
}

/// The workspace packages `chosen` depends on, directly or through each
/// other: a `workspace:` range, or a dependency named like a member (npm
/// and Yarn 1 link those too); in the order found, dependents first.
pub fn local_dependencies(members: &[MemberManifest], chosen: &MemberManifest) -> Vec<Member> {
    let mut found: Vec<Member> = Vec::new();
    let mut queue = vec![chosen];
    while let Some(m) = queue.pop() {
        for (dep, spec) in m.dependency_specs() {
            let Some(local) = members.iter().find(|x| x.member.name == dep) else {
                continue;
            };
            // A registry package that shares a member's name is not the
            // member unless the range says so (pnpm) or it is linked (npm,
            // Yarn 1 link a member whatever its range; `npm:` and URLs
            // point elsewhere).
            if spec.starts_with("npm:") || spec.contains("://") {
                continue;
            }
            if local.member == chosen.member || found.contains(&local.member) {
                continue;
            }
            found.push(local.member.clone());
            queue.push(local);
        }
    }
    found
}

/// Of the local packages (in the order `local_dependencies` found them,
/// dependents before dependencies), those with a `build` script, the
/// deepest first.
pub fn builds_first(members: &[MemberManifest], local: &[Member]) -> Vec<Member> {
    local
        .iter()
        .rev()
        .filter(|l| members.iter().any(|m| m.member == **l && m.script("build")))
        .cloned()
        .collect()
}

/// The root files a member's build may read: shared TypeScript settings.
pub fn root_files(repo: &Repo) -> Vec<String> {
    ["tsconfig.json", "tsconfig.base.json"]
        .iter()
        .filter(|f| repo.exists(f))
        .map(|f| f.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::temp_repo;

    fn obj(text: &str) -> serde_json::Map<String, Value> {
        serde_json::from_str::<Value>(text)
            .unwrap()
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn patterns_match_folders() {
        assert!(matches("apps/*", "apps/web"));
        assert!(!matches("apps/*", "apps/web/nested"));
        assert!(matches("./packages/*/", "packages/ui"));
        assert!(matches("packages/**", "packages/a/b"));
        assert!(matches("tools/cli-*", "tools/cli-x"));
        assert!(!matches("tools/cli-*", "tools/x"));
        assert!(matches("docs", "docs"));
    }

    #[test]
    fn settings_only_pnpm_workspace_is_a_single_package() {
        let pkg = "{\"name\": \"site\", \"packageManager\": \"pnpm@9.15.9\"}";
        for yaml in [
            "onlyBuiltDependencies:\n  - esbuild\noverrides:\n  foo: 1.0.0\n",
            "packages:\n  - '.'\ncatalog:\n  react: ^19\n",
            "",
        ] {
            let (_d, repo) = temp_repo(&[("package.json", pkg), ("pnpm-workspace.yaml", yaml)]);
            assert_eq!(declared(&repo, "", &obj(pkg), pkg).unwrap(), None, "{yaml}");
        }
        let yaml = "packages:\n  - 'apps/*'\n";
        let (_d, repo) = temp_repo(&[("package.json", pkg), ("pnpm-workspace.yaml", yaml)]);
        let d = declared(&repo, "", &obj(pkg), pkg).unwrap().unwrap();
        assert_eq!(
            (d.at.as_str(), d.patterns),
            ("pnpm-workspace.yaml:1", vec!["apps/*".to_string()])
        );
    }

    #[test]
    fn npm_and_yarn_declarations() {
        let pkg = "{\n  \"name\": \"root\",\n  \"workspaces\": [\"apps/*\", \"!apps/old\"]\n}";
        let (_d, repo) = temp_repo(&[
            ("package.json", pkg),
            ("apps/web/package.json", "{\"name\": \"web\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\", \"ui\": \"*\"}}"),
            ("apps/old/package.json", "{\"name\": \"old\", \"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"6\"}}"),
            ("packages/ui/package.json", "{\"name\": \"ui\"}"),
        ]);
        let d = declared(&repo, "", &obj(pkg), pkg).unwrap().unwrap();
        assert_eq!(d.at, "package.json:3");
        let ms = members(&repo, &d).unwrap();
        let dirs: Vec<&str> = ms.iter().map(|m| m.member.dir.as_str()).collect();
        assert_eq!(dirs, ["apps/web"]);
        // Yarn 1's object form.
        let pkg = "{\"workspaces\": {\"packages\": [\"apps/*\", \"packages/*\"]}}";
        let d = declared(&repo, "", &obj(pkg), pkg).unwrap().unwrap();
        let ms = members(&repo, &d).unwrap();
        assert_eq!(ms.len(), 3);
        let (web, why) = choose(&d, &ms, Some("web")).unwrap();
        assert_eq!(web.member.dir, "apps/web");
        assert!(why.contains("configuration"));
        // `ui` is a member's name: npm links it whatever its range.
        assert_eq!(
            local_dependencies(&ms, web),
            vec![Member {
                name: "ui".into(),
                dir: "packages/ui".into()
            }]
        );
        // Two apps and no choice: the error lists them and the setting.
        let err = choose(&d, &ms, None).unwrap_err();
        let hint = err.hint().unwrap_or_default();
        assert!(
            err.to_string().contains("web (apps/web), old (apps/old)")
                || err.to_string().contains("old (apps/old), web (apps/web)"),
            "{err}"
        );
        assert!(hint.contains("package"), "{hint}");
        // A misspelt member gets "did you mean".
        let err = choose(&d, &ms, Some("webb")).unwrap_err();
        assert!(
            err.hint()
                .unwrap_or_default()
                .contains("did you mean `web`"),
            "{err:?}"
        );
    }
}
