//! Writes in Python code, read with tree-sitter-python.
//!
//! Evidence: `os.makedirs`/`os.mkdir`/`Path.mkdir`; `open(..., "w")` (any
//! writing mode) and `Path.write_text`/`write_bytes`/`open("w")`; logging's
//! file handlers, `basicConfig(filename=)` and `'filename'` in a dictConfig;
//! `sqlite3.connect`, `sqlite:///` URLs and Django's sqlite3 `NAME`;
//! MEDIA_ROOT and settings named for folders the app fills (UPLOAD_FOLDER,
//! LOG_DIR...); Flask's instance folder when Flask-SQLAlchemy,
//! `instance_relative_config` or `instance_path` is used.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::{Node, Parser};

use super::{folder_of, Evidence, Place, Target, Write};

/// Assignments deeper than this are not followed (a constant defined from
/// another constant, a few times over).
const MAX_DEPTH: usize = 8;

fn writes(path: &str, text: &str) -> Vec<Write> {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let file = Source::new(path, text, tree.root_node());
    let mut out = Vec::new();
    file.walk(tree.root_node(), &mut out);
    out
}

/// The writes of a repository's Python files, seen together: a file may
/// make the Flask app that another file's Flask-SQLAlchemy gives an
/// instance folder to, and that reads a relative `sqlite:///` URL from
/// there rather than from the folder the app runs in.
pub(super) fn writes_of_all(files: &[&(String, String)]) -> Vec<Write> {
    let mut out: Vec<Write> = files.iter().flat_map(|(p, t)| writes(p, t)).collect();
    if files.iter().any(|(_, text)| uses_instance_folder(text)) {
        out.extend(files.iter().flat_map(|(p, t)| flask_instances(p, t)));
    }
    if files
        .iter()
        .any(|(_, text)| text.contains("flask_sqlalchemy"))
    {
        out.retain(|w| {
            !(w.evidence == Evidence::SqliteUrl && matches!(w.place, Place::FromCwd(_)))
        });
    }
    out
}

/// Whether the code uses Flask's instance folder: Flask-SQLAlchemy (which
/// creates it for a relative SQLite database), `instance_path`,
/// `instance_relative_config=True`. The app may be made in another file
/// than the one that says so (an `extensions.py` with `db = SQLAlchemy()`).
fn uses_instance_folder(text: &str) -> bool {
    text.contains("flask_sqlalchemy")
        || text.contains("instance_path")
        || text.contains("instance_relative_config=True")
}

/// The instance folder of each Flask app this file makes.
fn flask_instances(path: &str, text: &str) -> Vec<Write> {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let file = Source::new(path, text, tree.root_node());
    file.flask_instance(tree.root_node()).into_iter().collect()
}

/// One parsed file: its text and its module- and class-level constants.
struct Source<'t> {
    path: &'t str,
    text: &'t str,
    constants: HashMap<String, Node<'t>>,
}

impl<'t> Source<'t> {
    fn new(path: &'t str, text: &'t str, root: Node<'t>) -> Source<'t> {
        let mut constants = HashMap::new();
        collect_constants(root, text, &mut constants);
        Source {
            path,
            text,
            constants,
        }
    }

    fn text_of(&self, node: Node) -> &'t str {
        &self.text[node.byte_range()]
    }

    fn write(&self, node: Node, place: Place, target: Target, evidence: Evidence) -> Write {
        Write {
            place,
            target,
            evidence,
            file: self.path.to_string(),
            line: node.start_position().row + 1,
        }
    }

    /// Every node, depth first, looking for evidence.
    fn walk(&self, node: Node<'t>, out: &mut Vec<Write>) {
        match node.kind() {
            "call" => out.extend(self.call(node)),
            "assignment" => out.extend(self.setting(node)),
            "dictionary" => out.extend(self.dictionary(node)),
            "string" if !is_docstring(node) => out.extend(self.sqlite_url(node)),
            _ => {}
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.walk(child, out);
        }
    }

