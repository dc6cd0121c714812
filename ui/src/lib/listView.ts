// What the connection list shows, as a flat run of lines (section headers, folder rows,
// connection rows) for the virtualised list to place: the folder tree with the favourites
// on top, or, while searching or filtering, the matches alone. (Recently used is quick
// open's first page: rows that moved whenever one was opened would move under the user.)
// Pure: the component keeps the state, this decides the lines.

import type { ConnectionSummary } from '../bindings/ConnectionSummary';
import type { Engine } from '../bindings/Engine';
import type { Environment } from '../bindings/Environment';
import type { LastTest } from '../bindings/LastTest';
import type { TlsMode } from '../bindings/TlsMode';

export type SortKey = 'name' | 'last_used' | 'last_tested' | 'environment' | 'cert_expiry';

export const SORTS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'last_used', label: 'Last used' },
  { key: 'last_tested', label: 'Last tested' },
  { key: 'environment', label: 'Environment' },
  { key: 'cert_expiry', label: 'Certificate expiry' },
];

export type LastTestFilter = 'failed' | 'never' | 'passed';

/** The chips beside the search box; an empty set filters nothing. */
export interface Filters {
  engines: Set<Engine>;
  environments: Set<Environment | 'none'>;
  folders: Set<string>;
  tags: Set<string>;
  lastTest: Set<LastTestFilter>;
  /** Only connections whose TLS is below verify-full. */
  weakTls: boolean;
}

export function noFilters(): Filters {
  return {
    engines: new Set(),
    environments: new Set(),
    folders: new Set(),
    tags: new Set(),
    lastTest: new Set(),
    weakTls: false,
  };
}

export function filtering(f: Filters): boolean {
  return (
    f.engines.size + f.environments.size + f.folders.size + f.tags.size + f.lastTest.size > 0 || f.weakTls
  );
}

export type Line =
  | { kind: 'section'; key: string; label: string; count: number }
  | { kind: 'folder'; key: string; path: string; name: string; depth: number; count: number; collapsed: boolean }
  | { kind: 'conn'; key: string; c: ConnectionSummary; depth: number };

/** Heights in pixels, matching the CSS of each kind. */
export const HEIGHT = { section: 26, folder: 30, conn: 62, connFailed: 78 } as const;

const WEAK: ReadonlySet<TlsMode> = new Set<TlsMode>(['disable', 'prefer', 'require', 'verify-ca']);

export interface ListInput {
  /** In natural order of names (the backend sends them so). */
  connections: ConnectionSummary[];
  /** What a search looks through, one lower-cased string per connection (same order). */
  haystacks: string[];
  query: string;
  filters: Filters;
  sort: SortKey;
  lastTests: Record<string, LastTest>;
  /** Environments in the order the sort by environment uses. */
  environmentOrder: Environment[];
  /** Every folder path (kept ones and those holding connections). */
  folders: string[];
  collapsed: ReadonlySet<string>;
}

export interface ListView {
  lines: Line[];
  /** The connections matched, each once, in the order shown (for "Test N shown", select all). */
  matched: ConnectionSummary[];
  /** Whether the tree and sections are shown (no search, no filter). */
  tree: boolean;
}

function lastTestOf(lastTests: Record<string, LastTest>, id: string): LastTestFilter {
  const t = lastTests[id];
  return t === undefined ? 'never' : t.ok ? 'passed' : 'failed';
}

/** Whether connection `c` passes every chip. */
function passes(c: ConnectionSummary, f: Filters, lastTests: Record<string, LastTest>): boolean {
  if (f.engines.size > 0 && !f.engines.has(c.engine)) return false;
  if (f.environments.size > 0 && !f.environments.has(c.environment ?? 'none')) return false;
  if (f.folders.size > 0 && ![...f.folders].some((p) => within(c.folder, p))) return false;
  if (f.tags.size > 0 && !c.tags.some((t) => f.tags.has(t.toLowerCase()))) return false;
  if (f.lastTest.size > 0 && !f.lastTest.has(lastTestOf(lastTests, c.id))) return false;
  if (f.weakTls && !WEAK.has(c.tls_mode)) return false;
  return true;
}

