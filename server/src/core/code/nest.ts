import ts from 'typescript';
import { calleeName, decoratorsOf, expressionText, forEachDescendantOfKind, isFunctionLike, numberValue, objectProperty, spanOf, stringValue } from './ast';
import { analyzeHandler, type HandlerFactsMemory } from './handler';
import { AUTH_NAME } from './express';
import type { AppFacts, HttpMethod, Middleware, Route, RouteParam } from './model';
import { rememberedByText } from '../text';

const METHOD_DECORATORS: Record<string, HttpMethod> = { Get: 'get', Post: 'post', Put: 'put', Patch: 'patch', Delete: 'delete', Head: 'head', Options: 'options', All: 'all' };
const PUBLIC_DECORATOR = /^(Public|SkipAuth|AllowAnonymous|IsPublic|NoAuth|Unprotected)$/;

/** Reads NestJS controllers of one file; routes' paths are relative to the global prefix (applied later). */
export function readNestFile(file: string, source: ts.SourceFile, facts: AppFacts, handlers?: HandlerFactsMemory): (Route & { handlerNode?: ts.Node; controllerVersion?: string; methodVersion?: string })[] {
  const routes: (Route & { handlerNode?: ts.Node; controllerVersion?: string; methodVersion?: string })[] = [];
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    const classDecorators = decoratorsOf(statement);
    const controller = classDecorators.find((d) => d.name === 'Controller');
    if (isExceptionFilter(statement, classDecorators)) facts.problemFilters.push(statement.name.text);
    if (!controller) continue;
    facts.frameworks.add('nest');
    let prefix = '';
    let controllerVersion: string | undefined;
    const arg = controller.args[0];
    if (arg && ts.isObjectLiteralExpression(arg)) {
      prefix = stringValue(objectProperty(arg, 'path')) ?? '';
      controllerVersion = stringValue(objectProperty(arg, 'version'));
    } else prefix = stringValue(arg) ?? '';
    const classGuards = guardsOf(classDecorators, file);
    const classPipes = pipesOf(classDecorators, file);
    const classPublic = classDecorators.some((d) => PUBLIC_DECORATOR.test(d.name));
    const classVersion = stringValue(classDecorators.find((d) => d.name === 'Version')?.args[0]) ?? controllerVersion;
    for (const member of statement.members) {
      if (!ts.isMethodDeclaration(member) || !member.body) continue;
      const decorators = decoratorsOf(member);
      const routeDecorator = decorators.find((d) => METHOD_DECORATORS[d.name]);
      if (!routeDecorator) continue;
      const pathArg = routeDecorator.args[0];
      const paths = pathArg && ts.isArrayLiteralExpression(pathArg) ? pathArg.elements.map((e) => stringValue(e) ?? '') : [stringValue(pathArg) ?? ''];
      const guards = [...classGuards, ...guardsOf(decorators, file)];
      const pipes = [...classPipes, ...pipesOf(decorators, file)];
      const handlerFacts = handlers ? handlers.analyze(member.body, file, 'nest') : analyzeHandler(member.body, file, 'nest');
      const params = nestParams(member, file);
      const method = METHOD_DECORATORS[routeDecorator.name];
      const httpCode = decorators.find((d) => d.name === 'HttpCode');
      const statuses = [...handlerFacts.statuses];
      const explicitCode = numberValue(httpCode?.args[0]);
      if (explicitCode !== undefined && httpCode) statuses.push({ code: explicitCode, span: spanOf(httpCode.node, file), via: 'httpCode' });
      else statuses.push({ code: method === 'post' ? 201 : 200, span: spanOf(routeDecorator.node, file), via: 'default' });
      const headers = decorators.filter((d) => d.name === 'Header').map((d) => ({ name: (stringValue(d.args[0]) ?? '').toLowerCase(), span: spanOf(d.node, file) }));
      const bodyParam = member.parameters.find((p) => decoratorsOf(p).some((d) => d.name === 'Body'));
      for (const path of paths) {
        routes.push({
          framework: 'nest', method,
          path: joinPaths(prefix, path),
          declaration: spanOf(routeDecorator.node, file),
          pathSpan: pathArg ? spanOf(pathArg, file) : undefined,
          handler: { span: spanOf(member, file), name: `${statement.name.text}.${member.name.getText()}`, file },
          handlerNode: member,
          middleware: [...guards, ...pipes],
          auth: classPublic || decorators.some((d) => PUBLIC_DECORATOR.test(d.name)) ? false : guards.some((g) => AUTH_NAME.test(g.name) || /Guard$/.test(g.name)) ? true : 'unknown',
          markedPublic: classPublic || decorators.some((d) => PUBLIC_DECORATOR.test(d.name)),
          validated: pipes.some((p) => /Validation|Zod|Joi|Parse/i.test(p.name)) ? true : 'unknown',
          statuses,
          headersSet: [...headers, ...handlerFacts.headersSet],
          params: [...params, ...handlerFacts.params.filter((p) => !params.some((q) => q.name === p.name && q.in === p.in))],
          storeCalls: handlerFacts.storeCalls,
          bodyType: bodyParam?.type ? bodyParam.type.getText() : bodyParam ? 'any' : undefined,
          returnType: member.type ? unwrapPromise(member.type) : undefined,
          nestController: { className: statement.name.text, span: spanOf(statement.name, file) },
          controllerVersion: classVersion,
          methodVersion: stringValue(decorators.find((d) => d.name === 'Version')?.args[0]),
        });
      }
    }
  }
  return routes;
}

