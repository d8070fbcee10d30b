import { defineConfig } from 'vite';

// The playground and the console build into dist/web, which the server serves at /. No CDN: everything ships.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: '../dist/web', emptyOutDir: true, target: 'es2022', reportCompressedSize: false,
    rollupOptions: { input: { playground: `${import.meta.dirname}/index.html`, console: `${import.meta.dirname}/console.html` } },
  },
  logLevel: 'warn',
});
