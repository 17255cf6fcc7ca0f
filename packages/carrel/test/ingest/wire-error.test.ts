import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.js';
import type { KnowledgeBaseError } from '../../src/errors.js';
import { EmbedderUnavailableError, KbJsonRpcCode, NotFoundError } from '../../src/errors.js';
import { fromWire, toWire } from '../../src/ingest/wire-error.js';

describe('errors across the worker boundary', () => {
  it('keep their kind and JSON-RPC code, which pick the exit code and the tool error', () => {
    const notFound = fromWire(toWire(new NotFoundError('Library', 'python@3.11'))) as KnowledgeBaseError;
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ kind: 'not_found', code: KbJsonRpcCode.InvalidParams, message: 'Library not found: python@3.11' });
    const listed = fromWire(toWire(new NotFoundError('Library', 'x', { action: 'list_libraries' }))) as KnowledgeBaseError;
    expect(listed).toMatchObject({ problem: 'Library not found: x', fix: { action: 'list_libraries' } });
    const embedder = fromWire(toWire(new EmbedderUnavailableError('local', 'offline'))) as KnowledgeBaseError;
    expect(embedder).toMatchObject({ kind: 'embedder_unavailable', code: KbJsonRpcCode.InternalError });
  });

  it('revive every knowledge-base error class as itself: none turns into a plain Error on the way', () => {
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is typeof errors.KnowledgeBaseError =>
        typeof value === 'function' && value.prototype instanceof errors.KnowledgeBaseError,
    );
    expect(classes.length).toBeGreaterThan(15);
    for (const cls of classes) expect(fromWire({ kind: 'x', name: cls.name, message: 'm' }), cls.name).toBeInstanceOf(cls);
  });
});
