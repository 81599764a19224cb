import ts from 'typescript';
import { defineRule } from './rule';
import { calleeName, forEachDescendantOfKind } from '../code/ast';
import { securitySchemes } from '../engine/spec-helpers';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { classifyCondition, enclosingFunction, functionSetsHeader, headerObject, insertSetHeader, requireResponseHeader, statusSiteKinds, statusSiteOf } from './_auth';

const HEADER = 'WWW-Authenticate';

export default defineRule({
  id: 'auth-401-challenge',
  scope: 'path-item',
  severity: 'warning',
  description: 'A 401 response without a `WWW-Authenticate` header naming the authentication scheme.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `RFC 9110 §15.5.2: a server generating a 401 (Unauthorized) response MUST send a \`WWW-Authenticate\` header field containing at least one challenge (§11.6.1). The challenge tells the client which scheme to use (\`Bearer\`, \`Basic realm="api"\`, \`Bearer error="invalid_token"\` per RFC 6750 §3) and is what separates "send credentials" from "you may not" (403). The guide's status matrix says the same: "No credentials, expired token: 401. Include WWW-Authenticate header." Declare the header on every 401 response of the description (a shared \`components.responses.Unauthorized\` carrying it covers every operation that references it), and set it in code wherever a 401 is sent.`,
    bad: `responses:
  '401':
    description: Missing or invalid access token`,
    good: `responses:
  '401':
    description: Missing or invalid access token
    headers:
      WWW-Authenticate:
        description: The authentication challenge (RFC 9110 §11.6.1).
        schema: { type: string, example: 'Bearer realm="api"' }`,
    references: ['RFC 9110 §15.5.2 401 Unauthorized', 'RFC 9110 §11.6.1 WWW-Authenticate', 'RFC 6750 §3 The WWW-Authenticate Response Header Field'],
  },
  checkSpec(context) {
    requireResponseHeader(context, {
      status: '401',
      header: HEADER,
      fixTitle: `Add the ${HEADER} header`,
      headerObject: () => headerObject(context, 'The authentication challenge: which scheme to use (RFC 9110 §11.6.1).', context.isSwagger2 ? undefined : challengeExample(context)),
      message: (operation, viaRef) => viaRef
        ? `This 401 response (used by ${operation.method.toUpperCase()} ${operation.path}) declares no ${HEADER} header; a 401 must carry a challenge naming the scheme (RFC 9110 §15.5.2).`
        : `The 401 response of ${operation.method.toUpperCase()} ${operation.path} declares no ${HEADER} header; a 401 must carry a challenge naming the scheme (RFC 9110 §15.5.2).`,
    });
  },
  checkCode(context) {
    checkFilters(context);
  },
  localEnvironment(context) {
    return challengeScheme(context);
  },
  checkStatement(context, statement, scheme) {
    checkStatement(context, statement, scheme as string);
  },
});

/** `Bearer`, `Basic realm="api"`... from the document's first HTTP scheme. */
function challengeExample(context: SpecContext): string {
  for (const { scheme } of securitySchemes(context)) {
    if (scheme.type === 'http' && typeof scheme.scheme === 'string') {
      const name = scheme.scheme.toLowerCase() === 'basic' ? 'Basic' : scheme.scheme.toLowerCase() === 'bearer' ? 'Bearer' : scheme.scheme;
      return `${name} realm="api"`;
    }
    if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') return 'Bearer realm="api"';
  }
  return 'Bearer realm="api"';
}

/** Something in the workspace answers 401 by throwing (Nest exceptions, Passport's AuthGuard). */
function workspaceThrows401(context: CodeContext): boolean {
  for (const source of context.workspace.extraction.sources.values()) {
    if (/\bUnauthorizedException\b|HttpStatus\.UNAUTHORIZED|\bAuthGuard\(/.test(source.text)) return true;
  }
  return false;
}

/**
 * A Nest exception filter that renders 401s (it catches everything, HttpException or
 * UnauthorizedException) without adding WWW-Authenticate, in an app that throws 401s.
 */
function checkFilters(context: CodeContext) {
  let throws: boolean | undefined;
  for (const statement of context.source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    const catchDecorator = (ts.getDecorators(statement) ?? []).map((d) => d.expression).find((e) => ts.isCallExpression(e) && calleeName(e.expression) === 'Catch') as ts.CallExpression | undefined;
    if (!catchDecorator) continue;
    const caught = catchDecorator.arguments.map((argument) => calleeName(argument));
    if (caught.length > 0 && !caught.some((name) => /^(HttpException|UnauthorizedException)$/.test(name))) continue;
    const catchMethod = statement.members.find((member) => ts.isMethodDeclaration(member) && member.name.getText() === 'catch');
    if (!catchMethod || !/\.(status|json|send|code)\(/.test(catchMethod.getText()) || functionSetsHeader(statement, HEADER)) continue;
    throws ??= workspaceThrows401(context);
    if (!throws) return;
    context.report({
      span: statement.name,
      message: `${statement.name.text} renders 401 responses without a ${HEADER} header; set it when the status is 401 (response.setHeader('${HEADER}', 'Bearer')), as RFC 9110 §15.5.2 requires.`,
    });
  }
}

function guardedByForbiddenCheck(node: ts.Node, fn: ts.Node, context: CodeContext): boolean {
  for (let current: ts.Node = node; current.parent && current !== fn; current = current.parent) {
    const parent = current.parent;
    if (ts.isIfStatement(parent) && parent.thenStatement === current) return classifyCondition(parent.expression, context.source) === 'forbidden';
  }
  return false;
}

/** The challenge this file's API answers with: Basic when it speaks Basic and never Bearer. */
function challengeScheme(context: CodeContext): string {
  return /['"`]Basic /.test(context.source.text) && !/['"`]Bearer /.test(context.source.text) ? 'Basic realm="api"' : 'Bearer';
}

/** The 401s sent in one top-level statement (all a send's reads lie in its function, inside it). */
function checkStatement(context: CodeContext, statement: ts.Statement, scheme: string) {
  forEachDescendantOfKind(statement, statusSiteKinds(), (node) => {
    const site = statusSiteOf(node);
    if (!site || site.code !== 401) return;
    const fn = enclosingFunction(node);
    if (!fn || functionSetsHeader(fn, HEADER)) return;
    // Thrown 401s: the challenge belongs in the exception filter that renders them (checked below).
    if (site.kind === 'exception' || site.kind === 'httpException') return;
    // A 401 answering a role/permission check is wrong in itself (auth-401-vs-403): no challenge to add.
    if (guardedByForbiddenCheck(node, fn, context)) return;
    context.report({
      span: node,
      message: `This 401 is sent without a ${HEADER} header; set the challenge (res.set('${HEADER}', '${scheme}')) as RFC 9110 §15.5.2 requires.`,
      fix: { title: `Set ${HEADER}: ${scheme}`, isPreferred: true, edits: () => insertSetHeader(context, site, HEADER, scheme) },
    });
  });
}
