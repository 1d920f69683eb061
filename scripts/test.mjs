// `npm test`: every test tier, in order, on a fresh machine.
// 1. dependencies (npm ci when missing or stale)   2. Debian's Chromium (apt-get when absent)
// 3. type check (svelte-check, warnings fail)      4. unit + simulation tests (Vitest)
// 5. production build (dist/), and a check that it holds no debug handle
// 6. the e2e build (`vite build --mode test` into dist-test/, with the debug handle the hostile-peer
//    test drives) and the end-to-end tests against it (Playwright, real WebRTC)
// Exits non-zero when any step fails, and ends with one line "N passed, N failed".
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, root, run } from './ensure-deps.mjs';

const CHROMIUM = '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log("hourmesh: /usr/bin/chromium is missing; installing Debian's chromium with apt-get…");
  // As root apt-get runs directly; otherwise through sudo (which may ask for a password).
  const apt = (...args) => process.getuid?.() === 0
    ? run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    : run('sudo', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  const ok = apt('update') === 0 && apt('install', '-y', 'chromium') === 0;
  if (!ok || !existsSync(CHROMIUM)) {
    console.error('hourmesh: could not install Chromium. Install it by hand (as root: apt-get install -y chromium)');
    console.error('and run `npm test` again. The end-to-end tests need /usr/bin/chromium.');
    process.exit(1);
  }
}

function readJson(file) {
  try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return undefined; }
}

ensureDependencies();
ensureChromium();

const reports = join(root, 'test-results');
rmSync(reports, { recursive: true, force: true });
const counts = { passed: 0, failed: 0 };
const failures = [];
const step = (name, status) => { if (status !== 0) failures.push(name); };

console.log('\n== type check (svelte-check)');
step('type check', run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']));

// Tests named *.timing.test.ts check a property that depends on real timers (e.g. that peers
// entering a generation together write each entry once): they run alone afterwards, so the
// other files' workers do not delay their timers.
const TIMING_TESTS = '**/*.timing.test.ts';
const vitestRun = (name, args) => {
  const out = join(reports, `${name}.json`);
  step(name, run('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]));
  const vitest = readJson(out);
  if (vitest) { counts.passed += vitest.numPassedTests; counts.failed += vitest.numFailedTests; }
};
console.log('\n== unit and simulation tests (vitest)');
vitestRun('unit tests', ['--exclude', TIMING_TESTS]);
console.log('\n== timing-sensitive unit tests, alone (vitest)');
vitestRun('timing tests', ['--no-file-parallelism', 'timing.test']);

console.log('\n== production build');
const built = run('npx', ['vite', 'build', '--logLevel', 'warn']);
step('production build', built);

// `window.hourmesh` hands every economy's secret to any script on the page: it must exist only
// in development and the e2e build (src/main.ts). Minifying keeps property names, so the
// assignment (`.hourmesh=`) and its method `openRawDocument` would show. Only the scripts are
// read: the source maps carry the original source, comments included.
if (built === 0) {
  console.log('\n== production bundle has no debug handle');
  const assets = join(root, 'dist', 'assets');
  const handle = /openRawDocument|\.hourmesh\s*=/;
  const leaking = readdirSync(assets).filter((f) => f.endsWith('.js') && handle.test(readFileSync(join(assets, f), 'utf8')));
  if (leaking.length) console.error(`hourmesh: the production bundle contains the debug handle (window.hourmesh) in ${leaking.join(', ')}`);
  else console.log('ok: no window.hourmesh in dist/assets/*.js');
  counts[leaking.length ? 'failed' : 'passed'] += 1;
  step('production bundle check', leaking.length ? 1 : 0);
}

console.log('\n== e2e build (vite build --mode test, dist-test/)');
const builtForTests = run('npx', ['vite', 'build', '--mode', 'test', '--outDir', 'dist-test', '--emptyOutDir', '--logLevel', 'warn']);
step('e2e build', builtForTests);

if (builtForTests === 0) {
  console.log('\n== end-to-end tests (playwright, chromium)');
  step('end-to-end tests', run('npx', ['playwright', 'test'], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, 'playwright.json') },
  }));
  const pw = readJson(join(reports, 'playwright.json'));
  if (pw?.stats) { counts.passed += pw.stats.expected + pw.stats.flaky; counts.failed += pw.stats.unexpected; }
}

console.log('');
if (failures.length) console.log(`hourmesh: failed steps: ${failures.join(', ')}`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(failures.length ? 1 : 0);
