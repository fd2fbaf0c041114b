// The day page: its first figures come in the page (boot.first, read with the charts at one
// log position: no request before the first render), then the changed figures that arrive
// on the live SSE stream are applied (no reload, no polling of the totals). The charts come
// drawn in the page (SVG from the server); when a message changes a chart's figures, that
// one chart is fetched again (refreshChart), at most one request in flight per chart.
(() => {
  'use strict';
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const t = boot.t;
  const lang = boot.lang;
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  const locale = lang === 'zh' ? 'zh-CN' : 'en';
  const STALE_MS = 10 * 60 * 1000;
  const SKEW_MS = 60 * 1000;

  const catalogue = {};
  for (const [name, items] of Object.entries(boot.catalogues)) {
    catalogue[name] = Object.fromEntries(items.map((item) => [item.id, item]));
  }
  const label = (name, key) => (catalogue[name][key] || {}).label || key;
  const keysOf = (name) => boot.catalogues[name].map((item) => item.id);

  // ---- state: the figures as flat names, exactly as the live stream names them ----------
  const state = { flat: {}, position: null, totalsFetches: 0, liveMessages: 0, renders: 0, hotIssues: [],
    hotCount: 0, chartFetches: 0, chartsPending: 0, chartsPosition: boot.charts_position };
  window.openday = state; // read by the browser tests

  const figure = (name) => state.flat[name] || 0;
  const scoped = (scope, name) => figure(scope ? `${scope}|${name}` : name);

  // The totals document back to the flat names the live stream uses ('booth:b|visitors',
  // 'hour:09|inquiries.total', 'booth:b,hour:09|...'); laptops and derived figures are left out.
  const DERIVED = new Set(['materials.remaining', 'feedback.satisfaction_rate']);
  function flatten(doc) {
    const flat = {};
    const walk = (node, prefix, scope) => {
      for (const [key, value] of Object.entries(node)) {
        const name = prefix + key;
        if (DERIVED.has(name) || name === 'by_device') continue;
        if (name === 'by_hour' && scope) { // a booth's hours
          for (const [hour, part] of Object.entries(value || {})) walk(part, '', `${scope.slice(0, -1)},hour:${hour}|`);
        } else if (typeof value === 'number') flat[scope + name] = value;
        else if (value && typeof value === 'object' && !Array.isArray(value)) walk(value, `${name}.`, scope);
      }
    };
    for (const [key, value] of Object.entries(doc)) {
      if (key === 'by_booth' || key === 'by_hour') {
        const kind = key === 'by_booth' ? 'booth' : 'hour';
        for (const [sub, part] of Object.entries(value || {})) walk(part, '', `${kind}:${sub}|`);
      } else if (!['day_id', 'position', 'log_entries', 'by_device', 'booth_id'].includes(key)) {
        walk({ [key]: value }, '', '');
      }
    }
    return flat;
  }

  function comparePositions(a, b) {
    const [am, as] = String(a).split('-').map(Number);
    const [bm, bs] = String(b).split('-').map(Number);
    return am - bm || (as || 0) - (bs || 0);
  }

  // ---- small DOM helpers (text only: nothing from the server becomes HTML) --------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  // one formatter each, made once: toLocaleString makes a new one per call, and the first
  // render formats some hundreds of numbers (the same text either way)
  const numbers = new Intl.NumberFormat(locale);
  const fmt = (n) => numbers.format(Number(n));
  // every time in the plan's time zone (where the day takes place), whatever the browser's
  const times = new Intl.DateTimeFormat(locale, { timeZone: boot.timezone, dateStyle: 'medium',
    timeStyle: 'short', hour12: false });
  const when = (iso) => times.format(new Date(iso));
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: boot.timezone });
  const $ = (id) => document.getElementById(id);

  async function api(method, url, body) {
    const options = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET') options.headers['X-CSRFToken'] = csrfToken;
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }
  // A route the server does not have yet (another part of the system still to land).
  const notServed = (r) => (r.status === 404 && r.data && r.data.error === 'not_found') || r.status === 405;
  const reason = (r) => {
    const d = r.data || {};
    const fields = d.errors ? ` ${JSON.stringify(d.errors)}` : '';
    return `${t.action_failed} (${r.status}): ${d.message || d.error || ''}${fields}`;
  };

  // ---- charts: SVG drawn by the server ------------------------------------------------------
  const CHARTS = ['booths', 'departments', 'topics', 'hours', 'materials'];
  const chartJobs = {}; // chart -> { inFlight, again, retry }: a burst of messages costs one request in flight
  const CHART_RETRY_MS = 3000;
  function refreshChart(name) {
    const job = chartJobs[name] || (chartJobs[name] = { inFlight: false, again: false, retry: null });
    if (job.inFlight) { job.again = true; return; } // fetched once more when this one is back
    job.inFlight = true;
    state.chartsPending += 1;
    state.chartFetches += 1;
    const url = `${boot.chart_url.replace('NAME', name)}?lang=${lang}`;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'image/svg+xml' } })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
      .then((text) => { // parsed as SVG (an XML document), never as HTML
        const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
        if (svg.nodeName === 'svg') showChart(name, document.importNode(svg, true));
      })
      .catch(() => { // a dropped request must not leave a stale chart until the next message: try again
        job.again = false;
        if (!job.retry) job.retry = setTimeout(() => { job.retry = null; refreshChart(name); }, CHART_RETRY_MS);
      })
      .finally(() => {
        job.inFlight = false;
        state.chartsPending -= 1;
        if (job.again) {
          job.again = false;
          refreshChart(name);
        }
      });
  }
  // The new drawing goes into the <svg> already shown, not a new element in its place: the
  // card never holds no chart, and whoever holds the element (a test measuring it, a screen
  // reader) keeps a live one.
  const SVG_SIZE = ['width', 'height', 'viewBox', 'font-family', 'font-size'];
  function showChart(name, fresh) {
    const shown = $(`chart-${name}`).firstElementChild;
    if (!shown || shown.nodeName !== 'svg') { $(`chart-${name}`).replaceChildren(fresh); return; }
    SVG_SIZE.forEach((attr) => (fresh.hasAttribute(attr) ? shown.setAttribute(attr, fresh.getAttribute(attr))
      : shown.removeAttribute(attr)));
    shown.replaceChildren(...fresh.childNodes);
  }
  // the charts reflect the figures at boot.charts_position: fetch them again only when the
  // totals or a live snapshot are further on (events folded between the page and the script)
  function chartsBehind(position) {
    if (comparePositions(position, state.chartsPosition) <= 0) return;
    state.chartsPosition = position;
    CHARTS.forEach(refreshChart);
  }

  const renderers = {
    headline() {
      const total = figure('feedback.total');
      const satisfied = figure('feedback.by_rating.satisfied') + figure('feedback.by_rating.basically_satisfied');
      const cards = [
        ['visitors', t.visitors, figure('visitors'), t.unit_people],
        ['inquiries.total', t.inquiries, figure('inquiries.total'), t.unit_items],
        ...keysOf('materials').map((key) => {
          const measure = (catalogue.materials[key].measure || {})[lang] || '';
          return [`materials.distributed.${key}`, `${t.handed_out} ${label('materials', key)}`,
            figure(`materials.distributed.${key}`), measure];
        }),
        ['feedback.total', t.feedback, total, t.unit_cards],
        ['satisfaction', t.satisfaction, total ? `${Math.round((100 * satisfied) / total)}%` : '—', ''],
        ['feedback.hot_issues', t.hot_issues, figure('feedback.hot_issues'), t.unit_issues],
      ];
      if (figure('quarantined')) cards.push(['quarantined', t.quarantined, figure('quarantined'), '']);
      $('headline').replaceChildren(...cards.map(([name, title, value, unit]) => el('div',
        { class: `figure${name === 'quarantined' ? ' warn' : ''}`, 'data-figure': name, 'data-value': value },
        el('span', { class: 'value' }, typeof value === 'number' ? fmt(value) : value, el('small', {}, unit)),
        el('span', { class: 'name' }, title))));
    },

    booths() {
      const booths = keysOf('booths');
      $('booth-cards').replaceChildren(...booths.map((b) => el('div', { class: 'booth', 'data-booth': b },
        el('h3', {}, label('booths', b)),
        el('dl', {},
          el('dt', {}, t.visitors), el('dd', {}, fmt(scoped(`booth:${b}`, 'visitors'))),
          el('dt', {}, t.inquiries), el('dd', {}, fmt(scoped(`booth:${b}`, 'inquiries.total'))),
          el('dt', {}, t.feedback), el('dd', {}, fmt(scoped(`booth:${b}`, 'feedback.total'))),
          el('dt', {}, t.hot_issues), el('dd', {}, fmt(scoped(`booth:${b}`, 'feedback.hot_issues')))))));
    },

    materials() {
      const materials = keysOf('materials');
      const low = [];
      const rows = [];
      for (const b of keysOf('booths')) {
        for (const m of materials) {
          const given = scoped(`booth:${b}`, `materials.distributed.${m}`);
          const delivered = scoped(`booth:${b}`, `materials.restocked.${m}`);
          const threshold = catalogue.materials[m].low_stock;
          const remaining = delivered - given;
          // more handed out than delivered: a delivery was not recorded, not a stock shortage
          const missing = delivered > 0 && remaining < 0;
          const isLow = delivered > 0 && !missing && threshold !== undefined && remaining < threshold;
          if (isLow) low.push(`${label('booths', b)} · ${label('materials', m)} (${t.remaining} ${fmt(remaining)})`);
          rows.push(el('tr', { class: isLow ? 'low' : null, 'data-booth': b, 'data-material': m },
            el('td', {}, label('booths', b)), el('td', {}, label('materials', m)),
            el('td', { class: 'num' }, fmt(given)), el('td', { class: 'num' }, delivered ? fmt(delivered) : '—'),
            el('td', { class: 'num', title: missing ? t.col_remaining_note : null },
              !delivered ? t.no_stock_info : missing ? el('span', { class: 'tag warn' }, t.delivery_missing) : fmt(remaining)),
            el('td', {}, isLow ? el('span', { class: 'tag bad' }, `${t.low_stock} (< ${fmt(threshold)})`) : '')));
        }
      }
      $('materials-table').replaceChildren(
        el('thead', {}, el('tr', {}, [t.booth, t.material, t.distributed, t.restocked, t.remaining, ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows));
      const alert = $('low-stock-alert');
      alert.hidden = low.length === 0;
      alert.replaceChildren(el('strong', {}, `⚠ ${t.low_stock_alert} `), low.join('；'));
    },
  };

  // Which parts of the page a changed figure touches: the rest is left alone.
  function sectionsFor(name) {
    if (name.startsWith('device:') || /^booth:[^|]*,/.test(name) || name.startsWith('hour:')) return [];
    if (name.startsWith('booth:')) return name.includes('materials.') ? ['booths', 'materials'] : ['booths'];
    if (name.startsWith('materials.')) return ['headline', 'materials'];
    return ['headline'];
  }
  // Which chart shows a figure: the same names as sync_service/dashboard/chart_figures.py reads.
  const BOOTH_CHART = new Set(['visitors', 'inquiries.total', 'feedback.total']);
  function chartFor(name) {
    const [scope, path] = name.includes('|') ? name.split('|') : ['', name];
    if (scope.startsWith('hour:') && (path === 'visitors' || path === 'inquiries.total')) return 'hours';
    if (scope.startsWith('booth:') && !scope.includes(',') && BOOTH_CHART.has(path)) return 'booths';
    if (scope) return null;
    if (path.startsWith('inquiries.by_department.')) return 'departments';
    if (path.startsWith('inquiries.by_topic.')) return 'topics';
    if (path.startsWith('materials.distributed.') || path.startsWith('materials.restocked.')) return 'materials';
    return null;
  }

  const dirty = new Set();
  let frame = null;
  function markDirty(sections) {
    sections.forEach((s) => dirty.add(s));
    if (frame === null) frame = requestAnimationFrame(renderDirty);
  }
  function renderDirty() {
    frame = null;
    for (const section of [...dirty]) {
      dirty.delete(section);
      if (renderers[section]) renderers[section]();
    }
    state.renders += 1;
    if (document.body.dataset.ready === '1') {
      // numbers and tables on screen; the charts came drawn with the page
      state.figuresMs = state.figuresMs ?? performance.now();
      state.firstRenderMs = state.firstRenderMs ?? state.figuresMs;
    }
    $('position').textContent = state.position ? `${t.position} ${state.position}` : '';
    document.body.dataset.position = state.position || '';
  }

  function renderHotIssues() {
    const list = [...state.hotIssues].sort((a, b) => String(b.recorded_at).localeCompare(String(a.recorded_at)));
    $('hot-list').replaceChildren(...list.slice(0, 20).map((h) => el('li', { 'data-event': h.event_id },
      el('span', { class: 'when' }, h.recorded_at ? clock.format(new Date(h.recorded_at)) : ''),
      el('span', { class: 'tag' }, label('booths', h.booth_id)),
      h.topic ? el('span', { class: 'tag' }, label('topics', h.topic)) : '',
      el('span', { class: 'text' }, h.text || '—'))));
    const count = Math.max(state.hotCount, list.length); // the page's first data lists only the newest
    showNote('hot-note', count ? (count > 20 ? t.hot_more.replace('{n}', count - 20) : '') : t.no_hot);
  }

  // ---- totals and the live stream ---------------------------------------------------------
  const early = []; // live messages that arrive before the first totals
  async function loadTotals() {
    state.totalsFetches += 1;
    const r = await api('GET', boot.api.totals);
    if (!r.ok) {
      $('headline').replaceChildren(el('p', { class: 'error' }, `${t.load_failed}: ${r.status}`));
      return;
    }
    state.flat = flatten(r.data);
    state.position = r.data.position || '0-0';
    state.hotIssues = (r.data.feedback || {}).hot_issue_list || [];
    state.hotCount = state.hotIssues.length;
    renderHotIssues();
    early.splice(0).forEach(applyLive);
    markDirty(Object.keys(renderers));
    chartsBehind(state.position);
    document.body.dataset.ready = '1';
  }

  // The figures the page shows, its newest hot issues and their count, at the charts' position.
  function applyFirst(first) {
    state.flat = { ...first.figures };
    state.position = first.position;
    state.hotIssues = first.hot_issues;
    state.hotCount = first.hot_count;
    renderHotIssues();
    markDirty(Object.keys(renderers));
    document.body.dataset.ready = '1';
  }

  // A message carries the new values of the figures that changed. The first message of
  // every connection (and after a rebuild) is a snapshot of every figure.
  function applyLive(message) {
    if (state.position === null) { early.push(message); return; }
    const order = comparePositions(message.position, state.position);
    if (order < 0 || (order === 0 && !message.snapshot)) return; // already reflected
    state.liveMessages += 1;
    const changed = message.changed || {};
    state.lastChanged = Object.keys(changed).length;
    if (message.snapshot) {
      state.flat = { ...changed };
      markDirty(Object.keys(renderers));
      chartsBehind(message.position);
    }
    const sections = new Set();
    const charts = new Set();
    for (const [name, value] of Object.entries(changed)) {
      state.flat[name] = value;
      sectionsFor(name).forEach((section) => sections.add(section));
      charts.add(chartFor(name));
      if (name === 'quarantined' || name === 'rejected') refreshSoon('quarantine');
      if (name.startsWith('device:')) refreshSoon('devices');
    }
    state.position = message.position;
    markDirty(sections);
    charts.delete(null);
    if (!message.snapshot && charts.size && comparePositions(message.position, state.chartsPosition) > 0) {
      state.chartsPosition = message.position; // the server reads the figures at or after this position
      charts.forEach(refreshChart);
    }
  }

  function setStatus(kind) {
    const badge = $('live-status');
    badge.dataset.state = kind;
    badge.textContent = { live: `● ${t.live}`, connecting: t.connecting, reconnecting: t.reconnecting,
      unavailable: t.live_unavailable }[kind];
  }

  let retryMs = 5000;
  function connectLive() {
    setStatus('connecting');
    const source = new EventSource(boot.api.live);
    source.addEventListener('totals', (event) => applyLive(JSON.parse(event.data)));
    source.onopen = () => { // after a reconnect the server starts with a snapshot of every figure
      setStatus('live');
      retryMs = 5000;
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) { // refused (e.g. not served): try again later, slowly
        setStatus('unavailable');
        setTimeout(connectLive, retryMs);
        retryMs = Math.min(retryMs * 2, 120000);
      } else {
        setStatus('reconnecting');
      }
    };
  }

  // ---- devices, quarantine, enrollment codes: small lists fetched on load and on change --
  // a list touched by live messages is re-fetched once after a short pause, not per message
  const timers = {};
  const PAUSE_MS = { devices: 10000, quarantine: 1500 };
  function refreshSoon(what) {
    if (timers[what]) return;
    timers[what] = setTimeout(() => { timers[what] = null; loaders[what](); }, PAUSE_MS[what]);
  }

  function showNote(id, text) {
    const note = $(id);
    note.hidden = !text;
    note.textContent = text || '';
  }

  function ago(iso) {
    if (!iso) return t.never;
    const ms = Date.now() - Date.parse(iso);
    if (ms < 60000) return t.ago_s.replace('{n}', Math.max(0, Math.round(ms / 1000)));
    if (ms < 3600000) return t.ago_m.replace('{n}', Math.round(ms / 60000));
    return t.ago_h.replace('{n}', Math.round(ms / 3600000));
  }

  function offset(ms) { // a laptop an hour off reads "+1 小时 0 分钟", not "3,599,998 毫秒"
    const sign = ms > 0 ? '+' : ms < 0 ? '−' : '', abs = Math.abs(ms);
    if (abs < 1000) return `${sign}${Math.round(abs)} ${t.ms}`;
    if (abs < 60000) return `${sign}${(abs / 1000).toFixed(1)} ${t.unit_s}`;
    const minutes = Math.round(abs / 60000);
    if (minutes < 60) return `${sign}${minutes} ${t.unit_min}`;
    return `${sign}${Math.floor(minutes / 60)} ${t.unit_h} ${minutes % 60} ${t.unit_min}`;
  }

  let devices = [];
  function renderDevices() {
    const rows = devices.map((d) => {
      const stale = !d.revoked && (!d.last_seen || Date.now() - Date.parse(d.last_seen) > STALE_MS);
      // the server flags a laptop for its clock offset or for entries stamped far from now: say which
      const farOff = d.far_off_events || 0;
      const skewed = Math.abs(d.clock_offset_ms || 0) > SKEW_MS || (d.skewed && !farOff);
      const tags = [];
      if (d.revoked) tags.push(el('span', { class: 'tag bad' }, t.revoked));
      if (stale) tags.push(el('span', { class: 'tag warn' }, t.stale));
      if (skewed) tags.push(el('span', { class: 'tag warn' }, t.skewed));
      if (farOff) tags.push(el('span', { class: 'tag warn' }, t.far_off.replace('{n}', fmt(farOff))));
      if (!tags.length) tags.push(el('span', { class: 'tag ok' }, t.ok));
      return el('tr', { 'data-device': d.device_id, class: stale || skewed || farOff || d.revoked ? 'flagged' : null },
        el('td', {}, d.label || d.device_id), el('td', {}, label('booths', d.booth_id)),
        el('td', { title: d.last_seen ? when(d.last_seen) : '' }, ago(d.last_seen)),
        el('td', { class: 'num' }, d.pending === null || d.pending === undefined ? '—' : fmt(d.pending)),
        el('td', { class: 'num' }, d.clock_offset_ms === null || d.clock_offset_ms === undefined ? '—'
          : offset(d.clock_offset_ms)),
        el('td', {}, tags),
        el('td', {}, d.revoked ? '' : el('button', { type: 'button', class: 'revoke-device', onclick: async () => {
          if (!window.confirm(`${t.revoke_device_confirm} ${d.label || d.device_id}`)) return;
          const r = await api('POST', `${boot.api.devices}/${encodeURIComponent(d.device_id)}/revoke`);
          showNote('devices-note', r.ok ? '' : reason(r));
          loaders.devices();
        } }, t.revoke_device)));
    });
    $('devices-table').replaceChildren(
      el('thead', {}, el('tr', {}, [t.device, t.booth, t.last_seen, t.pending, t.clock_offset, t.status, '']
        .map((h) => el('th', {}, h)))),
      el('tbody', {}, rows));
    showNote('devices-note', devices.length ? '' : t.no_devices);
  }

  const listOf = (data, ...names) => {
    if (Array.isArray(data)) return data;
    for (const name of names) if (data && Array.isArray(data[name])) return data[name];
    return [];
  };

  const FIELD_CATALOGUE = { topic: 'topics', department: 'departments', material: 'materials', booth: 'booths' };

  function renderQuarantine(report) {
    const options = report.options || {};
    const rows = listOf(report, 'quarantine').map((item) => {
      const catalogueName = item.catalogue || FIELD_CATALOGUE[item.field] || 'topics';
      const keys = options[item.field] || keysOf(catalogueName);
      // no target chosen for the coordinator: a slip of the finger must not map to the first topic
      const select = el('select', { 'aria-label': t.map_to, class: 'map-to' },
        el('option', { value: '', selected: true, disabled: true }, t.choose),
        keys.map((key) => el('option', { value: key }, label(catalogueName, key))));
      const resolve = (action) => async () => {
        const body = { field: item.field, key: item.key, action };
        if (action === 'map' && !select.value) { showNote('quarantine-note', t.choose_first); return; }
        if (action === 'map') body.to = select.value;
        const r = await api('POST', `${boot.api.quarantine}/resolve`, body);
        showNote('quarantine-note', r.ok ? t.resolved_note : reason(r));
        loaders.quarantine();
      };
      return el('tr', { 'data-key': `${item.field}:${item.key}` },
        el('td', {}, t[`field_${item.field}`] || item.field), el('td', {}, el('code', {}, item.key)),
        el('td', { class: 'num' }, fmt(item.events ?? item.count ?? 0)),
        el('td', { class: 'actions' }, select, el('button', { type: 'button', class: 'map', onclick: resolve('map') }, t.map),
          el('button', { type: 'button', class: 'reject', onclick: resolve('reject') }, t.reject)));
    });
    const done = listOf(report, 'resolved').map((item) => {
      const catalogueName = FIELD_CATALOGUE[item.field] || 'topics';
      const outcome = item.action === 'map' ? `${t.map} → ${label(catalogueName, item.to)}`
        : item.action === 'added' ? `${t.added_by_plan} ${item.by || ''}` : t.reject;
      return el('tr', { class: 'resolved', 'data-resolved': `${item.field}:${item.key}` },
        el('td', {}, t[`field_${item.field}`] || item.field), el('td', {}, el('code', {}, item.key)),
        el('td', {}), el('td', {}, el('span', { class: 'tag ok' }, outcome)));
    });
    $('quarantine-table').replaceChildren(
      el('thead', {}, el('tr', {}, [t.field, t.key, t.count, ''].map((h) => el('th', {}, h)))), el('tbody', {}, rows, done));
    if (!rows.length) showNote('quarantine-note', t.no_quarantine);
  }

  const showCode = (code) => (/^[A-Z0-9]{8}$/i.test(code) ? `${code.slice(0, 4)}-${code.slice(4)}` : code);
  const whyInactive = (c) => (c.expires_at && Date.parse(c.expires_at) <= Date.now() ? t.code_expired
    : c.uses_left === 0 ? t.code_used_up : t.code_inactive);
  // The centre keeps only a hash of each code: a code is seen once, in the answer that made
  // it; this page keeps the ones it made until it is closed, the rest show as dots.
  const madeHere = {};
  function renderCodes(codes) {
    const rows = codes.map((c) => el('tr', { 'data-id': c.id, 'data-code': madeHere[c.id] || null,
      class: c.active === false ? 'inactive' : null },
      el('td', {}, el('code', { class: 'enrol-code', title: madeHere[c.id] ? t.code_shown_once : c.id },
        madeHere[c.id] ? showCode(madeHere[c.id]) : '••••-••••')), el('td', {}, label('booths', c.booth_id)),
      el('td', {}, c.expires_at ? when(c.expires_at) : '—'),
      el('td', { class: 'num' }, c.active === false ? el('span', { class: 'tag warn code-state' }, whyInactive(c))
        : c.uses_left ?? '—'),
      el('td', {}, el('button', { type: 'button', class: 'revoke', onclick: async () => {
        const r = await api('DELETE', `${boot.api['enrollment-codes']}/${encodeURIComponent(c.id)}`);
        showNote('codes-note', r.ok ? '' : reason(r));
        loaders.codes();
      } }, t.revoke))));
    $('codes-table').replaceChildren(
      el('thead', {}, el('tr', {}, [t.code, t.booth, t.expires_at, t.uses_left, ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows));
    if (!codes.length) showNote('codes-note', t.no_codes);
  }

  const loaders = {
    async devices() {
      const r = await api('GET', boot.api.devices);
      if (notServed(r)) { showNote('devices-note', t.not_available); $('devices-section').dataset.unavailable = '1'; return; }
      if (!r.ok) { showNote('devices-note', reason(r)); return; }
      devices = listOf(r.data, 'devices');
      renderDevices();
    },
    async quarantine() {
      const r = await api('GET', boot.api.quarantine);
      if (notServed(r)) { showNote('quarantine-note', t.not_available); $('quarantine-section').dataset.unavailable = '1'; return; }
      if (!r.ok) { showNote('quarantine-note', reason(r)); return; }
      showNote('quarantine-note', '');
      renderQuarantine(r.data);
    },
    async codes() {
      const r = await api('GET', boot.api['enrollment-codes']);
      if (notServed(r)) {
        showNote('codes-note', t.not_available);
        $('enrollment-section').dataset.unavailable = '1';
        $('code-create').disabled = true;
        return;
      }
      if (!r.ok) { showNote('codes-note', reason(r)); return; }
      showNote('codes-note', '');
      renderCodes(listOf(r.data, 'codes', 'enrollment_codes'));
    },
  };

  $('code-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { booth_id: $('code-booth').value, uses: Number($('code-uses').value),
      ttl_minutes: Number($('code-ttl').value) };
    const r = await api('POST', boot.api['enrollment-codes'], body);
    const error = $('code-error');
    error.hidden = r.ok;
    error.textContent = r.ok ? '' : reason(r);
    if (r.ok && r.data && r.data.id) madeHere[r.data.id] = r.data.code;
    await loaders.codes();
    if (r.ok) showNote('codes-note', t.code_shown_once);
  });

  $('hot-refresh').addEventListener('click', () => loadTotals()); // the texts are not in live messages
  const closeButton = $('close-day');
  if (closeButton) closeButton.addEventListener('click', async () => {
    if (!window.confirm(t.close_confirm)) return;
    closeButton.disabled = true;
    const r = await api('POST', boot.close_url);
    const error = $('close-error');
    error.hidden = r.ok;
    error.textContent = r.ok ? '' : reason(r);
    if (!r.ok) { closeButton.disabled = false; return; }
    const badge = $('day-closed');
    badge.textContent = t.day_closed.replace('{time}', when(r.data.closed_at));
    badge.hidden = false;
    closeButton.remove();
  });

  // a table wider than its card on a phone says that it scrolls (the hint sticks at the left)
  function markOverflow() {
    document.querySelectorAll('.scroll').forEach((box) => {
      box.dataset.overflow = box.scrollWidth > box.clientWidth + 1 ? '1' : '0';
      box.dataset.hint = t.scroll_hint;
    });
  }
  new MutationObserver(() => requestAnimationFrame(markOverflow)).observe(document.querySelector('main'),
    { childList: true, subtree: true });
  window.addEventListener('resize', markOverflow);
  // the link keeps the page, switching only the language
  $('lang-switch').href = `${location.pathname}?lang=${t.switch_lang_code}`;
  setInterval(() => { if (devices.length) renderDevices(); }, 15000); // "last seen" ages without asking the server


  // The live stream opens once the first figures are on screen: its first message is a
  // snapshot of every figure, as big as the whole totals document, and reading it must not
  // hold up the first paint. Nothing is missed meanwhile: that snapshot is the state at connect.
  if (boot.first) applyFirst(boot.first);
  (boot.first ? Promise.resolve() : loadTotals())
    .finally(() => requestAnimationFrame(() => setTimeout(connectLive, 0)));
  Object.values(loaders).forEach((load) => load());
})();
