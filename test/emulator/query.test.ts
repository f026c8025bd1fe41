/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import type { TestEmulator } from './helpers';
import { CSV_HEADER_6, ids, startTestEmulator } from './helpers';

let t: TestEmulator;
const sessionIds: string[] = [];
let filesSession = '';

beforeAll(async () => {
  t = await startTestEmulator({ pageSize: 2 });
  // Five sessions on the Payroll resource of the annual review: two complete, three active.
  for (let i = 0; i < 5; i += 1) {
    const instance = await t.freshInstance(ids.annualReview);
    const created = await t.createSession(instance, { definitionId: ids.annualReview, resourceId: ids.payroll });
    sessionIds.push(created.json.id);
    if (i < 2) {
      await t.send('PATCH', `${t.sessionsPath('v1.0', ids.payroll)}/${created.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    }
  }
  filesSession = sessionIds[4]!;
  const sessionPath = `${t.sessionsPath('v1.0', ids.payroll)}/${filesSession}`;
  const row = `${ids.adele},EntraIdUser,p1,Read,Read,Role\n`;
  await t.upload(sessionPath, "O'Brien.csv", `${CSV_HEADER_6}\n${row}`);
  await t.upload(sessionPath, 'b-large.csv', `${CSV_HEADER_6}\n${row.repeat(20)}`);
  await t.upload(sessionPath, 'a-small.csv', `${CSV_HEADER_6}\n`);
});
afterAll(async () => {
  await t.stop();
});

const list = (query: string): ReturnType<TestEmulator['send']> => t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}?${query}`);

describe('$filter, $orderby, $count on sessions', () => {
  it('filters by status and by referenceId, combined with and', async () => {
    const complete = await list("$filter=status eq 'complete'&$top=10");
    expect(complete.json.value.map((s: { id: string }) => s.id)).toEqual(sessionIds.slice(0, 2));
    const active = await list("$filter=status eq 'active'&$count=true&$top=10");
    expect(active.json['@odata.count']).toBe(3);
    const one = await t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}/${sessionIds[3]!}`);
    const both = await list(`$filter=${encodeURIComponent(`status eq 'active' and referenceId eq '${one.json.referenceId as string}'`)}`);
    expect(both.json.value.map((s: { id: string }) => s.id)).toEqual([sessionIds[3]]);
  });

  it('orders by createdDateTime both ways', async () => {
    const asc = await list('$orderby=createdDateTime asc&$top=5');
    expect(asc.json.value.map((s: { id: string }) => s.id)).toEqual(sessionIds);
    const desc = await list('$orderby=createdDateTime desc&$top=5');
    expect(desc.json.value.map((s: { id: string }) => s.id)).toEqual([...sessionIds].reverse());
  });

  it('pages with the default page size, following @odata.nextLink that keeps the other options', async () => {
    const seen: string[] = [];
    let page = await list('$orderby=createdDateTime desc&$count=true');
    expect(page.json['@odata.count']).toBe(5);
    let pages = 1;
    seen.push(...page.json.value.map((s: { id: string }) => s.id));
    while (page.json['@odata.nextLink'] !== undefined) {
      const next = new URL(page.json['@odata.nextLink'] as string);
      expect(next.origin).toBe(t.emulator.baseUrl);
      expect(next.searchParams.get('$orderby')).toBe('createdDateTime desc');
      page = await t.send('GET', next.href);
      expect(page.status).toBe(200);
      seen.push(...page.json.value.map((s: { id: string }) => s.id));
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...sessionIds].reverse());
  });

  it('uses $top as the page size and $skip as the start', async () => {
    const page = await list('$top=3&$skip=1');
    expect(page.json.value.map((s: { id: string }) => s.id)).toEqual(sessionIds.slice(1, 4));
    const next = await t.send('GET', page.json['@odata.nextLink'] as string);
    expect(next.json.value.map((s: { id: string }) => s.id)).toEqual(sessionIds.slice(4));
    expect(next.json['@odata.nextLink']).toBeUndefined();
  });
});

describe('$expand=files with nested options', () => {
  const expand = async (nested: string): Promise<string[]> => {
    const res = await t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}/${filesSession}?$expand=${encodeURIComponent(`files(${nested})`)}`);
    expect(res.status).toBe(200);
    return (res.json.files as { name: string }[]).map((f) => f.name);
  };

  it('filters files by name (a quote inside a literal is doubled), size and uploadedDateTime', async () => {
    expect(await expand("$filter=name eq 'O''Brien.csv'")).toEqual(["O'Brien.csv"]);
    expect(await expand("$filter=name ne 'O''Brien.csv';$orderby=name")).toEqual(['a-small.csv', 'b-large.csv']);
    expect(await expand('$filter=size gt 200')).toEqual(['b-large.csv']);
    expect(await expand(`$filter=size le ${CSV_HEADER_6.length + 1}`)).toEqual(['a-small.csv']);
    expect(await expand('$filter=uploadedDateTime ge 2000-01-01T00:00:00Z;$orderby=uploadedDateTime desc')).toEqual(['a-small.csv', 'b-large.csv', "O'Brien.csv"]);
    expect(await expand('$filter=uploadedDateTime lt 2000-01-01T00:00:00Z')).toEqual([]);
  });

  it('orders files by name, size and uploadedDateTime', async () => {
    expect(await expand('$orderby=name asc')).toEqual(['a-small.csv', 'b-large.csv', "O'Brien.csv"]);
    expect(await expand('$orderby=size desc')).toEqual(['b-large.csv', "O'Brien.csv", 'a-small.csv']);
    expect(await expand('$orderby=uploadedDateTime')).toEqual(["O'Brien.csv", 'b-large.csv', 'a-small.csv']);
  });

  it('expands files in a list with the filter applied per session', async () => {
    const res = await list(`$filter=${encodeURIComponent(`referenceId eq '${(await t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}/${filesSession}`)).json.referenceId as string}'`)}&$expand=${encodeURIComponent('files($filter=size gt 200)')}`);
    expect(res.json.value[0].files.map((f: { name: string }) => f.name)).toEqual(['b-large.csv']);
    expect(res.json['@odata.context']).toContain('/uploadSessions(files())');
  });
});

describe('unsupported query options get Graph 400s that name them', () => {
  it.each([
    ['$select=id', '$select'],
    ['$search=x', '$search'],
    ["$filter=isUploadDone eq 'true'", 'isUploadDone'],
    ['$filter=createdDateTime gt 2026-01-01T00:00:00Z', 'createdDateTime'],
    ["$filter=status ne 'active'", "'ne'"],
    ['$orderby=status', 'status'],
    ['$expand=stats', 'stats'],
    ['$expand=files($top=1)', '$top'],
    ["$filter=status eq 'active' xor", 'xor'],
    ["$filter=status eq 'unterminated", 'unterminated'],
    ['$top=-1', '$top'],
    ['$count=maybe', '$count'],
    ['$skiptoken=forged', '$skiptoken'],
  ])('%s', async (query, named) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(['BadRequest', 'Request_UnsupportedQuery']).toContain(res.json.error.code);
    expect(res.json.error.message).toContain(named);
  });

  it('rejects query options on Get other than $expand', async () => {
    const res = await t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}/${filesSession}?$filter=${encodeURIComponent("status eq 'active'")}`);
    expect(res.status).toBe(400);
  });

  it('treats option names without $ as options on beta only', async () => {
    const beta = await t.send('GET', `${t.sessionsPath('beta', ids.payroll)}?filter=${encodeURIComponent("status eq 'complete'")}&top=10`);
    expect(beta.json.value).toHaveLength(2);
    const v1 = await t.send('GET', `${t.sessionsPath('v1.0', ids.payroll)}?filter=${encodeURIComponent("status eq 'complete'")}`);
    expect(v1.json.value).toHaveLength(2); // default page size 2: the ignored filter does not apply
    expect(v1.json['@odata.nextLink']).toBeDefined();
  });
});
