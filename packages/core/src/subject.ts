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
