import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { LspTestClient, applyEdits } from './support/lsp-client';

const ROOT = join(__dirname, 'fixtures/cli/four-problems');
const FILE = join(ROOT, 'openapi.yaml');
const uri = URI.file(FILE).toString();
const original = readFileSync(FILE, 'utf8');

const client = new LspTestClient();
after(() => client.shutdown());

test('initialize advertises incremental sync and code actions', async () => {
  const result = await client.initialize(URI.file(ROOT).toString());
  assert.equal(result.capabilities.textDocumentSync.change, 2);
  assert.deepEqual(result.capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.apilens']);
});

test('didOpen publishes the four diagnostics with code, source, doc link and exact ranges', async () => {
  await client.open(uri, original);
  const diagnostics = await client.diagnostics(uri, 1);
  const summary = diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`).sort();
  assert.deepEqual(summary, ['14:22 oas-ref-resolves', '17:4 oas-path-params-match', '18:19 oas-operation-id-unique', '49:6 oas-schema-valid']);
  for (const d of diagnostics) {
    assert.equal(d.source, 'apilens');
    assert.match(d.codeDescription!.href, new RegExp(`docs/rules/${d.code}\\.md$`));
  }
  const duplicate = diagnostics.find((d) => d.code === 'oas-operation-id-unique')!;
  assert.equal(duplicate.relatedInformation![0].location.range.start.line, 7);
});

test('the quick fix adds the missing path parameter and the next publish drops that diagnostic', async () => {
  const diagnostics = await client.diagnostics(uri, 1);
  const missing = diagnostics.find((d) => d.code === 'oas-path-params-match')!;
  const actions = await client.codeActions(uri, missing.range, [missing]);
  const fix = actions.find((a) => a.kind === 'quickfix');
  assert.ok(fix, 'a quick fix is offered');
  assert.equal(fix.isPreferred, true);
  const fixed = applyEdits(original, fix.edit.changes[uri]);
  assert.match(fixed, /      parameters:\n        - name: accountId\n          in: path\n          required: true\n          schema:\n            type: string\n/);
  // Everything the fix did not touch is byte-identical.
  assert.equal(fixed.replace(/      parameters:\n(        .*\n|          .*\n|            .*\n)+/, ''), original);
  const version = client.change(uri, [{ text: fixed }]);
  const after = await client.diagnostics(uri, version);
  assert.deepEqual(after.map((d) => d.code).sort(), ['oas-operation-id-unique', 'oas-ref-resolves', 'oas-schema-valid']);
});

test('editing the text (incremental changes) clears every diagnostic', async () => {
  const fixedText = original
    .replace('  /accounts/{accountId}:\n    get:\n      operationId: listAccounts\n', '  /accounts/{accountId}:\n    get:\n      operationId: getAccount\n      parameters:\n        - { name: accountId, in: path, required: true, schema: { type: string } }\n')
    .replace("#/components/schemas/AccountList", "#/components/schemas/Account")
    .replace('schem: bearer', 'scheme: bearer');
  let version = client.change(uri, [{ text: original }]);
  await client.diagnostics(uri, version);
  // One real incremental edit: rename `schem` on line 50 (0-based 49) by inserting an 'e'.
  version = client.change(uri, [{ range: { start: { line: 49, character: 11 }, end: { line: 49, character: 11 } }, text: 'e' }]);
  const afterOne = await client.diagnostics(uri, version);
  assert.ok(!afterOne.some((d) => d.code === 'oas-schema-valid'));
  version = client.change(uri, [{ text: fixedText }]);
  assert.deepEqual(await client.diagnostics(uri, version), []);
});

test('rapid edits: only the newest version is published', async () => {
  let version = 0;
  for (let i = 0; i < 20; i++) version = client.change(uri, [{ text: original + `# edit ${i}\n` }]);
  const diagnostics = await client.diagnostics(uri, version);
  assert.equal(diagnostics.length, 4);
  const stale = client.publishedFor(uri).filter((p) => p.version !== undefined && p.version > 5 && p.version < version);
  assert.ok(stale.length <= 2, `stale versions published: ${stale.map((p) => p.version)}`);
});

test('fix-all offers one edit for every preferred fix', async () => {
  const version = client.change(uri, [{ text: original }]);
  const diagnostics = await client.diagnostics(uri, version);
  const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.apilens']);
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'source.fixAll.apilens');
  assert.ok(applyEdits(original, actions[0].edit.changes[uri]).includes('name: accountId'));
  assert.equal(diagnostics.length, 4);
});

test('non-OpenAPI YAML and JSON files get no diagnostics; unknown documents are harmless', async () => {
  const composeUri = URI.file(join(__dirname, 'fixtures/cli/not-openapi/docker-compose.yml')).toString();
  await client.open(composeUri, 'services:\n  api:\n    image: node:20\n');
  assert.deepEqual(await client.diagnostics(composeUri, 1), []);
  const actions = await client.codeActions('file:///nowhere.yaml', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []);
  assert.deepEqual(actions, []);
  await client.close(composeUri);
});

test('YAML syntax errors are diagnostics at their position', async () => {
  const brokenUri = URI.file(join(ROOT, 'broken.yaml')).toString();
  await client.open(brokenUri, 'openapi: 3.1.0\ninfo: { title: T, version: 1.0.0\npaths: {}\n');
  const diagnostics = await client.diagnostics(brokenUri, 1);
  assert.ok(diagnostics.length >= 1);
  assert.equal(diagnostics[0].code, 'parse-error');
  assert.ok([1, 2].includes(diagnostics[0].range.start.line), 'at the unclosed flow map or where it should have closed');
  assert.match(diagnostics[0].message, /Flow map/);
});
