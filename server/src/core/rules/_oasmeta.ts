import type { ErrorObject } from 'ajv';
import { SchemaCheck, plainJsonSchema } from './_schema-check';
import { isRecord, type SpecContext } from '../engine/spec-context';
import { samePath } from '../engine/spec-helpers';
import type { SpecDocument } from '../spec/document';
import { decodePointer, encodePointer, valueAt } from '../spec/refs';
import type { JsonPath } from '../types';

/**
 * Validates example values against the Schema Objects of an OpenAPI document. Each schema an
 * example needs is copied as a unit (one component, e.g. `components/schemas/User`, or the subtree
 * a `$ref` names) together with the units its `$ref`s reach, and nothing else: copying a large
 * description's whole `components` costs more than validating all its examples. The copies are
 * plain JSON Schema (the OpenAPI dialect spelled out, `$ref`s made absolute), and `SchemaCheck`
 * interprets them: nothing is compiled, which on GitHub's description made Ajv's code generation
 * most of the rule's cost and kept it to a budget that checked a few of its examples. Work is
 * bounded by counts (validations, copied nodes), never by wall time, so the same document gives the
 * same findings on a busy CI machine and an idle laptop; when a budget runs out, the remaining
 * examples are left unchecked and the rule says so once.
 *
 * In the editor the validator outlives a version (`ExampleValidator.for`): a unit whose value is
 * still the same object (the parser keeps unchanged parts) keeps its copy and the answers given
 * for unchanged examples; a changed unit, and every unit whose copy refers to it, is dropped and
 * copied again when an example needs it.
 */
export class ExampleValidator {
  /** Registered units by id (with their copy), and the id of each registered (document, unit path). */
  private readonly units = new Map<string, { doc: SpecDocument; path: JsonPath; value: unknown; key: string; isSchema: boolean; copy: object | null }>();
  private check?: SchemaCheck;
  private readonly unitIds = new Map<string, string>();
  /** Unit id -> the units whose copies refer to it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Units whose copy holds a `$ref` that led nowhere: registered again in each version, as the target may exist then. */
  private readonly unitsWithBrokenRefs = new Set<string>();
  private readonly documentIds = new Map<string, number>();
  /**
   * Schema locations by their schema node (an object of one parse of one document): no pointer
   * string is made per example, and an entry goes with its node. The few whose schema is no
   * object (`true`), or whose node sits at a second path (a YAML alias), are kept by pointer.
   */
  private readonly locationsByNode = new WeakMap<object, SchemaLocation>();
  private readonly locationsByPointer = new Map<string, SchemaLocation>();
  /** Counts analyses: a location whose units could not be registered holds for its own only. */
  private analysis = 0;
  private registering?: string;
  private unitsEverRegistered = 0;
  private copiedNodes = 0;
  private validations = 0;
  private exhausted = false;
  readonly legacy: boolean;

  /** The validator for this analysis: the one kept from the document's previous version when there is one. */
  static for(context: SpecContext): ExampleValidator {
    const kept = context.memory?.get(MEMORY_KEY);
    if (kept instanceof ExampleValidator && kept.legacy === isLegacy(context) && kept.context.doc.uri === context.doc.uri && kept.unitsEverRegistered < MAX_UNITS_KEPT) {
      kept.startAnalysis(context);
      return kept;
    }
    const validator = new ExampleValidator(context);
    context.memory?.set(MEMORY_KEY, validator);
    return validator;
  }

  static readonly MAX_VALIDATIONS = 5000;
  static readonly MAX_POOL_NODES = 1_500_000;

  constructor(private context: SpecContext) {
    this.legacy = isLegacy(context);
  }

  /** A new version: budgets start again, units whose value changed (and their dependents) are dropped. */
  private startAnalysis(context: SpecContext): void {
    this.context = context;
    this.analysis++;
    this.copiedNodes = 0;
    this.validations = 0;
    this.exhausted = false;
    const stale: string[] = [];
    for (const [id, unit] of this.units) {
      const now = unit.doc.uri === context.doc.uri ? valueAt(context.doc.root, unit.path) : undefined;
      // Units of other files are read through this analysis' resolver: registered again. So is a
      // unit with a `$ref` that led nowhere: its target may exist now.
      if (!now?.found || now.value !== unit.value || this.unitsWithBrokenRefs.has(id)) stale.push(id);
      else unit.doc = context.doc;
    }
    const dropped = new Set<string>();
    while (stale.length > 0) {
      const id = stale.pop()!;
      if (dropped.has(id)) continue;
      dropped.add(id);
      for (const dependent of this.dependents.get(id) ?? []) stale.push(dependent);
    }
    for (const id of dropped) {
      const unit = this.units.get(id);
      if (unit) this.unitIds.delete(unit.key);
      this.units.delete(id);
      this.dependents.delete(id);
      this.unitsWithBrokenRefs.delete(id);
    }
    if (dropped.size > 0) this.check?.forget(dropped);
    for (const [key, entry] of this.locationsByPointer) {
      if (!this.holds(entry)) this.locationsByPointer.delete(key);
    }
  }

