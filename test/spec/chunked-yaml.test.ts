import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_API_DIR } from '../support/corpus';
import { stringify } from 'yaml';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ChunkedYamlParser, split, type TextChange } from '../../server/src/core/spec/chunked-yaml';
import { parseSpecDocument, type SpecDocument } from '../../server/src/core/spec/document';
import type { JsonPath } from '../../server/src/core/types';

/** The chunked parser must agree with the whole-document parser on values and positions. */
function assertEquivalent(text: string) {
  const chunked = new ChunkedYamlParser().parse('file:///doc.yaml', text);
  const whole = parseSpecDocument('file:///doc.yaml', text, 'yaml');
  assert.deepEqual(chunked.root, whole.root);
  assert.equal(chunked.syntaxErrors.length > 0, whole.syntaxErrors.length > 0);
  let checked = 0;
  const visit = (value: unknown, path: JsonPath) => {
    if (path.length > 0) {
      checked++;
      assert.deepEqual(chunked.locate(path, 'key'), whole.locate(path, 'key'), `key of ${path.join('/')}`);
      assert.equal(chunked.locate(path, 'value').start, whole.locate(path, 'value').start, `value of ${path.join('/')}`);
      assert.equal(chunked.has(path), true);
    }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  visit(whole.root, []);
  assert.equal(chunked.has(['no', 'such', 'path']), whole.has(['no', 'such', 'path']));
  return { chunked, checked };
}

function bigDocument(operations: number): string {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < operations; i++) {
    paths[`/items${i}/{id}`] = { get: { operationId: `get${i}`, description: `Line one\nline two: with a colon\n  - not a list ${i}`, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/S${i}` } } } } } } };
  }
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < operations; i++) schemas[`S${i}`] = { type: 'object', properties: { id: { type: 'string' }, "quoted 'key'": { type: 'integer' } } };
  return '# a comment at the top\n' + stringify({ openapi: '3.1.0', info: { title: 'Big', version: '1.0.0' }, paths, components: { schemas } }, { lineWidth: 0 });
}

test('a large document splits into many chunks and parses identically', () => {
  const text = bigDocument(400);
  assert.ok(text.length > 100_000);
  assert.ok(split(text)!.length >= 4);
  const { checked } = assertEquivalent(text);
  assert.ok(checked > 10_000);
});

test('an edit re-parses only its chunk: untouched subtrees are the same objects', () => {
  const parser = new ChunkedYamlParser();
  const text = bigDocument(300);
  const first = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
  const edited = text.replace('operationId: get150', 'operationId: get150b');
  const second = parser.parse('file:///doc.yaml', edited) as SpecDocument & { root: any };
  assert.equal(second.root.paths['/items150/{id}'].get.operationId, 'get150b');
  assert.equal(second.root.paths['/items10/{id}'], first.root.paths['/items10/{id}'], 'unchanged chunk reused');
  assert.equal(second.root.components.schemas.S5, first.root.components.schemas.S5);
  assertEquivalent(edited);
});

test('duplicate top-level keys, comments, block scalars, flow maps and anchors', () => {
  const base = bigDocument(200);
  assertEquivalent(base + 'x-extra:\n  a: |\n    literal\n      more\n  b: { c: 1, d: [1, 2] }\n');
  const duplicated = base + 'paths:\n  /dup: {}\n';
  const chunked = new ChunkedYamlParser().parse('file:///doc.yaml', duplicated);
  assert.ok(chunked.syntaxErrors.some((e) => /unique/.test(e.message)));
  // An alias to an anchor in another chunk falls back to the whole-document parse.
  const aliased = base.replace('info:\n', 'x-shared: &shared { type: string }\ninfo:\n') + 'x-use: *shared\n';
  assertEquivalent(aliased);
  // Half-typed text in one chunk: errors stay in that chunk, the rest is still read.
  const broken = base.replace('operationId: get100', 'operationId: [get100');
  const doc = new ChunkedYamlParser().parse('file:///doc.yaml', broken) as SpecDocument & { root: any };
  assert.ok(doc.syntaxErrors.length > 0);
  assert.equal(doc.root.paths['/items5/{id}'].get.operationId, 'get5');
});

test('real documents converted to YAML parse identically (when the corpus is installed)', (t) => {
  const dir = CORPUS_API_DIR;
  if (!existsSync(dir)) { t.skip('corpus not installed'); return; }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().filter((_, i) => i % 40 === 0).slice(0, 15);
  for (const file of files) assertEquivalent(stringify(JSON.parse(readFileSync(join(dir, file), 'utf8')), { lineWidth: 0, aliasDuplicateObjects: false }));
});

test('chunks read through the fast path resolve scalars exactly as the whole-document parser', () => {
  // Scalars where YAML 1.1 and 1.2 (or two parsers) could disagree, repeated past the chunk size.
  const tricky = ['yes', 'no', 'on', 'off', 'y', '~', 'null', 'Null', '.inf', '-.Inf', '.nan', '0o14', '014', '0x1F', '1e3', '1_000', '2020-01-01',
    '2020-01-01T10:00:00Z', "'quoted'", '"dq \\u00e9"', '!!str 12', '12:30', '+12', '0.', 'TRUE', 'False', '= ', '<<'];
  let text = 'openapi: 3.1.0\ninfo: { title: Scalars, version: 1.0.0 }\npaths:\n';
  for (let i = 0; i < 400; i++) {
    text += `  /s${i}:\n    get:\n      description: |\n        block ${i}\n        kept\n      x-values:\n`;
    for (const [j, scalar] of tricky.entries()) text += `        k${j}: ${scalar}\n`;
    text += `      x-list: [${tricky.slice(0, 8).join(', ')}]\n`;
  }
  assertEquivalent(text);
});

test('an editor parser does not keep past versions of the text alive', () => {
  // Chunks cut from the whole text would reference it; after N edits at different places, N old
  // copies of a large document would stay reachable from the chunk cache.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const lines = bigDocument(3000).split('\n');
  const size = lines.join('\n').length;
  let doc = parser.parse('file:///doc.yaml', lines.join('\n'));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) {
    const line = Math.floor(((i + 0.5) / 20) * (lines.length - 1));
    lines[line] += ' ';
    doc = parser.parse('file:///doc.yaml', lines.join('\n'));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(doc.root);
  assert.ok(grown < size * 4, `heap grew ${(grown / 1e6).toFixed(1)} MB over 20 edits of a ${(size / 1e6).toFixed(1)} MB document`);
});

test('an editor parser keeps chunks one byte a character when the document has one wider character elsewhere', () => {
  // One emoji makes the whole text two bytes a character; chunks copied from it stayed so, and
  // js-yaml's copy of each chunk (which its scalars point into) too: twice the memory.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const plain = bigDocument(3000);
  const retainedBy = (text: string) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const parser = new ChunkedYamlParser({ keepsVersions: true });
    const doc = parser.parse('file:///doc.yaml', text);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    assert.ok(doc.root && parser);
    return retained;
  };
  const oneByte = retainedBy('# a comment\n' + plain);
  const wide = '# a comment 😀\n' + plain;
  const twoBytes = retainedBy(wide);
  assert.ok(twoBytes < oneByte * 1.1, `${(twoBytes / 1e6).toFixed(1)} MB kept for the text with an emoji, ${(oneByte / 1e6).toFixed(1)} MB without`);
  assertEquivalent(wide);
});

test('an editor parser holds its first version in pieces, not the text handed in', () => {
  // The open document drops its own copy once parsed; the parse must not keep the text either,
  // or a 10 MB description stays in memory twice more (the chunks keep their own copies).
  const text = '# a comment 😀\n' + bigDocument(300);
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const doc = parser.parse('file:///doc.yaml', text);
  const at = text.indexOf('operationId: get150');
  assert.equal(doc.indexOf('operationId: get150'), at);
  assert.equal(doc.slice(at, at + 19), 'operationId: get150');
  assert.deepEqual(doc.lines.positionAt(at), new ChunkedYamlParser().parse('file:///doc.yaml', text).lines.positionAt(at));
  assert.equal(parser.textsJoined, 0, 'positions, slices and searches read the pieces');
  assert.equal(doc.text, text);
  assert.equal(parser.textsJoined, 1, 'the whole text is joined from the pieces when read');
  // Hosts that parse once (the CLI) keep the text they read.
  const once = new ChunkedYamlParser();
  assert.equal(once.parse('file:///doc.yaml', text).text, text);
  assert.equal(once.textsJoined, 0);
});

test('the editor parser reuses the cut of the previous version, and agrees with a fresh parse over random edits', () => {
  // A deterministic generator: the same edits on every run, so a failure can be replayed.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const snippets = ['x', ' ', '\n', '\n      ', '\n  ', '\nx-new: 1', ':', '#', '- ', '"', "'", '{', '[', '\n    get:\n      responses: {}', '\r\n', 'é', '&a ', '*a'];
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  let text = '# header comment\n' + bigDocument(250);
  let previous = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
  let untouchedChunksKept = 0;
  for (let round = 0; round < 150; round++) {
    const at = Math.floor(random() * text.length);
    const kind = random();
    const cut = kind < 0.3 ? Math.floor(random() * 40) : 0;
    const insert = kind < 0.3 ? '' : snippets[Math.floor(random() * snippets.length)];
    text = text.slice(0, at) + insert + text.slice(at + cut);
    const doc = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
    const fresh = new ChunkedYamlParser().parse('file:///doc.yaml', text);
    assert.deepEqual(doc.root, fresh.root, `round ${round}`);
    assert.deepEqual(doc.syntaxErrors, fresh.syntaxErrors, `round ${round}`);
    for (const offset of [0, at, Math.floor(text.length / 2), text.length]) assert.deepEqual(doc.lines.positionAt(offset), fresh.lines.positionAt(offset), `round ${round}, offset ${offset}`);
    for (const path of [['paths', '/items100/{id}', 'get', 'operationId'], ['components', 'schemas', 'S200', 'properties'], ['info', 'title']]) {
      assert.deepEqual(doc.locate(path, 'key'), fresh.locate(path, 'key'), `round ${round}, ${path.join('/')}`);
    }
    const pathsNow = (doc.root as any)?.paths;
    if (at > text.length / 2 && pathsNow?.['/items3/{id}'] !== undefined && pathsNow['/items3/{id}'] === (previous.root as any)?.paths?.['/items3/{id}']) untouchedChunksKept++;
    previous = doc;
  }
  // Random edits break the structure for good now and then (a whole-document parse follows); typing does not.
  assert.ok(parser.editsReused > 30, `only ${parser.editsReused} of 150 edits reused the previous cut`);
  assert.ok(untouchedChunksKept > 10);
});

test('the editor parser handed the edits, not the text, agrees with a fresh parse and joins no text while typing', () => {
  let seed = 5;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const snippets = ['x', ' ', '\n', '\n      ', '\n  ', '\nx-new: 1', ':', '#', '- ', '"', "'", '{', '\n    get:\n      responses: {}', 'é', '&a ', '*a', 'apilens-disable', '\r\n'];
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  let text = '# header comment\n' + bigDocument(250);
  parser.parse('file:///doc.yaml', text);
  let wholeTextsRead = 0;
  let batchesReused = 0;
  for (let round = 0; round < 150; round++) {
    // One to three edits between two analyses (typing faster than the debounce), each on the text
    // the one before left.
    const changes: TextChange[] = [];
    for (let count = 1 + Math.floor(random() * 3); count > 0; count--) {
      // Mostly typing inside a value; anywhere else now and then, a carriage return only at the end.
      const values = random() < 0.6 ? [...text.matchAll(/(operationId|title|type): [^\n]*/g)] : [];
      const value = values[Math.floor(random() * values.length)];
      const start = value ? value.index! + value[0].length - Math.floor(random() * 3) : Math.floor(random() * text.length);
      const kind = random();
      const removed = kind < 0.3 ? Math.floor(random() * 40) : 0;
      const inserted = kind < 0.3 ? '' : snippets[Math.floor(random() * (round < 130 ? snippets.length - 1 : snippets.length))];
      const end = Math.min(text.length, start + removed);
      changes.push({ start, end, text: inserted });
      text = text.slice(0, start) + inserted + text.slice(end);
    }
    const reused = parser.editsReused;
    const joined = parser.textsJoined;
    const current = text;
    const doc = parser.parseEdits('file:///doc.yaml', changes, () => { wholeTextsRead++; return current; });
    const fresh = new ChunkedYamlParser().parse('file:///doc.yaml', text);
    assert.deepEqual(doc.root, fresh.root, `round ${round}`);
    assert.deepEqual(doc.syntaxErrors, fresh.syntaxErrors, `round ${round}`);
    const at = changes[0].start;
    for (const offset of [0, at, Math.floor(text.length / 2), text.length]) {
      assert.deepEqual(doc.lines.positionAt(offset), fresh.lines.positionAt(offset), `round ${round}, offset ${offset}`);
      assert.equal(doc.slice(Math.max(0, offset - 30), offset + 50), text.slice(Math.max(0, offset - 30), offset + 50), `round ${round}, slice at ${offset}`);
    }
    for (const path of [['paths', '/items100/{id}', 'get', 'operationId'], ['components', 'schemas', 'S200', 'properties'], ['info', 'title'], ['paths']]) {
      assert.deepEqual(doc.locate(path, 'key'), fresh.locate(path, 'key'), `round ${round}, ${path.join('/')}`);
      assert.deepEqual(doc.locate(path, 'value'), fresh.locate(path, 'value'), `round ${round}, ${path.join('/')}`);
    }
    for (const needle of ['apilens-disable', 'operationId: get17', 'no such text']) {
      assert.equal(doc.indexOf(needle), text.indexOf(needle), `round ${round}, '${needle}'`);
    }
    assert.equal(doc.indentUnit, fresh.indentUnit);
    // Positions, slices and searches above need no whole text when the edits reused the cut.
    if (parser.editsReused > reused) assert.equal(parser.textsJoined, joined, `round ${round}: the text was joined`);
    if (parser.editsReused > reused && changes.length > 1) batchesReused++;
    if (round % 10 === 0) assert.equal(doc.text, text, `round ${round}: the joined text`);
  }
  // Random edits break the structure often (a whole parse follows); typing in values does not.
  assert.ok(parser.editsReused > 25, `only ${parser.editsReused} of 150 versions reused the previous cut`);
  assert.ok(batchesReused > 8, `only ${batchesReused} versions of several edits reused the cut`);
  assert.ok(wholeTextsRead > 5 && wholeTextsRead < 125, `${wholeTextsRead} versions read whole`);
});

test('typing inside descriptions and values always reuses the previous cut', () => {
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  let text = bigDocument(250);
  parser.parse('file:///doc.yaml', text);
  for (let round = 0; round < 40; round++) {
    const at = text.indexOf(`operationId: get${round * 6}`) + 'operationId: get'.length;
    text = text.slice(0, at) + (round % 3 === 2 ? '' : 'x') + text.slice(at + (round % 3 === 2 ? 1 : 0));
    const doc = parser.parse('file:///doc.yaml', text);
    assert.deepEqual(doc.root, new ChunkedYamlParser().parse('file:///doc.yaml', text).root);
  }
  assert.equal(parser.editsReused, 40);
});

test('the nesting read chunk by chunk is the nesting of the whole text', async () => {
  const { maxNesting } = await import('../../server/src/core/engine/input-limits');
  const base = bigDocument(300);
  const deep = base.replace('info:\n', `x-deep:\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} [[[[1]]]]\ninfo:\n`);
  for (const text of [base, deep, deep.replace('paths:\n', 'paths:\n  /flow: {a: {b: {c: [1, [2, [3]]]}}}\n')]) {
    const doc = new ChunkedYamlParser({ keepsVersions: true }).parse('file:///doc.yaml', text);
    assert.deepEqual(doc.nesting!(), maxNesting(text));
  }
});

test('a search read chunk by chunk finds what searching the whole text finds', () => {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const base = '# header comment\n' + bigDocument(250);
  // The key lines of entries cut into chunks of their own: the text between chunks.
  const between = [...base.matchAll(/^(paths|components|  schemas):/gm)].map((match) => match.index! + match[0].length);
  assert.equal(between.length, 3);
  let searchedByChunks = 0;
  for (let round = 0; round < 80; round++) {
    // One needle per version, in a value, a comment or (every other round) on a key line between chunks.
    const at = round % 2 === 0 ? between[(round / 2) % 3] : Math.floor(random() * base.length);
    const needle = round % 4 < 2 ? '\u0000' : ' apilens-disable ';
    const parsed = base.slice(0, at) + (round % 2 === 0 ? ` #${needle}` : needle) + base.slice(at);
    const parser = new ChunkedYamlParser({ keepsVersions: true });
    parser.parse('file:///doc.yaml', parsed);
    // Then a letter typed into a value: the editor's version, held in pieces.
    const typedAt = parsed.indexOf('operationId: get', Math.floor(random() * parsed.length / 2)) + 'operationId: get'.length;
    const text = parsed.slice(0, typedAt) + 'x' + parsed.slice(typedAt);
    const doc = parser.parseEdits('file:///doc.yaml', [{ start: typedAt, end: typedAt, text: 'x' }], () => text);
    for (const search of ['\u0000', 'apilens-disable', 'operationId: get17', 'no such text']) {
      const from = Math.floor(random() * text.length);
      assert.equal(doc.indexOf(search), text.indexOf(search), `round ${round}, '${search}'`);
      assert.equal(doc.indexOf(search, from), text.indexOf(search, from), `round ${round}, '${search}' from ${from}`);
    }
    if (parser.editsReused === 1 && parser.textsJoined === 0) searchedByChunks++;
  }
  assert.ok(searchedByChunks > 60, `only ${searchedByChunks} of 80 versions were searched by chunks`);
});

