/**
 * Tells components that Ink has drawn a frame (wire it to render()'s `onRender`). A screen's
 * height can change without the App re-rendering (its own state moved); measuring after each
 * frame keeps the App's layout decisions a frame behind at most, never a timer behind.
 */
export class FrameSignal {
  private readonly listeners = new Set<() => void>();
  readonly drawn = (): void => {
    for (const listener of this.listeners) listener();
  };
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
