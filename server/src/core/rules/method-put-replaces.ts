import { defineRule } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import { componentSchemas, contentSchemas, isItemPath, isSuccessStatus, requestBodyOf, schemaShape } from '../engine/spec-helpers';

export default defineRule({
  id: 'method-put-replaces',
  severity: 'warning',
  description: 'A PUT with no request body, or whose body schema requires nothing (a partial update, which is PATCH).',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `PUT "requests that the state of the target resource be created or replaced with the state defined by the representation enclosed in the request" (RFC 9110 §9.3.4). The guide: "PUT for full replacement, PATCH for partial update". A PUT without a body replaces the resource with nothing, which is usually a command in disguise (POST it to a command sub-resource); a PUT whose body schema marks no property as required accepts \`{}\` and partial documents, so clients cannot tell whether omitted fields are cleared or kept, which is exactly what PATCH (RFC 5789) and JSON Merge Patch (RFC 7396) define. Empty-body PUTs on a relationship item (\`PUT /teams/{teamId}/members/{userId}\` answering 204) are idempotent "make this link exist" requests and are not flagged; array and binary bodies replace the whole target and are fine. Documents that never declare \`required\` anywhere are left alone: the absence says nothing there.`,
    bad: `paths:
  /users/{userId}:
    put:
      operationId: updateUser
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: { type: string }
                email: { type: string }`,
    good: `paths:
  /users/{userId}:
    put:
      operationId: replaceUser
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, email]
              properties:
                name: { type: string }
                email: { type: string }
    patch:
      operationId: updateUser`,
    references: ['RFC 9110 §9.3.4 PUT', 'RFC 5789 PATCH', 'RFC 7396 JSON Merge Patch'],
  },
  // Checked per path item; whether the document writes `required` at all is a fact of the whole.
  scope: 'path-item',
  environment(context) {
    return [usesRequired(context.wholeDocument())];
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'put') continue;
      const body = requestBodyOf(context, operation);
      if (!body) {
        if (hasFormData(context, operation) || isRelationshipPut(context, operation) || isToggledState(context, operation)) continue;
        context.report({
          doc: operation.doc,
          at: operation.at,
          message: `PUT ${operation.path} has no request body; PUT replaces the target with the representation sent (RFC 9110 §9.3.4), so send the full resource, or use POST for a command.`,
        });
        continue;
      }
      if (body.body.failure || body.schemas.length === 0) continue;
      const judged = body.schemas.filter((entry) => /json|form|xml|\*\/\*/i.test(entry.mediaType) && !/patch/i.test(entry.mediaType));
      if (judged.length === 0 || judged.length !== body.schemas.filter((entry) => !/patch/i.test(entry.mediaType)).length) continue;
      const partial = judged.every((entry) => {
        if (entry.schema.failure || !isRecord(entry.schema.value)) return false;
        const shape = schemaShape(context, entry.schema);
        return !shape.hasAlternatives && shape.properties.size > 0 && shape.required.size === 0 && [...shape.types].every((type) => type === 'object' || type === 'null')
          && !('discriminator' in entry.schema.value);
      });
      if (!partial) continue;
      if (!usesRequired(context.wholeDocument())) continue;
      const schema = judged[0].schema;
      const name = schema.viaRef ? String(schema.at[schema.at.length - 1]) : undefined;
      // The body is the representation GET returns: a replacement whose schema is merely lax about `required`.
      const representation = schema.viaRef && readSchemaKeys(context, operation).has(schemaKey(schema));
      context.report({
        ...(representation ? { severity: 'hint' as const } : {}),
        doc: context.isSwagger2 ? body.body.doc : operation.doc,
        at: body.at,
        message: `PUT ${operation.path} takes a body${name ? ` ('${name}')` : ''} with no required properties, which is a partial update; mark the properties a full replacement needs as required, or use PATCH.`,
        related: schema.viaRef ? [{ doc: schema.doc, at: schema.at, message: `'${name}' declares no required properties` }] : undefined,
      });
    }
  },
});

function hasFormData(context: SpecContext, operation: Operation): boolean {
  return context.parameters(operation).some((parameter) => parameter.value.in === 'formData');
}

/** `PUT /teams/{teamId}/members/{userId}` answering without a body: "make this relationship exist". */
function isRelationshipPut(context: SpecContext, operation: Operation): boolean {
  if (!isItemPath(operation.path)) return false;
  return !context.responses(operation).some((entry) => isSuccessStatus(entry.status) && contentSchemas(context, entry.response, operation).length > 0);
}

/**
 * `PUT /app/installations/{id}/suspended` with no body and a DELETE beside it: a state sub-resource that
 * PUT switches on and DELETE off (starred, suspended, locked), not a command in disguise.
 */
function isToggledState(context: SpecContext, operation: Operation): boolean {
  const last = operation.path.split('/').filter(Boolean).pop() ?? '';
  if (last.startsWith('{') || !isRecord(operation.pathItem.delete)) return false;
  return !context.responses(operation).some((entry) => isSuccessStatus(entry.status) && contentSchemas(context, entry.response, operation).length > 0);
}

function schemaKey(schema: { doc: { uri: string }; at: (string | number)[] }): string {
  return `${schema.doc.uri}#${schema.at.join('/')}`;
}

const getsByPathItem = new WeakMap<SpecContext, Map<Record<string, unknown>, Operation>>();

/** The component schemas the GET beside a PUT returns on success. */
function readSchemaKeys(context: SpecContext, operation: Operation): Set<string> {
  const keys = new Set<string>();
  let gets = getsByPathItem.get(context);
  if (!gets) {
    gets = new Map(context.operations().filter((other) => other.method === 'get').map((other) => [other.pathItem, other]));
    getsByPathItem.set(context, gets);
  }
  const get = gets.get(operation.pathItem);
  if (!get) return keys;
  for (const entry of context.responses(get)) {
    if (!isSuccessStatus(entry.status) || entry.response.failure) continue;
    for (const media of contentSchemas(context, entry.response, get)) if (media.schema.viaRef && !media.schema.failure) keys.add(schemaKey(media.schema));
  }
  return keys;
}

/** True when the author writes `required` on schemas at all (otherwise its absence on a PUT body means nothing). */
function usesRequired(context: SpecContext): boolean {
  return context.shared('usesRequired', () => documentUsesRequired(context));
}

function documentUsesRequired(context: SpecContext): boolean {
  for (const { schema } of componentSchemas(context)) {
    if (isRecord(schema.value) && Array.isArray(schema.value.required) && schema.value.required.length > 0) return true;
  }
  for (const operation of context.operations()) {
    const body = requestBodyOf(context, operation);
    for (const entry of body?.schemas ?? []) {
      if (isRecord(entry.schema.value) && Array.isArray(entry.schema.value.required) && entry.schema.value.required.length > 0) return true;
    }
  }
  return false;
}
