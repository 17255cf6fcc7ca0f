import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { tempDir } from '../support/temp-dir.js';

// A small labelled corpus about an imaginary job-queue product; queries are phrased the way a
// user would ask, not copied from the text.
const DOCS: Record<string, string> = {
  install:
    '# Installation\n\nInstall the package with npm install quill-queue. Node 20 or newer is required. The native SQLite driver is built during installation; on Alpine add python3 and make first.',
  quickstart:
    '# Quick start\n\nCreate a queue, add a job with queue.add(name, payload), and start a worker with queue.process(handler). The worker picks up jobs as soon as they are added.',
  retries:
    '# Retries\n\nA failed job is retried up to maxAttempts times. Between attempts the delay grows with exponential backoff plus jitter, so a flaky dependency is not hammered.',
  cancel:
    '# Cancelling jobs\n\nCall job.cancel() to stop a job. A running handler sees its AbortSignal fire and should stop at the next safe point; a queued job is removed at once.',
  priorities:
    '# Priorities\n\nJobs carry a priority from 1 (highest) to 10. Workers always claim the highest priority job first; equal priorities run in the order they were added.',
  cron: '# Scheduled jobs\n\nUse queue.schedule(cron, name) to run a job on a timetable, for example every night at 02:00. Schedules survive restarts because they are stored in the database.',
  concurrency:
    '# Concurrency\n\nA worker runs up to `concurrency` handlers at the same time. Raise it for I/O-bound jobs, keep it near the number of CPU cores for CPU-bound work.',
  postgres:
    '# PostgreSQL backend\n\nPoint the queue at PostgreSQL with a connection string. Workers claim jobs with FOR UPDATE SKIP LOCKED and wake up through LISTEN/NOTIFY instead of polling.',
  sqlite:
    '# SQLite backend\n\nThe default store is a single SQLite file in WAL mode. Several processes can share it; writers wait for each other with a busy timeout.',
  dashboard:
    '# Dashboard\n\nRun quill dashboard to open a web page listing queues, running jobs, failures and throughput charts. It binds to localhost by default.',
  metrics:
    '# Metrics\n\nThe queue exports Prometheus counters: jobs completed, jobs failed, and a histogram of job duration. Scrape them from /metrics.',
  logging:
    '# Logging\n\nLogs are structured JSON lines. Set QUILL_LOG_LEVEL to debug to see every claim and completion; secrets in payloads are redacted.',
  ttl: '# Expiry\n\nFinished jobs are deleted after their time-to-live, 24 hours unless configured. Set ttl: null to keep a job forever for auditing.',
  rate: '# Rate limiting\n\nLimit how many jobs of one name start per second with rateLimit: { max, duration }. Extra jobs wait in the queue rather than failing.',
  unique:
    '# Unique jobs\n\nGive a job a uniqueKey and a second add with the same key returns the existing job instead of creating a duplicate, within the uniqueness window.',
  progress:
    '# Progress\n\nHandlers report progress with job.progress(current, total). Clients watching the job receive each update as an event.',
  errors:
    '# Error handling\n\nThrow a NonRetryableError to fail a job at once without using its remaining attempts. Any other exception counts as a failed attempt.',
  shutdown:
    '# Graceful shutdown\n\nOn SIGTERM the worker stops claiming new jobs, waits for running handlers up to a grace period, then releases their leases so another worker resumes them.',
  upgrade:
    '# Upgrading\n\nVersion 3 renames queue.add options and moves migrations into numbered SQL files. Run quill migrate before starting workers on the new version.',
  security:
    '# Security\n\nPayloads are stored as JSON. Do not put credentials in them; pass a reference and resolve it in the handler. The dashboard has no authentication, so keep it on localhost.',
};

const QUERIES: { q: string; relevant: string[] }[] = [
  { q: 'how do I install it', relevant: ['install'] },
  { q: 'backoff between failed attempts', relevant: ['retries'] },
  { q: 'stop a running job', relevant: ['cancel', 'shutdown'] },
  { q: 'which job runs first when several are waiting', relevant: ['priorities'] },
  { q: 'run a job every night', relevant: ['cron'] },
  { q: 'how many handlers at the same time', relevant: ['concurrency'] },
  { q: 'use postgres instead of sqlite', relevant: ['postgres'] },
  { q: 'prometheus metrics endpoint', relevant: ['metrics'] },
  { q: 'keep finished jobs forever', relevant: ['ttl'] },
  { q: 'avoid duplicate jobs with the same key', relevant: ['unique'] },
  { q: 'report progress from a handler', relevant: ['progress'] },
  { q: 'fail without retrying', relevant: ['errors', 'retries'] },
  { q: 'SIGTERM graceful shutdown', relevant: ['shutdown'] },
  { q: 'migrate to version 3', relevant: ['upgrade'] },
  { q: 'is the dashboard authenticated', relevant: ['dashboard', 'security'] },
];

async function evaluate(kb: KnowledgeBase, ids: Map<number, string>): Promise<{ mrr: number; recall5: number }> {
  let rr = 0;
  let recall = 0;
  for (const { q, relevant } of QUERIES) {
    const { results } = await kb.search({ query: q, limit: 10 });
    const ranked = [...new Set(results.map((r) => ids.get(r.documentId)!))];
    const first = ranked.findIndex((id) => relevant.includes(id));
    rr += first >= 0 ? 1 / (first + 1) : 0;
    recall += relevant.filter((id) => ranked.slice(0, 5).includes(id)).length / relevant.length;
  }
  return { mrr: rr / QUERIES.length, recall5: recall / QUERIES.length };
}

async function build(embedder: 'offline' | 'none'): Promise<{ kb: KnowledgeBase; ids: Map<number, string> }> {
  const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: embedder } });
  const ids = new Map<number, string>();
  for (const [id, content] of Object.entries(DOCS)) {
    const r = await kb.ingestContent({ library: 'quill', content, source: id });
    ids.set(r.documents[0]!.documentId!, id);
  }
  return { kb, ids };
}

describe('retrieval quality on a labelled corpus', () => {
  let hybrid: Awaited<ReturnType<typeof build>>;
  let bm25: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    [hybrid, bm25] = await Promise.all([build('offline'), build('none')]);
  });
  afterAll(async () => {
    await Promise.all([hybrid.kb.close(), bm25.kb.close()]);
  });

  it('ranks a relevant document first for most queries (MRR) and finds them in the top 5 (recall@5)', async () => {
    const h = await evaluate(hybrid.kb, hybrid.ids);
    const b = await evaluate(bm25.kb, bm25.ids);
    console.log(
      `retrieval: hybrid (offline embedder + BM25) MRR ${h.mrr.toFixed(3)} recall@5 ${h.recall5.toFixed(3)}; BM25 only MRR ${b.mrr.toFixed(3)} recall@5 ${b.recall5.toFixed(3)}`,
    );
    expect(h.mrr).toBeGreaterThanOrEqual(0.8);
    expect(h.recall5).toBeGreaterThanOrEqual(0.9);
    expect(h.mrr).toBeGreaterThanOrEqual(b.mrr - 0.05);
  });
});
