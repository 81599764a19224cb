import { defineRule } from './rule';
import type { JsonPath, TextEdit } from '../types';
import { isRecord, type Resolved, type SpecContext } from '../engine/spec-context';
import { componentSchemaName, componentSchemas, contentSchemas } from '../engine/spec-helpers';
import { replaceValue, yamlScalar } from '../spec/edits';
import { charAt, type SpecDocument } from '../spec/document';
import { deleteMapEntry, errorResponses, pathKey } from './_errors';
import { checkCodeInternals } from './_errors-code';

/** Field names that carry internals, normalised (lower case, no `_`/`-`), with what they leak. */
const INTERNAL_FIELDS: Record<string, string> = {
  stack: 'a stack trace', stacktrace: 'a stack trace', callstack: 'a stack trace', trace: 'a stack trace', traceback: 'a stack trace', backtrace: 'a stack trace',
  sql: 'SQL', sqlquery: 'SQL', sqlmessage: 'a database error message', sqlstate: 'a database error code', sqlerror: 'a database error', drivererror: 'a database driver error',
  exception: 'the exception class', exceptionclass: 'the exception class', exceptiontype: 'the exception class', exceptionmessage: 'a raw exception message', innerexception: 'a nested exception',
};
const ERROR_SCHEMA_NAME = /(error|problem|exception|fault)/i;
const MAX_DEPTH = 3;

export default defineRule({
  id: 'error-no-internals',
  severity: 'error',
  description: 'Stack traces, raw exception messages or ORM/SQL internals in error bodies.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Never leak raw stack traces or ORM internals to clients" and, for 500, "Never leak stack traces in the body." A stack trace, an exception class, the SQL that failed or a driver's error message tells an attacker which framework, library versions, table and column names the service runs on (OWASP API Security Top 10, API8:2023 Security Misconfiguration), and ties clients to implementation details that change with every refactor. Log them server-side, and give the client a problem-details body (RFC 9457) with a stable \`type\`, a \`title\`, and an \`instance\` or correlation id that support can look up.

In a spec: a \`stack\`/\`stackTrace\`/\`trace\`/\`traceback\`, \`sql\`/\`sqlState\`/\`sqlMessage\`, \`exception\`/\`exceptionClass\`/\`innerException\` property in a schema of an error response (or a component schema named like an error), reported once at the property. In code: \`err.stack\`, a database error's \`sql\`/\`sqlMessage\`, or the \`message\` of a caught, unknown error sent in a 5xx body (\`res.status(500).json({ message: err.message })\`, \`throw new InternalServerErrorException(err.message)\`). A field sent only outside production (\`NODE_ENV !== 'production' ? err.stack : undefined\`) is not reported.`,
    bad: `components:
  schemas:
    Error:
      type: object
      properties:
        message: { type: string }
        stack: { type: string }`,
    good: `components:
  schemas:
    ProblemDetails:
      type: object
      properties:
        type: { type: string, format: uri-reference }
        title: { type: string }
        status: { type: integer }
        instance: { type: string, description: Correlation id to quote to support }`,
    references: ['RFC 9457 §5 Security Considerations', 'OWASP API Security Top 10 2023, API8 Security Misconfiguration', 'CWE-209 Generation of Error Message Containing Sensitive Information'],
  },
  // The error responses of operations are read per path item; schemas named like errors once.
  scope: 'path-item',
  checkSpec(context) {
    const walk = new SchemaWalk(context);
    for (const entry of errorResponses(context)) {
      for (const media of contentSchemas(context, entry.response, entry.operation)) {
        const owner = componentSchemaName(media.schema.at) ?? `${entry.status} response of ${entry.operation.method.toUpperCase()} ${entry.operation.path}`;
        walk.visit(media.schema, owner, 0);
      }
    }
  },
  checkWholeDocument(context) {
    const walk = new SchemaWalk(context);
    for (const component of componentSchemas(context)) {
      if (ERROR_SCHEMA_NAME.test(component.name)) walk.visit(component.schema, component.name, 0);
    }
  },
  checkStatement(context, statement) {
    checkCodeInternals(context, statement);
  },
});

