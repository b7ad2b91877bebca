/**
 * Formats an instant in a time zone as `YYYY-MM-DD HH:mm:ss GMT±h`, the zone's offset spelled out so a
 * pasted line is unambiguous. `timeZone` is an IANA name; the caller validates it (`parseTimeZoneArg`).
 *
 * @example
 * formatTime(new Date('2026-02-03T22:05:00Z'), 'America/Sao_Paulo'); // '2026-02-03 19:05:00 GMT-3'
 */
export function formatTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // ICU builds spell a zero offset `GMT` or `GMT+0`; say UTC either way.
  const zone = part('timeZoneName').replace(/^GMT(\+0)?$/, 'UTC');
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${zone}`;
}

/** The system's time zone, the default for `--tz`. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}
