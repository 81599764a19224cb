import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Document as YamlDocument } from 'yaml';
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { commonAffixes, LineIndex, type OffsetRange } from '../text';
import { JsonPositions } from './json-positions';
import { maxNesting } from '../engine/input-limits';
import type { JsonPath } from '../types';

export type OasVersion = '2.0' | '3.0' | '3.1' | '3.2';
export type DocumentFormat = 'yaml' | 'json';

export interface SyntaxProblem { message: string; span: OffsetRange }

/**
 * A parsed OpenAPI document: its plain value for rules to read, and a way back from any JSON path
 * to the exact source range. Built once per text version; rules never re-parse.
 */
export interface SpecDocument {
  uri: string;
  /**
   * The whole text. The editor's large documents are held in pieces and join them on first read
   * (a 10 MB copy): code on the typing path reads `slice`, `indexOf` and `lines` instead.
   */
  readonly text: string;
  /** `text.slice(start, end)`, without joining a document held in pieces. */
  slice(start: number, end: number): string;
  format: DocumentFormat;
  lines: LineIndex;
  /** The plain JS value (maps are objects, sequences arrays). Shared anchors are shared objects. */
  root: unknown;
  /** Declared version family, or undefined when the document declares none we know. */
  version?: OasVersion;
  /** The version string as written (`3.1.0`, `2.0`). */
  versionText?: string;
  syntaxErrors: SyntaxProblem[];
  /** Source range of the node at `path` (its key when `part` is 'key'); falls back to the nearest ancestor. */
  locate(path: JsonPath, part?: 'key' | 'value'): OffsetRange;
  /** True when the exact node exists in the source (no fallback). */
  has(path: JsonPath): boolean;
  /** Indentation unit used by the file (spaces). */
  indentUnit: number;
  /**
   * The text's nesting (see engine/input-limits), when the parser can tell it without reading the
   * whole text again: the editor's chunked parser keeps it per chunk.
   */
  nesting?: () => Nesting;
  /**
   * `text.indexOf(needle, from)` for a needle without a line break, without joining a document held
   * in pieces; the chunked parser keeps each chunk's answer for searches from the start.
   */
  indexOf(needle: string, from?: number): number;
}

export interface Nesting { depth: number; offset: number }

const MAX_ALIAS_EXPANSION_DEPTH = 64;

/**
 * `previous`: the editor's previous version of the same document. A strict JSON document then
 * takes over its positions index when the edit allows it (see `JsonPositions.afterEdit`).
 */
export function parseSpecDocument(uri: string, text: string, format: DocumentFormat, previous?: SpecDocument): SpecDocument {
  return format === 'json' ? parseJson(uri, text, previous) : parseYaml(uri, text);
}

/** Which family a version string belongs to, e.g. '3.1.0' -> '3.1'. */
export function versionFamily(raw: unknown, key: 'openapi' | 'swagger'): OasVersion | undefined {
  const text = String(raw ?? '').trim();
  if (key === 'swagger') return /^2(\.0)?$/.test(text) ? '2.0' : undefined;
  const match = /^3\.([0-2])(\.|$)/.exec(text);
  return match ? (`3.${match[1]}` as OasVersion) : undefined;
}

function versionOf(root: unknown): { version?: OasVersion; versionText?: string } {
  if (!root || typeof root !== 'object' || Array.isArray(root)) return {};
  const record = root as Record<string, unknown>;
  if (record.openapi !== undefined) return { version: versionFamily(record.openapi, 'openapi'), versionText: String(record.openapi) };
  if (record.swagger !== undefined) return { version: versionFamily(record.swagger, 'swagger'), versionText: String(record.swagger) };
  return {};
}

function detectIndentUnit(text: string): number {
  const match = /\n( +)\S/.exec(text);
  return match ? Math.min(match[1].length, 8) : 2;
}

// ---------------------------------------------------------------- YAML

