import { defineRule } from './rule';
import { documentUnits, walkObjects } from '../engine/walk';
import type { SpecContext } from '../engine/spec-context';
import type { JsonPath } from '../types';

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
    // Checked unit by unit (a path item, a component...): what a unit refers to is kept per unit
    // value, so in the editor only the units an edit changed are walked again. Shared YAML
    // anchors are followed once per unit.
    const { units, containers } = documentUnits(context.doc.root);
    // A large description writes the same few thousand refs tens of thousands of times: each is judged once.
    const verdicts = new Map<string, string | undefined>();
    for (const { at, value } of containers) checkRef(context, value, () => at, verdicts);
    for (const unit of units) {
      for (const site of refSitesOf(unit.value, unit.at)) checkRef(context, site.object, () => [...unit.at, ...site.path], verdicts);
    }
  },
});

function checkRef(context: SpecContext, object: Record<string, unknown>, pathOf: () => JsonPath, verdicts: Map<string, string | undefined>) {
  const ref = object.$ref;
  if (typeof ref !== 'string') return;
  // A 3.1 schema with its own `$id` resolves relative refs against that id: not ours to judge.
  if (!ref.startsWith('#') && typeof object.$id === 'string') return;
  let message = verdicts.get(ref);
  if (message === undefined && !verdicts.has(ref)) {
    message = problemOf(context, ref);
    verdicts.set(ref, message);
  }
  if (message) context.report({ at: [...pathOf(), '$ref'], part: 'value', message });
}

/** What is wrong with `ref`, written in the analysed document, if anything. */
function problemOf(context: SpecContext, ref: string): string | undefined {
  const result = context.refs.resolve(context.doc, ref);
  if (!result.ok) return `$ref does not resolve: ${result.reason}.`;
  // A chain of references that only leads back to itself never reaches a definition.
  const chain = context.refs.resolveChain(context.doc, ref);
  if (!chain.ok && chain.failure === 'cycle') return `$ref '${ref}' is part of a cycle of references that never reaches a definition.`;
  return undefined;
}

/** Per unit value (and where it sits): the objects under it holding a `$ref`, with their paths. */
const sitesByValue = new WeakMap<object, Map<string, { object: Record<string, unknown>; path: JsonPath }[]>>();

function refSitesOf(value: unknown, at: JsonPath): { object: Record<string, unknown>; path: JsonPath }[] {
  if (value === null || typeof value !== 'object') return [];
  const place = at.slice(-2).join('\u0000');
  let byPlace = sitesByValue.get(value);
  const known = byPlace?.get(place);
  if (known) return known;
  const sites: { object: Record<string, unknown>; path: JsonPath }[] = [];
  walkObjects(value, (object, path) => {
    if (typeof object.$ref === 'string') sites.push({ object, path: path.slice(at.length) });
  }, at);
  if (!byPlace) sitesByValue.set(value, byPlace = new Map());
  byPlace.set(place, sites);
  return sites;
}
