/**
 * The argument fields every tool uses to name a library, so they read and validate alike.
 *
 * @module
 */
import { z } from 'zod';

/** `library`, `version`, `tags` as tool arguments. */
export const TARGET_SHAPE = {
  library: z.string().trim().min(1).max(200).describe('Library the documents belong to, e.g. "react"; "react@19.1" names its version too.'),
  version: z.string().max(200).optional().describe('Library version, e.g. "19.1" (default: none).'),
  tags: z.array(z.string().min(1).max(100)).max(50).optional().describe('Tags to attach to the documents.'),
};

/** `library` and `version` only. */
export const LIBRARY_SHAPE = { library: TARGET_SHAPE.library, version: TARGET_SHAPE.version };
