import openapiYaml from '../../../../snippets/openapi-yaml.json';
import express from '../../../../snippets/express.json';
import nestjs from '../../../../snippets/nestjs.json';

/**
 * The snippets contributed to VS Code (snippets/*.json) are also offered by the language server's
 * completion, in the places they belong (`parents`: the YAML key above the cursor; '<root>' for an
 * empty document, '<path>' inside a path item), so other editors get them too.
 */
export interface SnippetDefinition { name: string; prefix: string; description: string; body: string[]; language: 'yaml' | 'typescript'; parents?: string[] }

const YAML_PARENTS: Record<string, string[]> = {
  'apilens-list-cursor': ['paths'],
  'apilens-command': ['paths'],
  'apilens-create': ['<path>'],
  'apilens-problem-schema': ['schemas'],
  'apilens-default-problem': ['responses'],
  'apilens-401-403': ['responses'],
  'apilens-429': ['responses'],
  'apilens-oauth2-authorization-code': ['securitySchemes'],
  'apilens-oauth2-client-credentials': ['securitySchemes'],
  'apilens-bearer': ['securitySchemes'],
  'apilens-openapi-3-1': ['<root>'],
};

function load(file: Record<string, { prefix: string; description: string; body: string[] }>, language: SnippetDefinition['language']): SnippetDefinition[] {
  return Object.entries(file).map(([name, snippet]) => ({ name, ...snippet, language, parents: language === 'yaml' ? YAML_PARENTS[snippet.prefix] : undefined }));
}

export const SNIPPETS: SnippetDefinition[] = [...load(openapiYaml, 'yaml'), ...load(express, 'typescript'), ...load(nestjs, 'typescript')];

/** Expands a snippet body with every placeholder at its default (first choice, or empty). */
export function expandSnippet(body: string[], indent = ''): string {
  const text = body.map((line, i) => (i === 0 ? line : indent + line)).join('\n');
  let result = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && (text[i + 1] === '$' || text[i + 1] === '}' || text[i + 1] === '\\')) { result += text[++i]; continue; }
    if (ch !== '$') { result += ch; continue; }
    const simple = /^\$(\d+)/.exec(text.slice(i));
    if (simple) { i += simple[0].length - 1; continue; }
    if (text[i + 1] === '{') {
      const { value, end } = readPlaceholder(text, i);
      result += value;
      i = end;
      continue;
    }
    result += ch;
  }
  return result;
}

/** Reads `${1:default}` (nested placeholders allowed) or `${1|a,b|}` from `start`; returns its default. */
function readPlaceholder(text: string, start: number): { value: string; end: number } {
  const choice = /^\$\{\d+\|([^|]*)\|\}/.exec(text.slice(start));
  if (choice) return { value: choice[1].split(',')[0], end: start + choice[0].length - 1 };
  const head = /^\$\{\d+:?/.exec(text.slice(start));
  if (!head) return { value: '$', end: start };
  let depth = 1;
  let i = start + head[0].length;
  let inner = '';
  for (; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) { inner += text[i] + text[i + 1]; i++; continue; }
    if (text[i] === '$' && text[i + 1] === '{') depth++;
    if (text[i] === '}') { depth--; if (depth === 0) break; }
    inner += text[i];
  }
  return { value: expandSnippet([inner]), end: i };
}
