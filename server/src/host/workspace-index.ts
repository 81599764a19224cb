import { statSync } from 'node:fs';
import { URI } from 'vscode-uri';
import { detectFileKind } from '../core/detect';
import type { SpecDocument } from '../core/spec/document';
import { parseSpecDocumentFast } from '../core/spec/chunked-yaml';
import { extractRoutes, looksLikeRouteCode } from '../core/code/extract';
import { codeWorkspaceView, type CodeWorkspaceView } from '../core/engine/code-context';
import type { CodeFile } from '../core/code/model';
import { collectFiles, readTextFile } from './files';

export interface OpenDocuments {
  /** Text of an open document (the editor's copy wins over the disk). */
  text(uri: string): string | undefined;
  /** A parsed spec the host already has for an open document. */
  spec(uri: string): SpecDocument | undefined;
  openUris(): string[];
}

/**
 * Every OpenAPI document and every route file of the workspace folders, for cross-file features:
 * references, rename, workspace symbols, and spec/code drift. Files are listed once (again after a
 * file-watcher event), read and parsed on demand, cached by modification time; open documents
 * always win. The route extraction is recomputed only when some code file changed.
 */
export class WorkspaceIndex {
  private listed?: string[];
  private readonly parsed = new Map<string, { mtimeMs: number; doc: SpecDocument | null }>();
  private readonly codeTexts = new Map<string, { mtimeMs: number; text: string | null }>();
  private view?: { code: CodeFile[]; specs: SpecDocument[]; view: CodeWorkspaceView };
  private emptyView?: CodeWorkspaceView;

  constructor(private readonly roots: () => string[], private readonly open: OpenDocuments, private readonly maxFileSize: () => number) {}

  /** A file changed on disk or was created/deleted. */
  invalidate(uri?: string): void {
    if (uri) { this.parsed.delete(uri); this.codeTexts.delete(uri); }
    this.listed = undefined;
    this.view = undefined;
  }

  private files(): string[] {
    this.listed ??= this.roots().flatMap((root) => {
      try {
        return collectFiles([root]);
      } catch {
        return [];
      }
    });
    return this.listed;
  }

  specs(): SpecDocument[] {
    const docs: SpecDocument[] = [];
    const seen = new Set<string>();
    for (const file of this.files().filter((f) => /\.(ya?ml|json)$/i.test(f))) {
      const uri = URI.file(file).toString();
      seen.add(uri);
      const open = this.open.spec(uri);
      // An open document is read from the editor: its parse from disk, made before it was opened,
      // would only hold a second copy (80 MB for GitHub's description) until it is closed.
      if (open) this.parsed.delete(uri);
      const doc = open ?? this.specFromDisk(file, uri);
      if (doc) docs.push(doc);
    }
    // Open documents outside the listed folders (or not saved yet) count too.
    for (const uri of this.open.openUris()) {
      if (seen.has(uri)) continue;
      const doc = this.open.spec(uri);
      if (doc) docs.push(doc);
    }
    return docs;
  }

  codeFiles(): CodeFile[] {
    const files: CodeFile[] = [];
    const seen = new Set<string>();
    for (const file of this.files().filter((f) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(f))) {
      const uri = URI.file(file).toString();
      seen.add(uri);
      const text = this.open.text(uri) ?? this.codeFromDisk(file, uri);
      if (text !== undefined && looksLikeRouteCode(text)) files.push({ path: uri, text });
    }
    for (const uri of this.open.openUris()) {
      if (seen.has(uri) || !/\.(ts|mts|cts|js|mjs|cjs)$/i.test(uri)) continue;
      const text = this.open.text(uri);
      if (text !== undefined && looksLikeRouteCode(text)) files.push({ path: uri, text });
    }
    return files;
  }

  /**
   * The route extraction and specs, recomputed only when a code or spec text changed. Unchanged
   * inputs are the same objects (open documents per version, disk files per mtime), so the check is
   * by identity, never by hashing megabytes per keystroke. Without route code there is nothing to
   * compare, and the workspace's specs are not even parsed.
   */
  codeView(): CodeWorkspaceView {
    const code = this.codeFiles();
    if (code.length === 0) return (this.emptyView ??= codeWorkspaceView(extractRoutes([]), []));
    const specs = this.specs();
    const previous = this.view;
    const keptExtraction = previous && sameItems(previous.code, code, (a, b) => a.path === b.path && a.text === b.text) ? previous.view.extraction : undefined;
    const keptOperations = previous && sameItems(previous.specs, specs, (a, b) => a === b) ? previous.view.operations : undefined;
    if (previous && keptExtraction && keptOperations) return previous.view;
    // Typing in a spec leaves the routes as they were, and typing in a route file the specs' operation
    // index. The editor never reads a superseded tree again: an edited file's tree is updated, not re-parsed.
    const view = codeWorkspaceView(keptExtraction ?? extractRoutes(code, { incremental: true }), specs, keptOperations);
    this.view = { code, specs, view };
    return view;
  }

  private specFromDisk(file: string, uri: string): SpecDocument | undefined {
    const stats = this.stat(file);
    if (!stats) return undefined;
    const cached = this.parsed.get(uri);
    if (cached && cached.mtimeMs === stats.mtimeMs) return cached.doc ?? undefined;
    let doc: SpecDocument | null = null;
    try {
      const text = readTextFile(file);
      const kind = detectFileKind(file, text);
      if (kind.kind === 'spec') doc = parseSpecDocumentFast(uri, text, kind.format);
    } catch {
      doc = null;
    }
    this.parsed.set(uri, { mtimeMs: stats.mtimeMs, doc });
    return doc ?? undefined;
  }

  private codeFromDisk(file: string, uri: string): string | undefined {
    const stats = this.stat(file);
    if (!stats) return undefined;
    const cached = this.codeTexts.get(uri);
    if (cached && cached.mtimeMs === stats.mtimeMs) return cached.text ?? undefined;
    let text: string | null = null;
    try {
      text = readTextFile(file);
    } catch {
      text = null;
    }
    this.codeTexts.set(uri, { mtimeMs: stats.mtimeMs, text });
    return text ?? undefined;
  }

  private stat(file: string) {
    try {
      const stats = statSync(file);
      return stats.isFile() && stats.size <= this.maxFileSize() ? stats : undefined;
    } catch {
      return undefined;
    }
  }
}

function sameItems<T>(a: T[], b: T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((item, index) => same(item, b[index]));
}

