// An open-addressing hash map from an id pair (left, right) to a dense pair index, for training:
// no string keys, no boxed numbers. Indices are assigned 0, 1, 2, ... in insertion order.

export class PairTable {
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  size = 0;
  private slots = new Int32Array(2048);
  private mask = 2047;

  private static hash(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  }

  /** Index of (a, b), or -1. */
  find(a: number, b: number): number {
    let slot = PairTable.hash(a, b) & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.left[index] === a && this.right[index] === b) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Index of (a, b), inserting it when absent. */
  intern(a: number, b: number): number {
    let slot = PairTable.hash(a, b) & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      const index = entry - 1;
      if (this.left[index] === a && this.right[index] === b) return index;
      slot = (slot + 1) & this.mask;
    }
    const index = this.size++;
    if (index === this.left.length) {
      const left = new Int32Array(index * 2);
      left.set(this.left);
      this.left = left;
      const right = new Int32Array(index * 2);
      right.set(this.right);
      this.right = right;
    }
    this.left[index] = a;
    this.right[index] = b;
    this.slots[slot] = index + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return index;
  }

  private rehash() {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = PairTable.hash(this.left[index], this.right[index]) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
