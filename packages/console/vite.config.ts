import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `.br` and `.gz` beside each script and stylesheet, at the highest levels (once, at build
 * time), for the server's `@fastify/static` `preCompressed` to send by `Accept-Encoding`.
 */
function precompress(): Plugin {
  return {
    name: 'keymint-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const [fileName, output] of Object.entries(bundle)) {
        if (!/\.(js|css)$/.test(fileName)) continue;
        const source = Buffer.from(output.type === 'chunk' ? output.code : output.source);
        const path = join(dir, fileName);
        writeFileSync(`${path}.br`, brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}

// Served by the Keymint server at /console: hashed file names under assets/ are cached for good.
export default defineConfig({
  base: '/console/',
  plugins: [precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // A strict CSP allows no inline script: no inlined module-preload helper, no data: assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
