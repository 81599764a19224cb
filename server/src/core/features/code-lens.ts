import type { CodeWorkspaceView } from '../engine/code-context';
import { driftView } from '../drift/drift';
import type { SpecDocument } from '../spec/document';
import { LineIndex, type OffsetRange } from '../text';

/** A line of text above a route or an operation, linking to the other side of the contract. */
export interface Lens {
  span: OffsetRange;
  title: string;
  target?: { uri: string; line: number; character: number };
}

function fileName(uri: string): string {
  return decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
}

/** Above each route of a code file: the operation it implements (`openapi.yaml: getUser`) or "not in the spec". */
export function routeLenses(view: CodeWorkspaceView, uri: string): Lens[] {
  const drift = driftView(view);
  if (!drift?.comparable) return [];
  return drift.routes.filter((route) => route.declaration.file === uri).map((route) => {
    const operation = drift.operationsFor(route)[0];
    if (!operation) return { span: route.declaration, title: 'apilens: not in the OpenAPI document' };
    const id = typeof operation.operation.operationId === 'string' ? operation.operation.operationId : `${operation.method.toUpperCase()} ${operation.path}`;
    const position = operation.doc.lines.positionAt(operation.doc.locate(operation.at, 'key').start);
    return { span: route.declaration, title: `${fileName(operation.doc.uri)}: ${id}`, target: { uri: operation.doc.uri, ...position } };
  });
}

/** Above each operation of a spec: the handler that serves it. */
export function operationLenses(view: CodeWorkspaceView, doc: SpecDocument): Lens[] {
  const drift = driftView(view);
  if (!drift?.comparable) return [];
  const lenses: Lens[] = [];
  const linesByFile = new Map<string, LineIndex>();
  for (const operation of view.operations.operations) {
    if (operation.doc.uri !== doc.uri) continue;
    const route = drift.routesFor(operation.doc, operation.at)[0];
    const span = doc.locate(operation.at, 'key');
    if (!route) { lenses.push({ span, title: 'apilens: no handler in this workspace' }); continue; }
    const file = route.declaration.file;
    let lines = linesByFile.get(file);
    if (!lines) linesByFile.set(file, lines = new LineIndex(view.extraction.sources.get(file)?.text ?? ''));
    const position = lines.positionAt(route.declaration.start);
    const handler = route.handler?.name ? ` (${route.handler.name})` : '';
    lenses.push({ span, title: `handler: ${fileName(file)}:${position.line + 1}${handler}`, target: { uri: file, ...position } });
  }
  return lenses;
}
