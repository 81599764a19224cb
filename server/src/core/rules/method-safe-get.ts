import { defineRule } from './rule';
import type { Operation } from '../engine/spec-context';
import { splitWords } from '../engine/spec-helpers';
import type { ExtractedRoute } from '../code/extract';
import { idVerbIn, methodCalls, normaliseCodePath, READ_VERBS, verbForm } from './_paths';

/** Verbs that name a state change when an operationId leads with them. */
const MUTATING_VERBS = new Set([
  'delete', 'remove', 'create', 'update', 'add', 'insert', 'modify', 'edit', 'destroy', 'purge', 'erase', 'cancel', 'approve', 'reject',
  'activate', 'deactivate', 'unarchive', 'publish', 'unpublish', 'revoke', 'reset', 'increment', 'decrement', 'upsert', 'save',
  'clear', 'assign', 'unassign', 'enable', 'disable', 'submit',
]);
/** Verbs a summary may start with that are never nouns ("Archive of messages" and "Updates" are). */
const SUMMARY_VERBS = new Set(['create', 'delete', 'remove', 'destroy', 'purge', 'erase', 'modify', 'revoke', 'upsert']);
/** Second words that turn the verb into a noun phrase: `updateHistory`, `deleteStatus`, `cancelUrl`. */
const NOUN_TAILS = new Set([
  'status', 'info', 'details', 'detail', 'preview', 'history', 'count', 'summary', 'settings', 'config', 'options', 'link', 'links', 'url', 'urls',
  'token', 'log', 'logs', 'request', 'requests', 'event', 'events', 'time', 'date', 'reason', 'reasons', 'policy', 'policies', 'on', 'ons', 'list',
]);

function mutatingVerb(operation: Operation): { verb: string; source: 'operationId' | 'summary' } | undefined {
  const { operationId, summary } = operation.operation;
  if (typeof operationId === 'string') {
    // `Noun_Action` / `api.resource.action` ids (Azure, Google) put the action last: `UpdateRuns_List` reads.
    const action = /[_.]([A-Za-z][A-Za-z0-9]*)$/.exec(operationId.trim());
    if (action && READ_VERBS.has(splitWords(action[1])[0] ?? '')) return undefined;
    const verb = idVerbIn(operationId, MUTATING_VERBS);
    if (verb && !isNounPhrase(operationId, verb)) return { verb, source: 'operationId' };
    if (operationId.trim()) return undefined; // a read-looking id wins over a summary
  }
  if (typeof summary === 'string') {
    const words = splitWords(summary);
    const verb = verbForm(words[0], SUMMARY_VERBS);
    if (verb && words.length > 1 && !NOUN_TAILS.has(words[1])) return { verb, source: 'summary' };
  }
  return undefined;
}

function isNounPhrase(text: string, verb: string): boolean {
  const words = splitWords(text);
  const index = words.indexOf(verb);
  return index >= 0 && NOUN_TAILS.has(words[index + 1] ?? '');
}

/** Routes reached by a link or a redirect that must change state by protocol (OAuth callback, e-mail confirmation). */
const LINK_TARGET = /callback|oauth|sso|saml|verify|verification|confirm|unsubscribe|magic|activate|webhook/i;
/** Writes a safe method may still make (RFC 9110 §9.2.1: logging, counters the client did not ask for). */
const INCIDENTAL_WORDS = new Set([
  'audit', 'audits', 'log', 'logs', 'logger', 'event', 'events', 'view', 'views', 'pageview', 'pageviews', 'visit', 'visits', 'analytics', 'metric', 'metrics',
  'stat', 'stats', 'statistics', 'history', 'activity', 'activities', 'hit', 'hits', 'impression', 'impressions', 'click', 'clicks', 'telemetry', 'trace', 'traces',
  'tracker', 'tracking', 'cache', 'session', 'sessions', 'cookie', 'cookies',
]);
const incidental = (name: string) => splitWords(name).some((word) => INCIDENTAL_WORDS.has(word));
const INCIDENTAL_DATA = /lastSeen|lastAccess|lastActive|lastLogin|lastUsed|lastRead|accessedAt|viewCount|views|hits|visits|increment/;
const SERVICE_RECEIVER = /(service|repository|repo|store|dao|manager|model|gateway)$/i;
const SERVICE_MUTATIONS = new Set(['create', 'update', 'delete', 'remove', 'insert', 'save', 'destroy', 'upsert', 'add', 'purge', 'cancel', 'archive']);

