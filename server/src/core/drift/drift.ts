import { AUTH_NAME } from '../code/express';
import type { ExtractedRoute } from '../code/extract';
import type { AppFacts } from '../code/model';
import type { CodeWorkspaceView } from '../engine/code-context';
import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';
import { serverPathPrefixes, type SpecOperationRef } from './match';

/**
 * What the drift rules share: which routes answer which operations, computed once per workspace
 * view. Drift is only reported when the two sides demonstrably describe the same service: at least
 * one route matches an operation. Otherwise (a spec of another service, prefixes we could not
 * resolve) every route would look undocumented, and that teaches users to turn the rules off.
 */
export interface DriftView {
  /** False when spec and code share no operation: the drift rules stay silent. */
  comparable: boolean;
  operationsFor(route: ExtractedRoute): SpecOperationRef[];
  routesFor(doc: SpecDocument, at: JsonPath): ExtractedRoute[];
  /** Routes considered at all (not `all`/OPTIONS middleware-style routes). */
  routes: ExtractedRoute[];
  /**
   * Whether a route belongs to the API the documents describe, so that its absence from them is
   * drift: it is served by an app that serves documented routes, and it sits in a file with a
   * documented route or under the documents' common path namespace (`/api/v1` when every
   * operation is `/v1/...` under server `/api`). Internal routes beside a public API, and other
   * services of a monorepo, are not undocumented operations of this one.
   */
  inScope(route: ExtractedRoute): boolean;
}

const cache = new WeakMap<CodeWorkspaceView, DriftView>();

/** Methods a route stands for in an API description. `all` is middleware-like, OPTIONS is CORS. */
export function isDocumentableRoute(route: ExtractedRoute): boolean {
  return route.method !== 'all' && route.method !== 'options';
}

export function driftView(view: CodeWorkspaceView | undefined): DriftView | undefined {
  if (!view || view.specs.length === 0) return undefined;
  const cached = cache.get(view);
  if (cached) return cached;
  const routes = view.extraction.routes.filter(isDocumentableRoute);
  const byRoute = new Map<ExtractedRoute, SpecOperationRef[]>();
  const byOperation = new Map<string, ExtractedRoute[]>();
  for (const route of routes) {
    const found = view.operations.find(route.method, route.path);
    byRoute.set(route, found);
    for (const operation of found) {
      const key = `${operation.doc.uri}#${operation.at.join('/')}`;
      byOperation.set(key, [...(byOperation.get(key) ?? []), route]);
    }
  }
  const matched = routes.filter((route) => (byRoute.get(route) ?? []).length > 0);
  const matchedApps = new Set(matched.map((route) => route.app));
  const matchedFiles = new Set(matched.map((route) => route.declaration.file));
  const namespaces = new Set<string>();
  for (const doc of view.specs) {
    // Only documents that describe some route of this code (never a package.json or another service's spec).
    const ofDoc = matched.filter((route) => byRoute.get(route)!.some((operation) => operation.doc === doc));
    if (ofDoc.length === 0) continue;
    const namespace = commonNamespace(Object.keys(((doc.root as Record<string, any>)?.paths ?? {}) as Record<string, unknown>));
    for (const prefix of serverPathPrefixes(doc)) {
      const candidate = prefix + namespace;
      if (ofDoc.some((route) => underNamespace(route.path, candidate))) namespaces.add(candidate);
    }
  }
  const result: DriftView = {
    comparable: byOperation.size > 0,
    routes,
    inScope: (route) => {
      if (route.app !== undefined && !matchedApps.has(route.app)) return false;
      return matchedFiles.has(route.declaration.file) || [...namespaces].some((namespace) => underNamespace(route.path, namespace));
    },
    operationsFor: (route) => byRoute.get(route) ?? [],
    routesFor: (doc, at) => {
      const direct = byOperation.get(`${doc.uri}#${at.join('/')}`);
      if (direct) return direct;
      // A HEAD operation is served by the GET route (Express answers HEAD with GET handlers).
      if (at[at.length - 1] === 'head') return byOperation.get(`${doc.uri}#${[...at.slice(0, -1), 'get'].join('/')}`) ?? [];
      return [];
    },
  };
  cache.set(view, result);
  return result;
}

/** The static leading segments every spec path shares, last segments excluded: `/v1/a`, `/v1/b/{id}` -> `/v1`. */
function commonNamespace(paths: string[]): string {
  let common: string[] | undefined;
  for (const path of paths) {
    if (!path.startsWith('/')) continue;
    const segments = path.split('/').filter(Boolean).slice(0, -1);
    const stop = segments.findIndex((segment) => segment.includes('{'));
    const fixed = stop === -1 ? segments : segments.slice(0, stop);
    if (!common) { common = fixed; continue; }
    let length = 0;
    while (length < common.length && length < fixed.length && common[length] === fixed[length]) length++;
    common = common.slice(0, length);
  }
  return common && common.length ? `/${common.join('/')}` : '';
}

