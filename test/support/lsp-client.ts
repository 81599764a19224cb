import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const SERVER = join(__dirname, '../../dist/server.js');

/**
 * Drives dist/server.js over stdio exactly as an editor does: JSON-RPC, initialize, text sync.
 * Waits are polls on received notifications with a deadline, never fixed sleeps.
 */
export class LspTestClient {
  readonly process: ChildProcess;
  readonly connection: MessageConnection;
  private readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  private readonly versions = new Map<string, number>();

  constructor(extraArgs: string[] = []) {
    this.process = spawn(process.execPath, [SERVER, '--stdio', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk) => this.logs.push(String(chunk)));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => this.published.push(params));
    this.connection.onNotification('window/logMessage', (params: { message: string }) => this.logs.push(params.message));
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.settings));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  settings: Record<string, unknown> = { enable: true, rules: {}, debounceMs: 20 };

  async initialize(rootUri: string | null, capabilities: Record<string, unknown> = { workspace: { configuration: true }, textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } } }) {
    const result = await this.connection.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null, capabilities });
    await this.connection.sendNotification('initialized', {});
    return result as { capabilities: Record<string, any> };
  }

  open(uri: string, text: string, languageId = 'yaml') {
    this.versions.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replaces the whole text (a full-range incremental change, as editors send on paste). */
  change(uri: string, changes: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  close(uri: string) {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The first diagnostics published for `uri` at `version` (or any version when omitted). */
  async diagnostics(uri: string, version?: number, timeoutMs = 15_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.published].reverse().find((p) => p.uri === uri && (version === undefined || p.version === version));
      if (found) return found.diagnostics;
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} v${version}; logs:\n${this.logs.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Publishes so far: pass to `waitFor` to ignore what was published before an action. */
  mark(): number { return this.published.length; }

  /** The latest diagnostics published for `uri` (after the `since` mark) once they satisfy `accept`. */
  async waitFor(uri: string, accept: (diagnostics: Diagnostic[]) => boolean, since = 0, timeoutMs = 15_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const latest = this.published.slice(since).reverse().find((p) => p.uri === uri);
      if (latest && accept(latest.diagnostics)) return latest.diagnostics;
      if (Date.now() > deadline) throw new Error(`diagnostics for ${uri} never matched; last: ${JSON.stringify(latest?.diagnostics.map((d) => `${d.code} ${d.message}`))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  publishedFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  codeActions(uri: string, range: Diagnostic['range'], diagnostics: Diagnostic[], only?: string[]) {
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } }) as Promise<any[]>;
  }

  async shutdown() {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch { /* already gone */ }
    this.connection.dispose();
    this.process.kill();
  }
}

/** Applies LSP TextEdits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: { range: Diagnostic['range']; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}
