import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrange, effectiveBase, focusTile, parseLayout } from './layout.js';

test('layout names follow upstream: unknown is grid, only -light is light', () => {
  assert.deepEqual(parseLayout('speaker-light'), { base: 'speaker', theme: 'light' });
  assert.deepEqual(parseLayout('grid-dark'), { base: 'grid', theme: 'dark' });
  assert.deepEqual(parseLayout(''), { base: 'grid', theme: 'dark' });
  assert.deepEqual(parseLayout('mosaic-light'), { base: 'grid', theme: 'light' });
  assert.deepEqual(parseLayout('single-speaker'), { base: 'single-speaker', theme: 'dark' });
});

const cams = [{ id: 'a', identity: 'alice' }, { id: 'b', identity: 'bob' }, { id: 'c', identity: 'carol' }];

test('three cameras on 1280x720 make a 2x2 grid, the last row centred, no overlap', () => {
  const r = arrange('grid', cams, 'a', 1280, 720);
  assert.deepEqual(r.get('a'), { x: 0, y: 0, w: 640, h: 360 });
  assert.deepEqual(r.get('b'), { x: 640, y: 0, w: 640, h: 360 });
  assert.deepEqual(r.get('c'), { x: 320, y: 360, w: 640, h: 360 });
});

test('a screen share turns a grid into the speaker layout with the share in focus', () => {
  const tiles = [...cams, { id: 's', identity: 'bob', screenShare: true }];
  assert.equal(effectiveBase('grid', tiles), 'speaker');
  assert.equal(focusTile(tiles, 'alice').id, 's');
  const r = arrange('speaker', tiles, 's', 1200, 720);
  assert.deepEqual(r.get('s'), { x: 200, y: 0, w: 1000, h: 720 });
  assert.ok([...r.entries()].filter(([id]) => id !== 's').every(([, v]) => v.x === 0 && v.w === 200));
});

test('single-speaker shows only the active speaker', () => {
  const r = arrange('single-speaker', cams, focusTile(cams, 'bob').id, 1280, 720);
  assert.deepEqual([...r.keys()], ['b']);
  assert.deepEqual(r.get('b'), { x: 0, y: 0, w: 1280, h: 720 });
});
