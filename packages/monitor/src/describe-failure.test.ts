import { DatabaseAuthError, DatabaseConfigError, DatabaseUnavailableError } from '@kaviar/flags-pg';
import { describe, expect, it } from 'vitest';
import { describeFailure } from './describe-failure';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeFailure', () => {
  it('says "authentication failed" for a wrong password or an unknown role, raw or typed', () => {
    expect(describeFailure(pgError('28P01', 'password authentication failed for user "app"')).cause).toBe(
      'authentication failed: password authentication failed for user "app"',
    );
    expect(describeFailure(pgError('28000', 'role "nobody" does not exist')).cause).toMatch(
      /^authentication failed: role "nobody" does not exist/,
    );
    const typed = new DatabaseAuthError('wrong-password', 'password authentication failed for user "app"');
    expect(describeFailure(typed)).toEqual({
      code: 'DB_AUTH',
      cause: `authentication failed: ${typed.message}`,
    });
  });

  it('names permission, configuration and reachability problems apart', () => {
    expect(describeFailure(pgError('42501', 'permission denied for schema s')).cause).toMatch(
      /^permission denied: /,
    );
    expect(
      describeFailure(new DatabaseConfigError('unknown-database', 'database "x" does not exist')).cause,
    ).toMatch(/^connection misconfigured: database "x" does not exist/);
    expect(describeFailure(new DatabaseUnavailableError('connect ECONNREFUSED')).cause).toBe(
      'database unreachable: Database unavailable: connect ECONNREFUSED',
    );
    expect(describeFailure(pgError('42P01', 'relation "s.flags" does not exist')).cause).toMatch(
      /^schema missing: /,
    );
    expect(describeFailure(new RangeError('boom')).cause).toBe('RangeError: boom');
  });
});
