// `npm run simulate [seed]`: the seed's worked example from the real core (sim/worked-example.ts).
import { join } from 'node:path';
import { ensureDependencies, root, run } from './ensure-deps.mjs';

ensureDependencies();
process.exit(run(process.execPath, ['--import', 'tsx', join(root, 'sim', 'worked-example.ts'), ...process.argv.slice(2)]));
