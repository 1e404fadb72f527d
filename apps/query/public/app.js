/* reeltime dashboard: plain browser JS, talking to this service's REST API and socket.io namespace /live. */
/* global io, Chart */
(function () {
  'use strict';

  const HOUR_MS = 3600000;
  const FEED_MAX = 14;
  const $ = (id) => document.getElementById(id);
  const state = { user: null, hourly: new Map(), histogram: null, hourlyChart: null, users: [], found: [] };
  const USERS_SHOWN = 300;

  const hourStart = (ms) => Math.floor(ms / HOUR_MS) * HOUR_MS;
  const iso = (ms) => new Date(ms).toISOString();
  const fmtAvg = (v) => (v === null || v === undefined ? '–' : v.toFixed(2));
  const hourLabel = (ms) => new Date(ms).toISOString().slice(11, 16);

  // With QUERY_READ_TOKEN set, open the dashboard as /#token=<token>: the fragment never reaches the
  // server or its logs; the token is kept for the tab (sessionStorage) and the address bar cleared.
  const token = (function () {
    const match = /[#&]token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem('reeltime.token', decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('reeltime.token');
  })();

  async function getJson(path) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, { headers });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  function flash(el) {
    el.classList.remove('flash');
    void el.offsetWidth; // restart the animation
    el.classList.add('flash');
  }

  // ---------- charts ----------
  function makeCharts() {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#6b7385';
    state.histogram = new Chart($('histogram'), {
      type: 'bar',
      data: {
        labels: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
        datasets: [{ label: 'ratings', data: new Array(10).fill(0), backgroundColor: '#5b5bd6', borderRadius: 4 }],
      },
      options: {
        animation: { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
      },
    });
    state.hourlyChart = new Chart($('hourly'), {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          {
            label: 'average',
            data: [],
            borderColor: '#5b5bd6',
            backgroundColor: 'rgba(91,91,214,0.12)',
            fill: true,
            spanGaps: true,
            tension: 0.3,
            pointRadius: 3,
          },
        ],
      },
      options: {
        animation: { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { min: 1, max: 10 }, x: { grid: { display: false }, ticks: { maxTicksLimit: 12 } } },
      },
    });
  }

  function drawHourly() {
    const now = hourStart(Date.now());
    const labels = [];
    const data = [];
    for (let h = now - 23 * HOUR_MS; h <= now; h += HOUR_MS) {
      labels.push(hourLabel(h));
      const s = state.hourly.get(h);
      data.push(s && s.count > 0 ? s.average : null);
    }
    state.hourlyChart.data.labels = labels;
    state.hourlyChart.data.datasets[0].data = data;
    state.hourlyChart.update();
  }

  // ---------- the chosen user ----------
  function showCurrent(stats) {
    const avg = $('current-average');
    const count = $('current-count');
    const changed = avg.textContent !== fmtAvg(stats.average) || count.textContent !== String(stats.count);
    avg.textContent = fmtAvg(stats.average);
    count.textContent = String(stats.count);
    $('current-range').textContent = stats.count ? `${stats.min} / ${stats.max}` : '–';
    $('current-hour').textContent = `hour from ${hourLabel(Date.parse(stats.hour))} UTC`;
    if (changed) {
      flash(avg);
      flash(count);
    }
    state.histogram.data.datasets[0].data = stats.histogram.slice();
    state.histogram.update();
  }

  function applyStats(stats) {
    if (!state.user || stats.name !== state.user) return;
    const hour = Date.parse(stats.hour);
    state.hourly.set(hour, stats);
    const current = hourStart(Date.now());
    if (hour === current) showCurrent(stats);
    if (hour === current - HOUR_MS) $('previous-average').textContent = fmtAvg(stats.average);
    drawHourly();
  }

  async function selectUser(name) {
    name = name.trim();
    if (!name || name === state.user) return;
    if (state.user) socket.emit('unsubscribe', { name: state.user });
    state.user = name;
    state.hourly = new Map();
    $('selected-user').textContent = name;
    $('selected-user').classList.remove('muted');
    for (const li of $('user-list').children) li.classList.toggle('selected', li.dataset.name === name);
    socket.emit('subscribe', { name }, (ack) => {
      if (!ack || !ack.ok) {
        $('selected-user').textContent = `${name} — ${ack ? ack.error : 'no answer'}`;
        return;
      }
      for (const s of ack.stats) applyStats(s);
    });
    const now = hourStart(Date.now());
    try {
      const range = await getJson(
        `/api/users/${encodeURIComponent(name)}/hours?from=${iso(now - 23 * HOUR_MS)}&to=${iso(now)}`,
      );
      if (state.user !== name) return;
      for (const s of range.hours) if (!state.hourly.has(Date.parse(s.hour))) state.hourly.set(Date.parse(s.hour), s);
      drawHourly();
    } catch (err) {
      console.warn('hourly range failed', err);
    }
  }

  // ---------- user picker ----------
  function renderUsers() {
    const filter = $('user-search').value.trim().toLowerCase();
    const list = $('user-list');
    list.replaceChildren();
    const known = filter ? [...new Set([...state.users, ...state.found])].sort() : state.users;
    const shown = known.filter((u) => u.toLowerCase().includes(filter)).slice(0, USERS_SHOWN);
    for (const name of shown) {
      const li = document.createElement('li');
      li.textContent = name;
      li.dataset.name = name;
      li.title = name;
      if (name === state.user) li.classList.add('selected');
      li.addEventListener('click', () => void selectUser(name));
      list.appendChild(li);
    }
    $('users-empty').hidden = state.users.length > 0;
  }

  async function loadUsers() {
    const hour = hourStart(Date.now());
    try {
      // The first page only: the search asks the server for the names it does not show.
      const answer = await getJson(`/api/hours/${iso(hour)}/users?limit=${USERS_SHOWN}`);
      state.users = answer.users;
      $('users-hour').textContent = `${answer.count}${answer.pageState ? '+' : ''} active this hour`;
      renderUsers();
    } catch (err) {
      console.warn('users failed', err);
    }
  }

  // The names starting with what was typed (as typed: the server's prefix match is case-sensitive).
  let searchTimer;
  function searchUsers() {
    renderUsers();
    clearTimeout(searchTimer);
    const typed = $('user-search').value.trim();
    if (!typed) return;
    searchTimer = setTimeout(async () => {
      const hour = hourStart(Date.now());
      const query = `limit=${USERS_SHOWN}&prefix=${encodeURIComponent(typed.slice(0, 100))}`;
      try {
        const answer = await getJson(`/api/hours/${iso(hour)}/users?${query}`);
        if ($('user-search').value.trim() !== typed) return;
        state.found = answer.users;
        renderUsers();
      } catch (err) {
        console.warn('user search failed', err);
      }
    }, 250);
  }

  // ---------- trending, feed, system ----------
  function renderTrending(answer) {
    const list = $('trending');
    list.replaceChildren();
    answer.movies.forEach((m, i) => {
      const li = document.createElement('li');
      li.innerHTML = '<span class="rank"></span><span class="title"></span><span class="meta"></span>';
      li.children[0].textContent = String(i + 1);
      li.children[1].textContent = m.movie;
      li.children[1].title = m.movie;
      li.children[2].textContent = `${m.count} · ★ ${m.average.toFixed(1)}`;
      list.appendChild(li);
    });
    if (!answer.movies.length) list.innerHTML = '<li class="muted">No ratings in the window yet.</li>';
  }

  function addFeed(items) {
    const list = $('feed');
    for (const item of items) {
      const li = document.createElement('li');
      li.innerHTML = '<span class="who"></span><span class="stars"></span><span class="movie"></span>';
      li.children[0].textContent = item.name;
      li.children[1].textContent = `${item.rating}/10`;
      li.children[2].textContent = item.movie;
      li.children[2].title = item.movie;
      list.prepend(li);
    }
    while (list.children.length > FEED_MAX) list.lastChild.remove();
  }

  function renderSystem(s) {
    $('rate').textContent = s.ratingsPerSecond.toFixed(s.ratingsPerSecond < 10 ? 1 : 0);
    $('lag').textContent = s.consumerLag === null ? '?' : String(s.consumerLag);
  }

  // ---------- wiring ----------
  const socket = io('/live', { transports: ['websocket', 'polling'], auth: token ? { token } : {} });
  socket.on('connect', () => {
    $('connection').classList.add('on');
    $('connection').title = 'connected';
    // After a reconnect the server has forgotten the rooms: subscribe again.
    if (state.user) {
      const name = state.user;
      state.user = null;
      void selectUser(name);
    }
  });
  socket.on('disconnect', () => {
    $('connection').classList.remove('on');
    $('connection').title = 'disconnected';
  });
  socket.on('stats', applyStats);
  socket.on('feed', addFeed);
  socket.on('trending', renderTrending);
  socket.on('system', renderSystem);

  $('user-search').addEventListener('input', searchUsers);
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void selectUser($('user-search').value);
  });

  makeCharts();
  drawHourly();
  void loadUsers();
  let shownHour = hourStart(Date.now());
  setInterval(() => {
    void loadUsers();
    // A new hour has begun: the cards must show it (empty until its first commit), so subscribe afresh.
    if (hourStart(Date.now()) !== shownHour) {
      shownHour = hourStart(Date.now());
      const name = state.user;
      if (name) {
        $('current-average').textContent = '–';
        $('current-count').textContent = '0';
        state.user = null;
        void selectUser(name);
      }
    }
  }, 30000);
  getJson('/api/movies/trending?window=10m').then(renderTrending, (err) => console.warn('trending failed', err));
})();
