/**
 * Durable workflows: what a workflow is declared as, and how the engine turns one into handlers.
 * A workflow is a task whose steps are its child tasks, started as soon as the steps they come
 * `after` have completed, with those steps' results as input; a fan-out step runs over a list of
 * items in batches, each batch a child task, a bounded number at a time. The workflow's own task
 * (the coordinator, `workflow-run.ts`) is the one clients see, cancel and wait for.
 *
 * Registered through `TaskEngineOptions.workflows` (checked and turned into handlers by
 * `workflow-handlers.ts`): the workflow's name is its coordinator's handler, and each step runs
 * under the handler `<workflow>/<step>`.
 *
 * @module
 */
import type { ChildProgress, TaskContext } from '../handler.js';
import type { TaskProgress } from '../task.js';
import type { Backoff } from './backoff.js';

/** What a step (or a fan-out step's `forEach`) is given. */
export interface WorkflowStepArgs<Input> {
  /** The workflow's input. */
  readonly input: Input;
  /** The results of the steps named in `after`, by step name; a fan-out step's result is the list of its batches' results. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each step's result has its own type; the reader knows it
  readonly results: Readonly<Record<string, any>>;
}

/** What one batch of a fan-out step is given. */
export interface WorkflowBatchArgs<Input, Item> {
  readonly input: Input;
  /** This batch's items: at most `batchSize` of them, in `forEach`'s order. */
  readonly items: Item[];
  /** Which batch, from 0. */
  readonly batch: number;
}

interface StepSettings {
  /** The steps that must complete before this one starts. */
  after?: readonly string[];
  /** Attempts of each child task this step runs (default: the engine's). */
  maxAttempts?: number;
  backoff?: Backoff;
}

/** A step that runs as one child task. */
export interface WorkflowTaskStep<Input> extends StepSettings {
  run(args: WorkflowStepArgs<Input>, ctx: TaskContext): unknown;
  forEach?: undefined;
  runBatch?: undefined;
}

/**
 * A step that runs over a list of items, `batchSize` items per child task (`runBatch`),
 * `parallelism` child tasks at a time. Its result is the list of its batches' results.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- items are whatever forEach lists
export interface WorkflowFanOutStep<Input, Item = any> extends StepSettings {
  /**
   * The items, from the input and earlier results. Runs in the workflow's task, and again after a
   * crash: it must give the same list for the same arguments (no clock, no randomness).
   */
  forEach(args: WorkflowStepArgs<Input>): readonly Item[];
  /** Items per child task (default 1). */
  batchSize?: number;
  /** Child tasks of this step live at once (default 4). */
  parallelism?: number;
  runBatch(args: WorkflowBatchArgs<Input, Item>, ctx: TaskContext): unknown;
  run?: undefined;
}

export type WorkflowStep<Input> = WorkflowTaskStep<Input> | WorkflowFanOutStep<Input>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds workflows of any input
export interface WorkflowDefinition<Input = any> {
  /** The steps by name (letters, digits, `_` and `-`). The workflow's result is every step's result, by step name. */
  steps: Record<string, WorkflowStep<Input>>;
  /**
   * Attempts of the workflow's own task (default: the engine's). A failed step fails the workflow
   * at once, so only a lost worker spends one; the re-run resumes, it does not start over.
   */
  maxAttempts?: number;
  /**
   * How the workflow's progress is made from its own (steps completed of steps planned) and its
   * steps' child tasks (each with its `key`: the step's name, or `step[n]` for a fan-out batch),
   * each time one of them changes. Default: steps completed of planned, with the running step's
   * message. A workflow whose steps count the same items (a sync's discovered and fetched files)
   * can show items instead.
   */
  progress?: (own: TaskProgress | null, steps: readonly ChildProgress[]) => TaskProgress | null;
}

/** Types a workflow's input for its steps; the definition itself is returned unchanged. */
export function defineWorkflow<Input>(definition: WorkflowDefinition<Input>): WorkflowDefinition<Input> {
  return definition;
}

/** The handler a step's child tasks run under. */
export function stepHandlerName(workflow: string, step: string): string {
  return `${workflow}/${step}`;
}

const DEFAULT_PARALLELISM = 4;

/** Batch size and parallelism with their defaults. */
export function fanOutLimits(step: WorkflowFanOutStep<unknown>): { batchSize: number; parallelism: number } {
  return { batchSize: step.batchSize ?? 1, parallelism: step.parallelism ?? DEFAULT_PARALLELISM };
}
