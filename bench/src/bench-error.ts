/**
 * The benchmark's own failures (bad arguments, a package not built, a floor that disagrees with the
 * reference hash): a plain error with a code, kept apart from the SDK's `FlagsError` codes.
 */
export class BenchError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}