function parseYaml(uri: string, text: string): SpecDocument {
  const lineCounter = new LineCounter();
  // uniqueKeys: duplicate keys are reported as errors; aliases are resolved by our own walk below,
  // which shares the anchored value instead of copying it, so alias bombs cannot blow up memory.
  const yamlDoc: YamlDocument.Parsed = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: false });
  const syntaxErrors: SyntaxProblem[] = yamlDoc.errors.map((error) => ({
    message: cleanYamlMessage(error.message),
    span: { start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1) },
  }));
  const anchors = new Map<YamlNode, unknown>();
  const unresolvedAliases: SyntaxProblem[] = [];
  const root = yamlToValue(yamlDoc.contents as YamlNode | null, yamlDoc, anchors, 0, unresolvedAliases);
  syntaxErrors.push(...unresolvedAliases);
  const lines = new LineIndex(text);
  const whole = { start: 0, end: 0 };

  function find(path: JsonPath): { node?: YamlNode | null; key?: YamlNode | null; exact: boolean; nearest: OffsetRange } {
    let node = yamlDoc.contents as YamlNode | null;
    let keyNode: YamlNode | null = null;
    let nearest: OffsetRange = rangeOfYaml(node) ?? whole;
    for (let i = 0; i < path.length; i++) {
      if (node && isAlias(node)) node = node.resolve(yamlDoc) as YamlNode | null ?? null;
      const segment = path[i];
      let next: YamlNode | null | undefined;
      let nextKey: YamlNode | null = null;
      if (node && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) ? String(item.key.value) === String(segment) : false);
        if (pair) { next = pair.value as YamlNode | null; nextKey = pair.key as YamlNode; if (!next) next = null; }
        else next = undefined;
      } else if (node && isSeq(node) && typeof segment === 'number' || (node && isSeq(node) && /^\d+$/.test(String(segment)))) {
        next = (node as any).items[Number(segment)] as YamlNode | undefined;
      }
      if (next === undefined) return { exact: false, nearest };
      node = next;
      keyNode = nextKey;
      nearest = rangeOfYaml(node) ?? rangeOfYaml(keyNode) ?? nearest;
    }
    return { node, key: keyNode, exact: true, nearest };
  }

  return {
    uri, text, slice: (start, end) => text.slice(start, end), indexOf: (needle, from) => text.indexOf(needle, from), format: 'yaml', lines, root, ...versionOf(root), syntaxErrors, indentUnit: detectIndentUnit(text),
    locate(path, part = 'value') {
      const found = find(path);
      if (found.exact && part === 'key' && found.key) return rangeOfYaml(found.key) ?? found.nearest;
      if (found.exact && found.node == null && found.key) return rangeOfYaml(found.key) ?? found.nearest;
      return found.nearest;
    },
    has(path) { return find(path).exact; },
  };
}

function rangeOfYaml(node: YamlNode | null | undefined): OffsetRange | undefined {
  if (!node || !node.range) return undefined;
  return { start: node.range[0], end: node.range[1] };
}

function yamlToValue(node: YamlNode | null, doc: YamlDocument.Parsed, anchors: Map<YamlNode, unknown>, depth: number, problems: SyntaxProblem[]): unknown {
  if (!node) return null;
  if (isAlias(node)) {
    // Share the anchored value; an alias to a node still being built (a cycle) becomes null.
    const target = node.resolve(doc) as YamlNode | undefined;
    if (!target && node.range) problems.push({ message: `Unresolved alias *${node.source}: no anchor &${node.source} before it`, span: { start: node.range[0], end: node.range[1] } });
    if (!target || depth > MAX_ALIAS_EXPANSION_DEPTH) return null;
    return anchors.has(target) ? anchors.get(target) : null;
  }
  if (isScalar(node)) {
    const value = node.value;
    anchors.set(node, value);
    return value;
  }
  if (isMap(node)) {
    const object: Record<string, unknown> = {};
    anchors.set(node, object);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      // Merge keys (<<: *base) copy the base's entries, as YAML 1.1 tools do.
      if (isScalar(keyNode) && keyNode.value === '<<' && pair.value) {
        const merged = yamlToValue(pair.value as YamlNode, doc, anchors, depth + 1, problems);
        for (const source of Array.isArray(merged) ? merged : [merged]) {
          if (source && typeof source === 'object' && !Array.isArray(source)) {
            for (const [k, v] of Object.entries(source)) if (!(k in object)) object[k] = v;
          }
        }
        continue;
      }
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode) : '';
      if (key === '__proto__') continue;
      object[key] = yamlToValue(pair.value as YamlNode | null, doc, anchors, depth + 1, problems);
    }
    return object;
  }
  if (isSeq(node)) {
    const array: unknown[] = [];
    anchors.set(node, array);
    for (const item of node.items) array.push(yamlToValue(item as YamlNode | null, doc, anchors, depth + 1, problems));
    return array;
  }
  return null;
}

