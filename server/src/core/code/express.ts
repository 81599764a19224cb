import ts from 'typescript';
import { calleeName, expressionText, forEachDescendant, forEachDescendantOfKind, isFunctionLike, objectProperty, spanOf, stringValue } from './ast';
import { analyzeHandler, factsWithSpans, type HandlerFactsMemory } from './handler';
import type { AppFacts, HttpMethod, Middleware, Route, SourceSpan } from './model';

const ROUTE_METHODS = new Set<HttpMethod>(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
/** Auth middleware by name; never `passport.initialize()`/`passport.session()`, rate limiters (`authLimiter`), loggers or CORS. */
export const AUTH_NAME = /^(?!passport\.(?:initialize|session)\b)(?!.*(?:limit|logger|cors))(?=.*(?:auth|jwt|passport|guard|session|protect|requireUser|isAuthenticated|verifyToken|requireLogin|ensureLoggedIn|bearer|apiKey|authorize|checkScopes|requireRole|requireScope))/i;
/** Validation middleware by name; never auth that says "valid" (`validApiKey`, `validateToken`, `validatedSession`). */
export const VALIDATION_NAME = /^(?!.*(?:apikey|token|session|jwt|auth|user))(?=.*(?:valid|celebrate|checkSchema|zod|joi|yup|schema|sanitize|^body$|^query$|^param$|^check$))/i;

/** An Express app or router declared in a file: `const app = express()`, `export const users = Router()`. */
export interface RouterDecl {
  file: string;
  name: string;
  isApp: boolean;
  exported: 'default' | 'named' | false;
  routes: Route[];
  /** `router.use('/x', child)` / `app.use(child)`: mounts of other routers by local name. */
  mounts: { prefix: string; target: string; order: number; param?: number }[];
  /** A router received as parameter `param` of the function `name` (`function users(app) { app.get(...) }`). */
  param?: number;
  /** `router.use(mw)` before routes: applies to routes registered after it. */
  uses: { middleware: Middleware[]; order: number; prefix?: string }[];
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

type ExpressRoute = Route & { order: number; handlerNode?: ts.Node };
type StatementRoutes = { router: string; route: ExpressRoute }[];

/** What a statement declares that routes can be registered on or with: routers and functions. */
interface StatementDeclarations {
  routers: { name: string; init: ts.Expression; exported: RouterDecl['exported'] }[];
  functions: { name: string; node: ts.Node }[];
}

/**
 * The editor's memory of what each top-level statement of a route file declares. The incremental
 * parser moves unchanged statements into the new tree as the same objects, so a keystroke re-reads
 * the statement it touched and takes the others' readings from here.
 *
 * - Declarations (routers, functions) depend on the statement's own text alone.
 * - Routes depend on it and, outside it, only on the file's routers, functions, imports and
 *   middleware arrays by name (`environment`, part of the key). A statement's routes are kept only
 *   when it declares routes and nothing else (no mounts, `use`, error handlers or facts) and every
 *   offset of its routes lies inside it: a handler or middleware array defined elsewhere could
 *   change without this statement changing, so such routes are read again every time. Kept routes
 *   are handed out as copies moved to where the statement is now.
 */
export class ExpressStatementMemory {
  private readonly declarationsOf = new WeakMap<ts.Node, StatementDeclarations>();
  /**
   * Routes with offsets from the statement's start: they hold wherever the parser moves it. The
   * copy last handed out is kept with the offset it was moved to: a statement before the edit does
   * not move, and gets the same copy back.
   */
  private readonly routesOf = new WeakMap<ts.Node, { environment: string; routes: StatementRoutes; moved?: { pos: number; routes: StatementRoutes } }>();

  declarations(statement: ts.Node, read: (statement: ts.Node) => StatementDeclarations): StatementDeclarations {
    let known = this.declarationsOf.get(statement);
    if (!known) this.declarationsOf.set(statement, known = read(statement));
    return known;
  }

  /** The routes `statement` declared when it was read in `environment`, moved to where it is now. */
  recallRoutes(statement: ts.Node, environment: string): StatementRoutes | undefined {
    const known = this.routesOf.get(statement);
    if (!known || known.environment !== environment) return undefined;
    if (known.moved?.pos !== statement.pos) known.moved = { pos: statement.pos, routes: known.routes.map(({ router, route }) => ({ router, route: movedRoute(route, statement.pos) })) };
    return known.moved.routes;
  }

  rememberRoutes(statement: ts.Node, environment: string, routes: StatementRoutes): void {
    let inside = true;
    for (const { route } of routes) routeWithSpans(route, (span) => { inside &&= span.start >= statement.pos && span.end <= statement.end; return span; });
    if (!inside) return;
    this.routesOf.set(statement, { environment, routes: routes.map(({ router, route }) => ({ router, route: movedRoute(route, -statement.pos) })) });
  }
}

/** A copy of a route with every offset moved by `delta` (its `order` too); its handler node is the parser's, moved by it. */
function movedRoute(route: ExpressRoute, delta: number): ExpressRoute {
  return { ...routeWithSpans(route, (span) => ({ file: span.file, start: span.start + delta, end: span.end + delta })), order: route.order + delta };
}

/** A copy of a route with every span passed through `moved` (the one list of a route's spans). */
function routeWithSpans(route: ExpressRoute, moved: (span: SourceSpan) => SourceSpan): ExpressRoute {
  const handlerFacts = factsWithSpans({ statuses: route.statuses, headersSet: route.headersSet, params: route.params, storeCalls: route.storeCalls, validatesInBody: false }, moved);
  return {
    ...route,
    declaration: moved(route.declaration),
    pathSpan: route.pathSpan && moved(route.pathSpan),
    handler: route.handler && { ...route.handler, span: moved(route.handler.span) },
    middleware: route.middleware.map((m) => ({ name: m.name, span: moved(m.span) })),
    statuses: handlerFacts.statuses,
    headersSet: handlerFacts.headersSet,
    params: handlerFacts.params,
    storeCalls: handlerFacts.storeCalls,
  };
}

/** Reads one file's Express apps, routers, routes, mounts and app-level facts. */
export function readExpressFile(file: string, source: ts.SourceFile, facts: AppFacts, handlers?: HandlerFactsMemory, statements?: ExpressStatementMemory): ExpressFile {
  const result: ExpressFile = { routers: new Map(), imports: new Map(), functions: new Map(), pendingErrorHandlers: [] };
  readImports(source, result.imports);
  // `Router().use(a).use(b)`: the Router() call at the base of a chain, by the router it creates.
  const chainRouters = new Map<ts.Node, RouterDecl>();
  // Routers received as function parameters: the function node -> parameter name -> router.
  const paramRouters = new Map<ts.Node, Map<string, RouterDecl>>();
  const declare = (name: string, init: ts.Expression, exported: RouterDecl['exported']) => {
    const base = chainBase(init);
    if (!ts.isCallExpression(base) && !ts.isNewExpression(base)) return;
    const callee = calleeName(base.expression);
    const isApp = /^express$/.test(callee);
    if (!isApp && !/(^|\.)Router$/.test(callee)) return;
    const router: RouterDecl = { file, name, isApp, exported, routes: [], mounts: [], uses: [] };
    result.routers.set(name, router);
    if (base !== init) chainRouters.set(base, router);
  };
  // Declarations first, so routes can find their router whatever the order in the file.
  for (const statement of source.statements) {
    const declared = statements ? statements.declarations(statement, readDeclarations) : readDeclarations(statement);
    for (const router of declared.routers) declare(router.name, router.init, router.exported);
    for (const fn of declared.functions) result.functions.set(fn.name, fn.node);
  }
  for (const statement of source.statements) {
    // export default Router().use('/api', api); module.exports = Router().use(...)
    const exported = ts.isExportAssignment(statement) ? statement.expression
      : ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && /^module\.exports$/.test(expressionText(statement.expression.left)) ? statement.expression.right : undefined;
    if (exported && !ts.isIdentifier(unwrap(exported))) declare('*default*', unwrap(exported), 'default');
  }
  // Route-registering functions: `function userRoutes(app) { app.get('/users', h) }`, called with a router.
  for (const [name, fn] of result.functions) {
    if (!isFunctionLike(fn) || result.routers.has(name)) continue;
    fn.parameters.forEach((parameter, index) => {
      if (!ts.isIdentifier(parameter.name) || !registersRoutes(fn, parameter.name.text)) return;
      const router: RouterDecl = { file, name: index ? `${name}#${index}` : name, isApp: false, exported: false, routes: [], mounts: [], uses: [], param: index };
      result.routers.set(router.name, router);
      const byName = paramRouters.get(fn) ?? new Map<string, RouterDecl>();
      byName.set(parameter.name.text, router);
      paramRouters.set(fn, byName);
    });
  }
  const routerOf = (expression: ts.Expression): RouterDecl | undefined => {
    if (ts.isIdentifier(expression)) {
      for (let scope: ts.Node | undefined = expression.parent; scope; scope = scope.parent) {
        const local = paramRouters.get(scope)?.get(expression.text);
        if (local) return local;
        if (isFunctionLike(scope) && scope.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === expression.text)) return undefined;
      }
      const router = result.routers.get(expression.text);
      return router && router.param === undefined ? router : undefined;
    }
    return chainRouters.get(chainBase(expression));
  };
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
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && /^module\.exports$/.test(expressionText(statement.expression.left))) {
      const right = unwrap(statement.expression.right);
      if (ts.isIdentifier(right)) {
        const router = result.routers.get(right.text);
        if (router) router.exported = 'default';
      }
      // module.exports = { userRoutes, adminRoutes }
      if (ts.isObjectLiteralExpression(right)) {
        for (const property of right.properties) {
          const local = ts.isShorthandPropertyAssignment(property) ? property.name.text : ts.isPropertyAssignment(property) && ts.isIdentifier(property.initializer) ? property.initializer.text : undefined;
          const exportedName = property.name && ts.isIdentifier(property.name) ? property.name.text : undefined;
          if (!local || exportedName !== local) continue;
          for (const router of result.routers.values()) if (router.name === local || router.name.startsWith(`${local}#`)) router.exported = 'named';
        }
      }
    }
  }
  for (const router of result.routers.values()) {
    if (router.param === undefined || router.exported) continue;
    const base = router.name.replace(/#\d+$/, '');
    const fn = result.functions.get(base);
    const statement = fn && ts.isFunctionDeclaration(fn) ? fn : fn?.parent && ts.isVariableDeclaration(fn.parent) ? fn.parent : undefined;
    if (statement && ts.isFunctionDeclaration(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) router.exported = statement.modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ? 'default' : 'named';
    if (statement && ts.isVariableDeclaration(statement) && isExported(statement)) router.exported = 'named';
    if (source.statements.some((s) => ts.isExportAssignment(s) && ts.isIdentifier(s.expression) && s.expression.text === base)) router.exported = 'default';
    if (source.statements.some((s) => ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && /^module\.exports$/.test(expressionText(s.expression.left)) && ts.isIdentifier(s.expression.right) && s.expression.right.text === base)) router.exported = 'default';
  }
  const readCall = (node: ts.Node) => {
    // userRoutes(app), registerRoutes(app, router): a route-registering function called with a router.
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && (result.functions.has(node.expression.text) || result.imports.has(node.expression.text))) {
      node.arguments.forEach((arg, index) => {
        const router = routerOf(unwrap(arg));
        if (router) router.mounts.push({ prefix: '', target: (node.expression as ts.Identifier).text, order: node.getStart(), param: index });
      });
      return undefined;
    }
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const method = node.expression.name.text;
    const target = node.expression.expression;
    // Source position orders calls, so that `Router().use(a).use(b)` keeps a before b.
    const order = node.expression.name.getStart();
    // router.route('/x').get(h).post(h)
    const routeChain = routeChainBase(target);
    if (routeChain && ROUTE_METHODS.has(method as HttpMethod)) {
      const router = routerOf(routeChain.router);
      if (router) router.routes.push(makeRoute(file, method as HttpMethod, routeChain.path, routeChain.pathNode, node, node.arguments, result, order, handlers));
      return undefined;
    }
    const router = routerOf(unwrap(target));
    if (!router) return undefined;
    if (ROUTE_METHODS.has(method as HttpMethod) && node.arguments.length >= 2) {
      const path = stringValue(node.arguments[0]);
      if (path !== undefined) router.routes.push(makeRoute(file, method as HttpMethod, path, node.arguments[0], node, node.arguments.slice(1), result, order, handlers));
    } else if (method === 'use') {
      for (const args of loopExpansions(node, source)) readUse(file, router, args, result, facts, order);
    } else if (method === 'listen' && router.isApp) {
      facts.frameworks.add('express');
    }
    return undefined;
  };
  if (!statements) {
    forEachDescendantOfKind(source, [ts.SyntaxKind.CallExpression], readCall);
  } else {
    const environment = readingEnvironment(file, result, source);
    for (const statement of source.statements) {
      const recalled = statements.recallRoutes(statement, environment);
      if (recalled) {
        for (const { router, route } of recalled) result.routers.get(router)!.routes.push(route);
        continue;
      }
      const before = effectCounts(result, facts);
      forEachDescendantOfKind(statement, [ts.SyntaxKind.CallExpression], readCall);
      const after = effectCounts(result, facts);
      // Only a statement that declared routes and nothing else is kept (see ExpressStatementMemory).
      if (after.others !== before.others || after.routes === before.routes) continue;
      const routes: StatementRoutes = [];
      for (const [name, router] of result.routers) {
        for (const route of router.routes.slice(before.routesOf.get(name) ?? 0)) routes.push({ router: name, route: route as ExpressRoute });
      }
      statements.rememberRoutes(statement, environment, routes);
    }
  }
  for (const router of result.routers.values()) if (router.routes.length || router.isApp) facts.frameworks.add('express');
  return result;
}

