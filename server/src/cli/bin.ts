// The `apilens` command: loads the CLI bundle through the code cache (../compile-cache.ts).
import { join } from 'node:path';
import { requireWithCompileCache } from '../compile-cache';

requireWithCompileCache(join(__dirname, 'cli-main.js')).main();
