//! Project manifests and the config files detection reads: pyproject.toml
//! (PEP 621, Poetry, uv, dependency groups), Pipfile, package.json with the
//! framework config files (next, vite, astro, vue), and compose files.
//! Each is assembled from sections people write, with values of the wrong
//! type now and then, and damaged by `mutated` or replaced by junk.

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use super::{junk, mutated, word};

const PEP508: &[&str] = &[
    "\"flask>=3\"",
    "\"gunicorn==22.0.0\"",
    "\"Django[argon2]>=4.2,<5\"",
    "\"uvicorn[standard] ; python_version >= '3.8'\"",
    "\"torch==2.3.0\"",
    "\"mylib @ git+https://github.com/org/mylib.git\"",
    "\"zope.interface\"",
    "\"not a requirement!!\"",
    "\"\"",
    "3",
    "{ include-group = \"lint\" }",
];

fn pep508_list() -> BoxedStrategy<String> {
    proptest::collection::vec(select(PEP508), 0..5)
        .prop_map(|v| format!("[{}]", v.join(", ")))
        .boxed()
}

const POETRY_DEPS: &[&str] = &[
    "python = \"^3.11\"",
    "python = \">=3.9,<3.13\"",
    "flask = \"^3.0\"",
    "gunicorn = \"*\"",
    "requests = { version = \"^2\", extras = [\"socks\"] }",
    "mylib = { path = \"../mylib\", develop = true }",
    "local = { path = \"libs/local\" }",
    "gitdep = { git = \"https://github.com/org/gitdep.git\", branch = \"main\" }",
    "torch = { version = \"2.3.0\", source = \"pytorch-cpu\" }",
    "weird = 3",
    "Django_Rest.framework = \">=3\"",
];

fn section() -> BoxedStrategy<String> {
    prop_oneof![
        (word(), pep508_list(), select(&["\">=3.11\"", "\"~=3.12\"", "3", "\">=3.8,<4\""][..]))
            .prop_map(|(name, deps, py)| format!(
                "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = {py}\ndependencies = {deps}\ndynamic = [\"version\"]\nreadme = \"README.md\"\n"
            )),
        pep508_list().prop_map(|d| format!("[project.optional-dependencies]\ndev = {d}\nserver = [\"gunicorn\"]\n")),
        (pep508_list(), pep508_list()).prop_map(|(a, b)| format!("[dependency-groups]\ndev = {a}\nlint = {b}\n")),
        (word(), subsequence(POETRY_DEPS, 0..6)).prop_map(|(name, deps)| format!(
            "[tool.poetry]\nname = \"{name}\"\npackage-mode = false\n\n[tool.poetry.dependencies]\n{}\n",
            deps.join("\n")
        )),
        subsequence(POETRY_DEPS, 0..4).prop_map(|d| format!("[tool.poetry.group.dev.dependencies]\n{}\n", d.join("\n"))),
        subsequence(POETRY_DEPS, 0..3).prop_map(|d| format!("[tool.poetry.dev-dependencies]\n{}\n", d.join("\n"))),
        (pep508_list(), select(&["false", "true", "\"yes\""][..])).prop_map(|(d, package)| format!(
            "[tool.uv]\ndev-dependencies = {d}\npackage = {package}\nrequired-version = \">=0.5\"\n"
        )),
        select(&["[\"packages/*\"]", "[\"libs/a\", \"libs/b\"]", "\"packages/*\"", "[]"][..])
            .prop_map(|m| format!("[tool.uv.workspace]\nmembers = {m}\n")),
        Just("[tool.uv.sources]\nmylib = { workspace = true }\nlocal = { path = \"libs/local\", editable = true }\ntorch = { index = \"pytorch-cpu\" }\n".to_string()),
        select(&["hatchling", "setuptools>=61", "poetry-core", "uv_build"][..])
            .prop_map(|b| format!("[build-system]\nrequires = [\"{b}\"]\nbuild-backend = \"x.build\"\n")),
        Just("[tool.ruff]\nline-length = 100\n".to_string()),
    ]
    .boxed()
}

pub fn pyproject() -> BoxedStrategy<String> {
    prop_oneof![
        8 => mutated(proptest::collection::vec(section(), 0..6).prop_map(|s| s.join("\n")).boxed()),
        1 => junk(),
    ]
    .boxed()
}