/** The routers (`const api = Router()`) and functions a statement declares, in the order written. */
function readDeclarations(statement: ts.Node): StatementDeclarations {
  const declared: StatementDeclarations = { routers: [], functions: [] };
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = unwrap(node.initializer);
      if (createsRouter(init)) declared.routers.push({ name: node.name.text, init, exported: isExported(node) ? 'named' : false });
      if (isFunctionLike(init)) declared.functions.push({ name: node.name.text, node: init });
    }
    if (ts.isFunctionDeclaration(node) && node.name) declared.functions.push({ name: node.name.text, node });
  };
  visit(statement);
  forEachDescendantOfKind(statement, [ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.FunctionDeclaration], visit);
  return declared;
}

/** `express()`, `Router()`, `express.Router().use(a)`: an expression that creates an app or router. */
function createsRouter(init: ts.Expression): boolean {
  const base = chainBase(init);
  if (!ts.isCallExpression(base) && !ts.isNewExpression(base)) return false;
  return /^express$|(^|\.)Router$/.test(calleeName(base.expression));
}

/**
 * What the routes a statement declares may depend on outside it: the file's routers, functions,
 * imports and top-level middleware arrays, by name (a function's or array's own content is read
 * only through offsets outside the statement, which are never kept).
 */
function readingEnvironment(file: string, result: ExpressFile, source: ts.SourceFile): string {
  return JSON.stringify([
    file,
    [...result.routers.values()].map((router) => [router.name, router.isApp, router.param]),
    [...result.functions.keys()],
    [...result.imports],
    [...topLevelArrays(source).keys()],
  ]);
}