/**
 * bigDocument with one path item (`/big`) and one schema (`Big`) large enough to be cut into
 * children, next to small ones; `components` holds two maps, so it is cut too.
 */
function documentWithCutEntries(): string {
  const operations: Record<string, unknown> = {};
  for (const method of ['get', 'put', 'post', 'delete', 'patch']) operations[method] = { operationId: `${method}Big`, description: 'd'.repeat(6000), responses: { '200': { description: 'ok' } } };
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) properties[`p${i}`] = { type: 'string', description: 'e'.repeat(700) };
  const base = bigDocument(60);
  const big = stringify({ paths: { '/big': operations }, components: { schemas: { Big: { type: 'object', properties } } } }, { lineWidth: 0 });
  return base.replace('paths:\n', `paths:\n${big.slice(big.indexOf('  /big:'), big.indexOf('components:'))}`)
    .replace('  schemas:\n', `  schemas:\n${big.slice(big.indexOf('    Big:'))}`)
    + '  responses:\n    NotFound:\n      description: Not found\n';
}

test('an entry cut into several chunks keeps its object while none of its chunks changed', () => {
  let text = documentWithCutEntries();
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  let previous = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
  assert.ok(previous.root.paths['/big'].put && previous.root.components.schemas.Big.properties.p39, 'the big entries are in the document');
  const edits = [
    { inside: 'operationId: putBig', kept: (root: any) => root.components.schemas.Big, changed: (root: any) => root.paths['/big'] },
    { inside: 'description: eeee', kept: (root: any) => root.paths['/big'], changed: (root: any) => root.components.schemas.Big },
  ];
  for (const [round, edit] of [...edits, ...edits].entries()) {
    const at = text.indexOf(edit.inside) + edit.inside.length;
    text = text.slice(0, at) + 'x' + text.slice(at);
    const doc = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
    assert.deepEqual(doc.root as unknown, new ChunkedYamlParser().parse('file:///doc.yaml', text).root, `round ${round}`);
    assert.equal(edit.kept(doc.root), edit.kept(previous.root), `round ${round}: the unchanged cut entry keeps its object`);
    assert.notEqual(edit.changed(doc.root), edit.changed(previous.root), `round ${round}: the edited one is new`);
    assert.equal(doc.root.paths['/items5/{id}'], previous.root.paths['/items5/{id}']);
    previous = doc;
  }
  assert.equal(parser.editsReused, 4);
});

