import { FlagsError } from '@kaviar/flags-core';

/** `checkFlag` or `listCheckpoints` was called with options that cannot be right (code `INVALID_CHECK_OPTIONS`). */
export class InvalidCheckOptionsError extends FlagsError {
  /** The option at fault, e.g. `expect.rolloutPercentage`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('INVALID_CHECK_OPTIONS', `Invalid ${option}: ${message}`);
    this.option = option;
  }
}
