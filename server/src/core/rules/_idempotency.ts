import ts from 'typescript';
import type { JsonPath } from '../types';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import { pathSegments, requestBodyOf, schemaShape, splitWords } from '../engine/spec-helpers';
import type { ExtractedRoute } from '../code/extract';
import { rememberedByText } from '../text';
import { decoratorsOf, forEachDescendant, forEachDescendantOfKind, isFunctionLike } from '../code/ast';

/**
 * Shared readings for the idempotency, async and versioning rules: which POSTs are retry-prone,
 * which are commands, what counts as "says something about repeat calls", and version markers.
 */

/** Header names that carry an idempotency key (`Idempotency-Key`, `X-Idempotency-Key`, `Idempotency-Token`). */
export const IDEMPOTENCY_HEADER = /idempot/i;
/** Body fields that play the same role (AWS `clientToken`, `idempotency_key`, `client_request_id`). */
const IDEMPOTENCY_FIELD = /idempot|^client_?token$|^client_?request_?id$|^request_?token$/i;
/** Webhook senders identify a delivery instead (Standard Webhooks `webhook-id`, GitHub `X-GitHub-Delivery`). */
const DELIVERY_HEADER = /idempot|webhook-id|delivery|event-id|message-id|^svix-id$/i;
const DELIVERY_FIELD = /^(id|event_?id|eventId|delivery_?id|deliveryId|message_?id|messageId|notification_?id)$/i;

/** Segments that make a POST query-like, authentication, or otherwise not a create. */
const NOT_A_CREATE = new Set([
  'search', 'searches', 'query', 'queries', 'filter', 'lookup', 'lookups', 'find', 'match', 'count', 'validate', 'validation', 'validations',
  'verify', 'check', 'preview', 'previews', 'estimate', 'estimates', 'calculate', 'calculation', 'quote', 'quotes', 'simulate', 'dry-run', 'dryrun', 'test',
  'login', 'logout', 'signin', 'signout', 'sign-in', 'sign-out', 'token', 'tokens', 'refresh', 'auth', 'authenticate', 'authorize', 'oauth',
  'session', 'sessions', 'graphql', 'rpc', 'batch-get', 'bulk-get', 'render', 'convert', 'translate', 'parse', 'format', 'echo', 'ping', 'introspect',
  'report', 'reports', 'export', 'exports', 'analyze', 'analysis', 'compare', 'diff', 'suggest', 'suggestions', 'autocomplete', 'complete', 'completions',
  'embeddings', 'chat', 'predict', 'predictions', 'classify', 'moderations', 'recommendations', 'resolve', 'mget', 'msearch', '_search', '_count', '_mget',
]);
/** Words in the operationId/summary that say the POST reads rather than writes. */
const QUERY_WORDS = new Set(['search', 'query', 'list', 'find', 'lookup', 'filter', 'get', 'fetch', 'retrieve', 'read', 'validate', 'verify', 'check', 'preview', 'estimate', 'calculate', 'login', 'logout', 'authenticate', 'count']);
/** Words that say an operation creates something. */
const CREATE_WORDS = new Set(['create', 'new', 'register', 'submit', 'place', 'open', 'issue', 'provision', 'insert', 'make', 'initiate']);
/** Retry-prone domains: money moves, orders, provisioning, webhook receivers. */
const RETRY_PRONE = /^(payments?|payment-?intents?|payment_?intents?|charges?|transfers?|payouts?|refunds?|orders?|checkouts?|purchases?|transactions?|deposits?|withdrawals?|disbursements?|remittances?|invoices?|subscriptions?|bookings?|reservations?|provision(s|ing)?|deployments?)$/i;
/** Adding members to a set (`/pulls/{n}/requested_reviewers`) is naturally idempotent. */
const RELATIONSHIP_ADD = /(^|[-_])(reviewers|assignees|collaborators|members|topics|subscribers|followers|watchers|stargazers)$|^(selected|requested)[-_]/i;
const WEBHOOK_SEGMENT = /^(webhooks?|hooks?|callbacks?|notifications?-?receiver|inbound)$/i;

