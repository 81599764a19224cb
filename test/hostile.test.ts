import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs, { writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { join, resolve, sep } from 'node:path';
import { URI } from 'vscode-uri';
import { analyzeFile } from '../server/src/core/engine/analyze';
import { NodeWorkspaceHost } from '../server/src/host/node-host';
import { defineRule } from '../server/src/core/rules/rule';
import { allRules } from '../server/src/core/rules';
import { temporaryFolder } from './support/temporary';

/**
 * Hostile input: every case must end in bounded time with a clear diagnostic (or nothing, for files
 * that are not OpenAPI documents), never an exception, never a read outside the workspace and never
 * a network connection. The network and fs hooks below record any attempt.
 */
const workspace = temporaryFolder('hostile');
const outside = temporaryFolder('outside');
const networkAttempts: string[] = [];
const outsideReads: string[] = [];
const restore: (() => void)[] = [];

function hook<T extends object, K extends keyof T>(target: T, key: K, replacement: (original: T[K]) => T[K]) {
  const original = target[key];
  (target as any)[key] = replacement(original);
  restore.push(() => { (target as any)[key] = original; });
}

before(() => {
  const block = (what: string) => (..._args: unknown[]) => { networkAttempts.push(what); throw new Error(`network blocked in tests: ${what}`); };
  hook(net.Socket.prototype, 'connect', () => block('net.Socket.connect') as any);
  hook(net, 'connect', () => block('net.connect') as any);
  hook(net, 'createConnection', () => block('net.createConnection') as any);
  hook(dns, 'lookup', () => block('dns.lookup') as any);
  hook(http, 'request', () => block('http.request') as any);
  hook(http, 'get', () => block('http.get') as any);
  hook(https, 'request', () => block('https.request') as any);
  hook(https, 'get', () => block('https.get') as any);
  if (typeof globalThis.fetch === 'function') hook(globalThis, 'fetch', () => block('fetch') as any);
  const record = (path: unknown) => {
    const full = resolve(String(path));
    if (!full.startsWith(workspace + sep)) outsideReads.push(full);
  };
  hook(fs, 'readFileSync', (original) => ((path: any, ...rest: any[]) => { record(path); return (original as any)(path, ...rest); }) as any);
  hook(fs, 'openSync', (original) => ((path: any, ...rest: any[]) => { record(path); return (original as any)(path, ...rest); }) as any);
});
after(() => { for (const undo of restore.reverse()) undo(); });

const HEAD = 'openapi: 3.1.0\ninfo: { title: Hostile, version: 1.0.0 }\npaths: {}\n';

function analyse(name: string, text: string, extra: Partial<Parameters<typeof analyzeFile>[1]> = {}) {
  const uri = URI.file(join(workspace, name)).toString();
  const started = Date.now();
  const result = analyzeFile({ uri, text }, { host: new NodeWorkspaceHost([workspace]), ...extra });
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of result.diagnostics) {
    assert.ok(d.range.start.line >= 0 && d.range.start.line < lines.length + 1, `${name}: range outside the document`);
    assert.ok(d.message.length > 0);
  }
  return { ...result, ms: Date.now() - started };
}

test('billion laughs: aliases are shared, not expanded', () => {
  let text = HEAD + 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) text += `x-${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]\n`;
  const result = analyse('bomb.yaml', text);
  assert.equal(result.kind.kind, 'spec');
  assert.ok(result.ms < 10_000);
});

test('10,000-deep nesting gets one clear diagnostic (YAML flow, YAML block, JSON)', () => {
  const cases: [string, string][] = [
    ['deep.yaml', HEAD + 'x-deep: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n'],
    // Block nesting costs indentation per level, so 1,500 levels already make a 2 MB file.
    ['deep-block.yaml', HEAD + 'x-deep:\n' + Array.from({ length: 1_500 }, (_, i) => ' '.repeat(i + 1) + 'a:').join('\n') + '\n'],
    ['deep.json', '{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"x":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}'],
  ];
  for (const [name, text] of cases) {
    const result = analyse(name, text);
    assert.equal(result.diagnostics.length, 1, name);
    assert.equal(result.diagnostics[0].ruleId, 'too-deep');
    assert.match(result.diagnostics[0].message, /nests deeper than 500 levels/);
  }
});

test('a 50 MB document is refused with the size and the setting named', () => {
  const text = HEAD + 'x-big: "' + 'a'.repeat(50 * 1024 * 1024) + '"\n';
  const result = analyse('big.yaml', text);
  assert.equal(result.diagnostics.length, 1);
  assert.match(result.diagnostics[0].message, /too large to analyse: 50 MB > 20 MB limit \(apilens\.maxFileSize\)/);
});