pub fn pipfile() -> BoxedStrategy<String> {
    let body = (
        subsequence(POETRY_DEPS, 0..5),
        subsequence(POETRY_DEPS, 0..3),
        select(&["\"3.12\"", "\"3\"", "3.11", "\"3.x\""][..]),
    )
        .prop_map(|(p, d, v)| {
            format!(
                "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\n{}\n\n[dev-packages]\n{}\n\n[requires]\npython_version = {v}\n",
                p.join("\n"),
                d.join("\n")
            )
        })
        .boxed();
    prop_oneof![8 => mutated(body), 1 => junk()].boxed()
}

const NODE_DEPS: &[&str] = &[
    "\"next\": \"14.2.3\"",
    "\"react\": \"^18\"",
    "\"vite\": \"^5\"",
    "\"astro\": \"^4\"",
    "\"@vue/cli-service\": \"~5.0.0\"",
    "\"react-scripts\": \"5.0.1\"",
    "\"gatsby\": \"^5\"",
    "\"@docusaurus/core\": \"3\"",
    "\"express\": \"^4.19.2\"",
    "\"fastify\": \"^4\"",
    "\"koa\": \"2\"",
    "\"hono\": \"^4\"",
    "\"nuxt\": \"^3\"",
    "\"@sveltejs/kit\": \"^2\"",
    "\"@remix-run/node\": \"^2\"",
    "\"typescript\": \"^5\"",
    "\"sharp\": \"^0.33\"",
    "\"bcrypt\": \"^5\"",
    "\"x\": 3",
];

const SCRIPTS: &[&str] = &[
    "\"build\": \"next build\"",
    "\"build\": \"vite build --outDir public/dist\"",
    "\"build\": \"vite build\"",
    "\"build\": \"tsc && vite build --outDir=out\"",
    "\"start\": \"node server.js\"",
    "\"start\": \"node dist/index.js --port 3000\"",
    "\"start\": \"next start\"",
    "\"start\": \"nodemon server.js\"",
    "\"start\": \"node 'unterminated\"",
    "\"dev\": \"vite\"",
    "\"build\": 3",
];

fn package_json() -> BoxedStrategy<String> {
    (
        word(),
        subsequence(SCRIPTS, 0..4),
        subsequence(NODE_DEPS, 0..5),
        subsequence(NODE_DEPS, 0..3),
        select(&["", ",\n  \"main\": \"index.js\"", ",\n  \"main\": 3", ",\n  \"engines\": { \"node\": \">=18 <21\" }",
            ",\n  \"engines\": { \"node\": \"20.x\" }", ",\n  \"packageManager\": \"pnpm@9.1.0\"",
            ",\n  \"packageManager\": \"yarn@4.0.0+sha512.abc\"", ",\n  \"workspaces\": [\"packages/*\"]",
            ",\n  \"type\": \"module\""][..]),
    )
        .prop_map(|(name, scripts, deps, dev, extra)| {
            format!(
                "{{\n  \"name\": {name:?},\n  \"version\": \"1.0.0\",\n  \"scripts\": {{ {} }},\n  \"dependencies\": {{ {} }},\n  \"devDependencies\": {{ {} }}{extra}\n}}\n",
                scripts.join(", "),
                deps.join(", "),
                dev.join(", ")
            )
        })
        .boxed()
}

const CONFIG_VALUES: &[&str] = &[
    "'standalone'",
    "'export'",
    "\"dist\"",
    "`build`",
    "'./out/'",
    "'../www'",
    "process.env.OUT_DIR",
    "`${base}/dist`",
    "path.resolve(__dirname, 'build')",
    "resolve(__dirname, \"public\")",
    "'server'",
    "'static'",
    "''",
    "'日本'",
];

fn config_file() -> BoxedStrategy<(String, String)> {
    (
        select(
            &[
                "next.config.js",
                "next.config.mjs",
                "next.config.ts",
                "vite.config.ts",
                "vite.config.js",
                "astro.config.mjs",
                "vue.config.js",
            ][..],
        ),
        select(
            &[
                "module.exports = {",
                "export default {",
                "const nextConfig = {",
                "export default defineConfig({",
                "/** @type {import('next').NextConfig} */\nconst nextConfig: NextConfig = {",
                "module.exports = withPlugins([], {",
            ][..],
        ),
        proptest::collection::vec(
            (
                select(&["output", "distDir", "outDir", "root", "outputDir", "build"][..]),
                select(CONFIG_VALUES),
                select(&["", "// ", "  ", "/* x */ "][..]),
            ),
            0..4,
        ),
        select(
            &[
                "}",
                "})",
                "}\n\nexport default nextConfig",
                "}\nmodule.exports = nextConfig",
                "",
            ][..],
        ),
    )
        .prop_map(|(file, open, options, close)| {
            let body: String = options
                .iter()
                .map(|(k, v, pre)| match *k {
                    "build" => format!("  {pre}build: {{\n    outDir: {v},\n  }},\n"),
                    _ => format!("  {pre}{k}: {v},\n"),
                })
                .collect();
            (file.to_string(), format!("{open}\n{body}{close}\n"))
        })
        .boxed()
}

