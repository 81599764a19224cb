import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { analyzeSpecDocument } from '../server/src/core/engine/analyze';
import { DocumentMemory } from '../server/src/core/engine/document-memory';
import { parseSpecDocument } from '../server/src/core/spec/document';
import { reuseUnchangedValues } from '../server/src/core/spec/value-reuse';
import { SchemaCheck, plainJsonSchema } from '../server/src/core/rules/_schema-check';
import { ExampleValidator } from '../server/src/core/rules/_oasmeta';
import examplesRule from '../server/src/core/rules/oas-examples-valid';
import { defineRule } from '../server/src/core/rules/rule';
import { NO_FILES_HOST } from './support/workspace';
import { CORPUS_API_DIR, filesUnder } from './support/corpus';

/**
 * One schema and one example. `detail`: the message's detail when the example does not match (as
 * Ajv worded it, which the rule followed before it interpreted schemas), or undefined when it does.
 */
interface Case { name: string; version: '2.0' | '3.0' | '3.1'; schema: unknown; value: unknown; detail?: string; definitions?: Record<string, unknown> }

const cases: Case[] = [
  { name: 'nullable lets null through its type (3.0)', version: '3.0', schema: { type: 'string', nullable: true }, value: null },
  { name: 'a nullable type names the type alone', version: '3.0', schema: { type: 'string', nullable: true }, value: 5, detail: "'value' must be a string (found the number 5)" },
  { name: 'nullable does not widen an enum', version: '3.0', schema: { type: 'string', nullable: true, enum: ['a'] }, value: 'b', detail: "'value' is \"b\", not one of \"a\"" },
  { name: 'x-nullable (2.0)', version: '2.0', schema: { type: 'integer', 'x-nullable': true }, value: null },
  { name: 'nullable without a type is no constraint (3.1)', version: '3.1', schema: { nullable: true, properties: { id: { type: 'integer' } } }, value: { id: 'x' }, detail: "'value.id' must be an integer (found the string \"x\")" },
  { name: 'a $ref and its siblings both apply (3.0)', version: '3.0', schema: { $ref: '#/components/schemas/Text', maxLength: 3 }, value: 'abcdef', detail: "'value' must NOT have more than 3 characters", definitions: { Text: { type: 'string' } } },
  { name: 'a $ref and its siblings both apply (2.0)', version: '2.0', schema: { $ref: '#/definitions/Text', minLength: 3 }, value: 'ab', detail: "'value' must NOT have fewer than 3 characters", definitions: { Text: { type: 'string' } } },
  { name: 'int32 bounds a number', version: '3.0', schema: { type: 'number', format: 'int32' }, value: 3_000_000_000, detail: "'value' matches none of the schema's anyOf alternatives" },
  { name: 'int64 wants an integer', version: '3.0', schema: { type: 'number', format: 'int64' }, value: 1.5, detail: "'value' matches none of the schema's anyOf alternatives" },
  { name: 'int32 says nothing of a string', version: '3.1', schema: { format: 'int32' }, value: 'seven' },
  { name: 'date-time as ajv-formats reads it', version: '3.1', schema: { type: 'string', format: 'date-time' }, value: '2024-13-01T00:00:00Z', detail: "'value' is not a valid date-time (\"2024-13-01T00:00:00Z\")" },
  { name: 'uri-reference as ajv-formats reads it', version: '3.0', schema: { type: 'string', format: 'uri-reference' }, value: '/a b', detail: "'value' is not a valid uri-reference (\"/a b\")" },
  { name: 'an unjudged format (time)', version: '3.0', schema: { type: 'string', format: 'time' }, value: 'noon' },
  { name: 'an unknown format', version: '3.1', schema: { type: 'string', format: 'sku' }, value: '???' },
  { name: 'exclusiveMinimum as a boolean (3.0)', version: '3.0', schema: { type: 'integer', minimum: 1, exclusiveMinimum: true }, value: 1, detail: "'value' must be > 1" },
  { name: 'exclusiveMinimum as a number (3.1)', version: '3.1', schema: { type: 'integer', exclusiveMinimum: 1 }, value: 1, detail: "'value' must be > 1" },
  { name: 'minimum', version: '3.1', schema: { type: 'integer', minimum: 1 }, value: 0, detail: "'value' must be >= 1" },
  { name: 'a Unicode property class in a pattern', version: '3.1', schema: { type: 'string', pattern: '^\\p{L}+$' }, value: 'Zoë' },
  { name: 'a pattern valid only outside Unicode mode', version: '3.0', schema: { type: 'string', pattern: '^[\\w-.]+$' }, value: 'a b', detail: "'value' does not match the pattern ^[\\w-.]+$" },
  { name: 'a pattern valid only outside Unicode mode, matched', version: '3.0', schema: { type: 'string', pattern: '^[\\w-.]+\\Z' }, value: 'a.b-cZ' },
  { name: 'required in an allOf branch', version: '3.1', schema: { allOf: [{ type: 'object', required: ['id'] }] }, value: { name: 'x' }, detail: "'value' is missing the required property 'id'" },
  { name: 'a property the schema does not allow', version: '3.1', schema: { type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: false }, value: { id: 1, extra: true }, detail: "'value' has the property 'extra', which the schema does not allow" },
  { name: 'too few items', version: '3.1', schema: { type: 'array', minItems: 2 }, value: [1], detail: "'value' must NOT have fewer than 2 items" },
  { name: 'duplicate items', version: '3.0', schema: { type: 'array', uniqueItems: true }, value: [1, 2, 1], detail: "'value' must NOT have duplicate items (items ## 2 and 0 are identical)" },
  { name: 'no oneOf alternative', version: '3.1', schema: { oneOf: [{ type: 'integer' }, { type: 'boolean' }] }, value: 'x', detail: "'value' matches none of the schema's oneOf alternatives" },
  { name: 'two oneOf alternatives (a discriminator would pick)', version: '3.1', schema: { oneOf: [{ type: 'object' }, { type: 'object', properties: { a: { type: 'integer' } } }] }, value: { a: 1 } },
  { name: 'a property whose schema is false', version: '3.1', schema: { type: 'object', properties: { legacy: false } }, value: { legacy: 1 }, detail: "'value.legacy' boolean schema is false" },
  { name: 'a const', version: '3.1', schema: { const: 'on' }, value: 'off', detail: "'value' must be \"on\"" },
  { name: 'a valid object through a $ref', version: '3.1', schema: { $ref: '#/components/schemas/Pet' }, value: { id: 1 }, definitions: { Pet: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } } },
  { name: 'a type that is no JSON type (one being typed): not judged', version: '3.0', schema: { type: 'objectx', properties: { id: { type: 'integer' } } }, value: { id: 'x' } },
  { name: 'a limit of the wrong kind: not judged', version: '3.1', schema: { type: 'string', minLength: '3' }, value: 'ab' },
  { name: 'a boolean exclusiveMinimum in 3.1: not judged', version: '3.1', schema: { type: 'integer', minimum: 1, exclusiveMinimum: true }, value: 0 },
  { name: 'an unreadable branch the example does not reach', version: '3.1', schema: { type: 'object', properties: { id: { type: 'integer' }, other: { type: 'objectx' } } }, value: { id: 'x' }, detail: "'value.id' must be an integer (found the string \"x\")" },
  { name: 'a missing readOnly property in a request', version: '3.1', schema: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer', readOnly: true }, name: { type: 'string' } } }, value: { name: 'x' } },
];

