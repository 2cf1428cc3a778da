/**
 * A uniform grid over entity positions, rebuilt each tick, so a view query touches only the cells
 * its rectangle overlaps instead of every entity in the room.
 */
export class InterestGrid {
  readonly #cellSize: number;
  #columns = 1;
  #rows = 1;
  #minX = 0;
  #minY = 0;
  /** Start of each cell's run in `#members`, plus one end marker. */
  #cellStarts = new Int32Array(2);
  /** Entity row indices grouped by cell. */
  #members = new Int32Array(16);
  #cellOf = new Int32Array(16);

  /** @param cellSize edge of a cell in the same unit as the positions */
  constructor(cellSize: number) {
    this.#cellSize = cellSize;
  }

  /**
   * Index `count` entities whose positions are `xs[i]`, `ys[i]`. Counting sort into cells: two
   * passes, no allocation once the arrays have grown.
   */
  rebuild(xs: Float64Array, ys: Float64Array, count: number): void {
    if (xs.length < count || ys.length < count) {
      throw new RangeError(
        `Cannot index ${count} entities: ${xs.length} x and ${ys.length} y positions given`,
      );
    }
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let index = 0; index < count; index++) {
      const x = xs[index]!, y = ys[index]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (count === 0) {
      minX =
        minY =
        maxX =
        maxY =
          0;
    }
    this.#minX = minX;
    this.#minY = minY;
    this.#columns = Math.max(1, Math.floor((maxX - minX) / this.#cellSize) + 1);
    this.#rows = Math.max(1, Math.floor((maxY - minY) / this.#cellSize) + 1);
    const cells = this.#columns * this.#rows;
    if (this.#cellStarts.length < cells + 1) this.#cellStarts = new Int32Array(cells * 2 + 1);
    if (this.#members.length < count) {
      this.#members = new Int32Array(count * 2);
      this.#cellOf = new Int32Array(count * 2);
    }
    const starts = this.#cellStarts;
    starts.fill(0, 0, cells + 1);
    for (let index = 0; index < count; index++) {
      const cell = this.#cell(xs[index]!, ys[index]!);
      this.#cellOf[index] = cell;
      starts[cell + 1] = starts[cell + 1]! + 1;
    }
    for (let cell = 0; cell < cells; cell++) {
      starts[cell + 1] = starts[cell + 1]! + starts[cell]!;
    }
    // Fill using the starts as cursors, then shift them back.
    for (let index = 0; index < count; index++) {
      const cell = this.#cellOf[index]!;
      const at = starts[cell]!;
      this.#members[at] = index;
      starts[cell] = at + 1;
    }
    for (let cell = cells; cell > 0; cell--) starts[cell] = starts[cell - 1]!;
    starts[0] = 0;
  }

  #cell(x: number, y: number): number {
    const column = Math.min(this.#columns - 1, Math.floor((x - this.#minX) / this.#cellSize));
    const row = Math.min(this.#rows - 1, Math.floor((y - this.#minY) / this.#cellSize));
    return row * this.#columns + column;
  }

  /**
   * Write into `out` the index of every entity in a cell that overlaps the rectangle
   * `[minX, maxX] × [minY, maxY]` and return how many; the caller checks the exact bounds.
   * `out` must have room for every entity.
   */
  query(minX: number, minY: number, maxX: number, maxY: number, out: Int32Array): number {
    let count = 0;
    const firstColumn = Math.max(0, Math.floor((minX - this.#minX) / this.#cellSize));
    const lastColumn = Math.min(
      this.#columns - 1,
      Math.floor((maxX - this.#minX) / this.#cellSize),
    );
    const firstRow = Math.max(0, Math.floor((minY - this.#minY) / this.#cellSize));
    const lastRow = Math.min(this.#rows - 1, Math.floor((maxY - this.#minY) / this.#cellSize));
    for (let row = firstRow; row <= lastRow; row++) {
      for (let column = firstColumn; column <= lastColumn; column++) {
        const cell = row * this.#columns + column;
        const end = this.#cellStarts[cell + 1]!;
        for (let at = this.#cellStarts[cell]!; at < end; at++) {
          out[count++] = this.#members[at]!;
        }
      }
    }
    return count;
  }
}
