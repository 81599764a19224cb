import { charAt } from '../spec/document';
import { defineRule } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import { isSuccessStatus, responseHeaders, splitWords } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';
import ts from 'typescript';
import type { Fix, TextEdit } from '../types';
import type { ExtractedRoute } from '../code/extract';
import type { StatusSend } from '../code/model';
import type { CodeContext } from '../engine/code-context';
import { nodeAt } from './_idempotency';
import { locationUnder, pathParameterReader, statusArgument } from './_code-edits';
import { idVerbIn, methodCalls, normaliseCodePath, segmentsOf, singular, summaryVerb } from './_paths';

const CREATE_VERBS = new Set(['create', 'insert']);
/** Words that make a "create" something else: an upsert, a batch with per-item results, a token (OAuth answers 200), a URL. */
const NOT_A_SINGLE_CREATE = new Set(['or', 'update', 'upsert', 'replace', 'batch', 'bulk', 'many', 'multiple', 'search', 'query', 'find', 'validate', 'preview', 'estimate', 'calculate', 'token', 'tokens', 'url', 'urls', 'link', 'signature', 'dry']);

function createsResource(operation: Operation): boolean {
  const { operationId, summary } = operation.operation;
  const text = [operationId, summary].filter((part) => typeof part === 'string').join(' ');
  if (splitWords(text).some((word) => NOT_A_SINGLE_CREATE.has(word))) return false;
  if (/\/(oauth2?|token)(\/|$)/i.test(operation.path)) return false;
  if (typeof operationId === 'string' && operationId.trim()) return !!idVerbIn(operationId, CREATE_VERBS);
  return !!summaryVerb(operation, CREATE_VERBS);
}

export default defineRule({
  id: 'create-returns-201',
  scope: 'path-item',
  severity: 'warning',
  description: 'A POST that creates a resource but answers 200 (or `@HttpCode(200)`) instead of 201 Created with a Location header.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `RFC 9110 §15.3.2: 201 Created means "the request has been fulfilled and has resulted in one or more new resources being created", and the new resource is identified by the Location header (or the target URI). A 200 tells clients, caches and SDK generators only that something succeeded: a client that retries cannot tell a creation from an idempotent no-op, and it has to dig the new id out of the body to address the resource. The guide asks for explicit write semantics ("POST for create/commands") and to check "retries and duplicate submissions for create/payment/webhook paths"; a create that says 201 and where the resource lives is the base of that. POST commands (\`POST /orders/{orderId}/cancel\`), searches and logins that answer 200 are not creations and are not flagged, nor are OAuth token endpoints (RFC 6749 §5.1 requires 200) or batch creates. In a description a create is recognised by its operationId (\`createUser\`, \`UsersController_create\`) or summary; in code by a store create/insert into the model the path names, or a \`create\` call on its service. The code quick fix answers \`res.status(201).location(...)\` in Express, the Location built from the route path and the created variable (\`/users/\${user.id}\`; the status alone when no created variable is found), and changes \`@HttpCode(HttpStatus.OK)\` to \`HttpStatus.CREATED\` in NestJS, where the Location still has to be set from the created object.`,
    bad: `paths:
  /users:
    post:
      operationId: createUser
      responses:
        '200':
          description: The user`,
    good: `paths:
  /users:
    post:
      operationId: createUser
      responses:
        '201':
          description: The user
          headers:
            Location:
              schema: { type: string, format: uri-reference }`,
    references: ['RFC 9110 §15.3.2 201 Created', 'RFC 9110 §10.2.2 Location', 'RFC 9110 §9.3.3 POST'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'post') continue;
      // `/#X-Amz-Target=…CreateBudget`, `/#Action=CreateUser`: one RPC endpoint overloaded by a fragment; no resource URL to name.
      if (operation.path.includes('#')) continue;
      const responses = context.responses(operation);
      const success = responses.filter((entry) => isSuccessStatus(entry.status));
      if (success.length !== 1 || success[0].status !== '200') continue;
      if (!createsResource(operation)) continue;
      const ok = success[0];
      context.report({
        doc: operation.doc,
        at: ok.at,
        message: `POST ${operation.path} creates a resource but answers 200; answer 201 Created with a Location header naming the new resource (RFC 9110 §15.3.2).`,
        fix: specFix(context, operation, ok),
      });
    }
  },
  checkRoute(context, route) {
    if (route.method !== 'post') return;
    const successes = route.statuses.filter((status) => status.code >= 200 && status.code < 400);
    if (successes.length === 0 || successes.some((status) => status.code !== 200)) return;
    const ok = successes.find((status) => status.via === 'httpCode') ?? successes[0];
    if (route.framework === 'nest' && ok.via !== 'httpCode') return;
    const created = createdResource(route);
    if (!created) return;
    const path = normaliseCodePath(route.path);
    context.report({
      span: ok.span,
      message: `POST ${path} creates a resource (${created}) but answers 200; answer 201 Created with a Location header naming the new resource (RFC 9110 §15.3.2).`,
      fix: route.framework === 'nest' ? nestFix(context, ok) : expressFix(context, route, ok),
    });
  },
});