test('typing on a key line after `key:` reuses the cut, and agrees with a fresh parse', () => {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  // What may follow `key:`: blanks, a value, a comment, a block scalar or flow opener, a line break
  // and a deeper or a shallower line, and (not allowed to reuse) text right after the colon.
  const snippets = [' ', '  ', ' x', ' # note', ' |', ' {', ' [', ' &a', ' "open', '\n      deeper: 1', '\nshallow: 1', ' \n      deeper: 1', ' \nshallow: 1', ' \n  sibling: 1', 'x', ':', '\r'];
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  let text = bigDocument(250);
  parser.parse('file:///doc.yaml', text);
  let onKeyLines = 0;
  for (let round = 0; round < 120; round++) {
    // Key lines of chunks: the path items and the schemas.
    const lines = [...text.matchAll(/^( {2}\/items\d+\/\{id\}| {4}S\d+):[^\n]*$/gm)];
    const line = lines[Math.floor(random() * lines.length)];
    const colon = line.index! + line[0].indexOf(':');
    const at = random() < 0.5 ? line.index! + line[0].length : colon + 1;
    const snippet = snippets[Math.floor(random() * snippets.length)];
    const cut = random() < 0.2 ? Math.min(3, line.index! + line[0].length - at) : 0;
    text = text.slice(0, at) + snippet + text.slice(at + cut);
    const before = parser.editsReused;
    const doc = parser.parse('file:///doc.yaml', text);
    const fresh = new ChunkedYamlParser().parse('file:///doc.yaml', text);
    assert.deepEqual(doc.root, fresh.root, `round ${round}`);
    assert.deepEqual(doc.syntaxErrors, fresh.syntaxErrors, `round ${round}`);
    if (parser.editsReused > before) onKeyLines++;
    // Keep the document sound for the next round now and then.
    if (fresh.syntaxErrors.length > 0 && random() < 0.5) { text = bigDocument(250); parser.parse('file:///doc.yaml', text); }
  }
  assert.ok(onKeyLines > 30, `only ${onKeyLines} key-line edits reused the cut`);
});

