import { defineConfig } from 'vite';

// Served by the Keymint server at /console: hashed file names under assets/ are cached for good.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // A strict CSP allows no inline script: no inlined module-preload helper, no data: assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
