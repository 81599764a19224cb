import ts from 'typescript';
import { defineRule } from './rule';
import type { CodeContext } from '../engine/code-context';
import type { SpecContext } from '../engine/spec-context';
import type { ExtractedRoute } from '../code/extract';
import type { StatusSend } from '../code/model';
import type { JsonPath, TextEdit } from '../types';
import {
  describesInFlight, describesKeyMismatch, enclosingConditions, enclosingStatement, IDEMPOTENCY_HEADER, mentionsInCode, nodeAt, responseText, stripComments,
} from './_idempotency';

export default defineRule({
  id: 'idempotency-key-mismatch-422',
  scope: 'path-item',
  severity: 'warning',
  description: 'Reuse of an idempotency key with a different request body answered with 409 Conflict instead of 422.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide's status matrix: "Idempotency-Key reused with a different body | 422 | Not 409 - the key contract is broken". The IETF Idempotency-Key draft says the same: a key reused with a different payload is answered 422 Unprocessable Content, while 409 Conflict is reserved for a retry that arrives while the first request with that key is still being processed. Clients treat the two differently: a 409 "in flight" is worth retrying later, a 422 means the client has a bug (it reused a key for a different operation) and retrying can never succeed.

A 409 that describes a genuine conflict (a duplicate unique field, a stale ETag) or a concurrent request with the same key is not flagged.`,
    bad: `responses:
  '409':
    description: The Idempotency-Key was already used with a different request body.`,
    good: `responses:
  '409':
    description: A request with this Idempotency-Key is still being processed; retry later.
  '422':
    description: The Idempotency-Key was already used with a different request body.`,
    references: ['IETF draft-ietf-httpapi-idempotency-key-header §2.7 Error Scenarios', 'RFC 9110 §15.5.10 409 Conflict', 'RFC 9110 §15.5.21 422 Unprocessable Content'],
  },
  checkSpec(context) {
    for (const operation of context.operations()) {
      const responses = context.responses(operation);
      const conflict = responses.find((entry) => entry.status === '409');
      if (!conflict || conflict.response.failure) continue;
      const text = responseText(conflict.response);
      if (!describesKeyMismatch(text)) continue;
      const inFlight = describesInFlight(text);
      const has422 = responses.some((entry) => entry.status === '422');
      context.report({
        doc: operation.doc,
        at: conflict.at,
        message: inFlight
          ? `This 409 of ${operation.method.toUpperCase()} ${operation.path} also covers an Idempotency-Key reused with a different body; keep 409 for a request still in flight and answer the reuse with 422.`
          : `An Idempotency-Key reused with a different body is answered 409 on ${operation.method.toUpperCase()} ${operation.path}; answer 422: the key contract is broken, this is no state conflict.`,
        related: conflict.response.viaRef ? [{ doc: conflict.response.doc, at: conflict.response.at, message: 'the 409 response is described here' }] : undefined,
        fix: inFlight || has422 ? undefined : {
          title: 'Answer the key mismatch with 422',
          isPreferred: true,
          edits: () => [renameStatusKey(context, operation.doc, conflict.at)],
        },
      });
    }
  },
  checkCode(context) {
    for (const route of context.routes()) {
      const handler = route.handlerNode;
      if (!handler) continue;
      for (const status of route.statuses) {
        if (status.code !== 409 || status.via === 'default' || status.via === 'httpCode' || !context.isInFile(status.span)) continue;
        const node = nodeAt(context.source, status.span.start, status.span.end);
        if (!node) continue;
        const text = stripComments([...enclosingConditions(node), enclosingStatement(node).getText()].join('\n'));
        if (!answersKeyMismatch(route, text)) continue;
        context.report({
          span: status.span,
          message: `An Idempotency-Key reused with a different body is answered 409 by ${route.method.toUpperCase()} ${route.path}; answer 422 (${status.exception === 'ConflictException' ? 'UnprocessableEntityException' : status.via === 'exception' ? 'HttpStatus.UNPROCESSABLE_ENTITY' : 'res.status(422)'}): the key contract is broken, this is no state conflict.`,
          fix: codeFix(context, node, status),
        });
      }
    }
  },
});

const COMPARES_FINGERPRINT = /(hash|fingerprint|checksum|digest|signature|body|payload|params|request)\w*(\.\w+)*\s*!==?|!==?\s*[\w.]*(hash|fingerprint|checksum|digest|body|payload|params)|!\s*\w*(same|equal|match)\w*\(|mismatch|different|does(n't| not) match|not match/i;

function answersKeyMismatch(route: ExtractedRoute, text: string): boolean {
  if (describesInFlight(text)) return false;
  const keyInView = /idempot/i.test(text) || route.params.some((param) => param.in === 'header' && IDEMPOTENCY_HEADER.test(param.name)) || (route.handlerNode ? mentionsInCode(route.handlerNode, IDEMPOTENCY_HEADER) : false);
  if (!keyInView) return false;
  return describesKeyMismatch(text) || COMPARES_FINGERPRINT.test(text);
}

function renameStatusKey(context: SpecContext, doc: SpecContext['doc'], at: JsonPath): TextEdit {
  const span = doc.locate(at, 'key');
  const text = doc.slice(span.start, span.end);
  const offset = text.indexOf('409');
  void context;
  return { uri: doc.uri, start: span.start + offset, end: span.start + offset + 3, newText: '422' };
}

function codeFix(context: CodeContext, node: ts.Node, status: StatusSend) {
  const edits = (): TextEdit[] => {
    if (status.via === 'exception') {
      let expression: ts.Node | undefined = node;
      while (expression && !ts.isNewExpression(expression)) expression = expression.parent;
      if (!expression || !ts.isNewExpression(expression)) return [];
      if (status.exception === 'ConflictException') {
        const name = expression.expression;
        const imports = importEdit(context);
        if (!imports) return [];
        return [{ uri: context.uri, start: name.getStart(context.source), end: name.getEnd(), newText: 'UnprocessableEntityException' }, ...imports];
      }
      const code = expression.arguments?.[1];
      return code ? replaceStatusArgument(context, code) : [];
    }
    let call: ts.Node | undefined = node;
    while (call && !ts.isCallExpression(call)) call = call.parent;
    const argument = call && ts.isCallExpression(call) ? call.arguments[0] : undefined;
    return argument ? replaceStatusArgument(context, argument) : [];
  };
  const probe = edits();
  if (probe.length === 0) return undefined;
  return { title: 'Answer the key mismatch with 422', isPreferred: true, edits };
}

function replaceStatusArgument(context: CodeContext, argument: ts.Node): TextEdit[] {
  if (ts.isNumericLiteral(argument) && argument.text === '409') return [{ uri: context.uri, start: argument.getStart(context.source), end: argument.getEnd(), newText: '422' }];
  if (ts.isPropertyAccessExpression(argument) && argument.name.text === 'CONFLICT') {
    return [{ uri: context.uri, start: argument.name.getStart(context.source), end: argument.name.getEnd(), newText: 'UNPROCESSABLE_ENTITY' }];
  }
  return [];
}

/** Adds UnprocessableEntityException to the `@nestjs/common` import when it is missing. */
function importEdit(context: CodeContext): TextEdit[] | undefined {
  for (const statement of context.source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== '@nestjs/common') continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || bindings.elements.length === 0) continue;
    if (bindings.elements.some((element) => element.name.text === 'UnprocessableEntityException')) return [];
    const last = bindings.elements[bindings.elements.length - 1];
    return [{ uri: context.uri, start: last.getEnd(), end: last.getEnd(), newText: ', UnprocessableEntityException' }];
  }
  return undefined;
}
