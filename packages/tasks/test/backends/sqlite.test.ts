import { describeContract } from '../contract/suite.js';
import { sqliteHarness } from '../support/sqlite-harness.js';

describeContract(sqliteHarness);
