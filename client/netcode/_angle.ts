const TWO_PI = 2 * Math.PI;

/** Wraps an angle in radians into (-π, π]. */
export function wrapAngle(angle: number): number {
  let wrapped = angle % TWO_PI;
  if (wrapped > Math.PI) wrapped -= TWO_PI;
  else if (wrapped <= -Math.PI) wrapped += TWO_PI;
  return wrapped;
}

/** Blends two angles the short way round: from 3 rad to -3 rad passes π, not 0. */
export function lerpAngle(from: number, to: number, t: number): number {
  return wrapAngle(from + wrapAngle(to - from) * t);
}
