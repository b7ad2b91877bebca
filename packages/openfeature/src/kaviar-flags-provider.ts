/**
 * The OpenFeature server provider over a `FlagClient`. Its status follows the client:
 *
 * - `NOT_READY` until `initialize()` settles; then `READY` (data confirmed current), `STALE` (serving
 *   the last good snapshot while the store cannot be reached, or a snapshot file), `ERROR` (nothing
 *   loaded: the store never answered) or `FATAL` (the client was closed under the provider).
 * - Each change of status after `initialize()` emits its event once: `PROVIDER_READY`, `PROVIDER_STALE`
 *   (with the data's age), `PROVIDER_ERROR` (`errorCode: PROVIDER_FATAL` for `FATAL`). A repeated
 *   failure while already stale emits nothing more.
 * - Every new snapshot after the first emits `PROVIDER_CONFIGURATION_CHANGED` with the keys that changed.
 * - During `initialize()` nothing is emitted: the SDK announces the outcome itself (READY or ERROR), and
 *   the provider starts following the client right after that (a stale client is then announced STALE).
 */
import type { FlagClient, SourceState } from '@kaviar/flags-core';
import { formatDuration, toError } from '@kaviar/flags-core/internal';
import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  ProviderStatus,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import { booleanResolution, nonBooleanResolution } from './resolution';

/** Options of {@link KaviarFlagsProvider}. */
export interface KaviarFlagsProviderOptions {
  /**
   * How long `initialize()` (so `OpenFeature.setProviderAndWait`) waits for the client's first data, in
   * ms; passed to `client.ready({ timeoutMs })`. When nothing loads in time (and no snapshot file can be
   * served) initialisation fails with the client's `TimeoutError`, whose message and `cause` carry the
   * store's last error; the provider then reports `READY` as soon as the store answers. Default 10000.
   */
  readonly readyTimeoutMs?: number;
}

type Phase = 'idle' | 'initializing' | 'running' | 'closed';

/**
 * An OpenFeature server provider that evaluates with a `@kaviar/flags` client: `createPgFlags`,
 * `createFlagClient` or the test kit's `createTestFlags`. Flags are boolean; the subject is the
 * evaluation context's `targetingKey`.
 *
 * Pass a client to share it (your code may also call `isEnabled` on it; `onClose()` leaves it open), or
 * a function that creates one: the provider then owns the client and closes it in `onClose()`
 * (`OpenFeature.close()`), creating a fresh one if it is initialised again.
 *
 * @example
 * await OpenFeature.setProviderAndWait(
 *   new KaviarFlagsProvider(() => createPgFlags({ connectionString: process.env.DATABASE_URL })),
 * );
 * const on = await OpenFeature.getClient().getBooleanValue('passenger_favorites_matching', false, {
 *   targetingKey: passenger.id,
 * });
 */
export class KaviarFlagsProvider implements Provider {
  /** `kaviar-flags`. */
  readonly metadata = { name: 'kaviar-flags' } as const;
  /** This provider is for the server SDK (`@openfeature/server-sdk`). */
  readonly runsOn = 'server' as const;
  /** Where the provider's events go; the SDK listens here. */
  readonly events = new OpenFeatureEventEmitter();

  private current: FlagClient;
  private readonly create: (() => FlagClient) | undefined;
  private readonly readyTimeoutMs: number;
  private state: ProviderStatus = ProviderStatus.NOT_READY;
  private phase: Phase = 'idle';
  private ownedClosed = false;
  private loaded = false;
  private unsubscribe: (() => void)[] = [];
  private starting: Promise<void> | undefined;

  /**
   * @param client the flag client to evaluate with, or a function creating one (then owned: closed by `onClose()`).
   * @param options see {@link KaviarFlagsProviderOptions}.
   */
  constructor(client: FlagClient | (() => FlagClient), options: KaviarFlagsProviderOptions = {}) {
    this.create = typeof client === 'function' ? client : undefined;
    this.current = typeof client === 'function' ? client() : client;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  }

  /** The flag client behind the provider (for `isEnabled` next to OpenFeature, `status()`, tests). */
  get client(): FlagClient {
    return this.current;
  }

  /**
   * The provider's status, as the SDK reports it for this provider: `NOT_READY`, `READY`, `STALE`,
   * `ERROR` or `FATAL` (see the class documentation).
   */
  get status(): ProviderStatus {
    return this.state;
  }

  /**
   * Waits for the client's `ready({ timeoutMs: readyTimeoutMs })`. Rejects with the client's error when
   * nothing can be loaded (the SDK then reports `ERROR`), or with `ProviderFatalError` when the client
   * is closed. Called by the SDK; `setProviderAndWait` awaits it.
   */
  initialize(_context?: EvaluationContext): Promise<void> {
    if (this.starting !== undefined && this.phase !== 'closed') return this.starting;
    const started = this.start();
    this.starting = started;
    // Events start once the SDK has announced the outcome. This reaction is registered before the SDK's,
    // so the microtask it queues runs right after the SDK marked the provider READY (or ERROR): a stale
    // client then turns it STALE before `setProviderAndWait` returns, and a client event that came in
    // between (the store's error while a snapshot file is served) cannot be announced before READY.
    const settled = () =>
      queueMicrotask(() => {
        if (this.phase !== 'initializing') return;
        this.phase = 'running';
        this.follow();
      });
    started.then(settled, settled);
    return started;
  }

