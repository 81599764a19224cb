import ts from 'typescript';
import { codeStyle } from './_code-edits';
import type { CodeContext } from '../engine/code-context';
import type { TextEdit } from '../types';
import { calleeName, forEachDescendant, forEachDescendantOfKind, NEST_EXCEPTIONS, numberValue } from '../code/ast';
import type { ErrorBody, StatusSend } from '../code/model';
import type { ExtractedRoute } from '../code/extract';

/** Error-body shape families shared by the spec and code sides of error-single-format. */
export const PROBLEM_SIGNATURE = 'problem details';
const MAX_SIGNATURES = 400;

/**
 * Groups shape signatures (`code, message`) into families: two shapes are one format when one's
 * members contain the other's or they share two or more members; problem details is its own family.
 * The majority family is the one with the most weight (ties: problem details, then first seen).
 */
export function familiesOf(items: { signature: string; weight: number }[]): { familyOf: (signature: string) => number; majority?: number } {
  const signatures = [...new Set(items.map((item) => item.signature))].slice(0, MAX_SIGNATURES);
  const index = new Map(signatures.map((signature, i) => [signature, i]));
  const parent = signatures.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const members = signatures.map((signature) => new Set(signature === PROBLEM_SIGNATURE ? [] : signature.split(', ')));
  for (let i = 0; i < signatures.length; i++) {
    for (let j = i + 1; j < signatures.length; j++) {
      if (signatures[i] === PROBLEM_SIGNATURE || signatures[j] === PROBLEM_SIGNATURE) continue;
      const [a, b] = [members[i], members[j]];
      let shared = 0;
      for (const name of a) if (b.has(name)) shared++;
      if (shared >= 2 || (shared > 0 && (shared === a.size || shared === b.size))) parent[find(i)] = find(j);
    }
  }
  const familyOf = (signature: string) => {
    const i = index.get(signature);
    return i === undefined ? -1 : find(i);
  };
  const weights = new Map<number, number>();
  for (const item of items) {
    const family = familyOf(item.signature);
    if (family >= 0) weights.set(family, (weights.get(family) ?? 0) + item.weight);
  }
  if (weights.size < 2) return { familyOf };
  const problemFamily = index.has(PROBLEM_SIGNATURE) ? familyOf(PROBLEM_SIGNATURE) : -1;
  let majority: number | undefined;
  for (const [family, weight] of weights) {
    const best = majority === undefined ? -1 : weights.get(majority)!;
    if (weight > best || (weight === best && family === problemFamily)) majority = family;
  }
  return { familyOf, majority };
}

// ------------------------------------------------------------------ reading the handler code

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 423: 'Locked', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
const DETAIL_KEYS = new Set(['error', 'message', 'msg', 'detail', 'details', 'reason', 'description', 'errorMessage']);

/** The innermost node of the file that spans exactly `span`. */
function nodeAt(source: ts.SourceFile, span: { start: number; end: number }): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node) => {
    const start = node.getStart(source);
    if (start > span.start || node.getEnd() < span.end) return;
    if (start === span.start && node.getEnd() === span.end) found = node;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Routes' error sends declared in this file, each once (a handler shared by two routes counts once). */
function errorSends(context: CodeContext): { route: ExtractedRoute; send: StatusSend }[] {
  const seen = new Set<string>();
  const result: { route: ExtractedRoute; send: StatusSend }[] = [];
  for (const route of context.routes()) {
    for (const send of route.statuses) {
      if (send.code < 400 || !context.isInFile(send.span)) continue;
      const key = `${send.span.start}:${send.span.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push({ route, send });
    }
  }
  return result;
}

/** The app answers Nest exceptions through an exception filter of its own (whose shape we trust). */
function nestHasFilter(context: CodeContext): boolean {
  return context.facts.problemFilters.length > 0 || context.facts.globalFilters.length > 0 || /@UseFilters\s*\(|APP_FILTER/.test(context.source.text);
}

function handlerText(context: CodeContext, route: ExtractedRoute): string {
  const span = route.handler?.span;
  return span && context.isInFile(span) ? context.text(span) : '';
}

export function checkCodeProblemDetails(context: CodeContext): void {
  const reportedNestRoutes = new Set<ExtractedRoute>();
  const nestFilter = nestHasFilter(context);
  for (const { route, send } of errorSends(context)) {
    const body = send.body;
    if (send.via === 'exception') {
      if (nestFilter || reportedNestRoutes.has(route) || body?.kind === 'problem' || body?.kind === 'unknown') continue;
      reportedNestRoutes.add(route);
      context.report({
        span: send.span,
        message: `${send.exception ?? 'This exception'} is answered with Nest's default { statusCode, message, error } body, not problem details; register a global exception filter that answers application/problem+json (RFC 9457 type, title, status, detail).`,
      });
      continue;
    }
    if (!body || (body.kind !== 'object' && body.kind !== 'string')) continue;
    if (/problem\+json/.test(handlerText(context, route))) continue;
    context.report({
      span: body.span,
      message: body.kind === 'string'
        ? `The ${send.code} response is sent as plain text, not problem details; send application/problem+json with type, title, status and detail (RFC 9457).`
        : `The ${send.code} response sends an ad-hoc error body { ${body.keys.join(', ')} }, not problem details; send application/problem+json with type, title, status and detail (RFC 9457).`,
      fix: problemRewrite(context, send, body),
    });
  }
}

