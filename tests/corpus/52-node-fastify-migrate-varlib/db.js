'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { DatabaseSync } = require('node:sqlite');

const file = process.env.LEDGER_DB || path.join(__dirname, 'data', 'ledger.db');

function open() {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new DatabaseSync(file);
}

module.exports = { open, file };
