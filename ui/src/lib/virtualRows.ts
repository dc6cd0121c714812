// The window onto a long list: which rows exist in the DOM. Rows have one of a few known
// heights (set in CSS by class), so their offsets are a prefix sum, recomputed only when
// the shown rows or their heights change, and the first visible row is a binary search.

export interface RowLayout {
  /** tops[i] is row i's offset; tops[n] is the whole list's height. */
  tops: Float64Array;
}

/** Row i's top (the list's height for i = n); 0 outside the list. */
export function topOf(l: RowLayout, i: number): number {
  return l.tops[i] ?? 0;
}

export function layout(heights: readonly number[]): RowLayout {
  const tops = new Float64Array(heights.length + 1);
  let y = 0;
  heights.forEach((h, i) => {
    y += h;
    tops[i + 1] = y;
  });
  return { tops };
}

/** The last row whose top is at or above `y`. */
function rowAt(tops: Float64Array, y: number): number {
  let lo = 0;
  let hi = tops.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((tops[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** [start, end) of the rows to render for a viewport at `scrollTop` of `height` pixels,
 *  with `overscan` rows either side so fast scrolling never shows a gap. */
export function visibleRange(
  l: RowLayout,
  scrollTop: number,
  height: number,
  overscan = 8,
): [number, number] {
  const n = l.tops.length - 1;
  if (n <= 0) return [0, 0];
  const first = rowAt(l.tops, Math.max(0, scrollTop));
  const last = rowAt(l.tops, scrollTop + Math.max(height, 1));
  return [Math.max(0, first - overscan), Math.min(n, last + 1 + overscan)];
}

/** The scrollTop that brings row `i` fully into a viewport at `scrollTop` (unchanged
 *  when it already is). */
export function scrollToShow(l: RowLayout, i: number, scrollTop: number, height: number): number {
  const top = topOf(l, i);
  const bottom = topOf(l, i + 1);
  if (top < scrollTop) return top;
  if (bottom > scrollTop + height) return bottom - height;
  return scrollTop;
}
