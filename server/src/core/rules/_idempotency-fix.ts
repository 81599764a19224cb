import ts from 'typescript';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import type { Fix, TextEdit } from '../types';
import { decoratorsOf } from '../code/ast';
import { nodeAt } from './_idempotency';
import { addImports, appendParameter, codeStyle, declaresTopLevel, importedFrom, inStyle, insertAfterImports, joinEdits, lineIndent, quoted } from './_code-edits';

/**
 * The code fix of idempotency-key: one small idempotency middleware (Express) or interceptor
 * (NestJS) added to the route file once, and the route wired to it. A helper that is already
 * declared in or imported into the file is reused.
 */

const DOC = `/**
 * Idempotency-Key handling: the first response to a key is stored and replayed when the same
 * request is repeated with that key; the same key with a different body is answered 422, and a
 * repeat that arrives while the first request still runs is answered 409. Keys expire after a day.
 * The store lives in memory: move it to a shared store (Redis, the database) when the service
 * runs on more than one instance.
 */`;

function expressHelper(typed: false | { request: string; response: string; next: string }): string {
  const map = typed ? '<string, { body: string; expires: number; status?: number; type?: string; payload?: unknown }>' : '';
  const params = typed ? `req: ${typed.request}, res: ${typed.response}, next: ${typed.next}` : 'req, res, next';
  const payloadParam = typed ? 'payload?: unknown' : 'payload';
  return `${DOC}
function idempotency() {
  const responses = new Map${map}();
  return (${params}) => {
    const key = req.get('Idempotency-Key');
    if (!key) return next();
    const id = \`\${req.method} \${req.originalUrl} \${key}\`;
    const body = JSON.stringify(req.body ?? null);
    const stored = responses.get(id);
    if (stored && stored.expires > Date.now()) {
      if (stored.body !== body) {
        return res.status(422).type('application/problem+json').json({ type: 'about:blank', title: 'Unprocessable Content', status: 422, detail: 'This Idempotency-Key was already used with a different request body.' });
      }
      if (stored.status === undefined) {
        return res.status(409).type('application/problem+json').json({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'A request with this Idempotency-Key is still being processed.' });
      }
      if (stored.type) res.type(stored.type);
      return res.status(stored.status).send(stored.payload);
    }
    const expires = Date.now() + 24 * 60 * 60 * 1000;
    responses.set(id, { body, expires });
    // Store the response before it is sent (res.json and res.sendStatus end in res.send); 5xx answers are not kept.
    const send = res.send.bind(res);
    res.send = (${payloadParam}) => {
      if (res.statusCode >= 500) responses.delete(id);
      else responses.set(id, { body, expires, status: res.statusCode, type: res.get('Content-Type'), payload });
      return send(payload);
    };
    next();
  };
}`;
}

const NEST_INTERCEPTOR = `${DOC}
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly responses = new Map<string, { body: string; expires: number; status?: number; payload?: unknown }>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest();
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return next.handle();
    const id = \`\${request.method} \${request.originalUrl ?? request.url} \${key}\`;
    const body = JSON.stringify(request.body ?? null);
    const stored = this.responses.get(id);
    if (stored && stored.expires > Date.now()) {
      if (stored.body !== body) throw new UnprocessableEntityException('This Idempotency-Key was already used with a different request body.');
      if (stored.status === undefined) throw new ConflictException('A request with this Idempotency-Key is still being processed.');
      http.getResponse().status(stored.status);
      return of(stored.payload);
    }
    const expires = Date.now() + 24 * 60 * 60 * 1000;
    this.responses.set(id, { body, expires });
    return next.handle().pipe(tap({
      next: (payload) => {
        this.responses.set(id, { body, expires, status: http.getResponse().statusCode, payload });
      },
      error: () => {
        this.responses.delete(id);
      },
    }));
  }
}`;

const NEST_INTERCEPTOR_IMPORTS = ['CallHandler', 'ConflictException', 'ExecutionContext', 'Injectable', 'NestInterceptor', 'UnprocessableEntityException'];
const RXJS_IMPORTS = ['Observable', 'of', 'tap'];

// ---------------------------------------------------------------- Express

/**
 * An idempotency middleware the file already has: a top-level function/const or an import, and how
 * a route uses it: the way the file already calls it (`idempotency({ ttlSeconds: 86400 })`), or
 * `idempotency()` for a factory, or the bare name for a middleware.
 */
function existingMiddleware(source: ts.SourceFile): { name: string; use: string } | undefined {
  if (middlewareOf.has(source)) return middlewareOf.get(source);
  const found = existingMiddlewareName(source);
  const result = found ? { name: found.name, use: firstCallText(source, found.name) ?? (found.factory ? `${found.name}()` : found.name) } : undefined;
  middlewareOf.set(source, result);
  return result;
}

/** Read once per parsed file: every finding of the file asks the same question. */
const middlewareOf = new WeakMap<ts.SourceFile, { name: string; use: string } | undefined>();

