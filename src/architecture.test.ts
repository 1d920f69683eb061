// Holds the layering of STYLE.md: dependencies point inward. core/ is pure (imports only core/),
// ui/ never touches Yjs or IndexedDB directly, and only net/ (and the composition root) writes Yjs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

describe('architecture', () => {
  it('keeps src/core pure: no imports from outside core, no browser or I/O libraries', () => {
    const offenders = filesUnder(join(root, 'src/core'))
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap((f) => importsOf(f).filter((i) => !i.startsWith('./')).map((i) => `${relative(root, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('keeps Yjs, y-webrtc and IndexedDB out of the UI and the state classes', () => {
    const banned = /^(yjs|y-webrtc|y-indexeddb|y-protocols|idb)(\/|$)/;
    const offenders = [...filesUnder(join(root, 'src/ui')), ...filesUnder(join(root, 'src/state'))]
      .flatMap((f) => importsOf(f).filter((i) => banned.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('finds the imports it checks (the scanner itself works)', () => {
    expect(importsOf(join(root, 'src/net/ledger-sync.ts'))).toContain('../core');
  });
});
