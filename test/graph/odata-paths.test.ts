import fc from 'fast-check';
import { and, buildQuery, eq, odataEnum, odataLiteral, orderBy } from '../../activities/graph/odata';
import { graphPath } from '../../activities/graph/paths';

/** Reverses what a server does: decode the query value, then read a single-quoted OData string literal. */
function readStringLiteral(text: string): string {
  expect(text.startsWith("'") && text.endsWith("'")).toBe(true);
  const inner = text.slice(1, -1);
  expect(inner.replace(/''/g, '')).not.toContain("'");
  return inner.replace(/''/g, "'");
}

describe('OData literals and queries', () => {
  it("doubles quotes in strings: O'Brien -> 'O''Brien'", () => {
    expect(odataLiteral("O'Brien")).toBe("'O''Brien'");
    expect(eq('referenceId', "it's")).toBe("referenceId eq 'it''s'");
  });

  it('renders enums quoted, dates unquoted ISO, numbers and booleans bare', () => {
    expect(eq('status', odataEnum('active'))).toBe("status eq 'active'");
    expect(odataLiteral(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
    expect(odataLiteral(1000000)).toBe('1000000');
    expect(odataLiteral(false)).toBe('false');
    expect(() => odataLiteral(Number.NaN)).toThrow('cannot be an OData literal');
  });

  it('refuses property names that are not OData identifiers (no injection through the left side)', () => {
    expect(() => eq("name eq 'x' or true", 'y')).toThrow('not an OData property path');
  });

  it('percent-encodes option values, including quotes, parentheses, plus and semicolons; nested expand options use ;', () => {
    const query = buildQuery({
      filter: and(eq('referenceId', "a'b"), eq('status', odataEnum('active'))),
      orderBy: orderBy('createdDateTime', 'desc'),
      expand: { property: 'files', filter: eq('name', 'x+y;(1).csv'), orderBy: orderBy('name') },
      top: 5,
    });
    expect(query).toBe(
      '?$filter=' +
        encodeURIComponent("(referenceId eq 'a''b') and (status eq 'active')").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) +
        '&$orderby=createdDateTime%20desc' +
        '&$expand=files%28%24filter%3Dname%20eq%20%27x%2By%3B%281%29.csv%27%3B%24orderby%3Dname%20asc%29' +
        '&$top=5',
    );
    const params = new URL(`https://graph.example${query}`).searchParams;
    expect(params.get('$expand')).toBe("files($filter=name eq 'x+y;(1).csv';$orderby=name asc)");
  });

  it('round-trips any string value through filter text and URL decoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const query = buildQuery({ filter: eq('referenceId', value) });
        const filter = new URL(`https://graph.example/x${query}`).searchParams.get('$filter') ?? '';
        expect(filter.startsWith('referenceId eq ')).toBe(true);
        expect(readStringLiteral(filter.slice('referenceId eq '.length))).toBe(value);
      }),
    );
  });

  it('gives no query string when there are no options', () => {
    expect(buildQuery({})).toBe('');
  });
});

describe('path templates', () => {
  it('uses the documented long form on v1.0 and the accessPackageResources form on beta', () => {
    expect(graphPath('v1.0', 'uploadFile', { catalogId: 'c', resourceId: 'r', sessionId: 's' })).toBe(
      '/v1.0/identityGovernance/entitlementManagement/catalogs/c/resources/r/uploadSessions/s/uploadFile',
    );
    expect(graphPath('beta', 'uploadSessions', { catalogId: 'c', resourceId: 'r' })).toBe('/beta/identityGovernance/catalogs/c/accessPackageResources/r/uploadSessions');
    expect(graphPath('v1.0', 'reviewInstance', { definitionId: 'd', instanceId: 'i' })).toBe('/v1.0/identityGovernance/accessReviews/definitions/d/instances/i');
    expect(graphPath('v1.0', 'batch')).toBe('/v1.0/$batch');
  });

  it('percent-encodes ids as path segments and refuses empty ones', () => {
    expect(graphPath('v1.0', 'catalogResource', { catalogId: "a/b'c", resourceId: 'r d' })).toBe('/v1.0/identityGovernance/entitlementManagement/catalogs/a%2Fb%27c/resources/r%20d');
    expect(() => graphPath('v1.0', 'uploadSession', { catalogId: 'c', resourceId: 'r', sessionId: '' })).toThrow('needs a non-empty sessionId');
  });
});
