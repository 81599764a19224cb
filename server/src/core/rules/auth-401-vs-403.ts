import ts from 'typescript';
import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { responseHeaders } from '../engine/spec-helpers';
import type { TextEdit } from '../types';
import { addResponseHeader, classifyCondition, headerObject, nodeKey, responseText, responsesWithStatus, statusSitesIn, verifiesToken, type StatusSite } from './_auth';
import { forEachDescendantOfKind } from '../code/ast';

/** Wording of an unauthenticated caller: no, invalid or expired credentials. */
const UNAUTHENTICATED_TEXT = /\b(unauthenticated|not authenticated|authentication (is )?(required|failed|missing|needed)|(missing|no|absent|invalid|expired|bad|malformed|revoked|unknown)\s+(or (invalid|expired|missing|malformed)\s+)?(credentials?|(access |bearer |auth(entication)? |api |id |session )?tokens?|api[- ]?keys?|authori[sz]ation header|session( cookie)?)|(token|credentials?|api[- ]?key|session)\s+(is |was |are )?(missing|invalid|expired|not provided|revoked)|not (logged|signed) in|(log|sign) ?in (is )?required)\b/i;
/** Wording of an authenticated caller who may not do this: permissions, scopes, roles. */
const FORBIDDEN_TEXT = /\b(insufficient (permissions?|privileges?|scopes?|rights|access|role)|permission denied|not (allowed|permitted) to|lacks? (the )?(required |necessary )?(permissions?|scopes?|roles?|privileges?|rights)|(missing|required) (permissions?|scopes?|roles?|privileges?)|does not have (the )?(required |necessary )?(permissions?|access|roles?|scopes?|privileges?|rights)|access denied|forbidden)\b/i;
/** A 401 description that also speaks of credentials ("Access denied. Auth error.") is not only about permission. */
const CREDENTIAL_WORDS = /\bauth(entication|enticate)?\b|unauthori[sz]ed|unauthenticated|credential|\btoken|\blog ?in\b|\bsign ?in\b|api[- ]?key/i;
const PERMISSION_WORDS = /permission|privilege|scope|role|not allowed|not permitted|insufficient|lacks?\b|access denied|does not have|forbidden|owner/i;

export default defineRule({
  id: 'auth-401-vs-403',
  scope: 'path-item',
  severity: 'error',
  description: '403 used for an unauthenticated caller, or 401 for an authenticated caller who lacks permission.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide's self-check: "401 vs 403 is correct: unauthenticated vs authenticated-but-forbidden". RFC 9110 §15.5.2: 401 means the request lacks valid credentials, and comes with a \`WWW-Authenticate\` challenge so the client can (re)authenticate; §15.5.4: 403 means the server understood who the caller is and refuses, and "the client SHOULD NOT automatically repeat the request with the same credentials". Mixing them breaks clients: a 403 for an expired token stops the refresh-and-retry logic that a 401 triggers, and a 401 for a missing role sends the user back to a login that cannot help. In specs this rule reads the response descriptions; in code it reads the condition guarding the status (\`if (!req.user) res.status(403)\`, a \`catch\` around \`jwt.verify\` answering 403, a Nest guard returning \`false\` for a missing token, which Nest turns into 403).`,
    bad: `if (!req.user) return res.status(403).json({ error: 'forbidden' });
if (!req.user.roles.includes('admin')) return res.status(401).end();`,
    good: `if (!req.user) return res.status(401).set('WWW-Authenticate', 'Bearer').end();
if (!req.user.roles.includes('admin')) return res.status(403).json({ title: 'Forbidden' });`,
    exampleLanguage: 'ts',
    references: ['RFC 9110 §15.5.2 401 Unauthorized', 'RFC 9110 §15.5.4 403 Forbidden', 'RFC 6750 §3.1 Error Codes (invalid_token vs insufficient_scope)'],
  },
  checkSpec(context) {
    checkSpec(context);
  },
  checkStatement(context, statement) {
    checkStatement(context, statement);
  },
});

function checkSpec(context: SpecContext) {
  const reported = new Set<string>();
  for (const status of ['403', '401']) {
    for (const entry of responsesWithStatus(context, status)) {
      const text = responseText(entry.response.value);
      const wrong = status === '403'
        ? UNAUTHENTICATED_TEXT.test(text) && !PERMISSION_WORDS.test(text)
        : FORBIDDEN_TEXT.test(text) && !UNAUTHENTICATED_TEXT.test(text) && !CREDENTIAL_WORDS.test(text);
      if (!wrong) continue;
      const key = nodeKey(entry.response.doc, entry.response.at);
      if (reported.has(key)) continue;
      reported.add(key);
      const target = status === '403' ? '401' : '403';
      const operation = entry.operation;
      const quoted = text.length > 60 ? `${text.slice(0, 57)}...` : text;
      const message = status === '403'
        ? `This 403 is described as an authentication failure ('${quoted}'); missing or invalid credentials are 401 with WWW-Authenticate, 403 is for an authenticated caller without permission.`
        : `This 401 is described as a permission failure ('${quoted}'); an authenticated caller without permission gets 403, 401 is for missing or invalid credentials.`;
      if (entry.response.viaRef) {
        context.report({
          doc: entry.response.doc, at: entry.response.at, message,
          related: [{ at: entry.at, doc: operation.doc, message: `Used as ${status} by ${operation.method.toUpperCase()} ${operation.path}` }],
        });
        continue;
      }
      const responses = operation.operation.responses as Record<string, unknown>;
      const canSwap = !(target in responses);
      context.report({
        doc: operation.doc, at: entry.at, message,
        fix: canSwap ? {
          title: `Change ${status} to ${target}`, isPreferred: true,
          edits: () => {
            const span = operation.doc.locate(entry.at, 'key');
            const keyText = operation.doc.slice(span.start, span.end);
            const edits: TextEdit[] = [{ uri: operation.doc.uri, start: span.start, end: span.end, newText: keyText.replace(status, target) }];
            if (target === '401' && !responseHeaders(entry.response).has('www-authenticate')) {
              edits.push(addResponseHeader(entry.response, 'WWW-Authenticate', headerObject(context, 'The authentication challenge (RFC 9110 §11.6.1).')));
            }
            return edits;
          },
        } : undefined,
      });
    }
  }
}

