/**
 * CPU time spent by the PostgreSQL server, read from /proc (Linux): the postmaster and every
 * backend it forked, including backends that have exited (their time is added to the
 * postmaster's children's time when it reaps them). Only this server's processes count, so
 * other PostgreSQL servers on the machine do not.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process exited meanwhile
  }
}

// Indexes into statFields: state is field 3 of stat(5), so field k is at k - 3.
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const CUTIME = 13;
const CSTIME = 14;

/** Returns a function giving the server's CPU milliseconds so far; `pool` reaches the server. */
export async function postgresCpuClock(pool: pg.Pool): Promise<() => number> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = Number(statFields(rows[0]!.pid)![PPID]);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return () => {
    const own = statFields(postmaster)!;
    let ticks = Number(own[UTIME]) + Number(own[STIME]) + Number(own[CUTIME]) + Number(own[CSTIME]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(entry);
      if (fields && Number(fields[PPID]) === postmaster) ticks += Number(fields[UTIME]) + Number(fields[STIME]);
    }
    return ms(ticks);
  };
}

/** This process's CPU milliseconds so far (user + system). */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
