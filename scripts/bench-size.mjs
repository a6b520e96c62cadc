// Prints the app shell's transfer sizes (raw, gzip -9, brotli q11) from a release build in dist/,
// and fails when the brotli total is over the budget.
// Usage: node scripts/bench-size.mjs [DIST_DIR] [BUDGET_KB]
// The shell is index.html plus the JS, wasm and CSS it loads (trunk's hashed names): the files
// index.html references, every top-level *_bg.wasm and *.css, and wasm-bindgen's snippets. The
// pages split off the main wasm are printed after it, outside the budget.
// The service worker, manifest, icons and demo data are not part of the first load's shell.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const budgetKb = Number(process.argv[3] ?? process.env.MACHI_SHELL_BUDGET_KB ?? 200);
const index = join(dist, "index.html");
if (!existsSync(index)) {
  console.error(`bench: ${index} not found; build first (source scripts/lib.sh && trunk_release_build)`);
  process.exit(2);
}

const files = new Set([index]);
const html = readFileSync(index, "utf8");
// href="/x.js", src='./x_bg.wasm', import ... from '/x.js', new URL('/x_bg.wasm') ...
for (const m of html.matchAll(/["'`]\.?\/?([\w./-]+\.(?:js|wasm|css))(?:\?[^"'`]*)?["'`]/g)) {
  const path = join(dist, m[1]);
  if (existsSync(path) && !/(^|\/)sw\.js$/.test(m[1])) files.add(path);
}
for (const name of readdirSync(dist)) {
  if (name.endsWith("_bg.wasm") || name.endsWith(".css")) files.add(join(dist, name));
}
const walk = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
if (existsSync(join(dist, "snippets"))) {
  for (const p of walk(join(dist, "snippets"))) if (p.endsWith(".js")) files.add(p);
}

// The pages split off the main wasm (scripts/tools/wasm-bindgen): `split_*` is a page's own
// module, `chunk_*` code several pages share. Not part of the shell; reported below it.
const splitModules = readdirSync(dist).filter((n) => /^(split|chunk)_.*\.wasm$/.test(n));

const order = (p) => (p.endsWith(".html") ? 0 : p.endsWith(".js") ? 1 : p.endsWith(".wasm") ? 2 : 3);
const rows = [...files]
  .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
  .map(sizes);
function sizes(path) {
  const raw = readFileSync(path);
  return {
    file: relative(dist, path),
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    brotli: brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }).length,
  };
}
const total = rows.reduce(
  (t, r) => ({ file: "total", raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
  { file: "total", raw: 0, gzip: 0, brotli: 0 },
);

const width = Math.max(5, ...rows.map((r) => r.file.length));
const line = (a, b, c, d) => `${a.padEnd(width)}  ${b.padStart(10)}  ${c.padStart(10)}  ${d.padStart(10)}`;
const n = (x) => x.toLocaleString("en-US");
console.log(line("file", "raw B", "gzip-9 B", "brotli-11 B"));
for (const r of rows) console.log(line(r.file, n(r.raw), n(r.gzip), n(r.brotli)));
console.log(line("total", n(total.raw), n(total.gzip), n(total.brotli)));

if (splitModules.length > 0) {
  const split = splitModules.map((name) => sizes(join(dist, name)));
  const sum = split.reduce((t, r) => t + r.brotli, 0);
  const pages = split.filter((r) => r.file.startsWith("split_")).sort((a, b) => b.brotli - a.brotli);
  console.log(
    `loaded on first use (not in the shell): ${split.length} split modules, ${n(sum)} B brotli in all; ` +
      `the largest pages' own: ${pages.slice(0, 3).map((r) => `${r.file.replace(/^split___|_route_view.*$/g, "")} ${n(r.brotli)} B`).join(", ")}`,
  );
}

const kb = total.brotli / 1024;
const ok = kb <= budgetKb;
console.log(`shell total brotli: ${kb.toFixed(1)} KB (budget ${budgetKb} KB): ${ok ? "OK" : "OVER"}`);
process.exit(ok ? 0 : 1);
