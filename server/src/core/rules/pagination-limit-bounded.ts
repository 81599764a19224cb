import ts from 'typescript';
import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import { decoratorsOf, forEachDescendant, forEachDescendantOfKind, stringValue } from '../code/ast';
import {
  addMapKey, chainedCalls, isLimitName, localInitializer, queryFieldOf, queryParams, schemaKeyword, schemaTypes, storeCallNodes, unwrap, type QueryParam,
} from './_pagination';

const DEFAULT_MAXIMUM = 100;

export default defineRule({
  id: 'pagination-limit-bounded',
  scope: 'path-item',
  severity: 'warning',
  description: 'A page-size parameter (`limit`, `pageSize`, `per_page`) with no maximum (spec), or taken from the query without a cap (code).',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `A page size the client controls without an upper bound is pagination in name only: \`?limit=1000000\` loads the whole collection, which is exactly what the guide forbids ("never load full collections"). Declare the bound in the contract (\`maximum\` on the parameter schema, so clients and validators know it) and enforce it in the handler (\`Math.min(limit, 100)\` or a validated DTO with \`@Max(100)\`). A request above the bound is either clamped or answered 400 with a problem details body; both are fine as long as they are documented.`,
    bad: `parameters:
  - name: limit
    in: query
    schema: { type: integer, minimum: 1 }`,
    good: `parameters:
  - name: limit
    in: query
    schema: { type: integer, minimum: 1, maximum: 100, default: 20 }`,
    references: ['JSON Schema Validation §6.2.2 maximum', 'OpenAPI 3.1 §4.8.12 Parameter Object'],
  },
  checkSpec(context) {
    const reported = new Set<string>();
    for (const op of context.operations()) {
      const params = queryParams(context, op);
      if (!params) continue;
      const names = params.map((p) => p.name);
      for (const param of params) {
        if (!isLimitName(param.name, names)) continue;
        checkParameter(context, param, reported);
      }
    }
  },
  // What a Nest check reads outside the route's statement: the file's classes and interfaces with
  // their members' decorators (a query DTO's @Max caps its limit).
  localEnvironment(context) {
    return declaredTypes(context.source);
  },
  checkRoute(context, route) {
    checkRoute(context, route);
  },
});

function checkParameter(context: SpecContext, param: QueryParam, reported: Set<string>) {
  const schema = param.schema;
  if (!schema.value || typeof schema.value !== 'object') return;
  if (Array.isArray(schema.value.oneOf) || Array.isArray(schema.value.anyOf)) return;
  const types = schemaTypes(context, schema);
  if (types.size > 0 && !types.has('integer') && !types.has('number')) return;
  if (typeof schemaKeyword(context, schema, 'maximum') === 'number') return;
  if (typeof schemaKeyword(context, schema, 'exclusiveMaximum') === 'number') return;
  if (Array.isArray(schemaKeyword(context, schema, 'enum')) || schemaKeyword(context, schema, 'const') !== undefined) return;
  // The missing `maximum` belongs where the schema is written: a $ref'd schema component, else the parameter.
  const key = `${schema.doc.uri}#${schema.at.join('/')}`;
  if (reported.has(key)) return;
  reported.add(key);
  const defaultValue = schemaKeyword(context, schema, 'default');
  const minimum = schemaKeyword(context, schema, 'minimum');
  const maximum = Math.max(DEFAULT_MAXIMUM, typeof defaultValue === 'number' ? defaultValue : 0, typeof minimum === 'number' ? minimum : 0);
  const schemaIsComponent = schema.viaRef;
  context.report({
    doc: schemaIsComponent ? schema.doc : param.doc,
    at: schemaIsComponent ? schema.at : [...param.at, 'name'],
    part: schemaIsComponent ? 'key' : 'value',
    message: `Page-size parameter '${param.name}' has no maximum, so a client can ask for the whole collection; add 'maximum' (e.g. ${maximum}) to its schema.`,
    fix: {
      title: `Add 'maximum: ${maximum}'`,
      isPreferred: true,
      edits: () => [addMapKey(schema.doc, schema.at, 'maximum', maximum)],
    },
  });
}

// ---------------------------------------------------------------------------------------- code

const LIMIT_KEYS = /^(take|limit|first|pageSize|perPage|size)$/;
const LIMIT_QUERY = /^(limit|take|page_?size|pagesize|per_?page|perpage|size|count|max|max_?results|top|first)$/i;
const PASSTHROUGH_PIPES = /^(ParseIntPipe|ParseFloatPipe|DefaultValuePipe)$/;

function checkRoute(context: CodeContext, route: ExtractedRoute) {
  const handler = route.handlerNode;
  if (!handler) return;
  // Express validators in the middleware chain may cap the query (zod `.max(100)`): stay silent.
  if (route.framework === 'express' && route.validated === true) return;
  for (const { node } of storeCallNodes(route, context.source)) {
    const candidates: ts.Node[] = [];
    const first = node.arguments[0];
    if (first && ts.isObjectLiteralExpression(first)) {
      for (const property of first.properties) {
        if ((ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) && ts.isIdentifier(property.name) && LIMIT_KEYS.test(property.name.text)) candidates.push(property);
      }
    }
    for (const chained of chainedCalls(node)) {
      if (/^(limit|take)$/.test(chained.method) && chained.node.arguments[0]) candidates.push(chained.node.arguments[0]);
    }
    for (const candidate of candidates) {
      const value = ts.isPropertyAssignment(candidate) ? candidate.initializer : ts.isShorthandPropertyAssignment(candidate) ? candidate.name : candidate as ts.Expression;
      const source = uncappedSource(route, handler, value, context, 0);
      if (!source) continue;
      context.report({
        span: candidate,
        message: `The page size comes from ${source} with no upper bound, so a client can load the whole collection; cap it (Math.min(limit, ${DEFAULT_MAXIMUM})) or validate a maximum.`,
      });
    }
  }
}

