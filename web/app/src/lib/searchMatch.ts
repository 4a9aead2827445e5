/**
 * Where a search's words are in a message's text, matched as the server matches them
 * (src/tidings/domain/search.py, decision 0072): text folded (compatibility forms, widths,
 * diacritics and format characters dropped, lower case); CJK runs and emoji matched as
 * strings wherever they sit; other words as word prefixes ("deploy" marks *Deployment*),
 * words joined by punctuation in order. Used to mark the words inside the bubble a search
 * opened the chat at (decision 0073); fetched with the search screens, not on first load.
 */

const CJK =
  '\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff' +
  '\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{3134f}';
const SYMBOLS = '\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff\u{1f000}-\u{1faff}';
const SEGMENT = new RegExp(`([${CJK}]+)|([${SYMBOLS}])|((?:(?![${CJK}])[\\p{L}\\p{N}])+)`, 'gu');
const DROPPED = /[\p{Mn}\p{Me}\p{Cf}]/gu;
// A one-letter prefix would mark half the text: one letter is a word (as on the server).
const MIN_PREFIX = 2;

export type Range = [start: number, end: number];

interface Segment {
  kind: 'cjk' | 'sym' | 'word';
  text: string;
  start: number;
  end: number;
}

function foldChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) return ' '; // a lone surrogate separates
  return ch.normalize('NFKD').replace(DROPPED, '').normalize('NFC').toLowerCase();
}

/** The folded text and, per UTF-16 unit of it, where its character starts and ends in `text`. */
function foldWithOrigin(text: string): { folded: string; from: number[]; to: number[] } {
  let folded = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    folded += f;
    for (let i = 0; i < f.length; i += 1) {
      from.push(at);
      to.push(at + ch.length);
    }
    at += ch.length;
  }
  return { folded, from, to };
}

function segments(folded: string): Segment[] {
  return [...folded.matchAll(SEGMENT)].map((m) => ({
    kind: m[1] ? 'cjk' : m[2] ? 'sym' : 'word',
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * A function that finds the query's words in a text: `[start, end)` ranges in UTF-16 code
 * units, in order, not overlapping. Nothing for a query of punctuation only.
 */
export function matcher(query: string): (text: string) => Range[] {
  const strings: string[] = [];
  const phrases: string[][] = [];
  for (const chunk of foldWithOrigin(query).folded.split(/\s+/u)) {
    let phrase: string[] = [];
    for (const segment of segments(chunk)) {
      if (segment.kind === 'word') {
        phrase.push(segment.text);
        continue;
      }
      if (phrase.length > 0) phrases.push(phrase);
      phrase = [];
      strings.push(segment.text);
    }
    if (phrase.length > 0) phrases.push(phrase);
  }
  return (text) => {
    if (strings.length === 0 && phrases.length === 0) return [];
    const { folded, from, to } = foldWithOrigin(text);
    const found: Range[] = [];
    for (const needle of strings) {
      for (let at = folded.indexOf(needle); at >= 0; at = folded.indexOf(needle, at + 1)) found.push([at, at + needle.length]);
    }
    if (phrases.length > 0) {
      const words = segments(folded).filter((s) => s.kind === 'word');
      for (const phrase of phrases) {
        const last = phrase[phrase.length - 1] ?? '';
        for (let i = 0; i + phrase.length <= words.length; i += 1) {
          const window = words.slice(i, i + phrase.length);
          const tail = window[window.length - 1];
          const head = window[0];
          if (!tail || !head) continue;
          const same = phrase.slice(0, -1).every((w, k) => window[k]?.text === w);
          if (same && (last.length >= MIN_PREFIX ? tail.text.startsWith(last) : tail.text === last)) found.push([head.start, tail.end]);
        }
      }
    }
    // Back to the text's own positions, with the accents that follow a hit, merged.
    const ranges: Range[] = [];
    for (const [start, end] of found.sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
      const a = from[start] ?? 0;
      let b = to[end - 1] ?? a;
      while (b < text.length) {
        const next = String.fromCodePoint(text.codePointAt(b) ?? 0);
        if (foldChar(next) !== '') break;
        b += next.length;
      }
      const previous = ranges[ranges.length - 1];
      if (previous && a <= previous[1]) previous[1] = Math.max(previous[1], b);
      else ranges.push([a, b]);
    }
    return ranges;
  };
}
