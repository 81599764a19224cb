import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import ts from 'typescript';
import { allRules } from '../server/src/core/rules';
import { LspTestClient, applyEdits as applyLspEdits } from './support/lsp-client';
import { analyzePath } from './support/workspace';
import { runCli } from './support/cli';
import { temporaryFolder } from './support/temporary';

/**
 * Golden quick-fix tests: test/fixtures/fixes/<rule-id>/<case>.<ext> and <case>.fixed.<ext>.
 * Each case is fixed three ways, which must agree with the golden file byte for byte: the
 * language server's code action, `lint --fix`, and fix-all. After the fix the rule no longer
 * reports, no other rule reports something new, and the fix is not offered again.
 */
const FIXES = join(__dirname, 'fixtures/fixes');
const cases = existsSync(FIXES) ? readdirSync(FIXES).flatMap((ruleId) => readdirSync(join(FIXES, ruleId))
  .filter((file) => !/\.fixed\.[a-z]+$/.test(file) && /\.(ya?ml|json|ts|js)$/.test(file))
  .map((file) => ({ ruleId, file, dir: join(FIXES, ruleId) }))) : [];

const client = new LspTestClient();
before(() => client.initialize(URI.file(FIXES).toString()));
after(() => client.shutdown());

const signature = (d: { ruleId: string; message: string }) => `${d.ruleId}: ${d.message}`;

test('every fixable rule has golden fix cases', () => {
  // Drift fixes write into another file (the spec); their golden cases live in drift-lsp.test.ts.
  for (const rule of allRules.filter((r) => r.fixable && !r.id.startsWith('drift-'))) {
    assert.ok(cases.some((c) => c.ruleId === rule.id), `${rule.id} is fixable but has no cases in test/fixtures/fixes/${rule.id}/`);
  }
});

for (const { ruleId, file, dir } of cases) {
  test(`${ruleId}: ${file}`, async () => {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const expected = readFileSync(path.replace(/\.([a-z]+)$/, '.fixed.$1'), 'utf8');
    const rule = allRules.find((r) => r.id === ruleId);
    assert.ok(rule, `unknown rule ${ruleId}`);
    const initial = analyzePath(path, dir).diagnostics;
    const targeted = initial.filter((d) => d.ruleId === ruleId && d.fix);
    assert.ok(targeted.length > 0, `${file}: ${ruleId} offers no fix`);

    // 1. The language server's quick fix for the first finding, applied until none is left.
    const uri = URI.file(path).toString();
    await client.open(uri, before);
    let text = before;
    let version = 1;
    for (let round = 0; round < 10; round++) {
      const diagnostics = await client.diagnostics(uri, version);
      const target = diagnostics.find((d) => d.code === ruleId && (d.data as { fixable?: boolean })?.fixable);
      if (!target) break;
      const actions = await client.codeActions(uri, target.range, [target], ['quickfix']);
      const fix = actions.find((a) => a.kind === 'quickfix' && a.diagnostics?.[0]?.code === ruleId);
      assert.ok(fix?.edit?.changes?.[uri], `${file}: no quick fix offered for ${ruleId}`);
      text = applyLspEdits(text, fix.edit.changes[uri]);
      version = client.change(uri, [{ text }]);
    }
    await client.close(uri);
    assert.equal(text, expected, `${file}: quick fix result differs from the golden file`);
    if (/\.(ts|js)$/.test(file)) {
      const syntax = ts.transpileModule(text, { fileName: file, reportDiagnostics: true }).diagnostics ?? [];
      assert.deepEqual(syntax.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], `${file}: the fixed code does not parse`);
    }

    // 2. Re-analysis: the rule is silent, nothing new appears, and the fix is not offered again.
    const tmp = temporaryFolder('fix');
    cpSync(dir, tmp, { recursive: true });
    const fixedPath = join(tmp, file);
    writeFileSync(fixedPath, text);
    const afterFix = analyzePath(fixedPath, tmp).diagnostics;
    assert.deepEqual(afterFix.filter((d) => d.ruleId === ruleId).map(signature), [], `${file}: ${ruleId} still reports after the fix`);
    // No other rule reports more than before (messages may legitimately change: a renamed path).
    const countByRule = (list: { ruleId: string }[]) => list.reduce((counts, d) => counts.set(d.ruleId, (counts.get(d.ruleId) ?? 0) + 1), new Map<string, number>());
    const beforeCounts = countByRule(initial);
    const grown = [...countByRule(afterFix)].filter(([id, count]) => count > (beforeCounts.get(id) ?? 0)).map(([id]) => id);
    assert.deepEqual(grown, [], `${file}: the fix caused new findings:\n${afterFix.filter((d) => grown.includes(d.ruleId)).map(signature).join('\n')}`);

    // 3. `lint --fix` with only this rule enabled writes the same bytes.
    const cliDir = temporaryFolder('cli-fix');
    cpSync(dir, cliDir, { recursive: true });
    writeFileSync(join(cliDir, '.apilens.yaml'), `rules:\n${allRules.filter((r) => r.id !== ruleId).map((r) => `  ${r.id}: off`).join('\n')}\n`);
    runCli(['lint', file, '--fix', '--format', 'json'], cliDir);
    assert.equal(readFileSync(join(cliDir, file), 'utf8'), expected, `${file}: lint --fix result differs from the golden file`);
  });
}
