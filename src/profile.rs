//! Profiles: the data that parameterises templates (base images, versions,
//! system packages, user, healthcheck timing). YAML files with `extends`,
//! compiled into the binary and overridable with `--profiles-dir`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_norway::Value;

use crate::error::{Error, Result};

/// The built-in profiles, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("base", include_str!("../profiles/base.yaml")),
    ("python", include_str!("../profiles/python.yaml")),
    (
        "python-bookworm",
        include_str!("../profiles/python-bookworm.yaml"),
    ),
    (
        "python-distroless",
        include_str!("../profiles/python-distroless.yaml"),
    ),
    ("node", include_str!("../profiles/node.yaml")),
    ("caddy", include_str!("../profiles/caddy.yaml")),
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub extends: Option<String>,
    pub description: String,
    pub user: User,
    pub healthcheck: HealthcheckTiming,
    pub cache_mounts: bool,
    #[serde(default)]
    pub python: Option<PythonProfile>,
    #[serde(default)]
    pub native_packages: BTreeMap<String, NativePackage>,
    pub node: NodeProfile,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeProfile {
    pub default_version: String,
    pub supported: Vec<String>,
    pub image: String,
    pub corepack: Corepack,
    pub static_server: StaticServer,
    pub static_port: u16,
    pub nginx: Nginx,
    pub caddy: Caddy,
    /// The image Bun projects are installed, built and run on. Defaulted, so
    /// a profile written before Bun was planned still reads.
    #[serde(default)]
    pub bun: BunProfile,
}

/// Bun projects' image: `image` with `{version}` replaced by the Bun line
/// (packageManager's or engines.bun's major, else `default_version`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BunProfile {
    pub default_version: String,
    pub image: String,
}

impl Default for BunProfile {
    fn default() -> Self {
        BunProfile {
            default_version: "1".into(),
            image: "oven/bun:{version}-slim".into(),
        }
    }
}

