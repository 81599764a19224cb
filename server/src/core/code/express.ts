import ts from 'typescript';
import { calleeName, expressionText, forEachDescendant, isFunctionLike, objectProperty, spanOf, stringValue } from './ast';
import { analyzeHandler } from './handler';
import type { AppFacts, HttpMethod, Middleware, Route, SourceSpan } from './model';

const ROUTE_METHODS = new Set<HttpMethod>(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
export const AUTH_NAME = /auth|jwt|passport|guard|session|protect|requireUser|isAuthenticated|verifyToken|requireLogin|ensureLoggedIn|bearer|apiKey|authorize|checkScopes|requireRole|requireScope/i;
export const VALIDATION_NAME = /valid|celebrate|checkSchema|zod|joi|yup|schema|sanitize|^body$|^query$|^param$|^check$/i;

/** An Express app or router declared in a file: `const app = express()`, `export const users = Router()`. */
export interface RouterDecl {
  file: string;
  name: string;
  isApp: boolean;
  exported: 'default' | 'named' | false;
  routes: Route[];
  /** `router.use('/x', child)` / `app.use(child)`: mounts of other routers by local name. */
  mounts: { prefix: string; target: string; order: number }[];
  /** `router.use(mw)` before routes: applies to routes registered after it. */
  uses: { middleware: Middleware[]; order: number }[];
}

export interface ExpressFile {
  routers: Map<string, RouterDecl>;
  /** Local name -> module specifier + imported name ('default' or the export name). */
  imports: Map<string, { from: string; name: string }>;
  /** Local functions by name, for handlers passed by reference. */
  functions: Map<string, ts.Node>;
  /** Imported middleware that looks like an error handler, resolved across files later. */
  pendingErrorHandlers: { local: string; span: SourceSpan }[];
}

/** Reads one file's Express apps, routers, routes, mounts and app-level facts. */
export function readExpressFile(file: string, source: ts.SourceFile, facts: AppFacts): ExpressFile {
  const result: ExpressFile = { routers: new Map(), imports: new Map(), functions: new Map(), pendingErrorHandlers: [] };
  readImports(source, result.imports);
  // Declarations first, so routes can find their router whatever the order in the file.
  forEachDescendant(source, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = unwrap(node.initializer);
      if (ts.isCallExpression(init) || ts.isNewExpression(init)) {
        const callee = calleeName(init.expression);
        const isApp = /^express$/.test(callee);
        if (isApp || /(^|\.)Router$/.test(callee)) {
          result.routers.set(node.name.text, { file, name: node.name.text, isApp, exported: isExported(node) ? 'named' : false, routes: [], mounts: [], uses: [] });
        }
      }
      if (isFunctionLike(unwrap(node.initializer))) result.functions.set(node.name.text, unwrap(node.initializer));
    }
    if (ts.isFunctionDeclaration(node) && node.name) result.functions.set(node.name.text, node);
    return undefined;
  });
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      const router = result.routers.get(statement.expression.text);
      if (router) router.exported = 'default';
    }
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const router = result.routers.get((element.propertyName ?? element.name).text);
        if (router) router.exported = element.name.text === 'default' ? 'default' : 'named';
      }
    }
    // module.exports = router
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && /^module\.exports$/.test(expressionText(statement.expression.left)) && ts.isIdentifier(statement.expression.right)) {
      const router = result.routers.get(statement.expression.right.text);
      if (router) router.exported = 'default';
    }
  }
  let order = 0;
  forEachDescendant(source, (node) => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const method = node.expression.name.text;
    const target = node.expression.expression;
    // router.route('/x').get(h).post(h)
    const routeChain = routeChainBase(target);
    if (routeChain && ROUTE_METHODS.has(method as HttpMethod)) {
      const router = result.routers.get(routeChain.router);
      if (router) router.routes.push(makeRoute(file, method as HttpMethod, routeChain.path, routeChain.pathNode, node, node.arguments, result, order++));
      return undefined;
    }
    if (!ts.isIdentifier(target)) return undefined;
    const router = result.routers.get(target.text);
    if (!router) return undefined;
    if (ROUTE_METHODS.has(method as HttpMethod) && node.arguments.length >= 2) {
      const path = stringValue(node.arguments[0]);
      if (path !== undefined) router.routes.push(makeRoute(file, method as HttpMethod, path, node.arguments[0], node, node.arguments.slice(1), result, order++));
    } else if (method === 'use') {
      readUse(file, router, node, result, facts, order++);
    } else if (method === 'listen' && router.isApp) {
      facts.frameworks.add('express');
    }
    return undefined;
  });
  for (const router of result.routers.values()) if (router.routes.length || router.isApp) facts.frameworks.add('express');
  return result;
}

