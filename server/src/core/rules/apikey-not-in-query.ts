import ts from 'typescript';
import { codeStyle, quoted } from './_code-edits';
import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { securitySchemes } from '../engine/spec-helpers';
import { replaceValue } from '../spec/edits';
import { forEachDescendantOfKind } from '../code/ast';
import type { JsonPath } from '../types';

/** Parameter names that carry an API key: api_key, apiKey, api-key, x-api-key. */
export const API_KEY_NAME = /^(x[-_]?)?api[-_]?key$/i;

/** A header name that survives proxies (nginx drops names with underscores by default). */
function headerName(name: string): string {
  return /^[A-Za-z0-9]+(-[A-Za-z0-9]+)+$/.test(name) ? name : 'X-API-Key';
}

export default defineRule({
  id: 'apikey-not-in-query',
  scope: 'path-item',
  severity: 'warning',
  description: 'An API key passed in the query string (`in: query` security scheme or parameter, `req.query.api_key`).',
  appliesTo: ['spec', 'express'],
  fixable: true,
  docs: {
    rationale: `A URL is not a secret: query strings are written to access logs, proxy and CDN logs, browser history and analytics, and leak to third parties through the \`Referer\` header. An API key in the query string is therefore a credential copied into every system the request passes through. The guide treats "API keys as machine credentials": send them in a request header (\`X-API-Key\` or \`Authorization\`), which stays out of URLs and logs (RFC 9110 §11.6.2, OWASP API Security "Broken Authentication"; RFC 6750 §5.3 gives the same advice for bearer tokens). The fix moves the key to a header; clients must be told about the change.`,
    bad: `components:
  securitySchemes:
    apiKey:
      type: apiKey
      in: query
      name: api_key`,
    good: `components:
  securitySchemes:
    apiKey:
      type: apiKey
      in: header
      name: X-API-Key`,
    references: ['RFC 9110 §11.6.2 Authorization', 'RFC 6750 §5.3 (credentials in URLs)', 'OWASP API Security Top 10 API2:2023 Broken Authentication'],
  },
  checkSpec(context) {
    const queryKeyNames = new Set<string>();
    for (const { name, scheme, at } of securitySchemes(context)) {
      if (scheme.type !== 'apiKey' || scheme.in !== 'query') continue;
      if (typeof scheme.name === 'string') queryKeyNames.add(scheme.name);
      context.report({
        at: [...at, 'in'],
        part: 'value',
        message: `API key scheme '${name}' sends the key in the query string, where URLs end up in logs and referrers; send it in a header (in: header) instead.`,
        fix: moveToHeader(context, at, typeof scheme.name === 'string' ? scheme.name : undefined),
      });
    }
    const seen = new Set<string>();
    for (const operation of context.operations()) {
      for (const parameter of context.parameters(operation)) {
        const { value } = parameter;
        if (value.in !== 'query' || typeof value.name !== 'string' || !API_KEY_NAME.test(value.name)) continue;
        // Already reported through the security scheme that declares it.
        if (queryKeyNames.has(value.name)) continue;
        const key = `${parameter.doc.uri}#${parameter.at.join('/')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        context.report({
          doc: parameter.doc,
          at: [...parameter.at, 'in'],
          part: 'value',
          message: `Query parameter '${value.name}' carries an API key in the URL, where it ends up in logs and referrers; send it in a header (in: header) instead.`,
          fix: parameter.doc === context.doc ? moveToHeader(context, parameter.at, value.name) : undefined,
        });
      }
    }
  },
  // Whether the file is Express code: it declares Express routes or imports Express.
  localEnvironment(context) {
    return context.routes().some((route) => route.framework === 'express') || /from\s+['"]express['"]|require\(\s*['"]express['"]\s*\)/.test(context.source.text);
  },
  checkStatement(context, statement, isExpress) {
    if (isExpress) checkExpress(context, statement);
  },
});

function moveToHeader(context: SpecContext, at: JsonPath, name: string | undefined) {
  const doc = context.doc;
  const target = name ? headerName(name) : undefined;
  return {
    title: `Move the API key to the ${target ?? 'request'} header`,
    isPreferred: true,
    edits: () => {
      const edits = [replaceValue(doc, [...at, 'in'], 'header')];
      if (name && target && target !== name && isRecord(valueAt(doc.root, at))) edits.push(replaceValue(doc, [...at, 'name'], target));
      return edits;
    },
  };
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}

/** `x.query` where x is a plain identifier (req, request, or the handler's own name for it). */
function isQueryObject(node: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'query' && ts.isIdentifier(node.expression) && /^(req|request|r)$/i.test(node.expression.text);
}

/** API keys read from the query in one top-level statement. */
function checkExpress(context: CodeContext, statement: ts.Statement) {
  // Nodes inside a reported read come right after it in the walk: they are not reported again.
  let reportedEnd = -1;
  forEachDescendantOfKind(statement, [ts.SyntaxKind.PropertyAccessExpression, ts.SyntaxKind.ElementAccessExpression, ts.SyntaxKind.VariableDeclaration], (node) => {
    if (node.pos < reportedEnd) return;
    let keyName: string | undefined;
    let request: ts.Expression | undefined;
    if (ts.isPropertyAccessExpression(node) && isQueryObject(node.expression)) {
      keyName = node.name.text;
      request = (node.expression as ts.PropertyAccessExpression).expression;
    } else if (ts.isElementAccessExpression(node) && isQueryObject(node.expression) && ts.isStringLiteralLike(node.argumentExpression)) {
      keyName = node.argumentExpression.text;
      request = (node.expression as ts.PropertyAccessExpression).expression;
    }
    if (keyName && request && API_KEY_NAME.test(keyName)) {
      const span = { start: node.getStart(context.source), end: node.getEnd() };
      const header = headerName(keyName);
      const requestName = request.getText(context.source);
      context.report({
        span,
        message: `The API key '${keyName}' is read from the query string, where URLs end up in logs and referrers; read it from a header (${requestName}.get('${header}')) instead.`,
        fix: {
          title: `Read the API key from the ${header} header`,
          isPreferred: true,
          edits: () => [{ uri: context.uri, start: span.start, end: span.end, newText: `${requestName}.get(${quoted(codeStyle(context.source), header)})` }],
        },
      });
      reportedEnd = node.end;
      return;
    }
    // const { api_key } = req.query;
    if (ts.isVariableDeclaration(node) && node.initializer && isQueryObject(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const property = element.propertyName ?? element.name;
        const name = ts.isIdentifier(property) || ts.isStringLiteralLike(property) ? property.text : undefined;
        if (name && API_KEY_NAME.test(name)) {
          context.report({
            span: element,
            message: `The API key '${name}' is read from the query string, where URLs end up in logs and referrers; read it from a header (req.get('${headerName(name)}')) instead.`,
          });
        }
      }
    }
  });
}
