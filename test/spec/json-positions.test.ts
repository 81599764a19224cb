import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_API_DIR } from '../support/corpus';
import { parseSpecDocument } from '../../server/src/core/spec/document';
import type { JsonPath } from '../../server/src/core/types';
import { maxNesting } from '../../server/src/core/engine/input-limits';

/**
 * Strict JSON is read with JSON.parse plus an offset index; JSON with comments goes through
 * jsonc-parser's tree. Both must give the same values and the same range for every path.
 */
function assertSameAsTree(text: string) {
  const fast = parseSpecDocument('file:///doc.json', text, 'json');
  const prefix = '// comment\n';
  const tree = parseSpecDocument('file:///doc.json', prefix + text, 'json');
  const shift = (range: { start: number; end: number }) => ({ start: range.start - prefix.length, end: range.end - prefix.length });
  assert.deepEqual(fast.root, tree.root);
  let checked = 0;
  const visit = (value: unknown, path: JsonPath) => {
    for (const part of ['key', 'value'] as const) assert.deepEqual(fast.locate(path, part), shift(tree.locate(path, part)), `${part} of /${path.join('/')}`);
    checked++;
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  visit(fast.root, []);
  for (const missing of [['nope'], ['paths', 'nope', 'deeper'], ['a', 5], ['a', 'x']] as JsonPath[]) {
    for (const part of ['key', 'value'] as const) assert.deepEqual(fast.locate(missing, part), shift(tree.locate(missing, part)));
    assert.equal(fast.has(missing), tree.has(missing));
  }
  return checked;
}

test('strict JSON: every range equals the tree parser\'s, in pretty and compact form', () => {
  const value = {
    openapi: '3.1.0', a: [], b: {}, c: [1, [2, { d: null }], 'x"y'], 'e\u0041': { k: true }, '': 1, n: -1.5e3,
    paths: { '/users/{id}': { get: { responses: { '200': { description: 'ok' }, default: { description: 'error' } } } } },
  };
  assert.ok(assertSameAsTree(JSON.stringify(value, null, 2)) > 20);
  assertSameAsTree(JSON.stringify(value));
  assertSameAsTree('{"escaped\\u0041key": {"a\\"b": [true, false, null]}, "num": 1e400}');
});

test('JSON that JSON.parse rejects keeps the tree parser and its errors', () => {
  const doc = parseSpecDocument('file:///doc.json', '{"openapi": "3.1.0", "paths": {},}', 'json');
  assert.ok(doc.syntaxErrors.length > 0);
  const proto = parseSpecDocument('file:///doc.json', '{"__proto__": {"x": 1}, "openapi": "3.1.0"}', 'json');
  assert.equal(Object.prototype.hasOwnProperty.call(proto.root, '__proto__'), false);
});

test('real documents from the corpus (when installed)', (t) => {
  const dir = CORPUS_API_DIR;
  if (!existsSync(dir)) { t.skip('corpus not installed'); return; }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().filter((_, i) => i % 80 === 0).slice(0, 15);
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (text.length < 1_500_000) assertSameAsTree(text);
  }
});

