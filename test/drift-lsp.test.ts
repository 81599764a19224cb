import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { allRules } from '../server/src/core/rules';
import { applyEdits, LspTestClient } from './support/lsp-client';
import { temporaryFolder } from './support/temporary';

/**
 * Drift in the editor: findings move with unsaved edits on either side, and the drift quick fixes
 * write into the spec file (which need not be open) exactly what the golden files hold.
 */
const WORKSPACE = join(__dirname, 'fixtures/drift/express-service');
const GOLDEN = join(__dirname, 'fixtures/drift-fixes');

const dir = temporaryFolder('drift-lsp');
cpSync(WORKSPACE, dir, { recursive: true });
const specUri = URI.file(join(dir, 'openapi.yaml')).toString();
const usersUri = URI.file(join(dir, 'src/users.ts')).toString();
const specText = readFileSync(join(dir, 'openapi.yaml'), 'utf8');
const usersText = readFileSync(join(dir, 'src/users.ts'), 'utf8');
const codes = (diagnostics: { code?: unknown }[]) => diagnostics.map((d) => String(d.code));

const client = new LspTestClient();
before(() => client.initialize(URI.file(dir).toString()));
after(() => client.shutdown());

const GOLDEN_CASES = [['drift-route-undocumented', 'add-operation.openapi.fixed.yaml'], ['drift-status-undocumented', 'add-status.openapi.fixed.yaml']] as const;

test('every fixable drift rule has a golden case', () => {
  for (const rule of allRules.filter((r) => r.fixable && r.id.startsWith('drift-'))) {
    assert.ok(GOLDEN_CASES.some(([id]) => id === rule.id), `${rule.id} is fixable but has no golden case here`);
  }
});

for (const [ruleId, golden] of GOLDEN_CASES) {
  test(`${ruleId}: the quick fix writes into the unopened spec`, async () => {
    const since = client.mark();
    await client.open(usersUri, usersText, 'typescript');
    const diagnostics = await client.waitFor(usersUri, (list) => codes(list).includes(ruleId), since);
    const target = diagnostics.find((d) => d.code === ruleId)!;
    const actions = await client.codeActions(usersUri, target.range, [target], ['quickfix']);
    const fix = actions.find((action) => action.diagnostics?.[0]?.code === ruleId);
    assert.ok(fix?.edit?.changes?.[specUri], `no quick fix editing the spec for ${ruleId}: ${JSON.stringify(actions)}`);
    const fixed = applyEdits(specText, fix.edit.changes[specUri]);
    const goldenPath = join(GOLDEN, golden);
    if (process.env.APILENS_UPDATE_GOLDEN && !existsSync(goldenPath)) writeFileSync(goldenPath, fixed);
    assert.equal(fixed, readFileSync(goldenPath, 'utf8'));
    await client.close(usersUri);
  });
}

test('editing the spec, unsaved, updates the route file\'s drift findings', async () => {
  let since = client.mark();
  await client.open(usersUri, usersText, 'typescript');
  await client.waitFor(usersUri, (list) => codes(list).includes('drift-route-undocumented'), since);
  await client.open(specUri, specText, 'yaml');
  // Document DELETE /users/{userId} in the editor's copy of the spec, without saving.
  const withDelete = specText.replace("  /users/{userId}:\n", "  /users/{userId}:\n    delete:\n      operationId: deleteUser\n      responses:\n        '204': { description: Deleted }\n");
  assert.notEqual(withDelete, specText);
  since = client.mark();
  client.change(specUri, [{ text: withDelete }]);
  await client.waitFor(usersUri, (list) => !codes(list).includes('drift-route-undocumented'), since);
  await client.close(specUri);
  await client.close(usersUri);
});

test('editing a route path, unsaved, updates the spec\'s drift findings', async () => {
  let since = client.mark();
  await client.open(specUri, specText, 'yaml');
  await client.open(usersUri, usersText, 'typescript');
  await client.waitFor(specUri, (list) => codes(list).includes('drift-operation-unimplemented'), since);
  // Serve GET /users/{userId}/sessions in the editor's copy of the code.
  const withSessions = usersText.replace('export default router;', "router.get('/:userId/sessions', requireAuth, (_req, res) => {\n  res.json([]);\n});\n\nexport default router;");
  since = client.mark();
  client.change(usersUri, [{ text: withSessions }]);
  await client.waitFor(specUri, (list) => !codes(list).includes('drift-operation-unimplemented'), since);
});

test('code lenses link routes and operations both ways', async () => {
  await client.open(usersUri, usersText, 'typescript');
  const routeLenses = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: usersUri } }) as { range: { start: { line: number } }; command: { title: string; command: string; arguments?: unknown[] } }[];
  const titles = routeLenses.map((lens) => `${lens.range.start.line + 1} ${lens.command.title}`);
  assert.ok(titles.some((title) => /^7 openapi\.yaml: listUsers$/.test(title)), titles.join('\n'));
  assert.ok(titles.some((title) => /not in the OpenAPI document/.test(title)), titles.join('\n'));
  const listUsers = routeLenses.find((lens) => lens.command.title === 'openapi.yaml: listUsers')!;
  assert.equal(listUsers.command.command, 'apilens.openLocation');
  assert.equal(listUsers.command.arguments?.[0], specUri);

  await client.open(specUri, specText, 'yaml');
  const operationLenses = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: specUri } }) as { command: { title: string; arguments?: unknown[] } }[];
  const specTitles = operationLenses.map((lens) => lens.command.title);
  assert.ok(specTitles.includes('handler: users.ts:7'), specTitles.join('\n'));
  assert.ok(specTitles.includes('apilens: no handler in this workspace'), specTitles.join('\n'));
  await client.close(specUri);
  await client.close(usersUri);
});
