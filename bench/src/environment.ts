/** What the numbers were measured on, printed above the table. */
import os from 'node:os';

/** Lines describing Node, the CPU and the load, with the reminder that ratios are the result. */
export function describeEnvironment(): string[] {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return [
    `node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}`,
    `cpu: ${cpus[0]?.model.trim() ?? 'unknown'} x ${cpus.length}, load average ${load}`,
    `date: ${new Date().toISOString()}`,
    'Ratios measured in the same run are the result; absolute times depend on this machine and its load.',
  ];
}
