import type { DocumentFormat } from './spec/document';

export type FileKind = { kind: 'spec'; format: DocumentFormat } | { kind: 'code' } | { kind: 'other' };

const CODE_EXTENSIONS = /\.(ts|mts|cts|js|mjs|cjs)$/i;
const YAML_EXTENSIONS = /\.ya?ml$/i;
const JSON_EXTENSIONS = /\.json$/i;
// A top-level `openapi:` or `swagger:` key at column 0 (YAML) or as a first-level JSON member.
const YAML_OPENAPI_KEY = /^(["']?)(openapi|swagger)\1[ \t]*:/m;
const JSON_OPENAPI_KEY = /^\s*\{[\s\S]*?"(openapi|swagger)"\s*:/;

/**
 * Decides what a file is by its content: YAML/JSON with a top-level `openapi`/`swagger` key is an
 * OpenAPI document; TS/JS files are route code. Everything else (docker-compose.yml, package.json,
 * tsconfig.json) is left alone. The parse later confirms the key sits at the top level.
 */
export function detectFileKind(fileName: string, text: string, languageId?: string): FileKind {
  const lower = fileName.toLowerCase();
  if (CODE_EXTENSIONS.test(lower) && !lower.endsWith('.d.ts')) return { kind: 'code' };
  const isYaml = YAML_EXTENSIONS.test(lower) || languageId === 'yaml';
  const isJson = JSON_EXTENSIONS.test(lower) || languageId === 'json' || languageId === 'jsonc';
  if (isYaml && YAML_OPENAPI_KEY.test(text.slice(0, 1 << 20))) return { kind: 'spec', format: 'yaml' };
  if (isJson && looksLikeJsonOpenApi(text)) return { kind: 'spec', format: 'json' };
  return { kind: 'other' };
}

function looksLikeJsonOpenApi(text: string): boolean {
  // Only the first top-level members matter; bounded so a huge file is not scanned twice.
  const head = text.slice(0, 1 << 16);
  if (!JSON_OPENAPI_KEY.test(head)) {
    return /"(openapi|swagger)"\s*:\s*"(2\.0|3\.\d)/.test(text.slice(0, 1 << 20));
  }
  return true;
}
