import { describe, expect, it } from 'vitest';
import { findSecrets } from './secret-scan';

describe('findSecrets', () => {
  it('finds connection strings with a password, AWS keys, private keys and password settings, by line', () => {
    const text = [
      '# Infra',
      'psql postgres://app:s3cret@db.internal:5432/kaviar',
      'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'host=db user=app password=hunter2 dbname=kaviar',
      '-----BEGIN RSA PRIVATE KEY-----',
      '  password: hunter2',
    ].join('\n');
    expect(findSecrets(text)).toEqual([
      { line: 2, kind: 'a connection string with a password' },
      { line: 3, kind: 'an AWS access key id' },
      { line: 4, kind: 'an AWS secret access key' },
      { line: 5, kind: 'a private key block' },
      { line: 6, kind: 'a password setting' },
      { line: 7, kind: 'a private key block' },
      { line: 8, kind: 'a password setting' },
    ]);
  });

  it('lets placeholders, masked passwords and password-less URLs through', () => {
    const dollar = '$';
    const text = [
      `psql "postgres://app:${dollar}{DB_PASSWORD}@db:5432/kaviar"`,
      'psql postgres://app:$PGPASSWORD@db/kaviar',
      'psql postgres://app:***@db/kaviar',
      'psql postgres://app:<password>@db/kaviar',
      'psql postgres://app@db/kaviar',
      'https://console.aws.amazon.com/ecs/home?region=us-east-2',
      `password=${dollar}{DB_PASSWORD}`,
      'Rotate the password: see the runbook.',
      'The RSA public key is in keys/',
    ].join('\n');
    expect(findSecrets(text)).toEqual([]);
  });
});
