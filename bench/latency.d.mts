// Types for the parts of bench/latency.mjs that tests import.
export function generateRouter(targetLines: number): string;
export function measureLatency(options: { root: string; work: string; githubYaml?: string; specs?: { name: string; file: string }[] }): Promise<{ name: string; p50: number; p95: number; max: number; rssAfterOpenMb: number; rssAfterEditsMb: number; reopened: { p50: number; p95: number; max: number }; rssIdleMb: number; rssOpenIdleMb?: number; afterPause: { p50: number; p95: number; max: number } }[]>;
export const IDLE_MS: number;