function readUse(file: string, router: RouterDecl, node: ts.CallExpression, result: ExpressFile, facts: AppFacts, order: number) {
  const args = [...node.arguments];
  const prefix = stringValue(args[0]);
  if (prefix !== undefined) args.shift();
  const middleware: Middleware[] = [];
  for (const arg of args) {
    const inner = unwrap(arg);
    if (ts.isIdentifier(inner) && result.routers.has(inner.text)) {
      router.mounts.push({ prefix: prefix ?? '', target: inner.text, order });
      continue;
    }
    // An imported name may be a router (a mount) or a middleware function: decided once every file
    // is read (resolveExpress drops it from the middleware when it resolves to a router).
    if (ts.isIdentifier(inner) && result.imports.has(inner.text)) {
      router.mounts.push({ prefix: prefix ?? '', target: inner.text, order });
      if (prefix === undefined && /err|problem|exception/i.test(inner.text)) result.pendingErrorHandlers.push({ local: inner.text, span: spanOf(arg, file) });
    }
    // Error-handling middleware: a function with four parameters.
    const fn = isFunctionLike(inner) ? inner : ts.isIdentifier(inner) ? result.functions.get(inner.text) : undefined;
    if (fn && isFunctionLike(fn) && fn.parameters.length === 4) {
      facts.errorMiddleware.push({ span: spanOf(arg, file), problemDetails: answersProblemDetails(fn) });
      continue;
    }
    const name = calleeName(inner);
    // Body parsers: express.json(), bodyParser.json({ limit }), express.urlencoded()
    if (ts.isCallExpression(inner) && /^(express|bodyParser)\.(json|urlencoded|raw|text)$|^(json|urlencoded)$/.test(name)) {
      const options = inner.arguments[0];
      const hasLimit = !!options && ts.isObjectLiteralExpression(options) && !!objectProperty(options, 'limit');
      facts.bodyParsers.push({ name, hasLimit, span: spanOf(inner, file) });
    }
    if (name) middleware.push({ name, span: spanOf(arg, file) });
  }
  if (middleware.length) router.uses.push({ middleware, order });
}

