import { format as interpreterFormats, validate as interpret, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { ErrorObject } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import { isRecord } from '../engine/spec-context';
import { decodePointer, encodePointer, valueAt } from '../spec/refs';

/**
 * Example values against schema copies, by a JSON Schema validator that interprets the schema
 * (`@cfworker/json-schema`) rather than compiling it. Compiling (Ajv's code generation) cost 1.7-4
 * ms per schema location on GitHub's description, where a validator serves a handful of examples;
 * interpreting a schema over one example takes microseconds. Errors come back in the shape of
 * Ajv's `ErrorObject` (keyword, instancePath, params, data, parentSchema), which the rule's
 * messages and its OpenAPI judgement read.
 *
 * The copies are plain JSON Schema (`plainJsonSchema`); `$ref`s are absolute unit refs, resolved
 * on demand against the units' copies. String formats are ajv-formats' own checks.
 */
export class SchemaCheck {
  private readonly resolved = new Map<string, unknown>();
  /** What cfworker's `$ref` lookup reads: absolute refs of the registered units, resolved on demand. */
  private readonly lookup: Record<string, Schema | boolean>;

  /**
   * `unitCopy(id)`: the copy registered for a unit id, or undefined. `legacy`: Swagger 2.0 and
   * OpenAPI 3.0 schemas are draft 4; 3.1 and later are 2020-12.
   */
  constructor(private readonly unitCopy: (id: string) => unknown, private readonly legacy: boolean) {
    useAjvFormats();
    this.lookup = new Proxy({}, { get: (_, uri) => (typeof uri === 'string' ? this.resolve(uri) : undefined) }) as Record<string, Schema | boolean>;
  }

  /**
   * The example's errors against the schema at `ref` (`[]` when it is valid), shaped as Ajv's, with
   * Ajv's message where the rule prints one; undefined when the schema cannot be read (a `$ref` that
   * leads nowhere, a pattern no engine takes, a cycle of `$ref`s).
   */
  errors(value: unknown, ref: string): ErrorObject[] | undefined {
    const root = { $ref: ref };
    const draft = this.legacy ? '4' : '2020-12';
    let units: OutputUnit[];
    try {
      // Most examples are valid: the first pass stops at the first error, the second lists them all.
      if (interpret(value, root, draft, this.lookup, true).valid) return [];
      units = interpret(value, root, draft, this.lookup, false).errors;
    } catch {
      return undefined;
    }
    const errors: ErrorObject[] = [];
    units.forEach((unit, index) => {
      const error = unit.keyword === 'false' ? falseSchemaError(unit, units[index - 1], value) : this.asAjvError(unit, value, root);
      if (error) errors.push(error);
    });
    // Invalid, yet no error it can name: not judged rather than called valid.
    return errors.length > 0 ? errors : undefined;
  }

  private asAjvError(unit: OutputUnit, value: unknown, root: object): ErrorObject | undefined {
    const instance = pointerSegments(unit.instanceLocation);
    const schemaPath = pointerSegments(unit.keywordLocation);
    const keyword = unit.keyword;
    if (WRAPPER_KEYWORDS.has(keyword)) return undefined;
    const parentSchema = this.schemaAt(root, schemaPath.slice(0, -1));
    if (!isRecord(parentSchema)) return undefined;
    let instancePath = encodePointer(instance);
    let data = valueAt(value, instance).value;
    const params: Record<string, unknown> = {};
    let message: string | undefined;
    switch (keyword) {
      case 'type': {
        const type = (parentSchema as Record<symbol, unknown>)[AJV_TYPE] ?? parentSchema.type;
        params.type = Array.isArray(type) ? type.join(',') : type;
        break;
      }
      case 'required':
        params.missingProperty = /required property "(.*)"\.$/s.exec(unit.error)?.[1];
        break;
      case 'additionalProperties':
      case 'unevaluatedProperties': {
        // The property's own errors follow when the schema is not `false`.
        if (parentSchema[keyword] !== false) return undefined;
        const property = /^Property "(.*)" does not match/s.exec(unit.error)?.[1];
        if (property === undefined) return undefined;
        params[keyword === 'additionalProperties' ? 'additionalProperty' : 'unevaluatedProperty'] = property;
        break;
      }
      case 'enum':
        params.allowedValues = parentSchema.enum;
        break;
      case 'const':
        params.allowedValue = parentSchema.const;
        break;
      case 'format':
        if (typeof parentSchema.format === 'string' && parentSchema.format.startsWith(PLAIN_PATTERN_FORMAT)) {
          params.pattern = parentSchema.format.slice(PLAIN_PATTERN_FORMAT.length);
          return { keyword: 'pattern', instancePath, schemaPath: unit.keywordLocation, params, data, parentSchema } as ErrorObject;
        }
        params.format = parentSchema.format;
        break;
      case 'pattern':
        params.pattern = parentSchema.pattern;
        break;
      case 'oneOf': {
        const matches = Number(/\((\d+) matches\)/.exec(unit.error)?.[1] ?? 0);
        params.passingSchemas = matches > 1 ? [...Array(matches).keys()] : null;
        break;
      }
      case 'dependencies':
      case 'dependentRequired': {
        const pair = /^Instance has "(.*)" but does not have "(.*)"\.$/s.exec(unit.error);
        if (!pair) return undefined; // the schema form: its own errors follow
        message = `must have property ${pair[2]} when property ${pair[1]} is present`;
        break;
      }
      default:
        message = ajvMessage(keyword, parentSchema, data, unit.error, this.legacy);
    }
    if (keyword === 'propertyNames') {
      instancePath = encodePointer(instance.slice(0, -1));
      data = valueAt(value, instance.slice(0, -1)).value;
    }
    return { keyword, instancePath, schemaPath: unit.keywordLocation, params, message, data, parentSchema } as ErrorObject;
  }

  /** The schema node at a path through schemas, where a `$ref` segment follows that node's ref. */
  private schemaAt(root: unknown, path: readonly (string | number)[]): unknown {
    let node = root;
    for (const segment of path) {
      if (node === null || typeof node !== 'object') return undefined;
      const record = node as Record<string, unknown>;
      node = segment === '$ref' && typeof record.$ref === 'string' ? this.resolve(record.$ref) : record[String(segment)];
    }
    return node;
  }

  /** Units were dropped: forget the refs resolved into them (a new copy gets a new id). */
  forget(unitIds: Set<string>): void {
    for (const uri of this.resolved.keys()) {
      const hash = uri.indexOf('#');
      if (unitIds.has(hash >= 0 ? uri.slice(0, hash) : uri)) this.resolved.delete(uri);
    }
  }

  private resolve(uri: string): unknown {
    if (this.resolved.has(uri)) return this.resolved.get(uri);
    const hash = uri.indexOf('#');
    let node = this.unitCopy(hash >= 0 ? uri.slice(0, hash) : uri);
    if (node === undefined) return undefined;
    const path = decodePointer(hash >= 0 ? uri.slice(hash + 1) : '');
    if (!path) return undefined;
    node = valueAt(node, path).value;
    this.resolved.set(uri, node);
    return node;
  }
}

/** cfworker's errors that only say a subschema had errors: those errors follow in the list. */
const WRAPPER_KEYWORDS = new Set(['$ref', '$recursiveRef', 'properties', 'patternProperties', 'items', 'prefixItems', 'additionalItems', 'unevaluatedItems', 'allOf', 'dependentSchemas', 'if', 'then', 'else']);

/**
 * A `false` schema the value reached. cfworker reports it after the keyword that led there; under
 * `additionalProperties: false` (or unevaluated) that keyword's error names the property instead.
 */
function falseSchemaError(unit: OutputUnit, before: OutputUnit | undefined, value: unknown): ErrorObject | undefined {
  if (before && (before.keyword === 'additionalProperties' || before.keyword === 'unevaluatedProperties') && /^Property ".*" does not match/s.test(before.error)) return undefined;
  const instance = pointerSegments(unit.instanceLocation);
  return { keyword: 'false schema', instancePath: encodePointer(instance), schemaPath: unit.keywordLocation, params: {}, message: 'boolean schema is false', data: valueAt(value, instance).value } as ErrorObject;
}

/** The `type` Ajv reports for a schema whose `nullable` the copy spelled as a type. */
const AJV_TYPE = Symbol('the type Ajv reports');

/** `#/a~1b/0` (cfworker's locations, URI-encoded pointers) as path segments; [] when unreadable. */
function pointerSegments(location: string): string[] {
  return (decodePointer(location.slice(1)) ?? []).map(String);
}

/** Ajv's message for a keyword whose message the rule prints as it is. */
function ajvMessage(keyword: string, schema: Record<string, unknown>, data: unknown, fallback: string, legacy: boolean): string {
  const limit = schema[keyword];
  switch (keyword) {
    case 'minimum': return `must be ${legacy && schema.exclusiveMinimum === true ? '>' : '>='} ${limit}`;
    case 'maximum': return `must be ${legacy && schema.exclusiveMaximum === true ? '<' : '<='} ${limit}`;
    case 'exclusiveMinimum': return `must be > ${limit}`;
    case 'exclusiveMaximum': return `must be < ${limit}`;
    case 'multipleOf': return `must be multiple of ${limit}`;
    case 'minLength': return `must NOT have fewer than ${limit} characters`;
    case 'maxLength': return `must NOT have more than ${limit} characters`;
    case 'minItems': return `must NOT have fewer than ${limit} items`;
    case 'maxItems': return `must NOT have more than ${limit} items`;
    case 'minProperties': return `must NOT have fewer than ${limit} properties`;
    case 'maxProperties': return `must NOT have more than ${limit} properties`;
    case 'contains':
    case 'minContains': return `must contain at least ${schema.minContains ?? 1} valid item(s)`;
    case 'maxContains': return `must contain at most ${limit} valid item(s)`;
    case 'propertyNames': return 'property name must be valid';
    case 'uniqueItems': {
      const [first, second] = [...fallback.matchAll(/\d+/g)].map((match) => Number(match[0])).sort((a, b) => a - b);
      return Array.isArray(data) && second !== undefined ? `must NOT have duplicate items (items ## ${second} and ${first} are identical)` : 'must NOT have duplicate items';
    }
    default: return fallback;
  }
}

const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
/** Formats named for a pattern only valid outside Unicode mode (see `plainJsonSchema`). */
const PLAIN_PATTERN_FORMAT = 'apilens-plain-pattern:';

/**
 * A schema record (already copied, its subschemas done) with what OpenAPI and Ajv, which apilens
 * followed until it interpreted schemas, add to JSON Schema, said in plain JSON Schema:
 * - `nullable: true` beside a `type` lets `null` through that type (the type without `null` is
 *   kept for messages, as Ajv reported it);
 * - a `$ref` with siblings: both apply (Ajv's reading, and 2019-09's), while a draft 4 interpreter
 *   ignores the siblings, so the `$ref` moves into an `allOf`;
 * - the number formats `int32` and `int64` (ajv-formats) become `integer` and its range, for numbers;
 * - a `pattern` only valid outside Unicode mode (`[\w-.]`, `\Z`, common in descriptions; cfworker
 *   reads patterns in Unicode mode, as JSON Schema means them) becomes a format that tests it in the
 *   plain mode, as Ajv did.
 */
export function plainJsonSchema(out: Record<string, unknown>, legacy: boolean): Record<string, unknown> {
  // A keyword of the wrong kind (`type: objectx`, `minLength: '3'`, often one being typed) makes
  // the schema unreadable: an interpreter would compare with it anyway, and Ajv refused to compile
  // it. An example that reaches it is not judged (the schema rule reports the schema).
  if (!wellFormed(out, legacy)) return { $ref: UNREADABLE };
  const extra: unknown[] = [];
  if (out.nullable !== undefined) {
    if (out.nullable === true && out.type !== undefined) {
      const types = Array.isArray(out.type) ? out.type : [out.type];
      if (!types.includes('null')) {
        out[AJV_TYPE as unknown as string] = out.type;
        out.type = [...types, 'null'];
      }
    }
    delete out.nullable;
  }
  if (out.format === 'int32') extra.push({ anyOf: [{ not: { type: 'number' } }, { type: 'integer', ...INT32 }] });
  else if (out.format === 'int64') extra.push({ anyOf: [{ not: { type: 'number' } }, { type: 'integer' }] });
  if (typeof out.pattern === 'string' && !isUnicodePattern(out.pattern)) {
    const format = plainPatternFormat(out.pattern);
    if (format) {
      extra.push({ format });
      delete out.pattern;
    }
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    extra.push({ $ref: out.$ref });
    delete out.$ref;
  }
  if (extra.length > 0) out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), ...extra];
  return out;
}