/** State-changing command verbs (`POST /orders/{orderId}/cancel`). */
export const COMMAND_VERBS = new Set([
  'cancel', 'resend', 'approve', 'reject', 'confirm', 'capture', 'void', 'archive', 'unarchive', 'activate', 'deactivate', 'enable', 'disable',
  'publish', 'unpublish', 'retry', 'close', 'reopen', 'lock', 'unlock', 'suspend', 'unsuspend', 'resume', 'pause', 'restore', 'send', 'submit',
  'finalize', 'ship', 'fulfill', 'fulfil', 'accept', 'decline', 'refund', 'revoke', 'start', 'stop', 'restart', 'deny', 'block', 'unblock', 'merge',
  'deploy', 'rollback', 'release', 'assign', 'unassign', 'charge', 'pay', 'settle', 'redeliver', 'rerun', 'reprocess', 'expire', 'terminate', 'reactivate',
  'dispatch', 'trigger', 'execute', 'run', 'mark-paid', 'mark-as-paid', 'mark_paid', 'hold', 'release-hold', 'dismiss', 'escalate', 'renew', 'upgrade', 'downgrade',
]);

function lastStatic(path: string): { text: string; index: number } | undefined {
  const segments = pathSegments(path);
  for (let i = segments.length - 1; i >= 0; i--) if (!segments[i].isParameter) return { text: segments[i].text, index: i };
  return undefined;
}

/** The command verb of a command path: `/orders/{id}/cancel`, `/orders/{id}/actions/cancel`, `/jobs/{id}:cancel`. */
export function commandVerb(path: string): string | undefined {
  const segments = pathSegments(path);
  if (segments.length < 2) return undefined;
  const last = segments[segments.length - 1];
  const custom = /^\{[^{}]+\}:([A-Za-z][\w-]*)$/.exec(last.text);
  if (custom) return COMMAND_VERBS.has(custom[1].toLowerCase().replace(/_/g, '-')) || COMMAND_VERBS.has(splitWords(custom[1])[0] ?? '') ? custom[1] : undefined;
  if (last.isParameter) return undefined;
  const verb = last.text.toLowerCase();
  const first = splitWords(last.text)[0] ?? '';
  const compound = /[-_]/.test(last.text) || splitWords(last.text).length > 1;
  if (!COMMAND_VERBS.has(verb) && !(COMMAND_VERBS.has(first) && (compound || !/s$/.test(verb)))) return undefined;
  const before = segments[segments.length - 2];
  const beforeThat = segments[segments.length - 3];
  if (before.isParameter) return last.text;
  if (/^actions?$/i.test(before.text) && beforeThat?.isParameter) return last.text;
  return undefined;
}

/**
 * `/webhooks/stripe`, `/api/hooks/{provider}`: a webhook segment with no path parameter before it.
 * `/orgs/{org}/hooks` manages webhook subscriptions instead, and is judged as an ordinary create.
 */
export function isWebhookReceiverPath(path: string, words = ''): boolean {
  const segments = pathSegments(path);
  const index = segments.findIndex((segment) => !segment.isParameter && WEBHOOK_SEGMENT.test(segment.text));
  if (index < 0 || segments.slice(0, index).some((segment) => segment.isParameter)) return false;
  const first = splitWords(words)[0] ?? '';
  return !/^(create|add|register|subscribe|list|get|update|delete|ping|test|redeliver|new)$/.test(first);
}

export type RetryProneReason = 'create' | 'domain' | 'webhook';

/**
 * Why a POST is retry-prone, or undefined when it is not (query-like, auth, command, unknown).
 * `createEvidence` says whether the operation itself shows it creates (a 201, create words, a store create).
 */