function cleanYamlMessage(message: string): string {
  // yaml appends a source excerpt after the first line; the position already says where.
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

// ---------------------------------------------------------------- JSON

function parseJson(uri: string, text: string, previous?: SpecDocument): SpecDocument {
  return parseStrictJson(uri, text, previous) ?? parseJsonTree(uri, text);
}

/**
 * What the next version of a strict JSON document takes over: the positions built so far (handed
 * over: the previous version builds its own again if it is ever asked), and the nesting read.
 */
const strictJsonState = new WeakMap<SpecDocument, { handOverPositions: () => JsonPositions | undefined; nesting: () => Nesting | undefined }>();

/**
 * Strict JSON (nearly every description): values from `JSON.parse`, positions indexed only when a
 * rule first asks for one. Anything `JSON.parse` rejects (comments, trailing commas, syntax errors)
 * goes through jsonc-parser's tree, which reports the errors with positions; so does a document
 * with a `__proto__` key, which `JSON.parse` keeps as an own property and the tree skips.
 */
function parseStrictJson(uri: string, text: string, previous?: SpecDocument): SpecDocument | undefined {
  const state = previous && strictJsonState.get(previous);
  const previousPositions = state?.handOverPositions();
  let before = previous && previousPositions ? { text: previous.text, positions: previousPositions, ...commonAffixes(previous.text, text) } : undefined;
  const edited = previous && before && state && editInOneString(previous, text, before, state.nesting());
  if (edited) return edited;
  if (text.includes('"__proto__"')) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  // The previous positions serve only an edit inside one string, and are let go once used.
  return strictJsonDocument(uri, text, root, () => {
    if (!before) return undefined;
    const { text: previousText, positions, prefix, suffix } = before;
    before = undefined;
    return positions.afterEdit(previousText, text, prefix, previousText.length - suffix, text.length - suffix);
  });
}

/**
 * The next version of a strict JSON document when the edit lies inside one string value (typing
 * in a description): that string is parsed alone and set into a copy of the objects on its path;
 * every other value is the previous version's object, nothing else is parsed, and the positions
 * and nesting are the previous ones moved. Undefined for any other edit.
 */
function editInOneString(previous: SpecDocument, text: string, { positions, prefix, suffix }: { positions: JsonPositions; prefix: number; suffix: number }, nesting: Nesting | undefined): SpecDocument | undefined {
  const oldEnd = previous.text.length - suffix;
  const edit = positions.stringEdit(previous.text, text, prefix, oldEnd, text.length - suffix);
  if (!edit) return undefined;
  let value: unknown;
  try {
    // An edit that breaks an escape sequence (`\u00e9` losing a digit) makes the string invalid.
    value = JSON.parse(text.slice(edit.start, edit.end));
  } catch {
    return undefined;
  }
  const root = withValueAt(previous.root, edit.path, value);
  const delta = text.length - previous.text.length;
  // Brackets and line starts outside strings are unchanged: the deepest point only moves.
  const moved = nesting && { depth: nesting.depth, offset: nesting.offset >= oldEnd ? nesting.offset + delta : nesting.offset };
  return strictJsonDocument(previous.uri, text, root, edit.positions, moved);
}

/** A copy of `root` with `value` at `path`: the objects on the path are copied, all else shared. */
function withValueAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [segment, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[Number(segment)] = withValueAt(root[Number(segment)], rest, value);
    return copy;
  }
  const record = root as Record<string, unknown>;
  return { ...record, [segment]: withValueAt(record[segment], rest, value) };
}

