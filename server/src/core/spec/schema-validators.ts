import type { ErrorObject } from 'ajv';
import { generatedValidators, type SchemaValidators } from './generated';
import type { OasVersion } from './document';

/**
 * Structural validation against the official schema of each OpenAPI version, compiled at build
 * time (scripts/generate-validators.ts) and run over the tree already parsed: no re-parse, and no
 * schema compilation at startup. Each version has a validator for the whole document and one for
 * a single Path Item Object.
 */
export function validatorsFor(version: OasVersion): SchemaValidators | undefined {
  return generatedValidators[version];
}

export type SchemaError = ErrorObject;
