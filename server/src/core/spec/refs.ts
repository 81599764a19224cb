import { URI, Utils } from 'vscode-uri';
import type { JsonPath } from '../types';
import type { SpecDocument } from './document';
import { parseSpecDocumentFast } from './chunked-yaml';

/**
 * What the analysis may read besides the document itself. Hosts (CLI, language server) implement it;
 * the core does no I/O. `readFile` is only ever called for URIs that `isInsideWorkspace` accepted.
 */
export interface WorkspaceHost {
  isInsideWorkspace(uri: string): boolean;
  readFile(uri: string): string | undefined;
}

export type RefFailure = 'remote' | 'outside-workspace' | 'missing-file' | 'missing-target' | 'bad-pointer' | 'unparseable' | 'cycle';

export type RefResult =
  | { ok: true; doc: SpecDocument; path: JsonPath; value: unknown }
  | { ok: false; failure: RefFailure; reason: string };

const MAX_REF_CHAIN = 32;

/** Decodes a JSON pointer fragment (`/components/schemas/User`) into path segments. */
export function decodePointer(fragment: string): JsonPath | undefined {
  if (fragment === '' || fragment === '/') return fragment === '' ? [] : [''];
  if (!fragment.startsWith('/')) return undefined;
  const segments = fragment.slice(1).split('/');
  // Most pointers escape nothing: their segments are the names as written.
  if (!fragment.includes('%') && !fragment.includes('~')) return segments;
  try {
    return segments.map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  } catch {
    return undefined;
  }
}

/**
 * decodePointer, remembered across analyses (the editor resolves the same few thousand refs on
 * every keystroke): the same segment strings come back, whose hashes the engine has already
 * computed for the property lookups that follow. Frozen: results are shared.
 */
const decodedPointers = new Map<string, JsonPath | undefined>();
function decodedPointer(fragment: string): JsonPath | undefined {
  let path = decodedPointers.get(fragment);
  if (path === undefined && !decodedPointers.has(fragment)) {
    if (decodedPointers.size >= 100_000) decodedPointers.clear();
    path = decodePointer(fragment);
    decodedPointers.set(fragment, path && Object.freeze(path) as JsonPath);
  }
  return path;
}

export function encodePointer(path: JsonPath): string {
  // Called for every node some rules visit: no array, and no regex unless a segment needs escaping.
  let pointer = '';
  for (const segment of path) {
    const text = String(segment);
    pointer += '/' + (text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text);
  }
  return pointer;
}

export function valueAt(root: unknown, path: JsonPath): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return { found: false, value: undefined };
    const record = current as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(record, String(segment))) return { found: false, value: undefined };
    current = record[String(segment)];
  }
  return { found: true, value: current };
}

/**
 * Follows `$ref`s across the documents of one workspace. External files are parsed once and cached;
 * remote URLs and files outside the workspace are reported, never fetched or read.
 */
export class RefResolver {
  private readonly external = new Map<string, SpecDocument | null>();
  /**
   * Results per referencing document: a large description repeats the same few thousand refs
   * millions of times (and a ref to another file costs a path check on disk each time).
   */
  private readonly results = new WeakMap<SpecDocument, Map<string, RefResult>>();

  constructor(private readonly host: WorkspaceHost, private readonly openDocument: (uri: string) => SpecDocument | undefined = () => undefined) {}

  /** Set once a reference to another file was followed (or tried): results then depend on that file too. */
  followedOtherFiles = false;

  /** Sees every reference followed (the editor records what a path item's results depend on). */
  observer?: (from: SpecDocument, ref: string, result: RefResult) => void;

  resolve(from: SpecDocument, ref: string): RefResult {
    const result = this.resolveCached(from, ref);
    this.observer?.(from, ref, result);
    return result;
  }

  private resolveCached(from: SpecDocument, ref: string): RefResult {
    let results = this.results.get(from);
    if (!results) this.results.set(from, results = new Map());
    let result = results.get(ref);
    if (!result) results.set(ref, result = this.resolveUncached(from, ref));
    return result;
  }