    /// A call that creates a folder or writes a file.
    fn call(&self, call: Node<'t>) -> Option<Write> {
        let function = call.child_by_field_name("function")?;
        let name = self.text_of(function);
        let args = Args::of(call, self);
        let method = (function.kind() == "attribute")
            .then(|| function.child_by_field_name("attribute"))
            .flatten()
            .map(|a| self.text_of(a));
        let object = || {
            let object = function.child_by_field_name("object")?;
            self.eval(object, 0)
        };
        let (place, target, evidence) = match (name, method) {
            ("os.makedirs" | "os.mkdir" | "makedirs", _) => (
                self.eval(args.positional(0)?, 0)?,
                Target::Folder,
                Evidence::MakeDirs,
            ),
            (_, Some("mkdir")) => (object()?, Target::Folder, Evidence::MakeDirs),
            ("open" | "io.open" | "codecs.open", _) => {
                let mode = args.positional(1).or_else(|| args.keyword("mode"));
                if !mode.is_some_and(|m| self.literal(m).is_some_and(|m| writes_mode(&m))) {
                    return None;
                }
                (
                    self.eval(args.positional(0)?, 0)?,
                    Target::File,
                    Evidence::OpenForWriting,
                )
            }
            (_, Some("write_text" | "write_bytes")) => {
                (object()?, Target::File, Evidence::OpenForWriting)
            }
            (_, Some("open")) if name != "open" => {
                let mode = args.positional(0).or_else(|| args.keyword("mode"))?;
                if !self.literal(mode).is_some_and(|m| writes_mode(&m)) {
                    return None;
                }
                (object()?, Target::File, Evidence::OpenForWriting)
            }
            (n, _) if n.ends_with("FileHandler") => {
                let file = args.positional(0).or_else(|| args.keyword("filename"))?;
                (self.eval(file, 0)?, Target::File, Evidence::LogFile)
            }
            ("logging.basicConfig" | "basicConfig", _) => (
                self.eval(args.keyword("filename")?, 0)?,
                Target::File,
                Evidence::LogFile,
            ),
            ("sqlite3.connect", _) => {
                let db = args.positional(0).or_else(|| args.keyword("database"))?;
                if self.literal(db).is_some_and(|d| d == ":memory:") {
                    return None;
                }
                (self.eval(db, 0)?, Target::File, Evidence::SqliteDatabase)
            }
            _ => return None,
        };
        Some(self.write(call, place, target, evidence))
    }

    /// `MEDIA_ROOT = ...`, settings named for folders the app fills, and
    /// any setting or constant whose value is a SQLite file
    /// (`DATABASE_PATH = os.environ.get(...) or os.path.join(basedir,
    /// "app.db")`).
    fn setting(&self, assignment: Node<'t>) -> Option<Write> {
        let left = assignment.child_by_field_name("left")?;
        let name: String = match left.kind() {
            "identifier" if is_module_or_class_level(assignment) => self.text_of(left).to_string(),
            // `app.config["UPLOAD_FOLDER"] = ...`, at any level: Flask
            // factories set their config inside create_app().
            "subscript" => {
                let of = left.child_by_field_name("value")?;
                if !self.text_of(of).ends_with("config") {
                    return None;
                }
                self.literal(left.child_by_field_name("subscript")?)?
            }
            _ => return None,
        };
        let name = name.as_str();
        let named = if name == "MEDIA_ROOT" {
            Some(Evidence::MediaRoot)
        } else if FOLDER_SETTING.is_match(name) {
            Some(Evidence::FolderSetting)
        } else {
            None
        };
        let place = self.eval(assignment.child_by_field_name("right")?, 0)?;
        let evidence = match named {
            Some(evidence) => evidence,
            None if is_sqlite_file(&place) && names_a_database(name) => {
                return Some(self.write(assignment, place, Target::File, Evidence::SqliteDatabase));
            }
            None => return None,
        };
        // `LOG_PATH = "logs/app.log"` names a file, not a folder.
        let target = match &place {
            Place::Absolute(p) | Place::InRepo(p) | Place::FromCwd(p)
                if p.rsplit('/').next().is_some_and(|l| l.contains('.')) =>
            {
                Target::File
            }
            _ => Target::Folder,
        };
        Some(self.write(assignment, place, target, evidence))
    }

