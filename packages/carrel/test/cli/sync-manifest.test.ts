/**
 * `carrel sync --manifest` as a person runs it, on real folders and a real data dir: the default
 * `./carrel.sources.yaml` reconciled (a plan line per connector) and synced; an edit changes one
 * connector and leaves the other; `--prune` removes what the file no longer names; a bad manifest
 * exits 2 naming the file, line and field, and changes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { runCli } from '../mcp/support/carrel-process.js';

describe('carrel sync --manifest', { timeout: 180_000 }, () => {
  it('reconciles the connectors with the manifest, then syncs them', async () => {
    const root = tempDir();
    const dataDir = tempDir();
    for (const name of ['guide', 'api']) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'a.md'), `# ${name}\n\nAbout ${name}.\n`);
    }
    const manifest = join(root, 'carrel.sources.yaml');
    const entry = (name: string, extra: string[] = []) => [
      `  - name: ${name}`,
      '    kind: directory',
      `    library: ${name}`,
      `    options: { path: ./${name} }`,
      ...extra,
    ];
    const cli = (args: string[], env?: Record<string, string>) =>
      runCli(dataDir, ['--allow', root, ...args], { cwd: root, ...(env && { env }) });

    writeFileSync(manifest, ['connectors:', ...entry('guide', ['    schedule: "0 3 * * *"']), ...entry('api')].join('\n'));
    const first = await cli(['sync', '--manifest']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      ['added guide', 'added api', 'connector guide → guide: 1 created; 1 chunks', 'connector api → api: 1 created; 1 chunks', ''].join(
        '\n',
      ),
    );
    const listed = JSON.parse((await cli(['--json', 'connectors', 'list'])).stdout) as { connectors: Record<string, unknown>[] };
    expect(listed.connectors).toMatchObject([
      { name: 'api', options: { path: join(root, 'api') }, schedule: null, documents: 1 },
      { name: 'guide', schedule: { cron: '0 3 * * *', timezone: null }, nextRun: expect.any(String), documents: 1 },
    ]);

    // A bad edit changes nothing: the file, line and field are named, exit 2.
    writeFileSync(
      manifest,
      [
        'connectors:',
        ...entry('guide', ['    schedule: "0 3 * *"']),
        '  - name: other',
        '    kind: directory',
        '    library: other',
        '    options: { path: ./guide }',
        '    token: ghp_literal',
      ].join('\n'),
    );
    const bad = await cli(['sync', '--manifest', manifest]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `carrel: ${manifest}:11: connectors[1].token: a token never goes in this file: put it in an environment variable and name the variable with tokenEnv\n`,
    );
    writeFileSync(manifest, ['connectors:', ...entry('guide', ['    schedule: "0 3 * *"']), ...entry('api')].join('\n'));
    const badCron = await cli(['sync', '--manifest', manifest, '--no-sync']);
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toMatch(
      new RegExp(`^carrel: ${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: connectors\\[0\\]\\.schedule: expected five cron fields`),
    );
    expect(JSON.parse((await cli(['--json', 'connectors', 'list'])).stdout)).toEqual(listed);

    // guide's schedule goes, api leaves the file: with --prune it is removed; guide is synced again.
    writeFileSync(manifest, ['connectors:', ...entry('guide')].join('\n'));
    const pruned = await cli(['sync', '--manifest', '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toBe(
      ['changed guide: schedule', 'pruned api', 'connector guide → guide: nothing to do; 0 chunks', ''].join('\n'),
    );
    expect(JSON.parse((await cli(['--json', 'connectors', 'list'])).stdout)).toMatchObject({
      connectors: [{ name: 'guide', schedule: null }],
    });

    // A sync that fails does not stop the next; the command exits with the first failure's code.
    writeFileSync(
      manifest,
      [
        'connectors:',
        '  - name: site',
        '    kind: web',
        '    library: site',
        '    options: { url: "http://127.0.0.1:9/", allowPrivateAddresses: true }',
        ...entry('guide'),
      ].join('\n'),
    );
    writeFileSync(join(root, 'guide', 'b.md'), '# B\n\nMore.\n');
    const partly = await cli(['sync', '--manifest']);
    expect(partly.code).toBe(4);
    expect(partly.stdout).toBe(['added site', 'unchanged guide', 'connector guide → guide: 1 created; 1 chunks', ''].join('\n'));
    expect(partly.stderr).toMatch(
      /carrel: sync of site failed: .*non-public address 127\.0\.0\.1.*\ncarrel: 1 of 2 syncs failed \(first: site\)\n$/s,
    );

    const usage = await cli(['sync']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('carrel: Name a connector to sync, or give --manifest [file], not both\n');
  });
});
