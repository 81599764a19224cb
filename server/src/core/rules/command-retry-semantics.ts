import { defineRule } from './rule';
import { commandVerb, hasUnresolvedParameter, idempotencyHeader, operationProse, SAYS_IDEMPOTENT } from './_idempotency';

export default defineRule({
  id: 'command-retry-semantics',
  scope: 'path-item',
  severity: 'info',
  description: 'A command endpoint (`POST /orders/{orderId}/cancel`, `/resend`, `/approve`) that says nothing about what a repeated call does.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `Command endpoints are the right design for state transitions that are not plain CRUD (\`POST /orders/{orderId}/cancel\` is a command, not a verb-in-URL mistake), but they are exactly the calls clients retry after a timeout. The guide asks for "explicit retry semantics for command endpoints like POST /orders/{orderId}/cancel" and to "check repeat-call behavior for command endpoints (cancel, resend, approve) instead of leaving retries implicit". Say what the second call does: accept an \`Idempotency-Key\`, answer 200 with the current state ("cancelling a cancelled order is a no-op"), or document a 409 for a transition that is no longer possible. For \`resend\` the difference matters most: a retry may send a second email.

Quiet when the operation takes an Idempotency-Key header, documents a 409, or its summary/description or a response description mentions repeats (idempotent, already, again, duplicate, no-op, retry).`,
    bad: `paths:
  /orders/{orderId}/cancel:
    post:
      operationId: cancelOrder
      responses:
        '200': { description: The cancelled order }`,
    good: `paths:
  /orders/{orderId}/cancel:
    post:
      operationId: cancelOrder
      description: Idempotent - cancelling an already cancelled order returns it unchanged.
      responses:
        '200': { description: The cancelled order (also when it was already cancelled) }
        '409': { description: The order has shipped and can no longer be cancelled }`,
    references: ['RFC 9110 §9.2.2 Idempotent Methods', 'RFC 9110 §15.5.10 409 Conflict', 'IETF draft-ietf-httpapi-idempotency-key-header'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      if (operation.method !== 'post' || operation.operation.deprecated === true) continue;
      const verb = commandVerb(operation.path);
      if (!verb) continue;
      if (hasUnresolvedParameter(context, operation) || idempotencyHeader(context, operation)) continue;
      const responses = context.responses(operation);
      if (responses.some((entry) => entry.status === '409')) continue;
      if (responses.some((entry) => entry.response.failure)) continue;
      const verbWord = verb.replace(/^\{[^{}]*\}:/, '').replace(/[^A-Za-z]/g, '');
      const prose = operationProse(context, operation).replace(new RegExp(`\\b${verbWord}\\w*`, 'gi'), '');
      if (SAYS_IDEMPOTENT.test(prose)) continue;
      context.report({
        doc: operation.doc,
        at: operation.at,
        message: `Command POST ${operation.path} ('${verb}') does not say what a repeated call does; document it (Idempotency-Key, 200 with the current state on repeat, or a 409 when the transition is no longer possible).`,
      });
    }
  },
});
