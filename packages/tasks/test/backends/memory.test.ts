import { MemoryTaskStore } from '@carrel/tasks';
import { describeContract } from '../contract/suite.js';
import type { BackendHarness } from '../support/harness.js';

/** All engines of one test share one MemoryTaskStore: two engines on it are two nodes in one process. */
const memoryHarness: BackendHarness = {
  name: 'memory',
  async createDatabase() {
    const store = new MemoryTaskStore();
    return { open: async () => store, locator: null, drop: () => store.close() };
  },
};

describeContract(memoryHarness);
