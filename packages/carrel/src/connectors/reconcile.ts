/**
 * The plan that brings the stored connectors in line with a declared list (a sources manifest):
 * each declared connector is added, changed (options, schedule or secret) or left unchanged, and
 * with `prune` every stored connector the list does not name is removed. A connector's kind and
 * library never change in place (its documents and cursor belong to them): such an entry is an
 * error naming the field, so the list is fixed before anything is written.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { libraryLabel } from '../fix.js';
import type { ConnectorRecord } from '../store/repository.js';
import type { CheckedConnector } from './configs.js';

/** What reconciling does to one connector. */
export type ReconcileAction = 'added' | 'changed' | 'unchanged' | 'pruned';

/** One connector's line of the plan. */
export interface ReconcileStep {
  connector: string;
  action: ReconcileAction;
  /** For `changed`: which of `options`, `schedule`, `secret` differ. */
  changes: string[];
  /** For `pruned`: the documents removed with it (only with `deleteDocuments`). */
  deletedDocuments?: number;
}

/** A step with what applying it needs. */
export type PlannedStep =
  | { step: ReconcileStep & { action: 'added' }; wanted: CheckedConnector }
  | { step: ReconcileStep & { action: 'changed' | 'unchanged' }; wanted: CheckedConnector; stored: ConnectorRecord }
  | { step: ReconcileStep & { action: 'pruned' }; stored: ConnectorRecord };

/**
 * The plan for `wanted` (entry `i` named `connectors[i]` in errors) against `stored`, in the
 * list's order, pruned connectors last. A stored secret is replaced only by an entry that gives one.
 */
export function planReconcile(
  stored: readonly ConnectorRecord[],
  storedSecret: (connectorId: number) => string | undefined,
  wanted: readonly CheckedConnector[],
  prune: boolean,
): PlannedStep[] {
  const byName = new Map(stored.map((c) => [c.name, c]));
  const seen = new Map<string, number>();
  const plan: PlannedStep[] = wanted.map((w, i) => {
    const first = seen.get(w.name);
    if (first !== undefined)
      throw new InvalidInputError(`connectors[${i}].name`, `a name no other entry has (connectors[${first}] is ${w.name} too)`);
    seen.set(w.name, i);
    const found = byName.get(w.name);
    if (!found) return { step: { connector: w.name, action: 'added', changes: [] }, wanted: w };
    const fixed = (field: string, was: string, now: string) =>
      new InvalidInputError(
        `connectors[${i}].${field}`,
        `${was} as connector ${w.name} has (not ${now}): a connector's ${field} does not change; remove the connector first, or give this entry another name`,
      );
    if (found.kind !== w.kind) throw fixed('kind', found.kind, w.kind);
    if (found.library !== w.library || found.version !== w.version)
      throw fixed('library', libraryLabel(found.library, found.version), libraryLabel(w.library, w.version));
    const changes = [
      ...(canonical(found.options) !== canonical(w.options) ? ['options'] : []),
      ...(canonical(found.schedule) !== canonical(w.schedule) ? ['schedule'] : []),
      ...(w.secret !== undefined && w.secret !== storedSecret(found.id) ? ['secret'] : []),
    ];
    return { step: { connector: w.name, action: changes.length ? 'changed' : 'unchanged', changes }, wanted: w, stored: found };
  });
  if (prune)
    for (const c of stored) if (!seen.has(c.name)) plan.push({ step: { connector: c.name, action: 'pruned', changes: [] }, stored: c });
  return plan;
}

/** JSON with object keys sorted: two option sets equal in value compare equal as text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
