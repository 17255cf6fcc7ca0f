/** A workflow is checked when the engine is made: a mistake in it names the step and what is wrong. */
import { describe, expect, it } from 'vitest';
import { defineWorkflow, InvalidArgumentError, MemoryTaskStore, TaskEngine, type WorkflowDefinition } from '@carrel/tasks';

/** A step's run, for definitions that never run. */
const one = (): number => 1;

const engineWith = (workflows: Record<string, WorkflowDefinition>, handlers = {}) =>
  new TaskEngine({ store: new MemoryTaskStore(), handlers, workflows });

describe('workflow definitions', () => {
  it('registers the workflow under its name and each step under <workflow>/<step>', async () => {
    const engine = engineWith({ sync: defineWorkflow({ steps: { discover: { run: () => [] } } }) });
    await engine.start();
    try {
      const { task } = await engine.create({ handler: 'sync', input: null, owner: 'alice' });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: { discover: [] } });
      await expect(engine.create({ handler: 'sync/discover', input: null, owner: 'alice' })).resolves.toMatchObject({ created: true });
    } finally {
      await engine.stop();
    }
  });

  it.each([
    ['no steps', { steps: {} }, /workflows\.w\.steps: expected an object with at least one step/],
    ['a step after an unknown step', { steps: { a: { after: ['missing'], run: one } } }, /workflows\.w\.steps\.a\.after/],
    ['a step after itself', { steps: { a: { after: ['a'], run: one } } }, /workflows\.w\.steps\.a\.after/],
    [
      'a cycle',
      { steps: { a: { after: ['c'], run: one }, b: { after: ['a'], run: one }, c: { after: ['b'], run: one } } },
      /without a cycle of dependencies \(found a → c → b → a\)/,
    ],
    ['a step name with a slash', { steps: { 'a/b': { run: one } } }, /workflows\.w\.steps\.a\/b: expected a step name/],
    ['a step without run', { steps: { a: {} } }, /workflows\.w\.steps\.a\.run: expected a function/],
    ['a progress that is not a function', { steps: { a: { run: one } }, progress: 'items' }, /workflows\.w\.progress: expected a function/],
    ['a fan-out step without runBatch', { steps: { a: { forEach: () => [] } } }, /workflows\.w\.steps\.a: expected a fan-out step/],
    [
      'a zero parallelism',
      { steps: { a: { forEach: () => [], runBatch: one, parallelism: 0 } } },
      /workflows\.w\.steps\.a\.parallelism: expected a positive integer/,
    ],
  ])('refuses %s', (_, definition, message) => {
    expect(() => engineWith({ w: definition as WorkflowDefinition })).toThrow(InvalidArgumentError);
    expect(() => engineWith({ w: definition as WorkflowDefinition })).toThrow(message);
  });

  it('refuses a workflow or step whose handler name is taken', () => {
    const steps = { fetch: { run: () => 1 } };
    expect(() => engineWith({ sync: { steps } }, { sync: () => 1 })).toThrow(/'sync' is taken/);
    expect(() => engineWith({ sync: { steps } }, { 'sync/fetch': () => 1 })).toThrow(/'sync\/fetch' is taken/);
  });

  it('fails the workflow, without retrying, when a fan-out step cannot list its items', async () => {
    const engine = engineWith({
      w: defineWorkflow({
        steps: {
          list: {
            forEach: () => {
              throw new Error('no such folder');
            },
            runBatch: () => 1,
          },
        },
      }),
    });
    await engine.start();
    try {
      const { task } = await engine.create({ handler: 'w', input: null, owner: 'alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done).toMatchObject({ status: 'failed', attempt: 1 });
      expect(done.outcome).toMatchObject({
        error: { message: "Workflow step 'list' could not list its items: no such folder", data: { step: 'list' } },
      });
    } finally {
      await engine.stop();
    }
  });

  it('fails the workflow naming the step when a step’s input is over the payload limit', async () => {
    const engine = new TaskEngine({
      store: new MemoryTaskStore(),
      handlers: {},
      maxPayloadBytes: 1_000,
      workflows: { w: defineWorkflow({ steps: { big: { run: () => 'x'.repeat(800) }, next: { after: ['big'], run: one } } }) },
    });
    await engine.start();
    try {
      const { task } = await engine.create({ handler: 'w', input: 'y'.repeat(300), owner: 'alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done).toMatchObject({ status: 'failed', attempt: 1 });
      expect(done.outcome).toMatchObject({
        error: {
          code: -32602,
          message: expect.stringMatching(/^Workflow step 'next' could not start: The input is \d+ bytes as JSON; the limit is 1000 bytes$/),
        },
      });
    } finally {
      await engine.stop();
    }
  });
});
