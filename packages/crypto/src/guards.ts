/** Checks at the door: TypeError for a wrong type, RangeError for a wrong length or value. */

export function bytes(name: string, value: unknown, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

export function maxBytes(name: string, value: unknown, max: number): Uint8Array {
  const b = bytes(name, value);
  if (b.length > max) throw new RangeError(`${name} must be at most ${max} bytes`);
  return b;
}

export function text(name: string, value: unknown, opts: { min?: number; max?: number } = {}): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  const { min = 1, max = 1024 } = opts;
  if (value.length < min || value.length > max) {
    throw new RangeError(`${name} must be ${min}..${max} characters`);
  }
  return value;
}

export function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

export function object(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new TypeError(`${name} must be an object`);
  return value as Record<string, unknown>;
}

/** Overwrites secret bytes we no longer need (best effort: JS may hold copies). */
export function wipe(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}
