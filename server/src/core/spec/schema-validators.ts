import type { ErrorObject, ValidateFunction } from 'ajv';
import { generatedValidators } from './generated';
import type { OasVersion } from './document';

/**
 * Structural validation against the official schema of each OpenAPI version, compiled at build
 * time (scripts/generate-validators.ts) and run over the tree already parsed: no re-parse, and no
 * schema compilation at startup.
 */
export function validatorFor(version: OasVersion): ValidateFunction | undefined {
  return generatedValidators[version];
}

export type SchemaError = ErrorObject;
