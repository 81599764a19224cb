import ts from 'typescript';
import { commonAffixes } from '../text';
import type { SourceSpan } from './model';

/** Small readers over the TypeScript syntax tree, shared by the Express and Nest extractors. */

export function parseSource(file: string, text: string): ts.SourceFile {
  const kind = /\.(m?js|cjs)$/i.test(file) ? ts.ScriptKind.JS : /\.tsx$/i.test(file) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

/**
 * The syntax tree of `text`, reusing the unchanged nodes of `previous` (the tree of the same file's
 * previous text): TypeScript's incremental parser, several times faster on a typed character.
 * `previous` is no longer valid afterwards (its reused nodes are moved), so only a caller that
 * will never read the old tree again may pass it: the editor, for the file being typed in.
 */
export function reparseSource(previous: ts.SourceFile, text: string): ts.SourceFile {
  const { prefix, suffix } = commonAffixes(previous.text, text);
  const oldLength = previous.text.length - suffix - prefix;
  const newLength = text.length - suffix - prefix;
  const updated = ts.updateSourceFile(previous, text, { span: { start: prefix, length: oldLength }, newLength });
  const order = nodeOrders.get(previous);
  if (order) inheritedOrders.set(updated, order);
  return updated;
}

export function spanOf(node: ts.Node, file: string): SourceSpan {
  const sourceFile = node.getSourceFile();
  return { file, start: node.getStart(sourceFile), end: node.getEnd() };
}

/** The value of a string literal or a template without substitutions. */
export function stringValue(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return stringValue(node.expression);
  return undefined;
}

export function numberValue(node: ts.Node | undefined): number | undefined {
  if (node && ts.isNumericLiteral(node)) return Number(node.text.replace(/_/g, ''));
  if (node && ts.isPropertyAccessExpression(node)) return statusFromName(node.name.text);
  return undefined;
}

/** `foo.bar.baz` -> 'foo.bar.baz'; `this.repo.find` -> 'this.repo.find'. */
export function expressionText(node: ts.Node): string {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(node)) return `${expressionText(node.expression)}.${node.name.text}`;
  if (ts.isCallExpression(node)) return `${expressionText(node.expression)}()`;
  if (ts.isElementAccessExpression(node)) return `${expressionText(node.expression)}[]`;
  if (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) return expressionText(node.expression);
  return '';
}

/** The name a middleware/guard argument is known by: `requireAuth`, `passport.authenticate`, `AuthGuard`. */
export function calleeName(node: ts.Node): string {
  if (ts.isCallExpression(node)) return calleeName(node.expression);
  if (ts.isNewExpression(node)) return calleeName(node.expression);
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return expressionText(node);
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(calleeName).join(',');
  return '';
}

/**
 * A file's nodes in the order `ts.forEachChild` visits them, with where each subtree ends, where
 * each node starts and its kind: built once per syntax tree, so the many rules and extractors that
 * look through a file iterate arrays instead of each re-walking the tree. The indices of one kind's
 * nodes are listed on the first request for that kind, so that rules looking for a few kinds
 * (calls, `if`, `throw`) visit only those.
 */
interface NodeOrder {
  nodes: ts.Node[];
  subtreeEnd: Int32Array;
  starts: Int32Array;
  kinds: Uint16Array;
  byKind: (Int32Array | undefined)[];
}
const nodeOrders = new WeakMap<ts.SourceFile, NodeOrder>();
/**
 * The order of the tree an incrementally updated tree came from (see reparseSource). Only the order
 * is kept, never the old tree, so versions do not chain in memory.
 */
const inheritedOrders = new WeakMap<ts.SourceFile, NodeOrder>();

/** Appends nodes to an order under construction; the typed arrays grow by doubling. */
class NodeOrderBuilder {
  readonly nodes: ts.Node[] = [];
  private subtreeEnd: Int32Array;
  private starts: Int32Array;
  private kinds: Uint16Array;

  constructor(capacity: number) {
    this.subtreeEnd = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.kinds = new Uint16Array(capacity);
  }

  /** Adds `node` and its subtree, walked. */
  readonly walk = (node: ts.Node): void => {
    const index = this.nodes.length;
    this.reserve(index + 1);
    this.nodes.push(node);
    this.starts[index] = node.pos;
    this.kinds[index] = node.kind;
    ts.forEachChild(node, this.walk);
    this.subtreeEnd[index] = this.nodes.length;
  };

  /** Adds the subtree at `from` in `previous`, whose nodes are this tree's too (moved, not changed). */
  copy(previous: NodeOrder, from: number): void {
    const end = previous.subtreeEnd[from];
    const at = this.nodes.length;
    this.reserve(at + end - from);
    // The incremental parser shifted the whole subtree by one distance (it lies on one side of the edit).
    const moved = previous.nodes[from].pos - previous.starts[from];
    const shift = at - from;
    for (let index = from; index < end; index++) {
      this.nodes.push(previous.nodes[index]);
      this.subtreeEnd[index + shift] = previous.subtreeEnd[index] + shift;
      this.starts[index + shift] = previous.starts[index] + moved;
    }
    this.kinds.set(previous.kinds.subarray(from, end), at);
  }

