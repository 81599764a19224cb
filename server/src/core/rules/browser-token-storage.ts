import ts from 'typescript';
import { defineRule } from './rule';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { contentSchemas, isSuccessStatus, requestBodyOf, responseHeaders, schemaShape } from '../engine/spec-helpers';
import { forEachDescendant } from '../code/ast';
import type { JsonPath } from '../types';

const REFRESH_TOKEN = /^refresh[-_]?token$/i;
const BEARER_TOKEN = /^(access[-_]?token|id[-_]?token|auth[-_]?token|bearer[-_]?token|token|jwt)$/i;
/** OAuth token endpoints (RFC 6749 §5.1 requires the token in the body) and machine credentials. */
const OAUTH_REQUEST_FIELD = /^(grant[-_]?type|client[-_]?id|client[-_]?secret|client[-_]?assertion|code[-_]?verifier)$/i;
const LOGIN_PATH = /(^|\/)(log-?in|sign-?in|sessions?|authenticate)$/i;

export default defineRule({
  id: 'browser-token-storage',
  scope: 'path-item',
  severity: 'info',
  description: 'A first-party login endpoint that hands bearer/refresh tokens to the browser in the response body instead of a session cookie or a BFF.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide's default for a first-party browser app is "Session cookie or BFF/token-mediating backend", because it "keeps tokens off the browser as much as possible": a token returned in a login response body ends up in JavaScript memory or \`localStorage\`, where any injected script can read and exfiltrate it, and a long-lived refresh token there outlives the session it came from. Set an \`HttpOnly; Secure; SameSite\` session cookie instead, or let a backend-for-frontend hold the tokens ("The BFF holds the access token server-side; the browser never sees it"). OAuth token endpoints (\`grant_type\`, client credentials) answer machine and native clients and are not flagged (RFC 6749 §5.1; OAuth 2.0 for Browser-Based Apps, draft-ietf-oauth-browser-based-apps).`,
    bad: `paths:
  /login:
    post:
      requestBody:
        content:
          application/json:
            schema:
              properties: { email: { type: string }, password: { type: string } }
      responses:
        '200':
          content:
            application/json:
              schema:
                properties: { accessToken: { type: string }, refreshToken: { type: string } }`,
    good: `paths:
  /login:
    post:
      responses:
        '204':
          description: Signed in
          headers:
            Set-Cookie:
              schema: { type: string }
              example: __Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax`,
    references: ['OAuth 2.0 for Browser-Based Applications (draft-ietf-oauth-browser-based-apps) §6 BFF', 'RFC 9700 §4.14 Refresh Token Protection', 'OWASP HTML5 Security Cheat Sheet: Local Storage'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) checkOperation(context, operation);
  },
  checkCode(context) {
    checkCode(context);
  },
});

function checkOperation(context: SpecContext, operation: Operation) {
  if (operation.method !== 'post' || /oauth|\/token$/i.test(operation.path)) return;
  const request = requestBodyOf(context, operation);
  const requestFields = new Set<string>();
  for (const media of request?.schemas ?? []) for (const name of schemaShape(context, media.schema).properties.keys()) requestFields.add(name);
  // Swagger 2.0 form logins: formData parameters.
  for (const parameter of context.parameters(operation)) if (parameter.value.in === 'formData') requestFields.add(String(parameter.value.name));
  const fields = [...requestFields];
  if (!fields.some((name) => /^password$/i.test(name)) || fields.some((name) => OAUTH_REQUEST_FIELD.test(name))) return;
  for (const { status, response } of context.responses(operation)) {
    if (!isSuccessStatus(status)) continue;
    const setsCookie = responseHeaders(response).has('set-cookie');
    for (const media of contentSchemas(context, response, operation)) {
      const found = tokenFields(context, media.schema, 0);
      const refresh = found.find((field) => REFRESH_TOKEN.test(field.name));
      const token = refresh ?? (setsCookie ? undefined : found[0]);
      if (!token) continue;
      context.report({
        doc: operation.doc,
        at: operation.at,
        message: `${operation.method.toUpperCase()} ${operation.path} signs a user in with a password and returns '${token.name}' in the body, where browser scripts can read it; set an HttpOnly session cookie (or keep tokens in a BFF) instead.`,
        related: [{ at: token.at, doc: token.doc, message: `the ${refresh ? 'refresh' : 'bearer'} token in the ${status} response` }],
      });
      return;
    }
  }
}

