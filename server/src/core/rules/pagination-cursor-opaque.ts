import ts from 'typescript';
import { defineRule } from './rule';
import type { Resolved, SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';
import { schemaShape } from '../engine/spec-helpers';
import { decoratorsOf, forEachDescendantOfKind, stringValue } from '../code/ast';
import { isBackofficeOperation, isCollectionGet, isIntegerLike, listResponse, queryFieldOf, queryParams, STRICT_CURSOR_NAMES, unwrap } from './_pagination';

const RESPONSE_CURSOR = /^(next_?cursor|prev(ious)?_?cursor|cursor|end_?cursor|start_?cursor|next_?page_?token|continuation_?token)$/i;
const RAW_POSITION = /^(next|prev|previous)_?(offset|row|row_?num(ber)?|row_?index|id)$/i;
const CODE_CURSOR_KEYS = /^(next_?cursor|nextCursor|prev_?cursor|prevCursor|cursor|endCursor|startCursor|next_?page_?token|nextPageToken)$/;

export default defineRule({
  id: 'pagination-cursor-opaque',
  scope: 'path-item',
  severity: 'warning',
  description: 'A cursor that is a raw offset, row number or id (`next_offset`, `cursor` typed integer, `next_cursor: last.id`).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Never expose raw DB offsets or row numbers in the cursor" and "clients treat next_cursor as opaque; the server controls shape and can change it without a breaking contract." A cursor that is an integer or a bare row id invites clients to compute, guess or increment it, which ties the contract to the storage (a re-keyed table or a new sort order breaks every client) and lets callers walk ids they were never given. Encode the position server-side (base64url of the sort key, ideally HMAC-signed) and declare the cursor as an opaque string.`,
    bad: `parameters:
  - { name: cursor, in: query, schema: { type: integer } }
# handler: res.json({ data: rows, next_cursor: rows[rows.length - 1].id })`,
    good: `parameters:
  - { name: cursor, in: query, schema: { type: string }, description: Opaque cursor from next_cursor }
# handler: res.json({ data: rows, next_cursor: encodeCursor({ id: last.id }), has_more })`,
  },
  checkSpec(context) {
    const reported = new Set<string>();
    const once = (doc: SpecDocument, at: JsonPath) => {
      const key = `${doc.uri}#${at.join('/')}`;
      if (reported.has(key)) return false;
      reported.add(key);
      return true;
    };
    for (const op of context.operations()) {
      for (const param of queryParams(context, op) ?? []) {
        if (!STRICT_CURSOR_NAMES.test(param.name) || !isIntegerLike(context, param.schema)) continue;
        if (!once(param.doc, param.at)) continue;
        context.report({
          doc: param.doc,
          at: [...param.at, 'name'],
          part: 'value',
          message: `Cursor parameter '${param.name}' is typed as a number, so it is a raw offset or id; declare it as an opaque string the server encodes (e.g. base64url of the sort key).`,
        });
      }
      if (!isCollectionGet(op)) continue;
      const list = listResponse(context, op);
      if (!list || list.kind !== 'envelope') continue;
      for (const { name, schema } of envelopeProperties(context, list.schema)) {
        const last = name.split('.').pop()!;
        const numericCursor = RESPONSE_CURSOR.test(last) && isIntegerLike(context, schema);
        const rawPosition = RAW_POSITION.test(last) && !isBackofficeOperation(context, op);
        if (!numericCursor && !rawPosition) continue;
        if (!once(schema.doc, schema.at)) continue;
        context.report({
          doc: schema.doc,
          at: schema.at,
          message: numericCursor
            ? `Response cursor '${name}' is typed as a number, so it exposes a raw offset or id; return an opaque string cursor (next_cursor) that the server encodes.`
            : `Response field '${name}' hands out a raw ${/offset/i.test(last) ? 'offset' : /row/i.test(last) ? 'row number' : 'id'} as the position of the next page; return an opaque next_cursor instead.`,
        });
      }
    }
  },
  checkRoute(context, route) {
    checkRoute(context, route);
  },
});

