import ts from 'typescript';
import { defineRule } from './rule';
import type { Operation, SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import {
  chainedCalls, isBackofficeOperation, isBackofficeRoute, isBoundedList, isCollectionGet, isCollectionRoute, isIntegerLike, listResponse, OFFSET_NAMES, queryParams,
  schemaTypes, storeCallNodes, STRICT_CURSOR_NAMES, unwrap,
} from './_pagination';

export default defineRule({
  id: 'pagination-offset-hint',
  scope: 'path-item',
  severity: 'hint',
  description: 'Offset or page-number pagination on a collection that is not a backoffice list: cursor pagination is the safer default.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Offset pagination is fine for small, stable backoffice lists" but "cursor pagination is the default for user-facing or high-write collections". With \`offset\`/\`page\`, a row inserted or deleted between two requests shifts every later page, so clients see duplicates or miss items, and the database still scans and discards \`offset\` rows, which gets slower the deeper the client pages. A cursor (\`WHERE id > :cursor_id ORDER BY id LIMIT :limit\`) is stable under writes and costs the same at any depth. This is a hint only: the guide also says "do not force cursor pagination onto every small internal list or backoffice table", so admin and internal operations are left alone.`,
    bad: `/orders:
  get:
    parameters:
      - { name: offset, in: query, schema: { type: integer } }
      - { name: limit, in: query, schema: { type: integer, maximum: 100 } }`,
    good: `/orders:
  get:
    parameters:
      - { name: cursor, in: query, schema: { type: string } }
      - { name: limit, in: query, schema: { type: integer, maximum: 100 } }`,
  },
  checkSpec(context) {
    for (const op of context.operations()) checkOperation(context, op);
  },
  checkRoute(context, route) {
    checkRoute(context, route);
  },
});

function checkOperation(context: SpecContext, op: Operation) {
  if (!isCollectionGet(op) || isBackofficeOperation(context, op)) return;
  const params = queryParams(context, op);
  if (!params) return;
  if (params.some((p) => STRICT_CURSOR_NAMES.test(p.name))) return;
  const list = listResponse(context, op);
  if (list && isBoundedList(context, list.array)) return;
  const offset = params.find((p) => {
    if (!OFFSET_NAMES.test(p.name)) return false;
    // `page` typed string is often an opaque page token; only numbers are positions.
    return schemaTypes(context, p.schema).size === 0 ? !/page/i.test(p.name) : isIntegerLike(context, p.schema);
  });
  if (!offset) return;
  context.report({
    doc: offset.rawDoc,
    at: offset.viaRef ? [...offset.rawAt, '$ref'] : [...offset.at, 'name'],
    part: 'value',
    message: `GET ${op.path} pages by '${offset.name}'; for a user-facing or high-write collection prefer cursor pagination ('cursor' + 'limit', next_cursor in the response), which stays stable under writes (offset is fine for small backoffice lists).`,
  });
}

function checkRoute(context: CodeContext, route: ExtractedRoute) {
  if (route.method !== 'get' || !isCollectionRoute(route) || isBackofficeRoute(route)) return;
  for (const { node } of storeCallNodes(route, context.source)) {
    const first = node.arguments[0];
    let found: ts.Node | undefined;
    if (first && ts.isObjectLiteralExpression(first)) {
      const keys = first.properties.map((p) => (p.name && ts.isIdentifier(p.name) ? p.name.text : ''));
      if (keys.includes('cursor')) continue; // Prisma cursor pagination: `cursor` + `skip: 1`.
      found = first.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && ts.isIdentifier(p.name) && /^(skip|offset)$/.test(p.name.text)
        && !(ts.isPropertyAssignment(p) && ts.isNumericLiteral(unwrap(p.initializer))));
    }
    if (!found) {
      const chained = chainedCalls(node).find((c) => /^(skip|offset)$/.test(c.method) && c.node.arguments[0] && !ts.isNumericLiteral(unwrap(c.node.arguments[0])));
      if (chained && ts.isPropertyAccessExpression(chained.node.expression)) found = chained.node.expression.name;
    }
    if (!found) continue;
    context.report({
      span: found,
      message: `GET ${route.path} pages by offset; for a user-facing or high-write collection prefer a cursor (WHERE id > :cursor ORDER BY id LIMIT :limit), which stays stable under writes (offset is fine for small backoffice lists).`,
    });
  }
}
