/**
 * Runs one piece of background work at a time and coalesces requests. Invariants:
 * - At most one run is in flight.
 * - Calls made while a run is in flight all share ONE follow-up run, started once the run in flight has
 *   settled: a request is never lost (the run in flight may have read its inputs before the request), and
 *   a burst of requests costs one extra run, not one each.
 * - `run()` returns the promise of the run that covers the call: the one it started, or the queued one.
 * - An idle `run()` calls the work synchronously, so the work can take its inputs at its start.
 * @internal
 */
export class SerialRunner {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** `work` should not reject; if it does, its callers see the rejection and a queued run still runs. */
  constructor(private readonly work: () => Promise<void>) {}

  /** Runs now, or once more right after the run in flight. */
  run(): Promise<void> {
    if (this.running) {
      const next = () => {
        this.queued = undefined;
        return this.run();
      };
      this.queued ??= this.running.then(next, next);
      return this.queued;
    }
    this.running = this.work().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Settles once the run in flight and the run queued after it, as of this call, have settled. Never rejects. */
  idle(): Promise<void> {
    return (this.queued ?? this.running ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
  }
}
