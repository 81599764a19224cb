import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ChunkedYamlParser } from '../server/src/core/spec/chunked-yaml';
import { analyzeSpecDocument } from '../server/src/core/engine/analyze';
import { DocumentMemory } from '../server/src/core/engine/document-memory';
import { allRules } from '../server/src/core/rules';
import type { Diagnostic } from '../server/src/core/types';
import { parseSpecDocument, type SpecDocument } from '../server/src/core/spec/document';
import { reuseUnchangedValues } from '../server/src/core/spec/value-reuse';
import { SpecContext } from '../server/src/core/engine/spec-context';
import { RefResolver } from '../server/src/core/spec/refs';
import { NO_FILES_HOST } from './support/workspace';

const host = NO_FILES_HOST;
const pathItemRules = allRules.filter((rule) => rule.scope === 'path-item');
/**
 * Rules that keep state of their own across versions (DocumentMemory.ruleState, or per unchanged
 * value), or combine readings of each path item (SpecContext.readPathItems).
 */
const statefulRules = allRules.filter((rule) => ['oas-examples-valid', 'oas-ref-resolves', 'oas-schema-valid', 'error-problem-details', 'error-single-format', 'not-found-policy', 'pagination-envelope-consistent', 'versioning-single-scheme', 'path-param-consistency',
  'oas-operation-id-unique', 'auth-public-explicit', 'versioning-consistent'].includes(rule.id));
const checkedRules = [...pathItemRules, ...statefulRules];
const fixtures = join(__dirname, 'fixtures/rules');

/** A rule fixture grown past the chunking size: its path items repeated under `/areaN` prefixes. */
function grown(file: string): string | undefined {
  let value: any;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || !value.paths || typeof value.paths !== 'object') return undefined;
  const size = stringify(value.paths, { lineWidth: 0 }).length;
  if (size < 20) return undefined;
  const paths: Record<string, unknown> = {};
  for (let copy = 0; copy < Math.ceil(18_000 / size); copy++) {
    for (const [key, item] of Object.entries(value.paths)) paths[copy === 0 ? key : `/area${copy}${key}`] = item;
  }
  return stringify({ ...value, paths }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** `count` path items, the i-th at `pathOf(i)`, each holding `operation` (YAML indented under the path). */
function pathItems(count: number, pathOf: (i: number) => string, operation: string): string {
  return Array.from({ length: count }, (_, i) => `  ${pathOf(i)}:\n${operation}`).join('');
}

/** Counts one rule's findings as the editor does, version after version: chunked parse, kept memory. */
function findingsInEditor(ruleId: string): (text: string) => number {
  const rule = allRules.find((candidate) => candidate.id === ruleId)!;
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const memory = new DocumentMemory();
  return (text) => analyzeSpecDocument(parser.parse('file:///api.yaml', text), { host, rules: [rule], memory }).diagnostics.length;
}

const view = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.ruleId} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.message}`);

test('path-item rules and rules with kept state give the same diagnostics and fixes, incrementally and in full, over random edits', () => {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const snippets = ['x', ' ', '1', '\n', ':', '#', 'limit', 'cursor', 'offset', '401', '403', '201', 'Retry-After', 'Idempotency-Key', '$ref', "'", '-', 'restore'];
  let documents = 0;
  let reused = 0;
  let readingsReused = 0;
  let fixesCompared = 0;
  for (const rule of checkedRules) {
    for (const name of readdirSync(join(fixtures, rule.id)).filter((file) => /\.(ya?ml|json)$/.test(file))) {
      let text = grown(join(fixtures, rule.id, name));
      if (!text) continue;
      documents++;
      const parser = new ChunkedYamlParser({ keepsVersions: true });
      // Every other document is parsed whole each version, as JSON and small YAML are in the editor.
      const parsedWhole = documents % 2 === 0;
      let previousDoc: SpecDocument | undefined;
      const memory = new DocumentMemory();
      for (let round = 0; round < 7; round++) {
        if (round > 0) {
          // Half the edits outside `paths` (components, security schemes, servers): what path items depend on.
          const pathsStart = text.indexOf('\npaths:\n');
          const after = /\n\S/.exec(text.slice(pathsStart + 8));
          const pathsEnd = after ? pathsStart + 8 + after.index : text.length;
          const outside = text.length - (pathsEnd - pathsStart);
          let at = Math.floor(random() * text.length);
          if (round % 2 === 0 && pathsStart >= 0 && outside > 0) {
            at = Math.floor(random() * outside);
            if (at >= pathsStart) at += pathsEnd - pathsStart;
          }
          const removed = random() < 0.3 ? Math.floor(random() * 12) : 0;
          text = text.slice(0, at) + (removed ? '' : snippets[Math.floor(random() * snippets.length)]) + text.slice(at + removed);
        }
        const doc = parsedWhole ? parseSpecDocument('file:///api.yaml', text, 'yaml') : parser.parse('file:///api.yaml', text);
        if (parsedWhole && previousDoc) reuseUnchangedValues(previousDoc.root, doc.root);
        previousDoc = doc;
        const incremental = analyzeSpecDocument(doc, { host, rules: checkedRules, memory });
        const fresh = parsedWhole ? parseSpecDocument('file:///api.yaml', text, 'yaml') : new ChunkedYamlParser().parse('file:///api.yaml', text);
        const full = analyzeSpecDocument(fresh, { host, rules: checkedRules });
        assert.deepEqual(view(incremental.diagnostics), view(full.diagnostics), `${rule.id}/${name}, round ${round}`);
        incremental.diagnostics.forEach((diagnostic, i) => {
          if (!diagnostic.fix || i % 7 !== 0) return;
          assert.deepEqual(diagnostic.fix.edits(), full.diagnostics[i].fix?.edits(), `fix of ${view([diagnostic])[0]}`);
          fixesCompared++;
        });
        reused += memory.reused;
        memory.reused = 0;
        readingsReused += memory.readingsReused;
        memory.readingsReused = 0;
      }
    }
  }
  console.log(`# ${documents} documents, ${reused} path items reused, ${readingsReused} readings reused, ${fixesCompared} fixes compared`);
  assert.ok(documents >= 30, `only ${documents} documents`);
  assert.ok(reused > 10_000, `only ${reused} path items were reused`);
  assert.ok(readingsReused > 10_000, `only ${readingsReused} path item readings were reused`);
  assert.ok(fixesCompared > 50, `only ${fixesCompared} fixes compared`);
});

