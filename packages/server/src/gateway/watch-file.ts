import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

export interface WatchFileOptions {
  /** Quiet period after the last change before `onChange` runs, in ms. Default 200. */
  debounceMs?: number;
}

/**
 * Calls `onChange` once a file has stopped changing. Watches the file's directory rather
 * than the file itself, because editors and deploy tools usually replace a file (write a
 * temporary file, rename it over) and a watch on the old inode would go silent.
 *
 * @example const stop = watchFile('gateway.yaml', () => void gateway.reload()); stop();
 */
export function watchFile(
  file: string,
  onChange: () => void,
  { debounceMs = 200 }: WatchFileOptions = {},
): () => void {
  const absolute = path.resolve(file);
  const name = path.basename(absolute);
  let timer: NodeJS.Timeout | null = null;
  const watcher: FSWatcher = watch(path.dirname(absolute), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
