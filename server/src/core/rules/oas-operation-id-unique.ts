import { defineRule } from './rule';
import type { Operation } from '../engine/spec-context';

export default defineRule({
  id: 'oas-operation-id-unique',
  severity: 'error',
  description: 'Two operations share an `operationId`.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `\`operationId\` must be unique across the whole API: generated clients turn it into a method name, documentation turns it into an anchor, and links between operations refer to it. A duplicate makes a generator overwrite one method with another or fail outright.`,
    bad: `paths:
  /users:
    get:
      operationId: listUsers
  /admin/users:
    get:
      operationId: listUsers`,
    good: `paths:
  /users:
    get:
      operationId: listUsers
  /admin/users:
    get:
      operationId: listAdminUsers`,
    references: ['OpenAPI 3.1 §4.8.10 Operation Object (operationId)'],
  },
  checkSpec(context) {
    const byId = new Map<string, Operation[]>();
    for (const operation of context.operations()) {
      const id = operation.operation.operationId;
      if (typeof id !== 'string' || id === '') continue;
      byId.set(id, [...(byId.get(id) ?? []), operation]);
    }
    for (const [id, operations] of byId) {
      // The first use owns the id; each later one is the duplicate to rename.
      const [first, ...duplicates] = operations;
      for (const operation of duplicates) {
        context.report({
          doc: operation.doc,
          at: [...operation.at, 'operationId'],
          part: 'value',
          message: `operationId '${id}' is already used by ${first.method.toUpperCase()} ${first.path}; operationIds must be unique.`,
          related: [{ at: [...first.at, 'operationId'], doc: first.doc, message: `'${id}' first used here` }],
        });
      }
    }
  },
});
