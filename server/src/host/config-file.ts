import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { defaultConfig, mergeConfig, type ApilensConfig } from '../core/engine/config';

export const CONFIG_FILE_NAMES = ['.apilens.yaml', '.apilens.yml', '.apilens.json'];

/** Finds the nearest `.apilens.yaml` from `startDir` up to (and including) `stopDir`. */
export function findConfigFile(startDir: string, stopDir: string): string | undefined {
  let dir = resolve(startDir);
  const stop = resolve(stopDir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dir === stop || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

/** Reads a config file; throws an Error with a readable message when it is malformed. */
export function readConfigFile(path: string, base: ApilensConfig = defaultConfig()): ApilensConfig {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 50 });
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return base;
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error(`${path}: expected a map with a 'rules' key`);
  const config = mergeConfig(base, data as { rules?: Record<string, unknown> });
  const { spec, code } = data as { spec?: unknown; code?: unknown };
  if (spec !== undefined || code !== undefined) {
    const patterns = (value: unknown, key: string): string[] => {
      if (value === undefined) return ['**'];
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((item) => typeof item === 'string' && item.trim() !== '')) throw new Error(`${path}: '${key}' must be a path pattern or a list of them`);
      return list as string[];
    };
    config.service = { root: dirname(resolve(path)), spec: patterns(spec, 'spec'), code: patterns(code, 'code') };
  }
  return config;
}