export function retryProneReason(path: string, wordsText: string, createEvidence: boolean): RetryProneReason | undefined {
  if (commandVerb(path)) return undefined;
  const last = lastStatic(path);
  if (!last) return undefined;
  const segments = pathSegments(path);
  const lastText = last.text.toLowerCase();
  if (NOT_A_CREATE.has(lastText) || /:/.test(last.text) || lastText.startsWith('_') || /[-_]tokens?$/.test(lastText)) return undefined;
  if (segments.some((s) => !s.isParameter && /^(search|graphql|auth|oauth|oauth2|login|token|tokens|sessions?)$/i.test(s.text))) return undefined;
  const words = splitWords(wordsText);
  if (words.length > 0 && QUERY_WORDS.has(words[0])) return undefined;
  if (words.some((w) => w === 'search' || w === 'query' || w === 'login')) return undefined;
  if (isWebhookReceiverPath(path, wordsText)) return 'webhook';
  const lastIsCollection = segments[segments.length - 1] && !segments[segments.length - 1].isParameter;
  const afterItem = segments.length > 1 && segments[segments.length - 2].isParameter;
  // `/repos/{owner}/{repo}/transfer` is a command on the item; `/orders/{orderId}/refunds` a collection.
  if (lastIsCollection && RETRY_PRONE.test(lastText) && (/s$/.test(lastText) || !afterItem)) return 'domain';
  if (RELATIONSHIP_ADD.test(lastText)) return undefined;
  if (lastIsCollection && createEvidence && /s$/.test(lastText) && !/ss$/.test(lastText)) return 'create';
  if (lastIsCollection && createEvidence && words.length > 0 && CREATE_WORDS.has(words[0])) return 'create';
  return undefined;
}

export function hasCreateWords(text: string): boolean {
  const words = splitWords(text);
  return words.length > 0 && CREATE_WORDS.has(words[0]);
}

// ---------------------------------------------------------------- spec readings

/** The operation's idempotency header parameter (resolved), if it declares one. */
export function idempotencyHeader(context: SpecContext, operation: Operation, pattern: RegExp = IDEMPOTENCY_HEADER): Resolved<Record<string, unknown>> | undefined {
  return context.parameters(operation).find((parameter) => parameter.value.in === 'header' && typeof parameter.value.name === 'string' && pattern.test(parameter.value.name));
}

/** True when some parameter could not be resolved (then the rule cannot know what is declared). */
export function hasUnresolvedParameter(context: SpecContext, operation: Operation): boolean {
  return context.parameters(operation).some((parameter) => !!parameter.failure);
}

/** The request body declares an idempotency field (`idempotency_key`, `clientToken`) or, for webhooks, an event id. */
export function bodyCarriesKey(context: SpecContext, operation: Operation, webhook: boolean): boolean | 'unknown' {
  const body = requestBodyOf(context, operation);
  if (!body) return false;
  if (body.body.failure) return 'unknown';
  for (const entry of body.schemas) {
    if (entry.schema.failure) return 'unknown';
    const shape = schemaShape(context, entry.schema);
    if (shape.hasAlternatives) return 'unknown';
    for (const name of shape.properties.keys()) {
      if (IDEMPOTENCY_FIELD.test(name) || (webhook && DELIVERY_FIELD.test(name))) return true;
    }
  }
  return false;
}

export function webhookDeliveryHeader(context: SpecContext, operation: Operation): boolean {
  return !!idempotencyHeader(context, operation, DELIVERY_HEADER);
}

/** Prose of the operation and its responses, for "does it say anything about repeats". */
export function operationProse(context: SpecContext, operation: Operation): string {
  const { summary, description } = operation.operation;
  const parts = [summary, description].filter((part): part is string => typeof part === 'string');
  for (const { response } of context.responses(operation)) {
    if (typeof response.value?.description === 'string') parts.push(response.value.description);
  }
  for (const key of Object.keys(operation.operation)) if (/^x-.*idempot/i.test(key)) parts.push('idempotent');
  return parts.join('\n');
}

