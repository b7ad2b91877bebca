#!/usr/bin/env node
// Writes sql/NNNN_name.sql, the migrations as plain SQL for the default schema (`kaviar_flags`), from the
// built package (migrationFiles(), the same text `kaviar-flags migrate --print-sql` prints), so a team's own
// migration tool or psql can take them straight from node_modules/@kaviar/flags-pg/sql/.
// Run after tsup (`npm run build -w packages/pg` does both).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { migrationFiles } = await import(join(root, 'dist', 'index.js'));
const dir = join(root, 'sql');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
const files = migrationFiles();
for (const file of files) writeFileSync(join(dir, file.fileName), file.sql);
console.log(`wrote sql/ (${files.map((f) => f.fileName).join(', ')})`);
