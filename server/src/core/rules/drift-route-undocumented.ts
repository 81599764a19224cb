import { defineRule } from './rule';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import { driftView, homeDocument, routeAuth, specPathFor } from '../drift/drift';
import { setMapEntry } from '../spec/edits';
import { statusInfo } from '../features/status-codes';
import { pathParameterNames } from '../drift/match';
import type { SpecDocument } from '../spec/document';

export default defineRule({
  id: 'drift-route-undocumented',
  severity: 'warning',
  description: 'A route in code with no operation in the workspace\'s OpenAPI documents.',
  appliesTo: ['express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Design the contract before the code", and the OpenAPI document is that contract: clients, mocks, gateways and reviewers read it, not the handlers. A route the document does not describe is an undocumented API: nobody reviewed its status codes or errors, generated clients cannot call it, and a gateway validating against the spec rejects it. Either document it (the quick fix writes an operation stub with the path parameters, the statuses the handler sends and the route's security into the document) or remove it. The rule runs only when the workspace's spec and code demonstrably describe the same service (at least one route matches an operation), with server URL prefixes, Express mounts and Nest global prefixes resolved.`,
    bad: `// openapi.yaml documents GET /users/{userId} only
router.get('/users/:id', getUser);
router.delete('/users/:id', deleteUser); // not in the spec`,
    good: `// openapi.yaml documents GET and DELETE /users/{userId}
router.get('/users/:id', getUser);
router.delete('/users/:id', deleteUser);`,
    exampleLanguage: 'ts',
    references: ['OpenAPI 3.1 §4.8.8 Paths Object'],
  },
  checkCode(context) {
    const drift = driftView(context.driftWorkspace ?? context.workspace);
    if (!drift?.comparable) return;
    for (const route of context.routes()) {
      if (!drift.routes.includes(route) || drift.operationsFor(route).length > 0 || !drift.inScope(route)) continue;
      const home = homeDocument(context.driftWorkspace ?? context.workspace, drift, route);
      const specPath = home ? specPathFor(home, route.path) : undefined;
      context.report({
        span: route.pathSpan ?? route.declaration,
        message: `${route.method.toUpperCase()} ${route.path} is not in the OpenAPI document${home ? ` (${fileName(home.uri)})` : 's'}; document it${specPath ? ` as ${route.method.toUpperCase()} ${specPath}` : ''} or remove the route.`,
        related: home ? [{ uri: home.uri, span: home.locate(['paths'], 'key'), message: 'The paths of the API description' }] : undefined,
        fix: home && specPath ? stubFix(context, route, home, specPath) : undefined,
      });
    }
  },
});

function fileName(uri: string): string {
  return decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
}

/** An operation stub written in the document's own style (YAML or JSON, its indentation). */
function stubFix(context: CodeContext, route: ExtractedRoute, doc: SpecDocument, specPath: string) {
  const root = (doc.root ?? {}) as Record<string, any>;
  const swagger2 = doc.version === '2.0';
  const hasProblemSchema = !swagger2 && !!root.components?.schemas?.ProblemDetails;
  const operation: Record<string, unknown> = {};
  const parameters = pathParameterNames(specPath).map((name) => swagger2
    ? { name, in: 'path', required: true, type: 'string' }
    : { name, in: 'path', required: true, schema: { type: 'string' } });
  if (parameters.length > 0) operation.parameters = parameters;
  const auth = routeAuth(route, context.facts);
  const documentSecured = Array.isArray(root.security) && root.security.some((requirement: unknown) => !!requirement && typeof requirement === 'object' && Object.keys(requirement).length > 0);
  const schemes = Object.keys((swagger2 ? root.securityDefinitions : root.components?.securitySchemes) ?? {});
  if (auth === false && documentSecured) operation.security = [];
  else if (auth === true && !documentSecured && schemes.length > 0) operation.security = [{ [schemes[0]]: [] }];
  const responses: Record<string, unknown> = {};
  const codes = [...new Set(route.statuses.map((status) => status.code))].sort((a, b) => a - b);
  if (!codes.some((code) => code < 400)) codes.unshift(route.method === 'post' ? 201 : route.method === 'delete' ? 204 : 200);
  for (const code of codes) {
    const description = statusInfo(String(code))?.phrase ?? `Status ${code}`;
    responses[String(code)] = code >= 400 && hasProblemSchema
      ? { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } }
      : { description };
  }
  operation.responses = responses;
  const method = route.method;
  return {
    title: `Add ${method.toUpperCase()} ${specPath} to ${fileName(doc.uri)}`,
    isPreferred: true,
    edits: () => {
      const paths = root.paths;
      if (paths && typeof paths === 'object' && specPath in paths) return [setMapEntry(doc, ['paths', specPath], method, operation)];
      return [setMapEntry(doc, ['paths'], specPath, { [method]: operation })];
    },
  };
}
