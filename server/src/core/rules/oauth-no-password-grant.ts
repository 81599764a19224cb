import { defineRule } from './rule';
import { reportDeprecatedFlow } from './_dto';

export default defineRule({
  id: 'oauth-no-password-grant',
  severity: 'error',
  description: 'An OAuth2 security scheme that offers the resource owner password credentials (password) flow.',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `The password grant makes the client collect the user's password and send it to the token endpoint: the client sees credentials it should never hold, phishing-resistant and multi-factor login at the authorization server are bypassed, and users learn to type passwords into third-party apps. RFC 9700 §2.4 says it must not be used, and OAuth 2.1 removes it. The guide: "authorization code + PKCE, no implicit flow, no resource owner password credentials"; machine clients use client credentials or platform identity instead. The fix renames the flow to \`authorizationCode\`, keeps the scopes, token and refresh URLs, and adds an authorization URL (check it).`,
    bad: `components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        password:
          tokenUrl: https://id.example.com/oauth/token
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
    references: ['RFC 9700 §2.4 Resource Owner Password Credentials Grant', 'RFC 7636 PKCE', 'OpenAPI 3.1 §4.8.28 OAuth Flows Object'],
  },
  checkSpec(context) {
    reportDeprecatedFlow(context, 'password', (scheme) =>
      `OAuth2 scheme '${scheme}' offers the password grant, which hands user credentials to the client (RFC 9700); use the authorizationCode flow with PKCE (clientCredentials for machine clients).`);
  },
});
