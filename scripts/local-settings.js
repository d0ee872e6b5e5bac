// Prints the "Values" of local.settings.json as NUL-separated NAME=VALUE pairs for `env`, the way
// `func start` applies them: a variable already set in the environment wins. The Functions host itself does
// not read local.settings.json, so run.sh hands these to it as environment variables.
"use strict";
const fs = require("fs");
const file = process.argv[2];
let settings;
try {
  settings = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (e) {
  console.error(`run: ${file} is not valid JSON: ${e.message}`);
  process.exit(1);
}
const values = settings.Values ?? {};
for (const [name, value] of Object.entries(values)) {
  if (typeof value !== "string") {
    console.error(`run: ${file}: Values.${name} must be a string`);
    process.exit(1);
  }
  if (name in process.env) continue;
  process.stdout.write(`${name}=${value}\0`);
}