/** A ref no unit answers: cfworker throws when it reaches it, and the example is not judged. */
const UNREADABLE = 'https://apilens.invalid/unreadable';
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const SCHEMA_OR_BOOLEAN = ['object', 'boolean'];
/** The kinds of value each keyword takes (as Ajv checked them when compiling). */
const KEYWORD_KINDS: Record<string, string[]> = {
  required: ['array'], enum: ['array'], prefixItems: ['array'], allOf: ['array'], anyOf: ['array'], oneOf: ['array'],
  minimum: ['number'], maximum: ['number'], multipleOf: ['number'], minLength: ['number'], maxLength: ['number'],
  minItems: ['number'], maxItems: ['number'], minProperties: ['number'], maxProperties: ['number'], minContains: ['number'], maxContains: ['number'],
  pattern: ['string'], format: ['string'], uniqueItems: ['boolean'],
  properties: ['object'], patternProperties: ['object'], dependentSchemas: ['object'], dependentRequired: ['object'], dependencies: ['object'],
  additionalProperties: SCHEMA_OR_BOOLEAN, unevaluatedProperties: SCHEMA_OR_BOOLEAN, propertyNames: SCHEMA_OR_BOOLEAN, contains: SCHEMA_OR_BOOLEAN,
  not: SCHEMA_OR_BOOLEAN, if: SCHEMA_OR_BOOLEAN, then: SCHEMA_OR_BOOLEAN, else: SCHEMA_OR_BOOLEAN, additionalItems: SCHEMA_OR_BOOLEAN,
  unevaluatedItems: SCHEMA_OR_BOOLEAN, items: ['object', 'boolean', 'array'],
};

