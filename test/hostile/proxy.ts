import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to a request for an ESA action. */
export type ProxyBehaviour =
  /** Forward it, let ESA process it, then close the connection without the answer. */
  | { readonly kind: 'dropAfter' }
  /** Forward it, then send only the first half of ESA's answer and close. */
  | { readonly kind: 'truncate' }
  /** Answer this instead (without forwarding, or after forwarding with `processed`). */
  | {
      readonly kind: 'craft';
      readonly status: number;
      readonly body: string;
      readonly contentType?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly processed?: boolean;
    }
  /** Forward it, then pass ESA's answer through `edit` (a field a newer ESA may add, say). */
  | { readonly kind: 'rewrite'; readonly edit: (body: string) => string }
  /** Never answer. */
  | { readonly kind: 'stall' };

type Crafted = Extract<ProxyBehaviour, { kind: 'craft' }>;

/** Answers with the crafted status, headers and body. */
function sendCrafted(res: ServerResponse, answer: Crafted): void {
  res
    .writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers })
    .end(answer.body);
}

interface Rule {
  readonly action: string;
  readonly behaviour: ProxyBehaviour;
  remaining: number;
}

/**
 * A hostile man in the middle between a client and the emulator's ESA endpoint, on loopback: it
 * can lose answers after ESA processed the request, cut them, replace them, or never answer.
 */
export class HostileProxy {
  private readonly rules: Rule[] = [];
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(target: string): Promise<HostileProxy> {
    const server = createServer();
    const proxy = new HostileProxy(server, new URL(target));
    server.on('request', (req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Applies `behaviour` to the next `times` requests for `action` (`'*'` for any). */
  on(action: string, behaviour: ProxyBehaviour, times = Number.POSITIVE_INFINITY): void {
    this.rules.push({ action, behaviour, remaining: times });
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(action: string): ProxyBehaviour | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.action === '*' || r.action === action));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.behaviour;
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
            resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const action = String(req.headers['x-acs-action'] ?? '');
    const behaviour = this.take(action);
    if (behaviour?.kind === 'stall') return;
    if (behaviour?.kind === 'craft' && !behaviour.processed) {
      sendCrafted(res, behaviour);
      return;
    }
    let answer: Awaited<ReturnType<HostileProxy['forward']>>;
    try {
      answer = await this.forward(req, body);
    } catch {
      res.destroy();
      return;
    }
    if (behaviour?.kind === 'dropAfter') {
      res.socket?.destroy();
      return;
    }
    if (behaviour?.kind === 'craft') {
      sendCrafted(res, behaviour);
      return;
    }
    const {
      'content-length': _length,
      'transfer-encoding': _encoding,
      connection: _connection,
      ...headers
    } = answer.headers;
    if (behaviour?.kind === 'truncate') {
      res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    const answerBody =
      behaviour?.kind === 'rewrite' ? Buffer.from(behaviour.edit(answer.body.toString('utf8'))) : answer.body;
    res.writeHead(answer.status, { ...headers, 'content-length': String(answerBody.length) }).end(answerBody);
  }
}
