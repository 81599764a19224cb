import type ts from 'typescript';
import { defineRule } from './rule';
import type { CodeContext } from '../engine/code-context';
import { enclosingFunction, functionSetsHeader, insertSetHeader, isRateLimiterCallback, requireResponseHeader, statusSiteKinds, statusSiteOf, workspaceAddsHeaderOnErrors } from './_auth';
import { forEachDescendantOfKind } from '../code/ast';

const HEADER = 'Retry-After';

export default defineRule({
  id: 'rate-limit-retry-after',
  scope: 'path-item',
  severity: 'warning',
  description: 'A 429 Too Many Requests response without a `Retry-After` header.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide's status matrix: "Too many requests: 429. Include Retry-After." RFC 6585 §4 defines 429 and says the response MAY include \`Retry-After\` (RFC 9110 §10.2.3) to say how long to wait; without it every client invents its own backoff, and the well-behaved ones retry too early or too late. Declare the header on each 429 response (once on a shared \`components.responses.TooManyRequests\`) and set it wherever code answers 429. Rate-limit libraries (\`express-rate-limit\`, \`@nestjs/throttler\`) already set it; their custom handlers are not flagged.`,
    bad: `responses:
  '429':
    description: Rate limit exceeded`,
    good: `responses:
  '429':
    description: Rate limit exceeded
    headers:
      Retry-After:
        description: Seconds to wait before retrying.
        schema: { type: integer }`,
    references: ['RFC 6585 §4 429 Too Many Requests', 'RFC 9110 §10.2.3 Retry-After'],
  },
  checkSpec(context) {
    requireResponseHeader(context, {
      status: '429',
      header: HEADER,
      fixTitle: `Add the ${HEADER} header`,
      headerObject: () => context.isSwagger2
        ? { type: 'integer', description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).' }
        : { description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).', schema: { type: 'integer' } },
      message: (operation, viaRef) => viaRef
        ? `This 429 response (used by ${operation.method.toUpperCase()} ${operation.path}) declares no ${HEADER} header; tell clients how long to wait (RFC 6585 §4).`
        : `The 429 response of ${operation.method.toUpperCase()} ${operation.path} declares no ${HEADER} header; tell clients how long to wait (RFC 6585 §4).`,
    });
  },
  // Whether an exception filter or error middleware of the workspace sets the header on errors:
  // read only when this file can answer a 429 at all.
  localEnvironment(context) {
    return /429|too_?many_?requests/i.test(context.source.text) && workspaceAddsHeaderOnErrors(context, HEADER);
  },
  checkStatement(context, statement, coveredByFilter) {
    checkStatement(context, statement, coveredByFilter === true);
  },
});

/** The 429s sent in one top-level statement (all a send's reads lie in its function, inside it). */
function checkStatement(context: CodeContext, statement: ts.Statement, coveredByFilter: boolean) {
  forEachDescendantOfKind(statement, statusSiteKinds(), (node) => {
    const site = statusSiteOf(node);
    if (!site || site.code !== 429) return;
    const fn = enclosingFunction(node);
    if (!fn || functionSetsHeader(fn, HEADER) || isRateLimiterCallback(fn)) return;
    if (site.kind === 'exception' || site.kind === 'httpException') {
      if (coveredByFilter) return;
      context.report({
        span: node,
        message: `This 429 is thrown without a ${HEADER} header; set it (e.g. through @Res() or an exception filter for 429s) so clients know how long to wait.`,
      });
      return;
    }
    context.report({
      span: node,
      message: `This 429 is sent without a ${HEADER} header; set it (res.set('${HEADER}', seconds)) so clients know how long to wait.`,
      fix: { title: `Set ${HEADER}`, isPreferred: true, edits: () => insertSetHeader(context, site, HEADER, '60') },
    });
  });
}
