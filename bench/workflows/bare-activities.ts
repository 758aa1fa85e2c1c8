// The bare baseline's activity: does nothing but count how many bare "jobs" run at once (between 'start' and
// 'end'), so the fan-out table can show the same peak it shows for the mock's jobs.

export type BarePhase = 'start' | 'end' | 'report';

export interface BareActivities {
  benchNoop(phase: BarePhase): Promise<number>;
}

export function createBareActivities(): { activities: BareActivities; peak: () => number; reset: () => void } {
  let running = 0;
  let peak = 0;
  let next = 1;
  return {
    activities: {
      benchNoop(phase: BarePhase): Promise<number> {
        if (phase === 'start') peak = Math.max(peak, ++running);
        else if (phase === 'end') running--;
        return Promise.resolve(next++);
      },
    },
    peak: () => peak,
    reset: () => {
      running = 0;
      peak = 0;
    },
  };
}