function strictJsonDocument(uri: string, text: string, root: unknown, positionsFromPrevious: () => JsonPositions | undefined, knownNesting?: Nesting): SpecDocument {
  let positions: JsonPositions | undefined;
  let pending: (() => JsonPositions | undefined) | undefined = positionsFromPrevious;
  const fromPrevious = () => {
    if (!positions && pending) {
      positions = pending();
      pending = undefined;
    }
    return positions;
  };
  const indexed = () => fromPrevious() ?? (positions = new JsonPositions(text));
  let nesting = knownNesting;
  const doc: SpecDocument = {
    uri, text, slice: (start, end) => text.slice(start, end), indexOf: (needle, from) => text.indexOf(needle, from), format: 'json', lines: new LineIndex(text), root, ...versionOf(root), syntaxErrors: [], indentUnit: detectIndentUnit(text),
    locate: (path, part = 'value') => indexed().locate(path, part),
    has: (path) => indexed().has(path),
    nesting: () => (nesting ??= maxNesting(text)),
  };
  strictJsonState.set(doc, {
    // The next version moves the positions to its offsets: this one forgets them.
    handOverPositions: () => {
      const handed = fromPrevious();
      positions = undefined;
      return handed;
    },
    nesting: () => nesting,
  });
  return doc;
}

function parseJsonTree(uri: string, text: string): SpecDocument {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  const syntaxErrors = errors.map((error) => ({
    message: jsonErrorMessage(error),
    span: { start: error.offset, end: error.offset + Math.max(1, error.length) },
  }));
  const root = tree ? jsonToValue(tree) : null;
  const lines = new LineIndex(text);

  function find(path: JsonPath): { node?: JsonNode; key?: JsonNode; exact: boolean; nearest: OffsetRange } {
    let node = tree;
    let key: JsonNode | undefined;
    let nearest: OffsetRange = node ? { start: node.offset, end: node.offset + node.length } : { start: 0, end: 0 };
    for (const segment of path) {
      let next: JsonNode | undefined;
      let nextKey: JsonNode | undefined;
      if (node?.type === 'object') {
        const property = node.children?.find((child) => child.children?.[0]?.value === String(segment));
        next = property?.children?.[1];
        nextKey = property?.children?.[0];
      } else if (node?.type === 'array') {
        next = node.children?.[Number(segment)];
      }
      if (!next) return { exact: false, nearest };
      node = next;
      key = nextKey;
      nearest = { start: next.offset, end: next.offset + next.length };
    }
    return { node, key, exact: true, nearest };
  }

  return {
    uri, text, slice: (start, end) => text.slice(start, end), indexOf: (needle, from) => text.indexOf(needle, from), format: 'json', lines, root, ...versionOf(root), syntaxErrors, indentUnit: detectIndentUnit(text),
    locate(path, part = 'value') {
      const found = find(path);
      if (found.exact && part === 'key' && found.key) return { start: found.key.offset, end: found.key.offset + found.key.length };
      return found.nearest;
    },
    has(path) { return find(path).exact; },
  };
}

function jsonToValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || keyNode.value === '__proto__') continue;
        object[String(keyNode.value)] = valueNode ? jsonToValue(valueNode) : null;
      }
      return object;
    }
    case 'array': return (node.children ?? []).map(jsonToValue);
    default: return node.value;
  }
}

function jsonErrorMessage(error: ParseError): string {
  const code = printParseErrorCode(error.error);
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `JSON syntax error: ${words}`;
}

/** The character at `offset` ('' outside the text), without joining a document held in pieces. */
export function charAt(doc: SpecDocument, offset: number): string {
  return doc.slice(offset, offset + 1);
}
