/**
 * A write whose source is unavailable for a while ends its attempt with a retryable TaskFailure,
 * but no sooner than the `Retry-After` the source gave (capped); a cancel ends that wait at once.
 * A store that stayed locked, or a database that is away (restarting), is retried as well, keeping
 * what the attempt staged; an error the model reads ends the task and discards it.
 * Fake timers, so nothing here depends on the clock.
 */
import type { ToolContext } from '@carrel/tasks/mcp';
import { TaskFailure } from '@carrel/tasks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeAnswer } from '../../src/app/tools/tool-result.js';
import type { KnowledgeBaseHandle } from '../../src/app/knowledge-base-handle.js';
import type { KnowledgeBase } from '../../src/knowledge-base.js';
import { DatabaseUnavailableError, NotFoundError, SourceUnavailableError, StoreBusyError } from '../../src/errors.js';

afterEach(() => {
  vi.useRealTimers();
});

function context(signal: AbortSignal): ToolContext {
  return {
    signal,
    taskId: 'task-1',
    owner: 'o',
    completion: null,
    spawn: null,
    progress: async () => undefined,
    requestInput: async () => undefined as never,
  };
}

const kb = { get: async () => ({ discardTaskRun: async () => false }) as unknown as KnowledgeBase } as unknown as KnowledgeBaseHandle;

describe('a source unavailable for a while', () => {
  it('is retried no sooner than its Retry-After', async () => {
    vi.useFakeTimers();
    let settled = false;
    const attempt = writeAnswer(context(new AbortController().signal), kb, async () => {
      throw new SourceUnavailableError('https://example.com', '503 Service Unavailable', 30_000);
    }).finally(() => (settled = true));
    attempt.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(attempt).rejects.toSatisfy((e) => e instanceof TaskFailure && e.retryable);
  });

  it('stops waiting when the task is cancelled', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const attempt = writeAnswer(context(controller.signal), kb, async () => {
      throw new SourceUnavailableError('https://example.com', '429 Too Many Requests', 60_000);
    });
    attempt.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await expect(attempt).rejects.toBeInstanceOf(TaskFailure);
  });
});

describe('a store that cannot be written for a moment', () => {
  const counting = () => {
    const discarded: string[] = [];
    const handle = {
      get: async () => ({ discardTaskRun: async (id: string) => (discarded.push(id), true) }) as unknown as KnowledgeBase,
    } as unknown as KnowledgeBaseHandle;
    return { handle, discarded };
  };

  it.each([
    ['a database that is away', new DatabaseUnavailableError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))],
    ['a write lock held too long', new StoreBusyError(5000)],
  ])('is retried, keeping what was staged: %s', async (_, error) => {
    const { handle, discarded } = counting();
    const attempt = writeAnswer(context(new AbortController().signal), handle, async () => {
      throw error;
    });
    await expect(attempt).rejects.toSatisfy((e) => e instanceof TaskFailure && e.retryable && e.message === error.message);
    expect(discarded).toEqual([]);
  });

  it('is not confused with an error the model reads, which ends the task and discards its run', async () => {
    const { handle, discarded } = counting();
    const answered = await writeAnswer(context(new AbortController().signal), handle, async () => {
      throw new NotFoundError('Library', 'gone');
    });
    expect(answered.isError).toBe(true);
    expect(discarded).toEqual(['task-1']);
  });
});
