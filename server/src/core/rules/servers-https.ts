import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import type { JsonPath } from '../types';

/** Hosts where plain HTTP is expected: the developer's machine, private networks, reserved test names. */
export function isLocalHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (/^(localhost|0\.0\.0\.0|::1?|host\.docker\.internal)$/.test(name)) return true;
  if (/\.(localhost|local|test|internal|lan|home\.arpa)$/.test(name)) return true;
  if (/^127\./.test(name) || /^10\./.test(name) || /^192\.168\./.test(name) || /^172\.(1[6-9]|2[0-9]|3[01])\./.test(name)) return true;
  return false;
}

interface ServerVariable { default?: unknown; enum?: unknown }

/** Replaces `{var}` with each of its possible values; undefined when a variable is not declared. */
function expansions(url: string, variables: Record<string, unknown>): string[] | undefined {
  let results = [url];
  for (const match of url.matchAll(/\{([^{}]+)\}/g)) {
    const variable = variables[match[1]] as ServerVariable | undefined;
    if (!isRecord(variable)) return undefined;
    const values = new Set<string>();
    if (variable.default !== undefined) values.add(String(variable.default));
    if (Array.isArray(variable.enum)) for (const value of variable.enum) values.add(String(value));
    if (values.size === 0) return undefined;
    results = results.flatMap((partial) => [...values].map((value) => partial.replace(match[0], value)));
    if (results.length > 64) return undefined;
  }
  return results;
}

export default defineRule({
  id: 'servers-https',
  scope: 'path-item',
  severity: 'warning',
  description: 'A server URL (or Swagger 2.0 scheme) that serves a non-local host over plain `http://`.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `Credentials, session cookies, bearer tokens and API keys travel on every request. Over plain HTTP anyone on the path reads and replays them, and a \`Secure\` cookie is never sent back. The guide asks for sensitive defaults to be explicit rather than hand-waved: a public server entry is a default every generated client and "Try it" console uses. Plain \`http://\` is fine for \`localhost\`, \`127.0.0.1\`, private-network and \`.local\`/\`.test\` hosts, and a \`{scheme}\` variable that lets the reader choose; everything else should be \`https://\` (RFC 9110 §4.2.2, RFC 6797 HSTS).`,
    bad: `servers:
  - url: http://api.example.com/v1`,
    good: `servers:
  - url: https://api.example.com/v1
  - url: http://localhost:8080/v1
    description: Local development`,
    references: ['RFC 9110 §4.2.2 https URI scheme', 'RFC 6797 HTTP Strict Transport Security', 'OpenAPI 3.1 §4.8.5 Server Object'],
  },
  checkSpec(context) {
    if (context.isSwagger2) return checkSwagger2(context);
    const lists: JsonPath[] = [['servers']];
    const paths = context.root.paths;
    if (isRecord(paths)) {
      for (const [path, item] of Object.entries(paths)) {
        if (!isRecord(item)) continue;
        if (Array.isArray(item.servers)) lists.push(['paths', path, 'servers']);
        for (const [method, operation] of Object.entries(item)) {
          if (isRecord(operation) && Array.isArray(operation.servers)) lists.push(['paths', path, method, 'servers']);
        }
      }
    }
    for (const listAt of lists) {
      const list = valueAt(context.root, listAt);
      if (!Array.isArray(list)) continue;
      list.forEach((server, index) => {
        if (!isRecord(server) || typeof server.url !== 'string') return;
        const url = server.url.trim();
        if (!/^http:\/\//i.test(url) && !/^\{[^{}]+\}:\/\//.test(url)) return;
        const urls = expansions(url, isRecord(server.variables) ? server.variables : {});
        if (!urls) return;
        const plain = urls.filter((candidate) => /^http:\/\//i.test(candidate));
        // A scheme variable that offers https is the reader's choice; say nothing.
        if (plain.length === 0 || plain.length < urls.length) return;
        if (plain.some((candidate) => isLocalHost(hostOf(candidate)))) return;
        context.report({
          at: [...listAt, index, 'url'],
          part: 'value',
          message: `Server URL '${url}' uses plain HTTP; serve the API over https:// (plain http is only for localhost and private development hosts).`,
        });
      });
    }
  },
});

function checkSwagger2(context: SpecContext) {
  const host = typeof context.root.host === 'string' ? context.root.host : undefined;
  // Without a host the document is served relative to wherever it is read from: nothing to judge.
  if (!host || isLocalHost(host.replace(/:\d+$/, ''))) return;
  const check = (schemes: unknown, at: JsonPath) => {
    if (!Array.isArray(schemes)) return;
    schemes.forEach((scheme, index) => {
      if (String(scheme).toLowerCase() !== 'http') return;
      context.report({
        at: [...at, index],
        part: 'value',
        message: `Scheme 'http' serves ${host} over plain HTTP; list only https (plain http is only for localhost and private development hosts).`,
      });
    });
  };
  check(context.root.schemes, ['schemes']);
  for (const operation of context.operations()) check(operation.operation.schemes, [...operation.at, 'schemes']);
}

function hostOf(url: string): string {
  const match = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]*)/i.exec(url);
  return match ? match[1] : '';
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}
