import type { Finding, JsonPath, Severity } from '../types';
import type { SpecDocument } from '../spec/document';
import { RefResolver, type RefResult } from '../spec/refs';
import type { SpecReport } from '../rules/rule';
import type { CodeWorkspaceView } from './code-context';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Operation {
  path: string;
  method: HttpMethod;
  /** The operation object. */
  operation: Record<string, unknown>;
  /** JSON path of the operation, e.g. ['paths', '/users', 'get']. */
  at: JsonPath;
  /** The path item the operation sits in (after following a path-item $ref). */
  pathItem: Record<string, unknown>;
  pathItemAt: JsonPath;
  /** The document the operation is written in (a path item may live in another file). */
  doc: SpecDocument;
}

export interface Resolved<T = unknown> {
  value: T;
  /** Where the value really lives. */
  doc: SpecDocument;
  at: JsonPath;
  /** True when a `$ref` was followed to get here. */
  viaRef: boolean;
  /** Set when the `$ref` could not be followed; `value` is then the unresolved object. */
  failure?: RefResult & { ok: false };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether a rule checking one path item sees this root key. Descriptive parts (`info`, `tags`,
 * `externalDocs`), extensions and webhooks are hidden: no path item's findings depend on them, so
 * typing in an API's description re-checks no path item (DocumentMemory compares the rest).
 */
export function isSeenFromPathItems(rootKey: string): boolean {
  return rootKey !== 'info' && rootKey !== 'tags' && rootKey !== 'externalDocs' && rootKey !== 'webhooks' && !rootKey.startsWith('x-');
}

/**
 * Everything a spec rule reads: the parsed document, its operations, `$ref` resolution, and
 * `report`. One context per analysis; derived views (operations) are computed once and shared.
 */
export class SpecContext {
  readonly findings: Finding[] = [];
  private operationsCache?: Operation[];
  ruleId = '';
  severity: Severity = 'warning';
  private codeView?: CodeWorkspaceView;
  /** The rules that read `code` in this analysis, shared by the contexts derived from it (`shareCodeWith`). */
  private codeReaders = new Set<string>();

  /**
   * The workspace's route code, when the host knows it (drift rules), narrowed to the folder's
   * spec/code pairing if it has one. Reading it marks the current rule as one whose findings can
   * change when only the code does (see `readsCode`).
   */
  get code(): CodeWorkspaceView | undefined {
    this.codeReaders.add(this.ruleId);
    return this.codeView;
  }

  set code(view: CodeWorkspaceView | undefined) {
    this.codeView = view;
  }

  /** Whether `ruleId` read `code` in this analysis (in this context or one derived from it). */
  readsCode(ruleId: string): boolean {
    return this.codeReaders.has(ruleId);
  }

  /** Gives `derived` this context's code, and counts its readers as this context's. */
  shareCodeWith(derived: SpecContext): void {
    derived.codeView = this.codeView;
    derived.codeReaders = this.codeReaders;
  }

  /** Cross-version state of document-wide rules, by rule id (editor only; see DocumentMemory). */
  memory?: Map<string, unknown>;
  /** When set, every report is also kept here as written (the editor's per-path-item memory). */
  reports?: SpecReport[];
  private scopedRoot?: Record<string, unknown>;
  /** The whole-document context a context of one path item was made from (see DocumentMemory). */
  whole?: SpecContext;
  /** The editor's memory of readings per path item (DocumentMemory); absent in the CLI. */
  pathItemMemory?: { readings<T>(id: string, context: SpecContext, read: (scoped: SpecContext) => T): T[] };

  /**
   * In the CLI, the context of one path item that a reading uses takes its operations, parameters
   * and responses from the whole-document context (see `readPathItems`).
   */
  private resolvedBy?: SpecContext;

  constructor(readonly doc: SpecDocument, readonly refs: RefResolver, private readonly onlyPathKey?: string) {
    if (onlyPathKey !== undefined && isRecord(doc.root) && isRecord(doc.root.paths)) {
      // The document as a rule sees it when it checks one path item: that path item, and the root
      // keys a path item's findings may depend on, unchanged.
      const scoped: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(doc.root)) if (isSeenFromPathItems(key)) scoped[key] = value;
      scoped.paths = { [onlyPathKey]: doc.root.paths[onlyPathKey] };
      this.scopedRoot = scoped;
    }
  }