    /// A dictConfig file handler (`'class': '...FileHandler', 'filename':
    /// ...`) or a Django database (`'ENGINE': '...sqlite3', 'NAME': ...`).
    fn dictionary(&self, dict: Node<'t>) -> Option<Write> {
        let mut entries: HashMap<String, Node<'t>> = HashMap::new();
        let mut cursor = dict.walk();
        for pair in dict.children(&mut cursor).filter(|n| n.kind() == "pair") {
            let (Some(key), Some(value)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            if let Some(key) = self.literal(key) {
                entries.insert(key, value);
            }
        }
        let literal = |key: &str| entries.get(key).and_then(|v| self.literal(*v));
        let (value, evidence) = if literal("class").is_some_and(|c| c.ends_with("FileHandler")) {
            (entries.get("filename")?, Evidence::LogFile)
        } else if literal("ENGINE").is_some_and(|e| e.ends_with("sqlite3")) {
            (entries.get("NAME")?, Evidence::SqliteDatabase)
        } else {
            return None;
        };
        let place = self.eval(*value, 0)?;
        Some(self.write(*value, place, Target::File, evidence))
    }

    /// `sqlite:////var/lib/app.db` (absolute) or `sqlite:///app.db`
    /// (relative to the folder the app runs in; under Flask-SQLAlchemy, to
    /// the instance folder: see `find`).
    fn sqlite_url(&self, string: Node<'t>) -> Option<Write> {
        let url = self.literal(string)?;
        let rest = url.strip_prefix("sqlite:///")?;
        let place = if rest.is_empty() || rest.starts_with(':') {
            return None;
        } else if rest.starts_with('/') {
            Place::Absolute(rest.to_string())
        } else {
            Place::FromCwd(rest.to_string())
        };
        Some(self.write(string, place, Target::File, Evidence::SqliteUrl))
    }

    /// Flask's instance folder beside the module or package that makes the
    /// app (`Flask(...)`).
    fn flask_instance(&self, root: Node<'t>) -> Option<Write> {
        let call = find(root, &|n| {
            n.kind() == "call"
                && n.child_by_field_name("function")
                    .is_some_and(|f| matches!(self.text_of(f), "Flask" | "flask.Flask"))
        })?;
        // A package's app (pkg/__init__.py) finds its instance folder
        // beside the package; a module's beside the module.
        let folder = folder_of(self.path);
        let base = if self.path.ends_with("/__init__.py") {
            folder_of(&folder)
        } else {
            folder
        };
        let place = Place::InRepo(base).join("instance");
        Some(self.write(call, place, Target::Folder, Evidence::FlaskInstance))
    }

    /// A string literal's value (no interpolation).
    fn literal(&self, node: Node) -> Option<String> {
        if node.kind() != "string" {
            return None;
        }
        let mut out = String::new();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "string_content" => out.push_str(self.text_of(child)),
                "interpolation" | "escape_sequence" => return None,
                _ => {}
            }
        }
        Some(out)
    }

    /// The path an expression names, if the code spells it out.
    fn eval(&self, node: Node<'t>, depth: usize) -> Option<Place> {
        if depth > MAX_DEPTH {
            return None;
        }
        let next = depth + 1;
        match node.kind() {
            "string" => {
                let value = self.literal(node)?;
                if value.contains("://") {
                    // A URL, not a path (a sqlite:/// URL is read apart).
                    return None;
                }
                Some(if value.starts_with('/') {
                    Place::Absolute(crate::repo::dockerignore::go_clean(&value))
                } else {
                    Place::FromCwd(String::new()).join(&value)
                })
            }
            "identifier" => match self.text_of(node) {
                "__file__" => Some(Place::InRepo(self.path.to_string())),
                name => self.eval(*self.constants.get(name)?, next),
            },
            "parenthesized_expression" => self.eval(node.named_child(0)?, next),
            "attribute" => {
                let attribute = self.text_of(node.child_by_field_name("attribute")?);
                let object = node.child_by_field_name("object")?;
                match attribute {
                    "parent" => self.eval(object, next)?.parent(),
                    _ => None,
                }
            }
            "subscript" => self.subscript(node, next),
            "binary_operator" => {
                let left = self.eval(node.child_by_field_name("left")?, next)?;
                let right = node.child_by_field_name("right")?;
                let operator = self.text_of(node.child_by_field_name("operator")?);
                let rest = self.relative(right, next)?;
                match operator {
                    "/" => Some(left.join(&rest)),
                    "+" => Some(left.join(rest.trim_start_matches('/'))),
                    _ => None,
                }
            }
            "boolean_operator" => {
                // `os.environ.get("X") or "default"`
                let left = self.eval(node.child_by_field_name("left")?, next)?;
                let right = self.eval(node.child_by_field_name("right")?, next);
                match left {
                    Place::Env { var, default: None } => Some(Place::Env {
                        var,
                        default: right.map(Box::new),
                    }),
                    other => Some(other),
                }
            }
            "call" => self.eval_call(node, next),
            _ => None,
        }
    }

    /// A relative piece to join: a literal, or a constant naming one.
    fn relative(&self, node: Node<'t>, depth: usize) -> Option<String> {
        match self.eval(node, depth)? {
            Place::FromCwd(p) => Some(p),
            Place::Absolute(p) => Some(p),
            _ => None,
        }
    }

    fn subscript(&self, node: Node<'t>, depth: usize) -> Option<Place> {
        let value = node.child_by_field_name("value")?;
        let index = node.child_by_field_name("subscript")?;
        match self.text_of(value) {
            "os.environ" => Some(Place::Env {
                var: self.literal(index)?,
                default: None,
            }),
            _ if value.kind() == "attribute"
                && value
                    .child_by_field_name("attribute")
                    .is_some_and(|a| self.text_of(a) == "parents") =>
            {
                let levels: usize = self.text_of(index).parse().ok()?;
                let mut place = self.eval(value.child_by_field_name("object")?, depth)?;
                for _ in 0..=levels {
                    place = place.parent()?;
                }
                Some(place)
            }
            _ => None,
        }
    }

    fn eval_call(&self, call: Node<'t>, depth: usize) -> Option<Place> {
        let function = call.child_by_field_name("function")?;
        let name = self.text_of(function);
        let args = Args::of(call, self);
        let first = || self.eval(args.positional(0)?, depth);
        match name {
            "os.path.join" | "path.join" | "join" | "os.path.normpath" => {
                let mut place = first()?;
                for piece in args.positionals.iter().skip(1) {
                    place = place.join(&self.relative(*piece, depth)?);
                }
                Some(place)
            }
            "os.path.dirname" => first()?.parent(),
            "os.path.abspath" | "os.path.realpath" | "str" | "os.fspath" => first(),
            "Path" | "pathlib.Path" | "PurePath" | "PosixPath" => {
                if args.positionals.is_empty() {
                    return Some(Place::FromCwd(String::new()));
                }
                let mut place = first()?;
                for piece in args.positionals.iter().skip(1) {
                    place = place.join(&self.relative(*piece, depth)?);
                }
                Some(place)
            }
            "os.getcwd" | "Path.cwd" | "pathlib.Path.cwd" => Some(Place::FromCwd(String::new())),
            "os.environ.get" | "os.getenv" | "env" | "env.str" | "env.path" | "config" => {
                let var = self.literal(args.positional(0)?)?;
                let default = args
                    .positional(1)
                    .or_else(|| args.keyword("default"))
                    .and_then(|d| self.eval(d, depth))
                    .map(Box::new);
                Some(Place::Env { var, default })
            }
            _ => {
                // `.resolve()`, `.absolute()`, `.joinpath(...)` on a path.
                let method = (function.kind() == "attribute")
                    .then(|| function.child_by_field_name("attribute"))
                    .flatten()
                    .map(|a| self.text_of(a))?;
                let object = self.eval(function.child_by_field_name("object")?, depth)?;
                match method {
                    "resolve" | "absolute" => Some(object),
                    "joinpath" => {
                        let mut place = object;
                        for piece in &args.positionals {
                            place = place.join(&self.relative(*piece, depth)?);
                        }
                        Some(place)
                    }
                    _ => None,
                }
            }
        }
    }
}

