//! Writes in JavaScript and TypeScript, read with tree-sitter.
//!
//! Evidence: `fs.mkdir`/`mkdirSync`/`fs.promises.mkdir`, `mkdirp`, fs-extra's
//! `ensureDir`; `writeFile*`, `appendFile*`, `createWriteStream`,
//! fs-extra's `outputFile*`, Bun's `Bun.write(path, ...)`; SQLite databases
//! opened by better-sqlite3 or bun:sqlite (`new Database(path)`), sqlite3 (`new sqlite3.Database(path)`), the
//! `sqlite` package (`open({ filename })`), and Knex or Sequelize settings
//! (`filename`/`storage` beside a sqlite client or dialect).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use tree_sitter::{Language, Node, Parser};

use super::{folder_of, Evidence, Place, Target, Write};

const MAX_DEPTH: usize = 8;

/// Calls that create a folder, by their last name.
const MAKES_FOLDER: &[&str] = &[
    "mkdir",
    "mkdirSync",
    "mkdirp",
    "ensureDir",
    "ensureDirSync",
    "mkdirsSync",
    "mkdirs",
];

/// Calls that write a file, by their last name.
const WRITES_FILE: &[&str] = &[
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createWriteStream",
    "outputFile",
    "outputFileSync",
    "outputJson",
    "outputJsonSync",
    "writeJson",
    "writeJsonSync",
];

fn language(path: &str) -> Language {
    if path.ends_with(".tsx") {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    } else if [".ts", ".mts", ".cts"].iter().any(|e| path.ends_with(e)) {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_javascript::LANGUAGE.into()
    }
}

/// Names without which no write below can match: the calls, `Database`,
/// the `filename` of `open({ filename })` and the `sqlite` of Knex or
/// Sequelize settings. A file naming none of them is not parsed, which keeps
/// a repository of thousands of sources fast to read.
static MAY_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<String> = MAKES_FOLDER
        .iter()
        .chain(WRITES_FILE)
        .chain(&["Database", "filename", "sqlite", "Bun.write"])
        .map(|n| regex::escape(n))
        .collect();
    Regex::new(&names.join("|")).expect("literal alternatives")
});

pub(super) fn writes(path: &str, text: &str) -> Vec<Write> {
    if !MAY_WRITE.is_match(text) {
        return Vec::new();
    }
    let mut parser = Parser::new();
    if parser.set_language(&language(path)).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let mut constants = HashMap::new();
    collect_constants(tree.root_node(), text, &mut constants);
    let file = Source {
        path,
        text,
        constants,
    };
    let mut out = Vec::new();
    file.walk(tree.root_node(), &mut out);
    out
}

struct Source<'t> {
    path: &'t str,
    text: &'t str,
    constants: HashMap<String, Node<'t>>,
}

impl<'t> Source<'t> {
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

    fn walk(&self, node: Node<'t>, out: &mut Vec<Write>) {
        match node.kind() {
            "call_expression" => out.extend(self.call(node)),
            "new_expression" => out.extend(self.database(node)),
            "object" => out.extend(self.sqlite_settings(node)),
            _ => {}
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.walk(child, out);
        }
    }

    /// `fs.mkdirSync(dir)`, `fs.writeFileSync(file, ...)`, `open({ filename })`.
    fn call(&self, call: Node<'t>) -> Option<Write> {
        let function = call.child_by_field_name("function")?;
        let (object, name) = match function.kind() {
            "member_expression" => (
                Some(self.text_of(function.child_by_field_name("object")?)),
                self.text_of(function.child_by_field_name("property")?),
            ),
            "identifier" => (None, self.text_of(function)),
            _ => return None,
        };
        // fs, fsp, fs.promises, fse, promises: not `router.mkdir`.
        let from_fs = object.is_none_or(|o| o.contains("fs") || o.ends_with("promises"));
        let first = arguments(call).first().copied();
        let (target, evidence) = if MAKES_FOLDER.contains(&name) && from_fs {
            (Target::Folder, Evidence::NodeMkdir)
        } else if (WRITES_FILE.contains(&name) && from_fs)
            || (object == Some("Bun") && name == "write")
        {
            (Target::File, Evidence::NodeWriteFile)
        } else if name == "open" && object.is_none() {
            // The sqlite package: open({ filename, driver }).
            let options = first.filter(|f| f.kind() == "object")?;
            let filename = self.property(options, "filename")?;
            let place = self.database_place(filename)?;
            return Some(self.write(call, place, Target::File, Evidence::NodeSqlite));
        } else {
            return None;
        };
        let place = self.eval(first?, 0)?;
        Some(self.write(call, place, target, evidence))
    }

    /// `new Database("app.db")` (better-sqlite3), `new sqlite3.Database(...)`.
    fn database(&self, new: Node<'t>) -> Option<Write> {
        let constructor = self.text_of(new.child_by_field_name("constructor")?);
        if constructor != "Database" && !constructor.ends_with(".Database") {
            return None;
        }
        let first = *arguments(new).first()?;
        let place = self.database_place(first)?;
        Some(self.write(new, place, Target::File, Evidence::NodeSqlite))
    }

