import type { ErrorObject } from 'ajv';
import { defineRule, type SpecReport } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import { samePath } from '../engine/spec-helpers';
import type { SpecDocument } from '../spec/document';
import { encodePointer, valueAt } from '../spec/refs';
import type { JsonPath } from '../types';
import { ExampleValidator, describeInstance, instanceSegments } from './_oasmeta';

export default defineRule({
  id: 'oas-examples-valid',
  severity: 'warning',
  description: 'An example (`example`, `examples`, Example Object `value`/`dataValue`) that does not validate against its schema.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `Examples are the part of a contract people read first and tools reuse most: documentation renders them, mock servers return them, contract tests send them and SDK generators put them in doc comments. An example that contradicts its schema (a string where the schema says integer, a missing required field, an enum value that does not exist) teaches consumers the wrong shape and makes mocks return payloads the real API would reject. The guide asks for a contract that is precise enough to generate clients and tests from; examples are part of that contract. apilens validates every example against the schema it illustrates (media type \`example\`/\`examples\`, parameter and header examples, Schema Object \`example\` and 3.1 \`examples\`, Swagger 2.0 response \`examples\`), following \`$ref\`s, and points at the offending value inside the example. It stays silent where the OpenAPI semantics make a mismatch expected: a required \`readOnly\` property missing from a request example (or \`writeOnly\` from a response), a parameter example written in its serialised string form, \`externalValue\`/\`serializedValue\` examples, and non-JSON media types whose example is the serialised text.`,
    bad: `components:
  schemas:
    Order:
      type: object
      required: [id, quantity]
      properties:
        id: { type: string }
        quantity: { type: integer, minimum: 1 }
      example:
        id: ord_123
        quantity: two`,
    good: `components:
  schemas:
    Order:
      type: object
      required: [id, quantity]
      properties:
        id: { type: string }
        quantity: { type: integer, minimum: 1 }
      example:
        id: ord_123
        quantity: 2`,
    references: ['OpenAPI 3.1.1 §4.8.14 Media Type Object (example, examples)', 'OpenAPI 3.1.1 §4.8.19 Example Object', 'JSON Schema 2020-12 Validation'],
  },
  checkSpec(context) {
    new ExamplesCheck(context).run();
  },
});

type Origin = 'schema' | 'media' | 'parameter';

interface Site {
  /** The example value. */
  value: unknown;
  /** Where the value is written (for anchoring inside it). */
  valueDoc: SpecDocument;
  valueAt: JsonPath;
  /** Where to report when the value lives elsewhere (an Example Object behind a $ref). */
  usageAt?: JsonPath;
  usageDoc?: SpecDocument;
  schemaDoc: SpecDocument;
  schemaAt: JsonPath;
  origin: Origin;
  mediaType?: string;
}

