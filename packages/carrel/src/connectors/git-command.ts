/**
 * Running the system `git` for the git connector: always through execFile/spawn (never a shell),
 * with `protocol.ext.allow=never` on every command and `GIT_ALLOW_PROTOCOL` naming the only
 * transports a command may use, so git's `ext::` transport (which runs commands) is unreachable
 * whatever a URL or a repository's config says. A token reaches git through `GIT_CONFIG_*`
 * variables, never the command line (which other local users can read).
 *
 * @module
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { FetchFailedError, SourceUnavailableError } from '../errors.js';

/** How a git command may reach a repository. */
export interface GitAccess {
  /** `https:ssh` for a remote, `file` for a local repository inside the allowed roots. */
  protocols: 'https:ssh' | 'file';
  /** A token for https, sent as an Authorization header. */
  token?: string | undefined;
}

/** Longest a git command may run (a first clone of a large repository included). */
const GIT_TIMEOUT_MS = 30 * 60_000;
/** Largest listing (diff, tree) read from git's output. */
const MAX_LISTING_BYTES = 512 * 1024 * 1024;

/** Failures of the network or of the far side that pass: the sync is tried again. */
const TRANSIENT =
  /could not resolve host|timed out|connection reset|connection refused|failed to connect|early eof|rpc failed|unexpected disconnect|returned error: (429|5\d\d)|the remote end hung up/i;

/** The environment of a git command: nothing from a terminal, only the allowed transports. */
function gitEnv(access: GitAccess): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_ALLOW_PROTOCOL: access.protocols,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    // An ssh host key or passphrase prompt would wait forever.
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  };
  if (access.token !== undefined) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${access.token}`).toString('base64')}`;
  }
  return env;
}

/** The arguments every command starts with. */
const GIT_SAFETY = ['-c', 'protocol.ext.allow=never', '-c', 'core.hooksPath=/dev/null'];

/**
 * Runs `git <args>` in `cwd` and returns its output. A failure names `what` (the repository) and
 * git's own message; a network failure that passes is SourceUnavailableError (retried).
 */
export function runGit(
  args: readonly string[],
  options: { cwd?: string; access: GitAccess; what: string; signal: AbortSignal },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...GIT_SAFETY, ...args],
      {
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        env: gitEnv(options.access),
        encoding: 'buffer',
        maxBuffer: MAX_LISTING_BYTES,
        timeout: GIT_TIMEOUT_MS,
        signal: options.signal,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if (options.signal.aborted) return reject(options.signal.reason);
        const message = (stderr.toString('utf8').trim() || error.message).split('\n').slice(-3).join(' ');
        const transient = TRANSIENT.test(message) || (error as { killed?: boolean }).killed === true;
        reject(transient ? new SourceUnavailableError(options.what, message) : new FetchFailedError(options.what, message));
      },
    );
  });
}

/**
 * Reads blobs by id through one `git cat-file --batch` process: thousands of files cost one
 * process, not one each. Requests are answered in order.
 */
export class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly waiting: { resolve: (bytes: Buffer | undefined) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  /** Bytes the oldest answer needs in all, once its header is read: no copying until they are there. */
  private need = 0;

  constructor(gitDir: string, access: GitAccess) {
    this.child = spawn('git', [...GIT_SAFETY, '--git-dir', gitDir, 'cat-file', '--batch'], { env: gitEnv(access) });
    this.child.stdout.on('data', (data: Buffer) => {
      this.buffered.push(data);
      this.bufferedBytes += data.length;
      this.answer();
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    };
    this.child.on('error', fail);
    this.child.on('exit', () => fail(new Error('git cat-file exited')));
    this.child.stdin.on('error', fail);
  }

  /** The blob's bytes, or undefined if the repository does not hold it. */
  read(oid: string): Promise<Buffer | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${oid}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  /** Answers the oldest request once its whole answer (`<oid> blob <size>\n<bytes>\n` or `<oid> missing\n`) arrived. */
  private answer(): void {
    while (this.waiting.length > 0 && this.bufferedBytes >= this.need) {
      const data = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedBytes);
      this.buffered = [data];
      const eol = data.indexOf(10);
      if (eol < 0) return;
      const header = data.subarray(0, eol).toString('utf8');
      let bytes: Buffer | undefined;
      let used: number;
      if (header.endsWith(' missing')) used = eol + 1;
      else {
        const size = Number(header.split(' ')[2]);
        if (data.length < eol + 1 + size + 1) {
          this.need = eol + 1 + size + 1;
          return;
        }
        bytes = Buffer.from(data.subarray(eol + 1, eol + 1 + size));
        used = eol + 1 + size + 1;
      }
      const rest = data.subarray(used);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.need = 0;
      this.waiting.shift()!.resolve(bytes);
    }
  }
}
