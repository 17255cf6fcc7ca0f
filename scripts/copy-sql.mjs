// Copies the backends' numbered SQL migrations next to the compiled JavaScript, so the
// migrator finds them at runtime the same way from src/ (tests) and dist/ (published).
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [from, to] = process.argv.slice(2);
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.sql')) cpSync(path, join(to, relative(from, path)));
  }
}
walk(from);