/** The case's schema as the property `value` of a schema with its own `example` (a `$ref` is judged where it points). */
function documentFor(item: Case): string {
  const wrapper = { type: 'object', properties: { value: item.schema }, example: { value: item.value } };
  if (item.version === '2.0') return JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, definitions: { ...item.definitions, Case: wrapper }, paths: {} });
  return JSON.stringify({
    openapi: item.version === '3.0' ? '3.0.3' : '3.1.0', info: { title: 't', version: '1' }, paths: {},
    components: { schemas: { ...item.definitions, Case: wrapper } },
  });
}

function examplesFindings(text: string): string[] {
  const doc = parseSpecDocument('file:///case.json', text, 'json');
  return analyzeSpecDocument(doc, { host: NO_FILES_HOST, rules: [examplesRule] }).diagnostics.map((d) => d.message);
}

test('examples are judged as OpenAPI and Ajv read them, with Ajv\'s wording', () => {
  for (const item of cases) {
    const findings = examplesFindings(documentFor(item));
    const expected = item.detail === undefined ? [] : [`Example does not match its schema: ${item.detail}; change the example or the schema so they agree.`];
    assert.deepEqual(findings, expected, item.name);
  }
});

test('plainJsonSchema spells the OpenAPI dialect in plain JSON Schema', () => {
  assert.deepEqual(plainJsonSchema({ type: 'string', nullable: true }, false).type, ['string', 'null']);
  assert.equal('nullable' in plainJsonSchema({ type: 'string', nullable: true }, false), false);
  assert.deepEqual(plainJsonSchema({ type: 'string', nullable: false }, false), { type: 'string' });
  assert.deepEqual(plainJsonSchema({ $ref: 'https://x.invalid/a', description: 'd', minLength: 1 }, false), { description: 'd', minLength: 1, allOf: [{ $ref: 'https://x.invalid/a' }] });
  assert.deepEqual(plainJsonSchema({ $ref: 'https://x.invalid/a' }, false), { $ref: 'https://x.invalid/a' });
  assert.deepEqual(plainJsonSchema({ type: 'integer', format: 'int32' }, false).allOf, [{ anyOf: [{ not: { type: 'number' } }, { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 }] }]);
  const plainPattern = plainJsonSchema({ type: 'string', pattern: '^[\\w-.]+$' }, false);
  assert.equal(plainPattern.pattern, undefined);
  assert.match(String((plainPattern.allOf as { format: string }[])[0].format), /\^\[\\w-\.\]\+\$$/);
  assert.deepEqual(plainJsonSchema({ type: 'string', pattern: '^\\p{L}+$' }, false), { type: 'string', pattern: '^\\p{L}+$' });
});

