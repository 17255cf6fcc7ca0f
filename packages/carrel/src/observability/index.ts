/**
 * Health, readiness and Prometheus metrics for `carrel serve`, loaded by that command only (it
 * brings prom-client): `CarrelMetrics` is made before the runtime, whose knowledge base reports to
 * it; `serveObservability` then gives the route for the HTTP server.
 *
 * @module
 */
import type { HttpRoute } from '@carrel/tasks/mcp/http';
import type { CarrelRuntime } from '../app/runtime.js';
import { databaseSize } from './database-size.js';
import type { CarrelMetrics } from './metrics.js';
import { notReadyReason } from './readiness.js';
import { observabilityRoute } from './routes.js';

export { CarrelMetrics } from './metrics.js';

/** The route serving `/healthz`, `/readyz` and `/metrics` for `runtime`; `close` stops observing it. */
export function serveObservability(runtime: CarrelRuntime, metrics: CarrelMetrics): { route: HttpRoute; close(): Promise<void> } {
  const size = databaseSize(runtime.settings);
  const stopObserving = metrics.observe(runtime.engine, () => size.read());
  return {
    route: observabilityRoute({ registry: metrics.registry, notReadyReason: () => notReadyReason(runtime) }),
    close: async () => {
      stopObserving();
      await size.close();
    },
  };
}
