// `npm start`: install what is missing, build, then serve the app and the signaling server.
import { ensureDependencies, run } from './ensure-deps.mjs';

ensureDependencies();
if (run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0) {
  console.error('hourmesh: the build failed; see the messages above.');
  process.exit(1);
}
const { serve } = await import('./serve.mjs');
await serve();
