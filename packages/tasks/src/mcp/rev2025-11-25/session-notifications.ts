/**
 * What a 2025 connection with a session (stdio, sessionful HTTP) gets for each task it created:
 * `notifications/tasks/status` on every status change and `notifications/progress` on the
 * original `progressToken` for the task's whole life, until the task is terminal or the
 * connection closes. Stateless connections have nowhere to send them and poll instead.
 *
 * @module
 */
import type { Server } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../../engine/engine.js';
import type { TaskRecord } from '../../task.js';
import type { Connection } from '../era.js';
import { relayProgress, relayStatus } from '../relay.js';
import { taskFields } from './wire.js';

/** The notifications of one 2025 connection with a session. */
export class SessionNotifications implements Connection {
  readonly #stops = new Set<() => void>();

  constructor(
    private readonly server: Server,
    private readonly engine: TaskEngine,
  ) {}

  /** Starts notifying this connection about `task`. */
  follow(task: TaskRecord, progressToken: string | number | undefined): void {
    const stops: Array<() => void> = [];
    const stop = () => {
      for (const s of stops) s();
      this.#stops.delete(stop);
    };
    stops.push(
      relayStatus(this.engine, task.id, task.owner, (current) => {
        void this.server.notification({ method: 'notifications/tasks/status', params: taskFields(current) }).catch(() => {});
        if (current.status === 'completed' || current.status === 'failed' || current.status === 'cancelled') stop();
      }),
    );
    if (progressToken !== undefined) {
      stops.push(
        relayProgress(this.engine, task.id, task.owner, (params) =>
          this.server.notification({ method: 'notifications/progress', params: { progressToken, ...params } }),
        ),
      );
    }
    this.#stops.add(stop);
  }

  /** Stops every notification (the connection closed). */
  close(): void {
    for (const stop of [...this.#stops]) stop();
  }
}
