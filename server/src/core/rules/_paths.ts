import ts from 'typescript';
import type { JsonPath, TextEdit } from '../types';
import { charAt, type SpecDocument } from '../spec/document';
import type { Operation } from '../engine/spec-context';
import { splitWords } from '../engine/spec-helpers';
import type { ExtractedRoute } from '../code/extract';
import { rememberedByText } from '../text';
import { expressionText, forEachDescendantOfKind } from '../code/ast';

/**
 * Helpers shared by the path and method-semantics rules (path-noun-segments, path-param-consistency,
 * method-*, create-returns-201): verb vocabularies, code-path normalisation, and small text edits
 * (rename a key, delete an entry) that spec/edits.ts does not provide.
 */

/** Verbs that duplicate an HTTP method: wrong in a URL whether alone (`/users/create`) or leading a phrase (`/getUsers`). */
export const CRUD_VERBS = new Set(['get', 'create', 'update', 'delete', 'remove', 'add', 'edit', 'modify', 'fetch', 'retrieve', 'insert', 'destroy']);

/** Verbs that only read as RPC when they lead a phrase (`/doUserSessionThing`, `/sendEmail`); a lone `cancel` is a command sub-resource. */
export const PHRASE_VERBS = new Set([
  ...CRUD_VERBS, 'do', 'make', 'perform', 'execute', 'list', 'find', 'save', 'set',
  'cancel', 'approve', 'reject', 'archive', 'unarchive', 'activate', 'deactivate', 'publish', 'unpublish', 'resend', 'send', 'refund',
  'reset', 'confirm', 'enable', 'disable', 'submit', 'assign', 'unassign', 'invite', 'generate', 'calculate', 'compute', 'trigger',
]);

/** Second words that make a compound noun out of a verb (`delete-requests`, `update-history`, `add-ons`). */
const COMPOUND_NOUN_TAILS = new Set([
  'request', 'requests', 'history', 'histories', 'log', 'logs', 'event', 'events', 'job', 'jobs', 'on', 'ons',
  'definition', 'definitions', 'instance', 'instances', 'policy', 'policies', 'queue', 'queues', 'task', 'tasks', 'operation', 'operations',
  'rule', 'rules', 'setting', 'settings', 'option', 'options', 'config', 'configs', 'window', 'windows', 'schedule', 'schedules', 'list', 'lists',
  'result', 'results', 'record', 'records', 'price', 'prices', 'notice', 'notices', 'protection', 'reason', 'reasons', 'url', 'urls', 'link', 'links', 'token', 'tokens',
]);

/**
 * The verb a static path segment leads with, when the segment reads as an action rather than a
 * noun. Remembered: the code rules ask about every route's segments on each keystroke.
 */
export const verbInSegment = rememberedByText((segment: string) => {
  const found = readVerbInSegment(segment);
  return found && Object.freeze({ verb: found.verb, words: Object.freeze(found.words) });
});

function readVerbInSegment(segment: string): { verb: string; words: string[] } | undefined {
  if (/^v\d+$/i.test(segment) || segment.startsWith('.') || segment.includes('*') || segment.includes(':')) return undefined;
  const base = segment.replace(/\.[A-Za-z0-9]+$/, '');
  const words = splitWords(base);
  if (words.length === 0) return undefined;
  const [first, second] = words;
  if (words.length === 1) return CRUD_VERBS.has(first) ? { verb: first, words } : undefined;
  if (!PHRASE_VERBS.has(first)) return undefined;
  if (second === 'not' || (second && COMPOUND_NOUN_TAILS.has(second) && words.length === 2)) return undefined;
  return { verb: first, words };
}

/** Express `/users/:id`, `{/:opt}`, `/*splat` -> `/users/{id}`; Nest paths have the same syntax. */
export const normaliseCodePath = rememberedByText((path: string): string => ('/' + path)
  .replace(/\{(\/?)([^{}]*)\}/g, '$1$2')
  .replace(/:([A-Za-z0-9_$]+)(\([^)]*\))?\??/g, '{$1}')
  .replace(/\*([A-Za-z0-9_$]+)/g, '{$1}')
  .replace(/\/+/g, '/')
  .replace(/(.)\/$/, '$1'));

export interface Segment { text: string; param?: string }

/** The segments of a path, `{name}` ones with their parameter. Shared answers: read them, never change them. */
export const segmentsOf = rememberedByText((path: string): readonly Readonly<Segment>[] => Object.freeze(path.split('/').filter(Boolean).map((text) => {
  const match = /^\{([^{}]+)\}$/.exec(text);
  return Object.freeze(match ? { text, param: match[1] } : { text });
})));

/** Verbs that only read: an id that starts with one is a read whatever follows (`getDeleteLog`). */
export const READ_VERBS = new Set(['get', 'list', 'find', 'fetch', 'search', 'read', 'retrieve', 'query', 'head', 'check', 'count', 'download', 'export', 'show', 'view', 'describe', 'lookup', 'poll', 'stream', 'watch', 'load', 'browse', 'preview']);

/**
 * The verb of `vocabulary` an operationId leads with: `deleteUser` -> delete, `delete_user` -> delete,
 * and for generated ids with a controller or tag prefix `UsersController_remove` / `users_delete` -> the
 * word after the prefix. `undefined` when the id starts with a read verb or names no such verb.
 */
