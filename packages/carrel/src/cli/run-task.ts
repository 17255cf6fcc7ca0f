/**
 * Runs a carrel tool as a durable task from the CLI: the arguments are checked with the tool's own
 * schema, the task is stored under a unique key made of the command and its arguments (so a run
 * killed mid-way is continued by the next run of the same command, or by a `carrel mcp` or `serve`
 * on the data dir), this process's engine works that task and no other, a progress bar follows the record, and Ctrl-C cancels the
 * task (work stops between batches; finished documents stay). A task that asks for input (a token)
 * is cancelled with a message quoting the request: there is no one to answer it here. Resolves with
 * the tool's result.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { outstandingInputKeys, type TaskRecord } from '@carrel/tasks';
import { toolHandlerName, toolUniqueKey, type ToolTaskInput } from '@carrel/tasks/mcp';
import type { CarrelRuntime } from '../app/runtime.js';
import { type Fix, withFix } from '../fix.js';
import { CliError, ExitCode, exitCodeForKind } from './errors.js';
import { cliFix } from './fix.js';
import { notice } from './output.js';
import { TaskProgressBar } from './progress.js';

const DAY_MS = 24 * 3_600_000;

/**
 * Starts `toolName` with `args` as a task of the local user and waits for its outcome. `handler`
 * runs it under another registered handler name that takes the same arguments (`carrel add`);
 * `inputHint` says how to give from the command line what the task would ask for.
 */
export async function runToolTask(
  runtime: CarrelRuntime,
  toolName: string,
  args: Record<string, unknown>,
  { json, handler, inputHint }: { json: boolean; handler?: string; inputHint?: string },
): Promise<CallToolResult> {
  const { engine, settings } = runtime;
  const tool = runtime.tools.find((t) => t.name === toolName);
  if (!tool) throw new Error(`No tool named ${toolName}`);
  const checked = await tool.inputSchema['~standard'].validate(args);
  if (checked.issues) {
    const detail = checked.issues
      .map((i) => `${(i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.') || 'arguments'}: ${i.message}`)
      .join('; ');
    throw new CliError(`Invalid arguments: ${detail}`, ExitCode.Usage);
  }
  const input: ToolTaskInput = { arguments: checked.value, answers: {} };
  const handlerName = handler ?? toolHandlerName(toolName);
  // One live task per command and arguments (or per what the tool says makes two calls the same
  // work, so a sync started here and one started by an MCP client are one task): a run whose
  // process died is continued, not repeated.
  const uniqueKey =
    (handler === undefined ? toolUniqueKey(tool, checked.value) : undefined) ??
    `cli:${createHash('sha256')
      .update(JSON.stringify([handlerName, checked.value]))
      .digest('base64url')}`;
  const { task, created } = await engine.create({ handler: handlerName, input, owner: settings.owner, ttlMs: DAY_MS, uniqueKey });
  await engine.assign(task.id, settings.owner);
  const bar = new TaskProgressBar(!json);
  let asked: string | undefined;
  const unwatch = engine.watch({ owner: settings.owner, taskId: task.id }, (event) => {
    if (!event.task) return;
    bar.update(event.task);
    if (event.task.status !== 'input_required' || asked !== undefined) return;
    asked = requestMessage(event.task);
    void engine.cancel(task.id, settings.owner, 'It asks for input the command line cannot give').catch(() => undefined);
  });
  const cancel = () => void engine.cancel(task.id, settings.owner, 'Cancelled with Ctrl-C').catch(() => undefined);
  process.once('SIGINT', cancel);
  if (!json)
    notice(
      created
        ? `Task ${task.id} started; Ctrl-C cancels it.`
        : `Task ${task.id} continued (an earlier run of the same command did not finish); Ctrl-C cancels it.`,
    );
  let final: TaskRecord;
  try {
    final = await engine.waitForTerminal(task.id, settings.owner);
  } finally {
    process.off('SIGINT', cancel);
    unwatch();
    bar.stop();
  }
  if (asked !== undefined && final.status === 'cancelled')
    throw new CliError(
      `Task ${task.id} asked for input the command line cannot give, so it was cancelled: ${asked}${inputHint ? `\n${inputHint}` : ''}`,
      ExitCode.TaskFailed,
    );
  return toolOutcome(final);
}

/** The message of the task's first outstanding input request (an elicitation's `params.message`). */
function requestMessage(task: TaskRecord): string {
  const key = outstandingInputKeys(task)[0];
  const request = key === undefined ? undefined : (task.inputRequests[key]?.request as { params?: { message?: unknown } } | undefined);
  return typeof request?.params?.message === 'string' ? request.params.message : 'an input request';
}

/** The tool result of a finished task; a cancelled, failed or `isError` outcome becomes a CliError. */
export function toolOutcome(task: TaskRecord): CallToolResult {
  if (task.status === 'cancelled')
    throw new CliError(`Task ${task.id} was cancelled; documents finished before the cancel are kept`, ExitCode.Cancelled);
  const outcome = task.outcome;
  if (!outcome) throw new CliError(`Task ${task.id} is still ${task.status}`, ExitCode.TaskFailed);
  if ('error' in outcome) throw new CliError(`Task ${task.id} failed: ${outcome.error.message}`, ExitCode.TaskFailed);
  const result = outcome.result as CallToolResult;
  if (result.isError) {
    const error = (result.structuredContent as { error?: { kind?: string; message?: string; problem?: string; fix?: Fix } } | undefined)
      ?.error;
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    // The tool's text names the fix as a tool call; a person at the terminal gets it as a command.
    const message = error?.problem !== undefined ? withFix(error.problem, error.fix, cliFix) : (error?.message ?? text);
    throw new CliError(message, exitCodeForKind(error?.kind ?? ''));
  }
  return result;
}