export const SAYS_IDEMPOTENT = /idempot|dedup|de-dup|duplicate|retr(y|ies|ied)|repeat|replay|already|again|no-?op\b|more than once|twice|safe to (call|send|retry)|same (result|response|outcome)|has no (further )?effect/i;

/** A response/media text used for mismatch detection: description plus examples, bounded. */
export function responseText(response: Resolved<Record<string, unknown>>): string {
  const value = response.value;
  if (!isRecord(value)) return '';
  const parts: string[] = [];
  if (typeof value.description === 'string') parts.push(value.description);
  const examples: unknown[] = [];
  if (isRecord(value.content)) {
    for (const media of Object.values(value.content)) {
      if (!isRecord(media)) continue;
      if ('example' in media) examples.push(media.example);
      if (isRecord(media.examples)) for (const example of Object.values(media.examples)) examples.push(isRecord(example) ? [example.summary, example.description, example.value] : example);
    }
  }
  if (isRecord(value.examples)) examples.push(...Object.values(value.examples));
  for (const example of examples) {
    try {
      const text = JSON.stringify(example);
      if (text) parts.push(text.slice(0, 2000));
    } catch { /* cyclic: ignore */ }
  }
  return parts.join('\n');
}

/** Text about an idempotency key reused with a different request. */
export function describesKeyMismatch(text: string): boolean {
  if (!/idempot|\bkey\b/i.test(text)) return false;
  const reuse = /(reus(e|ed|ing)|already (been )?used|used before|previously used|same key)/i.test(text);
  const different = /(different|mismatch|does(n't| not) match|not match|other|changed|another)\s+(\w+\s+){0,3}(body|payload|request|parameters?|params|content|input|data|fingerprint|hash)|(body|payload|request|parameters?|params|fingerprint|hash)\s+(\w+\s+){0,3}(differ|mismatch|does(n't| not) match|changed)/i.test(text);
  return /idempot/i.test(text) ? different || (reuse && /differ|mismatch|not match/i.test(text)) : (reuse && different);
}

/** Text about a request with the same key still in flight: 409 is the right answer there. */
export function describesInFlight(text: string): boolean {
  return /in[ -]?progress|in[ -]flight|still (being )?process|being processed|concurrent|currently processing|pending|locked/i.test(text);
}

// ---------------------------------------------------------------- code readings

/** The route reads an idempotency key or runs idempotency middleware/interceptors (app-wide registration: `registersIdempotency`). */
export function routeHandlesIdempotency(route: ExtractedRoute): boolean {
  if (route.params.some((param) => param.in === 'header' && IDEMPOTENCY_HEADER.test(param.name))) return true;
  if (route.params.some((param) => param.in === 'body' && IDEMPOTENCY_FIELD.test(param.name))) return true;
  if (route.middleware.some((m) => /idempot/i.test(m.name))) return true;
  const handler = route.handlerNode;
  if (handler) {
    if (mentionsInCode(handler, IDEMPOTENCY_HEADER)) return true;
    // Nest: @UseInterceptors(IdempotencyInterceptor) on the method or its class, or a custom @Idempotent().
    const decorated: ts.Node[] = [handler];
    if (ts.isMethodDeclaration(handler) && handler.parent && ts.isClassDeclaration(handler.parent)) decorated.push(handler.parent);
    for (const node of decorated) {
      if (decoratorsOf(node).some((decorator) => /idempot/i.test(decorator.node.getText()))) return true;
    }
  }
  return false;
}

/**
 * App-wide registration somewhere in the workspace: `app.use(idempotency())`,
 * `useGlobalInterceptors(new IdempotencyInterceptor())`, an `APP_INTERCEPTOR` provider.
 */