export default defineRule({
  id: 'method-safe-get',
  scope: 'path-item',
  severity: 'error',
  description: 'A GET or HEAD operation that changes state (named as a mutation, or a handler that writes).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `GET and HEAD are safe methods (RFC 9110 §9.2.1): a client, crawler, link prefetcher, cache or retrying proxy may send them at any time, any number of times, without the user asking for a change. A GET that deletes, creates or updates will eventually be triggered by one of them. The guide lists "no GET that mutates" among the method-semantics rules: use POST for create and commands, PUT for full replacement, PATCH for partial update and DELETE for delete. In a description the rule reads the operationId (\`deleteUser\` on GET) and a summary that starts with an unambiguous verb; in code it reads the handler's store calls and service calls. Side effects the client did not request (an audit log, a view counter, \`lastSeenAt\`) are allowed by RFC 9110 and not flagged, nor are link targets that must act on GET by protocol (OAuth callbacks, e-mail confirmation links).`,
    bad: `paths:
  /users/{userId}/delete:
    get:
      operationId: deleteUser`,
    good: `paths:
  /users/{userId}:
    delete:
      operationId: deleteUser`,
    references: ['RFC 9110 §9.2.1 Safe Methods', 'RFC 9110 §9.3.1 GET'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'get' && operation.method !== 'head') continue;
      const found = mutatingVerb(operation);
      if (!found) continue;
      const method = operation.method.toUpperCase();
      const what = found.source === 'operationId' ? `operationId '${String(operation.operation.operationId)}'` : 'its summary';
      context.report({
        doc: operation.doc,
        at: operation.at,
        message: `${method} ${operation.path} is described as a mutation (${what}: '${found.verb}'); ${method} must be safe (RFC 9110 §9.2.1), so use POST, PUT, PATCH or DELETE, or rename it if it only reads.`,
        related: [{ doc: operation.doc, at: [...operation.at, found.source], message: `'${found.verb}' names a state change` }],
      });
    }
  },
  checkRoute(context, route) {
    if (route.method !== 'get' && route.method !== 'head') return;
    if (LINK_TARGET.test(route.path)) return;
    const write = firstWrite(route);
    if (!write) return;
    const method = route.method.toUpperCase();
    context.report({
      span: write.span,
      message: `${method} ${normaliseCodePath(route.path)} handler writes (${write.what}); ${method} must be safe (RFC 9110 §9.2.1), so move the change to a POST, PUT, PATCH or DELETE route.`,
    });
  },
});

function firstWrite(route: ExtractedRoute): { span: { start: number; end: number; file?: string }; what: string } | undefined {
  const source = route.handlerNode?.getSourceFile();
  for (const call of route.storeCalls) {
    if (!call.mutating) continue;
    if (call.model && incidental(call.model)) continue;
    const text = source?.text.slice(call.span.start, call.span.end) ?? '';
    if (INCIDENTAL_DATA.test(text) || incidental(text.split('(')[0])) continue;
    return { span: call.span, what: `${call.library}${call.model ? ` ${call.model}` : ''}.${call.operation}()` };
  }
  if (!route.handlerNode) return undefined;
  for (const call of methodCalls(route.handlerNode)) {
    if (!SERVICE_RECEIVER.test(call.receiver) || incidental(call.receiver)) continue;
    const verb = splitWords(call.method)[0];
    if (!SERVICE_MUTATIONS.has(verb) || isNounPhrase(call.method, verb)) continue;
    if (INCIDENTAL_DATA.test(call.node.getText())) continue;
    return { span: { start: call.node.getStart(), end: call.node.getEnd() }, what: `${call.receiver}.${call.method}()` };
  }
  return undefined;
}

