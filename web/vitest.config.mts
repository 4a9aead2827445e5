import { defineConfig } from 'vitest/config';

// Unit tests for the SDK and the app's view models; none of them needs a DOM.
export default defineConfig({
  test: {
    include: ['sdk/test/**/*.test.ts', 'app/src/**/*.test.ts', 'widget/src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['app/src/test/setupLocales.ts'],
  },
});
