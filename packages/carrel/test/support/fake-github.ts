/**
 * A small GitHub on 127.0.0.1 for the github connector's tests: the REST endpoints the connector
 * uses (repository, commits/{ref}, git/trees, git/blobs, compare) over an in-memory repository of
 * commits, with git's blob ids, nested trees, renames found by equal blobs, paginated compares, a
 * force-push that forgets the old commits, and answers the test scripts in advance (a 401, a 403
 * rate limit, a 5xx). Every request is recorded, with its Authorization header apart from its URL.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Files by path: their content. */
export type Files = Record<string, string>;

interface Commit {
  sha: string;
  tree: string;
  files: Map<string, string>;
}

interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
}

/** An answer the test arranged, given instead of the real one to the next matching request. */
export interface Scripted {
  /** Matched against the request's path (without the query). */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A request as the server saw it. */
export interface SeenRequest {
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
  apiVersion: string | undefined;
}

const sha1 = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');
const blobId = (content: string) => sha1(`blob ${Buffer.byteLength(content)}\0${content}`);

/** See module comment. */
export class FakeGitHub {
  /** The token it accepts; any other, or none, is answered 401. */
  token: string;
  readonly repository: string;
  defaultBranch = 'main';
  /** Files per compare page. */
  comparePageSize = 100;
  /** Recursive tree listings answer `truncated: true` with part of the tree, as GitHub does past 100,000 entries. */
  truncateRecursiveTrees = false;
  /** Rate-limit headers sent with every answer, when set (`reset` in epoch seconds, as GitHub sends it). */
  rateLimit: { remaining: number; reset: number } | undefined;
  readonly requests: SeenRequest[] = [];
  readonly script: Scripted[] = [];
  private readonly branches = new Map<string, string>();
  private readonly commits = new Map<string, Commit>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly blobs = new Map<string, string>();
  private counter = 0;
  private server: Server | undefined;
  url = '';

  constructor(repository: string, token: string) {
    this.repository = repository;
    this.token = token;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The commit `branch` points at. */
  head(branch = 'main'): string {
    return this.branches.get(branch)!;
  }

  /**
   * Commits on `branch` (a new branch starts from the default one): `changes` written over its files
   * (null deletes a path); returns the commit id.
   */
  commit(changes: Record<string, string | null>, branch = 'main'): string {
    const parent = this.branches.get(branch) ?? this.branches.get(this.defaultBranch);
    const files = new Map(parent === undefined ? [] : this.commits.get(parent)!.files);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    return this.record(files, branch);
  }

  /** Replaces `branch` with a commit of exactly `files`, forgetting every commit before it (a force-push and a gc). */
  forcePush(files: Files, branch = 'main'): string {
    this.commits.clear();
    return this.record(new Map(Object.entries(files)), branch);
  }

  /** Renames `from` to `to` in a commit on `branch`. */
  rename(from: string, to: string, branch = 'main'): string {
    const content = this.commits.get(this.branches.get(branch)!)!.files.get(from)!;
    return this.commit({ [from]: null, [to]: content }, branch);
  }

  private record(files: Map<string, string>, branch: string): string {
    const tree = this.writeTree(files, '');
    const sha = sha1(`commit ${tree} ${++this.counter}`);
    this.commits.set(sha, { sha, tree, files });
    this.branches.set(branch, sha);
    return sha;
  }

  /** Stores the tree of the files under `prefix` (and its subtrees); returns its id. */
  private writeTree(files: Map<string, string>, prefix: string): string {
    const entries: TreeEntry[] = [];
    const folders = new Set<string>();
    for (const [path, content] of files) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) folders.add(rest.slice(0, slash));
      else {
        const sha = blobId(content);
        this.blobs.set(sha, content);
        entries.push({ path: rest, mode: '100644', type: 'blob', sha });
      }
    }
    for (const folder of folders)
      entries.push({ path: folder, mode: '040000', type: 'tree', sha: this.writeTree(files, `${prefix}${folder}/`) });
    entries.sort((a, b) => (a.path < b.path ? -1 : 1));
    const sha = sha1(`tree ${JSON.stringify(entries)}`);
    this.trees.set(sha, entries);
    return sha;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({
      url: req.url ?? '',
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      apiVersion: req.headers['x-github-api-version'] as string | undefined,
    });
    if (this.rateLimit) {
      res.setHeader('x-ratelimit-remaining', String(this.rateLimit.remaining));
      res.setHeader('x-ratelimit-reset', String(this.rateLimit.reset));
    }
    const scripted = this.script.findIndex((s) => s.path.test(url.pathname));
    if (scripted >= 0) {
      const [s] = this.script.splice(scripted, 1);
      return void res.writeHead(s!.status, s!.headers).end(s!.body);
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return json(res, 401, { message: 'Bad credentials' });
    const prefix = `/repos/${this.repository}`;
    if (!url.pathname.startsWith(prefix)) return json(res, 404, { message: 'Not Found' });
    const path = decodeURIComponent(url.pathname.slice(prefix.length));
    if (path === '') return json(res, 200, { full_name: this.repository, default_branch: this.defaultBranch });
    let match = /^\/commits\/(.+)$/.exec(path);
    if (match) {
      const commit = this.commits.get(this.branches.get(match[1]!) ?? match[1]!);
      if (!commit) return json(res, 422, { message: `No commit found for SHA: ${match[1]}` });
      return json(res, 200, { sha: commit.sha, commit: { tree: { sha: commit.tree } } });
    }
    match = /^\/git\/trees\/([0-9a-f]+)$/.exec(path);
    if (match) return this.answerTree(res, match[1]!, url.searchParams.get('recursive') === '1');
    match = /^\/git\/blobs\/([0-9a-f]+)$/.exec(path);
    if (match) {
      const content = this.blobs.get(match[1]!);
      if (content === undefined) return json(res, 404, { message: 'Not Found' });
      if (req.headers.accept === 'application/vnd.github.raw+json')
        return void res.writeHead(200, { 'content-type': 'application/vnd.github.raw' }).end(content);
      return json(res, 200, { sha: match[1], encoding: 'base64', content: Buffer.from(content).toString('base64') });
    }
    match = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(path);
    if (match) return this.answerCompare(res, url, match[1]!, match[2]!);
    json(res, 404, { message: 'Not Found' });
  }

