/// <reference types="vitest/config" />
// Build, PWA and unit-test configuration. The service worker precaches the whole app shell so
// a second visit opens offline; updates are offered in-app (registerType 'prompt'), never forced
// mid-task, because a reload could cut a donor's running job or an estimation round.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'hourmesh',
        short_name: 'hourmesh',
        description: 'A peer-to-peer economy of man-hours and cpu-hours.',
        theme_color: '#1f6f5c',
        background_color: '#f7f7f2',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        navigateFallback: 'index.html',
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
        // Binaryen (13 MB, NaN canonicalisation of uploaded WebAssembly) loads only when a job
        // owner uploads a module: precaching it would cost every visitor 13 MB. Offline, an
        // upload is refused with a sentence (src/compute/prepare-module.ts).
        globIgnores: ['**/binaryen-*.js'],
        // Control the page from the first visit, so "Reload to update" works in that tab too.
        // A new version still waits (no skipWaiting) until the person accepts it.
        clientsClaim: true,
      },
    }),
  ],
  build: { target: 'es2022', sourcemap: true },
  // In development the signaling server runs beside Vite (npm run signal); the app always talks
  // to /signal on its own host, exactly as in production behind scripts/serve.mjs.
  server: { proxy: { '/signal': { target: 'ws://127.0.0.1:4444', ws: true } } },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