/** How many routes each router has, and how many other effects the file's reading has had so far. */
function effectCounts(result: ExpressFile, facts: AppFacts) {
  let routes = 0;
  let others = result.pendingErrorHandlers.length + facts.errorMiddleware.length + facts.bodyParsers.length + facts.frameworks.size;
  const routesOf = new Map<string, number>();
  for (const [name, router] of result.routers) {
    routesOf.set(name, router.routes.length);
    routes += router.routes.length;
    others += router.mounts.length + router.uses.length;
  }
  return { routes, others, routesOf };
}

function readUse(file: string, router: RouterDecl, useArgs: readonly ts.Expression[], result: ExpressFile, facts: AppFacts, order: number) {
  const args = [...useArgs];
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
  if (middleware.length) router.uses.push({ middleware, order, prefix });
}

function makeRoute(file: string, method: HttpMethod, path: string, pathNode: ts.Node, declaration: ts.CallExpression, handlerArgs: readonly ts.Expression[], result: ExpressFile, order: number, handlers?: HandlerFactsMemory): ExpressRoute {
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
  const handlerFacts = !handlerNode ? undefined : handlers ? handlers.analyze(handlerNode, file, 'express') : analyzeHandler(handlerNode, file, 'express');
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
  return topLevelArrays(source).get(name);
}

