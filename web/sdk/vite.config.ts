import { defineConfig } from 'vite';

// The SDK as one ES module for pages without a bundler (docs/sdk.md): dist/tidings-sdk.js,
// minified, with its source map; the type declarations are bundled beside it by
// dts-bundle-generator (package.json "build"). The app does not use this build: it imports
// the sources (package.json "exports").
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'tidings-sdk.js' },
    // Vite keeps a library's whitespace (for its users' bundlers); this file is loaded as is.
    rolldownOptions: { output: { minify: true } },
  },
});
