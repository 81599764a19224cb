import { defineRule } from './rule';
import { walkObjects } from '../engine/walk';

export default defineRule({
  id: 'oas-ref-resolves',
  severity: 'error',
  description: 'A `$ref` that does not resolve (local pointer or relative file), reported at the `$ref` itself.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `A \`$ref\` that points nowhere makes every tool that reads the document (code generators, docs, mock servers, validators) fail or silently drop the referenced part. apilens follows local pointers (\`#/components/...\`) and relative files inside the workspace. It never fetches remote URLs and never reads files outside the workspace: such references are reported, because they cannot be checked and make the contract depend on something outside the repository.`,
    bad: `paths:
  /users/{userId}:
    get:
      responses:
        '404':
          $ref: '#/components/responses/NotFund'   # typo`,
    good: `paths:
  /users/{userId}:
    get:
      responses:
        '404':
          $ref: '#/components/responses/NotFound'`,
    references: ['OpenAPI 3.1 §4.8.23 Reference Object', 'RFC 6901 JSON Pointer'],
  },
  checkSpec(context) {
    walkObjects(context.doc.root, (object, path) => {
      const ref = object.$ref;
      if (typeof ref !== 'string') return;
      // A 3.1 schema with its own `$id` resolves relative refs against that id: not ours to judge.
      if (!ref.startsWith('#') && typeof object.$id === 'string') return;
      const result = context.refs.resolve(context.doc, ref);
      if (!result.ok) {
        context.report({ at: [...path, '$ref'], part: 'value', message: `$ref does not resolve: ${result.reason}.` });
        return;
      }
      // A chain of references that only leads back to itself never reaches a definition.
      const chain = context.refs.resolveChain(context.doc, ref);
      if (!chain.ok && chain.failure === 'cycle') {
        context.report({ at: [...path, '$ref'], part: 'value', message: `$ref '${ref}' is part of a cycle of references that never reaches a definition.` });
      }
    });
  },
});
