import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { readTextFile } from './files';
import { URI } from 'vscode-uri';
import type { WorkspaceHost } from '../core/spec/refs';

/**
 * File access for the CLI and the language server: only inside the workspace roots, with symlinks
 * resolved before the check, so a `$ref` can never make apilens read `/etc/passwd` or a file a
 * symlink leads out to. Nothing here opens a network connection.
 */
export class NodeWorkspaceHost implements WorkspaceHost {
  private readonly roots: string[];

  constructor(roots: string[], private readonly maxFileSize = 20 * 1024 * 1024) {
    this.roots = roots.map((root) => withSep(safeRealpath(resolve(root)) ?? resolve(root)));
  }

  isInsideWorkspace(uri: string): boolean {
    const path = fsPathOf(uri);
    if (!path) return false;
    const lexical = resolve(path);
    if (!this.roots.some((root) => withSep(lexical).startsWith(root) || lexical + sep === root)) {
      // The lexical path may still be inside once the roots' own symlinks are resolved.
      const real = safeRealpath(lexical);
      return !!real && this.roots.some((root) => withSep(real).startsWith(root));
    }
    const real = safeRealpath(lexical);
    // A missing file is "inside" (it will be reported missing); an existing one must really be inside.
    return real === undefined || this.roots.some((root) => withSep(real).startsWith(root));
  }

  readFile(uri: string): string | undefined {
    if (!this.isInsideWorkspace(uri)) return undefined;
    const path = fsPathOf(uri)!;
    try {
      const stats = statSync(path);
      if (!stats.isFile() || stats.size > this.maxFileSize) return undefined;
      return readTextFile(path);
    } catch {
      return undefined;
    }
  }
}

export function fsPathOf(uri: string): string | undefined {
  try {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? parsed.fsPath : undefined;
  } catch {
    return undefined;
  }
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function withSep(path: string): string {
  return path.endsWith(sep) ? path : path + sep;
}
