/**
 * `carrel connectors add --schedule`, `carrel connectors schedule` and the listings as a person
 * runs them: the schedule and next run shown in text and JSON, changed, taken off, and bad
 * expressions or time zones named by their flag with exit code 2, the connector unchanged.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { runCli } from '../mcp/support/carrel-process.js';

describe('carrel connector schedules', { timeout: 120_000 }, () => {
  it('sets, shows, changes and takes off a schedule; names a bad one', async () => {
    const dataDir = tempDir();
    const root = tempDir();
    const cli = (args: string[]) => runCli(dataDir, ['--allow', root, ...args]);
    const add = ['connectors', 'add', 'docs', '--kind', 'directory', '--path', root, '--library', 'docs'];

    const bad = await cli([...add, '--schedule', '0 3 * *']);
    expect(bad.stderr).toMatch(/^carrel: Invalid --schedule: expected five cron fields .*not 4 in "0 3 \* \*"/);
    expect(bad.code).toBe(2);
    const badZone = await cli([...add, '--schedule', '0 3 * * *', '--timezone', 'Mars/Olympus']);
    expect(badZone.stderr).toMatch(/^carrel: Invalid --timezone: expected an IANA time zone .*Mars\/Olympus/);
    expect(badZone.code).toBe(2);
    expect((await cli(['connectors', 'list'])).stdout).toBe('No connectors yet: add one with carrel connectors add.\n');

    const added = await cli([...add, '--schedule', '30 3 * * *', '--timezone', 'Europe/Paris']);
    expect(added.stdout).toMatch(
      /^Added connector docs .*never synced; schedule "30 3 \* \* \*" \(Europe\/Paris\), next run \d{4}-\d\d-\d\dT0[12]:30:00\.000Z\n/,
    );
    const listed = JSON.parse((await cli(['--json', 'connectors', 'list'])).stdout) as { connectors: { nextRun: string }[] };
    expect(listed.connectors[0]).toMatchObject({ schedule: { cron: '30 3 * * *', timezone: 'Europe/Paris' }, lastSync: null });
    expect(Date.parse(listed.connectors[0]!.nextRun)).toBeGreaterThan(Date.now());

    const changed = await cli(['connectors', 'schedule', 'docs', '*/15 * * * *']);
    expect(changed.stdout).toMatch(/schedule "\*\/15 \* \* \* \*" \(UTC\), next run \d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00\.000Z\n$/);
    const rejected = await cli(['connectors', 'schedule', 'docs', '0 25 * * *']);
    expect(rejected.stderr).toMatch(/^carrel: Invalid cron expression: expected a valid cron expression: .*hour/);
    expect(rejected.code).toBe(2);
    expect((await cli(['connectors', 'show', 'docs'])).stdout).toMatch(/schedule "\*\/15 \* \* \* \*" \(UTC\)/);

    const off = await cli(['connectors', 'schedule', 'docs', '--off']);
    expect(off.stdout).toBe('docs syncs only when asked (no schedule)\n');
    expect(JSON.parse((await cli(['--json', 'connectors', 'show', 'docs'])).stdout)).toMatchObject({ schedule: null, nextRun: null });
  });
});
