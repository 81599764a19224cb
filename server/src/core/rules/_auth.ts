import ts from 'typescript';
import { codeStyle } from './_code-edits';
import type { JsonPath, TextEdit } from '../types';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import { responseHeaders } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';
import type { SpecDocument } from '../spec/document';
import type { CodeContext } from '../engine/code-context';
import { calleeName, expressionText, forEachDescendant, NEST_EXCEPTIONS, numberValue, stringValue } from '../code/ast';

/**
 * Helpers shared by the auth/status rules (auth-401-vs-403, auth-401-challenge, auth-responses-documented,
 * auth-public-explicit, auth-scheme-defined, not-found-policy, rate-limit-retry-after).
 */

// ---------------------------------------------------------------- spec

export interface StatusResponse {
  operation: Operation;
  status: string;
  /** Where the status key sits in the operation. */
  at: JsonPath;
  response: Resolved<Record<string, unknown>>;
}

/** Every `<status>` response of every operation (webhooks excluded), resolved. Unresolvable $refs are skipped. */
export function responsesWithStatus(context: SpecContext, status: string): StatusResponse[] {
  const result: StatusResponse[] = [];
  for (const operation of context.operations()) {
    for (const entry of context.responses(operation)) {
      if (entry.status !== status || entry.response.failure || !isRecord(entry.response.value)) continue;
      result.push({ operation, status, at: entry.at, response: entry.response });
    }
  }
  return result;
}

/** A stable key for a node of a (possibly other) document, to report a shared component once. */
export function nodeKey(doc: SpecDocument, at: JsonPath): string {
  return `${doc.uri}#${at.map(String).join('/')}`;
}

/** The header object to add for `name`, in the document's dialect. */
export function headerObject(context: SpecContext, description: string, example?: string): Record<string, unknown> {
  if (context.isSwagger2) return { type: 'string', description };
  return example === undefined ? { description, schema: { type: 'string' } } : { description, schema: { type: 'string' }, example };
}

/** An edit that adds a header to a response (creating `headers:` when absent). */
export function addResponseHeader(response: Resolved<Record<string, unknown>>, name: string, header: Record<string, unknown>): TextEdit {
  if (isRecord(response.value.headers) && response.doc.has([...response.at, 'headers'])) {
    return setMapEntry(response.doc, [...response.at, 'headers'], name, header);
  }
  return setMapEntry(response.doc, response.at, 'headers', { [name]: header });
}

/**
 * The shared check of auth-401-challenge and rate-limit-retry-after: every `<status>` response must
 * declare `<header>`. A component response used by many operations is reported once, at the component.
 */
export function requireResponseHeader(context: SpecContext, options: {
  status: string; header: string; message: (operation: Operation, viaRef: boolean) => string; fixTitle: string; headerObject: () => Record<string, unknown>;
}) {
  const reported = new Set<string>();
  for (const entry of responsesWithStatus(context, options.status)) {
    const { response, operation } = entry;
    if (responseHeaders(response).has(options.header.toLowerCase())) continue;
    // A headers map that is itself an unresolved reference: stay silent.
    if (response.value.headers !== undefined && !isRecord(response.value.headers)) continue;
    const key = nodeKey(response.doc, response.at);
    if (reported.has(key)) continue;
    reported.add(key);
    const fix = { title: options.fixTitle, isPreferred: true, edits: () => [addResponseHeader(response, options.header, options.headerObject())] };
    if (response.viaRef) {
      context.report({
        doc: response.doc, at: response.at,
        message: options.message(operation, true),
        related: [{ at: entry.at, doc: operation.doc, message: `Used by ${operation.method.toUpperCase()} ${operation.path}` }],
        fix,
      });
    } else {
      context.report({ doc: operation.doc, at: entry.at, message: options.message(operation, false), fix });
    }
  }
}

/** Description text of a response (description + summary), for wording checks. */
export function responseText(response: Record<string, unknown>): string {
  return [response.description, response.summary].filter((part) => typeof part === 'string').join(' ');
}

