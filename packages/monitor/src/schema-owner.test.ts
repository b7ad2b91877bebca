import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// @kaviar/flags-pg owns the schema: the monitor reads and writes the store only through its functions,
// so a migration changes one package. A query sent from the monitor's own sources would break that.
const dir = fileURLToPath(new URL('.', import.meta.url));
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the monitor and the schema', () => {
  it('sends no SQL of its own', () => {
    expect(sources.length).toBeGreaterThan(10);
    const offenders = sources.filter((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      return /\.query\s*[<(]/.test(text) || /\$\{[^}]*ident\}\./.test(text);
    });
    expect(offenders).toEqual([]);
  });
});
