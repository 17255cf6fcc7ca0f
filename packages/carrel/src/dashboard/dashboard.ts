/**
 * The dashboard: a route of `carrel serve`'s HTTP server (beside `/mcp`, behind its Host and
 * Origin checks) that serves the built page under `/dashboard/` and its JSON API under
 * `/dashboard/api/`. Every response carries a strict CSP and the usual hardening headers; every
 * API path passes the gate (`guard.ts`) first. One concern per module: sessions, tasks, queues,
 * libraries, connectors, events, static files.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { DashboardRoute } from '../app/faces.js';
import type { CarrelRuntime } from '../app/runtime.js';
import type { HttpRouteContext } from './access.js';
import { ApiError, errorResponse } from './api-error.js';
import { connectorsApi } from './connectors-api.js';
import type { EventStream } from './event-stream.js';
import { eventsApi, type EventsOptions } from './events-api.js';
import { guard, type DashboardEnv } from './guard.js';
import { librariesApi } from './libraries-api.js';
import { queuesApi, queuesOf } from './queues-api.js';
import { Sessions } from './sessions.js';
import { sessionApi } from './session-api.js';
import { BUILT_DASHBOARD, staticFiles } from './static-files.js';
import { TaskFeed } from './task-feed.js';
import { tasksApi } from './tasks-api.js';

export interface DashboardOptions {
  /** The built front-end's folder (default: carrel's `dist/dashboard/`). */
  staticRoot?: string;
  events?: EventsOptions;
  /** Hears unexpected errors (default: console.error). */
  onError?: (error: unknown) => void;
}

/** The dashboard over `runtime`. */
export function createDashboard(runtime: CarrelRuntime, options: DashboardOptions = {}): DashboardRoute {
  const onError = options.onError ?? ((error: unknown) => console.error('[carrel dashboard]', error));
  const sessions = new Sessions();
  const streams = new Set<EventStream>();
  const queues = queuesOf(runtime.engine);
  const api = new Hono<DashboardEnv>()
    .use(guard(sessions))
    .route('/', sessionApi(sessions, runtime.engine.worker))
    .route('/', tasksApi(runtime.engine, runtime.workflows))
    .route('/', queuesApi(queues))
    .route('/', librariesApi(runtime.kb))
    .route('/', connectorsApi(runtime.kb, runtime.engine, runtime.tools))
    .route('/', eventsApi(new TaskFeed(runtime.engine), sessions, queues, streams, onError, options.events))
    .all('*', () => {
      throw new ApiError(404, 'not_found', 'No such dashboard API path.');
    });
  const app = new Hono<DashboardEnv>()
    .use(
      secureHeaders({
        contentSecurityPolicy: {
          defaultSrc: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
        xFrameOptions: 'DENY',
        referrerPolicy: 'no-referrer',
        xContentTypeOptions: 'nosniff',
        strictTransportSecurity: false,
      }),
    )
    .route('/dashboard/api', api)
    .get('/dashboard', (c) => c.redirect('/dashboard/', 308))
    .route('/dashboard', staticFiles(options.staticRoot ?? BUILT_DASHBOARD));
  app.onError((error) => errorResponse(error, onError));

  const contexts = new WeakMap<IncomingMessage, HttpRouteContext>();
  const listener = getRequestListener((request, env) => app.fetch(request, { context: contexts.get(env.incoming as IncomingMessage)! }), {
    overrideGlobalObjects: false,
  });
  return {
    path: '/dashboard/',
    route: async (request, response, context) => {
      const { pathname } = new URL(request.url ?? '/', 'http://localhost');
      if (pathname !== '/dashboard' && !pathname.startsWith('/dashboard/')) return false;
      contexts.set(request, context);
      await listener(request, response);
      return true;
    },
    close: () => {
      for (const stream of streams) stream.close();
    },
  };
}
