import { defineRule } from './rule';
import { driftView, operationSecurity, routeAuth } from '../drift/drift';
import { AUTH_NAME } from '../code/express';

export default defineRule({
  id: 'drift-auth-mismatch',
  severity: 'warning',
  description: 'The spec says an operation is secured and its route has no auth middleware or guard, or the route requires auth the spec does not declare.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Make auth explicit", "define scope or role boundaries at the API boundary". When the contract and the code disagree about who may call an operation, one of them is wrong, and the dangerous case is a route the spec calls secured that the code serves to anyone (a forgotten middleware, a controller without its guard, a \`@Public()\` left behind). The reverse, a route behind auth that the spec calls public, breaks every client that trusted the contract. The finding sits on the side that must change: on the route when the code lacks the auth the spec requires, on the operation when the spec forgets the auth the code enforces. A route is only judged unauthenticated when the same app authenticates other routes in a way apilens recognises (middleware named like auth/jwt/passport, guards), so an app whose auth apilens cannot see stays silent.`,
    bad: `# openapi.yaml: DELETE /users/{userId} has security: [{ bearerAuth: [] }]
router.get('/users/:id', requireAuth, getUser);
router.delete('/users/:id', deleteUser); // no auth middleware`,
    good: `router.get('/users/:id', requireAuth, getUser);
router.delete('/users/:id', requireAuth, deleteUser);`,
    exampleLanguage: 'ts',
    references: ['OpenAPI 3.1 §4.8.30 Security Requirement Object', 'RFC 9110 §11 HTTP Authentication'],
  },
  checkCode(context) {
    const drift = driftView(context.driftWorkspace ?? context.workspace);
    if (!drift?.comparable) return;
    // "No auth" is only believable when the app's other routes show auth we can recognise.
    const appAuthenticates = drift.routes.some((route) => routeAuth(route, context.facts) === true);
    for (const route of context.routes()) {
      const operations = drift.operationsFor(route);
      if (operations.length === 0) continue;
      const auth = routeAuth(route, context.facts);
      if (auth === true || (auth === 'unknown' && !appAuthenticates)) continue;
      const secured = operations.filter((operation) => operationSecurity(operation).secured);
      if (secured.length < operations.length) continue;
      const operation = secured[0];
      const security = operationSecurity(operation);
      context.report({
        span: route.pathSpan ?? route.declaration,
        message: `The spec secures ${route.method.toUpperCase()} ${route.path} (${security.schemes.join(', ')}) but ${route.markedPublic ? 'the route is marked public' : 'no auth middleware or guard protects it'}; add the authentication the contract promises.`,
        related: security.at ? [{ uri: operation.doc.uri, span: operation.doc.locate(security.at, 'key'), message: 'The security requirement in the spec' }] : undefined,
      });
    }
  },
  checkSpec(context) {
    const drift = driftView(context.code);
    if (!drift?.comparable) return;
    const facts = context.code!.extraction.facts;
    for (const operation of context.operations()) {
      if (operation.doc !== context.doc) continue;
      const routes = drift.routesFor(operation.doc, operation.at);
      if (routes.length === 0 || !routes.every((route) => routeAuth(route, facts) === true)) continue;
      const ref = { doc: operation.doc, method: operation.method, path: operation.path, at: operation.at, keys: [], operation: operation.operation };
      const security = operationSecurity(ref);
      if (security.secured) continue;
      const route = routes[0];
      context.report({
        at: security.at && security.at.length > 1 ? security.at : operation.at,
        message: `${operation.method.toUpperCase()} ${operation.path} is documented as public, but its handler requires authentication (${route.middleware.find((m) => AUTH_NAME.test(m.name))?.name ?? 'a global auth guard'}); declare the security requirement.`,
      });
    }
  },
});