    /// Knex `{ client: 'sqlite3', connection: { filename } }` and Sequelize
    /// `{ dialect: 'sqlite', storage }`.
    fn sqlite_settings(&self, object: Node<'t>) -> Option<Write> {
        let sqlite = ["client", "dialect", "driver"].iter().any(|k| {
            self.property(object, k)
                .and_then(|v| self.literal(v))
                .is_some_and(|v| v.contains("sqlite"))
        });
        if !sqlite {
            return None;
        }
        let file = self.property(object, "storage").or_else(|| {
            let connection = self.property(object, "connection")?;
            self.property(connection, "filename")
        })?;
        let place = self.database_place(file)?;
        Some(self.write(file, place, Target::File, Evidence::NodeSqlite))
    }

    fn database_place(&self, node: Node<'t>) -> Option<Place> {
        if self
            .literal(node)
            .is_some_and(|l| l == ":memory:" || l.is_empty())
        {
            return None;
        }
        self.eval(node, 0)
    }

    /// The value of `key` in an object literal.
    fn property(&self, object: Node<'t>, key: &str) -> Option<Node<'t>> {
        if object.kind() != "object" {
            return None;
        }
        let mut cursor = object.walk();
        let pairs: Vec<Node<'t>> = object
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "pair")
            .collect();
        pairs.into_iter().find_map(|pair| {
            let k = pair.child_by_field_name("key")?;
            let name = self
                .literal(k)
                .unwrap_or_else(|| self.text_of(k).to_string());
            (name == key).then(|| pair.child_by_field_name("value"))?
        })
    }

    /// A string or a template without substitutions.
    fn literal(&self, node: Node) -> Option<String> {
        if !matches!(node.kind(), "string" | "template_string") {
            return None;
        }
        let mut out = String::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "string_fragment" => out.push_str(self.text_of(child)),
                _ => return None,
            }
        }
        Some(out)
    }

    fn eval(&self, node: Node<'t>, depth: usize) -> Option<Place> {
        if depth > MAX_DEPTH {
            return None;
        }
        let next = depth + 1;
        match node.kind() {
            "string" | "template_string" => {
                let value = self.literal(node)?;
                if value.contains("://") {
                    return None;
                }
                Some(Place::FromCwd(String::new()).join(&value))
            }
            "identifier" => match self.text_of(node) {
                "__dirname" => Some(Place::InRepo(folder_of(self.path))),
                "__filename" => Some(Place::InRepo(self.path.to_string())),
                name => self.eval(*self.constants.get(name)?, next),
            },
            "parenthesized_expression" => self.eval(node.named_child(0)?, next),
            "member_expression" => {
                let object = self.text_of(node.child_by_field_name("object")?);
                let property = self.text_of(node.child_by_field_name("property")?);
                match (object, property) {
                    ("process.env", var) => Some(Place::Env {
                        var: var.to_string(),
                        default: None,
                    }),
                    ("import.meta", "dirname") => Some(Place::InRepo(folder_of(self.path))),
                    _ => None,
                }
            }
            "binary_expression" => {
                let operator = self.text_of(node.child_by_field_name("operator")?);
                let left = self.eval(node.child_by_field_name("left")?, next)?;
                let right = node.child_by_field_name("right")?;
                match (operator, left) {
                    ("||" | "??", Place::Env { var, default: None }) => Some(Place::Env {
                        var,
                        default: self.eval(right, next).map(Box::new),
                    }),
                    ("+", left) => {
                        Some(left.join(self.relative(right, next)?.trim_start_matches('/')))
                    }
                    _ => None,
                }
            }
            "call_expression" => self.eval_call(node, next),
            "as_expression" | "non_null_expression" | "satisfies_expression" => {
                self.eval(node.named_child(0)?, next)
            }
            _ => None,
        }
    }

    fn relative(&self, node: Node<'t>, depth: usize) -> Option<String> {
        match self.eval(node, depth)? {
            Place::FromCwd(p) | Place::Absolute(p) => Some(p),
            _ => None,
        }
    }

    fn eval_call(&self, call: Node<'t>, depth: usize) -> Option<Place> {
        let name = self.text_of(call.child_by_field_name("function")?);
        let args = arguments(call);
        match name {
            "path.join" | "join" | "path.resolve" | "resolve" | "path.posix.join" => {
                let mut place = match args.first() {
                    Some(first) => self.eval(*first, depth)?,
                    None => Place::FromCwd(String::new()),
                };
                for piece in args.iter().skip(1) {
                    place = place.join(&self.relative(*piece, depth)?);
                }
                Some(place)
            }
            "path.dirname" | "dirname" => self.eval(*args.first()?, depth)?.parent(),
            // ESM's __filename: `fileURLToPath(import.meta.url)`.
            "fileURLToPath" | "url.fileURLToPath"
                if args
                    .first()
                    .is_some_and(|a| self.text_of(*a) == "import.meta.url") =>
            {
                Some(Place::InRepo(self.path.to_string()))
            }
            "process.cwd" => Some(Place::FromCwd(String::new())),
            _ => None,
        }
    }
}

