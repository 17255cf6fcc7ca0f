/**
 * Secrets never reach the page: values under keys that name a secret, and answers to input
 * requests whose schema marks them as passwords or write-only, become a fixed mask. The masked
 * copy is new; the stored task is never touched.
 *
 * @module
 */

/** What a masked value is shown as. */
export const MASK = '••••••';

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key/i;

/** A deep copy of `value` with every value under a secret-looking key masked, at any depth. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? MASK : maskSecrets(inner)]));
}

/**
 * An answer to an input request, masked: the fields (of the answer, or of an elicitation result's
 * `content`) whose schema property is `format: "password"` or `writeOnly: true`, and
 * secret-looking keys as everywhere.
 */
export function maskAnswer(answer: unknown, requestedSchema: unknown): unknown {
  const secretFields = new Set(secretProperties(requestedSchema));
  const maskFields = (fields: unknown): unknown =>
    fields === null || typeof fields !== 'object' || Array.isArray(fields)
      ? maskSecrets(fields)
      : Object.fromEntries(
          Object.entries(fields).map(([key, inner]) => [key, secretFields.has(key) || SECRET_KEY.test(key) ? MASK : maskSecrets(inner)]),
        );
  const masked = maskFields(answer);
  const content = (answer as { content?: unknown } | null)?.content;
  return content === undefined ? masked : { ...(masked as object), content: maskFields(content) };
}

/** The names of a JSON schema's properties that hold secrets. */
function secretProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: unknown } | null)?.properties;
  if (properties === null || typeof properties !== 'object') return [];
  return Object.entries(properties as Record<string, unknown>)
    .filter(([, property]) => {
      const p = property as { format?: unknown; writeOnly?: unknown } | null;
      return p?.format === 'password' || p?.writeOnly === true;
    })
    .map(([name]) => name);
}
