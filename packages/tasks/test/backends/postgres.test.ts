/** The shared TaskStore contract, run against PostgreSQL (one fresh schema per test). */
import { describeContract } from '../contract/suite.js';
import { postgresHarness } from '../support/postgres-harness.js';

describeContract(postgresHarness);
