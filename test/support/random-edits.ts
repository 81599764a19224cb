import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A seeded pseudo-random number in [0, 1): the same seed gives the same edits on every run. */
export function seededRandom(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** The route-code fixtures of the rules (`test/fixtures/rules/<rule>/*.ts|js`), as paths. */
export function routeFileFixtures(): string[] {
  const fixtures = join(__dirname, '../fixtures/rules');
  return readdirSync(fixtures).flatMap((rule) => readdirSync(join(fixtures, rule)).filter((f) => /\.(ts|js)$/.test(f)).map((f) => join(fixtures, rule, f)));
}
