import type { JsonPath } from '../types';

/**
 * Whether the value under `key` is data (an example, a default, an enum), where a `$ref` is an
 * example value rather than a reference. `parent`/`grandparent` are the keys above it: `default`
 * under `responses` is a Response, an `examples` map holds Example Objects whose `value` is data.
 */
export function isDataKey(key: string, parent: unknown, grandparent: unknown, value: unknown): boolean {
  if (key.startsWith('x-')) return true;
  switch (key) {
    case 'example': case 'enum': case 'const': return parent !== 'properties' && parent !== 'patternProperties';
    case 'default': return parent !== 'responses' && parent !== 'properties';
    case 'examples': return Array.isArray(value) && parent !== 'properties';
    case 'value': case 'dataValue': return grandparent === 'examples';
    default: return false;
  }
}

/**
 * Visits every object in a document value once, depth first, with its path. The path array is
 * reused between calls: copy it (`[...path]`) to keep it. Shared objects (YAML anchors) are visited
 * at their first location only, which also makes cycles harmless.
 */
export function walkObjects(root: unknown, visit: (value: Record<string, unknown>, path: JsonPath) => void, startPath: JsonPath = []): void {
  const seen = new Set<object>();
  // Where `root` sits in its document: the keys above it decide what is data (see isDataKey).
  const path: JsonPath = [...startPath];
  const step = (value: unknown) => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) { path.push(i); step(value[i]); path.pop(); }
      return;
    }
    const record = value as Record<string, unknown>;
    visit(record, path);
    const parent = path[path.length - 1];
    const grandparent = path[path.length - 2];
    // `for...in` reads the object's enumeration cache; `Object.keys` made an array per object.
    // Document values are plain objects and arrays, with nothing enumerable inherited.
    for (const key in record) {
      if (isDataKey(key, parent, grandparent, record[key])) continue;
      path.push(key); step(record[key]); path.pop();
    }
  };
  step(root);
}

/**
 * The parts of a document value that change independently: each path item, webhook and component
 * (and each 2.0 definition, shared parameter or response), and every other top-level entry. A
 * visitor over units can keep what it found per unit value: the editor's parser keeps the value
 * of every unchanged part. `containers` are the maps holding them (the root, `paths`,
 * `components`, `components.schemas`...), for checks on the maps themselves. Data keys (`x-`)
 * are left out as walkObjects leaves them out.
 */
export function documentUnits(root: unknown): { units: { at: JsonPath; value: unknown }[]; containers: { at: JsonPath; value: Record<string, unknown> }[] } {
  const units: { at: JsonPath; value: unknown }[] = [];
  const containers: { at: JsonPath; value: Record<string, unknown> }[] = [];
  const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  const entries = (map: Record<string, unknown>, at: JsonPath, depth: number) => {
    containers.push({ at, value: map });
    for (const key of Object.keys(map)) {
      if (isDataKey(key, at[at.length - 1], at[at.length - 2], map[key])) continue;
      const value = map[key];
      const below = [...at, key];
      if (depth > 0 && isMap(value)) entries(value, below, depth - 1);
      else units.push({ at: below, value });
    }
  };
  if (!isMap(root)) return { units: root === undefined ? [] : [{ at: [], value: root }], containers };
  containers.push({ at: [], value: root });
  for (const key of Object.keys(root)) {
    const value = root[key];
    if (isDataKey(key, undefined, undefined, value)) continue;
    const depth = key === 'components' ? 1 : UNIT_MAPS.has(key) ? 0 : -1;
    if (depth >= 0 && isMap(value)) entries(value, [key], depth);
    else units.push({ at: [key], value });
  }
  return { units, containers };
}

const UNIT_MAPS = new Set(['paths', 'webhooks', 'definitions', 'parameters', 'responses', 'securityDefinitions']);
