import ts from 'typescript';
import { defineRule } from './rule';
import type { Operation, SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { TextEdit } from '../types';
import { appendToList, setMapEntry } from '../spec/edits';
import { responseHeaders } from '../engine/spec-helpers';
import { forEachDescendant } from '../code/ast';
import {
  allParameterNames, chainedCalls, hasPagingParameter, isBoundedList, isCollectionGet, isCollectionRoute, listResponse, queryNames, storeCallNodes,
} from './_pagination';

/** Reference data that is small by nature: a whole-table read of these is fine. */
const LOOKUP_MODELS = /^(country|countries|currency|currencies|language|languages|locale|locales|timezone|timezones|region|regions|role|roles|permission|permissions|setting|settings|config|configs|configuration|featureflag|featureflags|flag|flags|enum|enums|unit|units|plan|plans|status|statuses|category|categories)$/i;

export default defineRule({
  id: 'pagination-required',
  scope: 'path-item',
  severity: 'warning',
  description: 'A GET on a collection that returns every item at once: no limit/cursor parameter (spec), or a handler that loads a whole table (code).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `A list endpoint that returns the whole collection works while the collection is small and then fails in production: responses grow without bound, latency and memory follow, and clients cannot resume. The guide makes cursor pagination the default for user-facing or high-write collections ("GET /orders?cursor=...&limit=...") and asks to "paginate and filter at the data store; never load full collections". Adding pagination later is a breaking change for every client that assumed one response held everything, so it belongs in the first version of the contract. Reference lists that are small by nature (an enum of currencies, a schema with \`maxItems\`) do not need it.`,
    bad: `paths:
  /orders:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: { type: array, items: { $ref: '#/components/schemas/Order' } }`,
    good: `paths:
  /orders:
    get:
      parameters:
        - { name: cursor, in: query, schema: { type: string } }
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 100, default: 20 } }
      responses:
        '200':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/OrderPage' }  # data, next_cursor, has_more`,
    references: ['RFC 8288 Web Linking (rel="next")', 'OpenAPI 3.1 §4.8.12 Parameter Object'],
  },
  checkSpec(context) {
    for (const op of context.operations()) checkOperation(context, op);
  },
  checkCode(context) {
    checkCodeRoutes(context);
  },
});

/**
 * Static segments that name a computed view rather than a growing collection: counts, statistics,
 * activity histograms, discovery and configuration roots (`/tickets/count`, `/stats/commit_activity`).
 */
const NOT_A_COLLECTION = /^(count|counts|total|totals|summary|summaries|stats|statistics|metrics|health|status|info|version|versions|config|configuration|settings|capabilities|limits|quota|quotas|usage|schema|metadata|activity|commit_activity|code_frequency|participation|punch_card|contributors_stats|aggregations?|breakdown|histogram|timeline)$/i;

function checkOperation(context: SpecContext, op: Operation) {
  if (!isCollectionGet(op)) return;
  if (op.path.split('/').some((segment) => NOT_A_COLLECTION.test(segment))) return;
  // API discovery roots (`/apis/batch/v1`, `/api/v1/`) list the resources of a version, not data.
  if (/\/v\d+[a-z0-9]*\/?$/i.test(op.path)) return;
  const parameters = context.parameters(op);
  if (parameters.some((p) => p.failure)) return;
  if (hasPagingParameter(allParameterNames(context, op))) return;
  const list = listResponse(context, op);
  if (!list) return;
  if (isBoundedList(context, list.array)) return;
  // A list whose response says how it is paged (Link: rel="next", Content-Range) is paged somehow.
  const response = context.responses(op).find((entry) => entry.status === list.status)?.response;
  if (response) {
    const headers = responseHeaders(response);
    if (headers.has('link') || headers.has('content-range') || [...headers].some((h) => /page|cursor|next/.test(h))) return;
  }
  if (list.kind === 'envelope' && list.keys.some((key) => /next|cursor|has_?more|continuation|token/i.test(key))) return;
  context.report({
    doc: op.doc,
    at: op.at,
    message: `GET ${op.path} returns ${list.kind === 'array' ? 'an array' : `'${list.listKey}' as a list`} with no limit or cursor parameter; add 'cursor' and 'limit' query parameters (with a maximum) so the collection is paged.`,
    fix: {
      title: "Add 'cursor' and 'limit' query parameters",
      isPreferred: true,
      edits: () => pagingParameterEdits(context, op),
    },
  });
}

function pagingParameterEdits(context: SpecContext, op: Operation): TextEdit[] {
  const swagger2 = context.isSwagger2;
  const cursor = swagger2
    ? { name: 'cursor', in: 'query', required: false, type: 'string', description: 'Opaque cursor from the previous page (next_cursor).' }
    : { name: 'cursor', in: 'query', required: false, description: 'Opaque cursor from the previous page (next_cursor).', schema: { type: 'string' } };
  const limit = swagger2
    ? { name: 'limit', in: 'query', required: false, type: 'integer', minimum: 1, maximum: 100, default: 20 }
    : { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } };
  const existing = op.operation.parameters;
  if (Array.isArray(existing) && existing.length > 0) {
    const first = appendToList(op.doc, op.at, 'parameters', cursor);
    const second = appendToList(op.doc, op.at, 'parameters', limit);
    return [{ ...first, newText: first.newText + second.newText }];
  }
  return [setMapEntry(op.doc, op.at, 'parameters', [cursor, limit])];
}

// ---------------------------------------------------------------------------------------- code

function checkCodeRoutes(context: CodeContext) {
  for (const route of context.routes()) {
    if (route.method !== 'get' || !isCollectionRoute(route) || !route.handlerNode) continue;
    if (hasPagingParameter(queryNames(route))) continue;
    for (const { call, node } of storeCallNodes(route, context.source)) {
      if (call.bounded || call.mutating) continue;
      if (call.model && LOOKUP_MODELS.test(call.model.replace(/^this\./, '').replace(/(Model|Repo|Repository|Schema)$/i, '').replace(/^.*\./, ''))) continue;
      if (!/^(findMany|find|findAll|findAndCount|findAndCountAll|findBy|select|createQueryBuilder|aggregate)$/.test(call.operation)) continue;
      if (chainedCalls(node).some((c) => /^(limit|take|first|paginate|cursor|batchSize|stream)$/.test(c.method))) continue;
      if (isPagedInHandler(route.handlerNode, node, context)) continue;
      context.report({
        span: node,
        message: `GET ${route.path} loads the whole collection with ${call.operation}() and no take/limit; page it at the store (limit + cursor from the query) and return a next_cursor.`,
      });
    }
  }
}

/**
 * The result is sliced/filtered in the handler (that is pagination-in-store's finding), or the
 * call is a lookup by a list of ids (`where: { id: { in: ids } }`), bounded by its input.
 */
function isPagedInHandler(handler: ts.Node, call: ts.CallExpression, context: CodeContext): boolean {
  const text = call.getText(context.source);
  if (/\bin\s*:|\$in\s*:|whereIn\(|\bIn\(/.test(text)) return true;
  let holder: string | undefined;
  let parent: ts.Node = call.parent;
  while (parent && (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) parent = parent.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) holder = parent.name.text;
  let sliced = false;
  forEachDescendant(handler, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(slice|splice|filter)$/.test(node.expression.name.text)) {
      const receiver = node.expression.expression;
      if ((holder && ts.isIdentifier(receiver) && receiver.text === holder) || (receiver.getStart(context.source) <= call.getStart(context.source) && receiver.getEnd() >= call.getEnd())) sliced = true;
    }
    return undefined;
  });
  return sliced;
}
