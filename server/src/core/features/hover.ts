import { stringify } from 'yaml';
import type { SpecDocument } from '../spec/document';
import type { RefResolver } from '../spec/refs';
import { nodeAt } from './node-at';
import { statusInfo } from './status-codes';
import type { OffsetRange } from '../text';

export interface HoverResult { markdown: string; span: OffsetRange }

const PREVIEW_LINES = 30;

/** Hover on a status code key (its meaning and when to use it) or a `$ref` (a preview of the target). */
export function hoverAt(doc: SpecDocument, offset: number, refs: RefResolver): HoverResult | undefined {
  const { path, part } = nodeAt(doc, offset);
  const last = path[path.length - 1];
  if (part === 'key' && path[path.length - 2] === 'responses' && typeof last === 'string') {
    const info = statusInfo(last);
    if (!info) return undefined;
    const use = info.use ? `\n\n**When to use:** ${info.use}` : '';
    return { markdown: `**${info.code} ${info.phrase}**\n\n${info.meaning}${use}`, span: doc.locate(path, 'key') };
  }
  if (last === '$ref' && part === 'value') {
    const parent = path.slice(0, -1).reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[String(key)], doc.root) as Record<string, unknown>;
    const ref = parent?.$ref;
    if (typeof ref !== 'string') return undefined;
    const result = refs.resolve(doc, ref);
    const span = doc.locate(path, 'value');
    if (!result.ok) return { markdown: `\`${ref}\`: ${result.reason}.`, span };
    const rendered = stringify(result.value, { lineWidth: 0, aliasDuplicateObjects: false }).split('\n');
    const preview = rendered.slice(0, PREVIEW_LINES).join('\n') + (rendered.length > PREVIEW_LINES ? '\n# …' : '');
    return { markdown: `\`${ref}\`\n\n\`\`\`yaml\n${preview.trimEnd()}\n\`\`\``, span };
  }
  return undefined;
}
