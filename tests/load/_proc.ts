/** CPU and memory of a process on Linux, read from /proc. */

/** Clock ticks a second of the times in /proc/PID/stat (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU seconds a process (all its threads) has used so far. */
export function readCpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name may hold spaces and parentheses; the fields after its last ")" do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // proc(5): field 14 utime and 15 stime; this slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory now and its peak, in MiB. */
export function readMemoryMiB(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return {
    rssMiB: Math.round(kib("VmRSS") / 1024 * 10) / 10,
    peakRssMiB: Math.round(kib("VmHWM") / 1024 * 10) / 10,
  };
}
