import { defineRule } from './rule';

export default defineRule({
  id: 'oas-version-legacy',
  severity: 'info',
  description: 'The document is written in Swagger 2.0 or OpenAPI 3.0; OpenAPI 3.1 is the current baseline.',
  appliesTo: ['spec'],
  fixable: false,
  docs: {
    rationale: `Swagger 2.0 (2014) and OpenAPI 3.0 (2017) still work, but they describe payloads with a private dialect of an old JSON Schema draft: \`nullable\` instead of \`type: [string, 'null']\`, no \`const\`, no \`examples\` arrays, \`exclusiveMinimum\` as a boolean, no webhooks, no \`$ref\` siblings. OpenAPI 3.1 aligns Schema Objects with JSON Schema 2020-12, so the same schemas validate requests in the server, in contract tests and in generated clients. The guide asks for one machine-readable contract that every tool reads the same way; new work should target 3.1 (3.2 only when the toolchain proves it). Migration is mostly mechanical: \`swagger: '2.0'\` documents go through a converter, and 3.0 documents mostly need \`nullable\` and \`exclusiveMinimum/Maximum\` rewritten and \`example\` turned into \`examples\`. This is information, not a defect: the document is still checked by every other rule.`,
    bad: `openapi: 3.0.3
info:
  title: Orders
  version: 1.0.0
paths: {}`,
    good: `openapi: 3.1.1
info:
  title: Orders
  version: 1.0.0
paths: {}`,
    references: ['OpenAPI Specification 3.1.1, Appendix: upgrading from 3.0', 'JSON Schema 2020-12', 'https://spec.openapis.org/oas/v3.1.1.html'],
  },
  checkSpec(context) {
    const { version } = context.doc;
    if (version === '2.0') {
      context.report({
        at: ['swagger'],
        part: 'value',
        message: "Swagger 2.0 is a legacy format; migrate the document to OpenAPI 3.1 ('openapi: 3.1.1') to get JSON Schema 2020-12 schemas and current tooling support.",
      });
    } else if (version === '3.0') {
      context.report({
        at: ['openapi'],
        part: 'value',
        message: `OpenAPI ${context.doc.versionText} is superseded; migrate to OpenAPI 3.1 ('openapi: 3.1.1'), whose schemas are plain JSON Schema 2020-12 ('type: [string, "null"]' instead of 'nullable').`,
      });
    }
  },
});
