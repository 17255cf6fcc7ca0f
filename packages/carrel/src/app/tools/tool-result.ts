/**
 * How carrel's tools answer. Successful calls carry a short text for the model and the same data
 * as `structuredContent`. Expected knowledge-base conditions (a missing file, a path outside the
 * allowed roots, an unknown document) become `isError` results the model can read and act on
 * (spec 2025-11-25, "Error Handling"), in this one place; anything else propagates to the MCP
 * layer, which answers it as a JSON-RPC error.
 *
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ToolContext } from '@carrel/tasks/mcp';
import { TaskFailure } from '@carrel/tasks';
import { DatabaseUnavailableError, KnowledgeBaseError, SourceUnavailableError, StoreBusyError } from '../../errors.js';
import { withFix } from '../../fix.js';
import type { IngestResult } from '../../ingest/jobs.js';
import type { RunOptions } from '../../ingest/worker-client.js';
import type { KnowledgeBase } from '../../knowledge-base.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { summarizeIngest } from '../render.js';
import { toolFix } from './tool-fix.js';

/** A successful result: text for the model, the data for programs. */
export function dataResult(text: string, data: object): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
}

/** Runs a tool body, turning expected knowledge-base errors into tool errors. A cancelled call stays a cancellation. */
export async function answer(ctx: ToolContext, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof KnowledgeBaseError)) throw error;
    // The text names the fix as a tool call; `problem` and `fix` let the CLI, which runs the same
    // tools as tasks, name it as a command instead.
    const text = withFix(error.problem, error.fix, toolFix);
    return {
      content: [{ type: 'text', text }],
      structuredContent: {
        error: {
          kind: error.kind,
          code: error.code,
          message: text,
          problem: error.problem,
          ...(error.fix && { fix: error.fix }),
          ...(error.data && { data: error.data }),
        },
      },
      isError: true,
    };
  }
}

/**
 * Runs a knowledge-base write for a tool call and answers with its summary. The write is told the
 * task it works for: a re-run of the task (after a crash) resumes what was already staged, and the
 * task's completion with this very answer commits in the transaction that publishes the write, so a
 * cancel either comes first and nothing is published, or comes after and finds the task completed.
 * When the task ends without the write being published (cancelled, failed), the staged work is
 * discarded at once rather than left for the next start; a task only handed back (server shutdown,
 * lease taken over) keeps it for whoever resumes the task.
 */
export async function writeAnswer(
  ctx: ToolContext,
  kb: KnowledgeBaseHandle,
  write: (base: KnowledgeBase, run: RunOptions) => Promise<IngestResult>,
): Promise<CallToolResult> {
  const base = await kb.get();
  const render = (result: IngestResult) => dataResult(summarizeIngest(result, toolFix), result);
  const { completion } = ctx;
  const { settled, ...progress } = forwardProgress(ctx);
  // The last progress reports are written before the completion commits: once the task is
  // completed, a report still on its way is refused, and the finished task would show none.
  const complete =
    completion &&
    (async (result: IngestResult) => {
      await settled();
      return completion(render(result));
    });
  const run: RunOptions = {
    ...progress,
    ...(ctx.taskId !== null && { task: { id: ctx.taskId, ...(complete && { complete }) } }),
  };
  const discard = async () => {
    if (ctx.taskId !== null) await base.discardTaskRun(ctx.taskId).catch(() => undefined);
  };
  let answered: CallToolResult;
  try {
    answered = await answer(ctx, async () => {
      try {
        return render(await write(base, run));
      } catch (error) {
        // The task is tried again (and resumes what it staged) after a passing failure.
        throw await asRetry(error, ctx.signal);
      }
    });
  } catch (error) {
    if (!(error instanceof TaskFailure && error.retryable) && !handedBack(ctx.signal)) await discard();
    throw error;
  }
  // An error the model reads ends the task: what the write staged will never be published.
  if (answered.isError) await discard();
  return answered;
}

/**
 * A lock held too long, a database restarting, or a source unavailable for a while, as a failure
 * the engine tries again, no sooner than the source asked; any other error as it is.
 */
export async function asRetry(error: unknown, signal: AbortSignal): Promise<unknown> {
  if (error instanceof SourceUnavailableError) await retryAfter(error, signal);
  if (error instanceof StoreBusyError || error instanceof DatabaseUnavailableError || error instanceof SourceUnavailableError)
    return new TaskFailure(error.message, { retryable: true });
  return error;
}

/** Longest wait a source may ask for before the retry is scheduled. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Waits out a source's `Retry-After` (capped) before the task is handed to the engine's backoff,
 * which then adds its own delay: the retry comes no sooner than the source asked. A cancel ends the wait.
 */
async function retryAfter(error: SourceUnavailableError, signal: AbortSignal): Promise<void> {
  const ms = Math.min(Number(error.data?.retryAfterMs ?? 0), MAX_RETRY_AFTER_MS);
  if (!(ms > 0) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Whether the task was stopped only to run again elsewhere or later. */
function handedBack(signal: AbortSignal): boolean {
  const reason = (signal.reason as { reason?: unknown } | undefined)?.reason;
  return signal.aborted && (reason === 'shutdown' || reason === 'lease_lost');
}

/**
 * The progress callback of a knowledge-base run, forwarded to the task. Reports are written in
 * order, one at a time; a report that cannot be written is dropped, never fatal to the work.
 * `settled` resolves once every report made so far is written.
 */
export function forwardProgress(ctx: Pick<ToolContext, 'signal' | 'progress'>): {
  signal: AbortSignal;
  onProgress: (current: number, total: number, message: string) => void;
  settled: () => Promise<void>;
} {
  let last = Promise.resolve();
  return {
    signal: ctx.signal,
    onProgress: (current, total, message) => {
      last = last.then(() => ctx.progress(current, total, message)).catch(() => undefined);
    },
    settled: () => last,
  };
}
