//! Secret files, recognised by name and, for env files, .npmrc and key
//! material under any name, by content.
//!
//! A secret that reaches the build context can be copied into a layer and
//! pushed with the image, where anyone who pulls it can read it. Templates
//! meant to be committed (`.env.example`) are not secrets, and neither is an
//! env file a Vite or Next.js build reads that holds only the variables the
//! build puts into the site for every visitor (`VITE_*`, `NEXT_PUBLIC_*`):
//! that is a build setting, and the build needs it.

/// Why a path looks like a secret, or `None`.
pub fn secret_kind(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    const TEMPLATE_SUFFIXES: &[&str] = &[
        ".example",
        ".sample",
        ".template",
        ".dist",
        ".tmpl",
        ".defaults",
    ];
    if TEMPLATE_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return None;
    }
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        return Some("environment file with values");
    }
    if lower.ends_with(".pem")
        || lower.ends_with(".key")
        || lower.ends_with(".p12")
        || lower.ends_with(".pfx")
    {
        return Some("private key or certificate bundle");
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| {
            lower == *k
                || lower.starts_with(&format!("{k}."))
                || lower.starts_with(&format!("{k}_"))
        })
    {
        return Some("SSH key");
    }
    if lower.contains("cloud_key") || lower.ends_with("_rsa") || lower.ends_with("_ed25519") {
        return Some("SSH key");
    }
    if matches!(
        lower.as_str(),
        ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".htpasswd"
    ) {
        return Some("registry or login credentials");
    }
    // Streamlit reads st.secrets from .streamlit/secrets.toml; the docs
    // say to keep it out of version control, and so out of the image.
    if lower == "secrets.toml" {
        return Some("secrets file (Streamlit's st.secrets)");
    }
    if lower.ends_with(".json")
        && (lower.contains("credential")
            || lower.contains("service-account")
            || lower.contains("service_account"))
    {
        return Some("cloud credentials JSON");
    }
    None
}

/// A secret file found in the repository.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct SecretFile {
    pub path: String,
    pub kind: &'static str,
    /// `name` or `content`: how it was recognised.
    pub found_by: &'static str,
    pub size: u64,
}

/// Environment files count only when they hold values: a `.env` with every
/// value empty is a template, whatever its name.
fn is_env_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Files whose name alone does not make them secret: what in their text
/// does. An env file's values; an .npmrc's credentials (most hold only
/// settings such as `engine-strict=true` or a registry URL, and the
/// Dockerfile copies them for `npm ci`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByContent {
    Env,
    Npmrc,
}

fn content_decides(path: &str) -> Option<ByContent> {
    if is_env_name(path) {
        return Some(ByContent::Env);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    name.eq_ignore_ascii_case(".npmrc")
        .then_some(ByContent::Npmrc)
}

/// A frontend build that reads the env files beside its package.json and
/// puts the variables with its public prefix into the site it builds, where
/// every visitor can read them: such a variable is a build setting, public
/// by design, not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum EnvReader {
    Vite,
    Next,
}

impl EnvReader {
    /// The prefix of the variables the build embeds in the site.
    pub fn public_prefix(self) -> &'static str {
        match self {
            EnvReader::Vite => "VITE_",
            EnvReader::Next => "NEXT_PUBLIC_",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EnvReader::Vite => "Vite",
            EnvReader::Next => "Next.js",
        }
    }
}

/// The builds that read the env files of `folder`: Vite or Next.js among
/// the dependencies of the package.json in that folder (both read env files
/// from the project folder, not from its parents or children). A custom
/// Vite `envPrefix` is not read: only `VITE_` counts.
fn env_readers(repo: &super::Repo, folder: &str) -> Vec<EnvReader> {
    let manifest = match folder {
        "" => "package.json".to_string(),
        f => format!("{f}/package.json"),
    };
    let Ok(Some(text)) = repo.read_text(&manifest) else {
        return Vec::new();
    };
    let Ok(pkg) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let depends_on = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|k| pkg.get(k).and_then(|d| d.get(name)).is_some())
    };
    [("vite", EnvReader::Vite), ("next", EnvReader::Next)]
        .into_iter()
        .filter(|(package, _)| depends_on(package))
        .map(|(_, reader)| reader)
        .collect()
}

