/**
 * The argument fields every tool uses to name a library (or to filter by one), so they read and
 * validate alike.
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

/** `library`, `version` and `source` as optional filters of what a tool reads. */
export const FILTER_SHAPE = {
  library: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only this library: "react", or "react@19.1" for one version (as list_libraries prints it).'),
  version: z.string().max(200).optional().describe('Only this version of the library.'),
  source: z.string().min(1).max(4096).optional().describe('Only documents whose source starts with this folder path or URL prefix.'),
};
