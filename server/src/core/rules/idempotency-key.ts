import { charAt } from '../spec/document';
import ts from 'typescript';
import { defineRule } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { isErrorStatus } from '../engine/spec-helpers';
import { appendToList, setMapEntry } from '../spec/edits';
import type { JsonPath, TextEdit } from '../types';
import { forEachDescendant } from '../code/ast';
import {
  bodyCarriesKey, hasCreateWords, hasUnresolvedParameter, idempotencyHeader, IDEMPOTENCY_HEADER, registersIdempotency, retryProneReason, routeAnchor,
  routeHandlesIdempotency, handlerMethodName, mentionsInCode, SAYS_IDEMPOTENT, stripComments, templatePath, webhookDeliveryHeader, type RetryProneReason,
} from './_idempotency';
import { expressIdempotencyFix, nestIdempotencyFix } from './_idempotency-fix';

const WHAT: Record<RetryProneReason, string> = {
  create: 'creates a resource',
  domain: 'moves money or places/provisions something',
  webhook: 'receives webhook deliveries',
};

export default defineRule({
  id: 'idempotency-key',
  scope: 'path-item',
  severity: 'warning',
  description: 'A retry-prone POST (create on a collection, payments, orders, transfers, provisioning, webhook receivers) that accepts no `Idempotency-Key`.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `Clients, proxies, gateways and job runners replay requests: a timeout after the server committed a payment looks exactly like a timeout before it. The guide: "Write endpoints that may be retried (POST /payments, webhook receivers, order creation) define idempotency behavior" and "Use explicit idempotency keys for payment-like or request-replay-prone operations". POST is neither safe nor idempotent (RFC 9110 §9.2.2), so a create, a payment, an order, a transfer or a provisioning call needs an \`Idempotency-Key\` request header: the server stores the first response under the key and replays it for a repeat, and answers 422 when the key comes back with a different body. Webhook receivers deduplicate on the sender's delivery id instead, which also counts.

Query-like POSTs (\`POST /search\`), login/token endpoints and command endpoints (\`POST /orders/{orderId}/cancel\`, see \`command-retry-semantics\`) are not flagged; an operation that documents idempotency another way (a body \`idempotency_key\`/\`clientToken\` field, or its description) is left alone. In code, a handler that reads \`req.get('Idempotency-Key')\`/\`@Headers('idempotency-key')\` or runs idempotency middleware or an interceptor passes. The code quick fix adds one small in-memory idempotency middleware (Express: \`router.post('/orders', idempotency(), handler)\`) or an \`IdempotencyInterceptor\` (NestJS: \`@UseInterceptors(IdempotencyInterceptor)\` and an \`@Headers('idempotency-key')\` parameter) to the route file, or reuses the one the file already declares or imports; move its store to Redis or the database when the service runs on more than one instance.`,
    bad: `paths:
  /payments:
    post:
      operationId: createPayment
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewPayment' }
      responses:
        '201': { description: The payment }`,
    good: `paths:
  /payments:
    post:
      operationId: createPayment
      parameters:
        - name: Idempotency-Key
          in: header
          required: false
          description: A unique key (a UUID) that makes retries safe; a repeat returns the first response.
          schema: { type: string, maxLength: 255 }
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewPayment' }
      responses:
        '201': { description: The payment }
        '422': { description: The Idempotency-Key was already used with a different request body. }`,
    references: ['RFC 9110 §9.2.2 Idempotent Methods', 'IETF draft-ietf-httpapi-idempotency-key-header (The Idempotency-Key HTTP Header Field)'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'post' || operation.operation.deprecated === true) continue;
      const reason = retryProneReason(operation.path, nameWords(operation), createEvidence(context, operation));
      if (!reason) continue;
      if (hasUnresolvedParameter(context, operation)) continue;
      if (idempotencyHeader(context, operation)) continue;
      if (reason === 'webhook' && webhookDeliveryHeader(context, operation)) continue;
      const body = bodyCarriesKey(context, operation, reason === 'webhook');
      if (body !== false) continue;
      const prose = [operation.operation.summary, operation.operation.description].filter((part) => typeof part === 'string').join(' ');
      if (/idempot|dedup|de-duplicat/i.test(prose) || SAYS_IDEMPOTENT.test(prose) && /retr|duplicate/i.test(prose)) continue;
      if (Object.keys(operation.operation).some((key) => /^x-.*idempot/i.test(key))) continue;
      const message = reason === 'webhook'
        ? `POST ${operation.path} receives webhook deliveries but declares no Idempotency-Key or delivery-id header; senders redeliver, so deduplicate on a key and document it.`
        : `POST ${operation.path} ${WHAT[reason]} and may be retried, but accepts no Idempotency-Key header; add one (and a 422 for a key reused with a different body) so a retry cannot act twice.`;
      context.report({ doc: operation.doc, at: operation.at, message, fix: specFix(context, operation) });
    }
  },
  // Whether the workspace registers idempotency app-wide (a middleware, a global interceptor).
  localEnvironment(context) {
    return registersIdempotency(context.workspace.extraction.sources);
  },
  checkRoute(context, route, appWide) {
    if (route.method !== 'post' || !route.handlerNode || appWide) return;
    const path = templatePath(route.path);
    const reason = retryProneReason(path, handlerMethodName(route), codeCreateEvidence(route));
    if (!reason) return;
    if (routeHandlesIdempotency(route)) return;
    if (reason === 'webhook' && handlesDelivery(route.handlerNode)) return;
    const how = route.framework === 'nest' ? "@Headers('idempotency-key')" : "req.get('Idempotency-Key')";
    context.report({
      span: routeAnchor(context.source, route),
      message: reason === 'webhook'
        ? `POST ${route.path} receives webhook deliveries but never deduplicates them; read the delivery id (or Idempotency-Key) and skip repeats.`
        : `POST ${route.path} ${WHAT[reason]} and may be retried, but never reads an Idempotency-Key; read ${how}, replay the stored response for a repeated key, and answer 422 when the body differs.`,
      fix: reason === 'webhook' ? undefined : route.framework === 'nest' ? nestIdempotencyFix(context, route) : expressIdempotencyFix(context, route),
    });
  },
});