export function idVerbIn(id: string, vocabulary: Set<string>): string | undefined {
  const words = splitWords(id);
  if (words.length === 0 || READ_VERBS.has(words[0])) return undefined;
  if (vocabulary.has(words[0])) return words[0];
  const prefixed = /^[A-Za-z0-9]+?(?:Controller|Service|Api|Resource)?[_.\/]+([A-Za-z0-9].*)$/.exec(id);
  if (!prefixed) return undefined;
  const next = splitWords(prefixed[1]);
  if (next.length === 0 || READ_VERBS.has(next[0])) return undefined;
  return vocabulary.has(next[0]) ? next[0] : undefined;
}

/** The verb of `vocabulary` a summary starts with: "Creates a user" -> create, "Fetches" -> fetch. */
export function summaryVerb(operation: Operation, vocabulary: Set<string>): string | undefined {
  const summary = operation.operation.summary;
  if (typeof summary !== 'string') return undefined;
  return verbForm(splitWords(summary)[0], vocabulary);
}

/** `word` when it is in `vocabulary`, or its third-person form (`creates`, `fetches`). */
export function verbForm(word: string | undefined, vocabulary: Set<string>): string | undefined {
  if (!word) return undefined;
  if (vocabulary.has(word)) return word;
  if (word.endsWith('es') && vocabulary.has(word.slice(0, -2))) return word.slice(0, -2);
  if (word.endsWith('s') && vocabulary.has(word.slice(0, -1))) return word.slice(0, -1);
  return undefined;
}

// ------------------------------------------------------------------ text edits

/** Replaces a mapping key's text (keeps the quoting style). */
export function renameKey(doc: SpecDocument, at: JsonPath, newKey: string): TextEdit {
  const span = doc.locate(at, 'key');
  const old = doc.slice(span.start, span.end);
  const quote = old[0] === '"' || old[0] === "'" ? old[0] : '';
  const needsQuote = !quote && doc.format === 'yaml' && /^[0-9]+$/.test(newKey) && !/^[0-9]+$/.test(old) ? "'" : quote;
  const body = doc.format === 'json' ? JSON.stringify(newKey).slice(1, -1) : newKey;
  return { uri: doc.uri, start: span.start, end: span.end, newText: `${needsQuote}${body}${needsQuote}` };
}

/** Deletes the entry `at` (a map key and its value) from its map, whole lines in YAML, with the comma in JSON. */
export function removeEntry(doc: SpecDocument, at: JsonPath, siblingKeys: string[]): TextEdit | undefined {
  const key = doc.locate(at, 'key');
  const value = doc.locate(at, 'value');
  const name = String(at[at.length - 1]);
  if (doc.format === 'json') {
    const index = siblingKeys.indexOf(name);
    if (index < 0) return undefined;
    if (index > 0) {
      // Remove from the end of the previous value up to the end of this one (takes the leading comma).
      const previous = doc.locate([...at.slice(0, -1), siblingKeys[index - 1]], 'value');
      return { uri: doc.uri, start: previous.end, end: value.end, newText: '' };
    }
    if (siblingKeys.length > 1) {
      const next = doc.locate([...at.slice(0, -1), siblingKeys[1]], 'key');
      return { uri: doc.uri, start: key.start, end: next.start, newText: '' };
    }
    return { uri: doc.uri, start: key.start, end: value.end, newText: '' };
  }
  const keyLine = doc.lines.positionAt(key.start).line;
  const lineStart = doc.lines.lineStart(keyLine);
  if (doc.slice(lineStart, key.start).trim() !== '') return undefined; // flow map or `- key:`: leave it
  let end = value.end;
  while (end > value.start && /\s/.test(charAt(doc, end - 1))) end--;
  const lastLine = doc.lines.positionAt(Math.max(key.start, end - 1)).line;
  let stop = doc.lines.lineEnd(lastLine);
  if (stop < doc.lines.length) stop += charAt(doc, stop) === '\r' ? 2 : 1;
  return { uri: doc.uri, start: lineStart, end: stop, newText: '' };
}

// ------------------------------------------------------------------ code

/** The @Body() parameter of a Nest handler method. */
export function nestBodyParameter(route: ExtractedRoute): ts.ParameterDeclaration | undefined {
  const node = route.handlerNode;
  if (!node || !ts.isMethodDeclaration(node)) return undefined;
  return node.parameters.find((parameter) => (ts.canHaveDecorators(parameter) ? ts.getDecorators(parameter) ?? [] : []).some((decorator) => {
    const expression = decorator.expression;
    return ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'Body';
  }));
}

/** Calls in a handler body as `receiver.method(...)` with the receiver text. */
export function methodCalls(node: ts.Node): { receiver: string; method: string; node: ts.CallExpression }[] {
  const calls: { receiver: string; method: string; node: ts.CallExpression }[] = [];
  forEachDescendantOfKind(node, [ts.SyntaxKind.CallExpression], (child) => {
    if (ts.isCallExpression(child) && ts.isPropertyAccessExpression(child.expression)) {
      calls.push({ receiver: expressionText(child.expression.expression), method: child.expression.name.text, node: child });
    }
  });
  return calls;
}

/** Naive English singular: `users` -> user, `categories` -> category, `addresses` -> address. */
export function singular(word: string): string {
  const lower = word.toLowerCase();
  if (/ies$/.test(lower)) return lower.slice(0, -3) + 'y';
  if (/(ss|sh|ch|x|z)es$/.test(lower)) return lower.slice(0, -2);
  if (/s$/.test(lower) && !/ss$/.test(lower)) return lower.slice(0, -1);
  return lower;
}
