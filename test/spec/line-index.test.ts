import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, commonAffixes } from '../../server/src/core/text';

test('a line index updated after an edit equals one built from scratch', () => {
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pieces = ['a', '\n', '\n\n', 'bc\nd', '', '\r\n'];
  let text = Array.from({ length: 3000 }, (_, i) => `line ${i}${i % 7 === 0 ? '' : ' more'}`).join('\n');
  let lines = new LineIndex(text);
  for (let round = 0; round < 300; round++) {
    const start = Math.floor(random() * text.length);
    const removed = Math.floor(random() * 30);
    const inserted = pieces[Math.floor(random() * (round < 250 ? 5 : 6))].repeat(1 + Math.floor(random() * 3));
    const next = text.slice(0, start) + inserted + text.slice(start + removed);
    const { prefix, suffix } = commonAffixes(text, next);
    assert.equal(text.slice(0, prefix), next.slice(0, prefix));
    assert.equal(text.slice(text.length - suffix), next.slice(next.length - suffix));
    assert.ok(prefix + suffix <= Math.min(text.length, next.length));
    // Half the rounds hand over the text only as a reader, which a text without \r never calls.
    let reads = 0;
    const lazy = round % 2 === 1 && !next.includes('\r');
    lines = LineIndex.afterEdit(lines, prefix, text.length - suffix, next.slice(prefix, next.length - suffix), lazy ? { whole: () => { reads++; return next; }, slice: (start: number, end: number) => next.slice(start, end) } : next);
    const fresh = new LineIndex(next);
    assert.equal(lines.lineCount, fresh.lineCount, `round ${round}`);
    assert.equal(lines.length, next.length);
    for (const offset of [0, start, start + inserted.length, next.length - 1, next.length, Math.floor(random() * next.length)]) {
      assert.deepEqual(lines.positionAt(offset), fresh.positionAt(offset), `round ${round}, offset ${offset}`);
      const { line } = fresh.positionAt(offset);
      assert.equal(lines.lineEnd(line), fresh.lineEnd(line), `round ${round}, line ${line}`);
      assert.equal(lines.offsetAt({ line, character: 3 }), fresh.offsetAt({ line, character: 3 }));
    }
    assert.equal(reads, 0, 'positions need no text');
    if (lazy) assert.equal(lines.lineText(fresh.lineCount - 1), fresh.lineText(fresh.lineCount - 1));
    assert.equal(reads, 0, 'a line is read without the whole text');
    text = next;
  }
});

test('common affixes of equal, empty and fully different texts', () => {
  assert.deepEqual(commonAffixes('', ''), { prefix: 0, suffix: 0 });
  assert.deepEqual(commonAffixes('abc', 'abc'), { prefix: 3, suffix: 0 });
  assert.deepEqual(commonAffixes('abc', 'xyz'), { prefix: 0, suffix: 0 });
  assert.deepEqual(commonAffixes('aaaa', 'aaaaa'), { prefix: 4, suffix: 0 });
  const big = 'x'.repeat(200_000);
  assert.deepEqual(commonAffixes(big + 'a' + big, big + 'bb' + big), { prefix: 200_000, suffix: 200_000 });
});

test('a document parsed whole gets back the unchanged objects of its previous version', async () => {
  const { reuseUnchangedValues, sameValue } = await import('../../server/src/core/spec/value-reuse');
  const make = (title: string) => JSON.parse(JSON.stringify({ openapi: '3.1.0', info: { title }, paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } }, '/b': { get: { summary: title } } }, components: { schemas: { A: { type: 'string' }, B: { type: 'object', title } } } }));
  const previous = make('one');
  const next = make('two');
  assert.equal(reuseUnchangedValues(previous, next), false);
  assert.equal(next.paths['/a'], previous.paths['/a']);
  assert.notEqual(next.paths['/b'], previous.paths['/b']);
  assert.equal(next.components.schemas.A, previous.components.schemas.A);
  assert.notEqual(next.components.schemas.B, previous.components.schemas.B);
  assert.ok(sameValue(next, make('two')));
  assert.equal(reuseUnchangedValues(previous, make('one')), true);
  assert.equal(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 }), false, 'key order is content for a document');
  assert.equal(sameValue([1, { x: [] }], [1, { x: [] }]), true);
});
