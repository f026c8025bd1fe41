/**
 * Templates: text with `{source.field}` placeholders (`{{`/`}}` for literal braces), compiled once per mapping.
 * A placeholder of a join with several records renders their distinct non-empty values joined by ", ".
 */

export interface FieldRef {
  source: string;
  field: string;
}

export type TemplatePart = string | FieldRef;

export interface Template {
  text: string;
  parts: readonly TemplatePart[];
  refs: readonly FieldRef[];
}

/** What a template or condition reads from: the values of a field for the current row (none when absent). */
export interface RowValues {
  values(ref: FieldRef): readonly string[];
}

export function parseFieldRef(text: string): FieldRef | undefined {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) return undefined;
  return { source: text.slice(0, dot).trim(), field: text.slice(dot + 1).trim() };
}

/** Parses a template; throws an Error whose message says what is wrong (the caller adds the key path). */
export function compileTemplate(text: string): Template {
  const parts: TemplatePart[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 1;
    } else if (ch === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 1;
    } else if (ch === '{') {
      const close = text.indexOf('}', i + 1);
      if (close === -1) throw new Error(`unclosed '{' at position ${i + 1} (write {{ for a literal brace)`);
      const inner = text.slice(i + 1, close);
      const ref = parseFieldRef(inner);
      if (ref === undefined) throw new Error(`'{${inner}}' is not a {source.field} placeholder`);
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(ref);
      i = close;
    } else if (ch === '}') {
      throw new Error(`unmatched '}' at position ${i + 1} (write }} for a literal brace)`);
    } else {
      literal += ch;
    }
  }
  if (literal !== '') parts.push(literal);
  return { text, parts, refs: parts.filter((p): p is FieldRef => typeof p !== 'string') };
}

export function renderTemplate(template: Template, row: RowValues): string {
  const { parts } = template;
  if (parts.length === 1) {
    const only = parts[0] as TemplatePart;
    return typeof only === 'string' ? only : joinValues(row.values(only));
  }
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : joinValues(row.values(part));
  return out;
}

function joinValues(values: readonly string[]): string {
  if (values.length === 0) return '';
  if (values.length === 1) return values[0] as string;
  return [...new Set(values.filter((v) => v !== ''))].join(', ');
}
