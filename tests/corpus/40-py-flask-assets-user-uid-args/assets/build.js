// Copies css/*.css into ../public/css, minified by dropping blank lines and comments.
const fs = require("fs");
const path = require("path");

const out = path.join(__dirname, "..", "public", "css");
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(path.join(__dirname, "css"))) {
  const text = fs.readFileSync(path.join(__dirname, "css", name), "utf8");
  const small = text.replace(/\/\*[\s\S]*?\*\//g, "").split("\n").filter((l) => l.trim()).join("\n");
  fs.writeFileSync(path.join(out, name), small + "\n");
}
console.log("assets built into", out);
