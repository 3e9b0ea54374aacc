// Progress bars of background jobs and the header's job tray. Polls small JSON endpoints
// of the console (same origin, session cookie); no library, no CDN.
(function () {
  "use strict";

  var ACTIVE_MS = 1000;
  var IDLE_MS = 15000;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      });
  }

  function show(el, visible) { if (el) { el.hidden = !visible; } }

  // -- one progress bar ---------------------------------------------------------------------
  function paint(root, job) {
    var bar = root.querySelector("[data-job-bar]");
    if (bar) {
      if (job.percent === null || job.percent === undefined) { bar.removeAttribute("value"); }
      else { bar.value = job.percent; }
    }
    var percent = root.querySelector("[data-job-percent]");
    if (percent) { percent.textContent = job.percent === null ? "" : job.percent + "%"; }
    var status = root.querySelector("[data-job-status]");
    if (status) { status.textContent = job.status_text; }
    var message = root.querySelector("[data-job-message]");
    if (message) { message.textContent = job.summary || ""; }
    var error = root.querySelector("[data-job-error]");
    if (error) { error.textContent = job.error || ""; show(error, !!job.error); }
    var result = root.querySelector("[data-job-result]");
    var link = root.querySelector("[data-job-result-link]");
    if (result && link && job.result_ref) { link.setAttribute("href", job.result_ref); }
    show(result, !!job.result_ref);
    root.className = root.className.replace(/\bjob-(queued|running|succeeded|failed)\b/, "job-" + job.status);
    root.setAttribute("data-status", job.status);
  }

  function watch(root) {
    var url = root.getAttribute("data-status-url");
    var wasFinished = /^(succeeded|failed)$/.test(root.getAttribute("data-status") || "");
    if (wasFinished) { return; }
    function tick() {
      getJSON(url).then(function (job) {
        paint(root, job);
        if (job.finished) {
          document.dispatchEvent(new CustomEvent("liveqc:job-finished", { detail: job }));
          if (root.hasAttribute("data-reload-on-done")) { window.location.reload(); }
          return;
        }
        window.setTimeout(tick, ACTIVE_MS);
      }).catch(function () { window.setTimeout(tick, IDLE_MS); });
    }
    window.setTimeout(tick, 300);
  }

  // -- the header tray ----------------------------------------------------------------------
  function trayItem(job) {
    var li = document.createElement("li");
    li.className = "jobs-item job-" + job.status;
    var link = document.createElement("a");
    link.href = job.finished && job.result_ref ? job.result_ref : job.url;
    link.textContent = job.label + " #" + job.id;
    li.appendChild(link);
    var state = document.createElement("span");
    state.className = "job-status";
    state.textContent = job.status_text + (job.percent !== null && !job.finished ? " " + job.percent + "%" : "");
    li.appendChild(state);
    if (!job.finished) {
      var bar = document.createElement("progress");
      bar.max = 100;
      if (job.percent !== null) { bar.value = job.percent; }
      li.appendChild(bar);
    } else if (job.error) {
      var error = document.createElement("span");
      error.className = "error";
      error.textContent = job.error;
      li.appendChild(error);
    }
    return li;
  }

  function startTray(tray) {
    var feed = tray.getAttribute("data-feed");
    var list = tray.querySelector("[data-jobs-list]");
    var count = tray.querySelector("[data-jobs-count]");
    var empty = tray.querySelector("[data-jobs-empty]");
    var toast = document.querySelector("[data-jobs-toast]");
    var known = null;
    var timer = null;

    function notify(jobs) {
      var fresh = jobs.filter(function (job) { return known !== null && known.indexOf(job.id) < 0; });
      known = jobs.map(function (job) { return job.id; });
      if (!fresh.length || !toast) { return; }
      toast.textContent = fresh.map(function (job) { return job.label + " #" + job.id + ": " + job.status_text; }).join("; ");
      show(toast, true);
      window.setTimeout(function () { show(toast, false); }, 8000);
    }

    function refresh() {
      window.clearTimeout(timer);
      getJSON(feed).then(function (data) {
        var jobs = data.active.concat(data.unread);
        list.textContent = "";
        jobs.forEach(function (job) { list.appendChild(trayItem(job)); });
        show(empty, jobs.length === 0);
        count.textContent = String(jobs.length);
        show(count, jobs.length > 0);
        tray.classList.toggle("jobs-unread", data.unread.length > 0);
        notify(data.unread);
        timer = window.setTimeout(refresh, data.active.length ? ACTIVE_MS * 2 : IDLE_MS);
      }).catch(function () { timer = window.setTimeout(refresh, IDLE_MS); });
    }

    document.addEventListener("liveqc:job-finished", refresh);
    refresh();
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-progress]"), watch);
    var tray = document.querySelector("[data-jobs-tray]");
    if (tray) { startTray(tray); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); }
  else { boot(); }
})();