/**
 * `const configApp = await NestFactory.create(AppModule); ...; await configApp.close();`: an app
 * created only to read configuration, closed and never listening, serves no request bodies.
 */
function isThrowawayApp(call: ts.CallExpression): boolean {
  let holder: ts.Node = call.parent;
  while (holder && (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder))) holder = holder.parent;
  if (!holder || !ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name)) return false;
  const name = holder.name.text.replace(/\$/g, '\\$');
  let scope: ts.Node = holder;
  while (scope.parent && !isFunctionLike(scope)) scope = scope.parent;
  const text = scope.getText();
  return new RegExp(`(^|[^\\w$])${name}\\s*\\.\\s*close\\s*\\(`).test(text) && !new RegExp(`(^|[^\\w$])${name}\\s*\\.\\s*(listen|init|getHttpAdapter|getHttpServer)\\s*\\(`).test(text);
}

/** main.ts: global prefix, versioning, global pipes/filters/guards, body parser and shutdown hooks. */
export function readNestBootstrap(file: string, source: ts.SourceFile, facts: AppFacts): boolean {
  // No walk over a file that never names the factory (every route file of an Express app).
  if (!source.text.includes('NestFactory')) return false;
  let isBootstrap = false;
  forEachDescendantOfKind(source, [ts.SyntaxKind.CallExpression], (node) => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const method = node.expression.name.text;
    const receiver = expressionText(node.expression.expression);
    if (receiver === 'NestFactory' && method === 'create') {
      isBootstrap = true;
      facts.frameworks.add('nest');
      if (isThrowawayApp(node)) return undefined;
      const options = node.arguments[1];
      if (options && ts.isObjectLiteralExpression(options)) {
        const bodyParser = objectProperty(options, 'bodyParser');
        if (bodyParser?.kind !== ts.SyntaxKind.FalseKeyword) facts.bodyParsers.push({ name: 'NestFactory.create', hasLimit: false, span: spanOf(node, file) });
        if (bodyParser?.kind === ts.SyntaxKind.FalseKeyword) facts.bodyParsers.push({ name: 'NestFactory.create(bodyParser: false)', hasLimit: true, span: spanOf(node, file) });
      } else facts.bodyParsers.push({ name: 'NestFactory.create', hasLimit: false, span: spanOf(node, file) });
    }
    if (method === 'setGlobalPrefix') facts.globalPrefix = stringValue(node.arguments[0]);
    if (method === 'enableVersioning') {
      const options = node.arguments[0];
      const type = options && ts.isObjectLiteralExpression(options) ? expressionText(objectProperty(options, 'type') ?? options).split('.').pop() : 'URI';
      const defaultVersion = options && ts.isObjectLiteralExpression(options) ? stringValue(objectProperty(options, 'defaultVersion')) : undefined;
      facts.versioning = { type: (type ?? 'URI').toUpperCase(), defaultVersion, span: spanOf(node, file) };
    }
    const list = method === 'useGlobalPipes' ? facts.globalPipes : method === 'useGlobalFilters' ? facts.globalFilters : method === 'useGlobalGuards' ? facts.globalGuards : undefined;
    if (list) for (const arg of node.arguments) list.push({ name: calleeName(arg), span: spanOf(arg, file) });
    if (method === 'useBodyParser') {
      const options = node.arguments[1];
      facts.bodyParsers.push({ name: 'app.useBodyParser', hasLimit: !!options && ts.isObjectLiteralExpression(options) && !!objectProperty(options, 'limit'), span: spanOf(node, file) });
    }
    if (method === 'use' && source.text.includes('NestFactory') && ts.isCallExpression(node.arguments[0] ?? node) && /^(json|urlencoded|express\.json|express\.urlencoded|bodyParser\.json)$/.test(calleeName(node.arguments[0]))) {
      const inner = node.arguments[0] as ts.CallExpression;
      const options = inner.arguments[0];
      facts.bodyParsers.push({ name: calleeName(inner), hasLimit: !!options && ts.isObjectLiteralExpression(options) && !!objectProperty(options, 'limit'), span: spanOf(inner, file) });
    }
    return undefined;
  });
  // Global providers: { provide: APP_GUARD, useClass: JwtAuthGuard }
  forEachDescendantOfKind(source, [ts.SyntaxKind.ObjectLiteralExpression], (node) => {
    if (!ts.isObjectLiteralExpression(node)) return undefined;
    const provide = objectProperty(node, 'provide');
    const useClass = objectProperty(node, 'useClass') ?? objectProperty(node, 'useExisting');
    if (!provide || !useClass) return undefined;
    const token = expressionText(provide);
    const entry = { name: calleeName(useClass), span: spanOf(node, file) };
    if (token === 'APP_GUARD') facts.globalGuards.push(entry);
    if (token === 'APP_FILTER') facts.globalFilters.push(entry);
    if (token === 'APP_PIPE') facts.globalPipes.push(entry);
    return undefined;
  });
  return isBootstrap;
}