test('an edited JSON document takes over the previous values and positions only when the edit stays inside one string value', () => {
  const { JsonPositions } = require('../../server/src/core/spec/json-positions') as typeof import('../../server/src/core/spec/json-positions');
  const original = JsonPositions.prototype.stringEdit;
  let takenOver = 0;
  JsonPositions.prototype.stringEdit = function (...args: Parameters<typeof original>) {
    const result = original.apply(this, args);
    if (result) takenOver++;
    return result;
  };
  try {
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) paths[`/items${i}/{id}`] = { get: { description: `Item ${i} with "quotes" and \\ slashes`, responses: { '200': { description: 'ok' } }, tags: ['a', 'b'] } };
    // Escapes a deletion can break (`\u00e9` losing a digit), and a key written twice: JSON.parse
    // keeps the last, so an edit in the first changes nothing.
    let text = JSON.stringify({ openapi: '3.1.0', info: { title: 'T', version: '1' }, paths }, null, 2)
      .replace(/"Item /g, '"Item \\u00e9 ')
      .replace('"info": {', '"twice": { "description": "Item first" },\n  "twice": { "description": "Item second" },\n  "info": {');
    let seed = 5;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // Some keep the JSON valid only by changing its structure: a quote that splits a string into two members.
    const snippets = ['x', ' ', 'é', '"', '\\', '\\n', '{', '}', ',', ':', '\n', 'ab', '","k":"', '","'];
    let previous = parseSpecDocument('file:///doc.json', text, 'json');
    let compared = 0;
    let rejected = 0;
    for (let round = 0; round < 300; round++) {
      const inValue = text.indexOf('"Item', Math.floor(random() * text.length * 0.9));
      const at = random() < 0.7 && inValue >= 0 ? inValue + 2 + Math.floor(random() * 20) : Math.floor(random() * text.length);
      const cut = random() < 0.3 ? 1 : 0;
      const next = text.slice(0, at) + (cut ? '' : snippets[Math.floor(random() * snippets.length)]) + text.slice(at + cut);
      previous.locate(['paths']);
      const doc = parseSpecDocument('file:///doc.json', next, 'json', previous);
      const fresh = parseSpecDocument('file:///doc.json', next, 'json');
      assert.deepEqual(doc.root, fresh.root, `round ${round}`);
      assert.deepEqual(doc.syntaxErrors, fresh.syntaxErrors, `round ${round}`);
      if (fresh.syntaxErrors.length > 0) { rejected++; continue; }
      const visit = (value: unknown, path: JsonPath) => {
        for (const part of ['key', 'value'] as const) assert.deepEqual(doc.locate(path, part), fresh.locate(path, part), `round ${round}: ${part} of /${path.join('/')}`);
        if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
      };
      visit(fresh.root, []);
      assert.equal(doc.has(['paths', 'nope']), false);
      assert.deepEqual(doc.nesting?.(), maxNesting(next), `round ${round}`);
      compared++;
      text = next;
      previous = doc;
    }
    assert.ok(compared > 150, `${compared} versions compared`);
    assert.ok(rejected > 20, `${rejected} broken versions`);
    assert.ok(takenOver > 80, `only ${takenOver} versions took over the previous values`);
  } finally {
    JsonPositions.prototype.stringEdit = original;
  }
});

test('an edit inside one string value keeps every other value of the previous version', () => {
  const text = JSON.stringify({ openapi: '3.1.0', info: { title: 'T', version: '1' }, paths: { '/a': { get: { description: 'Read a' } }, '/b': { get: { description: 'Read b' } } } });
  const previous = parseSpecDocument('file:///doc.json', text, 'json');
  previous.locate(['paths', '/a']);
  const at = text.indexOf('Read a') + 4;
  const doc = parseSpecDocument('file:///doc.json', text.slice(0, at) + ' it' + text.slice(at), 'json', previous);
  const before = previous.root as any;
  const after = doc.root as any;
  assert.equal(after.paths['/a'].get.description, 'Read it a');
  assert.equal(before.paths['/a'].get.description, 'Read a', 'the previous version is not changed');
  assert.equal(after.paths['/b'], before.paths['/b']);
  assert.equal(after.info, before.info);
  assert.notEqual(after.paths['/a'], before.paths['/a']);
  assert.deepEqual(doc.locate(['paths', '/b', 'get', 'description']), { start: text.indexOf('"Read b"') + 3, end: text.indexOf('"Read b"') + 3 + 8 });
  // The next version moved the positions to its offsets; the previous one still answers for its own.
  assert.deepEqual(previous.locate(['paths', '/b', 'get', 'description']), { start: text.indexOf('"Read b"'), end: text.indexOf('"Read b"') + 8 });
});
