// Four CLI writers on a new data dir at once, as the dashboard fixture started them; N rounds.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carrelArgv } from './packages/carrel/test/mcp/support/carrel-process.ts';

const run = (dataDir: string, args: string[]) =>
  new Promise<{ code: number; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    execFile(process.execPath, carrelArgv(dataDir, args), { env: { ...process.env, CARREL_DEBUG: '1' } }, (error, _out, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr, ms: Date.now() - started }),
    );
  });
const rounds = Number(process.argv[2] ?? 5);
for (let r = 0; r < rounds; r++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'busy-'));
  const folder = mkdtempSync(join(tmpdir(), 'busy-src-'));
  writeFileSync(join(folder, 'guide.md'), '# Guide\n\nSome words about things.\n\n## Part\n\nMore words.\n');
  const runs = await Promise.all([
    run(dataDir, ['add', folder, '--library', 'guide']),
    ...['a', 'b', 'c'].map((name) =>
      run(dataDir, ['connectors', 'add', name, '--kind', 'web', '--url', `http://127.0.0.1:9/${name}`, '--delay', '0', '--private-network', '--library', name]),
    ),
  ]);
  console.log(`round ${r}: ${runs.map((x) => `${x.code}/${x.ms}ms`).join(' ')}`);
  for (const x of runs) if (x.code !== 0) console.log(x.stderr);
}
