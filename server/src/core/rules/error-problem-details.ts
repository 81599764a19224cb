import { defineRule } from './rule';
import type { JsonPath, TextEdit } from '../types';
import type { SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import { replaceValue } from '../spec/edits';
import { ensureProblemDetails, errorResponses, isResourceSchema, judgeResponse, mergeTouchingEdits, owningComponent, pathKey, successSchemaKeys, type ErrorResponse } from './_errors';
import { checkCodeProblemDetails } from './_errors-code';

export default defineRule({
  id: 'error-problem-details',
  severity: 'warning',
  description: 'An error response (4xx/5xx) whose body is not RFC 9457 problem details.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Prefer RFC 9457 problem details with stable \`type\`, \`title\`, \`status\`, and domain-specific extension fields." Problem details (RFC 9457, which obsoletes RFC 7807) give every client one way to read any error: a machine-readable \`type\` URI, a human \`title\`, the \`status\`, and an occurrence-specific \`detail\`, served as \`application/problem+json\`. Ad-hoc bodies (\`{ "error": "x" }\`, a plain-text message) force each client to special-case each endpoint.

In a spec, an error response is judged by its content: \`application/problem+json\` (or \`+xml\`), or a JSON schema with the problem members (\`type\`/\`title\`/\`status\`, including a schema that \`allOf\`-extends a \`ProblemDetails\` component), is problem details. A 4xx/5xx response that documents no content at all (\`'404': { description: Not found }\`) is not reported: it does not say what the body is, and \`error-responses-documented\` covers undocumented errors. A problem that lives in a shared component (\`components/responses/NotFound\`, \`components/schemas/Error\`) is reported once, at the component. In code: \`res.status(404).json({ error: 'x' })\` and \`res.send('Not found')\` for an error status, and NestJS exceptions when the app registers no exception filter (Nest's default body is \`{ statusCode, message, error }\`).`,
    bad: `paths:
  /orders/{orderId}:
    get:
      responses:
        '404':
          description: Not found
          content:
            application/json:
              schema:
                type: object
                properties:
                  error: { type: string }`,
    good: `paths:
  /orders/{orderId}:
    get:
      responses:
        '404':
          description: Not found
          content:
            application/problem+json:
              schema: { $ref: '#/components/schemas/ProblemDetails' }
components:
  schemas:
    ProblemDetails:
      type: object
      properties:
        type: { type: string, format: uri-reference }
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
        instance: { type: string, format: uri-reference }`,
    references: ['RFC 9457 Problem Details for HTTP APIs', 'RFC 9457 §3 The Problem Details JSON Object', 'RFC 9110 §15.5 Client Error 4xx'],
  },
  checkSpec(context) {
    const groups = new Map<string, { component: NonNullable<ReturnType<typeof owningComponent>>; uses: { entry: ErrorResponse; mediaType: string }[] }>();
    const successKeys = successSchemaKeys(context);
    for (const entry of errorResponses(context)) {
      const { verdict, offending } = judgeResponse(context, entry.response, entry.operation);
      if (verdict !== 'not-problem' || !offending) continue;
      if (isResourceSchema(successKeys, offending.schema)) continue; // a resource handed back (409 with the existing item)
      const component = owningComponent(entry, offending);
      if (!component) {
        const label = `${entry.status === 'default' ? 'default' : entry.status} response of ${entry.operation.method.toUpperCase()} ${entry.operation.path}`;
        context.report({
          doc: entry.operation.doc,
          at: entry.at,
          message: `The ${label} answers ${offending.mediaType} that is not problem details; answer application/problem+json with a shared ProblemDetails schema (RFC 9457 type, title, status, detail).`,
          fix: problemFix(context, [{ doc: entry.response.doc, at: entry.response.at }]),
        });
        continue;
      }
      const key = pathKey(component.doc, component.at);
      const group = groups.get(key) ?? { component, uses: [] };
      group.uses.push({ entry, mediaType: offending.mediaType });
      groups.set(key, group);
    }
    for (const { component, uses } of groups.values()) {
      const first = uses[0];
      const operations = new Set(uses.map((use) => `${use.entry.operation.method} ${use.entry.operation.path}`)).size;
      const usedBy = `used by ${uses.length} error response${uses.length === 1 ? '' : 's'}${operations > 1 ? ` of ${operations} operations` : ''}`;
      const what = component.kind === 'response' ? `Response component '${component.name}'` : `Error schema '${component.name}'`;
      const message = `${what} (${usedBy}) is ${first.mediaType} that is not problem details; answer application/problem+json with a shared ProblemDetails schema (RFC 9457 type, title, status, detail).`;
      // Where the content gets rewritten: the response component itself, or every inline response using the schema.
      const targets = component.kind === 'response'
        ? [{ doc: component.doc, at: component.at }]
        : uses.map((use) => ({ doc: use.entry.response.doc, at: use.entry.response.at }));
      const related = uses.slice(0, 5).map((use) => ({ at: use.entry.at, doc: use.entry.operation.doc, message: `used by the ${use.entry.status} response of ${use.entry.operation.method.toUpperCase()} ${use.entry.operation.path}` }));
      if (component.doc === context.doc) {
        context.report({ at: component.at, message, related, fix: problemFix(context, targets) });
      } else {
        context.report({
          doc: first.entry.operation.doc, at: first.entry.at, message,
          related: [{ at: component.at, doc: component.doc, message: `${what} is defined here` }],
        });
      }
    }
  },
  checkCode(context) {
    checkCodeProblemDetails(context);
  },
});

/** Points each target response at the shared ProblemDetails schema with application/problem+json. */
function problemFix(context: SpecContext, targets: { doc: SpecDocument; at: JsonPath }[]) {
  if (targets.some((target) => target.doc !== context.doc)) return undefined;
  return {
    title: 'Answer application/problem+json with a shared ProblemDetails schema',
    isPreferred: true,
    edits: (): TextEdit[] => {
      const { ref, edit } = ensureProblemDetails(context);
      const edits = targets.map((target) => context.isSwagger2
        ? replaceValue(context.doc, [...target.at, 'schema'], { $ref: ref })
        : replaceValue(context.doc, [...target.at, 'content'], { 'application/problem+json': { schema: { $ref: ref } } }));
      return edit ? mergeTouchingEdits([...edits, edit]) : edits;
    },
  };
}
