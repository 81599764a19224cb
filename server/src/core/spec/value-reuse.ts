/**
 * Equal content, cheaply when values are shared: identical objects are not looked into, so two
 * versions of a document that share their unchanged parts compare in the size of what changed.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    if (keysA[i] !== keysB[i] || !sameValue((a as Record<string, unknown>)[keysA[i]], (b as Record<string, unknown>)[keysB[i]])) return false;
  }
  return true;
}

/**
 * Puts the previous version's objects into a freshly parsed value wherever the content is equal,
 * down to `depth` levels (root keys, then path items and component maps, then components), so
 * what the editor keeps per path item or per component stays valid across versions of a document
 * that is parsed whole (JSON, small YAML). `next` must be freshly parsed: it is modified. Returns
 * true when the two are equal throughout.
 */
export function reuseUnchangedValues(previous: unknown, next: unknown, depth = 3): boolean {
  if (previous === next) return true;
  const records = !!previous && !!next && typeof previous === 'object' && typeof next === 'object' && !Array.isArray(previous) && !Array.isArray(next);
  if (depth === 0 || !records) return sameValue(previous, next);
  const before = previous as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const keysBefore = Object.keys(before);
  const keysAfter = Object.keys(after);
  let same = keysBefore.length === keysAfter.length;
  for (let i = 0; i < keysAfter.length; i++) {
    const key = keysAfter[i];
    if (same && keysBefore[i] !== key) same = false;
    if (!Object.prototype.hasOwnProperty.call(before, key)) { same = false; continue; }
    if (reuseUnchangedValues(before[key], after[key], depth - 1)) after[key] = before[key];
    else same = false;
  }
  return same;
}
