import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { URI } from 'vscode-uri';
import { analyzeFile } from '../server/src/core/engine/analyze';
import { NodeWorkspaceHost } from '../server/src/host/node-host';
import { LspTestClient } from './support/lsp-client';
import { filesUnder } from './support/corpus';

/**
 * Mutation fuzzing: real documents and route files (the fixtures and examples) cut, edited and scrambled the way
 * half-typed text looks. Whatever comes out, analysis must not throw and every diagnostic's range
 * must lie inside the document. The same mutations go through the language server's didChange.
 */
const ROOT = join(__dirname, '..');
const seeds = filesUnder(join(ROOT, 'test/fixtures/rules')).concat(filesUnder(join(ROOT, 'examples')))
  .filter((path) => /\.(ya?ml|json|ts)$/.test(path)).map((path) => ({ path, text: readFileSync(path, 'utf8') }));


const SNIPPETS = ['{', '}', '[', ']', ':', '- ', '"', "'", '\n', '  ', '\t', '#', '&a ', '*a', '$ref: ', '/users/{', '<<: ', '? ', '|', '>', ',', '\\', '\u00e9', '\ud83d\ude00', '\r\n'];

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))),
  fc.tuple(fc.nat(), fc.constantFrom(...SNIPPETS)).map(([n, s]) => (t: string) => { const i = n % (t.length + 1); return t.slice(0, i) + s + t.slice(i); }),
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([n, len]) => (t: string) => { const i = n % (t.length + 1); return t.slice(0, i) + t.slice(i + len); }),
  fc.nat().map((n) => (t: string) => { const lines = t.split('\n'); const i = n % lines.length; lines.splice(i, 0, lines[i]); return lines.join('\n'); }),
  fc.nat().map((n) => (t: string) => { const lines = t.split('\n'); lines.splice(n % lines.length, 1); return lines.join('\n'); }),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0x10ffff })).map(([n, code]) => (t: string) => { const i = n % (t.length + 1); return t.slice(0, i) + String.fromCodePoint(code) + t.slice(i + 1); }),
);

function checkDiagnostics(text: string, diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } } }[]) {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diagnostics) {
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line} outside 0..${lines.length - 1}`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `character ${p.character} outside line ${p.line} (${lines[p.line].length})`);
    }
  }
}

test('analysis survives mutated documents with well-formed diagnostics', () => {
  const host = new NodeWorkspaceHost([ROOT]);
  fc.assert(fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seedIndex, mutations) => {
    const seed = seeds[seedIndex % seeds.length];
    const text = mutations.reduce((t, m) => m(t), seed.text);
    const result = analyzeFile({ uri: URI.file(seed.path).toString(), text }, { host, log: (m) => { throw new Error(m); } });
    checkDiagnostics(text, result.diagnostics);
  }), { numRuns: Number(process.env.APILENS_FUZZ_RUNS ?? 400), seed: Number(process.env.APILENS_FUZZ_SEED ?? 20261124) });
});

const client = new LspTestClient();
after(() => client.shutdown());

test('the language server keeps answering through mutated didChange streams', async () => {
  await client.initialize(URI.file(ROOT).toString());
  const seed = seeds.find((s) => s.path.endsWith('orders-service/openapi.yaml'))!;
  const uri = URI.file(seed.path).toString();
  await client.open(uri, seed.text);
  await client.diagnostics(uri, 1);
  const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 60, seed: 7 });
  let text = seed.text;
  for (const mutations of samples) {
    text = mutations.reduce((t, m) => m(t), seed.text);
    const version = client.change(uri, [{ text }]);
    const diagnostics = await client.diagnostics(uri, version);
    checkDiagnostics(text, diagnostics);
    const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } }, diagnostics);
    assert.ok(Array.isArray(actions));
  }
  assert.ok(!client.logs.join('').includes('uncaught'), client.logs.join(''));
});

test('the language server keeps answering through mutated route files', async () => {
  const seed = seeds.find((s) => s.path.endsWith('billing-service/src/invoices.controller.ts'))!;
  const uri = URI.file(seed.path).toString();
  await client.open(uri, seed.text, 'typescript');
  await client.diagnostics(uri, 1);
  for (const mutations of fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 60, seed: 11 })) {
    const text = mutations.reduce((t, m) => m(t), seed.text);
    const version = client.change(uri, [{ text }]);
    checkDiagnostics(text, await client.diagnostics(uri, version));
  }
  assert.ok(!/uncaught|failed:/.test(client.logs.join('')), client.logs.join(''));
});
