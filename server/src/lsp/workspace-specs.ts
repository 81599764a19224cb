import { readFileSync, statSync } from 'node:fs';
import { URI } from 'vscode-uri';
import { detectFileKind } from '../core/detect';
import { parseSpecDocument, type SpecDocument } from '../core/spec/document';
import { collectFiles } from '../host/files';

/**
 * The OpenAPI documents of the workspace folders, for features that look across files (find
 * references, rename, workspace symbols). Files are listed once and parsed on demand, cached by
 * modification time; open documents always win over the disk copy. File-watcher events invalidate.
 */
export class WorkspaceSpecs {
  private listed?: string[];
  private readonly parsed = new Map<string, { mtimeMs: number; doc: SpecDocument | null }>();

  constructor(private readonly roots: () => string[], private readonly openDocument: (uri: string) => SpecDocument | undefined, private readonly maxFileSize: () => number) {}

  invalidate(uri?: string): void {
    if (uri) this.parsed.delete(uri);
    this.listed = undefined;
  }

  all(): SpecDocument[] {
    this.listed ??= this.roots().flatMap((root) => {
      try {
        return collectFiles([root]).filter((file) => /\.(ya?ml|json)$/i.test(file));
      } catch {
        return [];
      }
    });
    const docs: SpecDocument[] = [];
    for (const file of this.listed) {
      const uri = URI.file(file).toString();
      const doc = this.openDocument(uri) ?? this.fromDisk(file, uri);
      if (doc) docs.push(doc);
    }
    return docs;
  }

  private fromDisk(file: string, uri: string): SpecDocument | undefined {
    let mtimeMs: number;
    try {
      const stats = statSync(file);
      if (stats.size > this.maxFileSize()) return undefined;
      mtimeMs = stats.mtimeMs;
    } catch {
      return undefined;
    }
    const cached = this.parsed.get(uri);
    if (cached && cached.mtimeMs === mtimeMs) return cached.doc ?? undefined;
    let doc: SpecDocument | null = null;
    try {
      const text = readFileSync(file, 'utf8');
      const kind = detectFileKind(file, text);
      if (kind.kind === 'spec') doc = parseSpecDocument(uri, text, kind.format);
    } catch {
      doc = null;
    }
    this.parsed.set(uri, { mtimeMs, doc });
    return doc ?? undefined;
  }
}