/** The conditions and catch blocks of one top-level statement (what they read lies inside it). */
function checkStatement(context: CodeContext, statement: ts.Statement) {
  const source = context.source;
  const report = (site: StatusSite, why: 'unauthenticated' | 'forbidden' | 'invalid-token') => {
    const wanted = site.code === 403 ? 401 : 403;
    const message = why === 'forbidden'
      ? `401 is sent for an authenticated caller who fails a role/permission check; send 403 Forbidden (401 means missing or invalid credentials).`
      : why === 'invalid-token'
        ? `403 is sent when the token fails verification; an invalid or expired token is 401 with WWW-Authenticate, 403 is for an authenticated caller without permission.`
        : `403 is sent when the caller is not authenticated; send 401 with WWW-Authenticate (403 is for an authenticated caller without permission).`;
    const edits = swapEdits(context, site, wanted);
    context.report({ span: site.node, message, fix: edits ? { title: `Send ${wanted} instead`, isPreferred: true, edits: () => edits } : undefined });
  };
  const kinds = [ts.SyntaxKind.IfStatement, ts.SyntaxKind.TryStatement];
  const check = (node: ts.Node) => {
    if (ts.isIfStatement(node)) {
      const kind = classifyCondition(node.expression, source);
      if (kind === 'other') return;
      for (const site of statusSitesIn(node.thenStatement, { shallowIfs: true })) {
        if (kind === 'unauthenticated' && site.code === 403) report(site, 'unauthenticated');
        if (kind === 'forbidden' && site.code === 401) report(site, 'forbidden');
      }
      // Nest guard: `if (!token) return false;` -> Nest answers 403 Forbidden.
      if (kind === 'unauthenticated' && isInCanActivate(node)) {
        const returned = returnsFalse(node.thenStatement);
        if (returned) {
          context.report({
            span: returned,
            message: `Returning false from canActivate makes Nest answer 403 for a caller with no credentials; throw new UnauthorizedException() so the answer is 401.`,
          });
        }
      }
    }
    if (ts.isTryStatement(node) && node.catchClause && verifiesToken(node.tryBlock)) {
      for (const site of statusSitesIn(node.catchClause.block, { shallowIfs: true })) if (site.code === 403) report(site, 'invalid-token');
    }
  };
  if (kinds.includes(statement.kind)) check(statement);
  forEachDescendantOfKind(statement, kinds, check);
}

function isInCanActivate(node: ts.Node): boolean {
  let current: ts.Node | undefined = node.parent;
  while (current) {
    if (ts.isMethodDeclaration(current)) return current.name.getText() === 'canActivate';
    if (ts.isFunctionDeclaration(current) || ts.isClassDeclaration(current)) return false;
    current = current.parent;
  }
  return false;
}

function returnsFalse(statement: ts.Statement): ts.ReturnStatement | undefined {
  const statements = ts.isBlock(statement) ? statement.statements : [statement];
  for (const child of statements) {
    if (ts.isReturnStatement(child) && child.expression?.kind === ts.SyntaxKind.FalseKeyword) return child;
  }
  return undefined;
}

const STATUS_NAMES: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN' };
const EXCEPTIONS: Record<number, string> = { 401: 'UnauthorizedException', 403: 'ForbiddenException' };

/** Edits that make `site` send `wanted` instead: the literal, the HttpStatus member, or the exception class (+ import). */
function swapEdits(context: CodeContext, site: StatusSite, wanted: number): TextEdit[] | undefined {
  const node = site.codeNode;
  if (!node) return undefined;
  const start = node.getStart(context.source);
  const end = node.getEnd();
  if (site.kind === 'exception') {
    if (!ts.isIdentifier(node)) return undefined;
    const name = EXCEPTIONS[wanted];
    const edits: TextEdit[] = [{ uri: context.uri, start, end, newText: name }];
    const importEdit = ensureNestImport(context, name);
    if (importEdit === undefined) return undefined;
    if (importEdit) edits.push(importEdit);
    return edits;
  }
  if (ts.isNumericLiteral(node)) return [{ uri: context.uri, start, end, newText: String(wanted) }];
  if (ts.isPropertyAccessExpression(node) && /^(FORBIDDEN|UNAUTHORIZED)$/.test(node.name.text)) {
    return [{ uri: context.uri, start: node.name.getStart(context.source), end: node.name.getEnd(), newText: STATUS_NAMES[wanted] }];
  }
  return undefined;
}

/** `null` when already imported, an edit adding it to the `@nestjs/common` import, or undefined when there is none. */
function ensureNestImport(context: CodeContext, name: string): TextEdit | null | undefined {
  for (const statement of context.source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== '@nestjs/common') continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || bindings.elements.length === 0) continue;
    if (bindings.elements.some((element) => element.name.text === name)) return null;
    const last = bindings.elements[bindings.elements.length - 1];
    return { uri: context.uri, start: last.getEnd(), end: last.getEnd(), newText: `, ${name}` };
  }
  return undefined;
}