/** Whether `path` is `folder` or inside it. */
export function within(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function leafOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every folder and its ancestors. */
export function allFolders(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    let at = p;
    while (at !== '' && !out.has(at)) {
      out.add(at);
      at = parentOf(at);
    }
  }
  return [...out];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Days until a certificate expires (negative: expired), or null when none was seen. */
export function certDaysLeft(t: LastTest | undefined, now = Date.now()): number | null {
  if (!t?.cert_not_after) return null;
  const at = Date.parse(t.cert_not_after);
  return Number.isNaN(at) ? null : Math.floor((at - now) / 86_400_000);
}

/** `rows` in the chosen order; name order is the input's (natural) order, kept stable. */
export function sorted(
  rows: ConnectionSummary[],
  sort: SortKey,
  lastTests: Record<string, LastTest>,
  environmentOrder: Environment[],
): ConnectionSummary[] {
  if (sort === 'name') return rows;
  // Missing values sort last; ties keep the natural order (Array.sort is stable).
  const key = (c: ConnectionSummary): number => {
    switch (sort) {
      case 'last_used':
        return c.used_at ? -Date.parse(c.used_at) : Infinity;
      case 'last_tested': {
        const t = lastTests[c.id];
        return t ? -Date.parse(t.tested_at) : Infinity;
      }
      case 'environment': {
        const i = c.environment ? environmentOrder.indexOf(c.environment) : -1;
        return i < 0 ? Infinity : i;
      }
      case 'cert_expiry': {
        const t = lastTests[c.id]?.cert_not_after;
        return t ? Date.parse(t) : Infinity;
      }
    }
  };
  const keys = new Map(rows.map((c) => [c.id, key(c)]));
  return [...rows].sort((a, b) => {
    const x = keys.get(a.id) ?? Infinity;
    const y = keys.get(b.id) ?? Infinity;
    return x === y ? 0 : x < y ? -1 : 1;
  });
}

/** Whether the input asks for matches (a search or a chip) rather than the tree. */
export function searching(input: Pick<ListInput, 'query' | 'filters'>): boolean {
  return input.query.trim() !== '' || filtering(input.filters);
}

/** The matches of a search or filter, flat. `lineOf` hands out each connection's line
 *  (kept between keystrokes, so that 10,000 matches allocate nothing new). `pool`: the
 *  indexes worth testing (a query that extends the last one can only match among the last
 *  one's hits); the indexes that matched come back in `hits`. */
export function buildMatches(
  input: ListInput,
  lineOf: (c: ConnectionSummary) => Line,
  pool?: readonly number[],
): ListView & { hits: number[] } {
  const q = input.query.trim().toLowerCase();
  const { connections, haystacks, lastTests } = input;
  const chips = filtering(input.filters);
  const hits: number[] = [];
  const test = (i: number): void => {
    const c = connections[i];
    if (c === undefined) return;
    if (q !== '' && !(haystacks[i] ?? '').includes(q)) return;
    if (chips && !passes(c, input.filters, lastTests)) return;
    hits.push(i);
  };
  if (pool) for (const i of pool) test(i);
  else for (let i = 0; i < connections.length; i++) test(i);
  const found = hits.map((i) => connections[i] as ConnectionSummary);
  const matched = sorted(found, input.sort, lastTests, input.environmentOrder);
  return { lines: matched.map(lineOf), matched, tree: false, hits };
}

/** The folder tree with the favourites on top (the query is not read). */
export function buildTree(input: Omit<ListInput, 'query' | 'haystacks'>): ListView {
  const { connections, lastTests } = input;
  const lines: Line[] = [];
  const order = sorted(connections, input.sort, lastTests, input.environmentOrder);
  const favourites = order.filter((c) => c.favourite);
  if (favourites.length > 0) {
    lines.push({ kind: 'section', key: 's:fav', label: 'Favourites', count: favourites.length });
    for (const c of favourites) lines.push({ kind: 'conn', key: `fav:${c.id}`, c, depth: 0 });
  }
  if (lines.length > 0) {
    lines.push({ kind: 'section', key: 's:all', label: 'All connections', count: connections.length });
  }
  // The tree: at each level its folders (natural order), then its connections.
  const byFolder = new Map<string, ConnectionSummary[]>();
  for (const c of order) {
    const list = byFolder.get(c.folder);
    if (list) list.push(c);
    else byFolder.set(c.folder, [c]);
  }
  const folders = allFolders([...input.folders, ...byFolder.keys()]);
  const children = new Map<string, string[]>();
  for (const f of folders) {
    const p = parentOf(f);
    const list = children.get(p);
    if (list) list.push(f);
    else children.set(p, [f]);
  }
  for (const list of children.values()) list.sort((a, b) => collator.compare(leafOf(a), leafOf(b)));
  const counts = new Map<string, number>();
  for (const [folder, list] of byFolder) {
    let at = folder;
    while (at !== '') {
      counts.set(at, (counts.get(at) ?? 0) + list.length);
      at = parentOf(at);
    }
  }
  const walk = (folder: string, depth: number): void => {
    for (const sub of children.get(folder) ?? []) {
      const collapsed = input.collapsed.has(sub);
      lines.push({
        kind: 'folder',
        key: `f:${sub}`,
        path: sub,
        name: leafOf(sub),
        depth,
        count: counts.get(sub) ?? 0,
        collapsed,
      });
      if (!collapsed) walk(sub, depth + 1);
    }
    for (const c of byFolder.get(folder) ?? []) lines.push({ kind: 'conn', key: c.id, c, depth });
  };
  walk('', 0);
  return { lines, matched: order, tree: true };
}

/** The tags used, each once (lower-cased), most used first. */
export function tagsInUse(connections: ConnectionSummary[]): string[] {
  const n = new Map<string, number>();
  for (const c of connections) for (const t of c.tags) n.set(t.toLowerCase(), (n.get(t.toLowerCase()) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).map(([t]) => t);
}

/** `text` split around the first match of `query` (case ignored), for highlighting. */
export function highlight(text: string, query: string): [string, string, string] | null {
  const q = query.trim();
  if (q === '') return null;
  const i = text.toLowerCase().indexOf(q.toLowerCase());
  if (i < 0) return null;
  return [text.slice(0, i), text.slice(i, i + q.length), text.slice(i + q.length)];
}