/** `res.status(404).json({ error: 'x' })` -> `res.status(404).type('application/problem+json').json({ type: 'about:blank', title, status, detail: 'x' })`. */
function problemRewrite(context: CodeContext, send: StatusSend, body: ErrorBody) {
  const title = REASONS[send.code];
  if (!title) return undefined;
  const payload = nodeAt(context.source, body.span);
  if (!payload) return undefined;
  let detail: string | undefined;
  if (ts.isObjectLiteralExpression(payload)) {
    const [only] = payload.properties;
    if (payload.properties.length !== 1 || !ts.isPropertyAssignment(only) || !DETAIL_KEYS.has(only.name.getText(context.source).replace(/['"]/g, ''))) return undefined;
    detail = only.initializer.getText(context.source);
  } else if (body.kind === 'string') detail = payload.getText(context.source);
  if (detail === undefined) return undefined;
  // The status call: the chain's `.status(n)` receiver of the send.
  const statusCall = nodeAt(context.source, send.span);
  if (!statusCall || !ts.isCallExpression(statusCall)) return undefined;
  const quote = /^"/.test(detail) ? '"' : codeStyle(context.source).quote;
  const sendCall = payload.parent;
  const sendMethod = ts.isCallExpression(sendCall) && ts.isPropertyAccessExpression(sendCall.expression) ? sendCall.expression : undefined;
  if (!sendMethod || sendMethod.expression !== statusCall) return undefined; // Something between status() and send(): leave it.
  return {
    title: 'Send problem details (application/problem+json)',
    isPreferred: true,
    edits: (): TextEdit[] => [
      { uri: context.uri, start: statusCall.getEnd(), end: statusCall.getEnd(), newText: `.type(${quote}application/problem+json${quote})` },
      { uri: context.uri, start: sendMethod.name.getStart(context.source), end: sendMethod.name.getEnd(), newText: 'json' },
      { uri: context.uri, start: body.span.start, end: body.span.end, newText: `{ type: ${quote}about:blank${quote}, title: ${quote}${title}${quote}, status: ${send.code}, detail: ${detail} }` },
    ],
  };
}

// ------------------------------------------------------------------ error-single-format (code)

export function checkCodeSingleFormat(context: CodeContext): void {
  const nestFilter = nestHasFilter(context);
  const units: { signature: string; span: { start: number; end: number; file: string }; label: string }[] = [];
  const seen = new Set<string>();
  for (const route of context.allRoutes) {
    for (const send of route.statuses) {
      if (send.code < 400) continue;
      const key = `${send.span.file}:${send.span.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const signature = signatureOf(send, nestFilter);
      if (!signature) continue;
      const span = send.body?.span ?? send.span;
      units.push({ signature, span, label: signature === PROBLEM_SIGNATURE ? 'problem details' : `{ ${signature} }` });
    }
  }
  const { familyOf, majority } = familiesOf(units.map((unit) => ({ signature: unit.signature, weight: 1 })));
  if (majority === undefined) return;
  const example = units.find((unit) => familyOf(unit.signature) === majority)!;
  const count = units.filter((unit) => familyOf(unit.signature) === majority).length;
  for (const unit of units) {
    if (familyOf(unit.signature) === majority || !context.isInFile(unit.span)) continue;
    context.report({
      span: unit.span,
      message: `This error body ${unit.label} is a second error format next to the service's ${example.label} (sent ${count} time${count === 1 ? '' : 's'}); use one error format across the service, preferably RFC 9457 problem details.`,
      related: [{ uri: example.span.file, span: example.span, message: `the main error format: ${example.label}` }],
    });
  }
}

function signatureOf(send: StatusSend, nestFilter: boolean): string | undefined {
  const body = send.body;
  if (send.via === 'exception') {
    if (nestFilter) return undefined; // The filter decides the shape.
    if (!body || body.kind === 'string') return 'error, message, statusCode'; // Nest's default body.
  }
  if (!body || body.kind === 'unknown' || body.kind === 'string') return undefined;
  if (body.kind === 'problem') return PROBLEM_SIGNATURE;
  if (body.keys.length === 0 || body.keys.some((key) => key.startsWith('...'))) return undefined;
  return [...body.keys].sort().join(', ');
}

// ------------------------------------------------------------------ error-no-internals (code)

const SEND = /^(json|send|jsonp|end)$/;
const DB_FIELDS = /^(sql|sqlMessage|sqlState|driverError|query|parameters)$/;
const ENV_GUARD = /NODE_ENV|production|development|isDev|isProd|isProduction|isDevelopment|debug|expose/i;

/** Internals sent in error bodies, looked for in one top-level statement (all a send's reads lie in it). */
export function checkCodeInternals(context: CodeContext, statement: ts.Statement): void {
  const source = context.source;
  const reported = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SEND.test(node.expression.name.text) && node.arguments[0]) {
      const root = chainRoot(node.expression.expression);
      if (root && /^(res|response|reply)$/.test(root)) inspect(node.arguments[0], statusOfChain(node.expression.expression), node);
    }
    if (ts.isThrowStatement(node) && node.expression && ts.isNewExpression(node.expression)) {
      const name = calleeName(node.expression.expression);
      const code = NEST_EXCEPTIONS[name] ?? (name === 'HttpException' ? numberValue(node.expression.arguments?.[1]) ?? 0 : undefined);
      const first = node.expression.arguments?.[0];
      if (code !== undefined && first) inspect(first, code, node);
    }
  };

  /** Looks inside one response body for internals. `status` undefined = not a literal. */
  const inspect = (body: ts.Expression, status: number | undefined, sendNode: ts.Node) => {
    const fn = enclosingFunction(sendNode);
    const errorNames = unknownErrorNames(sendNode, fn);
    const check = (node: ts.Node) => {
      if (ts.isPropertyAccessExpression(node) && !reported.has(node)) {
        const field = node.name.text;
        const owner = node.expression;
        const ownerName = ts.isIdentifier(owner) ? owner.text : undefined;
        let leak: string | undefined;
        if (field === 'stack' && isErrorValue(owner, errorNames)) leak = 'a stack trace';
        else if (DB_FIELDS.test(field) && ownerName && errorNames.has(ownerName) && field !== 'query' && field !== 'parameters') leak = 'database internals';
        else if (field === 'message' && ownerName && errorNames.has(ownerName) && isServerError(status, fn, source)) leak = 'the raw message of an unexpected error';
        if (leak && !isEnvGuarded(node, body, fn)) {
          reported.add(node);
          context.report({
            span: node,
            message: `${node.getText(source)} sends ${leak} to the client in an error body; log it server-side and answer problem details with a stable type and a correlation id instead.`,
            fix: removePropertyFix(context, node),
          });
        }
      }
    };
    check(body);
    forEachDescendantOfKind(body, [ts.SyntaxKind.PropertyAccessExpression], check);
  };
  visit(statement);
  forEachDescendantOfKind(statement, [ts.SyntaxKind.CallExpression, ts.SyntaxKind.ThrowStatement], visit);
}

/** `err`, `error`, `e`, `exception`, `dbError`, `err.cause`: a value that is an error, not a `stack` of something else. */
function isErrorValue(node: ts.Expression, errorNames: Set<string>): boolean {
  if (ts.isIdentifier(node)) return errorNames.has(node.text) || /^(e|er|err|error|ex|exc|exception|cause)$|(Error|Exception|Err)$/.test(node.text);
  if (ts.isPropertyAccessExpression(node)) return /^(cause|error|err|originalError|innerError|exception)$/.test(node.name.text);
  return false;
}

/** Identifiers that hold an error of unknown kind: `catch (err)`, an error middleware's first parameter, a filter's `catch(exception)`. */
function unknownErrorNames(node: ts.Node, fn: ts.FunctionLikeDeclaration | undefined): Set<string> {
  const names = new Set<string>();
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isCatchClause(current) && current.variableDeclaration && ts.isIdentifier(current.variableDeclaration.name)) names.add(current.variableDeclaration.name.text);
    if (ts.isSourceFile(current)) break;
  }
  if (fn) {
    const first = fn.parameters[0];
    const firstName = first && ts.isIdentifier(first.name) ? first.name.text : undefined;
    if (firstName && fn.parameters.length === 4) names.add(firstName); // Express (err, req, res, next)
    if (firstName && ts.isMethodDeclaration(fn) && fn.name.getText() === 'catch' && fn.parameters.length === 2) names.add(firstName); // Nest ExceptionFilter.catch(exception, host)
  }
  return names;
}

