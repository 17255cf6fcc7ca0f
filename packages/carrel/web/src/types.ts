/** The shapes the dashboard's JSON API returns (notes: the dashboard HTTP contract). */

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export const TASK_STATUSES: readonly TaskStatus[] = ['working', 'input_required', 'completed', 'failed', 'cancelled'];

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface TaskRow {
  id: string;
  status: TaskStatus;
  statusMessage: string | null;
  tool: string | null;
  handler: string;
  owner: string;
  attempt: number;
  maxAttempts: number;
  progress: Progress | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  parentId: string | null;
  retryOf: string | null;
  node: string | null;
}

export interface InputRequest {
  key: string;
  message: string;
  requestedSchema?: object;
  answered: boolean;
  answer?: unknown;
}

export interface WorkflowStep {
  name: string;
  taskId: string | null;
  status: string | null;
  dependsOn: string[];
}

export type Outcome =
  { kind: 'result'; result: unknown } | { kind: 'error'; error: { code: string | number; message: string; data?: unknown } } | null;

export interface TaskDetail extends TaskRow {
  input: unknown;
  ttlMs: number | null;
  expiresAt: number | null;
  progressHistory: (Progress & { at: number })[];
  inputRequests: InputRequest[];
  children: TaskRow[];
  workflow?: { steps: WorkflowStep[] };
  outcome: Outcome;
  lastError: { code: string | number; message: string } | null;
}

export interface Session {
  principal: string;
  owner: string;
  scopes: string[];
  canAct: boolean;
  /** Sees and steers every owner's tasks (the carrel:operator scope). */
  operator: boolean;
  csrfToken: string;
  loginRequired: boolean;
  node: string;
}

export interface BulkResult {
  matched: number;
  done: { id: string; newId?: string }[];
  skipped: { id: string; reason: string }[];
}

export interface ToolCounts {
  tool: string;
  working: number;
  waiting: number;
  inputRequired: number;
  failed: number;
  completed: number;
  cancelled: number;
}

export type Series = (number | null)[];

export interface Queues {
  now: number;
  tools: ToolCounts[];
  series: {
    bucketMs: number;
    start: number;
    buckets: number;
    perTool: Record<string, { completed: number[]; failed: number[]; waitP50: Series; waitP95: Series; runP50: Series; runP95: Series }>;
    perNode: Record<string, { completed: number[]; runP50: Series }>;
  };
}

export interface Library {
  name: string;
  version: string;
  documents: number;
  chunks: number;
  embedder: string | null;
  dims: number | null;
  vectorCoverage: number;
  pending: number;
}

export interface DocumentSummary {
  id: number | string;
  title: string;
  source: string;
  kind: string;
  chunks: number;
}

export interface DocumentView {
  id: number | string;
  library: string;
  version: string;
  title: string;
  source: string;
  kind: string;
  chunks: { ord: number; heading: string; text: string }[];
}

export interface SearchResult {
  chunkId: number;
  documentId: number;
  library: string;
  version: string;
  title: string;
  source: string;
  heading: string;
  snippet: string;
  score: number;
  explanation: string;
}

export interface SearchResponse {
  results: SearchResult[];
  mode: string;
  notes: { message: string }[];
}

export interface Connector {
  name: string;
  kind: string;
  library: string;
  version: string;
  schedule: string | null;
  nextRun: number | null;
  lastSync: {
    at: number;
    /** `synced` or `failed`. */
    status: string;
    /** The sync's outcome line. */
    message: string;
    added: number;
    updated: number;
    deleted: number;
    taskId: string | null;
  } | null;
}