// ---------------------------------------------------------------- code

export type StatusSite = {
  code: number;
  /** The node to report at: `res.status(403)`, `new ForbiddenException()`, `return false`. */
  node: ts.Node;
  kind: 'status' | 'sendStatus' | 'exception' | 'httpException' | 'guardFalse';
  /** The literal/identifier that carries the code (for swapping). */
  codeNode?: ts.Node;
  exception?: string;
};

/** The status a single node sends, if it is a status-sending expression. */
export function statusSiteOf(node: ts.Node): StatusSite | undefined {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    if ((method === 'status' || method === 'sendStatus') && /^(res|response|reply|ctx\.response)$/.test(chainRootText(node.expression.expression))) {
      const code = numberValue(node.arguments[0]);
      if (code !== undefined) return { code, node, kind: method, codeNode: node.arguments[0] };
    }
  }
  if (ts.isNewExpression(node)) {
    const name = calleeName(node.expression);
    if (NEST_EXCEPTIONS[name]) return { code: NEST_EXCEPTIONS[name], node, kind: 'exception', exception: name, codeNode: node.expression };
    if (name === 'HttpException') {
      const code = numberValue(node.arguments?.[1]);
      if (code !== undefined) return { code, node, kind: 'httpException', codeNode: node.arguments?.[1] };
    }
  }
  return undefined;
}

function chainRootText(node: ts.Expression): string {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 20; depth++) {
    if (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current) && ts.isCallExpression(current.expression)) {
      current = ts.isCallExpression(current) ? current.expression : current.expression;
      continue;
    }
    if (ts.isPropertyAccessExpression(current) && /^(status|set|header|setHeader|append|type)$/.test(current.name.text)) { current = current.expression; continue; }
    return expressionText(current);
  }
  return '';
}

/** Status sends inside `node`, not descending into nested functions (or nested `if`s when `shallowIfs`). */
export function statusSitesIn(node: ts.Node, options: { shallowIfs?: boolean } = {}): StatusSite[] {
  const sites: StatusSite[] = [];
  const rootSite = statusSiteOf(node);
  if (rootSite) sites.push(rootSite);
  forEachDescendant(node, (child) => {
    if (isFunctionNode(child) || (options.shallowIfs && ts.isIfStatement(child))) return 'skip';
    const site = statusSiteOf(child);
    if (site) sites.push(site);
    return undefined;
  });
  return sites;
}

export function isFunctionNode(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
}

/** The function a node sits in. */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  let current = node.parent;
  while (current && !isFunctionNode(current)) current = current.parent;
  return current as ts.FunctionLikeDeclaration | undefined;
}

/** True when `fn` sets the header `name` (res.set/header/setHeader/append, `@Header(name)` on a Nest method). */
export function functionSetsHeader(fn: ts.Node, name: string): boolean {
  const wanted = name.toLowerCase();
  let found = false;
  if (ts.isMethodDeclaration(fn) && ts.canHaveDecorators(fn)) {
    for (const decorator of ts.getDecorators(fn) ?? []) {
      const expression = decorator.expression;
      if (ts.isCallExpression(expression) && calleeName(expression.expression) === 'Header' && stringValue(expression.arguments[0])?.toLowerCase() === wanted) found = true;
    }
  }
  forEachDescendant(fn, (node) => {
    if (found) return 'skip';
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(set|header|setHeader|append|appendHeader)$/.test(node.expression.name.text)) {
      const first = node.arguments[0];
      if (stringValue(first)?.toLowerCase() === wanted) found = true;
      else if (first && ts.isObjectLiteralExpression(first)) {
        for (const property of first.properties) {
          const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
          if (key?.toLowerCase() === wanted) found = true;
        }
      }
    }
    return undefined;
  });
  return found;
}

/**
 * The kinds of node `statusSiteOf` can answer for: calls (`res.status(401)`) and `new` (exceptions).
 * A function, so that loading this module does not load the TypeScript compiler.
 */
