/**
 * Every live instance serves the flag's current configuration version.
 *
 * An instance is live when its heartbeat is at most `liveWindowMs` old and it has not reported
 * itself closed. It serves the current
 * configuration when the snapshot version it reports is at least the flag's `configVersion`.
 * A lagging instance in the first pass asks for a re-read (WARN, not final); at the final read an
 * instance that caught up is a PASS with a note (the transient state that must not alarm anyone),
 * and one still behind more than `maxPropagationMs` after the change is a WARN naming it.
 * An instance behind whose last heartbeat predates the change and is older than two heartbeat
 * intervals was most likely killed without closing (a heartbeat every `heartbeatIntervalMs` would
 * have come since): it is a note ("presumed gone"), never a WARN.
 */
import { formatPercent } from '@kaviar/flags-core/internal';
import type { Assertion } from './assertion';
import type { AuditEntry, InstanceRow } from './observation';
import { auditField, describeChange, formatTime, quoteAudit } from './quote-audit';
import type { AuditQuote } from './types';

/** `web-2 (api@ip-10-0-0-7, pid 31)` */
function nameOf(instance: InstanceRow): string {
  const where = [instance.app, instance.host].filter(Boolean).join('@');
  const pid = instance.pid === null ? '' : `pid ${instance.pid}`;
  const detail = [where, pid].filter(Boolean).join(', ');
  return detail ? `${instance.id} (${detail})` : instance.id;
}

/** What the flag looked like at `version`, from the newest audited state at or before it. */
function servedAt(audit: readonly AuditEntry[], version: number): { text: string; entry?: AuditEntry } {
  const entry = audit.find(
    (e) => e.version !== null && e.version <= version && e.after !== null && 'enabled' in (e.after ?? {}),
  );
  if (!entry) return { text: `version ${version}` };
  const rollout = formatPercent(auditField(entry.after, 'rolloutPercentage'));
  const enabled = auditField(entry.after, 'enabled') === false ? 'disabled, ' : '';
  return { text: `version ${version} (${enabled}rollout ${rollout})`, entry };
}

export const assertPropagation: Assertion = (ctx) => {
  const flag = ctx.last.flag;
  if (!flag) return undefined;
  const { liveWindowMs, maxPropagationMs, heartbeatIntervalMs } = ctx.options;
  const target = flag.configVersion;
  const now = ctx.last.at.getTime();
  // A closed client said goodbye in its last heartbeat: it serves nothing any more.
  const live = ctx.last.instances.filter(
    (i) => i.state !== 'closed' && now - i.lastSeenAt.getTime() <= liveWindowMs,
  );
  const expected = { version: target, withinMs: maxPropagationMs };
  const change = ctx.audit.find((e) => e.version === target);
  const changeAt = change?.at ?? (flag.version === target ? flag.updatedAt : undefined);
  const gone = (i: InstanceRow) =>
    changeAt !== undefined &&
    i.lastSeenAt < changeAt &&
    now - i.lastSeenAt.getTime() > 2 * heartbeatIntervalMs;
  const lagging = live.filter((i) => i.loadedVersion < target);
  const presumedGone = lagging.filter(gone);
  const behind = lagging.filter((i) => !gone(i));
  const counted = live.length - presumedGone.length;
  const observed = {
    live: live.length,
    behind: behind.map((i) => ({
      id: i.id,
      loadedVersion: i.loadedVersion,
      lastSeenAt: i.lastSeenAt.toISOString(),
    })),
  };
  if (live.length === 0) {
    return {
      name: 'propagation',
      status: 'SKIP',
      message: `no live instance to check: none sent a heartbeat in the last ${liveWindowMs} ms`,
      expected,
      observed,
    };
  }
  const evidence: AuditQuote[] = change ? [quoteAudit(change)] : [];
  const changeText = change ? `; current version ${target} set ${describeChange(change)}` : '';
  const describeBehind = (i: InstanceRow) => {
    const served = servedAt(ctx.audit, i.loadedVersion);
    if (served.entry && served.entry !== change) evidence.push(quoteAudit(served.entry));
    const silent = changeAt && i.lastSeenAt < changeAt ? ', no heartbeat since the change' : '';
    return `${nameOf(i)} serves ${served.text}, last heartbeat ${formatTime(i.lastSeenAt)}${silent}`;
  };

  if (!ctx.final && behind.length > 0) {
    return {
      name: 'propagation',
      status: 'WARN',
      message: `${behind.length} of ${counted} live instances behind version ${target}: ${behind.map(describeBehind).join('; ')}`,
      expected,
      observed,
      audit: evidence,
    };
  }

  const notes: string[] = live
    .filter((i) => i.state === 'stale' && !presumedGone.includes(i))
    .map((i) => `${nameOf(i)} reports its data stale${i.lastError ? ` (last error: ${i.lastError})` : ''}`);
  for (const i of presumedGone) {
    notes.push(
      `${nameOf(i)} serves version ${i.loadedVersion} but has sent no heartbeat since ${formatTime(i.lastSeenAt)}, before the change, for more than two ${heartbeatIntervalMs} ms heartbeat intervals: presumed gone (stopped without closing)`,
    );
  }
  const firstTarget = ctx.first.flag?.configVersion ?? target;
  for (const instance of live) {
    const before = ctx.first.instances.find((i) => i.id === instance.id);
    if (
      ctx.first !== ctx.last &&
      before &&
      before.loadedVersion < firstTarget &&
      instance.loadedVersion >= target
    ) {
      const served = servedAt(ctx.audit, before.loadedVersion);
      if (served.entry) evidence.push(quoteAudit(served.entry));
      notes.push(
        `${nameOf(instance)} was serving ${served.text} at ${formatTime(ctx.first.at)} and caught up to version ${instance.loadedVersion} by ${formatTime(instance.lastSeenAt)}`,
      );
    }
  }
  const lag = changeAt ? now - changeAt.getTime() : Number.POSITIVE_INFINITY;
  const late = lag > maxPropagationMs ? behind : [];
  for (const i of behind.filter((x) => !late.includes(x))) {
    notes.push(`${describeBehind(i)}; still within the allowed ${maxPropagationMs} ms since the change`);
  }
  if (late.length > 0) {
    const window = ctx.first === ctx.last ? '' : ` after a ${now - ctx.first.at.getTime()} ms settle window`;
    return {
      name: 'propagation',
      status: 'WARN',
      message: `${late.length} of ${counted} live instances still behind version ${target}${window}: ${late.map(describeBehind).join('; ')}${changeText}`,
      expected,
      observed,
      ...(notes.length ? { notes } : {}),
      audit: evidence,
    };
  }
  return {
    name: 'propagation',
    status: counted === 0 ? 'SKIP' : 'PASS',
    message:
      counted === 0
        ? `no live instance to check: every instance that sent a heartbeat is presumed gone`
        : `all ${counted} live instances serve version ${target} or later`,
    expected,
    observed,
    ...(notes.length ? { notes, audit: evidence } : {}),
  };
};
