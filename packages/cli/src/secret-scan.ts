/*
 * A conservative look for secrets in text the operator asks the ops snapshot to include. It knows the
 * shapes that leak most often into runbooks: a connection string with a password, an AWS access key
 * id or secret key assignment, a private key block, a `password=` setting. Placeholders
 * (`${DB_PASSWORD}`, `$PGPASSWORD`, `<password>`, `***`) are not secrets and pass.
 */

/** A line that looks like it holds a secret. */
export interface SecretFinding {
  /** 1-based line number. */
  readonly line: number;
  /** What it looks like, for the message (`a connection string with a password`). */
  readonly kind: string;
}

const PLACEHOLDER = /^(\$\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?|<[^>]*>|\*+|x+|\.\.\.|…)$/i;

const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:([^\s/?#]*)@/gi;
// `password=...` anywhere (libpq, env, ini); `password: ...` only as a line's key (YAML, JSON), not in prose.
const KEY_VALUE_PASSWORD =
  /(?:\b(?:password|passwd|pgpassword)\s*=|^\s*[-"']?\s*(?:password|passwd|pgpassword)["']?\s*:)\s*("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi;
const AWS_ACCESS_KEY = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/;
const AWS_SECRET_KEY = /aws_?secret_?access_?key["']?\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})\b/i;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;

const isPlaceholder = (value: string) => {
  const bare = value.replace(/^["']|["']$/g, '');
  return bare === '' || PLACEHOLDER.test(bare);
};

function kindOf(line: string): string | undefined {
  for (const match of line.matchAll(URL_PASSWORD)) {
    if (!isPlaceholder(match[1] ?? '')) return 'a connection string with a password';
  }
  for (const match of line.matchAll(KEY_VALUE_PASSWORD)) {
    if (!isPlaceholder(match[1] ?? '')) return 'a password setting';
  }
  if (AWS_ACCESS_KEY.test(line)) return 'an AWS access key id';
  if (AWS_SECRET_KEY.test(line)) return 'an AWS secret access key';
  if (PRIVATE_KEY.test(line)) return 'a private key block';
  return undefined;
}

/** Every line of `text` that looks like it holds a secret, in order. */
export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const kind = kindOf(line);
    if (kind !== undefined) findings.push({ line: i + 1, kind });
  });
  return findings;
}
