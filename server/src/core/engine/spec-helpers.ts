import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';
import { isRecord, type Operation, type Resolved, type SpecContext } from './spec-context';

/**
 * Shared readings of an OpenAPI document that many rules need. Each works for Swagger 2.0 and
 * OpenAPI 3.x alike and follows `$ref`s through the context, so rules never hand-roll them.
 */

export interface PathSegment { text: string; isParameter: boolean; name?: string }

/** `/users/{userId}/sessions` -> users, {userId}, sessions. */
export function pathSegments(path: string): PathSegment[] {
  return path.split('/').filter((segment) => segment !== '').map((text) => {
    const match = PARAMETER_SEGMENT.exec(text);
    return match ? { text, isParameter: true, name: match[1] } : { text, isParameter: false };
  });
}

const PARAMETER_SEGMENT = /^\{([^{}]+)\}$/;

/** The last non-empty segment of a path ('' when none), read without splitting the path: rules ask for every operation. */
function lastSegment(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  return path.slice(path.lastIndexOf('/', end - 1) + 1, end);
}

/** A collection path ends with a static segment (`/orders`, `/users/{id}/sessions`). */
export function isCollectionPath(path: string): boolean {
  const last = lastSegment(path);
  return last !== '' && !PARAMETER_SEGMENT.test(last);
}

/** An item path ends with a parameter (`/orders/{orderId}`). */
export function isItemPath(path: string): boolean {
  return PARAMETER_SEGMENT.test(lastSegment(path));
}

/** `4xx`, `5xx` (and `4XX` ranges). `default` is not counted: callers decide what it means. */
export function isErrorStatus(status: string): boolean {
  return /^[45]([0-9]{2}|XX)$/i.test(status);
}

export function isSuccessStatus(status: string): boolean {
  return /^2([0-9]{2}|XX)$/i.test(status);
}

export interface SecurityView {
  /** The requirements in force: the operation's own, else the document's. */
  requirements: Record<string, string[]>[];
  /** Where they are written (the operation's `security` or the root `security`), if anywhere. */
  at?: JsonPath;
  /** True when the operation sets `security` itself (including `security: []`). */
  declaredOnOperation: boolean;
  /** True when at least one requirement needs credentials (`[]` and `[{}]` do not). */
  secured: boolean;
}

export function securityOf(context: SpecContext, operation: Operation): SecurityView {
  const own = operation.operation.security;
  const global = context.root.security;
  const declaredOnOperation = Array.isArray(own);
  const list = (declaredOnOperation ? own : Array.isArray(global) ? global : []) as unknown[];
  const requirements = list.filter(isRecord).map((requirement) =>
    Object.fromEntries(Object.entries(requirement).map(([name, scopes]) => [name, Array.isArray(scopes) ? scopes.map(String) : []])));
  const secured = requirements.length > 0 && requirements.every((requirement) => Object.keys(requirement).length > 0);
  return {
    requirements,
    at: declaredOnOperation ? [...operation.at, 'security'] : Array.isArray(global) ? ['security'] : undefined,
    declaredOnOperation,
    secured,
  };
}

/** The security schemes: `components.securitySchemes` (3.x) or `securityDefinitions` (2.0). */
export function securitySchemes(context: SpecContext): { name: string; scheme: Record<string, unknown>; at: JsonPath }[] {
  const base: JsonPath = context.isSwagger2 ? ['securityDefinitions'] : ['components', 'securitySchemes'];
  const container = context.isSwagger2 ? context.root.securityDefinitions : isRecord(context.root.components) ? context.root.components.securitySchemes : undefined;
  if (!isRecord(container)) return [];
  return Object.entries(container).flatMap(([name, raw]) => {
    const resolved = context.resolve<Record<string, unknown>>(raw, [...base, name]);
    return isRecord(resolved.value) ? [{ name, scheme: resolved.value, at: resolved.viaRef ? [...base, name] : resolved.at }] : [];
  });
}

export interface MediaTypeSchema { mediaType: string; schema: Resolved; at: JsonPath }

