import { defineRule } from './rule';
import { driftView } from '../drift/drift';
import type { SpecOperationRef } from '../drift/match';
import { setMapEntry } from '../spec/edits';
import { statusInfo } from '../features/status-codes';

export default defineRule({
  id: 'drift-status-undocumented',
  severity: 'warning',
  description: 'A status code the handler can send that the matching OpenAPI operation does not document.',
  appliesTo: ['express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Document error responses the same way you document success responses", and "use status codes consistently". A status the handler sends but the contract does not list is a surprise for every client: generated SDKs treat it as an unknown error, and reviewers never saw it. Typical drift: a handler grew a 409 for a uniqueness conflict, a NestJS POST answers 201 by default while the document says 200, a 404 was added for a missing parent. A \`default\` response or a \`4XX\` range documents the codes it covers. The quick fix adds the response to the document (with the shared problem-details schema for errors when the document has one).`,
    bad: `// openapi.yaml: POST /users documents 201 and 400 only
router.post('/users', validate(userCreate), async (req, res) => {
  if (await users.exists(req.body.email)) return res.status(409).json(problem(409, 'Email taken'));
  res.status(201).json(await users.create(req.body));
});`,
    good: `// openapi.yaml: POST /users documents 201, 400 and 409
router.post('/users', validate(userCreate), async (req, res) => {
  if (await users.exists(req.body.email)) return res.status(409).json(problem(409, 'Email taken'));
  res.status(201).json(await users.create(req.body));
});`,
    exampleLanguage: 'ts',
    references: ['RFC 9110 §15 Status Codes', 'OpenAPI 3.1 §4.8.16 Responses Object'],
  },
  checkCode(context) {
    const drift = driftView(context.driftWorkspace ?? context.workspace);
    if (!drift?.comparable) return;
    for (const route of context.routes()) {
      const operations = drift.operationsFor(route);
      if (operations.length === 0) continue;
      const reported = new Set<number>();
      for (const status of route.statuses) {
        if (reported.has(status.code) || status.code < 100 || status.code > 599) continue;
        const missing = operations.filter((operation) => !documents(operation, status.code));
        if (missing.length < operations.length) continue;
        reported.add(status.code);
        const operation = missing[0];
        const implicit = status.via === 'default' ? ` (${route.framework === 'nest' ? 'NestJS answers' : 'the handler answers'} ${status.code} by default)` : '';
        context.report({
          span: status.span,
          message: `${route.method.toUpperCase()} ${route.path} can answer ${status.code}${implicit}, which ${operationLabel(operation)} does not document; add the response to the spec${status.via === 'default' ? ' or set the status explicitly' : ''}.`,
          related: [{ uri: operation.doc.uri, span: operation.doc.locate([...operation.at, 'responses'], 'key'), message: `The responses of ${operationLabel(operation)}` }],
          fix: addResponseFix(operation, status.code),
        });
      }
    }
  },
});

function operationLabel(operation: SpecOperationRef): string {
  return typeof operation.operation.operationId === 'string' ? operation.operation.operationId : `${operation.method.toUpperCase()} ${operation.path}`;
}

/** The exact code, its `4XX` range, or `default` documents a status. */
function documents(operation: SpecOperationRef, code: number): boolean {
  const responses = operation.operation.responses;
  if (!responses || typeof responses !== 'object') return true; // nothing to compare against
  const keys = Object.keys(responses).map((key) => key.toUpperCase());
  return keys.includes(String(code)) || keys.includes(`${String(code)[0]}XX`) || keys.includes('DEFAULT');
}

function addResponseFix(operation: SpecOperationRef, code: number) {
  const doc = operation.doc;
  const root = (doc.root ?? {}) as Record<string, any>;
  const description = statusInfo(String(code))?.phrase ?? `Status ${code}`;
  const problem = code >= 400 && doc.version !== '2.0' && root.components?.schemas?.ProblemDetails;
  const response = problem ? { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } } : { description };
  if (!operation.operation.responses || typeof operation.operation.responses !== 'object') return undefined;
  return {
    title: `Document ${code} ${description} in ${operationLabel(operation)}`,
    isPreferred: true,
    edits: () => [setMapEntry(doc, [...operation.at, 'responses'], String(code), response)],
  };
}
