// Concatenates assets/*.css into shop/static/dist/site.css and writes a manifest.
const fs = require("fs");
const path = require("path");

const src = path.join(__dirname, "assets");
const out = path.join(__dirname, "shop", "static", "dist");
fs.mkdirSync(out, { recursive: true });

const files = fs.readdirSync(src).filter((f) => f.endsWith(".css")).sort();
const css = files.map((f) => fs.readFileSync(path.join(src, f), "utf8")).join("\n");
fs.writeFileSync(path.join(out, "site.css"), css);
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify({ "site.css": files }, null, 2));
console.log(`built ${files.length} stylesheet(s) into ${out}`);
