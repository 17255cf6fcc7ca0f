import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/connectors/web-client.js';

describe('sleep', () => {
  it('waits, and stops waiting with the reason when the sync is cancelled, before or during the wait', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const before = new AbortController();
    before.abort(new Error('cancelled before'));
    await expect(sleep(60_000, before.signal)).rejects.toThrow('cancelled before');
    const during = new AbortController();
    const waiting = sleep(60_000, during.signal);
    during.abort(new Error('cancelled during'));
    await expect(waiting).rejects.toThrow('cancelled during');
  });
});
