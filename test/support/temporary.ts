import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];
process.on('exit', () => {
  for (const folder of created) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // A folder a test made unreadable stays; the system's temporary folder is cleaned anyway.
    }
  }
});

/** A new folder `apilens-<name>-XXXXXX` in the system's temporary folder, removed when the test file's process exits. */
export function temporaryFolder(name: string): string {
  const folder = mkdtempSync(join(tmpdir(), `apilens-${name}-`));
  created.push(folder);
  return folder;
}
