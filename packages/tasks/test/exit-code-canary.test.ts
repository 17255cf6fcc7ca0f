/**
 * A test that fails on request, so `.ci/run` can check that a failing test fails the run: a
 * dependency of the test setup once forced exit code 0 when the process ended (see
 * `support/postgres-server.ts`), and CI reported success over failures.
 */
import { expect, it } from 'vitest';

it('fails when CARREL_EXIT_CODE_CANARY is set, and passes otherwise', () => {
  expect(process.env.CARREL_EXIT_CODE_CANARY, 'the canary fails on purpose').toBeUndefined();
});
