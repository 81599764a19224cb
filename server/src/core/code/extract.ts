import ts from 'typescript';
import { URI, Utils } from 'vscode-uri';
import { expressionText, forEachDescendant, forEachDescendantOfKind, isFunctionLike, numberValue, parseSource, reparseSource, spanOf } from './ast';
import { answersProblemDetails, AUTH_NAME, readExpressFile, ExpressStatementMemory, type ExpressFile, type RouterDecl } from './express';
import { joinPaths, readNestBootstrap, readNestFile } from './nest';
import { HandlerFactsMemory } from './handler';
import { emptyFacts, type AppFacts, type CodeFile, type Middleware, type Route } from './model';

export type ExtractedRoute = Route & { handlerNode?: ts.Node };

export interface RouteExtraction {
  routes: ExtractedRoute[];
  facts: AppFacts;
  sources: Map<string, ts.SourceFile>;
}

const ROUTE_CODE_HINT = /from\s+['"](express|@nestjs\/(common|core))['"]|require\(\s*['"]express['"]\s*\)|\bRouter\s*\(|NestFactory|@Controller\(|\.listen\s*\(|process\.on\(\s*['"]SIGTERM|\b(app|router)\.(get|post|put|patch|delete|use)\(\s*['"`]\/|\w\(\s*(app|router)\s*[,)]/;

/** A cheap text test so that files which cannot declare routes cost nothing. */
export function looksLikeRouteCode(text: string): boolean {
  return ROUTE_CODE_HINT.test(text);
}

const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/**
 * One extraction over a workspace's code files: Express apps and routers with their mounts across
 * files, NestJS controllers with the global prefix and versioning of main.ts, and the app-level
 * facts (error middleware, body parsers, entry points). Never throws: what it does not understand
 * yields no routes.
 */
/**
 * `incremental`: trees of earlier texts of a file may be updated in place (see reparseSource); the
 * editor's workspace index asks for it, since it never reads a superseded tree again.
 */
export function extractRoutes(files: CodeFile[], options: { incremental?: boolean } = {}): RouteExtraction {
  const facts = emptyFacts();
  const sources = new Map<string, ts.SourceFile>();
  const express = new Map<string, ExpressFile>();
  const nestRoutes: (ExtractedRoute & { controllerVersion?: string; methodVersion?: string })[] = [];
  for (const file of files) {
    if (!looksLikeRouteCode(file.text)) continue;
    try {
      const source = parseCached(file.path, file.text, options.incremental === true);
      sources.set(file.path, source);
      const handlers = options.incremental ? handlerMemory : undefined;
      express.set(file.path, readExpressFile(file.path, source, facts, handlers, options.incremental ? routeStatements : undefined));
      nestRoutes.push(...readNestFile(file.path, source, facts, handlers));
      const bootstrap = readNestBootstrap(file.path, source, facts);
      readEntryPoint(file.path, source, facts, bootstrap);
    } catch {
      // A file the extractor cannot read contributes nothing rather than breaking the others.
    }
  }
  const routes: ExtractedRoute[] = [...resolveExpress(express, new Set(files.map((f) => f.path)), facts)];
  for (const route of nestRoutes) {
    const version = route.methodVersion ?? route.controllerVersion ?? facts.versioning?.defaultVersion;
    const versionSegment = facts.versioning?.type === 'URI' && version ? `v${version}` : '';
    const { controllerVersion: _c, methodVersion: _m, ...plain } = route;
    routes.push({ ...plain, path: joinPaths(facts.globalPrefix ?? '', versionSegment, route.path) });
  }
  // Global guards make every Nest route authenticated unless it is marked public.
  if (facts.globalGuards.some((g) => AUTH_NAME.test(g.name) || /Guard$/.test(g.name))) {
    for (const route of routes) if (route.framework === 'nest' && route.auth === 'unknown') route.auth = true;
  }
  if (facts.globalPipes.some((p) => /Validation|Zod/i.test(p.name))) {
    for (const route of routes) if (route.framework === 'nest' && route.validated === 'unknown') route.validated = true;
  }
  return { routes, facts, sources };
}

/**
 * Syntax trees by file, reused while the file's text is unchanged: a keystroke in one route file
 * re-parses that file, not every route file of the workspace. Trees are never modified after
 * parsing, so sharing them between extractions is safe.
 */
const parsedSources = new Map<string, { text: string; source: ts.SourceFile }>();
/** The editor's handler facts by handler text (see HandlerFactsMemory). */
const handlerMemory = new HandlerFactsMemory();
/** The editor's routes by top-level statement (see ExpressStatementMemory). */
const routeStatements = new ExpressStatementMemory();
const MAX_PARSED_SOURCES = 4096;

function parseCached(path: string, text: string, incremental: boolean): ts.SourceFile {
  const cached = parsedSources.get(path);
  if (cached && cached.text === text) return cached.source;
  const source = cached && incremental ? reparseSource(cached.source, text) : parseSource(path, text);
  if (parsedSources.size >= MAX_PARSED_SOURCES) parsedSources.clear();
  parsedSources.set(path, { text, source });
  return source;
}

interface Reach { prefix: string; middleware: Middleware[]; app: string }

function resolveExpress(files: Map<string, ExpressFile>, known: Set<string>, facts: AppFacts): ExtractedRoute[] {
  const routers = new Map<string, RouterDecl>();
  for (const file of files.values()) for (const router of file.routers.values()) routers.set(`${router.file}#${router.name}`, router);
  // `param`: the mount passes the router as that argument of a route-registering function.
  const targetOf = (router: RouterDecl, local: string, param?: number): RouterDecl | undefined => {
    const file = files.get(router.file)!;
    const suffix = param ? `#${param}` : '';
    const sameFile = file.routers.get(local + suffix);
    if (sameFile) return param === undefined || sameFile.param === param ? sameFile : undefined;
    const imported = file.imports.get(local);
    if (!imported) return undefined;
    const targetFile = resolveModule(files, known, router.file, imported.from);
    if (!targetFile) return undefined;
    const target = [...files.get(targetFile)!.routers.values()].filter((r) => param === undefined ? r.param === undefined || r.param === 0 : r.param === param);
    return imported.name === 'default' ? target.find((r) => r.exported === 'default') ?? (target.length === 1 && param === undefined ? target[0] : undefined) : target.find((r) => r.name === imported.name + suffix);
  };
  // Imported names used with `use` that are not routers are middleware.
  const isRouterName = (router: RouterDecl, name: string) => !!targetOf(router, name);
  for (const router of routers.values()) {
    for (const use of router.uses) use.middleware = use.middleware.filter((m) => !isRouterName(router, m.name));
    router.mounts = router.mounts.filter((mount) => !!targetOf(router, mount.target, mount.param));
  }
  for (const [path, file] of files) {
    for (const pending of file.pendingErrorHandlers) {
      const imported = file.imports.get(pending.local)!;
      const fn = findImportedFunction(files, known, path, imported);
      if (fn && (!isFunctionLike(fn) || fn.parameters.length !== 4)) continue;
      facts.errorMiddleware.push({ span: pending.span, problemDetails: fn ? answersProblemDetails(fn) : /problem/i.test(pending.local) });
    }
  }
  const reaches = new Map<RouterDecl, Reach[]>();
  const visit = (router: RouterDecl, reach: Reach, depth: number) => {
    if (depth > 20) return;
    reaches.set(router, [...(reaches.get(router) ?? []), reach]);
    for (const mount of router.mounts) {
      const child = targetOf(router, mount.target, mount.param);
      if (!child || child === router) continue;
      const inherited = router.uses.filter((use) => use.order < mount.order && underPrefix(mount.prefix, use.prefix)).flatMap((use) => use.middleware);
      visit(child, { prefix: joinPaths(reach.prefix, mount.prefix), middleware: [...reach.middleware, ...inherited], app: reach.app }, depth + 1);
    }
  };
  const mounted = new Set<RouterDecl>();
  for (const router of routers.values()) for (const mount of router.mounts) { const child = targetOf(router, mount.target, mount.param); if (child) mounted.add(child); }
  // A router received as a parameter counts only when a real router reaches it (never an axios `api`).
  for (const router of routers.values()) if (router.isApp || (!mounted.has(router) && router.param === undefined)) visit(router, { prefix: '', middleware: [], app: `${router.file}#${router.name}` }, 0);
  const routes: ExtractedRoute[] = [];
  for (const [router, reachList] of reaches) {
    for (const reach of reachList) {
      for (const route of router.routes as (ExtractedRoute & { order: number })[]) {
        const uses = router.uses.filter((use) => use.order < route.order && underPrefix(route.path, use.prefix)).flatMap((use) => use.middleware);
        const middleware = [...reach.middleware, ...uses, ...route.middleware];
        const { order: _order, ...plain } = route;
        routes.push({
          ...plain,
          path: joinPaths(reach.prefix, route.path) + (route.path.endsWith('/') && route.path !== '/' ? '/' : ''),
          middleware,
          app: reach.app,
          auth: middleware.some((m) => AUTH_NAME.test(m.name)) ? true : route.auth,
        });
      }
    }
  }
  return routes;
}

