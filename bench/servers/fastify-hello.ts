import Fastify from 'fastify';

/** The framework ceiling: a Fastify hello-world with no logger, hooks or schemas, on the port in argv[2]. */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
