// Where each video goes: pure geometry, no DOM, so it can be tested on its own (layout.test.js).

const LAYOUTS = ['grid', 'speaker', 'single-speaker'];

/**
 * "speaker-light" -> { base: "speaker", theme: "light" }. An empty or unknown layout is grid; any suffix but
 * "-light" is dark (upstream's rule).
 */
export function parseLayout(name) {
  const n = String(name || '').trim().toLowerCase();
  const theme = n.endsWith('-light') ? 'light' : 'dark';
  const base = n.replace(/-(light|dark)$/, '');
  return { base: LAYOUTS.includes(base) ? base : 'grid', theme };
}

/** The layout actually drawn: a grid becomes the speaker layout while a screen share is on. */
export function effectiveBase(base, tiles) {
  return base === 'grid' && tiles.some((t) => t.screenShare) ? 'speaker' : base;
}

/**
 * The tile in focus: a screen share first, else the active speaker's camera, else the first tile.
 * tiles: [{ id, identity, screenShare }], speaker: identity or undefined.
 */
export function focusTile(tiles, speaker) {
  return tiles.find((t) => t.screenShare)
    ?? tiles.find((t) => t.identity === speaker)
    ?? tiles[0];
}

/**
 * Rectangles { id -> {x, y, w, h} } for a stage of width x height; tiles not in the map are hidden.
 * The grid picks the column count that gives each 16:9 video the most area (videos keep their aspect ratio
 * inside their tiles), and centres the block; the speaker layout puts the focus on the right (5/6 of the width)
 * and the others in a column on the left; single-speaker shows the focus alone.
 */
export function arrange(base, tiles, focusId, width, height) {
  const out = new Map();
  if (tiles.length === 0) return out;
  if (base === 'single-speaker' || tiles.length === 1) {
    out.set(tiles.length === 1 ? tiles[0].id : focusId, { x: 0, y: 0, w: width, h: height });
    return out;
  }
  if (base === 'speaker') {
    const side = Math.round(width / 6);
    out.set(focusId, { x: side, y: 0, w: width - side, h: height });
    const others = tiles.filter((t) => t.id !== focusId);
    const h = Math.min(height / others.length, (side * 9) / 16);
    const top = (height - h * others.length) / 2;
    others.forEach((t, i) => out.set(t.id, span(0, side, top + i * h, top + (i + 1) * h)));
    return out;
  }
  const n = tiles.length;
  let best = { cols: 1, area: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.min(width / cols, ((height / rows) * 16) / 9);
    if (w * w > best.area) best = { cols, area: w * w };
  }
  const cols = best.cols;
  const rows = Math.ceil(n / cols);
  const tw = width / cols;
  const th = height / rows;
  tiles.forEach((t, i) => {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - row * cols : cols; // the last row is centred
    const col = i % cols;
    const left = (width - inRow * tw) / 2;
    out.set(t.id, span(left + col * tw, left + (col + 1) * tw, row * th, (row + 1) * th));
  });
  return out;
}

/** The pixel rectangle between two edges, each rounded on its own, so neighbours neither overlap nor gap. */
function span(left, right, top, bottom) {
  const x = Math.round(left);
  const y = Math.round(top);
  return { x, y, w: Math.round(right) - x, h: Math.round(bottom) - y };
}