/// What an env file's text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EnvContent {
    /// No assignment has a value: a template.
    NoValues,
    /// Values only for the public variables of the builds that read it.
    PublicOnly,
    /// Anything else: a value for any other variable, or a line that is
    /// neither a comment, a blank nor an assignment (part of a multi-line
    /// value, say), which we cannot vouch for.
    Secret,
}

/// Reads an env file's lines. A mixed file (one public variable beside any
/// other with a value) is a secret: the public ones do not make the others
/// safe to ship. An assignment with an empty value holds nothing, whatever
/// its name.
fn env_content(text: &str, readers: &[EnvReader]) -> EnvContent {
    let mut public = false;
    let mut unknown_line = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            unknown_line = true;
            continue;
        };
        let key = key.trim();
        let value = value.trim().trim_matches(['"', '\'']);
        if key.is_empty() || value.is_empty() {
            continue;
        }
        if !readers.iter().any(|r| key.starts_with(r.public_prefix())) {
            return EnvContent::Secret;
        }
        public = true;
    }
    match (public, unknown_line) {
        (false, _) => EnvContent::NoValues,
        (true, false) => EnvContent::PublicOnly,
        (true, true) => EnvContent::Secret,
    }
}

/// What the env file at `path` holds, with the builds that read it.
fn env_file(repo: &super::Repo, path: &str, text: &str) -> (EnvContent, Vec<EnvReader>) {
    let folder = path.rsplit_once('/').map_or("", |(d, _)| d);
    let readers = env_readers(repo, folder);
    (env_content(text, &readers), readers)
}

/// An .npmrc line that sets `_authToken`, `_auth` or `_password` (for any
/// registry) to a value, not to a `${VARIABLE}` npm fills in at install time.
fn npmrc_has_credentials(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        let key = key.trim();
        let value = value.trim().trim_matches(['"', '\'']);
        let credential = ["_authToken", "_auth", "_password"]
            .iter()
            .any(|k| key == *k || key.ends_with(&format!(":{k}")));
        let variable = value.starts_with("${") && value.ends_with('}');
        credential && !line.starts_with(['#', ';']) && !value.is_empty() && !variable
    })
}

/// What a file's first bytes say it is, for text-like files only.
pub fn secret_by_content(head: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(head);
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        return Some("private key (PEM header)");
    }
    if text.contains("\"service_account\"") && text.contains("\"private_key\"") {
        return Some("cloud credentials JSON (service account key)");
    }
    if text.contains("aws_secret_access_key") {
        return Some("AWS credentials file");
    }
    None
}

/// Files whose content is worth a look: small and text-like by extension.
fn sniffable(path: &str, size: u64) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    size <= 64 * 1024
        && match ext.as_deref() {
            None => true,
            Some(e) => matches!(
                e,
                "txt"
                    | "json"
                    | "yaml"
                    | "yml"
                    | "cfg"
                    | "ini"
                    | "conf"
                    | "crt"
                    | "cer"
                    | "asc"
                    | "properties"
                    | "toml"
                    | "credentials"
                    | "secret"
                    | "secrets"
                    | "pub"
            ),
        }
}

