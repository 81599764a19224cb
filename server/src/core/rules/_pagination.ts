import ts from 'typescript';
import type { JsonPath, TextEdit } from '../types';
import { setMapEntry, yamlScalar } from '../spec/edits';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import { contentSchemas, isCollectionPath, isSuccessStatus, pathSegments, schemaShape } from '../engine/spec-helpers';
import { charAt, type SpecDocument } from '../spec/document';
import { expressionText, forEachDescendant, forEachDescendantOfKind } from '../code/ast';
import type { ExtractedRoute } from '../code/extract';

/** Shared readings for the pagination rules (spec and code). */

export const LIMIT_NAMES = /^(limit|page_?size|pagesize|per_?page|perpage|max_?results|max_?items|max_?records|take|\$top|top|first|size|count|page\[size\]|page\[limit\])$/i;
/** Names that are a page size without needing context (`size`, `count`, `top`, `first` need a paging sibling). */
const STRONG_LIMIT_NAMES = /^(limit|page_?size|pagesize|per_?page|perpage|max_?results|max_?items|max_?records|take|\$top|page\[size\]|page\[limit\])$/i;
export const CURSOR_NAMES = /^(cursor|page_?cursor|next_?cursor|after|before|starting_?after|ending_?before|(next_?)?page_?token|continuation(_?token)?|marker|since_?id|max_?id|page\[after\]|page\[before\]|page\[cursor\])$/i;
/** Cursor names that can only mean a cursor (not a timestamp or an id filter). */
export const STRICT_CURSOR_NAMES = /^(cursor|page_?cursor|next_?cursor|(next_?)?page_?token|continuation(_?token)?|page\[cursor\])$/i;
export const OFFSET_NAMES = /^(offset|skip|\$skip|start_?index|page|page_?number|pagenumber|page\[number\]|page\[offset\])$/i;
export const SORT_NAMES = /^(sort|sort_?by|sortby|order_?by|orderby|ordering|sort_?field|\$orderby)$/i;
export const ADMIN_WORDS = /(^|[^a-z])(admin|administration|backoffice|back-office|internal|staff|ops|console|management)([^a-z]|$)/i;

export interface QueryParam {
  name: string;
  /** The resolved parameter object. */
  value: Record<string, unknown>;
  /** Where the parameter object lives (the component when `$ref`'d). */
  at: JsonPath;
  doc: SpecDocument;
  viaRef: boolean;
  /** The list entry in the operation or path item (the `$ref` when `$ref`'d). */
  rawAt: JsonPath;
  rawDoc: SpecDocument;
  /** The resolved schema (3.x `schema`; 2.0 the parameter itself). */
  schema: Resolved<Record<string, unknown>>;
}

/** Query parameters of an operation, path-item ones merged in; undefined when a `$ref` fails (stay silent). */
export function queryParams(context: SpecContext, op: Operation): QueryParam[] | undefined {
  const byName = new Map<string, QueryParam>();
  let failed = false;
  const collect = (list: unknown, at: JsonPath) => {
    if (!Array.isArray(list)) return;
    list.forEach((raw, index) => {
      const resolved = context.resolve<Record<string, unknown>>(raw, [...at, index], op.doc);
      if (resolved.failure) { failed = true; return; }
      const value = resolved.value;
      if (!isRecord(value)) return;
      if (value.in !== 'query' || typeof value.name !== 'string') { byName.delete(`${value.in}:${value.name}`); return; }
      const schema = context.isSwagger2
        ? { value, doc: resolved.doc, at: resolved.at, viaRef: false }
        : context.resolve<Record<string, unknown>>(value.schema, [...resolved.at, 'schema'], resolved.doc);
      if (schema.failure) { failed = true; return; }
      byName.set(`query:${value.name}`, { name: value.name, value, at: resolved.at, doc: resolved.doc, viaRef: resolved.viaRef, rawAt: [...at, index], rawDoc: op.doc, schema: schema as Resolved<Record<string, unknown>> });
    });
  };
  collect(op.pathItem.parameters, [...op.pathItemAt, 'parameters']);
  collect(op.operation.parameters, [...op.at, 'parameters']);
  return failed ? undefined : [...byName.values()];
}