  get root(): Record<string, unknown> {
    return this.scopedRoot ?? (isRecord(this.doc.root) ? this.doc.root : {});
  }

  get isSwagger2(): boolean { return this.doc.version === '2.0'; }

  /** The context of the whole document: this one, unless this one sees a single path item. */
  wholeDocument(): SpecContext {
    return this.whole ?? this;
  }

  /** Every operation of `paths` (and 3.1+ `webhooks` are left out: they are not served by this API). */
  operations(): Operation[] {
    if (this.operationsCache) return this.operationsCache;
    if (this.resolvedBy && this.onlyPathKey !== undefined) return this.operationsCache = this.resolvedBy.operationsOfPath(this.onlyPathKey);
    const result: Operation[] = [];
    const paths = this.root.paths;
    if (isRecord(paths)) {
      for (const [path, rawItem] of Object.entries(paths)) {
        if (!path.startsWith('/') || !isRecord(rawItem)) continue;
        const item = this.resolve(rawItem, ['paths', path]);
        if (!isRecord(item.value)) continue;
        for (const method of HTTP_METHODS) {
          const operation = item.value[method];
          if (isRecord(operation)) {
            result.push({ path, method, operation, at: [...item.at, method], pathItem: item.value, pathItemAt: item.at, doc: item.doc });
          }
        }
      }
    }
    this.operationsCache = result;
    return result;
  }

  private operationsByPath?: Map<string, Operation[]>;

  /** The operations of one path key, the very objects `operations()` lists. */
  private operationsOfPath(path: string): Operation[] {
    if (!this.operationsByPath) {
      this.operationsByPath = new Map();
      for (const operation of this.operations()) {
        const list = this.operationsByPath.get(operation.path);
        if (list) list.push(operation);
        else this.operationsByPath.set(operation.path, [operation]);
      }
    }
    return this.operationsByPath.get(path) ?? [];
  }

  /** Follows `value.$ref` (if any) to its target; otherwise returns the value where it stands. */
  resolve<T = unknown>(value: unknown, at: JsonPath, doc: SpecDocument = this.doc): Resolved<T> {
    if (isRecord(value) && typeof value.$ref === 'string') {
      const result = this.refs.resolveChain(doc, value.$ref);
      if (result.ok) return { value: result.value as T, doc: result.doc, at: result.path, viaRef: true };
      return { value: value as T, doc, at, viaRef: false, failure: result };
    }
    return { value: value as T, doc, at, viaRef: false };
  }

  /**
   * What `read` gives for each path item, in `paths` order, each read from a context that sees
   * only that path item (`onePathItem`). For rules that combine facts of all operations (a
   * majority, the uses of a component): they read per path item and combine the readings, and the
   * editor keeps the reading of every path item an edit left alone (DocumentMemory.readings). A
   * reading is kept across versions: it must not hold this version's objects (its document,
   * resolved values), only paths, names and plain facts; `id` names it (the rule's id).
   */
  readPathItems<T>(id: string, read: (scoped: SpecContext) => T): T[] {
    if (this.pathItemMemory) return this.pathItemMemory.readings(id, this, read);
    const paths = this.root.paths;
    if (!isRecord(paths)) return [];
    // Without a memory (the CLI) every reading of one analysis reads a path item through one
    // context, whose operations, parameters and responses are the whole-document context's: each
    // is resolved once per analysis, and held once, as before readings existed. (The editor's
    // memory makes a context per rule on purpose: it records the refs each rule follows.)
    this.pathItemContexts ??= new Map();
    return Object.keys(paths).map((key) => {
      let scoped = this.pathItemContexts!.get(key);
      if (!scoped) {
        this.pathItemContexts!.set(key, scoped = this.onePathItem(key));
        scoped.resolvedBy = this;
      }
      return read(scoped);
    });
  }

  private pathItemContexts?: Map<string, SpecContext>;

