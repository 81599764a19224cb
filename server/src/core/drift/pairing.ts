import ignore from 'ignore';
import { URI } from 'vscode-uri';
import { codeWorkspaceView, type CodeWorkspaceView } from '../engine/code-context';
import type { ServicePairing } from '../engine/config';

/**
 * A monorepo's `.apilens.yaml` can say which spec goes with which code (`spec:`, `code:`): drift
 * then compares only those. The narrowed view is built once per workspace view and pairing.
 */
const cache = new WeakMap<CodeWorkspaceView, Map<string, CodeWorkspaceView>>();

export function pairedView(view: CodeWorkspaceView | undefined, pairing: ServicePairing | undefined): CodeWorkspaceView | undefined {
  if (!view || !pairing) return view;
  const key = JSON.stringify(pairing);
  let byKey = cache.get(view);
  if (!byKey) cache.set(view, byKey = new Map());
  const cached = byKey.get(key);
  if (cached) return cached;
  const specMatcher = ignore().add(pairing.spec);
  const codeMatcher = ignore().add(pairing.code);
  const inside = (uri: string, matcher: ReturnType<typeof ignore>) => {
    const path = URI.parse(uri).fsPath;
    if (!path.startsWith(pairing.root + '/')) return false;
    return matcher.ignores(path.slice(pairing.root.length + 1));
  };
  const routes = view.extraction.routes.filter((route) => inside(route.declaration.file, codeMatcher));
  const narrowed = codeWorkspaceView({ ...view.extraction, routes }, view.specs.filter((doc) => inside(doc.uri, specMatcher)));
  byKey.set(key, narrowed);
  return narrowed;
}
