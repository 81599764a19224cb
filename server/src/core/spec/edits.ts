import { stringify } from 'yaml';
import type { JsonPath, TextEdit } from '../types';
import type { SpecDocument } from './document';

/**
 * Minimal text edits into YAML and JSON documents for quick fixes. Each edit inserts or replaces only
 * the text it must: comments, quoting and indentation around it stay byte-identical. Values are
 * rendered in the file's own indentation unit.
 */

/** Appends `item` to the sequence at `sequencePath`, or creates the key `key` under `parentPath`. */
export function appendToList(doc: SpecDocument, parentPath: JsonPath, key: string, item: unknown): TextEdit {
  const listPath = [...parentPath, key];
  const parent = valueAtPath(doc.root, parentPath);
  const list = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined;
  if (Array.isArray(list) && list.length > 0 && doc.has([...listPath, list.length - 1])) {
    return doc.format === 'json' ? jsonAppendItem(doc, listPath, list.length, item) : yamlAppendItem(doc, listPath, list.length, item);
  }
  return setMapEntry(doc, parentPath, key, [item]);
}

/** Adds `key: value` to the map at `mapPath`, or replaces the value when the key exists. */
export function setMapEntry(doc: SpecDocument, mapPath: JsonPath, key: string, value: unknown): TextEdit {
  if (doc.has([...mapPath, key])) return replaceValue(doc, [...mapPath, key], value);
  return doc.format === 'json' ? jsonAddProperty(doc, mapPath, key, value) : yamlAddEntry(doc, mapPath, key, value);
}

/** Replaces the value at `path` with `value`, rendered inline for scalars and as a block otherwise. */
export function replaceValue(doc: SpecDocument, path: JsonPath, value: unknown): TextEdit {
  const span = doc.locate(path, 'value');
  const keySpan = doc.locate(path, 'key');
  if (doc.format === 'json') {
    const column = doc.lines.positionAt(keySpan.start).character;
    return { uri: doc.uri, start: span.start, end: span.end, newText: indentJson(value, doc.indentUnit, column) };
  }
  const isScalar = value === null || typeof value !== 'object';
  if (isScalar) return { uri: doc.uri, start: span.start, end: trimEnd(doc.text, span.start, span.end), newText: yamlScalar(value) };
  // Inside a flow collection (`{ content: { ... } }`) a block would break the syntax: stay flow.
  if (doc.text[span.start] === '{' || doc.text[span.start] === '[' || isInlineKey(doc, keySpan.start)) {
    return { uri: doc.uri, start: span.start, end: trimEnd(doc.text, span.start, span.end), newText: yamlFlow(value) };
  }
  const keyColumn = doc.lines.positionAt(keySpan.start).character;
  const start = keySpan.end + (doc.text[keySpan.end] === ':' ? 1 : 0);
  return { uri: doc.uri, start, end: trimEnd(doc.text, span.start, span.end), newText: '\n' + yamlBlock(value, keyColumn + doc.indentUnit, doc.indentUnit) };
}

