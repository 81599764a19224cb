// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx), except the
// end-to-end suites, which have their own scripts. Extra arguments filter files by substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['e2e', 'fixtures', '.output', 'support']);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) { if (!skip.has(name)) walk(full); }
    else if (name.endsWith('.test.ts')) files.push(relative(root, full));
  }
})(join(root, 'test'));
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
