import ts from 'typescript';
import { defineRule } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import { contentSchemas, isCollectionPath, isSuccessStatus, pathSegments, requestBodyOf, schemaShape } from '../engine/spec-helpers';
import type { ExtractedRoute } from '../code/extract';
import { stringValue } from '../code/ast';
import { nestBodyParameter, normaliseCodePath, segmentsOf } from './_paths';

/** Body fields whose value picks what a request does. */
const DISPATCH_FIELDS = new Set(['action', 'op', 'operation', 'command', 'cmd']);

/** True when `itemPaths` holds `<collection>/{param}`. */
function pathKeys(context: SpecContext): readonly string[] {
  return context.shared('pathKeys', () => (isRecord(context.root.paths) ? Object.keys(context.root.paths) : []));
}

function hasItemPath(collection: string, paths: Iterable<string>): boolean {
  const depth = segmentsOf(collection).length;
  for (const path of paths) {
    if (!path.startsWith(collection + '/')) continue;
    const segments = segmentsOf(path);
    if (segments.length === depth + 1 && segments[depth].param) return true;
  }
  return false;
}

export default defineRule({
  id: 'method-patch-catch-all',
  severity: 'warning',
  description: 'PATCH on a collection, or a PATCH body that dispatches on an `action`/`op`/`command` field.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide asks for method semantics that follow RFC 9110, with "no PATCH used as a vague catch-all": PATCH applies a partial modification to one resource (RFC 5789). Two shapes turn it into a catch-all. PATCH on a collection (\`PATCH /users\`) updates an unknown set of resources in one request, with no per-item result, no ETag and no clear idempotency story; address the item (\`PATCH /users/{userId}\`) or make the batch an explicit POST command. A PATCH body with a required \`action\`, \`op\` or \`command\` field (\`{ "action": "cancel" }\`, \`{ "action": "refund", "amount": 10 }\`) is RPC tunnelled through PATCH: each action has its own preconditions, status codes and retry semantics, which the guide wants explicit as command sub-resources (\`POST /orders/{orderId}/cancel\`). JSON Patch documents (\`application/json-patch+json\`, an array of \`{ op, path, value }\`) are the standard PATCH format and are not flagged, nor is an optional \`action\` property that is simply a field of the resource (a firewall rule's \`action: allow|deny\`).`,
    bad: `paths:
  /orders/{orderId}:
    patch:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [action]
              properties:
                action: { type: string, enum: [cancel, refund, ship] }`,
    good: `paths:
  /orders/{orderId}:
    patch:
      requestBody:
        content:
          application/merge-patch+json:
            schema: { $ref: '#/components/schemas/OrderPatch' }
  /orders/{orderId}/cancel:
    post:
      operationId: cancelOrder`,
    references: ['RFC 5789 PATCH Method for HTTP', 'RFC 9110 §9.3 Method Definitions', 'RFC 6902 JSON Patch', 'RFC 7396 JSON Merge Patch'],
  },
  // Checked per path item; whether a collection has an item path is read from the paths of the whole document.
  scope: 'path-item',
  environment(context) {
    return [pathKeys(context)];
  },
  checkSpec(context) {
    const keys = pathKeys(context.wholeDocument());
    const byPath = new Map<string, Operation[]>();
    for (const operation of context.operations()) {
      if (!byPath.has(operation.path)) byPath.set(operation.path, []);
      byPath.get(operation.path)!.push(operation);
    }
    for (const operation of context.operations()) {
      if (operation.method !== 'patch') continue;
      const body = requestBodyOf(context, operation);
      const mediaTypes = body?.schemas.map((entry) => entry.mediaType) ?? [];
      if (mediaTypes.some((type) => /json-patch/i.test(type))) continue;
      if (isCollectionPath(operation.path) && !isSingularSubResource(operation.path) && (hasItemPath(operation.path, keys) || listsItems(context, byPath.get(operation.path) ?? []))) {
        context.report({
          doc: operation.doc,
          at: operation.at,
          message: `PATCH ${operation.path} targets a collection; PATCH is a partial update of one resource (RFC 5789), so patch the item (${operation.path}/{id}) or make the batch an explicit POST command.`,
        });
        continue;
      }
      if (!body || body.body.failure) continue;
      for (const entry of body.schemas) {
        if (entry.schema.failure || !isRecord(entry.schema.value)) continue;
        const field = dispatchField(context, entry.schema);
        if (!field) continue;
        context.report({
          doc: context.isSwagger2 ? body.body.doc : operation.doc,
          at: body.at,
          message: `PATCH ${operation.path} dispatches on the body field '${field.name}'; that is RPC through PATCH, so give each action its own POST command sub-resource (e.g. POST /orders/{orderId}/cancel) and keep PATCH for field changes.`,
          related: field.at ? [{ doc: entry.schema.doc, at: field.at, message: `'${field.name}' selects the action` }] : undefined,
        });
        break;
      }
    }
  },
  checkCode(context) {
    const allPaths = new Set(context.allRoutes.map((route) => normaliseCodePath(route.path)));
    for (const route of context.routes()) {
      if (route.method !== 'patch') continue;
      const path = normaliseCodePath(route.path);
      if (isCollectionPath(path) && !isSingularSubResource(path) && hasItemPath(path, allPaths)) {
        context.report({
          span: route.pathSpan && context.isInFile(route.pathSpan) ? route.pathSpan : route.declaration,
          message: `PATCH ${path} targets a collection; PATCH is a partial update of one resource (RFC 5789), so patch the item (${path}/{id}) or make the batch an explicit POST command.`,
        });
        continue;
      }
      const dispatch = codeDispatch(route);
      if (dispatch) {
        context.report({
          span: dispatch.node,
          message: `PATCH ${path} handler dispatches on the body field '${dispatch.field}'; that is RPC through PATCH, so give each action its own POST command route and keep PATCH for field changes.`,
        });
      }
    }
  },
});

