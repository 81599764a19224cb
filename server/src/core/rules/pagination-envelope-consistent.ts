import ts from 'typescript';
import { defineRule } from './rule';
import type { JsonPath } from '../types';
import type { SpecDocument } from '../spec/document';
import type { CodeContext } from '../engine/code-context';
import type { SpecContext } from '../engine/spec-context';
import type { ExtractedRoute } from '../code/extract';
import { forEachDescendant, isFunctionLike, objectKeys } from '../code/ast';
import { isCollectionGet, isCollectionRoute, listResponse } from './_pagination';

/** The parts of a list envelope that clients code against. */
type Role = 'list' | 'next' | 'more';
const ROLES: Role[] = ['list', 'next', 'more'];
const NEXT_KEY = /^(next|next_?cursor|next_?page|next_?page_?token|next_?token|next_?link|next_?url|cursor|end_?cursor|continuation(_?token)?|after)$/i;
const MORE_KEY = /^(has_?more|has_?next(_?page)?|more|is_?last|has_?next_?page)$/i;
const CODE_LIST_KEY = /^(data|items|results|records|entries|rows|nodes|edges|content|list|values|hits)$/;

interface Envelope { roles: Partial<Record<Role, string>>; label: string; at?: JsonPath; doc?: SpecDocument }

/**
 * A paged list's envelope, as read from one path item (kept across versions for an unchanged path
 * item: a document is named only when it is not the one analysed).
 */
interface ListEnvelope { path: string; listKey: string; keys: readonly string[]; named: boolean; statusAt: JsonPath; doc?: SpecDocument; schema?: { at: JsonPath; doc?: SpecDocument } }

function readEnvelopes(context: SpecContext): ListEnvelope[] {
  const found: ListEnvelope[] = [];
  for (const op of context.operations()) {
    if (!isCollectionGet(op)) continue;
    const list = listResponse(context, op);
    if (!list || list.kind !== 'envelope' || !list.listKey) continue;
    if (isResourceBody(list.keys, list.listKey) || isApiRoot(op.path)) continue;
    found.push({
      path: op.path, listKey: list.listKey, keys: list.keys, named: namedAfterResource(list.listKey, op.path), statusAt: list.statusAt, doc: context.otherDocument(op.doc),
      schema: list.schema.viaRef ? { at: list.schema.at, doc: context.otherDocument(list.schema.doc) } : undefined,
    });
  }
  return found;
}

export default defineRule({
  id: 'pagination-envelope-consistent',
  severity: 'info',
  description: 'List responses of one service that use different envelopes (`data`/`next_cursor`/`has_more` in one place, `items`/`nextPage` in another).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Most bad API work happens when one route lands with a different error model, auth rule, pagination shape, or DTO style than the rest of the service", and "match the current ... pagination ... house style". Clients write one pager for a service; every list that names its items, cursor or end-of-list flag differently needs its own code path and breaks generic tooling. Pick one envelope (the guide's is \`{ data, next_cursor, has_more }\`) and use it for every list.`,
    bad: `# GET /orders    -> { data: [...], next_cursor, has_more }
# GET /customers -> { items: [...], nextPage }`,
    good: `# GET /orders    -> { data: [...], next_cursor, has_more }
# GET /customers -> { data: [...], next_cursor, has_more }`,
  },
  checkSpec(context) {
    const entries = [];
    const found = context.readPathItems('pagination-envelope-consistent', readEnvelopes).flat();
    // Lists keyed by their resource (`{ sessions, nextPageToken }`, `{ total_count, repositories }`) are one convention.
    const literal = new Map<string, number>();
    for (const { listKey, named } of found) if (!named) literal.set(listKey, (literal.get(listKey) ?? 0) + 1);
    const namedCount = found.filter((entry) => entry.named).length;
    const resourceNamed = namedCount >= 2 && namedCount >= Math.max(0, ...literal.values());
    for (const list of found) {
      const { named } = list;
      const doc = list.doc ?? context.doc;
      const roles: Partial<Record<Role, string>> = { list: resourceNamed && named ? RESOURCE_NAMED : list.listKey };
      const next = list.keys.find((key) => NEXT_KEY.test(key.split('.').pop()!));
      const more = list.keys.find((key) => MORE_KEY.test(key.split('.').pop()!));
      if (next) roles.next = next;
      if (more) roles.more = more;
      const envelope: Envelope = { roles, label: `GET ${list.path}`, at: list.statusAt, doc };
      entries.push({
        envelope,
        example: () => envelope,
        report: (majority: Envelope, example: Envelope, diff: string) => {
          // An unpaged array inside some other body (a discovery document) is not one of the paged lists.
          if (!roles.next && !roles.more && (majority.roles.next || majority.roles.more)) return;
          // With arrays named after their resources there is no house key for an odd name to deviate from.
          const differing = ROLES.filter((role) => roles[role] && majority.roles[role] && roles[role] !== majority.roles[role]);
          if (majority.roles.list === RESOURCE_NAMED && differing.length === 1 && differing[0] === 'list') return;
          const related = [{ at: example.at!, doc: example.doc!, message: `${example.label} uses ${describe(majority.roles)}` }];
          if (list.schema) related.push({ at: list.schema.at, doc: list.schema.doc ?? context.doc, message: 'The envelope schema of this response' });
          context.report({
            doc,
            at: list.statusAt,
            message: `The list envelope of GET ${list.path} uses ${diff} where the other lists of this API use ${describe(majority.roles)}; use one envelope for every list.`,
            related,
          });
        },
      });
    }
    judge(entries);
  },
  checkCode(context) {
    checkCode(context);
  },
});

