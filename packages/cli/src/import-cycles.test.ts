/**
 * The CLI's modules import one another without a cycle at run time (a cycle makes what a module sees
 * of another depend on which one was loaded first). `import type` and `export type` are erased, so
 * they are left out; every other relative import or re-export is an edge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every non-test `.ts` file under `dir`, as absolute paths. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The source files `file` imports at run time, relative ones only (data files such as JSON left out). */
function runtimeImports(file: string, text: string): string[] {
  return [...text.matchAll(RUNTIME_IMPORT)]
    .map((m) => m[1] ?? '')
    .filter((specifier) => !specifier.endsWith('.json'))
    .map((specifier) => `${resolve(dirname(file), specifier)}.ts`);
}

/** The first cycle found, as a list of files that starts and ends with the same one; `[]` when none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return [];
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    done.add(node);
    return [];
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle.length > 0) return cycle;
  }
  return [];
}

it('finds a cycle when there is one, and the type-only imports are not edges', () => {
  const a = '/src/a.ts';
  const text = [
    "import { b } from './b';",
    "import type { C } from './c';",
    "export { d } from './d';",
    "export type { E } from './e';",
    "import pkg from '../package.json' with { type: 'json' };",
  ].join('\n');
  expect(runtimeImports(a, text)).toEqual(['/src/b.ts', '/src/d.ts']);
  const cyclic = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
  ]);
  expect(findCycle(cyclic)).toEqual(['a', 'b', 'c', 'a']);
  expect(findCycle(new Map([...cyclic, ['c', []]]))).toEqual([]);
});

it('has no import cycle among the CLI sources', () => {
  const files = sources(SRC);
  expect(files.length).toBeGreaterThan(40);
  const graph = new Map(files.map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
  const missing = [...graph.values()].flat().filter((f) => !graph.has(f));
  expect(missing, 'every relative import resolves to a source file').toEqual([]);
  expect(findCycle(graph).map((f) => relative(SRC, f))).toEqual([]);
});