  private async start(): Promise<void> {
    if (this.create !== undefined && this.ownedClosed) {
      this.current = this.create();
      this.ownedClosed = false;
    }
    this.phase = 'initializing';
    const client = this.current;
    this.unsubscribe = [
      client.on('change', (event) => {
        if (this.phase !== 'running') return;
        if (this.loaded) {
          this.events.emit(ProviderEvents.ConfigurationChanged, {
            flagsChanged: [...event.changedKeys],
            metadata: { version: event.snapshot.version },
          });
        }
        this.follow();
      }),
      client.on('state', (event) => this.follow(event.state)),
      client.on('error', () => this.follow()),
    ];
    try {
      await client.ready({ timeoutMs: this.readyTimeoutMs });
    } catch (caught) {
      const error = toError(caught);
      this.loaded = false;
      if ((error as { code?: unknown }).code === 'CLOSED') {
        this.state = ProviderStatus.FATAL;
        throw new ProviderFatalError(`The flag client is closed: ${error.message}`, { cause: error });
      }
      this.state = ProviderStatus.ERROR;
      throw error;
    }
    this.state = ProviderStatus.READY;
    this.loaded = client.snapshot() !== undefined;
  }

  // Moves to the status the client is in, emitting the event of the new status once.
  private follow(event?: SourceState): void {
    if (this.phase !== 'running') return;
    const client = this.current;
    const status = client.status();
    const loaded = client.snapshot() !== undefined;
    const next =
      event === 'closed' || status.state === 'closed'
        ? ProviderStatus.FATAL
        : !loaded
          ? ProviderStatus.ERROR
          : status.stale
            ? ProviderStatus.STALE
            : ProviderStatus.READY;
    this.loaded = loaded;
    if (next === this.state) return;
    this.state = next;
    const metadata = { version: status.version, ageMs: status.ageMs, origin: status.origin };
    const why = status.lastError === undefined ? '' : `: ${status.lastError.message}`;
    switch (next) {
      case ProviderStatus.READY:
        this.events.emit(ProviderEvents.Ready, {
          message: `Flags are current (version ${status.version}, ${status.origin})`,
          metadata,
        });
        return;
      case ProviderStatus.STALE:
        this.events.emit(ProviderEvents.Stale, {
          message: `Serving the last good flags (version ${status.version}, ${status.origin}), last confirmed ${formatDuration(status.ageMs)} ago${why}`,
          metadata,
        });
        return;
      case ProviderStatus.ERROR:
        this.events.emit(ProviderEvents.Error, {
          message: `No flags loaded: the store has not answered${why}`,
          metadata,
        });
        return;
      default:
        this.unsubscribeAll();
        this.events.emit(ProviderEvents.Error, {
          message: 'The flag client was closed: this provider cannot serve fresh flags again',
          errorCode: ErrorCode.PROVIDER_FATAL,
          metadata,
        });
    }
  }

  /**
   * Stops following the client; closes it only when the provider created it (it was given a function).
   * Called by the SDK on `OpenFeature.close()` or when the provider is replaced.
   */
  async onClose(): Promise<void> {
    this.phase = 'closed';
    this.unsubscribeAll();
    this.state = ProviderStatus.NOT_READY;
    if (this.create !== undefined && !this.ownedClosed) {
      this.ownedClosed = true;
      await this.current.close();
    }
  }

  private unsubscribeAll(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  /** Evaluates with the client's `evaluate(flagKey, context.targetingKey)`; see the README's table. */
  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    const key = context.targetingKey;
    return booleanResolution(
      this.current.evaluate(flagKey, typeof key === 'string' ? key : undefined),
      defaultValue,
    );
  }

  /** Our flags are boolean: the default, with `TYPE_MISMATCH` (or `FLAG_NOT_FOUND`, `PROVIDER_NOT_READY`). */
  async resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return nonBooleanResolution(this.current, flagKey, defaultValue, 'string');
  }

  /** Our flags are boolean: the default, with `TYPE_MISMATCH` (or `FLAG_NOT_FOUND`, `PROVIDER_NOT_READY`). */
  async resolveNumberEvaluation(flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return nonBooleanResolution(this.current, flagKey, defaultValue, 'number');
  }

  /** Our flags are boolean: the default, with `TYPE_MISMATCH` (or `FLAG_NOT_FOUND`, `PROVIDER_NOT_READY`). */
  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return nonBooleanResolution(this.current, flagKey, defaultValue, 'object');
  }

  /**
   * Accepted and ignored. Tracking events are business outcomes (a conversion, a purchase) for an
   * experimentation backend; the store keeps none. What the monitor needs, who was evaluated and who got
   * the feature, the Postgres client already counts at evaluation time (exposures). A no-op keeps
   * `client.track()` calls working when an application switches providers.
   */
  track(_trackingEventName: string, _context: EvaluationContext, _details: TrackingEventDetails): void {}
}
