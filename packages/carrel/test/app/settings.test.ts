/**
 * Settings resolution: flags win over the environment, which wins over defaults; a value that
 * cannot be used is refused with a message naming the setting.
 */
import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knowledgeBaseOptions, resolveSettings, SettingsError } from '../../src/app/settings.js';

describe('resolveSettings', () => {
  it('defaults to the local model, the working directory as the only root, a 30 s lease and a 15 s schedule check', () => {
    const settings = resolveSettings({}, { XDG_DATA_HOME: '/data' });
    expect(settings).toMatchObject({
      dataDir: resolve('/data/carrel'),
      embedder: { kind: 'local' },
      allowedRoots: [process.cwd()],
      taskLeaseMs: 30_000,
      scheduleTickMs: 15_000,
    });
    expect(settings.owner).toMatch(/^local:.+/);
  });

  it('takes the environment, and flags over it', () => {
    const env = {
      CARREL_DATA_DIR: '/env-data',
      CARREL_EMBEDDER: 'none',
      CARREL_ALLOWED_ROOTS: ['/a', '/b'].join(delimiter),
      CARREL_TASK_LEASE_MS: '5000',
      CARREL_SCHEDULE_TICK_MS: '500',
    };
    expect(resolveSettings({}, env)).toMatchObject({
      dataDir: resolve('/env-data'),
      embedder: { kind: 'none' },
      allowedRoots: [resolve('/a'), resolve('/b')],
      taskLeaseMs: 5000,
      scheduleTickMs: 500,
    });
    expect(resolveSettings({ dataDir: '/flag-data', embedder: 'offline', allow: ['/c'] }, env)).toMatchObject({
      dataDir: resolve('/flag-data'),
      embedder: { kind: 'offline' },
      allowedRoots: [resolve('/c')],
    });
  });

  it('takes the local model as an id, or as a folder resolved from the working directory; --model over CARREL_LOCAL_MODEL', () => {
    const env = { CARREL_LOCAL_MODEL: 'owner/env-model' };
    expect(resolveSettings({}, env).embedder).toEqual({ kind: 'local', model: 'owner/env-model' });
    expect(resolveSettings({ model: 'owner/flag-model' }, env).embedder).toEqual({ kind: 'local', model: 'owner/flag-model' });
    expect(resolveSettings({ model: './models/mine' }, env).embedder).toEqual({ kind: 'local', model: resolve('models/mine') });
    expect(resolveSettings({}, { CARREL_LOCAL_WORKERS: '2' }).embedder).toEqual({ kind: 'local', workers: 2 });
    expect(() => resolveSettings({}, { CARREL_LOCAL_WORKERS: 'two' })).toThrow('CARREL_LOCAL_WORKERS must be a positive integer, not two');
  });

  it('builds an OpenAI-compatible embedder from its variables, the API key falling back to OPENAI_API_KEY', () => {
    const env = {
      CARREL_EMBEDDER: 'openai',
      CARREL_OPENAI_BASE_URL: 'http://localhost:11434/v1',
      CARREL_OPENAI_MODEL: 'nomic-embed-text',
      OPENAI_API_KEY: 'k',
      CARREL_OPENAI_DIMENSIONS: '256',
    };
    expect(resolveSettings({}, env).embedder).toEqual({
      kind: 'openai',
      baseUrl: 'http://localhost:11434/v1',
      model: 'nomic-embed-text',
      apiKey: 'k',
      dimensions: 256,
    });
  });

  it('refuses an unknown embedder and malformed numbers, naming the setting', () => {
    expect(() => resolveSettings({ embedder: 'gpt' }, {})).toThrow(
      new SettingsError("Unknown embedder 'gpt': choose one of local, offline, openai, none (flag --embedder or CARREL_EMBEDDER)"),
    );
    expect(() => resolveSettings({}, { CARREL_TASK_LEASE_MS: 'soon' })).toThrow(
      'CARREL_TASK_LEASE_MS must be a positive integer, not soon',
    );
    expect(() => resolveSettings({}, { CARREL_SCHEDULE_TICK_MS: '0' })).toThrow(
      'CARREL_SCHEDULE_TICK_MS must be a positive integer, not 0',
    );
    expect(() => resolveSettings({ embedder: 'openai' }, { CARREL_OPENAI_DIMENSIONS: '-1' })).toThrow(
      'CARREL_OPENAI_DIMENSIONS must be a positive integer',
    );
  });

  it("sets the embedder's input window from --window or CARREL_EMBEDDER_WINDOW, the flag first", () => {
    expect(resolveSettings({ embedder: 'openai' }, { CARREL_EMBEDDER_WINDOW: '2048' }).embedder).toMatchObject({
      kind: 'openai',
      maxTokens: 2048,
    });
    expect(resolveSettings({ window: '128' }, { CARREL_EMBEDDER_WINDOW: '2048' }).embedder).toEqual({ kind: 'local', maxTokens: 128 });
    expect(resolveSettings({ embedder: 'offline', window: '128' }, {}).embedder).toEqual({ kind: 'offline' });
    expect(() => resolveSettings({ window: 'wide' }, {})).toThrow(new SettingsError('--window must be a positive integer, not wide'));
  });

  it('refuses private addresses unless --allow-private-addresses or CARREL_ALLOW_PRIVATE_ADDRESSES=1 lets them through', () => {
    const refused = resolveSettings({}, {});
    expect(refused.allowPrivateAddresses).toBe(false);
    expect(knowledgeBaseOptions(refused).fetch).toBeUndefined();
    expect(knowledgeBaseOptions(resolveSettings({ allowPrivateAddresses: true }, {})).fetch).toEqual({ allowPrivateAddresses: true });
    expect(resolveSettings({}, { CARREL_ALLOW_PRIVATE_ADDRESSES: '1' }).allowPrivateAddresses).toBe(true);
    expect(resolveSettings({}, { CARREL_ALLOW_PRIVATE_ADDRESSES: '0' }).allowPrivateAddresses).toBe(false);
    expect(() => resolveSettings({}, { CARREL_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(
      /CARREL_ALLOW_PRIVATE_ADDRESSES must be 1 or 0, not yes/,
    );
  });

  it('takes CARREL_SECRETS_KEY in base64 or hex for the knowledge base, and refuses any other value without repeating it', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const hex = Buffer.alloc(32, 7).toString('hex');
    expect(knowledgeBaseOptions(resolveSettings({}, {})).secretsKey).toBeUndefined();
    expect(knowledgeBaseOptions(resolveSettings({}, { CARREL_SECRETS_KEY: base64 })).secretsKey).toBe(base64);
    expect(knowledgeBaseOptions(resolveSettings({}, { CARREL_SECRETS_KEY: hex })).secretsKey).toBe(hex);
    for (const wrong of ['hunter2', Buffer.alloc(16, 7).toString('base64'), `${hex}00`]) {
      const refused = (() => {
        try {
          resolveSettings({}, { CARREL_SECRETS_KEY: wrong });
        } catch (error) {
          return error as Error;
        }
      })();
      expect(refused).toBeInstanceOf(SettingsError);
      expect(refused!.message).toBe('CARREL_SECRETS_KEY must be 32 bytes in base64 or hex, as openssl rand -base64 32 prints');
    }
  });
});
