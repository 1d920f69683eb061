// `npm run signal`: the y-webrtc signaling server alone, for `npm run dev` (Vite proxies /signal).
import { join } from 'node:path';
import { root, run } from './ensure-deps.mjs';

process.exit(run(process.execPath, [join(root, 'node_modules/y-webrtc/bin/server.js')], {
  env: { ...process.env, PORT: process.env.HOURMESH_SIGNAL_PORT ?? '4444' },
}));
