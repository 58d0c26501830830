//! What the production dependencies hold that production does not need:
//! development tools, two HTTP clients, packages the code never imports.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

/// Tools for writing, testing and exploring code, never for serving it.
pub const DEV_TOOLS: &[&str] = &[
    "pytest",
    "pytest-cov",
    "pytest-asyncio",
    "pytest-mock",
    "hypothesis",
    "ruff",
    "black",
    "flake8",
    "pylint",
    "isort",
    "mypy",
    "pre-commit",
    "coverage",
    "tox",
    "nox",
    "ipython",
    "ipdb",
    "jupyter",
    "jupyterlab",
    "notebook",
];

/// Packages that do the same job: an image needs one of them.
pub const HTTP_CLIENTS: &[&str] = &["requests", "httpx"];

/// Distributions that are run or loaded by name rather than imported by the
/// app's code: servers, database drivers frameworks load from settings, and
/// packages whose only job is to provide a command or a plugin.
const LOADED_BY_NAME: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "uvicorn-worker",
    "hypercorn",
    "daphne",
    "waitress",
    "psycopg2",
    "psycopg2-binary",
    "psycopg",
    "psycopg-binary",
    "mysqlclient",
    "pymysql",
    "gevent",
    "eventlet",
    "setuptools",
    "wheel",
    "pip",
    "python-multipart",
    "email-validator",
    "uvloop",
    "httptools",
    "websockets",
    "watchfiles",
    "tzdata",
    // Celery's web monitor: a command (`celery flower`), never imported.
    "flower",
];

/// Distribution name -> the module it is imported as, where they differ in
/// more than `-` versus `_`.
const IMPORT_NAMES: &[(&str, &str)] = &[
    ("pillow", "PIL"),
    ("scikit-learn", "sklearn"),
    ("scikit-image", "skimage"),
    ("python-dotenv", "dotenv"),
    ("psycopg2-binary", "psycopg2"),
    ("beautifulsoup4", "bs4"),
    ("pyyaml", "yaml"),
    ("opencv-python", "cv2"),
    ("opencv-python-headless", "cv2"),
    ("python-dateutil", "dateutil"),
    ("pyjwt", "jwt"),
    ("python-jose", "jose"),
    ("protobuf", "google.protobuf"),
    ("google-cloud-storage", "google.cloud.storage"),
    ("djangorestframework", "rest_framework"),
    ("django-cors-headers", "corsheaders"),
    ("sentence-transformers", "sentence_transformers"),
    ("attrs", "attr"),
    ("pymongo", "pymongo"),
    ("msgpack-python", "msgpack"),
    ("typing-extensions", "typing_extensions"),
    ("tensorflow-cpu", "tensorflow"),
    ("faiss-cpu", "faiss"),
    ("python-magic", "magic"),
    ("pycryptodome", "Crypto"),
    ("redis-py", "redis"),
    ("discord-py", "discord"),
    ("ruamel-yaml", "ruamel.yaml"),
    ("grpcio", "grpc"),
    ("grpcio-status", "grpc_status"),
    ("google-cloud-firestore", "google.cloud.firestore"),
    ("google-cloud-pubsub", "google.cloud.pubsub"),
    ("google-api-core", "google.api_core"),
    ("mysql-connector-python", "mysql.connector"),
    ("mysql-connector", "mysql.connector"),
    ("pyzmq", "zmq"),
    ("pyserial", "serial"),
    ("pyopenssl", "OpenSSL"),
    ("python-socketio", "socketio"),
    ("python-decouple", "decouple"),
    ("pygithub", "github"),
];

/// Distributions another one loads for the app: the module the app imports
/// (or names) that needs them. Starlette's and FastAPI's templates are
/// Jinja2's, their static files aiofiles'; Celery reaches its broker and
/// result backend (redis, RabbitMQ) by the URL in its settings.
const USED_THROUGH: &[(&str, &[&str])] = &[
    (
        "jinja2",
        &["fastapi.templating", "starlette.templating", "flask"],
    ),
    (
        "aiofiles",
        &["fastapi.staticfiles", "starlette.staticfiles"],
    ),
    ("redis", &["celery", "rq", "django_redis", "channels_redis"]),
    ("kombu", &["celery"]),
    ("amqp", &["celery"]),
    ("librabbitmq", &["celery"]),
];

/// Whether `dist` is loaded by another package the app uses (`used` is
/// what `used_modules` found).
pub fn used_through(dist: &str, used: &BTreeSet<String>) -> bool {
    USED_THROUGH
        .iter()
        .filter(|(d, _)| *d == dist)
        .any(|(_, through)| through.iter().any(|m| used.contains(*m)))
}

/// The module a distribution is imported as.
pub fn import_name(dist: &str) -> String {
    IMPORT_NAMES
        .iter()
        .find(|(d, _)| *d == dist)
        .map(|(_, m)| m.to_string())
        .unwrap_or_else(|| dist.replace('-', "_"))
}

/// Whether a distribution is run or loaded by name, not imported.
pub fn loaded_by_name(dist: &str) -> bool {
    LOADED_BY_NAME.contains(&dist)
        || dist.starts_with("types-")
        || dist.starts_with("django-")
        || dist.starts_with("flask-")
        || dist.starts_with("opentelemetry-")
        || dist.starts_with("sentry-")
}

/// Every module the sources import (`import a.b`, `from a.b import c`),
/// and every dotted name in a string (Django settings load apps, middleware
/// and backends by name), both as full paths and their prefixes.
pub fn used_modules(sources: &[(String, String)]) -> BTreeSet<String> {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))").unwrap()
    });
    static STRING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([A-Za-z_][\w]*(?:\.[\w]+)*)["']"#).unwrap());
    let mut out = BTreeSet::new();
    let mut add = |name: &str| {
        let mut prefix = String::new();
        for part in name.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            out.insert(prefix.clone());
        }
    };
    for (_, text) in sources {
        for caps in IMPORT.captures_iter(text) {
            if let Some(m) = caps.get(1) {
                add(m.as_str());
            }
            if let Some(m) = caps.get(2) {
                for part in m.as_str().split(',') {
                    let name = part.split_whitespace().next().unwrap_or("");
                    if !name.is_empty() {
                        add(name);
                    }
                }
            }
        }
        for caps in STRING.captures_iter(text) {
            add(&caps[1]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names_cover_the_usual_mismatches() {
        assert_eq!(import_name("pillow"), "PIL");
        assert_eq!(import_name("grpcio"), "grpc");
        assert_eq!(import_name("scikit-learn"), "sklearn");
        assert_eq!(import_name("python-dotenv"), "dotenv");
        assert_eq!(import_name("beautifulsoup4"), "bs4");
        assert_eq!(import_name("pyyaml"), "yaml");
        assert_eq!(import_name("psycopg2-binary"), "psycopg2");
        assert_eq!(import_name("some-lib"), "some_lib");
    }

    #[test]
    fn imports_and_dotted_strings_count_as_use() {
        let used = used_modules(&[(
            "a.py".into(),
            "import os, json as j\nfrom bs4 import BeautifulSoup\n  import yaml\nMIDDLEWARE = ['whitenoise.middleware.WhiteNoiseMiddleware']\nx = 'not a module name'\n".into(),
        )]);
        for m in [
            "os",
            "json",
            "bs4",
            "yaml",
            "whitenoise",
            "whitenoise.middleware",
        ] {
            assert!(used.contains(m), "{m}: {used:?}");
        }
        assert!(!used.contains("not"));
    }
}
