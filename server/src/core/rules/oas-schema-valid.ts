import { defineRule } from './rule';
import { validatorFor } from '../spec/schema-validators';
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
    const validate = validatorFor(version);
    if (!validate || validate(context.doc.root)) return;
    for (const error of readableSchemaErrors(validate.errors ?? [], context.doc.root)) {
      context.report({ at: error.at, part: error.part, message: error.message });
    }
  },
});
