// The floor for any MCP server built on the official SDK v2: load the SDK (and zod, which it
// imports) and answer `initialize` on stdio with no tools, no store, no engine. bench/startup/run.ts
// times it with --floor to put carrel's own start-up cost in context on a given machine.
import { Server } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';

const server = new Server({ name: 'floor', version: '0.0.0' }, { capabilities: { tools: {} } });
await server.connect(new StdioServerTransport());
