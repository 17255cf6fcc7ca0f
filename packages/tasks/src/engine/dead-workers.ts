/**
 * Telling a dead local worker from a live one without waiting for its lease to run out. A worker
 * id is `<host>:<pid>:<random>` (see `TaskEngine.worker`): a worker on this host whose process no
 * longer exists holds its leases for nothing, and they can be rescued at once. Only used when the
 * engine is told that every process on this host name shares one process table
 * (`rescueDeadLocalWorkers`): containers that share a host name but not a pid namespace would
 * see each other's live workers as dead.
 *
 * A pid reused by an unrelated process looks alive: that worker's leases then expire as usual.
 *
 * @module
 */
import { hostname } from 'node:os';

/** The host and pid a worker id names, or null for an id of another shape. */
export function workerProcess(worker: string): { host: string; pid: number } | null {
  const match = /^(.+):(\d+):[^:]+$/.exec(worker);
  if (!match) return null;
  const pid = Number(match[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { host: match[1]!, pid } : null;
}

/** Whether a process with this pid exists (EPERM: it exists, owned by another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Of `holders`, the workers of this host whose process is gone. */
export function deadLocalWorkers(holders: readonly string[], host = hostname(), exists = processExists): string[] {
  return holders.filter((worker) => {
    const owner = workerProcess(worker);
    return owner !== null && owner.host === host && owner.pid !== process.pid && !exists(owner.pid);
  });
}