/** Where an uncapped client value comes from (`req.query.limit`, `@Query('limit')`), or undefined. */
function uncappedSource(route: ExtractedRoute, handler: ts.Node, expression: ts.Expression, context: CodeContext, depth: number): string | undefined {
  if (depth > 5) return undefined;
  const node = unwrap(expression);
  const text = node.getText(context.source);
  if (/\bMath\.min\b|\bclamp\w*\(|\bmin\(/i.test(text)) return undefined;
  const field = queryFieldOf(node);
  if (field) return LIMIT_QUERY.test(field) ? `req.query.${field}` : undefined;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^(Number|parseInt|parseFloat|String)$/.test(node.expression.text) && node.arguments[0]) {
    return uncappedSource(route, handler, node.arguments[0], context, depth + 1);
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.PlusToken) return uncappedSource(route, handler, node.operand, context, depth + 1);
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return uncappedSource(route, handler, node.left, context, depth + 1);
  }
  if (ts.isIdentifier(node)) {
    if (isComparedInHandler(handler, node.text, context)) return undefined;
    const parameter = handlerParameterNamed(handler, node.text);
    if (parameter) return nestQuerySource(parameter, undefined, context);
    const local = localInitializer(handler, node.text);
    if (!local) return undefined;
    if (local.property) {
      if (/^(req|request)\.query$/.test(unwrap(local.expression).getText(context.source))) return LIMIT_QUERY.test(local.property) ? `req.query.${local.property}` : undefined;
      const base = unwrap(local.expression);
      if (ts.isIdentifier(base)) {
        const baseParameter = handlerParameterNamed(handler, base.text);
        if (baseParameter) return nestQuerySource(baseParameter, local.property, context);
      }
      return undefined;
    }
    return uncappedSource(route, handler, local.expression, context, depth + 1);
  }
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
    const parameter = handlerParameterNamed(handler, node.expression.text);
    if (parameter) return nestQuerySource(parameter, node.name.text, context);
  }
  return undefined;
}

function handlerParameterNamed(handler: ts.Node, name: string): ts.ParameterDeclaration | undefined {
  if (!ts.isFunctionLike(handler)) return undefined;
  return (handler as ts.SignatureDeclaration).parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
}

/**
 * Nest: `@Query('limit', ParseIntPipe) limit: number` is uncapped; `@Query() q: ListDto` is capped
 * when the DTO (in this file) has `@Max` on the property, unknown (silent) when the DTO is elsewhere.
 */
function nestQuerySource(parameter: ts.ParameterDeclaration, property: string | undefined, context: CodeContext): string | undefined {
  const query = decoratorsOf(parameter).find((d) => d.name === 'Query');
  if (!query) return undefined;
  const name = stringValue(query.args[0]);
  const pipes = query.args.slice(name !== undefined ? 1 : 0);
  if (pipes.some((pipe) => !PASSTHROUGH_PIPES.test(pipeName(pipe)))) return undefined;
  if (name !== undefined) return property === undefined && LIMIT_QUERY.test(name) ? `@Query('${name}')` : undefined;
  if (property === undefined || !LIMIT_QUERY.test(property)) return undefined;
  const type = parameter.type;
  if (!type) return undefined;
  if (ts.isTypeLiteralNode(type)) return `@Query() ${property}`;
  if (!ts.isTypeReferenceNode(type)) return undefined;
  const className = type.typeName.getText(context.source);
  let capped: boolean | undefined;
  forEachDescendant(context.source, (node) => {
    if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name?.text === className) {
      if (ts.isInterfaceDeclaration(node)) { capped = false; return 'skip'; }
      const member = node.members.find((m) => m.name && ts.isIdentifier(m.name) && m.name.text === property);
      if (member) capped = decoratorsOf(member).some((d) => /^(Max|IsIn|IsEnum)$/.test(d.name));
      return 'skip';
    }
    return undefined;
  });
  return capped === false ? `${className}.${property}` : undefined;
}

/** The classes and interfaces of a file, each with its members' names and decorators, as text. */
function declaredTypes(source: ts.SourceFile): string {
  const parts: string[] = [];
  forEachDescendantOfKind(source, [ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.InterfaceDeclaration], (node) => {
    const declaration = node as ts.ClassDeclaration | ts.InterfaceDeclaration;
    const members = declaration.members.map((member) => `${member.name && ts.isIdentifier(member.name) ? member.name.text : ''}@${decoratorsOf(member).map((d) => d.name).join('@')}`);
    parts.push(`${ts.SyntaxKind[declaration.kind]} ${declaration.name?.text ?? ''} ${members.join(' ')}`);
  });
  return parts.join('\n');
}

function pipeName(node: ts.Expression): string {
  const inner = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : node;
  return ts.isIdentifier(inner) ? inner.text : inner.getText();
}

/** `if (limit > 100)`, `limit <= MAX ? limit : MAX`: the handler bounds the value itself. */
function isComparedInHandler(handler: ts.Node, name: string, context: CodeContext): boolean {
  let compared = false;
  forEachDescendant(handler, (node) => {
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken].includes(node.operatorToken.kind)) {
      const sides = [unwrap(node.left), unwrap(node.right)];
      if (sides.some((side) => ts.isIdentifier(side) && side.text === name)) compared = true;
    }
    if (ts.isCallExpression(node) && /\b(min|clamp)\w*$/i.test(node.expression.getText(context.source)) && node.arguments.some((a) => ts.isIdentifier(unwrap(a)) && (unwrap(a) as ts.Identifier).text === name)) compared = true;
    return undefined;
  });
  return compared;
}