export function statusSiteKinds(): ts.SyntaxKind[] {
  return [ts.SyntaxKind.CallExpression, ts.SyntaxKind.NewExpression];
}

/** Atoms of a condition joined by `||`/`&&` (parentheses removed). */
export function conditionAtoms(expression: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(expression)) return conditionAtoms(expression.expression);
  if (ts.isBinaryExpression(expression) && (expression.operatorToken.kind === ts.SyntaxKind.BarBarToken || expression.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
    return [...conditionAtoms(expression.left), ...conditionAtoms(expression.right)];
  }
  return [expression];
}

const AUTH_SUBJECT = /^(user|currentUser|authUser|sessionUser|session|userId|token|accessToken|idToken|bearer|bearerToken|jwt|authHeader|authorization|authorizationHeader|apiKey|apikey|xApiKey|credentials|principal|identity|claims|auth|isAuthenticated|isLoggedIn|loggedIn|authenticated)$/i;
const FORBIDDEN_WORDS = /role|scope|permission|privilege|isAdmin|admin|owner|canAccess|canEdit|canDelete|canView|hasAccess|allowed|permitted|entitle|ability|policy|grant|acl|\bcan\(|member/i;

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current)) current = current.expression;
  return current;
}

/** The last name of `req.user`, `req.session?.user`, `req.headers.authorization`, `req.get('authorization')`, `req.isAuthenticated()`. */
function subjectName(expression: ts.Expression): string | undefined {
  const node = unwrap(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) return stringValue(node.argumentExpression)?.replace(/-/g, '');
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    if (/^(get|header)$/.test(method)) return stringValue(node.arguments[0])?.replace(/-/g, '');
    if (/^(isAuthenticated|isLoggedIn)$/.test(method) && node.arguments.length === 0) return method;
  }
  return undefined;
}

/**
 * What a condition tests: 'unauthenticated' (`!req.user`, `!token`, `!req.isAuthenticated()`,
 * `req.user == null`), 'forbidden' (a role/scope/permission/ownership test), or 'other'.
 * A condition mixing both kinds is 'other'.
 */
export function classifyCondition(condition: ts.Expression, source: ts.SourceFile): 'unauthenticated' | 'forbidden' | 'other' {
  const kinds = new Set(conditionAtoms(condition).map((atom) => classifyAtom(atom, source)));
  if (kinds.size !== 1) return 'other';
  return [...kinds][0];
}

function classifyAtom(atom: ts.Expression, source: ts.SourceFile): 'unauthenticated' | 'forbidden' | 'other' {
  const node = unwrap(atom);
  const text = node.getText(source);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const name = subjectName(node.operand);
    if (name && AUTH_SUBJECT.test(name)) return isLookedUp(node.operand) ? 'other' : 'unauthenticated';
    return FORBIDDEN_WORDS.test(text) ? 'forbidden' : 'other';
  }
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    const isEquality = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const nullish = (side: ts.Expression) => { const u = unwrap(side); return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined'); };
    if (isEquality && (nullish(node.right) || nullish(node.left))) {
      const name = subjectName(nullish(node.right) ? node.left : node.right);
      if (name && AUTH_SUBJECT.test(name)) return 'unauthenticated';
    }
    return FORBIDDEN_WORDS.test(text) ? 'forbidden' : 'other';
  }
  return FORBIDDEN_WORDS.test(text) ? 'forbidden' : 'other';
}

/**
 * A local `user` read from the store (`const [user] = await this.userService.users({ where })`,
 * `const user = await repo.findOne(...)`): its absence is a lookup miss, not a missing caller.
 */
