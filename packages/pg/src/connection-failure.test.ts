import { describe, expect, it } from 'vitest';
import {
  checkConnectionString,
  classifyConnectionFailure,
  DatabaseAuthError,
  DatabaseConfigError,
} from './connection-failure';
import { dbError } from './db-error';
import { DatabaseUnavailableError, SchemaMissingError } from './errors';
import { schemaNameProblem } from './schema-name';

const pgError = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });

describe('classifyConnectionFailure', () => {
  it.each([
    ['28P01', 'password authentication failed for user "app"', 'wrong-password'],
    ['28000', 'role "nobody" does not exist', 'unknown-role'],
    [
      '28000',
      'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", no encryption',
      'ssl-required',
    ],
    ['28000', 'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app"', 'access-rejected'],
    ['3D000', 'database "nope" does not exist', 'unknown-database'],
    ['42501', 'permission denied for schema kaviar_flags', 'permission-denied'],
    [undefined, 'The server does not support SSL connections', 'ssl-refused'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'unreachable'],
    ['23505', 'duplicate key value', undefined],
  ])('%s %s → %s', (code, message, problem) => {
    expect(classifyConnectionFailure(pgError(code, message))).toBe(problem);
  });

  it('gives typed errors with stable codes through dbError', () => {
    const auth = dbError(pgError('28P01', 'password authentication failed for user "app"'), 's');
    expect(auth).toBeInstanceOf(DatabaseAuthError);
    expect((auth as DatabaseAuthError).code).toBe('DB_AUTH');
    expect(auth.message).toBe(
      'password authentication failed for user "app": check the password in the connection string (or PGPASSWORD)',
    );
    const config = dbError(pgError('3D000', 'database "nope" does not exist'), 's');
    expect([config instanceof DatabaseConfigError, (config as DatabaseConfigError).problem]).toEqual([
      true,
      'unknown-database',
    ]);
    expect(dbError(pgError('ECONNREFUSED', 'connect ECONNREFUSED'), 's')).toBeInstanceOf(
      DatabaseUnavailableError,
    );
  });

  it('tells a missing schema by SQLSTATE, whatever the message says (or in whatever language)', () => {
    for (const code of ['3F000', '42P01', '42883']) {
      const error = dbError(pgError(code, 'la relation « flags » n’existe pas'), 'kaviar_flags');
      expect([code, error instanceof SchemaMissingError]).toEqual([code, true]);
    }
    expect(
      dbError(pgError('42601', 'syntax error at or near "kaviar_flags"'), 'kaviar_flags'),
    ).not.toBeInstanceOf(SchemaMissingError);
  });
});

describe('checkConnectionString', () => {
  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(() => checkConnectionString('postgres://app:pw@db:5432/app')).not.toThrow();
    expect(() => checkConnectionString('postgresql:///app?host=/var/run/postgresql')).not.toThrow();
  });

  it('refuses text that is not a URL, and other schemes, without echoing the password', () => {
    expect(() => checkConnectionString('not a url')).toThrow(
      expect.objectContaining({ code: 'DB_CONFIG', problem: 'invalid-url' }),
    );
    let caught: unknown;
    try {
      checkConnectionString('mysql://root:hunter2@db/app');
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'DB_CONFIG', problem: 'unsupported-scheme' });
    expect((caught as Error).message).toBe(
      'mysql:// is not a PostgreSQL URL: use a postgres:// or postgresql:// URL',
    );
  });
});

describe('schemaNameProblem', () => {
  it.each(['public', 'pg_catalog', 'pg_toast', 'information_schema'])('refuses %s', (name) => {
    expect(schemaNameProblem(name)).toMatch(/^is reserved/);
  });
  it('accepts an own schema and refuses bad identifiers', () => {
    expect(schemaNameProblem('kaviar_flags')).toBeUndefined();
    expect(schemaNameProblem('Kaviar')).toMatch(/must match/);
  });
});
