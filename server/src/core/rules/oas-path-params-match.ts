import { defineRule } from './rule';
import type { Operation, SpecContext } from '../engine/spec-context';
import { appendToList } from '../spec/edits';

/** `{name}` segments of a path template, in order. */
export function templateParameters(path: string): string[] {
  return [...path.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]);
}

export default defineRule({
  id: 'oas-path-params-match',
  scope: 'path-item',
  severity: 'error',
  description: 'Path template parameters not declared as `in: path, required: true`, or declared path parameters missing from the template.',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `Every \`{name}\` in a path template must be described by a parameter with \`in: path\` and \`required: true\`, and every declared path parameter must appear in the template. Otherwise generated clients cannot build the URL, validators reject valid requests, and the documentation hides how to address the resource.`,
    bad: `paths:
  /users/{userId}:
    get:
      operationId: getUser
      responses:
        '200': { description: The user }`,
    good: `paths:
  /users/{userId}:
    get:
      operationId: getUser
      parameters:
        - name: userId
          in: path
          required: true
          schema: { type: string }
      responses:
        '200': { description: The user }`,
    references: ['OpenAPI 3.1 §4.8.12 Parameter Object (in: path, required)', 'RFC 6570 URI Template'],
  },
  checkSpec(context) {
    const reportedDeclarations = new Set<string>();
    for (const operation of context.operations()) checkOperation(context, operation, reportedDeclarations);
  },
});

function checkOperation(context: SpecContext, operation: Operation, reportedDeclarations: Set<string>) {
  const inTemplate = templateParameters(operation.path);
  const declared = context.parameters(operation).filter((parameter) => parameter.value.in === 'path');
  const declaredNames = new Set(declared.map((parameter) => String(parameter.value.name)));
  const unresolved = context.parameters(operation).some((parameter) => parameter.failure);

  for (const name of inTemplate) {
    if (declaredNames.has(name) || unresolved) continue;
    context.report({
      doc: operation.doc,
      at: operation.at,
      message: `Path parameter '${name}' of '${operation.path}' is not declared for ${operation.method.toUpperCase()}; add a parameter with 'in: path' and 'required: true'.`,
      fix: {
        title: `Add path parameter '${name}'`,
        isPreferred: true,
        edits: () => [appendToList(operation.doc, operation.at, 'parameters', pathParameter(name, context.isSwagger2))],
      },
    });
  }
  for (const parameter of declared) {
    const name = String(parameter.value.name);
    const key = `${parameter.doc.uri}#${parameter.at.join('/')}`;
    if (reportedDeclarations.has(key)) continue;
    if (!inTemplate.includes(name)) {
      reportedDeclarations.add(key);
      context.report({
        doc: parameter.doc,
        at: [...parameter.at, 'name'],
        part: 'value',
        message: `Path parameter '${name}' is declared but '${operation.path}' has no '{${name}}' segment; rename it to match the template or remove it.`,
      });
    } else if (parameter.value.required !== true) {
      reportedDeclarations.add(key);
      context.report({
        doc: parameter.doc,
        at: [...parameter.at, parameter.value.required === undefined ? 'name' : 'required'],
        part: parameter.value.required === undefined ? 'value' : 'key',
        message: `Path parameter '${name}' must be marked 'required: true': a path segment is never optional.`,
      });
    }
  }
}

function pathParameter(name: string, swagger2: boolean): Record<string, unknown> {
  return swagger2
    ? { name, in: 'path', required: true, type: 'string' }
    : { name, in: 'path', required: true, schema: { type: 'string' } };
}
