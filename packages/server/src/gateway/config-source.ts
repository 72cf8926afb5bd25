import { type Document, isMap, isNode, isPair, isScalar, LineCounter, parseDocument } from 'yaml';

/** One problem in a gateway file, located for a human: `gateway.yaml:12:5 routes[2].cost: ...`. */
export interface ConfigIssue {
  /** 1-based line (0 when the file is empty). */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the document, e.g. `routes[2].cost`; empty for the whole file. */
  field: string;
  message: string;
}

export type ConfigPath = ReadonlyArray<string | number>;

/** A parsed YAML (or JSON: a YAML 1.2 subset) document that can say where each value sits. */
export interface ConfigSource {
  /** The document as plain values (`undefined` for an empty file). */
  value: unknown;
  /** Syntax errors (duplicate keys, bad indentation, ...). */
  syntaxIssues: ConfigIssue[];
  /** Position of the value at `path`, or of the key itself with `at: 'key'` (nearest existing parent otherwise). */
  locate(path: ConfigPath, at?: 'value' | 'key'): { line: number; column: number };
}

/** `routes[2].ratelimits[0].name` */
export const formatPath = (path: ConfigPath): string =>
  path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');

/**
 * Parses gateway file text. Never throws: syntax errors come back as issues with positions.
 *
 * @example const source = parseConfigSource(await readFile('gateway.yaml', 'utf8'));
 */
export function parseConfigSource(text: string): ConfigSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxIssues = [...doc.errors, ...doc.warnings].map((error) => ({
    ...at(error.pos[0]),
    field: '',
    message: error.message.split('\n')[0] ?? error.message,
  }));

  const locate = (path: ConfigPath, mode: 'value' | 'key' = 'value') => {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
      if (mode === 'key' && depth === path.length && depth > 0) {
        const parent = doc.getIn(path.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find(
            (item) => isPair(item) && isScalar(item.key) && item.key.value === path.at(-1),
          );
          if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
        }
      }
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return { line: 0, column: 0 };
  };

  let value: unknown;
  try {
    value = syntaxIssues.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Alias bombs and similar: report them like syntax errors.
    syntaxIssues.push({ line: 0, column: 0, field: '', message: (error as Error).message });
  }
  return { value: value ?? undefined, syntaxIssues, locate };
}
