import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from './support/temporary';

/**
 * The standalone server in a second real editor: headless Neovim's built-in LSP client starts
 * `node dist/server.js --stdio`, opens an OpenAPI file and a route file, collects diagnostics and
 * asks for code actions. Skipped (with a message) only where Neovim is not installed; CI installs it.
 */
const ROOT = join(__dirname, '..');
const hasNvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;

test('Neovim shows apilens diagnostics and code actions', { skip: !hasNvim && !process.env.CI ? 'nvim not installed (apt-get install neovim)' : false }, () => {
  const out = join(temporaryFolder('nvim'), 'result.json');
  const spec = join(ROOT, 'test/fixtures/cli/four-problems/openapi.yaml');
  const route = join(ROOT, 'examples/orders-service/src/orders.ts');
  const run = spawnSync('timeout', ['60', 'nvim', '--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(ROOT, 'test/neovim/lsp-test.lua')}`], {
    env: { ...process.env, APILENS_SERVER: join(ROOT, 'dist/server.js'), APILENS_SPEC: spec, APILENS_ROUTE: process.env.APILENS_NVIM_ROUTE ? route : '', APILENS_OUT: out },
    encoding: 'utf8',
  });
  const result = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(run.status, 0, `nvim exited ${run.status}: ${JSON.stringify(result.errors)} ${run.stderr}`);
  const codes = result.diagnostics[spec].map((d: any) => `${d.line}:${d.code}`).sort();
  assert.deepEqual(codes, ['14:oas-ref-resolves', '17:oas-path-params-match', '18:oas-operation-id-unique', '49:oas-schema-valid']);
  for (const d of result.diagnostics[spec]) assert.equal(d.source, 'apilens');
  const fix = result.code_actions.find((a: any) => a.for_code === 'oas-path-params-match');
  assert.ok(fix && fix.kind === 'quickfix' && fix.has_edit, JSON.stringify(result.code_actions));
});