/** A 5xx for sure, or an error middleware/filter whose status is computed and that never tells known errors apart. */
function isServerError(status: number | undefined, fn: ts.FunctionLikeDeclaration | undefined, source: ts.SourceFile): boolean {
  if (status !== undefined) return status >= 500;
  if (!fn) return false;
  const text = fn.getText(source);
  const isCatchAll = fn.parameters.length === 4 || (ts.isMethodDeclaration(fn) && fn.name.getText(source) === 'catch');
  return isCatchAll && !/instanceof|\.expose\b|isOperational|isHttpError|HttpException|[<>]=?\s*500|500\s*[<>]/.test(text);
}

function isEnvGuarded(node: ts.Node, body: ts.Node, fn: ts.Node | undefined): boolean {
  for (let current: ts.Node | undefined = node.parent; current && current !== fn; current = current.parent) {
    if (ts.isConditionalExpression(current) && ENV_GUARD.test(current.condition.getText())) return true;
    if (ts.isBinaryExpression(current) && (current.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || current.operatorToken.kind === ts.SyntaxKind.BarBarToken) && ENV_GUARD.test(current.left.getText())) return true;
    if (ts.isIfStatement(current) && ENV_GUARD.test(current.expression.getText())) return true;
    if (ts.isSpreadAssignment(current) && ENV_GUARD.test(current.expression.getText())) return true;
    void body;
  }
  return false;
}