function isLookedUp(operand: ts.Expression): boolean {
  const node = unwrap(operand);
  if (!ts.isIdentifier(node)) return false;
  for (let scope: ts.Node | undefined = node.parent; scope; scope = scope.parent) {
    if (!ts.isBlock(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement) || statement.pos > node.pos) continue;
      for (const declaration of statement.declarationList.declarations) {
        const names = ts.isIdentifier(declaration.name) ? [declaration.name.text] : ts.isArrayBindingPattern(declaration.name) || ts.isObjectBindingPattern(declaration.name) ? declaration.name.elements.flatMap((e) => ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name.text] : []) : [];
        if (!names.includes(node.text) || !declaration.initializer) continue;
        return /\bwhere\s*:|\.(find\w*|users?|get(User|One)By\w+)\s*\(/.test(declaration.initializer.getText());
      }
    }
  }
  return false;
}

/** A `try { jwt.verify(...) } catch { ... }`: the catch answers an invalid token. */
export function verifiesToken(tryBlock: ts.Block): boolean {
  let found = false;
  forEachDescendant(tryBlock, (node) => {
    if (found) return 'skip';
    if (ts.isCallExpression(node) && /(^|\.)(verify|verifyAsync|verifyToken|verifyIdToken|verifyJwt|jwtVerify|decodeToken|validateToken)$/.test(expressionText(node.expression))) found = true;
    return undefined;
  });
  return found;
}

/** Paths that are public by nature: health probes, sign-in/up, token endpoints, docs. */
export const NATURALLY_PUBLIC_PATH = /(^|\/)(health(z|check)?|healthcheck|ready(z)?|readiness|live(z)?|liveness|ping|status|metrics|version|login|logout|signin|sign-in|signup|sign-up|register|token|refresh|oauth2?|callback|auth|authenticate|password-reset|forgot-password|reset-password|verify-email|webhooks?|docs|openapi(\.json|\.yaml)?|swagger(\.json)?|\.well-known|favicon\.ico)(\/|$)/i;

/**
 * True when some file of the workspace adds `header` in an error path that covers thrown exceptions:
 * a Nest exception filter (`@Catch` class) or an Express error middleware (4 parameters).
 */
export function workspaceAddsHeaderOnErrors(context: CodeContext, header: string): boolean {
  for (const source of context.workspace.extraction.sources.values()) {
    if (!new RegExp(header.replace(/-/g, '[-_]?'), 'i').test(source.text)) continue;
    let found = false;
    const walk = (node: ts.Node): void => {
      if (found) return;
      if (ts.isClassDeclaration(node) && (ts.getDecorators(node) ?? []).some((d) => /^Catch/.test(calleeName(d.expression)) || calleeName(d.expression) === 'Catch') && functionSetsHeader(node, header)) found = true;
      else if (isFunctionNode(node) && node.parameters.length === 4 && functionSetsHeader(node, header)) found = true;
      else ts.forEachChild(node, walk);
    };
    walk(source);
    if (found) return true;
  }
  return false;
}

/** `handler` / `onLimitReached` of `rateLimit({...})`, `slowDown({...})`: the library sets Retry-After. */
export function isRateLimiterCallback(fn: ts.Node): boolean {
  let current: ts.Node | undefined = fn.parent;
  if (current && ts.isPropertyAssignment(current)) current = current.parent;
  else if (!(ts.isMethodDeclaration(fn) && current && ts.isObjectLiteralExpression(current))) return false;
  if (!current || !ts.isObjectLiteralExpression(current)) return false;
  const call = current.parent;
  return !!call && ts.isCallExpression(call) && /rate.?limit|slow.?down|limiter|throttle/i.test(calleeName(call.expression));
}

/** Inserts `.set(name, value)` right after `res.status(n)` (or after `res` in `res.sendStatus(n)`). */
export function insertSetHeader(context: CodeContext, site: StatusSite, name: string, value: string): TextEdit[] {
  if (!ts.isCallExpression(site.node) || !ts.isPropertyAccessExpression(site.node.expression)) return [];
  const { quote } = codeStyle(context.source);
  const call = `.set(${quote}${name}${quote}, ${quote}${value.replace(new RegExp(quote, 'g'), '\\' + quote)}${quote})`;
  const at = site.kind === 'sendStatus' ? site.node.expression.expression.getEnd() : site.node.getEnd();
  return [{ uri: context.uri, start: at, end: at, newText: call }];
}
