import ts from 'typescript';
import { defineRule } from './rule';
import { isRecord, type Resolved, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import { componentSchemaName, contentSchemas } from '../engine/spec-helpers';
import { forEachDescendant, forEachDescendantOfKind, isFunctionLike } from '../code/ast';
import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';
import { entityImport, entityImportsKey, typeNames } from './_dto';

/** `UserEntity`, `OrderRow`, `UserModel`, `AccountDao` (the last dotted segment of .NET names). */
const PERSISTENCE_NAME = /^[A-Z][A-Za-z0-9]*?(Entity|Model|Row|Dao|DAO|Dbo|DBO|Orm|ORM)$/;
/** Domain words that end like persistence names but are resources of their own. */
const DOMAIN_NAMES = /^(Legal|Business|Named|Tax|Corporate|Billing|Reporting|Related|Parent|Child|Linked|Merchant|Government|Language|Large|Ai|AI|Ml|ML|Llm|LLM|Embedding|Foundation|Base|Fine|Tuned|Trained|Vision|Speech|Chat|Completion|Reranking|Rerank|Moderation|Data|Domain|Pricing|Business|Car|Device|Vehicle|Phone|Product|Threat|Risk|Scoring|Score|Pricing|Cost|Revenue|Forecast|Ml|Predictive|Custom|Deployed|Registered|Hosted|3d|3D|Three|Object|Page|Table|Grid|Matrix|Header|Footer|Summary|Total|Pivot|Data)(Entity|Model|Row|Dao|DAO|Dbo|DBO|Orm|ORM)$/;
const HASH_FIELD = /^(password[-_]?(hash|digest|salt)|(hashed|encrypted|crypted)[-_]?password)$/i;
const DELETED_FIELD = /^(deleted[-_]?at|deleted[-_]?on|deletion[-_]?date)$/i;

export function isPersistenceName(name: string): boolean {
  const last = name.split('.').pop() ?? name;
  return PERSISTENCE_NAME.test(last) && !DOMAIN_NAMES.test(last) && !/^(Entity|Model|Row)$/.test(last);
}

/** Why a property name is persistence detail, or undefined. `siblings` are the other property names. */
function persistenceField(name: string, siblings: string[]): string | undefined {
  if (name === '__v') return 'the Mongoose version key';
  if (HASH_FIELD.test(name)) return 'a password hash';
  if (/^salt$/i.test(name) && siblings.some((sibling) => /pass|^e-?mail$|^user[-_]?name$/i.test(sibling))) return 'a password salt';
  // CouchDB (`_rev`) and Elasticsearch (`_index`, `_source`) expose `_id` by design.
  if (name === '_id' && !siblings.some((sibling) => /^_(rev|index|source|type|score)$/.test(sibling))) return 'a raw MongoDB document id';
  return undefined;
}

export default defineRule({
  id: 'dto-no-persistence-leak',
  scope: 'path-item',
  severity: 'warning',
  description: 'Persistence models on the wire: entity/row/model schema names and fields like `passwordHash`, `__v`, `_id`, `deletedAt` in responses; ORM entities used as request bodies or returned from handlers.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Do not let transport leak persistence. Database tables, ORM entities, and internal enums are not public API contracts", and "Request and response DTOs are explicit and separate from ORM or database models". When the wire format is the table, every migration is a breaking change, internal columns (\`passwordHash\`, \`salt\`, \`__v\`, \`deletedAt\`) reach clients, and an entity accepted as a request body lets callers write columns they should never touch (mass assignment, OWASP API3:2023 Broken Object Property Level Authorization). Name response schemas after the resource (\`User\`, \`UserResponse\`), list only the fields the API promises, and map entities to DTOs in the handler.`,
    bad: `paths:
  /users/{userId}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/UserEntity' }
components:
  schemas:
    UserEntity:
      type: object
      properties:
        _id: { type: string }
        email: { type: string }
        passwordHash: { type: string }
        __v: { type: integer }`,
    good: `components:
  schemas:
    User:
      type: object
      properties:
        id: { type: string }
        email: { type: string }`,
    references: ['OWASP API Security Top 10 API3:2023 Broken Object Property Level Authorization', 'OWASP Mass Assignment Cheat Sheet'],
  },
  // Whether deleted items are part of the API is read from every path: the one fact of the
  // whole document the check of one path item needs.
  environment(context) {
    return [softDeleteIsPartOfApi(context)];
  },
  checkSpec(context) {
    checkSpec(context);
  },
  // What the route checks read of the file outside a route's statement: whether responses pass
  // through a serializer, and the names the file imports or declares as entities.
  localEnvironment(context) {
    return { serialized: SERIALIZER.test(context.source.text), entities: entityImportsKey(context.source) };
  },
  checkRoute(context, route, environment) {
    checkRoute(context, route, (environment as { serialized: boolean }).serialized);
  },
});