function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isArrowFunction(current) || ts.isFunctionExpression(current) || ts.isFunctionDeclaration(current) || ts.isMethodDeclaration(current)) return current;
  }
  return undefined;
}

/** The literal status of `res.status(500).json(...)`'s chain, if any. */
function statusOfChain(node: ts.Expression): number | undefined {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 10; depth++) {
    if (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      if (/^(status|sendStatus)$/.test(current.expression.name.text)) return numberValue(current.arguments[0]);
      current = current.expression.expression;
    } else return undefined;
  }
  return undefined;
}

function chainRoot(node: ts.Expression): string | undefined {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 20; depth++) {
    if (ts.isIdentifier(current)) return current.text;
    if (ts.isPropertyAccessExpression(current)) current = current.expression;
    else if (ts.isCallExpression(current)) current = current.expression;
    else return undefined;
  }
  return undefined;
}

/** Removes `stack: err.stack,` when the leak is a whole property of an object literal. */
function removePropertyFix(context: CodeContext, node: ts.Node) {
  const property = node.parent;
  if (!ts.isPropertyAssignment(property) || property.initializer !== node || !ts.isObjectLiteralExpression(property.parent)) return undefined;
  const list = property.parent.properties;
  const index = list.indexOf(property);
  if (list.length < 2) return undefined;
  const text = context.source.text;
  let start: number;
  let end: number;
  if (index < list.length - 1) {
    start = property.getStart(context.source);
    end = list[index + 1].getStart(context.source);
    // Keep the next property on its own line when each property has one.
    const between = text.slice(property.getEnd(), end);
    if (/\n/.test(between)) {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      if (/^\s*$/.test(text.slice(lineStart, start))) { start = lineStart; end = text.lastIndexOf('\n', end - 1) + 1; }
    }
  } else {
    start = list[index - 1].getEnd();
    end = property.getEnd();
  }
  const name = property.name.getText(context.source);
  return {
    title: `Remove '${name}' from the error body`,
    isPreferred: true,
    edits: (): TextEdit[] => [{ uri: context.uri, start, end, newText: '' }],
  };
}
