import { defineRule } from './rule';
import { driftView } from '../drift/drift';

export default defineRule({
  id: 'drift-operation-unimplemented',
  severity: 'info',
  description: 'An operation of the OpenAPI document with no handler in the workspace\'s code.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `The document promises an operation that the service does not serve: clients generated from it get a 404, and the mismatch usually means a route was renamed or removed in code without the contract following. Design-first work legitimately documents operations before they exist, which is why this is information rather than a warning. It runs only when the workspace's code and spec demonstrably describe the same service (at least one route matches an operation), with server URL prefixes, Express mounts and Nest global prefixes resolved.`,
    bad: `# the code serves GET /users/:id only
paths:
  /users/{userId}:
    get: { operationId: getUser, responses: { '200': { description: OK } } }
    delete: { operationId: deleteUser, responses: { '204': { description: Deleted } } }`,
    good: `# the code serves GET and DELETE /users/:id
paths:
  /users/{userId}:
    get: { operationId: getUser, responses: { '200': { description: OK } } }
    delete: { operationId: deleteUser, responses: { '204': { description: Deleted } } }`,
    references: ['OpenAPI 3.1 §4.8.10 Operation Object'],
  },
  checkSpec(context) {
    const drift = driftView(context.code);
    if (!drift?.comparable) return;
    // Only operations of documents the code was matched against at all: a second, unrelated spec in
    // the same folder stays silent.
    const matchedDocs = new Set(drift.routes.flatMap((route) => drift.operationsFor(route).map((operation) => operation.doc.uri)));
    if (!matchedDocs.has(context.doc.uri)) return;
    for (const operation of context.operations()) {
      if (operation.doc !== context.doc) continue;
      if (drift.routesFor(operation.doc, operation.at).length > 0) continue;
      context.report({
        at: operation.at,
        message: `${operation.method.toUpperCase()} ${operation.path} has no handler in this workspace's code; implement it, or remove it if the route was renamed.`,
      });
    }
  },
});
