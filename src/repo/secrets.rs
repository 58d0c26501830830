//! Secret files, recognised by name.
//!
//! A secret that reaches the build context can be copied into a layer and
//! pushed with the image, where anyone who pulls it can read it. Templates
//! meant to be committed (`.env.example`) are not secrets.

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

/// For files whose name alone does not make them secret, what in their
/// text does: an env file's values; an .npmrc's credentials (most hold only
/// settings such as `engine-strict=true` or a registry URL, and the
/// Dockerfile copies them for `npm ci`).
fn content_decides(path: &str) -> Option<fn(&str) -> bool> {
    if is_env_name(path) {
        return Some(env_has_values);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.eq_ignore_ascii_case(".npmrc")).then_some(npmrc_has_credentials as fn(&str) -> bool)
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

fn env_has_values(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        match line.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() && !key.trim_start().starts_with('#') => {
                let v = value.trim().trim_matches(['"', '\'']);
                !v.is_empty()
            }
            _ => false,
        }
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
        let read_head = || -> Option<Vec<u8>> {
            use std::io::Read;
            let mut f = std::fs::File::open(repo.abs(&file.path)).ok()?;
            let mut buf = vec![0; 8192];
            let n = f.read(&mut buf).ok()?;
            buf.truncate(n);
            Some(buf)
        };
        if let Some(kind) = secret_kind(&file.path) {
            if let Some(holds_secret) = content_decides(&file.path) {
                // Unreadable: assume the worst.
                let holds = match std::fs::read(repo.abs(&file.path)) {
                    Ok(bytes) => holds_secret(&String::from_utf8_lossy(&bytes)),
                    Err(_) => true,
                };
                if !holds {
                    continue;
                }
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
}
