import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import { encodePointer, valueAt } from '../spec/refs';
import type { JsonPath } from '../types';

/**
 * Validates example values against the Schema Objects of an OpenAPI document with Ajv. Nothing is
 * compiled up front: the first example builds one Ajv instance for the analysis, each document's
 * schemas are registered once (a sanitised copy, see `poolCopy`), and one validator is compiled per
 * schema location and cached. Work is bounded by counts (compilations, validations), never by wall
 * time, so the same document gives the same findings on a busy CI machine and an idle laptop; when
 * a budget runs out, the remaining examples are left unchecked and the rule says so once.
 */
export class ExampleValidator {
  private ajv?: Ajv;
  private readonly bases = new Map<string, string>();
  private readonly documents = new Map<string, SpecDocument>();
  private readonly pooledKeys = new Map<string, Set<string>>();
  private readonly validators = new Map<string, ValidateFunction | null>();
  private compilations = 0;
  private copiedNodes = 0;
  private validations = 0;
  readonly legacy: boolean;

  static readonly MAX_COMPILATIONS = 100;
  static readonly MAX_VALIDATIONS = 5000;
  static readonly MAX_POOL_NODES = 1_500_000;

  constructor(private readonly context: SpecContext) {
    this.legacy = context.doc.version === '2.0' || context.doc.version === '3.0';
  }

  /** False once a budget is spent: callers stop looking for more examples. */
  get hasBudget(): boolean {
    return this.validations < ExampleValidator.MAX_VALIDATIONS
      && this.compilations <= ExampleValidator.MAX_COMPILATIONS;
  }

  /**
   * Validates `value` against the schema at `schemaAt` in `doc`. Returns the errors, `[]` when the
   * value is valid, or undefined when the schema cannot be compiled (unresolvable `$ref`, a schema
   * Ajv rejects, an exhausted budget): the caller then stays silent.
   */
  validate(value: unknown, doc: SpecDocument, schemaAt: JsonPath): ErrorObject[] | undefined {
    if (!this.hasBudget) return undefined;
    const validator = this.validatorFor(doc, schemaAt);
    if (!validator) return undefined;
    this.validations++;
    try {
      return validator(value) ? [] : [...(validator.errors ?? [])];
    } catch {
      return undefined;
    }
  }

  /** The document registered under a pool base URI. */
  documentForBase(base: string): SpecDocument | undefined {
    return this.documents.get(base);
  }

  private validatorFor(doc: SpecDocument, at: JsonPath): ValidateFunction | undefined {
    const key = `${doc.uri}#${encodePointer(at)}`;
    const cached = this.validators.get(key);
    if (cached !== undefined) return cached ?? undefined;
    this.compilations++;
    let validator: ValidateFunction | null = null;
    try {
      const ajv = this.ajvInstance();
      const base = this.baseFor(doc);
      if (base) {
        // Schemas in the registered part of the document are compiled by reference (their `$ref`s
        // are then shared between validators); an inline schema elsewhere is compiled from a copy.
        const pooled = this.pooledKeys.get(doc.uri);
        if (!pooled || pooled.has(String(at[0]))) validator = ajv.compile({ $ref: `${base}#${fragment(at)}` });
        else validator = ajv.compile(this.copyForAjv(doc, base, valueAt(doc.root, at).value) as object);
      }
    } catch {
      validator = null;
    }
    this.validators.set(key, validator);
    return validator ?? undefined;
  }

  private ajvInstance(): Ajv {
    if (this.ajv) return this.ajv;
    const options = {
      strict: false,
      allErrors: true,
      verbose: true,
      validateSchema: false,
      unicodeRegExp: false,
      logger: false as const,
      addUsedSchema: false,
      // Each referenced schema compiled once as its own function and shared by every validator.
      inlineRefs: false,
      // Each validator runs over a handful of examples: optimising its generated code costs more
      // than it saves (half the compile time on GitHub's description).
      code: { optimize: false },
    };
    const ajv: Ajv = this.legacy ? (new AjvDraft04(options) as unknown as Ajv) : new Ajv2020(options);
    addFormats(ajv);
    // Formats whose examples are routinely placeholders, or whose RFC form is stricter than common
    // usage (a `time` without offset): not judged.
    for (const name of ['byte', 'binary', 'password', 'time', 'iso-time', 'regex', 'media-range']) ajv.addFormat(name, true);
    this.ajv = ajv;
    return ajv;
  }

