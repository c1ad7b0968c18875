/**
 * A virtualized table (@tanstack/virtual-core): only the rows in view (and a few around them) are
 * in the DOM, so 100,000 rows scroll as fast as 100. Rows have one fixed height; cells are text.
 * `version` tells the table its rows changed (the array is appended to in place).
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const ROW_HEIGHT = 28;

export function ResultsTable(props: { label: string; columns: string[]; rows: Array<Record<string, unknown>>; version: number; height?: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useState(0);
  const virtualizer = useRef<Virtualizer<HTMLDivElement, Element> | null>(null);
  if (!virtualizer.current) {
    virtualizer.current = new Virtualizer<HTMLDivElement, Element>({
      count: props.rows.length,
      getScrollElement: () => scroller.current,
      estimateSize: () => ROW_HEIGHT,
      overscan: 12,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: () => rerender((n) => n + 1),
    });
  }
  const v = virtualizer.current;
  v.setOptions({ ...v.options, count: props.rows.length });
  useEffect(() => v._didMount(), []);
  useLayoutEffect(() => v._willUpdate());

  const template = `repeat(${props.columns.length}, minmax(9rem, 1fr))`;
  const items = v.getVirtualItems();
  return (
    <div class="vtable" role="table" aria-label={props.label} aria-rowcount={props.rows.length + 1}>
      <div class="vhead" role="rowgroup">
        <div class="vrow" role="row" style={{ gridTemplateColumns: template }}>
          {props.columns.map((column) => (
            <div role="columnheader" class="vcell" title={column}>
              {column}
            </div>
          ))}
        </div>
      </div>
      <div class="vbody" ref={scroller} role="rowgroup" style={{ height: `${props.height ?? 420}px` }}>
        <div style={{ height: `${v.getTotalSize()}px`, position: 'relative' }}>
          {items.map((item) => {
            const row = props.rows[item.index];
            return (
              <div
                key={item.key}
                class="vrow"
                role="row"
                aria-rowindex={item.index + 2}
                style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: `${ROW_HEIGHT}px` }}
              >
                {props.columns.map((column) => {
                  const value = row?.[column];
                  const text = value === undefined || value === null ? '' : String(value);
                  return (
                    <div role="cell" class="vcell" title={text}>
                      {text}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