/// Every secret file of the repository's own files, by name or by content.
/// Vendored folders (node_modules, virtualenvs) are not read: their test
/// keys are not the project's secrets.
pub fn scan(repo: &super::Repo) -> Vec<SecretFile> {
    let mut out = Vec::new();
    for file in repo.own_files() {
        // Sniffable files are at most 64 kB; their first 8 kB decide.
        let read_head = || {
            let mut bytes = repo.read_bytes(&file.path).ok()??;
            bytes.truncate(8192);
            Some(bytes)
        };
        if let Some(kind) = secret_kind(&file.path) {
            if content_decides(&file.path).is_some() && !holds_secret(repo, &file.path) {
                continue;
            }
            out.push(SecretFile {
                path: file.path.clone(),
                kind,
                found_by: "name",
                size: file.size,
            });
        } else if sniffable(&file.path, file.size) {
            if let Some(kind) = read_head().as_deref().and_then(secret_by_content) {
                out.push(SecretFile {
                    path: file.path.clone(),
                    kind,
                    found_by: "content",
                    size: file.size,
                });
            }
        }
    }
    out
}

/// Whether a file whose content decides holds a secret; an unreadable one
/// is assumed to.
fn holds_secret(repo: &super::Repo, path: &str) -> bool {
    let Ok(Some(bytes)) = repo.read_bytes(path) else {
        return true;
    };
    let text = String::from_utf8_lossy(&bytes);
    match content_decides(path) {
        Some(ByContent::Env) => env_file(repo, path, &text).0 == EnvContent::Secret,
        Some(ByContent::Npmrc) => npmrc_has_credentials(&text),
        None => true,
    }
}

/// An env file a frontend build reads that holds only the build's public
/// variables: a build setting, not a secret.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuildSettings {
    pub path: String,
    pub readers: Vec<EnvReader>,
}

