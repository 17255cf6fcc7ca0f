/**
 * The in-memory backend: `new MemoryTaskStore()`. No native dependency; nothing is persisted.
 *
 * @module
 */
export { MemoryTaskStore } from './memory-store.js';
