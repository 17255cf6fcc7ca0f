/**
 * A sync whose source wants a token the connector lacks, or refused the one it has: the task asks
 * its client for a token (an input request, `input_required` on every era), stores the answer as
 * the connector's secret (sealed into the database, `connectors/secrets.ts`) and syncs again. The request is sensitive: the
 * engine removes the answer from the task as soon as the tool has it, so the token is never in a
 * task record, a result or a status message. Asked once per attempt: a fresh token refused as well
 * ends the sync with that refusal rather than asking in a loop.
 *
 * @module
 */
import { elicit, type ToolContext } from '@carrel/tasks/mcp';
import { CredentialsRejectedError } from '../../errors.js';
import type { IngestResult } from '../../ingest/jobs.js';
import type { KnowledgeBase } from '../../knowledge-base.js';

/** What a form-mode elicitation answers. */
interface TokenAnswer {
  action?: 'accept' | 'decline' | 'cancel';
  content?: { token?: unknown };
}

/**
 * Runs `sync`, asking the client for a token when the source wants one (see module comment); the
 * second run is told it follows a fresh token (`afterToken`), so a sync run as a workflow starts a
 * new one rather than finding the one that failed.
 */
export async function syncAskingForToken(
  ctx: ToolContext,
  base: KnowledgeBase,
  connector: string,
  sync: (afterToken: boolean) => Promise<IngestResult>,
): Promise<IngestResult> {
  try {
    return await sync(false);
  } catch (error) {
    // Only a task can wait for the answer (and keep it out of every record); a call without one gets the error and its fix.
    if (!(error instanceof CredentialsRejectedError) || ctx.taskId === null) throw error;
    const answer = await ctx.requestInput<TokenAnswer>(
      'token',
      elicit(
        `Connector ${connector} needs a token. ${error.problem}. Enter a token that can read it; it is stored as the connector's secret, never in the task.`,
        {
          type: 'object',
          properties: {
            token: { type: 'string', title: 'Token', description: 'A token for the source (for GitHub: Contents read access)' },
          },
          required: ['token'],
        },
      ),
      { sensitive: true },
    );
    const token = answer.action === 'accept' ? answer.content?.token : undefined;
    if (typeof token !== 'string') throw error;
    await base.setConnectorSecret(connector, token.trim());
    return sync(true);
  }
}
