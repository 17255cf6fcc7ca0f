/**
 * `carrel serve`'s Prometheus metrics (prom-client), in a registry of their own:
 *
 * - `carrel_tasks{tool,status}` and `carrel_task_queue_depth{tool}`: every stored task (all owners,
 *   live and retained) counted by the store at scrape time, one grouped query per scrape;
 * - `carrel_task_wait_seconds` and `carrel_task_run_seconds{tool,status}`: histograms of the tasks
 *   this node ran, observed as they finish (wait: first claim − creation; run: finish − first claim);
 * - `carrel_ingest_documents_total`, `carrel_ingest_chunks_total` and `carrel_searches_total{mode}`:
 *   what this node's knowledge base indexed (documents created or updated) and searched;
 * - `carrel_database_size_bytes`: the database holding tasks and the knowledge base.
 *
 * @module
 */
import { isTerminal, type TaskCount, type TaskEngine } from '@carrel/tasks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KnowledgeBaseObserver } from '../knowledge-base.js';
import type { IngestResult } from '../ingest/jobs.js';
import type { SearchResponse } from '../search/search.js';

/** Seconds: from a quick tool call to a long crawl. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** How long one scrape's task counts are reused by the gauges that share them. */
const COUNTS_REUSE_MS = 1_000;

/** The prefix of an MCP tool's task handler (`mcp.tool:<name>`). */
const TOOL_HANDLER_PREFIX = 'mcp.tool:';

/** The `tool` label of a handler: the MCP tool's name, or the handler's own (workflows, `carrel add`). */
export function toolLabel(handler: string): string {
  return handler.startsWith(TOOL_HANDLER_PREFIX) ? handler.slice(TOOL_HANDLER_PREFIX.length) : handler;
}

export class CarrelMetrics implements KnowledgeBaseObserver {
  readonly registry = new Registry();
  readonly #documents = new Counter({
    name: 'carrel_ingest_documents_total',
    help: 'Documents indexed (created or updated) by this node',
    registers: [this.registry],
  });
  readonly #chunks = new Counter({ name: 'carrel_ingest_chunks_total', help: 'Chunks indexed by this node', registers: [this.registry] });
  readonly #searches = new Counter({
    name: 'carrel_searches_total',
    help: 'Searches run by this node, by mode',
    labelNames: ['mode'],
    registers: [this.registry],
  });
  readonly #wait = new Histogram({
    name: 'carrel_task_wait_seconds',
    help: 'Time from creation to first start of the tasks this node ran, observed as they finish',
    labelNames: ['tool', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly #run = new Histogram({
    name: 'carrel_task_run_seconds',
    help: 'Time from first start to finish of the tasks this node ran',
    labelNames: ['tool', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  indexed(result: IngestResult): void {
    this.#documents.inc(result.created + result.updated);
    this.#chunks.inc(result.chunks);
  }

  searched(mode: SearchResponse['mode']): void {
    this.#searches.inc({ mode });
  }

  /**
   * Adds the gauges read from the store and the database at scrape time, and observes the tasks
   * `engine` runs as they finish. Returns a function that stops observing.
   */
  observe(engine: TaskEngine, databaseSize: () => Promise<number>): () => void {
    const counts = reusedFor(COUNTS_REUSE_MS, () => engine.store.countTasks({ owner: null }));
    new Gauge({
      name: 'carrel_tasks',
      help: 'Stored tasks (every owner, live and retained) by tool and status',
      labelNames: ['tool', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { handler, status, count } of await counts()) this.inc({ tool: toolLabel(handler), status }, count);
      },
    });
    new Gauge({
      name: 'carrel_task_queue_depth',
      help: 'Tasks waiting to be started or retried (working, not leased), by tool',
      labelNames: ['tool'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { handler, status, leased, count } of await counts())
          if (status === 'working' && !leased) this.inc({ tool: toolLabel(handler) }, count);
      },
    });
    new Gauge({
      name: 'carrel_database_size_bytes',
      help: 'Size of the database holding the tasks and the knowledge base (SQLite file and its WAL, or the PostgreSQL database)',
      registers: [this.registry],
      async collect() {
        this.set(await databaseSize());
      },
    });
    return engine.store.subscribe((change) => {
      if (change.kind !== 'status' || !isTerminal(change.status)) return;
      void engine.store.get(change.taskId).then(
        (task) => {
          // Every node hears every finish: only the node that ran the task observes it, so a cluster counts it once.
          if (!task || task.node !== engine.worker || task.startedAt === null || task.finishedAt === null) return;
          const labels = { tool: toolLabel(task.handler), status: task.status };
          this.#wait.observe(labels, (task.startedAt - task.createdAt) / 1000);
          this.#run.observe(labels, (task.finishedAt - task.startedAt) / 1000);
        },
        () => undefined,
      );
    });
  }
}

/** `read`, with its answer reused for `ms`: the gauges of one scrape share one query. */
function reusedFor(ms: number, read: () => Promise<TaskCount[]>): () => Promise<TaskCount[]> {
  let last: { at: number; counts: Promise<TaskCount[]> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const counts = read();
      last = { at: now, counts };
      counts.catch(() => (last = undefined));
    }
    return last.counts;
  };
}
