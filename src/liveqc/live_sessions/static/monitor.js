// Live alerts for the console: listens to the page's server-sent event stream and adds or
// updates one table row per alert. No inline script, no external assets (CSP: script-src 'self').
(function () {
  "use strict";
  var table = document.getElementById("lsq-feed");
  if (!table || !window.EventSource) { return; }
  var body = table.tBodies[0];
  var status = document.getElementById("lsq-status");
  var hasSessionColumn = table.tHead.rows[0].cells.length === 7;

  function label(kind, value) {
    return table.getAttribute("data-" + kind + "-" + String(value).replace(/_/g, "-")) || value;
  }

  function clock(ms) {
    if (ms === null || ms === undefined) { return "—"; }
    var s = Math.floor(ms / 1000);
    var mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
    var ss = String(s % 60).padStart(2, "0");
    return Math.floor(s / 3600) + ":" + mm + ":" + ss;
  }

  function cell(row, text, strong) {
    var td = row.insertCell(-1);
    var node = strong ? document.createElement("strong") : document.createTextNode("");
    node.textContent = text;
    td.appendChild(node);
    return td;
  }

  function show(alert) {
    var existing = body.querySelector('tr[data-alert-id="' + alert.id + '"]');
    if (existing) {
      var disp = existing.querySelector(".lsq-disposition");
      if (disp) { disp.textContent = label("disposition", alert.disposition) + (alert.reason ? " · " + alert.reason : ""); }
      return;
    }
    var row = body.insertRow(0);
    row.setAttribute("data-alert-id", alert.id);
    row.className = "lsq-sev-" + alert.severity + " lsq-new";
    cell(row, "#" + alert.id);
    if (hasSessionColumn) {
      var td = row.insertCell(-1);
      var a = document.createElement("a");
      a.href = "/live-sessions/" + alert.live_session_id;
      a.textContent = "#" + alert.live_session_id;
      td.appendChild(a);
    }
    cell(row, clock(alert.at_ms));
    cell(row, label("source", alert.source));
    var code = cell(row, alert.code + " · " + label("severity", alert.severity), true);
    var basis = document.createElement("small");
    basis.textContent = alert.basis;
    code.appendChild(document.createElement("br"));
    code.appendChild(basis);
    var sentence = cell(row, alert.sentence);
    if (alert.match) {
      var mark = document.createElement("mark");
      mark.textContent = alert.match;
      sentence.appendChild(document.createElement("br"));
      sentence.appendChild(mark);
    }
    var d = cell(row, label("disposition", alert.disposition));
    d.className = "lsq-disposition";
  }

  var source = new EventSource(table.getAttribute("data-stream"));
  source.addEventListener("alert", function (event) {
    show(JSON.parse(event.data));
    if (status) { status.textContent = ""; }
  });
  source.onerror = function () {
    if (status) { status.textContent = table.getAttribute("data-lost"); }
  };
}());
