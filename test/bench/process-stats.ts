import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, in seconds (user + system, from /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Waits until the process is idle (below `threshold` of one core over half a second), so that one measurement
 * does not run into the tail of the previous one. Gives up after `maxMs`.
 */
export async function waitForQuiet(pid: number, maxMs = 30_000, threshold = 0.1): Promise<void> {
  const deadline = Date.now() + maxMs;
  let previous = cpuSeconds(pid);
  while (Date.now() < deadline) {
    await sleep(500);
    const current = cpuSeconds(pid);
    if ((current - previous) / 0.5 < threshold) return;
    previous = current;
  }
}

/** CPU milliseconds used between two points in time, by the server, its PostgreSQL backends and the load generators. */
export interface CpuUse {
  serverMs: number;
  /** null on the embedded database: it runs inside the server process, so the server's figure includes it. */
  databaseMs: number | null;
  clientsMs: number;
}

export interface CpuSources {
  serverPid: number;
  /** The PostgreSQL backends serving the bench's database (pg_stat_activity), when it is a server. */
  backendPids?: () => Promise<number[]>;
  clientPids?: number[];
}

const cpuOf = (pid: number): number | undefined => {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined; // Gone meanwhile (a pooled connection closed): its last slice is lost, a slight undercount.
  }
};

/**
 * Starts counting CPU time; the returned function answers what was used since. CPU time barely depends on what
 * else runs on the machine, unlike latency, so it tells what an operation costs even on a busy machine.
 */
export async function startCpuMeter(sources: CpuSources): Promise<() => Promise<CpuUse>> {
  const sum = (pids: number[], base?: Map<number, number>): number =>
    pids.reduce((total, pid) => total + Math.max(0, (cpuOf(pid) ?? base?.get(pid) ?? 0) - (base?.get(pid) ?? 0)), 0);
  const snapshot = (pids: number[]): Map<number, number> => new Map(pids.flatMap((pid) => (cpuOf(pid) === undefined ? [] : [[pid, cpuOf(pid) as number]])));
  const server = cpuSeconds(sources.serverPid);
  const clients = snapshot(sources.clientPids ?? []);
  const backends = sources.backendPids ? snapshot(await sources.backendPids()) : undefined;
  return async () => ({
    serverMs: (cpuSeconds(sources.serverPid) - server) * 1000,
    databaseMs: sources.backendPids && backends ? sum(await sources.backendPids(), backends) * 1000 : null,
    clientsMs: sum(sources.clientPids ?? [], clients) * 1000,
  });
}

/** Per operation, rounded for the report. */
export function cpuPer(use: CpuUse, operations: number): CpuUse {
  const per = (ms: number): number => (operations > 0 ? Math.round((ms / operations) * 1000) / 1000 : Number.NaN);
  return { serverMs: per(use.serverMs), databaseMs: use.databaseMs === null ? null : per(use.databaseMs), clientsMs: per(use.clientsMs) };
}

/** The soft limit on open files of this process (children inherit it). */
export function openFilesLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return !match || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}
