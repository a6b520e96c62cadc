// Trunk post-build hook: writes the build id and the precache list into the staged sw.js.
//
// The list is every file of the app shell Trunk staged (html, js, wasm, css, manifest, icons);
// the build id is a hash of their contents, so the service worker's cache is named after exactly
// this build and a browser notices an update whenever any shell file changed.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("build-sw: TRUNK_STAGING_DIR is not set (run me as a Trunk hook)");
  process.exit(1);
}

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(dir)
  .map((p) => "/" + relative(dir, p).split(sep).join("/"))
  .filter((p) => p !== "/sw.js")
  .sort();
const hash = createHash("sha256");
for (const f of files) hash.update(f).update(readFileSync(join(dir, f)));
const build = hash.digest("hex").slice(0, 16);

const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace("__MACHI_BUILD__", build)
  .replace("/*__MACHI_PRECACHE__*/", files.map((f) => JSON.stringify(f)).join(", "));
writeFileSync(swPath, sw);
console.log(`build-sw: build ${build}, ${files.length} files precached`);
