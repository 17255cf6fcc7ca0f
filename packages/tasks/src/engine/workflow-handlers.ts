/**
 * Turns the workflows given to the engine into handlers, after checking them: the workflow's name
 * runs its coordinator (`workflow-run.ts`), `<workflow>/<step>` runs a step's child tasks.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { AnyTaskHandler, TaskContext } from '../handler.js';
import { fanOutLimits, stepHandlerName, type WorkflowDefinition } from './workflow.js';
import { runWorkflow, workflowProgress } from './workflow-run.js';

const STEP_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Checks every workflow and returns the handlers that run them: each coordinator and each step. */
export function workflowHandlers(workflows: Record<string, WorkflowDefinition>): Array<[string, AnyTaskHandler]> {
  const handlers: Array<[string, AnyTaskHandler]> = [];
  for (const [name, definition] of Object.entries(workflows)) {
    assertWorkflow(name, definition);
    handlers.push([
      name,
      {
        run: (input: unknown, ctx: TaskContext) => runWorkflow(name, definition, input, ctx),
        rollUp: definition.progress ?? workflowProgress,
        ...(definition.maxAttempts !== undefined && { maxAttempts: definition.maxAttempts }),
      },
    ]);
    for (const [stepName, step] of Object.entries(definition.steps)) {
      handlers.push([
        stepHandlerName(name, stepName),
        {
          run: step.forEach === undefined ? step.run : step.runBatch,
          ...(step.maxAttempts !== undefined && { maxAttempts: step.maxAttempts }),
          ...(step.backoff !== undefined && { backoff: step.backoff }),
        },
      ]);
    }
  }
  return handlers;
}

function assertWorkflow(name: string, definition: WorkflowDefinition): void {
  const at = `workflows.${name}`;
  const steps = definition?.steps;
  if (typeof steps !== 'object' || steps === null || Object.keys(steps).length === 0)
    throw new InvalidArgumentError(`${at}.steps`, 'an object with at least one step');
  for (const [stepName, step] of Object.entries(steps)) {
    const here = `${at}.steps.${stepName}`;
    if (!STEP_NAME.test(stepName)) throw new InvalidArgumentError(here, 'a step name of 1 to 100 letters, digits, _ or -');
    const fanOut = step?.forEach !== undefined;
    if (fanOut && (typeof step.forEach !== 'function' || typeof step.runBatch !== 'function' || step.run !== undefined))
      throw new InvalidArgumentError(here, 'a fan-out step: forEach and runBatch functions, no run');
    if (!fanOut && typeof step?.run !== 'function')
      throw new InvalidArgumentError(`${here}.run`, 'a function (or forEach and runBatch for a fan-out step)');
    const after = step.after ?? [];
    if (!Array.isArray(after) || !after.every((dep) => typeof dep === 'string' && Object.hasOwn(steps, dep) && dep !== stepName))
      throw new InvalidArgumentError(`${here}.after`, 'a list of the names of other steps of this workflow');
    if (fanOut) {
      const { batchSize, parallelism } = fanOutLimits(step);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`${here}.batchSize`, 'a positive integer');
      if (!Number.isInteger(parallelism) || parallelism < 1) throw new InvalidArgumentError(`${here}.parallelism`, 'a positive integer');
    }
  }
  if (definition.progress !== undefined && typeof definition.progress !== 'function')
    throw new InvalidArgumentError(`${at}.progress`, 'a function');
  const cycle = findCycle(steps);
  if (cycle) throw new InvalidArgumentError(`${at}.steps`, `steps without a cycle of dependencies (found ${cycle.join(' → ')})`);
}

/** A dependency cycle as the step names along it, or null. */
function findCycle(steps: Record<string, { after?: readonly string[] }>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (step: string): string[] | null => {
    if (state.get(step) === 'done') return null;
    if (state.get(step) === 'visiting') return [...path.slice(path.indexOf(step)), step];
    state.set(step, 'visiting');
    path.push(step);
    for (const dep of steps[step]?.after ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(step, 'done');
    return null;
  };
  for (const step of Object.keys(steps)) {
    const found = visit(step);
    if (found) return found;
  }
  return null;
}
