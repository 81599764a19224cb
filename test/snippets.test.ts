import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { SNIPPETS, expandSnippet } from '../server/src/core/features/snippets';
import { analyzeFile } from '../server/src/core/engine/analyze';
import { NodeWorkspaceHost } from '../server/src/host/node-host';
import { temporaryFolder } from './support/temporary';

/**
 * Snippets write the guide's patterns right the first time: each one, expanded with its defaults
 * into a clean host document at the place it is offered, must get no finding from any rule.
 */
const HOST = `openapi: 3.1.0
info:
  title: Orders API
  version: 1.0.0
servers:
  - url: https://api.example.com
security:
  - bearerAuth: []
paths:
  #SNIPPET:paths
  /orders:
    summary: The orders collection
    #SNIPPET:<path>
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - name: orderId
          in: path
          required: true
          schema: { type: string }
      responses:
        '200':
          description: The order
          content:
            application/json:
              schema: { type: object, properties: { id: { type: string } } }
        #SNIPPET:responses
        '401':
          $ref: '#/components/responses/Unauthorized'
        default:
          $ref: '#/components/responses/Problem'
components:
  securitySchemes:
    #SNIPPET:securitySchemes
    bearerAuth:
      type: http
      scheme: bearer
  responses:
    Unauthorized:
      description: Missing or expired credentials
      headers:
        WWW-Authenticate:
          schema: { type: string }
      content:
        application/problem+json:
          schema: { $ref: '#/components/schemas/ProblemDetails' }
    Problem:
      description: Problem
      content:
        application/problem+json:
          schema: { $ref: '#/components/schemas/ProblemDetails' }
  schemas:
    #SNIPPET:schemas
    ProblemDetails:
      type: object
      required: [type, title, status]
      properties:
        type: { type: string, format: uri-reference }
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
        instance: { type: string }
`;

const dir = temporaryFolder('snippets');

function lint(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return analyzeFile({ uri: URI.file(path).toString(), text }, { host: new NodeWorkspaceHost([dir]) }).diagnostics;
}

test('the host document itself is clean', () => {
  assert.deepEqual(lint('host.yaml', HOST.replace(/^ *#SNIPPET:.*\n/gm, '')).map((d) => `${d.ruleId}: ${d.message}`), []);
});

for (const snippet of SNIPPETS) {
  test(`snippet ${snippet.prefix} expands to code apilens reports nothing on`, () => {
    if (snippet.language === 'yaml') {
      const parent = snippet.parents?.[0];
      assert.ok(parent, `${snippet.prefix} has no completion context`);
      let text: string;
      if (parent === '<root>') text = expandSnippet(snippet.body);
      else {
        const marker = new RegExp(`^( *)#SNIPPET:${parent.replace(/[<>]/g, '\\$&')}\\n`, 'm');
        const match = marker.exec(HOST);
        assert.ok(match, `no host position for ${parent}`);
        const indent = match[1];
        let expanded = indent + expandSnippet(snippet.body, indent);
        // Do not duplicate what the host already has.
        if (snippet.prefix === 'apilens-problem-schema') expanded = expanded.replace('ProblemDetails:', 'ValidationProblem:');
        if (snippet.prefix === 'apilens-bearer') expanded = expanded.replace('bearerAuth:', 'otherBearer:');
        if (snippet.prefix === 'apilens-list-cursor') expanded = expanded.replace('/orders:', '/invoices:');
        if (snippet.prefix === 'apilens-default-problem' || snippet.prefix === 'apilens-401-403') {
          text = HOST.replace(/^ *'401':\n.*\n/m, '').replace(/^ *default:\n.*Problem'\n/m, '');
        } else text = HOST;
        text = text.replace(marker, expanded.trimEnd() + '\n').replace(/^ *#SNIPPET:.*\n/gm, '');
      }
      const diagnostics = lint(`${snippet.prefix}.yaml`, text);
      assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.ruleId}: ${d.message}`), [], text);
    } else {
      const text = expandSnippet(snippet.body);
      const diagnostics = lint(`${snippet.prefix}.ts`, text);
      assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.ruleId}: ${d.message}`), [], text);
    }
  });
}

test('snippet files are valid VS Code snippet JSON with every prefix unique', () => {
  const prefixes = new Set<string>();
  for (const file of ['openapi-yaml.json', 'express.json', 'nestjs.json']) {
    const snippets = JSON.parse(readFileSync(join(__dirname, '../snippets', file), 'utf8'));
    for (const [name, snippet] of Object.entries<any>(snippets)) {
      assert.ok(typeof snippet.prefix === 'string' && Array.isArray(snippet.body) && snippet.description, name);
      assert.ok(!prefixes.has(snippet.prefix), `duplicate prefix ${snippet.prefix}`);
      prefixes.add(snippet.prefix);
    }
  }
});