function specFix(context: SpecContext, operation: Operation, ok: ReturnType<SpecContext['responses']>[number]) {
  const raw = isRecord(operation.operation.responses) ? operation.operation.responses[ok.status] : undefined;
  const doc = operation.doc;
  const responsesAt = ok.at.slice(0, -1);
  if (!isRecord(raw) || '$ref' in raw || ok.response.viaRef) return undefined;
  if (doc.format === 'yaml' && charAt(doc, doc.locate(ok.at, 'value').start) === '{') return undefined;
  if (doc.format === 'yaml' && charAt(doc, doc.locate(responsesAt, 'value').start) === '{') return undefined;
  const hasLocation = responseHeaders(ok.response).has('location');
  const headers = raw.headers;
  if (headers !== undefined && (!isRecord(headers) || '$ref' in headers || (doc.format === 'yaml' && charAt(doc, doc.locate([...ok.at, 'headers'], 'value').start) === '{'))) return undefined;
  const location = context.isSwagger2
    ? { description: 'URL of the created resource', type: 'string', format: 'uri' }
    : { description: 'URL of the created resource', schema: { type: 'string', format: 'uri-reference' } };
  return {
    title: 'Answer 201 Created with a Location header',
    isPreferred: true,
    edits: (): TextEdit[] => {
      const keySpan = doc.locate(ok.at, 'key');
      const old = doc.slice(keySpan.start, keySpan.end);
      const edits: TextEdit[] = [{ uri: doc.uri, start: keySpan.start, end: keySpan.end, newText: old.replace('200', '201') }];
      if (!hasLocation) edits.push(headers === undefined ? setMapEntry(doc, ok.at, 'headers', { Location: location }) : setMapEntry(doc, [...ok.at, 'headers'], 'Location', location));
      return edits;
    },
  };
}

const STORE_CREATES = new Set(['create', 'insert', 'save', 'insertOne']);
const SERVICE_CREATES = /^(create|insert|add)/;

/** What the handler creates, when it creates the resource its path names (`POST /users` -> a `user`). */
function createdResource(route: ExtractedRoute): string | undefined {
  const segments = segmentsOf(normaliseCodePath(route.path));
  const last = segments[segments.length - 1];
  if (!last || last.param) return undefined;
  // `POST /orders/{orderId}/cancel`: a singular word after an item is a command, not a collection.
  if (segments.length > 1 && segments[segments.length - 2].param && !/s$/i.test(last.text)) return undefined;
  const noun = singular(last.text.replace(/[-_]/g, ''));
  if (noun.length < 3) return undefined;
  const names = (text: string) => singular(text.toLowerCase().replace(/[-_]/g, ''));
  for (const call of route.storeCalls) {
    if (!call.mutating || !STORE_CREATES.has(call.operation)) continue;
    if (call.model && names(call.model.split('.').pop()!).endsWith(noun)) return `${call.library} ${call.model}.${call.operation}()`;
  }
  if (!route.handlerNode) return undefined;
  for (const call of methodCalls(route.handlerNode)) {
    if (!SERVICE_CREATES.test(call.method) || !/(service|repository|repo|store|dao|model)$/i.test(call.receiver)) continue;
    const owner = names(call.receiver.split('.').pop()!.replace(/(service|repository|repo|store|dao|model)$/i, ''));
    const rest = call.method.replace(SERVICE_CREATES, '');
    if (owner.endsWith(noun) && (rest === '' || names(rest).endsWith(noun) || rest.toLowerCase() === 'one')) return `${call.receiver}.${call.method}()`;
  }
  return undefined;
}

