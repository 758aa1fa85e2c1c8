// When a run of the owner hands over to a new one. The check happens before each wait, and a run still adds
// events after it: one more check (timer, activity and their workflow tasks: 11 events) or its end (the final
// report and answers to the waiters: about 26). The headroom keeps a whole run within `historyBound`.

/** Events kept free below the bound (a quarter of it at most, so a small bound still lets a run make progress). */
export function historyHeadroom(bound: number): number {
  return Math.min(40, Math.floor(bound / 4));
}

/** Owners that started before the headroom replay without it. */
export const HISTORY_HEADROOM_PATCH = 'airbyte-owner-history-headroom';