function describe(roles: Partial<Record<Role, string>>): string {
  return ROLES.filter((role) => roles[role]).map((role) => roles[role] === RESOURCE_NAMED ? 'an array named after the resource' : `'${roles[role]}'`).join('/');
}

const RESOURCE_NAMED = '\u0000resource';
const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `GET /v1/{database}/sessions` answering `{ sessions: [...] }`, `/security/cases` answering `ediscoveryCases`. */
function namedAfterResource(listKey: string, path: string): boolean {
  const last = path.split('/').filter((segment) => segment && !segment.startsWith('{')).pop();
  if (!last) return false;
  const key = normalise(listKey);
  if (CODE_LIST_KEY.test(key) || key === 'value') return false; // a generic envelope word is a house name, not the resource's
  const segment = normalise(last.replace(/[:;].*$/, ''));
  return segment.length > 2 && (key === segment || key.endsWith(segment) || segment.endsWith(key));
}

/** `GET /api/v1/`, `GET /apis/`: an API root or discovery document, not a collection. */
function isApiRoot(path: string): boolean {
  const last = path.split('/').filter(Boolean).pop() ?? '';
  return last === '' || /^(v\d+([a-z]+\d*)?|apis?)$/i.test(last);
}

/** An object with an identity (`id`, `@odata.id`, several `…Id` fields) or a JSON:API `data` member is a resource holding an array, not a list envelope. */
function isResourceBody(keys: string[], listKey: string): boolean {
  const top = keys.filter((key) => !key.includes('.'));
  if (top.some((key) => key === 'id' || key === '@odata.id')) return true;
  if (listKey !== 'data' && top.includes('data')) return true;
  return top.filter((key) => /[a-z](Id|_id)$/.test(key)).length >= 2;
}

/**
 * The house envelope is, per role, the name most lists use (a clear majority of at least two).
 * A list deviates when a role it has is named differently; a role it lacks is not judged here.
 */
function judge<T extends { envelope: Envelope; example: () => Envelope; report: (majority: Envelope, example: Envelope, diff: string) => void }>(entries: T[]) {
  if (entries.length < 3) return;
  const majority: Partial<Record<Role, string>> = {};
  for (const role of ROLES) {
    const counts = new Map<string, number>();
    for (const entry of entries) { const name = entry.envelope.roles[role]; if (name) counts.set(name, (counts.get(name) ?? 0) + 1); }
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    if (sorted.length === 0) continue;
    if (sorted[0][1] < 2 || (sorted[1] && sorted[1][1] === sorted[0][1])) return; // no clear house style
    majority[role] = sorted[0][0];
  }
  if (!majority.list) return;
  const example = entries.find((entry) => ROLES.every((role) => !entry.envelope.roles[role] || entry.envelope.roles[role] === majority[role]) && entry.envelope.roles.list === majority.list);
  if (!example) return;
  for (const entry of entries) {
    const differing = ROLES.filter((role) => entry.envelope.roles[role] && majority[role] && entry.envelope.roles[role] !== majority[role]);
    if (differing.length === 0) continue;
    const shown = ROLES.filter((role) => entry.envelope.roles[role]).map((role) => `'${entry.envelope.roles[role]}'`).join('/');
    entry.report({ roles: majority, label: 'house' }, example.example(), shown);
  }
}

// ---------------------------------------------------------------------------------------- code

interface CodeEnvelope { roles: Partial<Record<Role, string>>; node: ts.ObjectLiteralExpression; route: ExtractedRoute; keyNodes: Partial<Record<Role, ts.Node>> }

function checkCode(context: CodeContext) {
  const all: CodeEnvelope[] = [];
  for (const route of context.allRoutes) {
    if (route.method !== 'get' || !isCollectionRoute(route) || !route.handlerNode) continue;
    const envelope = envelopeOf(route);
    if (envelope) all.push(envelope);
  }
  judge(all.map((envelope) => ({
    envelope: { roles: envelope.roles, label: `GET ${envelope.route.path}` },
    example: () => ({ roles: envelope.roles, label: `GET ${envelope.route.path}` }),
    report: (majority: Envelope, example: Envelope, diff: string) => {
      if (envelope.route.declaration.file !== context.uri) return;
      context.report({
        span: envelope.node,
        message: `The list envelope of GET ${envelope.route.path} uses ${diff} where the other lists of this service (e.g. ${example.label}) use ${describe(majority.roles)}; use one envelope for every list.`,
      });
    },
  })));
}

/** The object a list handler answers with: `res.json({ data, next_cursor })` or a Nest `return { ... }`. */
function envelopeOf(route: ExtractedRoute): CodeEnvelope | undefined {
  const handler = route.handlerNode!;
  let found: CodeEnvelope | undefined;
  let count = 0;
  forEachDescendant(handler, (node) => {
    if (node !== handler && isFunctionLike(node)) return 'skip';
    let object: ts.Expression | undefined;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(json|send)$/.test(node.expression.name.text) && /^(res|response|reply)\b/.test(node.expression.expression.getText())) object = node.arguments[0];
    if (route.framework === 'nest' && ts.isReturnStatement(node)) object = node.expression;
    if (!object || !ts.isObjectLiteralExpression(object)) return undefined;
    const keys = objectKeys(object);
    const list = keys.find((key) => CODE_LIST_KEY.test(key));
    if (!list) return undefined;
    const next = keys.find((key) => NEXT_KEY.test(key));
    const more = keys.find((key) => MORE_KEY.test(key));
    if (!next && !more) return undefined; // not a paged envelope: nothing to compare
    count++;
    const roles: Partial<Record<Role, string>> = { list };
    if (next) roles.next = next;
    if (more) roles.more = more;
    found = { roles, node: object, route, keyNodes: {} };
    return undefined;
  });
  return count === 1 ? found : undefined;
}