function underNamespace(path: string, namespace: string): boolean {
  return !namespace || path === namespace || path.startsWith(`${namespace}/`);
}

/**
 * Whether a route is behind authentication: its own middleware/guards, a global Nest guard, or
 * explicitly public. 'unknown' when nothing recognisable is applied (the app may authenticate in a
 * way we do not read).
 */
export function routeAuth(route: ExtractedRoute, facts: AppFacts): boolean | 'unknown' {
  if (route.markedPublic) return false;
  if (route.auth === true) return true;
  if (route.framework === 'nest' && facts.globalGuards.some((guard) => AUTH_NAME.test(guard.name))) return true;
  return route.auth === false ? false : 'unknown';
}

/** The security requirements in force for a spec operation (its own, else the document's). */
export function operationSecurity(operation: SpecOperationRef): { secured: boolean; declared: boolean; at?: JsonPath; schemes: string[] } {
  const root = (operation.doc.root ?? {}) as Record<string, unknown>;
  const own = operation.operation.security;
  const list = Array.isArray(own) ? own : Array.isArray(root.security) ? root.security : undefined;
  const requirements = (list ?? []).filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object' && !Array.isArray(entry));
  const secured = requirements.length > 0 && requirements.every((requirement) => Object.keys(requirement).length > 0);
  return {
    secured,
    declared: Array.isArray(own) || Array.isArray(root.security),
    at: Array.isArray(own) ? [...operation.at, 'security'] : Array.isArray(root.security) ? ['security'] : undefined,
    schemes: [...new Set(requirements.flatMap((requirement) => Object.keys(requirement)))],
  };
}

/** Follows a local `#/...` pointer inside one document; undefined for anything else. */
export function resolveLocal(doc: SpecDocument, value: unknown): { value: Record<string, unknown>; at?: JsonPath } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as Record<string, unknown>).$ref;
  if (typeof ref !== 'string') return { value: value as Record<string, unknown> };
  if (!ref.startsWith('#/')) return undefined;
  const at = ref.slice(2).split('/').map((part) => decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~')));
  let current: unknown = doc.root;
  for (const part of at) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current && typeof current === 'object' ? { value: current as Record<string, unknown>, at } : undefined;
}

/** The operation's parameters (path item's merged in), or undefined when one cannot be resolved. */
export function operationParameters(operation: SpecOperationRef): { name: string; in: string; required: boolean; at: JsonPath }[] | undefined {
  const item = (operation.doc.root as Record<string, any>)?.paths?.[operation.path] as Record<string, unknown> | undefined;
  const result = new Map<string, { name: string; in: string; required: boolean; at: JsonPath }>();
  const lists: [unknown, JsonPath][] = [[item?.parameters, ['paths', operation.path, 'parameters']], [operation.operation.parameters, [...operation.at, 'parameters']]];
  for (const [list, at] of lists) {
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const resolved = resolveLocal(operation.doc, list[index]);
      if (!resolved) return undefined;
      const { name, in: where, required } = resolved.value;
      if (typeof name !== 'string' || typeof where !== 'string') continue;
      result.set(`${where}:${name}`, { name, in: where, required: required === true, at: [...at, index] });
    }
  }
  return [...result.values()];
}

/** The spec form of a route path for the document: server prefix removed, `:id` -> `{id}`. */
export function specPathFor(doc: SpecDocument, routePath: string): string {
  let path = routePath
    .replace(/\{\/?:?([A-Za-z0-9_$.-]+)\}/g, '{$1}')
    .replace(/:([A-Za-z0-9_$]+)(\([^)]*\))?\??/g, '{$1}')
    .replace(/\*([A-Za-z0-9_$]+)/g, '{$1}');
  const prefixes = serverPathPrefixes(doc).filter(Boolean).sort((a, b) => b.length - a.length);
  const prefix = prefixes.find((candidate) => path === candidate || path.startsWith(candidate + '/'));
  if (prefix) path = path.slice(prefix.length) || '/';
  if (path.length > 1) path = path.replace(/\/+$/, '');
  return path;
}

/** The document a new operation for `route` belongs in: the one that documents most of its neighbours. */
export function homeDocument(view: CodeWorkspaceView, drift: DriftView, route: ExtractedRoute): SpecDocument | undefined {
  const votes = new Map<SpecDocument, number>();
  const file = route.declaration.file;
  for (const other of drift.routes) {
    const weight = other.declaration.file === file ? 3 : 1;
    for (const operation of drift.operationsFor(other)) votes.set(operation.doc, (votes.get(operation.doc) ?? 0) + weight);
  }
  let best: SpecDocument | undefined;
  for (const [doc, count] of votes) if (!best || count > (votes.get(best) ?? 0)) best = doc;
  return best ?? (view.specs.length === 1 ? view.specs[0] : undefined);
}