const topLevelArraysOf = new WeakMap<ts.SourceFile, Map<string, ts.ArrayLiteralExpression>>();

/** A file's top-level array constants by name, read once per tree (every route's middleware asks). */
function topLevelArrays(source: ts.SourceFile): Map<string, ts.ArrayLiteralExpression> {
  let arrays = topLevelArraysOf.get(source);
  if (arrays) return arrays;
  arrays = new Map();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer && ts.isArrayLiteralExpression(declaration.initializer) && !arrays.has(declaration.name.text)) arrays.set(declaration.name.text, declaration.initializer);
    }
  }
  topLevelArraysOf.set(source, arrays);
  return arrays;
}

function pathParams(path: string, node: ts.Node, file: string) {
  return [...path.matchAll(/:([A-Za-z0-9_$]+)|\*([A-Za-z0-9_$]+)/g)].map((match) => ({ name: match[1] ?? match[2], in: 'path' as const, span: spanOf(node, file) }));
}

/** The call a method chain starts from: `Router().use(a).get('/x', h)` -> `Router()`. */
function chainBase(node: ts.Expression): ts.Expression {
  let current = node;
  for (let depth = 0; depth < 50; depth++) {
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) return current;
    const name = current.expression.name.text;
    if (name !== 'use' && !ROUTE_METHODS.has(name as HttpMethod)) return current;
    current = unwrap(current.expression.expression);
  }
  return current;
}

