import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';
import { HTTP_METHODS } from '../engine/spec-context';

/**
 * Matching operations of OpenAPI documents with routes of code, operation by operation: method plus
 * path template, where `:id`, `{id}` and `{userId}` are the same segment whatever the name, and
 * where the spec's server URL paths (3.x `servers`, 2.0 `basePath`) may or may not be part of the
 * route's path (a proxy may strip them), so both forms match.
 */

export interface SpecOperationRef {
  doc: SpecDocument;
  method: string;
  path: string;
  at: JsonPath;
  /** Normalised templates this operation answers to: with and without each server path prefix. */
  keys: string[];
  operation: Record<string, unknown>;
}

/** `/users/:id/` and `/users/{userId}` -> `/users/{}`. */
export function normaliseTemplate(path: string): string {
  let normalised = path.trim()
    .replace(/\{\/?:?([A-Za-z0-9_$.-]+)\}/g, '{}')   // {id}, Express 5 optional `{/:id}` markers
    .replace(/:([A-Za-z0-9_$]+)(\([^)]*\))?\??/g, '{}') // :id, :id(\\d+), :id?
    .replace(/\*[A-Za-z0-9_$]*/g, '{}')                  // *splat
    .replace(/\/{2,}/g, '/');
  if (!normalised.startsWith('/')) normalised = '/' + normalised;
  if (normalised.length > 1) normalised = normalised.replace(/\/+$/, '');
  return normalised;
}

export function operationKey(method: string, path: string): string {
  return `${method.toLowerCase()} ${normaliseTemplate(path)}`;
}

/** Path prefixes the document's servers put in front of every path (`/v1`, `/api`), '' included. */
export function serverPathPrefixes(doc: SpecDocument): string[] {
  const root = doc.root as Record<string, any> | null;
  const prefixes = new Set<string>(['']);
  if (!root || typeof root !== 'object') return [''];
  if (typeof root.basePath === 'string' && root.basePath !== '/') prefixes.add(root.basePath.replace(/\/+$/, ''));
  for (const server of Array.isArray(root.servers) ? root.servers : []) {
    if (!server || typeof server.url !== 'string') continue;
    let url: string = server.url;
    // Substitute variables with their defaults: https://{host}/api/{version}
    url = url.replace(/\{([^}]+)\}/g, (_, name) => String(server.variables?.[name]?.default ?? ''));
    const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? (url.startsWith('/') ? url : '');
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed) prefixes.add(trimmed);
  }
  return [...prefixes];
}

/**
 * The operations of a spec with their lookup keys, kept per parsed version: in a workspace of many
 * specs, a keystroke in one of them would otherwise list every other spec's operations again
 * (normalising each path's template was most of the operation index's cost).
 */
export function specOperations(doc: SpecDocument): SpecOperationRef[] {
  let operations = operationsOfVersion.get(doc);
  if (!operations) operationsOfVersion.set(doc, operations = readSpecOperations(doc));
  return operations;
}

const operationsOfVersion = new WeakMap<SpecDocument, SpecOperationRef[]>();

function readSpecOperations(doc: SpecDocument): SpecOperationRef[] {
  const root = doc.root as Record<string, unknown> | null;
  const paths = root && typeof root === 'object' ? (root as Record<string, unknown>).paths : undefined;
  if (!paths || typeof paths !== 'object') return [];
  const prefixes = serverPathPrefixes(doc);
  const result: SpecOperationRef[] = [];
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!path.startsWith('/') || !item || typeof item !== 'object') continue;
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (!operation || typeof operation !== 'object') continue;
      result.push({ doc, method, path, at: ['paths', path, method], operation: operation as Record<string, unknown>, keys: prefixes.map((prefix) => operationKey(method, prefix + path)) });
    }
  }
  return result;
}

/** Index of spec operations by normalised key, for O(1) lookups from routes. */
export class OperationIndex {
  private readonly byKey = new Map<string, SpecOperationRef[]>();
  readonly operations: SpecOperationRef[];

  constructor(docs: SpecDocument[]) {
    this.operations = docs.flatMap(specOperations);
    for (const operation of this.operations) {
      for (const key of operation.keys) {
        const list = this.byKey.get(key);
        if (list) list.push(operation);
        else this.byKey.set(key, [operation]);
      }
    }
  }

  /** Operations a route (method + full path) answers to. `all` matches every method. */
  find(method: string, path: string): SpecOperationRef[] {
    if (method === 'all') return HTTP_METHODS.flatMap((m) => this.byKey.get(operationKey(m, path)) ?? []);
    const found = this.byKey.get(operationKey(method, path)) ?? [];
    // A HEAD route is served by GET handlers in Express; a spec HEAD is matched by a GET route.
    if (found.length === 0 && method === 'head') return this.byKey.get(operationKey('get', path)) ?? [];
    return found;
  }

  get size(): number { return this.operations.length; }
}

/** Path parameter names in order: `/users/:userId/x/{id}` -> ['userId', 'id']. */
export function pathParameterNames(path: string): string[] {
  const names: string[] = [];
  for (const match of path.matchAll(/\{\/?:?([A-Za-z0-9_$.-]+)\}|:([A-Za-z0-9_$]+)|\*([A-Za-z0-9_$]+)/g)) names.push(match[1] ?? match[2] ?? match[3]);
  return names;
}