/// Package manager versions for corepack when package.json pins none.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Corepack {
    pub pnpm: String,
    pub yarn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaticServer {
    Nginx,
    Caddy,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Nginx {
    pub image: String,
    pub uid: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Caddy {
    pub image: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub uid: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HealthcheckTiming {
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PythonProfile {
    pub default_version: String,
    pub supported: Vec<String>,
    pub image: String,
    pub debian: String,
    pub workers: u32,
    pub servers: Servers,
    pub tools: Tools,
    pub torch: TorchIndexes,
    /// A runtime stage on a distroless image instead of `image`.
    #[serde(default)]
    pub distroless: Option<Distroless>,
}

/// A distroless runtime: an image without a shell whose interpreter the
/// builder stage (`image`) must have at the same path and minor version.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Distroless {
    pub image: String,
    /// The interpreter's path in both stages, such as /usr/bin/python3.11.
    pub python: String,
    /// Its minor version, such as "3.11".
    pub version: String,
}

/// PyTorch's wheel indexes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TorchIndexes {
    pub cpu_index: String,
    pub cuda_index: String,
}

/// Pinned versions of the package managers the builder stage runs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tools {
    pub uv: String,
    /// `{version}` is filled with `uv`.
    pub uv_image: String,
    pub poetry: String,
    pub pipenv: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Servers {
    pub wsgi: String,
    pub asgi: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NativePackage {
    pub build: Vec<String>,
    pub runtime: Vec<String>,
    #[serde(default)]
    pub runtime_by_debian: BTreeMap<String, Vec<String>>,
}

impl NativePackage {
    pub fn runtime_for(&self, debian: &str) -> &[String] {
        self.runtime_by_debian.get(debian).unwrap_or(&self.runtime)
    }
}

/// The system packages a set of requirements needs: to compile (`build`)
/// and to run (`runtime`), and which requirements need them.
#[derive(Debug, Clone, Default)]
pub struct NativeNeeds {
    pub build: std::collections::BTreeSet<String>,
    pub runtime: std::collections::BTreeSet<String>,
    pub because: Vec<String>,
}

impl Profile {
    /// What the requirements that compile against or load system libraries
    /// need on this Debian release (the `native_packages` table).
    pub fn native_needs(
        &self,
        requirements: &crate::detect::requirements::RequirementSet,
        debian: &str,
    ) -> NativeNeeds {
        let mut needs = NativeNeeds::default();
        for req in requirements
            .requirements
            .iter()
            .filter(|r| r.applies_on_linux())
        {
            if req.name == "psycopg" && req.extras.iter().any(|e| e == "binary") {
                continue;
            }
            let key = if req.name == "psycopg" && req.extras.iter().any(|e| e == "c") {
                "psycopg-c"
            } else {
                req.name.as_str()
            };
            if let Some(native) = self.native_packages.get(key) {
                needs.build.extend(native.build.iter().cloned());
                needs
                    .runtime
                    .extend(native.runtime_for(debian).iter().cloned());
                needs.because.push(req.name.clone());
            }
        }
        needs
    }
}

/// Where profiles come from: the built-in set, overlaid by a folder.
pub struct ProfileSource {
    files: BTreeMap<String, (String, String)>,
}

impl ProfileSource {
    /// The built-in profiles, plus `*.yaml` from `dir` (which win by name).
    pub fn new(dir: Option<&Path>) -> Result<ProfileSource> {
        let mut files: BTreeMap<String, (String, String)> = BUILTIN
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    (format!("profiles/{name}.yaml (built in)"), text.to_string()),
                )
            })
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            for entry in entries {
                let path = entry.map_err(|e| Error::io(dir, e))?.path();
                if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                    continue;
                }
                let name = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                let shown = path.display().to_string();
                let text = crate::repo::read_text_file(&path, &shown)?.unwrap_or_default();
                files.insert(name, (shown, text));
            }
        }
        Ok(ProfileSource { files })
    }

    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.files.keys().map(String::as_str)
    }

    pub fn raw(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|(_, t)| t.as_str())
    }

    /// Loads `name`, merging the profiles it extends beneath it.
    pub fn load(&self, name: &str) -> Result<Profile> {
        let merged = self.merged(name, &mut Vec::new())?;
        let (shown, _) = &self.files[name];
        serde_norway::from_value(merged).map_err(|e| {
            let message = crate::error::plain_serde(&e.to_string());
            Error::input(
                shown.clone(),
                None,
                format!("is not a valid profile: {message}"),
                "`dockslim profiles show python` prints a complete profile to start from",
            )
        })
    }

    fn merged(&self, name: &str, chain: &mut Vec<String>) -> Result<Value> {
        if chain.iter().any(|n| n == name) {
            return Err(Error::usage(
                format!(
                    "profile `{name}` extends itself through {}",
                    chain.join(" -> ")
                ),
                "make one profile of that chain extend a built-in one (python, node) instead",
            ));
        }
        let (shown, text) = self.files.get(name).ok_or_else(|| {
            Error::usage(
                format!("no profile named `{name}`"),
                crate::error::did_you_mean(name, self.names(), "profiles"),
            )
        })?;
        let value: Value = serde_norway::from_str(text).map_err(|e| {
            Error::input(
                shown.clone(),
                e.location().map(|l| l.line()),
                format!("is not valid YAML: {e}"),
                "YAML wants `key: value` pairs, lists as `- item` lines, and text with `: ` or `#` in quotes",
            )
        })?;
        chain.push(name.to_string());
        let parent = value
            .get("extends")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut merged = match parent {
            Some(parent) => self.merged(&parent, chain)?,
            None => Value::Mapping(Default::default()),
        };
        merge(&mut merged, value);
        Ok(merged)
    }
}

/// Deep-merges `over` into `base`: mappings merge key by key, anything else
/// is replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load_and_extend() {
        let source = ProfileSource::new(None).unwrap();
        for name in source.names().collect::<Vec<_>>() {
            source.load(name).unwrap();
        }
        let bookworm = source.load("python-bookworm").unwrap();
        assert_eq!(bookworm.name, "python-bookworm");
        let py = bookworm.python.unwrap();
        assert_eq!(py.debian, "bookworm");
        assert_eq!(py.default_version, "3.12", "inherited from python");
        assert_eq!(bookworm.user.uid, 10001, "inherited from base");
        assert_eq!(
            bookworm.native_packages["python-ldap"].runtime_for("bookworm"),
            ["libldap-2.5-0", "libsasl2-2"]
        );
    }

    #[test]
    fn folder_overrides_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("python.yaml"),
            "name: python\nextends: base\ndescription: mine\npython:\n  default_version: '3.11'\n",
        )
        .unwrap();
        let source = ProfileSource::new(Some(dir.path())).unwrap();
        let err = source.load("python").unwrap_err().to_string();
        assert!(
            err.contains("python.yaml") && err.contains("missing field"),
            "{err}"
        );

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("team.yaml"), "name: team\nextends: python\ndescription: ours\nuser: {name: svc, uid: 20000}\nbogus: 1\n").unwrap();
        let source = ProfileSource::new(Some(dir.path())).unwrap();
        let err = source.load("team").unwrap_err().to_string();
        assert!(err.contains("unknown field `bogus`"), "{err}");
        assert!(source
            .load("nope")
            .unwrap_err()
            .to_string()
            .contains("no profile named `nope`"));
    }
}
