//! DS101 secret-in-context
//!
//! What it finds: secret files (`.env` with values, `*.pem`, `*.key`, SSH keys,
//! an `.npmrc` holding a token or password, cloud credential JSON, a private
//! key under any name) that today's .dockerignore lets into the build
//! context. An env file beside a Vite or Next.js package.json that sets only
//! the variables the build puts into the site (`VITE_*`, `NEXT_PUBLIC_*`) is
//! a build setting, not a secret; one more variable with a value makes the
//! whole file a secret again.
//! Why it matters: whatever is in the context can be copied into a layer by
//! `COPY . .`, and every layer is readable by anyone who pulls the image. A
//! key baked into an image pushed once must be rotated.
//! Fix: exclude the file in .dockerignore (dockslim's proposal does) and pass
//! secrets at run time, or at build time with `RUN --mount=type=secret`.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};

pub struct SecretInContext;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS101,
    name: "secret-in-context",
    severity: Severity::Error,
    summary: "A secret file is sent to Docker with the build context.",
    why: "Anything in the build context can end up in a layer (COPY . . copies it), and layers are readable by everyone who can pull the image. Keys baked into a pushed image must be rotated. (An env file of only VITE_* or NEXT_PUBLIC_* variables beside the Vite or Next.js project that reads them is a build setting, public in the built site anyway, and not reported.)",
    fix: "Exclude the file in .dockerignore and provide secrets at run time (environment, mounted files) or at build time with RUN --mount=type=secret.",
    example: "Before: no .dockerignore, and deploy/id_rsa sits in the repo.\nAfter (.dockerignore):\n  id_rsa*\n  **/*.pem\n  .env\n  !.env.example",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for SecretInContext {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let copied = cx.whole_context_copy().map(|i| i.line);
        // The repository scan's secrets: by name, by content (a PEM key
        // under any name), and env or .npmrc files only when they hold values.
        cx.sent_files()
            .filter_map(|f| {
                let kind = cx.secrets.iter().find(|s| s.path == f.path)?.kind;
                let how = match copied {
                    Some(line) => format!(
                        ", and COPY at {}:{line} copies it into the image",
                        cx.dockerfile.map_or("Dockerfile", |d| d.path.as_str())
                    ),
                    None => String::new(),
                };
                Some(
                    Finding::new(
                        &DOC,
                        f.path.clone(),
                        None,
                        format!("{kind} is sent in the build context{how}"),
                    )
                    .with_bytes(f.size),
                )
            })
            .collect()
    }
}

/// A secret file outside the project folder of an image built from the
/// repository root (`crate::subproject`): today's context sends it to the
/// engine, though no COPY of this image takes it.
pub fn sent_from_the_root(secret: &crate::repo::secrets::SecretFile, folder: &str) -> Finding {
    Finding::new(
        &DOC,
        secret.path.clone(),
        None,
        format!(
            "{} is sent in the build context (built from the repository root, though the image takes only {folder}/ from it)",
            secret.kind
        ),
    )
    .with_bytes(secret.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn secrets_sent_are_found_and_excluded_ones_are_not() {
        let fx = Fixture::new(&[
            (".env", "KEY=1"),
            ("certs/server.pem", "x"),
            (".env.example", "KEY="),
            ("Dockerfile", "FROM python:3.12\nCOPY . .\n"),
        ]);
        let found: Vec<_> = fx
            .check(&SecretInContext)
            .into_iter()
            .map(|f| (f.file, f.message))
            .collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, ".env");
        assert!(
            found[0].1.contains("Dockerfile:2 copies it"),
            "{}",
            found[0].1
        );

        let fx = Fixture::new(&[(".env", "KEY=1"), (".dockerignore", ".env\n")]);
        assert!(fx.check(&SecretInContext).is_empty());
    }

    #[test]
    fn an_npmrc_of_settings_or_an_env_without_values_is_not_a_secret() {
        let fx = Fixture::new(&[
            (".npmrc", "engine-strict=true\n"),
            (".env", "# fill in\nKEY=\n"),
            (
                "web/package.json",
                "{\"devDependencies\": {\"vite\": \"^6\"}}",
            ),
            ("web/.env.production", "VITE_API_URL=/api\n"),
            ("deploy/signing", "-----BEGIN RSA PRIVATE KEY-----\nabc\n"),
        ]);
        let found: Vec<_> = fx
            .check(&SecretInContext)
            .into_iter()
            .map(|f| f.file)
            .collect();
        assert_eq!(found, ["deploy/signing"]);

        // The same public variable beside a token: a secret.
        let fx = Fixture::new(&[
            (
                "web/package.json",
                "{\"devDependencies\": {\"vite\": \"^6\"}}",
            ),
            (
                "web/.env.production",
                "VITE_API_URL=/api\nSENTRY_AUTH_TOKEN=abc\n",
            ),
        ]);
        let found: Vec<_> = fx
            .check(&SecretInContext)
            .into_iter()
            .map(|f| f.file)
            .collect();
        assert_eq!(found, ["web/.env.production"]);
    }
}
