'use strict';
// SQLite through Node's built-in driver (node:sqlite, Node 22.13+), so the
// image needs no native module. The default file lives under /etc/todos.
const fs = require('node:fs');
const path = require('node:path');
const { DatabaseSync } = require('node:sqlite');

const location = process.env.SQLITE_DB_LOCATION || '/etc/todos/todo.db';
let db;

function init() {
  fs.mkdirSync(path.dirname(location), { recursive: true });
  db = new DatabaseSync(location);
  db.exec(
    'CREATE TABLE IF NOT EXISTS todo_items (id TEXT PRIMARY KEY, name TEXT NOT NULL, completed INTEGER NOT NULL DEFAULT 0)'
  );
  console.log(`Using sqlite database at ${location}`);
}

function ping() {
  return db.prepare('SELECT 1 AS ok').get().ok === 1;
}

function getItems() {
  return db.prepare('SELECT id, name, completed FROM todo_items ORDER BY rowid').all()
    .map((r) => ({ id: r.id, name: r.name, completed: r.completed === 1 }));
}

function storeItem(item) {
  db.prepare('INSERT INTO todo_items (id, name, completed) VALUES (?, ?, ?)')
    .run(item.id, item.name, item.completed ? 1 : 0);
}

function removeItem(id) {
  db.prepare('DELETE FROM todo_items WHERE id = ?').run(id);
}

module.exports = { init, ping, getItems, storeItem, removeItem, location };