/** Envelope properties, and one level into meta/pagination objects, with their resolved schemas. */
function envelopeProperties(context: SpecContext, schema: Resolved): { name: string; schema: Resolved }[] {
  const result: { name: string; schema: Resolved }[] = [];
  const shape = schemaShape(context, schema);
  for (const [name, property] of shape.properties) {
    if (property.failure) continue;
    result.push({ name, schema: property });
    if (/^(meta|metadata|pagination|paging|page_?info|links|_links|cursors?)$/i.test(name)) {
      for (const [inner, innerSchema] of schemaShape(context, property).properties) if (!innerSchema.failure) result.push({ name: `${name}.${inner}`, schema: innerSchema });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------- code

function checkRoute(context: CodeContext, route: ExtractedRoute) {
  const handler = route.handlerNode;
  if (!handler) return;
  forEachDescendantOfKind(handler, [ts.SyntaxKind.PropertyAssignment, ts.SyntaxKind.CallExpression, ts.SyntaxKind.PrefixUnaryExpression], (node) => {
    // next_cursor: last.id, nextCursor: offset + limit
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && CODE_CURSOR_KEYS.test(node.name.text) && !isStoreArgument(node)) {
      const raw = rawPosition(node.initializer, context);
      if (raw) context.report({ span: node, message: `'${node.name.text}' is ${raw}; encode the position server-side (base64url, ideally signed) so the cursor stays opaque.` });
    }
    // Number(req.query.cursor), parseInt(req.query.cursor), +req.query.cursor
    if ((ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^(Number|parseInt|parseFloat)$/.test(node.expression.text) && node.arguments[0]) || (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.PlusToken)) {
      const operand = ts.isCallExpression(node) ? node.arguments[0] : (node as ts.PrefixUnaryExpression).operand;
      let inner = unwrap(operand as ts.Expression);
      if (ts.isBinaryExpression(inner) && (inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || inner.operatorToken.kind === ts.SyntaxKind.BarBarToken)) inner = unwrap(inner.left);
      const field = queryFieldOf(inner);
      if (field && STRICT_CURSOR_NAMES.test(field)) context.report({ span: node, message: `The cursor '${field}' is read as a number, so it is a raw offset or id; decode an opaque cursor instead (e.g. base64url of the last sort key).` });
    }
  });
  // Nest: @Query('cursor', ParseIntPipe) cursor: number
  if (route.framework === 'nest' && ts.isFunctionLike(handler)) {
    for (const parameter of (handler as ts.SignatureDeclaration).parameters) {
      const query = decoratorsOf(parameter).find((d) => d.name === 'Query');
      const name = query && stringValue(query.args[0]);
      if (!name || !STRICT_CURSOR_NAMES.test(name)) continue;
      const numeric = query.args.slice(1).some((pipe) => /ParseIntPipe|ParseFloatPipe/.test(pipe.getText(context.source))) || /^number$/.test(parameter.type?.getText(context.source) ?? '');
      if (numeric) context.report({ span: parameter, message: `The cursor '${name}' is taken as a number, so it is a raw offset or id; accept an opaque string cursor and decode it server-side.` });
    }
  }
}

/** Describes a cursor value that is a raw id/offset, or undefined (opaque or unknown). */
function rawPosition(expression: ts.Expression, context: CodeContext): string | undefined {
  let node = unwrap(expression);
  if (ts.isConditionalExpression(node)) return rawPosition(node.whenTrue, context) ?? rawPosition(node.whenFalse, context);
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
    return rawPosition(node.right, context) ?? (node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? undefined : rawPosition(node.left, context));
  }
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^(String|Number)$/.test(node.expression.text) && node.arguments[0]) node = unwrap(node.arguments[0]);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'toString' && node.arguments.length === 0) node = unwrap(node.expression.expression);
  if (ts.isTemplateExpression(node) && node.head.text === '' && node.templateSpans.length === 1 && node.templateSpans[0].literal.text === '') node = unwrap(node.templateSpans[0].expression);
  if (ts.isPropertyAccessExpression(node) || ts.isPropertyAccessChain(node)) {
    const name = node.name.text;
    if (/^(id|_id|[a-z]+Id|[a-z]+_id|offset|index|rowNumber|row_number)$/.test(name)) return `the raw ${/offset|index/i.test(name) ? 'offset' : /row/i.test(name) ? 'row number' : 'id'} '${node.getText(context.source)}'`;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const sides = [unwrap(node.left), unwrap(node.right)];
    if (sides.some((s) => (ts.isIdentifier(s) || ts.isPropertyAccessExpression(s)) && /offset|skip|limit|take|page/i.test(s.getText(context.source)))) return `a raw offset ('${node.getText(context.source)}')`;
  }
  if (ts.isIdentifier(node) && /^(offset|skip|nextOffset|next_offset|lastId|last_id|rowNumber)$/.test(node.text)) return `the raw ${/id/i.test(node.text) ? 'id' : 'offset'} '${node.text}'`;
  return undefined;
}

/** A property of an object passed to a call other than a response send (`findMany({ cursor })`). */
function isStoreArgument(property: ts.PropertyAssignment): boolean {
  const object = property.parent;
  const call = object.parent;
  if (!call || !ts.isCallExpression(call)) return false;
  return !(ts.isPropertyAccessExpression(call.expression) && /^(json|send|jsonp)$/.test(call.expression.name.text));
}