/** A map or sequence rendered on one line in YAML flow style: `{ a: 1, b: [x, y] }`. */
export function yamlFlow(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

/** True when a key does not start its line (after indentation and `- `): it sits in a flow collection. */
function isInlineKey(doc: SpecDocument, keyStart: number): boolean {
  const lineStart = doc.text.lastIndexOf('\n', keyStart - 1) + 1;
  return !/^[ \t]*(-[ \t]+)*$/.test(doc.text.slice(lineStart, keyStart));
}

export function yamlScalar(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Renders a map or sequence as a YAML block, every line indented by `indent` spaces. */
export function yamlBlock(value: unknown, indent: number, unit: number): string {
  const text = stringify(value, { indent: unit, lineWidth: 0, indentSeq: true }).trimEnd();
  const pad = ' '.repeat(indent);
  return text.split('\n').map((line) => pad + line).join('\n');
}

function yamlAppendItem(doc: SpecDocument, listPath: JsonPath, length: number, item: unknown): TextEdit {
  const lastItem = doc.locate([...listPath, length - 1], 'value');
  const itemLine = doc.lines.positionAt(lastItem.start).line;
  const lineText = doc.lines.lineText(itemLine);
  const dash = /^(\s*)-\s/.exec(lineText);
  const flow = doc.locate(listPath, 'value');
  if (!dash || doc.text[flow.start] === '[') {
    // Flow sequence: `[a, b]` -> `[a, b, c]`.
    const end = flow.end - 1;
    return { uri: doc.uri, start: end, end, newText: ', ' + JSON.stringify(item) };
  }
  const dashColumn = dash[1].length;
  const block = yamlBlock([item], dashColumn, doc.indentUnit);
  const insertAt = endOfLastLine(doc, lastItem);
  return { uri: doc.uri, start: insertAt, end: insertAt, newText: '\n' + block };
}

function yamlAddEntry(doc: SpecDocument, mapPath: JsonPath, key: string, value: unknown): TextEdit {
  const map = doc.locate(mapPath, 'value');
  const mapValue = valueAtPath(doc.root, mapPath);
  const isEmpty = !mapValue || typeof mapValue !== 'object' || Object.keys(mapValue).length === 0;
  const mapKey = doc.locate(mapPath, 'key');
  const keyColumn = mapPath.length === 0 ? 0 : doc.lines.positionAt(mapKey.start).character;
  const childColumn = isEmpty || doc.text[map.start] === '{'
    ? (mapPath.length === 0 ? 0 : keyColumn + doc.indentUnit)
    : doc.lines.positionAt(map.start).character;
  const entry = renderYamlEntry(key, value, childColumn, doc.indentUnit);
  if (doc.text[map.start] === '{' || isEmpty) {
    // Replace `{}` (or an empty value) with a block.
    if (isEmpty && mapPath.length > 0) {
      const start = mapKey.end + (doc.text[mapKey.end] === ':' ? 1 : 0);
      const end = doc.text[map.start] === '{' ? map.end : start;
      return { uri: doc.uri, start, end, newText: '\n' + entry };
    }
    // A non-empty flow map `{ type: integer }` stays a flow map: `{ type: integer, maximum: 100 }`.
    if (!isEmpty && doc.text[map.start] === '{') {
      const close = trimEnd(doc.text, map.start, map.end) - 1;
      let before = close;
      while (before > map.start && /\s/.test(doc.text[before - 1])) before--;
      const spaced = doc.text[map.start + 1] === ' ';
      const flowValue = value === null || typeof value !== 'object' ? yamlScalar(value) : yamlFlow(value);
      return { uri: doc.uri, start: before, end: before, newText: `, ${yamlScalar(key)}: ${flowValue}${spaced && before === close ? ' ' : ''}` };
    }
  }
  const insertAt = endOfLastLine(doc, map);
  return { uri: doc.uri, start: insertAt, end: insertAt, newText: '\n' + entry };
}

function renderYamlEntry(key: string, value: unknown, column: number, unit: number): string {
  const pad = ' '.repeat(column);
  const renderedKey = yamlScalar(key);
  if (value === null || typeof value !== 'object') return `${pad}${renderedKey}: ${yamlScalar(value)}`;
  return `${pad}${renderedKey}:\n${yamlBlock(value, column + unit, unit)}`;
}

/** Offset of the end of the last non-blank line a node covers (block nodes include trailing newlines). */
function endOfLastLine(doc: SpecDocument, span: { start: number; end: number }): number {
  let end = span.end;
  while (end > span.start && /\s/.test(doc.text[end - 1])) end--;
  return doc.lines.lineEnd(doc.lines.positionAt(Math.max(span.start, end - 1)).line);
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

// ---------------------------------------------------------------- JSON

function indentJson(value: unknown, unit: number, column: number): string {
  const text = JSON.stringify(value, null, unit);
  return text.split('\n').map((line, index) => (index === 0 ? line : ' '.repeat(column) + line)).join('\n');
}

function jsonAppendItem(doc: SpecDocument, listPath: JsonPath, length: number, item: unknown): TextEdit {
  const last = doc.locate([...listPath, length - 1], 'value');
  const column = doc.lines.positionAt(last.start).character;
  const sameLine = doc.lines.positionAt(last.start).line === doc.lines.positionAt(doc.locate(listPath, 'value').start).line;
  const separator = sameLine ? ', ' : ',\n' + ' '.repeat(column);
  return { uri: doc.uri, start: last.end, end: last.end, newText: separator + indentJson(item, doc.indentUnit, sameLine ? 0 : column) };
}

function jsonAddProperty(doc: SpecDocument, mapPath: JsonPath, key: string, value: unknown): TextEdit {
  const map = doc.locate(mapPath, 'value');
  const mapValue = valueAtPath(doc.root, mapPath) as Record<string, unknown> | undefined;
  const keys = mapValue && typeof mapValue === 'object' ? Object.keys(mapValue) : [];
  if (keys.length === 0) {
    const column = doc.lines.positionAt(map.start).character;
    const inner = ' '.repeat(column + doc.indentUnit);
    const text = `{\n${inner}${JSON.stringify(key)}: ${indentJson(value, doc.indentUnit, column + doc.indentUnit)}\n${' '.repeat(column)}}`;
    return { uri: doc.uri, start: map.start, end: map.end, newText: text };
  }
  const lastKey = keys[keys.length - 1];
  const lastValue = doc.locate([...mapPath, lastKey], 'value');
  const lastKeySpan = doc.locate([...mapPath, lastKey], 'key');
  const column = doc.lines.positionAt(lastKeySpan.start).character;
  return {
    uri: doc.uri, start: lastValue.end, end: lastValue.end,
    newText: `,\n${' '.repeat(column)}${JSON.stringify(key)}: ${indentJson(value, doc.indentUnit, column)}`,
  };
}

function valueAtPath(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}
