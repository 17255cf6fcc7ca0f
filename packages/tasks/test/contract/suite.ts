/**
 * The contract every backend passes: one suite, run once per backend (memory, SQLite,
 * PostgreSQL). Backend-specific behaviour (migrations, cross-process feeds) is tested beside
 * each backend; this file states what the engine promises on all of them.
 */
import { describe } from 'vitest';
import type { BackendHarness } from '../support/harness.js';
import { cancelContract } from './cancel.js';
import { childrenContract } from './children.js';
import { completionContract } from './completion.js';
import { crashContract } from './crash.js';
import { useContractFixture } from './fixture.js';
import { inputContract } from './input.js';
import { lifecycleContract } from './lifecycle.js';
import { listFiltersContract } from './list-filters.js';
import { ownersContract } from './owners.js';
import { paginationContract } from './pagination.js';
import { queueStatsContract } from './queue-stats.js';
import { rateContract } from './rate.js';
import { retryContract } from './retry.js';
import { retryTaskContract } from './retry-task.js';
import { timingContract } from './timing.js';
import { ttlContract } from './ttl.js';
import { uniquenessContract } from './uniqueness.js';
import { validationContract } from './validation.js';
import { workflowsContract } from './workflows.js';

export function describeContract(harness: BackendHarness): void {
  describe(`TaskStore contract: ${harness.name}`, () => {
    const fixture = useContractFixture(harness);
    lifecycleContract(fixture);
    cancelContract(fixture);
    retryContract(fixture);
    uniquenessContract(fixture);
    inputContract(fixture);
    crashContract(fixture);
    ttlContract(fixture);
    ownersContract(fixture);
    paginationContract(fixture);
    validationContract(fixture);
    childrenContract(fixture);
    completionContract(fixture);
    workflowsContract(fixture);
    rateContract(fixture);
    timingContract(fixture);
    listFiltersContract(fixture);
    retryTaskContract(fixture);
    queueStatsContract(fixture);
  });
}
