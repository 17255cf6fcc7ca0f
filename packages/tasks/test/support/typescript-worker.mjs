// Runs the TypeScript worker module named in workerData.module: worker threads start without
// the test runner's TypeScript loader, so this registers tsx first.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