/// A call's arguments, positional and by keyword.
struct Args<'t> {
    positionals: Vec<Node<'t>>,
    keywords: Vec<(&'t str, Node<'t>)>,
}

impl<'t> Args<'t> {
    fn of(call: Node<'t>, source: &Source<'t>) -> Args<'t> {
        let mut args = Args {
            positionals: Vec::new(),
            keywords: Vec::new(),
        };
        let Some(list) = call.child_by_field_name("arguments") else {
            return args;
        };
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            if arg.kind() == "keyword_argument" {
                if let (Some(name), Some(value)) = (
                    arg.child_by_field_name("name"),
                    arg.child_by_field_name("value"),
                ) {
                    args.keywords.push((source.text_of(name), value));
                }
            } else if arg.kind() != "comment" {
                args.positionals.push(arg);
            }
        }
        args
    }

    fn positional(&self, index: usize) -> Option<Node<'t>> {
        self.positionals.get(index).copied()
    }

    fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Settings named for a folder the app fills: UPLOAD_FOLDER, LOG_DIR,
/// CACHE_DIR, DATA_PATH, EXPORT_ROOT...
static FOLDER_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[A-Z]+_)*(?:UPLOADS?|MEDIA|LOGS?|CACHE|DATA|STORAGE|OUTPUTS?|EXPORTS?|REPORTS?|FILES)_(?:DIR|DIRECTORY|FOLDER|PATH|ROOT)$")
        .unwrap()
});

