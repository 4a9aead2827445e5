// Copies into the server's build what is not the app's: the SDK bundle (sdk/dist, served at
// /sdk/, docs/sdk.md) and Swagger UI from the npm package swagger-ui-dist (served at
// /api/docs/assets/, src/tidings/api/api_docs.py): the API docs load nothing from a CDN, so
// they work under the server's CSP (decision 0063). Run after `vite build`, which empties
// the build folder, and before precompress.mjs, which compresses these files too.
//
// Usage: node scripts/copy-extras.mjs <build dir>
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [buildDir] = process.argv.slice(2);
if (!buildDir) {
  console.error('usage: copy-extras.mjs <build dir>');
  process.exit(2);
}
const web = join(dirname(fileURLToPath(import.meta.url)), '..');

function copy(from, names, to) {
  mkdirSync(to, { recursive: true });
  for (const name of names) copyFileSync(join(from, name), join(to, name));
}

const sdk = join(web, 'sdk', 'dist');
copy(sdk, readdirSync(sdk), join(buildDir, 'sdk'));

// Only what the page loads (the package holds other builds and an example page).
const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
copy(swagger, ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'], join(buildDir, 'api-docs'));
console.log(`copied the SDK bundle and Swagger UI into ${buildDir}`);
