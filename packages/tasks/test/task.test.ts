import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, statusesLeadingTo, TASK_STATUSES, type TaskStatus } from '@carrel/tasks';

const LEGAL: Array<[TaskStatus, TaskStatus]> = [
  ['working', 'input_required'],
  ['working', 'completed'],
  ['working', 'failed'],
  ['working', 'cancelled'],
  ['input_required', 'working'],
  ['input_required', 'completed'],
  ['input_required', 'failed'],
  ['input_required', 'cancelled'],
];

describe('task state machine', () => {
  it('allows exactly the moves of the MCP task lifecycle', () => {
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) {
        const legal = LEGAL.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(legal);
      }
    }
  });

  it('treats completed, failed and cancelled as terminal, and nothing leaves them', () => {
    expect(TASK_STATUSES.filter(isTerminal)).toEqual(['completed', 'failed', 'cancelled']);
    for (const terminal of ['completed', 'failed', 'cancelled'] as const) {
      expect(TASK_STATUSES.filter((to) => canTransition(terminal, to))).toEqual([]);
    }
  });

  it('derives compare-and-set guards from the same table', () => {
    expect(statusesLeadingTo('cancelled')).toEqual(['working', 'input_required']);
    expect(statusesLeadingTo('working')).toEqual(['input_required']);
    expect(statusesLeadingTo('input_required')).toEqual(['working']);
  });
});
