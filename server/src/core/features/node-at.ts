import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';

export interface NodeAt { path: JsonPath; part: 'key' | 'value' }

/**
 * The deepest node whose source range contains `offset`, and whether the offset is on its key or its
 * value. Works on any SpecDocument through `locate`, so it needs no parser-specific tree.
 */
export function nodeAt(doc: SpecDocument, offset: number): NodeAt {
  const path: JsonPath = [];
  let value: unknown = doc.root;
  for (let depth = 0; depth < 200; depth++) {
    if (value === null || typeof value !== 'object') break;
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    let next: string | number | undefined;
    for (const key of keys) {
      const childPath = [...path, key];
      if (!doc.has(childPath)) continue;
      if (!Array.isArray(value)) {
        const keyRange = doc.locate(childPath, 'key');
        if (offset >= keyRange.start && offset <= keyRange.end) return { path: childPath, part: 'key' };
      }
      const valueRange = doc.locate(childPath, 'value');
      if (offset >= valueRange.start && offset <= valueRange.end) { next = key; break; }
    }
    if (next === undefined) break;
    path.push(next);
    value = (value as Record<string, unknown>)[String(next)];
  }
  return { path, part: 'value' };
}
