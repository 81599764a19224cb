import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { forEachDescendant, forEachDescendantOfKind, nodeOrderMismatch, parseSource, reparseSource } from '../../server/src/core/code/ast';
import { extractRoutes } from '../../server/src/core/code/extract';
import { generateRouter } from '../../bench/latency.mjs';
import { routeFileFixtures, seededRandom } from '../support/random-edits';

/** Every node's kind and exact range, and the parse errors: what the route extraction reads. */
function dump(source: ts.SourceFile): string {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    out.push(`${ts.SyntaxKind[node.kind]} ${node.pos}-${node.end} ${node.getStart(source)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics.map((d) => `${d.start}:${d.length}:${d.messageText}`);
  return out.join('\n') + '\n' + diagnostics.join('\n');
}

/** `dump` read through the cached node order, plus each node's subtree size and the kind lists. */
function orderDump(source: ts.SourceFile): string {
  const out = [`${ts.SyntaxKind[source.kind]} ${source.pos}-${source.end} ${source.getStart(source)}`];
  forEachDescendant(source, (node) => { out.push(`${ts.SyntaxKind[node.kind]} ${node.pos}-${node.end} ${node.getStart(source)}`); });
  const withSizes: string[] = [];
  const recursive = (node: ts.Node) => {
    let size = 0;
    forEachDescendant(node, () => { size++; });
    withSizes.push(String(size));
    ts.forEachChild(node, recursive);
  };
  recursive(source);
  const calls: number[] = [];
  forEachDescendantOfKind(source, [ts.SyntaxKind.CallExpression, ts.SyntaxKind.Block], (node) => { calls.push(node.pos); });
  const expectedCalls: number[] = [];
  const sizes: string[] = [];
  const walk = (node: ts.Node): number => {
    if (node !== source && (ts.isCallExpression(node) || ts.isBlock(node))) expectedCalls.push(node.pos);
    const at = sizes.length;
    sizes.push('');
    let size = 0;
    ts.forEachChild(node, (child) => { size += 1 + walk(child); });
    sizes[at] = String(size);
    return size;
  };
  walk(source);
  assert.deepEqual(withSizes, sizes, 'subtree sizes');
  assert.deepEqual(calls, expectedCalls, 'nodes by kind');
  const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics.map((d) => `${d.start}:${d.length}:${d.messageText}`);
  return out.join('\n') + '\n' + diagnostics.join('\n');
}

test('an edited route file re-parsed incrementally gives the tree a fresh parse gives', () => {
  const files = routeFileFixtures();
  const texts = [generateRouter(400), ...files.filter((_, i) => i % 4 === 0).map((file) => readFileSync(file, 'utf8'))];
  const snippets = ['x', ' ', '\n', '{', '}', '(', ')', "'", '`', '/', '*', ';', '=>', 'async ', "router.get('/a', (req, res) => res.json({}));\n", '@Get()', '//'];
  const random = seededRandom(17);
  let compared = 0;
  texts.forEach((original, index) => {
    const path = `/work/file${index}.ts`;
    let text = original;
    let tree = parseSource(path, text);
    for (let round = 0; round < 12; round++) {
      const at = Math.floor(random() * text.length);
      const removed = random() < 0.3 ? Math.floor(random() * 20) : 0;
      text = text.slice(0, at) + (removed ? '' : snippets[Math.floor(random() * snippets.length)]) + text.slice(at + removed);
      // The old tree's node order is known, so the new tree's is built from it (copying the
      // statements the incremental parser moved over): it must list what a walk of the new tree does.
      forEachDescendant(tree, () => undefined);
      tree = reparseSource(tree, text);
      assert.equal(dump(tree), dump(parseSource(path, text)), `file ${index}, round ${round}`);
      assert.equal(orderDump(tree), dump(tree), `node order of file ${index}, round ${round}`);
      assert.equal(nodeOrderMismatch(tree), undefined, `node starts and kinds of file ${index}, round ${round}`);
      compared++;
    }
  });
  assert.ok(compared > 100);
});