function guardsOf(decorators: ReturnType<typeof decoratorsOf>, file: string): Middleware[] {
  return decorators.filter((d) => d.name === 'UseGuards').flatMap((d) => d.args.map((arg) => ({ name: calleeName(arg), span: spanOf(arg, file) })));
}

function pipesOf(decorators: ReturnType<typeof decoratorsOf>, file: string): Middleware[] {
  return decorators.filter((d) => d.name === 'UsePipes').flatMap((d) => d.args.map((arg) => ({ name: calleeName(arg), span: spanOf(arg, file) })));
}

function nestParams(member: ts.MethodDeclaration, file: string): RouteParam[] {
  const params: RouteParam[] = [];
  for (const parameter of member.parameters) {
    for (const decorator of decoratorsOf(parameter)) {
      const where = decorator.name === 'Param' ? 'path' : decorator.name === 'Query' ? 'query' : decorator.name === 'Headers' ? 'header' : decorator.name === 'Body' ? 'body' : undefined;
      if (!where) continue;
      const name = stringValue(decorator.args[0]);
      params.push({ name: where === 'header' && name ? name.toLowerCase() : name ?? '*', in: where, span: spanOf(parameter, file), typeName: parameter.type?.getText() });
    }
  }
  return params;
}

function isExceptionFilter(node: ts.ClassDeclaration, decorators: ReturnType<typeof decoratorsOf>): boolean {
  if (!decorators.some((d) => d.name === 'Catch')) return false;
  const text = node.getText();
  return /problem\+json/.test(text) || (/\btitle\b/.test(text) && /\bstatus\b/.test(text) && /\btype\b/.test(text));
}

function unwrapPromise(type: ts.TypeNode): string {
  if (ts.isTypeReferenceNode(type) && /^(Promise|Observable)$/.test(type.typeName.getText()) && type.typeArguments?.[0]) return type.typeArguments[0].getText();
  return type.getText();
}

export function joinPaths(...parts: string[]): string {
  let joined = '';
  for (const part of parts) {
    const trimmed = withoutOuterSlashes(part);
    if (trimmed) joined += '/' + trimmed;
  }
  return joined || '/';
}
/** Remembered: every route's path is joined to its prefixes on each keystroke. */
const withoutOuterSlashes = rememberedByText((part: string) => part.replace(/^\/+|\/+$/g, ''));