test('a 1 MB single line, NUL bytes, invalid UTF-8 and binary content', () => {
  assert.equal(analyse('long.yaml', HEAD + 'x-long: "' + 'a'.repeat(1 << 20) + '"\n').diagnostics.length, 0);
  const nul = analyse('nul.yaml', HEAD + 'x-nul: "a\u0000b"\n');
  assert.equal(nul.diagnostics[0].ruleId, 'not-text');
  const invalidUtf8 = Buffer.concat([Buffer.from('openapi: 3.1.0\n'), Buffer.from(Array.from({ length: 4000 }, (_, i) => 0x80 + (i % 60)))]).toString('utf8');
  assert.equal(analyse('bad-utf8.yaml', invalidUtf8).diagnostics[0].ruleId, 'not-text');
  const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)).toString('utf8');
  assert.deepEqual(analyse('image.yaml', binary).diagnostics, [], 'a binary file without an openapi key is not an OpenAPI document');
});

test('circular and self-referencing $ref chains terminate and are reported', () => {
  const text = `openapi: 3.1.0
info: { title: Cycles, version: 1.0.0 }
paths:
  /a:
    $ref: '#/paths/~1b'
  /b:
    $ref: '#/paths/~1a'
components:
  schemas:
    Self: { $ref: '#/components/schemas/Self' }
    Tree:
      type: object
      properties:
        children: { type: array, items: { $ref: '#/components/schemas/Tree' } }
`;
  const result = analyse('cycles.yaml', text);
  const cycles = result.diagnostics.filter((d) => d.ruleId === 'oas-ref-resolves');
  assert.deepEqual(cycles.map((d) => d.range.start.line), [4, 6, 9], 'recursive schemas (Tree) are fine; pure cycles are not');
});

test('$refs to URLs, file://, absolute paths, ../ escapes and symlinks out: reported, never read or fetched', () => {
  writeFileSync(join(outside, 'secret.yaml'), 'components:\n  schemas:\n    Secret: { type: string }\n');
  mkdirSync(join(workspace, 'specs'), { recursive: true });
  symlinkSync(join(outside, 'secret.yaml'), join(workspace, 'specs', 'link.yaml'));
  symlinkSync(outside, join(workspace, 'specs', 'linkdir'));
  const rel = (target: string) => join('..', '..', '..', '..', '..', '..', '..', '..', target);
  const refs = [
    'https://example.com/schemas.yaml#/Pet',
    'http://169.254.169.254/latest/meta-data#/x',
    `file://${join(outside, 'secret.yaml')}#/components/schemas/Secret`,
    `${join(outside, 'secret.yaml')}#/components/schemas/Secret`,
    `${rel(join(outside, 'secret.yaml'))}#/components/schemas/Secret`,
    './link.yaml#/components/schemas/Secret',
    './linkdir/secret.yaml#/components/schemas/Secret',
    '//example.com/x.yaml#/Y',
  ];
  const text = `openapi: 3.1.0
info: { title: Refs, version: 1.0.0 }
paths: {}
components:
  schemas:
${refs.map((ref, i) => `    R${i}: { $ref: '${ref}' }`).join('\n')}
`;
  outsideReads.length = 0;
  const result = analyse('specs/refs.yaml', text);
  const reported = result.diagnostics.filter((d) => d.ruleId === 'oas-ref-resolves');
  assert.equal(reported.length, refs.length, reported.map((d) => d.message).join('\n'));
  assert.deepEqual(outsideReads.filter((path) => path.startsWith(outside)), []);
  assert.deepEqual(networkAttempts, []);
});

test('a rule that throws is isolated: one log line, the other rules still report', () => {
  const broken = defineRule({
    id: 'broken-rule', severity: 'error', description: 'Always throws, to test isolation.', appliesTo: ['spec'], fixable: false,
    docs: { rationale: 'test', bad: 'a', good: 'b' },
    checkSpec(context) { context.report({ at: ['info'], message: 'partial' }); throw new Error('boom'); },
  });
  const logs: string[] = [];
  const text = 'openapi: 3.1.0\ninfo: { title: T, version: 1.0.0 }\npaths:\n  /a/{id}:\n    get:\n      responses: { "200": { description: ok } }\n';
  const result = analyse('isolated.yaml', text, { rules: [broken, ...allRules], log: (m) => logs.push(m) });
  assert.equal(logs.length, 1);
  assert.match(logs[0], /broken-rule.*boom/s);
  assert.ok(!result.diagnostics.some((d) => d.ruleId === 'broken-rule'), 'partial output of a failed rule is dropped');
  assert.ok(result.diagnostics.some((d) => d.ruleId === 'oas-path-params-match'));
});

test('past the time budget, the analysis says which rules it skipped', () => {
  const slow = defineRule({
    id: 'slow-rule', severity: 'info', description: 'Takes too long, to test the budget.', appliesTo: ['spec'], fixable: false,
    docs: { rationale: 'test', bad: 'a', good: 'b' },
    checkSpec() { const end = Date.now() + 30; while (Date.now() < end) { /* spin */ } },
  });
  const result = analyse('slow.yaml', HEAD, { rules: [slow, ...allRules], timeBudgetMs: 10 });
  assert.ok(result.skippedRules.length > 0);
  const note = result.diagnostics.find((d) => d.ruleId === 'analysis-incomplete');
  assert.ok(note && note.message.includes(result.skippedRules[0]));
});
