import { defineConfig } from 'vite';

// The widget is one classic script at a stable address (/widget.js) that pages of other
// sites load with a <script> tag: an IIFE, no chunks, no CSS file (its styles live in its
// shadow root), written next to the app's build after it (the app's build empties the
// folder first; scripts/build-web.sh runs this one second). Plain DOM, no framework: it has
// to stay small (docs/benchmarks.md).
export default defineConfig({
  publicDir: false,
  build: {
    outDir: '../../src/tidings/static',
    emptyOutDir: false,
    target: 'es2019',
    lib: { entry: 'src/main.ts', formats: ['iife'], name: 'TidingsWidget', fileName: () => 'widget.js' },
    minify: true,
  },
});
