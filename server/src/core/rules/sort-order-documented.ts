import { defineRule } from './rule';
import { isRecord } from '../engine/spec-context';
import { schemaShape } from '../engine/spec-helpers';
import { queryParams, schemaKeyword, SORT_NAMES } from './_pagination';

const DESCRIBES_ORDER = /\b(stable|tie|ties|tie-?break(er|s)?|deterministic|secondary|then by|unique|one of|allowed values|possible values|valid values|supported (values|fields)|sortable fields|can be sorted by|prefix(ed)? with)\b/i;

export default defineRule({
  id: 'sort-order-documented',
  scope: 'path-item',
  severity: 'info',
  description: 'A `sort`/`order_by` parameter with neither an enum of allowed values nor a description of the (stable) order it produces.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `The guide: "Sort order must be stable and documented." A free-form \`sort\` string leaves clients guessing which fields are sortable and what happens to ties; with cursor pagination an unstable order (two rows with the same \`created_at\`) makes pages skip or repeat items. List the allowed values as an \`enum\` (e.g. \`created_at\`, \`-created_at\`) and say how ties are broken (by \`id\`), so the order is a contract clients can rely on.`,
    bad: `- name: sort
  in: query
  schema: { type: string }`,
    good: `- name: sort
  in: query
  description: Sort key; ties are broken by id, so the order is stable across pages.
  schema: { type: string, enum: [created_at, -created_at, amount, -amount] }`,
  },
  checkSpec(context) {
    const reported = new Set<string>();
    for (const op of context.operations()) {
      for (const param of queryParams(context, op) ?? []) {
        if (!SORT_NAMES.test(param.name)) continue;
        const key = `${param.doc.uri}#${param.at.join('/')}`;
        if (reported.has(key)) continue;
        reported.add(key);
        if (documentsOrder(param.value.description) || documentsOrder(schemaKeyword(context, param.schema, 'description'))) continue;
        if (hasEnum(context, param.schema)) continue;
        if (isRecord(param.value.items) && Array.isArray((param.value.items as Record<string, unknown>).enum)) continue; // 2.0 array of enums
        if (typeof schemaKeyword(context, param.schema, 'pattern') === 'string' && /\|/.test(String(schemaKeyword(context, param.schema, 'pattern')))) continue;
        context.report({
          doc: param.doc,
          at: [...param.at, 'name'],
          part: 'value',
          message: `Sort parameter '${param.name}' has no enum of allowed values and no description of the order; list the sortable fields as an enum and say how ties are broken (e.g. by id) so the order is stable.`,
        });
      }
    }
  },
});

function documentsOrder(description: unknown): boolean {
  return typeof description === 'string' && DESCRIBES_ORDER.test(description);
}

function hasEnum(context: Parameters<typeof schemaShape>[0], schema: Parameters<typeof schemaShape>[1]): boolean {
  if (Array.isArray(schemaKeyword(context, schema, 'enum')) || schemaKeyword(context, schema, 'const') !== undefined) return true;
  const shape = schemaShape(context, schema);
  if (shape.hasAlternatives) return true; // oneOf of enums and the like: too uncertain to judge
  return !!shape.items && !shape.items.failure && Array.isArray(schemaKeyword(context, shape.items, 'enum'));
}