export function registersIdempotency(sources: Map<string, ts.SourceFile>): boolean {
  for (const source of sources.values()) {
    if (!/idempot/i.test(source.text)) continue;
    let found = false;
    forEachDescendantOfKind(source, [ts.SyntaxKind.CallExpression], (node) => {
      if (!found && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(use|useGlobal\w+)$/.test(node.expression.name.text)
        && node.arguments.some((argument) => mentionsInCode(argument, /idempot/i))) found = true;
    });
    if (found || /APP_INTERCEPTOR[\s\S]{0,300}idempot/i.test(stripComments(source.text))) return true;
  }
  return false;
}

/** Identifiers and string literals of `node` (comments excluded) matching `pattern`. */
export function mentionsInCode(node: ts.Node, pattern: RegExp): boolean {
  let found = false;
  const visit = (child: ts.Node) => {
    if (found) return;
    if ((ts.isIdentifier(child) || ts.isStringLiteralLike(child) || ts.isTemplateHead(child) || ts.isTemplateMiddle(child) || ts.isTemplateTail(child)) && pattern.test(child.text)) found = true;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The innermost node of `root` covering [start, end). */
export function nodeAt(root: ts.Node, start: number, end: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const source = root.getSourceFile();
  const visit = (node: ts.Node) => {
    if (node.getStart(source) <= start && node.getEnd() >= end) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  visit(root);
  return found;
}

/** Conditions of the `if`s enclosing `node`, innermost first, up to the handler. */
export function enclosingConditions(node: ts.Node): string[] {
  const conditions: string[] = [];
  let current: ts.Node | undefined = node;
  while (current && !isFunctionLike(current)) {
    const parent: ts.Node | undefined = current.parent;
    if (parent && ts.isIfStatement(parent) && parent.thenStatement === current) conditions.push(parent.expression.getText());
    current = parent;
  }
  return conditions;
}

/** The full statement around a node (`res.status(409).json({...});`). */
export function enclosingStatement(node: ts.Node): ts.Node {
  let current = node;
  while (current.parent && !ts.isBlock(current.parent) && !ts.isSourceFile(current.parent) && !isFunctionLike(current.parent) && !ts.isIfStatement(current.parent)) current = current.parent;
  return current;
}

/** Object literal keys returned or sent by a handler (`return { id, statusUrl }`, `res.json({...})`). */
export function literalBodies(handler: ts.Node): { keys: string[]; opaque: boolean } {
  const keys: string[] = [];
  let opaque = false;
  forEachDescendant(handler, (node) => {
    if (node !== handler && isFunctionLike(node)) return 'skip';
    let payload: ts.Expression | undefined;
    if (ts.isReturnStatement(node) && node.expression) payload = node.expression;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(json|send)$/.test(node.expression.name.text)) payload = node.arguments[0];
    if (!payload) return undefined;
    while (ts.isAwaitExpression(payload) || ts.isParenthesizedExpression(payload) || ts.isAsExpression(payload)) payload = payload.expression;
    if (ts.isObjectLiteralExpression(payload)) {
      for (const property of payload.properties) {
        if (ts.isSpreadAssignment(property)) opaque = true;
        else if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) keys.push(property.name.text);
      }
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(json|send)$/.test(node.expression.name.text) && ts.isCallExpression(payload) === false && /^(res|response|reply)$/.test(chainStart(node.expression.expression))) {
      opaque = true;
    } else if (ts.isReturnStatement(node)) {
      if (!ts.isCallExpression(payload) || !/^(res|response|reply)\./.test(payload.expression.getText())) opaque = true;
    } else opaque = true;
    return undefined;
  });
  return { keys, opaque };
}

function chainStart(node: ts.Expression): string {
  let current: ts.Expression = node;
  while (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current)) current = current.expression;
  return ts.isIdentifier(current) ? current.text : '';
}

export function jsonPathKey(doc: { uri: string }, at: JsonPath): string {
  return `${doc.uri}#${at.join('/')}`;
}