function firstCallText(source: ts.SourceFile, name: string): string | undefined {
  let text: string | undefined;
  const visit = (node: ts.Node): void => {
    if (text) return;
    if (ts.isCallExpression(node) && node.arguments.some((argument) => ts.isCallExpression(argument) && ts.isIdentifier(argument.expression) && argument.expression.text === name)) {
      text = node.arguments.find((argument) => ts.isCallExpression(argument) && ts.isIdentifier(argument.expression) && argument.expression.text === name)!.getText(source);
    } else ts.forEachChild(node, visit);
  };
  visit(source);
  return text && !text.includes('\n') ? text : undefined;
}

function existingMiddlewareName(source: ts.SourceFile): { name: string; factory: boolean } | undefined {
  const looksLike = (name: string) => /^idempot/i.test(name) && /^[a-z]/.test(name);
  // A local function counts when it is middleware (`(req, res, next)`) or returns one; `idempotencyKeyOf(req)` does not.
  const kind = (fn: ts.SignatureDeclarationBase & { body?: ts.Node }) => fn.parameters.length === 3 ? 'middleware' : returnsFunction(fn.body) ? 'factory' : undefined;
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && looksLike(statement.name.text) && statement.body) {
      const found = kind(statement);
      if (found) return { name: statement.name.text, factory: found === 'factory' };
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !looksLike(declaration.name.text) || !declaration.initializer) continue;
        const init = declaration.initializer;
        const found = ts.isArrowFunction(init) || ts.isFunctionExpression(init) ? kind(init) : undefined;
        if (found) return { name: declaration.name.text, factory: found === 'factory' };
        if (ts.isCallExpression(init)) return { name: declaration.name.text, factory: false };
      }
    }
  }
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
    const clause = statement.importClause;
    const names = [clause?.name?.text, ...(clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text) : [])];
    const name = names.find((candidate): candidate is string => !!candidate && looksLike(candidate));
    if (name) return { name, factory: !usedBare(source, name) };
  }
  return undefined;
}

/** The function body returns a function (`return (req, res, next) => {...}`), or is one (`() => (req, res, next) => ...`). */
function returnsFunction(body: ts.Node | undefined): boolean {
  if (!body) return false;
  if (ts.isArrowFunction(body) || ts.isFunctionExpression(body)) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) return;
    if (ts.isReturnStatement(node) && node.expression && (ts.isArrowFunction(node.expression) || ts.isFunctionExpression(node.expression))) found = true;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** The file passes `name` itself as an argument somewhere (`router.use(idempotent)`), not `name(...)`. */
function usedBare(source: ts.SourceFile, name: string): boolean {
  let bare = false;
  const visit = (node: ts.Node): void => {
    if (bare) return;
    if (ts.isCallExpression(node) && node.arguments.some((argument) => ts.isIdentifier(argument) && argument.text === name)) bare = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return bare;
}

/** Parameter types for the added middleware: named `express` type imports, `express.X` through a default import, or none (JavaScript). */
function expressTypes(context: CodeContext): { typed: false | { request: string; response: string; next: string }; importNames?: string[] } | undefined {
  if (!/\.(ts|tsx|mts|cts)$/i.test(context.uri)) return { typed: false };
  const names = ['NextFunction', 'Request', 'Response'];
  const free = names.every((name) => importedFrom(context.source, name) === 'express' || !declaresTopLevel(context.source, name));
  if (free) return { typed: { request: 'Request', response: 'Response', next: 'NextFunction' }, importNames: names };
  const namespace = context.source.statements.find((statement): statement is ts.ImportDeclaration =>
    ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === 'express' && !!statement.importClause?.name);
  const alias = namespace?.importClause?.name?.text;
  if (alias) return { typed: { request: `${alias}.Request`, response: `${alias}.Response`, next: `${alias}.NextFunction` } };
  return undefined;
}

/** The `router.post(...)` call of an Express route, in this file's tree. */
function routeCall(context: CodeContext, route: ExtractedRoute): ts.CallExpression | undefined {
  let node = nodeAt(context.source, route.declaration.start, route.declaration.end);
  while (node && !ts.isCallExpression(node)) node = node.parent;
  return node && ts.isCallExpression(node) ? node : undefined;
}

export function expressIdempotencyFix(context: CodeContext, route: ExtractedRoute): Fix | undefined {
  const call = routeCall(context, route);
  if (!call || call.arguments.length === 0 || !context.isInFile(route.declaration)) return undefined;
  const source = context.source;
  const handler = call.arguments[call.arguments.length - 1];
  const existing = existingMiddleware(source);
  if (!existing && declaresTopLevel(source, 'idempotency')) return undefined;
  const types = existing ? { typed: false as const } : expressTypes(context);
  if (!types) return undefined;
  const name = existing?.name ?? 'idempotency';
  const use = existing?.use ?? `${name}()`;
  return {
    title: existing ? `Run the ${name} middleware on this route` : 'Add an idempotency middleware (replays a repeated Idempotency-Key, 422 on a different body) and run it on this route',
    isPreferred: true,
    edits: (): TextEdit[] => {
      const style = codeStyle(source);
      const text = source.text;
      const at = handler.getStart(source);
      const previous = call.arguments.length > 1 ? call.arguments[call.arguments.length - 2] : undefined;
      const ownLine = previous ? text.slice(previous.getEnd(), at).includes('\n') : false;
      const wire: TextEdit = { uri: context.uri, start: at, end: at, newText: ownLine ? `${use},${style.eol}${lineIndent(text, at)}` : `${use}, ` };
      if (existing) return [wire];
      const typeImports = types.importNames ? addImports(context, style, 'express', types.importNames, { typeOnly: true }) : undefined;
      return joinEdits([typeImports, insertAfterImports(context, style, inStyle(expressHelper(types.typed), style)), wire]);
    },
  };
}

// ---------------------------------------------------------------- NestJS

/** An idempotency interceptor class the file declares or imports. */
function existingInterceptor(source: ts.SourceFile): string | undefined {
  const looksLike = (name: string) => /idempot/i.test(name) && /Interceptor$/.test(name);
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement) && statement.name && looksLike(statement.name.text)) return statement.name.text;
    if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings && ts.isNamedImports(statement.importClause.namedBindings)) {
      const element = statement.importClause.namedBindings.elements.find((e) => looksLike(e.name.text));
      if (element) return element.name.text;
    }
    if (ts.isImportDeclaration(statement) && statement.importClause?.name && looksLike(statement.importClause.name.text)) return statement.importClause.name.text;
  }
  return undefined;
}

