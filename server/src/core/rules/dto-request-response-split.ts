import { defineRule } from './rule';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { operationWords, splitWords, componentSchemaName, contentSchemas, isCollectionPath, isSuccessStatus, requestBodyOf, schemaShape } from '../engine/spec-helpers';
import { isFunctionLike } from '../code/ast';
import { typeNames } from './_dto';
import ts from 'typescript';

/** Fields the server assigns: identity, timestamps, authorship, versions. */
const SERVER_OWNED = /^(id|_id|uuid|created[-_]?(at|on|date|by)|updated[-_]?(at|on|date|by)|modified[-_]?(at|on|date|by)|inserted[-_]?at)$/i;

export default defineRule({
  id: 'dto-request-response-split',
  scope: 'path-item',
  severity: 'info',
  description: 'One schema/class used both as the create request body and as its response, leaving server-owned fields like `id` and `createdAt` writable.',
  appliesTo: ['spec', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide asks for request and response DTOs that are "explicit and separate": a create request carries what the client decides, the response adds what the server decides (\`id\`, \`createdAt\`, \`status\`). Sharing one schema makes the server-owned fields look writable, so generated clients send them, validators accept them, and handlers must remember to ignore them (mass assignment, OWASP API3:2023). Split the schemas (\`CreateOrderRequest\` / \`Order\`), or mark server-owned properties \`readOnly: true\` so the one schema says which direction each field travels (OpenAPI 3.x Schema Object \`readOnly\`).`,
    bad: `paths:
  /orders:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Order' }
      responses:
        '201':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
components:
  schemas:
    Order:
      properties:
        id: { type: string }
        createdAt: { type: string, format: date-time }
        sku: { type: string }`,
    good: `components:
  schemas:
    Order:
      properties:
        id: { type: string, readOnly: true }
        createdAt: { type: string, format: date-time, readOnly: true }
        sku: { type: string }`,
    references: ['OpenAPI 3.1 §4.8.24 Schema Object (readOnly)', 'OWASP API Security Top 10 API3:2023 Broken Object Property Level Authorization'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'post' || !isCollectionPath(operation.path) || !isCreate(context, operation)) continue;
      const request = requestBodyOf(context, operation);
      if (!request) continue;
      const requestSchemas = request.schemas.filter((media) => /json/i.test(media.mediaType) && !media.schema.failure && componentSchemaName(media.schema.at));
      if (requestSchemas.length === 0) continue;
      const responseTargets = new Set<string>();
      for (const { status, response } of context.responses(operation)) {
        if (!isSuccessStatus(status)) continue;
        for (const media of contentSchemas(context, response, operation)) if (!media.schema.failure) responseTargets.add(key(media.schema));
      }
      const done = new Set<string>();
      for (const media of requestSchemas) {
        const target = key(media.schema);
        if (!responseTargets.has(target) || done.has(target)) continue;
        done.add(target);
        const writable = writableServerFields(context, media.schema);
        if (writable.length === 0) continue;
        const name = componentSchemaName(media.schema.at)!;
        context.report({
          doc: operation.doc,
          at: media.at,
          message: `'${name}' is both the create request body and the response, so server-owned ${writable.length > 1 ? 'fields' : 'field'} ${writable.map((field) => `'${field}'`).join(', ')} ${writable.length > 1 ? 'look' : 'looks'} writable; use a separate Create${name}Request schema or mark ${writable.length > 1 ? 'them' : 'it'} readOnly: true.`,
          related: [{ at: media.schema.at, doc: media.schema.doc, message: `the shared schema '${name}'` }],
        });
      }
    }
  },
  checkCode(context) {
    checkNest(context);
  },
});

/** A create: answers 201, or posts to a plural collection, or says so in its operationId/summary. */
function isCreate(context: SpecContext, operation: Operation): boolean {
  if (context.responses(operation).some((entry) => entry.status === '201')) return true;
  const last = operation.path.split('/').filter(Boolean).pop() ?? '';
  if (/[a-z]s$/i.test(last) && !/(status|process|access|address|analysis|sms)$/i.test(last)) return true;
  return /^(create|add|new|register|insert)/i.test(splitWords(operationWords(operation))[0] ?? '');
}

function key(schema: Resolved): string {
  return `${schema.doc.uri}#${schema.at.join('/')}`;
}

function writableServerFields(context: SpecContext, schema: Resolved): string[] {
  const shape = schemaShape(context, schema);
  if (shape.hasAlternatives) return [];
  return [...shape.properties].filter(([name, property]) => SERVER_OWNED.test(name) && isRecord(property.value) && property.value.readOnly !== true).map(([name]) => name);
}

function checkNest(context: CodeContext) {
  for (const route of context.routes()) {
    if (route.framework !== 'nest' || route.method !== 'post' || !route.bodyType || !route.returnType) continue;
    const body = typeNames(route.bodyType);
    const returned = typeNames(route.returnType);
    if (body.length !== 1 || returned.length !== 1 || body[0] !== returned[0]) continue;
    const name = body[0];
    const declaration = context.source.statements.find((statement): statement is ts.ClassDeclaration => ts.isClassDeclaration(statement) && statement.name?.text === name);
    // When the class is in this file, only complain if it really has server-owned fields.
    let fields: string[] | undefined;
    if (declaration) {
      fields = declaration.members.flatMap((member) => ts.isPropertyDeclaration(member) && member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) && SERVER_OWNED.test(member.name.text) ? [member.name.text] : []);
      if (fields.length === 0) continue;
    }
    const handler = route.handlerNode;
    const parameter = handler && isFunctionLike(handler) ? handler.parameters.find((p) => p.type && /@Body\(/.test(p.getText(context.source))) : undefined;
    context.report({
      span: parameter?.type ?? route.declaration,
      message: `'${name}' is both the @Body() type and the return type of this create route${fields ? `, so server-owned ${fields.map((f) => `'${f}'`).join(', ')} look writable` : ''}; accept a Create${name.replace(/Dto$/, '')}Dto and return a separate response DTO.`,
    });
  }
}