test('a path-item rule reading a fact of the whole document re-checks every path item when that fact changes', () => {
  // dto-no-persistence-leak reports a soft-delete column unless deleted items are part of the API,
  // which a restore endpoint anywhere in `paths` says: renaming one path changes every path item's answer.
  const rule = allRules.find((candidate) => candidate.id === 'dto-no-persistence-leak')!;
  const items = pathItems(100, (i) => `/files${i}`, `    get:
      responses:
        '200':
          description: A file
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: { type: string }
                  deletedAt: { type: string, format: date-time }
`);
  const version = (restorePath: string) => `openapi: 3.0.3\ninfo: { title: Files, version: 1.0.0 }\npaths:\n${items}  ${restorePath}:\n    post:\n      responses:\n        '204': { description: Done }\n`;
  const parser = new ChunkedYamlParser({ keepsVersions: true });
  const memory = new DocumentMemory();
  const softDeleteReports = (text: string, withMemory: boolean) => {
    const doc = withMemory ? parser.parse('file:///files.yaml', text) : new ChunkedYamlParser().parse('file:///files.yaml', text);
    return analyzeSpecDocument(doc, { host, rules: [rule], memory: withMemory ? memory : undefined }).diagnostics.filter((d) => /soft-delete/.test(d.message)).length;
  };
  const plain = version('/files/{id}/archive');
  const restoring = version('/files/{id}/restore');
  // Past the chunking size, unchanged path items keep their values, so records could be reused.
  assert.ok(plain.length > 20_000);
  assert.equal(softDeleteReports(plain, true), 100);
  memory.reused = 0;
  assert.equal(softDeleteReports(restoring, true), 0);
  assert.equal(memory.reused, 0, 'no record is reused across the change');
  assert.equal(softDeleteReports(restoring, false), 0);
  assert.equal(softDeleteReports(plain, true), 100);
  // An edit that leaves the fact alone reuses the other path items' records.
  memory.reused = 0;
  assert.equal(softDeleteReports(version('/files/{id}/archived'), true), 100);
  assert.ok(memory.reused >= 99, `${memory.reused} reused`);
});