function nameWords(operation: Operation): string {
  return [operation.operation.operationId, operation.operation.summary].filter((part) => typeof part === 'string').join(' ');
}

function createEvidence(context: SpecContext, operation: Operation): boolean {
  if (context.responses(operation).some((entry) => entry.status === '201')) return true;
  return hasCreateWords(typeof operation.operation.operationId === 'string' ? operation.operation.operationId : '')
    || hasCreateWords(typeof operation.operation.summary === 'string' ? operation.operation.summary : '');
}

function codeCreateEvidence(route: CodeContext['allRoutes'][number]): boolean {
  if (route.statuses.some((status) => status.code === 201 && status.via !== 'default')) return true;
  if (route.storeCalls.some((call) => call.mutating && /^(create|createMany|createManyAndReturn|insert|insertMany|save|bulkCreate|upsert)$/.test(call.operation))) return true;
  if (hasCreateWords(handlerMethodName(route))) return true;
  let calls = false;
  if (route.handlerNode) forEachDescendant(route.handlerNode, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && hasCreateWords(node.expression.name.text)) calls = true;
    return calls ? 'skip' : undefined;
  });
  return calls;
}

/** A webhook handler that checks the delivery/event id against what it already processed. */
function handlesDelivery(handler: ts.Node): boolean {
  const text = stripComments(handler.getText());
  return /webhook-id|delivery|svix-id|event-id|processed_?events?|already_?processed|dedup|\.exists\(|where:\s*\{\s*(event_?id|delivery_?id)\b/i.test(text)
    || mentionsInCode(handler, IDEMPOTENCY_HEADER);
}

// ---------------------------------------------------------------- fix

function specFix(context: SpecContext, operation: Operation) {
  const responses = operation.operation.responses;
  const doc = operation.doc;
  if (doc.format === 'yaml' && isRecord(responses) && charAt(doc, doc.locate([...operation.at, 'responses'], 'value').start) === '{') return undefined;
  if (doc.format === 'yaml' && Array.isArray(operation.operation.parameters) && operation.operation.parameters.length === 0) return undefined;
  return {
    title: 'Add an Idempotency-Key header parameter and its 422 response',
    isPreferred: true,
    edits: (): TextEdit[] => {
      const edits: TextEdit[] = [appendToList(doc, operation.at, 'parameters', keyParameter(context, operation))];
      if (isRecord(responses) && !('422' in responses)) {
        edits.unshift(setMapEntry(doc, [...operation.at, 'responses'], '422', mismatchResponse(context, operation)));
      }
      return mergeSameOffsetInserts(edits);
    },
  };
}

function keyParameter(context: SpecContext, operation: Operation): Record<string, unknown> {
  const base: JsonPath = context.isSwagger2 ? ['parameters'] : ['components', 'parameters'];
  const container = context.isSwagger2 ? context.root.parameters : isRecord(context.root.components) ? context.root.components.parameters : undefined;
  if (isRecord(container) && operation.doc === context.doc) {
    for (const [name, raw] of Object.entries(container)) {
      if (isRecord(raw) && raw.in === 'header' && typeof raw.name === 'string' && IDEMPOTENCY_HEADER.test(raw.name)) return { $ref: `#/${[...base, name].map(escapePointer).join('/')}` };
    }
  }
  const description = 'A unique key (for example a UUID) that makes retries of this request safe; a repeated key returns the first response.';
  return context.isSwagger2
    ? { name: 'Idempotency-Key', in: 'header', required: false, description, type: 'string', maxLength: 255 }
    : { name: 'Idempotency-Key', in: 'header', required: false, description, schema: { type: 'string', maxLength: 255 } };
}

/** The 422 response, shaped like the operation's other error responses when they carry a body. */
function mismatchResponse(context: SpecContext, operation: Operation): Record<string, unknown> {
  const description = 'The Idempotency-Key was already used with a different request body.';
  for (const entry of context.responses(operation)) {
    if (!isErrorStatus(entry.status) || entry.response.failure || entry.response.doc !== operation.doc || !isRecord(entry.response.value)) continue;
    const value = entry.response.value;
    if (context.isSwagger2 && 'schema' in value) return { description, schema: value.schema };
    if (!context.isSwagger2 && isRecord(value.content) && Object.keys(value.content).length > 0) return { description, content: value.content };
  }
  return { description };
}

function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Two insertions at one offset (the 422 at the end of `responses`, `parameters` after it) become one edit. */
export function mergeSameOffsetInserts(edits: TextEdit[]): TextEdit[] {
  const result: TextEdit[] = [];
  for (const edit of edits) {
    const previous = result.find((other) => other.uri === edit.uri && other.start === other.end && edit.start === edit.end && other.start === edit.start);
    if (previous) previous.newText += edit.newText;
    else result.push({ ...edit });
  }
  return result;
}
