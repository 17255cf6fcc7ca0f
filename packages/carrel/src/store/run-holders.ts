/**
 * Who holds a run: the process writing it, as `host:pid`, and whether that process is gone, so
 * a run no task will resume can be discarded. Shared by every store implementation.
 *
 * @module
 */
import { hostname } from 'node:os';

/** This process, as a run's holder. */
export const THIS_PROCESS = `${hostname()}:${process.pid}`;

/**
 * Whether a run without a task was abandoned: silent since `staleBefore` (its process, wherever it
 * was, died), or held by a process of this host that no longer exists.
 */
export function isAbandoned(run: { holder: string; heartbeatAt: number }, staleBefore: number): boolean {
  const host = `${hostname()}:`;
  return run.heartbeatAt < staleBefore || (run.holder.startsWith(host) && !processExists(Number(run.holder.slice(host.length))));
}

/** Whether a process with this pid exists here (a reused pid counts as existing: the run then waits to go stale). */
function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