// ---------------------------------------------------------------- code fixes

/** Express: `res.status(200).json(user)` / `res.json(user)` -> `res.status(201).location(`/users/${user.id}`).json(user)`. */
function expressFix(context: CodeContext, route: ExtractedRoute, ok: StatusSend): Fix | undefined {
  if (!context.isInFile(ok.span) || !route.handlerNode) return undefined;
  const source = context.source;
  const node = nodeAt(source, ok.span.start, ok.span.end);
  if (!node || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const call = node;
  const access = node.expression;
  const method = access.name.text;
  const edits: TextEdit[] = [];
  let payload: ts.Expression | undefined;
  let locationAt: number;
  let statusPrefix = '';
  if (ok.via === 'default') {
    // `res.json(user)`: the status goes right after `res`.
    if (!ts.isIdentifier(access.expression)) return undefined;
    payload = call.arguments[0];
    locationAt = access.expression.getEnd();
    statusPrefix = '.status(201)';
  } else if (method === 'status' || method === 'sendStatus') {
    const replacement = statusArgument(call.arguments[0], 201, 'CREATED');
    if (!replacement) return undefined;
    edits.push({ uri: context.uri, start: call.arguments[0].getStart(source), end: call.arguments[0].getEnd(), newText: replacement });
    if (method === 'status') {
      locationAt = call.getEnd();
      payload = sentPayload(call);
    } else {
      if (!ts.isIdentifier(access.expression)) return undefined;
      locationAt = access.expression.getEnd();
    }
  } else return undefined;
  const created = createdVariable(route.handlerNode, payload);
  const hasLocation = route.headersSet.some((header) => header.name === 'location');
  const location = created && !hasLocation ? locationUnder(route.path, pathParameterReader(route.handlerNode), `${created}.id`) : undefined;
  const insert = `${statusPrefix}${location ? `.location(${location})` : ''}`;
  if (insert) edits.push({ uri: context.uri, start: locationAt, end: locationAt, newText: insert });
  return {
    title: location ? `Answer 201 Created with Location ${location.slice(1, -1)}` : hasLocation ? 'Answer 201 Created (the Location is already set)' : 'Answer 201 Created',
    isPreferred: true,
    edits: () => edits,
  };
}

/** The body sent by the chain that starts at `res.status(...)`: `res.status(200).json(user)` -> `user`. */
function sentPayload(statusCall: ts.CallExpression): ts.Expression | undefined {
  let current: ts.Node = statusCall;
  while (current.parent && ts.isPropertyAccessExpression(current.parent) && current.parent.parent && ts.isCallExpression(current.parent.parent)) {
    const next = current.parent.parent;
    if (/^(json|send)$/.test(current.parent.name.text)) return next.arguments[0];
    current = next;
  }
  return undefined;
}

/** The variable that holds the created resource: the one sent, or the one a create call was assigned to. */
function createdVariable(handler: ts.Node, payload: ts.Expression | undefined): string | undefined {
  if (payload && ts.isIdentifier(payload)) return payload.text;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAwaitExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && (STORE_CREATES.has(init.expression.name.text) || SERVICE_CREATES.test(init.expression.name.text))) found = node.name.text;
    }
    ts.forEachChild(node, visit);
  };
  visit(handler);
  return found;
}

/**
 * NestJS: `@HttpCode(HttpStatus.OK)` -> `@HttpCode(HttpStatus.CREATED)` (201, which is also Nest's
 * default for POST). A Location with the new id needs the created object inside the handler
 * (`@Res({ passthrough: true })`), a rewrite of the handler this fix does not guess at.
 */
function nestFix(context: CodeContext, ok: StatusSend): Fix | undefined {
  if (ok.via !== 'httpCode' || !context.isInFile(ok.span)) return undefined;
  const decorator = nodeAt(context.source, ok.span.start, ok.span.end);
  if (!decorator || !ts.isDecorator(decorator) || !ts.isCallExpression(decorator.expression)) return undefined;
  const argument = decorator.expression.arguments[0];
  const replacement = statusArgument(argument, 201, 'CREATED');
  if (!replacement) return undefined;
  return {
    title: `Answer 201 Created (@HttpCode(${replacement}))`,
    isPreferred: true,
    edits: () => [{ uri: context.uri, start: argument.getStart(context.source), end: argument.getEnd(), newText: replacement }],
  };
}
