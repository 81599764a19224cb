import { defineRule } from './rule';
import { isRecord, type Operation, type SpecContext } from '../engine/spec-context';
import type { TextEdit } from '../types';
import { replaceValue } from '../spec/edits';
import { normaliseCodePath, renameKey, segmentsOf } from './_paths';
import { rememberedByText } from '../text';

export interface ParamUse { path: string; name: string; position: string }

/**
 * Each template parameter of a path with the position it names: `/users/{userId}/sessions` ->
 * (/users/{}, userId). Remembered: a route file asks for every route's path on each keystroke.
 */
export const parameterPositions = rememberedByText((path: string): readonly ParamUse[] => {
  const uses: ParamUse[] = [];
  const prefix: string[] = [];
  for (const segment of segmentsOf(path)) {
    if (segment.param) {
      uses.push(Object.freeze({ path, name: segment.param, position: '/' + [...prefix, '{}'].join('/') }));
      prefix.push('{}');
    } else prefix.push(segment.text);
  }
  return Object.freeze(uses);
});

export interface Inconsistency { use: ParamUse; preferred: string; example: string; count: number }

const MEMORY_KEY = 'path-param-consistency';

/**
 * Groups parameter uses by position and returns the uses whose name differs from the name most paths
 * use there. Ties prefer a descriptive name over a bare `id`, then the first one written.
 */
export function inconsistencies(paths: string[]): Inconsistency[] {
  const byPosition = new Map<string, Map<string, Set<string>>>();
  for (const path of paths) {
    for (const use of parameterPositions(path)) {
      if (!byPosition.has(use.position)) byPosition.set(use.position, new Map());
      const names = byPosition.get(use.position)!;
      if (!names.has(use.name)) names.set(use.name, new Set());
      names.get(use.name)!.add(path);
    }
  }
  const result: Inconsistency[] = [];
  for (const names of byPosition.values()) {
    if (names.size < 2) continue;
    const ranked = [...names.entries()].map(([name, users], order) => ({ name, users: [...users], order }))
      .sort((a, b) => b.users.length - a.users.length || Number(isGeneric(a.name)) - Number(isGeneric(b.name)) || a.order - b.order);
    const preferred = ranked[0];
    for (const other of ranked.slice(1)) {
      for (const path of other.users) {
        result.push({ use: { path, name: other.name, position: '' }, preferred: preferred.name, example: preferred.users[0], count: preferred.users.length });
      }
    }
  }
  return result;
}

/** The editor keeps the answer while the paths stay the same (typing elsewhere leaves them so). */
function keptInconsistencies(memory: Map<string, unknown> | undefined, paths: string[]): Inconsistency[] {
  if (!memory) return inconsistencies(paths);
  const joined = paths.join('\n');
  let kept = memory.get(MEMORY_KEY) as { joined: string; found: Inconsistency[] } | undefined;
  if (kept?.joined !== joined) memory.set(MEMORY_KEY, kept = { joined, found: inconsistencies(paths) });
  return kept.found;
}

function isGeneric(name: string): boolean {
  return /^(id|key|uuid|slug|name)$/i.test(name);
}

function message(found: Inconsistency, path: string): string {
  return `Path parameter '{${found.use.name}}' of '${path}' names the same resource as '{${found.preferred}}' in '${found.example}'${found.count > 1 ? ` (and ${found.count - 1} more)` : ''}; use '{${found.preferred}}' everywhere.`;
}

