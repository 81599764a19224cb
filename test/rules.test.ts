import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../server/src/core/rules';
import { parseMarkers } from './support/markers';
import { analyzePath } from './support/workspace';

/**
 * Rule fixtures: test/fixtures/rules/<rule-id>/{bad,good}-*.{yaml,json,ts}. Each `bad-` file marks
 * the diagnostics it must produce inline; each `good-` file is a near miss that must stay silent.
 * Only the rule under test runs (plus parse errors, which no fixture may have unless marked).
 */
const FIXTURES = join(__dirname, 'fixtures/rules');
const MIN_CASES = 3;

// APILENS_RULES=id1,id2 runs only those rules' fixtures (handy while writing a rule).
const only = process.env.APILENS_RULES?.split(',').map((id) => id.trim()).filter(Boolean);

// Drift rules judge a whole workspace (spec and code together): drift.test.ts runs them on fixture workspaces.
for (const rule of allRules.filter((r) => (!only || only.includes(r.id)) && !r.id.startsWith('drift-'))) {
  describe(`rule ${rule.id}`, () => {
    const dir = join(FIXTURES, rule.id);
    const files = existsSync(dir) ? readdirSync(dir).filter((file) => /^(bad|good)-.*\.(ya?ml|json|ts|js)$/.test(file)).sort() : [];

    test(`has at least ${MIN_CASES} positive and ${MIN_CASES} negative fixtures`, () => {
      assert.ok(files.filter((f) => f.startsWith('bad-')).length >= MIN_CASES, `${rule.id}: add bad-*.yaml fixtures under ${dir}`);
      assert.ok(files.filter((f) => f.startsWith('good-')).length >= MIN_CASES, `${rule.id}: add good-*.yaml fixtures under ${dir}`);
    });

    for (const file of files) {
      test(file, () => {
        const path = join(dir, file);
        const text = readFileSync(path, 'utf8');
        const expected = parseMarkers(text);
        if (file.startsWith('bad-')) assert.ok(expected.length > 0, `${file} is a positive fixture but marks no diagnostic`);
        else assert.equal(expected.length, 0, `${file} is a negative fixture but marks diagnostics`);
        const result = analyzePath(path, dir, { rules: [rule] });
        assert.notEqual(result.kind.kind, 'other', `${file} was not recognised as a document apilens analyses`);
        const actual = result.diagnostics.map((d) => ({
          line: d.range.start.line,
          startCharacter: d.range.start.character,
          endCharacter: d.range.start.line === d.range.end.line ? d.range.end.character : lineLength(text, d.range.start.line),
          ruleId: d.ruleId,
          message: d.message,
        }));
        const describeAll = () => actual.map((a) => `${a.line + 1}:${a.startCharacter}-${a.endCharacter} ${a.ruleId}: ${a.message}`).join('\n') || '(none)';
        for (const want of expected) {
          const match = actual.find((a) => a.line === want.line && a.startCharacter === want.startCharacter && a.endCharacter === want.endCharacter && a.ruleId === want.ruleId);
          assert.ok(match, `${file}: expected ${want.ruleId} at ${want.line + 1}:${want.startCharacter}-${want.endCharacter}; got:\n${describeAll()}`);
          if (want.messageIncludes) assert.ok(match.message.includes(want.messageIncludes), `${file}:${want.line + 1}: message "${match.message}" lacks "${want.messageIncludes}"`);
        }
        assert.equal(actual.length, expected.length, `${file}: unexpected diagnostics:\n${describeAll()}`);
      });
    }
  });
}

function lineLength(text: string, line: number): number {
  return (text.split(/\r?\n/)[line] ?? '').length;
}
