// A Vite plugin that builds the service worker (app/sw/sw.ts) into `sw.js` at the root of the
// build, and writes into it the list of files to keep offline and a version (decision 0042).
//
// The worker is one more chunk of the app's own build (same TypeScript transform, minified
// alike), named `sw.js` without a hash: browsers look for updates at one address. It imports
// only from app/sw/, which the app never imports, so it stays one self-contained script with
// no import or export (a classic worker, which every browser runs).
//
// The list is every file the build writes (the page as `/`, the hashed scripts and styles
// under /assets/) and every file copied from public/ (icons, the manifest, sounds); source
// maps and the precompressed copies are left out, and so is the admin console (admin.html and
// the files only it loads, issue 13): the chat app's offline start does not need it. The version is a hash of the file names
// and of public/'s contents (hashed names change with their content already), so any change
// to the build is a new sw.js and browsers install it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const PLACEHOLDER = /(["'`])__TIDINGS_PRECACHE__\1/;
const SKIPPED = /\.(map|br|gz)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** @param {{ entry: string, publicDir: string }} options */
export function serviceWorker({ entry, publicDir }) {
  let referenceId = '';
  return {
    name: 'tidings-service-worker',
    apply: 'build',
    // After Vite's own HTML plugin, so index.html is in the bundle to be hashed.
    enforce: 'post',
    buildStart() {
      referenceId = this.emitFile({ type: 'chunk', id: entry, fileName: 'sw.js', preserveSignature: false });
    },
    generateBundle(_options, bundle) {
      const worker = bundle[this.getFileName(referenceId)];
      if (!worker || worker.type !== 'chunk') throw new Error('the service worker was not built');
      if (worker.imports.length > 0 || worker.dynamicImports.length > 0) {
        throw new Error(`the service worker must not share code with the app: it imports ${worker.imports}`);
      }
      const hash = createHash('sha256');
      const consoleOnly = onlyReachedFrom(bundle, (chunk) => /\/admin(\.html|\/main\.tsx)$/.test(chunk.facadeModuleId ?? ''), worker);
      const built = Object.keys(bundle).filter(
        (name) => name !== worker.fileName && name !== 'index.html' && name !== 'admin.html' && !consoleOnly.has(name) && !SKIPPED.test(name),
      );
      const copied = [...files(publicDir)].filter((path) => !SKIPPED.test(path));
      for (const path of copied) hash.update(relative(publicDir, path)).update(readFileSync(path));
      const list = ['/', ...[...built, ...copied.map((path) => relative(publicDir, path).split(sep).join('/'))].sort().map((name) => `/${name}`)];
      hash.update(list.join('\n'));
      const page = bundle['index.html'];
      if (page?.type === 'asset') hash.update(page.source);
      const precache = { version: hash.digest('hex').slice(0, 16), files: list };
      if (!PLACEHOLDER.test(worker.code)) throw new Error('the service worker lost its precache placeholder');
      worker.code = worker.code.replace(PLACEHOLDER, JSON.stringify(JSON.stringify(precache)));
    },
  };
}

/** The files of the bundle that only the entries matching `chosen` load (the others never do). */
function onlyReachedFrom(bundle, chosen, worker) {
  const reach = (starts) => {
    const seen = new Set();
    const stack = [...starts];
    while (stack.length > 0) {
      const name = stack.pop();
      if (seen.has(name)) continue;
      seen.add(name);
      const chunk = bundle[name];
      if (chunk?.type !== 'chunk') continue;
      const meta = chunk.viteMetadata;
      stack.push(...chunk.imports, ...chunk.dynamicImports, ...(meta?.importedCss ?? []), ...(meta?.importedAssets ?? []));
    }
    return seen;
  };
  const entries = Object.values(bundle).filter((c) => c.type === 'chunk' && c.isEntry && c !== worker);
  const mine = reach(entries.filter(chosen).map((c) => c.fileName));
  const others = reach(entries.filter((c) => !chosen(c)).map((c) => c.fileName));
  return new Set([...mine].filter((name) => !others.has(name)));
}