/** The schemas a response (or request body) carries, per media type. 2.0: `schema` with `produces`. */
export function contentSchemas(context: SpecContext, container: Resolved<Record<string, unknown>>, operation?: Operation): readonly MediaTypeSchema[] {
  // Many rules read the same responses' schemas: once per container (and operation, whose 2.0
  // `produces` counts) and context.
  const byContainer = context.shared('contentSchemas', () => new WeakMap<object, Map<Operation | undefined, readonly MediaTypeSchema[]>>());
  let byOperation = byContainer.get(container);
  if (!byOperation) byContainer.set(container, byOperation = new Map());
  let schemas = byOperation.get(operation);
  if (!schemas) byOperation.set(operation, schemas = readContentSchemas(context, container, operation));
  return schemas;
}

function readContentSchemas(context: SpecContext, container: Resolved<Record<string, unknown>>, operation?: Operation): MediaTypeSchema[] {
  const value = container.value;
  if (!isRecord(value)) return [];
  if (context.isSwagger2) {
    if (!('schema' in value)) return [];
    const produces = (operation?.operation.produces ?? context.root.produces ?? ['application/json']) as unknown[];
    const schema = context.resolve(value.schema, [...container.at, 'schema'], container.doc);
    return produces.map((mediaType) => ({ mediaType: String(mediaType), schema, at: [...container.at, 'schema'] }));
  }
  if (!isRecord(value.content)) return [];
  return Object.entries(value.content).flatMap(([mediaType, media]) => {
    if (!isRecord(media) || !('schema' in media)) return [];
    const at = [...container.at, 'content', mediaType, 'schema'];
    return [{ mediaType, schema: context.resolve(media.schema, at, container.doc), at }];
  });
}

/** The media types a response declares (2.0: the operation's `produces` when it has a schema). */
export function mediaTypesOf(context: SpecContext, response: Resolved<Record<string, unknown>>, operation?: Operation): string[] {
  if (context.isSwagger2) return contentSchemas(context, response, operation).map((entry) => entry.mediaType);
  return isRecord(response.value?.content) ? Object.keys(response.value.content) : [];
}

/** The request body schema(s): 3.x `requestBody`, 2.0 the `in: body` parameter. */
export function requestBodyOf(context: SpecContext, operation: Operation): { body: Resolved<Record<string, unknown>>; at: JsonPath; schemas: readonly MediaTypeSchema[] } | undefined {
  if (context.isSwagger2) {
    const bodyParameter = context.parameters(operation).find((parameter) => parameter.value.in === 'body');
    if (!bodyParameter) return undefined;
    const schema = context.resolve(bodyParameter.value.schema, [...bodyParameter.at, 'schema'], bodyParameter.doc);
    const consumes = (operation.operation.consumes ?? context.root.consumes ?? ['application/json']) as unknown[];
    return { body: bodyParameter, at: bodyParameter.at, schemas: consumes.map((mediaType) => ({ mediaType: String(mediaType), schema, at: [...bodyParameter.at, 'schema'] })) };
  }
  if (!('requestBody' in operation.operation)) return undefined;
  const body = context.resolve<Record<string, unknown>>(operation.operation.requestBody, [...operation.at, 'requestBody'], operation.doc);
  return { body, at: [...operation.at, 'requestBody'], schemas: contentSchemas(context, body) };
}

/** Header names a response declares, lower-cased. */
export function responseHeaders(response: Resolved<Record<string, unknown>>): Set<string> {
  const headers = response.value?.headers;
  return new Set(isRecord(headers) ? Object.keys(headers).map((name) => name.toLowerCase()) : []);
}

export interface SchemaShape {
  /** Property name -> resolved property schema (allOf members merged, $refs followed). */
  readonly properties: ReadonlyMap<string, Resolved>;
  readonly required: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
  /** The items schema of an array schema. */
  readonly items?: Resolved;
  /** Names of the component schemas passed through (`User`, `UserEntity`). */
  readonly names: readonly string[];
  /** True when oneOf/anyOf make the shape uncertain. */
  readonly hasAlternatives: boolean;
}

const MAX_SHAPE_DEPTH = 12;

/**
 * Flattens a schema: follows $refs, merges allOf, collects properties/required/types. Computed once
 * per schema and analysis: the error and pagination rules read the same few schemas from thousands
 * of responses (GitHub's description: most error responses share `basic-error`). The shape is
 * shared, so callers must not change it.
 */