test('typing in the description of the API re-checks no path item; an edit to what path items see re-checks them all', () => {
  const items = pathItems(40, (i) => `/files${i}`, `    get:
      responses:
        '200':
          description: A file
          content:
            application/json:
              schema: { type: object, properties: { id: { type: string } } }
`);
  const version = (description: string, server: string, extension: string) => `openapi: 3.0.3
info:
  title: Files
  version: 1.0.0
  description: ${description}
tags:
  - name: files
    description: ${description}
x-audience: ${extension}
servers:
  - url: ${server}
paths:
${items}`;
  const memory = new DocumentMemory();
  let previous: SpecDocument | undefined;
  const analyse = (text: string) => {
    const doc = parseSpecDocument('file:///files.yaml', text, 'yaml');
    // Parsed whole, every value is new: the path items get their previous objects back, as in the editor.
    if (previous) reuseUnchangedValues(previous.root, doc.root);
    previous = doc;
    analyzeSpecDocument(doc, { host, rules: pathItemRules, memory });
    const counts = { checked: memory.checked, reused: memory.reused, judged: memory.judged };
    memory.checked = 0;
    memory.reused = 0;
    memory.judged = 0;
    return counts;
  };
  const first = analyse(version('Files of a user.', 'https://api.example.com', 'public'));
  assert.equal(first.checked, 40 * pathItemRules.length);
  // Every rule's record of a path item depends on the same things: judged once per path item.
  assert.deepEqual(analyse(version('Files of a user, by id.', 'https://api.example.com', 'internal')), { checked: 0, reused: 40 * pathItemRules.length, judged: 40 });
  assert.deepEqual(analyse(version('Files of a user, by id.', 'http://api.example.com', 'internal')), { checked: 40 * pathItemRules.length, reused: 0, judged: 0 });
});

test('a check of one path item sees that path item and the root keys its findings may depend on, nothing descriptive', () => {
  const doc = parseSpecDocument('file:///api.yaml', `openapi: 3.1.0
info: { title: A, version: '1' }
tags: [{ name: a }]
externalDocs: { url: 'https://example.com' }
x-owner: team
servers: [{ url: 'https://api.example.com' }]
security: [{ key: [] }]
webhooks: { ping: { post: { responses: { '200': { description: OK } } } } }
paths:
  /a: { get: { responses: { '200': { description: OK } } } }
  /b: { get: { responses: { '200': { description: OK } } } }
components: { schemas: { A: { type: string } } }
`, 'yaml');
  const scoped = new SpecContext(doc, new RefResolver(host), '/b');
  assert.deepEqual(Object.keys(scoped.root).sort(), ['components', 'openapi', 'paths', 'security', 'servers']);
  assert.deepEqual(Object.keys(scoped.root.paths as object), ['/b']);
});

test('a path-item rule re-checks every path item when a fact of the whole document it names in its environment changes', () => {
  // method-put-replaces reports a PUT body with no required property only in a document that
  // writes `required` somewhere: removing the one `required` of a component changes every answer.
  const items = pathItems(80, (i) => `/things${i}/{id}`, `    put:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: { type: string }
                size: { type: integer }
      responses:
        '200': { description: Replaced }
`);
  const version = (required: string) => `openapi: 3.0.3\ninfo: { title: Things, version: 1.0.0 }\npaths:\n${items}components:\n  schemas:\n    Other:\n      type: object\n${required}      properties:\n        id: { type: string }\n`;
  const laxPuts = findingsInEditor('method-put-replaces');
  const strict = version('      required: [id]\n');
  assert.ok(strict.length > 20_000);
  assert.equal(laxPuts(strict), 80);
  assert.equal(laxPuts(version('')), 0);
  assert.equal(laxPuts(strict), 80);
});

