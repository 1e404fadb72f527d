/** Small DOM helpers: elements by id (failing loudly when the page and the script disagree), text-only content. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/** An element with classes and text (never HTML: names and titles come from users). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Shows `message` in an inline error slot, or hides the slot. */
export function showError(slot: HTMLElement, message: string | undefined): void {
  slot.hidden = message === undefined;
  slot.textContent = message ?? '';
}

/** Sets text only when it changed (no needless layout work on every frame). */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
