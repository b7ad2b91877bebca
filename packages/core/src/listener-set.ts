/**
 * A set of listeners whose `emit` calls each one and isolates failures: a listener that throws
 * is reported to `onListenerError` (default: ignored) and never stops the others or the emitter.
 * Sources use it so a faulty subscriber cannot break a poll loop.
 */
export interface ListenerSet<E> {
  /** Adds a listener; returns the function that removes it. */
  add(listener: (event: E) => void): () => void;
  /** Calls every listener with the event. Never throws. */
  emit(event: E): void;
  /** Number of listeners. */
  readonly size: number;
  /** Removes every listener. */
  clear(): void;
}

/** Creates a `ListenerSet`. */
export function createListenerSet<E>(onListenerError: (error: unknown) => void = () => {}): ListenerSet<E> {
  const listeners = new Set<(event: E) => void>();
  return {
    add(listener) {
      // Wrap so the same function added twice is two subscriptions, each removable on its own.
      const entry = (event: E) => listener(event);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          try {
            onListenerError(error);
          } catch {
            // An error handler that throws has nowhere left to report to.
          }
        }
      }
    },
    get size() {
      return listeners.size;
    },
    clear() {
      listeners.clear();
    },
  };
}
