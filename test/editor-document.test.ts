import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EditorTextDocument } from '../server/src/lsp/editor-document';

/** Random incremental changes, as an editor sends them, applied to both documents. */
function compareOverRandomChanges(initial: string, pieces: string[], seed: number, holdText?: { reads: number }) {
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const reference = TextDocument.create('file:///a.yaml', 'yaml', 1, initial);
  const ours = EditorTextDocument.create('file:///a.yaml', 'yaml', 1, initial);
  const versions = new Map<number, string>([[1, initial]]);
  for (let version = 2; version < 300; version++) {
    const changes = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const text = reference.getText();
      const start = reference.positionAt(Math.floor(random() * (text.length + 1)));
      const end = random() < 0.4 ? reference.positionAt(reference.offsetAt(start) + Math.floor(random() * 20)) : start;
      // A position past a line's end, as clients may send: both must clamp it the same way.
      // Or a range that ends on a line past the last one.
      const clampedAway = random();
      const range = clampedAway < 0.1 ? { start, end: { line: end.line, character: end.character + 50 } }
        : clampedAway < 0.13 ? { start, end: { line: reference.lineCount + 3, character: 0 } }
        : { start, end };
      const change = { range, text: pieces[Math.floor(random() * pieces.length)] };
      TextDocument.update(reference, [change], version);
      return change;
    });
    EditorTextDocument.update(ours, changes, version);
    if (holdText && random() < 0.3) {
      // A parse of this version takes the text over; one of an older version is ignored.
      const held = reference.getText();
      ours.textHeldBy(version, () => { holdText.reads++; return held; });
      ours.textHeldBy(version - 1, () => 'the text of an older version');
    }
    assert.equal(ours.lineCount, reference.lineCount, `version ${version}`);
    for (let probe = 0; probe < 8; probe++) {
      const offset = Math.floor(random() * (reference.getText().length + 2));
      assert.deepEqual(ours.positionAt(offset), reference.positionAt(offset), `version ${version}, offset ${offset}`);
      const position = { line: Math.floor(random() * (reference.lineCount + 1)), character: Math.floor(random() * 12) };
      assert.equal(ours.offsetAt(position), reference.offsetAt(position), `version ${version}, ${JSON.stringify(position)}`);
    }
    // The changes since an earlier version turn that version's text into this one's.
    const since = version - 1 - Math.floor(random() * 5);
    if (versions.has(since)) {
      let text = versions.get(since)!;
      for (const change of ours.changesSince(since)!) text = text.slice(0, change.start) + change.text + text.slice(change.end);
      assert.equal(text, reference.getText(), `changes since ${since}, at ${version}`);
    }
    if (version % 7 === 0) assert.equal(ours.getText(), reference.getText(), `version ${version}`);
    versions.set(version, reference.getText());
  }
  assert.equal(ours.getText(), reference.getText());
  assert.equal(ours.getText({ start: { line: 1, character: 2 }, end: { line: 3, character: 1 } }), reference.getText({ start: { line: 1, character: 2 }, end: { line: 3, character: 1 } }));
  return ours;
}

const lines = Array.from({ length: 200 }, (_, i) => `  key${i}: value ${i}`).join('\n');

test('an editor document keeps text and positions as the library does, without carriage returns', () => {
  compareOverRandomChanges(lines, ['x', '', '\n', 'ab\ncd', '\n\n', 'é'], 3);
});

test('an editor document keeps text and positions as the library does, with carriage returns', () => {
  compareOverRandomChanges(lines.replace(/\n/g, '\r\n'), ['x', '', '\r\n', '\n', '\r', 'a\r\nb'], 5);
});

test('a document whose text a parse holds drops its own copy, and reads that version when asked', () => {
  const held = { reads: 0 };
  compareOverRandomChanges(lines, ['x', '', '\n', 'ab\ncd', '\n\n', 'é'], 11, held);
  assert.ok(held.reads > 5, `${held.reads} reads of a held text`);
  // Line ends after a carriage return read the text: such a document keeps its own.
  const crlf = { reads: 0 };
  compareOverRandomChanges(lines.replace(/\n/g, '\r\n'), ['x', '', '\r\n', '\n'], 13, crlf);
  assert.equal(crlf.reads, 0);
});

test('an editor document remembers recent changes only, and forgets them when the whole text is replaced', () => {
  const document = EditorTextDocument.create('file:///a.yaml', 'yaml', 1, 'a: 1\n');
  for (let version = 2; version < 400; version++) EditorTextDocument.update(document, [{ range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, text: 'x' }], version);
  assert.equal(document.changesSince(399)?.length, 0);
  assert.equal(document.changesSince(390)?.length, 9);
  assert.equal(document.changesSince(2), undefined, 'too old');
  EditorTextDocument.update(document, [{ text: 'b: 2\n' }], 400);
  assert.equal(document.changesSince(399), undefined);
  assert.equal(document.getText(), 'b: 2\n');
});

test('pending changes are joined as a list of pieces, equal to splicing them one by one', async () => {
  const { applyChanges } = await import('../server/src/lsp/editor-document');
  let seed = 9;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const count of [1, 2, 5, 40, 2000]) {
    const initial = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n');
    let expected = initial;
    const changes = Array.from({ length: count }, () => {
      const start = Math.floor(random() * (expected.length + 1));
      const end = Math.min(expected.length, start + (random() < 0.5 ? 0 : Math.floor(random() * 30)));
      const text = ['', 'x', 'yz\n', 'é'][Math.floor(random() * 4)];
      expected = expected.slice(0, start) + text + expected.slice(end);
      return { start, end, text };
    });
    assert.equal(applyChanges(initial, changes), expected, `${count} changes`);
  }
  assert.equal(applyChanges('', [{ start: 0, end: 0, text: 'a' }, { start: 1, end: 1, text: 'b' }, { start: 0, end: 2, text: '' }]), '');
});