function checkSpec(context: SpecContext) {
  const visited = new Set<unknown>();
  const reported = new Set<string>();
  const softDeleteIsApi = softDeleteIsPartOfApi(context.wholeDocument());
  const report = (doc: SpecDocument, at: JsonPath, message: string, usage: { at: JsonPath; doc: SpecDocument; label: string }, severity?: 'info') => {
    const key = `${doc.uri}#${at.join('/')}`;
    if (reported.has(key)) return;
    reported.add(key);
    context.report({ doc, at, message, severity, related: doc === usage.doc && usage.at.join('/') === at.join('/') ? undefined : [{ at: usage.at, doc: usage.doc, message: `returned by ${usage.label}` }] });
  };
  const visit = (schema: Resolved, usage: { at: JsonPath; doc: SpecDocument; label: string }, depth: number) => {
    const value = schema.value;
    if (!isRecord(value) || schema.failure || depth > 10 || visited.has(value)) return;
    visited.add(value);
    const name = componentSchemaName(schema.at);
    if (name && isPersistenceName(name)) {
      report(schema.doc, schema.at, `Schema '${name}' is named like a persistence model but is returned on the wire; name it after the resource (a response DTO) and map the entity to it.`, usage);
    }
    if (isRecord(value.properties)) {
      const names = Object.keys(value.properties);
      for (const property of names) {
        const why = persistenceField(property, names);
        if (why) {
          report(schema.doc, [...schema.at, 'properties', property], `Response field '${property}' exposes ${why}; leave persistence details out of the response DTO.`, usage);
        } else if (DELETED_FIELD.test(property) && !softDeleteIsApi) {
          report(schema.doc, [...schema.at, 'properties', property], `Response field '${property}' looks like a soft-delete column; leave it out of the response DTO unless deleted items are part of the API.`, usage, 'info');
        }
      }
      for (const property of names) {
        const raw = value.properties[property];
        if (!isLeafSchema(raw)) visit(context.resolve(raw, [...schema.at, 'properties', property], schema.doc), usage, depth + 1);
      }
    }
    if (isRecord(value.items)) visit(context.resolve(value.items, [...schema.at, 'items'], schema.doc), usage, depth + 1);
    if (isRecord(value.additionalProperties)) visit(context.resolve(value.additionalProperties, [...schema.at, 'additionalProperties'], schema.doc), usage, depth + 1);
    for (const combinator of ['allOf', 'oneOf', 'anyOf'] as const) {
      const members = value[combinator];
      if (Array.isArray(members)) members.forEach((member, index) => visit(context.resolve(member, [...schema.at, combinator, index], schema.doc), usage, depth + 1));
    }
  };
  for (const operation of context.operations()) {
    for (const { status, response } of context.responses(operation)) {
      const label = `${operation.method.toUpperCase()} ${operation.path} ${status}`;
      for (const media of contentSchemas(context, response, operation)) {
        visit(media.schema, { at: media.at, doc: response.doc, label }, 0);
      }
    }
  }
}

/**
 * A property schema with nothing below it (`{ type: string }`): visiting it could report nothing,
 * as only named component schemas and `properties` are judged. Most properties are such leaves, so
 * skipping them saves resolving and a path per property on every keystroke.
 */
function isLeafSchema(raw: unknown): boolean {
  return isRecord(raw) && !('$ref' in raw) && !isRecord(raw.properties) && !isRecord(raw.items) && !isRecord(raw.additionalProperties)
    && !Array.isArray(raw.allOf) && !Array.isArray(raw.oneOf) && !Array.isArray(raw.anyOf);
}