export function nestIdempotencyFix(context: CodeContext, route: ExtractedRoute): Fix | undefined {
  const source = context.source;
  const method = route.handlerNode && nodeAt(source, route.handler!.span.start, route.handler!.span.end);
  if (!method || !ts.isMethodDeclaration(method) || !context.isInFile(route.handler!.span)) return undefined;
  const decorators = decoratorsOf(method);
  const routeDecorator = decorators.find((d) => d.node.getStart(source) === route.declaration.start);
  if (!routeDecorator) return undefined;
  const existing = existingInterceptor(source);
  const name = existing ?? 'IdempotencyInterceptor';
  if (!existing && declaresTopLevel(source, name)) return undefined;
  const useInterceptors = decorators.find((d) => d.name === 'UseInterceptors' && ts.isCallExpression(d.node.expression));
  const common = [...(useInterceptors ? [] : ['UseInterceptors']), ...(existing ? [] : NEST_INTERCEPTOR_IMPORTS)];
  // Names the fix imports must be free or already come from the same module.
  const taken = (names: string[], module: string) => names.some((n) => declaresTopLevel(source, n) && importedFrom(source, n) !== module);
  if (taken(common, '@nestjs/common') || (!existing && taken(RXJS_IMPORTS, 'rxjs'))) return undefined;
  const last = method.parameters[method.parameters.length - 1];
  const addHeaderParam = !last?.dotDotDotToken && !taken(['Headers'], '@nestjs/common') && !method.parameters.some((p) => p.name.getText(source) === 'idempotencyKey');
  if (addHeaderParam) common.push('Headers');
  return {
    title: existing
      ? `Run ${name} on this handler${addHeaderParam ? " and read @Headers('idempotency-key')" : ''}`
      : `Add an IdempotencyInterceptor (replays a repeated Idempotency-Key, 422 on a different body) and use it on this handler${addHeaderParam ? " with @Headers('idempotency-key')" : ''}`,
    isPreferred: true,
    edits: (): TextEdit[] => {
      const style = codeStyle(source);
      const text = source.text;
      const edits: (TextEdit | undefined)[] = [addImports(context, style, '@nestjs/common', common)];
      if (!existing) {
        edits.push(addImports(context, style, 'rxjs', RXJS_IMPORTS));
        edits.push(insertAfterImports(context, style, inStyle(NEST_INTERCEPTOR, style)));
      }
      // @UseInterceptors(IdempotencyInterceptor) under the route decorator, or the name added to an existing one.
      if (useInterceptors) {
        const callNode = useInterceptors.node.expression as ts.CallExpression;
        const at = callNode.arguments.length ? callNode.arguments[callNode.arguments.length - 1].getEnd() : callNode.arguments.pos;
        edits.push({ uri: context.uri, start: at, end: at, newText: callNode.arguments.length ? `, ${name}` : name });
      } else {
        const end = routeDecorator.node.getEnd();
        const ownLine = /^[ \t]*(\r?\n)/.test(text.slice(end));
        edits.push({ uri: context.uri, start: end, end, newText: ownLine ? `${style.eol}${lineIndent(text, routeDecorator.node.getStart(source))}@UseInterceptors(${name})` : ` @UseInterceptors(${name})` });
      }
      if (addHeaderParam) edits.push(appendParameter(context, style, method, `@Headers(${quoted(style, 'idempotency-key')}) idempotencyKey?: string`));
      return joinEdits(edits);
    },
  };
}