  private answerTree(res: ServerResponse, sha: string, recursive: boolean): void {
    const entries = this.trees.get(sha);
    if (!entries) return json(res, 404, { message: 'Not Found' });
    if (!recursive) return json(res, 200, { sha, tree: entries, truncated: false });
    const all: TreeEntry[] = [];
    const walk = (tree: TreeEntry[], prefix: string) => {
      for (const e of tree) {
        all.push({ ...e, path: prefix + e.path });
        if (e.type === 'tree') walk(this.trees.get(e.sha)!, `${prefix}${e.path}/`);
      }
    };
    walk(entries, '');
    if (this.truncateRecursiveTrees) return json(res, 200, { sha, tree: all.slice(0, 1), truncated: true });
    json(res, 200, { sha, tree: all, truncated: false });
  }

  private answerCompare(res: ServerResponse, url: URL, base: string, head: string): void {
    const from = this.commits.get(base);
    const to = this.commits.get(head);
    if (!from || !to) return json(res, 404, { message: 'Not Found' });
    const files: { filename: string; status: string; sha: string; previous_filename?: string }[] = [];
    const removed = new Map<string, string>();
    for (const [path, content] of from.files) if (!to.files.has(path)) removed.set(path, blobId(content));
    for (const [path, content] of to.files) {
      const before = from.files.get(path);
      if (before === content) continue;
      const sha = blobId(content);
      const renamedFrom = before === undefined ? [...removed].find(([, blob]) => blob === sha)?.[0] : undefined;
      if (renamedFrom !== undefined) {
        removed.delete(renamedFrom);
        files.push({ filename: path, status: 'renamed', sha, previous_filename: renamedFrom });
      } else files.push({ filename: path, status: before === undefined ? 'added' : 'modified', sha });
    }
    for (const [path, sha] of removed) files.push({ filename: path, status: 'removed', sha });
    const size =
      Number(url.searchParams.get('per_page') ?? 300) > 0
        ? Math.min(this.comparePageSize, Number(url.searchParams.get('per_page') ?? 300))
        : 300;
    const page = Number(url.searchParams.get('page') ?? 1);
    const headers: Record<string, string> = {};
    if (page * size < files.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.href}>; rel="next", <${url.href}>; rel="first"`;
    }
    json(res, 200, { status: 'ahead', files: files.slice((page - 1) * size, page * size) }, headers);
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}
