/**
 * The reeltime dashboard, bundled by esbuild (npm run build:dashboard) into apps/query/public/app.js.
 * It talks to this service only: REST under /api and socket.io namespace /live.
 */
import { takeToken } from './api';
import { Dashboard, TRENDING_WINDOWS, type TrendingWindow } from './dashboard';
import { byId } from './dom';
import type { UserSort } from './people';
import { parseIsoHour } from './time';
import { Views } from './views';

function main(): void {
  const token = takeToken();
  // The dashboard renders only from start() on, in animation frames: views exists by then.
  const d = new Dashboard(token, (parts) => views.render(parts));
  const views = new Views(d);

  byId('zone-toggle').addEventListener('click', () => d.setZone(d.zone === 'utc' ? 'local' : 'utc'));
  byId('back-live').addEventListener('click', () => d.viewHour(undefined));
  byId('live-button').addEventListener('click', () => d.viewHour(undefined));
  byId<HTMLSelectElement>('hour-select').addEventListener('change', (e) => {
    const hour = parseIsoHour((e.target as HTMLSelectElement).value);
    if (hour !== undefined) d.viewHour(hour);
  });

  const search = byId<HTMLInputElement>('user-search');
  search.addEventListener('input', () => d.search(search.value));
  byId('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (search.value.trim()) d.openUser(search.value.trim());
  });
  byId<HTMLSelectElement>('user-sort').addEventListener('change', (e) =>
    d.sortUsers((e.target as HTMLSelectElement).value as UserSort),
  );
  byId('users-prev').addEventListener('click', () => d.usersPage(-1));
  byId('users-next').addEventListener('click', () => d.usersPage(1));
  byId('movies-prev').addEventListener('click', () => d.moviesPage(-1));
  byId('movies-next').addEventListener('click', () => d.moviesPage(1));
  for (const id of ['series-24h', 'series-7d']) {
    byId(id).addEventListener('click', () => d.setSpan(byId(id).dataset.span === '168' ? 168 : 24));
  }
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-window]'))) {
    const window = b.dataset.window as TrendingWindow;
    if (TRENDING_WINDOWS.includes(window)) b.addEventListener('click', () => d.setTrendingWindow(window));
  }
  byId('raters-close').addEventListener('click', () => d.closeRaters());

  // How long renders take, for the load test and anyone curious.
  Object.assign(window, { reeltimeFrames: d.frames.meter, reeltimeSlowest: views.slowest, reeltimeDraws: views.draws });
  d.start();
}

main();