  /**
   * A location on a dropped unit is stale (ids are never reused, so its unit is gone for good); so
   * is one whose units could not be registered (a budget ran out) in an earlier analysis: it is
   * tried again.
   */
  private holds(location: SchemaLocation): boolean {
    return location.unitId !== undefined ? this.units.has(location.unitId) : location.madeIn === this.analysis;
  }

  /** Examples validated in this analysis (those a kept record stands for counted too). */
  get validationCount(): number {
    return this.validations;
  }

  countValidations(count: number): void {
    this.validations += count;
  }

  /** True while the unit is registered: it, and every unit it reaches, unchanged. */
  hasUnit(id: string): boolean {
    return this.units.has(id);
  }

  /** False once an example was left unchecked for the budget: callers stop looking for more. */
  get hasBudget(): boolean {
    return !this.exhausted;
  }

  /**
   * Validates `value` against the schema at `schemaAt` in `doc`. Returns the errors (shaped as
   * Ajv's), `[]` when the value is valid, or undefined when the schema cannot be judged
   * (unresolvable `$ref`, a pattern no regular expression engine takes, an exhausted budget): the
   * caller then stays silent.
   */
  validate(value: unknown, doc: SpecDocument, schemaAt: JsonPath, unitIds?: string[]): ErrorObject[] | undefined {
    if (this.validations >= ExampleValidator.MAX_VALIDATIONS) this.exhausted = true;
    if (this.exhausted) return undefined;
    const target = this.referencedSchema(doc, schemaAt);
    const location = this.locationOf(target.doc, target.at);
    // The unit the answer depends on (it is dropped when anything it reaches changes); none
    // registered: the answer may change with nothing else changing, '' is never registered.
    const unitId = location.unitId ?? '';
    if (unitIds && !unitIds.includes(unitId)) unitIds.push(unitId);
    if (location.ref === undefined) return undefined;
    this.validations++;
    // The same example against the same schema: the answer of an earlier version (the parser
    // keeps the objects of unchanged parts, and a changed schema is another location entry).
    const isObject = typeof value === 'object' && value !== null;
    const known = isObject ? location.answers?.get(value) : undefined;
    if (known) return known;
    this.check ??= new SchemaCheck((id) => this.units.get(id)?.copy ?? undefined, this.legacy);
    const errors = this.check.errors(value, location.ref);
    if (errors && isObject) (location.answers ??= new WeakMap()).set(value, errors);
    return errors;
  }

  /**
   * Where a schema that is only a `$ref` (plus annotations) leads: every response that says
   * `$ref: '#/components/schemas/repository'` then shares one compiled validator.
   */
  private referencedSchema(doc: SpecDocument, at: JsonPath): { doc: SpecDocument; at: JsonPath } {
    let current = { doc, at };
    for (let hops = 0; hops < 8; hops++) {
      const node = valueAt(current.doc.root, current.at).value;
      if (!isRecord(node) || typeof node.$ref !== 'string' || !Object.keys(node).every((key) => REF_SIBLINGS_WITHOUT_EFFECT.has(key) || key.startsWith('x-'))) break;
      const resolved = this.context.refs.resolve(current.doc, node.$ref);
      if (!resolved.ok) break;
      current = { doc: resolved.doc, at: resolved.path };
    }
    return current;
  }

  /** The document and path a rewritten `$ref` (as found in an error's `parentSchema`) points at. */
  targetOf(ref: string): { doc: SpecDocument; path: JsonPath } | undefined {
    const hash = ref.indexOf('#');
    const unit = this.units.get(hash >= 0 ? ref.slice(0, hash) : ref);
    if (!unit) return undefined;
    const rest = decodePointer(hash >= 0 ? ref.slice(hash + 1) : '');
    if (!rest) return undefined;
    if (unit.isSchema) return { doc: unit.doc, path: [...unit.path, ...rest] };
    if (rest[0] !== UNIT_KEY) return undefined;
    return { doc: unit.doc, path: [...unit.path, ...rest.slice(1)] };
  }