impl BuildSettings {
    /// The folder of the frontend project that reads it.
    pub fn folder(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// `VITE_*` (or `VITE_*, NEXT_PUBLIC_*`), for comments.
    pub fn prefixes(&self) -> String {
        self.readers
            .iter()
            .map(|r| format!("{}*", r.public_prefix()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every env file of the repository's own files that a Vite or Next.js
/// build reads and that holds only that build's public variables.
pub fn build_settings(repo: &super::Repo) -> Vec<BuildSettings> {
    repo.own_files()
        .filter(|f| secret_kind(&f.path).is_some() && is_env_name(&f.path))
        .filter_map(|f| {
            let bytes = repo.read_bytes(&f.path).ok()??;
            let (content, readers) = env_file(repo, &f.path, &String::from_utf8_lossy(&bytes));
            (content == EnvContent::PublicOnly).then(|| BuildSettings {
                path: f.path.clone(),
                readers,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_npmrc_is_a_secret_only_with_credentials() {
        assert!(npmrc_has_credentials(
            "registry=https://npm.example.com/\n//npm.example.com/:_authToken=npm_abc123\n"
        ));
        assert!(npmrc_has_credentials("_auth = dXNlcjpwYXNz\n"));
        assert!(!npmrc_has_credentials(
            "engine-strict=true\nsave-exact=true\n"
        ));
        assert!(!npmrc_has_credentials(
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
        ));
        assert!(!npmrc_has_credentials("# _authToken=old\n"));
    }

    #[test]
    fn scan_finds_by_name_and_content_and_skips_empty_env() {
        let dir = tempfile::tempdir().unwrap();
        let files: &[(&str, &str)] = &[
            (".env", "SECRET=abc\n"),
            ("config/.env.local", "# all empty\nSECRET=\nTOKEN=\"\"\n"),
            (
                "deploy/key",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
            ),
            (
                "gcp.json",
                "{\"type\": \"service_account\", \"private_key\": \"x\"}",
            ),
            ("notes.txt", "nothing to see"),
            (
                "node_modules/pkg/test/key",
                "-----BEGIN RSA PRIVATE KEY-----\n",
            ),
        ];
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let repo = crate::repo::Repo::open(dir.path()).unwrap();
        let found: Vec<(String, &str)> = scan(&repo)
            .into_iter()
            .map(|s| (s.path, s.found_by))
            .collect();
        assert_eq!(
            found,
            [
                (".env".to_string(), "name"),
                ("deploy/key".to_string(), "content"),
                ("gcp.json".to_string(), "content")
            ]
        );
    }

    #[test]
    fn an_env_file_of_public_build_variables_is_not_a_secret() {
        use EnvContent::*;
        let vite = [EnvReader::Vite];
        let next = [EnvReader::Next];
        let cases: &[(&str, &[EnvReader], EnvContent)] = &[
            ("# shown in the site\nVITE_API_URL=https://api.example.com\n\nVITE_MAPS_KEY=\"pk_1\"\n", &vite, PublicOnly),
            ("export NEXT_PUBLIC_SITE=shop\n", &next, PublicOnly),
            // Any other variable with a value: the file stays a secret.
            ("VITE_API_URL=/api\nDATABASE_URL=postgres://u:p@db/x\n", &vite, Secret),
            // Public only to another build: this one does not embed it.
            ("NEXT_PUBLIC_X=1\n", &vite, Secret),
            ("VITE_X=1\n", &[], Secret),
            // A line we cannot read could be part of a value.
            ("VITE_X=1\n-----BEGIN PRIVATE KEY-----\n", &vite, Secret),
            // An empty value holds nothing, whatever its name.
            ("VITE_X=1\nSTRIPE_KEY=\n", &vite, PublicOnly),
            ("SECRET=\n# VITE_X=1\n", &vite, NoValues),
        ];
        for (text, readers, want) in cases {
            assert_eq!(env_content(text, readers), *want, "{text}");
        }
    }

    #[test]
    fn scan_asks_the_package_json_beside_an_env_file_who_reads_it() {
        let (_d, repo) = crate::repo::temp_repo(&[
            (
                "web/package.json",
                "{\"devDependencies\": {\"vite\": \"^6\"}}",
            ),
            ("web/.env.production", "VITE_API_URL=/api\n"),
            ("web/.env.local", "VITE_API_URL=/api\nSESSION_SECRET=x\n"),
            (
                "site/package.json",
                "{\"dependencies\": {\"next\": \"15\"}}",
            ),
            ("site/.env", "NEXT_PUBLIC_SHOP=1\n"),
            // Vite reads env files from its project folder only.
            ("web/config/.env", "VITE_API_URL=/api\n"),
            (".env", "VITE_API_URL=/api\n"),
        ]);
        let secrets: Vec<String> = scan(&repo).into_iter().map(|s| s.path).collect();
        assert_eq!(secrets, [".env", "web/.env.local", "web/config/.env"]);
        let settings: Vec<(String, String)> = build_settings(&repo)
            .into_iter()
            .map(|b| (b.path.clone(), b.prefixes()))
            .collect();
        assert_eq!(
            settings,
            [
                ("site/.env".to_string(), "NEXT_PUBLIC_*".to_string()),
                ("web/.env.production".to_string(), "VITE_*".to_string())
            ]
        );
    }

    #[test]
    fn recognises_common_secret_files() {
        for path in [
            ".env",
            ".env.production",
            "config/.env.local",
            "deploy/prod.env",
            "certs/server.pem",
            "tls.key",
            "id_rsa",
            "id_ed25519.pub",
            "deploy/cloud_key_new",
            ".npmrc",
            ".pypirc",
            "gcp-credentials.json",
            "my-service-account.json",
        ] {
            assert!(secret_kind(path).is_some(), "{path} should be a secret");
        }
    }

    #[test]
    fn templates_and_code_are_not_secrets() {
        for path in [
            ".env.example",
            ".env.sample",
            "env.py",
            "keys.py",
            "monkey.txt",
            "package.json",
            "README.md",
        ] {
            assert!(secret_kind(path).is_none(), "{path} is not a secret");
        }
    }

    #[test]
    fn streamlit_secrets_are_secrets_and_its_config_is_not() {
        assert!(secret_kind(".streamlit/secrets.toml").is_some());
        assert!(secret_kind(".streamlit/secrets.toml.example").is_none());
        assert!(secret_kind(".streamlit/config.toml").is_none());
    }
}
