import type { Subject } from './types';

/**
 * The id a subject is bucketed by: the string itself, or the object's `id` (a safe integer as its
 * decimal string: `42` is `'42'`). Returns `''` when there is no usable id (empty, missing, or a number
 * that is not a safe integer); evaluation treats that as `NO_SUBJECT`.
 */
export function subjectIdOf(subject: Subject): string {
  if (typeof subject === 'string') return subject;
  if (subject === null || typeof subject !== 'object') return '';
  const id = subject.id;
  if (typeof id === 'string') return id;
  // Only integers have one obvious decimal form ("42"); 1e21 or 0.1 would hash their JS spelling.
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return '';
}

/**
 * The most characters a stored subject id (an allowlist entry) may have, counted in Unicode code points
 * as Postgres counts them (an emoji is one character, although it is two UTF-16 units in JS).
 */
export const MAX_SUBJECT_ID_LENGTH = 1024;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `text` cannot be stored as text in the flags store, or `undefined` when it can. Stored text (ids,
 * descriptions, actors, reasons) must be well-formed Unicode without NUL: Postgres text cannot hold
 * U+0000, and a lone UTF-16 surrogate has no UTF-8 form (it would be stored as U+FFFD, or refused in
 * JSON), so both are refused before anything is written rather than silently changed.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    return `must be well-formed Unicode (lone surrogate U+${surrogate[0].charCodeAt(0).toString(16).toUpperCase()} at index ${surrogate.index})`;
  }
  return undefined;
}

/**
 * Why `id` cannot be stored as a subject id (an allowlist entry), or `undefined` when it can: a string of
 * 1 to {@link MAX_SUBJECT_ID_LENGTH} characters (code points) that passes {@link textProblem}. Ids are
 * stored exactly as given: never trimmed, and an id of spaces only is a valid id (evaluation buckets it
 * like any other non-empty id). The store's SQL CHECK constraint agrees with this rule.
 *
 * @example
 * subjectIdProblem('passenger-42'); // undefined
 * subjectIdProblem(''); // 'must be a non-empty string of at most 1024 characters'
 */
export function subjectIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '' || codePointLength(id) > MAX_SUBJECT_ID_LENGTH) {
    return `must be a non-empty string of at most ${MAX_SUBJECT_ID_LENGTH} characters`;
  }
  return textProblem(id);
}

function codePointLength(text: string): number {
  // Fast path: no string of at most MAX UTF-16 units has more code points than units.
  if (text.length <= MAX_SUBJECT_ID_LENGTH) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}
