import { KnowledgeBase } from './src/index.ts';
const kb = KnowledgeBase.open({
  dataDir: '/tmp/i7e/data2',
  embedder: { kind: 'local', model: 'test/tiny', cacheDir: '/tmp/i7e/cache', workers: 2 },
});
const t = setTimeout(() => {
  console.log('TIMEOUT');
  process.exit(1);
}, 60000);
console.log(
  await kb.ingestContent({ library: 'x', content: '# A\n\nhello world' }).then(
    (r) => r.chunks,
    (e) => e.message,
  ),
);
clearTimeout(t);
await kb.close();