/** Whether a function registers routes on (or passes on) its parameter: `app.get('/x', h)`, `app.use(...)`, `other(app)`. */
function registersRoutes(fn: ts.Node, param: string): boolean {
  let found = false;
  forEachDescendant(fn, (node) => {
    if (found) return 'skip';
    if (!ts.isCallExpression(node)) return undefined;
    const callee = node.expression;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === param) {
      const method = callee.name.text;
      const path = stringValue(node.arguments[0]);
      if ((ROUTE_METHODS.has(method as HttpMethod) || method === 'route') && path?.startsWith('/') && (method === 'route' || node.arguments.length >= 2)) found = true;
      if (method === 'use' && (path?.startsWith('/') || node.arguments.length >= 1)) found = true;
    }
    // Passed on (`userRoutes(app)`): only for names that say router/app, never a middleware's `req`.
    if (ts.isIdentifier(callee) && /app|router|api|server/i.test(param) && node.arguments.some((arg) => ts.isIdentifier(arg) && arg.text === param)) found = true;
    return undefined;
  });
  return found;
}

/**
 * The argument lists of a `use` call, with a loop over a literal table unrolled:
 * `[{ path: '/auth', route: authRoute }].forEach((r) => router.use(r.path, r.route))`.
 */
function loopExpansions(node: ts.CallExpression, source: ts.SourceFile): (readonly ts.Expression[])[] {
  const plain = [node.arguments];
  let binding: ts.BindingName | undefined;
  let list: ts.Expression | undefined;
  for (let scope: ts.Node | undefined = node.parent; scope && !binding; scope = scope.parent) {
    if ((ts.isArrowFunction(scope) || ts.isFunctionExpression(scope)) && ts.isCallExpression(scope.parent) && ts.isPropertyAccessExpression(scope.parent.expression) && scope.parent.expression.name.text === 'forEach' && scope.parent.arguments[0] === scope) {
      binding = scope.parameters[0]?.name;
      list = scope.parent.expression.expression;
    } else if (ts.isForOfStatement(scope) && ts.isVariableDeclarationList(scope.initializer)) {
      binding = scope.initializer.declarations[0]?.name;
      list = scope.expression;
    } else if (isFunctionLike(scope)) break;
  }
  if (!binding || !list) return plain;
  let array: ts.Expression | undefined = unwrap(list);
  if (ts.isIdentifier(array)) {
    const name = array.text;
    array = undefined;
    forEachDescendantOfKind(source, [ts.SyntaxKind.VariableDeclaration], (n) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) array = unwrap(n.initializer);
    });
  }
  if (!array || !ts.isArrayLiteralExpression(array)) return plain;
  const bound = binding;
  const substitute = (arg: ts.Expression, row: ts.ObjectLiteralExpression): ts.Expression | undefined => {
    const inner = unwrap(arg);
    if (ts.isIdentifier(bound) && ts.isPropertyAccessExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === bound.text) return objectProperty(row, inner.name.text) ?? undefined;
    if (ts.isObjectBindingPattern(bound) && ts.isIdentifier(inner)) {
      const element = bound.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === inner.text);
      if (element) return objectProperty(row, element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : inner.text);
    }
    return arg;
  };
  const expanded: (readonly ts.Expression[])[] = [];
  for (const row of array.elements) {
    if (!ts.isObjectLiteralExpression(row)) return plain;
    const args = node.arguments.map((arg) => substitute(arg, row));
    if (args.some((a) => !a)) return plain;
    expanded.push(args as ts.Expression[]);
  }
  return expanded.length ? expanded : plain;
}

function routeChainBase(node: ts.Expression): { router: ts.Expression; path: string; pathNode: ts.Node } | undefined {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 20; depth++) {
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) return undefined;
    if (current.expression.name.text === 'route') {
      const path = stringValue(current.arguments[0]);
      return path === undefined ? undefined : { router: unwrap(current.expression.expression), path, pathNode: current.arguments[0] };
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