function makeRoute(file: string, method: HttpMethod, path: string, pathNode: ts.Node, declaration: ts.CallExpression, handlerArgs: readonly ts.Expression[], result: ExpressFile, order: number): Route & { order: number; handlerNode?: ts.Node } {
  const middleware: Middleware[] = [];
  let handlerNode: ts.Node | undefined;
  let handlerName: string | undefined;
  handlerArgs.forEach((arg, index) => {
    const inner = unwrap(arg);
    const isLast = index === handlerArgs.length - 1;
    if (isLast && isFunctionLike(inner)) { handlerNode = inner; return; }
    if (isLast && ts.isIdentifier(inner) && result.functions.has(inner.text)) { handlerNode = result.functions.get(inner.text); handlerName = inner.text; return; }
    if (isLast && ts.isPropertyAccessExpression(inner)) { handlerName = expressionText(inner); }
    // An imported handler (`router.get('/', validate, listFiles)`): its body is in another file.
    if (isLast && ts.isIdentifier(inner) && result.imports.has(inner.text)) { handlerName = inner.text; return; }
    const array = ts.isArrayLiteralExpression(inner) ? inner : ts.isIdentifier(inner) ? localArray(declaration.getSourceFile(), inner.text) : undefined;
    if (array) for (const element of array.elements) middleware.push({ name: calleeName(element), span: spanOf(element, file) });
    else if (!isLast || !isFunctionLike(inner)) middleware.push({ name: calleeName(inner), span: spanOf(arg, file) });
  });
  if (!handlerNode && handlerName && middleware.length && middleware[middleware.length - 1].name === handlerName) middleware.pop();
  const handlerFacts = handlerNode ? analyzeHandler(handlerNode, file, 'express') : undefined;
  const statuses = handlerFacts?.statuses ?? [];
  if (handlerFacts?.sendsWithoutStatus && !statuses.some((s) => s.code < 300)) statuses.push({ code: 200, span: handlerFacts.sendsWithoutStatus.span, via: 'default' });
  const names = middleware.map((m) => m.name);
  return {
    framework: 'express', method, path, order,
    declaration: spanOf(declaration, file), pathSpan: spanOf(pathNode, file),
    handler: handlerNode ? { span: spanOf(handlerNode, file), name: handlerName, file } : undefined,
    handlerNode,
    middleware,
    auth: names.some((n) => AUTH_NAME.test(n)) ? true : 'unknown',
    markedPublic: false,
    validated: names.some((n) => VALIDATION_NAME.test(n)) || !!handlerFacts?.validatesInBody ? true : 'unknown',
    statuses,
    headersSet: handlerFacts?.headersSet ?? [],
    params: [...pathParams(path, pathNode, file), ...(handlerFacts?.params.filter((p) => p.in !== 'path') ?? [])],
    storeCalls: handlerFacts?.storeCalls ?? [],
  };
}

/** `const guarded = [requireAuth, requireScope('x')]` at the top level of the file: a middleware array. */
function localArray(source: ts.SourceFile, name: string): ts.ArrayLiteralExpression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer && ts.isArrayLiteralExpression(declaration.initializer)) return declaration.initializer;
    }
  }
  return undefined;
}

function pathParams(path: string, node: ts.Node, file: string) {
  return [...path.matchAll(/:([A-Za-z0-9_$]+)|\*([A-Za-z0-9_$]+)/g)].map((match) => ({ name: match[1] ?? match[2], in: 'path' as const, span: spanOf(node, file) }));
}

function routeChainBase(node: ts.Expression): { router: string; path: string; pathNode: ts.Node } | undefined {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 20; depth++) {
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) return undefined;
    if (current.expression.name.text === 'route' && ts.isIdentifier(current.expression.expression)) {
      const path = stringValue(current.arguments[0]);
      return path === undefined ? undefined : { router: current.expression.expression.text, path, pathNode: current.arguments[0] };
    }
    current = current.expression.expression;
  }
  return undefined;
}

function readImports(source: ts.SourceFile, imports: Map<string, { from: string; name: string }>) {
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
      const from = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause.name) imports.set(clause.name.text, { from, name: 'default' });
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) imports.set(element.name.text, { from, name: (element.propertyName ?? element.name).text });
      }
    }
    // const users = require('./users')
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer && unwrap(declaration.initializer);
        if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
          const from = stringValue(init.arguments[0]);
          if (from && ts.isIdentifier(declaration.name)) imports.set(declaration.name.text, { from, name: 'default' });
          if (from && ts.isObjectBindingPattern(declaration.name)) {
            for (const element of declaration.name.elements) if (ts.isIdentifier(element.name)) imports.set(element.name.text, { from, name: element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text });
          }
        }
      }
    }
  }
}

function isExported(node: ts.VariableDeclaration): boolean {
  const statement = node.parent?.parent;
  return !!statement && ts.isVariableStatement(statement) && !!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  return current;
}

export type { SourceSpan };

/** Whether an error handler's body answers RFC 9457 problem details. */
export function answersProblemDetails(fn: ts.Node): boolean {
  const text = fn.getText();
  return /problem\+json/.test(text) || (/\btitle\b/.test(text) && /\bstatus\b/.test(text) && /\btype\b/.test(text));
}
