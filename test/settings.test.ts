import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { LspTestClient } from './support/lsp-client';
import { runCli } from './support/cli';
import { temporaryFolder } from './support/temporary';

/** Severities from editor settings, `.apilens.yaml`, disable comments, and workspace trust. */
const FOUR = readFileSync(join(__dirname, 'fixtures/cli/four-problems/openapi.yaml'), 'utf8');
const clients: LspTestClient[] = [];
after(() => Promise.all(clients.map((c) => c.shutdown())));

function workspace(files: Record<string, string>): string {
  const dir = temporaryFolder('settings');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function start(dir: string, settings: Record<string, unknown>, initializationOptions?: object) {
  const client = new LspTestClient();
  clients.push(client);
  client.settings = { enable: true, rules: {}, debounceMs: 10, ...settings };
  await client.connection.sendRequest('initialize', {
    processId: process.pid, rootUri: URI.file(dir).toString(), workspaceFolders: [{ uri: URI.file(dir).toString(), name: 'ws' }],
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } }, initializationOptions,
  });
  await client.connection.sendNotification('initialized', {});
  return client;
}

test('apilens.rules severities apply, and a configuration change re-analyses open documents', async () => {
  const dir = workspace({ 'openapi.yaml': FOUR });
  const uri = URI.file(join(dir, 'openapi.yaml')).toString();
  const client = await start(dir, { rules: { 'oas-schema-valid': 'off', 'oas-ref-resolves': 'warning' } });
  await new Promise((r) => setTimeout(r, 50));
  await client.open(uri, FOUR);
  const first = await client.diagnostics(uri, 1);
  assert.ok(!first.some((d) => d.code === 'oas-schema-valid'));
  assert.equal(first.find((d) => d.code === 'oas-ref-resolves')!.severity, 2);
  const before = client.publishedFor(uri).length;
  client.settings = { ...client.settings, rules: { 'oas-operation-id-unique': 'off' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  for (let i = 0; i < 200 && client.publishedFor(uri).length === before; i++) await new Promise((r) => setTimeout(r, 10));
  const latest = client.publishedFor(uri).at(-1)!.diagnostics;
  assert.ok(latest.some((d) => d.code === 'oas-schema-valid'), 'the old setting no longer applies');
  assert.ok(!latest.some((d) => d.code === 'oas-operation-id-unique'));
});

test('.apilens.yaml wins over user settings; an untrusted workspace ignores it', async () => {
  const dir = workspace({ 'openapi.yaml': FOUR, '.apilens.yaml': 'rules:\n  oas-ref-resolves: off\n' });
  const uri = URI.file(join(dir, 'openapi.yaml')).toString();
  const trusted = await start(dir, { rules: { 'oas-ref-resolves': 'error' } });
  await trusted.open(uri, FOUR);
  assert.ok(!(await trusted.diagnostics(uri, 1)).some((d) => d.code === 'oas-ref-resolves'));
  const untrusted = await start(dir, { rules: {} }, { workspaceTrusted: false });
  await untrusted.open(uri, FOUR);
  assert.ok((await untrusted.diagnostics(uri, 1)).some((d) => d.code === 'oas-ref-resolves'));
});

test('apilens.enable false clears diagnostics', async () => {
  const dir = workspace({ 'openapi.yaml': FOUR });
  const uri = URI.file(join(dir, 'openapi.yaml')).toString();
  const client = await start(dir, { enable: false });
  await client.open(uri, FOUR);
  assert.deepEqual(await client.diagnostics(uri, 1), []);
});

const SUPPRESSED = FOUR
  .replace("                $ref: '#/components/schemas/AccountList'", "                # apilens-disable-next-line oas-ref-resolves\n                $ref: '#/components/schemas/AccountList'")
  .replace('openapi: 3.1.0\n', 'openapi: 3.1.0\n# apilens-disable-file oas-schema-valid\n');

test('disable comments work in the server', async () => {
  const dir = workspace({ 'openapi.yaml': SUPPRESSED });
  const uri = URI.file(join(dir, 'openapi.yaml')).toString();
  const client = await start(dir, {});
  await client.open(uri, SUPPRESSED);
  assert.deepEqual((await client.diagnostics(uri, 1)).map((d) => d.code).sort(), ['oas-operation-id-unique', 'oas-path-params-match']);
});

test('disable comments and config work in the CLI', () => {
  const dir = workspace({ 'openapi.yaml': SUPPRESSED, '.apilens.yaml': 'rules:\n  oas-path-params-match: info\n' });
  const { stdout, code } = runCli(['lint', '.', '--format', 'json'], dir);
  const diagnostics = JSON.parse(stdout).diagnostics;
  assert.deepEqual(diagnostics.map((d: any) => `${d.rule}:${d.severity}`).sort(), ['oas-operation-id-unique:error', 'oas-path-params-match:info']);
  assert.equal(code, 1);
  const json = JSON.stringify({ openapi: '3.1.0', info: { title: 'T', version: '1' }, paths: { '/a': { get: { operationId: 'x', responses: { '200': { description: 'ok' } } } }, '/b': { get: { operationId: 'x', responses: { '200': { description: 'ok' } } } } } }, null, 2)
    .replace('  "paths"', '  // apilens-disable-file oas-operation-id-unique\n  "paths"');
  // Only the disable comment is under test: the bare operations' missing error responses are not.
  const jsonDir = workspace({ 'openapi.json': json, '.apilens.yaml': 'rules:\n  error-responses-documented: off\n' });
  assert.deepEqual(JSON.parse(runCli(['lint', '.', '--format', 'json'], jsonDir).stdout).diagnostics, []);
});
