//! The one-line next.config change a Next.js server needs for the image:
//! `output: 'standalone'`, which makes `next build` trace the files the
//! server uses into .next/standalone (DS311). The line goes into the config
//! object, in the file's own quote style and indentation; a project without
//! a config gets a minimal next.config.mjs.

use serde::Serialize;

use super::{Decision, Inputs, Topic};
use crate::detect::node::{NodeApp, NodeProject};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct NextConfigEdit {
    /// The file, relative to the repository.
    pub file: String,
    pub new: String,
}

pub fn plan(
    inputs: &Inputs,
    project: &NodeProject,
    decisions: &mut Vec<Decision>,
) -> Result<Option<NextConfigEdit>> {
    let NodeApp::NextServer {
        config, standalone, ..
    } = &project.app
    else {
        return Ok(None);
    };
    if *standalone {
        return Ok(None);
    }
    let (file, new) = match config {
        None => (
            project.path("next.config.mjs"),
            "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  // A self-contained server in .next/standalone, for the Docker image.\n  output: 'standalone',\n}\n\nexport default nextConfig\n".to_string(),
        ),
        Some(file) => {
            let text = inputs.repo.read_text(file)?.unwrap_or_default();
            let new = with_standalone(&text).ok_or_else(|| {
                Error::unsupported(
                    format!("{file}: no config object literal found to add `output: 'standalone'` to"),
                    "add `output: 'standalone'` to the config yourself: the image runs Next.js from its standalone output",
                )
            })?;
            (file.clone(), new)
        }
    };
    decisions.push(Decision {
        file: file.clone(),
        topic: Topic::StandaloneOutput,
        choice: "output: 'standalone'".into(),
        reason: "next build then writes a self-contained server with only the node_modules files it uses to .next/standalone; the image copies that instead of the whole node_modules".into(),
        fixes: inputs.fixes(&[crate::rules::RuleId::DS311]),
    });
    Ok(Some(NextConfigEdit { file, new }))
}

/// `text` with `output: 'standalone',` as the first property of the config
/// object: the object opened by `const nextConfig = {`, `module.exports = {`,
/// `export default {` or `defineConfig({`.
fn with_standalone(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let opens = |l: &str| {
        let t = l.trim_end();
        let t = t.split("//").next().unwrap_or(t).trim_end();
        t.ends_with('{')
            && (t.contains("module.exports")
                || t.contains("export default")
                || t.contains("nextConfig")
                || t.contains("NextConfig")
                || t.contains("defineConfig"))
    };
    let at = lines.iter().position(|l| opens(l))?;
    let indent: String = lines
        .get(at + 1)
        .map(|l| {
            l.chars()
                .take_while(|c| c.is_whitespace() && *c != '\n')
                .collect()
        })
        .filter(|i: &String| !i.is_empty())
        .unwrap_or_else(|| "  ".into());
    let quote = if text.matches('\'').count() >= text.matches('"').count() {
        '\''
    } else {
        '"'
    };
    let mut out = String::with_capacity(text.len() + 32);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i == at {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("{indent}output: {quote}standalone{quote},\n"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_one_line_in_the_files_style() {
        let esm = "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n    reactStrictMode: true,\n}\n\nexport default nextConfig\n";
        assert_eq!(
            with_standalone(esm).unwrap(),
            "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n    output: 'standalone',\n    reactStrictMode: true,\n}\n\nexport default nextConfig\n"
        );
        let cjs = "module.exports = {\n  images: { domains: [\"cdn.example.com\"] },\n}\n";
        assert_eq!(
            with_standalone(cjs).unwrap(),
            "module.exports = {\n  output: \"standalone\",\n  images: { domains: [\"cdn.example.com\"] },\n}\n"
        );
        assert!(with_standalone("module.exports = require('./base')\n").is_none());
    }
}
