/* 展厅 search page (search/): reads the query and facet choices from the URL, shows ranked results
 * with highlighted snippets and facet counts, and keeps the URL in step (shareable, back button).
 * Everything the visitor typed is shown as text, never as HTML.  Needs search.js and search-index.js. */
(function () {
  'use strict';

  var PAGE = 20;
  var FACET_SHOWN = 8;
  var root = document.getElementById('search');
  var index = window.SHOWCASE_SEARCH_INDEX;
  var S = window.ShowcaseSearch;
  if (!root || !index || !S) return;

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var facetBox = document.getElementById('search-facets');
  var filtersBox = document.getElementById('search-filters');
  var chosenNote = document.getElementById('search-chosen');
  var wide = window.matchMedia('(min-width: 56em)');
  var siteRoot = root.getAttribute('data-root') || './';
  var fromFolder = location.protocol === 'file:';
  var facetNames = index.facets.map(function (f) { return f.name; });
  var collectionFacet = index.facets[0];
  var limit = PAGE;
  var siteTitle = document.title.slice(document.title.indexOf(' · '));
  var opened = {};
  var texts = S.textsLoaded(index) ? 'loaded' : 'waiting';
  var shownState = null;

  /** The query and facet choices in the page's URL. */
  function readState() {
    var params = new URLSearchParams(location.search);
    var filters = {};
    facetNames.forEach(function (name) {
      var values = params.getAll(name).filter(Boolean);
      if (values.length) filters[name] = values;
    });
    return {q: params.get('q') || '', filters: filters};
  }

  /** The page URL for a state (only q and facet parameters). */
  function stateUrl(state) {
    var params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    facetNames.forEach(function (name) {
      (state.filters[name] || []).forEach(function (value) { params.append(name, value); });
    });
    var query = params.toString();
    return location.pathname + (query ? '?' + query : '');
  }

  /** Put a state into the URL: a new history step, or replace the current one. */
  function remember(state, replace) {
    var url = stateUrl(state);
    if (url === location.pathname + location.search) return;
    try {
      history[replace ? 'replaceState' : 'pushState'](null, '', url);
    } catch (e) { /* some file:// setups refuse; the page still works */ }
  }

  /** The link to an entry from this page (folders need index.html when opened from a folder). */
  function entryHref(url) {
    var href = siteRoot + url;
    return fromFolder && (href.endsWith('/') || url === '') ? href + 'index.html' : href;
  }

  /** An element with a class and text. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Append text to node with the query words marked. */
  function appendMarked(node, text, words) {
    S.markPieces(text, words).forEach(function (piece) {
      node.appendChild(piece[1] ? el('mark', '', piece[0]) : document.createTextNode(piece[0]));
    });
  }

  /** The display name of a facet value. */
  function valueLabel(facet, value) {
    var at = facet.labels ? facet.values.indexOf(value) : -1;
    return at >= 0 ? facet.labels[at] : value;
  }

  /** One result as a list item. */
  function resultItem(entry, words, spelt) {
    var item = el('li', 'result');
    var link = el('a', 'result-link');
    link.href = entryHref(entry[0]);
    var title = el('h2', 'result-title');
    var marks = words.concat(S.pinyinMarks(entry, words), S.facetMarks(index.facets, entry, spelt));
    appendMarked(title, entry[1], marks);
    link.appendChild(title);
    item.appendChild(link);
    item.appendChild(el('p', 'result-kind', collectionFacet.labels[entry[2]]));
    var cut = S.snippet(entry, marks);
    if (cut[0]) {
      var text = el('p', 'result-snippet');
      appendMarked(text, (cut[1] ? '…' : '') + cut[0] + (cut[2] ? '…' : ''), marks);
      item.appendChild(text);
    }
    return item;
  }

  /** The status line: how many were found, or why nothing was (or that the texts are still loading). */
  function statusText(state, total) {
    var q = state.q.trim();
    var filtered = Object.keys(state.filters).length > 0;
    if (q && texts === 'loading') {
      return total ? '先按名称找到 ' + total + ' 个，正在载入展项全文，结果还会补全……' : '正在载入展项全文……';
    }
    if (q && texts === 'failed') {
      return '展项全文没能载入，只按名称查找：找到 ' + total + ' 个与「' + q + '」有关的展项。';
    }
    if (!total) {
      return q ? '没有找到与「' + q + '」有关的展项。' + (filtered ? '试试去掉一些筛选条件，' : '试试') + '少写几个字，或换一个说法。'
               : '没有符合这些筛选条件的展项，试试去掉一些筛选条件。';
    }
    if (q) return '找到 ' + total + ' 个与「' + q + '」有关的展项。';
    return (filtered ? '符合筛选条件的展项共 ' : '展厅共有 ') + total + ' 个展项，可以输入关键词，或按类别、地区、荣誉等筛选。';
  }

  /** One facet as a group of checkboxes with counts. */
  function facetGroup(facet, counts, state) {
    var selected = state.filters[facet.name] || [];
    var values = facet.values.filter(function (v) { return counts[v] || selected.indexOf(v) >= 0; });
    if (!values.length) return null;
    values.sort(function (a, b) { return (counts[b] || 0) - (counts[a] || 0); });
    var box = el('fieldset', 'facet');
    box.appendChild(el('legend', 'facet-title', facet.label));
    var shown = opened[facet.name] ? values : values.slice(0, FACET_SHOWN);
    shown.forEach(function (value) {
      var label = el('label', 'facet-value');
      var check = el('input');
      check.type = 'checkbox';
      check.name = facet.name;
      check.value = value;
      check.checked = selected.indexOf(value) >= 0;
      label.appendChild(check);
      label.appendChild(el('span', 'facet-name', valueLabel(facet, value)));
      label.appendChild(el('span', 'count', String(counts[value] || 0)));
      box.appendChild(label);
    });
    if (values.length > shown.length) {
      var all = el('button', 'facet-more', '显示全部 ' + values.length + ' 项');
      all.type = 'button';
      all.addEventListener('click', function () { opened[facet.name] = true; render(readState()); });
      box.appendChild(all);
    }
    return box;
  }

  /** Start loading the text shards (once); draw the latest state again when they are in. */
  function loadTexts() {
    texts = 'loading';
    S.loadTexts(index, siteRoot, function (ok) {
      texts = ok ? 'loaded' : 'failed';
      render(shownState);
    });
  }

  /** On a wide screen the facets stay open beside the results; on a phone they fold under 筛选 (opened at will). */
  function fitFilters() {
    if (wide.matches) filtersBox.open = true;
  }

  /** Draw the results and facets for a state. */
  function render(state) {
    shownState = state;
    if (texts === 'waiting' && S.queryWords(state.q).length) loadTexts();
    var result = S.search(index, state.q, state.filters);
    var q = state.q.trim();
    document.title = (q ? '「' + q + '」的搜索结果' : '搜索') + siteTitle;
    status.textContent = statusText(state, result.entries.length);
    list.textContent = '';
    result.entries.slice(0, limit).forEach(function (entry) { list.appendChild(resultItem(entry, result.words, result.spelt)); });
    more.hidden = result.entries.length <= limit;
    var chosen = Object.keys(state.filters).reduce(function (n, name) { return n + state.filters[name].length; }, 0);
    chosenNote.textContent = chosen ? '（已选 ' + chosen + ' 项）' : '';
    facetBox.textContent = '';
    index.facets.forEach(function (facet) {
      var group = facetGroup(facet, result.counts[facet.name], state);
      if (group) facetBox.appendChild(group);
    });
  }

  /** The state the form shows now. */
  function formState() {
    var filters = {};
    facetBox.querySelectorAll('input[type=checkbox]:checked').forEach(function (check) {
      (filters[check.name] = filters[check.name] || []).push(check.value);
    });
    return {q: input.value, filters: filters};
  }

  var typing = null;
  input.addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(function () { limit = PAGE; var s = formState(); remember(s, true); render(s); }, 120);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(typing);
    limit = PAGE;
    var s = formState();
    remember(s, false);
    render(s);
  });
  facetBox.addEventListener('change', function () {
    limit = PAGE;
    var s = formState();
    remember(s, false);
    render(s);
  });
  more.addEventListener('click', function () {
    var first = list.children.length;
    limit += PAGE;
    render(readState());
    var next = list.children[first] && list.children[first].querySelector('a');
    if (next) next.focus();
  });
  window.addEventListener('popstate', function () {
    var s = readState();
    input.value = s.q;
    limit = PAGE;
    render(s);
  });

  if (wide.addEventListener) wide.addEventListener('change', fitFilters); else wide.addListener(fitFilters);
  fitFilters();
  var start = readState();
  input.value = start.q;
  root.hidden = false;
  render(start);
})();
