import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../server/src/core/rules';
import { renderRuleDoc, renderRuleIndex } from '../server/src/core/docs';

const DOCS = join(__dirname, '../docs/rules');

test('docs/rules is generated from the rules metadata (run `npm run docs` after changing a rule)', () => {
  for (const rule of allRules) {
    const path = join(DOCS, `${rule.id}.md`);
    assert.ok(existsSync(path), `${path} is missing`);
    assert.equal(readFileSync(path, 'utf8'), renderRuleDoc(rule), `${rule.id}.md is out of date`);
  }
  assert.equal(readFileSync(join(DOCS, 'README.md'), 'utf8'), renderRuleIndex(allRules));
});

test('every rule has complete metadata', () => {
  const ids = new Set<string>();
  for (const rule of allRules) {
    assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(!ids.has(rule.id), `duplicate rule id ${rule.id}`);
    ids.add(rule.id);
    assert.ok(rule.description.length > 10 && rule.docs.rationale.length > 40, `${rule.id}: describe it`);
    assert.ok(rule.docs.bad.trim() && rule.docs.good.trim() && rule.docs.bad !== rule.docs.good, `${rule.id}: bad and good examples`);
    assert.ok(rule.appliesTo.length > 0);
    assert.ok(rule.checkSpec || rule.checkCode || rule.checkRoute || rule.checkStatement, `${rule.id} checks nothing`);
  }
});
