import { describe, expect, it } from 'vitest';
import { parseOperatorSection } from './operator-sections';

describe('parseOperatorSection', () => {
  it('takes the first heading as the section heading and moves the others below it, code blocks untouched', () => {
    const text = [
      'Intro before any heading.',
      '# Runbook #',
      '## Step one',
      '~~~sh',
      '# not a heading',
      '## nor this',
      '~~~',
      '#### Deep',
      '',
    ].join('\n');
    expect(parseOperatorSection('runbook.md', text, false)).toEqual({
      file: 'runbook.md',
      heading: 'Runbook',
      body: [
        'Intro before any heading.',
        '### Step one',
        '~~~sh',
        '# not a heading',
        '## nor this',
        '~~~',
        '##### Deep',
      ].join('\n'),
      secrets: [],
    });
  });

  it('never puts a heading above the section level, names a file without heading after itself, closes an open fence', () => {
    const deep = parseOperatorSection('notes/contacts.md', '### Contacts\n# Top\n```\nopen', false);
    expect(deep.heading).toBe('Contacts');
    expect(deep.body).toBe('### Top\n```\nopen\n```');
    const bare = parseOperatorSection('notes/contacts.md', 'On call: goes\n', false);
    expect([bare.heading, bare.body]).toEqual(['contacts.md', 'On call: goes']);
  });

  it('refuses a secret by line unless allowed, and then remembers it', () => {
    const text = '# Keys\n\n-----BEGIN EC PRIVATE KEY-----\n';
    expect(() => parseOperatorSection('keys.md', text, false)).toThrow(
      '--section keys.md: line 3 looks like it holds a secret (a private key block)',
    );
    expect(parseOperatorSection('keys.md', text, true).secrets).toEqual([
      { line: 3, kind: 'a private key block' },
    ]);
  });
});