fn arguments(call: Node) -> Vec<Node> {
    let Some(list) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// Top-level `const NAME = value` (and let/var), for following constants.
fn collect_constants<'t>(root: Node<'t>, text: &str, out: &mut HashMap<String, Node<'t>>) {
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let declaration = match child.kind() {
            "lexical_declaration" | "variable_declaration" => child,
            "export_statement" => match child.child_by_field_name("declaration") {
                Some(d) => d,
                None => continue,
            },
            _ => continue,
        };
        let mut inner = declaration.walk();
        for declarator in declaration.named_children(&mut inner) {
            if declarator.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                declarator.child_by_field_name("name"),
                declarator.child_by_field_name("value"),
            ) else {
                continue;
            };
            if name.kind() == "identifier" {
                out.entry(text[name.byte_range()].to_string())
                    .or_insert(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(path: &str, text: &str) -> Vec<(Place, Target, Evidence, usize)> {
        writes(path, text)
            .into_iter()
            .map(|w| (w.place, w.target, w.evidence, w.line))
            .collect()
    }

    /// The prefilter may skip a file only when no write could match in it.
    #[test]
    fn every_write_name_passes_the_prefilter() {
        for name in MAKES_FOLDER.iter().chain(WRITES_FILE) {
            assert!(MAY_WRITE.is_match(&format!("fs.{name}(dir)")), "{name}");
        }
        assert!(MAY_WRITE.is_match("new Database('a.db')"));
        assert!(!MAY_WRITE.is_match("const app = express();\napp.listen(3000);\n"));
    }

    #[test]
    fn folders_files_and_databases() {
        let text = r#"const fs = require('fs')
const path = require('path')
const Database = require('better-sqlite3')

const DATA_DIR = process.env.DATA_DIR || '/var/lib/todos'
fs.mkdirSync(DATA_DIR, { recursive: true })
const db = new Database(path.join(DATA_DIR, 'todos.db'))
fs.appendFileSync(path.join(__dirname, '..', 'logs', 'access.log'), line)
const memory = new Database(':memory:')
router.mkdir('not a folder')
"#;
        let data = Place::Env {
            var: "DATA_DIR".into(),
            default: Some(Box::new(Place::Absolute("/var/lib/todos".into()))),
        };
        assert_eq!(
            places("src/server.js", text),
            [
                (data.clone(), Target::Folder, Evidence::NodeMkdir, 6),
                (data.join("todos.db"), Target::File, Evidence::NodeSqlite, 7),
                (
                    Place::InRepo("logs/access.log".into()),
                    Target::File,
                    Evidence::NodeWriteFile,
                    8
                ),
            ]
        );
    }

    #[test]
    fn bun_writes_and_bun_sqlite() {
        let text = r#"import { Database } from "bun:sqlite";
const db = new Database("data/app.sqlite", { create: true });
await Bun.write("exports/latest.json", JSON.stringify(rows));
await writer.write("not a file");
"#;
        assert_eq!(
            places("src/index.ts", text),
            [
                (
                    Place::FromCwd("data/app.sqlite".into()),
                    Target::File,
                    Evidence::NodeSqlite,
                    2
                ),
                (
                    Place::FromCwd("exports/latest.json".into()),
                    Target::File,
                    Evidence::NodeWriteFile,
                    3
                ),
            ]
        );
    }

    #[test]
    fn esm_files_find_their_folder_through_import_meta_url() {
        let text = r#"import { promises as fs } from 'fs'
import path from 'path'
import { fileURLToPath } from 'url'

const here = path.dirname(fileURLToPath(import.meta.url))
const MEMORY = path.join(here, 'memory.jsonl')
await fs.writeFile(MEMORY, '')
"#;
        assert_eq!(
            places("dist/index.js", text),
            [(
                Place::InRepo("dist/memory.jsonl".into()),
                Target::File,
                Evidence::NodeWriteFile,
                7
            )]
        );
    }

    #[test]
    fn typescript_and_settings_objects() {
        let text = r#"import { open } from 'sqlite'
import fs from 'node:fs/promises'
const file: string = `/etc/todos/todo.db`
export const knex = { client: 'sqlite3', connection: { filename: './data/dev.sqlite3' } }
const sequelize = new Sequelize({ dialect: 'sqlite', storage: process.env.DB_FILE ?? 'db.sqlite' })
await open({ filename: file, driver: sqlite3.Database })
await fs.writeFile(`${dir}/x.json`, '{}')  // a path the code works out
// fs.mkdirSync('/commented')
"#;
        let storage = Place::Env {
            var: "DB_FILE".into(),
            default: Some(Box::new(Place::FromCwd("db.sqlite".into()))),
        };
        assert_eq!(
            places("src/db.ts", text),
            [
                (
                    Place::FromCwd("data/dev.sqlite3".into()),
                    Target::File,
                    Evidence::NodeSqlite,
                    4
                ),
                (storage, Target::File, Evidence::NodeSqlite, 5),
                (
                    Place::Absolute("/etc/todos/todo.db".into()),
                    Target::File,
                    Evidence::NodeSqlite,
                    6
                ),
            ]
        );
    }
}
