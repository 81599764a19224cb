// `node dist/server.js --stdio`: loads the language server bundle through the code cache
// (../compile-cache.ts).
import { join } from 'node:path';
import { requireWithCompileCache } from '../compile-cache';

requireWithCompileCache(join(__dirname, 'server-main.js'));
