/** Placeholder until the PostgreSQL backend lands: starts nothing. */
export default async function setup(): Promise<void> {}