  /**
   * `doc` when it is not the document analysed, else undefined: how a reading (`readPathItems`)
   * names a document, so that a reading kept across versions never holds an old version.
   */
  otherDocument(doc: SpecDocument): SpecDocument | undefined {
    return doc === this.doc ? undefined : doc;
  }

  /** This document as a check of the path item at `key` sees it (see `isSeenFromPathItems`). */
  onePathItem(key: string): SpecContext {
    const scoped = new SpecContext(this.doc, this.refs, key);
    scoped.whole = this;
    this.shareCodeWith(scoped);
    scoped.ruleId = this.ruleId;
    scoped.severity = this.severity;
    return scoped;
  }

  private sharedReadings?: Map<string, unknown>;

  /**
   * A reading several rules make of the same document (its error responses, the schemas success
   * responses return), computed once per context. The result is shared: callers must not change it.
   */
  shared<T>(name: string, read: () => T): T {
    this.sharedReadings ??= new Map();
    if (!this.sharedReadings.has(name)) this.sharedReadings.set(name, read());
    return this.sharedReadings.get(name) as T;
  }

  // Made on first use: the editor makes a context per path item and rule.
  private parametersCache?: Map<Operation, Resolved<Record<string, unknown>>[]>;
  private responsesCache?: Map<Operation, { status: string; at: JsonPath; response: Resolved<Record<string, unknown>> }[]>;

  /** Operation parameters, path-item parameters merged in (operation wins), each resolved. */
  parameters(op: Operation): Resolved<Record<string, unknown>>[] {
    if (this.resolvedBy) return this.resolvedBy.parameters(op);
    // Most rules read them: computed once per operation and analysis.
    this.parametersCache ??= new Map();
    let cached = this.parametersCache.get(op);
    if (!cached) this.parametersCache.set(op, cached = this.readParameters(op));
    return cached;
  }

  private readParameters(op: Operation): Resolved<Record<string, unknown>>[] {
    const byKey = new Map<string, Resolved<Record<string, unknown>>>();
    const collect = (list: unknown, at: JsonPath, doc: SpecDocument) => {
      if (!Array.isArray(list)) return;
      list.forEach((raw, index) => {
        const resolved = this.resolve<Record<string, unknown>>(raw, [...at, index], doc);
        if (!isRecord(resolved.value)) return;
        byKey.set(`${resolved.value.in}:${resolved.value.name}`, resolved);
      });
    };
    collect(op.pathItem.parameters, [...op.pathItemAt, 'parameters'], op.doc);
    collect(op.operation.parameters, [...op.at, 'parameters'], op.doc);
    return [...byKey.values()];
  }

  /** The operation's responses as [status key, resolved response] pairs. */
  responses(op: Operation): { status: string; at: JsonPath; response: Resolved<Record<string, unknown>> }[] {
    if (this.resolvedBy) return this.resolvedBy.responses(op);
    this.responsesCache ??= new Map();
    let cached = this.responsesCache.get(op);
    if (!cached) this.responsesCache.set(op, cached = this.readResponses(op));
    return cached;
  }

  private readResponses(op: Operation): { status: string; at: JsonPath; response: Resolved<Record<string, unknown>> }[] {
    const responses = op.operation.responses;
    if (!isRecord(responses)) return [];
    return Object.entries(responses).map(([status, raw]) => ({
      status,
      at: [...op.at, 'responses', status],
      response: this.resolve<Record<string, unknown>>(raw, [...op.at, 'responses', status], op.doc),
    }));
  }

  report(report: SpecReport): void {
    this.reports?.push(report);
    const doc = report.doc ?? this.doc;
    this.findings.push({
      ruleId: this.ruleId,
      severity: report.severity ?? this.severity,
      message: report.message,
      uri: doc.uri,
      span: doc.locate(report.at, report.part ?? 'key'),
      related: report.related?.map((related) => {
        const relatedDoc = related.doc ?? (related.uri && related.uri !== this.doc.uri ? this.refs.documentFor(related.uri) ?? this.doc : this.doc);
        return { uri: relatedDoc.uri, span: relatedDoc.locate(related.at, 'key'), message: related.message };
      }),
      fix: report.fix,
    });
  }
}