function tokenFields(context: SpecContext, schema: Resolved, depth: number): { name: string; at: JsonPath; doc: Resolved['doc'] }[] {
  if (depth > 2 || schema.failure) return [];
  const shape = schemaShape(context, schema);
  const result: { name: string; at: JsonPath; doc: Resolved['doc'] }[] = [];
  for (const [name, property] of shape.properties) {
    if (REFRESH_TOKEN.test(name) || BEARER_TOKEN.test(name)) {
      if (isRecord(property.value) && (property.value.type === 'string' || property.value.type === undefined)) result.push({ name, at: property.at, doc: property.doc });
      continue;
    }
    if (/^(data|tokens?|result|auth|session|credentials)$/i.test(name)) result.push(...tokenFields(context, property, depth + 1));
  }
  return result.sort((a, b) => Number(REFRESH_TOKEN.test(b.name)) - Number(REFRESH_TOKEN.test(a.name)));
}

// ---------------------------------------------------------------- code

function checkCode(context: CodeContext) {
  for (const route of context.routes()) {
    if (route.method !== 'post' || !route.handlerNode) continue;
    if (/oauth|\/token$/i.test(route.path)) continue;
    const handlerText = route.handlerNode.getText(context.source);
    if (/grant_type|grantType|client_credentials|clientSecret|client_secret/.test(handlerText)) continue;
    const isLogin = LOGIN_PATH.test(route.path.replace(/\/+$/, '')) && (/password/i.test(handlerText) || /Login|SignIn|Credentials/.test(route.bodyType ?? ''));
    if (!isLogin && !/\.password\b/.test(handlerText)) continue;
    const setsCookie = route.headersSet.some((header) => header.name === 'set-cookie') || /\.cookie\(/.test(handlerText);
    const objects: ts.ObjectLiteralExpression[] = [];
    forEachDescendant(route.handlerNode, (node) => {
      if (isFunctionBoundary(node, route.handlerNode!)) return 'skip';
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(json|send)$/.test(node.expression.name.text) && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) objects.push(node.arguments[0]);
      if (route.framework === 'nest' && ts.isReturnStatement(node) && node.expression) {
        let expression: ts.Expression = node.expression;
        while (ts.isAwaitExpression(expression) || ts.isParenthesizedExpression(expression)) expression = expression.expression;
        if (ts.isObjectLiteralExpression(expression)) objects.push(expression);
      }
      return undefined;
    });
    for (const object of objects) {
      const property = tokenProperty(object, setsCookie);
      if (!property) continue;
      const name = property.name!.getText(context.source).replace(/^['"]|['"]$/g, '');
      context.report({
        span: property.name ?? property,
        message: `This login route returns '${name}' in the response body, where browser scripts can read it; set an HttpOnly session cookie (or keep tokens in a BFF) instead.`,
      });
      break;
    }
  }
}

function isFunctionBoundary(node: ts.Node, handler: ts.Node): boolean {
  return node !== handler && (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node));
}

function tokenProperty(object: ts.ObjectLiteralExpression, setsCookie: boolean): ts.ObjectLiteralElementLike | undefined {
  const named = (property: ts.ObjectLiteralElementLike) => {
    const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
    return name;
  };
  const properties = object.properties.filter((property) => ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property));
  const refresh = properties.find((property) => REFRESH_TOKEN.test(named(property) ?? ''));
  if (refresh) return refresh;
  if (setsCookie) return undefined;
  return properties.find((property) => BEARER_TOKEN.test(named(property) ?? ''));
}