test('a PATCH on a collection is re-judged when an item path for it appears elsewhere in the document', () => {
  const items = pathItems(120, (i) => `/things${i}`, `    patch:
      requestBody:
        content:
          application/json:
            schema: { type: object, properties: { name: { type: string } } }
      responses:
        '200': { description: Updated }
`);
  const version = (extra: string) => `openapi: 3.0.3\ninfo: { title: Things, version: 1.0.0 }\npaths:\n${items}${extra}`;
  const collectionPatches = findingsInEditor('method-patch-catch-all');
  const withoutItems = version('');
  assert.ok(withoutItems.length > 20_000);
  assert.equal(collectionPatches(withoutItems), 0);
  // /things5 itself is unchanged; the item path beside it makes its PATCH a collection PATCH.
  assert.equal(collectionPatches(version(`  /things5/{id}:\n    get:\n      responses:\n        '200': { description: A thing }\n`)), 1);
  assert.equal(collectionPatches(withoutItems), 0);
});

test('path-param-consistency keeps its reading of the path keys only while they stay the same', () => {
  const rule = allRules.find((candidate) => candidate.id === 'path-param-consistency')!;
  const operation = `    get:\n      responses:\n        '200': { description: OK }\n`;
  const version = (name: string) => `openapi: 3.0.3\ninfo: { title: Users, version: 1.0.0 }\npaths:\n${pathItems(3, (i) => `/users/{userId}/list${i}`, operation)}  /users/{${name}}/posts:\n${operation}`;
  const memory = new DocumentMemory();
  const renames = (text: string) => analyzeSpecDocument(parseSpecDocument('file:///users.yaml', text, 'yaml'), { host, rules: [rule], memory }).diagnostics.length;
  assert.equal(renames(version('id')), 1);
  assert.equal(renames(version('id')), 1);
  assert.equal(renames(version('userId')), 0);
  assert.equal(renames(version('id')), 1);
});

test('an example schema that could not be read is tried again once what it needs exists or was mended', () => {
  const countFindings = findingsInEditor('oas-examples-valid');
  // Past the chunking size, in paths and in the schemas, with a second component map so that
  // `components` is cut too: unchanged schemas keep their values, so their copies are kept.
  const fillerPaths = pathItems(300, (i) => `/filler${i}`, "    get:\n      responses:\n        '204': { description: Done }\n");
  const fillerSchemas = Array.from({ length: 400 }, (_, i) => `    Filler${i}: { type: object, properties: { id: { type: string } } }\n`).join('');
  const version = (orderSchema: string, extraComponent: string) => `openapi: 3.0.3
info: { title: Orders, version: 1.0.0 }
paths:
${fillerPaths}  /orders:
    get:
      responses:
        '200':
          description: An order
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
              example: { quantity: two }
components:
  schemas:
${fillerSchemas}    Order:
${orderSchema}
${extraComponent}  parameters:
    limit: { name: limit, in: query, schema: { type: integer } }
`;
  const referencing = `      type: object
      properties:
        quantity: { $ref: '#/components/schemas/Quantity' }`;
  // The quantity's schema does not exist yet: nothing can be validated, nothing is said.
  assert.equal(countFindings(version(referencing, '')), 0);
  // Written now, in another component: the example is checked against it.
  assert.equal(countFindings(version(referencing, '    Quantity: { type: integer }\n')), 1);
  // A schema that cannot be read (a type being typed) is read again once it is mended.
  assert.equal(countFindings(version('      type: objectx\n      properties:\n        quantity: { type: integer }', '')), 0);
  assert.equal(countFindings(version('      type: objectx\n      properties:\n        quantity: { type: integer }', '    Other: { type: string }\n')), 0);
  assert.equal(countFindings(version('      type: object\n      properties:\n        quantity: { type: integer }', '    Other: { type: string }\n')), 1);
});