/** Deleted items are part of the API when it can list or restore them. */
function softDeleteIsPartOfApi(context: SpecContext): boolean {
  // Read per path item: in the editor only the path items an edit changed are read again.
  return context.shared('softDeleteIsPartOfApi', () => context.readPathItems('dto-no-persistence-leak', (scoped) => scoped.operations().some((operation) =>
    /restore|undelete|trash|recycle|deleted/i.test(operation.path)
    || scoped.parameters(operation).some((parameter) => /deleted|trashed/i.test(String(parameter.value.name))))).includes(true));
}

// ---------------------------------------------------------------- code

const SERIALIZER = /ClassSerializerInterceptor|SerializeOptions|@Exclude\(|instanceToPlain|classToPlain|toJSON\s*\(|toDto|toResponse|\.select\(|select:\s*\{|omit:\s*\{/;

function checkRoute(context: CodeContext, route: ExtractedRoute, serialized: boolean) {
  if (route.framework === 'nest') {
    if (route.bodyType) {
      for (const name of typeNames(route.bodyType)) {
        const origin = entityImport(context.source, name);
        if (!origin) continue;
        const node = findBodyTypeNode(context, route.handlerNode, name);
        context.report({
          span: node ?? route.declaration,
          message: `@Body() is typed as '${name}', ${origin}; accept a validated request DTO (e.g. Create${name.replace(/Entity$/, '')}Dto) so callers cannot write columns they do not own.`,
        });
        break;
      }
    }
    if (route.returnType && !serialized) {
      for (const name of typeNames(route.returnType)) {
        const origin = entityImport(context.source, name);
        if (!origin) continue;
        const node = findReturnTypeNode(route.handlerNode);
        context.report({
          span: node ?? route.declaration,
          message: `The handler returns '${name}', ${origin}; return a response DTO that lists only the fields the API promises.`,
        });
        break;
      }
    }
  } else if (route.handlerNode && !serialized) {
    checkExpressHandler(context, route.handlerNode, route.storeCalls);
  }
}

function findBodyTypeNode(context: CodeContext, handler: ts.Node | undefined, name: string): ts.Node | undefined {
  if (!handler || !isFunctionLike(handler)) return undefined;
  for (const parameter of handler.parameters) {
    if (parameter.type && /@Body\(/.test(parameter.getText(context.source)) && parameter.type.getText(context.source).includes(name)) return parameter.type;
  }
  return undefined;
}

function findReturnTypeNode(handler: ts.Node | undefined): ts.Node | undefined {
  return handler && isFunctionLike(handler) ? handler.type : undefined;
}

/** Express: `res.json(await prisma.user.findUnique(...))` or `const user = await repo.findOne(...); res.json(user)`. */
function checkExpressHandler(context: CodeContext, handler: ts.Node, storeCalls: { library: string; span: { start: number; end: number }; operation: string; model?: string }[]) {
  const rows = storeCalls.filter((call) => ['prisma', 'typeorm', 'mongoose', 'sequelize'].includes(call.library) && !/^(count|countBy|countDocuments|estimatedDocumentCount|aggregate|groupBy|exists?|distinct|delete|deleteMany|deleteOne|destroy|remove|softDelete|update|updateMany|updateOne|increment|decrement|clear|createMany|insertMany|bulkCreate|bulkWrite)$/.test(call.operation));
  if (rows.length === 0) return;
  const storeCallAt = (node: ts.Node) => {
    let inner: ts.Node = node;
    while (ts.isAwaitExpression(inner) || ts.isParenthesizedExpression(inner) || ts.isNonNullExpression(inner) || ts.isAsExpression(inner)) inner = inner.expression;
    const start = inner.getStart(context.source);
    return rows.find((call) => call.span.start === start && call.span.end === inner.getEnd());
  };
  const variables = new Map<string, (typeof rows)[number]>();
  forEachDescendantOfKind(handler, [ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.CallExpression], (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const call = storeCallAt(node.initializer);
      if (call) variables.set(node.name.text, call);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(json|send)$/.test(node.expression.name.text) && node.arguments.length === 1) {
      const argument = node.arguments[0];
      const call = ts.isIdentifier(argument) ? variables.get(argument.text) : storeCallAt(argument);
      if (call) {
        const what = call.model ? `the ${call.library} '${call.model}' record` : `a ${call.library} record`;
        context.report({ span: argument, message: `The response sends ${what} as stored; map it to a response DTO that lists only the fields the API promises.` });
      }
    }
  });
}