/// A constant named for a database (DATABASE_PATH, DB_FILE, SQLITE_PATH):
/// a read-only index (`SEARCH_INDEX = ... / "index.db"`) is not a write.
fn names_a_database(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.contains("DATABASE") || upper.contains("SQLITE") || upper.split('_').any(|w| w == "DB")
}

/// A path whose file name says SQLite (`.db`, `.sqlite`, `.sqlite3`), or
/// an environment variable defaulting to one.
fn is_sqlite_file(place: &Place) -> bool {
    match place {
        Place::Absolute(p) | Place::InRepo(p) | Place::FromCwd(p) => [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|e| p.ends_with(e)),
        Place::Env { default, .. } => default.as_deref().is_some_and(is_sqlite_file),
    }
}

/// `w`, `a`, `x` or `+` in an open mode.
fn writes_mode(mode: &str) -> bool {
    mode.contains(['w', 'a', 'x', '+'])
}

/// Module-level and class-level `NAME = value`, for following constants.
fn collect_constants<'t>(node: Node<'t>, text: &str, out: &mut HashMap<String, Node<'t>>) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "expression_statement" => {
                let Some(assignment) = child.named_child(0).filter(|a| a.kind() == "assignment")
                else {
                    continue;
                };
                let (Some(left), Some(right)) = (
                    assignment.child_by_field_name("left"),
                    assignment.child_by_field_name("right"),
                ) else {
                    continue;
                };
                if left.kind() == "identifier" {
                    out.entry(text[left.byte_range()].to_string())
                        .or_insert(right);
                }
            }
            "class_definition" => {
                if let Some(body) = child.child_by_field_name("body") {
                    collect_constants(body, text, out);
                }
            }
            "if_statement" | "try_statement" | "block" => collect_constants(child, text, out),
            _ => {}
        }
    }
}

/// An assignment in the module or a class body, not inside a function.
fn is_module_or_class_level(node: Node) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind() {
            "function_definition" | "lambda" => return false,
            "module" => return true,
            _ => at = n.parent(),
        }
    }
    true
}

/// A string that is a statement of its own: a docstring or a note.
fn is_docstring(node: Node) -> bool {
    node.parent()
        .is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
}

