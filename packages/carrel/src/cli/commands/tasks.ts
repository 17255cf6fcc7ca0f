/**
 * `carrel tasks list|show|cancel|watch`: the local user's tasks, the same records `carrel mcp`,
 * `carrel add` and `carrel serve --token` create (one SQLite task store per data dir); `list
 * --all-owners` shows everyone's, anonymous HTTP clients' included. This process runs no task work
 * here: it reads, cancels and follows them.
 *
 * @module
 */
import type { Command } from 'commander';
import { isTerminal, type TaskRecord, type TaskStatus } from '@carrel/tasks';
import { commandContext, withRuntime } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { print } from '../output.js';
import { TaskProgressBar } from '../progress.js';
import { integer } from './parse.js';

const STATUSES: readonly TaskStatus[] = ['working', 'input_required', 'completed', 'failed', 'cancelled'];

/** Adds `tasks` and its subcommands to the program. */
export function register(program: Command): void {
  const tasks = program.command('tasks').description('List, inspect, cancel and follow background tasks');
  tasks
    .command('list')
    .description('List your tasks, newest first')
    .option('-s, --status <status...>', `only these statuses (${STATUSES.join(', ')})`)
    .option('-n, --limit <n>', 'tasks to show', integer('--limit'), 20)
    .option('--cursor <cursor>', 'next page, from a previous list')
    .option('--all-owners', "every owner's tasks, with an owner column (the operator's view of the data dir)")
    .action(async (o: { status?: string[]; limit: number; cursor?: string; allOwners?: boolean }, command: Command) => {
      const { settings, json } = commandContext(command);
      const bad = o.status?.filter((s) => !STATUSES.includes(s as TaskStatus));
      if (bad?.length) throw new CliError(`Unknown status ${bad.join(', ')}: choose from ${STATUSES.join(', ')}`, ExitCode.Usage);
      const request = {
        limit: o.limit,
        ...(o.status && { status: o.status as TaskStatus[] }),
        ...(o.cursor !== undefined && { cursor: o.cursor }),
      };
      const page = await withRuntime(settings, { concurrency: 0 }, ({ engine }) =>
        o.allOwners ? engine.listAcrossOwners(request) : engine.list({ owner: settings.owner, ...request }),
      );
      const tasks = page.tasks.map((t) => (o.allOwners ? { ...view(t), owner: t.owner } : view(t)));
      print({ tasks, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) }, json, (p) =>
        p.tasks.length === 0
          ? 'No tasks.'
          : p.tasks.map((t) => ('owner' in t ? `${line(t)}  ${t.owner}` : line(t))).join('\n') +
            (p.nextCursor ? `\nMore: --cursor ${p.nextCursor}` : ''),
      );
    });
  tasks
    .command('show')
    .description('Show one task, with its result once finished')
    .argument('<id>', 'task id')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const task = await withRuntime(settings, { concurrency: 0 }, ({ engine }) => engine.get(id, settings.owner));
      print(view(task), json, detail);
    });
  tasks
    .command('cancel')
    .description('Cancel a task (work stops between batches)')
    .argument('<id>', 'task id')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const task = await withRuntime(settings, { concurrency: 0 }, ({ engine }) =>
        engine.cancel(id, settings.owner, 'Cancelled with carrel tasks cancel'),
      );
      print(view(task), json, (t) => `Task ${t.id} cancelled.`);
    });
  tasks
    .command('watch')
    .description('Follow a task until it finishes (--json: one line per change)')
    .argument('<id>', 'task id')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const task = await withRuntime(settings, { concurrency: 0 }, async ({ engine }) => {
        const bar = new TaskProgressBar(!json);
        const show = (t: TaskRecord) => (json ? process.stdout.write(`${JSON.stringify(view(t))}\n`) : bar.update(t));
        const unwatch = engine.watch(
          { owner: settings.owner, taskId: id },
          (event) => event.task && !isTerminal(event.task.status) && show(event.task),
        );
        try {
          const current = await engine.get(id, settings.owner);
          if (!isTerminal(current.status)) show(current);
          return await engine.waitForTerminal(id, settings.owner);
        } finally {
          unwatch();
          bar.stop();
        }
      });
      if (json) process.stdout.write(`${JSON.stringify(view(task))}\n`);
      else process.stdout.write(`${detail(view(task))}\n`);
    });
}

/** The fields of a task a person or script cares about. */
function view(task: TaskRecord) {
  const tool = task.handler.replace(/^mcp\.tool:|^cli:/, '');
  return {
    id: task.id,
    tool,
    status: task.status,
    statusMessage: task.statusMessage,
    progress: task.progress,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
    arguments: (task.input as { arguments?: unknown } | null)?.arguments ?? task.input,
    outcome: task.outcome,
  };
}

type TaskView = ReturnType<typeof view>;

function line(t: TaskView): string {
  const progress = t.progress ? ` ${t.progress.current}/${t.progress.total ?? '?'}` : '';
  return `${t.id}  ${t.status.padEnd(10)} ${t.tool}${progress}  ${t.createdAt}`;
}

function detail(t: TaskView): string {
  const lines = [line(t), `arguments: ${JSON.stringify(t.arguments)}`];
  if (t.statusMessage) lines.push(`status: ${t.statusMessage}`);
  if (t.outcome && 'result' in t.outcome) {
    const result = t.outcome.result as { content?: { type: string; text?: string }[] };
    lines.push(...(result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text ?? ''));
  } else if (t.outcome) lines.push(`error: ${t.outcome.error.message}`);
  return lines.join('\n');
}