  private resolveUncached(from: SpecDocument, ref: string): RefResult {
    const hashIndex = ref.indexOf('#');
    const filePart = hashIndex >= 0 ? ref.slice(0, hashIndex) : ref;
    const fragment = hashIndex >= 0 ? ref.slice(hashIndex + 1) : '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(filePart) && !/^[a-z]:[\\/]/i.test(filePart)) {
      const scheme = filePart.slice(0, filePart.indexOf(':')).toLowerCase();
      if (scheme === 'file') return { ok: false, failure: 'outside-workspace', reason: `'${ref}' is a file:// URL; apilens only follows relative references inside the workspace` };
      return { ok: false, failure: 'remote', reason: `'${ref}' is a remote reference; apilens never fetches URLs, so it cannot check it` };
    }
    let target = from;
    if (filePart !== '') {
      this.followedOtherFiles = true;
      if (filePart.startsWith('/') || /^[a-z]:[\\/]/i.test(filePart)) {
        return { ok: false, failure: 'outside-workspace', reason: `'${filePart}' is an absolute path; use a path relative to this document inside the workspace` };
      }
      let targetUri: string;
      try {
        targetUri = Utils.resolvePath(Utils.dirname(URI.parse(from.uri)), decodeURI(filePart)).toString();
      } catch {
        return { ok: false, failure: 'bad-pointer', reason: `'${ref}' is not a valid reference` };
      }
      if (!this.host.isInsideWorkspace(targetUri)) {
        return { ok: false, failure: 'outside-workspace', reason: `'${filePart}' points outside the workspace; apilens does not read files there` };
      }
      const loaded = this.load(targetUri);
      if (loaded === 'missing') return { ok: false, failure: 'missing-file', reason: `file '${filePart}' does not exist` };
      if (loaded === 'unparseable') return { ok: false, failure: 'unparseable', reason: `file '${filePart}' could not be parsed` };
      target = loaded;
    }
    const path = decodedPointer(fragment);
    if (!path) return { ok: false, failure: 'bad-pointer', reason: `'#${fragment}' is not a JSON pointer (it must start with '/')` };
    const found = valueAt(target.root, path);
    if (!found.found) {
      return { ok: false, failure: 'missing-target', reason: `'${fragment || '/'}' does not exist in ${filePart === '' ? 'this document' : `'${filePart}'`}` };
    }
    return { ok: true, doc: target, path, value: found.value };
  }

  /** Follows a chain of `$ref`s to the first value that is not a reference. */
  resolveChain(from: SpecDocument, ref: string): RefResult {
    let result = this.resolve(from, ref);
    const seen = new Set<string>();
    for (let hops = 0; result.ok; hops++) {
      const next = (result.value as Record<string, unknown> | null)?.$ref;
      if (typeof next !== 'string' || !result.value || typeof result.value !== 'object') return result;
      const key = result.doc.uri + '#' + encodePointer(result.path);
      if (seen.has(key) || hops >= MAX_REF_CHAIN) return { ok: false, failure: 'cycle', reason: `'${ref}' is part of a $ref cycle` };
      seen.add(key);
      result = this.resolve(result.doc, next);
    }
    return result;
  }

  /** A document this resolver has seen (open in the host, or loaded through a $ref). */
  documentFor(uri: string): SpecDocument | undefined {
    return this.openDocument(uri) ?? this.external.get(uri) ?? undefined;
  }

  private load(uri: string): SpecDocument | 'missing' | 'unparseable' {
    const open = this.openDocument(uri);
    if (open) return open;
    if (this.external.has(uri)) return this.external.get(uri) ?? 'missing';
    const text = this.host.readFile(uri);
    if (text === undefined) { this.external.set(uri, null); return 'missing'; }
    const format = /\.json$/i.test(uri) ? 'json' : 'yaml';
    const doc = parseSpecDocumentFast(uri, text, format);
    this.external.set(uri, doc);
    return doc;
  }
}