export default defineRule({
  id: 'path-param-consistency',
  severity: 'info',
  description: 'The same resource\'s path parameter named differently across paths (`/users/{id}` vs `/users/{userId}/sessions`).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide asks for a URL shape that is stable and predictable, and to "compare new endpoints with neighboring endpoints for naming". When \`/users/{id}\` and \`/users/{userId}/sessions\` address the same user under two names, generated SDKs get two different argument names for one concept, documentation readers wonder whether they are the same thing, and shared parameter definitions cannot be reused. The rule groups parameters by the position they fill (the path before them: \`/users/{}\`) and points at the names that differ from the one most paths use. The quick fix renames the template segment and the matching \`in: path\` parameter declarations.`,
    bad: `paths:
  /users/{id}:
    get: { operationId: getUser }
  /users/{userId}/sessions:
    get: { operationId: listUserSessions }`,
    good: `paths:
  /users/{userId}:
    get: { operationId: getUser }
  /users/{userId}/sessions:
    get: { operationId: listUserSessions }`,
    references: ['RFC 6570 URI Template', 'OpenAPI 3.1 §4.8.8 Paths Object (templating)'],
  },
  checkSpec(context) {
    const paths = context.root.paths;
    if (!isRecord(paths)) return;
    const keys = Object.keys(paths).filter((path) => path.startsWith('/'));
    for (const found of keptInconsistencies(context.memory, keys)) {
      const path = found.use.path;
      const renamed = renamePath(path, found.use.name, found.preferred);
      const fixable = renamed && !(renamed in paths) ? fixEdits(context, path, renamed, found.use.name, found.preferred, context.onePathItem(path).operations()) : undefined;
      context.report({
        at: ['paths', path],
        message: message(found, path),
        related: [{ at: ['paths', found.example], message: `'{${found.preferred}}' is the name used here` }],
        fix: fixable ? { title: `Rename '{${found.use.name}}' to '{${found.preferred}}'`, isPreferred: true, edits: fixable } : undefined,
      });
    }
  },
  checkCode(context) {
    const byPath = new Map<string, string>();
    for (const route of context.allRoutes) byPath.set(normaliseCodePath(route.path), route.path);
    const found = keptInconsistencies(context.memory, [...byPath.keys()]);
    if (found.length === 0) return;
    const reported = new Set<string>();
    for (const route of context.routes()) {
      if (!route.pathSpan || !context.isInFile(route.pathSpan)) continue;
      const path = normaliseCodePath(route.path);
      const literal = context.text(route.pathSpan);
      for (const item of found) {
        if (item.use.path !== path || !new RegExp(`[:*{]${item.use.name}\\b`).test(literal)) continue;
        const key = `${route.pathSpan.start}:${item.use.name}`;
        if (reported.has(key)) continue;
        reported.add(key);
        context.report({ span: route.pathSpan, message: message(item, path) });
      }
    }
  },
});

function renamePath(path: string, from: string, to: string): string | undefined {
  const next = path.split('/').map((segment) => (segment === `{${from}}` ? `{${to}}` : segment)).join('/');
  return next === path ? undefined : next;
}

/** Edits renaming the template and the inline `in: path` declarations; undefined when a declaration is shared ($ref) or elsewhere. */
function fixEdits(context: SpecContext, path: string, renamed: string, from: string, to: string, operations: Operation[]): (() => TextEdit[]) | undefined {
  const declarations: (string | number)[][] = [];
  const item = paths(context)[path];
  if (!isRecord(item) || '$ref' in item) return undefined;
  const lists: { list: unknown; at: (string | number)[] }[] = [{ list: item.parameters, at: ['paths', path, 'parameters'] }];
  for (const operation of operations) {
    if (operation.doc !== context.doc) return undefined;
    lists.push({ list: operation.operation.parameters, at: [...operation.at, 'parameters'] });
  }
  for (const { list, at } of lists) {
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const parameter = list[index];
      if (!isRecord(parameter)) continue;
      if ('$ref' in parameter) {
        const resolved = context.resolve<Record<string, unknown>>(parameter, [...at, index]);
        if (isRecord(resolved.value) && resolved.value.in === 'path' && resolved.value.name === from) return undefined;
        continue;
      }
      if (parameter.in === 'path' && parameter.name === from) declarations.push([...at, index, 'name']);
    }
  }
  return () => [renameKey(context.doc, ['paths', path], renamed), ...declarations.map((at) => replaceValue(context.doc, at, to))];
}

function paths(context: SpecContext): Record<string, unknown> {
  return isRecord(context.root.paths) ? context.root.paths : {};
}
