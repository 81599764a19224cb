import type { ErrorObject } from 'ajv';
import type { JsonPath } from '../types';
import { decodePointer, valueAt } from './refs';

export interface ReadableSchemaError {
  at: JsonPath;
  part: 'key' | 'value';
  message: string;
}

const COMBINATOR_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'then', 'else', 'not', '$ref', '$dynamicRef']);
const MAX_ERRORS = 200;

/**
 * Turns Ajv's raw output into one error a person understands per problem. The OpenAPI schemas are
 * full of `oneOf: [Reference, Thing]`, so one typo yields a cascade: errors of the branch the value
 * clearly did not mean (the Reference branch for an object without `$ref`, and the reverse) are
 * dropped, combinator summaries are dropped when a concrete error explains them, and only the
 * deepest errors on a path survive.
 */
export function readableSchemaErrors(errors: ErrorObject[], root: unknown): ReadableSchemaError[] {
  const relevant = errors.filter((error) => !isWrongBranch(error, root));
  const concrete = relevant.filter((error) => !COMBINATOR_KEYWORDS.has(error.keyword));
  const candidates = concrete.length > 0 ? concrete : relevant;
  // Keep the deepest errors: an error at /paths/~1a/get is explained by one at /paths/~1a/get/responses.
  const deepest = candidates.filter((error) => !candidates.some((other) => other !== error
    && other.instancePath.startsWith(error.instancePath + '/') && !COMBINATOR_KEYWORDS.has(other.keyword)));
  const seen = new Set<string>();
  const result: ReadableSchemaError[] = [];
  for (const error of deepest) {
    const readable = describe(error, root);
    const key = `${readable.at.join('\u0000')}|${readable.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(readable);
    if (result.length >= MAX_ERRORS) break;
  }
  return collapseSameNode(mergeTypos(result, deepest));
}

/**
 * `descripton:` yields two errors: a missing `description` and an unknown `descripton`. Say it once,
 * at the misspelt key, with the likely intended name.
 */
function mergeTypos(errors: ReadableSchemaError[], raw: ErrorObject[]): ReadableSchemaError[] {
  const missingByPath = new Map<string, string[]>();
  for (const error of raw) {
    if (error.keyword === 'required') {
      const key = error.instancePath;
      missingByPath.set(key, [...(missingByPath.get(key) ?? []), String((error.params as { missingProperty: string }).missingProperty)]);
    }
  }
  const dropped = new Set<string>();
  const result = errors.map((error) => {
    if (!error.message.startsWith('Unknown field')) return error;
    const unknown = String(error.at[error.at.length - 1]);
    const parentPointer = error.at.slice(0, -1).map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
    const intended = missingByPath.get(parentPointer)?.find((name) => editDistance(name, unknown) <= 2);
    if (!intended) return error;
    dropped.add(`${parentPointer}|${intended}`);
    return { ...error, message: `Unknown field '${unknown}'; did you mean '${intended}'?` };
  });
  return result.filter((error) => {
    const match = /^Missing required field '([^']+)'/.exec(error.message);
    if (!match) return true;
    const pointer = error.at.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
    return !dropped.has(`${pointer}|${match[1]}`);
  });
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** At most one error per node: the first (most specific) one. */
function collapseSameNode(errors: ReadableSchemaError[]): ReadableSchemaError[] {
  const byNode = new Map<string, ReadableSchemaError>();
  for (const error of errors) {
    const key = error.at.join('\u0000') + '|' + error.part;
    if (!byNode.has(key)) byNode.set(key, error);
  }
  return [...byNode.values()];
}

function isWrongBranch(error: ErrorObject, root: unknown): boolean {
  const instance = valueAt(root, decodePointer(error.instancePath) ?? []).value;
  const hasRef = !!instance && typeof instance === 'object' && '$ref' in (instance as object);
  const inReferenceBranch = /Reference|\/\$defs\/reference|definitions\/jsonReference/i.test(error.schemaPath);
  if (hasRef && !inReferenceBranch && error.instancePath !== '') return error.keyword !== 'type';
  if (!hasRef && inReferenceBranch) return true;
  if (!hasRef && error.keyword === 'required' && (error.params as { missingProperty?: string }).missingProperty === '$ref') return true;
  return false;
}

function describe(error: ErrorObject, root: unknown): ReadableSchemaError {
  const at = decodePointer(error.instancePath) ?? [];
  const where = describeLocation(at);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const property = String(params.additionalProperty ?? params.unevaluatedProperty);
      const hint = /^x-/i.test(property) ? '' : " (extensions must start with 'x-')";
      return { at: [...at, property], part: 'key', message: `Unknown field '${property}' ${where}${hint}.` };
    }
    case 'required':
      return { at, part: 'key', message: `Missing required field '${params.missingProperty}' ${where}.` };
    case 'type':
      return { at, part: 'value', message: `${capitalise(fieldName(at))} must be ${article(String(params.type))}.` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => `'${value}'`).join(', ');
      const actual = valueAt(root, at).value;
      return { at, part: 'value', message: `${capitalise(fieldName(at))} is '${actual}'; allowed values: ${allowed}.` };
    }
    case 'const':
      return { at, part: 'value', message: `${capitalise(fieldName(at))} must be '${params.allowedValue}'.` };
    case 'pattern':
      if (at.length === 1 && at[0] === 'openapi') return { at, part: 'value', message: `'openapi' must be a version like 3.1.0.` };
      return { at, part: 'value', message: `${capitalise(fieldName(at))} must match the pattern ${params.pattern}.` };
    case 'propertyNames':
      return { at, part: 'key', message: `Invalid key ${where}.` };
    case 'format':
      return { at, part: 'value', message: `${capitalise(fieldName(at))} must be a valid ${params.format}.` };
    case 'minItems':
    case 'minProperties':
      return { at, part: 'key', message: `${capitalise(fieldName(at))} must not be empty.` };
    case 'uniqueItems':
      return { at, part: 'value', message: `${capitalise(fieldName(at))} must not contain duplicates.` };
    case 'oneOf':
    case 'anyOf':
      return { at, part: 'key', message: `${capitalise(fieldName(at))} does not match any of the allowed forms ${where}.` };
    default:
      return { at, part: 'value', message: `${capitalise(fieldName(at))} ${error.message ?? 'is invalid'}.` };
  }
}

function fieldName(at: JsonPath): string {
  if (at.length === 0) return 'the document';
  const last = at[at.length - 1];
  return typeof last === 'number' || /^\d+$/.test(String(last)) ? `item ${last} of '${at[at.length - 2]}'` : `'${last}'`;
}

function describeLocation(at: JsonPath): string {
  if (at.length === 0) return 'at the top level';
  if (at[0] === 'paths' && at.length >= 3) return `in ${String(at[2]).toUpperCase()} ${at[1]}${at.length > 3 ? ` (${at.slice(3).join('.')})` : ''}`;
  if (at[0] === 'paths' && at.length === 2) return `in path '${at[1]}'`;
  return `in '${at.join('.')}'`;
}

function article(type: string): string {
  const word = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
