import {
  CodeActionKind, DidChangeConfigurationNotification, TextDocumentSyncKind, TextDocuments,
  type CodeAction, type CodeActionParams, type TextEdit, type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { registerLanguageFeatures } from './features';
import { WorkspaceIndex } from '../host/workspace-index';
import { EditorTextDocument } from './editor-document';
import { URI, Utils } from 'vscode-uri';
import { analyzeFileAsync, type AnalysisResult } from '../core/engine/analyze';
import { defaultConfig, mergeConfig, type ApilensConfig } from '../core/engine/config';
import { allRules } from '../core/rules';
import { parseSpecDocument, type SpecDocument } from '../core/spec/document';
import { ChunkedYamlParser } from '../core/spec/chunked-yaml';
import { reuseUnchangedValues } from '../core/spec/value-reuse';
import { detectFileKind } from '../core/detect';
import type { Diagnostic } from '../core/types';
import type { Range } from '../core/text';
import { LineIndex } from '../core/text';
import { pairedView } from '../core/drift/pairing';
import { NodeWorkspaceHost, fsPathOf } from '../host/node-host';
import { findConfigFile, readConfigFile } from '../host/config-file';
import { quickFixAction, toLspDiagnostic, toWorkspaceEdit } from './convert';
import { collectFixAllEdits } from '../core/engine/fix-all';
import { DocumentMemory } from '../core/engine/document-memory';

/** The apilens fix-all kind, requested by editors on save (`editor.codeActionsOnSave`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.apilens`;

interface EditorSettings { enable: boolean; rules: Record<string, unknown>; debounceMs: number; maxFileSize?: number }
const DEFAULT_SETTINGS: EditorSettings = { enable: true, rules: {}, debounceMs: 150 };

/** `text`: the analysed text, read when a code action needs it (a large spec's is held in pieces). */
interface AnalysedVersion { version: number; text: () => string; result: AnalysisResult }

/**
 * The LSP adapter: keeps open documents, debounces and analyses them with the core, publishes
 * diagnostics per version, and answers code actions from the cached result of that version.
 * Only this folder knows about LSP.
 */
export function startServer(connection: Connection): void {
  // Open documents apply incremental changes without joining their text (see EditorTextDocument).
  const documents = new TextDocuments<EditorTextDocument>({ create: EditorTextDocument.create, update: EditorTextDocument.update });
  const analysed = new Map<string, AnalysedVersion>();
  const parsedSpecs = new Map<string, { version: number; doc: SpecDocument }>();
  const chunkedParsers = new Map<string, ChunkedYamlParser>();
  /** Per open spec: path-item rule results of earlier versions, reused for unchanged path items. */
  const documentMemories = new Map<string, DocumentMemory>();
  const timers = new Map<string, NodeJS.Timeout>();
  const isRule = new Set(allRules.map((rule) => rule.id));
  let roots: string[] = [];
  let settings: EditorSettings = DEFAULT_SETTINGS;
  let canPullConfiguration = false;
  let workspaceTrusted = true;

  const log = (message: string) => connection.console.error(message);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = folders.map(fsPathOf).filter((path): path is string => !!path);
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    const options = params.initializationOptions as { workspaceTrusted?: boolean; settings?: Partial<EditorSettings> } | undefined;
    if (options?.workspaceTrusted === false) workspaceTrusted = false;
    if (options?.settings) settings = { ...DEFAULT_SETTINGS, ...options.settings };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['#', '/', "'", '"', ' '], resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        workspaceSymbolProvider: true,
      },
      serverInfo: { name: 'apilens', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    if (canPullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
      await refreshSettings();
    }
  });

  async function refreshSettings() {
    if (!canPullConfiguration) return;
    try {
      const value = (await connection.workspace.getConfiguration('apilens')) as Partial<EditorSettings> | null;
      settings = { ...DEFAULT_SETTINGS, ...(value ?? {}) };
    } catch {
      settings = DEFAULT_SETTINGS;
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    const pushed = (change.settings as { apilens?: Partial<EditorSettings> } | undefined)?.apilens;
    if (pushed) settings = { ...DEFAULT_SETTINGS, ...pushed };
    else await refreshSettings();
    analysed.clear();
    for (const document of documents.all()) schedule(document, 0);
  });

  function rootsFor(uri: string): string[] {
    const path = fsPathOf(uri);
    if (roots.length > 0) return roots;
    // No workspace folder (a single file opened): its own folder is the workspace.
    return path ? [Utils.dirname(URI.file(path)).fsPath] : [];
  }

  function configFor(uri: string): ApilensConfig {
    let config = mergeConfig(defaultConfig(), { rules: settings.rules, maxFileSize: settings.maxFileSize });
    const path = fsPathOf(uri);
    const root = rootsFor(uri).find((candidate) => path?.startsWith(candidate));
    // In an untrusted workspace, files from the workspace do not change behaviour.
    if (workspaceTrusted && path && root) {
      const file = findConfigFile(Utils.dirname(URI.file(path)).fsPath, root);
      if (file) {
        try {
          config = readConfigFile(file, config);
        } catch (error) {
          log(`apilens: ${(error as Error).message}`);
        }
      }
    }
    return config;
  }

  function openSpec(uri: string): SpecDocument | undefined {
    const document = documents.get(uri);
    if (!document) return undefined;
    const cached = parsedSpecs.get(uri);
    if (cached && cached.version === document.version) return cached.doc;
    // A large YAML document being typed in: its chunked parser takes the changes since the version
    // it parsed, and the text of the new version is not joined.
    let parser = chunkedParsers.get(uri);
    const changes = parser && cached ? document.changesSince(cached.version) : undefined;
    let doc: SpecDocument;
    if (parser && changes) {
      doc = parser.parseEdits(uri, changes, () => document.getText());
    } else {
      const text = document.getText();
      const kind = detectFileKind(uri, text, document.languageId);
      if (kind.kind !== 'spec') return undefined;
      // Large YAML documents are parsed in chunks, and only the chunks an edit touched are re-parsed.
      if (!parser && kind.format === 'yaml') chunkedParsers.set(uri, parser = new ChunkedYamlParser({ keepsVersions: true }));
      doc = parser ? parser.parse(uri, text) : parseSpecDocument(uri, text, kind.format, cached?.doc);
    }
    // A document parsed whole has all-new values: give it back the previous version's objects
    // where nothing changed, so what the analysis memory keeps per path item stays valid.
    if (cached && !parser?.lastWasChunked) reuseUnchangedValues(cached.doc.root, doc.root);
    // The chunked parse holds the text in pieces: the open document need not keep its own copy.
    if (parser?.lastWasChunked) document.textHeldBy(document.version, () => doc.text);
    parsedSpecs.set(uri, { version: document.version, doc });
    return doc;
  }

  const workspace = new WorkspaceIndex(() => roots.length ? roots : [...new Set(documents.all().map((d) => rootsFor(d.uri)[0]).filter(Boolean))], {
    text: (uri) => documents.get(uri)?.getText(),
    spec: openSpec,
    openUris: () => documents.all().map((d) => d.uri),
  }, () => settings.maxFileSize ?? 20 * 1024 * 1024);

  /**
   * Drift lives between files: when a spec changes, open route files are re-analysed, and the
   * reverse, without waiting for a save.
   */
  function scheduleDependents(changedUri: string | undefined) {
    const changedIsCode = changedUri ? /\.(ts|mts|cts|js|mjs|cjs)$/i.test(changedUri) : undefined;
    for (const document of documents.all()) {
      if (document.uri === changedUri) continue;
      const isCode = /\.(ts|mts|cts|js|mjs|cjs)$/i.test(document.uri);
      if (changedIsCode === undefined || isCode !== changedIsCode || isCode) schedule(document, settings.debounceMs * 2);
    }
  }

  function schedule(document: EditorTextDocument, delay = settings.debounceMs) {
    const existing = timers.get(document.uri);
    if (existing) clearTimeout(existing);
    timers.set(document.uri, setTimeout(() => {
      timers.delete(document.uri);
      validate(document.uri, document.version);
    }, Math.max(0, delay)));
  }

  function memoryFor(uri: string): DocumentMemory {
    let memory = documentMemories.get(uri);
    if (!memory) documentMemories.set(uri, memory = new DocumentMemory());
    return memory;
  }

  function validate(uri: string, version: number) {
    void validateAsync(uri, version);
  }

  async function validateAsync(uri: string, version: number) {
    const document = documents.get(uri);
    // A newer version (or a close) supersedes this one: its own timer will publish.
    if (!document || document.version !== version) return;
    if (!settings.enable) { analysed.delete(uri); void connection.sendDiagnostics({ uri, version, diagnostics: [] }); return; }
    try {
      const config = configFor(uri);
      const host = new NodeWorkspaceHost(rootsFor(uri), config.maxFileSize);
      // A spec is analysed from the editor's parse of this version; other files from their text.
      const parsed = openSpec(uri);
      const text = parsed ? undefined : document.getText();
      const textOf = () => text ?? parsed!.text;
      // Yields between rules: requests and newer edits are served meanwhile, and a newer version
      // cancels this analysis at the next rule.
      const result = await analyzeFileAsync({ uri, get text() { return textOf(); }, languageId: document.languageId, document: parsed }, {
        host, config, log, openDocument: openSpec, codeWorkspace: () => workspace.codeView(),
        memory: memoryFor(uri),
        isCancelled: () => documents.get(uri)?.version !== version,
      });
      if (result.cancelled || documents.get(uri)?.version !== version) return;
      const before = analysed.get(uri);
      analysed.set(uri, { version, text: textOf, result });
      // A spec analysed again because route code changed mostly finds what it found: the editor
      // already shows that (GitHub's description: 982 diagnostics, 4 ms to encode, each keystroke).
      if (before?.version === version && sameDiagnostics(before.result.diagnostics, result.diagnostics)) return;
      void connection.sendDiagnostics({ uri, version, diagnostics: result.diagnostics.map((d) => toLspDiagnostic(d, (id) => isRule.has(id))) });
    } catch (error) {
      log(`apilens: analysis of ${uri} failed: ${(error as Error)?.stack ?? error}`);
    }
  }

  documents.onDidChangeContent((change) => {
    schedule(change.document);
    scheduleDependents(change.document.uri);
  });
  documents.onDidOpen((event) => schedule(event.document, 0));
  documents.onDidClose((event) => {
    const timer = timers.get(event.document.uri);
    if (timer) clearTimeout(timer);
    timers.delete(event.document.uri);
    analysed.delete(event.document.uri);
    parsedSpecs.delete(event.document.uri);
    chunkedParsers.delete(event.document.uri);
    documentMemories.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onCodeAction((params: CodeActionParams): CodeAction[] => {
    try {
      return codeActions(params);
    } catch (error) {
      log(`apilens: code actions failed: ${(error as Error)?.stack ?? error}`);
      return [];
    }
  });

  function codeActions(params: CodeActionParams): CodeAction[] {
    const document = documents.get(params.textDocument.uri);
    const entry = analysed.get(params.textDocument.uri);
    // Edits are computed on the analysed text: only offer them while the editor shows that text.
    if (!document || !entry || entry.version !== document.version) return [];
    // Spec edits use the parsed document's line index; code edits the analysed text's own.
    let codeLines: LineIndex | undefined;
    const linesFor = (uri: string) => uri === entry.result.doc?.uri ? entry.result.doc.lines
      : uri === params.textDocument.uri ? (codeLines ??= new LineIndex(entry.text()))
      // A drift fix writes into a spec that need not be open in the editor.
      : openSpec(uri)?.lines ?? workspace.specs().find((doc) => doc.uri === uri)?.lines;
    const only = params.context.only;
    const wantsFixAll = only?.some((kind) => FIX_ALL_KIND.startsWith(kind) && kind !== CodeActionKind.QuickFix);
    const wantsQuickFix = !only || only.some((kind) => CodeActionKind.QuickFix.startsWith(kind));
    const actions: CodeAction[] = [];
    if (wantsQuickFix) {
      for (const diagnostic of entry.result.diagnostics) {
        if (!diagnostic.fix || !overlaps(diagnostic, params.range)) continue;
        const edit = toWorkspaceEdit(diagnostic.fix, linesFor);
        if (edit) actions.push(quickFixAction(diagnostic.fix, toLspDiagnostic(diagnostic, (id) => isRule.has(id)), edit));
      }
    }
    if (wantsFixAll) {
      const fixAll = fixAllAction(entry.result.diagnostics, linesFor);
      if (fixAll) actions.push(fixAll);
    }
    return actions;
  }

  /** Every preferred fix of the file whose edits do not overlap an earlier one, in one edit. */
  function fixAllAction(diagnostics: Diagnostic[], linesFor: (uri: string) => LineIndex | undefined): CodeAction | undefined {
    const edits = collectFixAllEdits(diagnostics);
    if (edits.length === 0) return undefined;
    const changes: Record<string, TextEdit[]> = {};
    for (const edit of edits) {
      const lines = linesFor(edit.uri);
      if (!lines) return undefined;
      (changes[edit.uri] ??= []).push({ range: { start: lines.positionAt(edit.start), end: lines.positionAt(edit.end) }, newText: edit.newText });
    }
    return { title: 'Fix all apilens problems', kind: FIX_ALL_KIND, edit: { changes } };
  }

  registerLanguageFeatures({
    connection, documents, openSpec, workspaceSpecs: { all: () => workspace.specs() }, codeView: (uri) => pairedView(workspace.codeView(), configFor(uri).service), log,
    hostFor: (uri) => new NodeWorkspaceHost(rootsFor(uri), configFor(uri).maxFileSize),
    diagnosticsAt: (uri) => { const entry = analysed.get(uri); return entry && entry.version === documents.get(uri)?.version ? entry.result.diagnostics : []; },
  });
  connection.onDidChangeWatchedFiles((change) => {
    for (const event of change.changes) workspace.invalidate(event.uri);
    scheduleDependents(undefined);
  });

  documents.listen(connection);
  connection.listen();
}

function overlaps(diagnostic: Diagnostic, range: { start: { line: number; character: number }; end: { line: number; character: number } }): boolean {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return !before(diagnostic.range.end, range.start) && !before(range.end, diagnostic.range.start);
}

/** Whether two lists of diagnostics would be published alike. */
function sameDiagnostics(a: Diagnostic[], b: Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return x.ruleId === y.ruleId && x.severity === y.severity && x.message === y.message && x.uri === y.uri && !x.fix === !y.fix
      && sameRange(x.range, y.range) && (x.related?.length ?? 0) === (y.related?.length ?? 0)
      && (x.related ?? []).every((r, j) => r.uri === y.related![j].uri && r.message === y.related![j].message && sameRange(r.range, y.related![j].range));
  });
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
