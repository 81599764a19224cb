import type { JsonPath } from '../types';

/**
 * Whether the value under `key` is data (an example, a default, an enum), where a `$ref` is an
 * example value rather than a reference. `parent`/`grandparent` are the keys above it: `default`
 * under `responses` is a Response, an `examples` map holds Example Objects whose `value` is data.
 */
function isDataKey(key: string, parent: unknown, grandparent: unknown, value: unknown): boolean {
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
export function walkObjects(root: unknown, visit: (value: Record<string, unknown>, path: JsonPath) => void): void {
  const seen = new Set<object>();
  const path: JsonPath = [];
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
    for (const key of Object.keys(record)) {
      if (isDataKey(key, parent, grandparent, record[key])) continue;
      path.push(key); step(record[key]); path.pop();
    }
  };
  step(root);
}
