import { defineConfig } from 'vite';

// The playground builds into dist/web, which the server serves at /. No CDN: everything ships.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  logLevel: 'warn',
});