  /** Adds the root alone: its children are added next, walked or copied. */
  addRoot(node: ts.SourceFile): void {
    this.reserve(1);
    this.nodes.push(node);
    this.starts[0] = node.pos;
    this.kinds[0] = node.kind;
  }

  /** The root's subtree ends with the last node added. */
  closeRoot(): void {
    this.subtreeEnd[0] = this.nodes.length;
  }

  finish(): NodeOrder {
    const length = this.nodes.length;
    return { nodes: this.nodes, subtreeEnd: this.subtreeEnd.subarray(0, length), starts: this.starts.subarray(0, length), kinds: this.kinds.subarray(0, length), byKind: [] };
  }

  private reserve(size: number): void {
    if (size <= this.starts.length) return;
    const capacity = Math.max(size, this.starts.length * 2);
    const grow = <T extends Int32Array | Uint16Array>(array: T, created: T): T => { created.set(array); return created; };
    this.subtreeEnd = grow(this.subtreeEnd, new Int32Array(capacity));
    this.starts = grow(this.starts, new Int32Array(capacity));
    this.kinds = grow(this.kinds, new Uint16Array(capacity));
  }
}

function nodeOrderOf(source: ts.SourceFile): NodeOrder {
  let order = nodeOrders.get(source);
  if (order) return order;
  const previous = inheritedOrders.get(source);
  inheritedOrders.delete(source);
  const builder = new NodeOrderBuilder(previous ? previous.nodes.length + 1024 : Math.max(1024, source.text.length >> 2));
  if (!previous) {
    builder.walk(source);
  } else {
    // The incremental parser moves whole unchanged statements into the new tree (same objects,
    // same children, positions shifted in place): their part of the order is copied from the
    // previous one instead of walked, and only the statements an edit touched are walked.
    const previousStatements = new Map<ts.Node, number>();
    for (let index = 1; index < previous.nodes.length; index = Math.max(index + 1, previous.subtreeEnd[index])) previousStatements.set(previous.nodes[index], index);
    builder.addRoot(source);
    ts.forEachChild(source, (statement) => {
      const from = previousStatements.get(statement);
      if (from === undefined) builder.walk(statement);
      else builder.copy(previous, from);
    });
    builder.closeRoot();
  }
  nodeOrders.set(source, order = builder.finish());
  return order;
}

/**
 * The first index of the cached order whose recorded start or kind is not its node's (undefined when
 * all agree): tests check the copied parts of an order with it, since a wrong start only makes
 * `indexInOrder` miss and the walks fall back to a slower but equal result.
 */
export function nodeOrderMismatch(source: ts.SourceFile): number | undefined {
  const { nodes, starts, kinds } = nodeOrderOf(source);
  for (let index = 0; index < nodes.length; index++) if (starts[index] !== nodes[index].pos || kinds[index] !== nodes[index].kind) return index;
  return undefined;
}

/**
 * The indices of the nodes of `kind`, ascending. The first request lists every kind in one pass
 * (a counting sort of the order): an analysis asks for a dozen kinds, and a pass per kind over a
 * large file's thirty thousand nodes cost more than the lists.
 */
function indicesOfKind(order: NodeOrder, kind: ts.SyntaxKind): Int32Array {
  if (order.byKind.length === 0) listEveryKind(order);
  return order.byKind[kind] ?? NO_INDICES;
}
const NO_INDICES = new Int32Array(0);

function listEveryKind(order: NodeOrder): void {
  const { kinds } = order;
  const counts = new Int32Array(ts.SyntaxKind.Count + 1);
  for (let index = 0; index < kinds.length; index++) counts[kinds[index]]++;
  const lists: (Int32Array | undefined)[] = new Array(counts.length);
  for (let kind = 0; kind < counts.length; kind++) if (counts[kind] > 0) lists[kind] = new Int32Array(counts[kind]);
  counts.fill(0);
  for (let index = 0; index < kinds.length; index++) { const kind = kinds[index]; lists[kind]![counts[kind]++] = index; }
  order.byKind = lists;
}

