/**
 * Hides the password in a connection string (`postgres://app:s3cret@db:5432/x` becomes
 * `postgres://app:***@db:5432/x`), and `password=...` in key/value form. Applied to every connection
 * string the CLI prints and to every error message, which drivers sometimes fill with the URL.
 */
export function maskSecrets(text: string): string {
  return (
    text
      // The password runs to the last `@` before the host: a raw `@` in it (`u:p@ss@h`) is masked too.
      .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^/?#\s]*@/gi, '$1:***@')
      .replace(/(password\s*=\s*)('[^']*'|[^\s&]+)/gi, '$1***')
  );
}
