/**
 * One carrel process's moving parts: the knowledge base (opened on first use), the durable task
 * store in the same data dir (`tasks.db`, SQLite, shared by every carrel process on that dir), and a
 * task engine that can run every carrel tool task. `carrel mcp`, `carrel serve` and the CLI all
 * start here, so a task started by one is seen, cancelled or resumed by any other.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TaskEngine } from '@carrel/tasks';
import { toolTaskHandlers, type AnyToolDefinition } from '@carrel/tasks/mcp';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { ADD_HANDLER, addHandler } from './add-handler.js';
import { knowledgeBaseOptions, type Settings } from './settings.js';
import { KnowledgeBaseHandle } from './knowledge-base-handle.js';
import { carrelTools } from './tools/index.js';

/** The open parts of a carrel process. */
export interface CarrelRuntime {
  settings: Settings;
  kb: KnowledgeBaseHandle;
  tools: AnyToolDefinition[];
  engine: TaskEngine;
  /** Stops the engine (running tasks are handed back and resume on the next start), then closes the knowledge base. */
  close(): Promise<void>;
}

/** How much task work this process takes on. */
export interface RuntimeOptions {
  /** Tasks run at once by this process; 0 = read and cancel only (e.g. `carrel tasks list`). Default 2. */
  concurrency?: number;
}

/** Opens the task store and starts the engine; the knowledge base opens when a tool first needs it. */
export async function openRuntime(settings: Settings, options: RuntimeOptions = {}): Promise<CarrelRuntime> {
  mkdirSync(settings.dataDir, { recursive: true });
  const kb = new KnowledgeBaseHandle(knowledgeBaseOptions(settings));
  const tools = carrelTools(kb);
  const store = new SqliteTaskStore({ path: join(settings.dataDir, 'tasks.db') });
  // Ingest is one worker thread per process: more than two concurrent tasks only queue behind it.
  const engine = new TaskEngine({
    store,
    handlers: { ...toolTaskHandlers(tools), [ADD_HANDLER]: addHandler(settings) },
    concurrency: options.concurrency ?? 2,
    leaseMs: settings.taskLeaseMs,
    onError: (e) => console.error('[carrel]', e),
  });
  await engine.start();
  return {
    settings,
    kb,
    tools,
    engine,
    close: async () => {
      await engine.stop();
      await kb.close();
      await store.close();
    },
  };
}
