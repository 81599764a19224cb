import type { JsonPath, TextEdit } from '../types';
import { charAt, type SpecDocument } from '../spec/document';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import { componentSchemaName, componentSchemas, contentSchemas, isErrorStatus, isSuccessStatus, schemaShape, type MediaTypeSchema } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';

/**
 * Shared readings for the error-* rules: which responses are error responses, what a problem
 * details (RFC 9457) schema looks like, and the edits that introduce a shared `ProblemDetails`.
 */

export const PROBLEM_MEDIA_TYPE = /^application\/problem\+(json|xml)\s*(;|$)/i;
const JSON_MEDIA_TYPE = /^(application\/(json|[\w.+-]*\+json)|\*\/\*|application\/\*)\s*(;|$)/i;

export function isJsonMediaType(mediaType: string): boolean {
  return JSON_MEDIA_TYPE.test(mediaType.trim());
}

export interface ErrorResponse {
  operation: Operation;
  status: string;
  /** The status key in the operation. */
  at: JsonPath;
  response: Resolved<Record<string, unknown>>;
}

/**
 * The error responses of every operation: 4xx/5xx (and ranges), plus `default` when the operation
 * also documents a success, so `default` can only mean "everything else", the errors.
 */
export function errorResponses(context: SpecContext): readonly ErrorResponse[] {
  return context.shared('errorResponses', () => readErrorResponses(context));
}

function readErrorResponses(context: SpecContext): ErrorResponse[] {
  const result: ErrorResponse[] = [];
  for (const operation of context.operations()) {
    const responses = context.responses(operation);
    const hasSuccess = responses.some((entry) => isSuccessStatus(entry.status) || /^[13]/.test(entry.status));
    for (const entry of responses) {
      if (entry.response.failure || !isRecord(entry.response.value)) continue;
      if (isErrorStatus(entry.status) || (entry.status === 'default' && hasSuccess)) {
        result.push({ operation, status: entry.status, at: entry.at, response: entry.response });
      }
    }
  }
  return result;
}

export type ProblemVerdict = 'problem' | 'not-problem' | 'unknown' | 'no-content';

/** Whether a schema has the members of RFC 9457 problem details (or names itself one). */
export function isProblemShapedSchema(context: SpecContext, schema: Resolved): boolean | undefined {
  if (schema.failure || !isRecord(schema.value)) return undefined;
  const shape = schemaShape(context, schema);
  if (shape.names.some((name) => /problem/i.test(name))) return true;
  const has = (name: string) => shape.properties.has(name);
  if ((has('type') && has('title')) || (has('title') && has('status')) || (has('type') && has('status') && has('detail'))) return true;
  if (shape.hasAlternatives) return undefined;
  // `{}` or a bare `type: object` says nothing either way.
  if (shape.properties.size === 0 && (shape.types.size === 0 || (shape.types.size === 1 && shape.types.has('object')))) return undefined;
  return false;
}

/** Judges a response's content: problem details, something else, or not enough to tell. */
export function judgeResponse(context: SpecContext, response: Resolved<Record<string, unknown>>, operation: Operation): { verdict: ProblemVerdict; offending?: MediaTypeSchema } {
  const value = response.value;
  if (!isRecord(value)) return { verdict: 'unknown' };
  const mediaTypes = context.isSwagger2
    ? ('schema' in value ? ((operation.operation.produces ?? context.root.produces ?? ['application/json']) as unknown[]).map(String) : [])
    : isRecord(value.content) ? Object.keys(value.content) : [];
  if (mediaTypes.length === 0) return { verdict: 'no-content' };
  if (mediaTypes.some((mediaType) => PROBLEM_MEDIA_TYPE.test(mediaType))) return { verdict: 'problem' };
  const schemas = contentSchemas(context, response, operation);
  let offending: MediaTypeSchema | undefined;
  let unknown = false;
  for (const entry of schemas) {
    if (isJsonMediaType(entry.mediaType)) {
      const problem = isProblemShapedSchema(context, entry.schema);
      if (problem === true) return { verdict: 'problem' };
      if (problem === undefined) unknown = true;
      else offending ??= entry;
    } else if (/^text\/(plain|html)/i.test(entry.mediaType)) {
      offending ??= entry;
    } else {
      unknown = true;
    }
  }
  // A media type with no schema (`application/json: {}`) says nothing.
  if (!context.isSwagger2 && schemas.length < mediaTypes.length) unknown = true;
  if (unknown || !offending) return { verdict: 'unknown' };
  return { verdict: 'not-problem', offending };
}

