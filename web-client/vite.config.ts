import { defineConfig } from 'vite';

// The sportello server embeds `dist/` and serves it same-origin with `/v1/...`.
// `npm run dev` proxies the API and the signalling WebSocket to a running server
// (SPORTELLO_URL, default http://127.0.0.1:8080).
const backend = process.env.SPORTELLO_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URIs for our assets (fonts, icons): the CSP stays simple.
    assetsInlineLimit: 0,
    // The module preload polyfill is not needed by the browsers we support.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: {
      '/v1': { target: backend, ws: true, changeOrigin: true },
    },
  },
});
