/** Sign-in with a bearer token (or OAuth access token), which the server checks as /mcp does. */
import { useState } from 'preact/hooks';
import { login } from '../api.js';
import { ErrorNote } from '../components/bits.js';

export function LoginPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="login panel"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await login(token.trim());
        } catch (failure) {
          setError(failure as Error);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1>Sign in</h1>
      <p>This server needs a token: the bearer token (or OAuth access token) an MCP client would send.</p>
      <label>
        Token
        <input
          type="password"
          name="token"
          autocomplete="current-password"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
