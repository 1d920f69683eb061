// End-to-end tests: Debian's Chromium (Playwright cannot download browsers here), the e2e build
// of the app (`vite build --mode test --outDir dist-test`: a production build plus the
// `window.hourmesh` debug handle, see src/main.ts) and the real y-webrtc signaling server, both
// started by scripts/serve.mjs on test ports. `npm test` makes that build; by hand:
//   npx vite build --mode test --outDir dist-test && npx playwright test
// Every simulated person gets a browser context of their own (see e2e/fixtures.ts), so nothing
// reaches another person through a shared BroadcastChannel or IndexedDB: only through WebRTC.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.HOURMESH_E2E_PORT ?? 4173);
const signalPort = Number(process.env.HOURMESH_E2E_SIGNAL_PORT ?? 4474);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Amounts are shown in the browser's locale; expected texts (e2e/support) are written in en-US.
    locale: 'en-US',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    },
  },
  webServer: {
    command: 'node scripts/serve.mjs',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: {
      HOURMESH_PORT: String(port),
      HOURMESH_SIGNAL_PORT: String(signalPort),
      HOURMESH_HOST: '127.0.0.1',
      // HOURMESH_E2E_DIST lets several engineers run the suite at once, each on its own build.
      HOURMESH_DIST: process.env.HOURMESH_E2E_DIST ?? 'dist-test',
    },
  },
});