test('the route extraction of an edited file is the same through the incremental parse and the handler memory', () => {
  let text = generateRouter(300);
  const path = '/work/incremental-router.ts';
  for (let round = 0; round < 10; round++) {
    const from = Math.floor((round / 10) * text.length);
    // Edits move the handlers after them, and change a handler's own facts (kept by its text).
    if (round % 3 === 0) {
      const at = text.indexOf("'/items", from) + 2;
      text = text.slice(0, at) + 'x' + text.slice(at);
    } else if (round % 3 === 1) {
      const at = text.indexOf('res.status(404)', from);
      text = text.slice(0, at) + 'res.status(410)' + text.slice(at + 'res.status(404)'.length);
    } else {
      const at = text.indexOf('  const created', from);
      text = text.slice(0, at) + "  res.setHeader('X-Round', '1');\n" + text.slice(at);
    }
    const incremental = extractRoutes([{ path, text }], { incremental: true });
    const fresh = extractRoutes([{ path: path + '.fresh.ts', text }]);
    const view = (routes: typeof fresh.routes) => routes.map((r) => JSON.stringify({ ...r, declaration: r.declaration.start, file: undefined, handler: r.handler?.span.start }, (key, value) => {
      if (key === 'file' || key === 'app') return undefined;
      // Syntax nodes: their kind and place (the trees differ as objects).
      if (value && typeof value === 'object' && 'kind' in value && 'pos' in value && 'end' in value) return `${ts.SyntaxKind[value.kind]}@${value.pos}-${value.end}`;
      return value;
    }));
    assert.deepEqual(view(incremental.routes), view(fresh.routes));
    assert.ok(incremental.routes.length > 20, `${incremental.routes.length} routes`);
  }
});

test('forEachDescendant(OfKind) over the cached node order visits what a recursive walk visits, skips and kinds included', () => {
  const files = routeFileFixtures();
  const recursive = (node: ts.Node, visit: (node: ts.Node) => void | 'skip') => {
    const walk = (child: ts.Node) => { if (visit(child) !== 'skip') ts.forEachChild(child, walk); };
    ts.forEachChild(node, walk);
  };
  // Skipping function bodies and object literals exercises subtree ends at every depth.
  const skipping = (node: ts.Node) => ts.isBlock(node) || ts.isObjectLiteralExpression(node) ? 'skip' as const : undefined;
  let starts = 0;
  for (const [index, text] of [generateRouter(200), ...files.map((file) => readFileSync(file, 'utf8'))].entries()) {
    let tree = parseSource(`/work/order${index}.ts`, text);
    // A tree updated by the incremental parser holds reused nodes: its order must hold them too.
    if (index % 3 === 0) tree = reparseSource(tree, text.replace(/\n/, '\n// edited\n'));
    const all: ts.Node[] = [];
    recursive(tree, (node) => { all.push(node); });
    for (const start of [tree, ...all.filter((_, i) => i % 7 === 0)]) {
      for (const skip of [() => undefined, skipping]) {
        const expected: ts.Node[] = [];
        const actual: ts.Node[] = [];
        recursive(start, (node) => { expected.push(node); return skip(node); });
        forEachDescendant(start, (node) => { actual.push(node); return skip(node); });
        assert.equal(actual.length, expected.length, `file ${index}, from ${ts.SyntaxKind[start.kind]}@${start.pos}`);
        assert.ok(actual.every((node, i) => node === expected[i]));
      }
      // The kind-filtered walk: one, two, three and more kinds, a kind named twice.
      const kindSets = [[ts.SyntaxKind.CallExpression], [ts.SyntaxKind.IfStatement, ts.SyntaxKind.CallExpression, ts.SyntaxKind.IfStatement], [ts.SyntaxKind.CallExpression, ts.SyntaxKind.NewExpression], [ts.SyntaxKind.Identifier, ts.SyntaxKind.Block, ts.SyntaxKind.StringLiteral],
        [ts.SyntaxKind.PropertyAccessExpression, ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.IfStatement, ts.SyntaxKind.ArrowFunction]];
      for (const kinds of kindSets) {
        const expected: ts.Node[] = [];
        const actual: ts.Node[] = [];
        recursive(start, (node) => { if (kinds.includes(node.kind)) expected.push(node); });
        forEachDescendantOfKind(start, kinds, (node) => { actual.push(node); });
        assert.equal(actual.length, expected.length, `kinds ${kinds.join(',')} in file ${index}`);
        assert.ok(actual.every((node, i) => node === expected[i]));
      }
      starts++;
    }
  }
  assert.ok(starts > 1000, `${starts} start nodes`);
});

