const TWO_PI = 2 * Math.PI;

/** Wraps an angle in radians into (-π, π]; NaN and ±Infinity become 0. */
export function wrapAngle(angle: number): number {
  if (!Number.isFinite(angle)) return 0;
  if (angle > -Math.PI && angle <= Math.PI) return angle;
  // `%` is exact in IEEE 754, and both corrections subtract numbers within a factor of two of
  // each other, which is exact too: the result lands in the range even for huge inputs.
  let wrapped = angle % TWO_PI;
  if (wrapped > Math.PI) wrapped -= TWO_PI;
  else if (wrapped <= -Math.PI) wrapped += TWO_PI;
  return wrapped;
}

/** A uniform random angle in (-π, π] from a float `unit` in [0, 1). */
export function angleFromUnit(unit: number): number {
  return Math.PI - unit * TWO_PI;
}

/** `value` limited to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
