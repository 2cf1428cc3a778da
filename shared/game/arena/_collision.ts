/**
 * Where a moving point first comes within `radius` of a circle centre: the fraction t in [0, 1]
 * of the segment from (x0, y0) to (x0 + dx, y0 + dy), 0 if it starts inside, -1 if it never
 * does. Testing the whole segment, not only its end, keeps fast projectiles from tunnelling.
 */
export function segmentCircleEntry(
  x0: number,
  y0: number,
  dx: number,
  dy: number,
  cx: number,
  cy: number,
  radius: number,
): number {
  const fx = x0 - cx;
  const fy = y0 - cy;
  const c = fx * fx + fy * fy - radius * radius;
  if (c <= 0) return 0;
  const halfB = fx * dx + fy * dy;
  // Starting outside and not moving towards the centre: it can only get farther.
  if (halfB >= 0) return -1;
  const a = dx * dx + dy * dy;
  const discriminant = halfB * halfB - a * c;
  if (discriminant < 0) return -1;
  const t = (-halfB - Math.sqrt(discriminant)) / a;
  return t <= 1 ? t : -1;
}