  /** Registers `doc` (once) under a synthetic base URI and returns that URI. */
  private baseFor(doc: SpecDocument): string | undefined {
    const known = this.bases.get(doc.uri);
    if (known !== undefined) return known || undefined;
    const base = `https://apilens.invalid/document/${this.bases.size}`;
    this.bases.set(doc.uri, base);
    this.documents.set(base, doc);
    try {
      // The main document registers only where reusable schemas live (components / definitions);
      // a referenced file is registered whole (it is usually a schema or a fragment).
      let pool: unknown;
      if (doc === this.context.doc && isPlainObject(doc.root)) {
        const keys = new Set(['components', 'definitions']);
        this.pooledKeys.set(doc.uri, keys);
        const root: Record<string, unknown> = {};
        for (const key of keys) if (key in doc.root) root[key] = doc.root[key];
        pool = this.copyForAjv(doc, base, root);
      } else {
        pool = this.copyForAjv(doc, base, doc.root);
      }
      this.ajvInstance().addSchema(pool as object, base);
    } catch {
      this.bases.set(doc.uri, '');
      return undefined;
    }
    return base;
  }

  /**
   * A copy of the document for Ajv: every `$ref` made absolute (local ones against `base`, other
   * files against their own registration), `$id`s dropped (a document is addressed by pointers), and
   * for 2.0/3.0 the OpenAPI dialect mapped to what Ajv understands (`x-nullable`, `nullable` without
   * `type`, `type: file`, boolean `required`). Shared YAML anchors stay shared.
   */
  private copyForAjv(doc: SpecDocument, base: string, value: unknown): unknown {
    const legacy = this.legacy;
    const rewriteRef = (ref: string): string => {
      if (ref.startsWith('#')) return base + '#' + ref.slice(1);
      const hash = ref.indexOf('#');
      const filePart = hash >= 0 ? ref.slice(0, hash) : ref;
      const fragmentPart = hash >= 0 ? ref.slice(hash + 1) : '';
      const target = this.context.refs.resolve(doc, filePart + '#');
      if (!target.ok) return 'https://apilens.invalid/unresolvable';
      const targetBase = this.bases.get(target.doc.uri) ?? this.baseFor(target.doc);
      return targetBase ? `${targetBase}#${fragmentPart}` : 'https://apilens.invalid/unresolvable';
    };
    // No memo: Ajv walks the registered value as a tree, so shared YAML anchors are expanded here
    // and the node budget bounds what an alias-heavy document can cost.
    const copy = (value: unknown, depth: number, parentKey: string): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (++this.copiedNodes > ExampleValidator.MAX_POOL_NODES || depth > 200) throw new Error('document too large for example validation');
      if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, ''));
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const isNameMap = SCHEMA_MAP_KEYS.has(parentKey);
      for (const [key, item] of Object.entries(record)) {
        if (key === '$ref' && typeof item === 'string') { out.$ref = rewriteRef(item); continue; }
        if (!isNameMap) {
          // Annotations Ajv never reads, and identifiers that would re-base pointers.
          if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
          if ((key === '$id' || key === '$schema' || key === '$anchor' || key === '$dynamicRef' || key === '$dynamicAnchor') && typeof item === 'string') continue;
          if (legacy && key === 'id' && typeof item === 'string') continue;
          if (key === 'required' && typeof item === 'boolean') continue;
        }
        out[key] = copy(item, depth + 1, key);
      }
      if (legacy && !isNameMap) {
        if (record['x-nullable'] === true && record.type !== undefined) out.nullable = true;
        if (out.type === 'file') delete out.type;
        if (out.nullable !== undefined && (out.type === undefined || out.nullable !== true)) delete out.nullable;
      }
      return out;
    };
    return copy(value, 0, '');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keys whose value maps names to schemas (a property may be called `example` or `x-id`). */
const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'schemas']);

/** A JSON path as a URI fragment Ajv resolves back to the same node. */
function fragment(at: JsonPath): string {
  return at.map((segment) => '/' + encodeURIComponent(String(segment).replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
}

/** Ajv's instancePath (`/items/0/quantity`) as path segments. */
export function instanceSegments(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `items[0].quantity` for messages. */
export function describeInstance(segments: string[]): string {
  let text = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) text += `[${segment}]`;
    else text += (text ? '.' : '') + segment;
  }
  return text;
}
