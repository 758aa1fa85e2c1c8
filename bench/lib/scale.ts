/** Sizes of a run: `--quick` shrinks everything for a smoke run; the code path is the same. */
export interface Scale {
  quick: boolean;
  /** Jobs drawn per (duration, policy) in the poll model. */
  population: number;
  /** Short live syncs that count our fixed per-sync calls. */
  callSyncs: number;
  /** Live syncs on the webhook path. */
  webhookSyncs: number;
  /** Polls of the two calibration runs of history per poll. */
  calibrationPolls: [number, number];
  fanout: number[];
  /** Syncs waiting at once in the memory section. */
  waiting: number;
  /** Worker starts per variant (the median is reported). */
  starts: number;
  /** Section 5: rounds of a fan-out of `syncs` on one worker. */
  soak: { rounds: number; syncs: number };
}

export function scaleOf(quick: boolean, fanout?: number[]): Scale {
  return quick
    ? { quick, population: 300, callSyncs: 3, webhookSyncs: 8, calibrationPolls: [2, 7], fanout: fanout ?? [20, 50], waiting: 100, starts: 1, soak: { rounds: 2, syncs: 50 } }
    : { quick, population: 400, callSyncs: 8, webhookSyncs: 40, calibrationPolls: [2, 12], fanout: fanout ?? [100, 1_000, 10_000], waiting: 1_000, starts: 3, soak: { rounds: 3, syncs: 1_000 } };
}
