import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_API_DIR } from '../support/corpus';
import { stringify } from 'yaml';
import { BlockLocator } from '../../server/src/core/spec/block-locator';
import { ChunkedYamlParser } from '../../server/src/core/spec/chunked-yaml';
import { parseSpecDocument } from '../../server/src/core/spec/document';
import type { JsonPath } from '../../server/src/core/types';

/**
 * The line-based locator must give exactly `yaml`'s range wherever it answers, and answer most
 * paths of plain block YAML (else it would silently fall back to the slow parse everywhere).
 */
function compare(text: string): { answered: number; declined: number } {
  const whole = parseSpecDocument('file:///doc.yaml', text, 'yaml');
  const locator = new BlockLocator(text);
  let answered = 0;
  let declined = 0;
  const visit = (value: unknown, path: JsonPath) => {
    if (path.length > 0) {
      for (const part of ['key', 'value'] as const) {
        const mine = locator.locate(path, part);
        if (!mine) { declined++; continue; }
        answered++;
        assert.deepEqual(mine, whole.locate(path, part), `${part} of ${path.join('/')}`);
      }
      if (locator.has(path) === undefined) declined++;
    }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  visit(whole.root, []);
  assert.equal(locator.locate(['no', 'such', 'path']), undefined);
  return { answered, declined };
}

test('every YAML style the locator meets: it answers exactly or declines', () => {
  const text = readFileSync(join(__dirname, '../fixtures/yaml/block-locator-styles.yaml'), 'utf8');
  const { answered, declined } = compare(text);
  assert.ok(answered > 80, `answered ${answered}`);
  assert.ok(declined > 10, 'flow maps, block scalars, anchors and aliases are left to yaml');
});

test('plain block YAML is answered almost entirely', () => {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    paths[`/items${i}/{id}`] = {
      get: {
        operationId: `get${i}`, description: `Line one\nline two: with a colon`, 'x-quoted key': "it's",
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', enum: ['a', 'b #c', '#d'] } }],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/S${i}` } } } }, '4XX': { description: null } },
      },
    };
  }
  for (const options of [{ lineWidth: 0 }, { lineWidth: 0, indentSeq: false }, { lineWidth: 40, defaultKeyType: 'QUOTE_DOUBLE' as const }]) {
    const { answered, declined } = compare('# top\n' + stringify({ openapi: '3.1.0', paths }, options));
    assert.ok(answered > declined * 5, `answered ${answered}, declined ${declined}`);
  }
});

test('CRLF text and unterminated flow values are declined, not misread', () => {
  const crlf = 'paths:\r\n  /a:\r\n    get: {}\r\n';
  assert.equal(new BlockLocator(crlf).locate(['paths', '/a'], 'key'), undefined);
  const open = 'a:\n  b: [1,\n  c: 2]\n  d: 3\n';
  assert.equal(new BlockLocator(open).locate(['a', 'd'], 'key'), undefined);
  const quoted = 'a:\n  b: "one\n  c: two"\n  d: 3\n';
  assert.equal(new BlockLocator(quoted).locate(['a', 'd'], 'key'), undefined);
});

test('real documents converted to YAML (when the corpus is installed)', (t) => {
  const dir = CORPUS_API_DIR;
  if (!existsSync(dir)) { t.skip('corpus not installed'); return; }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().filter((_, i) => i % 60 === 0).slice(0, 20);
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (text.length > 2_000_000) continue;
    compare(stringify(JSON.parse(text), { lineWidth: 0, aliasDuplicateObjects: false }));
  }
});

test('mutated large YAML: the chunked parser with line positions agrees with the whole-document parse', () => {
  // Random edits of the kind typing produces (indicators, quotes, indentation, deletions); every
  // mutant that still parses cleanly must give the same values and the same key ranges both ways.
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < 120; i++) paths[`/things${i}/{id}`] = { get: { operationId: `get${i}`, tags: ['a', 'b'], parameters: [{ name: 'id', in: 'path', required: true }], responses: { '200': { description: `ok ${i}` } } } };
  const base = stringify({ openapi: '3.1.0', info: { title: 'T', version: '1' }, paths }, { lineWidth: 0 });
  let seed = 42;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const pieces = [':', ' ', '- ', '"', "'", '{', '}', '#', '\n', '  ', '|', '&a ', '*a', '? ', 'key: value\n'];
  let compared = 0;
  for (let round = 0; round < 60; round++) {
    let text = base;
    const at = random(text.length);
    text = random(2) === 0 ? text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + random(12));
    const chunked = new ChunkedYamlParser().parse('file:///doc.yaml', text);
    const whole = parseSpecDocument('file:///doc.yaml', text, 'yaml');
    if (whole.syntaxErrors.length > 0 || chunked.syntaxErrors.length > 0) continue;
    compared++;
    assert.deepEqual(chunked.root, whole.root, `values, round ${round}`);
    const visit = (value: unknown, path: JsonPath) => {
      if (path.length > 0) assert.deepEqual(chunked.locate(path, 'key'), whole.locate(path, 'key'), `key of ${path.join('/')}, round ${round}`);
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    visit(whole.root, []);
  }
  assert.ok(compared > 10, `only ${compared} mutants parsed`);
});
