/**
 * Driving an Ink app rendered by ink-testing-library: React commits asynchronously, so every
 * render and every key needs a tick before the frame shows it, and screens that wait on real
 * work (a Chroma server, a file) are awaited by polling the frame, never by fixed sleeps.
 */

/** One macrotask: enough for Ink to read a key and React to commit the update it causes. */
export const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const KEY = {
  enter: '\r',
  down: '\u001B[B',
  up: '\u001B[A',
  escape: '\u001B',
  ctrlC: '\u0003',
} as const;

interface Rendered {
  lastFrame: () => string | undefined;
  stdin: { write: (data: string) => void };
}

/** Sends one chunk (a key, or typed text) and lets the app settle. */
export async function press(app: Rendered, input: string): Promise<void> {
  app.stdin.write(input);
  await tick(15);
}

/**
 * Types text, then Enter as a separate key: a burst "text\r" would be taken as text. Enter waits
 * until the frame echoes the text (pass echo: false for hidden input): @inkjs/ui's TextInput
 * submits the value its handler closed over, so an Enter that lands before the re-render's
 * effects re-attach the handler submits the old, empty value.
 */
export async function typeLine(app: Rendered, text: string, { echo = true }: { echo?: boolean } = {}): Promise<void> {
  if (text) {
    await press(app, text);
    if (echo) await waitForFrame(app, text, 5_000);
    else await tick(30);
  }
  await press(app, KEY.enter);
}

/** Moves a Select down `steps` times and chooses the focused option. */
async function choose(app: Rendered, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await press(app, KEY.down);
  await press(app, KEY.enter);
}

/**
 * Chooses the option of the Select at the bottom of the frame whose label contains `label`:
 * counts the lines from the focused option (❯) to it, so tests name what they choose instead
 * of counting positions that change when a screen gains an option.
 */
export async function select(app: Rendered, label: string): Promise<void> {
  const lines = (app.lastFrame() ?? '').split('\n');
  const focused = lines.findLastIndex((line) => line.trimStart().startsWith('❯'));
  const wanted = lines.findIndex((line, index) => index >= focused && line.includes(label));
  if (focused < 0 || wanted < 0) throw new Error(`No option "${label}" below the focused one in the frame:\n${lines.join('\n')}`);
  await choose(app, wanted - focused);
}

/**
 * Waits until the last frame satisfies `expected` (a substring or a predicate) and returns that
 * frame. On timeout the error quotes the frame the app was stuck on.
 */
export async function waitForFrame(
  app: Pick<Rendered, 'lastFrame'>,
  expected: string | RegExp | ((frame: string) => boolean),
  timeoutMs = 20_000,
): Promise<string> {
  const test =
    typeof expected === 'function' ? expected : typeof expected === 'string' ? (frame: string) => frame.includes(expected) : (frame: string) => expected.test(frame);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (test(frame)) {
      // The frame is written on commit; the new screen's input handlers attach in passive
      // effects just after. Let them run before the caller presses a key. The wizard may draw
      // again meanwhile (its layout measures each frame, and on a loaded machine that redraw
      // can come late): wait until the frame stops changing, and return it if it still fits.
      const settled = await settledFrame(app, frame);
      return test(settled) ? settled : frame;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${String(expected)} in the frame:\n${frame}`);
    }
    await tick(20);
  }
}

/** The frame once two looks 20 ms apart agree (at most ~1 s: a spinner never settles). */
async function settledFrame(app: Pick<Rendered, 'lastFrame'>, first: string): Promise<string> {
  let previous = first;
  for (let look = 0; look < 50; look++) {
    await tick(20);
    const now = app.lastFrame() ?? '';
    if (now === previous) return now;
    previous = now;
  }
  return previous;
}

/** Waits for a condition outside the frame (a file written, a callback called). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick(20);
  }
}
