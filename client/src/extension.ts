import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;

/**
 * The extension is a thin client: it starts dist/server.js and forwards settings. All analysis
 * lives in the server, so other editors get the same results from `node dist/server.js --stdio`.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
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
  client = new LanguageClient('apilens', 'apilens', serverOptions, clientOptions);

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
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
