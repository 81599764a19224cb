import ts from 'typescript';
import { codeStyle } from './_code-edits';
import { defineRule } from './rule';
import type { CodeContext } from '../engine/code-context';
import type { EntryPoint } from '../code/model';

export default defineRule({
  id: 'graceful-shutdown',
  severity: 'warning',
  description: 'A server entry point with no SIGTERM drain (`server.close()`, then `closeAllConnections()` after a window), or a NestJS `main.ts` without `app.enableShutdownHooks()`.',
  appliesTo: ['express', 'nest'],
  fixable: true,
  docs: {
    rationale: `Rolling deploys send SIGTERM to old instances while new ones come up; a process that dies at once drops every in-flight request and the load balancer answers 502s. The guide: trap SIGTERM, stop accepting new connections, drain in-flight requests, then exit — in Express 5, \`server.close()\` and then \`server.closeAllConnections()\` after the drain window; in NestJS, \`app.enableShutdownHooks()\` plus \`onApplicationShutdown\` handlers. Keep the window shorter than the orchestrator's grace period (Kubernetes: 30 s), and flip the readiness probe first.`,
    bad: `const server = app.listen(3000);`,
    good: `const server = app.listen(3000);
process.on('SIGTERM', () => {
  server.close();
  setTimeout(() => server.closeAllConnections(), 10_000).unref();
});`,
    exampleLanguage: 'ts',
    references: ['Node.js http.Server close() and closeAllConnections()', 'NestJS lifecycle events: enableShutdownHooks'],
  },
  checkCode(context) {
    for (const entry of context.facts.entryPoints) {
      if (!context.isInFile(entry.span)) continue;
      if (entry.framework === 'nest') {
        if (entry.enableShutdownHooks) continue;
        context.report({ span: entry.span, message: 'main.ts never calls app.enableShutdownHooks(): on SIGTERM, in-flight requests are cut off and onApplicationShutdown hooks never run.', fix: nestFix(context) });
      } else if (!(entry.hasSigtermHandler && entry.hasServerClose)) {
        context.report({ span: entry.span, message: 'This server never drains on SIGTERM: handle it with server.close(), then server.closeAllConnections() after a drain window shorter than the orchestrator\'s grace period.', fix: expressFix(context, entry) });
      }
    }
  },
});

/** The statement that holds the listen call, and the variable the server is assigned to. */
function listenStatement(context: CodeContext, entry: EntryPoint): { statement: ts.Statement; serverName?: string; indent: string } | undefined {
  let node: ts.Node | undefined = findNode(context.source, entry.span.start, entry.span.end);
  while (node && !ts.isStatement(node)) node = node.parent;
  if (!node) return undefined;
  const statement = node as ts.Statement;
  let serverName: string | undefined;
  if (ts.isVariableStatement(statement)) {
    const declaration = statement.declarationList.declarations[0];
    if (declaration && ts.isIdentifier(declaration.name)) serverName = declaration.name.text;
  }
  const lineStart = context.source.text.lastIndexOf('\n', statement.getStart(context.source)) + 1;
  const indent = /^[ \t]*/.exec(context.source.text.slice(lineStart))![0];
  return { statement, serverName, indent };
}

function expressFix(context: CodeContext, entry: EntryPoint) {
  const found = listenStatement(context, entry);
  if (!found?.serverName || !ts.isSourceFile(found.statement.parent)) return undefined;
  const { statement, serverName, indent } = found;
  const { quote } = codeStyle(context.source);
  const semi = context.source.text.slice(statement.getStart(context.source), statement.getEnd()).trimEnd().endsWith(';') ? ';' : '';
  return {
    title: 'Drain the server on SIGTERM',
    isPreferred: true,
    edits: () => [{
      uri: context.uri, start: statement.getEnd(), end: statement.getEnd(),
      newText: `\n${indent}process.on(${quote}SIGTERM${quote}, () => {\n${indent}  ${serverName}.close()${semi}\n${indent}  // Shorter than the orchestrator's termination grace period (Kubernetes: 30 s).\n${indent}  setTimeout(() => ${serverName}.closeAllConnections(), 10_000).unref()${semi}\n${indent}})${semi}`,
    }],
  };
}

function nestFix(context: CodeContext) {
  // Insert before the statement that calls `<app>.listen(...)`, with that statement's indentation.
  let listen: ts.CallExpression | undefined;
  const visit = (node: ts.Node) => {
    if (listen) return;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'listen' && ts.isIdentifier(node.expression.expression)) listen = node;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(context.source, visit);
  if (!listen) return undefined;
  const appName = (listen.expression as ts.PropertyAccessExpression).expression.getText(context.source);
  let statement: ts.Node = listen;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  const text = context.source.text;
  const start = statement.getStart(context.source);
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const semi = text.slice(start, statement.getEnd()).trimEnd().endsWith(';') ? ';' : '';
  return { title: `Call ${appName}.enableShutdownHooks()`, isPreferred: true, edits: () => [{ uri: context.uri, start: lineStart, end: lineStart, newText: `${indent}${appName}.enableShutdownHooks()${semi}\n` }] };
}

export function findNode(source: ts.SourceFile, start: number, end: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node) => {
    if (node.getStart(source) <= start && node.getEnd() >= end) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(source, visit);
  return found;
}
