/**
 * The coordinator: the handler of a workflow's own task. It starts each step as a keyed child
 * task (`ctx.spawn(…, { key })`) once the steps it comes after have completed, and collects the
 * results. Everything durable lives in the child tasks, so a re-run after a crash is the same
 * code path as the first run: a keyed spawn of a step that already completed returns that child
 * and its stored result at once, a step still live is waited for (the engine's lease rescue runs
 * it again if its worker died too), and only steps never started are started.
 *
 * @module
 */
import { ChildTaskError, JsonRpcCode, TaskEngineError, TaskFailure } from '../errors.js';
import type { ChildProgress, ChildTask, TaskContext } from '../handler.js';
import { isTerminal, type TaskProgress } from '../task.js';
import {
  fanOutLimits,
  stepHandlerName,
  type WorkflowDefinition,
  type WorkflowFanOutStep,
  type WorkflowStep,
  type WorkflowStepArgs,
} from './workflow.js';

/** Runs the workflow to the end; its result is every step's result, by step name. */
export async function runWorkflow(
  name: string,
  definition: WorkflowDefinition,
  input: unknown,
  ctx: TaskContext,
): Promise<Record<string, unknown>> {
  return new WorkflowRun(name, definition, input, ctx).run();
}

/**
 * A workflow's progress: `current` of `total` child tasks done (one per step, one per batch of a
 * fan-out step once its items are known), and the message of the step that reported last.
 */
export function workflowProgress(own: TaskProgress | null, children: readonly ChildProgress[]): TaskProgress | null {
  if (own === null) return null;
  let message: string | undefined;
  for (const { status, progress: p, key } of children) {
    if (!isTerminal(status) && p) message = `${key}: ${p.message ?? `${p.current}${p.total === undefined ? '' : ` of ${p.total}`}`}`;
  }
  return { current: own.current, ...(own.total !== undefined && { total: own.total }), ...(message && { message }) };
}

class WorkflowRun {
  readonly #steps: Record<string, WorkflowStep<unknown>>;
  readonly #results: Record<string, unknown> = {};
  readonly #started = new Map<string, Promise<void>>();
  /** Child tasks planned per step: 1, or a fan-out step's batch count once its items are known. */
  readonly #planned = new Map<string, number>();
  readonly #live = new Set<ChildTask>();
  #done = 0;
  /** The first step failure: once set, no step starts and live ones are cancelled. */
  #failure: TaskFailure | null = null;

  constructor(
    private readonly name: string,
    definition: WorkflowDefinition,
    private readonly input: unknown,
    private readonly ctx: TaskContext,
  ) {
    this.#steps = definition.steps;
    for (const step of Object.keys(this.#steps)) this.#planned.set(step, 1);
  }

  async run(): Promise<Record<string, unknown>> {
    await this.#report();
    try {
      await Promise.all(Object.keys(this.#steps).map((step) => this.#step(step)));
    } catch (error) {
      if (this.#failure === null) throw error;
      await Promise.all([...this.#live].map((child) => child.cancel(`Cancelled: ${this.#failure!.message}`)));
      throw this.#failure;
    }
    return this.#results;
  }

  /** The step's run, started once, after the steps it comes after. */
  #step(step: string): Promise<void> {
    let started = this.#started.get(step);
    if (!started) {
      started = this.#runStep(step);
      this.#started.set(step, started);
    }
    return started;
  }

  async #runStep(step: string): Promise<void> {
    const definition = this.#steps[step]!;
    const after = definition.after ?? [];
    await Promise.all(after.map((dep) => this.#step(dep)));
    const args: WorkflowStepArgs<unknown> = {
      input: this.input,
      results: Object.fromEntries(after.map((dep) => [dep, this.#results[dep]])),
    };
    this.#results[step] =
      definition.forEach === undefined ? await this.#child(step, step, args) : await this.#fanOut(step, definition, args);
  }

  /** Runs the step's items in batches, at most `parallelism` child tasks live at once; the result lists the batches' results in order. */
  async #fanOut(step: string, definition: WorkflowFanOutStep<unknown>, args: WorkflowStepArgs<unknown>): Promise<unknown[]> {
    const { batchSize, parallelism } = fanOutLimits(definition);
    let items: readonly unknown[];
    try {
      items = definition.forEach(args);
      if (!Array.isArray(items)) throw new TypeError(`forEach returned ${typeof items}, not an array`);
    } catch (error) {
      throw this.#fail(step, new TaskFailure(`Workflow step '${step}' could not list its items: ${(error as Error).message}`));
    }
    const batches: unknown[][] = [];
    for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
    this.#planned.set(step, batches.length);
    await this.#report();
    const results = new Array<unknown>(batches.length);
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const batch = next++;
        results[batch] = await this.#child(step, `${step}[${batch}]`, { input: this.input, items: batches[batch], batch });
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelism, batches.length) }, lane));
    return results;
  }

  /** Spawns (or, on a re-run, finds) the child task under `key` and waits for its result. */
  async #child(step: string, key: string, input: unknown): Promise<unknown> {
    if (this.#failure) throw this.#failure;
    let child: ChildTask;
    try {
      child = await this.ctx.spawn(stepHandlerName(this.name, step), input, { key });
    } catch (error) {
      if (!(error instanceof TaskEngineError)) throw error;
      throw this.#fail(step, new TaskFailure(`Workflow step '${step}' could not start: ${error.message}`, { code: error.code }));
    }
    // A step that failed while this spawn was under way has cancelled the others already.
    const failedMeanwhile = this.#failure as TaskFailure | null;
    if (failedMeanwhile) {
      await child.cancel(`Cancelled: ${failedMeanwhile.message}`);
      throw failedMeanwhile;
    }
    this.#live.add(child);
    try {
      const result = await child.result();
      this.#done++;
      await this.#report();
      return result;
    } catch (error) {
      if (!(error instanceof ChildTaskError)) throw error;
      const why = error.error ? `: ${error.error.message}` : '';
      throw this.#fail(
        step,
        new TaskFailure(`Workflow step '${step}' ${error.status}${why}`, {
          code: error.error?.code ?? JsonRpcCode.InternalError,
          // `cause`: the step's own error data, for a caller that turns it back into its error.
          data: { step, taskId: error.taskId, status: error.status, ...(error.error?.data !== undefined && { cause: error.error.data }) },
        }),
      );
    } finally {
      this.#live.delete(child);
    }
  }

  /** Records the first failure, which the workflow fails with; later ones (the cancelled siblings) are dropped. */
  #fail(step: string, failure: TaskFailure): TaskFailure {
    this.#failure ??= new TaskFailure(failure.message, {
      code: failure.code,
      data: failure.data ?? { step },
      // The step's child task already spent its own attempts: running the workflow again would find the same failure.
      retryable: false,
    });
    return this.#failure;
  }

  #report(): Promise<void> {
    let total = 0;
    for (const planned of this.#planned.values()) total += planned;
    return this.ctx.progress(this.#done, total);
  }
}
