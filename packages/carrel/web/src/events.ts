/**
 * The page's one stream of pushed changes (`GET /dashboard/api/events`, server-sent events from the
 * engine's change feed). Views subscribe to the kinds they show; nothing here polls.
 */
import { signal } from '@preact/signals';
import type { Queues, TaskRow } from './types.js';

/** `resync`: the page fell behind and the server dropped events; what a view shows must be loaded again. */
export type StreamEvent =
  { type: 'task'; task: TaskRow } | { type: 'task-deleted'; id: string } | { type: 'queues'; queues: Queues } | { type: 'resync' };

/** Whether the stream is connected, for the header's indicator. */
export const streamState = signal<'connecting' | 'live' | 'reconnecting'>('connecting');

const listeners = new Set<(event: StreamEvent) => void>();
let source: EventSource | null = null;

/** Opens the stream (once); EventSource reconnects by itself after a drop. */
export function openStream(): void {
  if (source) return;
  source = new EventSource('/dashboard/api/events');
  source.addEventListener('open', () => (streamState.value = 'live'));
  source.addEventListener('error', () => (streamState.value = 'reconnecting'));
  source.addEventListener('task', (e) => emit({ type: 'task', task: JSON.parse((e as MessageEvent<string>).data) as TaskRow }));
  source.addEventListener('task-deleted', (e) =>
    emit({ type: 'task-deleted', id: (JSON.parse((e as MessageEvent<string>).data) as { id: string }).id }),
  );
  source.addEventListener('resync', () => emit({ type: 'resync' }));
  source.addEventListener('queues', (e) => emit({ type: 'queues', queues: JSON.parse((e as MessageEvent<string>).data) as Queues }));
}

export function closeStream(): void {
  source?.close();
  source = null;
  streamState.value = 'connecting';
}

function emit(event: StreamEvent): void {
  for (const listener of listeners) listener(event);
}

/** Calls `listener` for every event until the returned function is called. */
export function subscribe(listener: (event: StreamEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
