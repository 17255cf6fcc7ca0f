/**
 * A Carrel worker node in its own process, for the scaling curve: runs `noop` tasks from the
 * shared store at the given concurrency, each waiting the given milliseconds (0: none). Over IPC
 * it answers `report` with its CPU time, the number of tasks it has run and the claims it made,
 * and ends on `stop`.
 */
import { TaskEngine } from '@carrel/tasks';
import { processCpuMs } from './cpu.js';
import { openBenchStore, type BenchLocator } from './stores.js';

export type NodeRequest = 'report' | 'stop';
export type NodeMessage = 'ready' | NodeReport;
/** CPU time, tasks run, and the claims this node made (and how many of them found nothing). */
export interface NodeReport {
  cpuMs: number;
  ran: number;
  claims: number;
  emptyClaims: number;
}

const locator = JSON.parse(process.argv[2]!) as BenchLocator;
const concurrency = Number(process.argv[3]);
const workMs = Number(process.argv[4]);
const send = (message: NodeMessage) => process.send!(message);

let ran = 0;
let claims = 0;
let emptyClaims = 0;
const store = await openBenchStore(locator);
// Counted around the store, not inside the engine: a claim that finds nothing is a round trip this node spent for no task.
const claim = store.claim.bind(store);
store.claim = async (args) => {
  const claimed = await claim(args);
  claims++;
  if (claimed.length === 0) emptyClaims++;
  return claimed;
};
const engine = new TaskEngine({
  store,
  concurrency,
  maxLiveTasksPerOwner: null,
  onError: (error) => console.error(error),
  handlers: {
    noop: async () => {
      if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
      ran++;
      return null;
    },
  },
});
await engine.start();
send('ready');
process.on('message', (request: NodeRequest) => {
  if (request === 'report') send({ cpuMs: processCpuMs(), ran, claims, emptyClaims });
  else
    void engine
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0));
});
