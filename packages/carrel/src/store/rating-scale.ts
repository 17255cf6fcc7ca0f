/**
 * The scale documents are rated on: every store checks a rating against it before writing it.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/** Validates a rating; throws InvalidInputError. */
export function checkRating(rating: number): void {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new InvalidInputError('rating', 'an integer from 1 to 5');
}
