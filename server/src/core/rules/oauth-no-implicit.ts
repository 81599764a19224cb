import { defineRule } from './rule';
import { reportDeprecatedFlow } from './_dto';

export default defineRule({
  id: 'oauth-no-implicit',
  severity: 'error',
  description: 'An OAuth2 security scheme that offers the implicit flow (deprecated by RFC 9700).',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `The implicit flow returns the access token in the redirect URL fragment: it leaks through browser history, referrers and logs, cannot be bound to the client, and has no refresh story. OAuth 2.0 Security Best Current Practice (RFC 9700 §2.1.2) says clients should not use it, and OAuth 2.1 removes it. The guide: "OAuth guidance is current: authorization code + PKCE, no implicit flow", and for browser apps "follow authorization code + PKCE ... rather than resurrecting implicit flow patterns". The fix renames the flow to \`authorizationCode\`, keeps its scopes and authorization URL and adds a token URL (check it); the client must then send a PKCE \`code_challenge\` (RFC 7636).`,
    bad: `components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        implicit:
          authorizationUrl: https://id.example.com/oauth/authorize
          scopes: { orders.read: Read orders }`,
    good: `components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://id.example.com/oauth/authorize
          tokenUrl: https://id.example.com/oauth/token
          scopes: { orders.read: Read orders }`,
    references: ['RFC 9700 §2.1.2 Implicit Grant', 'RFC 7636 Proof Key for Code Exchange (PKCE)', 'OpenAPI 3.1 §4.8.28 OAuth Flows Object'],
  },
  checkSpec(context) {
    reportDeprecatedFlow(context, 'implicit', (scheme) =>
      `OAuth2 scheme '${scheme}' offers the implicit flow, which RFC 9700 deprecates; use the authorizationCode flow with PKCE instead.`);
  },
});
