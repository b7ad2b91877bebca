/** Turns anything caught into an `Error`, for the scripts' one-line error messages. */
export function toError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}