  /** The schema location at `at` in `doc`, its units registered (or, when that failed, without a ref). */
  private locationOf(doc: SpecDocument, at: JsonPath): SchemaLocation {
    const node = valueAt(doc.root, at).value;
    const byNode = typeof node === 'object' && node !== null ? this.locationsByNode.get(node) : undefined;
    if (byNode && byNode.doc === doc.uri && samePath(byNode.at, at) && this.holds(byNode)) return byNode;
    const pointer = `${doc.uri}#${encodePointer(at)}`;
    const byPointer = this.locationsByPointer.get(pointer);
    if (byPointer) return byPointer;
    const location: SchemaLocation = { doc: doc.uri, at, madeIn: this.analysis };
    try {
      const ref = this.refTo(doc, at);
      // A schema component is referred to by its id alone, anything else by a fragment of its unit.
      const hash = ref.indexOf('#');
      location.unitId = hash >= 0 ? ref.slice(0, hash) : ref;
      location.ref = ref;
    } catch {
      // Not registered (a budget ran out, a `$ref` led nowhere): silent.
    }
    // The node's first path keeps it by node; another path (an alias) or no object, by pointer.
    if (typeof node === 'object' && node !== null && (!byNode || !this.holds(byNode))) this.locationsByNode.set(node, location);
    else this.locationsByPointer.set(pointer, location);
    return location;
  }

  /**
   * An absolute `$ref` to the node at `path` in `doc`, registering the unit that holds it (and,
   * through the copy's rewritten refs, every unit it reaches). A component is its own unit; any
   * other node is a unit of its own; a file reached by a `$ref` to its root is one unit.
   */
  private refTo(doc: SpecDocument, path: JsonPath): string {
    const unitLength = path[0] === 'components' ? 3 : path[0] === 'definitions' || path[0] === 'parameters' || path[0] === 'responses' ? 2 : path.length;
    const unitPath = path.length >= unitLength ? path.slice(0, unitLength) : path;
    const isSchema = unitPath.length === unitLength && isSchemaUnit(unitPath);
    const id = this.registerUnit(doc, unitPath, isSchema);
    const inside = path.slice(unitPath.length);
    if (isSchema) return inside.length === 0 ? id : `${id}#${fragment(inside)}`;
    return `${id}#/${UNIT_KEY}${fragment(inside)}`;
  }

  private registerUnit(doc: SpecDocument, unitPath: JsonPath, isSchema: boolean): string {
    const key = `${doc.uri}#${encodePointer(unitPath)}`;
    const known = this.unitIds.get(key);
    if (known) {
      if (this.registering) this.dependentsOf(known).add(this.registering);
      return known;
    }
    let documentId = this.documentIds.get(doc.uri);
    if (documentId === undefined) this.documentIds.set(doc.uri, documentId = this.documentIds.size);
    const id = `https://apilens.invalid/document/${documentId}/unit/${this.unitsEverRegistered++}`;
    const target = valueAt(doc.root, unitPath);
    if (!target.found) throw new Error('unresolvable');
    if (this.registering) this.dependentsOf(id).add(this.registering);
    this.unitIds.set(key, id);
    const unit = { doc, path: unitPath, value: target.value, key, isSchema, copy: null as object | null };
    this.units.set(id, unit);
    // Registered before its copy is made, so a cycle of `$ref`s ends at this id. A schema component
    // is a schema as a whole; any other unit (a response, a parameter, a path item) sits under a
    // key that is no keyword, as its own keys are not schema keywords.
    const outer = this.registering;
    this.registering = id;
    try {
      const copy = this.copyUnit(doc, target.value);
      unit.copy = isSchema ? copy as object : { [UNIT_KEY]: copy };
    } catch (error) {
      // Not registered (a budget ran out): asked again, it is registered again.
      this.unitIds.delete(key);
      this.units.delete(id);
      throw error;
    } finally {
      this.registering = outer;
    }
    return id;
  }

  private dependentsOf(id: string): Set<string> {
    let set = this.dependents.get(id);
    if (!set) this.dependents.set(id, set = new Set());
    return set;
  }