/** Whether `app.use('/admin', mw)` reaches a path: `/admin/users` yes, `/administrators` no. */
function underPrefix(path: string, prefix: string | undefined): boolean {
  if (!prefix || prefix === '/' || /[*(:]/.test(prefix)) return true;
  const base = prefix.replace(/\/+$/, '');
  const full = path.startsWith('/') ? path : `/${path}`;
  return full === base || full.startsWith(`${base}/`);
}

function resolveModule(files: Map<string, unknown>, known: Set<string>, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const dir = Utils.dirname(URI.parse(from));
  const base = Utils.joinPath(dir, specifier.replace(/\.(js|mjs|cjs)$/, '')).toString();
  return [Utils.joinPath(dir, specifier).toString(), ...EXTENSIONS.map((ext) => base + ext)].find((candidate) => files.has(candidate) && known.has(candidate));
}

function findImportedFunction(files: Map<string, ExpressFile>, known: Set<string>, from: string, imported: { from: string; name: string }): ts.Node | undefined {
  const target = resolveModule(files, known, from, imported.from);
  if (!target) return undefined;
  const functions = files.get(target)!.functions;
  return imported.name === 'default' ? functions.get('default') ?? (functions.size === 1 ? [...functions.values()][0] : undefined) : functions.get(imported.name);
}

function readEntryPoint(file: string, source: ts.SourceFile, facts: AppFacts, nestBootstrap: boolean) {
  // Without a `.listen(` or a Nest bootstrap this file is no entry point: nothing to walk for.
  if (!nestBootstrap && !source.text.includes('listen')) return;
  let listen: ts.Node | undefined;
  let hasSigtermHandler = false;
  let hasServerClose = false;
  let hasCloseAllConnections = false;
  let enableShutdownHooks = false;
  let keepAliveTimeout: number | undefined;
  let keepAliveSpan;
  forEachDescendantOfKind(source, [ts.SyntaxKind.CallExpression, ts.SyntaxKind.BinaryExpression], (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = expressionText(node.expression.expression);
      if (method === 'listen' && !/^(process|emitter|io|socket)$/.test(receiver)) listen ??= node;
      if ((receiver === 'process' && /^(on|once|addListener)$/.test(method)) && /SIGTERM|SIGINT/.test(node.arguments[0]?.getText() ?? '')) hasSigtermHandler = true;
      if (method === 'close' && !/^(db|prisma|pool|redis|client|connection|mongoose)/.test(receiver)) hasServerClose = true;
      if (method === 'closeAllConnections' || method === 'closeIdleConnections') hasCloseAllConnections = true;
      if (method === 'enableShutdownHooks') enableShutdownHooks = true;
      if (method === 'createTerminus' || /^(stoppable|httpTerminator|createHttpTerminator|gracefulShutdown|lightship)/.test(method)) { hasSigtermHandler = hasServerClose = hasCloseAllConnections = true; }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^(createHttpTerminator|stoppable|createTerminus|gracefulShutdown)$/.test(node.expression.text)) { hasSigtermHandler = hasServerClose = hasCloseAllConnections = true; }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'keepAliveTimeout') {
      keepAliveTimeout = numberValue(node.right) ?? -1;
      keepAliveSpan = spanOf(node, file);
    }
    return undefined;
  });
  if (!listen && !nestBootstrap) return;
  const framework = nestBootstrap ? 'nest' : 'express';
  if (framework === 'express' && !facts.frameworks.has('express') && !/express/.test(source.text)) return;
  facts.entryPoints.push({ file, span: spanOf(listen ?? source.statements[0] ?? source, file), hasSigtermHandler, hasServerClose, hasCloseAllConnections, enableShutdownHooks, keepAliveTimeout, keepAliveSpan, framework });
}
