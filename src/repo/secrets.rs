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

#[cfg(test)]
mod tests {
    use super::*;

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
