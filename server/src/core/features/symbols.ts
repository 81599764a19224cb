import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';
import type { OffsetRange } from '../text';
import { HTTP_METHODS } from '../engine/spec-context';

export type SymbolKind = 'namespace' | 'method' | 'field' | 'object' | 'module' | 'class' | 'interface' | 'key';

export interface SpecSymbol {
  name: string;
  detail?: string;
  kind: SymbolKind;
  /** The whole node (key and value). */
  span: OffsetRange;
  /** The part to reveal and highlight (the key). */
  selection: OffsetRange;
  children: SpecSymbol[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function symbol(doc: SpecDocument, path: JsonPath, name: string, kind: SymbolKind, detail?: string, children: SpecSymbol[] = []): SpecSymbol {
  const key = doc.locate(path, 'key');
  const value = doc.locate(path, 'value');
  return { name, detail, kind, span: { start: Math.min(key.start, value.start), end: Math.max(key.end, value.end) }, selection: key, children };
}

/** The outline: paths > operations > responses, then components by kind. */
export function documentSymbols(doc: SpecDocument): SpecSymbol[] {
  const root = isRecord(doc.root) ? doc.root : {};
  const result: SpecSymbol[] = [];
  if (isRecord(root.paths)) {
    const paths = Object.entries(root.paths).filter(([path]) => doc.has(['paths', path])).map(([path, item]) => {
      const operations = isRecord(item) ? HTTP_METHODS.filter((method) => isRecord(item[method])).map((method) => {
        const operation = item[method] as Record<string, unknown>;
        const at = ['paths', path, method];
        const responses = isRecord(operation.responses)
          ? Object.keys(operation.responses).filter((status) => doc.has([...at, 'responses', status])).map((status) => symbol(doc, [...at, 'responses', status], status, 'field'))
          : [];
        return symbol(doc, at, method.toUpperCase(), 'method', typeof operation.operationId === 'string' ? operation.operationId : undefined, responses);
      }) : [];
      return symbol(doc, ['paths', path], path, 'namespace', undefined, operations);
    });
    result.push(symbol(doc, ['paths'], 'paths', 'module', undefined, paths));
  }
  for (const section of ['components', 'definitions'] as const) {
    const container = root[section];
    if (!isRecord(container)) continue;
    const kinds = section === 'definitions'
      ? Object.keys(container).filter((name) => doc.has([section, name])).map((name) => symbol(doc, [section, name], name, 'class'))
      : Object.entries(container).filter(([kind, group]) => isRecord(group) && doc.has([section, kind])).map(([kind, group]) =>
        symbol(doc, [section, kind], kind, 'namespace', undefined,
          Object.keys(group as object).filter((name) => doc.has([section, kind, name])).map((name) => symbol(doc, [section, kind, name], name, kind === 'schemas' ? 'class' : 'object'))));
    result.push(symbol(doc, [section], section, 'module', undefined, kinds));
  }
  return result;
}

export interface OperationSymbol { name: string; detail: string; span: OffsetRange }

/** Operations for workspace symbol search: `GET /users` and their operationId. */
export function operationSymbols(doc: SpecDocument): OperationSymbol[] {
  const root = isRecord(doc.root) ? doc.root : {};
  if (!isRecord(root.paths)) return [];
  const result: OperationSymbol[] = [];
  for (const [path, item] of Object.entries(root.paths)) {
    if (!isRecord(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      const span = doc.locate(['paths', path, method], 'key');
      const label = `${method.toUpperCase()} ${path}`;
      result.push({ name: label, detail: typeof operation.operationId === 'string' ? operation.operationId : '', span });
      if (typeof operation.operationId === 'string') result.push({ name: operation.operationId, detail: label, span });
    }
  }
  return result;
}