/** Every parameter name of an operation, whatever `in` (for "is there any paging at all"). */
export function allParameterNames(context: SpecContext, op: Operation): string[] {
  return context.parameters(op).map((p) => String(p.value.name ?? ''));
}

/** The types a (resolved) schema declares, following one `$ref` and `allOf`. */
export function schemaTypes(context: SpecContext, schema: Resolved): ReadonlySet<string> {
  return schemaShape(context, schema).types;
}

/** A schema keyword looked up through `allOf` members (first hit). */
export function schemaKeyword(context: SpecContext, schema: Resolved, key: string, depth = 0): unknown {
  const value = schema.value;
  if (!isRecord(value) || depth > 6) return undefined;
  if (key in value) return value[key];
  if (Array.isArray(value.allOf)) {
    for (let i = 0; i < value.allOf.length; i++) {
      const found = schemaKeyword(context, context.resolve(value.allOf[i], [...schema.at, 'allOf', i], schema.doc), key, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export function isIntegerLike(context: SpecContext, schema: Resolved): boolean {
  const types = schemaTypes(context, schema);
  if (types.has('integer') || types.has('number')) return true;
  if (types.has('string')) {
    const format = schemaKeyword(context, schema, 'format');
    const pattern = schemaKeyword(context, schema, 'pattern');
    return format === 'int32' || format === 'int64' || (typeof pattern === 'string' && /^\^?\[0-9\]\+\$?$|^\^?\\d\+\$?$/.test(pattern));
  }
  return false;
}

export interface ListResponse {
  status: string;
  statusAt: JsonPath;
  /** The response schema (resolved) and where it is written in the operation. */
  schema: Resolved;
  schemaAt: JsonPath;
  /** 'array': a bare array; 'envelope': an object with one list property. */
  kind: 'array' | 'envelope';
  /** The array schema (the response itself or the list property). */
  array: Resolved<Record<string, unknown>>;
  /** Envelope: the list property's name. */
  listKey?: string;
  /** Envelope: property names (top level and one level into meta/pagination/links objects, as `meta.next`). */
  keys: string[];
}

const LIST_KEYS = /^(data|items|results|records|entries|elements|list|values|content|nodes|edges|hits|rows|objects|resources|collection|_embedded)$/i;
const NESTED_PAGING_KEYS = /^(meta|metadata|pagination|paging|page_?info|page|links|_links|cursor|cursors)$/i;

/**
 * The list a GET operation returns: its first JSON 2xx response whose schema is an array or an
 * envelope with one array property. Undefined when there is none or the shape is uncertain.
 */
export function listResponse(context: SpecContext, op: Operation): ListResponse | undefined {
  const entries = context.responses(op).filter((entry) => isSuccessStatus(entry.status)).sort((a, b) => a.status.localeCompare(b.status));
  for (const entry of entries) {
    if (entry.response.failure) return undefined;
    const schemas = contentSchemas(context, entry.response, op).filter((m) => /json/i.test(m.mediaType) || m.mediaType === '*/*');
    const first = schemas[0];
    if (!first) continue;
    if (first.schema.failure) return undefined;
    const shape = schemaShape(context, first.schema);
    if (shape.hasAlternatives) return undefined;
    if (shape.types.has('array') && shape.properties.size === 0) {
      return { status: entry.status, statusAt: entry.at, schema: first.schema, schemaAt: first.at, kind: 'array', array: first.schema as Resolved<Record<string, unknown>>, keys: [] };
    }
    if (!shape.types.has('object') && shape.properties.size === 0) return undefined;
    const arrays = [...shape.properties].filter(([, property]) => {
      if (property.failure) return false;
      const inner = schemaShape(context, property);
      return inner.types.has('array') && !inner.hasAlternatives;
    });
    const listed = arrays.filter(([name]) => LIST_KEYS.test(name));
    const list = listed.length === 1 ? listed[0] : arrays.length === 1 ? arrays[0] : undefined;
    if (!list) return undefined;
    const keys: string[] = [];
    for (const [name, property] of shape.properties) {
      keys.push(name);
      if (NESTED_PAGING_KEYS.test(name) && !property.failure) {
        const inner = schemaShape(context, property);
        if (inner.types.has('object') || inner.properties.size > 0) for (const innerName of inner.properties.keys()) keys.push(`${name}.${innerName}`);
      }
    }
    return { status: entry.status, statusAt: entry.at, schema: first.schema, schemaAt: first.at, kind: 'envelope', array: list[1] as Resolved<Record<string, unknown>>, listKey: list[0], keys };
  }
  return undefined;
}

/** A list the schema itself keeps small: `maxItems`, or items that are an enum (`/currencies`). */
export function isBoundedList(context: SpecContext, array: Resolved): boolean {
  if (typeof schemaKeyword(context, array, 'maxItems') === 'number') return true;
  const shape = schemaShape(context, array);
  if (!shape.items || shape.items.failure) return false;
  return Array.isArray(schemaKeyword(context, shape.items, 'enum')) || schemaKeyword(context, shape.items, 'const') !== undefined;
}

/** GET on a collection path (`/orders`, `/users/{userId}/sessions`), not a webhook. */
export function isCollectionGet(op: Operation): boolean {
  return op.method === 'get' && isCollectionPath(op.path);
}

/** Admin, backoffice or internal operation: path segment, tag, `x-internal`, or its words. */
export function isBackofficeOperation(context: SpecContext, op: Operation): boolean {
  if (op.operation['x-internal'] === true || op.pathItem['x-internal'] === true) return true;
  if (pathSegments(op.path).some((segment) => !segment.isParameter && ADMIN_WORDS.test(segment.text))) return true;
  const tags = Array.isArray(op.operation.tags) ? op.operation.tags.map(String) : [];
  if (tags.some((tag) => ADMIN_WORDS.test(tag))) return true;
  const words = [op.operation.operationId, op.operation.summary].filter((w) => typeof w === 'string').join(' ');
  return /\b(admin|backoffice|back-office|internal)\b/i.test(words.replace(/([a-z])([A-Z])/g, '$1 $2'));
}

/** True when some parameter (query or header) pages the list. */
export function hasPagingParameter(names: string[]): boolean {
  const lower = names.map((n) => n.toLowerCase());
  if (lower.some((n) => STRONG_LIMIT_NAMES.test(n) || CURSOR_NAMES.test(n) || OFFSET_NAMES.test(n) || /^(range|x-page|x-cursor|x-limit|page)/.test(n))) return true;
  return lower.some((n) => /page|cursor|limit|token|offset/.test(n));
}

export function isLimitName(name: string, siblings: string[]): boolean {
  if (STRONG_LIMIT_NAMES.test(name)) return true;
  if (!LIMIT_NAMES.test(name)) return false;
  // `size`, `count`, `top`, `first` mean a page size only next to a page/offset/cursor.
  return siblings.some((s) => s !== name && (OFFSET_NAMES.test(s) || CURSOR_NAMES.test(s)));
}

// ---------------------------------------------------------------------------------------- code

/** A route path of a collection: the last segment is static (`/orders`, `/users/:id/sessions`). */
export function isCollectionRoute(route: ExtractedRoute): boolean {
  const segments = route.path.split('/').filter(Boolean);
  if (segments.length === 0) return false;
  const last = segments[segments.length - 1];
  return !/^[:{*]/.test(last) && !/[:{*]/.test(last);
}

export function isBackofficeRoute(route: ExtractedRoute): boolean {
  if (route.path.split('/').some((segment) => ADMIN_WORDS.test(segment))) return true;
  if (route.middleware.some((m) => /admin|staff|backoffice|internal/i.test(m.name))) return true;
  return !!route.nestController && /Admin|Backoffice|Internal/.test(route.nestController.className);
}

/** The store-call expression nodes of a route (the CallExpressions the model found). */
export function storeCallNodes(route: ExtractedRoute, source: ts.SourceFile): { call: ExtractedRoute['storeCalls'][number]; node: ts.CallExpression }[] {
  const handler = route.handlerNode;
  if (!handler) return [];
  const result: { call: ExtractedRoute['storeCalls'][number]; node: ts.CallExpression }[] = [];
  if (route.storeCalls.length === 0) return result;
  forEachDescendantOfKind(handler, [ts.SyntaxKind.CallExpression], (node) => {
    const start = node.getStart(source);
    const call = route.storeCalls.find((c) => c.span.start === start && c.span.end === node.getEnd());
    if (call) result.push({ call, node: node as ts.CallExpression });
  });
  return result;
}

/** Calls chained after a call: `Model.find().skip(x).limit(y)` from `find(...)`. */
export function chainedCalls(node: ts.CallExpression): { method: string; node: ts.CallExpression }[] {
  const chain: { method: string; node: ts.CallExpression }[] = [];
  let current: ts.Node = node;
  while (current.parent && ts.isPropertyAccessExpression(current.parent) && current.parent.parent && ts.isCallExpression(current.parent.parent)) {
    chain.push({ method: current.parent.name.text, node: current.parent.parent });
    current = current.parent.parent;
  }
  return chain;
}

/** The names of the query fields a route reads (`req.query.limit`, `@Query('limit')`). */
export function queryNames(route: ExtractedRoute): string[] {
  return route.params.filter((p) => p.in === 'query').map((p) => p.name);
}

/** `req.query.x`, `req.query['x']`, `request.query.x` -> 'x'. */
export function queryFieldOf(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node) && /^(req|request)\.query$/.test(expressionText(node.expression))) return node.name.text;
  if (ts.isElementAccessExpression(node) && /^(req|request)\.query$/.test(expressionText(node.expression)) && ts.isStringLiteral(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

/** Strips wrappers that do not change what a value is: parentheses, `as`, `!`, `await`. */
export function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isAwaitExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
    else return current;
  }
}

/**
 * What a local `name` was declared from inside `scope`: `const limit = X` -> { expression: X };
 * `const { limit } = req.query` -> { expression: req.query, property: 'limit' }. Undefined when it
 * is declared more than once, or destructured with a default.
 */
export function localInitializer(scope: ts.Node, name: string): { expression: ts.Expression; property?: string } | undefined {
  let found: { expression: ts.Expression; property?: string } | undefined;
  let count = 0;
  forEachDescendant(scope, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      count++;
      found = { expression: node.initializer };
    }
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      for (const element of node.name.elements) {
        if (!ts.isIdentifier(element.name) || element.name.text !== name) continue;
        count++;
        const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : name;
        found = element.initializer ? undefined : { expression: node.initializer, property: key };
      }
    }
    return undefined;
  });
  return count === 1 ? found : undefined;
}

/** The parameters of the handler function (Nest: the decorated method parameters). */
export function handlerParameter(route: ExtractedRoute, name: string): ts.ParameterDeclaration | undefined {
  const handler = route.handlerNode;
  if (!handler || !(ts.isFunctionLike(handler))) return undefined;
  return (handler as ts.SignatureDeclaration).parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
}

/**
 * Adds `key: value` to the map at `mapPath`, including a YAML flow map (`{ type: integer }`), which
 * setMapEntry would otherwise extend with a block line.
 */
export function addMapKey(doc: SpecDocument, mapPath: JsonPath, key: string, value: unknown): TextEdit {
  if (!doc.has([...mapPath, key])) {
    const span = doc.locate(mapPath, 'value');
    const oneLine = !doc.slice(span.start, span.end).includes('\n');
    if (charAt(doc, span.start) === '{' && (doc.format === 'yaml' || oneLine)) {
      let close = span.end;
      while (close > span.start && charAt(doc, close - 1) !== '}') close--;
      let insertAt = close - 1;
      while (insertAt > span.start && /\s/.test(charAt(doc, insertAt - 1))) insertAt--;
      const empty = insertAt === span.start + 1;
      const rendered = doc.format === 'json' ? `${JSON.stringify(key)}: ${JSON.stringify(value)}` : `${yamlScalar(key)}: ${yamlScalar(value)}`;
      const text = `${empty ? ' ' : ', '}${rendered}${empty ? ' ' : ''}`;
      return { uri: doc.uri, start: insertAt, end: insertAt, newText: text };
    }
  }
  return setMapEntry(doc, mapPath, key, value);
}
