/** Progress lines for the launcher: one per step, prefixed with the component, on stderr. */
export function say(component: string, message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`${time} [${component}] ${message}\n`);
}
