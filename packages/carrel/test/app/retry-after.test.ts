/**
 * A write whose source is unavailable for a while ends its attempt with a retryable TaskFailure,
 * but no sooner than the `Retry-After` the source gave (capped); a cancel ends that wait at once.
 * Fake timers, so nothing here depends on the clock.
 */
import type { ToolContext } from '@carrel/tasks/mcp';
import { TaskFailure } from '@carrel/tasks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeAnswer } from '../../src/app/tools/tool-result.js';
import type { KnowledgeBaseHandle } from '../../src/app/knowledge-base-handle.js';
import type { KnowledgeBase } from '../../src/knowledge-base.js';
import { SourceUnavailableError } from '../../src/errors.js';

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
