import ts from 'typescript';
import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import type { CodeContext } from '../engine/code-context';
import { pathSegments } from '../engine/spec-helpers';
import type { JsonPath } from '../types';
import type { ExtractedRoute } from '../code/extract';
import { conditionAtoms, responseText, statusSitesIn, type StatusSite } from './_auth';
import { forEachDescendantOfKind } from '../code/ast';
import { rememberedByText } from '../text';

/** A 404 documented as also covering items the caller may not see: the hiding policy. */
const HIDES_404 = /\b(not found|does not exist|doesn'?t exist|no such \w+)\b.{0,40}\b(or|and)\b.{0,40}\b(access|accessible|permission|visible|authori[sz]ed|belongs?|own|owned|scope)|\b(not (accessible|visible) to|no access to|hidden from)\b/i;
/** A 403 documented as "exists, but is someone else's": the revealing policy. */
const REVEALS_403 = /\b(not (the )?owner|belongs? to (another|a different|someone)|another (user|account|tenant|customer|organi[sz]ation|team)|(other|different) (user|account|tenant|customer|organi[sz]ation|team)|not (a )?member of|outside (your|the caller'?s?)|not shared with|(access|permission)s? (to|on|for) (this|the) [a-z]+)\b/i;

export default defineRule({
  id: 'not-found-policy',
  severity: 'info',
  description: 'Within one resource, some operations hide out-of-scope items with 404 while others reveal them with 403.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `When a caller asks for an item that exists but is not theirs, an API can answer 404 (hide its existence) or 403 (admit it exists, refuse access). Both are legitimate (RFC 9110 §15.5.4: "an origin server that wishes to 'hide' the current existence of a forbidden target resource MAY instead respond with 404"), but the guide insists: "Ownership-hiding behavior is deliberate and consistent: decide when out-of-scope resources return 404 vs 403", "pick one policy per resource and keep it". Mixing them within one resource leaks exactly what the 404 was hiding: \`GET /orders/{id}\` says 404 while \`DELETE /orders/{id}\` says 403, so probing with DELETE tells whether an order id exists. This rule groups operations by resource (the path up to its first item parameter) and reports the operations that deviate from the resource's majority policy. In specs it reads the response descriptions; in code, the status sent by an ownership check (\`order.userId !== req.user.id\`) or after a lookup scoped to the caller. A 404 policy applied consistently is not a finding, and neither is a 403 for a missing role or scope.`,
    bad: `/orders/{orderId}:
  get:
    responses:
      '404': { description: Order not found or not visible to the caller }
  delete:
    responses:
      '403': { description: The order belongs to another user }`,
    good: `/orders/{orderId}:
  get:
    responses:
      '404': { description: Order not found or not visible to the caller }
  delete:
    responses:
      '404': { description: Order not found or not visible to the caller }`,
    references: ['RFC 9110 §15.5.4 403 Forbidden', 'RFC 9110 §15.5.5 404 Not Found', 'OWASP API Security Top 10 2023: API1 Broken Object Level Authorization'],
  },
  checkSpec(context) {
    checkSpec(context);
  },
  checkCode(context) {
    checkCode(context);
  },
});

/**
 * `/orders/{orderId}/items` -> `/orders/{}`: the resource an item path belongs to; undefined for
 * collections. Remembered: a route file asks for every route of the workspace on each keystroke.
 */
const resourceKey = rememberedByText((path: string): string | undefined => {
  const segments = pathSegments(path.replace(/:([A-Za-z_]\w*)/g, '{$1}'));
  const index = segments.findIndex((segment) => segment.isParameter);
  if (index < 0) return undefined;
  return '/' + segments.slice(0, index).map((segment) => segment.text.toLowerCase()).join('/') + '/{}';
});

interface Policy<T> { kind: 'hide' | 'reveal'; item: T; label: string }

/** Reports the minority policy of each resource group (a tie reports the revealing side). */
function judge<T>(groups: Map<string, Policy<T>[]>, report: (policy: Policy<T>, majority: Policy<T>, counts: { hide: number; reveal: number }) => void) {
  for (const policies of groups.values()) {
    const hide = policies.filter((policy) => policy.kind === 'hide');
    const reveal = policies.filter((policy) => policy.kind === 'reveal');
    if (hide.length === 0 || reveal.length === 0) continue;
    const [minority, majority] = reveal.length <= hide.length ? [reveal, hide] : [hide, reveal];
    for (const policy of minority) report(policy, majority[0], { hide: hide.length, reveal: reveal.length });
  }
}

/**
 * A 404 that hides or a 403 that reveals another caller's item, as read from one path item (kept
 * across versions for an unchanged path item: a document is named only when it is not the one analysed).
 */
interface SpecPolicy { resource: string; kind: 'hide' | 'reveal'; at: JsonPath; doc?: SpecDocument; label: string }

function readPolicies(context: SpecContext): SpecPolicy[] {
  const policies: SpecPolicy[] = [];
  for (const operation of context.operations()) {
    const resource = resourceKey(operation.path);
    if (!resource) continue;
    for (const entry of context.responses(operation)) {
      if (entry.response.failure || (entry.status !== '404' && entry.status !== '403')) continue;
      const text = responseText(entry.response.value ?? {});
      const kind = entry.status === '404' && HIDES_404.test(text) ? 'hide' : entry.status === '403' && REVEALS_403.test(text) ? 'reveal' : undefined;
      if (!kind) continue;
      policies.push({ resource, kind, at: entry.at, doc: context.otherDocument(operation.doc), label: `${operation.method.toUpperCase()} ${operation.path}` });
    }
  }
  return policies;
}

function checkSpec(context: SpecContext) {
  const groups = new Map<string, Policy<SpecPolicy>[]>();
  for (const policy of context.readPathItems('not-found-policy', readPolicies).flat()) {
    const list = groups.get(policy.resource) ?? [];
    list.push({ kind: policy.kind, item: policy, label: policy.label });
    groups.set(policy.resource, list);
  }
  judge(groups, (policy, majority, counts) => {
    context.report({
      doc: policy.item.doc, at: policy.item.at,
      message: policy.kind === 'reveal'
        ? `${policy.label} answers 403 for another caller's item while ${counts.hide} operation(s) of this resource hide such items with 404; pick one policy per resource (404 keeps existence hidden).`
        : `${policy.label} hides another caller's item with 404 while ${counts.reveal} operation(s) of this resource reveal it with 403; pick one policy per resource.`,
      related: [{ at: majority.item.at, doc: majority.item.doc, message: `${majority.label} uses ${majority.kind === 'hide' ? '404 (hides)' : '403 (reveals)'}` }],
    });
  });
}

// ---------------------------------------------------------------- code

const OWNER_KEY = /^(owner|ownerId|owner_id|userId|user_id|authorId|author_id|accountId|account_id|tenantId|tenant_id|customerId|customer_id|createdBy|createdById|created_by|memberId)$/;
const CALLER_REF = /\b(req|request)\.(user|auth|session)\b|\bcurrentUser\b|\buser\.(id|sub|_id)\b|\bprincipal\b|\bthis\.user\b|\bres\.locals\.user\b|\bclaims\.sub\b/;

function lastName(node: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) return node.argumentExpression.text;
  if (ts.isIdentifier(node)) return node.text;
  return undefined;
}

/** `order.userId !== req.user.id` (either side). */
function isOwnershipComparison(atom: ts.Expression): boolean {
  let node = atom;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  if (!ts.isBinaryExpression(node)) return false;
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.ExclamationEqualsEqualsToken && operator !== ts.SyntaxKind.ExclamationEqualsToken) return false;
  const sides = [node.left, node.right];
  return sides.some((side, index) => {
    const other = sides[1 - index];
    const name = lastName(side);
    return !!name && OWNER_KEY.test(name) && !CALLER_REF.test(side.getText()) && CALLER_REF.test(other.getText());
  });
}

/** A lookup scoped to the caller: `{ where: { id, userId: req.user.id } }`. */
function hasScopedLookup(handler: ts.Node): boolean {
  let found = false;
  forEachDescendantOfKind(handler, [ts.SyntaxKind.PropertyAssignment], (node) => {
    if (!found && ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && OWNER_KEY.test(node.name.text) && CALLER_REF.test(node.initializer.getText())) found = true;
  });
  return found;
}

function routePolicies(route: ExtractedRoute): Policy<{ route: ExtractedRoute; site: StatusSite }>[] {
  const handler = route.handlerNode;
  if (!handler) return [];
  let policies = handlerPolicies.get(handler);
  if (!policies) handlerPolicies.set(handler, policies = readHandlerPolicies(handler));
  const label = `${route.method.toUpperCase()} ${route.path}`;
  return policies.map(({ kind, site }) => ({ kind, item: { route, site }, label }));
}

/**
 * The policy a handler's own syntax shows, kept per handler node: the incremental parser hands an
 * unchanged handler over as the same node, so a keystroke reads only the handler typed in.
 */
const handlerPolicies = new WeakMap<ts.Node, { kind: 'hide' | 'reveal'; site: StatusSite }[]>();

function readHandlerPolicies(handler: ts.Node): { kind: 'hide' | 'reveal'; site: StatusSite }[] {
  const policies: { kind: 'hide' | 'reveal'; site: StatusSite }[] = [];
  // The handler itself is a function, never an `if`: its descendants are what can hold one.
  forEachDescendantOfKind(handler, [ts.SyntaxKind.IfStatement], (node) => {
    if (ts.isIfStatement(node) && conditionAtoms(node.expression).some(isOwnershipComparison)) {
      for (const site of statusSitesIn(node.thenStatement, { shallowIfs: true })) {
        if (site.code === 403) policies.push({ kind: 'reveal', site });
        if (site.code === 404) policies.push({ kind: 'hide', site });
      }
    }
  });
  if (policies.length === 0 && hasScopedLookup(handler)) {
    const site = statusSitesIn(handler).find((candidate) => candidate.code === 404);
    if (site) policies.push({ kind: 'hide', site });
  }
  return policies.slice(0, 1);
}

function checkCode(context: CodeContext) {
  const mine = context.routes();
  if (mine.length === 0) return;
  const wanted = new Set(mine.map((route) => resourceKey(route.path)).filter((key): key is string => !!key));
  if (wanted.size === 0) return;
  const groups = new Map<string, Policy<{ route: ExtractedRoute; site: StatusSite }>[]>();
  for (const route of context.allRoutes) {
    const key = resourceKey(route.path);
    if (!key || !wanted.has(key)) continue;
    const policies = routePolicies(route);
    if (policies.length === 0) continue;
    groups.set(key, [...(groups.get(key) ?? []), ...policies]);
  }
  judge(groups, (policy, majority, counts) => {
    const { route, site } = policy.item;
    if (route.declaration.file !== context.uri) return;
    const majoritySite = majority.item.site.node;
    context.report({
      span: site.node,
      message: policy.kind === 'reveal'
        ? `${policy.label} answers 403 when the item belongs to someone else while ${counts.hide} other handler(s) of this resource hide such items with 404; pick one policy per resource.`
        : `${policy.label} hides another caller's item with 404 while ${counts.reveal} other handler(s) of this resource answer 403; pick one policy per resource.`,
      related: [{ uri: majority.item.route.declaration.file, span: { start: majoritySite.getStart(), end: majoritySite.getEnd() }, message: `${majority.label} uses ${majority.kind === 'hide' ? '404 (hides)' : '403 (reveals)'}` }],
    });
  });
}