test('the validation budget stops the walk and says so', () => {
  const documentWith = (count: number): string => {
    const schemas: Record<string, unknown> = {};
    for (let index = 0; index < count; index++) schemas[`Thing${index}`] = { type: 'object', properties: { id: { type: 'integer' } }, example: { id: `id-${index}` } };
    return JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, components: { schemas } });
  };
  const budget = ExampleValidator.MAX_VALIDATIONS;
  Object.assign(ExampleValidator, { MAX_VALIDATIONS: 10 });
  try {
    const within = examplesFindings(documentWith(10));
    assert.equal(within.length, 10);
    assert.ok(within.every((message) => message.startsWith('Example does not match')));
    const over = examplesFindings(documentWith(12));
    assert.equal(over.length, 11);
    assert.equal(over.filter((message) => message.startsWith('Example validation stopped after 10 examples')).length, 1);
  } finally {
    Object.assign(ExampleValidator, { MAX_VALIDATIONS: budget });
  }
});

/**
 * On real documents, the interpreter and Ajv (run here on the same copies) agree on every example;
 * a difference would be a finding apilens gives or misses against the JSON Schema reading.
 */
test('on real documents every example is judged as Ajv judges it (when the corpus is installed)', (t) => {
  if (!existsSync(CORPUS_API_DIR)) { t.skip('corpus not installed'); return; }
  const files = filesUnder(CORPUS_API_DIR).filter((file) => /\.(json|ya?ml)$/.test(file)).filter((_, index) => index % 12 === 0);
  type CheckInternals = { unitCopy(id: string): unknown; legacy: boolean };
  const proto = SchemaCheck.prototype as unknown as { errors(this: CheckInternals, value: unknown, ref: string): unknown[] | undefined };
  const { errors } = proto;
  const judged: { check: CheckInternals; value: unknown; ref: string; valid: boolean }[] = [];
  proto.errors = function (value, ref) {
    const result = errors.call(this, value, ref);
    if (result) judged.push({ check: this, value, ref, valid: result.length === 0 });
    return result;
  };
  const counts = { examples: 0, invalid: 0 };
  const disagreements: string[] = [];
  try {
    for (const file of files) {
      judged.length = 0;
      const doc = parseSpecDocument(`file://${file}`, readFileSync(file, 'utf8'), file.endsWith('.json') ? 'json' : 'yaml');
      analyzeSpecDocument(doc, { host: NO_FILES_HOST, rules: [examplesRule] });
      if (judged.length === 0) continue;
      const ajv = oracleFor(judged[0].check, judged.map((item) => item.ref));
      for (const { value, ref, valid } of judged) {
        counts.examples++;
        if (!valid) counts.invalid++;
        let ajvValid: boolean;
        try {
          ajvValid = ajv.validate({ $ref: ref }, value) as boolean;
        } catch {
          continue; // Ajv cannot read this schema either
        }
        if (ajvValid !== valid) disagreements.push(`${file} ${ref}: apilens ${valid ? 'valid' : 'invalid'}, Ajv ${JSON.stringify(ajv.errors?.[0] ?? 'valid').slice(0, 200)}`);
      }
    }
  } finally {
    proto.errors = errors;
  }
  assert.deepEqual(disagreements.slice(0, 10), []);
  assert.ok(counts.examples > 1000 && counts.invalid > 50, `the sample exercises the rule: ${JSON.stringify(counts)}`);
  t.diagnostic(`${files.length} documents: ${JSON.stringify(counts)}`);
});

