import type { SpecDocument } from '../spec/document';
import { encodePointer, type RefResolver } from '../spec/refs';
import { walkObjects } from '../engine/walk';
import { STATUS_CODES } from './status-codes';
import { SNIPPETS, type SnippetDefinition } from './snippets';
import type { OffsetRange } from '../text';

export interface CompletionEntry {
  label: string;
  kind: 'reference' | 'value' | 'snippet' | 'enum';
  detail?: string;
  documentation?: string;
  insertText: string;
  /** `insertText` uses snippet syntax ($1, ${1:default}). */
  isSnippet?: boolean;
  sortText?: string;
  /** Text to replace (the partially typed word); defaults to the word at the cursor. */
  replace?: OffsetRange;
}

const MEDIA_TYPES = ['application/json', 'application/problem+json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/octet-stream', 'application/xml', 'application/problem+xml', 'text/csv', 'application/merge-patch+json', 'application/json-patch+json'];

/**
 * Completion in OpenAPI YAML, decided from the text around the cursor (it works on half-typed
 * documents, where the parse is incomplete): `$ref` targets, status codes, media types, security
 * scheme names, and the design guide's patterns as snippets where they belong.
 */
export function completionsAt(doc: SpecDocument | undefined, text: string | undefined, offset: number, refs?: RefResolver): CompletionEntry[] {
  const cursor = cursorText(doc, text);
  const lineStart = cursor.lineStartOf(offset);
  const linePrefix = cursor.slice(lineStart, offset);
  const refMatch = /\$ref["']?\s*:\s*(["']?)([^"'\s]*)$/.exec(linePrefix);
  if (refMatch) return refCompletions(doc, refs, { start: offset - refMatch[2].length, end: offset }, refMatch[1]);
  const context = keyContext(cursor, lineStart, linePrefix);
  if (!context) return [];
  const wordMatch = /[\w'"/.+-]*$/.exec(linePrefix.replace(/^\s*-\s*/, ''));
  const replace = { start: offset - (wordMatch?.[0].length ?? 0), end: offset };
  const entries: CompletionEntry[] = [];
  const [parent, grandparent] = context.ancestors;
  if (parent === 'responses') {
    for (const info of STATUS_CODES) {
      entries.push({
        label: info.code, kind: 'value', detail: info.phrase, documentation: info.use ? `${info.meaning}\n\n${info.use}` : info.meaning,
        insertText: `'${info.code}':\n${context.childIndent}  description: \${1:${info.phrase}}`, isSnippet: true,
        sortText: /^(200|201|204|400|401|403|404|409|422|429|500)$/.test(info.code) ? `0${info.code}` : `1${info.code}`, replace,
      });
    }
  }
  if (parent === 'content') {
    const isError = /^['"]?([45]\d\d|[45]XX|default)['"]?$/i.test(grandparent ?? '') || (context.ancestors[2] === 'responses' && /^['"]?[45]/.test(grandparent ?? ''));
    MEDIA_TYPES.forEach((mediaType, index) => entries.push({
      label: mediaType, kind: 'value', insertText: `${mediaType}:\n${context.childIndent}  schema:\n${context.childIndent}    $0`, isSnippet: true,
      sortText: isError && mediaType === 'application/problem+json' ? '00' : String(index + 1).padStart(2, '0'), replace,
      detail: mediaType === 'application/problem+json' ? 'RFC 9457 problem details (use for every error)' : undefined,
    }));
  }
  if (parent === 'security' && doc) {
    for (const name of securitySchemeNames(doc)) entries.push({ label: name, kind: 'enum', detail: 'security scheme', insertText: `${name}: []`, replace });
  }
  for (const snippet of SNIPPETS) {
    const where = parent === undefined ? '<root>' : parent.startsWith('/') ? '<path>' : parent;
    if (snippet.language !== 'yaml' || !snippet.parents?.includes(where)) continue;
    entries.push(snippetEntry(snippet, context.childIndent, replace));
  }
  return entries;
}

function snippetEntry(snippet: SnippetDefinition, indent: string, replace: OffsetRange): CompletionEntry {
  const body = snippet.body.map((line, i) => (i === 0 ? line : indent + line)).join('\n');
  return { label: snippet.prefix, kind: 'snippet', detail: snippet.name, documentation: snippet.description, insertText: body, isSnippet: true, sortText: `9${snippet.prefix}`, replace };
}