/** How each keyword holds subschemas: a map of them, one, or a list (`items`: one or a list). */
const SCHEMA_CHILDREN = new Map<string, 'map' | 'single' | 'list'>([
  ...['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'].map((key) => [key, 'map'] as const),
  ...['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'contentSchema'].map((key) => [key, 'single'] as const),
  ...['allOf', 'anyOf', 'oneOf', 'prefixItems'].map((key) => [key, 'list'] as const),
]);
const MAX_SCHEMA_DEPTH = 48;
/** What may precede and follow the word in an `example`/`examples`/`x-example` key (YAML or JSON). */
const BEFORE_EXAMPLE_KEY = /(?:^|\n)[ \t]*(?:-[ \t]+)?['"]?(?:x-)?$|[{,][ \t]*['"]?(?:x-)?$/;
const AFTER_EXAMPLE_KEY = /^s?['"]?[ \t]*:/;

/**
 * True when the text has an example key; found by searching the word, then reading around it (the
 * document's own search and slices: the editor's large documents are held in pieces).
 */
function hasExampleKey(doc: SpecDocument): boolean {
  for (let at = doc.indexOf('example'); at >= 0; at = doc.indexOf('example', at + 7)) {
    if (AFTER_EXAMPLE_KEY.test(doc.slice(at + 7, at + 12)) && BEFORE_EXAMPLE_KEY.test(doc.slice(Math.max(0, at - 40), at))) return true;
  }
  return false;
}
/** A `$ref` (YAML or JSON, quoted or not) whose value does not start with `#`, read from its `$ref`. */
const EXTERNAL_REF = /^\$ref['"]?\s*:\s*['"]?(?!#)[^\s'"]/;
/** Blanks between `$ref:` and its value longer than this are not a document anyone writes. */
const REF_WINDOW = 1024;
function hasExternalRef(doc: SpecDocument): boolean {
  for (let at = doc.indexOf('$ref'); at >= 0; at = doc.indexOf('$ref', at + 4)) {
    if (EXTERNAL_REF.test(doc.slice(at, at + REF_WINDOW))) return true;
  }
  return false;
}

/**
 * What one root of the walk (a path item, a component entry) read and reported, kept in the editor
 * between analyses: typing in one path item of a large description must not walk and look up its
 * thousands of other examples again. The record holds while the root is the same object, its
 * operations are the same objects, every `$ref` it followed (those of its operations' parameters
 * and responses included) leads to the same object, and the schema units it validated against are
 * still registered (a changed unit, and every unit that refers to it, is dropped:
 * `ExampleValidator`).
 */
interface RootRecord {
  value: unknown;
  refs: Map<string, unknown>;
  /** Per operation: its path item and operation objects, and whether it is in another document. */
  operationParts: unknown[];
  unitIds: string[];
  /** Containers first visited in this root: later roots skip them, as a walk of the whole document does. */
  containers: { node: object; at: JsonPath }[];
  /** What it reported, every document being the one analysed. */
  reports: SpecReport[];
  validations: number;
}

const ROOTS_KEY = 'oas-examples-valid/roots';
const NOTHING_READ: Map<string, unknown> = new Map();
const NOTHING = Object.freeze([]) as never[];
/** What a recorded `$ref` is compared with when it now leads into another document: nothing recorded equals it. */
const NOT_HERE = Symbol('another document');

class ExamplesCheck {
  private readonly validator: ExampleValidator;
  /** The paths each container was visited at (see `firstVisit`). */
  private readonly visits = new Map<object, JsonPath | JsonPath[]>();
  private readonly reported = new Set<string>();
  /** The editor's records of the last analysis, and of this one (undefined in the CLI). */
  private previousRoots?: Map<string, RootRecord>;
  private roots?: Map<string, RootRecord>;
  /** The root being walked and recorded, and whether what it read can be kept. */
  private current?: RootRecord;
  private currentCacheable = true;
  private readonly swagger2: boolean;
  private readonly schemaExamplesKeyword: boolean;

  constructor(private readonly context: SpecContext) {
    this.validator = ExampleValidator.for(context);
    this.swagger2 = context.doc.version === '2.0';
    this.schemaExamplesKeyword = context.doc.version === '3.1' || context.doc.version === '3.2';
  }

  run() {
    const memory = this.context.memory;
    if (memory) {
      this.previousRoots = memory.get(ROOTS_KEY) as Map<string, RootRecord> | undefined;
      this.roots = new Map();
    }
    this.checkAll();
    // Records made while the budget ran out would replay a cut walk: none are kept then.
    if (memory) {
      if (this.validator.hasBudget) memory.set(ROOTS_KEY, this.roots);
      else memory.delete(ROOTS_KEY);
    }
    // A huge description can exhaust the budget: say so rather than look fully checked.
    if (this.context.doc.version && !this.validator.hasBudget) {
      this.context.report({
        at: [this.swagger2 ? 'swagger' : 'openapi'], part: 'value', severity: 'info',
        message: `Example validation stopped after ${ExampleValidator.MAX_VALIDATIONS} examples; the remaining examples of this document were not checked.`,
      });
    }
  }

  private checkAll() {
    const { context } = this;
    if (!context.doc.version) return;
    const doc = context.doc;
    // Nothing to check when the text holds no example and every `$ref` stays in this document:
    // walking every schema of a large description to find none costs more than the whole parse.
    if (!hasExampleKey(doc) && !hasExternalRef(doc)) return;
    const root = context.root;
    const paths = isRecord(root.paths) ? root.paths : {};
    const operations = context.operations();
    for (let start = 0; start < operations.length;) {
      if (!this.validator.hasBudget) return;
      // The operations of one path item are one root.
      let end = start + 1;
      while (end < operations.length && operations[end].path === operations[start].path) end++;
      const ofPath = operations.slice(start, end);
      this.inRoot(`paths ${ofPath[0].path}`, paths[ofPath[0].path], () => {
        for (const operation of ofPath) this.operation(operation);
      }, ofPath);
      start = end;
    }
    if (this.swagger2) {
      this.eachEntry(root.parameters, ['parameters'], (value, at) => this.parameter(value, doc, at));
      this.eachEntry(root.responses, ['responses'], (value, at) => this.swagger2Response(value, doc, at));
      this.eachEntry(root.definitions, ['definitions'], (value, at) => this.walkSchema(value, doc, at));
      return;
    }
    const components = isRecord(root.components) ? root.components : {};
    const base = ['components'];
    this.eachEntry(components.parameters, [...base, 'parameters'], (value, at) => this.parameter(value, doc, at));
    this.eachEntry(components.requestBodies, [...base, 'requestBodies'], (value, at) => this.contentHolder(value, doc, at));
    this.eachEntry(components.responses, [...base, 'responses'], (value, at) => this.response(value, doc, at));
    this.eachEntry(components.headers, [...base, 'headers'], (value, at) => this.parameter(value, doc, at));
    this.eachEntry(components.mediaTypes, [...base, 'mediaTypes'], (value, at) => this.mediaType(undefined, value, doc, at));
    this.eachEntry(components.schemas, [...base, 'schemas'], (value, at) => this.walkSchema(value, doc, at));
  }

  private operation(operation: Operation) {
    const { context } = this;
    for (const parameter of context.parameters(operation)) this.parameter(parameter.value, parameter.doc, parameter.at);
    if (this.swagger2) {
      for (const { response } of context.responses(operation)) this.swagger2Response(response.value, response.doc, response.at);
      return;
    }
    const body = operation.operation.requestBody;
    if (body !== undefined) {
      const resolved = context.resolve<Record<string, unknown>>(body, [...operation.at, 'requestBody'], operation.doc);
      this.contentHolder(resolved.value, resolved.doc, resolved.at);
    }
    for (const { response } of context.responses(operation)) this.response(response.value, response.doc, response.at);
  }

  private eachEntry(map: unknown, at: JsonPath, visit: (value: unknown, at: JsonPath) => void) {
    if (!isRecord(map)) return;
    for (const [name, value] of Object.entries(map)) {
      if (!this.validator.hasBudget) return;
      if (isRecord(value) && typeof value.$ref === 'string') continue; // judged where it is defined
      const entryAt = [...at, name];
      this.inRoot(encodePointer(entryAt), value, () => visit(value, entryAt));
    }
  }

  // ------------------------------------------------------------ kept roots (editor)

  /** Walks one root, or in the editor replays its record when that still holds. */
  private inRoot(key: string, value: unknown, walk: () => void, operations?: Operation[]) {
    if (!this.roots) {
      walk();
      return;
    }
    const old = this.previousRoots?.get(key);
    if (old && this.stillHolds(old, value, operations)) {
      this.replay(old);
      this.roots.set(key, old);
      return;
    }
    const record: RootRecord = {
      value, refs: new Map(), operationParts: operations ? this.operationObjects(operations) : [], unitIds: [], containers: [], reports: [], validations: 0,
    };
    const { refs, doc } = this.context;
    const outer = refs.observer;
    this.current = record;
    this.currentCacheable = true;
    refs.observer = (from, ref, result) => {
      outer?.(from, ref, result);
      if (from !== doc || (result.ok && result.doc !== doc)) this.currentCacheable = false;
      else if (!record.refs.has(ref)) record.refs.set(ref, result.ok ? result.value : undefined);
    };
    const validationsBefore = this.validator.validationCount;
    try {
      if (operations) this.followOperationRefs(operations);
      walk();
    } finally {
      refs.observer = outer;
      this.current = undefined;
    }
    record.validations = this.validator.validationCount - validationsBefore;
    if (!this.currentCacheable) return;
    // Most roots (a component without examples) read and report nothing: they share empty parts.
    if (record.refs.size === 0) record.refs = NOTHING_READ;
    for (const part of ['operationParts', 'unitIds', 'containers', 'reports'] as const) {
      if (record[part].length === 0) (record as unknown as Record<string, readonly unknown[]>)[part] = NOTHING;
    }
    this.roots.set(key, record);
  }

  private stillHolds(record: RootRecord, value: unknown, operations?: Operation[]): boolean {
    if (record.value !== value) return false;
    const { refs, doc } = this.context;
    for (const [ref, target] of record.refs) {
      const now = refs.resolve(doc, ref);
      if ((now.ok ? (now.doc === doc ? now.value : NOT_HERE) : undefined) !== target) return false;
    }
    if (!record.unitIds.every((id) => this.validator.hasUnit(id))) return false;
    if (operations) {
      const parts = record.operationParts;
      if (parts.length !== operations.length * 3) return false;
      for (let i = 0; i < operations.length; i++) {
        const operation = operations[i];
        if (parts[3 * i] !== operation.pathItem || parts[3 * i + 1] !== operation.operation || parts[3 * i + 2] !== this.elsewhere(operation.doc)) return false;
      }
    }
    // Replayed, its examples count against the budget as if walked: the walk must stop where a full one would.
    return this.validator.validationCount + record.validations <= ExampleValidator.MAX_VALIDATIONS;
  }

  private operationObjects(operations: Operation[]): unknown[] {
    return operations.flatMap((operation) => [operation.pathItem, operation.operation, this.elsewhere(operation.doc)]);
  }

  private elsewhere(doc: SpecDocument): typeof NOT_HERE | undefined {
    return doc === this.context.doc ? undefined : NOT_HERE;
  }

  /**
   * Follows the `$ref`s of the operations' parameters and responses while the root is recorded, so
   * that they are among its refs: the walk reads them through the engine's shared reading
   * (`context.parameters`), which another rule may have resolved first, unobserved. Checking the
   * refs again is cheap; resolving every operation's parameters and responses on each keystroke,
   * to compare them, allocated 12.6 of the 38 MB a keystroke in GitHub's description allocated.
   */
  private followOperationRefs(operations: Operation[]) {
    const follow = (raw: unknown, doc: SpecDocument) => {
      if (isRecord(raw) && typeof raw.$ref === 'string') this.context.refs.resolveChain(doc, raw.$ref);
    };
    for (const operation of operations) {
      for (const list of [operation.pathItem.parameters, operation.operation.parameters]) {
        if (Array.isArray(list)) for (const raw of list) follow(raw, operation.doc);
      }
      const responses = operation.operation.responses;
      if (isRecord(responses)) for (const status in responses) follow(responses[status], operation.doc);
    }
  }

  private replay(record: RootRecord) {
    for (const { node, at } of record.containers) this.firstVisit(node, at);
    for (const report of record.reports) this.context.report(report);
    this.validator.countValidations(record.validations);
  }

  /** Reports a finding, and records it for the root being walked. */
  private emit(report: SpecReport) {
    this.context.report(report);
    if (!this.current) return;
    const doc = this.context.doc;
    if ((report.doc && report.doc !== doc) || report.related?.some((related) => related.doc && related.doc !== doc)) {
      this.currentCacheable = false;
      return;
    }
    // Kept without the version's document: a replay reports into the document analysed then.
    this.current.reports.push({ ...report, doc: undefined, related: report.related?.map((related) => ({ ...related, doc: undefined })) });
  }

  /**
   * True the first time a container (a parameter, response, media type...) is seen at `at`:
   * shared components, reached through many `$ref`s, are judged once. Nodes are told apart by
   * identity, not by a pointer string made for every node walked; the same object at another path
   * is a YAML alias, judged at each place as before.
   */
  private firstVisit(node: object, at: JsonPath): boolean {
    const visits = this.visits;
    const seen = visits.get(node);
    if (!seen) {
      visits.set(node, at);
    } else {
      // One path, or (an alias used again) the list of them.
      const paths = seen.length > 0 && Array.isArray(seen[0]) ? seen as JsonPath[] : [seen as JsonPath];
      if (paths.some((path) => samePath(path, at))) return false;
      visits.set(node, [...paths, at]);
    }
    // A container (a component reached through `$ref`s) is walked from the first root that
    // reaches it, which later roots must know.
    this.current?.containers.push({ node, at });
    return true;
  }

  // ------------------------------------------------------------ containers

  /** A Parameter or Header Object (3.x), or a Swagger 2.0 parameter. */
  private parameter(value: unknown, doc: SpecDocument, at: JsonPath) {
    if (!isRecord(value) || !this.firstVisit(value, at)) return;
    if (this.swagger2) {
      if (value.in === 'body' && value.schema !== undefined) this.schemaAt(value.schema, doc, [...at, 'schema']);
      return;
    }
    if (value.schema !== undefined) {
      const schemaAt = [...at, 'schema'];
      this.schemaAt(value.schema, doc, schemaAt);
      this.examplesOf(value, doc, at, doc, schemaAt, 'parameter');
    }
    if (isRecord(value.content)) this.content(value.content, doc, [...at, 'content']);
  }

  /** A Request Body Object (3.x). */
  private contentHolder(value: unknown, doc: SpecDocument, at: JsonPath) {
    if (!isRecord(value) || !this.firstVisit(value, at)) return;
    if (isRecord(value.content)) this.content(value.content, doc, [...at, 'content']);
  }

  private response(value: unknown, doc: SpecDocument, at: JsonPath) {
    if (!isRecord(value) || !this.firstVisit(value, at)) return;
    if (isRecord(value.content)) this.content(value.content, doc, [...at, 'content']);
    if (isRecord(value.headers)) {
      for (const [name, raw] of Object.entries(value.headers)) {
        const header = this.context.resolve(raw, [...at, 'headers', name], doc);
        if (!header.failure) this.parameter(header.value, header.doc, header.at);
      }
    }
  }

  private content(content: Record<string, unknown>, doc: SpecDocument, at: JsonPath) {
    for (const [mediaType, raw] of Object.entries(content)) {
      const resolved = this.context.resolve(raw, [...at, mediaType], doc);
      if (!resolved.failure) this.mediaType(mediaType, resolved.value, resolved.doc, resolved.at);
    }
  }

  private mediaType(mediaType: string | undefined, value: unknown, doc: SpecDocument, at: JsonPath) {
    if (!isRecord(value) || !this.firstVisit(value, at)) return;
    if (value.schema === undefined) return; // `itemSchema` examples describe the whole stream
    const schemaAt = [...at, 'schema'];
    this.schemaAt(value.schema, doc, schemaAt);
    this.examplesOf(value, doc, at, doc, schemaAt, 'media', mediaType);
  }

  private swagger2Response(value: unknown, doc: SpecDocument, at: JsonPath) {
    if (!isRecord(value) || !this.firstVisit(value, at)) return;
    if (value.schema === undefined) return;
    const schemaAt = [...at, 'schema'];
    this.schemaAt(value.schema, doc, schemaAt);
    if (!isRecord(value.examples)) return;
    for (const [mediaType, example] of Object.entries(value.examples)) {
      this.check({ value: example, valueDoc: doc, valueAt: [...at, 'examples', mediaType], schemaDoc: doc, schemaAt, origin: 'media', mediaType });
    }
  }

  /** `example` and `examples` (a map of Example Objects) of a parameter, header or media type. */
  private examplesOf(holder: Record<string, unknown>, doc: SpecDocument, at: JsonPath, schemaDoc: SpecDocument, schemaAt: JsonPath, origin: Origin, mediaType?: string) {
    if ('example' in holder) {
      this.check({ value: holder.example, valueDoc: doc, valueAt: [...at, 'example'], schemaDoc, schemaAt, origin, mediaType });
    }
    if (!isRecord(holder.examples)) return;
    for (const [name, raw] of Object.entries(holder.examples)) {
      const usageAt = [...at, 'examples', name];
      const example = this.context.resolve(raw, usageAt, doc);
      if (example.failure || !isRecord(example.value)) continue;
      const field = 'value' in example.value ? 'value' : 'dataValue' in example.value ? 'dataValue' : undefined;
      if (!field) continue; // externalValue / serializedValue only: nothing structured to check
      this.check({
        value: example.value[field],
        valueDoc: example.doc,
        valueAt: [...example.at, field],
        usageAt: example.viaRef ? usageAt : undefined,
        usageDoc: example.viaRef ? doc : undefined,
        schemaDoc,
        schemaAt,
        origin: field === 'dataValue' ? 'media' : origin,
        mediaType: field === 'dataValue' ? 'application/json' : mediaType,
      });
    }
  }

  // ------------------------------------------------------------ schemas

  /** A schema written inline at `at` (a `$ref` is judged where it points). */
  private schemaAt(schema: unknown, doc: SpecDocument, at: JsonPath) {
    if (isRecord(schema) && typeof schema.$ref === 'string') return;
    this.walkSchema(schema, doc, at);
  }

  /**
   * Schema Object `example` (and 3.1+ `examples`) of this schema and every subschema. A schema
   * node is reached only from its own place (a `$ref` is not followed; its target is walked as a
   * component, or under the container that holds it, once), so no node is looked up as visited.
   * The path is one array grown and shrunk as the walk goes, copied where an example is found: a
   * large description has a few hundred thousand schema nodes and a few thousand examples.
   */
  private walkSchema(schema: unknown, doc: SpecDocument, at: JsonPath) {
    this.schema(schema, doc, [...at], 0);
  }

  private schema(schema: unknown, doc: SpecDocument, at: JsonPath, depth: number) {
    if (!isRecord(schema) || depth > MAX_SCHEMA_DEPTH || !this.validator.hasBudget) return;
    if (typeof schema.$ref === 'string' && depth > 0) return;
    if ('example' in schema) {
      const schemaAt = [...at];
      this.check({ value: schema.example, valueDoc: doc, valueAt: [...schemaAt, 'example'], schemaDoc: doc, schemaAt, origin: 'schema' });
    }
    if (this.schemaExamplesKeyword && Array.isArray(schema.examples)) {
      const schemaAt = [...at];
      schema.examples.forEach((value, index) => this.check({ value, valueDoc: doc, valueAt: [...schemaAt, 'examples', index], schemaDoc: doc, schemaAt, origin: 'schema' }));
    }
    // The schema's own keys, looked up once each (a schema has a few of the keywords that hold subschemas).
    for (const key in schema) {
      const kind = SCHEMA_CHILDREN.get(key);
      if (!kind) continue;
      const value = schema[key];
      at.push(key);
      if (kind === 'map') {
        if (isRecord(value)) {
          for (const name in value) {
            at.push(name);
            this.schema(value[name], doc, at, depth + 1);
            at.pop();
          }
        }
      } else if (isRecord(value)) {
        this.schema(value, doc, at, depth + 1);
      } else if (Array.isArray(value) && (kind === 'list' || key === 'items')) {
        for (let index = 0; index < value.length; index++) {
          at.push(index);
          this.schema(value[index], doc, at, depth + 1);
          at.pop();
        }
      }
      at.pop();
    }
  }

  // ------------------------------------------------------------ validation

  private check(site: Site) {
    const { value, origin, mediaType } = site;
    if (value === undefined) return;
    // A non-JSON media type's example may be its serialised text (XML, CSV, a form body).
    if (origin === 'media' && mediaType && !isJsonLike(mediaType) && typeof value === 'string') return;
    // An XML example written as an object holds its attributes and text as strings (`count: "4"`):
    // what the schema's types mean there depends on the XML mapping, which is not checked here.
    if (origin === 'media' && mediaType && /[/+]xml$/i.test(mediaType.split(';')[0].trim())) return;
    const reportKey = `${(site.usageDoc ?? site.valueDoc).uri}#${encodePointer(site.usageAt ?? site.valueAt)}|${encodePointer(site.schemaAt)}`;
    if (this.reported.has(reportKey)) return;
    this.reported.add(reportKey);
    const errors = this.validator.validate(value, site.schemaDoc, site.schemaAt, this.current?.unitIds);
    if (!errors || errors.length === 0) return;
    const error = this.pickError(errors, value, site);
    if (!error) return;
    this.report(site, error);
  }

  /** The one error worth showing, or undefined when the mismatch may be intended by OpenAPI semantics. */
  private pickError(errors: ErrorObject[], value: unknown, site: Site): ErrorObject | undefined {
    let uncertain = false;
    const kept: ErrorObject[] = [];
    for (const error of errors) {
      if (error.keyword === 'if' || error.keyword === '$ref') continue;
      if (error.keyword === 'oneOf' && Array.isArray((error.params as { passingSchemas?: unknown }).passingSchemas)) {
        // More than one branch matches: a discriminator usually picks one; not judged.
        uncertain = true;
        continue;
      }
      if (error.keyword === 'required' && this.isReadWriteOnly(error)) { uncertain = true; continue; }
      if (this.validator.legacy && error.data === null) { uncertain = true; continue; }
      kept.push(error);
    }
    if (kept.length === 0) return undefined;
    // A parameter or header example may be written in its serialised (string) form.
    if (site.origin === 'parameter' && typeof value === 'string' && kept.some((error) => error.instancePath === '' && error.keyword === 'type')) return undefined;
    const combinators = kept.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
    const concrete = kept.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'anyOf');
    if (combinators.length === 0) return concrete[0];
    const outside = concrete.filter((error) => !combinators.some((combinator) => error.instancePath === combinator.instancePath || error.instancePath.startsWith(combinator.instancePath + '/')));
    if (outside.length > 0) return outside[0];
    if (uncertain) return undefined;
    return combinators.reduce((best, error) => (error.instancePath.length < best.instancePath.length ? error : best));
  }

  /** A missing required property that is readOnly or writeOnly: expected in one direction. */
  private isReadWriteOnly(error: ErrorObject): boolean {
    const missing = String((error.params as { missingProperty?: string }).missingProperty);
    const parent = error.parentSchema as Record<string, unknown> | undefined;
    let property = isRecord(parent?.properties) ? (parent!.properties as Record<string, unknown>)[missing] : undefined;
    for (let hops = 0; hops < 8 && isRecord(property) && typeof property.$ref === 'string'; hops++) {
      if (property.readOnly === true || property.writeOnly === true) return true;
      property = this.poolTarget(property.$ref);
    }
    if (!isRecord(property)) return property !== undefined; // unresolvable: not judged
    if (property.readOnly === true || property.writeOnly === true) return true;
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = property[key];
      if (Array.isArray(list) && list.some((part) => isRecord(part) && (part.readOnly === true || part.writeOnly === true))) return true;
    }
    return false;
  }

  /** The original node a rewritten `$ref` points at (for readOnly/writeOnly lookups). */
  private poolTarget(ref: string): unknown {
    const target = this.validator.targetOf(ref);
    return target ? valueAt(target.doc.root, target.path).value : undefined;
  }

  private report(site: Site, error: ErrorObject) {
    const segments = instanceSegments(error.instancePath);
    const detail = describeError(error, segments);
    const message = `Example does not match its schema: ${detail}; change the example or the schema so they agree.`;
    const schemaRelated = { at: site.schemaAt, message: 'The schema the example is checked against', doc: site.schemaDoc };
    if (site.usageAt) {
      this.emit({
        doc: site.usageDoc,
        at: site.usageAt,
        message,
        related: [{ at: site.valueAt, message: 'The example value', doc: site.valueDoc }, schemaRelated],
      });
      return;
    }
    let at: JsonPath = [...site.valueAt, ...segments];
    if (error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') {
      const extra = String((error.params as Record<string, unknown>).additionalProperty ?? (error.params as Record<string, unknown>).unevaluatedProperty);
      if (site.valueDoc.has([...at, extra])) at = [...at, extra];
    }
    while (at.length > site.valueAt.length && !site.valueDoc.has(at)) at = at.slice(0, -1);
    // Array items have no key: anchor on the item's value.
    const last = at[at.length - 1];
    const part = at.length > site.valueAt.length && (typeof last === 'number' || /^\d+$/.test(String(last))) && Array.isArray(valueAt(site.valueDoc.root, at.slice(0, -1)).value) ? 'value' : 'key';
    const related = site.schemaDoc === site.valueDoc && samePath(site.schemaAt, site.valueAt.slice(0, -1)) ? undefined : [schemaRelated];
    this.emit({ doc: site.valueDoc, at, part, message, related });
  }
}

function isJsonLike(mediaType: string): boolean {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return type === '*/*' || type === 'application/*' || /[/+]json$/.test(type) || type.endsWith('/x-www-form-urlencoded') || type.startsWith('multipart/');
}

function describeError(error: ErrorObject, segments: string[]): string {
  const where = segments.length === 0 ? 'the value' : `'${describeInstance(segments)}'`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `${where} must be ${article(String(params.type).replace(/,/g, ' or '))} (found ${kindOf(error.data)})`;
    case 'required':
      return `${where === 'the value' ? 'the value' : where} is missing the required property '${params.missingProperty}'`;
    case 'additionalProperties':
      return `${where} has the property '${params.additionalProperty}', which the schema does not allow`;
    case 'unevaluatedProperties':
      return `${where} has the property '${params.unevaluatedProperty}', which the schema does not allow`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const list = allowed.slice(0, 6).map((value) => JSON.stringify(value)).join(', ') + (allowed.length > 6 ? ', ...' : '');
      return `${where} is ${JSON.stringify(error.data)}, not one of ${list}`;
    }
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    case 'format':
      return `${where} is not a valid ${params.format} (${JSON.stringify(error.data)})`;
    case 'pattern':
      return `${where} does not match the pattern ${params.pattern}`;
    case 'oneOf':
    case 'anyOf':
      return `${where} matches none of the schema's ${error.keyword} alternatives`;
    case 'not':
      return `${where} matches a schema it must not match ('not')`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return 'an object';
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
