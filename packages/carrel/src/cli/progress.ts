/**
 * A progress bar fed by task records: whatever reported the progress (this process or another
 * carrel process working the same task), the bar shows the record's `progress`. Drawn on stderr,
 * only on a terminal, so piped and `--json` output stays clean.
 *
 * @module
 */
import cliProgress from 'cli-progress';
import type { TaskRecord } from '@carrel/tasks';

/** Shows a task's progress until stopped. */
export class TaskProgressBar {
  readonly #enabled: boolean;
  #bar: cliProgress.SingleBar | undefined;

  constructor(enabled: boolean) {
    this.#enabled = enabled && process.stderr.isTTY === true;
  }

  /** Redraws from the record's latest progress. */
  update(task: TaskRecord): void {
    const progress = task.progress;
    if (!this.#enabled || !progress) return;
    const total = progress.total ?? Math.max(progress.current, 1);
    const message = progress.message ?? task.statusMessage ?? '';
    if (!this.#bar) {
      this.#bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: ' {bar} {percentage}% | {value}/{total} | {message}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, progress.current, { message });
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(progress.current, { message });
  }

  /** Removes the bar. */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
