import { describe, expect, it } from 'vitest';
import { nearest } from './did-you-mean';

describe('nearest', () => {
  const commands = ['migrate', 'status', 'create', 'set', 'delete', 'history', 'check', 'checkpoints'];
  it.each([
    ['stauts', 'status'],
    ['histroy', 'history'],
    ['chek', 'check'],
    ['creat', 'create'],
    ['migrat', 'migrate'],
  ])('%s → %s', (word, expected) => {
    expect(nearest(word, commands)).toBe(expected);
  });
  it('suggests nothing for a word far from every candidate', () => {
    expect(nearest('frobnicate', commands)).toBeUndefined();
  });
  it('finds options too', () => {
    expect(nearest('rolout', ['rollout', 'enabled', 'expect-rollout'])).toBe('rollout');
    expect(nearest('databse-url', ['database-url', 'data-dir', 'schema'])).toBe('database-url');
  });
});
