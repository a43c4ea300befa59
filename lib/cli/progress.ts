/** A one-line progress bar on stderr, drawn only on a terminal and at most ten times a second. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  static for(stream: NodeJS.WriteStream, wanted: boolean): ProgressBar {
    return new ProgressBar(stream, wanted && stream.isTTY === true);
  }

  update(label: string, done: number, total?: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const width = 30;
    const bar = total === undefined || total === 0
      ? ''
      : `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, '.')}] ${Math.floor((done / total) * 100)}% `;
    const count = total === undefined ? done.toLocaleString('en-US') : `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    this.stream.write(`\r${label} ${bar}${count}\u001b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}
