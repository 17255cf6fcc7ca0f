/**
 * One carrel process's moving parts: the knowledge base (opened on first use), the durable task
 * store in the same database file (shared by every carrel process on that data dir), and a task
 * engine that can run every carrel tool task. `carrel mcp`, `carrel serve` and the CLI all start
 * here, so a task started by one is seen, cancelled or resumed by any other.
 *
 * Work a task staged but never published is discarded once the task is over: when the knowledge
 * base opens (for tasks that ended while no process had it open) and whenever a task ends or is
 * deleted while it is open.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { isTerminal, TaskEngine, type TaskStore, type WorkflowDefinition } from '@carrel/tasks';
import { toolTaskHandlers, type AnyToolDefinition } from '@carrel/tasks/mcp';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { ADD_HANDLER, addHandler } from './add-handler.js';
import { databasePath } from '../data-dir.js';
import type { KnowledgeBase, KnowledgeBaseObserver } from '../knowledge-base.js';
import { knowledgeBaseOptions, type Settings } from './settings.js';
import { KnowledgeBaseHandle } from './knowledge-base-handle.js';
import { ConnectorScheduler } from './scheduler.js';
import { carrelTools } from './tools/index.js';
import { SYNC_WORKFLOW, syncWorkflow } from './sync-workflow.js';

/** The open parts of a carrel process. */
export interface CarrelRuntime {
  settings: Settings;
  kb: KnowledgeBaseHandle;
  tools: AnyToolDefinition[];
  /** The workflows the engine runs, by name (their tasks' handler). */
  workflows: Readonly<Record<string, WorkflowDefinition>>;
  engine: TaskEngine;
  /** Starts the sync tasks of connector schedules (ticking only with `RuntimeOptions.schedules`). */
  scheduler: ConnectorScheduler;
  /** Stops the engine (running tasks are handed back and resume on the next start), then closes the knowledge base. */
  close(): Promise<void>;
}

/** How much task work this process takes on. */
export interface RuntimeOptions {
  /** Tasks run at once by this process; 0 = read and cancel only (e.g. `carrel tasks list`). Default 2. */
  concurrency?: number;
  /**
   * `any` (servers: `carrel mcp`, `carrel serve`): run every task waiting in the store, including
   * those a dead process left. `assigned` (`carrel add`, `carrel reindex`): run only the task the
   * command started or adopted (`engine.assign`), so a CLI run never takes on other work it would
   * hand back unfinished on exit. Default `any`.
   */
  runs?: 'any' | 'assigned';
  /** Live tasks one owner may have (default 1000). */
  maxLiveTasksPerOwner?: number;
  /** Run connector schedules (servers: `carrel mcp`, `carrel serve`). Default false. */
  schedules?: boolean;
  /** Told what the knowledge base indexes and searches (`carrel serve`'s metrics). */
  observer?: KnowledgeBaseObserver;
}

/** A runtime whose engine has not started: its store may not be migrated yet. */
export interface UnstartedRuntime extends CarrelRuntime {
  /** Migrates the task store and starts the engine; call once. */
  start(): Promise<void>;
}

/** Opens the task store and starts the engine; the knowledge base opens when a tool first needs it. */
export async function openRuntime(settings: Settings, options: RuntimeOptions = {}): Promise<CarrelRuntime> {
  const runtime = await createRuntime(settings, options);
  await runtime.start();
  return runtime;
}

/**
 * The runtime's parts, built but not started: enough to declare an MCP server (`carrel mcp` answers
 * its client's `initialize` while `start()` migrates the store).
 */
export async function createRuntime(settings: Settings, options: RuntimeOptions = {}): Promise<UnstartedRuntime> {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const store = await taskStore(settings);
  const kbOptions = { ...knowledgeBaseOptions(settings), ...(options.observer && { observer: options.observer }) };
  const kb = new KnowledgeBaseHandle(kbOptions, (opened) => discardEnded(opened, store));
  const tools = carrelTools(kb);
  const workflows = { [SYNC_WORKFLOW]: syncWorkflow(kb) };
  // Ingest is one worker thread per process: more than two concurrent tasks only queue behind it.
  const engine = new TaskEngine({
    store,
    handlers: { ...toolTaskHandlers(tools), [ADD_HANDLER]: addHandler(settings) },
    workflows,
    concurrency: options.concurrency ?? 2,
    runs: options.runs ?? 'any',
    ...(options.maxLiveTasksPerOwner !== undefined && { maxLiveTasksPerOwner: options.maxLiveTasksPerOwner }),
    // Every process on a data dir runs on this machine: a task whose process is gone is resumed at
    // once. The nodes of a PostgreSQL cluster may be containers sharing a host name but not a
    // process table, where a live worker would look dead: there, the lease decides.
    rescueDeadLocalWorkers: settings.databaseUrl === undefined,
    leaseMs: settings.taskLeaseMs,
    onError: (e) => console.error('[carrel]', e),
  });
  const scheduler = new ConnectorScheduler({
    kb,
    engine,
    tools,
    owner: settings.owner,
    tickMs: settings.scheduleTickMs,
    onError: (e) => console.error('[carrel]', e),
  });
  let unsubscribe = () => {};
  return {
    settings,
    kb,
    tools,
    workflows,
    engine,
    scheduler,
    start: async () => {
      await engine.start();
      if (options.schedules) scheduler.start();
      unsubscribe = store.subscribe((change) => {
        if (change.kind !== 'deleted' && !isTerminal(change.status)) return;
        void kb
          .ifOpen()
          ?.then((opened) => opened.discardTaskRun(change.taskId))
          .catch(() => undefined);
      });
    },
    close: async () => {
      await scheduler.stop();
      unsubscribe();
      await engine.stop();
      await kb.close();
      await store.close();
    },
  };
}

/**
 * The tasks' store: beside the knowledge base, in the data dir's SQLite file or the PostgreSQL
 * database. The PostgreSQL backend (and `pg`) loads only for a PostgreSQL database: it would add a
 * few hundred milliseconds to every `carrel mcp` start.
 */
export async function taskStore(settings: Settings): Promise<TaskStore> {
  if (settings.databaseUrl === undefined) return new SqliteTaskStore({ path: databasePath(settings.dataDir) });
  const { PostgresTaskStore } = await import('@carrel/tasks/postgres');
  return new PostgresTaskStore({ connectionString: settings.databaseUrl });
}

/** Discards the staged work of tasks that are over or gone. */
async function discardEnded(kb: KnowledgeBase, store: TaskStore): Promise<void> {
  await kb.discardAbandonedRuns(async (taskId) => {
    const task = await store.get(taskId);
    return task !== null && !isTerminal(task.status);
  });
}