/** Ajv, configured as apilens had it before it interpreted schemas, holding the units these refs reach. */
function oracleFor(check: { unitCopy(id: string): unknown; legacy: boolean }, refs: string[]): Ajv {
  const options = { strict: false, allErrors: false, validateSchema: false, logger: false as const, unicodeRegExp: true };
  const ajv: Ajv = check.legacy ? (new AjvDraft04(options) as unknown as Ajv) : new Ajv2020(options);
  addFormats(ajv);
  for (const name of ['byte', 'binary', 'password', 'time', 'iso-time', 'regex', 'media-range']) ajv.addFormat(name, true);
  const plainPatterns = new Set<string>();
  const pending = refs.map((ref) => ref.split('#')[0]);
  const added = new Set<string>();
  const collect = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(collect); return; }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string' && value.startsWith('apilens-plain-pattern:')) plainPatterns.add(value);
      else if (key === '$ref' && typeof value === 'string') pending.push(value.split('#')[0]);
      else collect(value);
    }
  };
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (added.has(id)) continue;
    added.add(id);
    const copy = check.unitCopy(id);
    if (!copy || typeof copy !== 'object') continue;
    collect(copy);
    ajv.addSchema(copy, id);
  }
  for (const name of plainPatterns) ajv.addFormat(name, new RegExp(name.slice('apilens-plain-pattern:'.length)));
  return ajv;
}

