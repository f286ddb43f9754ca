/* 展厅触摸屏版（只在 python build.py --kiosk 生成的版本里加载）。
   轮播：首页无人触摸 attract 秒后全屏轮播，第一次触摸只关闭轮播。
   无人时回首页：其他页面 idle 秒无人触摸，询问“还在浏览吗？”并倒数 countdown 秒；播放视频时暂停计时。
   锁定：不能选字、长按菜单、拖图、双指缩放。大字、高对比：回首页时复原。
   心跳与更新：每 POLL 秒读一次 kiosk-version.json（也是给本机服务的心跳）；有新版本时在下一次轮播开始时重新载入。
   别的功能可以监听 document 上的 "kiosk:attract"（detail.on）和每张幻灯片上的 "kiosk:slide" 事件。 */
(() => {
  'use strict';
  const POLL = 15;
  const SWALLOW_MS = 700;
  const root = document.documentElement;
  const settings = Object.assign({attract: 60, idle: 120, countdown: 20, slide: 8, version: 'kiosk-version.json'},
                                 JSON.parse(root.dataset.kiosk || '{}'));
  const store = (() => { try { return window.sessionStorage; } catch (e) { return null; } })();
  const state = {idleTimer: 0, countdownTimer: 0, slideTimer: 0, left: 0, slide: -1,
                 attract: false, prompt: false, swallowUntil: 0, baseline: null, updated: false};
  const playing = new Set();
  const $ = (selector) => document.querySelector(selector);
  const homeLink = $('[data-kiosk-action="home"]');
  const homeUrl = homeLink ? homeLink.href : new URL('/', location.href).href;
  const isHome = document.body.classList.contains('page-home');
  const attractEl = $('.kiosk-attract');
  const promptEl = $('.kiosk-idle');
  const slides = attractEl ? Array.from(attractEl.querySelectorAll('[data-kiosk-slide]')) : [];

  function get(key) { return store ? store.getItem(key) : null; }
  function put(key, value) { if (store) store.setItem(key, value); }

  // ---------- 竖屏：kiosk.screen: portrait，或者屏幕比宽还高（装成竖屏却没改设置、转了屏幕）
  const upright = window.matchMedia('(orientation: portrait)');
  const portraitPreset = root.classList.contains('kiosk-portrait');
  function fitScreen() { root.classList.toggle('kiosk-portrait', portraitPreset || upright.matches); }
  fitScreen();
  upright.addEventListener('change', fitScreen);

  // ---------- 大字、高对比
  function setToggle(name, on) {
    root.classList.toggle('kiosk-' + name, on);
    const button = $(`[data-kiosk-toggle="${name}"]`);
    if (button) button.setAttribute('aria-pressed', String(on));
    put('kiosk-' + name, on ? '1' : '');
  }
  document.querySelectorAll('[data-kiosk-toggle]').forEach((button) => {
    const name = button.dataset.kioskToggle;
    setToggle(name, get('kiosk-' + name) === '1');
    button.addEventListener('click', () => setToggle(name, !root.classList.contains('kiosk-' + name)));
  });

  // ---------- 返回：本次参观走过的页面（回首页复原时清空，所以不会回到上一位观众看的页面）
  function trail() { try { return JSON.parse(get('kiosk-trail') || '[]'); } catch (e) { return []; } }
  const back = $('[data-kiosk-action="back"]');
  function updateBack() { if (back) back.setAttribute('aria-disabled', String(trail().length === 0)); }
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href]');
    if (!link || event.defaultPrevented || link.origin !== location.origin) return;
    if (link.pathname === location.pathname && link.search === location.search) return;  // a place on this page
    const steps = trail();
    steps.push(location.href);
    put('kiosk-trail', JSON.stringify(steps.slice(-50)));
  });
  if (back) back.addEventListener('click', () => {
    const steps = trail();
    const previous = steps.pop();
    put('kiosk-trail', JSON.stringify(steps));
    if (previous) location.replace(previous);
  });
  updateBack();

  // ---------- 复原：清空一切，回到首页
  function resetToHome(attract) {
    if (store) store.clear();
    location.replace(homeUrl + (attract ? '?attract' : ''));
  }

  // ---------- 无人计时
  function armIdle() {
    clearTimeout(state.idleTimer);
    if (state.attract || state.prompt || playing.size) return;
    if (isHome && attractEl) state.idleTimer = setTimeout(startAttract, settings.attract * 1000);
    else state.idleTimer = setTimeout(showPrompt, settings.idle * 1000);
  }
  function showPrompt() {
    if (!promptEl) return resetToHome(false);
    state.prompt = true;
    state.left = settings.countdown;
    const number = promptEl.querySelector('[data-kiosk-countdown]');
    number.textContent = String(state.left);
    promptEl.hidden = false;
    const stay = promptEl.querySelector('[data-kiosk-action="stay"]');
    if (stay) stay.focus({preventScroll: true});
    state.countdownTimer = setInterval(() => {
      state.left -= 1;
      number.textContent = String(Math.max(state.left, 0));
      if (state.left <= 0) { clearInterval(state.countdownTimer); resetToHome(false); }
    }, 1000);
  }
  function hidePrompt() {
    clearInterval(state.countdownTimer);
    promptEl.hidden = true;
    state.prompt = false;
  }

  // ---------- 轮播
  function showSlide(index) {
    if (!slides.length) return;
    slides.forEach((slide, i) => { slide.hidden = i !== index; });
    state.slide = index;
    slides[index].dispatchEvent(new CustomEvent('kiosk:slide', {bubbles: true, detail: {index}}));
  }
  function startAttract() {
    if (state.updated) return resetToHome(true);
    clearTimeout(state.idleTimer);
    ['large', 'contrast'].forEach((name) => setToggle(name, false));
    if (store) store.clear();
    updateBack();
    document.querySelectorAll('details[open]').forEach((d) => { d.open = false; });
    window.scrollTo(0, 0);
    state.attract = true;
    attractEl.hidden = false;
    root.classList.add('kiosk-attracting');
    showSlide(0);
    state.slideTimer = setInterval(() => showSlide((state.slide + 1) % slides.length), settings.slide * 1000);
    document.dispatchEvent(new CustomEvent('kiosk:attract', {detail: {on: true}}));
  }
  function stopAttract() {
    clearInterval(state.slideTimer);
    attractEl.hidden = true;
    root.classList.remove('kiosk-attracting');
    state.attract = false;
    document.dispatchEvent(new CustomEvent('kiosk:attract', {detail: {on: false}}));
  }

  // ---------- 触摸：覆盖层上的触摸只关闭覆盖层，紧随其后的 click 不会落到下面的链接上
  function dismissOverlay() {
    state.swallowUntil = Date.now() + SWALLOW_MS;
    if (state.attract) stopAttract();
    if (state.prompt) hidePrompt();
    armIdle();
  }
  window.addEventListener('click', (event) => {
    if (Date.now() < state.swallowUntil) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
  window.addEventListener('pointerup', (event) => {
    if (state.attract || state.prompt) { event.preventDefault(); dismissOverlay(); }
  }, true);
  window.addEventListener('keydown', (event) => {
    if (state.attract || state.prompt) { event.preventDefault(); dismissOverlay(); }
  }, true);
  ['pointerdown', 'keydown', 'wheel', 'touchstart'].forEach((type) => {
    window.addEventListener(type, () => { if (!state.attract && !state.prompt) armIdle(); }, {capture: true, passive: true});
  });

  // ---------- 视频、音频播放时不计时
  document.addEventListener('play', (event) => { playing.add(event.target); clearTimeout(state.idleTimer); }, true);
  ['pause', 'ended', 'emptied'].forEach((type) => document.addEventListener(type, (event) => {
    playing.delete(event.target);
    armIdle();
  }, true));

  // ---------- 锁定
  ['contextmenu', 'selectstart', 'dragstart', 'gesturestart'].forEach((type) => {
    document.addEventListener(type, (event) => event.preventDefault(), {capture: true});
  });
  document.addEventListener('touchmove', (event) => { if (event.touches.length > 1) event.preventDefault(); },
                            {capture: true, passive: false});
  window.addEventListener('wheel', (event) => { if (event.ctrlKey) event.preventDefault(); }, {capture: true, passive: false});
  window.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && ['+', '-', '=', '0'].includes(event.key)) event.preventDefault();
  }, true);
  document.querySelectorAll('img').forEach((img) => { img.draggable = false; });

  // ---------- 数字滚动：数字进入视野时从 0 数到它的值（系统要求减少动画时不动）
  const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const COUNT_MS = 1200;
  function countUp(el) {
    const target = Number(el.dataset.value);
    if (still || !Number.isFinite(target) || el.dataset.counting) return;
    const final = el.textContent;
    const decimals = (el.dataset.value.split('.')[1] || '').length;
    const begin = performance.now();
    el.dataset.counting = '1';
    function frame(now) {
      const t = Math.min(1, (now - begin) / COUNT_MS);
      if (t < 1) {
        const eased = 1 - Math.pow(1 - t, 3);
        el.textContent = (target * eased).toLocaleString('zh-CN', {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
        requestAnimationFrame(frame);
      } else {
        el.textContent = final;
        delete el.dataset.counting;
      }
    }
    requestAnimationFrame(frame);
  }
  if ('IntersectionObserver' in window) {
    const seen = new IntersectionObserver((entries) => entries.forEach((entry) => {
      if (entry.isIntersecting && !entry.target.closest('.kiosk-attract')) { seen.unobserve(entry.target); countUp(entry.target); }
    }), {threshold: 0.6});
    document.querySelectorAll('[data-value]').forEach((el) => seen.observe(el));
  }
  document.addEventListener('kiosk:slide', (event) => event.target.querySelectorAll('[data-value]').forEach(countUp));

  // ---------- 心跳与新版本
  const versionUrl = new URL(settings.version, homeUrl).href;
  function poll() {
    fetch(versionUrl, {cache: 'no-store'})
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data || !data.version) return;
        if (state.baseline === null) state.baseline = data.version;
        else if (data.version !== state.baseline) state.updated = true;
      })
      .catch(() => {});
  }
  if (location.protocol !== 'file:') {  // opened from a folder there is no server to beat for, nor a new version
    poll();
    setInterval(poll, POLL * 1000);
  }

  // ---------- 开始
  if (isHome && attractEl && new URLSearchParams(location.search).has('attract')) {
    history.replaceState(null, '', location.pathname);
    startAttract();
  } else {
    armIdle();
  }
  window.kiosk = {settings, state, startAttract, showPrompt};
})();
