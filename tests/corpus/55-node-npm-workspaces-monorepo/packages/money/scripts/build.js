'use strict';
// "Build" step of the shared package: copies src/ to dist/ with a banner.
// The API imports dist/, so the image must run this before starting.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'src'))) {
  const code = fs.readFileSync(path.join(root, 'src', name), 'utf8');
  fs.writeFileSync(path.join(out, name), `/* @acme/money build ${new Date().toISOString()} */\n${code}`);
}
console.log(`built ${out}`);
