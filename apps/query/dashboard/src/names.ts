import { el } from './dom';
import { isBlankName } from './people';

/** A user's name as the page shows it: a blank one as an italic "(blank name)", never an empty row. */
export function nameNode(name: string, className = 'name'): HTMLSpanElement {
  if (!isBlankName(name)) {
    const span = el('span', className, name);
    span.title = name;
    return span;
  }
  const span = el('span', `${className} blank`, '(blank name)');
  span.title = `a name of ${[...name].length} blank character(s)`;
  return span;
}