/** Routes and app facts as plain text, syntax nodes by kind and place (the trees differ as objects). */
function extractionView(extraction: ReturnType<typeof extractRoutes>): string {
  return JSON.stringify({ routes: extraction.routes, facts: { ...extraction.facts, frameworks: [...extraction.facts.frameworks] } }, (key, value) => {
    if (key === 'file' || key === 'app') return undefined;
    if (value && typeof value === 'object' && 'kind' in value && 'pos' in value && 'end' in value) return `${ts.SyntaxKind[value.kind]}@${value.pos}-${value.end}`;
    return value;
  }, 1);
}

test('routes kept by statement in the editor are those a fresh extraction reads, through random edits of real route files', () => {
  const files = routeFileFixtures();
  const texts = [generateRouter(200), ...files.map((file) => readFileSync(file, 'utf8')).filter((text) => /express|Router\(/.test(text))];
  const snippets = ['x', ' ', '\n', '{', '}', ')', "'", ';', 'requireAuth, ', "router.get('/a/:id', (req, res) => res.status(404).json({}));\n", 'const guards = [requireAuth];\n', 'function handler(req, res) { res.sendStatus(204); }\n', '//'];
  const random = seededRandom(29);
  let compared = 0;
  texts.forEach((original, index) => {
    const path = `/work/kept${index}.ts`;
    let text = original;
    extractRoutes([{ path, text }], { incremental: true });
    for (let round = 0; round < 8; round++) {
      const at = Math.floor(random() * text.length);
      const removed = random() < 0.3 ? Math.floor(random() * 20) : 0;
      text = text.slice(0, at) + (removed ? '' : snippets[Math.floor(random() * snippets.length)]) + text.slice(at + removed);
      const kept = extractRoutes([{ path, text }], { incremental: true });
      const fresh = extractRoutes([{ path, text }]);
      assert.equal(extractionView(kept), extractionView(fresh), `file ${index} (${texts.length} files), round ${round}`);
      compared++;
    }
  });
  assert.ok(compared > 200, `${compared} versions compared`);
});

test('a route kept by statement is read again when what it names elsewhere in the file changes', () => {
  const path = '/work/kept-names.ts';
  // Edits one at a time far from the route, as typing makes them: the parser moves the route over.
  const padding = Array.from({ length: 5 }, (_, i) => `router.get('/other${i}', (req, res) => { res.json([]); });\n`).join('');
  const route = "router.get('/items/:id', guards, showItem);\n";
  let text = `import { Router } from 'express';\nexport const router = Router();\n${padding}${route}`;
  const edits: [string, string][] = [
    // The middleware array is declared: the route's middleware are its elements.
    ["from 'express';\n", "from 'express';\nconst guards = [requireAuth, requireScope('items')];\n"],
    // The handler is declared: the route's handler and statuses are its.
    ['= Router();\n', "= Router();\nfunction showItem(req, res) { res.status(404).json({}); }\n"],
    // The handler changes: the route's statuses change with it.
    ['status(404)', 'status(410)'],
    // The router is renamed: the route has no router any more.
    ['const router', 'const api'],
  ];
  const seen: string[] = [];
  for (const [before, after] of [['', ''], ...edits]) {
    text = text.replace(before, after);
    const kept = extractRoutes([{ path, text }], { incremental: true });
    assert.equal(extractionView(kept), extractionView(extractRoutes([{ path, text }])));
    const items = kept.routes.filter((r) => r.path === '/items/:id');
    seen.push(items.map((r) => `${r.middleware.map((m) => m.name).join('+')} ${r.statuses.map((s) => s.code).join('+')}`).join());
  }
  assert.deepEqual(seen, ['guards+showItem ', 'requireAuth+requireScope+showItem ', 'requireAuth+requireScope 404', 'requireAuth+requireScope 410', '']);
});
