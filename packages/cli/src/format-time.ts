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

/** A short "how long ago" for ages: `850ms`, `12s`, `3m 5s`, `2h 1m`, `3d 4h`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
