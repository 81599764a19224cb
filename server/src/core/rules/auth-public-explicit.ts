import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import type { JsonPath } from '../types';
import type { CodeContext } from '../engine/code-context';
import { securityOf } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';
import type { ExtractedRoute } from '../code/extract';
import { AUTH_NAME } from '../code/express';
import { NATURALLY_PUBLIC_PATH } from './_auth';

export default defineRule({
  id: 'auth-public-explicit',
  severity: 'info',
  description: 'An operation without security in an otherwise secured API that does not say `security: []` (spec), or a route without the auth middleware/guard its neighbours use (code).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `When every operation of an API declares its own security, one that declares nothing is ambiguous: a deliberate public endpoint, or a forgotten requirement? OpenAPI distinguishes the two: \`security: []\` says "no credentials needed" on purpose (OpenAPI 3.1 §4.8.10: "to remove a top-level security declaration, an empty array can be used"), while a missing \`security\` says nothing. The guide's self-check asks that docs "match real handler behavior ... and auth requirements", and that auth boundaries be defined "at the API boundary, not ad hoc". Marking public operations explicitly makes a review (and this linter) able to tell a deliberate \`GET /health\` from a forgotten guard. In code, the same holds for a route missing the auth middleware or guard that its neighbours use: add it, or mark the route public (\`@Public()\` in Nest). APIs with no security at all, APIs whose root \`security\` covers every operation, and naturally public routes (health checks, login, token endpoints) are not flagged.`,
    bad: `paths:
  /orders:
    get:
      security: [{ bearerAuth: [] }]
  /orders/{orderId}:
    get:
      security: [{ bearerAuth: [] }]
  /reports:
    get:
      responses: { '200': { description: ok } }`,
    good: `paths:
  /reports:
    get:
      security: []
      responses: { '200': { description: ok } }`,
    references: ['OpenAPI 3.1 §4.8.10 Operation Object (security)', 'OpenAPI 3.1 §4.8.30 Security Requirement Object'],
  },
  checkSpec(context) {
    checkSpec(context);
  },
  checkCode(context) {
    checkCode(context);
  },
});

function checkSpec(context: SpecContext) {
  // Root `security` (even `[]`) covers every operation that says nothing: nothing is implicit.
  if (Array.isArray(context.root.security)) return;
  const operations = context.readPathItems('auth-public-explicit', readSecurity).flat();
  const secured = operations.filter((operation) => operation.declared && operation.secured);
  const implicit = operations.filter((operation) => !operation.declared);
  if (implicit.length === 0 || secured.length < 2 || secured.length <= implicit.length) return;
  const example = secured[0];
  for (const operation of implicit) {
    const doc = operation.doc ?? context.doc;
    context.report({
      doc, at: operation.at,
      message: `${operation.label} declares no security while ${secured.length} of the API's ${secured.length + implicit.length} operations require credentials; add 'security: []' if it is public on purpose, or its security requirement.`,
      related: [{ at: [...example.at, 'security'], doc: example.doc, message: `${example.label} declares its security` }],
      fix: { title: "Mark it public with 'security: []'", isPreferred: true, edits: () => [publicEdit(doc, operation.at)] },
    });
  }
}

/**
 * Whether each operation of one path item declares its security, and requires credentials (a
 * document is named only when it is not the one analysed).
 */
interface SecurityUse { label: string; at: JsonPath; doc?: SpecDocument; declared: boolean; secured: boolean }

function readSecurity(context: SpecContext): SecurityUse[] {
  const found: SecurityUse[] = [];
  for (const operation of context.operations()) {
    if (operation.method === 'options' || operation.method === 'head') continue;
    const security = securityOf(context, operation);
    found.push({
      label: `${operation.method.toUpperCase()} ${operation.path}`, at: operation.at, doc: context.otherDocument(operation.doc),
      declared: security.declaredOnOperation, secured: security.secured,
    });
  }
  return found;
}

/** `security: []` as one line (the generic YAML renderer would put `[]` on a line of its own). */
function publicEdit(doc: SpecDocument, at: JsonPath) {
  const edit = setMapEntry(doc, at, 'security', []);
  return { ...edit, newText: edit.newText.replace(/:\n\s*\[\]$/, ': []') };
}

function checkCode(context: CodeContext) {
  const groups = new Map<string, ExtractedRoute[]>();
  for (const route of context.routes()) {
    const key = route.nestController ? `nest:${route.nestController.className}` : `express:${route.declaration.file}`;
    const group = groups.get(key) ?? [];
    group.push(route);
    groups.set(key, group);
  }
  for (const routes of groups.values()) {
    const authed = routes.filter((route) => route.auth === true);
    const unknown = routes.filter((route) => route.auth === 'unknown' && !route.markedPublic && route.method !== 'options' && route.method !== 'head');
    if (unknown.length === 0 || authed.length < 2 || authed.length <= unknown.length) continue;
    const names = [...new Set(authed.flatMap((route) => route.middleware.filter((m) => AUTH_NAME.test(m.name) || /Guard$/.test(m.name)).map((m) => m.name)))];
    const used = names.length ? ` (${names.slice(0, 2).join(', ')})` : '';
    for (const route of unknown) {
      if (NATURALLY_PUBLIC_PATH.test(route.path)) continue;
      const isNest = route.framework === 'nest';
      context.report({
        span: isNest ? route.declaration : route.pathSpan ?? route.declaration,
        message: isNest
          ? `${route.method.toUpperCase()} ${route.path} has no auth guard while ${authed.length} of the ${routes.length} routes of ${route.nestController?.className ?? 'this controller'} use one${used}; add the guard, or mark it @Public() if it is public on purpose.`
          : `${route.method.toUpperCase()} ${route.path} has no auth middleware while ${authed.length} of the ${routes.length} routes of this file use one${used}; add it, or document the route as public (security: []) if that is deliberate.`,
        related: [{ uri: context.uri, span: authed[0].declaration, message: `${authed[0].method.toUpperCase()} ${authed[0].path} is authenticated` }],
      });
    }
  }
}
