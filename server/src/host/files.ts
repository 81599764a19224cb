import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * A file's text as UTF-8. Decoded from the bytes by Buffer's decoder: on GitHub's 10 MB
 * description that takes 25 ms, where `readFileSync(path, 'utf8')` takes 35 (Node 20). The same
 * text either way, invalid sequences included (U+FFFD).
 */
export function readTextFile(path: string): string {
  return readFileSync(path).toString('utf8');
}

const CANDIDATE = /\.(ya?ml|json|ts|mts|cts|js|mjs|cjs)$/i;
const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'coverage', '.cache']);

/**
 * Expands the CLI's arguments into candidate files. Folders are walked respecting every
 * `.gitignore` on the way (nested ones apply to their subtree). Explicit files are always kept.
 */
export function collectFiles(args: string[]): string[] {
  const files = new Set<string>();
  for (const arg of args) {
    const path = resolve(arg);
    if (!existsSync(path)) throw new Error(`no such file or directory: ${arg}`);
    if (statSync(path).isDirectory()) walk(path, path, [], files);
    else files.add(path);
  }
  return [...files].sort();
}

function walk(root: string, dir: string, ignores: { base: string; rules: Ignore }[], out: Set<string>) {
  const gitignore = join(dir, '.gitignore');
  const scoped = existsSync(gitignore) ? [...ignores, { base: dir, rules: ignore().add(readFileSync(gitignore, 'utf8')) }] : ignores;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const full = join(dir, entry.name);
    const isDir = entry.isDirectory();
    if (isIgnored(scoped, full, isDir)) continue;
    if (isDir) walk(root, full, scoped, out);
    else if (entry.isFile() && CANDIDATE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.add(full);
  }
}

function isIgnored(ignores: { base: string; rules: Ignore }[], path: string, isDir: boolean): boolean {
  return ignores.some(({ base, rules }) => {
    const rel = relative(base, path).split(sep).join('/');
    return rel !== '' && !rel.startsWith('..') && rules.ignores(isDir ? rel + '/' : rel);
  });
}
