import { defineRule } from './rule';
import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';
import { componentSchemaName, contentSchemas, schemaShape } from '../engine/spec-helpers';
import { errorResponses, isJsonMediaType, isProblemShapedSchema, pathKey, successSchemaKeys } from './_errors';
import type { SpecContext } from '../engine/spec-context';
import { checkCodeSingleFormat, familiesOf } from './_errors-code';

interface Unit {
  /** Where the shape is written: a component schema, a response component, or an inline response. */
  at: JsonPath;
  doc: SpecDocument;
  label: string;
  signature: string;
  uses: number;
}

/**
 * One JSON media type of an error response, as read from one path item (kept across versions for
 * an unchanged path item: a document is named only when it is not the one analysed).
 */
interface ErrorShape {
  /** The schema's key when it is a component (a success response may return it too). */
  schemaKey?: string;
  /** The shape's signature; undefined when the schema says too little (alternatives, no properties). */
  signature?: string;
  at: JsonPath;
  doc?: SpecDocument;
  label: string;
}

export default defineRule({
  id: 'error-single-format',
  severity: 'warning',
  description: 'More than one error body shape in one service.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Pick one error format. Prefer RFC 9457 and apply it consistently", and "Do not return one error shape from validation, another from auth, and a third from business rules." A client parses errors in one place; every extra shape is a branch in every client, and the shape that is rarely used is the one nobody tests.

Shapes are compared by their members: problem details (RFC 9457 \`type\`/\`title\`/\`status\`, including schemas that \`allOf\`-extend a \`ProblemDetails\`) are one format; other shapes are the same format when one's properties contain the other's or they share two or more properties (\`{ code, message }\` and \`{ code, message, details }\` are one format; \`{ code, message }\` and \`{ error }\` are two). The format used by most error responses is the house style; every other shape is reported once, where it is defined, with the house style as related information. Error responses without content do not count. In code, the error bodies routes send (\`res.status(4xx).json({...})\`, NestJS exceptions with object bodies) are compared the same way across the workspace.`,
    bad: `components:
  schemas:
    Error:            # used by most operations
      type: object
      properties: { code: { type: integer }, message: { type: string } }
    AuthFailure:      # a second shape, for 401s
      type: object
      properties: { error: { type: string }, error_description: { type: string } }`,
    good: `components:
  schemas:
    ProblemDetails:
      type: object
      properties: { type: { type: string }, title: { type: string }, status: { type: integer }, detail: { type: string } }
    ValidationProblem:  # an extension of the same format
      allOf:
        - $ref: '#/components/schemas/ProblemDetails'
        - properties: { errors: { type: array, items: { type: object } } }`,
    references: ['RFC 9457 Problem Details for HTTP APIs', 'RFC 9457 §3.2 Extension Members'],
  },
  checkSpec(context) {
    const units = new Map<string, Unit>();
    const successKeys = successSchemaKeys(context);
    for (const response of context.readPathItems('error-single-format', readErrorShapes).flat()) {
      for (const shape of response) {
        if (shape.schemaKey && successKeys.has(shape.schemaKey)) break; // a resource handed back (409 with the existing item), not an error format
        if (shape.signature === undefined) continue;
        const doc = shape.doc ?? context.doc;
        const key = pathKey(doc, shape.at);
        const unit = units.get(key) ?? { at: shape.at, doc, label: shape.label, signature: shape.signature, uses: 0 };
        unit.uses++;
        units.set(key, unit);
        break; // One shape per response: the first JSON media type speaks for it.
      }
    }
    const list = [...units.values()];
    const { familyOf, majority } = familiesOf(list.map((unit) => ({ signature: unit.signature, weight: unit.uses })));
    if (majority === undefined) return;
    const example = list.find((unit) => familyOf(unit.signature) === majority)!;
    const majorityUses = list.filter((unit) => familyOf(unit.signature) === majority).reduce((sum, unit) => sum + unit.uses, 0);
    for (const unit of list) {
      if (familyOf(unit.signature) === majority) continue;
      context.report({
        doc: unit.doc,
        at: unit.at,
        message: `${unit.label} is a second error format (${describe(unit.signature)}) next to the service's ${describe(example.signature)} used by ${majorityUses} error response${majorityUses === 1 ? '' : 's'}; use one error format across the service, preferably RFC 9457 problem details.`,
        related: [{ at: example.at, doc: example.doc, message: `the main error format: ${example.label.replace(/^The /, 'the ')}` }],
      });
    }
  },
  checkCode(context) {
    checkCodeSingleFormat(context);
  },
});

function describe(signature: string): string {
  return signature === 'problem details' ? 'problem details' : `{ ${signature} }`;
}

/** Each error response of one path item: its JSON media types' shapes, in order. */
function readErrorShapes(context: SpecContext): ErrorShape[][] {
  const responses: ErrorShape[][] = [];
  for (const entry of errorResponses(context)) {
    const shapes: ErrorShape[] = [];
    for (const media of contentSchemas(context, entry.response, entry.operation)) {
      if (!isJsonMediaType(media.mediaType) && !/^application\/problem\+json/i.test(media.mediaType)) continue;
      const schema = media.schema;
      if (schema.failure) continue;
      const problem = /^application\/problem\+json/i.test(media.mediaType) || isProblemShapedSchema(context, schema) === true;
      let signature: string | undefined = 'problem details';
      if (!problem) {
        const shape = schemaShape(context, schema);
        signature = shape.hasAlternatives || shape.properties.size === 0 ? undefined : [...shape.properties.keys()].sort().join(', ');
      }
      const schemaName = schema.viaRef ? componentSchemaName(schema.at) : undefined;
      const place = schemaName
        ? { at: schema.at, doc: context.otherDocument(schema.doc), label: `Error schema '${schemaName}'` }
        : entry.response.viaRef
          ? { at: entry.response.at, doc: context.otherDocument(entry.response.doc), label: `Response component '${String(entry.response.at[entry.response.at.length - 1])}'` }
          : { at: entry.at, doc: context.otherDocument(entry.operation.doc), label: `The ${entry.status} response of ${entry.operation.method.toUpperCase()} ${entry.operation.path}` };
      shapes.push({ schemaKey: schema.viaRef ? pathKey(schema.doc, schema.at) : undefined, signature, ...place });
    }
    responses.push(shapes);
  }
  return responses;
}