export function schemaShape(context: SpecContext, schema: Resolved): SchemaShape {
  const value = schema.value;
  if (!isRecord(value)) return readShape(context, schema, 0, new Set());
  const known = context.shared('schemaShapes', () => new Map<object, { at: JsonPath; doc: SpecDocument; shape: SchemaShape }[]>());
  let sameValue = known.get(value);
  if (!sameValue) known.set(value, sameValue = []);
  // The same object at another place (a YAML alias) has other property paths.
  const found = sameValue.find((entry) => entry.doc === schema.doc && samePath(entry.at, schema.at));
  if (found) return found.shape;
  const shape = readShape(context, schema, 0, new Set());
  sameValue.push({ at: schema.at, doc: schema.doc, shape });
  return shape;
}

/** The same JSON path (an index written as a number or as a string alike). */
export function samePath(a: JsonPath, b: JsonPath): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && String(a[i]) !== String(b[i])) return false;
  return true;
}

interface ShapeBeingRead { properties: Map<string, Resolved>; required: Set<string>; types: Set<string>; items?: Resolved; names: string[]; hasAlternatives: boolean }

function readShape(context: SpecContext, schema: Resolved, depth: number, seen: Set<unknown>): ShapeBeingRead {
  const shape: ShapeBeingRead = { properties: new Map(), required: new Set(), types: new Set(), names: [], hasAlternatives: false };
  const value = schema.value;
  if (!isRecord(value) || depth > MAX_SHAPE_DEPTH || seen.has(value)) return shape;
  seen.add(value);
  const componentName = componentSchemaName(schema.at);
  if (componentName) shape.names.push(componentName);
  const type = value.type;
  for (const t of Array.isArray(type) ? type : type !== undefined ? [type] : []) shape.types.add(String(t));
  if (value.nullable === true) shape.types.add('null');
  if (isRecord(value.properties)) {
    for (const [name, raw] of Object.entries(value.properties)) {
      shape.properties.set(name, context.resolve(raw, [...schema.at, 'properties', name], schema.doc));
    }
    if (shape.types.size === 0) shape.types.add('object');
  }
  if (Array.isArray(value.required)) for (const name of value.required) shape.required.add(String(name));
  if ('items' in value && !Array.isArray(value.items)) {
    shape.items = context.resolve(value.items, [...schema.at, 'items'], schema.doc);
    if (shape.types.size === 0) shape.types.add('array');
  }
  if (Array.isArray(value.allOf)) {
    value.allOf.forEach((member, index) => {
      const inner = readShape(context, context.resolve(member, [...schema.at, 'allOf', index], schema.doc), depth + 1, seen);
      for (const [name, property] of inner.properties) if (!shape.properties.has(name)) shape.properties.set(name, property);
      for (const name of inner.required) shape.required.add(name);
      for (const t of inner.types) shape.types.add(t);
      shape.names.push(...inner.names);
      shape.items ??= inner.items;
      shape.hasAlternatives ||= inner.hasAlternatives;
    });
  }
  if (Array.isArray(value.oneOf) || Array.isArray(value.anyOf)) shape.hasAlternatives = true;
  return shape;
}

/** `['components', 'schemas', 'User']` -> 'User' (2.0: `['definitions', 'User']`). */
export function componentSchemaName(at: JsonPath): string | undefined {
  if (at.length === 3 && at[0] === 'components' && at[1] === 'schemas') return String(at[2]);
  if (at.length === 2 && at[0] === 'definitions') return String(at[1]);
  return undefined;
}

/** Component schemas: `components.schemas` (3.x) or `definitions` (2.0). */
export function componentSchemas(context: SpecContext): { name: string; schema: Resolved; at: JsonPath }[] {
  const base: JsonPath = context.isSwagger2 ? ['definitions'] : ['components', 'schemas'];
  const container = context.isSwagger2 ? context.root.definitions : isRecord(context.root.components) ? context.root.components.schemas : undefined;
  if (!isRecord(container)) return [];
  return Object.entries(container).map(([name, raw]) => ({ name, schema: context.resolve(raw, [...base, name]), at: [...base, name] }));
}

/** Text an operation uses to describe itself: operationId, summary, description (lower-cased). */
export function operationWords(operation: Operation): string {
  const { operationId, summary, description } = operation.operation;
  return [operationId, summary, description].filter((part) => typeof part === 'string').join(' ');
}

/** Splits `createUserSession`, `create_user-session` into ['create', 'user', 'session']. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** The response object key actually present for a status, trying '404' and 404 and '4XX'. */
export function responseFor(context: SpecContext, operation: Operation, status: string) {
  return context.responses(operation).find((entry) => entry.status === status);
}
