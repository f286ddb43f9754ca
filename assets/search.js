/* 展厅 search: the matcher over search-index.js, for the search page and the kiosk.
 * search-index.js holds everything but the entries' texts; loadTexts() adds the text shards it
 * names (script tags, so it works from file://).  Until a shard is in, its entries are matched on
 * their titles only.
 * The same rules as showcase/search.py (tests prove both give identical results):
 * every word of the query must occur in the entry's normalised text, or, a word of letters, spell its
 * title in pinyin (aiziyang, ziyang, azy → 艾子洋) or one of its facet values (changchun → 吉林长春); exact-title hits first,
 * then more words in the title (a shorter such title first), then more occurrences, then the site's own order.  Facets are
 * disjunctive: values of one facet are alternatives, facets combine, and a facet's counts
 * ignore its own selection.  Plain JavaScript, no library, no network. */
(function (global) {
  'use strict';

  var NOT_KEPT = /[^\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+/g;
  var SPACES = /[ \t\n\r\f\v\u2028\u2029\ufeff]+/g;
  var MAX_QUERY = 200;
  var MAX_WORDS = 10;

  /** Text as the index stores it: NFKC (full-width punctuation kept), lower case, spaces collapsed. */
  function normalise(text) {
    var nfkc = String(text).replace(NOT_KEPT, function (run) { return run.normalize('NFKC'); });
    return nfkc.toLowerCase().replace(SPACES, ' ').trim();
  }

  /** The distinct words of a query, normalised, in order (a long query is cut). */
  function queryWords(query) {
    var words = [];
    normalise(String(query || '').slice(0, MAX_QUERY)).split(' ').forEach(function (word) {
      if (word && words.indexOf(word) < 0) words.push(word);
    });
    return words.slice(0, MAX_WORDS);
  }

  /** Keypad input as the index stores initials: upper-case A–Z only. */
  function cleanInitials(letters) {
    return normalise(letters || '').toUpperCase().replace(/[^A-Z]/g, '');
  }

  var titles = new WeakMap();

  /** The normalised title of an index entry (worked out once). */
  function entryTitle(entry) {
    var title = titles.get(entry);
    if (title === undefined) { title = normalise(entry[1]); titles.set(entry, title); }
    return title;
  }

  /** The entry's searchable text: its shard's text, or its title while the shard is not loaded. */
  function entryText(entry) {
    return entry[3] || entryTitle(entry);
  }

  var PINYIN_WORD = /^[a-z]{2,}$/;
  var spellings = new WeakMap();

  /** Syllables ("ai zi yang") run together from each of them on: ["aiziyang", "ziyang", "yang"]. */
  function runsFrom(syllables) {
    var parts = syllables.split(' ');
    return parts.map(function (s, start) { return parts.slice(start).join(''); });
  }

  /** True when word is the syllables run together from one of them on: aiziyang, ziyang, aiziy. */
  function spells(runs, word) {
    return runs.some(function (run) { return run.lastIndexOf(word, 0) === 0; });
  }

  /** The runs of an entry's title (worked out once: a query tries every entry). */
  function entrySpelling(entry) {
    var runs = spellings.get(entry);
    if (runs === undefined) { runs = runsFrom(entry[7]); spellings.set(entry, runs); }
    return runs;
  }

  /** True when word is letters that spell the title in pinyin from one of its syllables on (aiziyang,
   *  ziyang, aiziy) or that are a run of its initials (azy, zy): what a visitor types without choosing characters. */
  function pinyinHit(entry, word) {
    if (!entry[7] || !PINYIN_WORD.test(word)) return false;
    if (entry[5].toLowerCase().indexOf(word) >= 0) return true;  // the initials, or the entry's own override of them
    return spells(entrySpelling(entry), word);
  }

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;  // the characters the index spells (showcase/content.py HAN)
  var MAX_SYLLABLES = 40;

  /** Where a pinyin word spells the title from syllable start on: the syllable after the last it
   *  reaches (aiziy from 0 reaches 洋: 3), or start when it does not spell it from there. */
  function spelledTo(syllables, start, word) {
    var rest = word;
    for (var i = start; i < syllables.length; i++) {
      if (syllables[i].lastIndexOf(rest, 0) === 0) return i + 1;
      if (rest.lastIndexOf(syllables[i], 0) !== 0) return start;
      rest = rest.slice(syllables[i].length);
    }
    return start;
  }

  /** The runs of the title's characters that the query's pinyin words spell (aiziyang → 艾子洋, zy → 子洋),
   *  for the page to mark as it marks the words themselves; none when syllables and characters do not pair up. */
  function pinyinMarks(entry, words) {
    if (!entry[7]) return [];
    var chars = Array.from(entry[1]).filter(function (c) { return HAN.test(c); });
    var syllables = entry[7].split(' ');
    if (chars.length !== syllables.length && !(syllables.length === MAX_SYLLABLES && chars.length > MAX_SYLLABLES)) return [];
    var marks = [];
    words.forEach(function (word) {
      if (!PINYIN_WORD.test(word)) return;
      for (var start = 0; start < syllables.length; start++) {
        var end = spelledTo(syllables, start, word);
        if (end > start) { marks.push(chars.slice(start, end).join('')); return; }
      }
      var at = syllables.map(function (s) { return s[0]; }).join('').indexOf(word);
      if (at >= 0) marks.push(chars.slice(at, at + word.length).join(''));
    });
    return marks;
  }

  /** Per facet, the numbers of the values word spells in pinyin (changchun: 吉林长春) as {number: true} or null;
   *  null when it spells none (a word that is no pinyin, most words). */
  function speltValues(facets, word) {
    if (!PINYIN_WORD.test(word)) return null;
    var any = false;
    var spelt = facets.map(function (facet) {
      var found = null;
      (facet.spellings || []).forEach(function (s, n) { if (s && spells(runsFrom(s), word)) (found = found || {})[n] = true; });
      any = any || !!found;
      return found;
    });
    return any ? spelt : null;
  }

  /** True when an entry's facet values (per facet, value numbers) include one of the wanted ones (speltValues'). */
  function hasAny(values, wanted) {
    if (!wanted) return false;
    for (var slot = 0; slot < wanted.length; slot++) {
      if (!wanted[slot]) continue;
      for (var i = 0; i < values[slot].length; i++) if (wanted[slot][values[slot][i]]) return true;
    }
    return false;
  }

  /** The entry's facet values that the query's pinyin words spell (ningbo → 浙江宁波), normalised, for the page to
   *  mark; spelt is the search result's (per word, speltValues'). */
  function facetMarks(facets, entry, spelt) {
    var marks = [];
    spelt.forEach(function (perFacet) {
      (perFacet || []).forEach(function (found, slot) {
        if (found) entry[4][slot].forEach(function (n) { if (found[n]) marks.push(normalise(facets[slot].values[n])); });
      });
    });
    return marks;
  }

  /** How many times word occurs in text, without overlaps. */
  function occurrences(text, word) {
    var count = 0;
    for (var at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) count++;
    return count;
  }

  /** Sort key parts: exact title, words in the title (or its pinyin), a shorter such title, occurrences. */
  function rank(entry, words) {
    var title = entryTitle(entry);
    var inTitle = 0;
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      if (title.indexOf(words[i]) >= 0 || pinyinHit(entry, words[i])) inTitle++;
      total += occurrences(entryText(entry), words[i]);
    }
    var exact = title === words.join(' ') || (!!entry[7] && words.join('') === entry[7].replace(/ /g, ''));
    return [exact ? 0 : 1, -inTitle, inTitle ? title.length : 0, -total];
  }

  /** (facet slot, wanted value numbers) for each facet the filters name; unknown values match nothing. */
  function chosenFacets(facets, filters) {
    var chosen = [];
    facets.forEach(function (facet, slot) {
      var wanted = filters[facet.name];
      if (!wanted || !wanted.length) return;
      if (typeof wanted === 'string') wanted = [wanted];
      var numbers = {};
      facet.values.forEach(function (value, n) { if (wanted.indexOf(value) >= 0) numbers[n] = true; });
      chosen.push([slot, numbers]);
    });
    return chosen;
  }

  /** Entries matching every query word, the facet filters ({name: [values]}) and the initials prefix, ranked.
   *  Returns {entries, urls, counts: {facet: {value: count}}, words, spelt: per word the facet values it spells}. */
  function search(index, query, filters, initials) {
    var words = queryWords(query);
    var letters = cleanInitials(initials);
    var facets = index.facets;
    var entries = index.entries;
    var chosen = chosenFacets(facets, filters || {});
    var counts = facets.map(function (facet) { return facet.values.map(function () { return 0; }); });
    var spelt = words.map(function (word) { return speltValues(facets, word); });
    var shown = [];
    for (var n = 0; n < entries.length; n++) {
      var entry = entries[n];
      if (letters && entry[5].lastIndexOf(letters, 0) !== 0) continue;
      var all = true;
      var text = words.length ? entryText(entry) : '';
      for (var w = 0; w < words.length && all; w++) {
        all = text.indexOf(words[w]) >= 0 || pinyinHit(entry, words[w]) || hasAny(entry[4], spelt[w]);
      }
      if (!all) continue;
      var misses = [];
      for (var c = 0; c < chosen.length; c++) {
        var values = entry[4][chosen[c][0]];
        var hit = false;
        for (var v = 0; v < values.length && !hit; v++) hit = chosen[c][1][values[v]] === true;
        if (!hit) misses.push(chosen[c][0]);
      }
      if (!misses.length) shown.push(n);
      for (var slot = 0; slot < facets.length; slot++) {
        if (misses.length && !(misses.length === 1 && misses[0] === slot)) continue;
        var mine = entry[4][slot];
        for (var k = 0; k < mine.length; k++) counts[slot][mine[k]]++;
      }
    }
    if (words.length) {
      var keys = {};
      shown.forEach(function (n) { keys[n] = rank(entries[n], words); });
      shown.sort(function (a, b) {
        var ka = keys[a], kb = keys[b];
        return (ka[0] - kb[0]) || (ka[1] - kb[1]) || (ka[2] - kb[2]) || (ka[3] - kb[3]) || (a - b);
      });
    }
    var table = {};
    facets.forEach(function (facet, slot) {
      var row = {};
      facet.values.forEach(function (value, n) { if (counts[slot][n]) row[value] = counts[slot][n]; });
      table[facet.name] = row;
    });
    var found = shown.map(function (n) { return entries[n]; });
    return {entries: found, urls: found.map(function (e) { return e[0]; }), counts: table, words: words, spelt: spelt};
  }

  /** Entries whose pinyin initials start with letters (艾子洋 ← A, AZ, AZY), in the site's order. */
  function byInitials(index, letters, filters) {
    return search(index, '', filters, letters);
  }

  /** Pieces of text with the words marked: [[text, isMatch], …] (longest word first at each place). */
  function markPieces(text, words) {
    var sorted = words.slice().sort(function (a, b) { return b.length - a.length; });
    var pieces = [];
    var plain = '';
    for (var i = 0; i < text.length;) {
      var word = null;
      for (var w = 0; w < sorted.length && !word; w++) if (text.startsWith(sorted[w], i)) word = sorted[w];
      if (word) {
        if (plain) { pieces.push([plain, false]); plain = ''; }
        pieces.push([word, true]);
        i += word.length;
      } else {
        plain += text[i];
        i++;
      }
    }
    if (plain) pieces.push([plain, false]);
    return pieces;
  }

  /** A short passage of the entry's text (after its title) around the first match: [text, cutBefore, cutAfter]. */
  function snippet(entry, words, length) {
    length = length || 90;
    var text = entry[3];
    var start = Math.min(entryTitle(entry).length + 1, text.length);
    var first = -1;
    words.forEach(function (word) {
      var at = text.indexOf(word, start);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    });
    var from = first < 0 ? start : Math.max(start, first - Math.floor(length / 3));
    var to = Math.min(text.length, from + length);
    return [text.slice(from, to), from > start, to < text.length];
  }

  /** True when every text shard of the index is loaded. */
  function textsLoaded(index) {
    return !index.shards || index.shards.every(function (shard) { return shard.loaded; });
  }

  /** Fill entries' texts from a loaded shard script's data. */
  function fillShard(index, shard) {
    var store = global.SHOWCASE_SEARCH_TEXTS || {};
    var texts = store[shard[1]];
    if (!texts || texts.length !== shard[3]) return false;
    for (var i = 0; i < texts.length; i++) index.entries[shard[2] + i][3] = texts[i];
    delete store[shard[1]];
    shard.loaded = true;
    return true;
  }

  /** Load the text shards not loaded yet (siteRoot: the relative link to the site's root);
   *  done(ok) is called once all have arrived, ok false when one could not be read. */
  function loadTexts(index, siteRoot, done) {
    var shards = (index.shards || []).filter(function (shard) { return !shard.loaded; });
    var waiting = shards.length;
    var ok = true;
    if (!waiting) { done(true); return; }
    shards.forEach(function (shard) {
      if (!shard.waiters) {
        shard.waiters = [];
        var script = document.createElement('script');
        script.src = siteRoot + shard[0];
        script.async = true;
        var finish = function (read) {
          var waiters = shard.waiters;
          shard.waiters = null;
          script.remove();
          var filled = read && fillShard(index, shard);
          waiters.forEach(function (waiter) { waiter(filled); });
        };
        script.onload = function () { finish(true); };
        script.onerror = function () { finish(false); };
        document.head.appendChild(script);
      }
      shard.waiters.push(function (read) {
        ok = ok && read;
        if (--waiting === 0) done(ok);
      });
    });
  }

  var api = {normalise: normalise, queryWords: queryWords, cleanInitials: cleanInitials, search: search,
             byInitials: byInitials, markPieces: markPieces, pinyinMarks: pinyinMarks, facetMarks: facetMarks, snippet: snippet, loadTexts: loadTexts,
             textsLoaded: textsLoaded};
  if (typeof module === 'object' && module.exports) module.exports = api;
  else global.ShowcaseSearch = api;
})(this);
