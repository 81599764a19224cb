import { URI, Utils } from 'vscode-uri';
import type { SpecDocument } from '../spec/document';
import { decodePointer, encodePointer, type RefResolver } from '../spec/refs';
import { walkObjects } from '../engine/walk';
import type { JsonPath, TextEdit } from '../types';
import type { OffsetRange } from '../text';
import { nodeAt } from './node-at';

export interface SpecLocation { uri: string; span: OffsetRange; doc: SpecDocument }

/** Go to definition on a `$ref` value: the key of the referenced node (in this or another file). */
export function definitionAt(doc: SpecDocument, offset: number, refs: RefResolver): SpecLocation | undefined {
  const { path, part } = nodeAt(doc, offset);
  if (path[path.length - 1] !== '$ref' || part !== 'value') return undefined;
  const ref = valueAt(doc.root, path);
  if (typeof ref !== 'string') return undefined;
  const result = refs.resolve(doc, ref);
  if (!result.ok) return undefined;
  return { uri: result.doc.uri, doc: result.doc, span: result.path.length === 0 ? { start: 0, end: 0 } : result.doc.locate(result.path, 'key') };
}

/** The component a cursor designates: on its key in `components`, or on a `$ref` to it. */
export function componentAt(doc: SpecDocument, offset: number, refs: RefResolver): { doc: SpecDocument; path: JsonPath } | undefined {
  const { path, part } = nodeAt(doc, offset);
  if (part === 'key' && isComponentPath(path)) return { doc, path };
  if (path[path.length - 1] === '$ref' && part === 'value') {
    const ref = valueAt(doc.root, path);
    if (typeof ref !== 'string') return undefined;
    const result = refs.resolve(doc, ref);
    if (result.ok && isComponentPath(result.path)) return { doc: result.doc, path: result.path };
  }
  return undefined;
}

function isComponentPath(path: JsonPath): boolean {
  return (path.length === 3 && path[0] === 'components') || (path.length === 2 && ['definitions', 'parameters', 'responses', 'securityDefinitions'].includes(String(path[0])));
}

export interface RefUse { doc: SpecDocument; span: OffsetRange; ref: string; pointerStart: number }

/** Every `$ref` in `docs` that points at `target` (same file or another file of the workspace). */
export function referencesTo(target: { doc: SpecDocument; path: JsonPath }, docs: SpecDocument[]): RefUse[] {
  const uses: RefUse[] = [];
  const pointer = encodePointer(target.path);
  for (const doc of docs) {
    walkObjects(doc.root, (object, at) => {
      const ref = object.$ref;
      if (typeof ref !== 'string') return;
      const hash = ref.indexOf('#');
      const filePart = hash >= 0 ? ref.slice(0, hash) : ref;
      const fragment = hash >= 0 ? ref.slice(hash + 1) : '';
      if (fragment !== pointer && decodeFragment(fragment) !== pointer) return;
      const targetUri = filePart === '' ? doc.uri : Utils.resolvePath(Utils.dirname(URI.parse(doc.uri)), filePart).toString();
      if (targetUri !== target.doc.uri) return;
      const span = doc.locate([...at, '$ref'], 'value');
      const text = doc.slice(span.start, span.end);
      uses.push({ doc, span, ref, pointerStart: span.start + text.indexOf('#') + 1 });
    });
  }
  return uses;
}

function decodeFragment(fragment: string): string {
  const path = decodePointer(fragment);
  return path ? encodePointer(path) : fragment;
}

/** Renames a component: its key and every `$ref` to it, leaving the rest of each file untouched. */
export function renameComponent(target: { doc: SpecDocument; path: JsonPath }, newName: string, docs: SpecDocument[]): TextEdit[] | string {
  if (!/^[A-Za-z0-9._-]+$/.test(newName)) return 'Component names may only contain letters, digits, ".", "_" and "-" (OpenAPI 3 components map key rule).';
  const parent = valueAt(target.doc.root, target.path.slice(0, -1));
  if (parent && typeof parent === 'object' && newName in (parent as object)) return `A component named '${newName}' already exists.`;
  const oldName = String(target.path[target.path.length - 1]);
  const keySpan = target.doc.locate(target.path, 'key');
  const keyText = target.doc.slice(keySpan.start, keySpan.end);
  const edits: TextEdit[] = [{ uri: target.doc.uri, start: keySpan.start + keyText.indexOf(oldName), end: keySpan.start + keyText.indexOf(oldName) + oldName.length, newText: newName }];
  const encodedOld = encodePointer([oldName]).slice(1);
  for (const use of referencesTo(target, docs)) {
    const text = use.doc.slice(use.span.start, use.span.end);
    const at = text.lastIndexOf('/' + encodedOld);
    if (at < 0) continue;
    edits.push({ uri: use.doc.uri, start: use.span.start + at + 1, end: use.span.start + at + 1 + encodedOld.length, newText: encodePointer([newName]).slice(1) });
  }
  return edits;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[String(key)] : undefined), root);
}
