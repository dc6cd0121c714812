// Quick open's matching: the query's characters in order anywhere in the text (so
// "ordpeu" finds "orders-prod-eu"), scored so that whole substrings, word starts and runs
// of adjacent characters rank first.

const WORD_BREAK = /[\s\-_./:@,]/;

/** A score (higher is better) when every character of `query` occurs in `text` in order,
 *  else null. Both lower-case. */
export function fuzzyScore(query: string, text: string): number | null {
  if (query === '') return 0;
  let at = 0;
  let score = 0;
  let run = 0;
  for (const ch of query) {
    const found = text.indexOf(ch, at);
    if (found < 0) return null;
    run = found === at && at > 0 ? run + 1 : 0;
    score += 1 + run * 2;
    if (found === 0 || WORD_BREAK.test(text.charAt(found - 1))) score += 3;
    at = found + 1;
  }
  const whole = text.indexOf(query);
  if (whole >= 0) score += 20 + (whole === 0 ? 10 : 0);
  // Among equals, the shorter text is the closer match.
  return score - text.length / 1000;
}

/** The `limit` best of `items` for `query`: each item's texts are tried (the first, the
 *  name, counts double) and its best score kept. */
export function rank<T>(items: readonly T[], texts: (t: T) => string[], query: string, limit: number): T[] {
  const q = query.trim().toLowerCase();
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    let best: number | null = null;
    texts(item).forEach((text, i) => {
      const s = fuzzyScore(q, text);
      if (s !== null) {
        const weighted = i === 0 ? s * 2 : s;
        if (best === null || weighted > best) best = weighted;
      }
    });
    if (best !== null) scored.push({ item, score: best });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, limit).map((s) => s.item);
}
