import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';

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
    const byId = new Map<string, IdUse[]>();
    for (const use of context.readPathItems('oas-operation-id-unique', readIds).flat()) byId.set(use.id, [...(byId.get(use.id) ?? []), use]);
    for (const [id, uses] of byId) {
      // The first use owns the id; each later one is the duplicate to rename.
      const [first, ...duplicates] = uses;
      for (const use of duplicates) {
        context.report({
          doc: use.doc,
          at: [...use.at, 'operationId'],
          part: 'value',
          message: `operationId '${id}' is already used by ${first.label}; operationIds must be unique.`,
          related: [{ at: [...first.at, 'operationId'], doc: first.doc, message: `'${id}' first used here` }],
        });
      }
    }
  },
});

/** An operationId as written in one path item (a document is named only when it is not the one analysed). */
interface IdUse { id: string; label: string; at: JsonPath; doc?: SpecDocument }

function readIds(context: SpecContext): IdUse[] {
  const uses: IdUse[] = [];
  for (const operation of context.operations()) {
    const id = operation.operation.operationId;
    if (typeof id !== 'string' || id === '') continue;
    uses.push({ id, label: `${operation.method.toUpperCase()} ${operation.path}`, at: operation.at, doc: context.otherDocument(operation.doc) });
  }
  return uses;
}
