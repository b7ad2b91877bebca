import type { Subject } from './types';

/**
 * The id a subject is bucketed by: the string itself, or the object's `id` (a number as its decimal
 * string). Returns `''` when there is no usable id; evaluation treats that as `NO_SUBJECT`.
 */
export function subjectIdOf(subject: Subject): string {
  if (typeof subject === 'string') return subject;
  if (subject === null || typeof subject !== 'object') return '';
  const id = subject.id;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return '';
}