function wellFormed(schema: Record<string, unknown>, legacy: boolean): boolean {
  for (const key in schema) {
    const kinds = key === 'exclusiveMinimum' || key === 'exclusiveMaximum' ? [legacy ? 'boolean' : 'number'] : KEYWORD_KINDS[key];
    if (kinds && !kinds.includes(jsonKind(schema[key]))) return false;
  }
  const type = schema.type;
  if (type === undefined) return true;
  return (Array.isArray(type) ? type : [type]).every((name) => typeof name === 'string' && JSON_TYPES.has(name));
}

function jsonKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

const unicodePatterns = new Map<string, boolean>();

function isUnicodePattern(pattern: string): boolean {
  let valid = unicodePatterns.get(pattern);
  if (valid === undefined) {
    if (unicodePatterns.size >= MAX_PATTERNS_KEPT) unicodePatterns.clear();
    try {
      new RegExp(pattern, 'u');
      valid = true;
    } catch {
      valid = false;
    }
    unicodePatterns.set(pattern, valid);
  }
  return valid;
}

/** A format (registered in cfworker's table) that tests `pattern` without the Unicode flag; undefined when no engine takes it. */
function plainPatternFormat(pattern: string): string | undefined {
  const name = PLAIN_PATTERN_FORMAT + pattern;
  const table = interpreterFormats as Record<string, ((value: string) => boolean) | undefined>;
  if (table[name]) return name;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  // A server that reads many versions of many documents must not grow the table without end.
  if (plainPatternFormats.size >= MAX_PATTERNS_KEPT) {
    for (const old of plainPatternFormats) delete table[old];
    plainPatternFormats.clear();
  }
  plainPatternFormats.add(name);
  table[name] = (value) => regex.test(value);
  return name;
}

const plainPatternFormats = new Set<string>();
const MAX_PATTERNS_KEPT = 5000;

/** Formats whose examples are routinely placeholders, or whose RFC form is stricter than common usage (a `time` without offset): not judged. */
const UNJUDGED_FORMATS = ['byte', 'binary', 'password', 'time', 'iso-time', 'regex', 'media-range'];

let formatsInstalled = false;

/**
 * cfworker checks string formats from one shared table: it gets ajv-formats' string formats (the
 * full set, less the unjudged ones) in place of its own. Number formats are in `plainJsonSchema`.
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