/**
 * Walks schemas down to MAX_DEPTH levels, reporting each leaking property once. A schema reached
 * again closer to its root is walked again (deeper properties come into reach), so what is found
 * does not depend on the order schemas are reached in: checking one path item at a time finds
 * what checking the whole document finds.
 */
class SchemaWalk {
  private readonly walkedAt = new Map<string, number>();
  private readonly reported = new Set<string>();
  constructor(private readonly context: SpecContext) {}

  visit(schema: Resolved, owner: string, depth: number): void {
    const context = this.context;
    if (schema.failure || !isRecord(schema.value) || depth > MAX_DEPTH) return;
    const key = pathKey(schema.doc, schema.at);
    if ((this.walkedAt.get(key) ?? Infinity) <= depth) return;
    this.walkedAt.set(key, depth);
    const value = schema.value;
    const name = componentSchemaName(schema.at) ?? owner;
    if (isRecord(value.properties)) {
      for (const [property, raw] of Object.entries(value.properties)) {
        const at: JsonPath = [...schema.at, 'properties', property];
        const resolved = context.resolve(raw, at, schema.doc);
        const leak = INTERNAL_FIELDS[property.toLowerCase().replace(/[_-]/g, '')];
        if (leak && !(property.toLowerCase() === 'trace' && !isStringish(resolved.value))) {
          const where = pathKey(schema.doc, at);
          if (!this.reported.has(where)) {
            this.reported.add(where);
            context.report({
              doc: schema.doc,
              at,
              message: `Error schema '${name}' exposes '${property}' (${leak}) to clients; remove the field, log it server-side, and give clients a stable problem type and a correlation id instead.`,
              fix: removeFieldFix(context, schema.doc, schema.at, property),
            });
          }
          continue;
        }
        this.visit(resolved, name, depth + 1);
      }
    }
    for (const keyword of ['allOf', 'oneOf', 'anyOf'] as const) {
      const list = value[keyword];
      if (Array.isArray(list)) list.forEach((member, index) => this.visit(context.resolve(member, [...schema.at, keyword, index], schema.doc), name, depth));
    }
    if (isRecord(value.items)) this.visit(context.resolve(value.items, [...schema.at, 'items'], schema.doc), name, depth + 1);
  }
}

/** `trace` is a stack trace when it is text; an object `trace` is usually a tracing context. */
function isStringish(schema: unknown): boolean {
  if (!isRecord(schema)) return false;
  const type = schema.type;
  if (type === undefined) return !isRecord(schema.properties);
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('string')) return true;
  return types.includes('array') && isRecord(schema.items) && schema.items.type === 'string';
}

function removeFieldFix(context: SpecContext, doc: SpecDocument, schemaAt: JsonPath, property: string) {
  if (doc !== context.doc) return undefined;
  const remove = deleteMapEntry(doc, [...schemaAt, 'properties', property]);
  if (!remove) return undefined;
  return {
    title: `Remove '${property}' from the error schema`,
    isPreferred: true,
    edits: (): TextEdit[] => {
      const edits = [remove];
      const schema = valueAt(doc.root, schemaAt);
      const required = isRecord(schema) && Array.isArray(schema.required) ? schema.required : undefined;
      if (required?.includes(property)) {
        const rest = required.filter((name) => name !== property);
        const removeRequired = rest.length === 0 ? deleteMapEntry(doc, [...schemaAt, 'required']) : undefined;
        const requiredSpan = doc.locate([...schemaAt, 'required'], 'value');
        if (removeRequired) edits.push(removeRequired);
        else if (doc.format === 'yaml' && charAt(doc, requiredSpan.start) === '[') {
          // Keep a flow sequence a flow sequence.
          edits.push({ uri: doc.uri, start: requiredSpan.start, end: requiredSpan.end, newText: `[${rest.map((name) => yamlScalar(name)).join(', ')}]` });
        } else edits.push(replaceValue(doc, [...schemaAt, 'required'], rest));
      }
      return edits;
    },
  };
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}