test('in the editor, unchanged roots replay their findings and every analysis equals a fresh one', () => {
  const uri = 'file:///pets.yaml';
  const version = (ownerIdType: string, sharedExample: string, secondPathNote: string, notFoundExample = '{ detail: missing }', limitExample = '10') => `openapi: 3.0.3
info: { title: Pets, version: 1.0.0 }
paths:
  /pets:
    get:
      parameters:
        - $ref: '#/components/parameters/Limit'
      responses:
        '200':
          description: A pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
              example: { id: 1, owner: { id: 1 } }
        '404': { $ref: '#/components/responses/NotFound' }
  /owners:
    get:
      description: ${secondPathNote}
      responses:
        '200':
          description: An owner's pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
              examples:
                shared: { $ref: '#/components/examples/Shared' }
        '404': { $ref: '#/components/responses/NotFound' }
components:
  schemas:
    Pet:
      type: object
      properties:
        id: { type: integer }
        owner: { $ref: '#/components/schemas/Owner' }
    Owner: { type: object, properties: { id: { type: ${ownerIdType} } } }
    Problem: { type: object, required: [title], properties: { title: { type: string } } }
  examples:
    Shared: { value: ${sharedExample} }
  parameters:
    Limit: { name: limit, in: query, schema: { type: integer, maximum: 100 }, example: ${limitExample} }
  responses:
    NotFound:
      description: Not found
      content:
        application/json:
          schema: { $ref: '#/components/schemas/Problem' }
          example: ${notFoundExample}
`;
  // As in a full analysis, another rule reads every operation's parameters and responses first:
  // the examples rule then gets them resolved, without following their refs itself.
  const readsOperationsFirst = defineRule({
    id: 'reads-operations-first', severity: 'info', description: 'Reads every operation first.', appliesTo: ['spec'], fixable: false,
    docs: { rationale: 'A test rule.', bad: '', good: '', references: [] },
    checkSpec(context) {
      for (const operation of context.operations()) { context.parameters(operation); context.responses(operation); }
    },
  });
  const rules = [readsOperationsFirst, examplesRule];
  const memory = new DocumentMemory();
  let previous: ReturnType<typeof parseSpecDocument> | undefined;
  const analyse = (text: string) => {
    // As the editor gives it: the objects of unchanged parts are the previous version's.
    const doc = parseSpecDocument(uri, text, 'yaml');
    if (previous) reuseUnchangedValues(previous.root, doc.root);
    previous = doc;
    const incremental = analyzeSpecDocument(doc, { host: NO_FILES_HOST, rules, memory }).diagnostics;
    const fresh = analyzeSpecDocument(parseSpecDocument(uri, text, 'yaml'), { host: NO_FILES_HOST, rules }).diagnostics;
    assert.deepEqual(incremental, fresh);
    return incremental.map((d) => `${d.range.start.line}: ${d.message}`);
  };
  const roots = () => memory.ruleState.get('oas-examples-valid/roots') as Map<string, unknown>;
  // The shared 404 response is judged once, from the first path item that reaches it.
  assert.equal(analyse(version('integer', '{ id: 2, owner: { id: 3 } }', 'one')).length, 1);
  const petsRecord = roots().get('paths /pets');
  assert.ok(petsRecord);
  // Typing in /owners: /pets is replayed (the same record), and the shared response is not judged again from /owners.
  assert.equal(analyse(version('integer', '{ id: 2, owner: { id: 3 } }', 'two')).length, 1);
  assert.equal(roots().get('paths /pets'), petsRecord);
  // A schema both examples reach through the one they name changes: both path items are judged again.
  assert.equal(analyse(version('string', '{ id: 2, owner: { id: 3 } }', 'two')).length, 3);
  assert.notEqual(roots().get('paths /pets'), petsRecord);
  // An example behind a `$ref` changes, its path item does not.
  assert.equal(analyse(version('string', '{ id: "2", owner: { id: "3" } }', 'two')).length, 3);
  assert.equal(analyse(version('integer', '{ id: "2", owner: { id: 3 } }', 'two')).length, 2);
  // A response and a parameter the operations reach through `$ref`s change, their path items do not.
  assert.equal(analyse(version('integer', '{ id: "2", owner: { id: 3 } }', 'two', '{ title: missing }')).length, 1);
  assert.equal(analyse(version('integer', '{ id: "2", owner: { id: 3 } }', 'two', '{ title: missing }', '500')).length, 2);
});
