import * as fs from 'fs';
import * as path from 'path';

/**
 * DESIGN.md's dependency rules, one way only: catalog <- private <- construct families <- lib <- bin;
 * examples/ import only the public entry point. Read from the import statements of the sources.
 */
const ROOT = path.join(__dirname, '..');
const FAMILIES = ['inference', 'rag', 'training', 'web', 'network'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The repository-relative folders a file's relative imports (`import ... from '../x'`, type imports too) reach. */
function importedPaths(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf-8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']*)'/g)].map((m) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1])));
}

function violations(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((f) => importedPaths(f).filter(forbidden).map((t) => `${f} imports ${t}`));
}

test('the catalog imports nothing of the library but itself', () => {
  expect(violations(sources('constructs/catalog'), (t) => !t.startsWith('constructs/catalog'))).toEqual([]);
});

test('constructs/private imports only the catalog and itself', () => {
  expect(violations(sources('constructs/private'), (t) => !t.startsWith('constructs/catalog') && !t.startsWith('constructs/private'))).toEqual([]);
});

test('nothing under constructs/ imports lib/, bin/, examples/ or test/', () => {
  expect(violations(sources('constructs'), (t) => /^(lib|bin|examples|test)(\/|$)/.test(t))).toEqual([]);
});

test('lib/ does not import bin/', () => {
  expect(violations(sources('lib'), (t) => /^bin(\/|$)/.test(t))).toEqual([]);
});

test('examples/ import only the public entry point', () => {
  expect(violations(sources('examples'), (t) => t.startsWith('constructs') && t !== 'constructs')).toEqual([]);
});

test('the rules see real imports (a family module reaches the catalog)', () => {
  expect(FAMILIES.some((family) => sources(`constructs/${family}`).some((f) => importedPaths(f).some((t) => t.startsWith('constructs/catalog'))))).toBe(true);
});
