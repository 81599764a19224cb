import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeFile } from '../../server/src/core/engine/analyze';
import { codeWorkspaceView } from '../../server/src/core/engine/code-context';
import { DocumentMemory } from '../../server/src/core/engine/document-memory';
import { extractRoutes } from '../../server/src/core/code/extract';
import { allRules } from '../../server/src/core/rules';
import type { Diagnostic } from '../../server/src/core/types';
import { generateRouter } from '../../bench/latency.mjs';
import { routeFileFixtures, seededRandom } from '../support/random-edits';
import { NO_FILES_HOST } from '../support/workspace';

const host = NO_FILES_HOST;
const localRules = allRules.filter((rule) => rule.checkRoute || rule.checkStatement);
const routeRules = localRules.filter((rule) => rule.checkRoute);
const statementRules = localRules.filter((rule) => rule.checkStatement);

/** The editor's analysis of a route file: its memory, and the extraction through the incremental parse. */
function editorAnalysis(uri: string, text: string, memory: DocumentMemory): Diagnostic[] {
  const view = codeWorkspaceView(extractRoutes([{ path: uri, text }], { incremental: true }), []);
  return analyzeFile({ uri, text }, { host, rules: localRules, memory, codeWorkspace: () => view }).diagnostics;
}

function freshAnalysis(uri: string, text: string): Diagnostic[] {
  return analyzeFile({ uri, text }, { host, rules: localRules }).diagnostics;
}

/** Diagnostics as plain data, each fix with the edits it makes. */
function view(diagnostics: Diagnostic[]): string {
  return JSON.stringify(diagnostics.map((d) => ({ ...d, fix: d.fix && { title: d.fix.title, isPreferred: d.fix.isPreferred, edits: d.fix.edits() } })), null, 1);
}

test('local checks kept per statement in the editor report what a fresh analysis reports, fixes included, through random edits', () => {
  assert.ok(routeRules.length >= 3 && statementRules.length >= 3, `${routeRules.length} rules check routes, ${statementRules.length} statements`);
  const files = routeFileFixtures();
  const texts = [generateRouter(120), ...files.map((file) => readFileSync(file, 'utf8')).filter((text) => /express|@nestjs/.test(text))];
  const snippets = ['x', ' ', '\n', '}', "'", ';', 'requireAuth, ', 'res.status(202).json({ id });\n', 'await prisma.item.update({ where: { id } });\n', "router.get('/a/:id', (req, res) => res.status(202).send());\n", 'nextCursor: last.id, ', '//',
    'res.status(500).json({ stack: err.stack });\n', "res.status(401).json({ title: 'Unauthorized' });\n", 'req.query.api_key', "jwt.sign(payload, secret);\n", "import express from 'express';\n"];
  const random = seededRandom(41);
  let compared = 0;
  let findings = 0;
  texts.forEach((original, index) => {
    const uri = `file:///work/route-checks${index}.ts`;
    const memory = new DocumentMemory();
    let text = original;
    editorAnalysis(uri, text, memory);
    for (let round = 0; round < 6; round++) {
      const at = Math.floor(random() * text.length);
      const removed = random() < 0.3 ? Math.floor(random() * 15) : 0;
      text = text.slice(0, at) + (removed ? '' : snippets[Math.floor(random() * snippets.length)]) + text.slice(at + removed);
      const kept = editorAnalysis(uri, text, memory);
      assert.equal(view(kept), view(freshAnalysis(uri, text)), `file ${index}, round ${round}`);
      compared++;
      findings += kept.length;
    }
  });
  assert.ok(compared > 150 && findings > 100, `${compared} versions, ${findings} findings compared`);
});

