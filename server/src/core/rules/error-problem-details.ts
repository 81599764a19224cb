import { defineRule } from './rule';
import type { JsonPath, TextEdit } from '../types';
import type { SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import { replaceValue } from '../spec/edits';
import { ensureProblemDetails, errorResponses, judgeResponse, mergeTouchingEdits, owningComponent, pathKey, successSchemaKeys } from './_errors';
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
    const successKeys = successSchemaKeys(context);
    const groups = new Map<string, { component: OffendingResponse['component'] & {}; uses: OffendingResponse[] }>();
    for (const offending of context.readPathItems('error-problem-details', readOffendingResponses).flat()) {
      if (offending.schemaKey && successKeys.has(offending.schemaKey)) continue; // a resource handed back (409 with the existing item)
      const component = offending.component;
      if (!component) {
        context.report({
          doc: offending.operationDoc,
          at: offending.at,
          message: `The ${offending.label} answers ${offending.mediaType} that is not problem details; answer application/problem+json with a shared ProblemDetails schema (RFC 9457 type, title, status, detail).`,
          fix: problemFix(context, [{ doc: offending.responseDoc ?? context.doc, at: offending.responseAt }]),
        });
        continue;
      }
      const group = groups.get(component.key) ?? { component, uses: [] };
      group.uses.push(offending);
      groups.set(component.key, group);
    }
    for (const { component, uses } of groups.values()) {
      const first = uses[0];
      const operations = new Set(uses.map((use) => use.operation)).size;
      const usedBy = `used by ${uses.length} error response${uses.length === 1 ? '' : 's'}${operations > 1 ? ` of ${operations} operations` : ''}`;
      const what = component.kind === 'response' ? `Response component '${component.name}'` : `Error schema '${component.name}'`;
      const message = `${what} (${usedBy}) is ${first.mediaType} that is not problem details; answer application/problem+json with a shared ProblemDetails schema (RFC 9457 type, title, status, detail).`;
      // Where the content gets rewritten: the response component itself, or every inline response using the schema.
      const targets = component.kind === 'response'
        ? [{ doc: component.doc ?? context.doc, at: component.at }]
        : uses.map((use) => ({ doc: use.responseDoc ?? context.doc, at: use.responseAt }));
      const related = uses.slice(0, 5).map((use) => ({ at: use.at, doc: use.operationDoc, message: `used by the ${use.label}` }));
      if (!component.doc) {
        context.report({ at: component.at, message, related, fix: problemFix(context, targets) });
      } else {
        context.report({
          doc: first.operationDoc, at: first.at, message,
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

/**
 * An error response whose content is not problem details, as read from one path item. Kept from
 * one version to the next for an unchanged path item: documents are named only when they are not
 * the one analysed (and then the reading is not kept).
 */
interface OffendingResponse {
  /** The status key in the operation, and `404 response of GET /x`. */
  at: JsonPath;
  label: string;
  /** `get /x`, to count operations. */
  operation: string;
  operationDoc?: SpecDocument;
  responseAt: JsonPath;
  responseDoc?: SpecDocument;
  mediaType: string;
  /** The offending schema's key when it is a component (a success response may return it too). */
  schemaKey?: string;
  component?: { kind: 'response' | 'schema'; at: JsonPath; name: string; key: string; doc?: SpecDocument };
}

function readOffendingResponses(context: SpecContext): OffendingResponse[] {
  const found: OffendingResponse[] = [];
  for (const entry of errorResponses(context)) {
    const { verdict, offending } = judgeResponse(context, entry.response, entry.operation);
    if (verdict !== 'not-problem' || !offending) continue;
    const component = owningComponent(entry, offending);
    const { method, path } = entry.operation;
    found.push({
      at: entry.at,
      label: `${entry.status} response of ${method.toUpperCase()} ${path}`,
      operation: `${method} ${path}`,
      operationDoc: context.otherDocument(entry.operation.doc),
      responseAt: entry.response.at,
      responseDoc: context.otherDocument(entry.response.doc),
      mediaType: offending.mediaType,
      schemaKey: offending.schema.viaRef && !offending.schema.failure ? pathKey(offending.schema.doc, offending.schema.at) : undefined,
      component: component && { kind: component.kind, at: component.at, name: component.name, key: pathKey(component.doc, component.at), doc: context.otherDocument(component.doc) },
    });
  }
  return found;
}
