import ts from 'typescript';
import { defineRule } from './rule';
import { nestBodyParameter, removeEntry } from './_paths';
import { forEachDescendantOfKind } from '../code/ast';

const NO_BODY_METHODS = new Set(['get', 'head', 'delete']);

export default defineRule({
  id: 'method-body-semantics',
  scope: 'path-item',
  severity: 'warning',
  description: 'A request body on GET, HEAD or DELETE, where HTTP gives it no defined meaning.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `RFC 9110 says content received in a GET (§9.3.1), HEAD (§9.3.2) or DELETE (§9.3.5) request "has no generally defined semantics, cannot alter the meaning or target of the request, and might lead some implementations to reject the request and close the connection". Proxies, caches, CDNs and HTTP client libraries drop or refuse such bodies, so an API that depends on one works only until a new hop appears. The guide asks for method semantics that follow RFC 9110: put the input of a read in the query string, or, when it is too large or structured for a URL, use POST to a search resource (or the QUERY method where supported). For DELETE, identify the target in the path; a bulk delete is a POST command.`,
    bad: `paths:
  /users:
    get:
      operationId: searchUsers
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/UserFilter' }`,
    good: `paths:
  /users:
    get:
      operationId: listUsers
      parameters:
        - { name: status, in: query, schema: { type: string } }
  /users/search:
    post:
      operationId: searchUsers
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/UserFilter' }`,
    references: ['RFC 9110 §9.3.1 GET', 'RFC 9110 §9.3.2 HEAD', 'RFC 9110 §9.3.5 DELETE', 'OpenAPI 3.1 §4.8.10 Operation Object (requestBody)'],
  },
  checkSpec(context) {
    const reported = new Set<string>();
    for (const operation of context.operations()) {
      if (!NO_BODY_METHODS.has(operation.method)) continue;
      const method = operation.method.toUpperCase();
      if (!context.isSwagger2) {
        if (!('requestBody' in operation.operation)) continue;
        const at = [...operation.at, 'requestBody'];
        context.report({
          doc: operation.doc,
          at,
          message: `${method} ${operation.path} declares a requestBody, which has no defined semantics for ${method} (RFC 9110); move the input to query parameters or use POST.`,
          fix: {
            title: `Remove the requestBody of ${method} ${operation.path}`,
            isPreferred: true,
            edits: () => {
              const edit = removeEntry(operation.doc, at, Object.keys(operation.operation));
              return edit ? [edit] : [];
            },
          },
        });
        continue;
      }
      for (const parameter of context.parameters(operation)) {
        if (parameter.value.in !== 'body') continue;
        const key = `${parameter.doc.uri}#${parameter.at.join('/')}`;
        if (reported.has(key)) continue;
        reported.add(key);
        context.report({
          doc: parameter.doc,
          at: [...parameter.at, 'in'],
          part: 'value',
          message: `${method} ${operation.path} takes an 'in: body' parameter, which has no defined semantics for ${method} (RFC 9110); move the input to query parameters or use POST.`,
        });
      }
    }
  },
  checkRoute(context, route) {
    if (!NO_BODY_METHODS.has(route.method)) return;
    const method = route.method.toUpperCase();
    const text = `${method} handler reads a request body, which has no defined semantics for ${method} (RFC 9110); take the input from the path or query, or make it a POST.`;
    if (route.framework === 'nest') {
      const body = nestBodyParameter(route);
      if (body) context.report({ span: body, message: text });
      return;
    }
    if (!route.handlerNode) return;
    const read = firstBodyRead(route.handlerNode);
    if (read) context.report({ span: read, message: text });
  },
});

/** The first `req.body` access in an Express handler. */
function firstBodyRead(handler: ts.Node): ts.Node | undefined {
  let found: ts.Node | undefined;
  const requestName = requestParameterName(handler);
  forEachDescendantOfKind(handler, [ts.SyntaxKind.PropertyAccessExpression], (node) => {
    if (!found && ts.isPropertyAccessExpression(node) && node.name.text === 'body' && ts.isIdentifier(node.expression) && node.expression.text === requestName) found = node;
  });
  return found;
}

function requestParameterName(handler: ts.Node): string {
  if ((ts.isArrowFunction(handler) || ts.isFunctionExpression(handler) || ts.isFunctionDeclaration(handler)) && handler.parameters[0] && ts.isIdentifier(handler.parameters[0].name)) {
    return handler.parameters[0].name.text;
  }
  return 'req';
}
