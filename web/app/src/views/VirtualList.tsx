/**
 * A list that renders only the rows near the viewport, so a conversation of 10,000
 * messages scrolls as smoothly as one of ten. Rows have varying heights: each is measured
 * once rendered (ResizeObserver); unmeasured rows count with an estimate. The scroll
 * position is anchored to a row, so older pages loading above, or rows growing, do not
 * move what the user is reading; at the bottom it follows new messages.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  itemKey(item: T): string;
  renderItem(item: T): ReactNode;
  /** Called when the user scrolls near the top (load older history). */
  onNearTop?: () => void;
  /** Called when the user reaches the bottom. */
  onAtBottom?: (atBottom: boolean) => void;
  /** Shown above the rows in a fixed-height band (loading, start of history). */
  header?: ReactNode;
  /** When this changes, jump to the bottom and follow it again (the user sent a message). */
  bottomToken?: unknown;
  estimate?: number;
  className?: string;
  testId?: string;
  /** A chat follows its newest rows at the bottom; a list (false) starts at the top. */
  stickToBottom?: boolean;
  /** Height of the header band (0: none). */
  headerHeight?: number;
  /** Each row's wrapper element: `li` inside a list. */
  rowTag?: 'div' | 'li';
  /**
   * False while the rows do not reach the newest (a chat opened at a search result far
   * back): the bottom is not followed, and reaching it asks `onNearBottom` for more.
   */
  live?: boolean;
  /** Called when the user scrolls near the bottom of rows that are not live. */
  onNearBottom?: () => void;
  /** Scroll this row to the middle of the view, once per `focusToken` (a jump to a message). */
  focusKey?: string | null;
  focusToken?: unknown;
}

const OVERSCAN_PX = 800;
const HEADER_PX = 40;
const NEAR_TOP_PX = 300;
const BOTTOM_SLACK_PX = 40;
const ANCHOR_ROWS = 4;

