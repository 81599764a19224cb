import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';
import { isOperationalPath, jsonPathKey, routeAnchor, serverVersions, templatePath, VERSION_HEADER, VERSION_QUERY, versionSegments } from './_idempotency';

type Scheme = 'path' | 'header' | 'query' | 'media type';

const DESCRIBE: Record<Scheme, string> = {
  path: 'path versioning (/v1/...)',
  header: 'header versioning',
  query: 'query-parameter versioning',
  'media type': 'media-type versioning',
};
/** Ties go to path versioning, the guide's default for public APIs. */
const PREFERENCE: Scheme[] = ['path', 'header', 'query', 'media type'];

interface SpecOccurrence { scheme: Scheme; doc: SpecDocument; at: JsonPath; part: 'key' | 'value'; label: string; key: string }

export default defineRule({
  id: 'versioning-single-scheme',
  severity: 'error',
  description: 'Path versioning (`/v1/`), header versioning (`API-Version`, `Accept-Version`) and query versioning (`?api-version=`) mixed in one API.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Keep one versioning scheme for the service: path versioning (/v1/...) is the clearest default for public APIs. Do not mix path versioning, header versioning, and ad hoc ?version= query params in one API." With two schemes a client cannot tell which one wins when they disagree (\`/v1/orders\` with \`API-Version: 2\`), caches and gateways route on one and ignore the other, and every SDK has to implement both. Pick the scheme most of the API already uses and move the rest to it.

The rule looks at the whole document (server URLs and \`basePath\` count as path versioning) and, for code, at every route of the workspace plus NestJS \`enableVersioning\`. It reports each place that uses a minority scheme, with related information naming the majority. A \`version\` query parameter alone is not counted (it is often a domain field, such as a document revision); \`api-version\`/\`apiVersion\` is.`,
    bad: `servers:
  - url: https://api.example.com/v1
paths:
  /orders:
    get:
      parameters:
        - name: API-Version
          in: header
          schema: { type: string }`,
    good: `servers:
  - url: https://api.example.com/v1
paths:
  /orders:
    get:
      responses:
        '200': { description: Orders }`,
    references: ['RFC 9110 §12 Content Negotiation (why header versioning interacts with caches: Vary)'],
  },
  checkSpec(context) {
    const occurrences = specOccurrences(context);
    reportMinority(occurrences, (occurrence, majority, first) => context.report({
      doc: occurrence.doc,
      at: occurrence.at,
      part: occurrence.part,
      message: `${occurrence.label} uses ${DESCRIBE[occurrence.scheme]} while most of this API uses ${DESCRIBE[majority]}; keep one versioning scheme.`,
      related: [{ doc: first.doc, at: first.at, message: `${DESCRIBE[majority]} is used here` }],
    }));
  },
  checkCode(context) {
    const occurrences = codeOccurrences(context);
    reportMinority(occurrences, (occurrence, majority, first) => {
      if (occurrence.file !== context.uri) return;
      context.report({
        span: occurrence.span,
        message: `${occurrence.label} uses ${DESCRIBE[occurrence.scheme]} while most of this API uses ${DESCRIBE[majority]}; keep one versioning scheme.`,
        related: [{ uri: first.file, span: first.span, message: `${DESCRIBE[majority]} is used here` }],
      });
    });
  },
});

/** Counts uses per scheme (by operation/route), picks the majority, and hands each minority occurrence to `report` once. */
function reportMinority<T extends { scheme: Scheme; key: string; weight?: number }>(occurrences: T[], report: (occurrence: T, majority: Scheme, firstOfMajority: T) => void) {
  const counts = new Map<Scheme, number>();
  for (const occurrence of occurrences) counts.set(occurrence.scheme, (counts.get(occurrence.scheme) ?? 0) + (occurrence.weight ?? 1));
  if (counts.size < 2) return;
  const majority = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b))[0];
  const first = occurrences.find((occurrence) => occurrence.scheme === majority)!;
  const seen = new Set<string>();
  for (const occurrence of occurrences) {
    if (occurrence.scheme === majority || seen.has(occurrence.key)) continue;
    seen.add(occurrence.key);
    report(occurrence, majority, first);
  }
}

