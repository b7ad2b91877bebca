// kaviar flags dashboard, in the browser. No build step: served as is (see scripts/gen-assets.mjs).
// Pages are complete without it (server-rendered tables and charts); this adds local times, the
// checkpoint popover on the chart, and live updates over server-sent events with a polling fallback.
(() => {
  const base = document.body.dataset.base || '';
  const freshness = document.getElementById('freshness');
  const timeFormat = new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const clockFormat = new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const tickTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const tickDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

  /** Times in the browser's zone; the UTC text stays in the title for hover. */
  function localizeTimes(root) {
    for (const el of root.querySelectorAll('time[datetime]')) {
      const at = new Date(el.getAttribute('datetime'));
      if (!Number.isNaN(at.getTime())) el.textContent = timeFormat.format(at);
    }
    for (const el of root.querySelectorAll('text[data-time]')) {
      const at = new Date(el.getAttribute('data-time'));
      const step = Number(el.getAttribute('data-step'));
      const format = step >= 86400000 ? tickDate : step < 60000 ? clockFormat : tickTime;
      if (!Number.isNaN(at.getTime())) el.textContent = format.format(at);
    }
  }

  /** Hover, focus or click on a chart marker shows its checkpoint's findings and audit quotes. */
  function bindMarkers(root) {
    const popover = root.querySelector('#marker-popover');
    if (!popover) return;
    const card = popover.parentElement;
    let pinned = null;
    const show = (marker) => {
      const detail = document.getElementById(`checkpoint-${marker.dataset.checkpoint}`);
      if (!detail) return;
      const summary = detail.querySelector('summary');
      const body = detail.querySelector('.checkpoint-body');
      popover.replaceChildren();
      const head = document.createElement('div');
      head.className = 'popover-head';
      head.append(...Array.from(summary.childNodes, (n) => n.cloneNode(true)));
      popover.append(head);
      if (body) popover.append(body.cloneNode(true));
      popover.hidden = false;
      const box = marker.getBoundingClientRect();
      const outer = card.getBoundingClientRect();
      const width = Math.min(popover.offsetWidth, outer.width - 16);
      let left = box.left - outer.left + box.width / 2 - width / 2;
      left = Math.max(8, Math.min(left, outer.width - width - 8));
      popover.style.left = `${left}px`;
      popover.style.top = `${box.bottom - outer.top + 8}px`;
    };
    const hide = () => {
      if (!pinned) popover.hidden = true;
    };
    for (const marker of root.querySelectorAll('.marker')) {
      marker.addEventListener('mouseenter', () => show(marker));
      marker.addEventListener('mouseleave', hide);
      marker.addEventListener('focus', () => show(marker));
      marker.addEventListener('blur', () => {
        pinned = null;
        hide();
      });
      marker.addEventListener('click', (event) => {
        event.preventDefault();
        pinned = marker;
        show(marker);
        const detail = document.getElementById(`checkpoint-${marker.dataset.checkpoint}`);
        if (detail) detail.open = true;
        history.replaceState(null, '', `#checkpoint-${marker.dataset.checkpoint}`);
      });
    }
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        pinned = null;
        popover.hidden = true;
      }
    });
    document.addEventListener('click', (event) => {
      if (pinned && !event.target.closest('.marker') && !event.target.closest('#marker-popover')) {
        pinned = null;
        popover.hidden = true;
      }
    });
  }

  /** The checkpoints filter applies as soon as it changes (the button stays for keyboard users). */
  function bindFilters(root) {
    const form = root.querySelector('form.filters');
    if (form) form.addEventListener('change', () => form.requestSubmit());
  }

  function enhance(root) {
    localizeTimes(root);
    bindMarkers(root);
    bindFilters(root);
  }

  // --- Freshness: live, stale, or reconnecting, always with the time of the data shown.
  let dataAt = new Date(freshness?.dataset.rendered || Date.now());
  let storeStale = false;
  let connected = false;
  let lastMessageAt = Date.now();
  function showFreshness() {
    if (!freshness) return;
    const text = freshness.querySelector('.freshness-text');
    const quiet = Date.now() - lastMessageAt > 15000;
    let state = 'live';
    let words = `Live · updated ${clockFormat.format(dataAt)}`;
    if (storeStale) {
      state = 'stale';
      words = `Stale · database unreachable, data as of ${clockFormat.format(dataAt)}`;
    } else if (!connected || quiet) {
      state = 'stale';
      words = `Stale · reconnecting, data as of ${clockFormat.format(dataAt)}`;
    }
    freshness.dataset.state = state;
    text.textContent = words;
    text.title = `Data read at ${dataAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  }

  // --- Live updates: the page is fetched again and its <main> swapped, keeping what was open.
  let refreshing = null;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const response = await fetch(location.href, { cache: 'no-store', headers: { Accept: 'text/html' } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
        const next = doc.querySelector('main');
        const main = document.querySelector('main');
        if (!next || !main) return;
        const open = new Set(Array.from(main.querySelectorAll('details[open]'), (d) => d.id));
        const focused = document.activeElement?.id;
        main.replaceChildren(...Array.from(next.childNodes, (n) => document.importNode(n, true)));
        for (const d of main.querySelectorAll('details[id]')) if (open.has(d.id)) d.open = true;
        if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
        enhance(main);
        dataAt = new Date();
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      } catch {
        connected = false;
      } finally {
        refreshing = null;
        showFreshness();
        if (again) {
          again = false;
          void refresh();
        }
      }
    })();
    return refreshing;
  }

  let fallback = null;
  function startFallback() {
    if (!fallback) fallback = setInterval(refresh, 5000);
  }
  function stopFallback() {
    clearInterval(fallback);
    fallback = null;
  }

  function listen() {
    if (!('EventSource' in window)) return startFallback();
    const source = new EventSource(`${base}/events`);
    source.addEventListener('open', () => {
      connected = true;
      lastMessageAt = Date.now();
      stopFallback();
      showFreshness();
    });
    source.addEventListener('change', () => {
      lastMessageAt = Date.now();
      void refresh();
    });
    source.addEventListener('status', (event) => {
      lastMessageAt = Date.now();
      connected = true;
      const status = JSON.parse(event.data);
      const wasStale = storeStale;
      storeStale = Boolean(status.stale);
      if (wasStale && !storeStale) void refresh();
      showFreshness();
    });
    source.addEventListener('error', () => {
      connected = false;
      startFallback();
      showFreshness();
    });
  }

  enhance(document);
  showFreshness();
  listen();
  // Ages and exposure counts move without a change event; refresh quietly now and then.
  setInterval(() => {
    showFreshness();
  }, 5000);
  setInterval(() => {
    if (connected && !storeStale) void refresh();
  }, 30000);
})();
