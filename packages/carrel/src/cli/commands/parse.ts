/**
 * Option value parsers that fail with a message naming the option.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** Parses a non-negative integer option. */
export function integer(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${option} takes a whole number, not '${value}'.`);
    return n;
  };
}