function lowerBound(offsets: Float64Array, value: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid + 1] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function VirtualList<T>({
  items,
  itemKey,
  renderItem,
  onNearTop,
  onAtBottom,
  header,
  bottomToken,
  estimate = 64,
  className,
  testId,
  stickToBottom = true,
  headerHeight: headerPx = HEADER_PX,
  rowTag = 'div',
  live = true,
  onNearBottom,
  focusKey = null,
  focusToken,
}: VirtualListProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [measured, setMeasured] = useState(0);
  const [view, setView] = useState({ top: 0, height: 800 });
  const atBottom = useRef(stickToBottom);
  // A few rows from the top of the view: a row can vanish when older ones load (a time
  // separator that moves up), so the first one still there keeps the place.
  const anchor = useRef<{ key: string; delta: number }[] | null>(null);
  const pendingMeasure = useRef(false);
  const requestedAt = useRef(-1);
  const requestedBelowAt = useRef(-1);
  const focusedToken = useRef<unknown>(undefined);

  const keys = useMemo(() => items.map(itemKey), [items, itemKey]);
  const headerHeight = headerPx;
  // offsets[i] = top of row i; offsets[n] = total height.
  const offsets = useMemo(() => {
    const out = new Float64Array(keys.length + 1);
    let y = headerHeight;
    keys.forEach((key, i) => {
      out[i] = y;
      y += heights.current.get(key) ?? estimate;
    });
    out[keys.length] = y;
    return out;
    // `measured` bumps when row heights change.
  }, [keys, measured, estimate, headerHeight]);
  const total = offsets[keys.length] ?? 0;

  const first = Math.max(0, lowerBound(offsets, view.top - OVERSCAN_PX));
  const last = Math.min(keys.length, lowerBound(offsets, view.top + view.height + OVERSCAN_PX) + 1);

  const remember = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    const index = lowerBound(offsets, element.scrollTop);
    const rows: { key: string; delta: number }[] = [];
    for (let i = index; i < Math.min(keys.length, index + ANCHOR_ROWS); i += 1) {
      rows.push({ key: keys[i] as string, delta: (offsets[i] ?? 0) - element.scrollTop });
    }
    anchor.current = rows.length > 0 ? rows : null;
  }, [offsets, keys]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const bottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK_PX;
    if (bottom !== atBottom.current) onAtBottom?.(bottom);
    atBottom.current = stickToBottom && live && bottom;
    remember();
    setView({ top: element.scrollTop, height: element.clientHeight });
    if (element.scrollTop < NEAR_TOP_PX) onNearTop?.();
    if (!live && element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_TOP_PX) onNearBottom?.();
  };

  // A new bottom token (the user sent, or went back to the newest) follows the bottom again;
  // rows becoming live by scrolling down to them do not (`live` is left out on purpose).
  useLayoutEffect(() => {
    atBottom.current = stickToBottom && live;
  }, [bottomToken, stickToBottom]);

  // After every render: stick to the bottom, or keep the anchored row where it was.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const focusIndex = focusKey === null || focusedToken.current === focusToken ? -1 : keys.indexOf(focusKey);
    if (focusIndex >= 0 && focusKey !== null) {
      // Jumped to a message: it goes mid-view and stays put while rows load around it.
      focusedToken.current = focusToken;
      atBottom.current = false;
      const top = offsets[focusIndex] ?? 0;
      const height = (offsets[focusIndex + 1] ?? top) - top;
      element.scrollTop = Math.max(0, top - (element.clientHeight - height) / 2);
      anchor.current = [{ key: focusKey, delta: top - element.scrollTop }];
      if (Math.abs(view.top - element.scrollTop) > 1) setView({ top: element.scrollTop, height: element.clientHeight });
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    } else if (anchor.current) {
      for (const { key, delta } of anchor.current) {
        const index = keys.indexOf(key);
        if (index < 0) continue;
        const wanted = (offsets[index] ?? 0) - delta;
        if (Math.abs(element.scrollTop - wanted) > 1) element.scrollTop = wanted;
        break;
      }
    }
    // Ask for older rows when the top is in view, once per change in the row count: a
    // request that brings nothing must not be repeated on every render.
    if (onNearTop && element.scrollTop < NEAR_TOP_PX && requestedAt.current !== keys.length) {
      requestedAt.current = keys.length;
      onNearTop();
    }
    const below = element.scrollHeight - element.scrollTop - element.clientHeight;
    if (!live && onNearBottom && below < NEAR_TOP_PX && requestedBelowAt.current !== keys.length) {
      requestedBelowAt.current = keys.length;
      onNearBottom();
    }
  });

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setView({ top: element.scrollTop, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const measure = useCallback((key: string, element: HTMLElement | null) => {
    if (!element) return;
    const observer = new ResizeObserver(() => {
      const height = element.offsetHeight;
      if (height > 0 && heights.current.get(key) !== height) {
        heights.current.set(key, height);
        if (!pendingMeasure.current) {
          pendingMeasure.current = true;
          requestAnimationFrame(() => {
            pendingMeasure.current = false;
            setMeasured((m) => m + 1);
          });
        }
      }
    });
    observer.observe(element);
    const height = element.offsetHeight;
    if (height > 0) heights.current.set(key, height);
    return () => observer.disconnect();
  }, []);

  return (
    <div className={`virtual-list ${className ?? ''}`} ref={scroller} onScroll={onScroll} data-testid={testId} data-count={items.length}>
      <div style={{ height: total, position: 'relative' }}>
        {headerHeight > 0 && (
          <div className="virtual-header" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: headerHeight }}>
            {header}
          </div>
        )}
        {rowTag === 'li' ? (
          <ul style={{ position: 'absolute', left: 0, right: 0, top: offsets[first] ?? 0 }}>
            {items.slice(first, last).map((item, i) => {
              const key = keys[first + i] ?? '';
              return (
                <Row key={key} rowKey={key} measure={measure} tag="li">
                  {renderItem(item)}
                </Row>
              );
            })}
          </ul>
        ) : (
          <div style={{ position: 'absolute', left: 0, right: 0, top: offsets[first] ?? 0 }}>
            {items.slice(first, last).map((item, i) => {
              const key = keys[first + i] ?? '';
              return (
                <Row key={key} rowKey={key} measure={measure}>
                  {renderItem(item)}
                </Row>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

function Row({
  rowKey,
  measure,
  children,
  tag = 'div',
}: {
  rowKey: string;
  measure: (key: string, el: HTMLElement | null) => (() => void) | undefined;
  children: ReactNode;
  tag?: 'div' | 'li';
}) {
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => measure(rowKey, ref.current), [rowKey, measure]);
  return tag === 'li' ? (
    <li ref={ref as RefObject<HTMLLIElement>} className="virtual-row">
      {children}
    </li>
  ) : (
    <div ref={ref as RefObject<HTMLDivElement>} className="virtual-row">
      {children}
    </div>
  );
}

/** Scroll a list to its bottom (after sending). */
export function scrollToBottom(element: HTMLElement | null): void {
  if (element) element.scrollTop = element.scrollHeight;
}
