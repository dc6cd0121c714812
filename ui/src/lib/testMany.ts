// How a "Test all" ended, counted from the results as they arrive.
import type { ManyResult } from '../bindings/ManyResult';

export interface TestManySummary {
  passed: number;
  failed: number;
  /** Stopped by Cancel, or never started because of it. */
  cancelled: number;
}

export function tally(results: ManyResult[], asked: number): TestManySummary {
  let passed = 0;
  let failed = 0;
  let cancelled = 0;
  for (const r of results) {
    const code = r.error?.code ?? r.report?.error?.code;
    if (r.report?.ok) passed++;
    else if (code === 'cancelled') cancelled++;
    else failed++;
  }
  return { passed, failed, cancelled: cancelled + Math.max(0, asked - results.length) };
}
