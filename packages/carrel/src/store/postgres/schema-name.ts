/**
 * The schema names the PostgreSQL knowledge base accepts: they go into `search_path`, lock keys
 * and messages, so only plain identifiers.
 *
 * @module
 */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** `schema`, if it is a name the store accepts; otherwise an error naming the rule. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `Invalid PostgreSQL schema name "${schema}": use letters, digits and _ (at most 48 characters, not starting with a digit)`,
    );
  }
  return schema;
}