function refCompletions(doc: SpecDocument | undefined, refs: RefResolver | undefined, replace: OffsetRange, quote: string): CompletionEntry[] {
  if (!doc) return [];
  const entries: CompletionEntry[] = [];
  const addComponents = (source: SpecDocument, prefix: string) => {
    const root = source.root as Record<string, unknown> | null;
    if (!root || typeof root !== 'object') return;
    const groups: [string[], unknown][] = [];
    if (root.components && typeof root.components === 'object') {
      for (const [kind, group] of Object.entries(root.components as Record<string, unknown>)) groups.push([['components', kind], group]);
    }
    for (const legacy of ['definitions', 'parameters', 'responses']) if (root[legacy] && typeof root[legacy] === 'object' && !root.openapi) groups.push([[legacy], root[legacy]]);
    for (const [base, group] of groups) {
      if (!group || typeof group !== 'object') continue;
      for (const name of Object.keys(group)) {
        const pointer = `${prefix}#${encodePointer([...base, name])}`;
        entries.push({ label: pointer, kind: 'reference', detail: base[base.length - 1], insertText: quote ? pointer : `'${pointer}'`, replace, sortText: `${prefix ? 1 : 0}${pointer}` });
      }
    }
  };
  addComponents(doc, '');
  // Components of the files this document already references.
  const files = new Set<string>();
  walkObjects(doc.root, (object) => {
    if (typeof object.$ref === 'string' && !object.$ref.startsWith('#') && !/^[a-z]+:/i.test(object.$ref)) files.add(object.$ref.split('#')[0]);
  });
  for (const file of files) {
    const target = refs?.resolve(doc, `${file}#`);
    if (target?.ok) addComponents(target.doc, file);
  }
  return entries;
}

function securitySchemeNames(doc: SpecDocument): string[] {
  const root = doc.root as Record<string, any> | null;
  const schemes = root?.components?.securitySchemes ?? root?.securityDefinitions;
  return schemes && typeof schemes === 'object' ? Object.keys(schemes) : [];
}

/** The text around the cursor, read line by line. */
interface CursorText {
  /** Where the line holding `offset` starts. */
  lineStartOf(offset: number): number;
  slice(start: number, end: number): string;
}

/** The parsed document's lines when there is one (a large document is held in pieces), else the text. */
function cursorText(doc: SpecDocument | undefined, text: string | undefined): CursorText {
  if (doc) return { lineStartOf: (offset) => doc.lines.lineStart(doc.lines.positionAt(offset).line), slice: (start, end) => doc.slice(start, end) };
  const whole = text ?? '';
  return { lineStartOf: (offset) => whole.lastIndexOf('\n', offset - 1) + 1, slice: (start, end) => whole.slice(start, end) };
}

/**
 * The keys above the cursor, nearest first, read from indentation (no parse needed), and the
 * indentation a new child line gets.
 */
function keyContext(text: CursorText, lineStart: number, linePrefix: string): { ancestors: string[]; childIndent: string } | undefined {
  if (!/^\s*(-\s*)?[\w'"/.+-]*$/.test(linePrefix)) return undefined;
  const cursorIndent = /^\s*/.exec(linePrefix)![0].length;
  const ancestors: string[] = [];
  let limit = cursorIndent;
  let position = lineStart - 1;
  while (position > 0 && ancestors.length < 4) {
    const start = text.lineStartOf(position);
    const line = text.slice(start, position);
    position = start - 1;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const lineIndent = /^\s*/.exec(line)![0].length;
    const dashIndent = /^\s*-\s+/.exec(line)?.[0].length;
    if (lineIndent < limit || (dashIndent !== undefined && dashIndent < limit && lineIndent < limit)) {
      const key = /^\s*(?:-\s+)?(['"]?)([^'":]+)\1\s*:/.exec(line);
      if (key) ancestors.push(key[2]);
      limit = lineIndent;
      if (limit === 0) break;
    }
  }
  return { ancestors: ancestors.length ? ancestors : [], childIndent: ' '.repeat(cursorIndent) };
}
