/** Loading data for a view: the value, the error, and a way to load again. */
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  value: T | null;
  error: Error | null;
  reload: () => void;
}

/** Runs `load` whenever `key` changes (and on `reload`); an answer for an older key is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ key: string; value: T | null; error: Error | null }>({ key, value: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setState({ key, value, error: null }),
      (error: Error) => current && setState((s) => ({ key, value: s.key === key ? s.value : null, error })),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure on every render; `key` says when it asks for something else.
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { value: state.key === key ? state.value : null, error: state.key === key ? state.error : null, reload };
}
