import {
  CompletionItemKind, ErrorCodes, InsertTextFormat, MarkupKind, ResponseError, SymbolKind,
  type CompletionItem, type Connection, type DocumentSymbol, type Location, type TextDocuments, type WorkspaceEdit, type WorkspaceSymbol,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { completionsAt } from '../core/features/completion';
import { hoverAt } from '../core/features/hover';
import { componentAt, definitionAt, referencesTo, renameComponent } from '../core/features/navigation';
import { documentSymbols, operationSymbols, type SpecSymbol, type SymbolKind as CoreSymbolKind } from '../core/features/symbols';
import { allRules } from '../core/rules';
import { operationLenses, routeLenses, type Lens } from '../core/features/code-lens';
import type { CodeWorkspaceView } from '../core/engine/code-context';
import { LineIndex } from '../core/text';
import { RefResolver, type WorkspaceHost } from '../core/spec/refs';
import type { SpecDocument } from '../core/spec/document';
import type { Diagnostic } from '../core/types';
import { ruleDocUrl } from '../core/types';


interface FeatureDeps {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  openSpec(uri: string): SpecDocument | undefined;
  workspaceSpecs: { all(): SpecDocument[] };
  /** The workspace's routes and specs together (for code lenses between them). */
  codeView(uri: string): CodeWorkspaceView | undefined;
  hostFor(uri: string): WorkspaceHost;
  diagnosticsAt(uri: string): Diagnostic[];
  log(message: string): void;
}

const SYMBOL_KIND: Record<CoreSymbolKind, SymbolKind> = {
  namespace: SymbolKind.Namespace, method: SymbolKind.Method, field: SymbolKind.Field, object: SymbolKind.Object,
  module: SymbolKind.Module, class: SymbolKind.Class, interface: SymbolKind.Interface, key: SymbolKind.Key,
};

/** Hover, completion, navigation and symbols: each handler looks up the document and delegates to core/features. */
export function registerLanguageFeatures(deps: FeatureDeps): void {
  const { connection, documents, openSpec } = deps;
  const rulesById = new Map(allRules.map((rule) => [rule.id, rule]));
  const guard = <T>(what: string, fallback: T, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      deps.log(`apilens: ${what} failed: ${(error as Error)?.stack ?? error}`);
      return fallback;
    }
  };
  const resolverFor = (uri: string) => new RefResolver(deps.hostFor(uri), openSpec);
  const workspaceDocs = (current: SpecDocument) => {
    const docs = deps.workspaceSpecs.all();
    return docs.some((doc) => doc.uri === current.uri) ? docs : [current, ...docs];
  };

  connection.onHover((params) => guard('hover', null, () => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const parts: string[] = [];
    let range;
    for (const diagnostic of deps.diagnosticsAt(params.textDocument.uri)) {
      if (!contains(diagnostic.range, params.position)) continue;
      const rule = rulesById.get(diagnostic.ruleId);
      if (rule) parts.push(`**apilens: ${rule.id}** — ${rule.description}\n\n[Rule documentation](${ruleDocUrl(rule.id)})`);
      range ??= diagnostic.range;
    }
    const doc = openSpec(params.textDocument.uri);
    if (doc) {
      const hover = hoverAt(doc, document.offsetAt(params.position), resolverFor(doc.uri));
      if (hover) {
        parts.push(hover.markdown);
        range = doc.lines.rangeOf(hover.span);
      }
    }
    return parts.length ? { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range } : null;
  }));

  connection.onCompletion((params) => guard('completion', [], () => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const doc = openSpec(params.textDocument.uri);
    // A spec is read through its parse (a large one is held in pieces); other files by their text.
    const text = doc ? undefined : document.getText();
    if (!doc && !/^\s*$/.test(text!) && !/\.ya?ml$/i.test(params.textDocument.uri)) return [];
    const offset = document.offsetAt(params.position);
    return completionsAt(doc, text, offset, doc ? resolverFor(doc.uri) : undefined).map((entry): CompletionItem => ({
      label: entry.label,
      kind: entry.kind === 'reference' ? CompletionItemKind.Reference : entry.kind === 'snippet' ? CompletionItemKind.Snippet : entry.kind === 'enum' ? CompletionItemKind.EnumMember : CompletionItemKind.Value,
      detail: entry.detail,
      documentation: entry.documentation ? { kind: MarkupKind.Markdown, value: entry.documentation } : undefined,
      insertTextFormat: entry.isSnippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      sortText: entry.sortText,
      filterText: entry.label,
      textEdit: { range: { start: document.positionAt(entry.replace?.start ?? offset), end: document.positionAt(entry.replace?.end ?? offset) }, newText: entry.insertText },
    }));
  }));

  connection.onDefinition((params) => guard('definition', null, () => {
    const doc = openSpec(params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!doc || !document) return null;
    const target = definitionAt(doc, document.offsetAt(params.position), resolverFor(doc.uri));
    if (!target) return null;
    return { uri: target.uri, range: target.doc.lines.rangeOf(target.span) };
  }));

  connection.onReferences((params) => guard('references', [], () => {
    const doc = openSpec(params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!doc || !document) return [];
    const target = componentAt(doc, document.offsetAt(params.position), resolverFor(doc.uri));
    if (!target) return [];
    const locations: Location[] = referencesTo(target, workspaceDocs(doc)).map((use) => ({ uri: use.doc.uri, range: use.doc.lines.rangeOf(use.span) }));
    if (params.context.includeDeclaration) locations.unshift({ uri: target.doc.uri, range: target.doc.lines.rangeOf(target.doc.locate(target.path, 'key')) });
    return locations;
  }));

  connection.onPrepareRename((params) => guard('prepareRename', null, () => {
    const doc = openSpec(params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!doc || !document) return null;
    const target = componentAt(doc, document.offsetAt(params.position), resolverFor(doc.uri));
    if (!target) return null;
    const name = String(target.path[target.path.length - 1]);
    if (target.doc.uri !== doc.uri) return { range: doc.lines.rangeOf(doc.locate([], 'value')), placeholder: name };
    const keySpan = doc.locate(target.path, 'key');
    const at = doc.slice(keySpan.start, keySpan.end).indexOf(name);
    return { range: doc.lines.rangeOf({ start: keySpan.start + at, end: keySpan.start + at + name.length }), placeholder: name };
  }));

  connection.onRenameRequest((params) => guard('rename', null, () => {
    const doc = openSpec(params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!doc || !document) return null;
    const target = componentAt(doc, document.offsetAt(params.position), resolverFor(doc.uri));
    if (!target) return null;
    const docs = workspaceDocs(doc);
    const edits = renameComponent(target, params.newName, docs);
    if (typeof edits === 'string') return new ResponseError(ErrorCodes.InvalidParams, edits);
    const changes: WorkspaceEdit['changes'] = {};
    const byUri = new Map(docs.map((d) => [d.uri, d]));
    byUri.set(target.doc.uri, target.doc);
    for (const edit of edits) {
      const lines = byUri.get(edit.uri)?.lines;
      if (!lines) continue;
      (changes[edit.uri] ??= []).push({ range: { start: lines.positionAt(edit.start), end: lines.positionAt(edit.end) }, newText: edit.newText });
    }
    return { changes };
  }));

  connection.onDocumentSymbol((params) => guard('documentSymbol', [], () => {
    const doc = openSpec(params.textDocument.uri);
    if (!doc) return [];
    const convert = (symbol: SpecSymbol): DocumentSymbol => ({
      name: symbol.name || ' ', detail: symbol.detail, kind: SYMBOL_KIND[symbol.kind],
      range: doc.lines.rangeOf(symbol.span), selectionRange: doc.lines.rangeOf(symbol.selection), children: symbol.children.map(convert),
    });
    return documentSymbols(doc).map(convert);
  }));

  // Above each route, the operation it implements; above each operation, its handler. Clicking
  // opens the other side (the client registers `apilens.openLocation`).
  connection.onCodeLens((params) => guard('codeLens', [], () => {
    const view = deps.codeView(params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!view || !document) return [];
    const doc = openSpec(params.textDocument.uri);
    const lenses: Lens[] = doc ? operationLenses(view, doc) : routeLenses(view, params.textDocument.uri);
    const lines = doc?.lines ?? new LineIndex(document.getText());
    return lenses.map((lens) => ({
      range: lines.rangeOf({ start: lens.span.start, end: lens.span.start }),
      command: lens.target
        ? { title: lens.title, command: 'apilens.openLocation', arguments: [lens.target.uri, lens.target.line, lens.target.character] }
        : { title: lens.title, command: '' },
    }));
  }));

  connection.onWorkspaceSymbol((params) => guard('workspaceSymbol', [], () => {
    const query = params.query.toLowerCase();
    const result: WorkspaceSymbol[] = [];
    for (const doc of deps.workspaceSpecs.all()) {
      for (const symbol of operationSymbols(doc)) {
        if (query && !symbol.name.toLowerCase().includes(query) && !symbol.detail.toLowerCase().includes(query)) continue;
        result.push({ name: symbol.name, containerName: symbol.detail, kind: SymbolKind.Method, location: { uri: doc.uri, range: doc.lines.rangeOf(symbol.span) } });
        if (result.length >= 500) return result;
      }
    }
    return result;
  }));
}

function contains(range: Diagnostic['range'], position: { line: number; character: number }): boolean {
  const after = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}
