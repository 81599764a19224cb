import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpecDocument } from '../../server/src/core/spec/document';
import { SpecContext } from '../../server/src/core/engine/spec-context';
import { RefResolver } from '../../server/src/core/spec/refs';
import { validatorsFor } from '../../server/src/core/spec/schema-validators';
import { readableSchemaErrors } from '../../server/src/core/spec/schema-errors';
import rule from '../../server/src/core/rules/oas-schema-valid';
import { NO_FILES_HOST } from '../support/workspace';

const host = NO_FILES_HOST;

/** What validating the whole document at once reports, located. */
function wholeDocument(text: string, format: 'yaml' | 'json'): string[] {
  const doc = parseSpecDocument('file:///api', text, format);
  const validators = doc.version ? validatorsFor(doc.version) : undefined;
  if (!validators || validators.document(doc.root)) return [];
  return readableSchemaErrors(validators.document.errors ?? [], doc.root).map((error) => `${JSON.stringify(doc.locate(error.at, error.part ?? 'key'))} ${error.message}`).sort();
}

function partByPart(text: string, format: 'yaml' | 'json'): string[] {
  const doc = parseSpecDocument('file:///api', text, format);
  if (!doc.version) return [];
  const context = new SpecContext(doc, new RefResolver(host));
  rule.checkSpec!(context);
  return context.findings.map((finding) => `${JSON.stringify(finding.span)} ${finding.message}`).sort();
}

test('validating path items and component schemas one by one reports what validating the whole document does', () => {
  const folders = ['rules/oas-schema-valid', 'rules/oas-version-legacy', 'rules/oas-examples-valid', 'rules/path-param-consistency', 'fixes/oas-schema-valid'];
  let seed = 5;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let compared = 0;
  let withErrors = 0;
  for (const folder of folders) {
    const dir = join(__dirname, '../fixtures', folder);
    let files: string[] = [];
    try { files = readdirSync(dir).filter((file) => /\.(ya?ml|json)$/.test(file)); } catch { continue; }
    for (const file of files) {
      const format = file.endsWith('.json') ? 'json' : 'yaml';
      let text = readFileSync(join(dir, file), 'utf8');
      // The fixture, then mutations of it: deleted characters break fields, types and names.
      for (let round = 0; round < 8; round++) {
        const whole = wholeDocument(text, format);
        assert.deepEqual(partByPart(text, format), whole, `${folder}/${file}, round ${round}`);
        compared++;
        if (whole.length > 0) withErrors++;
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
      }
    }
  }
  assert.ok(compared > 100 && withErrors > 30, `${compared} compared, ${withErrors} with errors`);
});