function specOccurrences(context: SpecContext): (SpecOccurrence & { weight?: number })[] {
  const result: (SpecOccurrence & { weight?: number })[] = [];
  const perPathItem = context.readPathItems('versioning-single-scheme', readOccurrences);
  const servers = serverVersions(context) ?? [];
  const versionedServer = servers.find((server) => server.version);
  if (versionedServer && servers.every((server) => server.version)) {
    const apiOperations = perPathItem.reduce((sum, item) => sum + item.apiOperations, 0);
    result.push({ scheme: 'path', doc: context.doc, at: versionedServer.at, part: 'value', label: `The server URL '${versionedServer.url}'`, key: jsonPathKey(context.doc, versionedServer.at), weight: Math.max(apiOperations, 1) });
  }
  for (const item of perPathItem) {
    for (const occurrence of item.occurrences) result.push({ ...occurrence, doc: occurrence.doc ?? context.doc });
  }
  // Several occurrences of one node count once (a shared parameter, a path with several methods).
  return result;
}

/**
 * The versioning one path item shows, and how many of its operations are API operations (not
 * health checks). Kept across versions for an unchanged path item: a document is named only when
 * it is not the one analysed.
 */
function readOccurrences(context: SpecContext): { apiOperations: number; occurrences: (Omit<SpecOccurrence, 'doc'> & { doc?: SpecDocument })[] } {
  const occurrences: (Omit<SpecOccurrence, 'doc'> & { doc?: SpecDocument })[] = [];
  let apiOperations = 0;
  for (const operation of context.operations()) {
    if (!isOperationalPath(operation.path)) apiOperations++;
    if (versionSegments(operation.path).length > 0) {
      occurrences.push({ scheme: 'path', at: ['paths', operation.path], part: 'key', label: `'${operation.path}'`, key: `path:${operation.path}:${operation.method}` });
    }
    for (const parameter of context.parameters(operation)) {
      const name = parameter.value.name;
      if (typeof name !== 'string' || parameter.failure) continue;
      const scheme: Scheme | undefined = parameter.value.in === 'header' && VERSION_HEADER.test(name) ? 'header' : parameter.value.in === 'query' && VERSION_QUERY.test(name) ? 'query' : undefined;
      if (!scheme) continue;
      const inThisDoc = parameter.doc === context.doc;
      occurrences.push({
        scheme,
        doc: context.otherDocument(inThisDoc ? parameter.doc : operation.doc),
        at: inThisDoc ? [...parameter.at, 'name'] : operation.at,
        part: inThisDoc ? 'value' : 'key',
        label: `The ${parameter.value.in} parameter '${name}' of ${operation.method.toUpperCase()} ${operation.path}`,
        key: inThisDoc ? jsonPathKey(parameter.doc, parameter.at) : `${scheme}:${operation.path}:${operation.method}`,
      });
    }
  }
  return { apiOperations, occurrences };
}

interface CodeOccurrence { scheme: Scheme; file: string; span: { start: number; end: number }; label: string; key: string; weight?: number }

function codeOccurrences(context: CodeContext): CodeOccurrence[] {
  const result: CodeOccurrence[] = [];
  const routes = context.allRoutes;
  const versioning = context.facts.versioning;
  if (versioning && /^(HEADER|MEDIA_TYPE)$/.test(versioning.type)) {
    const nestRoutes = routes.filter((route) => route.framework === 'nest').length;
    result.push({
      scheme: versioning.type === 'HEADER' ? 'header' : 'media type', file: versioning.span.file, span: versioning.span,
      label: `enableVersioning({ type: ${versioning.type} })`, key: `versioning:${versioning.span.file}:${versioning.span.start}`, weight: Math.max(nestRoutes, 1),
    });
  }
  for (const route of routes) {
    const source = context.workspace.extraction.sources.get(route.declaration.file);
    if (versionSegments(templatePath(route.path)).length > 0 && !isOperationalPath(route.path.replace(/^\/?(api\/)?v\d+[^/]*/i, ''))) {
      const span = source ? routeAnchor(source, route) : route.declaration;
      result.push({ scheme: 'path', file: route.declaration.file, span, label: `${route.method.toUpperCase()} ${route.path}`, key: `path:${route.declaration.file}:${route.declaration.start}` });
    }
    for (const param of route.params) {
      if (!param.span) continue;
      const scheme: Scheme | undefined = param.in === 'header' && VERSION_HEADER.test(param.name) ? 'header' : param.in === 'query' && VERSION_QUERY.test(param.name) ? 'query' : undefined;
      if (!scheme) continue;
      result.push({ scheme, file: param.span.file, span: param.span, label: `${route.method.toUpperCase()} ${route.path} reads the ${param.in} '${param.name}' and`, key: `${scheme}:${param.span.file}:${param.span.start}` });
    }
  }
  return result;
}
