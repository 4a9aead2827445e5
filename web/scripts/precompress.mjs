// Writes a .br and a .gz beside every text file of the built client, so the server sends
// those bytes as they are instead of compressing on every request (src/tidings/client.py,
// docs/decisions/0031). Images, fonts and sounds are left alone: they are compressed already
// or gain little. A compressed copy that is not smaller than its file is not written.
//
// It also refuses a build in which a file copied from public/ is named like a hashed file
// (`name-XXXXXXXX.ext`): the server caches those for a year as immutable.
//
// Usage: node scripts/precompress.mjs <build dir> [<public dir>]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const TEXT = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.map', '.txt', '.ts']);
// Keep in step with HASHED in src/tidings/client.py.
const HASHED = /-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

const [buildDir, publicDir] = process.argv.slice(2);
if (!buildDir) {
  console.error('usage: precompress.mjs <build dir> [<public dir>]');
  process.exit(2);
}

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

if (publicDir) {
  const clashes = [...files(publicDir)].filter((path) => HASHED.test(path));
  if (clashes.length) {
    console.error(`public files named like hashed files (would be cached as immutable): ${clashes}`);
    process.exit(1);
  }
}

let before = 0;
let brotli = 0;
let gzip = 0;
for (const path of files(buildDir)) {
  if (!TEXT.has(extname(path))) continue;
  const bytes = readFileSync(path);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  before += bytes.length;
  brotli += Math.min(br.length, bytes.length);
  gzip += Math.min(gz.length, bytes.length);
  if (br.length < bytes.length) writeFileSync(`${path}.br`, br);
  if (gz.length < bytes.length) writeFileSync(`${path}.gz`, gz);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`precompressed text: ${kb(before)} -> br ${kb(brotli)}, gzip ${kb(gzip)}`);