test('a stray line at the start of a line inside a nested entry stays in that entry\'s chunk: no whole-document parse per keystroke', () => {
  const text = bigDocument(300);
  // `x` typed at column 0 inside a block scalar of one path item: YAML ends that path item there.
  const at = text.indexOf('description: |-', text.indexOf('/items150/{id}:'));
  const lineStart = text.indexOf('\n', at) + 1;
  const broken = text.slice(0, lineStart) + 'x' + text.slice(lineStart);
  const cut = split(broken);
  assert.ok(cut, 'the document is still cut into chunks');
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const doc = parser.parse('file:///doc.yaml', broken) as SpecDocument & { root: any };
  const strayLine = broken.slice(0, lineStart).split('\n').length - 1;
  assert.ok(doc.syntaxErrors.length > 0);
  const nextItemLine = broken.slice(0, broken.indexOf('/items151/{id}:')).split('\n').length - 1;
  assert.ok(doc.syntaxErrors.every((error) => { const line = doc.lines.positionAt(error.span.start).line; return line >= strayLine && line < nextItemLine; }), 'errors only in the stray line\'s path item');
  assert.equal(doc.root.paths['/items5/{id}'].get.operationId, 'get5');
  assert.equal(doc.root.paths['/items250/{id}'].get.operationId, 'get250');
  // Typing elsewhere while the line is still there reuses the cut.
  const reusedBefore = parser.editsReused;
  const elsewhere = broken.indexOf('operationId: get20') + 'operationId: get20'.length;
  const typed = broken.slice(0, elsewhere) + 'x' + broken.slice(elsewhere);
  const next = parser.parse('file:///doc.yaml', typed) as SpecDocument & { root: any };
  assert.equal(parser.editsReused, reusedBefore + 1);
  assert.equal(next.root.paths['/items20/{id}'].get.operationId, 'get20x');
  assert.deepEqual(next.syntaxErrors.length, doc.syntaxErrors.length);
  // Document markers are not taken into a chunk.
  assert.equal(split(text.slice(0, lineStart) + '---\n' + text.slice(lineStart)), undefined);
});

test('edits handed over together, in entries cut into children far apart, all reach the new version', () => {
  let text = documentWithCutEntries();
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const first = parser.parse('file:///doc.yaml', text) as SpecDocument & { root: any };
  const changes: TextChange[] = [];
  // In the Big schema, then in the /big path item: each edit on the text the one before left.
  for (const inside of ['description: eeee', 'operationId: putBig']) {
    const at = text.indexOf(inside) + inside.length;
    changes.push({ start: at, end: at, text: 'x' });
    text = text.slice(0, at) + 'x' + text.slice(at);
  }
  const reused = parser.editsReused;
  const doc = parser.parseEdits('file:///doc.yaml', changes, () => text) as SpecDocument & { root: any };
  assert.equal(parser.editsReused, reused + 1, 'the cut was reused');
  assert.deepEqual(doc.root as unknown, new ChunkedYamlParser().parse('file:///doc.yaml', text).root);
  assert.equal(doc.root.paths['/items5/{id}'], first.root.paths['/items5/{id}'], 'an untouched path item keeps its object');
});