/// The files of a Node project: package.json, maybe a framework config, a
/// lock file, a server entry point.
pub fn node_files() -> BoxedStrategy<Vec<(String, String)>> {
    (
        prop_oneof![8 => mutated(package_json()), 1 => junk()],
        proptest::collection::vec(
            (config_file(), any::<bool>()).prop_map(|((f, t), damage)| (f, t, damage)),
            0..2,
        ),
        select(&["", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb"][..]),
        select(&["", "server.js", "index.js", "src/index.ts"][..]),
        junk(),
    )
        .prop_map(|(pkg, configs, lock, entry, j)| {
            let mut files = vec![("package.json".to_string(), pkg)];
            for (f, t, damage) in configs {
                files.push((f, if damage { format!("{t}{j}") } else { t }));
            }
            if !lock.is_empty() {
                files.push((lock.to_string(), "{}\n".to_string()));
            }
            if !entry.is_empty() {
                files.push((
                    entry.to_string(),
                    "const express = require('express')\nconst app = express()\napp.get('/health', (req, res) => res.send('ok'))\napp.listen(process.env.PORT || 3000)\n".to_string(),
                ));
            }
            files
        })
        .boxed()
}

const SERVICE_PARTS: &[&str] = &[
    "    build: .\n",
    "    build:\n      context: .\n      dockerfile: Dockerfile\n      target: production\n",
    "    build:\n      context: ./api\n      dockerfile: ../Dockerfile.dev\n      target: dev\n",
    "    build: [1, 2]\n",
    "    image: postgres:16\n",
    "    image: 3\n",
    "    ports:\n      - \"8000:8000\"\n      - 5000\n      - target: 80\n        published: 8080\n      - \"127.0.0.1:9000:9000/udp\"\n      - \"3000-3005:3000-3005\"\n",
    "    ports: \"8000\"\n",
    "    environment:\n      - PORT=8000\n      - DEBUG\n      - DATABASE_URL=postgres://u:p@db/app\n",
    "    environment:\n      PORT: 8000\n      FLASK_ENV: production\n      EMPTY:\n      LIST: [1, 2]\n",
    "    env_file: .env\n",
    "    volumes:\n      - ./data:/app/data\n      - cache:/root/.cache\n      - type: bind\n        source: ./src\n        target: /app/src\n      - /just/a/path\n",
    "    command: gunicorn -b 0.0.0.0:8000 app:app\n",
    "    command: [\"python\", \"app.py\"]\n",
    "    command: [1, {a: b}]\n",
    "    entrypoint: /entrypoint.sh\n",
    "    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n      interval: 30s\n",
    "    healthcheck:\n      test: curl -f http://localhost/ || exit 1\n",
    "    <<: *defaults\n",
    "    depends_on: [db]\n",
    "    profiles: [\"dev\"]\n",
];

fn compose() -> BoxedStrategy<String> {
    let service = (
        select(
            &[
                "web", "api", "app", "worker", "db", "dev", "frontend", "web-dev", "日本",
                "\"8000\"",
            ][..],
        ),
        subsequence(SERVICE_PARTS, 0..5),
    )
        .prop_map(|(name, parts)| format!("  {name}:\n{}", parts.concat()));
    (
        prop::bool::weighted(0.3),
        proptest::collection::vec(service, 0..4),
        select(&["", "volumes:\n  cache:\n", "version: \"3.8\"\n"][..]),
    )
        .prop_map(|(anchor, services, tail)| {
            let head = if anchor {
                "x-defaults: &defaults\n  restart: always\n  environment:\n    TZ: UTC\n"
            } else {
                ""
            };
            format!("{head}services:\n{}{tail}", services.concat())
        })
        .boxed()
}

/// A compose file under one of the names compose reads, with a
/// Dockerfile for its builds to name.
pub fn compose_files() -> BoxedStrategy<Vec<(String, String)>> {
    (
        select(
            &[
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
            ][..],
        ),
        prop_oneof![8 => mutated(compose()), 1 => junk()],
    )
        .prop_map(|(name, text)| {
            vec![
                (name.to_string(), text),
                (
                    "Dockerfile".into(),
                    "FROM python:3.12-slim AS production\nFROM production AS dev\n".into(),
                ),
            ]
        })
        .boxed()
}
