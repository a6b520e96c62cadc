// Trunk post-build hook: copies the split wasm modules in, exports the languages, then writes the
// build id, the precache list and the language files into the staged sw.js.
//
// `machi-i18n export` (a native build of crates/machi-i18n) writes every language but Japanese
// as /i18n/<code>-<hash>.txt, and into index.html the first view (painted before the wasm
// arrives) with the inline scripts that apply the saved settings and start fetching the
// resident's language and feeds (crates/machi-i18n/src/first_view.rs). The precache list is
// every other file of the app shell Trunk staged (html, js, wasm and its split modules, css,
// manifest, icons): languages are kept by the worker only once used. The build id is a hash of every file, so the service worker's cache is named after
// exactly this build and a browser notices an update whenever any file changed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("build-sw: TRUNK_STAGING_DIR is not set (run me as a Trunk hook)");
  process.exit(1);
}

// The pages cut out of the main wasm (scripts/tools/wasm-bindgen wrote them beside wasm-bindgen's
// output): copied beside the app, and the link module they load through is fetched with the JS
// glue (which imports it) instead of one round trip later.
const target = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { encoding: "utf8" }),
).target_directory;
const splitDir = join(target, "wasm-bindgen", process.env.TRUNK_PROFILE ?? "release", "split");
if (existsSync(splitDir)) {
  const split = readdirSync(splitDir);
  for (const name of split) copyFileSync(join(splitDir, name), join(dir, name));
  const link = split.find((n) => n.endsWith("_split.js"));
  if (!link) throw new Error(`build-sw: ${splitDir} has no link module (*_split.js)`);
  const indexPath = join(dir, "index.html");
  const html = readFileSync(indexPath, "utf8");
  if (!html.includes(link.replace("_split.js", ".js"))) {
    throw new Error(`build-sw: index.html does not load the JS glue ${link} belongs to`);
  }
  writeFileSync(indexPath, html.replace("</head>", `<link rel="modulepreload" href="/${link}"></head>`));
  console.log(`build-sw: ${split.length - 1} split wasm modules and ${link}`);
}

execFileSync("cargo", ["run", "--quiet", "--package", "machi-i18n", "--", "export", dir], {
  stdio: "inherit",
});

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const all = walk(dir)
  .map((p) => "/" + relative(dir, p).split(sep).join("/"))
  .filter((p) => p !== "/sw.js")
  .sort();
const languages = all.filter((p) => p.startsWith("/i18n/"));
const files = all.filter((p) => !p.startsWith("/i18n/"));
const hash = createHash("sha256");
for (const f of all) hash.update(f).update(readFileSync(join(dir, f)));
const build = hash.digest("hex").slice(0, 16);

const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace("__MACHI_BUILD__", build)
  .replace("/*__MACHI_PRECACHE__*/", files.map((f) => JSON.stringify(f)).join(", "))
  .replace("/*__MACHI_LANGUAGES__*/", languages.map((f) => JSON.stringify(f)).join(", "));
writeFileSync(swPath, sw);
console.log(`build-sw: build ${build}, ${files.length} files precached, ${languages.length} languages on demand`);
