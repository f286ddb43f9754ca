/* 展厅触摸屏版的“找人”页（search/，只在 python build.py --kiosk 生成的版本里加载）。
   A–Z 拼音首字母键盘（艾子洋 → A Z Y）、筛选按钮（带数量）、带照片的大卡片。只用首字母和筛选：
   ShowcaseSearch.search(index, '', filters, letters)，从不读条目的正文。
   点了没有结果的字母（颜色变浅的键）会说明“没有找到”；数量为 0 的筛选按钮不能点。
   状态写在地址里（点进卡片再按“返回”能回到同样的结果），同时记在 sessionStorage：无人复原或开始
   轮播时 kiosk.js 清空 sessionStorage，此后地址里留下的旧状态一律作废，下一位观众看到的总是空白的找人页。 */
(() => {
  'use strict';
  const PAGE = 24;           // 一次画多少张卡片
  const FACET_SHOWN = 12;    // 一个筛选项先显示几个值
  const MAX_LETTERS = 12;
  const STORE_KEY = 'kiosk-search';
  const LETTERS_PARAM = 'letters';
  const root = document.getElementById('finder');
  const index = window.SHOWCASE_SEARCH_INDEX;
  const S = window.ShowcaseSearch;
  if (!root || !index || !S) return;

  const $ = (id) => document.getElementById(id);
  const typed = $('finder-typed');
  const tabs = $('finder-tabs');
  const valuesBox = $('finder-values');
  const status = $('finder-status');
  const list = $('finder-results');
  const more = $('finder-more');
  const keys = Array.from(root.querySelectorAll('[data-letter]'));
  const siteRoot = root.dataset.root || './';
  const fromFolder = location.protocol === 'file:';
  const store = (() => { try { return window.sessionStorage; } catch (e) { return null; } })();
  const collectionFacet = index.facets[0];
  const wanted = JSON.parse(root.dataset.collections || '[]').filter((c) => collectionFacet.values.includes(c));
  const browse = wanted.length ? wanted : collectionFacet.values.slice();
  const order = valueOrder();
  let state = blank();

  /** A state with nothing chosen. */
  function blank() {
    return {letters: '', filters: {}, open: collectionFacet.name, limit: PAGE, all: {}};
  }

  /** Each facet's values, most common first (over everything this page offers), fixed for the page's life. */
  function valueOrder() {
    const counts = S.search(index, '', {[collectionFacet.name]: browse}).counts;
    const result = {};
    index.facets.forEach((facet) => {
      if (facet === collectionFacet) { result[facet.name] = browse.slice(); return; }
      const row = counts[facet.name];
      result[facet.name] = facet.values.filter((v) => row[v]).sort((a, b) => row[b] - row[a]);
    });
    return result;
  }

  /** The filters to search with: the visitor's, limited to the collections this page offers. */
  function searchFilters(filters) {
    const chosen = Object.assign({}, filters);
    if (!(chosen[collectionFacet.name] || []).length) chosen[collectionFacet.name] = browse;
    return chosen;
  }

  // ---------- 状态：地址 + sessionStorage
  /** The query string for a state (letters, then each facet's values in facet order). */
  function queryString(s) {
    const params = new URLSearchParams();
    if (s.letters) params.set(LETTERS_PARAM, s.letters);
    index.facets.forEach((facet) => (s.filters[facet.name] || []).forEach((v) => params.append(facet.name, v)));
    const text = params.toString();
    return text ? '?' + text : '';
  }

  /** Keep the state in the address (no new history step) and note that this visit made it. */
  function remember() {
    const query = queryString(state);
    if (store) { if (query) store.setItem(STORE_KEY, query); else store.removeItem(STORE_KEY); }
    if (query === location.search) return;
    try { history.replaceState(null, '', location.pathname + query); } catch (e) { /* some file:// setups refuse */ }
  }

  /** The state in the address, if this visit put it there; a blank state otherwise (an old visitor's address). */
  function restore() {
    const fresh = blank();
    if (!location.search || !store || store.getItem(STORE_KEY) !== location.search) return fresh;
    const params = new URLSearchParams(location.search);
    fresh.letters = S.cleanInitials(params.get(LETTERS_PARAM) || '').slice(0, MAX_LETTERS);
    index.facets.forEach((facet) => {
      const values = params.getAll(facet.name).filter((v) => facet.values.includes(v));
      if (values.length) fresh.filters[facet.name] = values;
    });
    return fresh;
  }

  // ---------- 画出来
  /** An element with a class and text. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The display name of a facet value. */
  function valueLabel(facet, value) {
    const at = facet.labels ? facet.values.indexOf(value) : -1;
    return at >= 0 ? facet.labels[at] : value;
  }

  /** The link to an entry from this page (folders need index.html when opened from a folder). */
  function entryHref(url) {
    const href = siteRoot + url;
    return fromFolder && href.endsWith('/') ? href + 'index.html' : href;
  }

  /** One result as a large card: photo (or the first character), name, collection, place. */
  function card(entry) {
    const item = el('li', 'finder-card');
    const link = el('a', 'finder-card-link');
    link.href = entryHref(entry[0]);
    const picture = entry[6];
    if (picture) {
      const img = el('img', 'finder-card-img');
      img.src = siteRoot + picture[0];
      img.width = picture[1];
      img.height = picture[2];
      img.alt = '';
      img.draggable = false;
      link.appendChild(img);
    } else {
      const initial = el('span', 'finder-card-img finder-card-initial', Array.from(entry[1])[0] || '');
      initial.setAttribute('aria-hidden', 'true');
      link.appendChild(initial);
    }
    link.appendChild(el('h2', 'finder-card-name', entry[1]));
    link.appendChild(el('p', 'finder-card-kind', collectionFacet.labels[entry[2]]));
    const place = [];
    for (let slot = 1; slot < index.facets.length && place.length < 2; slot++) {
      const first = entry[4][slot][0];
      if (first !== undefined) place.push(index.facets[slot].values[first]);
    }
    if (place.length) link.appendChild(el('p', 'finder-card-meta', place.join(' · ')));
    item.appendChild(link);
    return item;
  }

  /** The typed letters, large; dim the keys that would find nothing. */
  function drawKeypad(found) {
    typed.textContent = state.letters;
    typed.classList.toggle('finder-typed-empty', !state.letters);
    const next = new Set(found.map((entry) => entry[5].charAt(state.letters.length)));
    keys.forEach((key) => key.classList.toggle('key-none', !next.has(key.dataset.letter)));
  }

  /** The facet buttons: one per facet (showing what is chosen in it), and the values of the open one. */
  function drawFacets(counts) {
    tabs.textContent = '';
    index.facets.forEach((facet) => {
      if (!order[facet.name].length) return;
      const chosen = state.filters[facet.name] || [];
      const tab = el('button', 'finder-tab');
      tab.type = 'button';
      tab.dataset.facet = facet.name;
      tab.setAttribute('aria-expanded', String(state.open === facet.name));
      tab.setAttribute('aria-controls', 'finder-values');
      tab.appendChild(el('span', 'finder-tab-label', facet.label));
      if (chosen.length) {
        const what = chosen.length === 1 ? valueLabel(facet, chosen[0]) : `已选 ${chosen.length} 项`;
        tab.appendChild(el('span', 'finder-tab-chosen', what));
      }
      tabs.appendChild(tab);
    });
    if (Object.keys(state.filters).length) {
      const reset = el('button', 'finder-reset', '清除筛选');
      reset.type = 'button';
      reset.dataset.reset = 'filters';
      tabs.appendChild(reset);
    }
    const facet = index.facets.find((f) => f.name === state.open);
    valuesBox.textContent = '';
    valuesBox.hidden = !facet;
    if (!facet) return;
    valuesBox.setAttribute('aria-label', facet.label);
    const chosen = state.filters[facet.name] || [];
    const all = order[facet.name];
    const shown = state.all[facet.name] ? all : all.filter((v, n) => n < FACET_SHOWN || chosen.includes(v));
    const row = counts[facet.name];
    shown.forEach((value) => {
      const on = chosen.includes(value);
      const button = el('button', 'finder-value');
      button.type = 'button';
      button.dataset.facet = facet.name;
      button.dataset.value = value;
      button.setAttribute('aria-pressed', String(on));
      button.disabled = !on && !row[value];
      button.appendChild(el('span', 'finder-value-name', valueLabel(facet, value)));
      button.appendChild(el('span', 'finder-value-count', String(row[value] || 0)));
      valuesBox.appendChild(button);
    });
    if (shown.length < all.length) {
      const rest = el('button', 'finder-value finder-value-more', `更多（共 ${all.length} 项）`);
      rest.type = 'button';
      rest.dataset.all = facet.name;
      valuesBox.appendChild(rest);
    }
  }

  /** What the chosen facet values are, for the status line: 地区：重庆、类别：劳模工匠. */
  function chosenText() {
    return index.facets.filter((f) => (state.filters[f.name] || []).length)
      .map((f) => `${f.label}：${state.filters[f.name].map((v) => valueLabel(f, v)).join('或')}`).join('，');
  }

  /** The status line: how many were found, or why nothing was and what to do. */
  function statusText(total) {
    const letters = state.letters;
    const chosen = chosenText();
    const about = [letters ? `姓名首字母 ${letters}` : '', chosen].filter(Boolean).join('，');
    if (!total) {
      if (letters && chosen) return `没有找到（${about}）。请按“删除”改一个字母，或去掉一些筛选条件。`;
      if (letters) return `没有找到姓名首字母为 ${letters} 的展项。请按“删除”改一个字母，或按“清除”重新输入。`;
      return `没有同时符合这些条件的展项（${about}）。请去掉一些筛选条件。`;
    }
    if (about) return `找到 ${total} 个展项（${about}）`;
    return `展厅共有 ${total} 个展项。点字母找人，或按上面的按钮筛选。`;
  }

  /** Draw everything for the current state and remember it. */
  function render() {
    const result = S.search(index, '', searchFilters(state.filters), state.letters);
    drawKeypad(result.entries);
    drawFacets(result.counts);
    status.textContent = statusText(result.entries.length);
    status.classList.toggle('finder-status-none', !result.entries.length);
    list.textContent = '';
    result.entries.slice(0, state.limit).forEach((entry) => list.appendChild(card(entry)));
    more.hidden = result.entries.length <= state.limit;
    more.textContent = `显示更多（还有 ${result.entries.length - state.limit} 个）`;
    remember();
  }

  // ---------- 触摸
  /** Change the state with fn, start the results from the top, draw. */
  function change(fn) {
    fn();
    state.limit = PAGE;
    render();
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || !root.contains(button) || button.disabled) return;
    const data = button.dataset;
    if (data.letter) {
      if (state.letters.length < MAX_LETTERS) change(() => { state.letters += data.letter; });
    } else if (data.key === 'back') {
      change(() => { state.letters = state.letters.slice(0, -1); });
    } else if (data.key === 'clear') {
      change(() => { state.letters = ''; });
    } else if (data.value !== undefined) {
      change(() => {
        const values = (state.filters[data.facet] || []).filter((v) => v !== data.value);
        if (button.getAttribute('aria-pressed') !== 'true') values.push(data.value);
        if (values.length) state.filters[data.facet] = values; else delete state.filters[data.facet];
      });
    } else if (data.facet) {
      state.open = state.open === data.facet ? null : data.facet;
      render();
    } else if (data.all) {
      state.all[data.all] = true;
      render();
    } else if (data.reset) {
      change(() => { state.filters = {}; });
    } else if (button === more) {
      const first = list.children.length;
      state.limit += PAGE;
      render();
      const next = list.children[first] && list.children[first].querySelector('a');
      if (next) next.focus({preventScroll: true});
    }
  });

  // 从浏览器的往返缓存回来时（不经过重新载入），已被复原作废的状态也要清掉
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) { state = restore(); render(); }
  });

  state = restore();
  root.hidden = false;
  render();
})();
