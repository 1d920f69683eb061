// `npm run bench`: runs every bench/*.bench.ts (Node) and bench/*.bench.e2e.ts (browser) in turn.
// Each benchmark prints its own figures and their ratio to the target; see README's table.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, root, run } from './ensure-deps.mjs';

ensureDependencies();
const only = process.argv[2];
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)));
let failed = 0;
for (const file of files.sort()) {
  console.log(`\n== ${file}`);
  if (run(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', file)]) !== 0) failed++;
}
process.exit(failed ? 1 : 0);
