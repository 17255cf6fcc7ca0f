/**
 * Checking a connector's options against its kind's zod schema, with the error every surface
 * shows: the option's name (`options.<name>`) and what it expects.
 *
 * @module
 */
import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/**
 * The parsed options, or InvalidInputError naming the first bad option. The schema's messages
 * say what an option expects ("a folder path"); an unknown option is named with the ones there are.
 */
export function parseOptions<S extends z.ZodObject>(kind: string, schema: S, options: Record<string, unknown>): z.infer<S> {
  const parsed = schema.strict().safeParse(options);
  if (parsed.success) return parsed.data as z.infer<S>;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys')
    throw new InvalidInputError(
      `options.${issue.keys[0]}`,
      `one of the options a ${kind} connector takes (${Object.keys(schema.shape).join(', ')})`,
    );
  throw new InvalidInputError(issue.path.length > 0 ? `options.${issue.path.join('.')}` : 'options', issue.message);
}