/** The component a problem lives in: the response component, else the schema component, else none. */
export function owningComponent(entry: ErrorResponse, offending?: MediaTypeSchema): { kind: 'response' | 'schema'; at: JsonPath; doc: SpecDocument; name: string } | undefined {
  if (entry.response.viaRef) {
    return { kind: 'response', at: entry.response.at, doc: entry.response.doc, name: String(entry.response.at[entry.response.at.length - 1]) };
  }
  if (offending?.schema.viaRef) {
    const name = componentSchemaName(offending.schema.at);
    if (name) return { kind: 'schema', at: offending.schema.at, doc: offending.schema.doc, name };
  }
  return undefined;
}

export function pathKey(doc: SpecDocument, at: JsonPath): string {
  return `${doc.uri}#${at.map(String).join('/')}`;
}

// ------------------------------------------------------------------ ProblemDetails component

export function problemDetailsSchema(): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', format: 'uri-reference' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string', format: 'uri-reference' },
    },
  };
}

/**
 * The name of a problem-details component schema to point at, and the edit that adds
 * `ProblemDetails` when the document has none (undefined when one exists already).
 */
export function ensureProblemDetails(context: SpecContext): { ref: string; edit?: TextEdit } {
  const prefix = context.isSwagger2 ? '#/definitions/' : '#/components/schemas/';
  const existing = componentSchemas(context).find((entry) => entry.name === 'ProblemDetails')
    ?? componentSchemas(context).find((entry) => /^(problem|problemdetails?|problemjson)$/i.test(entry.name) && isProblemShapedSchema(context, entry.schema) === true);
  if (existing) return { ref: prefix + escapePointer(existing.name) };
  const doc = context.doc;
  const root = context.root;
  let edit: TextEdit;
  if (context.isSwagger2) {
    edit = isRecord(root.definitions) ? setMapEntry(doc, ['definitions'], 'ProblemDetails', problemDetailsSchema()) : setMapEntry(doc, [], 'definitions', { ProblemDetails: problemDetailsSchema() });
  } else if (!isRecord(root.components)) {
    edit = setMapEntry(doc, [], 'components', { schemas: { ProblemDetails: problemDetailsSchema() } });
  } else if (!isRecord(root.components.schemas)) {
    edit = setMapEntry(doc, ['components'], 'schemas', { ProblemDetails: problemDetailsSchema() });
  } else {
    edit = setMapEntry(doc, ['components', 'schemas'], 'ProblemDetails', problemDetailsSchema());
  }
  return { ref: prefix + 'ProblemDetails', edit };
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

// ------------------------------------------------------------------ deleting a map entry

/** Removes `key: value` (YAML) or `"key": value` (JSON) from its map, comma included. */
export function deleteMapEntry(doc: SpecDocument, path: JsonPath): TextEdit | undefined {
  if (!doc.has(path)) return undefined;
  const key = doc.locate(path, 'key');
  const value = doc.locate(path, 'value');
  // Read around the entry only: the editor's large documents are held in pieces.
  const at = (offset: number) => charAt(doc, offset);
  const length = doc.lines.length;
  if (doc.format === 'json') {
    let after = value.end;
    while (after < length && /[ \t]/.test(at(after))) after++;
    if (at(after) === ',') {
      after++;
      while (after < length && /[ \t]/.test(at(after))) after++;
      const lineStart = doc.lines.lineStart(doc.lines.positionAt(key.start).line);
      if (/^[ \t]*$/.test(doc.slice(lineStart, key.start)) && /[\r\n]/.test(at(after))) {
        // `"key": value,` alone on its lines: remove the lines.
        if (at(after) === '\r') after++;
        if (at(after) === '\n') after++;
        return { uri: doc.uri, start: lineStart, end: after, newText: '' };
      }
      return { uri: doc.uri, start: key.start, end: after, newText: '' };
    }
    // The last entry: remove from the end of the previous value (its comma included).
    let before = key.start;
    while (before > 0 && /\s/.test(at(before - 1))) before--;
    if (at(before - 1) !== ',') return undefined; // The only entry: leave it to the caller.
    return { uri: doc.uri, start: before - 1, end: value.end, newText: '' };
  }
  const keyLine = doc.lines.positionAt(key.start).line;
  const lineStart = doc.lines.lineStart(keyLine);
  if (!/^[ \t]*$/.test(doc.slice(lineStart, key.start))) {
    return undefined; // Flow map or the first key of a sequence item: too delicate to cut by lines.
  }
  let end = value.end;
  while (end > value.start && /\s/.test(at(end - 1))) end--;
  const lastLine = doc.lines.positionAt(Math.max(value.start, end - 1)).line;
  const nextLineStart = lastLine + 1 < doc.lines.lineCount ? doc.lines.lineStart(lastLine + 1) : length;
  // Comment lines right above the key, at its indentation, describe it: they go with it.
  const indent = doc.slice(lineStart, key.start);
  let start = lineStart;
  for (let line = keyLine - 1; line >= 0; line--) {
    const lineText = doc.lines.lineText(line);
    if (!lineText.startsWith(indent + '#')) break;
    start = doc.lines.lineStart(line);
  }
  return { uri: doc.uri, start, end: nextLineStart, newText: '' };
}

/**
 * Joins an insertion that starts where another edit ends into that edit, so the text order does not
 * depend on how a client orders same-offset edits (LSP keeps array order; fix-all reverses it).
 */
export function mergeTouchingEdits(edits: TextEdit[]): TextEdit[] {
  const sorted = edits.map((edit, index) => ({ edit: { ...edit }, index })).sort((a, b) => a.edit.start - b.edit.start || a.index - b.index).map((entry) => entry.edit);
  const result: TextEdit[] = [];
  for (const edit of sorted) {
    const previous = result[result.length - 1];
    if (previous && previous.uri === edit.uri && edit.start === edit.end && edit.start === previous.end) previous.newText += edit.newText;
    else result.push(edit);
  }
  return result;
}

/**
 * Component schemas that some 2xx response returns. An error response carrying one of them (a 409
 * answering the existing item, a 451 with the order's state) hands back a resource representation,
 * not an error format of its own.
 */
export function successSchemaKeys(context: SpecContext): ReadonlySet<string> {
  // Read per path item: the editor keeps the keys of every path item an edit left alone.
  return context.shared('successSchemaKeys', () => new Set(context.readPathItems('successSchemaKeys', readSuccessSchemaKeys).flat()));
}

function readSuccessSchemaKeys(context: SpecContext): string[] {
  const keys: string[] = [];
  for (const operation of context.operations()) {
    for (const entry of context.responses(operation)) {
      if (!isSuccessStatus(entry.status) || entry.response.failure || !isRecord(entry.response.value)) continue;
      for (const media of contentSchemas(context, entry.response, operation)) {
        if (media.schema.viaRef && !media.schema.failure) keys.push(pathKey(media.schema.doc, media.schema.at));
      }
    }
  }
  return keys;
}

/** Whether a response schema is a component that success responses return too (see successSchemaKeys). */
export function isResourceSchema(successKeys: ReadonlySet<string>, schema: Resolved): boolean {
  return Boolean(schema.viaRef && !schema.failure && successKeys.has(pathKey(schema.doc, schema.at)));
}