/** Express `:id` / `{/:opt}` / `*splat` to the `{id}` template form used for path reasoning. */
export const templatePath = rememberedByText((path: string): string => path
  .replace(/\{\/?(:?[^{}]*)\}/g, (_m, inner: string) => inner.replace(/^:/, '/:'))
  .replace(/:(\w+)/g, '{$1}')
  .replace(/\*(\w*)/g, (_m, name: string) => `{${name || 'splat'}}`)
  .replace(/\/+/g, '/'));

/** Where to anchor a route finding: `router.post` for Express, the `@Post()` decorator for Nest. */
export function routeAnchor(source: ts.SourceFile, route: ExtractedRoute): { start: number; end: number } {
  if (route.framework === 'express') {
    const node = nodeAt(source, route.declaration.start, route.declaration.end);
    let call: ts.Node | undefined = node;
    while (call && !ts.isCallExpression(call)) call = call.parent;
    if (call && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) {
      const target = ts.isIdentifier(call.expression.expression) ? call.expression : call.expression.name;
      return { start: target.getStart(source), end: target.getEnd() };
    }
  }
  return { start: route.declaration.start, end: route.declaration.end };
}

/** `UsersController.create` -> 'create'; Express handler names as they are. */
export function handlerMethodName(route: ExtractedRoute): string {
  return (route.handler?.name ?? '').split('.').pop() ?? '';
}

// ---------------------------------------------------------------- versioning

/** `v1`, `v2`, `v1.1`, `v2beta1`, `v1alpha` as a path segment. */
export const VERSION_SEGMENT = /^v\d+(\.\d+)*([a-z]+\d*)?$/i;
/** Header names that carry an API version. */
export const VERSION_HEADER = /(^|-)api-?version$|^accept-version$|^x-version$/i;
/** Query parameter names that are unambiguously an API version. */
export const VERSION_QUERY = /^(api[-_]?version|apiVersion)$/i;

export function versionSegments(path: string): string[] {
  return path.split('/').filter((segment) => VERSION_SEGMENT.test(segment));
}

/** Operational and protocol endpoints that conventionally stay outside the versioned API. */
export function isOperationalPath(path: string): boolean {
  const first = path.split('/').filter(Boolean)[0]?.toLowerCase() ?? '';
  if (first === '') return true;
  return /^(health|healthz|healthcheck|health-check|ready|readyz|readiness|live|livez|liveness|metrics|ping|status|version|versions|openapi(\.json|\.ya?ml)?|swagger(\.json|\.ya?ml)?|docs|api-docs|redoc|\.well-known|favicon\.ico|robots\.txt|oauth|oauth2|auth|login|logout|callback)$/.test(first)
    || /^(api|rest|public)$/.test(first) && /^(health|healthz|ready|readyz|live|livez|metrics|ping|status|version|versions|docs|openapi(\.json)?|swagger(\.json)?)$/i.test(path.split('/').filter(Boolean)[1] ?? '');
}

/** Server URLs (3.x `servers`, 2.0 `basePath`) and the version segment each carries; undefined when unknown. */
export function serverVersions(context: SpecContext): { at: JsonPath; url: string; version?: string }[] | undefined {
  if (context.isSwagger2) {
    const basePath = context.root.basePath;
    if (typeof basePath !== 'string') return [];
    return [{ at: ['basePath'], url: basePath, version: versionSegments(basePath)[0] }];
  }
  const servers = context.root.servers;
  if (!Array.isArray(servers)) return [];
  const result: { at: JsonPath; url: string; version?: string }[] = [];
  for (const [index, server] of servers.entries()) {
    if (!isRecord(server) || typeof server.url !== 'string') continue;
    const path = server.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    if (/\{[^}]*\}/.test(path)) return undefined;
    result.push({ at: ['servers', index, 'url'], url: server.url, version: versionSegments(path.split(/[?#]/)[0])[0] });
  }
  return result;
}
