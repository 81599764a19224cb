import { defineRule } from './rule';
import { driftView, operationParameters } from '../drift/drift';
import { pathParameterNames } from '../drift/match';

export default defineRule({
  id: 'drift-params-mismatch',
  severity: 'warning',
  description: 'Path or query parameter names that differ between the OpenAPI operation and the route that serves it.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Be consistent with path parameter naming" and "design the contract before the code". When the handler reads \`req.query.pageSize\` and the contract documents \`limit\`, clients send a parameter the server ignores; when the route is \`/users/:id\` and the spec says \`{userId}\`, logs, traces and error messages disagree with the documentation, and the next rename breaks one side silently. Path parameters are compared by position; query parameters by name, on the code side when the handler reads a parameter the operation does not declare, on the spec side when a required parameter is never read by a handler whose query reading apilens can fully see.`,
    bad: `# openapi.yaml: GET /users/{userId} with query parameter 'limit'
router.get('/users/:id', (req, res) => {
  const size = Number(req.query.pageSize);
  // ...
});`,
    good: `router.get('/users/:userId', (req, res) => {
  const limit = Number(req.query.limit);
  // ...
});`,
    exampleLanguage: 'ts',
    references: ['OpenAPI 3.1 §4.8.12 Parameter Object'],
  },
  checkCode(context) {
    const drift = driftView(context.driftWorkspace ?? context.workspace);
    if (!drift?.comparable) return;
    for (const route of context.routes()) {
      const operations = drift.operationsFor(route);
      if (operations.length !== 1) continue;
      const operation = operations[0];
      const parameters = operationParameters(operation);
      if (!parameters) continue;
      // Path parameters by position.
      const codeNames = pathParameterNames(route.path);
      const specNames = pathParameterNames(operation.path);
      const renamed = codeNames.map((name, index) => ({ name, spec: specNames[index] })).filter((pair) => pair.spec && pair.spec !== pair.name);
      if (renamed.length > 0) {
        context.report({
          span: route.pathSpan ?? route.declaration,
          message: `Path parameter${renamed.length > 1 ? 's' : ''} ${renamed.map((pair) => `'${pair.name}' is '${pair.spec}'`).join(', ')} in the spec (${operation.method.toUpperCase()} ${operation.path}); use the same name on both sides.`,
          related: [{ uri: operation.doc.uri, span: operation.doc.locate(['paths', operation.path], 'key'), message: 'The path in the spec' }],
        });
      }
      // Query parameters the handler reads that the operation does not declare.
      const declaredQuery = new Set(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name));
      const hasQueryObjectParameter = parameters.some((parameter) => parameter.in === 'query' && /deepObject/.test(JSON.stringify(parameter)));
      for (const parameter of route.params) {
        if (parameter.in !== 'query' || parameter.name === '*' || declaredQuery.has(parameter.name) || hasQueryObjectParameter || !parameter.span) continue;
        context.report({
          span: parameter.span,
          message: `${route.method.toUpperCase()} ${route.path} reads query parameter '${parameter.name}', which ${operation.method.toUpperCase()} ${operation.path} does not declare${declaredQuery.size > 0 ? ` (it declares ${[...declaredQuery].map((name) => `'${name}'`).join(', ')})` : ''}; document it or read the documented name.`,
          related: [{ uri: operation.doc.uri, span: operation.doc.locate(operation.at, 'key'), message: 'The operation in the spec' }],
        });
      }
    }
  },
  checkSpec(context) {
    const drift = driftView(context.code);
    if (!drift?.comparable) return;
    for (const operation of context.operations()) {
      if (operation.doc !== context.doc) continue;
      const routes = drift.routesFor(operation.doc, operation.at);
      if (routes.length !== 1) continue;
      const route = routes[0];
      const readsQuery = route.params.filter((parameter) => parameter.in === 'query');
      // Only when every query read is a named one: `req.query` passed whole to a validator or
      // `@Query() dto` reads parameters we cannot list.
      if (readsQuery.length === 0 || readsQuery.some((parameter) => parameter.name === '*') || readsWholeQuery(route.handlerNode?.getText())) continue;
      const read = new Set(readsQuery.map((parameter) => parameter.name));
      context.parameters(operation).forEach((parameter) => {
        const { name, in: where, required } = parameter.value;
        if (where !== 'query' || required !== true || typeof name !== 'string' || read.has(name)) return;
        context.report({
          doc: parameter.doc,
          at: [...parameter.at, 'name'],
          part: 'value',
          message: `Required query parameter '${name}' is never read by the handler of ${operation.method.toUpperCase()} ${operation.path} (it reads ${[...read].map((n) => `'${n}'`).join(', ')}); rename one side to match.`,
        });
      });
    }
  },
});

/** `req.query` used as a whole (destructured, spread, passed on) rather than field by field. */
function readsWholeQuery(handlerText: string | undefined): boolean {
  if (!handlerText) return true;
  return /(req|request)\.query(?!\s*\.|\s*\[\s*['"])/.test(handlerText) || /@Query\(\s*\)/.test(handlerText);
}
