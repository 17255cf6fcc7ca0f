/**
 * Printing command results: pretty JSON with `--json` (one document on stdout, nothing else
 * there), otherwise the human rendering. Progress and notices go to stderr so stdout stays data.
 *
 * @module
 */

/** Prints `data` as JSON or as `human(data)`. */
export function print<T>(data: T, json: boolean, human: (data: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human(data)}\n`);
}

/** A line for the person at the terminal (stderr), never mixed into data output. */
export function notice(text: string): void {
  process.stderr.write(`${text}\n`);
}