/** The first position in the ascending `indices` holding a value >= `value`. */
function lowerBound(indices: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = indices.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (indices[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Where `node` sits in the order. Positions never decrease along it (a child starts at or after its
 * parent, a sibling where the previous one ended), so a binary search finds the first node starting
 * where `node` does, and the few nodes sharing that start are compared by identity.
 */
function indexInOrder(order: NodeOrder, node: ts.Node): number | undefined {
  const { starts, nodes } = order;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (starts[middle] < node.pos) low = middle + 1;
    else high = middle;
  }
  for (let index = low; index < starts.length && starts[index] === node.pos; index++) {
    if (nodes[index] === node) return index;
  }
  return undefined;
}

/** Visits every node under `node` in `ts.forEachChild` order; `'skip'` skips that node's subtree. */
export function forEachDescendant(node: ts.Node, visit: (node: ts.Node) => void | 'skip'): void {
  const { order, start } = placeInOrder(node);
  if (!order || start === undefined) {
    // A node outside any parsed file's tree (synthesized): walk it.
    const walk = (child: ts.Node) => {
      if (visit(child) === 'skip') return;
      ts.forEachChild(child, walk);
    };
    ts.forEachChild(node, walk);
    return;
  }
  const { nodes, subtreeEnd } = order;
  const end = subtreeEnd[start];
  for (let index = start + 1; index < end;) {
    index = visit(nodes[index]) === 'skip' ? subtreeEnd[index] : index + 1;
  }
}

/**
 * Visits the nodes under `node` of the given kinds, in `ts.forEachChild` order: what most rules
 * look for (calls, `new`, throws) is a small part of a file, and the order lists each kind's nodes,
 * so only those are visited (the lists of several kinds are merged to keep the walk order).
 */
export function forEachDescendantOfKind(node: ts.Node, kinds: readonly ts.SyntaxKind[], visit: (node: ts.Node) => void): void {
  const { order, start } = placeInOrder(node);
  if (!order || start === undefined) {
    forEachDescendant(node, (child) => { if (kinds.includes(child.kind)) visit(child); });
    return;
  }
  const { nodes, subtreeEnd } = order;
  const end = subtreeEnd[start];
  const lists: Int32Array[] = [];
  const cursors: number[] = [];
  for (const kind of kinds) {
    const list = indicesOfKind(order, kind);
    if (lists.includes(list)) continue;
    const cursor = lowerBound(list, start + 1);
    if (cursor < list.length && list[cursor] < end) { lists.push(list); cursors.push(cursor); }
  }
  if (lists.length === 1) {
    const list = lists[0];
    for (let cursor = cursors[0]; cursor < list.length && list[cursor] < end; cursor++) visit(nodes[list[cursor]]);
    return;
  }
  for (;;) {
    // The smallest next index among the kinds' lists.
    let next = end;
    let which = -1;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      if (cursors[i] < list.length && list[cursors[i]] < next) { next = list[cursors[i]]; which = i; }
    }
    if (which < 0) return;
    cursors[which]++;
    visit(nodes[next]);
  }
}

function placeInOrder(node: ts.Node): { order?: NodeOrder; start?: number } {
  const source = ts.isSourceFile(node) ? node : node.parent ? node.getSourceFile() : undefined;
  const order = source && nodeOrderOf(source);
  return { order, start: !order ? undefined : node === source ? 0 : indexInOrder(order, node) };
}

export function isFunctionLike(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration | ts.MethodDeclaration {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node);
}

/** Decorator calls on a node: `@Get(':id')` -> { name: 'Get', args }. */
export function decoratorsOf(node: ts.Node): { name: string; args: readonly ts.Expression[]; node: ts.Decorator }[] {
  const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
  return decorators.map((decorator) => {
    const expression = decorator.expression;
    if (ts.isCallExpression(expression)) return { name: calleeName(expression.expression), args: expression.arguments, node: decorator };
    return { name: calleeName(expression), args: [], node: decorator };
  });
}

/** Names of an object literal's properties (`{ error: 'x', code }` -> ['error', 'code']). */
export function objectKeys(node: ts.ObjectLiteralExpression): string[] {
  return node.properties.flatMap((property) => {
    if (ts.isSpreadAssignment(property)) return ['...'];
    const name = property.name;
    if (!name) return [];
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return [name.text];
    return [];
  });
}

export function objectProperty(node: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const property of node.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === key) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === key) return property.name;
  }
  return undefined;
}

const STATUS_NAMES: Record<string, number> = {
  OK: 200, CREATED: 201, ACCEPTED: 202, NO_CONTENT: 204, MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, NOT_MODIFIED: 304,
  TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308, BAD_REQUEST: 400, UNAUTHORIZED: 401, PAYMENT_REQUIRED: 402, FORBIDDEN: 403, NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405, NOT_ACCEPTABLE: 406, REQUEST_TIMEOUT: 408, CONFLICT: 409, GONE: 410, PRECONDITION_FAILED: 412, PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_ENTITY: 422, UNPROCESSABLE_CONTENT: 422, TOO_MANY_REQUESTS: 429, INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503, GATEWAY_TIMEOUT: 504,
};

/** `HttpStatus.NOT_FOUND`, `StatusCodes.NOT_FOUND`, `httpStatus.NotFound` -> 404. */
export function statusFromName(name: string): number | undefined {
  const normalised = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return STATUS_NAMES[normalised];
}

/** Nest's built-in HTTP exceptions and their status codes. */
export const NEST_EXCEPTIONS: Record<string, number> = {
  BadRequestException: 400, UnauthorizedException: 401, ForbiddenException: 403, NotFoundException: 404, MethodNotAllowedException: 405,
  NotAcceptableException: 406, RequestTimeoutException: 408, ConflictException: 409, GoneException: 410, PreconditionFailedException: 412,
  PayloadTooLargeException: 413, UnsupportedMediaTypeException: 415, ImATeapotException: 418, MisdirectedException: 421,
  UnprocessableEntityException: 422, InternalServerErrorException: 500, NotImplementedException: 501, BadGatewayException: 502,
  ServiceUnavailableException: 503, GatewayTimeoutException: 504, HttpVersionNotSupportedException: 505,
};