test('a keystroke in one route of a large router checks that statement again, and replays the others', () => {
  const uri = 'file:///work/route-checks-router.ts';
  const memory = new DocumentMemory();
  let text = generateRouter(400);
  const first = editorAnalysis(uri, text, memory);
  const routes = extractRoutes([{ path: uri, text }]).routes.length;
  const statements = text.split('\n').filter((line) => /^(router\.|import |export )/.test(line)).length;
  assert.ok(routes > 50 && first.length > 0, `${routes} routes, ${first.length} findings`);
  assert.equal(memory.localFindings.checked, routes * routeRules.length + statements * statementRules.length);
  // A write in one GET handler: method-safe-get must report it, in this version.
  const at = text.indexOf('const item = await prisma.item3.findUnique');
  text = `${text.slice(0, at)}await prisma.item3.update({ where: { id: req.params.id }, data: {} });\n  ${text.slice(at)}`;
  const before = memory.localFindings.checked;
  const kept = editorAnalysis(uri, text, memory);
  assert.equal(memory.localFindings.checked - before, routeRules.length + statementRules.length, 'only the edited statement is checked again');
  assert.equal(view(kept), view(freshAnalysis(uri, text)));
  assert.ok(kept.some((d) => d.ruleId === 'method-safe-get' && /item3/.test(d.message)));
});

test('a kept route check is run again when the route model changes outside its statement, and never keeps findings outside it', () => {
  // Two checks that read what other statements decide: the route's full path and middleware, and
  // where inherited middleware is written (outside the route's statement).
  const probes = [
    { ...routeRules[0], id: 'probe-model', checkCode: undefined, checkStatement: undefined, localEnvironment: undefined, checkRoute: (context: any, route: any) => context.report({ span: route.declaration, message: `${route.method} ${route.path} [${route.middleware.map((m: any) => m.name).join(',')}] ${route.auth} ${route.statuses.map((s: any) => s.code).join(',')}` }) },
    { ...routeRules[0], id: 'probe-middleware', checkCode: undefined, checkStatement: undefined, localEnvironment: undefined, checkRoute: (context: any, route: any) => { for (const m of route.middleware) context.report({ span: m.span, message: `middleware ${m.name} of ${route.path}` }); } },
  ];
  const uri = 'file:///work/local-checks-model.ts';
  const memory = new DocumentMemory();
  const analyse = (text: string, withMemory: boolean) => {
    const view = codeWorkspaceView(withMemory ? extractRoutes([{ path: uri, text }], { incremental: true }) : extractRoutes([{ path: uri, text }]), []);
    return view_(analyzeFile({ uri, text }, { host, rules: probes as any, memory: withMemory ? memory : undefined, codeWorkspace: () => view }).diagnostics);
  };
  const view_ = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.ruleId} ${d.range.start.line}:${d.range.start.character} ${d.message}`);
  let text = "import express, { Router } from 'express';\nconst app = express();\nconst router = Router();\nrouter.get('/items', (req, res) => { res.json([]); });\nrouter.post('/items', (req, res) => { res.status(201).json({}); });\nrouter.delete('/items/:id', removeItem);\nfunction removeItem(req, res) { res.status(204).end(); }\napp.listen(3000);\n";
  const edits: [string, string][] = [
    // Middleware applied from another statement: the routes' middleware and auth change.
    ["const router = Router();\n", "const router = Router();\nrouter.use(requireAuth);\n"],
    // Mounted under a prefix: the routes' paths change.
    ['app.listen(3000);', "app.use('/v2', router);\napp.listen(3000);"],
    // The routes move down a line, the middleware they inherit does not.
    ['router.use(requireAuth);\n', 'router.use(requireAuth);\n\n'],
    // A handler defined in another statement changes: the route's statuses change with it.
    ['status(204)', 'status(404)'],
  ];
  const seen: string[][] = [];
  for (const [before, after] of [['', ''], ...edits]) {
    text = text.replace(before, after);
    const kept = analyse(text, true);
    assert.deepEqual(kept, analyse(text, false));
    seen.push(kept);
  }
  assert.ok(seen[1].some((m) => /probe-model .*\/items \[requireAuth\] true/.test(m)), seen[1].join('\n'));
  assert.ok(seen[2].some((m) => /probe-model .*\/v2\/items/.test(m)), seen[2].join('\n'));
  assert.ok(seen[3].some((m) => /^probe-middleware 3:.* of \/v2\/items$/.test(m)), seen[3].join('\n'));
  assert.ok(seen[4].some((m) => /probe-model .*delete \/v2\/items\/:id .* 404/.test(m)), seen[4].join('\n'));
});
