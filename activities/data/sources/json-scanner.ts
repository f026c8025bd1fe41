/**
 * Finds the elements of one JSON array in a stream of text without building the whole document, so a large export
 * is read with bounded memory; each element's text then goes to JSON.parse. Hand-written because no streaming JSON
 * parser is among the project's dependencies, and this needs only bracket depth and string state, not a parser.
 * The array is the top-level value, or the value of the top-level key `recordsKey` (e.g. `{"result": [...]}`).
 */

export interface ScannedElement {
  text: string;
  /** 1-based line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
}

export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

export class JsonArrayScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private inTarget = false;
  private targetSeen = false;
  private readonly targetDepth: number;
  // element capture
  private capturing = false;
  private parts: string[] = [];
  private partsLength = 0;
  private elementLine = 0;
  private elementIndex = 0;
  // key tracking at depth 1 (only with recordsKey)
  private expectKey = false;
  private keyParts: string[] | undefined;
  private lastKey: string | undefined;

  constructor(
    private readonly recordsKey: string | undefined,
    private readonly maxElementChars: number,
  ) {
    this.targetDepth = recordsKey === undefined ? 1 : 2;
  }

  /** Feeds a chunk; returns the elements completed in it. */
  push(chunk: string): ScannedElement[] {
    const out: ScannedElement[] = [];
    let start = this.capturing ? 0 : -1;
    let keyStart = this.keyParts !== undefined ? 0 : -1;
    for (let i = 0; i < chunk.length; i += 1) {
      const c = chunk.charCodeAt(i);
      if (c === NEWLINE) this.line += 1;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyParts !== undefined) {
            this.keyParts.push(chunk.slice(keyStart, i));
            this.lastKey = this.keyParts.join('');
            this.keyParts = undefined;
            keyStart = -1;
          }
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === NEWLINE) continue;
      const ch = String.fromCharCode(c);
      const atElementLevel = this.inTarget && this.depth === this.targetDepth;
      if (atElementLevel && !this.capturing && ch !== ',' && ch !== ']') {
        this.capturing = true;
        this.elementLine = this.line;
        start = i;
      }
      switch (ch) {
        case '"':
          this.inString = true;
          if (this.recordsKey !== undefined && this.depth === 1 && this.expectKey && !this.inTarget) {
            this.keyParts = [];
            keyStart = i + 1;
          }
          break;
        case '{':
        case '[':
          this.open(ch);
          break;
        case '}':
        case ']':
          if (this.capturing && atElementLevel) {
            this.finish(chunk.slice(start, i), out); // a primitive element ended by the closing bracket
          }
          this.depth -= 1;
          if (this.capturing && this.depth === this.targetDepth) {
            this.finish(chunk.slice(start, i + 1), out);
          } else if (this.inTarget && this.depth === this.targetDepth - 1) {
            this.inTarget = false;
          }
          if (this.depth < 0) throw new JsonScanError(`unexpected '${ch}'`, this.line);
          break;
        case ',':
          if (this.capturing && atElementLevel) this.finish(chunk.slice(start, i), out);
          if (this.depth === 1) this.expectKey = true;
          break;
        case ':':
          if (this.depth === 1) this.expectKey = false;
          break;
        default:
          if (this.depth === 0) throw new JsonScanError(`unexpected '${ch}' outside the top-level value`, this.line);
      }
      if (this.capturing && this.partsLength + (i - start) > this.maxElementChars) {
        throw new JsonScanError(`a record is longer than ${this.maxElementChars} characters`, this.elementLine);
      }
    }
    if (this.capturing) {
      const rest = chunk.slice(start);
      this.parts.push(rest);
      this.partsLength += rest.length;
    }
    if (this.keyParts !== undefined) this.keyParts.push(chunk.slice(keyStart));
    return out;
  }

  /** Checks the document ended cleanly and the array was found. */
  end(): void {
    if (this.inString || this.depth !== 0) throw new JsonScanError('the file ends inside a value (truncated export?)', this.line);
    if (!this.targetSeen) {
      throw new JsonScanError(
        this.recordsKey === undefined
          ? 'the file is not a JSON array'
          : `the top-level object has no array under the key '${this.recordsKey}'`,
        this.line,
      );
    }
  }

  private open(ch: string): void {
    if (this.depth === 0) {
      if (this.recordsKey === undefined) {
        if (ch !== '[') throw new JsonScanError('the top-level value is not an array (for an object wrapper set recordsKey)', this.line);
        this.inTarget = true;
        this.targetSeen = true;
      } else {
        if (ch !== '{') throw new JsonScanError(`the top-level value is not an object with the key '${this.recordsKey}'`, this.line);
        this.expectKey = true;
      }
    } else if (this.depth === 1 && this.recordsKey !== undefined && !this.inTarget && ch === '[' && this.lastKey === this.recordsKey && !this.targetSeen) {
      this.inTarget = true;
      this.targetSeen = true;
    }
    this.depth += 1;
  }

  private finish(lastPart: string, out: ScannedElement[]): void {
    this.parts.push(lastPart);
    out.push({ text: this.parts.join(''), line: this.elementLine, index: this.elementIndex });
    this.elementIndex += 1;
    this.parts = [];
    this.partsLength = 0;
    this.capturing = false;
  }
}
