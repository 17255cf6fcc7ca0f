/**
 * The opening gate of a stdio server: the client's opening exchange is answered while the rest of
 * the server is still opening (a store being migrated, an engine starting), and every other message
 * waits, in order, until it is open. A desktop client that launches a server times its first
 * answer; what a server needs to answer `initialize` is its declaration alone.
 *
 * The gate sits behind the frame check (`stdio-frames.ts`), so every line it sees is one JSON-RPC
 * message. While the server opens, messages of the opening exchange pass through as long as
 * nothing is waiting ahead of them; the first other message waits, and so does everything after
 * it. Once open, every waiting line is passed on in arrival order and the gate stops looking at
 * lines. If opening fails, waiting and later requests are answered -32603 with the reason, and
 * notifications are dropped.
 *
 * @module
 */
import { Transform, type Writable } from 'node:stream';

/** Methods a server answers from its declaration alone (2025-11-25 handshake; 2026-07-28 discovery). */
export const OPENING_METHODS: ReadonlySet<string> = new Set(['initialize', 'notifications/initialized', 'ping', 'server/discover']);

/** When the server is open: a promise, or a function called once the client's first message has been answered. */
export type Opening = Promise<unknown> | (() => Promise<unknown>);

const NEWLINE = 0x0a;

/**
 * A stream of `input`'s lines that holds back all but the opening exchange until `opening` settles.
 * A function is called once the first message has been passed on and its answer had its turn (the
 * next turn of the event loop), so whatever it does synchronously (opening a database, say) does
 * not delay that answer.
 */
export function openingGate(opening: Opening, output: Writable): Transform {
  let state: 'opening' | 'open' | 'failed' = 'opening';
  let failure = '';
  let opened: Promise<void> | undefined;
  let partial: Buffer[] = [];
  const held: Buffer[] = [];

  const open = (): Promise<void> =>
    (opened ??= (typeof opening === 'function' ? new Promise((resolve) => setImmediate(resolve)).then(opening) : opening).then(
      () => {
        state = 'open';
        for (const line of held.splice(0)) gate.push(line);
      },
      (error: unknown) => {
        state = 'failed';
        failure = error instanceof Error ? error.message : String(error);
        for (const line of held.splice(0)) refuse(line);
      },
    ));
  const refuse = (line: Buffer) => {
    const message = JSON.parse(line.toString('utf8')) as { id?: string | number; method?: string };
    if (message.id === undefined || message.method === undefined) return; // a notification or a response: nothing to answer
    output.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: `Server failed to start: ${failure}` } })}\n`,
    );
  };
  const isOpening = (line: Buffer) => {
    const { method } = JSON.parse(line.toString('utf8')) as { method?: unknown };
    return typeof method === 'string' && OPENING_METHODS.has(method);
  };

  const gate = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (state === 'open' && partial.length === 0 && chunk.at(-1) === NEWLINE) {
        done(null, chunk); // the steady state: whole lines, passed on untouched
        return;
      }
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE, from); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
        const part = chunk.subarray(from, nl + 1);
        from = nl + 1;
        const line = partial.length ? Buffer.concat([...partial, part]) : part;
        partial = [];
        if (state === 'open') this.push(line);
        else if (state === 'failed') refuse(line);
        else if (held.length === 0 && isOpening(line)) this.push(line);
        else held.push(line);
        void open();
      }
      if (from < chunk.length) partial.push(chunk.subarray(from));
      done();
    },
    flush(done) {
      // The client closed its end: what is waiting is still answered once the server is open.
      if (!opened) done();
      else void opened.then(() => done());
    },
  });
  if (typeof opening !== 'function') void open();
  return gate;
}
