import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

// `node dist/server.js --stdio` (or --node-ipc / --socket=N): createConnection reads the transport
// from the command line, so any LSP client can start it.
if (!process.argv.some((arg) => /^--(stdio|node-ipc|socket|pipe)/.test(arg))) process.argv.push('--stdio');
const connection = createConnection(ProposedFeatures.all);
process.on('uncaughtException', (error) => connection.console.error(`apilens: uncaught ${error?.stack ?? error}`));
process.on('unhandledRejection', (error) => connection.console.error(`apilens: unhandled rejection ${(error as Error)?.stack ?? error}`));
startServer(connection);
