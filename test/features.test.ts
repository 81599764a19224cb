import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { LspTestClient } from './support/lsp-client';

/** Editor features over the protocol, as an editor uses them, on a two-file spec. */
const ROOT = join(__dirname, 'fixtures/features');
const MAIN = join(ROOT, 'specs/openapi.yaml');
const COMMON = join(ROOT, 'specs/common.yaml');
const mainUri = URI.file(MAIN).toString();
const commonUri = URI.file(COMMON).toString();
const mainText = readFileSync(MAIN, 'utf8');
const lines = mainText.split('\n');

/** Position of the first occurrence of `needle` (plus `delta` characters) in the main file. */
function at(needle: string, delta = 0, text = mainText) {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not in fixture`);
  const before = text.slice(0, index + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

const client = new LspTestClient();
before(async () => {
  await client.initialize(URI.file(ROOT).toString());
  await client.open(mainUri, mainText);
  await client.diagnostics(mainUri, 1);
});
after(() => client.shutdown());

const request = (method: string, params: object) => client.connection.sendRequest(method, params) as Promise<any>;

test('hover on a status code explains it per RFC 9110 and the guide', async () => {
  const hover = await request('textDocument/hover', { textDocument: { uri: mainUri }, position: at("'404':", 2) });
  assert.match(hover.contents.value, /\*\*404 Not Found\*\*/);
  assert.match(hover.contents.value, /RFC 9110/);
  assert.match(hover.contents.value, /pick one policy per resource/);
});

test('hover on a $ref previews its target, across files', async () => {
  const hover = await request('textDocument/hover', { textDocument: { uri: mainUri }, position: at("./common.yaml#/components/responses/NotFound", 5) });
  assert.match(hover.contents.value, /description: Not found/);
  assert.match(hover.contents.value, /application\/problem\+json/);
});

test('go to definition on a $ref: local and in another file', async () => {
  const local = await request('textDocument/definition', { textDocument: { uri: mainUri }, position: at("'#/components/schemas/User'", 5) });
  assert.equal(local.uri, mainUri);
  assert.equal(lines[local.range.start.line].trim(), 'User:');
  const remote = await request('textDocument/definition', { textDocument: { uri: mainUri }, position: at('./common.yaml#/components/responses/NotFound', 3) });
  assert.equal(remote.uri, commonUri);
  assert.equal(remote.range.start.line, 10);
});

test('find references of a component across files', async () => {
  const references = await request('textDocument/references', { textDocument: { uri: mainUri }, position: at('./common.yaml#/components/responses/NotFound', 3), context: { includeDeclaration: true } });
  assert.equal(references.length, 3, JSON.stringify(references));
  assert.equal(references[0].uri, commonUri);
  assert.deepEqual(references.slice(1).map((r: any) => r.range.start.line), [23, 35]);
});

test('rename a component updates its key and every $ref, in every file', async () => {
  const prepare = await request('textDocument/prepareRename', { textDocument: { uri: mainUri }, position: at('    User:', 5) });
  assert.equal(prepare.placeholder, 'User');
  const edit = await request('textDocument/rename', { textDocument: { uri: mainUri }, position: at('    User:', 5), newName: 'UserView' });
  const mainEdits = edit.changes[mainUri];
  assert.equal(mainEdits.length, 3, 'the key and two $refs');
  for (const e of mainEdits) assert.equal(e.newText, 'UserView');
  await assert.rejects(request('textDocument/rename', { textDocument: { uri: mainUri }, position: at('    User:', 5), newName: 'bad name' }));
});

test('document symbols: paths > operations > responses, then components', async () => {
  const symbols = await request('textDocument/documentSymbol', { textDocument: { uri: mainUri } });
  assert.deepEqual(symbols.map((s: any) => s.name), ['paths', 'components']);
  const path = symbols[0].children[0];
  assert.equal(path.name, '/users/{userId}');
  assert.deepEqual(path.children.map((o: any) => `${o.name} ${o.detail}`), ['GET getUser', 'DELETE deleteUser']);
  assert.deepEqual(path.children[0].children.map((r: any) => r.name), ['200', '404']);
  assert.deepEqual(symbols[1].children.map((k: any) => k.name), ['securitySchemes', 'schemas']);
});

test('workspace symbols find operations by operationId and by METHOD /path', async () => {
  const byId = await request('workspace/symbol', { query: 'deleteUser' });
  assert.ok(byId.some((s: any) => s.name === 'deleteUser' && s.containerName === 'DELETE /users/{userId}'));
  const byPath = await request('workspace/symbol', { query: 'GET /users' });
  assert.ok(byPath.some((s: any) => s.name === 'GET /users/{userId}'));
});

async function completeAt(text: string, needle: string, delta: number) {
  const uri = URI.file(join(ROOT, 'specs', `completion-${Math.random().toString(36).slice(2)}.yaml`)).toString();
  await client.open(uri, text);
  const items = await request('textDocument/completion', { textDocument: { uri }, position: at(needle, delta, text) });
  await client.close(uri);
  return items as any[];
}

test('completion: $ref targets from this document and the files it references', async () => {
  const text = mainText.replace("$ref: '#/components/schemas/User'\n        '404'", "$ref: '#/comp\n        '404'");
  const items = await completeAt(text, "$ref: '#/comp", 13);
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('#/components/schemas/User'));
  assert.ok(labels.includes('#/components/securitySchemes/bearerAuth'));
  assert.ok(labels.includes('./common.yaml#/components/schemas/ProblemDetails'));
});

test('completion: status codes with reason phrases under responses', async () => {
  const text = mainText.replace("        '204':\n          description: Deleted\n", "        '204':\n          description: Deleted\n        4\n");
  const items = await completeAt(text, "        4\n", 9);
  const notFound = items.find((i) => i.label === '404');
  assert.equal(notFound.detail, 'Not Found');
  assert.equal(notFound.insertTextFormat, 2);
  assert.ok(items.some((i) => i.label === 'apilens-429'), 'snippet-backed completion for a 429 with Retry-After');
});

test('completion: media types, problem+json first under an error response', async () => {
  const text = mainText.replace("        '204':\n          description: Deleted\n", "        '409':\n          description: Conflict\n          content:\n            app\n        '204':\n          description: Deleted\n");
  const items = await completeAt(text, '            app\n', 15);
  const sorted = [...items].sort((a, b) => a.sortText.localeCompare(b.sortText));
  assert.equal(sorted[0].label, 'application/problem+json');
});

test('completion: security scheme names under security', async () => {
  const text = mainText.replace('security:\n  - bearerAuth: []\n', 'security:\n  - \n');
  const items = await completeAt(text, 'security:\n  - \n', 14);
  assert.deepEqual(items.map((i) => i.label), ['bearerAuth']);
});

test('completion: a fresh document offers the 3.1 skeleton', async () => {
  const items = await completeAt('apil', 'apil', 4);
  assert.ok(items.some((i) => i.label === 'apilens-openapi-3-1'));
});

test('hover on a diagnostic shows the rule summary and its documentation link', async () => {
  const text = mainText.replace("operationId: deleteUser", "operationId: getUser");
  const uri = URI.file(join(ROOT, 'specs', 'dup.yaml')).toString();
  await client.open(uri, text);
  const diagnostics = await client.diagnostics(uri, 1);
  const duplicate = diagnostics.find((d) => d.code === 'oas-operation-id-unique')!;
  const hover = await request('textDocument/hover', { textDocument: { uri }, position: duplicate.range.start });
  assert.match(hover.contents.value, /apilens: oas-operation-id-unique/);
  assert.match(hover.contents.value, /docs\/rules\/oas-operation-id-unique\.md/);
  await client.close(uri);
});
