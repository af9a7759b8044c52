import { AutoRouter, json } from 'itty-router';
import { greeting } from './greeting.js';

const router = AutoRouter();

router.get('/', (request) => new Response(greeting(new URL(request.url).searchParams.get('name'))));
router.get('/health', () => json({ ok: true, at: new Date().toISOString() }));

/** The Edge Routine: ESA calls `fetch` for every request. */
export default {
  async fetch(request) {
    return router.fetch(request);
  },
};
