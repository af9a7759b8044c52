import { AutoRouter, json } from 'itty-router';
import { greeting } from '../../src/greeting.js';

// The routine of the app: ESA serves the page's files from the version's assets and calls this for
// the rest (here, /api/...).
const router = AutoRouter();
router.get('/api/greet', (request) => new Response(greeting(new URL(request.url).searchParams.get('name'))));
router.get('/health', () => json({ ok: true, app: true }));

export default {
  async fetch(request) {
    return router.fetch(request);
  },
};
