import { describe, expect, it } from 'vitest';
import { SerialRunner } from './serial-runner';

/** Work whose runs each wait for `finish()`; `log` records starts and ends in order. */
function gatedWork() {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  let runs = 0;
  const work = (): Promise<void> => {
    const n = ++runs;
    log.push(`start ${n}`);
    return new Promise<void>((resolve) => {
      gates.push(() => {
        log.push(`end ${n}`);
        resolve();
      });
    });
  };
  return {
    log,
    work,
    /** Lets the oldest unfinished run end. */
    finish() {
      const gate = gates.shift();
      if (!gate) throw new Error('no run in flight');
      gate();
    },
    inFlight: () => gates.length,
  };
}

// Enough turns of the microtask queue for a settled run to hand over to the queued one.
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('SerialRunner', () => {
  it('starts an idle run at once, synchronously', () => {
    const w = gatedWork();
    void new SerialRunner(w.work).run();
    expect(w.log).toEqual(['start 1']);
  });

  it('runs one at a time: calls during a run share one follow-up, started after the run ends', async () => {
    const w = gatedWork();
    const runner = new SerialRunner(w.work);
    const settled: string[] = [];
    const first = runner.run();
    const second = runner.run();
    const third = runner.run();
    expect(third).toBe(second);
    expect(first).not.toBe(second);
    void first.then(() => settled.push('first'));
    void second.then(() => settled.push('second'));
    await flush();
    expect(w.log).toEqual(['start 1']); // the follow-up waits for the run in flight
    expect(w.inFlight()).toBe(1);

    w.finish();
    await flush();
    expect(w.log).toEqual(['start 1', 'end 1', 'start 2']);
    expect(settled).toEqual(['first']); // the follow-up's callers wait for the follow-up

    w.finish();
    await flush();
    expect(w.log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(settled).toEqual(['first', 'second']);
  });

  it('a call during the follow-up queues a new follow-up; an idle runner runs again', async () => {
    const w = gatedWork();
    const runner = new SerialRunner(w.work);
    void runner.run();
    const second = runner.run();
    w.finish();
    await flush(); // run 2 is now in flight
    const third = runner.run();
    expect(third).not.toBe(second);
    w.finish();
    await second;
    await flush();
    expect(w.log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3']);
    w.finish();
    await third;
    const fourth = runner.run(); // idle again: starts at once
    expect(w.log.at(-1)).toBe('start 4');
    w.finish();
    await fourth;
    expect(w.log.filter((line) => line.startsWith('start'))).toHaveLength(4);
  });

  it('idle() settles after the run in flight and the queued one, and at once when idle', async () => {
    const w = gatedWork();
    const runner = new SerialRunner(w.work);
    const order: string[] = [];
    await runner.idle();
    void runner.run();
    void runner.run();
    void runner.idle().then(() => order.push('idle'));
    w.finish();
    await flush();
    expect(order).toEqual([]); // the queued run has not ended
    w.finish();
    await flush();
    expect(order).toEqual(['idle']);
    expect(w.log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('a rejected run rejects its callers, and the queued run still runs', async () => {
    let runs = 0;
    let fail: ((error: Error) => void) | undefined;
    const runner = new SerialRunner(() => {
      runs++;
      return runs === 1
        ? new Promise<void>((_, reject) => {
            fail = reject;
          })
        : Promise.resolve();
    });
    const first = runner.run();
    const second = runner.run();
    fail?.(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBeUndefined();
    expect(runs).toBe(2);
    await expect(runner.idle()).resolves.toBeUndefined();
  });
});
