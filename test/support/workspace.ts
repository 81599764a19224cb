import { readFileSync } from 'node:fs';
import { URI } from 'vscode-uri';
import { analyzeFile, type AnalysisResult } from '../../server/src/core/engine/analyze';
import { defaultConfig, type ApilensConfig } from '../../server/src/core/engine/config';
import type { Rule } from '../../server/src/core/rules/rule';
import { NodeWorkspaceHost } from '../../server/src/host/node-host';
import type { WorkspaceHost } from '../../server/src/core/spec/refs';

/** A workspace with no other files: documents analysed from memory, every path inside. */
export const NO_FILES_HOST: WorkspaceHost = { readFile: () => undefined, isInsideWorkspace: () => true };

/** Analyses one file on disk the way the CLI does, with the workspace rooted at `root`. */
export function analyzePath(path: string, root: string, options: { rules?: readonly Rule[]; config?: ApilensConfig } = {}): AnalysisResult {
  const uri = URI.file(path).toString();
  const config = options.config ?? defaultConfig();
  return analyzeFile({ uri, text: readFileSync(path, 'utf8') }, { host: new NodeWorkspaceHost([root]), config, rules: options.rules });
}
