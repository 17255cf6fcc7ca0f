/**
 * A workflow task's steps for the detail page: each step of its definition, the child task that
 * runs it (the newest, for a fan-out step's batches or a step re-run), and what it waits for.
 *
 * @module
 */
import type { TaskRecord, WorkflowDefinition } from '@carrel/tasks';
import type { WorkflowView } from './task-view.js';

/** The steps of `task` if its handler is one of `workflows`, else undefined. */
export function workflowView(
  task: TaskRecord,
  children: readonly TaskRecord[],
  workflows: Readonly<Record<string, WorkflowDefinition>>,
): WorkflowView | undefined {
  const definition = Object.hasOwn(workflows, task.handler) ? workflows[task.handler] : undefined;
  if (!definition) return undefined;
  return {
    steps: Object.entries(definition.steps).map(([name, step]) => {
      const runs = children.filter((child) => child.handler === `${task.handler}/${name}`);
      const newest = runs.reduce<TaskRecord | undefined>((a, b) => (a === undefined || b.seq > a.seq ? b : a), undefined);
      return { name, taskId: newest?.id ?? null, status: newest?.status ?? null, dependsOn: [...(step.after ?? [])] };
    }),
  };
}
