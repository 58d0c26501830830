'use strict';
// Applies migrations/*.sql in name order, once each.
const fs = require('node:fs');
const path = require('node:path');
const { open, file } = require('../db');

const dir = path.join(__dirname, '..', 'migrations');
const db = open();
db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');

const done = new Set(db.prepare('SELECT name FROM schema_migrations').all().map((r) => r.name));
const pending = fs.readdirSync(dir).filter((f) => f.endsWith('.sql') && !done.has(f)).sort();

for (const name of pending) {
  db.exec('BEGIN');
  try {
    db.exec(fs.readFileSync(path.join(dir, name), 'utf8'));
    db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(name, new Date().toISOString());
    db.exec('COMMIT');
    console.log(`migrated ${name}`);
  } catch (err) {
    db.exec('ROLLBACK');
    console.error(`migration ${name} failed: ${err.message}`);
    process.exit(1);
  }
}
console.log(`${file}: ${pending.length} migration(s) applied, ${done.size} already there`);