fn find<'t>(node: Node<'t>, pred: &dyn Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
    if pred(node) {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
    children.into_iter().find_map(|c| find(c, pred))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(path: &str, text: &str) -> Vec<(Place, Target, Evidence, usize)> {
        writes_of_all(&[&(path.to_string(), text.to_string())])
            .into_iter()
            .map(|w| (w.place, w.target, w.evidence, w.line))
            .collect()
    }

    fn cwd(p: &str) -> Place {
        Place::FromCwd(p.into())
    }

    fn repo(p: &str) -> Place {
        Place::InRepo(p.into())
    }

    #[test]
    fn folders_made_and_files_opened_for_writing() {
        let text = r#"import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
os.makedirs("uploads", exist_ok=True)
(BASE_DIR / "cache").mkdir(parents=True, exist_ok=True)
with open(os.path.join(BASE_DIR, "logs", "app.log"), "a") as f:
    pass
open("report.csv")  # reading is not writing
Path("exports/out.json").write_text("{}")
"#;
        assert_eq!(
            places("app/main.py", text),
            [
                (cwd("uploads"), Target::Folder, Evidence::MakeDirs, 5),
                (repo("cache"), Target::Folder, Evidence::MakeDirs, 6),
                (
                    repo("logs/app.log"),
                    Target::File,
                    Evidence::OpenForWriting,
                    7
                ),
                (
                    cwd("exports/out.json"),
                    Target::File,
                    Evidence::OpenForWriting,
                    10
                ),
            ]
        );
    }

    #[test]
    fn comments_docstrings_and_non_paths_are_not_evidence() {
        let text = r#""""Writes to os.makedirs("docs") and sqlite:///doc.db, in prose."""
# os.makedirs("commented")
def handler(name):
    os.makedirs(name)  # a path the code does not spell out
    open(f"/data/{name}.txt", "w")
print("sqlite is fun")
"#;
        assert_eq!(places("tool.py", text), []);
    }

    #[test]
    fn a_flask_config_entry_named_for_a_folder() {
        let text = r#"import os
from flask import Flask

def create_app():
    app = Flask(__name__)
    app.config["UPLOAD_FOLDER"] = os.path.join(os.path.dirname(__file__), "uploads")
    app.config["SECRET_KEY"] = "x"
    return app
"#;
        assert_eq!(
            places("web/app.py", text),
            [(
                repo("web/uploads"),
                Target::Folder,
                Evidence::FolderSetting,
                6
            )]
        );
    }

    #[test]
    fn logging_sqlite_and_settings() {
        let text = r#"import logging, os, sqlite3
basedir = os.path.abspath(os.path.dirname(__file__))
logging.basicConfig(filename="/var/log/shop/app.log")
handler = logging.handlers.RotatingFileHandler(os.path.join(basedir, "app.log"))
db = sqlite3.connect(os.environ.get("DB_PATH", "/var/lib/shop/shop.db"))
mem = sqlite3.connect(":memory:")

class Config:
    UPLOAD_FOLDER = os.path.join(basedir, "uploads")
    SQLALCHEMY_DATABASE_URI = "sqlite:////data/app.db"

MEDIA_ROOT = os.getenv("MEDIA_ROOT") or "/srv/media"
LOGGING = {"handlers": {"file": {"class": "logging.FileHandler", "filename": "/var/log/shop/django.log"}}}
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": basedir + "/db.sqlite3"}}
"#;
        let found = places("shop/settings.py", text);
        let env = Place::Env {
            var: "DB_PATH".into(),
            default: Some(Box::new(Place::Absolute("/var/lib/shop/shop.db".into()))),
        };
        let media = Place::Env {
            var: "MEDIA_ROOT".into(),
            default: Some(Box::new(Place::Absolute("/srv/media".into()))),
        };
        assert_eq!(
            found,
            [
                (
                    Place::Absolute("/var/log/shop/app.log".into()),
                    Target::File,
                    Evidence::LogFile,
                    3
                ),
                (repo("shop/app.log"), Target::File, Evidence::LogFile, 4),
                (env, Target::File, Evidence::SqliteDatabase, 5),
                (
                    repo("shop/uploads"),
                    Target::Folder,
                    Evidence::FolderSetting,
                    9
                ),
                (
                    Place::Absolute("/data/app.db".into()),
                    Target::File,
                    Evidence::SqliteUrl,
                    10
                ),
                (media, Target::Folder, Evidence::MediaRoot, 12),
                (
                    Place::Absolute("/var/log/shop/django.log".into()),
                    Target::File,
                    Evidence::LogFile,
                    13
                ),
                (
                    repo("shop/db.sqlite3"),
                    Target::File,
                    Evidence::SqliteDatabase,
                    14
                ),
            ]
        );
    }

    #[test]
    fn a_setting_naming_a_sqlite_file() {
        let text = "import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\nclass Config:\n    DATABASE_PATH = os.environ.get('DATABASE_PATH') or os.path.join(basedir, 'guestbook.db')\n    TITLE = 'guestbook.db is not a setting of a path'\n";
        let db = Place::Env {
            var: "DATABASE_PATH".into(),
            default: Some(Box::new(repo("guestbook.db"))),
        };
        assert_eq!(
            places("config.py", text),
            [(db, Target::File, Evidence::SqliteDatabase, 4)]
        );
    }

    #[test]
    fn flask_instance_folder_beside_the_app() {
        let package = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\ndef create_app():\n    app = Flask(__name__)\n    app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///shop.db'\n    db.init_app(app)\n    return app\n";
        assert_eq!(
            places("shop/__init__.py", package),
            [(repo("instance"), Target::Folder, Evidence::FlaskInstance, 7)]
        );
        let module =
            "from flask import Flask\napp = Flask(__name__, instance_relative_config=True)\n";
        assert_eq!(
            places("src/app.py", module),
            [(
                repo("src/instance"),
                Target::Folder,
                Evidence::FlaskInstance,
                2
            )]
        );
        // Flask alone keeps nothing in its instance folder.
        assert_eq!(
            places("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            []
        );
    }
}
