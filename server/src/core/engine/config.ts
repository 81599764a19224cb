import type { Severity, SeveritySetting } from '../types';

/** Settings that change what is reported. Comes from `.apilens.yaml`, CLI `--config`, or editor settings. */
export interface ApilensConfig {
  /** Severity per rule id; 'off' disables a rule. */
  rules: Record<string, SeveritySetting>;
  /** Documents larger than this many characters are not analysed (a diagnostic says so). */
  maxFileSize: number;
  /**
   * Which spec goes with which code, for the drift rules, when a folder's `.apilens.yaml` says so
   * (`spec: openapi.yaml`, `code: src/**`; gitignore-style patterns relative to the file's folder).
   * Without it every spec of the workspace is matched against every route.
   */
  service?: ServicePairing;
}

export interface ServicePairing {
  /** Absolute path of the folder the patterns are relative to. */
  root: string;
  spec: string[];
  code: string[];
}

export const DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024;

export function defaultConfig(): ApilensConfig {
  return { rules: {}, maxFileSize: DEFAULT_MAX_FILE_SIZE };
}

const SEVERITIES = new Set(['off', 'hint', 'info', 'warning', 'error']);

/** Normalises user input ('warn', 'information', 0/1/2 like ESLint) and drops what is not a severity. */
export function parseSeverity(value: unknown): SeveritySetting | undefined {
  if (typeof value === 'number') return (['off', 'warning', 'error'] as const)[value];
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  const aliases: Record<string, SeveritySetting> = { warn: 'warning', information: 'info', note: 'info', none: 'off', false: 'off' };
  const normalised = aliases[lower] ?? lower;
  return SEVERITIES.has(normalised) ? (normalised as SeveritySetting) : undefined;
}

/** Merges layers in order; later layers win per rule. Unknown keys are ignored. */
export function mergeConfig(base: ApilensConfig, ...layers: (Partial<{ rules: Record<string, unknown>; maxFileSize: unknown }> | undefined)[]): ApilensConfig {
  const merged: ApilensConfig = { rules: { ...base.rules }, maxFileSize: base.maxFileSize, service: base.service };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.rules && typeof layer.rules === 'object') {
      for (const [id, value] of Object.entries(layer.rules)) {
        const severity = parseSeverity(value);
        if (severity) merged.rules[id] = severity;
      }
    }
    if (typeof layer.maxFileSize === 'number' && layer.maxFileSize > 0) merged.maxFileSize = layer.maxFileSize;
  }
  return merged;
}

export function effectiveSeverity(config: ApilensConfig, ruleId: string, ruleDefault: Severity): SeveritySetting {
  return config.rules[ruleId] ?? ruleDefault;
}
