import { format as interpreterFormats, validate as interpret, type Schema } from '@cfworker/json-schema';
import { fullFormats } from 'ajv-formats/dist/formats';

/**
 * A first look at an example, by a JSON Schema validator that interprets the schema
 * (`@cfworker/json-schema`) rather than compiling it as Ajv does. Ajv's compiling is most of what
 * example validation costs (about 1.7 ms per schema location on GitHub's description, nearly all
 * of them valid), while interpreting a schema over one example takes microseconds. So an example
 * the screen accepts is valid, and only one it rejects, or cannot judge, goes to Ajv, whose error
 * objects make the rule's messages.
 *
 * The screen must never accept what Ajv rejects. It reads the same copies Ajv compiles, with Ajv's
 * additions to JSON Schema spelled in plain JSON Schema (see `screenCopy`) and Ajv's own format
 * checks; where it is stricter than Ajv (a pattern that is invalid with the `u` flag, a `$ref`
 * cycle), the example goes to Ajv, which decides.
 */
export class ExampleScreen {
  private readonly copies = new Map<string, unknown>();
  private readonly resolved = new Map<string, unknown>();
  /** What cfworker's `$ref` lookup reads: absolute refs of the registered units, resolved on demand. */
  private readonly lookup: Record<string, Schema | boolean>;

  /**
   * `unitCopy(id)`: the copy registered for a unit id (what Ajv gets), or undefined. `legacy`:
   * Swagger 2.0 and OpenAPI 3.0 schemas are draft 4; 3.1 and later are 2020-12.
   */
  constructor(private readonly unitCopy: (id: string) => unknown, private readonly legacy: boolean) {
    useAjvFormats();
    this.lookup = new Proxy({}, { get: (_, uri) => (typeof uri === 'string' ? this.resolve(uri) : undefined) }) as Record<string, Schema | boolean>;
  }

  /** True when `value` is valid against the schema at `ref` (a ref as Ajv gets it), false when not, undefined when the screen cannot tell. */
  accepts(value: unknown, ref: string): boolean | undefined {
    try {
      return interpret(value, { $ref: ref }, this.legacy ? '4' : '2020-12', this.lookup, true).valid;
    } catch {
      // An unresolvable `$ref`, a pattern invalid in Unicode mode, a cycle of `$ref`s: Ajv decides.
      return undefined;
    }
  }

  /** A unit was dropped or registered again: forget its copy (and every ref resolved so far). */
  forget(unitId: string): void {
    if (this.copies.delete(unitId)) this.resolved.clear();
  }

  private resolve(uri: string): unknown {
    if (this.resolved.has(uri)) return this.resolved.get(uri);
    const hash = uri.indexOf('#');
    const id = hash >= 0 ? uri.slice(0, hash) : uri;
    let node = this.copies.get(id);
    if (node === undefined) {
      const copy = this.unitCopy(id);
      if (copy === undefined) return undefined;
      this.copies.set(id, node = screenCopy(copy, ''));
    }
    const fragment = hash >= 0 ? uri.slice(hash + 1) : '';
    for (const segment of fragment ? fragment.slice(1).split('/') : []) {
      if (node === null || typeof node !== 'object') return undefined;
      const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
      node = (node as Record<string, unknown>)[key];
    }
    this.resolved.set(uri, node);
    return node;
  }
}

/** Keywords whose value is data, never a schema: copied as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'required', 'examples', 'example']);
/** Keys whose value maps names to schemas (a property may be called `nullable` or `$ref`). */
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'schemas']);
const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };

/**
 * The copy Ajv compiles, with what Ajv adds to JSON Schema said in JSON Schema, for an interpreter
 * that knows only the standard:
 * - `nullable: true` beside a `type` lets `null` through that type (Ajv's OpenAPI keyword);
 * - a `$ref` with siblings: Ajv applies both, while draft 4 interpreters ignore the siblings, so the
 *   `$ref` moves into an `allOf`;
 * - the number formats `int32` and `int64` (ajv-formats) become `integer` and its range, for numbers.
 */
export function screenCopy(node: unknown, parentKey: string): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((item) => screenCopy(item, ''));
  const record = node as Record<string, unknown>;
  const isNameMap = NAME_MAPS.has(parentKey);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) out[key] = !isNameMap && DATA_KEYWORDS.has(key) ? record[key] : screenCopy(record[key], key);
  if (isNameMap) return out;
  const extra: unknown[] = [];
  if (out.nullable !== undefined) {
    if (out.nullable === true && out.type !== undefined) {
      const types = Array.isArray(out.type) ? out.type : [out.type];
      if (!types.includes('null')) out.type = [...types, 'null'];
    }
    delete out.nullable;
  }
  if (out.format === 'int32') extra.push({ anyOf: [{ not: { type: 'number' } }, { type: 'integer', ...INT32 }] });
  else if (out.format === 'int64') extra.push({ anyOf: [{ not: { type: 'number' } }, { type: 'integer' }] });
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    extra.push({ $ref: out.$ref });
    delete out.$ref;
  }
  if (extra.length > 0) out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), ...extra];
  return out;
}

/** Formats whose examples are routinely placeholders, or whose RFC form is stricter than common usage (a `time` without offset): not judged, by Ajv or the screen. */
export const UNJUDGED_FORMATS = ['byte', 'binary', 'password', 'time', 'iso-time', 'regex', 'media-range'];

let formatsInstalled = false;

/**
 * cfworker checks string formats from one shared table: it gets exactly Ajv's string formats
 * (ajv-formats' full set, less the unjudged ones), so the two agree on every format. Number
 * formats are in `screenCopy`.
 */
function useAjvFormats(): void {
  if (formatsInstalled) return;
  formatsInstalled = true;
  const table = interpreterFormats as Record<string, ((value: string) => boolean) | undefined>;
  for (const name of Object.keys(table)) delete table[name];
  for (const [name, definition] of Object.entries(fullFormats)) {
    if (UNJUDGED_FORMATS.includes(name)) continue;
    const check = stringFormatCheck(definition);
    if (check) table[name] = check;
  }
}

function stringFormatCheck(definition: unknown): ((value: string) => boolean) | undefined {
  if (definition instanceof RegExp) return (value) => definition.test(value);
  if (typeof definition === 'function') return definition as (value: string) => boolean;
  if (definition && typeof definition === 'object') {
    const { type, validate } = definition as { type?: string; validate?: unknown };
    if (type !== undefined && type !== 'string') return undefined;
    return stringFormatCheck(validate);
  }
  return undefined;
}
