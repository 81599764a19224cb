import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { allRules } from '../server/src/core/rules';
import { run } from '../server/src/cli/main';
import { parseMarkers } from './support/markers';
import { temporaryFolder } from './support/temporary';

/**
 * Drift fixtures are whole workspaces (a spec and the code that serves it) under
 * test/fixtures/drift/<name>/. Every file marks the drift findings it must carry, inline; files
 * and workspaces that mark none must stay silent. The CLI analyses the workspace as one, the way
 * CI runs it, with only the drift rules on.
 */
const ROOT = join(__dirname, 'fixtures/drift');
const driftRules = allRules.filter((rule) => rule.id.startsWith('drift-'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const workspace of readdirSync(ROOT)) {
  test(`drift workspace ${workspace}`, () => {
    const dir = temporaryFolder(`drift-${workspace}`);
    cpSync(join(ROOT, workspace), dir, { recursive: true });
    writeFileSync(join(dir, '.apilens.yaml'), `rules:\n${allRules.filter((rule) => !rule.id.startsWith('drift-')).map((rule) => `  ${rule.id}: off`).join('\n')}\n`);
    let output = '';
    run(['lint', '.', '--format', 'json'], dir, (text) => { output += text; return true; });
    const actual = (JSON.parse(output).diagnostics as { file: string; rule: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[])
      .filter((d) => d.rule.startsWith('drift-'));
    const describe = () => actual.map((d) => `${d.file}:${d.range.start.line + 1}:${d.range.start.character}-${d.range.end.character} ${d.rule}: ${d.message}`).join('\n') || '(none)';
    let expectedCount = 0;
    for (const path of filesUnder(dir).filter((file) => /\.(ya?ml|json|ts)$/.test(file) && !file.endsWith('.apilens.yaml'))) {
      const file = relative(dir, path);
      for (const want of parseMarkers(readFileSync(path, 'utf8'))) {
        expectedCount++;
        const match = actual.find((d) => d.file === file && d.rule === want.ruleId && d.range.start.line === want.line && d.range.start.character === want.startCharacter && d.range.end.character === want.endCharacter);
        assert.ok(match, `${workspace}/${file}: expected ${want.ruleId} at ${want.line + 1}:${want.startCharacter}-${want.endCharacter}; got:\n${describe()}`);
        if (want.messageIncludes) assert.ok(match.message.includes(want.messageIncludes), `${file}:${want.line + 1}: "${match.message}" lacks "${want.messageIncludes}"`);
      }
    }
    assert.equal(actual.length, expectedCount, `${workspace}: unexpected drift findings:\n${describe()}`);
  });
}

test('every drift rule is exercised by the drift workspaces, positively', () => {
  const marked = new Set(filesUnder(ROOT).flatMap((file) => parseMarkers(readFileSync(file, 'utf8')).map((m) => m.ruleId)));
  for (const rule of driftRules) assert.ok(marked.has(rule.id), `${rule.id} has no positive case in test/fixtures/drift`);
});
