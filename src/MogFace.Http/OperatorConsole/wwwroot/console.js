// MogFace operator console. Plain ES2020, no framework, no build step: it talks only to the public HTTP API
// (POST /api/detect, GET /api/health, the admin routes under /api/models) of the host that served it.
"use strict";
(() => {
  const KEY_STORAGE = "mogface.console.key";
  const POLL_MS = 2000;
  const HISTORY_MS = 10 * 60 * 1000;
  const STALE_HEARTBEAT_S = 60;
  const PALETTE = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d"];
  const LANDMARK_COLORS = ["#00e5ff", "#00e5ff", "#ffd400", "#ff4fd8", "#7cff4f", "#7cff4f"];
  const LANDMARK_NAMES = ["right eye", "left eye", "nose", "mouth", "right ear", "left ear"];

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- API base and key

  /**
   * The API lives next to the page: /console/ → /api, / → /api, and under the Functions prefix
   * /api/console/ → /api. A reverse-proxy mount /x/console/ → /x/api.
   */
  function computeApiBase(pathname) {
    const at = pathname.search(/\/console(\/|$)/);
    const root = at >= 0 ? pathname.slice(0, at + 1) : pathname.replace(/[^/]*$/, "");
    return root.endsWith("/api/") ? root.slice(0, -1) : root + "api";
  }
  const API = computeApiBase(location.pathname);
  document.documentElement.dataset.api = API;

  const keyStore = {
    get() { try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch { return ""; } },
    set(value) {
      try {
        if (value) sessionStorage.setItem(KEY_STORAGE, value);
        else sessionStorage.removeItem(KEY_STORAGE);
      } catch { /* storage disabled: the key lives only in the field */ }
    },
  };

  function keyHeaders() {
    const key = keyStore.get() || $("api-key").value.trim();
    return key ? { "x-functions-key": key } : {};
  }

  /** fetch + JSON + RFC 9457 problem details, never throws. */
  async function call(method, path, { body, headers = {}, auth = true, signal } = {}) {
    const init = { method, headers: { Accept: "application/json", ...(auth ? keyHeaders() : {}), ...headers }, body, signal, cache: "no-store" };
    let res;
    try {
      res = await fetch(API + path, init);
    } catch (err) {
      if (err && err.name === "AbortError") return { aborted: true };
      return { ok: false, status: 0, error: "The server cannot be reached (" + (err && err.message ? err.message : "network error") + ")." };
    }
    const serverDate = Date.parse(res.headers.get("date") || "");
    const type = res.headers.get("content-type") || "";
    let data = null;
    let text = "";
    try {
      if (type.includes("json")) data = await res.json();
      else text = await res.text();
    } catch { /* an empty or cut body: the status still says enough */ }
    if (res.ok) return { ok: true, status: res.status, data, serverDate };
    const detail = (data && (data.detail || data.title)) || text.slice(0, 300) || res.statusText || "request failed";
    return { ok: false, status: res.status, data, serverDate, error: detail, code: data && data.code };
  }

  const isAuthError = (r) => r.status === 401 || r.status === 403;

  function say(el, text, kind) {
    const node = typeof el === "string" ? $(el) : el;
    node.textContent = text || "";
    node.className = "message" + (kind ? " " + kind : "");
  }

  // ---------------------------------------------------------------- formatting

  const fmt = {
    num(n, digits = 0) { return n == null || Number.isNaN(n) ? "–" : Number(n).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }); },
    bytes(n) {
      if (n == null) return "–";
      if (n < 1024) return n + " B";
      if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
      return (n / 1024 / 1024).toFixed(2) + " MB";
    },
    time(iso) {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? "–" : new Date(t).toLocaleString("en-GB", { year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    },
    age(seconds) {
      if (seconds == null || Number.isNaN(seconds)) return "–";
      const s = Math.max(0, Math.round(seconds));
      if (s < 90) return s + " s ago";
      if (s < 5400) return Math.round(s / 60) + " min ago";
      return Math.round(s / 3600) + " h ago";
    },
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const badge = (text, kind) => el("span", { class: "badge" + (kind ? " " + kind : ""), text });

  function emptyRow(tbody, columns, text) {
    tbody.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: columns, text })));
  }

  // ---------------------------------------------------------------- tabs

  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  let currentTab = "detect";

  function selectTab(tab, { focus = false, updateHash = true } = {}) {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !selected;
    }
    currentTab = tab.id.replace("tab-", "");
    if (focus) tab.focus();
    if (updateHash) history.replaceState(null, "", "#" + currentTab);
    if (currentTab === "models") refreshModels();
    if (currentTab === "status") renderStatus();
  }

  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(tab);
      let next = null;
      if (e.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
      else if (e.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (e.key === "Home") next = tabs[0];
      else if (e.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        e.preventDefault();
        selectTab(next, { focus: true });
      }
    });
  }

  // ---------------------------------------------------------------- key form

  const keyInput = $("api-key");
  keyInput.value = keyStore.get();
  let authFailedWith = null; // the key that got a 401 from /models; auto-refresh pauses until it changes

  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    keyStore.set(keyInput.value.trim());
    authFailedWith = null;
    say("models-message", "");
    say("action-message", keyInput.value.trim() ? "Key saved for this tab." : "Key cleared.", "ok");
    refreshModels();
  });
  $("key-forget").addEventListener("click", () => {
    keyInput.value = "";
    keyStore.set("");
    authFailedWith = null;
    say("action-message", "Key cleared.", "ok");
    refreshModels();
  });

  // ---------------------------------------------------------------- 1. Detect

  const detect = {
    file: null,
    bitmap: null,
    result: null,
    controller: null,
    timer: 0,
  };
  const canvas = $("detect-canvas");
  const stage = $("detect-stage");
  const threshold = $("threshold");

  function thresholdValue() { return Number(threshold.value).toFixed(2); }

  function guessType(file) {
    if (file.type) return file.type;
    const ext = (file.name.split(".").pop() || "").toLowerCase();
    return { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", bmp: "image/bmp" }[ext] || "application/octet-stream";
  }

  async function chooseImage(file) {
    if (!file) return;
    detect.file = file;
    detect.result = null;
    if (detect.bitmap && detect.bitmap.close) detect.bitmap.close();
    detect.bitmap = null;
    try {
      detect.bitmap = await createImageBitmap(file);
    } catch {
      detect.bitmap = null; // the server may still decode it; the list and facts still show
    }
    draw();
    runDetect();
  }

  async function runDetect() {
    if (!detect.file) return;
    if (detect.controller) detect.controller.abort();
    const controller = new AbortController();
    detect.controller = controller;
    say("detect-message", "Detecting faces at threshold " + thresholdValue() + "…", "busy");
    const maxSide = $("max-side").value;
    const r = await call("POST", "/detect?threshold=" + thresholdValue() + (maxSide ? "&maxSide=" + maxSide : ""), {
      body: detect.file,
      headers: { "Content-Type": guessType(detect.file) },
      signal: controller.signal,
    });
    if (r.aborted || detect.controller !== controller) return;
    detect.controller = null;
    if (!r.ok) {
      detect.result = null;
      draw();
      renderFaces();
      const why = isAuthError(r)
        ? "Wrong or missing key: detect needs a function key or the admin key (enter it above). " + r.error
        : (r.status ? r.status + ": " : "") + r.error;
      say("detect-message", why, "error");
      return;
    }
    detect.result = r.data;
    const n = r.data.faces.length;
    say("detect-message", n + (n === 1 ? " face" : " faces") + " at threshold " + thresholdValue() + ".", "ok");
    draw();
    renderFaces();
  }

  function draw() {
    const ctx = canvas.getContext("2d");
    const bitmap = detect.bitmap;
    const result = detect.result;
    if (!bitmap) {
      stage.classList.remove("loaded");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      canvas.setAttribute("aria-label", detect.file ? "The browser cannot display this image" : "No image yet");
      stage.dataset.faces = result ? String(result.faces.length) : "";
      return;
    }
    // Draw at the picture's own size (capped) so boxes stay sharp; CSS fits it into the fixed stage.
    const maxSide = 1600;
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    stage.classList.add("loaded");
    if (!result) {
      canvas.setAttribute("aria-label", "The picture, faces not detected yet");
      stage.dataset.faces = "";
      return;
    }
    // Coordinates come in original-image pixels; the server's image size is the reference.
    const sx = canvas.width / (result.image ? result.image.width : bitmap.width);
    const sy = canvas.height / (result.image ? result.image.height : bitmap.height);
    const line = Math.max(2, Math.round(Math.max(canvas.width, canvas.height) / 320));
    const fontPx = Math.max(12, Math.round(Math.max(canvas.width, canvas.height) / 55));
    ctx.font = "600 " + fontPx + "px system-ui, sans-serif";
    ctx.textBaseline = "top";
    const showLandmarks = $("show-landmarks").checked;
    result.faces.forEach((face, i) => {
      const [x1, y1, x2, y2] = face.box;
      const x = x1 * sx, y = y1 * sy, w = (x2 - x1) * sx, h = (y2 - y1) * sy;
      ctx.lineWidth = line + 2;
      ctx.strokeStyle = "rgba(0,0,0,0.55)";
      ctx.strokeRect(x, y, w, h);
      ctx.lineWidth = line;
      ctx.strokeStyle = "#39ff6a";
      ctx.strokeRect(x, y, w, h);
      const label = "#" + (i + 1) + " " + face.score.toFixed(2);
      const tw = ctx.measureText(label).width + 8;
      const ty = y - fontPx - 6 >= 0 ? y - fontPx - 6 : y + h + 2;
      ctx.fillStyle = "rgba(0,0,0,0.7)";
      ctx.fillRect(x, ty, tw, fontPx + 6);
      ctx.fillStyle = "#39ff6a";
      ctx.fillText(label, x + 4, ty + 3);
      if (showLandmarks) {
        (face.landmarks || []).forEach(([lx, ly], k) => {
          ctx.beginPath();
          ctx.arc(lx * sx, ly * sy, line + 1.5, 0, Math.PI * 2);
          ctx.fillStyle = LANDMARK_COLORS[k % LANDMARK_COLORS.length];
          ctx.fill();
          ctx.lineWidth = 1;
          ctx.strokeStyle = "rgba(0,0,0,0.7)";
          ctx.stroke();
        });
      }
    });
    const n = result.faces.length;
    canvas.setAttribute("aria-label", "The picture with " + n + (n === 1 ? " face" : " faces") + " marked");
    stage.dataset.faces = String(n);
  }

  function renderFaces() {
    const r = detect.result;
    $("detect-count").textContent = r ? String(r.faces.length) : "–";
    $("detect-model").textContent = r ? r.modelVersion : "–";
    $("detect-instance").textContent = r ? r.instance : "–";
    $("detect-size").textContent = r && r.image ? r.image.width + " × " + r.image.height + " px" : "–";
    const t = r && r.timingsMs;
    $("detect-timings").textContent = t
      ? "total " + fmt.num(t.total, 1) + " ms (decode " + fmt.num(t.decode, 1) + ", pre " + fmt.num(t.preprocess, 1) + ", inference " + fmt.num(t.inference, 1) + ", post " + fmt.num(t.postprocess, 1) + ")"
      : "–";
    const body = $("faces-body");
    if (!r) return emptyRow(body, 5, "No detection yet.");
    if (!r.faces.length) return emptyRow(body, 5, "No faces above threshold " + thresholdValue() + ".");
    body.replaceChildren(...r.faces.map((f, i) => {
      const [x1, y1, x2, y2] = f.box;
      const marks = (f.landmarks || []).map(([x, y], k) => (LANDMARK_NAMES[k] || "point " + (k + 1)) + " " + Math.round(x) + "," + Math.round(y)).join("; ");
      return el("tr", { class: "face" },
        el("td", { class: "num", text: String(i + 1) }),
        el("td", { class: "num", text: f.score.toFixed(3) }),
        el("td", { class: "mono", text: [x1, y1, x2, y2].map((v) => Math.round(v)).join(", ") }),
        el("td", { class: "mono", text: Math.round(x2 - x1) + " × " + Math.round(y2 - y1) }),
        el("td", { text: marks || "–" }));
    }));
  }

  $("detect-file").addEventListener("change", (e) => chooseImage(e.target.files[0]));
  threshold.addEventListener("input", () => {
    $("threshold-value").textContent = thresholdValue();
    clearTimeout(detect.timer);
    detect.timer = setTimeout(runDetect, 250);
  });
  threshold.addEventListener("change", () => {
    clearTimeout(detect.timer);
    runDetect();
  });
  $("max-side").addEventListener("change", runDetect);
  $("show-landmarks").addEventListener("change", draw);
  $("threshold-value").textContent = thresholdValue();

  const drop = $("drop-zone");
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "dragend"]) {
    drop.addEventListener(type, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) chooseImage(file);
  });

  // ---------------------------------------------------------------- 2. Models

  const models = { view: null, serverSkewMs: 0, inflight: false, again: false, versionsKey: "", rejectedKey: "", busy: false };

  function serverNow() { return Date.now() + models.serverSkewMs; }

  async function refreshModels({ force = false } = {}) {
    if (models.inflight) {
      // A poll is under way and may predate an action that just finished: run once more after it.
      if (force) models.again = true;
      return;
    }
    const key = keyStore.get();
    if (!force && authFailedWith !== null && authFailedWith === key) return;
    models.inflight = true;
    try {
      const r = await call("GET", "/models");
      if (!Number.isNaN(r.serverDate)) models.serverSkewMs = r.serverDate - Date.now();
      if (!r.ok) {
        if (isAuthError(r)) {
          authFailedWith = key;
          say("models-message", "Wrong or missing admin key (" + r.status + "): " + r.error + " Enter the admin key above and press “Use key”.", "error");
        } else {
          say("models-message", "Cannot load models" + (r.status ? " (" + r.status + ")" : "") + ": " + r.error, "error");
        }
        return;
      }
      authFailedWith = null;
      say("models-message", "");
      models.view = r.data;
      renderModels();
    } finally {
      models.inflight = false;
      if (models.again) {
        models.again = false;
        refreshModels({ force: true });
      }
    }
  }

  function renderModels() {
    const view = models.view;
    if (!view) return;
    const pointer = view.pointer || {};
    const versions = (view.versions || []).slice().sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.version.localeCompare(b.version));
    const instances = view.instances || [];
    const rejected = (view.rejected || []).slice().sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

    $("models-active").textContent = pointer.active || "none";
    $("models-updated").textContent = pointer.updatedAt
      ? "since " + fmt.time(pointer.updatedAt) + (pointer.reason ? " — " + pointer.reason : "")
      : view.pointerError || "no pointer yet";
    $("models-canary").textContent = pointer.canary ? pointer.canary.version + " @ " + pointer.canary.percent + " %" : "off";
    $("models-previous").textContent = pointer.previous && pointer.previous.length
      ? "roll back to " + pointer.previous[0] + (pointer.previous.length > 1 ? " (+" + (pointer.previous.length - 1) + " older)" : "")
      : "no previous version";
    $("rollback-button").disabled = !(pointer.previous && pointer.previous.length);
    $("canary-clear").disabled = !pointer.canary;
    $("canary-promote").disabled = !pointer.canary;

    // Versions and rejections re-render only when they change, so an open <details> or a focused button
    // survives the 2-second refresh.
    const versionsKey = JSON.stringify([versions, pointer.active, pointer.canary, pointer.previous]);
    if (versionsKey !== models.versionsKey) {
      models.versionsKey = versionsKey;
      renderVersions(versions, pointer);
      renderCanaryChoices(versions, pointer);
    }
    const rejectedKey = JSON.stringify(rejected);
    if (rejectedKey !== models.rejectedKey) {
      models.rejectedKey = rejectedKey;
      renderRejected(rejected);
    }
    renderInstances(instances, pointer);
    $("models-refreshed").textContent = "refreshed " + new Date().toLocaleTimeString("en-GB") + " (every 2 s)";
  }

  function withFocusKept(container, render) {
    const focused = container.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && focused.dataset ? focused.dataset.focusKey : null;
    const open = new Set(Array.from(container.querySelectorAll("details[open]")).map((d) => d.dataset.key));
    render(open);
    if (focusKey) {
      const again = container.querySelector('[data-focus-key="' + CSS.escape(focusKey) + '"]');
      if (again) again.focus();
    }
  }

  function renderVersions(versions, pointer) {
    const body = $("versions-body");
    if (!versions.length) return emptyRow(body, 8, "No versions registered yet: upload weights above.");
    withFocusKept(body, (open) => {
      body.replaceChildren(...versions.map((v) => {
        const isActive = v.version === pointer.active;
        const isCanary = pointer.canary && v.version === pointer.canary.version;
        const isPrevious = (pointer.previous || []).includes(v.version);
        const passed = v.validation ? v.validation.passed : null;
        const details = el("details", { "data-key": v.version, open: open.has(v.version) },
          el("summary", {}, passed == null ? badge("unknown") : passed ? badge("passed", "ok") : badge("failed", "bad")),
          el("pre", { text: JSON.stringify({ validation: v.validation || null, manifest: v.manifest || null, name: v.name, sourceBlob: v.sourceBlob, sha256: v.sha256 }, null, 2) }));
        return el("tr", { class: isActive ? "active-row" : null, "data-version": v.version },
          el("td", { class: "mono" }, v.version, " ",
            isActive ? badge("active", "ok") : null,
            isCanary ? badge("canary " + pointer.canary.percent + " %", "info") : null,
            isPrevious ? badge("previous") : null),
          el("td", { text: v.family || "–" }),
          goldenCell(v.validation),
          el("td", { class: "mono", title: v.sha256, text: (v.sha256 || "").slice(0, 12) }),
          el("td", { class: "num", text: fmt.bytes(v.size) }),
          el("td", { text: fmt.time(v.created) }),
          el("td", {}, details),
          el("td", {}, el("button", {
            type: "button", class: "small secondary", disabled: isActive,
            "data-focus-key": "activate:" + v.version,
            "aria-label": "Activate " + v.version,
            onclick: () => activate(v.version),
          }, isActive ? "Active" : "Activate")));
      }));
    });
  }

  // The accuracy gate's numbers: this version's golden-set AP, the active one's it was compared with, and a
  // regression accepted because its manifest said "gate": "warn".
  function goldenCell(validation) {
    const v = validation || {};
    if (v.goldenAP == null) return el("td", { class: "num", title: "not measured (quality gate off)", text: "–" });
    const ap = (x) => Number(x).toFixed(3);
    return el("td", { class: "num golden-ap", title: v.comparedWith ? "compared with " + v.comparedWith : "no active version to compare with" },
      ap(v.goldenAP),
      v.comparedAP != null ? el("span", { class: "muted", text: " vs " + ap(v.comparedAP) }) : null,
      v.warning ? " " : null,
      v.warning ? el("span", { class: "badge warn", title: v.warning, text: "regression (warn)" }) : null);
  }

  function renderCanaryChoices(versions, pointer) {
    const select = $("canary-version");
    const chosen = select.value || (pointer.canary ? pointer.canary.version : "");
    select.replaceChildren(el("option", { value: "", text: "(choose a version)" }),
      ...versions.filter((v) => v.version !== pointer.active).map((v) => el("option", { value: v.version, text: v.version })));
    if (Array.from(select.options).some((o) => o.value === chosen)) select.value = chosen;
    if (pointer.canary) $("canary-percent").value = pointer.canary.percent;
  }

  function renderRejected(rejected) {
    const body = $("rejected-body");
    if (!rejected.length) return emptyRow(body, 5, "No rejected uploads.");
    body.replaceChildren(...rejected.map((r) => el("tr", { "data-name": r.name },
      el("td", { class: "mono", text: r.name }),
      el("td", {}, badge(r.code || "rejected", "bad")),
      el("td", { text: r.reason }),
      el("td", { class: "num", text: fmt.bytes(r.size) }),
      el("td", { text: fmt.time(r.at) }))));
  }

  function renderInstances(instances, pointer) {
    const body = $("instances-body");
    const now = serverNow();
    let fresh = 0;
    let converged = 0;
    if (!instances.length) {
      emptyRow(body, 8, "No instance has reported yet.");
    } else {
      body.replaceChildren(...instances.map((i) => {
        const ageS = (now - Date.parse(i.updatedAt)) / 1000;
        // A replica that shut down says "stopped" in its last heartbeat: not live, whatever its age.
        const stopped = i.state === "stopped";
        const stale = stopped || ageS > STALE_HEARTBEAT_S;
        const onActive = !!pointer.active && i.active === pointer.active;
        const canaryOk = !pointer.canary || i.canary === pointer.canary.version || (i.loaded || []).includes(pointer.canary.version);
        const ok = onActive && canaryOk;
        if (!stale) {
          fresh++;
          if (ok) converged++;
        }
        const mark = stopped ? badge("stopped", "warn") : stale ? badge("stale", "warn") : ok ? badge("converged", "ok") : badge(onActive ? "canary not loaded" : "behind pointer", "bad");
        return el("tr", { class: !stale && !ok ? "lagging" : null, "data-instance": i.instanceId, "data-converged": String(ok) },
          el("td", { class: "mono" }, i.instanceId, " ", mark),
          el("td", { text: i.state || "–" }),
          el("td", { class: "mono", text: i.active || "–" }),
          el("td", { class: "mono", text: i.canary || "–" }),
          el("td", { class: "mono wrap" }, ...((i.loaded || []).length ? i.loaded.flatMap((v, k) => (k ? [el("br"), v] : [v])) : ["–"])),
          el("td", { text: i.provider || "–" }),
          el("td", { class: "num", title: i.lastPoll ? "last poll " + fmt.time(i.lastPoll) : null, text: fmt.age(ageS) }),
          el("td", { text: i.lastError || "–" }));
      }));
    }
    const card = $("models-convergence");
    if (!fresh) {
      card.textContent = instances.length ? "no live instance" : "no instances";
      card.className = "big warn";
    } else {
      card.textContent = converged + " of " + fresh + " instance" + (fresh === 1 ? "" : "s") + " on the pointer";
      card.className = "big " + (converged === fresh ? "ok" : "bad");
    }
  }

  /** Runs one admin action with its buttons disabled, then refreshes at once. */
  async function adminAction(label, request, describe) {
    if (models.busy) return;
    models.busy = true;
    const buttons = document.querySelectorAll("#panel-models button");
    buttons.forEach((b) => { b.dataset.wasDisabled = String(b.disabled); b.disabled = true; });
    say("action-message", label + "…", "busy");
    try {
      const r = await request();
      if (r.ok) {
        say("action-message", describe(r), "ok");
      } else if (isAuthError(r)) {
        say("action-message", "Wrong or missing admin key (" + r.status + "): " + r.error, "error");
        say("models-message", "Wrong or missing admin key (" + r.status + "): " + r.error + " Enter the admin key above and press “Use key”.", "error");
      } else {
        say("action-message", label + " failed (" + r.status + (r.code ? ", " + r.code : "") + "): " + r.error, "error");
      }
    } finally {
      buttons.forEach((b) => { b.disabled = b.dataset.wasDisabled === "true"; delete b.dataset.wasDisabled; });
      models.busy = false;
      models.versionsKey = ""; // re-render buttons' enabled state from fresh data
      await refreshModels({ force: true });
    }
  }

  function activate(version) {
    return adminAction("Activating " + version, () => call("POST", "/models/" + encodeURIComponent(version) + "/activate"),
      (r) => "Active is now " + ((r.data && r.data.active) || version) + "; instances follow within a few seconds.");
  }

  $("upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = $("upload-file").files[0];
    if (!file) {
      say("action-message", "Choose an .onnx file to upload first.", "error");
      return;
    }
    adminAction("Uploading " + file.name + " (" + fmt.bytes(file.size) + ") and validating it",
      () => call("POST", "/models?name=" + encodeURIComponent(file.name), { body: file, headers: { "Content-Type": "application/octet-stream" } }),
      (r) => r.data.alreadyRegistered
        ? "Already registered as " + r.data.version + " (same bytes)."
        : "Accepted as " + r.data.version + " (" + r.status + ").");
  });

  $("rollback-button").addEventListener("click", () =>
    adminAction("Rolling back", () => call("POST", "/models/rollback"),
      (r) => "Rolled back: active is now " + ((r.data && r.data.active) || "the previous version") + "."));

  $("canary-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const version = $("canary-version").value;
    const percent = Number($("canary-percent").value);
    if (!version) {
      say("action-message", "Choose the canary version first.", "error");
      return;
    }
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      say("action-message", "The canary percent is a whole number from 1 to 100.", "error");
      return;
    }
    adminAction("Setting the canary", () => call("PUT", "/models/canary", {
      body: JSON.stringify({ version, percent }),
      headers: { "Content-Type": "application/json" },
    }), () => "Canary set: " + version + " gets " + percent + " % of clients.");
  });

  $("canary-clear").addEventListener("click", () =>
    adminAction("Clearing the canary", () => call("DELETE", "/models/canary"), () => "Canary cleared."));

  $("canary-promote").addEventListener("click", () =>
    adminAction("Promoting the canary", () => call("POST", "/models/canary/promote"),
      (r) => "Canary promoted: active is now " + ((r.data && r.data.active) || "the canary version") + "."));

  // ---------------------------------------------------------------- 3. Status

  const status = { history: [], last: null, inflight: false };

  async function pollHealth() {
    if (status.inflight) return;
    status.inflight = true;
    try {
      const r = await call("GET", "/health", { auth: false });
      const at = Date.now();
      if (r.ok) {
        status.last = { at, ok: true, health: r.data };
        if (r.data.stats) {
          status.history.push({ at, instance: r.data.instance, stats: r.data.stats });
          while (status.history.length && status.history[0].at < at - HISTORY_MS) status.history.shift();
        }
      } else {
        status.last = { at, ok: false, status: r.status, error: r.error, instance: r.data && r.data.instance };
      }
      renderHeader();
      if (currentTab === "status") renderStatus();
    } finally {
      status.inflight = false;
    }
  }

  function renderHeader() {
    const last = status.last;
    const dot = $("health-dot");
    const text = $("header-model");
    if (!last) return;
    if (last.ok) {
      dot.className = "dot ok";
      text.textContent = "serving " + last.health.modelVersion;
      text.title = "instance " + last.health.instance;
    } else {
      dot.className = "dot bad";
      text.textContent = last.status === 503 ? "no model loaded yet" : "unreachable";
    }
  }

  function renderStatus() {
    const last = status.last;
    if (!last) return;
    $("status-polled").textContent = "checked " + new Date(last.at).toLocaleTimeString("en-GB");
    if (last.ok) {
      const h = last.health;
      $("status-state").textContent = h.status;
      $("status-state").className = "big ok";
      $("status-model").textContent = h.modelVersion;
      $("status-provider").textContent = (h.provider ? "on " + h.provider : "") + (h.canary ? ` — canary ${h.canary.version} at ${h.canary.percent} %` : "");
      $("status-instance").textContent = h.instance;
      say("status-message", h.stats ? "" : "This server reports no stats; charts stay empty.", h.stats ? null : "busy");
    } else {
      $("status-state").textContent = last.status === 503 ? "not ready" : "down";
      $("status-state").className = "big bad";
      if (last.instance) $("status-instance").textContent = last.instance;
      say("status-message", (last.status ? last.status + ": " : "") + last.error, "error");
    }
    const latest = status.history[status.history.length - 1];
    const s = latest && latest.stats;
    $("total-requests").textContent = s ? fmt.num(s.requests) : "–";
    $("total-errors").textContent = s ? fmt.num(s.errors) : "–";
    $("total-swaps").textContent = s ? fmt.num(s.swaps) : "–";
    $("total-swap-failures").textContent = s ? fmt.num(s.swapFailures) : "–";
    $("total-accepted").textContent = s ? fmt.num(s.ingestionsAccepted) : "–";
    $("total-rejected").textContent = s ? fmt.num(s.ingestionsRejected) : "–";
    renderLatencyTable(s);
    drawCharts();
  }

  function renderLatencyTable(s) {
    const body = $("latency-body");
    if (!s || !s.latency || !s.latency.length) return emptyRow(body, 4, "No requests in the last minute.");
    body.replaceChildren(...s.latency.map((l) => el("tr", { "data-version": l.version },
      el("td", { class: "mono", text: l.version }),
      el("td", { class: "num", text: fmt.num(l.requests) }),
      el("td", { class: "num", text: fmt.num(l.p50Ms, 2) }),
      el("td", { class: "num", text: fmt.num(l.p99Ms, 2) }))));
  }

  const versionColors = new Map();
  function colorFor(version) {
    if (!versionColors.has(version)) versionColors.set(version, PALETTE[versionColors.size % PALETTE.length]);
    return versionColors.get(version);
  }

  function drawCharts() {
    const h = status.history;
    const now = Date.now();
    // Requests per second from consecutive samples of the same instance (a restart or another instance
    // behind a load balancer resets the totals: no delta across those).
    const rps = [];
    for (let i = 1; i < h.length; i++) {
      const a = h[i - 1], b = h[i];
      const dt = (Date.parse(b.stats.at) - Date.parse(a.stats.at)) / 1000 || (b.at - a.at) / 1000;
      const dr = b.stats.requests - a.stats.requests;
      if (a.instance === b.instance && dt > 0 && dr >= 0) rps.push([b.at, dr / dt]);
    }
    chart($("chart-rps"), [{ color: PALETTE[0], points: rps, fill: true }], now, { unit: "/s" });

    const latency = new Map();
    for (const sample of h) {
      for (const l of sample.stats.latency || []) {
        if (!latency.has(l.version)) latency.set(l.version, { p50: [], p99: [] });
        latency.get(l.version).p50.push([sample.at, l.p50Ms]);
        latency.get(l.version).p99.push([sample.at, l.p99Ms]);
      }
    }
    const series = [];
    for (const [version, s] of latency) {
      series.push({ color: colorFor(version), points: s.p50 });
      series.push({ color: colorFor(version), points: s.p99, dash: "5 3" });
    }
    chart($("chart-latency"), series, now);
    const legend = $("latency-legend");
    legend.replaceChildren(el("li", { text: "solid p50, dashed p99" }), ...Array.from(latency.keys()).map((v) => {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = colorFor(v);
      return el("li", {}, swatch, v);
    }));

    chart($("chart-swaps"), [
      { color: PALETTE[0], points: h.map((x) => [x.at, x.stats.swaps]), step: true },
      { color: "#c62828", points: h.map((x) => [x.at, x.stats.swapFailures]), step: true, dash: "4 2" },
    ], now, { integer: true });
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  }

  function niceMax(v, integer) {
    if (integer) return Math.max(2, Math.ceil(v / 2) * 2); // whole-number ticks at 0, max/2, max
    if (!(v > 0)) return 1;
    const exp = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v) return m * exp;
    return 10 * exp;
  }

  /** The charts' time span: what has been seen so far, at least a minute, at most the 10-minute history. */
  function chartSpan(now) {
    const first = status.history.length ? status.history[0].at : now;
    return Math.min(HISTORY_MS, Math.max(60 * 1000, now - first));
  }

  function spanLabel(ms) {
    const s = Math.round(ms / 1000);
    return s < 120 ? "-" + s + " s" : "-" + Math.round(s / 60) + " min";
  }

  /** A small time-series chart: x = the last minutes (see chartSpan), y = 0..nice max, 3 grid lines. */
  function chart(root, series, now, { unit = "", integer = false } = {}) {
    const W = 480, H = 160, L = 48, R = 8, T = 8, B = 20;
    const span = chartSpan(now);
    const x0 = now - span;
    const all = series.flatMap((s) => s.points).filter(([t]) => t >= x0);
    const max = niceMax(Math.max(0, ...all.map(([, v]) => v)), integer);
    const X = (t) => L + ((t - x0) / span) * (W - L - R);
    const Y = (v) => H - B - (v / max) * (H - T - B);
    const nodes = [];
    for (let g = 0; g <= 2; g++) {
      const v = (max * g) / 2;
      nodes.push(svg("line", { class: g === 0 ? "axis" : "grid", x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
      const label = v >= 10000 ? Math.round(v / 1000) + "k" : integer || v >= 10 ? String(Math.round(v)) : v.toFixed(v === 0 ? 0 : 1);
      nodes.push(svg("text", { x: L - 4, y: Y(v) + 3, "text-anchor": "end" }, label + (g === 2 ? unit : "")));
    }
    for (const [label, t] of [[spanLabel(span), x0], [spanLabel(span / 2), now - span / 2], ["now", now]]) {
      nodes.push(svg("text", { x: X(t), y: H - 5, "text-anchor": t === x0 ? "start" : t === now ? "end" : "middle" }, label));
    }
    if (!all.length) {
      nodes.push(svg("text", { class: "empty", x: (L + W - R) / 2, y: H / 2, "text-anchor": "middle" }, status.last ? "waiting for data…" : "connecting…"));
    }
    for (const s of series) {
      const pts = s.points.filter(([t]) => t >= x0);
      if (!pts.length) continue;
      let d = "";
      pts.forEach(([t, v], i) => {
        const x = X(t).toFixed(1), y = Y(v).toFixed(1);
        if (i === 0) d += "M" + x + " " + y;
        else if (s.step) d += "H" + x + "V" + y;
        else d += "L" + x + " " + y;
      });
      if (s.fill && pts.length > 1) {
        const area = d + "L" + X(pts[pts.length - 1][0]).toFixed(1) + " " + Y(0) + "L" + X(pts[0][0]).toFixed(1) + " " + Y(0) + "Z";
        nodes.push(svg("path", { d: area, fill: s.color, "fill-opacity": "0.12", stroke: "none" }));
      }
      nodes.push(svg("path", { d, fill: "none", stroke: s.color, "stroke-width": "2", "stroke-dasharray": s.dash || null, "stroke-linejoin": "round" }));
      if (pts.length === 1) nodes.push(svg("circle", { cx: X(pts[0][0]), cy: Y(pts[0][1]), r: 2.5, fill: s.color }));
    }
    root.replaceChildren(...nodes);
  }

  // ---------------------------------------------------------------- start

  const fromHash = tabs.find((t) => t.id === "tab-" + location.hash.slice(1));
  selectTab(fromHash || tabs[0], { updateHash: false });
  pollHealth();
  setInterval(() => {
    if (document.visibilityState === "hidden") return;
    pollHealth();
    if (currentTab === "models") refreshModels();
  }, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      pollHealth();
      if (currentTab === "models") refreshModels();
    }
  });
  setInterval(() => { if (currentTab === "models" && models.view) renderInstances(models.view.instances || [], models.view.pointer || {}); }, 1000);
})();
