/**
 * The `connector` argument the connector tools share.
 *
 * @module
 */
import { z } from 'zod';

/** A connector's name as a tool argument. */
export const CONNECTOR_NAME = z.string().min(1).max(100).describe('The connector, by the name it was added with (see list_connectors).');
