import { defineRule } from './rule';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorsFor } from '../spec/schema-validators';
import type { SchemaValidators } from '../spec/generated';
import { isRecord } from '../engine/spec-context';
import { readableSchemaErrors } from '../spec/schema-errors';

export default defineRule({
  id: 'oas-schema-valid',
  severity: 'error',
  description: "The document is not valid against its declared OpenAPI version's schema (2.0, 3.0, 3.1, 3.2), reported at the exact node.",
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `A document that breaks the OpenAPI schema is read differently by every tool, or rejected. apilens validates against the official JSON Schema of the version the document declares (\`swagger: "2.0"\`, \`openapi: 3.0.x\`, \`3.1.x\`, \`3.2.x\`) and reports each problem at the node that causes it, with the usual \`oneOf\` cascades collapsed into the one error that matters.`,
    bad: `openapi: 3.1.0
info:
  title: Orders
paths:
  /orders:
    get:
      responses:
        '200':
          descripton: OK`,
    good: `openapi: 3.1.0
info:
  title: Orders
  version: 1.0.0
paths:
  /orders:
    get:
      responses:
        '200':
          description: OK`,
    references: ['OpenAPI Specification 3.1.1 and 3.2.0', 'https://spec.openapis.org/oas/'],
  },
  checkSpec(context) {
    const { version } = context.doc;
    if (!version) {
      const key = 'openapi' in context.root ? 'openapi' : 'swagger';
      const written = context.root[key];
      const message = written === null || written === undefined || written === ''
        ? `'${key}' needs a version, such as ${key === 'openapi' ? '3.1.0' : "'2.0'"}.`
        : `Unsupported ${key} version '${context.doc.versionText}'; apilens reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2.`;
      context.report({ at: [key], part: written === null || written === undefined ? 'key' : 'value', message });
      return;
    }
    const validators = validatorsFor(version);
    if (!validators) return;
    const errors = schemaErrors(validators, context.doc.root);
    if (errors.length === 0) return;
    for (const error of readableSchemaErrors(errors, context.doc.root)) {
      context.report({ at: error.at, part: error.part, message: error.message });
    }
  },
});

/**
 * The document's schema errors, part by part: the document is validated with every path item
 * (and, for 2.0 and 3.0, every component schema) replaced by `{}`, a valid one, and each of those
 * parts on its own against its definition, its errors kept per part value. The errors are those of
 * validating the whole document at once; in the editor an edit re-validates one part and the rest
 * of the document.
 */
function schemaErrors(validators: SchemaValidators, root: unknown): ErrorObject[] {
  if (!isRecord(root)) return validators.document(root) ? [] : [...(validators.document.errors ?? [])];
  const parts: { at: string[]; map: Record<string, unknown>; keys: string[]; validate: ValidateFunction }[] = [];
  const paths = root.paths;
  if (isRecord(paths)) parts.push({ at: ['paths'], map: paths, keys: Object.keys(paths).filter((key) => key.startsWith('/')), validate: validators.pathItem });
  if (validators.componentSchema) {
    const swagger2 = 'swagger' in root;
    const schemas = swagger2 ? root.definitions : isRecord(root.components) ? root.components.schemas : undefined;
    // 3.0 only judges entries whose name fits its pattern; 2.0 judges every entry.
    if (isRecord(schemas)) parts.push({ at: swagger2 ? ['definitions'] : ['components', 'schemas'], map: schemas, keys: Object.keys(schemas).filter((key) => swagger2 || COMPONENT_NAME_3_0.test(key)), validate: validators.componentSchema });
  }
  // The document without the parts, which are validated one by one. Leaving an entry out of its
  // map can raise no error: no map holding parts has a minimum size or required names.
  const skeleton: Record<string, unknown> = { ...root };
  for (const part of parts) {
    const isPart = new Set(part.keys);
    const rest: Record<string, unknown> = {};
    for (const key of Object.keys(part.map)) if (!isPart.has(key)) rest[key] = part.map[key];
    if (part.at.length === 1) skeleton[part.at[0]] = rest;
    else skeleton[part.at[0]] = { ...(skeleton[part.at[0]] as Record<string, unknown>), [part.at[1]]: rest };
  }
  const errors = validators.document(skeleton) ? [] : [...(validators.document.errors ?? [])];
  for (const part of parts) {
    for (const key of part.keys) {
      const found = partErrors(part.validate, part.map[key]);
      if (found.length === 0) continue;
      const prefix = '/' + [...part.at, key].map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
      for (const error of found) errors.push({ ...error, instancePath: prefix + error.instancePath });
    }
  }
  return errors;
}

const COMPONENT_NAME_3_0 = /^[a-zA-Z0-9.\-_]+$/;
const errorsByValue = new WeakMap<ValidateFunction, WeakMap<object, ErrorObject[]>>();

function partErrors(validate: ValidateFunction, value: unknown): ErrorObject[] {
  const run = () => (validate(value) ? [] : [...(validate.errors ?? [])]);
  if (value === null || typeof value !== 'object') return run();
  let byValue = errorsByValue.get(validate);
  if (!byValue) errorsByValue.set(validate, byValue = new WeakMap());
  let errors = byValue.get(value);
  if (!errors) byValue.set(value, errors = run());
  return errors;
}
