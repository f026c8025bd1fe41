import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SourceUnavailableError } from '../../activities/data/errors';
import { dataError, readSource } from './helpers';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

let server: Server;
let base: string;
let handler: Handler;
let requests: { url: URL; headers: IncomingMessage['headers'] }[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({ url, headers: req.headers });
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = [];
});

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const fast = { timeoutMs: 2000, retryBaseDelayMs: 1 };

describe('http-json source', () => {
  it('follows Link rel="next" and sends the bearer token from the variable the mapping names', async () => {
    handler = (_req, res, url) => {
      const page = Number(url.searchParams.get('p') ?? '1');
      json(res, { items: [{ id: `u${page}a` }, { id: `u${page}b` }] }, page < 3 ? { link: `</perm?p=${page + 1}>; rel="next", </perm?p=3>; rel="last"` } : {});
    };
    const { records } = await readSource(
      { type: 'http-json', url: `${base}/perm`, recordsPath: 'items', paging: { type: 'link-header' }, auth: { type: 'bearer', tokenEnv: 'APP_TOKEN' }, ...fast },
      { env: { APP_TOKEN: 's3cret' } },
    );
    expect(records.map((r) => r.fields.id)).toEqual(['u1a', 'u1b', 'u2a', 'u2b', 'u3a', 'u3b']);
    expect(records[3]!.origin).toEqual({ location: `${base}/perm?p=2`, index: 1 });
    expect(requests.every((r) => r.headers.authorization === 'Bearer s3cret')).toBe(true);
  });

  it('pages by cursor with an API key header', async () => {
    handler = (_req, res, url) => {
      const cursor = url.searchParams.get('after');
      if (cursor === null) json(res, { data: [{ n: 1 }], meta: { next: 'c2' } });
      else if (cursor === 'c2') json(res, { data: [{ n: 2 }], meta: { next: null } });
      else json(res, { data: [] });
    };
    const { records } = await readSource(
      { type: 'http-json', url: `${base}/api`, recordsPath: 'data', paging: { type: 'cursor', cursorPath: 'meta.next', cursorParam: 'after' }, auth: { type: 'api-key', keyEnv: 'KEY', header: 'X-Api-Key' }, ...fast },
      { env: { KEY: 'k1' } },
    );
    expect(records.map((r) => r.fields.n)).toEqual([1, 2]);
    expect(requests.map((r) => r.headers['x-api-key'])).toEqual(['k1', 'k1']);
  });

  it('pages by page number until a short page', async () => {
    handler = (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      json(res, page <= 2 ? [{ page }, { page }] : [{ page }]);
    };
    const { records } = await readSource({ type: 'http-json', url: `${base}/list`, paging: { type: 'page-number', sizeParam: 'per_page', size: 2 }, ...fast });
    expect(records.map((r) => r.fields.page)).toEqual([1, 1, 2, 2, 3]);
    expect(requests[0]!.url.searchParams.get('per_page')).toBe('2');
  });

  it('retries 429 and 503, waiting as Retry-After says', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end('{"error":"slow down"}');
      } else if (calls === 2) {
        res.writeHead(503);
        res.end();
      } else json(res, [{ ok: true }]);
    };
    const { records } = await readSource({ type: 'http-json', url: `${base}/flaky`, ...fast });
    expect(records).toHaveLength(1);
    expect(calls).toBe(3);
  });

  it('fails naming the URL and the timeout setting when the API does not answer', async () => {
    handler = () => {
      // never answers
    };
    const error = await dataError(() => readSource({ type: 'http-json', url: `${base}/slow`, timeoutMs: 100, retries: 1, retryBaseDelayMs: 1 }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toContain(`${base}/slow`);
    expect(error.message).toContain('sources.src.timeoutMs');
    expect(error.message).toContain('no answer within 100 ms');
    expect(requests).toHaveLength(2);
  });

  it('fails naming the setting and the variable when the credential is not in the environment', async () => {
    const error = await dataError(() => readSource({ type: 'http-json', url: `${base}/x`, auth: { type: 'bearer', tokenEnv: 'MISSING_TOKEN' } }));
    expect(error.message).toContain('sources.src.auth.tokenEnv');
    expect(error.message).toContain('MISSING_TOKEN is not set');
    expect(requests).toHaveLength(0);
  });

  it('does not retry a 401 and says to check the credential', async () => {
    handler = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"bad token"}');
    };
    const error = await dataError(() => readSource({ type: 'http-json', url: `${base}/auth`, auth: { type: 'bearer', tokenEnv: 'T' }, ...fast }, { env: { T: 'wrong' } }));
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('sources.src.auth');
    expect(requests).toHaveLength(1);
  });
});

describe('servicenow source', () => {
  it('pages the Table API with sysparm_limit/offset, basic auth and the encoded query', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ number: `RITM00${i}`, requested_for: `user${i}@x.example` }));
    handler = (_req, res, url) => {
      const limit = Number(url.searchParams.get('sysparm_limit'));
      const offset = Number(url.searchParams.get('sysparm_offset'));
      json(res, { result: rows.slice(offset, offset + limit) });
    };
    const { records } = await readSource(
      {
        type: 'servicenow',
        instanceUrl: base,
        table: 'sc_req_item',
        query: 'active=true^cat_item.name=Ledger access',
        fields: ['number', 'requested_for'],
        pageSize: 2,
        auth: { type: 'basic', usernameEnv: 'SN_USER', passwordEnv: 'SN_PASSWORD' },
        ...fast,
      },
      { env: { SN_USER: 'svc', SN_PASSWORD: 'pw' } },
    );
    expect(records.map((r) => r.fields.number)).toEqual(rows.map((r) => r.number));
    expect(requests.map((r) => r.url.pathname)).toEqual(Array(3).fill('/api/now/table/sc_req_item'));
    expect(requests.map((r) => r.url.searchParams.get('sysparm_offset'))).toEqual(['0', '2', '4']);
    expect(requests[0]!.url.searchParams.get('sysparm_query')).toBe('active=true^cat_item.name=Ledger access');
    expect(requests[0]!.url.searchParams.get('sysparm_fields')).toBe('number,requested_for');
    expect(requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('svc:pw').toString('base64')}`);
    expect(records[2]!.origin.location).toContain('sysparm_offset=2');
  });

  it('fails naming the table setting when the answer has no result array', async () => {
    handler = (_req, res) => json(res, { error: { message: 'Invalid table' } });
    const error = await dataError(() => readSource({ type: 'servicenow', instanceUrl: base, table: 'nope', ...fast }));
    expect(error.message).toContain('sources.src.table');
  });
});
