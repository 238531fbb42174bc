/**
 * A view alone, with its props, at a given width: no App, no engine, no server. The view gets
 * the room a screen has below the checklist (SpaceProvider), as it would inside the wizard.
 */
import type { ReactElement } from 'react';
import { expect } from 'vitest';
import { SpaceProvider } from '../../../src/wizard/layout/space.js';
import { renderAt } from '../../helpers/ink-render.js';
import { tick } from '../../helpers/ink.js';

export const WIDTHS = [60, 80, 120] as const;

export async function renderView(view: ReactElement, columns: number, rows = 14): Promise<string> {
  const app = renderAt(<SpaceProvider space={{ columns, rows, narrow: columns < 60 }}>{view}</SpaceProvider>, { columns, rows: rows + 10 });
  await tick(30);
  const frame = (app.lastFrame() ?? '').split('\n').map((line) => line.trimEnd()).join('\n');
  app.unmount();
  for (const line of frame.split('\n')) expect([...line].length, `wider than ${columns}: "${line}"`).toBeLessThanOrEqual(columns);
  return frame;
}

/** Callbacks a snapshot never fires. */
export const ignore = () => undefined;