  /**
   * A copy of a unit as plain JSON Schema: every `$ref` made absolute (pointing at the registered
   * unit that holds its target, registered on the way), `$id`s dropped (a document is addressed by
   * pointers), and the OpenAPI dialect spelled out (`nullable`, boolean `required`; for 2.0/3.0
   * also `x-nullable` and `type: file`; then `plainJsonSchema`).
   */
  private copyUnit(doc: SpecDocument, value: unknown): unknown {
    const legacy = this.legacy;
    const unit = this.registering;
    const unresolvable = (): string => {
      if (unit) this.unitsWithBrokenRefs.add(unit);
      return 'https://apilens.invalid/unresolvable';
    };
    const rewriteRef = (ref: string): string => {
      const hash = ref.indexOf('#');
      const filePart = hash >= 0 ? ref.slice(0, hash) : ref;
      const pointer = decodePointer(hash >= 0 ? ref.slice(hash + 1) : '');
      if (!pointer) return unresolvable();
      const target = filePart === '' ? { ok: true as const, doc } : this.context.refs.resolve(doc, filePart + '#');
      if (!target.ok) return unresolvable();
      try {
        return this.refTo(target.doc, pointer);
      } catch {
        return unresolvable();
      }
    };
    // No memo: shared YAML anchors are expanded here (a copy is a tree), and the node budget
    // bounds what an alias-heavy document can cost.
    const copy = (value: unknown, depth: number, parentKey: string): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (++this.copiedNodes > ExampleValidator.MAX_POOL_NODES || depth > 200) throw new Error('document too large for example validation');
      if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, ''));
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const isNameMap = SCHEMA_MAP_KEYS.has(parentKey);
      for (const key in record) {
        const item = record[key];
        if (key === '$ref' && typeof item === 'string') { out.$ref = rewriteRef(item); continue; }
        if (!isNameMap) {
          // Annotations no validator reads (held for every example's schema, they were a good part
          // of the copies), and identifiers that would re-base pointers.
          if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
          if ((key === '$id' || key === '$schema' || key === '$anchor' || key === '$dynamicRef' || key === '$dynamicAnchor') && typeof item === 'string') continue;
          if (legacy && key === 'id' && typeof item === 'string') continue;
          if (key === 'required' && typeof item === 'boolean') continue;
          // Values, not schemas: read as they are.
          if (key === 'enum' || key === 'const') { out[key] = item; continue; }
        }
        out[key] = copy(item, depth + 1, key);
      }
      if (legacy && !isNameMap) {
        if (record['x-nullable'] === true && record.type !== undefined) out.nullable = true;
        if (out.type === 'file') delete out.type;
      }
      // `nullable` only lets `null` through a `type` (without one it says nothing); 3.1 dropped the
      // keyword, but documents still carry it, and it is read there the same way.
      if (!isNameMap && out.nullable !== undefined && (out.type === undefined || out.nullable !== true)) delete out.nullable;
      return isNameMap ? out : plainJsonSchema(out, legacy);
    };
    return copy(value, 0, '');
  }
}

/** A schema location examples are checked against: its ref, and the answers given there per example object. */
interface SchemaLocation {
  /** Where it is: the document's uri and the path in it. */
  doc: string;
  at: JsonPath;
  madeIn: number;
  ref?: string;
  unitId?: string;
  answers?: WeakMap<object, ErrorObject[]>;
}

const MEMORY_KEY = 'oas-examples-valid';
/** A validator kept across versions starts afresh after this many registrations (ids are never reused). */
const MAX_UNITS_KEPT = 20_000;

function isLegacy(context: SpecContext): boolean {
  return context.doc.version === '2.0' || context.doc.version === '3.0';
}

/** Schema keywords that only describe: neither a validator nor the rule's messages read them. */
const ANNOTATIONS = new Set(['example', 'examples', 'description', 'title', '$comment', 'externalDocs', 'xml', 'deprecated', 'default']);

/** Keys beside a `$ref` that never change what a value must look like: the annotations, and a Reference Object's `summary`. */
const REF_SIBLINGS_WITHOUT_EFFECT = new Set(['$ref', 'summary', ...ANNOTATIONS]);

/** `components/schemas/<name>` (2.0: `definitions/<name>`): a unit that is a Schema Object as a whole. */
function isSchemaUnit(unitPath: JsonPath): boolean {
  return unitPath[0] === 'components' ? unitPath[1] === 'schemas' : unitPath[0] === 'definitions';
}

/** The key a registered unit's schema sits under (see `registerUnit`). */
const UNIT_KEY = 'unit';

/** Keys whose value maps names to schemas (a property may be called `example` or `x-id`). */
const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'schemas']);

/** A JSON path as a URI fragment that resolves back to the same node. */
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
