import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import type { SpecDocument } from '../spec/document';
import { securitySchemes } from '../engine/spec-helpers';
import type { JsonPath } from '../types';

export default defineRule({
  id: 'auth-scheme-defined',
  scope: 'path-item',
  severity: 'error',
  description: 'A security requirement names a scheme, or an OAuth2 scope, that the document does not define.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `Each name in a Security Requirement Object MUST correspond to a security scheme declared under \`components.securitySchemes\` (\`securityDefinitions\` in Swagger 2.0), and for \`oauth2\` the listed scopes are the ones the flows declare. A typo (\`bearerAuth\` vs \`BearerAuth\`) or a scope nobody declared silently turns into "no usable security" in generated clients, gateways and documentation: the operation looks protected in the file and is described as nothing in the tooling. The guide asks to "define scope or role boundaries at the API boundary": the boundary has to exist in the document to be enforced. OpenID Connect scopes come from the discovery document and are not checked; in 3.1+, role names on non-OAuth schemes are allowed and not checked either.`,
    bad: `security:
  - BearerAuth: []
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }`,
    good: `security:
  - bearerAuth: []
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }`,
    references: ['OpenAPI 3.1 §4.8.30 Security Requirement Object', 'OpenAPI 3.1 §4.8.27 Security Scheme Object', 'RFC 6749 §3.3 Access Token Scope'],
  },
  checkSpec(context) {
    // A schemes map that is itself a $ref (or not a map at all) cannot be judged here.
    const container = context.isSwagger2 ? context.root.securityDefinitions : isRecord(context.root.components) ? context.root.components.securitySchemes : undefined;
    if (container !== undefined && (!isRecord(container) || typeof container.$ref === 'string')) return;
    if (!context.isSwagger2 && context.root.components !== undefined && !isRecord(context.root.components)) return;
    const schemes = new Map(securitySchemes(context).map((entry) => [entry.name, entry]));
    const schemesPlace = context.isSwagger2 ? 'securityDefinitions' : 'components.securitySchemes';
    const check = (list: unknown, at: JsonPath, doc: SpecDocument) => {
      if (!Array.isArray(list)) return;
      list.forEach((requirement, index) => {
        if (!isRecord(requirement)) return;
        for (const [name, scopes] of Object.entries(requirement)) {
          const scheme = schemes.get(name);
          if (!scheme) {
            const near = [...schemes.keys()].find((candidate) => candidate.toLowerCase() === name.toLowerCase());
            context.report({
              doc, at: [...at, index, name],
              message: `Security scheme '${name}' is not defined in ${schemesPlace}; ${near ? `did you mean '${near}'?` : `declare it there or use one of the defined schemes${schemes.size ? ` (${[...schemes.keys()].slice(0, 5).join(', ')})` : ''}.`}`,
            });
            continue;
          }
          if (!Array.isArray(scopes) || scopes.length === 0) continue;
          const defined = oauthScopes(context, scheme.scheme);
          if (!defined) continue;
          scopes.forEach((scope, scopeIndex) => {
            if (typeof scope !== 'string' || defined.has(scope)) return;
            context.report({
              doc, at: [...at, index, name, scopeIndex], part: 'value',
              message: `Scope '${scope}' is not declared by the flows of OAuth2 scheme '${name}'; add it to the flow's scopes or use a declared one.`,
              related: [{ at: scheme.at, message: `Scheme '${name}' is defined here` }],
            });
          });
        }
      });
    };
    check(context.root.security, ['security'], context.doc);
    for (const operation of context.operations()) check(operation.operation.security, [...operation.at, 'security'], operation.doc);
  },
});

/** The scopes an OAuth2 scheme declares (union over its flows), or undefined when not checkable. */
function oauthScopes(context: SpecContext, scheme: Record<string, unknown>): Set<string> | undefined {
  if (scheme.type !== 'oauth2' || typeof scheme.$ref === 'string') return undefined;
  const scopes = new Set<string>();
  if (context.isSwagger2) {
    if (!isRecord(scheme.scopes)) return undefined;
    for (const name of Object.keys(scheme.scopes)) scopes.add(name);
    return scopes;
  }
  if (!isRecord(scheme.flows)) return undefined;
  for (const flow of Object.values(scheme.flows)) {
    if (!isRecord(flow)) continue;
    if (!isRecord(flow.scopes)) return undefined;
    for (const name of Object.keys(flow.scopes)) scopes.add(name);
  }
  return scopes.size > 0 ? scopes : undefined;
}
