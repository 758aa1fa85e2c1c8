// No Node imports: the bare fan-out workflow (bench/workflows/bare.ts) bounds its children with it too.
/** Runs `task(i)` for i in 0..n-1, `concurrency` at a time. */
export async function inBatches(n: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}
