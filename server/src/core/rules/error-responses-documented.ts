import { defineRule } from './rule';
import type { TextEdit } from '../types';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import { pathSegments } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';
import { ensureProblemDetails, judgeResponse, mergeTouchingEdits, pathKey } from './_errors';

/** Probes answer 200 or 503 and nothing else; a client error is not part of their contract. */
const PROBE_SEGMENT = /^(health|healthz|healthcheck|health-check|livez|readyz|live|liveness|ready|readiness|alive|ping|status|version)$/i;

export default defineRule({
  id: 'error-responses-documented',
  severity: 'warning',
  description: 'An operation that documents no 4xx response and no `default` response.',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `Every operation can fail: bad input (400/422), missing credentials (401), a missing resource (404), a conflict (409), rate limiting (429). An operation whose responses list only successes (and perhaps a 5xx) tells client generators and readers nothing about the error body, so clients cannot parse it. The guide wants "one consistent format, preferably RFC 9457 problem details"; documenting it is the first step. A \`default\` response (or a \`4XX\` range) covers the errors; a problem-details \`default\` is the smallest correct answer.

Not reported: \`options\` operations (CORS preflight), and \`GET\`/\`HEAD\` probes without parameters (\`/health\`, \`/healthz\`, \`/readyz\`, \`/ping\`, \`/version\`), whose contract is 200 or 503.`,
    bad: `paths:
  /orders:
    post:
      operationId: createOrder
      responses:
        '201': { description: Created }`,
    good: `paths:
  /orders:
    post:
      operationId: createOrder
      responses:
        '201': { description: Created }
        default:
          description: Problem
          content:
            application/problem+json:
              schema: { $ref: '#/components/schemas/ProblemDetails' }`,
    references: ['RFC 9457 Problem Details for HTTP APIs', 'OpenAPI 3.1 §4.8.16 Responses Object (default)', 'RFC 9110 §15.5 Client Error 4xx'],
  },
  scope: 'path-item',
  checkSpec(context) {
    // An operation shared by several paths (a `$ref`'d path item) is reported once: by the path
    // item it is written in, or else (a shared component) for the first path using it.
    const reported = new Set<string>();
    for (const operation of context.operations()) {
      const responses = operation.operation.responses;
      if (!isRecord(responses) || isRecord(responses) && '$ref' in responses) continue;
      if (operation.doc === context.doc && operation.at[0] === 'paths' && operation.at[1] !== operation.path) continue;
      const place = pathKey(operation.doc, operation.at);
      if (reported.has(place)) continue;
      const statuses = Object.keys(responses);
      if (statuses.length === 0) continue; // An empty `responses` is a schema error, reported by oas-schema-valid.
      if (statuses.some((status) => status === 'default' || /^4([0-9]{2}|XX)$/i.test(status))) continue;
      if (operation.method === 'options' || isProbe(context, operation)) continue;
      reported.add(place);
      context.report({
        doc: operation.doc,
        at: operation.at,
        message: `${operation.method.toUpperCase()} ${operation.path} documents no 4xx and no default response; add a default response with a problem-details body (application/problem+json) so clients can read its errors.`,
        fix: operation.doc === context.doc ? {
          title: 'Add a problem-details default response',
          isPreferred: true,
          edits: (): TextEdit[] => defaultResponseEdits(context, operation),
        } : undefined,
      });
    }
  },
});

function isProbe(context: SpecContext, operation: Operation): boolean {
  if (operation.method !== 'get' && operation.method !== 'head') return false;
  const segments = pathSegments(operation.path);
  const last = segments[segments.length - 1];
  if (!last || last.isParameter || !PROBE_SEGMENT.test(last.text)) return false;
  return context.parameters(operation).every((parameter) => parameter.value.in === 'header');
}

function defaultResponseEdits(context: SpecContext, operation: Operation): TextEdit[] {
  const responsesAt = [...operation.at, 'responses'];
  // Reuse a shared problem-details response component when the document has one.
  const shared = context.isSwagger2 ? context.root.responses : isRecord(context.root.components) ? context.root.components.responses : undefined;
  if (isRecord(shared)) {
    const base = context.isSwagger2 ? ['responses'] : ['components', 'responses'];
    for (const [name, raw] of Object.entries(shared)) {
      if (!/problem|error|default/i.test(name)) continue;
      const response = context.resolve<Record<string, unknown>>(raw, [...base, name]);
      if (judgeResponse(context, response, operation).verdict !== 'problem') continue;
      return [setMapEntry(context.doc, responsesAt, 'default', { $ref: `#/${base.join('/')}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` })];
    }
  }
  const { ref, edit } = ensureProblemDetails(context);
  const response = context.isSwagger2
    ? { description: 'Problem details (RFC 9457)', schema: { $ref: ref } }
    : { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: ref } } } };
  const add = setMapEntry(context.doc, responsesAt, 'default', response);
  return edit ? mergeTouchingEdits([add, edit]) : [add];
}
