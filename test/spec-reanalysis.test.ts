import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSpecDocument } from '../server/src/core/engine/analyze';
import { DocumentMemory } from '../server/src/core/engine/document-memory';
import { codeWorkspaceView } from '../server/src/core/engine/code-context';
import { defaultConfig, mergeConfig } from '../server/src/core/engine/config';
import { extractRoutes } from '../server/src/core/code/extract';
import { allRules } from '../server/src/core/rules';
import type { Rule } from '../server/src/core/rules/rule';
import { parseSpecDocument } from '../server/src/core/spec/document';
import { NO_FILES_HOST } from './support/workspace';

/**
 * When route code changes, the editor analyses the open spec again for drift, at the same version.
 * Only the rules that read the code then run again; the others' findings are kept. These tests hold
 * the kept analysis equal to a fresh one, and count which rules ran.
 */
const SPEC = `openapi: 3.1.0
info: { title: Users, version: '1' }
paths:
  /users:
    get:
      operationId: listUsers
      responses:
        '200': { description: ok }
  /users/{id}:
    get:
      operationId: getUser
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '200': { description: ok }
`;

const code = (routes: string) => `import express from 'express';
const app = express();
${routes}
app.listen(3000);
`;
const BOTH = code(`app.get('/users', (req, res) => { res.json([]); });\napp.get('/users/:id', (req, res) => { res.json({}); });`);
const ONE = code(`app.get('/users', (req, res) => { res.json([]); });`);

const host = NO_FILES_HOST;

function viewOf(text: string, doc: ReturnType<typeof parseSpecDocument>) {
  return codeWorkspaceView(extractRoutes([{ path: 'file:///w/app.ts', text }]), [doc]);
}

/** Every rule, each counting its runs. */
function countingRules(): { rules: Rule[]; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const rules = allRules.filter((rule) => rule.checkSpec).map((rule): Rule => ({
    ...rule,
    checkSpec: (context) => { runs.set(rule.id, (runs.get(rule.id) ?? 0) + 1); rule.checkSpec!(context); },
  }));
  return { rules, runs };
}

const summary = (result: { diagnostics: { ruleId: string; range: { start: { line: number } }; message: string }[] }) =>
  result.diagnostics.map((d) => `${d.range.start.line} ${d.ruleId}: ${d.message}`);

test('a spec analysed again after a code change runs only the rules that read the code, and finds what a fresh analysis finds', () => {
  const doc = parseSpecDocument('file:///w/openapi.yaml', SPEC, 'yaml');
  const memory = new DocumentMemory();
  const { rules, runs } = countingRules();
  const first = analyzeSpecDocument(doc, { host, rules, memory, codeWorkspace: () => viewOf(BOTH, doc) });
  assert.ok(!summary(first).some((line) => line.includes('drift-operation-unimplemented')), summary(first).join('\n'));
  const ranFirst = new Map(runs);
  runs.clear();

  const again = analyzeSpecDocument(doc, { host, rules, memory, codeWorkspace: () => viewOf(ONE, doc) });
  const fresh = analyzeSpecDocument(doc, { host, rules: allRules, codeWorkspace: () => viewOf(ONE, doc) });
  assert.deepEqual(summary(again), summary(fresh));
  // The route for /users/{id} is gone: the drift rule sees it without the other rules running.
  assert.ok(summary(again).some((line) => line.includes('drift-operation-unimplemented') && line.includes('GET /users/{id}')), summary(again).join('\n'));
  assert.ok(summary(again).length > 1, 'the kept findings of the other rules are still there');
  const ranAgain = [...runs.keys()].sort();
  assert.ok(ranAgain.includes('drift-operation-unimplemented'));
  assert.ok(ranAgain.every((id) => id.startsWith('drift-')), `only drift rules ran again: ${ranAgain.join(', ')}`);
  assert.ok(ranFirst.has('oas-schema-valid') && ranFirst.has('oas-operation-id-unique'), 'the first analysis ran the document-wide rules');
});

test('a new version, another configuration or a $ref into another file runs every rule again', () => {
  const run = (doc: ReturnType<typeof parseSpecDocument>, memory: DocumentMemory, rules: Rule[], config = defaultConfig()) =>
    analyzeSpecDocument(doc, { host, rules, memory, config, codeWorkspace: () => viewOf(BOTH, doc) });
  // Document-wide rules (path-item rules have a memory of their own, by path item).
  const everyRuleRan = (runs: Map<string, number>) => runs.has('oas-schema-valid') && runs.has('oas-operation-id-unique') && runs.has('oas-version-legacy');

  // Another version of the document: another object.
  {
    const { rules, runs } = countingRules();
    const memory = new DocumentMemory();
    run(parseSpecDocument('file:///w/openapi.yaml', SPEC, 'yaml'), memory, rules);
    runs.clear();
    run(parseSpecDocument('file:///w/openapi.yaml', SPEC, 'yaml'), memory, rules);
    assert.ok(everyRuleRan(runs), [...runs.keys()].join(', '));
  }
  // Another configuration (a rule turned off): its findings go, and the rest runs again.
  {
    const { rules, runs } = countingRules();
    const memory = new DocumentMemory();
    const doc = parseSpecDocument('file:///w/openapi.yaml', SPEC, 'yaml');
    const first = run(doc, memory, rules);
    const someRule = first.diagnostics.find((d) => !d.ruleId.startsWith('drift-'))!.ruleId;
    runs.clear();
    const second = run(doc, memory, rules, mergeConfig(defaultConfig(), { rules: { [someRule]: 'off' } }));
    assert.ok(everyRuleRan(runs), [...runs.keys()].join(', '));
    assert.ok(!second.diagnostics.some((d) => d.ruleId === someRule));
  }
  // A $ref into another file: that file may change while this document does not.
  {
    const withExternalRef = SPEC.replace(`        '200': { description: ok }\n  /users/{id}`, `        '200': { $ref: './responses.yaml#/Ok' }\n  /users/{id}`);
    const { rules, runs } = countingRules();
    const memory = new DocumentMemory();
    const doc = parseSpecDocument('file:///w/openapi.yaml', withExternalRef, 'yaml');
    run(doc, memory, rules);
    runs.clear();
    run(doc, memory, rules);
    assert.ok(everyRuleRan(runs), [...runs.keys()].join(', '));
  }
});