/** A GET on the same path answering an array: the path is a list. */
function listsItems(context: SpecContext, operations: Operation[]): boolean {
  const get = operations.find((operation) => operation.method === 'get');
  if (!get) return false;
  return context.responses(get).some((entry) => isSuccessStatus(entry.status)
    && contentSchemas(context, entry.response, get).some((media) => schemaShape(context, media.schema).types.has('array')));
}

function dispatchField(context: SpecContext, schema: ReturnType<SpecContext['resolve']>): { name: string; at?: (string | number)[] } | undefined {
  const value = schema.value as Record<string, unknown>;
  const discriminator = isRecord(value.discriminator) ? value.discriminator.propertyName : undefined;
  if (typeof discriminator === 'string' && DISPATCH_FIELDS.has(discriminator.toLowerCase())) return { name: discriminator, at: [...schema.at, 'discriminator'] };
  const shape = schemaShape(context, schema);
  if (shape.types.has('array')) return undefined;
  for (const [name, property] of shape.properties) {
    if (!DISPATCH_FIELDS.has(name.toLowerCase()) || !shape.required.has(name)) continue;
    return { name, at: property.viaRef ? undefined : property.at };
  }
  return undefined;
}

/** `switch (req.body.action)`, `switch (dto.op)`, or two `=== 'literal'` tests on such a field. */
function codeDispatch(route: ExtractedRoute): { node: ts.Node; field: string } | undefined {
  const handler = route.handlerNode;
  if (!handler) return undefined;
  const bodyNames = new Set<string>();
  const fieldLocals = new Map<string, string>();
  if (route.framework === 'nest') {
    const parameter = nestBodyParameter(route);
    if (parameter && ts.isIdentifier(parameter.name)) {
      const decorator = (ts.getDecorators(parameter) ?? []).find((d) => ts.isCallExpression(d.expression));
      const picked = decorator && ts.isCallExpression(decorator.expression) ? stringValue(decorator.expression.arguments[0]) : undefined;
      if (picked && DISPATCH_FIELDS.has(picked.toLowerCase())) fieldLocals.set(parameter.name.text, picked);
      else if (!picked) bodyNames.add(parameter.name.text);
    }
  }
  const isBody = (node: ts.Expression): boolean =>
    (ts.isIdentifier(node) && bodyNames.has(node.text))
    || (ts.isPropertyAccessExpression(node) && node.name.text === 'body' && ts.isIdentifier(node.expression) && /^(req|request)$/.test(node.expression.text));
  const fieldOf = (node: ts.Expression): string | undefined => {
    if (ts.isPropertyAccessExpression(node) && DISPATCH_FIELDS.has(node.name.text.toLowerCase()) && isBody(node.expression)) return node.name.text;
    if (ts.isIdentifier(node)) return fieldLocals.get(node.text);
    return undefined;
  };
  let found: { node: ts.Node; field: string } | undefined;
  const comparisons = new Map<string, { node: ts.Node; literals: Set<string> }>();
  const visit = (node: ts.Node) => {
    if (found) return;
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isObjectBindingPattern(node.name) && isBody(node.initializer)) {
      for (const element of node.name.elements) {
        const property = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : undefined;
        if (property && DISPATCH_FIELDS.has(property.toLowerCase()) && ts.isIdentifier(element.name)) fieldLocals.set(element.name.text, property);
      }
    }
    if (ts.isSwitchStatement(node)) {
      const field = fieldOf(node.expression);
      if (field && node.caseBlock.clauses.filter(ts.isCaseClause).length >= 2) { found = { node: node.expression, field }; return; }
    }
    if (ts.isBinaryExpression(node) && /^(===|==)$/.test(node.operatorToken.getText())) {
      const [subject, literal] = stringValue(node.right) !== undefined ? [node.left, stringValue(node.right)] : [node.right, stringValue(node.left)];
      const field = literal !== undefined ? fieldOf(subject) : undefined;
      if (field && literal !== undefined) {
        const entry = comparisons.get(field) ?? { node: subject, literals: new Set<string>() };
        entry.literals.add(literal);
        comparisons.set(field, entry);
        if (entry.literals.size >= 2) { found = { node: entry.node, field }; return; }
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(handler, visit);
  return found;
}

/**
 * `/nodes/{name}/proxy`, `/users/{id}/profile`: a singular word after an item names one
 * sub-resource of that item (a deeper `/proxy/{path}` is a path inside it), not a collection.
 */
function isSingularSubResource(path: string): boolean {
  const segments = pathSegments(path);
  if (segments.length < 2) return false;
  const last = segments[segments.length - 1];
  return segments[segments.length - 2].isParameter && !last.isParameter && !/s$/i.test(last.text);
}
