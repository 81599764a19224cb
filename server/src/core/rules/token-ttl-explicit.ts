import ts from 'typescript';
import { defineRule } from './rule';
import { expressionText, forEachDescendant, forEachDescendantOfKind, objectProperty, stringValue } from '../code/ast';

const MAX_ACCESS_TOKEN_SECONDS = 24 * 3600;

/** '15m' -> 900, '7d' -> 604800, 3600 -> 3600. */
function seconds(node: ts.Expression): number | undefined {
  if (ts.isNumericLiteral(node)) return Number(node.text.replace(/_/g, ''));
  const text = stringValue(node);
  const match = text && /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y|seconds?|minutes?|hours?|days?|weeks?|years?)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? 's').toLowerCase()[0];
  const factor = match[2]?.toLowerCase() === 'ms' ? 0.001 : ({ s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 } as Record<string, number>)[unit] ?? 1;
  return Number(match[1]) * factor;
}

export default defineRule({
  id: 'token-ttl-explicit',
  severity: 'warning',
  description: 'Tokens signed without an explicit, bounded expiry (`jwt.sign(p, k)` with no `expiresIn`, or days-long access tokens).',
  appliesTo: ['express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide lists token TTLs among the "sensitive defaults" that must be explicit, not hand-waved. A JWT signed without \`expiresIn\` (or an \`exp\` claim) is valid forever: a leaked token cannot be contained by waiting. Access tokens should live minutes to hours; long sessions belong to refresh tokens that can be revoked (RFC 9700 §2.2.2 and §4.14), or to server-side sessions.`,
    bad: `const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!);`,
    good: `const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: '15m' });`,
    exampleLanguage: 'ts',
    references: ['RFC 7519 §4.1.4 "exp"', 'RFC 9700 (OAuth 2.0 Security BCP)'],
  },
  // Whether the workspace's JwtModule gives signed tokens a default lifetime (read only when this file signs with JwtService).
  localEnvironment(context) {
    return /jwtService/i.test(context.source.text) && moduleHasDefaultExpiry(context);
  },
  checkStatement(context, statement, jwtModuleHasDefaultExpiry) {
    forEachDescendantOfKind(statement, [ts.SyntaxKind.CallExpression], (node) => {
      if (!ts.isCallExpression(node)) return undefined;
      const callee = expressionText(node.expression);
      // jsonwebtoken: jwt.sign(payload, secret, options); Nest JwtService: this.jwtService.sign(payload, options)
      const isJsonwebtoken = /(^|\.)(jwt|jsonwebtoken)\.sign$|^sign$/.test(callee) && node.arguments.length >= 2;
      const isJwtService = /jwtService\.(sign|signAsync)$/i.test(callee);
      if (isJsonwebtoken || isJwtService) {
        const payload = payloadObject(node.arguments[0]);
        if (payload === 'unknown' || (payload && objectProperty(payload, 'exp'))) return undefined;
        const options = node.arguments[isJsonwebtoken ? 2 : 1];
        if (isJwtService && !options && jwtModuleHasDefaultExpiry) return undefined;
        checkOptions(options, node, /refresh/i.test(node.getText(context.source).slice(0, 200)));
      }
      // JwtModule.register({ signOptions: { expiresIn } })
      if (/JwtModule\.register$/.test(callee)) {
        const config = node.arguments[0];
        const signOptions = config && ts.isObjectLiteralExpression(config) ? objectProperty(config, 'signOptions') : undefined;
        checkOptions(signOptions, node, false);
      }
      return undefined;
    });

    function checkOptions(options: ts.Expression | undefined, call: ts.CallExpression, isRefresh: boolean) {
      const expiresIn = options && ts.isObjectLiteralExpression(options) ? objectProperty(options, 'expiresIn') : undefined;
      if (options && !ts.isObjectLiteralExpression(options)) return; // options built elsewhere: cannot judge
      if (!expiresIn) {
        context.report({ span: call.expression, message: 'This token is signed without expiresIn, so it never expires; give access tokens a lifetime of minutes to hours.' });
        return;
      }
      const lifetime = seconds(expiresIn);
      if (!isRefresh && lifetime !== undefined && lifetime > MAX_ACCESS_TOKEN_SECONDS) {
        context.report({ span: expiresIn, message: `An access token valid for ${Math.round(lifetime / 86400)} days cannot be contained if it leaks; keep access tokens short (minutes to hours) and use revocable refresh tokens or sessions for long logins.` });
      }
    }
  },
});

/**
 * The payload object literal, through a local `const payload = { sub, exp }`; 'unknown' for a
 * payload received as a parameter or built elsewhere (it may carry its own `exp` claim).
 */
function payloadObject(node: ts.Expression | undefined): ts.ObjectLiteralExpression | 'unknown' | undefined {
  if (!node) return undefined;
  if (ts.isObjectLiteralExpression(node)) return node;
  if (!ts.isIdentifier(node)) return undefined;
  let found: ts.ObjectLiteralExpression | 'unknown' = 'unknown';
  for (let scope: ts.Node | undefined = node.parent; scope; scope = scope.parent) {
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === node.text && declaration.initializer) {
          return ts.isObjectLiteralExpression(declaration.initializer) ? declaration.initializer : found;
        }
      }
    }
  }
  return found;
}

/** A JwtService with a module-level default expiry (JwtModule.register({ signOptions: { expiresIn } })). */
function moduleHasDefaultExpiry(context: { workspace: { extraction: { sources: Map<string, ts.SourceFile> } } }): boolean {
  for (const source of context.workspace.extraction.sources.values()) if (/signOptions\s*:\s*\{[^}]*expiresIn/.test(source.text)) return true;
  return false;
}
