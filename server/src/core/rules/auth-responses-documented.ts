import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import { securityOf, securitySchemes } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';

export default defineRule({
  id: 'auth-responses-documented',
  scope: 'path-item',
  severity: 'warning',
  description: 'A secured operation that documents no 401 response (and no 403 when it requires scopes).',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `An operation that requires credentials can always answer 401 (no, expired or invalid credentials, RFC 9110 §15.5.2), and one that requires scopes can answer 403 (authenticated but not permitted, §15.5.4). The guide's self-check asks that "OpenAPI docs match real handler behavior, examples, status codes, and auth requirements", and its status matrix separates the two cases. Leaving them out means generated clients have no typed path for the most common failure and readers cannot tell whether the API follows the 401/403 distinction. A \`4XX\` range or a \`default\` response already covers them and is not flagged. The fix reuses the document's existing 401/403 component responses when there are any.`,
    bad: `security:
  - oauth: [orders:read]
paths:
  /orders:
    get:
      responses:
        '200': { description: The orders }`,
    good: `security:
  - oauth: [orders:read]
paths:
  /orders:
    get:
      responses:
        '200': { description: The orders }
        '401': { $ref: '#/components/responses/Unauthorized' }
        '403': { $ref: '#/components/responses/Forbidden' }`,
    references: ['RFC 9110 §15.5.2 401 Unauthorized', 'RFC 9110 §15.5.4 403 Forbidden', 'RFC 6750 §3.1 insufficient_scope'],
  },
  checkSpec(context) {
    const schemeTypes = new Map(securitySchemes(context).map((entry) => [entry.name, entry.scheme.type]));
    let reuse: Map<string, unknown> | undefined;
    for (const operation of context.operations()) {
      const security = securityOf(context, operation);
      if (!security.secured || !isRecord(operation.operation.responses)) continue;
      const statuses = Object.keys(operation.operation.responses).map((status) => status.toUpperCase());
      if (statuses.includes('4XX') || statuses.includes('DEFAULT')) continue;
      // 403 is expected when every alternative requirement needs scopes (OAuth2/OIDC, or roles in 3.1+).
      const needsScopes = security.requirements.every((requirement) => Object.entries(requirement).some(([name, scopes]) => scopes.length > 0 && schemeTypes.has(name)));
      const missing = [...(statuses.includes('401') ? [] : ['401']), ...(needsScopes && !statuses.includes('403') ? ['403'] : [])];
      for (const status of missing) {
        // The response to add (the one most operations already use) is read when the fix is asked for.
        const response = () => (reuse ??= reusableResponses(context)).get(status) ?? inlineResponse(context, status);
        const method = operation.method.toUpperCase();
        context.report({
          doc: operation.doc, at: operation.at,
          message: status === '401'
            ? `${method} ${operation.path} requires credentials but documents no 401 response; add one for missing or invalid credentials.`
            : `${method} ${operation.path} requires scopes but documents no 403 response; add one for callers whose token lacks them.`,
          fix: { title: `Add a ${status} response`, isPreferred: true, edits: () => [setMapEntry(operation.doc, [...operation.at, 'responses'], status, response())] },
        });
      }
    }
  },
});

/** The 401/403 response the document already uses or defines: the most used `$ref`, else a component named for it. */
function reusableResponses(context: SpecContext): Map<string, unknown> {
  const result = new Map<string, unknown>();
  const counts = new Map<string, Map<string, number>>();
  for (const operation of context.operations()) {
    const responses = operation.operation.responses;
    if (!isRecord(responses)) continue;
    for (const status of ['401', '403']) {
      const raw = responses[status];
      if (isRecord(raw) && typeof raw.$ref === 'string' && !context.resolve(raw, [...operation.at, 'responses', status], operation.doc).failure) {
        const byRef = counts.get(status) ?? new Map<string, number>();
        byRef.set(raw.$ref, (byRef.get(raw.$ref) ?? 0) + 1);
        counts.set(status, byRef);
      }
    }
  }
  for (const [status, byRef] of counts) result.set(status, { $ref: [...byRef].sort((a, b) => b[1] - a[1])[0][0] });
  const components = context.isSwagger2 ? context.root.responses : isRecord(context.root.components) ? context.root.components.responses : undefined;
  const base = context.isSwagger2 ? '#/responses/' : '#/components/responses/';
  if (isRecord(components)) {
    for (const name of Object.keys(components)) {
      if (!result.has('401') && /^(unauthori[sz]ed|unauthenticated|401|(error)?401(error|response)?|unauthori[sz]ed(error|response))$/i.test(name)) result.set('401', { $ref: base + escapePointer(name) });
      if (!result.has('403') && /^(forbidden|403|(error)?403(error|response)?|forbidden(error|response))$/i.test(name)) result.set('403', { $ref: base + escapePointer(name) });
    }
  }
  return result;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function inlineResponse(context: SpecContext, status: string): Record<string, unknown> {
  if (status === '403') return { description: 'Authenticated, but not allowed to perform this operation.' };
  const description = 'Missing, expired or invalid credentials.';
  return context.isSwagger2
    ? { description, headers: { 'WWW-Authenticate': { type: 'string', description: 'The authentication challenge (RFC 9110 §11.6.1).' } } }
    : { description, headers: { 'WWW-Authenticate': { description: 'The authentication challenge (RFC 9110 §11.6.1).', schema: { type: 'string' } } } };
}
