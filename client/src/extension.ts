import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import SERVER_NODE_FLAGS from './server-node-flags.json';

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;

/**
 * The extension is a thin client: it starts dist/server.js and forwards settings. All analysis
 * lives in the server, so other editors get the same results from `node dist/server.js --stdio`.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  // The server's code cache (server/src/compile-cache.ts) goes in the extension's own storage, which
  // VS Code removes with the extension, unless APILENS_COMPILE_CACHE says otherwise.
  const env = process.env.APILENS_COMPILE_CACHE || context.globalStorageUri.scheme !== 'file'
    ? {}
    : { APILENS_COMPILE_CACHE: vscode.Uri.joinPath(context.globalStorageUri, 'compile-cache').fsPath };
  // SERVER_NODE_FLAGS: `--v8-pool-size=0` sizes V8's background threads to the machine's cores
  // less one, not Node's fixed four. On two cores the four competed with the server's own thread
  // for the CPU while V8 was still optimising, and the first edits in a route file waited for it.
  // `--max-semi-space-size=2` keeps V8's young generation small (2 MB halves instead of 16): a
  // server sits idle most of the time and its keystrokes allocate little, and with the small
  // young generation the heap V8 grew to open a large document is given back once the server is
  // idle (GitHub's description: 225 -> 147 MB). The benchmark starts the server with the same
  // flags (bench/LATENCY.md).
  const serverOptions = (execArgv: string[]): ServerOptions => ({
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv, env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  });
  const output = vscode.window.createOutputChannel('apilens');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'jsonc' },
      { scheme: 'file', language: 'typescript' },
      { scheme: 'file', language: 'javascript' },
      { scheme: 'untitled', language: 'yaml' },
      { scheme: 'untitled', language: 'json' },
    ],
    synchronize: { configurationSection: 'apilens', fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.yaml,*.yml,*.json,.apilens.yaml}') },
    initializationOptions: { workspaceTrusted: vscode.workspace.isTrusted },
    outputChannel: output,
  };
  client = new LanguageClient('apilens', 'apilens', serverOptions(SERVER_NODE_FLAGS), clientOptions);

  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  statusItem.command = 'apilens.showOutput';
  context.subscriptions.push(statusItem);
  const updateStatus = () => {
    if (!statusItem) return;
    let count = 0;
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) count += diagnostics.filter((d) => d.source === 'apilens').length;
    statusItem.text = `$(checklist) apilens: ${count}`;
    statusItem.tooltip = `${count} apilens finding${count === 1 ? '' : 's'} in open files`;
    statusItem.show();
  };
  context.subscriptions.push(vscode.languages.onDidChangeDiagnostics(updateStatus));
  updateStatus();

  context.subscriptions.push(
    vscode.commands.registerCommand('apilens.showOutput', () => output.show(true)),
    // Code lenses link a route to its operation and back.
    vscode.commands.registerCommand('apilens.openLocation', async (uri: string, line: number, character: number) => {
      const position = new vscode.Position(line, character);
      await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: new vscode.Range(position, position) });
    }),
    vscode.commands.registerCommand('apilens.restartServer', async () => {
      await client?.restart();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await client?.restart();
    }),
  );
  try {
    await client.start();
  } catch (error) {
    // A runtime that refused the flags must still get a server: start it as plain Node would.
    output.appendLine(`apilens: the server did not start with ${SERVER_NODE_FLAGS.join(' ')} (${(error as Error)?.message ?? error}); starting it without them.`);
    await client.dispose().catch(() => undefined);
    client = new LanguageClient('apilens', 'apilens', serverOptions([]), clientOptions);
    await client.start();
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
